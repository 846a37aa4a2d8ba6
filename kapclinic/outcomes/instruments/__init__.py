"""The questionnaires and rating scales of measurement-based care (CLINICAL.md 5).

Pure code (no Django, no other app). ``catalogue`` holds the instruments as data,
``scoring`` turns a list of answers into a ``Score``; ``score(code, answers)`` is
the one entry point the portal, staff forms, the API and background jobs use. See
each module's docstring for the rules and their sources.
"""

from kapclinic.outcomes.instruments.catalogue import (
    INSTRUMENTS,
    Band,
    CriticalItem,
    Instrument,
    Item,
)
from kapclinic.outcomes.instruments.scoring import (
    CSSRS_RISKS,
    DEFAULT_THRESHOLDS,
    FUTURE_THRESHOLDS,
    Score,
    score,
)

__all__ = [
    "CSSRS_RISKS",
    "DEFAULT_THRESHOLDS",
    "FUTURE_THRESHOLDS",
    "INSTRUMENTS",
    "Band",
    "CriticalItem",
    "Instrument",
    "Item",
    "Score",
    "score",
]
