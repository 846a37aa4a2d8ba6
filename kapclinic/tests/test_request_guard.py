"""Input no database column can hold is refused as bad input, never a server error.

NUL bytes (PostgreSQL refuses them in text), ids beyond 64 bits (SQLite's driver
overflows; the denied-access audit row's object_id is 40 characters) and days at the
edge of the calendar each used to reach the database and fail there.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.urls.converters import IntConverter

from kapclinic.audit.models import AuditEvent, AuditOutcome
from kapclinic.lib.limits import MAX_DB_ID, contains_nul, end_of_day, start_of_day
from kapclinic.request_guard import NUL_DETAIL
from kapclinic.test import login
from kapclinic.tests.urlwalk import iter_patterns

pytestmark = pytest.mark.django_db

HUGE_IDS = [str(MAX_DB_ID + 1), "9" * 41]


@pytest.fixture
def prescriber_in(cast, client):
    return login(client, cast.prescriber)


def test_a_nul_in_the_query_string_is_a_400_page(prescriber_in):
    response = prescriber_in.get(reverse("patients:list"), {"q": "Pat\x00"})
    assert response.status_code == 400
    assert NUL_DETAIL in response.content.decode()


def test_a_nul_in_an_api_query_is_a_400_with_a_reason(prescriber_in):
    response = prescriber_in.get(reverse("api:patient_list"), {"q": "\x00"})
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_DETAIL}


def test_a_nul_in_a_parameter_name_is_refused(prescriber_in):
    response = prescriber_in.get(reverse("patients:list") + "?q%00=x")
    assert response.status_code == 400


def test_a_nul_in_form_data_is_refused_and_changes_nothing(cast, prescriber_in):
    url = reverse("patients:add_allergy", kwargs={"pk": cast.patient.pk})
    before = AuditEvent.objects.count()
    response = prescriber_in.post(url, {"substance": "Peni\x00cillin", "severity": "mild"})
    assert response.status_code == 400
    assert not cast.patient.allergies.exists()
    assert AuditEvent.objects.count() == before


def test_a_nul_in_a_json_body_is_refused(prescriber_in):
    body = json.dumps({"nested": [{"name": "a\x00b"}]})
    response = prescriber_in.post(
        reverse("api:patient_list"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_DETAIL}


def test_a_nul_in_the_session_cookie_never_reaches_the_session_store(client, db):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = client.get(reverse("patients:list"))
    assert response.status_code == 400


def test_a_nul_in_a_header_is_refused(client, db):
    response = client.get(reverse("home"), HTTP_USER_AGENT="Mozilla\x00")
    assert response.status_code == 400


def test_ordinary_input_passes(prescriber_in):
    response = prescriber_in.get(reverse("patients:list"), {"q": "Ient"})
    assert response.status_code == 200


def test_contains_nul_looks_inside_json_structures():
    assert contains_nul([{"a": ["x", {"b": "\x00"}]}])
    assert contains_nul([{"\x00key": 1}])
    assert not contains_nul([{"a": ["x", 1, None, {"b": "\\u0000"}]}])


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_a_page_id_beyond_the_database_range_is_not_found(prescriber_in, huge):
    response = prescriber_in.get(f"/patients/{huge}/")
    assert response.status_code == 404


def test_the_largest_possible_id_is_looked_up_and_its_denial_audited(prescriber_in):
    response = prescriber_in.get(reverse("patients:chart", kwargs={"pk": MAX_DB_ID}))
    assert response.status_code == 404
    denied = AuditEvent.objects.get(outcome=AuditOutcome.DENIED)
    assert denied.object_id == str(MAX_DB_ID)


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_an_api_id_beyond_the_database_range_is_a_400(prescriber_in, huge):
    response = prescriber_in.get(f"/api/v1/patients/{huge}")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("patient_id:")


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_an_api_site_filter_beyond_the_database_range_is_a_400(prescriber_in, huge):
    response = prescriber_in.get(reverse("api:patient_list"), {"site": huge})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("site:")


def test_no_url_takes_an_unbounded_integer():
    """Ids in URLs use `<id:...>`, which stops at the database's range, never `<int:...>`.

    Django admin's URLs are Django's and its plugins' own, behind its staff check.
    """

    def unbounded(patterns, prefix=""):
        for entry in patterns:
            if str(entry.pattern).startswith("django-admin/"):
                continue
            if isinstance(entry, URLPattern):
                converters = entry.pattern.converters
                if any(isinstance(c, IntConverter) for c in converters.values()):
                    yield prefix + str(entry.pattern)
            else:
                yield from unbounded(entry.url_patterns, prefix + str(entry.pattern))

    assert list(iter_patterns())  # the walk sees the project's URLs at all
    assert list(unbounded(get_resolver().url_patterns)) == []


TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
HONOLULU = zoneinfo.ZoneInfo("Pacific/Honolulu")


def test_day_bounds_in_the_middle_of_the_calendar():
    day = dt.date(2026, 3, 1)
    assert start_of_day(day, TOKYO) == dt.datetime(2026, 3, 1, tzinfo=TOKYO)
    assert end_of_day(day, TOKYO) == dt.datetime(2026, 3, 2, tzinfo=TOKYO)


def test_day_bounds_at_the_edges_of_the_calendar_are_open():
    assert start_of_day(dt.date.min, TOKYO) is None
    assert start_of_day(dt.date.min, HONOLULU) == dt.datetime(1, 1, 1, tzinfo=HONOLULU)
    assert end_of_day(dt.date.max, HONOLULU) is None
    assert end_of_day(dt.date.max, TOKYO) is None
    last = dt.date.max - dt.timedelta(days=1)
    assert end_of_day(last, HONOLULU) == dt.datetime(9999, 12, 31, tzinfo=HONOLULU)
