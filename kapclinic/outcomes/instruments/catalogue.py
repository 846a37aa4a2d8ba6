"""The instruments of CLINICAL.md section 5, as data: items, answer scales, bands.

Item labels are short summaries in our own words, not the questionnaires' wording:
a clinic adds licensed wording where the licence allows (CLINICAL.md 5: PHQ-9 and
GAD-7 are free to reproduce, PCL-5 is public domain; the others are not shipped).
Severity labels are the exact strings of CLINICAL.md 5.

Sources (CLINICAL.md 5 for scales, scoring, bands, LOINC codes and licences; the
instruments' own publications for what each item is about, summarised here):
PHQ-9 (Kroenke, Spitzer and Williams, J Gen Intern Med 2001;16:606) and GAD-7
(Spitzer et al., Arch Intern Med 2006;166:1092), both free to reproduce; PCL-5
(Weathers et al. 2013, US National Center for PTSD, public domain); QIDS-SR16 (Rush
et al., Biol Psychiatry 2003;54:573); C-SSRS screener (Posner et al., Am J
Psychiatry 2011;168:1266); MADRS (Montgomery and Asberg, Br J Psychiatry
1979;134:382); Y-BOCS (Goodman et al., Arch Gen Psychiatry 1989;46:1006: each half
rates time, interference, distress, resistance and control); CADSS-6 (items 1, 2,
6, 7, 15 and 22 of the CADSS; item content left to the clinic's licensed copy);
MOAA/S (labels from CLINICAL.md 5); BPRS positive symptoms (items 4, 11, 12 and 15
of the 18-item BPRS, Overall and Gorham, Psychol Rep 1962;10:799).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Item:
    """One question or rating, numbered from 1 in this instrument."""

    number: int
    label: str
    # The item's number in the full scale it is taken from (CADSS-6, BPRS).
    source_number: int | None = None
    # May be left unanswered (None): QIDS-SR16 appetite and weight items.
    skippable: bool = False
    # Counts towards no total (the PHQ-9 difficulty question).
    scored: bool = True
    loinc: str = ""


@dataclass(frozen=True)
class Band:
    """A severity label for totals from ``low`` to ``high`` inclusive."""

    low: int
    high: int
    label: str


@dataclass(frozen=True)
class CriticalItem:
    """An answer at or above ``at_or_above`` on ``item`` raises a risk alert at once.

    ``setting`` names the site threshold that may change the level, where the
    default is unconfirmed ([U] in CLINICAL.md).
    """

    item: int
    at_or_above: int
    setting: str = ""


@dataclass(frozen=True)
class Instrument:
    """A questionnaire or rating scale and how it is scored."""

    code: str
    name: str
    measures: str
    rater: Literal["patient", "clinician"]
    period: str
    items: tuple[Item, ...]
    # Answer labels for the values answer_min, answer_min + 1, ... (our words).
    answer_min: int
    answer_labels: tuple[str, ...]
    total_min: int | None
    total_max: int | None
    bands: tuple[Band, ...] = ()
    subscales: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    critical_items: tuple[CriticalItem, ...] = ()
    licence: str = "licensed: the clinic adds its own wording"
    loinc_panel: str = ""
    loinc_total: str = ""
    answer_loinc: tuple[str, ...] = ()

    @property
    def answer_max(self) -> int:
        return self.answer_min + len(self.answer_labels) - 1

    @property
    def yes_no(self) -> bool:
        return not self.answer_labels

    def band_for(self, total: int) -> str | None:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band.label
        return None


def _items(
    *labels: str, numbers: tuple[int, ...] = (), loinc: tuple[str, ...] = ()
) -> tuple[Item, ...]:
    return tuple(
        Item(
            number=index,
            label=label,
            source_number=numbers[index - 1] if numbers else None,
            loinc=loinc[index - 1] if loinc else "",
        )
        for index, label in enumerate(labels, start=1)
    )


_FREQUENCY = ("never", "some days", "over half the days", "almost every day")

PHQ9 = Instrument(
    code="phq9",
    name="PHQ-9",
    measures="depression",
    rater="patient",
    period="past 2 weeks",
    items=(
        *_items(
            "Little interest or enjoyment",
            "Low, down or hopeless mood",
            "Sleep problems (too little or too much)",
            "Tiredness or low energy",
            "Appetite changes (too little or too much)",
            "Feeling a failure or bad about oneself",
            "Trouble concentrating",
            "Moving or speaking slowly, or restlessness",
            "Thoughts of being better off dead or of self-harm",
            loinc=(
                "44250-9",
                "44255-8",
                "44259-0",
                "44254-1",
                "44251-7",
                "44258-2",
                "44252-5",
                "44253-3",
                "44260-8",
            ),
        ),
        Item(10, "How hard these problems make daily life", scored=False, loinc="69722-7"),
    ),
    answer_min=0,
    answer_labels=_FREQUENCY,
    total_min=0,
    total_max=27,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    critical_items=(CriticalItem(9, 1),),
    licence="free to reproduce",
    loinc_panel="44249-1",
    loinc_total="44261-6",
    answer_loinc=("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"),
)

GAD7 = Instrument(
    code="gad7",
    name="GAD-7",
    measures="anxiety",
    rater="patient",
    period="past 2 weeks",
    items=_items(
        "Nervous, anxious or on edge",
        "Unable to stop or control worry",
        "Worrying too much about many things",
        "Hard to relax",
        "Too restless to sit still",
        "Easily annoyed or irritable",
        "Fear that something awful may happen",
        loinc=("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
    ),
    answer_min=0,
    answer_labels=_FREQUENCY,
    total_min=0,
    total_max=21,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    licence="free to reproduce",
    loinc_panel="69737-5",
    loinc_total="70274-6",
    answer_loinc=("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"),
)

PCL5 = Instrument(
    code="pcl5",
    name="PCL-5",
    measures="post-traumatic stress",
    rater="patient",
    period="past month",
    items=_items(
        "Unwanted memories of the event",
        "Upsetting dreams about it",
        "Feeling it is happening again",
        "Upset by reminders",
        "Body reactions to reminders",
        "Avoiding memories, thoughts or feelings about it",
        "Avoiding people, places or situations that remind",
        "Trouble remembering parts of it",
        "Strong negative beliefs about oneself, others or the world",
        "Blaming oneself or others for it",
        "Strong negative feelings (fear, horror, anger, guilt, shame)",
        "Lost interest in activities",
        "Feeling distant or cut off from others",
        "Hard to feel positive feelings",
        "Irritable or angry outbursts",
        "Taking risks or acting in harmful ways",
        "Being on guard or watchful",
        "Jumpy or easily startled",
        "Trouble concentrating",
        "Trouble falling or staying asleep",
    ),
    answer_min=0,
    answer_labels=("not at all", "a little", "moderately", "a lot", "extremely"),
    total_min=0,
    total_max=80,
    # DSM-5 symptom clusters (CLINICAL.md 5).
    subscales={
        "cluster_b": (1, 2, 3, 4, 5),
        "cluster_c": (6, 7),
        "cluster_d": (8, 9, 10, 11, 12, 13, 14),
        "cluster_e": (15, 16, 17, 18, 19, 20),
    },
    licence="public domain (US National Center for PTSD)",
)

QIDS_SR16 = Instrument(
    code="qids_sr16",
    name="QIDS-SR16",
    measures="depression",
    rater="patient",
    period="past 7 days",
    items=(
        *_items(
            "Falling asleep",
            "Sleep during the night",
            "Waking too early",
            "Sleeping too much",
            "Sad mood",
        ),
        Item(6, "Appetite lower", skippable=True),
        Item(7, "Appetite higher", skippable=True),
        Item(8, "Weight lost", skippable=True),
        Item(9, "Weight gained", skippable=True),
        *(
            Item(number, label)
            for number, label in enumerate(
                (
                    "Concentration and decisions",
                    "View of oneself",
                    "Thoughts of death or suicide",
                    "Interest in people and activities",
                    "Energy",
                    "Feeling slowed down",
                    "Feeling restless",
                ),
                start=10,
            )
        ),
    ),
    answer_min=0,
    answer_labels=("none", "mild", "moderate", "severe"),
    total_min=0,
    total_max=27,
    bands=(
        Band(0, 5, "none"),
        Band(6, 10, "mild"),
        Band(11, 15, "moderate"),
        Band(16, 20, "severe"),
        Band(21, 27, "very severe"),
    ),
    critical_items=(CriticalItem(12, 2, setting="qids_sr16_suicide_item_at_or_above"),),
)

CSSRS_SCREEN = Instrument(
    code="cssrs_screen",
    name="C-SSRS screener",
    measures="suicide risk",
    rater="patient",
    period="recent thoughts; behaviour ever, and in the past 3 months",
    items=_items(
        "Wish to be dead",
        "Suicidal thoughts",
        "Thoughts of a method",
        "Intent to act",
        "A plan, with intent",
        "Suicidal behaviour ever (any act or preparation)",
        "That behaviour within the past 3 months",
    ),
    answer_min=0,
    answer_labels=(),
    total_min=None,
    total_max=None,
)

MADRS = Instrument(
    code="madrs",
    name="MADRS",
    measures="depression",
    rater="clinician",
    period="at the interview",
    items=_items(
        "Sadness seen",
        "Sadness reported",
        "Inner tension",
        "Less sleep",
        "Less appetite",
        "Trouble concentrating",
        "Hard to get started (lassitude)",
        "Unable to feel",
        "Pessimistic thoughts",
        "Suicidal thoughts",
    ),
    answer_min=0,
    answer_labels=(
        "none",
        "between none and mild",
        "mild",
        "between mild and moderate",
        "moderate",
        "between moderate and severe",
        "severe",
    ),
    total_min=0,
    total_max=60,
    bands=(
        Band(0, 6, "normal"),
        Band(7, 19, "mild"),
        Band(20, 34, "moderate"),
        Band(35, 60, "severe"),
    ),
    critical_items=(CriticalItem(10, 4, setting="madrs_suicide_item_at_or_above"),),
)

_YBOCS_PARTS = ("time taken", "interference", "distress", "resistance", "control")

YBOCS = Instrument(
    code="ybocs",
    name="Y-BOCS",
    measures="obsessive-compulsive symptoms",
    rater="clinician",
    period="at the interview",
    items=_items(
        *(f"Obsessions: {part}" for part in _YBOCS_PARTS),
        *(f"Compulsions: {part}" for part in _YBOCS_PARTS),
    ),
    answer_min=0,
    answer_labels=("none", "mild", "moderate", "severe", "extreme"),
    total_min=0,
    total_max=40,
    bands=(
        Band(0, 7, "subclinical"),
        Band(8, 15, "mild"),
        Band(16, 23, "moderate"),
        Band(24, 31, "severe"),
        Band(32, 40, "extreme"),
    ),
    subscales={"obsessions": (1, 2, 3, 4, 5), "compulsions": (6, 7, 8, 9, 10)},
)

# The clinic adds the licensed wording; we name the CADSS item each rating is.
CADSS6 = Instrument(
    code="cadss6",
    name="CADSS-6",
    measures="dissociation during the session",
    rater="clinician",
    period="now",
    items=_items(
        *(f"Dissociation, CADSS item {n}" for n in (1, 2, 6, 7, 15, 22)),
        numbers=(1, 2, 6, 7, 15, 22),
    ),
    answer_min=0,
    answer_labels=("none", "slight", "moderate", "strong", "extreme"),
    total_min=0,
    total_max=24,
)

MOAAS = Instrument(
    code="moaas",
    name="MOAA/S",
    measures="sedation",
    rater="clinician",
    period="now",
    items=_items("Responsiveness"),
    answer_min=0,
    answer_labels=(
        "no response",
        "responds to trapezius squeeze",
        "responds to prodding",
        "responds to loud voice",
        "lethargic",
        "alert",
    ),
    total_min=0,
    total_max=5,
    bands=(
        Band(0, 0, "no response"),
        Band(1, 1, "responds to trapezius squeeze"),
        Band(2, 2, "responds to prodding"),
        Band(3, 3, "responds to loud voice"),
        Band(4, 4, "lethargic"),
        Band(5, 5, "alert"),
    ),
)

BPRS_POS = Instrument(
    code="bprs_pos",
    name="BPRS positive symptoms",
    measures="psychotic symptoms",
    rater="clinician",
    period="now",
    items=_items(
        "Conceptual disorganisation",
        "Suspiciousness",
        "Hallucinatory behaviour",
        "Unusual thought content",
        numbers=(4, 11, 12, 15),
    ),
    answer_min=1,
    answer_labels=(
        "absent",
        "very mild",
        "mild",
        "moderate",
        "moderately severe",
        "severe",
        "extremely severe",
    ),
    total_min=4,
    total_max=28,
)

INSTRUMENTS: dict[str, Instrument] = {
    instrument.code: instrument
    for instrument in (
        PHQ9,
        GAD7,
        PCL5,
        QIDS_SR16,
        CSSRS_SCREEN,
        MADRS,
        YBOCS,
        CADSS6,
        MOAAS,
        BPRS_POS,
    )
}
