"""Consent writes: versions, signing, countersigning, withdrawal; each audited."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from kapclinic.audit.models import AuditEvent
from kapclinic.consent import actions
from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.consent.tests.helpers import current, new_version, patient_signs
from kapclinic.consent.text import name_matches, render_document
from kapclinic.patients.models import PathwayStage
from kapclinic.screening.models import ScreeningRecord
from kapclinic.test import Cast
from kapclinic.treatment.walk import walk_to


def _sign(cast: Cast, document: ConsentDocument, **overrides: object) -> Consent:
    rendered = render_document(document, cast.patient)
    kwargs: dict[str, object] = {
        "actor": cast.patient_user,
        "patient": cast.patient,
        "typed_name": "Pat Ient",
        "acknowledged": [code for code, _ in rendered.acknowledgements],
        "shown_sha256": rendered.sha256,
    }
    kwargs.update(overrides)
    return actions.sign(document, **kwargs)  # type: ignore[arg-type]


def test_signing_keeps_the_exact_text_and_its_hash(cast: Cast) -> None:
    consent = patient_signs(cast)
    assert consent.text_sha256 == hashlib.sha256(consent.signed_text.encode()).hexdigest()
    assert "Off-label use" in consent.signed_text
    assert consent.off_label_notice and not consent.rems_notice
    assert consent.signed_by == cast.patient_user
    event = AuditEvent.objects.filter(object_type="consent.consent").get()
    assert event.action == "create" and event.patient_id == cast.patient.pk
    # References only: never the typed name or the text.
    assert "Pat Ient" not in str(event.detail)


def test_esketamine_form_carries_rems_and_no_off_label_for_trd(cast: Cast) -> None:
    ScreeningRecord.objects.create(
        patient=cast.patient,
        facts={"indication": "trd"},
        status="signed",
        decision="eligible",
        signed_by=cast.prescriber,
        signed_at="2026-11-01T10:00:00Z",
    )
    consent = patient_signs(cast, "intranasal")
    assert consent.rems_notice and not consent.off_label_notice
    assert "REMS" in consent.signed_text and "Off-label" not in consent.signed_text
    assert "rems" in consent.acknowledgements


@pytest.mark.parametrize("typed", ["pat ient", "  PAT   IENT ", "Pat\tIent"])
def test_name_match_forgives_case_and_spacing(cast: Cast, typed: str) -> None:
    assert name_matches(typed, cast.patient)


@pytest.mark.parametrize("typed", ["Pat", "Ient Pat", "Pat Ient Jr", ""])
def test_other_names_do_not_match(cast: Cast, typed: str) -> None:
    assert not name_matches(typed, cast.patient)


def test_wrong_name_is_refused_and_nothing_stored(cast: Cast) -> None:
    with pytest.raises(actions.ConsentError, match="full name") as error:
        _sign(cast, current(), typed_name="Someone Else")
    assert error.value.field == "typed_name"
    assert not Consent.objects.exists()


def test_every_acknowledgement_is_needed(cast: Cast) -> None:
    with pytest.raises(actions.ConsentError, match="Tick every"):
        _sign(cast, current(), acknowledged=["read"])
    assert not Consent.objects.exists()


def test_text_changed_since_shown_is_refused(cast: Cast) -> None:
    with pytest.raises(actions.ConsentError, match="changed"):
        _sign(cast, current(), shown_sha256="0" * 64)
    assert not Consent.objects.exists()


def test_only_the_patient_signs(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        _sign(cast, current(), actor=cast.other_patient_user)
    with pytest.raises(PermissionDenied):
        _sign(cast, current(), actor=cast.prescriber)
    assert not Consent.objects.exists()


def test_an_old_version_cannot_be_signed(cast: Cast) -> None:
    old = current()
    new_version(cast)
    with pytest.raises(actions.ConsentError, match="no longer"):
        _sign(cast, old)


def test_signed_consent_is_immutable(cast: Cast) -> None:
    consent = patient_signs(cast)
    consent.typed_name = "Changed"
    with pytest.raises(ValueError, match="never changed"):
        consent.save()
    with pytest.raises(ValueError, match="never changed"):
        consent.save(update_fields=["typed_name"])


def test_published_document_is_read_only(cast: Cast) -> None:
    document = current()
    document.body = "Changed"
    with pytest.raises(ValueError, match="read-only"):
        document.save()
    with pytest.raises(actions.ConsentError, match="read-only"):
        actions.save_draft(document, actor=cast.prescriber, title="T", body="B")


def test_versions_number_up_and_start_from_the_latest_text(cast: Cast) -> None:
    first = current()
    draft = actions.start_version("iv", actor=cast.admin)
    assert draft.version == first.version + 1 and draft.body == first.body
    # One draft per route: asking again returns it.
    assert actions.start_version("iv", actor=cast.prescriber).pk == draft.pk


@pytest.mark.parametrize("who", ["nurse", "therapist", "front_desk"])
def test_only_admins_and_prescribers_write_forms(cast: Cast, who: str) -> None:
    current()
    with pytest.raises(PermissionDenied):
        actions.start_version("iv", actor=cast.staff()[who])
    assert ConsentDocument.objects.filter(status="draft").count() == 0


def test_countersign_moves_the_pathway_and_is_audited(cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.TREATMENT_PLAN, actor=cast.prescriber)
    consent = patient_signs(cast)
    actions.countersign(consent, actor=cast.prescriber)
    consent.refresh_from_db()
    cast.patient.refresh_from_db()
    assert consent.countersigned_by == cast.prescriber
    assert cast.patient.stage == PathwayStage.CONSENT
    assert AuditEvent.objects.filter(
        object_type="consent.consent", detail__step="countersign"
    ).exists()


def test_countersign_needs_a_care_team_prescriber(cast: Cast) -> None:
    consent = patient_signs(cast)
    for who in ("nurse", "therapist", "front_desk"):
        with pytest.raises(PermissionDenied):
            actions.countersign(consent, actor=cast.staff()[who])
    consent.refresh_from_db()
    assert consent.countersigned_at is None


def test_countersign_refused_once_out_of_date_or_twice(cast: Cast) -> None:
    consent = patient_signs(cast)
    actions.countersign(consent, actor=cast.prescriber)
    with pytest.raises(actions.ConsentError, match="already"):
        actions.countersign(consent, actor=cast.prescriber)
    stale = patient_signs(cast, "im")
    new_version(cast, "im")
    with pytest.raises(actions.ConsentError, match="newer version"):
        actions.countersign(stale, actor=cast.prescriber)


def test_withdrawal_needs_a_reason_and_happens_once(cast: Cast) -> None:
    consent = patient_signs(cast)
    with pytest.raises(actions.ConsentError, match="why"):
        actions.withdraw(consent, actor=cast.patient_user, reason="  ")
    actions.withdraw(consent, actor=cast.patient_user, reason="I changed my mind.")
    consent.refresh_from_db()
    assert consent.withdrawn_by == cast.patient_user
    assert consent.withdrawal_reason == "I changed my mind."
    with pytest.raises(actions.ConsentError, match="already"):
        actions.withdraw(consent, actor=cast.prescriber, reason="Again.")
    with pytest.raises(actions.ConsentError, match="withdrawn"):
        actions.countersign(consent, actor=cast.prescriber)


def test_others_cannot_withdraw(cast: Cast) -> None:
    consent = patient_signs(cast)
    with pytest.raises(PermissionDenied):
        actions.withdraw(consent, actor=cast.other_patient_user, reason="Not mine.")
    with pytest.raises(PermissionDenied):
        actions.withdraw(consent, actor=cast.therapist, reason="Not on the team.")
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
