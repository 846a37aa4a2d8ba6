"""Front desk decides about an online booking that may be an existing patient's:
merge the records, or dismiss the match (scheduling/matches.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import Condition, Patient
from kapclinic.patients.tests.test_merge import make_duplicate
from kapclinic.scheduling.models import Appointment, PublicBooking
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db


def _booking(cast: Cast, kept: Patient | None = None) -> PublicBooking:
    kept = kept or cast.other_patient
    duplicate = make_duplicate(cast, kept)
    duplicate.mrn = f"KAP-N{duplicate.pk}"
    duplicate.save(update_fields=["mrn"])
    return PublicBooking.objects.create(
        appointment=Appointment.objects.get(patient=duplicate), possible_match=kept
    )


def _decide(client: Client, booking: PublicBooking, decision: str) -> Any:
    return client.post(reverse("book:resolve_match", args=[booking.pk]), {"decision": decision})


def _state() -> list[Any]:
    return [
        list(Patient.objects.values_list("pk", "is_active", "merged_into")),
        list(Appointment.objects.values_list("pk", "patient")),
        list(PublicBooking.objects.values_list("pk", "match_outcome")),
    ]


def test_front_desk_merges_from_the_list(client: Client, cast: Cast) -> None:
    booking = _booking(cast)
    duplicate = booking.appointment.patient
    login(client, cast.front_desk)
    page = client.get(reverse("book:possible_matches"))
    assert "Same person: merge" in page.text
    response = _decide(client, booking, "merge")
    assert response.status_code == 302
    booking.refresh_from_db()
    duplicate.refresh_from_db()
    assert booking.match_outcome == "merged" and booking.match_resolved_by == cast.front_desk
    assert duplicate.merged_into == cast.other_patient
    assert Appointment.objects.get().patient == cast.other_patient
    page = client.get(reverse("book:possible_matches"))
    assert "The records are merged into one." in page.text
    assert duplicate.mrn not in page.text


def test_not_the_same_person_is_dismissed_and_audited(client: Client, cast: Cast) -> None:
    booking = _booking(cast)
    login(client, cast.front_desk)
    _decide(client, booking, "dismiss")
    booking.refresh_from_db()
    assert booking.match_outcome == "dismissed"
    assert booking.appointment.patient.merged_into is None
    assert AuditEvent.objects.filter(
        object_type="scheduling.publicbooking",
        object_id=str(booking.pk),
        detail__match_outcome="dismissed",
    ).exists()
    assert cast.other_patient.mrn not in client.get(reverse("book:possible_matches")).text


def test_a_refused_merge_says_why_and_changes_nothing(client: Client, cast: Cast) -> None:
    booking = _booking(cast)
    Condition.objects.create(patient=cast.other_patient, category="medical", name="Asthma")
    Condition.objects.create(
        patient=booking.appointment.patient, category="medical", name="Migraine"
    )
    before = _state()
    login(client, cast.front_desk)
    response = _decide(client, booking, "merge")
    assert _state() == before
    page = client.get(response.url)
    assert "Both records hold clinical information" in page.text


def test_clinicians_see_the_list_but_do_not_decide(client: Client, cast: Cast) -> None:
    booking = _booking(cast)
    before = _state()
    login(client, cast.nurse)
    assert "Same person: merge" not in client.get(reverse("book:possible_matches")).text
    _decide(client, booking, "merge")
    assert _state() == before


@pytest.mark.parametrize("who", ["outsider", "admin", "patient_user"])
def test_others_get_404_and_change_nothing(client: Client, cast: Cast, who: str) -> None:
    booking = _booking(cast)
    before = _state()
    login(client, getattr(cast, who))
    assert _decide(client, booking, "merge").status_code == 404
    assert _state() == before


def test_a_decided_booking_is_not_found_again(client: Client, cast: Cast) -> None:
    booking = _booking(cast)
    login(client, cast.front_desk)
    _decide(client, booking, "dismiss")
    assert _decide(client, booking, "merge").status_code == 404


def test_get_is_not_allowed(client: Client, cast: Cast) -> None:
    booking = _booking(cast)
    login(client, cast.front_desk)
    assert client.get(reverse("book:resolve_match", args=[booking.pk])).status_code == 405


def test_the_list_takes_a_fixed_number_of_queries(
    client: Client, cast: Cast, django_assert_num_queries: Any
) -> None:
    login(client, cast.front_desk)
    _booking(cast)
    client.get(reverse("book:possible_matches"))  # warm the session
    with django_assert_num_queries(QUERIES) as one:
        client.get(reverse("book:possible_matches"))
    _booking(cast, kept=cast.patient)
    _booking(cast, kept=cast.other_patient)
    with django_assert_num_queries(QUERIES):
        page = client.get(reverse("book:possible_matches"))
    assert page.text.count("Same person: merge") == 3
    assert len(one.captured_queries) == QUERIES


QUERIES = 11


def test_a_booking_already_on_the_matched_record_is_not_listed(client: Client, cast: Cast) -> None:
    """The visitor proved the e-mail address, so the booking moved to that record."""
    booking = _booking(cast)
    Appointment.objects.filter(pk=booking.appointment_id).update(patient=cast.other_patient)
    login(client, cast.front_desk)
    page = client.get(reverse("book:possible_matches")).text
    assert "Same person: merge" not in page
