"""Merging two records of the same person into one.

A visitor who books on the public page always gets a new record (a name and birth
date are never enough to attach them to an existing one). When front desk confirms
that the new record and an existing one are the same person, `merge_records` moves
everything that points at the new record to the existing one and retires the new
record: it is kept (history and the audit trail still name it) with `merged_into`
set, and drops out of every list and search.

Which rows move is decided per relation in `RELATIONS`, found generically through
`Patient._meta`, so a model added later that points at a patient is never silently
left behind: until it is given a rule here, merging refuses (and a test fails).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db import models, transaction
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.access import demographics_write_basis
from kapclinic.patients.models import CareTeamMember, Patient

# How the rows of each relation follow a merge.
MOVE = "move"  # about the person's contact with the clinic: moves to the kept record
CLINICAL = "clinical"  # clinical information: moves, but only one record may hold any
HISTORY = "history"  # a record of what happened to that very record: stays with it
DERIVED = "derived"  # computed from other rows: recomputed for both records after the move

# (model label, field name) of every relation that points at a patient. The public
# booking page creates only a record, an appointment and its booking details, so
# anything CLINICAL on the new record was added by the clinic since.
RELATIONS: dict[tuple[str, str], str] = {
    ("patients.Patient", "merged_into"): MOVE,
    ("patients.Contact", "patient"): MOVE,
    ("patients.CareTeamMember", "patient"): MOVE,
    ("patients.BodyMeasurement", "patient"): CLINICAL,
    ("patients.Condition", "patient"): CLINICAL,
    ("patients.Medication", "patient"): CLINICAL,
    ("patients.Allergy", "patient"): CLINICAL,
    # The audit trail is append-only, and a break-glass grant opened that record.
    ("audit.AuditEvent", "patient"): HISTORY,
    ("audit.BreakGlassGrant", "patient"): HISTORY,
    ("scheduling.Appointment", "patient"): MOVE,
    ("scheduling.WaitlistEntry", "patient"): MOVE,
    ("scheduling.PublicBooking", "possible_match"): MOVE,
    ("screening.ScreeningRecord", "patient"): CLINICAL,
    ("screening.SafetyFlagAlert", "patient"): CLINICAL,
    ("treatment.PathwayTransition", "patient"): CLINICAL,
    ("treatment.TreatmentPlan", "patient"): CLINICAL,
    ("dosing.DosingSession", "patient"): CLINICAL,
    ("outcomes.QuestionnaireAssignment", "patient"): MOVE,
    ("outcomes.QuestionnaireResponse", "patient"): CLINICAL,
    ("outcomes.RiskAlert", "patient"): CLINICAL,
    ("outcomes.ScheduleRule", "patient"): MOVE,
    ("outcomes.SchedulePause", "patient"): MOVE,
    ("intake.Intake", "patient"): CLINICAL,
    ("consent.Consent", "patient"): CLINICAL,
    ("preparation.Preparation", "patient"): CLINICAL,
    ("journal.JournalPrompt", "patient"): MOVE,
    ("journal.JournalEntry", "patient"): CLINICAL,
    ("journal.IntegrationNote", "patient"): CLINICAL,
    ("journal.PsychotherapyNote", "patient"): CLINICAL,
    ("safety.BladderCheck", "patient"): CLINICAL,
    ("safety.MisuseSignal", "patient"): CLINICAL,
    ("outcomes.OutcomeSummary", "patient"): DERIVED,
}

# Demographics the kept record takes from the other one when it has none itself,
# so the address the visitor just gave us is not lost.
FILLED_FIELDS = ("email", "phone", "preferred_name", "pronouns")


class MergeRefused(Exception):
    """The records cannot be merged; the message says why, for front desk."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def patient_relations() -> Iterator[ForeignObjectRel]:
    """Every relation from another model (or a patient) to a patient, hidden ones too."""
    for field in Patient._meta.get_fields(include_hidden=True):
        if isinstance(field, ForeignObjectRel) and not field.many_to_many:
            yield field


def _model(relation: ForeignObjectRel) -> type[models.Model]:
    model = relation.related_model
    assert not isinstance(model, str)  # resolved once the app registry is ready
    return model


def relation_key(relation: ForeignObjectRel) -> tuple[str, str]:
    return (_model(relation)._meta.label, relation.field.name)


def unhandled_relations() -> list[tuple[str, str]]:
    """Relations to a patient that `RELATIONS` gives no rule for."""
    return sorted(k for k in map(relation_key, patient_relations()) if k not in RELATIONS)


def _rows(relation: ForeignObjectRel, patient: Patient) -> models.QuerySet[Any]:
    return _model(relation)._base_manager.filter(**{relation.field.name: patient})


def _clinical_kinds(patient: Patient) -> list[str]:
    """The kinds of clinical information the record holds, in words."""
    kinds = []
    for relation in patient_relations():
        if RELATIONS.get(relation_key(relation)) == CLINICAL and _rows(relation, patient).exists():
            kinds.append(str(_model(relation)._meta.verbose_name_plural))
    return sorted(kinds)


