"""A form sent back with errors shows the record, so it is audited like its GET.

Every patients page that takes a form is listed in FORMS; a new one fails
`test_every_patient_form_is_listed` until it is, so no form page can show a record
without its read row.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from kapclinic.audit.models import BreakGlassGrant
from kapclinic.patients.models import Contact, Medication
from kapclinic.patients.tests.helpers import last_event_id, new_events
from kapclinic.tests.urlwalk import iter_patterns

# A bound form that cannot validate: every form either has an e-mail field or a
# required field missing from this data.
INVALID = {"email": "not-an-email"}

# Patients pages without a re-rendered form: lists, the chart, POST-only buttons, and
# the pages tested on their own (registration, break-glass).
NOT_FORMS = {
    "patients:list",
    "patients:chart",
    "patients:portal",
    "patients:remove_care_team_member",
    "patients:register",
    "patients:break_glass",
}


def _contact(cast):
    contact = Contact.objects.create(
        patient=cast.patient, name="Sam Contact", relationship="friend", phone="555-0111"
    )
    return {"pk": cast.patient.pk, "contact_pk": contact.pk}


def _medication(cast):
    medication = Medication.objects.create(patient=cast.patient, name="Sertraline")
    return {"pk": cast.patient.pk, "medication_pk": medication.pk}


FORMS = {
    "patients:edit_demographics": ("prescriber", lambda cast: {"pk": cast.patient.pk}),
    "patients:add_contact": ("front_desk", lambda cast: {"pk": cast.patient.pk}),
    "patients:edit_contact": ("front_desk", _contact),
    "patients:add_measurement": ("nurse", lambda cast: {"pk": cast.patient.pk}),
    "patients:add_condition": ("prescriber", lambda cast: {"pk": cast.patient.pk}),
    "patients:add_medication": ("prescriber", lambda cast: {"pk": cast.patient.pk}),
    "patients:stop_medication": ("prescriber", _medication),
    "patients:add_allergy": ("nurse", lambda cast: {"pk": cast.patient.pk}),
    "patients:add_care_team_member": ("prescriber", lambda cast: {"pk": cast.patient.pk}),
    "patients:portal_details": ("patient_user", lambda cast: {}),
    "patients:portal_emergency_contact": ("patient_user", lambda cast: {}),
}


def test_every_patient_form_is_listed():
    names = {p.name for p in iter_patterns() if p.name.startswith("patients:")}
    assert names - NOT_FORMS == set(FORMS)


def _read_rows(start):
    return [
        (r.action, r.outcome, r.patient_id, r.object_id, r.flagged, r.detail)
        for r in new_events(start)
    ]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_failed_post_writes_the_same_read_row_as_the_get(cast, as_user, name):
    who, kwargs = FORMS[name]
    client = as_user(getattr(cast, who))
    url = reverse(name, kwargs=kwargs(cast))
    start = last_event_id()
    assert client.get(url).status_code == 200
    on_get = _read_rows(start)
    start = last_event_id()
    response = client.post(url, INVALID)
    assert response.status_code == 200 and response.context["form"].errors
    on_post = _read_rows(start)
    assert len(on_get) == 1 and on_get[0][0] == "view" and on_get[0][2] == cast.patient.pk
    assert on_post == on_get


def test_a_failed_post_under_break_glass_is_flagged_with_the_grant(cast, as_user):
    client = as_user(cast.therapist)
    client.post(
        reverse("patients:break_glass"),
        {"mrn": "MRN-0001", "reason": "Patient collapsed in the waiting room; need it."},
    )
    grant = BreakGlassGrant.objects.get()
    start = last_event_id()
    client.post(reverse("patients:add_condition", args=[cast.patient.pk]), INVALID)
    (row,) = new_events(start)
    assert (row.action, row.flagged) == ("view", True)
    assert row.detail == {"page": "add_condition", "grant_id": grant.pk}
