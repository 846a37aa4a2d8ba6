"""The public "Book an appointment" page, its e-mail and the manage link's pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import Patient
from kapclinic.scheduling import manage_links
from kapclinic.scheduling.models import Appointment, AppointmentStatus, PublicBooking
from kapclinic.scheduling.public_forms import slot_value
from kapclinic.scheduling.ratelimit import Limit, hit
from kapclinic.scheduling.slots import Slot
from kapclinic.scheduling.tests.conftest import MONDAY, NY, Schedule, at
from kapclinic.test import PASSWORD, login

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _value(schedule: Schedule, start: dt.datetime, clinician: int | None = None) -> str:
    person = clinician or schedule.cast.prescriber.pk
    slot = Slot(start, start, person, schedule.consulting_room.pk, None)
    return slot_value(slot)


def _post(client: Client, schedule: Schedule, **over: str) -> Any:
    data = {
        "service": str(schedule.consultation.pk),
        "clinician": "",
        "date": MONDAY.isoformat(),
        "slot": _value(schedule, at(MONDAY, 9)),
        "given_name": "Nina",
        "family_name": "Newcomer",
        "birth_date": "1985-04-02",
        "email": "nina@example.org",
        "phone": "(312) 555-0199",
        "reason": "Low mood for a long time.",
        "website": "",
        **{f"q_{k}": "no" for k in ("pregnant", "psychosis", "blood_pressure", "heart")},
        "q_substance": "yes",
    }
    data.update(over)
    return client.post(reverse("book:book"), data, REMOTE_ADDR="203.0.113.9")


def _link(message: Any) -> str:
    found = re.search(r"http://testserver(/book/manage/[^/\s]+/)", message.body)
    assert found
    return found.group(1)


def test_page_offers_only_the_initial_consultation_to_a_visitor(
    client: Client, schedule: Schedule
) -> None:
    page = client.get(reverse("book:book"))
    assert page.status_code == 200
    assert "Initial consultation" in page.text
    assert "Follow-up" not in page.text  # self-bookable, but not for a new patient


def test_slots_are_shown_in_the_site_time(client: Client, schedule: Schedule) -> None:
    page = client.get(
        reverse("book:book"), {"service": str(schedule.consultation.pk), "date": MONDAY.isoformat()}
    )
    assert page.status_code == 200
    assert "9:00 a.m." in page.text
    assert _value(schedule, at(MONDAY, 9)) in page.text


def test_a_visitor_books_and_gets_an_email_with_ics_and_link(
    client: Client, schedule: Schedule, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, schedule)
    assert response.status_code == 302 and response.url == reverse("book:sent")
    appointment = Appointment.objects.get()
    assert appointment.start == at(MONDAY, 9)
    assert appointment.patient.stage == "enquiry" and appointment.patient.phone == "+13125550199"
    booking = PublicBooking.objects.get()
    assert booking.prescreen["substance"] is True and booking.prescreen["pregnant"] is False
    assert AuditEvent.objects.filter(object_id=str(appointment.pk), action="create").exists()
    [message] = mail.outbox
    assert message.to == ["nina@example.org"]
    assert "9:00 a.m." in message.body and "EST" in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "appointment.ics" and mimetype == "text/calendar"
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(MONDAY, 9)
    assert event.decoded("dtend") == at(MONDAY, 10)
    assert "Nina" not in str(content)  # no PHI in the calendar file
    assert "nina" not in _link(message).lower()


def test_nothing_typed_is_lost_on_an_error(client: Client, schedule: Schedule) -> None:
    response = _post(client, schedule, phone="12", reason="Sleep trouble")
    assert response.status_code == 200
    assert "Nina" in response.text and "Sleep trouble" in response.text
    assert 'value="nina@example.org"' in response.text
    assert not Appointment.objects.exists() and not Patient.objects.filter(given_name="Nina")


def test_a_taken_slot_is_explained_and_next_times_offered(
    client: Client, schedule: Schedule
) -> None:
    assert _post(client, schedule).status_code == 302
    again = _post(client, schedule, email="other@example.org", given_name="Olga")
    assert again.status_code == 200
    assert "someone else has just booked that time" in again.text
    assert _value(schedule, at(MONDAY, 10, 15)) in again.text
    assert "Olga" in again.text
    assert Appointment.objects.count() == 1


def test_honeypot_books_nothing_and_answers_the_same(client: Client, schedule: Schedule) -> None:
    response = _post(client, schedule, website="http://spam.example")
    assert response.status_code == 302 and response.url == reverse("book:sent")
    assert not Appointment.objects.exists() and not mail.outbox


def test_a_known_email_gets_the_same_answer_and_no_duplicate_guess(
    client: Client, schedule: Schedule
) -> None:
    cast = schedule.cast
    response = _post(
        client,
        schedule,
        email=cast.patient.email,
        given_name=cast.patient.given_name,
        family_name=cast.patient.family_name,
        birth_date=cast.patient.birth_date.isoformat(),
    )
    assert response.status_code == 302 and response.url == reverse("book:sent")
    booking = PublicBooking.objects.get()
    assert booking.appointment.patient != cast.patient  # never attached by a guess
    assert booking.possible_match == cast.patient  # shown to front desk instead


def test_rate_limit_per_email_holds(client: Client, schedule: Schedule) -> None:
    days = [MONDAY + dt.timedelta(days=d) for d in range(4)] + [MONDAY + dt.timedelta(days=7)]
    for day in days:
        assert _post(client, schedule, slot=_value(schedule, at(day, 9))).status_code == 302
    sixth = _post(client, schedule, slot=_value(schedule, at(MONDAY, 14)))
    assert sixth.status_code == 200 and "Too many bookings" in sixth.text
    assert Appointment.objects.count() == 5


def test_rate_limit_counts_in_the_database_and_expires() -> None:
    limit = Limit("test", 2, dt.timedelta(minutes=10))
    assert hit(limit, "1.2.3.4") and hit(limit, "1.2.3.4")
    assert not hit(limit, "1.2.3.4")
    assert hit(limit, "5.6.7.8")
    assert hit(limit, "1.2.3.4", now=NOW + dt.timedelta(minutes=11))


def test_signed_in_patient_books_without_details(client: Client, schedule: Schedule) -> None:
    cast = schedule.cast
    login(client, cast.patient_user)
    page = client.get(reverse("book:book"))
    assert "Follow-up" in page.text  # their stage allows it
    response = client.post(
        reverse("book:book"),
        {
            "service": schedule.follow_up.pk,
            "date": MONDAY.isoformat(),
            "slot": slot_value(Slot(at(MONDAY, 9), at(MONDAY, 9), cast.prescriber.pk, None, None)),
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.get().patient == cast.patient
    assert Patient.objects.count() == 2


def _book(client: Client, schedule: Schedule, capture: Any) -> tuple[Appointment, str]:
    with capture(execute=True):
        _post(client, schedule)
    return Appointment.objects.get(), _link(mail.outbox[-1])


def test_link_confirms_reschedules_and_cancels(
    client: Client, schedule: Schedule, django_capture_on_commit_callbacks: Any
) -> None:
    appointment, link = _book(client, schedule, django_capture_on_commit_callbacks)
    page = client.get(link)
    assert page.status_code == 200 and "Initial consultation" in page.text
    client.post(link)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    assert PublicBooking.objects.get().email_verified_at is not None
    token = link.split("/")[3]
    new = _value(schedule, at(MONDAY, 11))
    no_reason = client.post(reverse("book:reschedule", args=[token]), {"slot": new})
    assert no_reason.status_code == 200 and "Give a reason for moving" in no_reason.text
    appointment.refresh_from_db()
    assert appointment.start == at(MONDAY, 9)
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(
            reverse("book:reschedule", args=[token]), {"slot": new, "reason": "Work shift"}
        )
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == at(MONDAY, 11) and len(mail.outbox) == 2
    [change] = appointment.changes.all()
    assert (change.from_start, change.to_start) == (at(MONDAY, 9), at(MONDAY, 11))
    assert (change.reason, change.via, change.by) == ("Work shift", "link", None)
    no_reason = client.post(reverse("book:cancel", args=[token]), {"reason": " "})
    assert no_reason.status_code == 200
    client.post(reverse("book:cancel", args=[token]), {"reason": "Found a closer clinic"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancel_reason == "Found a closer clinic"
    ics = client.get(reverse("book:manage_ics", args=[token]))
    assert Calendar.from_ical(ics.content).walk("VEVENT")[0]["status"] == "CANCELLED"


def test_forged_and_expired_links_are_refused_kindly(
    client: Client, schedule: Schedule, django_capture_on_commit_callbacks: Any
) -> None:
    appointment, link = _book(client, schedule, django_capture_on_commit_callbacks)
    forged = signing.dumps(appointment.pk, salt="something else")
    for url in (f"/book/manage/{forged}/", "/book/manage/1/", link[:-3] + "x/"):
        page = client.get(url)
        assert page.status_code == 404 and "This link does not work" in page.text
    with time_machine.travel(at(MONDAY, 11), tick=False):
        expired = client.get(link)
        assert expired.status_code == 404 and "expired" in expired.text
        assert client.post(link).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_changes_inside_the_policy_window_are_refused(
    client: Client, schedule: Schedule, django_capture_on_commit_callbacks: Any
) -> None:
    appointment, link = _book(client, schedule, django_capture_on_commit_callbacks)
    token = link.split("/")[3]
    with time_machine.travel(at(MONDAY, 8), tick=False):
        page = client.post(reverse("book:cancel", args=[token]), {"reason": "ill"})
        assert "call the clinic" in page.text
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_token_holds_only_the_appointment_id(schedule: Schedule) -> None:
    appointment = Appointment(pk=42)
    token = manage_links.make_token(appointment)
    assert signing.loads(token, salt=manage_links.SALT) == 42


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(dt.date(2030, 3, 8), 14), (dt.date(2030, 3, 11), 13), (dt.date(2030, 11, 4), 14)],
)
def test_daylight_saving_is_shown_right(
    client: Client,
    schedule: Schedule,
    day: dt.date,
    utc_hour: int,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer (from 10 March
    2030 until 3 November 2030); the page and the e-mail say 9:00 either way."""
    start = dt.datetime(day.year, day.month, day.day, utc_hour, tzinfo=dt.UTC)
    page = client.get(
        reverse("book:book"), {"service": str(schedule.consultation.pk), "date": day.isoformat()}
    )
    assert _value(schedule, start.astimezone(NY)) in page.text
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, schedule, date=day.isoformat(), slot=_value(schedule, start))
    assert Appointment.objects.get().start == start
    assert "9:00 a.m." in mail.outbox[0].body
    zone = "EDT" if day.month == 3 and day.day > 10 else "EST"
    assert zone in mail.outbox[0].body
    assert start.astimezone(ZoneInfo("America/New_York")).hour == 9


