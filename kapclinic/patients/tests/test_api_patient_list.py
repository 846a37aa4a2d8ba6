"""GET /api/v1/patients/: the roster as JSON."""

import pytest

from kapclinic.audit.models import AuditAction, AuditOutcome
from kapclinic.patients.models import CareTeamMember
from kapclinic.patients.tests.api_helpers import LIST_URL, get_audited
from kapclinic.patients.tests.helpers import assert_no_phi, state
from kapclinic.test import make_patient


def mrns(response):
    return [item["mrn"] for item in response.json()["items"]]


def test_prescriber_lists_care_team_patients_with_demographics_only(cast, as_user):
    response = as_user(cast.prescriber).get(LIST_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 25
    [item] = body["items"]
    assert item == {
        "id": cast.patient.pk,
        "mrn": "MRN-0001",
        "given_name": "Pat",
        "family_name": "Ient",
        "preferred_name": "",
        "birth_date": "1985-06-15",
        "site": {"id": cast.site.pk, "name": "Site A"},
        "stage": "enquiry",
    }


def test_front_desk_and_nurse_list_everyone_at_their_site(cast, as_user, client):
    for user in (cast.front_desk, cast.nurse):
        assert mrns(as_user(user).get(LIST_URL)) == ["MRN-0001", "MRN-0002"]


def test_therapist_outside_every_care_team_gets_an_empty_list(cast, as_user):
    response = as_user(cast.therapist).get(LIST_URL)
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert_no_phi(response, cast.patient, cast.other_patient)


def test_outsider_at_another_site_sees_none_of_site_a(cast, as_user):
    response = as_user(cast.outsider).get(LIST_URL)
    assert response.json()["count"] == 0
    assert_no_phi(response, cast.patient, cast.other_patient)


@pytest.mark.parametrize("who", ["admin", "patient_user"])
def test_clinic_admin_and_patients_get_an_empty_roster(cast, as_user, who):
    response = as_user(getattr(cast, who)).get(LIST_URL)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "page": 1, "page_size": 25, "items": []}
    assert_no_phi(response, cast.patient, cast.other_patient)


def test_search_reuses_the_list_search(cast, as_user):
    client = as_user(cast.front_desk)
    assert mrns(client.get(LIST_URL, {"q": "oscar"})) == ["MRN-0002"]
    assert mrns(client.get(LIST_URL, {"q": "MRN-0001"})) == ["MRN-0001"]
    assert mrns(client.get(LIST_URL, {"q": "1985-06-15"})) == ["MRN-0001", "MRN-0002"]
    assert mrns(client.get(LIST_URL, {"q": "1990-01-01"})) == []


def test_filters_by_stage_and_site(cast, as_user):
    cast.other_patient.stage = "screening"
    cast.other_patient.save()
    client = as_user(cast.front_desk)
    assert mrns(client.get(LIST_URL, {"stage": "screening"})) == ["MRN-0002"]
    assert mrns(client.get(LIST_URL, {"site": cast.site.pk})) == ["MRN-0001", "MRN-0002"]
    assert mrns(client.get(LIST_URL, {"site": cast.other_site.pk})) == []


def test_pages(cast, as_user):
    for n in range(3):
        make_patient(cast.site, f"MRN-P{n}", "Paige", f"Zz{n}")
    client = as_user(cast.front_desk)
    first = client.get(LIST_URL, {"page_size": 2}).json()
    assert first["count"] == 5 and mrns_of(first) == ["MRN-0001", "MRN-0002"]
    third = client.get(LIST_URL, {"page_size": 2, "page": 3}).json()
    assert mrns_of(third) == ["MRN-P2"]
    beyond = client.get(LIST_URL, {"page_size": 2, "page": 4}).json()
    assert beyond["count"] == 5 and beyond["items"] == []


def mrns_of(body):
    return [item["mrn"] for item in body["items"]]


def test_each_call_writes_one_list_audit_row_naming_filters_not_values(cast, as_user):
    client = as_user(cast.front_desk)
    response, events = get_audited(client, LIST_URL, {"q": "Oscar", "stage": "enquiry"})
    assert response.status_code == 200
    [event] = events
    assert event.action == AuditAction.LIST
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.actor == cast.front_desk
    assert event.path == LIST_URL
    assert event.detail == {"filters": ["q", "stage"], "page": 1}
    assert "Oscar" not in str(event.detail)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"page": "abc"}, "page: Input should be a valid integer"),
        ({"page": "0"}, "page: Input should be greater than or equal to 1"),
        ({"page_size": "1000"}, "page_size: Input should be less than or equal to 100"),
        ({"stage": "bogus"}, "stage: Input should be 'enquiry'"),
        ({"site": "x"}, "site: Input should be a valid integer"),
        ({"q": "1985-13-45"}, "q: enter a real date as YYYY-MM-DD"),
        ({"q": "x" * 101}, "q: String should have at most 100 characters"),
    ],
)
def test_bad_parameters_are_400_with_one_readable_message(cast, as_user, params, named):
    client = as_user(cast.front_desk)
    before = state()
    response, events = get_audited(client, LIST_URL, params)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert detail.startswith(named), detail
    assert events == []
    assert state() == before


def test_several_bad_parameters_are_named_in_one_message(cast, as_user):
    response = as_user(cast.front_desk).get(LIST_URL, {"page": "abc", "page_size": "0"})
    detail = response.json()["detail"]
    assert "page: " in detail and "page_size: " in detail


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_wrong_method_is_405_and_changes_nothing(cast, as_user, method):
    client = as_user(cast.front_desk)
    before = state()
    response = getattr(client, method)(LIST_URL)
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert state() == before


# Every signed-in request: session, user and OTP device (3); the session clock is
# saved at most once a minute, so only by the warm-up request; the audit row
# (savepoint, try the chain head, insert, move the head, release: 5); the list:
# count and one page (2).
LIST_QUERIES = 3 + 5 + 2


@pytest.mark.parametrize("total", [1, 50])
def test_query_count_is_constant(cast, as_user, django_assert_num_queries, total):
    for n in range(total - 1):
        patient = make_patient(cast.site, f"MRN-Q{n:03d}", "Quinn", f"Count{n:03d}")
        CareTeamMember.objects.create(patient=patient, user=cast.prescriber, role="prescriber")
    client = as_user(cast.prescriber)
    client.get(LIST_URL)  # warm up: the audit chain head exists afterwards
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST_URL, {"page_size": 100, "q": "", "stage": "enquiry"})
    assert response.json()["count"] == total
    assert len(response.json()["items"]) == total
