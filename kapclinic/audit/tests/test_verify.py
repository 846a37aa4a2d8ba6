import datetime as dt
from typing import Any

from kapclinic.audit import chain
from kapclinic.audit.verify import (
    ALTERED,
    BROKEN_LINK,
    HEAD_MISMATCH,
    MISSING_HEAD,
    MISSING_TAIL,
    Head,
    Problem,
    verify_rows,
)

WHEN = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _content() -> dict[str, Any]:
    return {
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
        "detail": {},
    }


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


def test_every_row_deleted_under_a_head_is_a_missing_tail():
    rows = _rows(3)
    report = verify_rows([], Head(3, rows[-1][2]))
    assert [(p.row_id, p.kind) for p in report.problems] == [(3, MISSING_TAIL)]


def test_a_fresh_head_with_no_rows_is_ok():
    assert verify_rows([], Head(0, chain.GENESIS_HASH)).ok


def test_head_naming_the_last_row_with_another_hash_is_a_mismatch():
    rows = _rows(3)
    report = verify_rows(rows, Head(3, "e" * 64))
    assert [(p.row_id, p.kind) for p in report.problems] == [(3, HEAD_MISMATCH)]


def test_problems_read_as_row_or_chain():
    assert str(Problem(4, ALTERED, "x")) == "row 4: altered: x"
    assert str(Problem(None, MISSING_HEAD, "y")) == "chain: missing head: y"


def test_the_hash_does_not_depend_on_key_order():
    # PostgreSQL's jsonb gives `detail` back with its keys in its own order, so the
    # hash must not depend on the order a payload's keys were written in.
    payload = chain.event_payload(**{**_content(), "detail": {"b": 1, "a": {"z": 2, "y": 3}}})
    shuffled = dict(reversed(payload.items()))
    shuffled["detail"] = {"a": {"y": 3, "z": 2}, "b": 1}
    assert chain.compute_hash("0" * 64, payload) == chain.compute_hash("0" * 64, shuffled)
