"""Appointment types, staff working hours, time off, site closures and appointments.

Times of day (working hours) are the site's local wall-clock time; every instant
(appointments, time off, closures) is stored in UTC and shown in the site's time.

An appointment holds its clinician, and its room or chair, from `hold_start`
(start minus the type's buffer before) to `hold_end` (end plus the buffer after).
No two active appointments may hold the same clinician, room or chair at once: on
PostgreSQL exclusion constraints (migration 0002) enforce it, on SQLite the booking
actions check and insert inside one IMMEDIATE transaction, which SQLite serialises.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from kapclinic.accounts.models import Role, StaffCredential


class TypeCode(models.TextChoices):
    """The kinds of visit on the KAP pathway; each site defines its own types from these."""

    INITIAL_CONSULTATION = "initial_consultation", "Initial consultation"
    SCREENING = "screening", "Screening"
    PREPARATION = "preparation", "Preparation session"
    DOSING_IV = "dosing_iv", "Dosing session (IV ketamine)"
    DOSING_IM = "dosing_im", "Dosing session (IM ketamine)"
    DOSING_ORAL = "dosing_oral", "Dosing session (sublingual or oral ketamine)"
    DOSING_ESKETAMINE = "dosing_esketamine", "Dosing session (intranasal esketamine)"
    INTEGRATION = "integration", "Integration session"
    REVIEW = "review", "Review"
    FOLLOW_UP = "follow_up", "Follow-up"


DOSING_CODES = frozenset(
    {
        TypeCode.DOSING_IV,
        TypeCode.DOSING_IM,
        TypeCode.DOSING_ORAL,
        TypeCode.DOSING_ESKETAMINE,
    }
)


class Resource(models.TextChoices):
    """What besides a clinician a visit occupies."""

    NONE = "none", "Nothing else (e.g. a video call)"
    ROOM = "room", "A room"
    CHAIR = "chair", "A monitored chair"


def validate_roles(value: object) -> None:
    valid = {str(r) for r in Role if r not in (Role.PATIENT, Role.CLINIC_ADMIN)}
    if not isinstance(value, list) or not value or not set(map(str, value)) <= valid:
        raise ValidationError(f"Choose one or more of: {', '.join(sorted(valid))}.")


def validate_credential_kinds(value: object) -> None:
    valid = set(StaffCredential.Kind.values)
    if not isinstance(value, list) or not set(map(str, value)) <= valid:
        raise ValidationError(f"Use only: {', '.join(sorted(valid))}.")


class AppointmentType(models.Model):
    """A kind of visit a site offers: how long it lasts, who gives it and what it needs.

    A dosing session's appointment lasts `duration_minutes` (the dose) plus the site's
    minimum observation time, or `observation_minutes` if that is longer, so its
    chair is held until the patient may be discharged.
    """

    site = models.ForeignKey(
        "clinics.Site", on_delete=models.CASCADE, related_name="appointment_types"
    )
    code = models.CharField(max_length=30, choices=TypeCode.choices)
    name = models.CharField(max_length=120)
    duration_minutes = models.PositiveSmallIntegerField(
        help_text="For a dosing session, the dose itself; observation is added."
    )
    observation_minutes = models.PositiveSmallIntegerField(
        default=0,
        help_text="Dosing only: observation after the dose, if longer than the site minimum.",
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    provider_roles = models.JSONField(
        default=list,
        validators=[validate_roles],
        help_text='Roles that may give this visit, e.g. ["prescriber"].',
    )
    credential_kinds = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_credential_kinds],
        help_text="If any: the clinician needs a current credential of one of these kinds.",
    )
    resource = models.CharField(max_length=10, choices=Resource.choices, default=Resource.ROOM)
    patient_bookable = models.BooleanField(
        default=False, help_text="Patients may book this themselves."
    )
    instructions = models.TextField(blank=True, help_text="Sent to the patient with the booking.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site", "code"]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="appointment_type_code_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"

    @property
    def is_dosing(self) -> bool:
        return self.code in DOSING_CODES

    def span_minutes(self, site_observation_minutes: int) -> int:
        """Minutes from start to end of an appointment of this type at its site."""
        if not self.is_dosing:
            return int(self.duration_minutes)
        return int(self.duration_minutes) + max(
            int(self.observation_minutes), site_observation_minutes
        )

    def clean(self) -> None:
        if self.duration_minutes is not None and self.duration_minutes < 5:
            raise ValidationError({"duration_minutes": "A visit lasts at least 5 minutes."})
        if self.is_dosing and self.resource != Resource.CHAIR:
            raise ValidationError({"resource": "A dosing session needs a monitored chair."})


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """A weekly block when a staff member works at a site, in the site's local time."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    site = models.ForeignKey("clinics.Site", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["staff", "weekday", "start_time"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="working_hours_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_weekday_display()} {self.start_time}-{self.end_time}"


