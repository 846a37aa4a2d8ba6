"""The two queries behind a trajectory: one instrument's scores and the patient's doses.

Each is one query whatever the number of scores, so the trajectory pages keep a
constant query count as a patient's history grows (pinned in the tests).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from kapclinic.clinics.models import SiteSettings
from kapclinic.outcomes.models import QuestionnaireResponse
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus


def scores(patient: Patient, code: str) -> list[tuple[dt.datetime, int]]:
    """``(completed_at, total)`` oldest first; a corrected score is left out (its
    correction stands in its place)."""
    rows = (
        QuestionnaireResponse.objects.filter(
            patient=patient, instrument=code, total__isnull=False, replaced_by__isnull=True
        )
        .order_by("completed_at", "id")
        .values_list("completed_at", "total")
    )
    return [(when, int(total or 0)) for when, total in rows]


def scored_instruments(patient: Patient) -> list[str]:
    """The instruments with at least one scored answer, for the page's links."""
    return list(
        QuestionnaireResponse.objects.filter(patient=patient, total__isnull=False)
        .order_by("instrument")
        .values_list("instrument", flat=True)
        .distinct()
    )


def dose_times(patient: Patient) -> list[dt.datetime]:
    """When the patient was dosed: the session's first dose where the dosing record
    has one, else the start of a completed dosing appointment with no session (the
    visit happened; its dose was recorded elsewhere). An aborted session with no
    dose is no dose."""
    return list(doses(patient))


def doses(patient: Patient) -> QuerySet[Appointment, dt.datetime]:
    """The times of `dose_times`, earliest first, as a query (also a subquery: the
    chart panel reads the first dose with the site's setting in one query)."""
    return (
        Appointment.objects.filter(patient=patient)
        .filter(
            Q(dosing_session__first_dose_at__isnull=False)
            | Q(
                dosing_session__isnull=True,
                appointment_type__code__in=DOSING_CODES,
                status=AppointmentStatus.COMPLETED,
            )
        )
        .annotate(dosed_at=Coalesce("dosing_session__first_dose_at", "start"))
        .order_by("dosed_at")
        .values_list("dosed_at", flat=True)
    )


def madrs_remission_limit(patient: Patient) -> int:
    limit = (
        SiteSettings.objects.filter(site_id=patient.site_id)
        .values_list("madrs_remission_at_or_below", flat=True)
        .first()
    )
    return limit or 10
