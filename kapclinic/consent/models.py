"""Consent documents (versioned per route) and patients' signed consents."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kapclinic.treatment.models import Route


class ConsentDocument(models.Model):
    """One version of the consent form patients sign before treatment by one route.

    Written in Markdown by a clinic admin or prescriber. A draft is edited freely;
    once published it is read-only, and publishing a newer version for the route
    makes every consent signed on an older one out of date (re-consent before the
    next dose). The off-label and REMS notices are added when a patient opens it
    (`consent.text`), because they depend on the patient's indication.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    route = models.CharField(max_length=12, choices=Route.choices)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown: headings with #, lists with -, bold with **.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["route", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["route", "version"], name="consent_document_version"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="published_consent_document_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_route_display()} consent, version {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Published means read-only, whoever calls save: signatures point at this text.
        if self.pk is not None:
            stored = ConsentDocument.objects.filter(pk=self.pk).values_list("status", flat=True)
            if stored.first() == self.Status.PUBLISHED:
                raise ValueError("A published consent document is read-only; write a new version.")
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


# The only fields that change after a patient signs, each once, by its own action.
AFTER_SIGNING_FIELDS = frozenset(
    {"countersigned_by", "countersigned_at", "withdrawn_at", "withdrawn_by", "withdrawal_reason"}
)


class Consent(models.Model):
    """A patient's signature on one consent document version, and the countersignature.

    Keeps what was signed, exactly: the rendered text the patient read (with the
    notices that applied to them), its SHA-256, the name they typed, the
    acknowledgements they ticked and when. Immutable once signed; a prescriber's
    countersignature and a withdrawal (with its reason) are the only later
    entries, each written once.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consents"
    )
    document = models.ForeignKey(
        ConsentDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    route = models.CharField(max_length=12, choices=Route.choices)
    signed_text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    off_label_notice = models.BooleanField(default=False)
    rems_notice = models.BooleanField(default=False)
    acknowledgements = models.JSONField(default=list)
    typed_name = models.CharField(max_length=200)
    # The patient's portal account that signed; empty only for consents seeded as
    # demo data for patients who have no portal account.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-signed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawal_reason=""),
                name="consent_withdrawal_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(countersigned_at__isnull=True)
                | models.Q(countersigned_by__isnull=False),
                name="consent_countersignature_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent to {self.get_route_display()} ({self.signed_at:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Signed means immutable: only the countersignature and withdrawal are added later.
        if self.pk is not None:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= AFTER_SIGNING_FIELDS:
                raise ValueError("A signed consent is never changed; withdraw it instead.")
        super().save(*args, **kwargs)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_countersigned(self) -> bool:
        return self.countersigned_at is not None

    @property
    def status_label(self) -> str:
        if self.is_withdrawn:
            return "Withdrawn"
        if not self.is_countersigned:
            return "Awaiting countersignature"
        return "Signed and countersigned"
