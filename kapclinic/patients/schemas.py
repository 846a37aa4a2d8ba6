"""The JSON shapes of the patient API (kapclinic/patients/api.py).

Schemas say exactly which fields leave the server: a field that is not named here
is never sent, whatever the model grows. Output schemas read ORM objects by
attribute (ninja's `Schema` has `from_attributes`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import field_validator

from kapclinic.lib.limits import MAX_DB_ID
from kapclinic.patients.models import (
    Allergy,
    CareTeamMember,
    Condition,
    Contact,
    Medication,
    PathwayStage,
    Patient,
)
from kapclinic.patients.search import is_impossible_date

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25


class PatientListQuery(Schema):
    """Query parameters of GET /patients/."""

    q: str = Field(
        "", max_length=100, description="Name or MRN words, or a birth date as YYYY-MM-DD."
    )
    stage: PathwayStage | None = Field(None, description="Only patients at this pathway stage.")
    site: int | None = Field(
        None, ge=1, le=MAX_DB_ID, description="Only patients of this site (by id)."
    )
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Patients per page."
    )

    @field_validator("q")
    @classmethod
    def _real_date(cls, value: str) -> str:
        text = value.strip()
        if is_impossible_date(text):
            raise ValueError("enter a real date as YYYY-MM-DD, e.g. 1985-06-15")
        return text


# A record id as the API takes it: a row id the database could hold, so a larger
# number is a 400 naming the parameter rather than an overflow in the driver.
DatabaseId = Annotated[int, Field(ge=1, le=MAX_DB_ID)]


class SiteRef(Schema):
    id: int
    name: str


class PatientSummary(Schema):
    """Demographics shown in a list: enough to tell patients apart."""

    id: int
    mrn: str
    given_name: str
    family_name: str
    preferred_name: str
    birth_date: dt.date
    site: SiteRef
    stage: PathwayStage


class PatientPage(Schema):
    count: int = Field(description="Patients matching the query, on all pages.")
    page: int
    page_size: int
    items: list[PatientSummary]


class ContactOut(Schema):
    id: int
    name: str
    relationship: Contact.Relationship
    phone: str
    email: str
    is_emergency: bool
    can_escort: bool


class CareTeamMemberOut(Schema):
    user_id: int
    name: str
    role: CareTeamMember.Role

    @staticmethod
    def resolve_name(obj: CareTeamMember) -> str:
        return obj.user.full_name


class ConditionOut(Schema):
    id: int
    category: Condition.Category
    name: str
    code: str
    status: Condition.Status
    onset: str
    notes: str


class MedicationOut(Schema):
    id: int
    name: str
    drug_class: Medication.DrugClass
    dose: str
    frequency: str
    started_on: dt.date | None


class AllergyOut(Schema):
    id: int
    substance: str
    reaction: str
    severity: Allergy.Severity


class WeightOut(Schema):
    weight_kg: float
    measured_at: dt.datetime


class ClinicalOut(Schema):
    """The clinical record: only for readers with clinical access (care team, break glass)."""

    conditions: list[ConditionOut]
    current_medications: list[MedicationOut]
    allergies: list[AllergyOut]
    latest_weight: WeightOut | None


class Demographics(PatientSummary):
    pronouns: str
    sex_at_birth: Patient.SexAtBirth
    gender_identity: str
    email: str
    phone: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    is_active: bool
    contacts: list[ContactOut]
    care_team: list[CareTeamMemberOut]


class PatientDetail(Demographics):
    """One patient for staff. `clinical` is null for readers without clinical access
    (front desk, a nurse at the site outside the care team)."""

    clinical: ClinicalOut | None = None
    break_glass: bool = Field(
        False, description="True when the clinical record is open only through break-glass."
    )


class OwnRecord(Demographics):
    """The signed-in patient's own record, as the portal shows it."""

    current_medications: list[MedicationOut]
    allergies: list[AllergyOut]


class ErrorOut(Schema):
    detail: str
