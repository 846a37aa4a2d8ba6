"""Bad input on the plan, course and protocol pages gives a page or a 4xx, never a 500,
with a patient far enough along that every form is live (the URL-wide battery's
patient is new, so these forms only say why no plan can be written yet)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.test import Cast, login
from kapclinic.treatment.models import Route
from kapclinic.treatment.plan_actions import save_draft, sign_plan
from kapclinic.treatment.tests.helpers import make_eligible, plan_data, protocol, weigh

JUNK = [
    "",
    " ",
    "x" * 3000,
    "-1",
    "0",
    "9" * 41,
    "1e309",
    "NaN",
    "2026-02-30",
    "\x00",
    "9999-12-31",
]
FIELDS = [
    "protocol", "amount", "phase", "frequency", "sessions_planned", "reevaluate_on", "notes",
    "acknowledge_stale_weight", "start_on", "proposal", "name", "dose_basis", "usual_dose",
    "max_dose_mg", "infusion_minutes", "sessions_in_course", "min_days_between_doses",
    "max_doses_per_week", "integration_after_each_dose", "review_after_sessions", "is_active",
]  # fmt: skip


@pytest.mark.parametrize("value", JUNK)
def test_junk_never_causes_a_server_error(cast: Cast, value: str) -> None:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    iv = protocol(cast.patient, Route.IV)
    sign_plan(
        save_draft(cast.patient, actor=cast.prescriber, protocol=iv, data=plan_data()),
        actor=cast.prescriber,
    )
    save_draft(cast.patient, actor=cast.prescriber, protocol=iv, data=plan_data())
    client = Client(raise_request_exception=False)
    login(client, cast.prescriber)
    pk = cast.patient.pk
    data = dict.fromkeys(FIELDS, value)
    urls = [
        reverse("treatment:plan_edit", kwargs={"pk": pk}),
        reverse("treatment:plan_sign", kwargs={"pk": pk}),
        reverse("treatment:course", kwargs={"pk": pk}),
        reverse("treatment:protocol_edit", kwargs={"pk": iv.pk}),
        reverse("treatment:plan_discard", kwargs={"pk": pk}),
    ]
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, data)
            assert response.status_code < 500, (method, url, response.status_code)
