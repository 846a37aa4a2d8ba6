"""update_demographics, update_own_contact_details, add_contact, update_contact,
save_own_emergency_contact."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kapclinic.patients import actions
from kapclinic.patients.models import Contact
from kapclinic.patients.tests.helpers import last_event_id, new_events, state


def test_update_saves_only_the_changed_columns(cast):
    with CaptureQueriesContext(connection) as queries:
        changed = actions.update_demographics(
            actor=cast.front_desk, patient=cast.patient, data={"phone": "555-1", "city": ""}
        )
    assert changed == ["phone"]
    (update,) = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "patients_patient"')]
    assert '"phone"' in update and '"updated_at"' in update and '"city"' not in update


def test_no_change_writes_nothing(cast):
    before = state()
    assert (
        actions.update_demographics(
            actor=cast.front_desk, patient=cast.patient, data={"phone": cast.patient.phone}
        )
        == []
    )
    assert state() == before


@pytest.mark.parametrize("who", ["therapist", "outsider", "admin", "patient_user"])
def test_staff_who_cannot_see_the_patient_are_refused(cast, who):
    before = state()
    with pytest.raises(PermissionDenied):
        actions.update_demographics(
            actor=getattr(cast, who), patient=cast.patient, data={"phone": "1"}
        )
    assert state() == before


def test_patient_changes_own_phone_only(cast):
    start = last_event_id()
    actions.update_own_contact_details(
        actor=cast.patient_user, patient=cast.patient, data={"phone": "555-3"}
    )
    assert [r.detail for r in new_events(start)] == [{"fields": ["phone"]}]
    with pytest.raises(ValueError):
        actions.update_own_contact_details(
            actor=cast.patient_user, patient=cast.patient, data={"birth_date": None}
        )


def test_patient_cannot_change_someone_else(cast):
    with pytest.raises(PermissionDenied):
        actions.update_own_contact_details(
            actor=cast.patient_user, patient=cast.other_patient, data={"phone": "1"}
        )
    with pytest.raises(PermissionDenied):
        actions.save_own_emergency_contact(
            actor=cast.patient_user,
            patient=cast.other_patient,
            data={"name": "X", "relationship": "other", "phone": "1"},
        )


def test_contact_writes_one_row_each(cast):
    start = last_event_id()
    contact = actions.add_contact(
        actor=cast.nurse,
        patient=cast.patient,
        data={"name": "Al", "relationship": "friend", "phone": "1"},
    )
    actions.update_contact(actor=cast.nurse, contact=contact, data={"phone": "2"})
    assert [(r.action, r.detail["fields"]) for r in new_events(start)] == [
        ("create", ["name", "phone", "relationship"]),
        ("update", ["phone"]),
    ]


def test_contact_refused_without_access(cast):
    contact = Contact.objects.create(
        patient=cast.patient, name="Al", relationship="friend", phone="1"
    )
    with pytest.raises(PermissionDenied):
        actions.update_contact(actor=cast.outsider, contact=contact, data={"phone": "2"})
    contact.refresh_from_db()
    assert contact.phone == "1"
