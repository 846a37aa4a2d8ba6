"""Build the synthetic demo clinic that `manage.py seed_demo` loads.

Everything here is fictional. Seeding is not a user action, so it writes no audit
rows (and never touches the audit tables, whose hash chain stays valid). It is
idempotent: the organisation, sites, staff and articles are found by name, e-mail
or slug, and patients are only topped up to the requested number.

Speed matters (`--patients 10000` is a benchmark input): the demo password is
hashed once and the encoded string shared by every demo login, and patients and
their related rows go in with bulk_create, one transaction per batch.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, StaffCredential, User
from kapclinic.clinics.models import Chair, Organisation, Room, Site, SiteSettings
from kapclinic.content.demo_articles import DEMO_ARTICLES
from kapclinic.content.models import Article
from kapclinic.patients import demo_catalogue as cat
from kapclinic.patients.models import (
    Allergy,
    AllergyStatus,
    BodyMeasurement,
    CareTeamMember,
    Condition,
    Contact,
    Medication,
    PathwayStage,
    Patient,
)

DEMO_ORG_NAME = "Harbour & Pine Ketamine Clinic (demo)"
DEMO_DOMAIN = "demo.kapclinic.test"
DEMO_PASSWORD = "demo-password-kap"  # public demo login, printed by seed_demo
MRN_PREFIX = "DEMO-"
PORTAL_EMAIL = f"patient@{DEMO_DOMAIN}"
BATCH_SIZE = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class SiteSpec:
    key: str
    name: str
    address_line1: str
    city: str
    region: str
    postal_code: str
    phone: str
    time_zone: str
    share: float  # fraction of patients registered here


SITES = (
    SiteSpec(
        "harbour",
        "Harbour Street",
        "120 Harbour Street, Suite 4",
        "Eastbrook",
        "MA",
        "02101",
        "+1 617 555 0142",
        "America/New_York",
        0.6,
    ),
    SiteSpec(
        "pine",
        "Pine Avenue",
        "48 Pine Avenue",
        "Westhaven",
        "CA",
        "94016",
        "+1 415 555 0173",
        "America/Los_Angeles",
        0.4,
    ),
)


@dataclass(frozen=True)
class StaffSpec:
    local: str  # e-mail local part
    full_name: str
    role: Role
    sites: tuple[str, ...]
    credentials: tuple[StaffCredential.Kind, ...] = ()
    # Relative share of the site's patients this clinician has on their care teams.
    caseload: int = 0

    @property
    def email(self) -> str:
        return f"{self.local}@{DEMO_DOMAIN}"


_K = StaffCredential.Kind
_BOTH = ("harbour", "pine")
_HARBOUR = ("harbour",)
_PINE = ("pine",)
STAFF = (
    StaffSpec("admin", "Adele Admin", Role.CLINIC_ADMIN, _BOTH),
    StaffSpec("prescriber", "Dr Paula Reyes", Role.PRESCRIBER, _HARBOUR, (_K.MEDICAL, _K.DEA), 4),
    StaffSpec("nurse", "Nina Okoro", Role.NURSE, _HARBOUR, (_K.NURSING,), 4),
    StaffSpec("therapist", "Theo Lindgren", Role.THERAPIST, _HARBOUR, (_K.PSYCHOLOGY,), 3),
    StaffSpec("frontdesk", "Frankie Doyle", Role.FRONT_DESK, _HARBOUR),
    StaffSpec("counsellor", "Carmen Vidal", Role.THERAPIST, _HARBOUR, (_K.COUNSELLING,), 1),
    StaffSpec("np", "Noel Park", Role.PRESCRIBER, _BOTH, (_K.NURSE_PRACTITIONER, _K.DEA), 1),
    StaffSpec("psychiatrist", "Dr Sana Mirza", Role.PRESCRIBER, _PINE, (_K.MEDICAL, _K.DEA), 3),
    StaffSpec("nurse.pine", "Owen Bright", Role.NURSE, _PINE, (_K.NURSING,), 1),
    StaffSpec("therapist.pine", "Iris Harlow", Role.THERAPIST, _PINE, (_K.COUNSELLING,), 1),
    StaffSpec("frontdesk.pine", "Mo Castell", Role.FRONT_DESK, _PINE),
)
PORTAL_PATIENT = ("Jordan", "Avery")  # given, family


@dataclass
class DemoClinic:
    """What was found or made, and what `seed_demo` prints at the end."""

    org: Organisation
    sites: dict[str, Site]
    staff: dict[str, User]
    existed: bool
    patients_created: int = 0
    patients_total: int = 0
    articles_created: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)  # (email, role label)


def build_demo_clinic(
    *,
    patients: int = 40,
    seed: int = 1,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
) -> DemoClinic:
    """Create (or top up) the demo clinic so that it holds `patients` demo patients."""
    say = progress or (lambda _msg: None)
    encoded_password = make_password(DEMO_PASSWORD)  # hashed once for every login
    with transaction.atomic():
        clinic = _ensure_clinic(encoded_password)
        clinic.articles_created = _ensure_articles(clinic.staff["therapist"])

    existing = Patient.objects.filter(mrn__startswith=MRN_PREFIX)
    have = existing.count()
    next_index = _next_index()
    factory = _PatientFactory(clinic, seed=seed)
    remaining = max(0, patients - have)
    while remaining:
        count = min(batch_size, remaining)
        with transaction.atomic():
            factory.create_batch(range(next_index, next_index + count))
        next_index += count
        remaining -= count
        clinic.patients_created += count
        say(f"  {clinic.patients_created} patients created")
    clinic.patients_total = have + clinic.patients_created
    clinic.logins = demo_logins()
    return clinic


def demo_logins() -> list[tuple[str, str]]:
    """Every demo account, (e-mail, role), in the order they are listed."""
    logins = [(spec.email, str(spec.role.label)) for spec in STAFF]
    logins.append((PORTAL_EMAIL, str(Role.PATIENT.label)))
    return logins


def sign_in_lines() -> list[str]:
    """The demo sign-in list, printed the same way by `seed_demo` and `scripts/serve`."""
    logins = demo_logins()
    width = max(len(role) for _, role in logins)
    lines = [f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {role.ljust(width)}  {email}" for email, role in logins]
    return lines


def _next_index() -> int:
    last = Patient.objects.filter(mrn__startswith=MRN_PREFIX).order_by("-mrn").first()
    if last is None:
        return 1
    return int(last.mrn.removeprefix(MRN_PREFIX)) + 1


def _ensure_clinic(encoded_password: str) -> DemoClinic:
    org = Organisation.objects.filter(name=DEMO_ORG_NAME).first()
    existed = org is not None
    if org is None:
        org = Organisation.objects.create(
            name=DEMO_ORG_NAME,
            phone=SITES[0].phone,
            email=f"hello@{DEMO_DOMAIN}",
            website="https://example.org/",
        )
    sites = {spec.key: _ensure_site(org, spec) for spec in SITES}
    staff = {spec.local: _ensure_staff(spec, sites, encoded_password) for spec in STAFF}
    for spec in SITES:
        site = sites[spec.key]
        if site.on_call_prescriber_id is None:
            on_call = staff["prescriber" if spec.key == "harbour" else "psychiatrist"]
            Site.objects.filter(pk=site.pk).update(on_call_prescriber=on_call)
    if not User.objects.filter(email=PORTAL_EMAIL).exists():
        given, family = PORTAL_PATIENT
        User.objects.create(
            email=PORTAL_EMAIL,
            full_name=f"{given} {family}",
            role=Role.PATIENT,
            password=encoded_password,
        )
    return DemoClinic(org=org, sites=sites, staff=staff, existed=existed)


def _ensure_site(org: Organisation, spec: SiteSpec) -> Site:
    site = Site.objects.filter(name=spec.name).first()
    if site is not None:
        return site
    site = Site.objects.create(
        organisation=org,
        name=spec.name,
        address_line1=spec.address_line1,
        city=spec.city,
        region=spec.region,
        postal_code=spec.postal_code,
        country="US",
        phone=spec.phone,
        time_zone=spec.time_zone,
    )
    SiteSettings.objects.create(site=site)  # the CLINICAL.md defaults
    for room_name in ("Cedar Room", "Willow Room"):
        room = Room.objects.create(site=site, name=room_name, kind=Room.Kind.DOSING)
        Chair.objects.bulk_create(
            [Chair(room=room, name=f"Chair {n}", monitored=True) for n in (1, 2)]
        )
    return site


def _ensure_staff(spec: StaffSpec, sites: dict[str, Site], encoded_password: str) -> User:
    user = User.objects.filter(email=spec.email).first()
    if user is not None:
        return user
    user = User.objects.create(
        email=spec.email,
        full_name=spec.full_name,
        role=spec.role,
        is_staff=spec.role == Role.CLINIC_ADMIN,
        password=encoded_password,
    )
    user.sites.set([sites[key] for key in spec.sites])
    today = timezone.localdate()
    StaffCredential.objects.bulk_create(
        [
            StaffCredential(
                user=user,
                kind=kind,
                number=f"DEMO-{kind.upper()}-{1000 + n + 10 * STAFF.index(spec)}",
                issuer="Demo Licensing Board (synthetic)",
                expires_on=today + dt.timedelta(days=365 + 90 * n),
                kap_training_completed_on=today - dt.timedelta(days=400 + 30 * n),
                kap_training_provider="Demo KAP Training Programme (synthetic)",
            )
            for n, kind in enumerate(spec.credentials)
        ]
    )
    return user


def _ensure_articles(author: User) -> int:
    existing = set(Article.objects.values_list("slug", flat=True))
    now = timezone.now()
    new = [
        Article(
            title=text["title"],
            slug=text["slug"],
            summary=text["summary"],
            body=text["body"],
            status=Article.Status.PUBLISHED,
            author=author,
            published_at=now - dt.timedelta(days=7 * (len(DEMO_ARTICLES) - n)),
            updated_at=now,
        )
        for n, text in enumerate(DEMO_ARTICLES)
        if text["slug"] not in existing
    ]
    Article.objects.bulk_create(new)
    return len(new)


def _weighted(rng: random.Random, items: Sequence[T], weights: Sequence[int]) -> T:
    return rng.choices(items, weights=weights, k=1)[0]


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.1f}")


class _PatientFactory:
    """Makes patients and their related rows; patient n is the same for a given seed."""

    def __init__(self, clinic: DemoClinic, *, seed: int) -> None:
        self.seed = seed
        self.clinic = clinic
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.site_keys = [spec.key for spec in SITES]
        self.site_weights = [round(spec.share * 100) for spec in SITES]
        self.teams = {key: self._team_choices(key) for key in self.site_keys}
        self.portal_user = User.objects.get(email=PORTAL_EMAIL)
        self.portal_free = not Patient.objects.filter(user=self.portal_user).exists()

    def _team_choices(self, site_key: str) -> dict[str, tuple[list[User], list[int]]]:
        """For each care-team role: the clinicians at the site and their caseload weights."""
        by_role: dict[str, tuple[list[User], list[int]]] = {}
        for spec in STAFF:
            if spec.caseload and site_key in spec.sites:
                users, weights = by_role.setdefault(spec.role, ([], []))
                users.append(self.clinic.staff[spec.local])
                weights.append(spec.caseload)
        return by_role

    def create_batch(self, indexes: range) -> None:
        built = [self._patient(index) for index in indexes]
        patients = Patient.objects.bulk_create([p for p, _ in built])
        if any(p.pk is None for p in patients):  # a backend that returns no ids
            ids = dict(
                Patient.objects.filter(mrn__in=[p.mrn for p in patients]).values_list("mrn", "pk")
            )
            for p in patients:
                p.pk = ids[p.mrn]
        related: dict[type, list[Any]] = {}
        for patient, rng in built:
            for row in self._related(patient, rng):
                related.setdefault(type(row), []).append(row)
        for model in (Contact, BodyMeasurement, Condition, Medication, Allergy, CareTeamMember):
            model.objects.bulk_create(related.get(model, []), batch_size=2000)
        # Allergies are asked at the consultation, before screening (a screening cannot
        # approve treatment while they are "not asked yet"): after it, a patient has
        # either allergies on file or none known.
        with_allergies = {row.patient_id for row in related.get(Allergy, [])}
        asked = [
            p.pk
            for p, _ in built
            if p.stage not in (PathwayStage.ENQUIRY, PathwayStage.CONSULTATION)
        ]
        Patient.objects.filter(pk__in=with_allergies).update(allergy_status=AllergyStatus.RECORDED)
        Patient.objects.filter(pk__in=asked).exclude(pk__in=with_allergies).update(
            allergy_status=AllergyStatus.NONE_KNOWN
        )

    def _patient(self, index: int) -> tuple[Patient, random.Random]:
        rng = random.Random(f"kapclinic-demo:{self.seed}:{index}")  # noqa: S311 - not security
        portal = index == 1 and self.portal_free
        if portal:
            site_key, stage = "harbour", PathwayStage.DOSING
        else:
            site_key = _weighted(rng, self.site_keys, self.site_weights)
            if 2 <= index < 2 + len(cat.STAGE_ORDER):
                stage = cat.STAGE_ORDER[index - 2]
            else:
                stage = _weighted(rng, list(cat.STAGE_WEIGHTS), list(cat.STAGE_WEIGHTS.values()))
        sex = _weighted(rng, list(Patient.SexAtBirth), [54, 43, 1, 2])
        if portal:
            given, family = PORTAL_PATIENT
        else:
            names = {
                Patient.SexAtBirth.FEMALE: cat.FEMALE_NAMES,
                Patient.SexAtBirth.MALE: cat.MALE_NAMES,
            }.get(sex, cat.NEUTRAL_NAMES)
            given, family = rng.choice(names), rng.choice(cat.FAMILY_NAMES)
        pronouns = {Patient.SexAtBirth.FEMALE: "she/her", Patient.SexAtBirth.MALE: "he/him"}
        site = self.clinic.sites[site_key]
        age = rng.randint(19, 76)
        birth = self.today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        handle = f"{given}.{family}.{index}".lower().replace("'", "")
        patient = Patient(
            mrn=f"{MRN_PREFIX}{index:06d}",
            site=site,
            user=self.portal_user if portal else None,
            given_name=given,
            family_name=family,
            pronouns=pronouns.get(sex, "they/them") if rng.random() < 0.7 else "",
            birth_date=birth,
            sex_at_birth=sex,
            email=PORTAL_EMAIL if portal else f"{handle}@example.com",
            phone=f"+1312555{rng.randint(100, 199)}",
            address_line1=f"{rng.randint(1, 999)} {rng.choice(cat.STREETS)}",
            city=site.city,
            region=site.region,
            postal_code=site.postal_code,
            stage=stage,
            created_at=self.now
            - dt.timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 999)),
        )
        return patient, rng

    def _related(self, patient: Patient, rng: random.Random) -> list[Any]:
        site_key = next(k for k, s in self.clinic.sites.items() if s.pk == patient.site_id)
        team = self._care_team(patient, rng, site_key)
        prescriber = team[0].user
        nurse = team[2].user
        return [
            *team,
            *self._contacts(patient, rng),
            *self._measurements(patient, rng, nurse),
            *self._conditions(patient, rng, prescriber),
            *self._medications(patient, rng, prescriber),
            *self._allergies(patient, rng, nurse),
        ]

    def _care_team(
        self, patient: Patient, rng: random.Random, site_key: str
    ) -> list[CareTeamMember]:
        staff = self.clinic.staff
        roles = CareTeamMember.Role
        if patient.user_id is not None:  # the portal patient: the headline demo team
            chosen = [staff["prescriber"], staff["therapist"], staff["nurse"]]
        else:
            choices = self.teams[site_key]
            chosen = [
                _weighted(rng, *choices[role])
                for role in (Role.PRESCRIBER, Role.THERAPIST, Role.NURSE)
            ]
        added = min(self.now, patient.created_at + dt.timedelta(days=rng.randint(1, 14)))
        return [
            CareTeamMember(patient_id=patient.pk, user=user, role=role, added_at=added)
            for user, role in zip(
                chosen, (roles.PRESCRIBER, roles.THERAPIST, roles.NURSE), strict=True
            )
        ]

    def _contacts(self, patient: Patient, rng: random.Random) -> list[Contact]:
        relationship = rng.choice(cat.EMERGENCY_RELATIONSHIPS)
        given = rng.choice(cat.FEMALE_NAMES + cat.MALE_NAMES + cat.NEUTRAL_NAMES)
        same_family = relationship in (Contact.Relationship.PARENT, Contact.Relationship.CHILD)
        family = patient.family_name if same_family else rng.choice(cat.FAMILY_NAMES)
        rows = [
            Contact(
                patient_id=patient.pk,
                name=f"{given} {family}",
                relationship=relationship,
                phone=f"+1312555{rng.randint(100, 199)}",
                is_emergency=True,
                can_escort=rng.random() < 0.8,
            )
        ]
        if rng.random() < 0.35:
            doctor = f"Dr {rng.choice(cat.NEUTRAL_NAMES)} {rng.choice(cat.FAMILY_NAMES)}"
            rows.append(
                Contact(
                    patient_id=patient.pk,
                    name=doctor,
                    relationship=Contact.Relationship.PRIMARY_CARE,
                    phone=f"+1312555{rng.randint(100, 199)}",
                    email="practice@example.org",
                )
            )
        return rows

    def _measurements(
        self, patient: Patient, rng: random.Random, nurse: User
    ) -> list[BodyMeasurement]:
        female = patient.sex_at_birth == Patient.SexAtBirth.FEMALE
        height = rng.gauss(164 if female else 177, 7)
        weight = max(45.0, rng.gauss(70 if female else 84, 14))
        first = min(self.now, patient.created_at + dt.timedelta(days=rng.randint(1, 20)))
        rows = [
            BodyMeasurement(
                patient_id=patient.pk,
                measured_at=first,
                height_cm=_decimal(height),
                weight_kg=_decimal(weight),
                recorded_by=nurse,
            )
        ]
        if patient.stage in cat.TREATED_STAGES:
            rows.append(
                BodyMeasurement(
                    patient_id=patient.pk,
                    measured_at=min(self.now, first + dt.timedelta(days=rng.randint(20, 90))),
                    weight_kg=_decimal(weight + rng.uniform(-3, 3)),
                    recorded_by=nurse,
                )
            )
        return rows

    def _conditions(self, patient: Patient, rng: random.Random, by: User) -> list[Condition]:
        def row(category: str, name: str, code: str, status: str = "active") -> Condition:
            onset = str(self.today.year - rng.randint(1, 20))
            return Condition(
                patient_id=patient.pk,
                category=category,
                name=name,
                code=code,
                status=status,
                onset=onset,
                recorded_at=patient.created_at,
                recorded_by=by,
            )

        C = Condition.Category
        primary = _weighted(rng, cat.PRIMARY_PSYCHIATRIC, [w for *_, w in cat.PRIMARY_PSYCHIATRIC])
        rows = [row(C.PSYCHIATRIC, primary[0], primary[1])]
        if rng.random() < 0.4:
            name, code = rng.choice(cat.SECONDARY_PSYCHIATRIC)
            if name != primary[0]:
                rows.append(row(C.PSYCHIATRIC, name, code))
        for name, code in rng.sample(cat.MEDICAL_CONDITIONS, k=rng.choice((0, 0, 1, 1, 2))):
            rows.append(row(C.MEDICAL, name, code))
        if rng.random() < 0.15:
            name, code, status = rng.choice(cat.SUBSTANCE_CONDITIONS)
            rows.append(row(C.SUBSTANCE, name, code, status))
        if rng.random() < 0.2:
            name, code = rng.choice(cat.FAMILY_HISTORY)
            rows.append(row(C.FAMILY, name, code))
        return rows

    def _medications(self, patient: Patient, rng: random.Random, by: User) -> list[Medication]:
        weights = [m[4] for m in cat.MEDICINES]
        picked = {_weighted(rng, cat.MEDICINES, weights) for _ in range(rng.randint(1, 3))}
        rows = []
        for name, drug_class, dose, frequency, _w in sorted(picked):
            started = self.today - dt.timedelta(days=rng.randint(60, 2000))
            stopped = None
            if rng.random() < 0.2:  # a past trial, e.g. an antidepressant that did not help
                stopped = min(self.today, started + dt.timedelta(days=rng.randint(42, 180)))
            rows.append(
                Medication(
                    patient_id=patient.pk,
                    name=name,
                    drug_class=drug_class,
                    dose=dose,
                    frequency=frequency,
                    started_on=started,
                    stopped_on=stopped,
                    recorded_by=by,
                )
            )
        return rows

    def _allergies(self, patient: Patient, rng: random.Random, by: User) -> list[Allergy]:
        count = _weighted(rng, [0, 1, 2], [55, 35, 10])
        chosen = rng.sample(cat.ALLERGENS, k=count)
        return [
            Allergy(
                patient_id=patient.pk,
                substance=substance,
                reaction=reaction,
                severity=severity,
                recorded_by=by,
            )
            for substance, reaction, severity, _w in chosen
        ]
