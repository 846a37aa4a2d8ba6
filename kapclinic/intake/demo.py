"""Demo intakes for `seed_demo` (synthetic data only).

Only a patient with a portal account fills in an intake, so two demo patients get a
portal sign-in here: one at the consultation stage half-way through their intake
(`INTAKE_EMAIL`), and one in screening whose intake is sent (`INTAKE_SENT_EMAIL`),
which the screening page prefills from. The main demo portal patient (in the dosing
phase) has the intake they sent before their consultation. Idempotent: a patient
who already has an intake is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.intake.models import Intake
from kapclinic.intake.sections import BY_CODE, MedicalHistory, MentalHealthHistory
from kapclinic.patients.demo import DEMO_DOMAIN, DEMO_PASSWORD, MRN_PREFIX, PORTAL_EMAIL
from kapclinic.patients.models import PathwayStage, Patient

INTAKE_EMAIL = f"intake@{DEMO_DOMAIN}"
INTAKE_SENT_EMAIL = f"intake-sent@{DEMO_DOMAIN}"
# The sections the half-way patient has done.
HALF_WAY = ("medical", "mental", "medicines")

MEDICINES = (
    ("Sertraline", "100 mg", "once a day"),
    ("Bupropion", "150 mg", "every morning"),
    ("Lorazepam", "0.5 mg", "when needed for panic"),
    ("Lisinopril", "10 mg", "once a day"),
    ("Zolpidem", "5 mg", "at night, some nights"),
)
TRIALS = (
    ("Fluoxetine", "40 mg", "10", "none"),
    ("Escitalopram", "20 mg", "8", "partial"),
    ("Venlafaxine", "150 mg", "12", "side_effects"),
    ("Mirtazapine", "30 mg", "6", "partial"),
)
GOALS = (
    "To get out of bed in the morning without dread, and to enjoy time with my kids again.",
    "I want the constant heaviness to lift enough that I can go back to work.",
    "Fewer nightmares, and to stop feeling on guard all the time.",
)


def _answers(rng: random.Random) -> dict[str, dict[str, Any]]:
    """One synthetic patient's answers to every section, as the forms save them."""
    posted: dict[str, dict[str, Any]] = {
        "medical": {
            **dict.fromkeys(MedicalHistory.required, "no"),
            "high_blood_pressure": rng.choice(["no", "no", "yes"]),
            "blood_pressure_controlled": "yes",
            "bladder_symptoms": rng.choice(["no", "no", "unsure"]),
        },
        "mental": {
            **dict.fromkeys(MentalHealthHistory.required, "no"),
            "hospital_stays": rng.choice(["no", "yes"]),
            "hospital_details": "A week on a ward some years ago, after a crisis.",
        },
        "medicines": {},
        "antidepressants": {},
        "substances": {
            "alcohol": rng.choice(["monthly", "weekly", "never"]),
            "cannabis": rng.choice(["never", "past", "monthly"]),
            "stimulants": "never",
            "opioids": "never",
            "dissociatives": "never",
            "substance_treatment": "no",
        },
        "pregnancy": {
            "applies": rng.choice(["no", "yes"]),
            "pregnant": "no",
            "breastfeeding": "no",
        },
        "goals": {
            "help_with": ["depression", rng.choice(["anxiety", "trauma"])],
            "goals": rng.choice(GOALS),
        },
    }
    for n, (name, dose, often) in enumerate(rng.sample(MEDICINES, rng.randint(1, 3)), start=1):
        posted["medicines"].update(
            {f"med_{n}_name": name, f"med_{n}_dose": dose, f"med_{n}_frequency": often}
        )
    for n, (drug, dose, weeks, response) in enumerate(rng.sample(TRIALS, 2), start=1):
        posted["antidepressants"].update(
            {
                f"trial_{n}_drug": drug,
                f"trial_{n}_dose": dose,
                f"trial_{n}_weeks": weeks,
                f"trial_{n}_response": response,
            }
        )
    answers = {}
    for code, data in posted.items():
        query = QueryDict(mutable=True)
        for key, value in data.items():
            if isinstance(value, list):
                query.setlist(key, value)
            else:
                query[key] = value
        form = BY_CODE[code](query)
        if not form.is_valid():  # the demo's own answers must pass the patient's checks
            raise ValueError(f"Demo intake section {code}: {form.errors.as_text()}")
        answers[code] = form.valid_values()
    return answers


def _portal_user(patient: Patient, email: str, encoded_password: str) -> User | None:
    """Give a demo patient a portal sign-in (once); None if the e-mail is taken."""
    if patient.user_id is not None:
        return patient.user
    if User.objects.filter(email=email).exists():
        return None
    user = User.objects.create(
        email=email,
        full_name=f"{patient.given_name} {patient.family_name}",
        role=Role.PATIENT,
        password=encoded_password,
    )
    Patient.objects.filter(pk=patient.pk).update(user=user)
    return user


def _first_without_intake(stage: str) -> Patient | None:
    return (
        Patient.objects.filter(mrn__startswith=MRN_PREFIX, stage=stage, intakes__isnull=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )


@transaction.atomic
def build_demo_intakes(*, seed: int = 1) -> int:
    """Create the demo intakes; return how many were created."""
    rng = random.Random(f"kapclinic-demo-intake:{seed}")  # noqa: S311 - synthetic data
    encoded_password = make_password(DEMO_PASSWORD)
    now = timezone.now()
    created = 0
    half_way = _first_without_intake(PathwayStage.CONSULTATION)
    if half_way is not None and _portal_user(half_way, INTAKE_EMAIL, encoded_password):
        answers = _answers(rng)
        Intake.objects.create(
            patient=half_way,
            answers={code: answers[code] for code in HALF_WAY},
            created_at=now - dt.timedelta(days=2),
            updated_at=now - dt.timedelta(hours=20),
        )
        created += 1
    sent = [_first_without_intake(PathwayStage.SCREENING)]
    main = Patient.objects.filter(user__email=PORTAL_EMAIL, intakes__isnull=True).first()
    sent.append(main)
    for patient, email in zip(sent, (INTAKE_SENT_EMAIL, PORTAL_EMAIL), strict=True):
        if patient is None:
            continue
        user = _portal_user(patient, email, encoded_password)
        if user is None:
            continue
        submitted_at = now - dt.timedelta(days=rng.randint(20, 60))
        Intake.objects.create(
            patient=patient,
            status=Intake.Status.SUBMITTED,
            answers=_answers(rng),
            created_at=submitted_at - dt.timedelta(days=1),
            updated_at=submitted_at,
            submitted_at=submitted_at,
            submitted_by=user,
        )
        created += 1
    return created
