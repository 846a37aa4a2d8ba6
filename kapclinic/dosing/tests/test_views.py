"""The dosing pages: the live board (constant queries, urgent banner) and one session's
page, where every refusal is shown on its form and changes nothing stored."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.dosing.models import (
    Administration,
    DosingSession,
    SessionAlert,
    SessionState,
    VitalReading,
)
from kapclinic.dosing.readings import record_readings
from kapclinic.dosing.tests.factories import make_session
from kapclinic.dosing.tests.helpers import (
    ALDRETE_10,
    NORMAL,
    complete_checks,
    dosing_session,
    give,
)
from kapclinic.patients.models import Patient
from kapclinic.test import Cast, login, make_patient

pytestmark = pytest.mark.django_db
S = SessionState


def _state(session: DosingSession) -> tuple[object, ...]:
    session.refresh_from_db()
    return (
        session.state,
        session.first_dose_at,
        VitalReading.objects.filter(session=session).count(),
        Administration.objects.filter(session=session).count(),
        SessionAlert.objects.filter(session=session).count(),
    )


def _post(client: Client, session: DosingSession, name: str, data: Mapping[str, object]) -> Any:
    return client.post(reverse(f"dosing:{name}", args=[session.pk]), data)


# The board.


def test_board_shows_each_chair_with_minutes_and_an_urgent_banner(
    cast: Cast, client: Client
) -> None:
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=50)
    record_readings(session=session, readings=[{**NORMAL, "spo2": 86}], actor=cast.nurse)
    login(client, cast.nurse)
    response = client.get(reverse("dosing:board"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="urgent-banner"' in body and "Urgent" in body
    assert "Pat Ient" in body and "50 min" in body
    assert 'hx-trigger="every 500ms"' in body
    alert = SessionAlert.objects.get(session=session, rule="spo2")
    live = client.get(reverse("dosing:board_live"), {"site": cast.site.pk})
    fragment = live.content.decode()
    assert live.status_code == 200 and "<html" not in fragment
    assert "SpO2" in fragment
    # The polled part is never itself a live region (it would be re-announced on
    # every poll); it carries each open urgent alert for the one region outside it.
    assert 'role="alert"' not in fragment and "aria-live" not in fragment
    assert f'data-alert-id="{alert.pk}"' in fragment
    assert re.search(r'data-announce="[^"]*: Pat Ient: Oxygen saturation 86%', fragment)
    assert body.count('role="alert"') == 1 and 'id="board-announcer"' in body
    # Template comments stay out of the page (a {# #} comment spans one line only).
    assert "{#" not in body and "#}" not in body
    # Two rooms may each have a "Chair 1": the board names the room too.
    assert re.search(r"Chair \d+ \(Dosing Room\)", body)


def test_board_of_a_site_one_does_not_work_at_is_not_found(cast: Cast, client: Client) -> None:
    login(client, cast.outsider)
    assert client.get(reverse("dosing:board"), {"site": cast.site.pk}).status_code == 404
    assert client.get(reverse("dosing:board"), {"site": "x"}).status_code == 404
    login(client, cast.front_desk)
    assert client.get(reverse("dosing:board")).status_code == 404


def test_live_board_is_audited_at_most_every_few_minutes(cast: Cast, client: Client) -> None:
    login(client, cast.nurse)
    client.get(reverse("dosing:board"))
    for _ in range(3):
        client.get(reverse("dosing:board_live"))
    assert AuditEvent.objects.filter(detail__view="dosing_board").count() == 1


def _fill_floor(cast: Cast, chairs: int, readings: int) -> None:
    for n in range(chairs):
        number = Patient.objects.count()
        patient: Patient = make_patient(cast.site, f"MRN-9{number:03}", "Chair", f"Person{n}")
        session = make_session(cast, patient=patient, state=S.OBSERVATION)
        DosingSession.objects.filter(pk=session.pk).update(
            first_dose_at=timezone.now() - dt.timedelta(minutes=30)
        )
        for r in range(readings):
            VitalReading.objects.create(
                session=session,
                taken_at=timezone.now() - dt.timedelta(minutes=r),
                is_baseline=r == readings - 1,
                **{**NORMAL, "spo2": 85 if r == 0 else 98},
            )
        SessionAlert.objects.create(session=session, level="urgent", rule="spo2", message="Low")


def test_board_query_count_is_constant_in_chairs_and_readings(
    cast: Cast, client: Client, django_assert_num_queries
) -> None:
    login(client, cast.nurse)
    _fill_floor(cast, chairs=1, readings=2)
    client.get(reverse("dosing:board_live"))  # the first poll is audited; later ones are not
    with django_assert_num_queries(11):
        assert client.get(reverse("dosing:board_live")).status_code == 200
    _fill_floor(cast, chairs=4, readings=8)
    with django_assert_num_queries(11):
        body = client.get(reverse("dosing:board_live")).content.decode()
    assert body.count("chair-card chair-urgent") == 5


def _version_of(body: str, header: str) -> str:
    found = re.search(rf'"{header}": "([0-9a-f]+)"', body)
    assert found, f"the fragment carries its version ({header})"
    return found.group(1)


def _version(body: str) -> str:
    return _version_of(body, "X-Board-Version")


def test_an_unchanged_board_is_answered_with_no_content_until_something_changes(
    cast: Cast, client: Client
) -> None:
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=20)
    login(client, cast.nurse)
    live = reverse("dosing:board_live")
    first = client.get(live)
    assert first.status_code == 200 and first["X-Board-Time"]
    version = _version(first.content.decode())
    audited = AuditEvent.objects.filter(detail__view="dosing_board").count()

    again = client.get(live, headers={"X-Board-Version": version})
    assert again.status_code == 204 and again.content == b""
    assert re.fullmatch(r"\d\d:\d\d:\d\d", again["X-Board-Time"])
    # A stale or made-up version gets the whole board.
    assert client.get(live, headers={"X-Board-Version": "0" * 32}).status_code == 200
    assert AuditEvent.objects.filter(detail__view="dosing_board").count() == audited

    # An urgent reading changes the board: the next poll brings it, with a new version.
    record_readings(session=session, readings=[{**NORMAL, "spo2": 86}], actor=cast.nurse)
    changed = client.get(live, headers={"X-Board-Version": version})
    assert changed.status_code == 200
    assert "Oxygen saturation 86%" in changed.content.decode()
    newer = _version(changed.content.decode())
    assert newer != version
    assert client.get(live, headers={"X-Board-Version": newer}).status_code == 204

    # So does acknowledging it, and a minute passing (minutes since the dose).
    alert = SessionAlert.objects.get(session=session, rule="spo2")
    client.post(reverse("dosing:acknowledge", args=[session.pk, alert.pk]))
    acknowledged = client.get(live, headers={"X-Board-Version": newer})
    assert acknowledged.status_code == 200
    assert "Oxygen saturation 86%" not in acknowledged.content.decode()
    latest = _version(acknowledged.content.decode())
    DosingSession.objects.filter(pk=session.pk).update(
        first_dose_at=timezone.now() - dt.timedelta(minutes=21)
    )
    assert client.get(live, headers={"X-Board-Version": latest}).status_code == 200


def test_the_board_polls_fast_while_chairs_are_in_use(cast: Cast, client: Client) -> None:
    login(client, cast.nurse)
    assert 'hx-trigger="every 2000ms"' in client.get(reverse("dosing:board_live")).content.decode()
    dosing_session(cast)
    assert 'hx-trigger="every 500ms"' in client.get(reverse("dosing:board_live")).content.decode()


def test_unchanged_poll_query_count_is_constant_in_chairs_and_readings(
    cast: Cast, client: Client, django_assert_num_queries
) -> None:
    login(client, cast.nurse)
    live = reverse("dosing:board_live")
    _fill_floor(cast, chairs=1, readings=2)
    version = _version(client.get(live).content.decode())
    with django_assert_num_queries(11):
        assert client.get(live, headers={"X-Board-Version": version}).status_code == 204
    _fill_floor(cast, chairs=4, readings=40)
    version = _version(client.get(live).content.decode())
    with django_assert_num_queries(11):
        assert client.get(live, headers={"X-Board-Version": version}).status_code == 204


# Urgent alerts on every other page.


def test_urgent_alerts_reach_the_nurses_at_the_site_and_the_prescriber_on_site(
    cast: Cast, client: Client
) -> None:
    from kapclinic.accounts.models import Role
    from kapclinic.test import make_staff

    session = dosing_session(cast)
    DosingSession.objects.filter(pk=session.pk).update(prescriber_on_site=cast.prescriber)
    other = make_staff("p2@test.example", "Pru Second", Role.PRESCRIBER, cast.site)
    strip = reverse("dosing:urgent_strip")
    login(client, cast.nurse)
    page = client.get(reverse("patients:list")).content.decode()
    assert 'hx-get="/dosing/alerts/urgent/"' in page and 'role="alert"' in page
    # Not on the board, which has its own banner.
    assert "/dosing/alerts/urgent/" not in client.get(reverse("dosing:board")).content.decode()
    quiet = client.get(strip)
    assert quiet.status_code == 200 and "urgent-banner" not in quiet.content.decode()

    record_readings(session=session, readings=[{**NORMAL, "spo2": 84}], actor=cast.nurse)
    for user, sees in ((cast.nurse, True), (cast.prescriber, True), (other, False)):
        login(client, user)
        body = client.get(strip).content.decode()
        assert ("Oxygen saturation 84%" in body) is sees, user.full_name
    login(client, cast.prescriber)
    body = client.get(strip).content.decode()
    assert "Pat Ient" in body
    assert reverse("dosing:session", args=[session.pk]) in body
    assert AuditEvent.objects.filter(detail__view="urgent_alerts").exists()

    # Unchanged: no content. Acknowledged: gone on the next poll.
    version = _version_of(body, "X-Alerts-Version")
    assert client.get(strip, headers={"X-Alerts-Version": version}).status_code == 204
    alert = SessionAlert.objects.get(session=session, rule="spo2")
    client.post(reverse("dosing:acknowledge", args=[session.pk, alert.pk]))
    after = client.get(strip, headers={"X-Alerts-Version": version})
    assert after.status_code == 200 and "Oxygen saturation" not in after.content.decode()

    for user in (cast.therapist, cast.front_desk, cast.admin, cast.patient_user):
        login(client, user)
        assert client.get(strip).status_code == 404
        assert "/dosing/alerts/urgent/" not in client.get("/").content.decode()


def test_no_urgent_alert_polling_before_the_second_factor(cast: Cast, client: Client) -> None:
    # Signed in with the password only: the poll would be sent to the second-factor
    # page, and pull the whole page there with it, over and over.
    client.force_login(cast.nurse)
    page = client.get(reverse("accounts:verify"))
    assert page.status_code == 200
    assert "/dosing/alerts/urgent/" not in page.content.decode()
    login(client, cast.nurse)
    assert "/dosing/alerts/urgent/" in client.get(reverse("patients:list")).content.decode()


def test_polling_for_urgent_alerts_does_not_keep_a_session_alive(
    cast: Cast, client: Client
) -> None:
    from kapclinic.accounts import session_clock

    login(client, cast.nurse)
    client.get(reverse("patients:list"))
    session = client.session
    idle_since = session[session_clock.LAST_SEEN_KEY] - 600
    session[session_clock.LAST_SEEN_KEY] = idle_since
    session.save()
    client.cookies.pop(session_clock.SEEN_COOKIE, None)
    response = client.get(reverse("dosing:urgent_strip"))
    assert response.status_code == 200
    assert session_clock.SEEN_COOKIE not in response.cookies
    assert client.session[session_clock.LAST_SEEN_KEY] == idle_since
    # A page the nurse opens is activity.
    assert session_clock.SEEN_COOKIE in client.get(reverse("patients:list")).cookies


# The session page.


def test_session_page_for_the_care_team_in_every_state(cast: Cast, client: Client) -> None:
    login(client, cast.nurse)
    for state in S.values:
        session = make_session(cast, state=state)
        response = client.get(reverse("dosing:session", args=[session.pk]))
        assert response.status_code == 200, state
    assert AuditEvent.objects.filter(detail__page="dosing_session").count() == len(S.values)


def test_session_page_is_not_found_outside_the_clinical_scope(cast: Cast, client: Client) -> None:
    session = make_session(cast)
    for user in (cast.outsider, cast.front_desk, cast.therapist, cast.patient_user):
        login(client, user)
        assert client.get(reverse("dosing:session", args=[session.pk])).status_code == 404


def test_impossible_reading_shows_the_field_message_keeps_input_and_stores_nothing(
    cast: Cast, client: Client
) -> None:
    session = dosing_session(cast)
    login(client, cast.nurse)
    before = _state(session)
    response = _post(
        client, session, "vitals", {"systolic": "120", "diastolic": "80", "spo2": "150"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "SpO2 (%)" in body and "error-summary" in body
    assert 'value="150"' in body and 'value="120"' in body
    assert _state(session) == before


def test_vitals_entry_stores_through_record_readings(cast: Cast, client: Client) -> None:
    session = dosing_session(cast)
    login(client, cast.nurse)
    response = _post(client, session, "vitals", {**NORMAL, "moaas": "5"})
    assert response.status_code == 302
    reading = VitalReading.objects.filter(session=session, is_baseline=False).get()
    assert reading.moaas == 5 and reading.recorded_by == cast.nurse


def test_dose_above_the_plan_is_refused_on_the_form_and_nothing_changes(
    cast: Cast, client: Client
) -> None:
    session = dosing_session(cast)
    login(client, cast.nurse)
    before = _state(session)
    now = timezone.localtime(timezone.now(), ZoneInfo(cast.site.time_zone))
    response = _post(
        client,
        session,
        "dose",
        {
            "dose_mg": "40",
            "lot_number": "L1",
            "started": now.strftime("%H:%M"),
            "rate_mg_per_hour": "60",
        },
    )
    assert response.status_code == 200
    assert "exceed the plan" in response.content.decode()
    assert _state(session) == before


def _offered_dose(client: Client, session: DosingSession) -> str | None:
    body = client.get(reverse("dosing:session", args=[session.pk])).content.decode()
    field = re.search(r'<input[^>]*name="dose_mg"[^>]*>', body)
    assert field is not None
    value = re.search(r'value="([^"]*)"', field.group(0))
    return value.group(1) if value else None


def test_dose_form_offers_the_rest_of_the_order_then_nothing(cast: Cast, client: Client) -> None:
    session = dosing_session(cast)
    login(client, cast.nurse)
    assert _offered_dose(client, session) == "35.00"
    give(cast, session, "20.1")
    assert _offered_dose(client, session) == "14.90"
    # Once the whole order is given the field is empty: not "0" (which could be sent
    # as a dose) nor the database's sum noise ("0E-13" on SQLite).
    give(cast, session, "14.9")
    assert _offered_dose(client, session) is None


def test_start_without_readiness_lists_what_is_missing(cast: Cast, client: Client) -> None:
    session = make_session(cast)
    complete_checks(cast, session)
    login(client, cast.nurse)
    before = _state(session)
    response = _post(client, session, "step", {"step": "start_dosing"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dosing cannot start yet" in body and "Screening not approved" in body
    assert _state(session) == before


def test_discharge_before_120_minutes_is_refused_with_the_criteria(
    cast: Cast, client: Client
) -> None:
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=60)
    DosingSession.objects.filter(pk=session.pk).update(state=S.OBSERVATION)
    login(client, cast.nurse)
    before = _state(session)
    response = _post(client, session, "step", {"step": "mark_ready"})
    body = response.content.decode()
    assert "Not ready to leave yet" in body
    assert "minimum observation time" in body
    assert _state(session) == before


def test_whole_flow_through_the_pages(cast: Cast, client: Client) -> None:
    session = dosing_session(cast)
    login(client, cast.nurse)
    local = timezone.localtime(
        timezone.now() - dt.timedelta(minutes=130), ZoneInfo(cast.site.time_zone)
    )
    assert (
        _post(
            client,
            session,
            "dose",
            {
                "dose_mg": "35",
                "lot_number": "L1",
                "started": local.strftime("%H:%M"),
                "rate_mg_per_hour": "52.5",
            },
        ).status_code
        == 302
    )
    assert _post(client, session, "step", {"step": "finish_dose"}).status_code == 302
    assert _post(client, session, "vitals", {**NORMAL, "moaas": "5"}).status_code == 302
    rating = {f"item{i}": "0" for i in range(1, 7)} | {"resolved": "on"}
    assert _post(client, session, "dissociation", rating).status_code == 302
    assessment = {
        "score_kind": "aldrete",
        **{f"aldrete_{code}": "2" for code in ALDRETE_10},
        "escort_confirmed": "on",
        "no_driving_advice_given": "on",
    }
    assert _post(client, session, "assessment", assessment).status_code == 302
    assert _post(client, session, "step", {"step": "mark_ready"}).status_code == 302
    assert _post(client, session, "step", {"step": "discharge"}).status_code == 302
    session.refresh_from_db()
    assert session.state == S.DISCHARGED
    assert Administration.objects.get(session=session).dose_mg == Decimal("35")


def test_acknowledge_from_the_board_goes_back_to_it(cast: Cast, client: Client) -> None:
    session = dosing_session(cast)
    record_readings(session=session, readings=[{**NORMAL, "spo2": 86}], actor=cast.nurse)
    alert = SessionAlert.objects.get(session=session, rule="spo2")
    login(client, cast.prescriber)
    board = f"{reverse('dosing:board')}?site={cast.site.pk}"
    response = client.post(
        reverse("dosing:acknowledge", args=[session.pk, alert.pk]), {"next": board}
    )
    assert response.status_code == 302 and response["Location"] == board
    alert.refresh_from_db()
    assert alert.acknowledged_by == cast.prescriber
    assert "Urgent" not in client.get(board).content.decode()


def test_session_page_query_count_is_constant_in_readings(cast: Cast, client: Client) -> None:
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=50)
    login(client, cast.nurse)
    url = reverse("dosing:session", args=[session.pk])

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()
    few = count()
    for minutes in range(1, 13):
        record_readings(
            session=session,
            readings=[{**NORMAL, "spo2": 89 if minutes % 4 == 0 else 97}],
            actor=cast.nurse,
        )
    assert count() == few == 22
