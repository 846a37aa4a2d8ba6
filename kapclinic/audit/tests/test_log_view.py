import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditEvent, AuditOutcome
from kapclinic.clinics.tests.battery import assert_hidden_from_others, request_overhead

pytestmark = pytest.mark.django_db
URL = reverse("audit:log")
QUERIES = 11  # time zone, chain head lock and append (5), count, page, actor choices,
# grants awaiting review, the clinic's name in the header


def _ids(response):
    return [e.pk for e in response.context["page"]]


def test_admin_sees_events_newest_first(cast, admin_in):
    first = record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.patient)
    second = record(actor=cast.prescriber, action=AuditAction.UPDATE, patient=cast.patient)
    response = admin_in.get(URL)
    assert response.status_code == 200
    listed = _ids(response)
    assert listed[1:] == [second.pk, first.pk]
    assert b"Nora Nurse" in response.content


def test_browsing_is_itself_audited(cast, admin_in):
    admin_in.get(URL, {"action": "view", "patient": cast.patient.mrn})
    row = AuditEvent.objects.get(action=AuditAction.LIST)
    assert row.actor == cast.admin
    assert row.detail == {
        "filters": {"action": "view", "patient": str(cast.patient.pk)},
        "page": "1",
    }


def test_patients_are_shown_by_mrn_not_name(cast, admin_in):
    record(actor=cast.patient_user, action=AuditAction.VIEW, patient=cast.patient)
    response = admin_in.get(URL)
    assert b"<td>Patient MRN-0001</td>" in response.content  # who acted
    assert b"<td>MRN-0001</td>" in response.content  # whose record
    assert b"Pat Ient" not in response.content and b"Ient" not in response.content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "update"}, ["upd"]),
        ({"outcome": "denied"}, ["denied"]),
        ({"flagged": "on"}, ["flagged"]),
    ],
)
def test_filters(cast, admin_in, params, expected):
    events = {
        "upd": record(actor=cast.prescriber, action=AuditAction.UPDATE),
        "denied": record(actor=cast.outsider, action=AuditAction.VIEW, outcome=AuditOutcome.DENIED),
        "flagged": record(actor=cast.therapist, action=AuditAction.VIEW, flagged=True),
    }
    response = admin_in.get(URL, params)
    assert _ids(response) == [events[name].pk for name in expected]


def test_actor_and_patient_filters(cast, admin_in):
    mine = record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.patient)
    record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.other_patient)
    record(actor=cast.prescriber, action=AuditAction.VIEW, patient=cast.patient)
    response = admin_in.get(URL, {"actor": cast.nurse.pk, "patient": "mrn-0001"})
    assert _ids(response) == [mine.pk]


def test_an_unknown_mrn_says_so(cast, admin_in):
    response = admin_in.get(URL, {"patient": "MRN-9999"})
    assert response.status_code == 400
    assert "No patient has the MRN MRN-9999." in response.content.decode()


def test_records_are_named_in_words_and_settings_changes_show_old_and_new(cast, admin_in):
    from kapclinic.clinics.actions import update_site_settings
    from kapclinic.patients.models import Medication

    update_site_settings(cast.site, actor=cast.admin, data={"spo2_warn_below": 95})
    medication = Medication.objects.create(patient=cast.patient, name="Sertraline")
    record(actor=cast.prescriber, action=AuditAction.CREATE, patient=cast.patient, obj=medication)
    text = admin_in.get(URL).content.decode()
    assert "<td>Site settings: Site A</td>" in text
    assert "<li>Warning: SpO2 below (%): 94 → 95</li>" in text
    assert "<td>Medication</td>" in text
    assert "Sertraline" not in text
    assert "clinics.sitesettings" not in text and "patients.medication" not in text


