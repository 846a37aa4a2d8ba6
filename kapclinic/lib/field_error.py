"""The error the pure clinical modules raise for a value that cannot be true.

A plain ``ValueError`` (so callers may catch that) that also carries the name of
the field or item at fault, so a form can attach the message to the right input
and the API can answer 400 with it. No Django imports: the pure clinical modules
(screening rules, monitoring, discharge, instruments) use it.
"""

from __future__ import annotations


class FieldValueError(ValueError):
    """A value that is impossible for ``field``; ``str()`` names the field first."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")
