"""Signed plans for the dosing demos (the day on the floor, the finished REMS session).

Both follow the site's seeded default protocols (`treatment.protocols`, CLINICAL.md
section 3), so no demo keeps a copy of a protocol of its own. Rows are made directly
and unaudited, like all demo data (nobody did these things): the defaults are seeded
with `missing_defaults`, the unaudited half of `seed_default_protocols`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kapclinic.accounts.models import User
from kapclinic.clinics.models import Site
from kapclinic.patients.models import Patient
from kapclinic.treatment.dose import compute_dose
from kapclinic.treatment.models import DoseBasis, PlanStatus, Protocol, TreatmentPlan
from kapclinic.treatment.protocols import missing_defaults

DEMO_WEIGHT_KG = Decimal("70.0")


def seeded_protocol(site: Site, route: str) -> Protocol:
    """The site's protocol for `route`: the seeded default unless the site has its own
    (an active one first), seeding the missing defaults first."""
    Protocol.objects.bulk_create(missing_defaults(site))
    return Protocol.objects.filter(site=site, route=route).order_by("-is_active", "pk")[0]


def signed_demo_plan(
    patient: Patient,
    protocol: Protocol,
    *,
    prescriber: User,
    signed_at: dt.datetime,
    replace_in_force: bool = False,
) -> TreatmentPlan:
    """A new signed plan version following `protocol` at its usual dose (per kg: for a
    70 kg weight measured two days before signing, capped at the protocol's maximum),
    with the protocol's course numbers.

    With `replace_in_force` the signed plan in force is superseded, as a new signed
    version would; otherwise the caller makes sure there is none.
    """
    previous = None
    if replace_in_force:
        previous = (
            TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.SIGNED)
            .order_by("-version")
            .first()
        )
        if previous is not None:
            TreatmentPlan.objects.filter(pk=previous.pk).update(status=PlanStatus.SUPERSEDED)
    weighed_at = signed_at - dt.timedelta(days=2)
    per_kg = protocol.dose_basis == DoseBasis.PER_KG
    dose = compute_dose(
        route=protocol.route,
        basis=protocol.dose_basis,
        amount=protocol.usual_dose,
        max_dose_mg=protocol.max_dose_mg,
        weight_kg=DEMO_WEIGHT_KG if per_kg else None,
        weight_measured_on=weighed_at.date() if per_kg else None,
        today=signed_at.date(),
        max_weight_age_days=30,
    )
    return TreatmentPlan.objects.create(
        patient=patient,
        protocol=protocol,
        version=TreatmentPlan.objects.filter(patient=patient).count() + 1,
        supersedes=previous,
        status=PlanStatus.SIGNED,
        route=protocol.route,
        drug=protocol.drug,
        dose_mg=dose.dose_mg,
        dose_per_kg=dose.dose_per_kg,
        weight_kg=dose.weight_kg,
        weight_measured_at=weighed_at if dose.weight_kg is not None else None,
        max_dose_mg=protocol.max_dose_mg,
        dose_capped=dose.capped,
        infusion_minutes=protocol.infusion_minutes,
        sessions_planned=protocol.sessions_in_course,
        min_days_between_doses=protocol.min_days_between_doses,
        max_doses_per_week=protocol.max_doses_per_week,
        integration_after_each_dose=protocol.integration_after_each_dose,
        # Written an hour before it was signed: left to default, a plan signed days
        # ago showed as written today, after its own signature.
        created_at=signed_at - dt.timedelta(hours=1),
        created_by=prescriber,
        signed_by=prescriber,
        signed_at=signed_at,
    )
