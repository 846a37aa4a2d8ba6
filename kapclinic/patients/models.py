"""The patient record: demographics, contacts, history, medicines, allergies, care team."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class PathwayStage(models.TextChoices):
    """Where a patient is on the KAP pathway (DESIGN.md, "The pathway")."""

    ENQUIRY = "enquiry", "Enquiry"
    CONSULTATION = "consultation", "Consultation"
    SCREENING = "screening", "Screening"
    ELIGIBILITY = "eligibility", "Eligibility decision"
    TREATMENT_PLAN = "treatment_plan", "Treatment plan"
    CONSENT = "consent", "Consent"
    PREPARATION = "preparation", "Preparation"
    DOSING = "dosing", "Dosing phase"
    REVIEW = "review", "End-of-induction review"
    MAINTENANCE = "maintenance", "Maintenance"
    FOLLOW_UP = "follow_up", "Completed, in follow-up"
    INELIGIBLE = "ineligible", "Ineligible"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AllergyStatus(models.TextChoices):
    """Whether allergies were asked about: "none known" is an answer, "not asked" is not."""

    NOT_ASKED = "not_asked", "Not asked yet"
    NONE_KNOWN = "none_known", "No known drug allergies"
    RECORDED = "recorded", "Allergies recorded"


class Patient(models.Model):
    """A person receiving (or enquiring about) care at the clinic."""

    class SexAtBirth(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        INTERSEX = "intersex", "Intersex"
        UNKNOWN = "unknown", "Not recorded"

    mrn = models.CharField("medical record number", max_length=20, unique=True)
    site = models.ForeignKey("clinics.Site", on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient",
        help_text="The patient's portal account.",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    birth_date = models.DateField()
    sex_at_birth = models.CharField(
        max_length=10, choices=SexAtBirth.choices, default=SexAtBirth.UNKNOWN
    )
    gender_identity = models.CharField(max_length=60, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField(max_length=150, blank=True)
    address_line2 = models.CharField(max_length=150, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    stage = models.CharField(
        max_length=20, choices=PathwayStage.choices, default=PathwayStage.ENQUIRY, db_index=True
    )
    is_active = models.BooleanField(default=True)
    allergy_status = models.CharField(
        max_length=12, choices=AllergyStatus.choices, default=AllergyStatus.NOT_ASKED
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when front desk found this record to be a second one for the same person
    # (patients/merge.py): everything moved to the kept record, and this one is kept
    # only as history, out of every list and search.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["site", "stage"]),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}"

    def age_on(self, day: date | None = None) -> int:
        today = day if day is not None else timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class Contact(models.Model):
    """Someone connected to the patient: emergency contact, escort, next of kin, GP."""

    class Relationship(models.TextChoices):
        PARTNER = "partner", "Partner or spouse"
        PARENT = "parent", "Parent"
        CHILD = "child", "Child"
        SIBLING = "sibling", "Sibling"
        FRIEND = "friend", "Friend"
        PRIMARY_CARE = "primary_care", "Primary-care doctor"
        OTHER = "other", "Other"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    phone = models.CharField(max_length=40)
    email = models.EmailField(blank=True)
    is_emergency = models.BooleanField("emergency contact", default=False)
    can_escort = models.BooleanField("can escort home after dosing", default=False)

    class Meta:
        ordering = ["-is_emergency", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class BodyMeasurement(models.Model):
    """A height and/or weight measurement; mg/kg doses use the latest weight."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="measurements")
    measured_at = models.DateTimeField(default=timezone.now)
    height_cm = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("50")), MaxValueValidator(Decimal("250"))],
    )
    weight_kg = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("20")), MaxValueValidator(Decimal("350"))],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-measured_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(height_cm__isnull=False) | models.Q(weight_kg__isnull=False),
                name="measurement_has_height_or_weight",
            )
        ]

    def __str__(self) -> str:
        return f"Measurement {self.measured_at:%Y-%m-%d}"

    @property
    def bmi(self) -> Decimal | None:
        if not self.height_cm or not self.weight_kg:
            return None
        metres = self.height_cm / 100
        return (self.weight_kg / (metres * metres)).quantize(Decimal("0.1"))


class Condition(models.Model):
    """A diagnosis or item of medical or psychiatric history."""

    class Category(models.TextChoices):
        PSYCHIATRIC = "psychiatric", "Psychiatric"
        MEDICAL = "medical", "Medical"
        SUBSTANCE = "substance", "Substance use"
        FAMILY = "family", "Family history"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REMISSION = "remission", "In remission"
        RESOLVED = "resolved", "Resolved"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="conditions")
    category = models.CharField(max_length=20, choices=Category.choices)
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, blank=True, help_text="ICD-10 or SNOMED code.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    onset = models.CharField(max_length=40, blank=True, help_text="Year or date, as known.")
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class Medication(models.Model):
    """A medicine the patient takes (or took), with the class that matters for KAP."""

    class DrugClass(models.TextChoices):
        # Classes named in CLINICAL.md 2 (interacting medicines) and the REMS form.
        ANTIDEPRESSANT = "antidepressant", "Antidepressant"
        MAOI = "maoi", "MAO inhibitor"
        PSYCHOSTIMULANT = "psychostimulant", "Psychostimulant"
        BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
        OPIOID = "opioid", "Opioid"
        SEDATIVE_HYPNOTIC = "sedative_hypnotic", "Non-benzodiazepine sedative hypnotic"
        LAMOTRIGINE = "lamotrigine", "Lamotrigine"
        ANTIPSYCHOTIC = "antipsychotic", "Antipsychotic"
        MOOD_STABILISER = "mood_stabiliser", "Mood stabiliser"
        ANTIHYPERTENSIVE = "antihypertensive", "Antihypertensive"
        OTHER = "other", "Other"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=150)
    drug_class = models.CharField(max_length=20, choices=DrugClass.choices, default=DrugClass.OTHER)
    dose = models.CharField(max_length=80, blank=True)
    frequency = models.CharField(max_length=80, blank=True)
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["stopped_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stopped_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(stopped_on__gte=models.F("started_on")),
                name="medication_stops_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.stopped_on is None


class Allergy(models.Model):
    """An allergy or intolerance; ketamine hypersensitivity is an absolute contraindication."""

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"
        UNKNOWN = "unknown", "Unknown"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField(max_length=150)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["substance"]
        verbose_name_plural = "allergies"

    def __str__(self) -> str:
        return self.substance


class CareTeamMember(models.Model):
    """A clinician on a patient's care team, which grants access to the clinical record."""

    class Role(models.TextChoices):
        PRESCRIBER = "prescriber", "Prescriber"
        THERAPIST = "therapist", "Therapist"
        NURSE = "nurse", "Nurse"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_teams"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "user"], name="care_team_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
