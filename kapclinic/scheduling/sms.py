"""Text messages through a pluggable backend, chosen by the SMS_BACKEND setting.

A clinic plugs in its provider by naming a class with a `send(message)` method; the
two here need no provider: `ConsoleBackend` prints (development) and
`LocmemBackend` keeps messages in `outbox` (tests), as Django does for e-mail.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> None: ...


class ConsoleBackend:
    """Writes each message to standard output instead of sending it."""

    def send(self, message: SmsMessage) -> None:
        sys.stdout.write(f"SMS to {message.to}:\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()


# Messages "sent" through LocmemBackend; tests read and clear it.
outbox: list[SmsMessage] = []


class LocmemBackend:
    """Keeps messages in memory (`sms.outbox`) for tests."""

    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def send_sms(to: str, body: str) -> None:
    """Send one text message; a provider's error propagates so the caller can retry."""
    get_backend().send(SmsMessage(to=to, body=body))
