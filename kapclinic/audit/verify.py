"""Checking the audit hash chain: no Django imports, so it can run on any rows.

A row is *altered* when its stored hash is not the hash of its content; a *broken
link* when its prev_hash is not the previous row's hash (a row before it was
deleted or rewritten); a *missing tail* when the chain head names a row other than
the last one found (the newest rows were deleted). The head is read before the
rows, so rows appended while the check runs are left for the next run. Anchors
kept outside the database (`audit/anchors.py`) catch a tail deleted together with
a rewritten head.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kapclinic.audit.chain import GENESIS_HASH, compute_hash, event_payload

# The columns `verify_rows` expects, in order (pass them to values_list).
ROW_FIELDS: tuple[str, ...] = (
    "id",
    "prev_hash",
    "hash",
    "occurred_at",
    "actor_id",
    "actor_role",
    "action",
    "outcome",
    "patient_id",
    "object_type",
    "object_id",
    "ip_address",
    "request_id",
    "path",
    "flagged",
    "detail",
)

ALTERED = "altered"
BROKEN_LINK = "broken link"
MISSING_TAIL = "missing tail"
HEAD_MISMATCH = "head mismatch"
MISSING_HEAD = "missing head"


@dataclass(frozen=True)
class Head:
    last_id: int
    last_hash: str


@dataclass(frozen=True)
class Problem:
    row_id: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row_id}" if self.row_id is not None else "chain"
        return f"{where}: {self.kind}: {self.message}"


@dataclass
class Report:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def row_payload(row: tuple[Any, ...]) -> dict[str, Any]:
    """The hashed content of a row (ROW_FIELDS tuple), without its chain columns."""
    values = dict(zip(ROW_FIELDS, row, strict=True))
    return event_payload(
        **{k: v for k, v in values.items() if k not in ("id", "prev_hash", "hash")}
    )


def row_hash(row: tuple[Any, ...]) -> str:
    """The hash a row should carry, given its stored prev_hash and content."""
    return compute_hash(row[1], row_payload(row))


def verify_rows(rows: Iterable[tuple[Any, ...]], head: Head | None) -> Report:
    """Walk rows (ROW_FIELDS tuples, in chain order) and check every hash and link.

    Chain order is the rows' `seq`, which is id order except for rows sealed late.
    """
    report = Report()
    expected_prev = GENESIS_HASH
    last_id: int | None = None
    last_hash = GENESIS_HASH
    for row in rows:
        row_id, prev_hash, stored_hash = row[0], row[1], row[2]
        report.checked += 1
        if prev_hash != expected_prev:
            report.problems.append(
                Problem(row_id, BROKEN_LINK, "prev_hash does not match the row before it")
            )
        if row_hash(row) != stored_hash:
            report.problems.append(Problem(row_id, ALTERED, "content does not match its hash"))
        expected_prev = stored_hash
        last_id, last_hash = row_id, stored_hash
    _check_head(report, head, last_id, last_hash)
    return report


def _check_head(report: Report, head: Head | None, last_id: int | None, last_hash: str) -> None:
    if head is None:
        if last_id is not None:
            report.problems.append(Problem(None, MISSING_HEAD, "events exist but no chain head"))
        return
    if head.last_id == 0 and last_id is None:
        return
    if last_id is None or last_id != head.last_id:
        report.problems.append(
            Problem(
                head.last_id,
                MISSING_TAIL,
                f"the chain head names row {head.last_id} but the last row found is {last_id}",
            )
        )
    elif head.last_hash != last_hash:
        report.problems.append(
            Problem(last_id, HEAD_MISMATCH, "the chain head's hash differs from the last row's")
        )
