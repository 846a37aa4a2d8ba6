import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from kapclinic.patients import actions
from kapclinic.patients.models import Patient
from kapclinic.patients.tests.helpers import last_event_id, new_events, state

DATA = {"given_name": "Rita", "family_name": "Newcomer", "birth_date": dt.date(1979, 3, 4)}


def test_generates_a_fresh_mrn(cast, monkeypatch):
    numbers = iter(["MRN-0001", "KAP-00000042"])  # the first one is taken
    monkeypatch.setattr(actions, "_new_mrn", lambda: next(numbers))
    patient = actions.register_patient(actor=cast.front_desk, site=cast.site, data=DATA)
    assert patient.mrn == "KAP-00000042"


def test_writes_one_create_row(cast):
    start = last_event_id()
    patient = actions.register_patient(actor=cast.nurse, site=cast.site, data=DATA)
    (row,) = new_events(start)
    assert row.action == "create" and row.patient_id == patient.pk
    assert row.detail["fields"] == sorted(
        ["birth_date", "care_team", "family_name", "given_name", "mrn", "site"]
    )


@pytest.mark.parametrize("who", ["admin", "patient_user"])
def test_refused_for_admins_and_patients(cast, who):
    before = state()
    with pytest.raises(PermissionDenied):
        actions.register_patient(actor=getattr(cast, who), site=cast.site, data=DATA)
    assert state() == before


def test_refused_at_a_site_the_actor_does_not_work_at(cast):
    with pytest.raises(PermissionDenied):
        actions.register_patient(actor=cast.front_desk, site=cast.other_site, data=DATA)


def test_refuses_fields_outside_demographics(cast):
    with pytest.raises(ValueError, match="stage"):
        actions.register_patient(
            actor=cast.front_desk, site=cast.site, data={**DATA, "stage": "dosing"}
        )


def test_failed_audit_rolls_the_patient_back(cast, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(actions, "record", broken)
    with pytest.raises(RuntimeError):
        actions.register_patient(actor=cast.front_desk, site=cast.site, data=DATA)
    assert not Patient.objects.filter(family_name="Newcomer").exists()