def test_a_verified_email_moves_the_booking_to_the_existing_record(
    client: Client, schedule: Schedule, django_capture_on_commit_callbacks: Any
) -> None:
    cast = schedule.cast
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, schedule, email=cast.patient.email.upper())
    appointment = Appointment.objects.get()
    made_for_booking = appointment.patient
    assert made_for_booking != cast.patient  # nothing attached before the e-mail is proven
    client.post(_link(mail.outbox[0]))
    appointment.refresh_from_db()
    made_for_booking.refresh_from_db()
    assert appointment.patient == cast.patient
    assert not made_for_booking.is_active
    assert Patient.objects.filter(is_active=True).count() == 2


def test_an_email_shared_by_two_records_is_not_guessed(
    client: Client, schedule: Schedule, django_capture_on_commit_callbacks: Any
) -> None:
    cast = schedule.cast
    cast.other_patient.email = cast.patient.email
    cast.other_patient.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, schedule, email=cast.patient.email)
    client.post(_link(mail.outbox[0]))
    assert Appointment.objects.get().patient not in (cast.patient, cast.other_patient)


def test_front_desk_sees_possible_matches(client: Client, schedule: Schedule) -> None:
    cast = schedule.cast
    _post(
        client,
        schedule,
        given_name=cast.patient.given_name,
        family_name=cast.patient.family_name,
        birth_date=cast.patient.birth_date.isoformat(),
    )
    login(client, cast.front_desk)
    page = client.get(reverse("book:possible_matches"))
    assert page.status_code == 200
    assert cast.patient.mrn in page.text and "9:00 a.m." in page.text
    assert AuditEvent.objects.filter(object_type="scheduling.publicbooking").exists()
    login(client, cast.outsider)  # works at the other site
    assert cast.patient.mrn not in client.get(reverse("book:possible_matches")).text


