"""The chain head recorded outside the database, so a shortened chain is noticed.

The hash chain proves that rows were not changed in place, but someone with
database rights can delete the newest rows and rewrite the head to match, or
restore an old backup: the chain is then consistent, only shorter. So the head is
also written, at intervals (`manage.py anchor_audit`, run by scripts/serve-prod or
cron), as one JSON line appended to a file under the var directory, and once a
day e-mailed to the clinic admins (`send_audit_digest`). `verify_audit` checks
that every anchor's row is still in the chain with the same hash: a chain that
ends before an anchor lost its tail or was restored from an old backup; a row
with another hash at an anchored place was rewritten.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.db import OperationalError
from django.utils import timezone
from django_tasks import task

from kapclinic.accounts.models import Role, User
from kapclinic.audit import seal
from kapclinic.audit.models import AuditChainHead, AuditEvent
from kapclinic.audit.verify import Problem

logger = logging.getLogger(__name__)

BEHIND_ANCHOR = "behind anchor"
ANCHOR_MISMATCH = "anchor mismatch"
BAD_ANCHOR = "bad anchor line"
DIGEST_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class Anchor:
    at: datetime
    seq: int
    row_id: int
    hash: str
    digest: bool = False

    def line(self) -> str:
        return json.dumps(
            {
                "at": self.at.isoformat(timespec="seconds"),
                "seq": self.seq,
                "id": self.row_id,
                "hash": self.hash,
                "digest": self.digest,
            },
            sort_keys=True,
        )


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def read_anchors(path: Path) -> tuple[list[Anchor], list[Problem]]:
    """The anchors in `path` (none if it does not exist) and any unreadable lines."""
    anchors: list[Anchor] = []
    problems: list[Problem] = []
    if not path.exists():
        return anchors, problems
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            anchors.append(
                Anchor(
                    at=datetime.fromisoformat(data["at"]),
                    seq=int(data["seq"]),
                    row_id=int(data["id"]),
                    hash=str(data["hash"]),
                    digest=bool(data.get("digest", False)),
                )
            )
        except (ValueError, KeyError, TypeError):
            problems.append(Problem(None, BAD_ANCHOR, f"line {number} of {path} is not an anchor"))
    return anchors, problems


def check_anchors(anchors: Iterable[Anchor]) -> list[Problem]:
    """Problems where the database's chain disagrees with an anchor."""
    wanted = {a.seq: a for a in anchors if a.seq > 0}
    if not wanted:
        return []
    found: dict[int, str | None] = {}
    seqs = sorted(wanted)
    for start in range(0, len(seqs), 1000):
        chunk = seqs[start : start + 1000]
        for seq, digest in AuditEvent.objects.filter(seq__in=chunk).values_list("seq", "hash"):
            if seq is not None:
                found[seq] = digest
    head_seq = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
    problems = []
    for seq in seqs:
        anchor = wanted[seq]
        when = anchor.at.isoformat(timespec="seconds")
        if seq not in found:
            problems.append(
                Problem(
                    anchor.row_id or None,
                    BEHIND_ANCHOR,
                    f"the anchor of {when} recorded event {seq} of the chain, but the "
                    f"database's chain has {head_seq} (newest events deleted, or an older "
                    "backup restored)",
                )
            )
        elif found[seq] != anchor.hash:
            problems.append(
                Problem(
                    anchor.row_id or None,
                    ANCHOR_MISMATCH,
                    f"event {seq} of the chain differs from the anchor of {when} (rewritten)",
                )
            )
    return problems


def write_anchor(path: Path | None = None) -> Anchor:
    """Seal what is pending, then append the chain head to the anchor file."""
    try:
        seal.seal_now(wait=True)
    except OperationalError:
        logger.warning("audit anchor: sealing postponed, the chain head stayed locked")
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    path = path or anchor_file()
    previous, _ = read_anchors(path)
    last_digest = max((a.at for a in previous if a.digest), default=None)
    now = timezone.now()
    digest_due = last_digest is None or now - last_digest >= DIGEST_EVERY
    anchor = Anchor(now, head.last_seq, head.last_id, head.last_hash, digest=digest_due)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Append and sync, so the line survives a crash right after this returns.
    with path.open("a") as f:
        f.write(anchor.line() + "\n")
        f.flush()
        os.fsync(f.fileno())
    if digest_due:
        send_audit_digest.enqueue(anchor.line())
    return anchor


def digest_message(anchor_line: str) -> tuple[str, str]:
    data = json.loads(anchor_line)
    subject = f"[{settings.SITE_NAME}] Audit trail digest for {data['at'][:10]}"
    body = (
        "This is the daily fingerprint of the clinic's audit trail. Keep this e-mail:\n"
        "if the audit trail is ever shortened or restored from an old backup, this\n"
        "check reports it:\n\n"
        f"    manage.py verify_audit --anchor {data['seq']}:{data['hash']}\n\n"
        f"Recorded at: {data['at']}\n"
        f"Events in the chain: {data['seq']}\n"
        f"Fingerprint (SHA-256): {data['hash']}\n"
    )
    return subject, body


@task()
def send_audit_digest(anchor_line: str) -> int:
    """E-mail the day's anchor to every active clinic admin; returns how many."""
    recipients = list(
        User.objects.filter(role=Role.CLINIC_ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    subject, body = digest_message(anchor_line)
    messages = [(subject, body, None, [address]) for address in recipients]
    return int(mail.send_mass_mail(messages, fail_silently=False))
