"""Before a treatment is chosen the portal offers every route's consent form; it says
why, and that only one of them is to be signed, rather than leave a patient facing four
forms to sign."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.consent.tests.helpers import current
from kapclinic.test import Cast, login
from kapclinic.treatment.models import Protocol, TreatmentPlan

pytestmark = pytest.mark.django_db

EXPLAINED = "You only need to sign the one for the treatment you agree on"


def test_without_a_plan_the_portal_explains_which_form_to_sign(client: Client, cast: Cast) -> None:
    current()
    body = login(client, cast.patient_user).get(reverse("consent:portal")).content.decode()
    assert body.count("Read and sign") > 1
    assert EXPLAINED in body


def test_with_a_plan_the_one_form_needs_no_explanation(client: Client, cast: Cast) -> None:
    current()
    protocol = Protocol.objects.create(
        site=cast.site,
        name="IV",
        route="iv",
        drug="ketamine",
        dose_basis="per_kg",
        usual_dose="0.5",
        max_dose_mg="60",
        sessions_in_course=6,
        max_doses_per_week=3,
        review_after_sessions=6,
    )
    TreatmentPlan.objects.create(
        patient=cast.patient,
        protocol=protocol,
        route="iv",
        drug="ketamine",
        dose_mg="35",
        max_dose_mg="60",
        sessions_planned=6,
        min_days_between_doses=1,
        max_doses_per_week=3,
        created_by=cast.prescriber,
    )
    body = login(client, cast.patient_user).get(reverse("consent:portal")).content.decode()
    assert body.count("Read and sign") == 1
    assert EXPLAINED not in body
