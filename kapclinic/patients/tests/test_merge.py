"""Merging a second record of the same person into the existing one (patients/merge.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.models import AuditEvent
from kapclinic.outcomes.models import QuestionnaireAssignment
from kapclinic.patients import merge
from kapclinic.patients.access import visible_patients
from kapclinic.patients.merge import MergeRefused, merge_records
from kapclinic.patients.models import CareTeamMember, Condition, Contact, Patient
from kapclinic.patients.search import check_duplicates
from kapclinic.scheduling.models import Appointment, WaitlistEntry
from kapclinic.scheduling.tests.helpers import make_appointment
from kapclinic.test import PASSWORD, Cast, login

pytestmark = pytest.mark.django_db


def make_duplicate(cast: Cast, of: Patient) -> Patient:
    """What the public page makes: a new record for the same person, with a visit."""
    duplicate = Patient.objects.create(
        site=cast.site,
        mrn="KAP-NEW1",
        given_name=of.given_name,
        family_name=of.family_name,
        birth_date=of.birth_date,
        email="new-address@example.org",
        phone="+13125550111",
    )
    appointment = make_appointment(cast)
    Appointment.objects.filter(pk=appointment.pk).update(patient=duplicate)
    return duplicate


def _state() -> list[Any]:
    return [
        list(Patient.objects.values_list("pk", "user", "is_active", "merged_into", "email")),
        list(Appointment.objects.values_list("pk", "patient")),
        list(Contact.objects.values_list("pk", "patient")),
        list(CareTeamMember.objects.values_list("pk", "patient")),
    ]


def test_every_relation_to_a_patient_has_a_merge_rule() -> None:
    """A model added later that points at a patient fails here until someone decides
    whether its rows move with a merge (and merging refuses meanwhile)."""
    assert merge.unhandled_relations() == []
    existing = {merge.relation_key(r) for r in merge.patient_relations()}
    assert set(merge.RELATIONS) <= existing  # no rule for a relation that is gone


def test_merge_moves_everything_and_retires_the_duplicate(cast: Cast) -> None:
    kept = cast.other_patient
    duplicate = make_duplicate(cast, kept)
    kept.phone = ""
    kept.save(update_fields=["phone"])
    Contact.objects.create(patient=duplicate, name="Sam", relationship="friend", phone="+1312")
    WaitlistEntry.objects.create(
        patient=duplicate, appointment_type=Appointment.objects.get().appointment_type
    )
    QuestionnaireAssignment.objects.create(
        patient=duplicate,
        instrument="phq9",
        due_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=7),
        assigned_by=cast.prescriber,
    )
    marker = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    merge_records(actor=cast.front_desk, kept=kept, duplicate=duplicate)

    assert Appointment.objects.get().patient == kept
    assert Contact.objects.get().patient == kept
    assert WaitlistEntry.objects.get().patient == kept
    assert QuestionnaireAssignment.objects.get().patient == kept
    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert duplicate.merged_into == kept and not duplicate.is_active
    assert duplicate.merged_at is not None
    assert kept.phone == "+13125550111"  # it had none; its own e-mail is kept
    assert kept.email == "oscar@test.example"
    assert duplicate not in visible_patients(cast.front_desk)
    found = check_duplicates(
        visible_patients(cast.front_desk),
        birth_date=kept.birth_date,
        given_name=kept.given_name,
        family_name=kept.family_name,
    )
    assert found.shown == [kept] and found.elsewhere == 0
    events = list(AuditEvent.objects.filter(id__gt=marker))
    assert len(events) == 1
    assert events[0].patient_id == kept.pk
    assert events[0].detail["merge"] == {"kept_mrn": kept.mrn, "merged_mrn": "KAP-NEW1"}
    assert events[0].detail["moved"]["scheduling.appointment"] == 1


def test_the_merged_record_still_opens_and_points_to_the_kept_one(
    client: Client, cast: Cast
) -> None:
    duplicate = make_duplicate(cast, cast.other_patient)
    merge_records(actor=cast.front_desk, kept=cast.other_patient, duplicate=duplicate)
    login(client, cast.front_desk)
    page = client.get(reverse("patients:chart", args=[duplicate.pk]))
    assert page.status_code == 200
    assert reverse("patients:chart", args=[cast.other_patient.pk]) in page.text
    listed = client.get(reverse("patients:list"), {"q": "KAP-NEW1"})
    assert listed.status_code == 200
    assert reverse("patients:chart", args=[duplicate.pk]) not in listed.text


def test_a_record_is_not_merged_into_itself(cast: Cast) -> None:
    before = _state()
    with pytest.raises(MergeRefused, match="itself"):
        merge_records(actor=cast.front_desk, kept=cast.patient, duplicate=cast.patient)
    assert _state() == before


def test_clinical_information_on_both_records_is_refused(cast: Cast) -> None:
    kept = cast.other_patient
    duplicate = make_duplicate(cast, kept)
    Condition.objects.create(patient=kept, category="psychiatric", name="Depression")
    Condition.objects.create(patient=duplicate, category="medical", name="Asthma")
    before = _state()
    with pytest.raises(MergeRefused, match="Both records hold clinical information"):
        merge_records(actor=cast.front_desk, kept=kept, duplicate=duplicate)
    assert _state() == before
    assert Condition.objects.filter(patient=duplicate).count() == 1


def test_clinical_information_on_one_side_moves(cast: Cast) -> None:
    kept = cast.other_patient
    duplicate = make_duplicate(cast, kept)
    Condition.objects.create(patient=duplicate, category="medical", name="Asthma")
    merge_records(actor=cast.front_desk, kept=kept, duplicate=duplicate)
    assert Condition.objects.get().patient == kept


def test_only_front_desk_merges(cast: Cast) -> None:
    duplicate = make_duplicate(cast, cast.other_patient)
    before = _state()
    for actor in (cast.nurse, cast.prescriber, cast.admin, cast.outsider):
        with pytest.raises(MergeRefused):
            merge_records(actor=actor, kept=cast.other_patient, duplicate=duplicate)
    assert _state() == before


def test_front_desk_of_another_site_may_not_merge(cast: Cast) -> None:
    duplicate = make_duplicate(cast, cast.other_patient)
    desk_b = User.objects.create_user(
        "deskb@test.example", PASSWORD, full_name="Bo Desk", role=Role.FRONT_DESK
    )
    desk_b.sites.set([cast.other_site])
    before = _state()
    with pytest.raises(MergeRefused, match="your own sites"):
        merge_records(actor=desk_b, kept=cast.other_patient, duplicate=duplicate)
    assert _state() == before


def test_an_unhandled_relation_refuses_the_merge(cast: Cast, monkeypatch: Any) -> None:
    duplicate = make_duplicate(cast, cast.other_patient)
    rules = dict(merge.RELATIONS)
    del rules[("scheduling.WaitlistEntry", "patient")]
    monkeypatch.setattr(merge, "RELATIONS", rules)
    before = _state()
    with pytest.raises(MergeRefused, match="does not know how to move"):
        merge_records(actor=cast.front_desk, kept=cast.other_patient, duplicate=duplicate)
    assert _state() == before


def test_an_already_merged_record_is_not_merged_again(cast: Cast) -> None:
    duplicate = make_duplicate(cast, cast.other_patient)
    merge_records(actor=cast.front_desk, kept=cast.other_patient, duplicate=duplicate)
    with pytest.raises(MergeRefused, match="already been merged"):
        merge_records(actor=cast.front_desk, kept=cast.patient, duplicate=duplicate)


def test_both_portal_accounts_are_refused_one_moves(cast: Cast) -> None:
    duplicate = make_duplicate(cast, cast.other_patient)
    account = User.objects.create_user(
        "new-address@example.org", PASSWORD, full_name="New", role=Role.PATIENT
    )
    duplicate.user = account
    duplicate.save(update_fields=["user"])
    with pytest.raises(MergeRefused, match="portal account"):
        merge_records(actor=cast.front_desk, kept=cast.other_patient, duplicate=duplicate)
    kept = cast.other_patient
    assert kept.user is not None
    kept.user = None
    kept.save(update_fields=["user"])
    merge_records(actor=cast.front_desk, kept=kept, duplicate=duplicate)
    kept.refresh_from_db()
    assert kept.user == account


def test_a_clinician_on_both_care_teams_stays_once(cast: Cast) -> None:
    duplicate = make_duplicate(cast, cast.patient)
    CareTeamMember.objects.create(patient=duplicate, user=cast.prescriber, role="prescriber")
    CareTeamMember.objects.create(patient=duplicate, user=cast.therapist, role="therapist")
    marker = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    merge_records(actor=cast.front_desk, kept=cast.patient, duplicate=duplicate)
    event = AuditEvent.objects.get(id__gt=marker)
    assert event.detail["care_team_already_on_kept"] == 1
    assert event.detail["moved"]["patients.careteammember"] == 1
    team = set(CareTeamMember.objects.filter(patient=cast.patient).values_list("user", flat=True))
    assert team == {cast.prescriber.pk, cast.nurse.pk, cast.therapist.pk}
    assert not CareTeamMember.objects.filter(patient=duplicate).exists()
