"""The organisation, its sites, their rooms and monitored chairs, and site settings."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/London.")


class Organisation(models.Model):
    """The clinic business that owns this installation (one per installation)."""

    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A physical clinic location, with its own time zone, rooms and staff."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=120, unique=True)
    address_line1 = models.CharField(max_length=150)
    address_line2 = models.CharField(max_length=150, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166 country code.")
    phone = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    on_call_prescriber = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Receives escalated alerts.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.city, self.region, self.postal_code]
        return ", ".join(p for p in parts if p)


class Room(models.Model):
    """A treatment or consultation room at a site."""

    class Kind(models.TextChoices):
        DOSING = "dosing", "Dosing"
        CONSULTATION = "consultation", "Consultation"
        GROUP = "group", "Group therapy"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DOSING)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="room_name_unique_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.site.name} / {self.name}"


class Chair(models.Model):
    """A treatment chair in a room; monitored chairs have vital-signs equipment."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="chairs")
    name = models.CharField(max_length=80)
    monitored = models.BooleanField(
        default=True, help_text="Has a pulse oximeter and blood-pressure monitor."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["room", "name"]
        constraints = [
            models.UniqueConstraint(fields=["room", "name"], name="chair_name_unique_per_room")
        ]

    def __str__(self) -> str:
        return f"{self.room} / {self.name}"

    @property
    def label(self) -> str:
        """How the floor names it: two rooms may each have a "Chair 1"."""
        return f"{self.name} ({self.room.name})"


def _bounded(default: int, least: int, most: int) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(
        default=default, validators=[MinValueValidator(least), MaxValueValidator(most)]
    )


# Every threshold has a floor and a ceiling, so no value can make every reading a
# warning (a warning at or below normal pressure, pulse, breathing or alertness) or
# switch a rule off (a limit no live patient's reading could cross). The bounds sit
# outside any published or sensible clinical choice and inside the ranges
# dosing/monitoring.py accepts for a reading.
def _systolic(default: int) -> models.PositiveSmallIntegerField[int, int]:
    # 120 is the top of normal systolic pressure: a limit at or below it flags healthy readings.
    return _bounded(default, 120, 300)


def _diastolic(default: int) -> models.PositiveSmallIntegerField[int, int]:
    # 80 is the top of normal diastolic pressure.
    return _bounded(default, 80, 200)


def _window(default: int, most: int) -> models.PositiveSmallIntegerField[int, int]:
    return _bounded(default, 1, most)


class SiteSettings(models.Model):
    """Clinical thresholds for one site.

    Defaults come from ../shared/CLINICAL.md sections 4 and 5 (esketamine label,
    Spravato REMS, the cited trials); a clinic admin may change them, audited.
    """

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="settings")

    # Pre-dose blood pressure (CLINICAL.md 4: warn > 140/90, urgent >= 180/110).
    predose_bp_warn_systolic = _systolic(140)
    predose_bp_warn_diastolic = _diastolic(90)
    bp_urgent_systolic = _systolic(180)
    bp_urgent_diastolic = _diastolic(110)
    # Screening: uncontrolled hypertension at rest above 180/100 (Swiss label) [S].
    screening_bp_absolute_systolic = _systolic(180)
    screening_bp_absolute_diastolic = _diastolic(100)
    # Rise from baseline during the session (label trial criterion). The rule warns at
    # a rise at or above these, so 0 warned on every reading; a rise under 10 mmHg is
    # within the difference between two cuff readings at rest.
    bp_rise_warn_systolic = _bounded(40, 10, 100)
    bp_rise_warn_diastolic = _bounded(25, 10, 100)
    # Normal saturation is 95-100%: a warning above 96 would flag healthy readings.
    spo2_warn_below = _bounded(94, 50, 96)
    spo2_urgent_below = _bounded(90, 50, 96)
    # Normal adult breathing is 12-20 a minute; under 4 the rule could hardly fire.
    resp_rate_warn_below = _bounded(10, 4, 12)
    resp_rate_urgent_below = _bounded(8, 4, 12)
    # A resting heart rate of 60-100 is normal: a high limit under 100, or a low one
    # over 60, warns on healthy readings; the outer bounds are monitoring's 20-250.
    heart_rate_warn_above = _bounded(120, 100, 250)
    heart_rate_warn_below = _bounded(50, 20, 60)
    heart_rate_urgent_above = _bounded(140, 100, 250)
    heart_rate_urgent_below = _bounded(40, 20, 60)
    # MOAA/S runs from 5 (alert) to 0: "at or below 5" would warn on every reading.
    moaas_warn_at_or_below = _bounded(3, 0, 4)
    moaas_urgent_at_or_below = _bounded(1, 0, 4)
    # Discharge (CLINICAL.md 4): at least 120 minutes, Aldrete or PADSS >= 9. The
    # observation ceiling (8 hours) keeps a typing slip from holding every patient;
    # a score below 9 would discharge below both scores' own criterion.
    min_observation_minutes = _bounded(120, 120, 480)
    min_discharge_score = _bounded(9, 9, 10)
    # Outcomes (CLINICAL.md 5).
    pcl5_probable_ptsd_cutoff = _bounded(33, 31, 33)
    # Trials define remission as 10 or less (IV ketamine) or 12 or less (esketamine);
    # above 12 counts ill patients as remitted, and 0-6 is MADRS's "symptoms absent".
    madrs_remission_at_or_below = _bounded(10, 6, 12)
    risk_alert_ack_hours = _bounded(4, 1, 72)
    # Treatment plans (CLINICAL.md 3): an mg/kg dose uses the latest weight; one older
    # than this is flagged for the prescriber. A clinic setting with no published source.
    max_weight_age_days = _bounded(30, 1, 365)

    # Long-term safety panel (CLINICAL.md 7 tracks these but gives no numbers: our
    # defaults, see outcomes/safety/rules.py). Windows of 0 would switch a rule off.
    safety_recent_weeks = _window(4, 26)
    safety_sustained_sessions = _window(3, 12)
    # Stored as a whole percent (a fraction strictly between 0 and 1 of the first
    # dose), so the audit trail keeps plain numbers.
    safety_dose_rise_percent = _bounded(25, 1, 99)
    safety_bladder_check_days = _window(31, 365)
    safety_request_pattern_count = _window(2, 20)
    safety_request_pattern_days = _window(90, 365)
    # A patient dosed within this many days counts as being dosed (the monthly bladder
    # check is asked of them). Maintenance doses can be a month apart, so a window
    # under 28 days would stop asking patients still in treatment.
    safety_dosing_window_days = _bounded(90, 28, 365)

    class Meta:
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return f"Settings for {self.site}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.bp_urgent_systolic <= self.predose_bp_warn_systolic:
            errors["bp_urgent_systolic"] = "Must be above the warning systolic value."
        if self.bp_urgent_diastolic <= self.predose_bp_warn_diastolic:
            errors["bp_urgent_diastolic"] = "Must be above the warning diastolic value."
        if self.spo2_urgent_below >= self.spo2_warn_below:
            errors["spo2_urgent_below"] = "Must be below the SpO2 warning value."
        if self.resp_rate_urgent_below >= self.resp_rate_warn_below:
            errors["resp_rate_urgent_below"] = "Must be below the respiratory-rate warning value."
        if self.heart_rate_urgent_above <= self.heart_rate_warn_above:
            errors["heart_rate_urgent_above"] = "Must be above the high heart-rate warning."
        if self.heart_rate_urgent_below >= self.heart_rate_warn_below:
            errors["heart_rate_urgent_below"] = "Must be below the low heart-rate warning."
        if self.moaas_urgent_at_or_below >= self.moaas_warn_at_or_below:
            errors["moaas_urgent_at_or_below"] = "Must be below the MOAA/S warning level."
        if errors:
            raise ValidationError(errors)
