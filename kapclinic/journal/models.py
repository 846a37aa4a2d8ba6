"""Integration after dosing: the patient's journal, the therapist's integration-session
notes, and psychotherapy notes.

Three kinds, kept apart on purpose:
- a journal entry is the patient's own; the care team reads it only while the
  patient chooses to share it;
- an integration note is part of the clinical record, read by the care team; it is
  never edited (a correction is a new note that names the one it amends);
- a psychotherapy note is the author's own working note, kept out of the medical
  record: no one else reads it, not another clinician, not break-glass, not a
  clinic admin (DESIGN.md, safety principles).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kapclinic.patients.models import Patient

MAX_BODY = 20000


class JournalEntry(models.Model):
    """A patient's journal entry, usually about one dosing session."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="journal_entries")
    session = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journal_entries",
        help_text="The dosing session the entry is about, if any.",
    )
    body = models.TextField(blank=True, max_length=MAX_BODY)
    shared_with_care_team = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "shared_with_care_team", "created_at"])]

    def __str__(self) -> str:
        return f"Journal entry of {self.created_at:%Y-%m-%d}"


class JournalPrompt(models.Model):
    """An invitation to write about one dosing session, open 24 to 72 hours after it;
    sent once by e-mail and text, and shown as a banner in the portal."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="journal_prompts")
    session = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.CASCADE, related_name="journal_prompt"
    )
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["patient", "expires_at"])]

    def __str__(self) -> str:
        return f"Journal prompt due {self.due_at:%Y-%m-%d}"


class IntegrationNote(models.Model):
    """A clinician's note of an integration session. Never changed once written."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="integration_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="integration_notes",
        help_text="The dosing session the integration work is about, if any.",
    )
    body = models.TextField(max_length=MAX_BODY)
    created_at = models.DateTimeField(default=timezone.now)
    amends = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Integration note of {self.created_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("An integration note is never changed; write an amendment.")
        super().save(*args, **kwargs)


class PsychotherapyNote(models.Model):
    """A therapist's psychotherapy note: readable only by its author."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="psychotherapy_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="psychotherapy_notes"
    )
    body = models.TextField(max_length=MAX_BODY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["author", "patient", "created_at"])]

    def __str__(self) -> str:
        return f"Psychotherapy note of {self.created_at:%Y-%m-%d}"
