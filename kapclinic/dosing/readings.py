"""Storing vital signs: the one path for a nurse's entry and a monitor's feed.

`record_readings` checks every reading of a batch with `monitoring.alerts_for` (the
site's thresholds, the session's baseline, pre-dose rules before the first dose)
before storing any of them: one impossible value refuses the whole batch, naming
the reading and the field, and nothing is stored. Alerts are stored with the
readings that raised them, in the same transaction, with one audit row per batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import SiteSettings
from kapclinic.dosing.models import DosingSession, SessionAlert, SessionState, VitalReading
from kapclinic.dosing.monitoring import DEFAULT_THRESHOLDS, alerts_for
from kapclinic.lib.field_error import FieldValueError
from kapclinic.patients.access import clinical_write_basis

# States in which vital signs are taken (baseline during the pre-dose checks).
RECORDING_STATES = frozenset(
    {
        SessionState.PRE_CHECKS,
        SessionState.DOSING,
        SessionState.OBSERVATION,
        SessionState.READY_FOR_DISCHARGE,
    }
)
PRE_DOSE_STATES = frozenset({SessionState.SCHEDULED, SessionState.PRE_CHECKS})
# A monitor's clock may run a little ahead of the server's; more is a wrong clock.
CLOCK_SKEW = timedelta(minutes=2)
MAX_BATCH = 500
VITAL_FIELDS = ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate", "moaas")


class ReadingRefused(ValueError):
    """A reading that cannot be stored; `field` names it ("readings[2].spo2")."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


@dataclass(frozen=True)
class Recorded:
    readings: list[VitalReading]
    alerts: list[SessionAlert]

    @property
    def urgent(self) -> bool:
        return any(a.level == SessionAlert.Level.URGENT for a in self.alerts)


def site_thresholds(site_id: int) -> dict[str, int]:
    """The site's alert thresholds (SiteSettings fields named as the rules name them)."""
    names = list(DEFAULT_THRESHOLDS)
    row = SiteSettings.objects.filter(site_id=site_id).values(*names).first()
    return dict(row) if row else dict(DEFAULT_THRESHOLDS)


def _locked_state_and_thresholds(session: DosingSession) -> tuple[str | None, dict[str, int]]:
    """The session's state, read under a row lock so a reading never lands on a
    session discharged or stopped a moment ago, and its site's thresholds: one query
    (a monitor posts often; each round trip counts)."""
    names = list(DEFAULT_THRESHOLDS)
    row = (
        # Only the session's row is locked; the site's settings may be absent (the
        # nullable side of the join, which PostgreSQL would refuse to lock).
        DosingSession.objects.select_for_update(of=("self",))
        .filter(pk=session.pk)
        .values("state", *(f"site__settings__{name}" for name in names))
        .first()
    )
    if row is None:
        return None, dict(DEFAULT_THRESHOLDS)
    found = {name: row[f"site__settings__{name}"] for name in names}
    # Every threshold column is NOT NULL, so None means the site has no settings row.
    if any(value is None for value in found.values()):
        return row["state"], dict(DEFAULT_THRESHOLDS)
    return row["state"], found


def baseline_for(session: DosingSession) -> dict[str, Any] | None:
    """The session's baseline reading (the latest one marked baseline), or None."""
    row = (
        VitalReading.objects.filter(session=session, is_baseline=True, corrected_by__isnull=True)
        .order_by("-taken_at", "-id")
        .first()
    )
    return row.as_reading() if row else None


def _taken_at(value: object, field: str, now: datetime) -> datetime:
    if value is None:
        return now
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ReadingRefused(field, "must be a date and time with its time zone")
    if value > now + CLOCK_SKEW:
        raise ReadingRefused(field, "is in the future; check the monitor's clock")
    return value


def record_readings(
    *,
    session: DosingSession,
    readings: Sequence[Mapping[str, Any]],
    source: str = VitalReading.Source.NURSE,
    actor: User | None,
    device_label: str = "",
    is_baseline: bool = False,
) -> Recorded:
    """Check and store `readings` (each a mapping of vital signs, optionally with
    `taken_at`) for `session`, with the alerts they raise; all or nothing.

    `actor` is the staff member entering them (checked against the care team), or
    None for a monitor (`source` DEVICE), whose token the caller has checked.
    Raises ReadingRefused (bad value, too many, wrong state) or PermissionDenied.
    """
    if actor is None and source != VitalReading.Source.DEVICE:
        raise PermissionDenied("Readings are entered by a named member of staff.")
    basis = None if actor is None else clinical_write_basis(actor, session.patient)
    if actor is not None and basis is None:
        raise PermissionDenied("Only the patient's care team may record vital signs.")
    if not readings:
        raise ReadingRefused("readings", "send at least one reading")
    if len(readings) > MAX_BATCH:
        raise ReadingRefused("readings", f"send at most {MAX_BATCH} readings at a time")
    now = timezone.now()
    with transaction.atomic():
        state, thresholds = _locked_state_and_thresholds(session)
        if state not in RECORDING_STATES:
            raise ReadingRefused(
                "session", "vital signs are recorded only between the pre-dose checks and discharge"
            )
        pre_dose = state in PRE_DOSE_STATES
        baseline = None if is_baseline else baseline_for(session)
        rows: list[VitalReading] = []
        found: list[list[Any]] = []
        for index, raw in enumerate(readings):
            name = f"readings[{index}]" if len(readings) > 1 else "reading"
            if not isinstance(raw, Mapping):
                raise ReadingRefused(name, "must be a set of vital signs")
            vitals = {k: v for k, v in raw.items() if k != "taken_at"}
            if not any(vitals.get(k) is not None for k in (*VITAL_FIELDS, "symptoms")):
                raise ReadingRefused(name, "has no vital signs in it")
            try:
                alerts = alerts_for(
                    vitals, baseline=baseline, pre_dose=pre_dose, thresholds=thresholds
                )
            except FieldValueError as exc:
                raise ReadingRefused(f"{name}.{exc.field}", exc.problem) from exc
            rows.append(
                VitalReading(
                    session=session,
                    taken_at=_taken_at(raw.get("taken_at"), f"{name}.taken_at", now),
                    is_baseline=is_baseline,
                    symptoms=list(vitals.get("symptoms") or []),
                    source=source,
                    recorded_by=actor,
                    recorded_at=now,
                    **{k: vitals.get(k) for k in VITAL_FIELDS},
                )
            )
            found.append(alerts)
        stored = VitalReading.objects.bulk_create(rows)
        alert_rows = [
            SessionAlert(
                session=session,
                reading=row,
                level=alert.level,
                rule=alert.rule,
                message=alert.message,
                raised_at=now,
            )
            for row, alerts in zip(stored, found, strict=True)
            for alert in alerts
        ]
        SessionAlert.objects.bulk_create(alert_rows)
        record(
            actor=actor,
            action=AuditAction.CREATE,
            patient=session.patient,
            obj=session,
            flagged=basis is not None and basis.via_break_glass,
            detail={
                **({"break_glass_grant": basis.grant_id} if basis and basis.grant_id else {}),
                "what": "vital_signs",
                "readings": len(stored),
                "alerts": len(alert_rows),
                "source": str(source),
                **({"device": device_label} if device_label else {}),
            },
        )
    return Recorded(stored, alert_rows)
