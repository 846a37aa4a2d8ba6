"""Properties: totals stay in range; raising one answer never lowers a total, band or flag."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from kapclinic.outcomes.instruments import CSSRS_RISKS, INSTRUMENTS, score

NUMERIC = sorted(code for code, instrument in INSTRUMENTS.items() if not instrument.yes_no)


@st.composite
def completed(draw, code=None):
    """A code and a valid list of answers for it, with skippable items sometimes skipped."""
    code = code or draw(st.sampled_from(NUMERIC))
    instrument = INSTRUMENTS[code]
    answer = st.integers(instrument.answer_min, instrument.answer_max)
    values = [
        draw(st.none() | answer) if (item.skippable or not item.scored) else draw(answer)
        for item in instrument.items
    ]
    if code == "qids_sr16" and all(values[n - 1] is None for n in (6, 7, 8, 9)):
        values[5] = draw(answer)
    return code, values


def band_rank(code, severity):
    instrument = INSTRUMENTS[code]
    if code == "pcl5":
        return ["below threshold", "probable PTSD"].index(severity)
    labels = [band.label for band in instrument.bands]
    return labels.index(severity) if labels else 0


@given(completed())
def test_totals_stay_in_range_and_have_a_band(case):
    code, values = case
    instrument = INSTRUMENTS[code]
    result = score(code, values)
    assert result.total is not None
    assert instrument.total_min is not None
    assert instrument.total_max is not None
    assert instrument.total_min <= result.total <= instrument.total_max
    if instrument.bands:
        assert result.severity == instrument.band_for(result.total)


@given(data=st.data(), case=completed())
def test_raising_one_answer_never_lowers_total_severity_or_flags(data, case):
    code, values = case
    instrument = INSTRUMENTS[code]
    answered = [i for i, value in enumerate(values) if value is not None]
    index = data.draw(st.sampled_from(answered))
    raised = list(values)
    raised[index] = data.draw(st.integers(values[index], instrument.answer_max))
    before, after = score(code, values), score(code, raised)
    assert before.total is not None
    assert after.total is not None
    assert after.total >= before.total
    assert band_rank(code, after.severity) >= band_rank(code, before.severity)
    assert set(before.flags) <= set(after.flags)
    for name, value in before.subscales.items():
        assert after.subscales[name] >= value


@st.composite
def cssrs_answers(draw):
    """Answers that follow the screener's skip logic."""
    wish, thoughts = draw(st.booleans()), draw(st.booleans())
    details = [draw(st.booleans()) for _ in range(3)] if thoughts else [None] * 3
    behaviour = draw(st.booleans())
    recent = draw(st.booleans()) if behaviour else None
    return [wish, thoughts, *details, behaviour, recent]


@given(data=st.data(), values=cssrs_answers())
def test_cssrs_a_new_yes_never_lowers_the_risk(data, values):
    before = score("cssrs_screen", values)
    noes = [i for i, value in enumerate(values) if value is False]
    assume(noes)
    index = data.draw(st.sampled_from(noes))
    raised = list(values)
    raised[index] = True
    # A new yes to item 2 or 6 opens the questions that follow it, answered no.
    if index == 1:
        raised[2:5] = [False, False, False]
    if index == 5:
        raised[6] = False
    after = score("cssrs_screen", raised)
    assert CSSRS_RISKS.index(after.severity) >= CSSRS_RISKS.index(before.severity)
    assert set(before.flags) <= set(after.flags)
