"""People who sign in: clinic staff in their roles, and patients using the portal."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Nurse"
    THERAPIST = "therapist", "Therapist"
    FRONT_DESK = "front_desk", "Front desk"
    PATIENT = "patient", "Patient"


STAFF_ROLES = frozenset(
    {Role.CLINIC_ADMIN, Role.PRESCRIBER, Role.NURSE, Role.THERAPIST, Role.FRONT_DESK}
)
CLINICAL_ROLES = frozenset({Role.PRESCRIBER, Role.NURSE, Role.THERAPIST})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.CLINIC_ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to kapclinic: a staff member in one role, or a patient."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices)
    sites = models.ManyToManyField(
        "clinics.Site", blank=True, related_name="staff", help_text="Sites this person works at."
    )
    is_active = models.BooleanField(default=True)
    # Django admin access; granted to clinic admins only.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        # Names such as "Dr Paula Reyes" make a first word misleading; use the whole name.
        return self.full_name or self.email

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.CLINIC_ADMIN

    @property
    def is_clinician(self) -> bool:
        return self.role in CLINICAL_ROLES


class StaffCredential(models.Model):
    """A staff member's professional licence and KAP training record."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", "Medical licence"
        NURSING = "nursing", "Nursing licence"
        NURSE_PRACTITIONER = "np", "Nurse practitioner licence"
        PSYCHOLOGY = "psychology", "Psychology licence"
        COUNSELLING = "counselling", "Counselling / therapy licence"
        DEA = "dea", "Controlled-substance registration"
        OTHER = "other", "Other"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(max_length=60)
    issuer = models.CharField(max_length=120, help_text="Board or authority, with region.")
    expires_on = models.DateField(null=True, blank=True)
    kap_training_completed_on = models.DateField(
        null=True, blank=True, help_text="When ketamine-assisted psychotherapy training ended."
    )
    kap_training_provider = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["user", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def is_expired(self, on: Any = None) -> bool:
        today = on or timezone.localdate()
        return self.expires_on is not None and self.expires_on < today


class BackupCode(models.Model):
    """One single-use backup code for two-factor sign-in (a lost phone), kept only as
    a keyed hash; `accounts/backup_codes.py` makes and checks them."""

    device = models.ForeignKey(
        "otp_static.StaticDevice", on_delete=models.CASCADE, related_name="backup_codes"
    )
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Backup code {self.pk}"


class ApiToken(models.Model):
    """A secret that lets a program call the JSON API as one user, with that user's access.

    Only the SHA-256 of the token is kept. A fast hash is enough here, unlike for
    passwords: the token is 32 random bytes, so there is nothing to guess from a
    dictionary and no number of fast guesses gets near 2**256; slow hashes such as
    Argon2 exist to protect low-entropy secrets people choose. A plain digest also
    lets a request find its token with one indexed lookup.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for.")
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so an admin can tell tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
