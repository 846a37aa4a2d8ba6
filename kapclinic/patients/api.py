"""The patient API (read-only): the staff roster, one patient, and the patient's own record.

The same rules as the pages: every operation fetches through the access layer,
which answers 404 for a patient outside the caller's scope (and audits the
refusal), and every answer writes one audit row. The roster endpoints are for
roster staff (front desk and clinicians): anyone else gets an empty list and 404
for every patient, even a patient for their own record, which is at /me.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.access import (
    can_list_patients,
    can_see_clinical,
    get_own_patient,
    get_patient_for_staff,
    visible_patients,
)
from kapclinic.patients.chart_data import clinical_summary, load_chart, load_portal
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import record_read
from kapclinic.patients.schemas import (
    ClinicalOut,
    DatabaseId,
    ErrorOut,
    OwnRecord,
    PatientDetail,
    PatientListQuery,
    PatientPage,
)
from kapclinic.patients.search import search_patients

router = Router(tags=["patients"])

# Every operation may answer a bad parameter with 400; those that fetch one record, 404.
# 401 comes from the sign-in middleware (no session, no second factor, a bad token).
_BAD_REQUEST = {400: ErrorOut, 401: ErrorOut}
_NOT_FOUND = {**_BAD_REQUEST, 404: ErrorOut}


def _roster(user: User) -> QuerySet[Patient]:
    """The patients `user` may list: none unless they are roster staff."""
    return visible_patients(user) if can_list_patients(user) else Patient.objects.none()


@router.get(
    "/patients/",
    response={200: PatientPage, **_BAD_REQUEST},
    url_name="patient_list",
    operation_id="listPatients",
    summary="List the patients you may see",
)
def list_patients(request: HttpRequest, filters: Query[PatientListQuery]) -> dict[str, Any]:
    """Demographics of the caller's patients, searched, filtered and paged, by name."""
    user = current_user(request)
    patients = _roster(user).select_related("site")
    used: list[str] = []
    if filters.q:
        patients = search_patients(patients, filters.q)
        used.append("q")
    if filters.site is not None:
        patients = patients.filter(site_id=filters.site)
        used.append("site")
    if filters.stage is not None:
        patients = patients.filter(stage=filters.stage)
        used.append("stage")
    count = patients.count()
    start = (filters.page - 1) * filters.page_size
    items: list[Patient] = []
    if start < count:  # also keeps an absurd page number away from the database
        ordered = patients.order_by("family_name", "given_name", "id")
        items = list(ordered[start : start + filters.page_size])
    # The search text itself may be a name: only the filter names are audited.
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="patients.patient",
        detail={"filters": used, "page": filters.page},
    )
    return {"count": count, "page": filters.page, "page_size": filters.page_size, "items": items}


@router.get(
    "/patients/{patient_id}",
    response={200: PatientDetail, **_NOT_FOUND},
    url_name="patient_detail",
    operation_id="getPatient",
    summary="One patient",
)
def get_patient(request: HttpRequest, patient_id: Path[DatabaseId]) -> PatientDetail:
    """Demographics, contacts and care team; `clinical` only with clinical access."""
    patient = get_patient_for_staff(request, patient_id)
    user = current_user(request)
    clinical = can_see_clinical(user, patient)
    via_break_glass: bool = patient.via_break_glass  # type: ignore[attr-defined]
    load_chart(patient, clinical=clinical)
    record_read(user, patient, clinical=clinical, api=True)
    detail = PatientDetail.model_validate(patient)
    detail.clinical = _clinical(patient) if clinical else None
    detail.break_glass = via_break_glass
    return detail


@router.get(
    "/me",
    response={200: OwnRecord, **_NOT_FOUND},
    url_name="me",
    operation_id="getOwnRecord",
    summary="Your own record (patients)",
)
def own_record(request: HttpRequest) -> Patient:
    """The signed-in patient's record as the portal shows it; 404 for staff."""
    patient = get_own_patient(request)
    load_portal(patient)
    record(
        actor=current_user(request),
        action=AuditAction.VIEW,
        patient=patient,
        obj=patient,
        detail={"api": True},
    )
    return patient


def _clinical(patient: Patient) -> ClinicalOut:
    summary = clinical_summary(patient)
    fields = ("conditions", "current_medications", "allergies", "latest_weight")
    return ClinicalOut.model_validate({name: summary[name] for name in fields})
