"""Who may see and act on questionnaires and risk alerts: the one chokepoint.

Rules (DESIGN.md "Who uses it"; patients/access.py for the patient itself):
- a patient answers only their own open assignments of patient-rated instruments;
- clinicians with clinical access (the care team, or a break-glass grant) enter
  questionnaires and ratings for a patient and see the scores;
- risk alerts are listed for the care team and, because alerts must never wait for
  a care-team member who is off today, for nurses at the patient's site too; any
  clinician who may list an alert may acknowledge it.
Anything outside that is a 404, never a hint that it exists.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role, User
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.outcomes.models import QuestionnaireAssignment, RiskAlert
from kapclinic.patients.access import get_own_patient
from kapclinic.patients.models import CareTeamMember, Patient


def is_patient_rated(code: str) -> bool:
    instrument = INSTRUMENTS.get(code)
    return instrument is not None and instrument.rater == "patient"


def open_assignments(patient: Patient) -> QuerySet[QuestionnaireAssignment]:
    """Questionnaires waiting for the patient: not answered and not expired."""
    return QuestionnaireAssignment.objects.filter(
        patient=patient, completed_at__isnull=True, expires_at__gt=timezone.now()
    )


def get_own_assignment(request: HttpRequest, pk: int) -> QuestionnaireAssignment:
    """The signed-in patient's own open assignment of a patient-rated questionnaire."""
    patient = get_own_patient(request)
    assignment = open_assignments(patient).select_related("patient__site").filter(pk=pk).first()
    if assignment is None or not is_patient_rated(assignment.instrument):
        raise Http404("No such questionnaire")
    return assignment


def visible_alerts(user: User) -> QuerySet[RiskAlert]:
    """Risk alerts the user may see and acknowledge (none for non-clinicians)."""
    if not user.is_authenticated or not user.is_active or not user.is_clinician:
        return RiskAlert.objects.none()
    scope = Q(Exists(CareTeamMember.objects.filter(user=user, patient=OuterRef("patient"))))
    if user.role == Role.NURSE:
        scope |= Q(patient__site__in=user.sites.all())
    return RiskAlert.objects.filter(scope)


def get_alert_for_user(request: HttpRequest, pk: int) -> RiskAlert:
    alert = (
        visible_alerts(current_user(request))
        .select_related("patient__site", "response")
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        raise Http404("No such alert")
    return alert