def test_reschedule_page_shows_times_from_the_chosen_day(
    client: Client, schedule: Schedule, django_capture_on_commit_callbacks: Any
) -> None:
    _appointment, link = _book(client, schedule, django_capture_on_commit_callbacks)
    later = MONDAY + dt.timedelta(days=14)
    page = client.get(link + "reschedule/", {"date": later.isoformat()})
    assert _value(schedule, at(later, 9)) in page.text
    assert _value(schedule, at(MONDAY, 11)) not in page.text


def test_sign_in_from_the_page_comes_back_to_it(client: Client, schedule: Schedule) -> None:
    page = client.get(reverse("book:book"))
    login_url = reverse("accounts:login") + "?next=%2Fbook%2F"
    assert login_url in page.text
    signed_in = client.post(
        login_url,
        {"username": schedule.cast.patient.email, "password": PASSWORD},
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("book:book")
    assert "booked for you" in client.get(reverse("book:book")).text


def test_a_mail_failure_keeps_the_booking_and_logs_no_address(
    client: Client,
    schedule: Schedule,
    settings: Any,
    caplog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_PORT = 1  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, schedule)
    assert response.status_code == 302
    assert Appointment.objects.count() == 1
    assert "e-mail not sent" in caplog.text and "nina" not in caplog.text.lower()


@pytest.mark.parametrize("weeks_ahead", [0, 2, 6])
def test_the_page_with_free_times_takes_a_fixed_number_of_queries(
    client: Client, schedule: Schedule, django_assert_num_queries: Any, weeks_ahead: int
) -> None:
    day = MONDAY + dt.timedelta(weeks=weeks_ahead)
    query = {"service": str(schedule.consultation.pk), "date": day.isoformat()}
    with django_assert_num_queries(13):
        assert client.get(reverse("book:book"), query).status_code == 200


def test_an_unanswered_health_question_is_named_plainly(client: Client, schedule: Schedule) -> None:
    page = _post(client, schedule, q_heart="").content.decode()
    question = "Do you have a heart condition, or have you had a stroke?"
    assert f"{question} Please answer yes or no.</a>" in page
    assert "?:" not in page
