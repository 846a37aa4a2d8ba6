"""The refusals every schedule write raises, with messages written for people.

They live apart from the actions so each action module, and each caller that turns a
refusal into a form error or an API status (`kapclinic/api.py`), can name them
without importing the others.
"""

from __future__ import annotations


class SchedulingError(Exception):
    """A booking or status change that cannot be made; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(SchedulingError):
    """The actor may not do this (or the patient's pathway stage does not allow it)."""


class InvalidRequest(SchedulingError):
    """The request names something that cannot give this visit (a room at another site)."""


class SlotUnavailable(SchedulingError):
    """Nobody or nothing can provide the visit then (outside hours, closed, no prescriber)."""


class SlotTaken(SlotUnavailable):
    """A clinician, room or chair the visit needs is already held then."""

    def __init__(self, message: str, resource: str) -> None:
        super().__init__(message)
        self.resource = resource


class IllegalTransition(SchedulingError):
    """The appointment is not in a state this step starts from."""


class InsideChangeWindow(NotAllowed):
    """A patient tried to move or cancel a visit that is too close to change online."""
