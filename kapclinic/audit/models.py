"""The append-only audit trail and break-glass grants."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEW = "view", "View"
    LIST = "list", "List or search"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"
    LOGIN = "login", "Log in"
    LOGOUT = "logout", "Log out"
    LOGIN_FAILED = "login_failed", "Failed log in"
    TWO_FACTOR = "two_factor", "Two-factor change"
    BREAK_GLASS = "break_glass", "Break-glass access"
    SETTINGS = "settings", "Settings change"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"


class AuditEvent(models.Model):
    """One thing that happened to patient data or to security: who, what, when, where.

    Rows are append-only: `save` refuses updates and `delete` refuses outright. Each
    row carries the SHA-256 of its own content and the previous row's hash, so
    `manage.py verify_audit` finds an altered or deleted row. No PHI values are
    stored, only references (patient id, object type and id) and field names.

    `seq` is the row's place in the chain. A row written while another transaction
    holds the chain head is stored *pending* (no seq, prev_hash or hash) and sealed
    into the chain moments later by `audit.seal`, so no request waits for another
    (design: docs/architecture.md, "Audit trail").
    """

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    outcome = models.CharField(
        max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=200, blank=True)
    flagged = models.BooleanField(default=False, help_text="Break-glass or other review.")
    detail = models.JSONField(default=dict, blank=True)
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["patient", "occurred_at"]),
            models.Index(fields=["actor", "occurred_at"]),
            # The sealer's "what is still pending" query stays cheap as the trail grows.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_event_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("Audit events are append-only; they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("Audit events are append-only; they cannot be deleted.")

    @property
    def actor_role_label(self) -> str:
        """The role's display name ("Clinic admin") for the stored value."""
        from kapclinic.accounts.models import Role

        try:
            return str(Role(self.actor_role).label)
        except ValueError:
            return self.actor_role


class AuditChainHead(models.Model):
    """The single row that records the end of the audit chain.

    Whoever chains rows locks it (SELECT ... FOR UPDATE), so events from many
    processes form one chain; request paths only ever try it without waiting. It
    also lets `verify_audit` notice that the newest rows were deleted.
    """

    last_id = models.BigIntegerField(default=0)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head at {self.last_id}"


class BreakGlassGrant(models.Model):
    """Time-limited access, with a written reason, to a patient outside one's scope."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "patient", "expires_at"])]

    def __str__(self) -> str:
        return f"Break-glass #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
