"""The hash chain over audit rows: how a row's hash is computed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def event_payload(
    *,
    occurred_at: datetime,
    actor_id: int | None,
    actor_role: str,
    action: str,
    outcome: str,
    patient_id: int | None,
    object_type: str,
    object_id: str,
    ip_address: str | None,
    request_id: str,
    path: str,
    flagged: bool,
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "action": action,
        "outcome": outcome,
        "patient_id": patient_id,
        "object_type": object_type,
        "object_id": object_id,
        "ip_address": ip_address,
        "request_id": request_id,
        "path": path,
        "flagged": flagged,
        "detail": detail,
    }


def compute_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()