class TimeOff(models.Model):
    """A period a staff member is away (leave, training), whatever their weekly hours say."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["staff", "start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="time_off_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} away {self.start:%Y-%m-%d}"


class Closure(models.Model):
    """A period a whole site is closed (holiday, maintenance): no visits there."""

    site = models.ForeignKey("clinics.Site", on_delete=models.CASCADE, related_name="closures")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["site", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="closure_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} closed {self.start:%Y-%m-%d}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CONFIRMED = "confirmed", "Confirmed"
    CHECKED_IN = "checked_in", "Checked in"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Statuses that hold their clinician, room and chair. A completed visit keeps its
# time (it happened); cancelled and no-show ones free it for someone else.
ACTIVE_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_PROGRESS,
    AppointmentStatus.COMPLETED,
)


class Appointment(models.Model):
    """A patient's booked visit: which type, where, with whom, in which room or chair, when."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments"
    )
    site = models.ForeignKey("clinics.Site", on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(
        "clinics.Room", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chair = models.ForeignKey(
        "clinics.Chair", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The span the clinician, room and chair are held: start and end widened by the
    # type's buffers, copied here so the database constraint can see it.
    hold_start = models.DateTimeField()
    hold_end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["site", "hold_start"]),
            models.Index(fields=["clinician", "hold_start"]),
            models.Index(fields=["patient", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(hold_start__lte=models.F("start"), hold_end__gte=models.F("end")),
                name="appointment_hold_covers_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type.name} {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class AppointmentChange(models.Model):
    """One move of an appointment to another time, kept so staff can see when it was
    moved, from when to when, by whom or through which link, and the patient's reason."""

    class Via(models.TextChoices):
        STAFF = "staff", "By the clinic"
        PORTAL = "portal", "By the patient in the portal"
        LINK = "link", "By the patient from the e-mailed link"
        API = "api", "Through the API"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    from_start = models.DateTimeField()
    to_start = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["appointment", "at", "id"]

    def __str__(self) -> str:
        return f"Moved {self.at:%Y-%m-%d %H:%M} UTC"


# Models for the next slices (public booking page, portal, reminders, waitlist,
# iCalendar). They hold no behaviour yet; their actions come with those pages.


class BookingPolicy(models.Model):
    """A site's booking rules: how late patients may change a visit themselves, and
    when reminders go out. A site without one uses the defaults."""

    site = models.OneToOneField(
        "clinics.Site", on_delete=models.CASCADE, related_name="booking_policy"
    )
    change_window_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Patients may reschedule or cancel up to this long before."
    )
    first_reminder_hours = models.PositiveSmallIntegerField(default=48)
    second_reminder_hours = models.PositiveSmallIntegerField(default=24)

    class Meta:
        verbose_name_plural = "booking policies"

    def __str__(self) -> str:
        return f"Booking policy for {self.site}"


class Reminder(models.Model):
    """One reminder of one appointment on one channel; unique, so a retried task
    never sends the same reminder twice."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "Text message"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    hours_before = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "channel", "hours_before"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} reminder {self.hours_before} h before"


class WaitlistEntry(models.Model):
    """A patient waiting for an earlier or any slot of a kind of visit; freed slots are
    offered first come, first served (by `created_at`)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered a slot"
        BOOKED = "booked", "Booked"
        WITHDRAWN = "withdrawn", "Withdrawn"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.CASCADE, related_name="waitlist"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Only with this clinician; empty for anyone.",
    )
    earliest = models.DateField(null=True, blank=True)
    latest = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    offered_appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Why staff took the entry off the list (blank when the patient left it themselves).
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"

    def __str__(self) -> str:
        return f"Waitlist for {self.appointment_type.name}"


class CalendarFeed(models.Model):
    """A clinician's iCalendar feed at a secret URL; only the SHA-256 of the secret
    is kept (as for API tokens), and a revoked feed answers 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


# The public "Book an appointment" page (public_views.py).


class PublicBooking(models.Model):
    """What a visitor told us when booking from the public page: the reason for the
    visit and the pre-screen answers (kept for the screening to read; nothing is
    decided from them), and whether front desk should look at a possible duplicate.

    A booking from the public page always creates a new patient record: a visitor
    is matched to an existing record only by front desk, never guessed from a name.
    """

    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="public_booking"
    )
    reason = models.TextField(blank=True)
    prescreen = models.JSONField(default=dict, blank=True)
    # Set when the patient opened the e-mailed link and confirmed: they own the address.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    possible_match = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="An existing patient with the same name and birth date, for front desk.",
    )

    class MatchOutcome(models.TextChoices):
        MERGED = "merged", "Same person: records merged"
        DISMISSED = "dismissed", "Not the same person"

    # What front desk decided about `possible_match`; blank while it waits for them.
    match_outcome = models.CharField(max_length=10, choices=MatchOutcome.choices, blank=True)
    match_resolved_at = models.DateTimeField(null=True, blank=True)
    match_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Online booking {self.created_at:%Y-%m-%d}"


class RateLimitHit(models.Model):
    """One counted attempt at a rate-limited public form. Kept in the database so
    the limit holds across every app process; `key` is a SHA-256 of the scope and
    the IP address or e-mail, so no address is stored."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"Rate-limit hit {self.at:%Y-%m-%d %H:%M}"
