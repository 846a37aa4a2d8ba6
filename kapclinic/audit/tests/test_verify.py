import datetime as dt
from typing import Any

from kapclinic.audit import chain
from kapclinic.audit.verify import (
    ALTERED,
    BROKEN_LINK,
    MISSING_HEAD,
    MISSING_TAIL,
    Head,
    verify_rows,
)

WHEN = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _rows(n):
    rows, prev = [], chain.GENESIS_HASH
    for i in range(1, n + 1):
        content: dict[str, Any] = {
            "occurred_at": WHEN,
            "actor_id": 1,
            "actor_role": "nurse",
            "action": "view",
            "outcome": "success",
            "patient_id": 7,
            "object_type": "",
            "object_id": "",
            "ip_address": None,
            "request_id": "",
            "path": "/",
            "flagged": False,
            "detail": {"n": i},
        }
        digest = chain.compute_hash(prev, chain.event_payload(**content))
        rows.append((i, prev, digest, *content.values()))
        prev = digest
    return rows


def test_empty_chain_is_ok():
    report = verify_rows([], None)
    assert report.ok and report.checked == 0


def test_intact_chain_is_ok():
    rows = _rows(3)
    report = verify_rows(rows, Head(3, rows[-1][2]))
    assert report.ok and report.checked == 3


def test_changed_detail_is_altered():
    rows = _rows(3)
    rows[1] = (*rows[1][:-1], {"n": 99})
    report = verify_rows(rows, Head(3, rows[-1][2]))
    assert [(p.row_id, p.kind) for p in report.problems] == [(2, ALTERED)]


def test_missing_middle_row_breaks_the_link():
    rows = _rows(3)
    report = verify_rows([rows[0], rows[2]], Head(3, rows[-1][2]))
    assert [(p.row_id, p.kind) for p in report.problems] == [(3, BROKEN_LINK)]


def test_missing_newest_row_is_a_missing_tail():
    rows = _rows(3)
    report = verify_rows(rows[:2], Head(3, rows[-1][2]))
    assert [(p.row_id, p.kind) for p in report.problems] == [(3, MISSING_TAIL)]


def test_rows_without_a_head_are_reported():
    report = verify_rows(_rows(1), None)
    assert [p.kind for p in report.problems] == [MISSING_HEAD]