def test_dates_are_days_in_the_clinic_time_zone(cast, admin_in):
    # Site A (the first site) is in America/New_York, UTC-5 in January.
    with time_machine.travel(dt.datetime(2025, 1, 11, 3, 0, tzinfo=dt.UTC)):  # 22:00 local
        late_evening = record(actor=cast.nurse, action=AuditAction.VIEW)
    on_the_10th = admin_in.get(URL, {"date_from": "2025-01-10", "date_to": "2025-01-10"})
    on_the_11th = admin_in.get(URL, {"date_from": "2025-01-11", "date_to": "2025-01-11"})
    assert _ids(on_the_10th) == [late_evening.pk]
    assert late_evening.pk not in _ids(on_the_11th)
    assert b"2025-01-10 22:00:00" in on_the_10th.content


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2025-02-02", "date_to": "2025-02-01"}, "date_to"),
        ({"patient": "abc"}, "patient"),
        ({"actor": "999999"}, "actor"),
        ({"action": "hack"}, "action"),
        ({"grant": "999999"}, "grant"),
    ],
)
def test_invalid_filters_are_form_errors_not_500(cast, admin_in, params, field):
    response = admin_in.get(URL, params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["page"] is None
    assert not AuditEvent.objects.exists()


def test_fifty_per_page(cast, admin_in):
    for _ in range(60):
        record(actor=cast.nurse, action=AuditAction.VIEW)
    page1 = admin_in.get(URL)
    page2 = admin_in.get(URL, {"page": 2})
    assert len(_ids(page1)) == 50
    assert len(_ids(page2)) == 12  # 60 + two LIST rows
    assert "page=2" in page1.content.decode()


def test_page_past_the_end_shows_the_last_page(cast, admin_in):
    assert admin_in.get(URL, {"page": 999}).status_code == 200
    assert admin_in.get(URL, {"page": "x"}).status_code == 200


def test_flagged_rows_are_red_with_grant_link_and_reason(cast, admin_in, grant):
    response = admin_in.get(URL, {"flagged": "on"})
    text = response.content.decode()
    link = reverse("audit:grant", kwargs={"pk": grant.pk})
    assert text.count(f'<a href="{link}">grant #{grant.pk}</a>') == 2
    assert "Reason: Covering for the on-call therapist" in text
    assert "<td class=flag>" in text


def test_grant_filter_shows_the_grants_events(cast, admin_in, grant):
    record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.patient)
    response = admin_in.get(URL, {"grant": grant.pk})
    assert len(_ids(response)) == 2
    assert all(e.flagged for e in response.context["page"])
    assert b"Showing the events of" in response.content


def test_grant_filter_leaves_out_the_same_users_other_patients_and_other_users(
    cast, admin_in, grant
):
    # The same therapist, in the grant's hour, on a patient the grant does not cover.
    elsewhere = record(
        actor=cast.therapist, action=AuditAction.VIEW, patient=cast.other_patient, flagged=True
    )
    # Someone else on the grant's patient in the same hour.
    other_user = record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.patient)
    listed = _ids(admin_in.get(URL, {"grant": grant.pk}))
    assert len(listed) == 2
    assert elsewhere.pk not in listed and other_user.pk not in listed


def test_other_roles_get_404(client, cast):
    record(actor=cast.nurse, action=AuditAction.VIEW)
    assert_hidden_from_others(client, cast, "get", URL)


def test_post_is_not_allowed(admin_in):
    assert admin_in.post(URL).status_code == 405


def test_query_count_is_the_same_at_1_and_60_events(cast, admin_in, django_assert_num_queries):
    record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.patient)
    overhead = request_overhead(admin_in, URL)
    with django_assert_num_queries(overhead + QUERIES):
        admin_in.get(URL)
    for i in range(59):
        record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.patient, flagged=i % 2 == 0)
    with django_assert_num_queries(overhead + QUERIES):
        admin_in.get(URL)


def test_grants_awaiting_review_are_listed_until_reviewed(cast, admin_in, grant):
    link = reverse("audit:grant", kwargs={"pk": grant.pk})
    assert link in admin_in.get(URL).content.decode()
    admin_in.post(
        reverse("audit:grant_review", kwargs={"pk": grant.pk}),
        {"note": "Reviewed with the care team; appropriate."},
    )
    assert link not in admin_in.get(URL).content.decode().split("<table")[0]


def test_roles_are_shown_by_name(cast, admin_in):
    record(actor=cast.front_desk, action=AuditAction.LIST)
    text = admin_in.get(URL).content.decode()
    assert "Front desk" in text
    assert "front_desk" not in text


def test_date_to_on_the_last_day_of_the_calendar_includes_everything(cast, admin_in):
    # The day after 9999-12-31 does not exist; adding it used to be a server error.
    event = record(actor=cast.nurse, action=AuditAction.VIEW)
    response = admin_in.get(URL, {"date_to": "9999-12-31"})
    assert response.status_code == 200
    assert event.pk in _ids(response)


def test_date_from_on_the_first_day_of_the_calendar_east_of_greenwich(cast, admin_in):
    # Midnight on 0001-01-01 in Tokyo is still year 0 in UTC, which no datetime holds.
    cast.site.time_zone = "Asia/Tokyo"
    cast.site.save(update_fields=["time_zone"])
    event = record(actor=cast.nurse, action=AuditAction.VIEW)
    response = admin_in.get(URL, {"date_from": "0001-01-01", "date_to": "0001-01-01"})
    assert response.status_code == 200
    assert _ids(response) == []
    response = admin_in.get(URL, {"date_from": "0001-01-01"})
    assert event.pk in _ids(response)


@pytest.mark.parametrize("patient", [str(2**63), "9" * 41])
def test_a_huge_number_as_the_patient_filter_is_a_form_error(cast, admin_in, patient):
    # The filter takes an MRN; a number no MRN can be is a form error, never a 500.
    response = admin_in.get(URL, {"patient": patient})
    assert response.status_code == 400
    assert response.context["form"].errors["patient"]
    assert not AuditEvent.objects.filter(action=AuditAction.LIST).exists()
