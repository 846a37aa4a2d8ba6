"""The treatment-plan step of dosing readiness: is there a plan in force on that day?"""

from __future__ import annotations

from datetime import date

from kapclinic.patients.models import Patient
from kapclinic.treatment.models import PlanStatus, TreatmentPlan


def plan_problem(patient: Patient, on_date: date) -> str | None:
    """What is wrong with the patient's plan for a dose on `on_date`, or None.

    The plan in force is the latest signed version (a replaced one is SUPERSEDED). A
    dose after its re-evaluation date waits for the prescriber to re-evaluate and sign
    a new version: the plan was only ever ordered up to that date.
    """
    plan = (
        TreatmentPlan.objects.filter(patient_id=patient.pk, status=PlanStatus.SIGNED)
        .order_by("-version")
        .only("pk", "reevaluate_on")
        .first()
    )
    if plan is None:
        return "treatment plan not signed"
    if plan.reevaluate_on is not None and on_date > plan.reevaluate_on:
        return (
            f"treatment plan due for re-evaluation on {plan.reevaluate_on:%d %b %Y}, "
            f"before a dose on {on_date:%d %b %Y}"
        )
    return None