def _check(actor: User, kept: Patient, duplicate: Patient) -> None:
    if kept.pk == duplicate.pk:
        raise MergeRefused("A record cannot be merged into itself.")
    if actor.role != Role.FRONT_DESK:
        raise MergeRefused("Only front desk merges patient records.")
    for patient in (kept, duplicate):
        basis = demographics_write_basis(actor, patient)
        if basis is None or basis.via_break_glass:
            raise MergeRefused("You can merge records of patients at your own sites only.")
        if patient.merged_into_id is not None:
            raise MergeRefused(f"Record {patient.mrn} has already been merged into another.")
    missing = unhandled_relations()
    if missing:
        # A model added since this module was written: moving it is a decision
        # somebody has to make, so refuse rather than leave its rows behind.
        raise MergeRefused(
            "This record holds information the merge does not know how to move yet. "
            "Please ask the clinic's support team."
        )
    on_kept, on_duplicate = _clinical_kinds(kept), _clinical_kinds(duplicate)
    if on_kept and on_duplicate:
        raise MergeRefused(
            f"Both records hold clinical information ({kept.mrn}: {', '.join(on_kept)}; "
            f"{duplicate.mrn}: {', '.join(on_duplicate)}). Merging them needs a "
            "clinician's review, so both are left as they are."
        )
    if on_duplicate and duplicate.stage != kept.stage:
        raise MergeRefused(
            f"Record {duplicate.mrn} is at another step of the treatment pathway "
            f"({duplicate.get_stage_display()}, not {kept.get_stage_display()}). "
            "Merging it needs a clinician's review, so both are left as they are."
        )
    if duplicate.user_id is not None and kept.user_id is not None:
        raise MergeRefused(
            "Both records have a portal account. Merging them needs the clinic's "
            "support team, so both are left as they are."
        )
    for relation in patient_relations():
        one_each = relation.one_to_one and _rows(relation, kept).exists()
        if one_each and _rows(relation, duplicate).exists():
            name = _model(relation)._meta.verbose_name
            raise MergeRefused(f"Both records have a {name}; only one can be kept.")


def _move(kept: Patient, duplicate: Patient) -> tuple[dict[str, int], int]:
    """Point every MOVE and CLINICAL row at the kept record: the counts by model, and
    how many care-team places were dropped as already on the kept record's team."""
    moved: dict[str, int] = {}
    # The same clinician on both care teams stays once, on the kept record.
    on_kept_team = CareTeamMember.objects.filter(patient=kept).values("user")
    dropped, _ = CareTeamMember.objects.filter(patient=duplicate, user__in=on_kept_team).delete()
    for relation in patient_relations():
        key = relation_key(relation)
        if RELATIONS[key] in (HISTORY, DERIVED):
            continue
        count = _rows(relation, duplicate).update(**{relation.field.name: kept})
        if count:
            moved[_model(relation)._meta.label_lower] = count
    return moved, dropped


@transaction.atomic
def merge_records(
    *,
    actor: User,
    kept: Patient,
    duplicate: Patient,
    detail: Mapping[str, Any] | None = None,
) -> Patient:
    """Merge `duplicate` into `kept` (see the module docstring), or raise
    `MergeRefused` and change nothing. One audit row names both MRNs and how many
    rows of each kind moved; `detail` adds references (e.g. the online booking)."""
    # Lock order: both records first, ascending, then every row `_move` updates, then
    # the outcome summary (`refresh_summary`, which takes no row lock). FOR NO KEY
    # UPDATE, as a merge never changes a record's id: it still keeps other writers
    # of these records out, but lets a transaction already under way insert rows
    # pointing at them (its audit row, its summary rows) and commit, rather than
    # wait for this merge while holding a row the merge is about to move (a dose
    # holds its dosing session: the two waited for each other until PostgreSQL
    # failed one).
    first, second = sorted((kept.pk, duplicate.pk))
    locked = {
        p.pk: p
        for p in Patient.objects.select_for_update(no_key=True).filter(pk__in=[first, second])
    }
    if len(locked) != len({first, second}):
        raise MergeRefused("One of the records no longer exists.")
    kept, duplicate = locked[kept.pk], locked[duplicate.pk]
    _check(actor, kept, duplicate)
    filled = [f for f in FILLED_FIELDS if not getattr(kept, f) and getattr(duplicate, f)]
    portal_user = duplicate.user
    moved, dropped = _move(kept, duplicate)
    # Imported here: outcomes sits above patients.
    from kapclinic.outcomes.summary import refresh_summary

    refresh_summary([kept.pk, duplicate.pk])
    duplicate.user = None
    duplicate.is_active = False
    duplicate.merged_into = kept
    duplicate.merged_at = timezone.now()
    duplicate.save(update_fields=["user", "is_active", "merged_into", "merged_at", "updated_at"])
    changed = list(filled)
    for name in filled:
        setattr(kept, name, getattr(duplicate, name))
    if portal_user is not None:
        kept.user = portal_user
        changed.append("user")
    if changed:
        kept.save(update_fields=[*changed, "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=kept,
        obj=kept,
        detail={
            "merge": {"kept_mrn": kept.mrn, "merged_mrn": duplicate.mrn},
            "merged_patient": duplicate.pk,
            "moved": moved,
            "care_team_already_on_kept": dropped,
            "fields": sorted(changed),
            **(detail or {}),
        },
    )
    return kept
