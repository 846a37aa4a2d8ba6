"""Readiness's consent step: countersigned, current version, plan's route, this course."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from kapclinic.consent import actions
from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.consent.status import consent_problems
from kapclinic.consent.tests.helpers import new_version, patient_signs
from kapclinic.test import Cast
from kapclinic.treatment import actions as pathway
from kapclinic.treatment.models import Protocol, TreatmentPlan
from kapclinic.treatment.readiness import dosing_readiness

DAY = timezone.localdate() + dt.timedelta(days=3)


def _consent_message(cast: Cast) -> str | None:
    for step in dosing_readiness(cast.patient, DAY).missing:
        if step.step == "consent":
            return step.message
    return None


def test_no_consent(cast: Cast) -> None:
    assert _consent_message(cast) == f"consent not signed for a dose on {DAY:%d %b %Y}"


def test_a_consent_signed_in_the_evening_counts_for_that_days_dose(cast: Cast) -> None:
    # 20:00 in New York is 01:00 the next day in UTC, the server's zone.
    actions.countersign(patient_signs(cast), actor=cast.prescriber)
    evening = dt.datetime.combine(DAY, dt.time(20), tzinfo=ZoneInfo(cast.site.time_zone))
    Consent.objects.filter(patient=cast.patient).update(signed_at=evening)
    assert _consent_message(cast) is None
    # And one signed after the day of the dose still does not count for it.
    Consent.objects.filter(patient=cast.patient).update(signed_at=evening + dt.timedelta(hours=5))
    assert _consent_message(cast) == f"consent not signed for a dose on {DAY:%d %b %Y}"


def test_patient_signature_alone_awaits_countersignature(cast: Cast) -> None:
    patient_signs(cast)
    assert _consent_message(cast) == "consent awaiting a prescriber's countersignature"


def test_countersigned_current_consent_counts(cast: Cast) -> None:
    actions.countersign(patient_signs(cast), actor=cast.prescriber)
    assert _consent_message(cast) is None


def test_new_version_requires_reconsent_and_names_it(cast: Cast) -> None:
    actions.countersign(patient_signs(cast), actor=cast.prescriber)
    published = new_version(cast)
    message = _consent_message(cast)
    assert message is not None
    assert message.startswith("consent out of date")
    assert f"version {published.version} of the IV infusion consent form" in message
    # Signing the new version (and its countersignature) makes it current again.
    actions.countersign(patient_signs(cast), actor=cast.prescriber)
    assert _consent_message(cast) is None


def test_a_version_counts_from_the_day_it_is_published(cast: Cast) -> None:
    actions.countersign(patient_signs(cast), actor=cast.prescriber)
    published = new_version(cast)
    # As if it had been published to take effect in two days' time.
    ConsentDocument.objects.filter(pk=published.pk).update(
        published_at=timezone.now() + dt.timedelta(days=2)
    )
    today = timezone.localdate()
    assert consent_problems([cast.patient.pk], today)[cast.patient.pk] is None
    later = consent_problems([cast.patient.pk], DAY)[cast.patient.pk]
    assert later is not None and later.startswith("consent out of date")


def test_withdrawn_consent_does_not_count(cast: Cast) -> None:
    consent = actions.countersign(patient_signs(cast), actor=cast.prescriber)
    actions.withdraw(consent, actor=cast.patient_user, reason="Stopping for now.")
    assert _consent_message(cast) == f"consent not signed for a dose on {DAY:%d %b %Y}"


def test_consent_must_be_for_the_plans_route(cast: Cast) -> None:
    actions.countersign(patient_signs(cast, "im"), actor=cast.prescriber)
    protocol = Protocol.objects.create(
        site=cast.site,
        name="IV",
        route="iv",
        drug="ketamine",
        dose_basis="per_kg",
        usual_dose="0.5",
        max_dose_mg="60",
        sessions_in_course=6,
        max_doses_per_week=3,
        review_after_sessions=6,
    )
    TreatmentPlan.objects.create(
        patient=cast.patient,
        protocol=protocol,
        route="iv",
        drug="ketamine",
        dose_mg="35",
        max_dose_mg="60",
        sessions_planned=6,
        min_days_between_doses=1,
        max_doses_per_week=3,
        created_by=cast.prescriber,
    )
    assert _consent_message(cast) == f"consent not signed for a dose on {DAY:%d %b %Y}"
    actions.countersign(patient_signs(cast, "iv"), actor=cast.prescriber)
    assert _consent_message(cast) is None


def test_consent_from_an_earlier_course_does_not_carry_over(cast: Cast) -> None:
    actions.countersign(patient_signs(cast), actor=cast.prescriber)
    pathway.withdraw(cast.patient, actor=cast.prescriber, reason="Moved away.")
    assert _consent_message(cast) == f"consent not signed for a dose on {DAY:%d %b %Y}"


def test_course_reset_names_match_readiness() -> None:
    from kapclinic.treatment.course_start import COURSE_RESET_NAMES
    from kapclinic.treatment.readiness import COURSE_RESETS

    assert COURSE_RESET_NAMES == COURSE_RESETS


def test_many_patients_in_constant_queries(cast: Cast, django_assert_num_queries) -> None:
    ids = [cast.patient.pk, cast.other_patient.pk]
    patient_signs(cast)
    with django_assert_num_queries(4):
        problems = consent_problems(ids, DAY)
    assert problems[cast.other_patient.pk] is not None
