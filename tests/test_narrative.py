"""Narrative sentences: polarity words, stated uncertainty, rounded numbers, the glossary.

Where expected values come from: the sentences are the wording rules of analysis/narrative.py
applied by hand to hand-built inputs; the numbers are rounded half away from zero on the
decimal the value reads (methods.md section 5: 2.25 -> 2.3 at 1 place, 0.125 -> 0.13 at 2,
72.5 -> 73 at 0, which Python's binary round() gets wrong for 2.675 -> 2.67); the SPC,
trend and deterioration inputs are built by hand or by analysis.spc / analysis.trend on series
whose patterns are obvious by construction (a level shift, a steady fall); the recent-trend
example is the Fingertips worked example of analysis/trend.py's docstring.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis.assessment import assess
from analysis.catalogue import Indicator, load_catalogue
from analysis.narrative import (
    NOTHING_NEEDS_ATTENTION,
    TERMS,
    Glossary,
    comparison_sentence,
    deterioration_sentence,
    format_number,
    key_messages,
    period_text,
    rag_sentence,
    spc_sentence,
    trend_sentence,
    unit_suffix,
)
from analysis.rag import rag
from analysis.spc import summarise, xmr
from analysis.trend import Deterioration, recent_trend, sustained_deterioration

CATALOGUE = load_catalogue()
REREFERRALS = CATALOGUE["rereferrals_12m_pct"]  # low is better, percent, 1 dp, monthly
ASSESSMENTS = CATALOGUE["assessments_45d_pct"]  # high is better
CLA = CATALOGUE["cla_rate_per_10k"]  # neutral, rate per 10,000, 0 dp
CASELOAD = CATALOGUE["sw_caseload"]  # low is better, cases, 1 dp


def _indicator(polarity: str, unit: str = "percent", dps: int = 1) -> Indicator:
    return Indicator(
        id="x",
        title="Test indicator",
        description="",
        polarity=polarity,
        unit=unit,
        decimal_places=dps,
        period_type="financial year",
        local={"id": "x", "frequency": "month"},
    )


def _words_after_title(sentence: str, title: str) -> int:
    return len(sentence.removeprefix(title).split())


# --- numbers, units, periods ----------------------------------------------------------------


def test_numbers_are_rounded_half_away_from_zero_on_the_shown_decimal():
    # by hand: 2.25 -> 2.3 (1 dp); 0.125 -> 0.13 (2 dp); 2.675 -> 2.68 (the decimal the float
    # reads, though its binary value is 2.67499999...); -2.5 -> -3 (away from zero)
    assert format_number(_indicator("low"), 2.25) == "2.3%"
    assert format_number(_indicator("low", dps=2), 0.125) == "0.13%"
    assert format_number(_indicator("low", dps=2), 2.675) == "2.68%"
    assert format_number(_indicator("neutral", "cases", 0), -2.5) == "-3 cases"
    assert format_number(CLA, 72.5) == "73 per 10,000 children"
    assert format_number(CASELOAD, 16.25) == "16.3 cases"
    assert format_number(REREFERRALS, 21.44) == "21.4%"
    assert format_number(CLA, 1204.5) == "1,205 per 10,000 children"


def test_a_missing_number_shows_its_status_in_words_never_zero():
    assert format_number(REREFERRALS, None, "c") == "suppressed"
    assert format_number(REREFERRALS, np.nan) == "not available"
    assert format_number(REREFERRALS, float("nan"), "x") == "not available"


def test_units_read_as_words():
    assert unit_suffix("percent") == "%"
    assert unit_suffix("% CIN") == "%"
    assert unit_suffix("rate per 10,000") == " per 10,000 children"
    assert unit_suffix("Rate per 10,000") == " per 10,000 children"
    assert unit_suffix("cases") == " cases"
    assert unit_suffix("Average Score") == ""
    assert unit_suffix("number") == ""


def test_period_labels_read_as_words():
    assert period_text("Sep 2025") == "September 2025"
    assert period_text("Jul-Sep 2025") == "July to September 2025"
    assert period_text("2024-25") == "2024-25"
    assert period_text(0) == "point 1"
    assert period_text(None) == "an unknown period"


# --- glossary --------------------------------------------------------------------------------


def test_the_glossary_lists_each_term_once_in_order_of_first_use():
    glossary = Glossary()
    for term in ["RAG", "recent trend", "RAG", "suppressed", "recent trend", "process limits"]:
        assert glossary.use(term) == term
    assert glossary.terms == ["RAG", "recent trend", "suppressed", "process limits"]
    definitions = glossary.definitions()
    assert [t for t, _ in definitions] == glossary.terms
    assert all(len(d.split()) >= 8 for _, d in definitions)
    html = glossary.html()
    assert html.count("<dt>") == 4 and html.index("RAG") < html.index("Recent trend")
    assert glossary.markdown().count("\n- **") == 4


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(sorted(TERMS)), max_size=30))
def test_any_sequence_of_uses_gives_the_distinct_terms_in_first_use_order(uses):
    glossary = Glossary()
    for term in uses:
        glossary.use(term)
    assert glossary.terms == list(dict.fromkeys(uses))


def test_the_glossary_has_every_term_of_the_brief_and_refuses_others():
    assert set(TERMS) == {
        "special cause variation",
        "common cause variation",
        "process limits",
        "statistical neighbours",
        "quartile band",
        "confidence interval / significantly different",
        "recent trend",
        "RAG",
        "sustained deterioration",
        "suppressed",
        "variation and assurance icons",
        "rebase",
        "good or outstanding councils",
        "funnel plot",
    }
    with pytest.raises(ValueError, match="not a glossary term"):
        Glossary().use("p-value")


def test_the_suppressed_definition_follows_the_threshold_and_an_empty_glossary_renders_nothing():
    glossary = Glossary(threshold=5)
    glossary.use("suppressed")
    assert "counts from 1 to 4" in glossary.definitions()[0][1]
    assert Glossary().html() == "" and Glossary().markdown() == ""


def test_the_constants_in_definitions_come_from_the_methods():
    # methods.md section 1: limits at 2.66 x mean moving range, trial below 13 points, runs of 7
    assert "2.66 times" in TERMS["process limits"]
    assert "fewer than 13 points" in TERMS["process limits"]
    assert "7 or more points in a row" in TERMS["special cause variation"]
    assert "99.8% confidence" in TERMS["recent trend"]


#: What text shows that a glossary term was used.
EVIDENCE = {
    "special cause variation": "special cause",
    "common cause variation": "common cause",
    "process limits": "process limit",
    "statistical neighbours": "neighbours",
    "confidence interval / significantly different": "significantly",
    "recent trend": "recent trend",
    "RAG": "",
    "sustained deterioration": "sustained deterioration",
    "suppressed": "suppressed",
    "variation and assurance icons": "icons",
    "rebase": "rebase",
    "good or outstanding councils": "good or outstanding",
    "funnel plot": "funnel",
}


def _check_terms_are_in_text(glossary: Glossary, text: str) -> None:
    for term in glossary.terms:
        assert EVIDENCE[term].lower() in text.lower(), (term, text)


# --- comparison ------------------------------------------------------------------------------


def test_worse_than_england_for_a_lower_is_better_indicator():
    glossary = Glossary()
    sentence = comparison_sentence(
        REREFERRALS, 25.34, "England", 22.0, "worse", glossary, area_name="Demoshire"
    )
    assert sentence == (
        "Demoshire's 25.3% is higher than England's 22.0%, which is significantly worse "
        "(95% confidence)."
    )
    assert glossary.terms == ["confidence interval / significantly different"]


def test_better_than_england_for_a_higher_is_better_indicator():
    sentence = comparison_sentence(
        ASSESSMENTS, 85.06, "England", 80.0, "higher", None, area_name="Demoshire", confidence=0.998
    )
    assert sentence == (
        "Demoshire's 85.1% is higher than England's 80.0%, which is significantly better "
        "(99.8% confidence)."
    )


def test_a_neutral_indicator_is_only_higher_or_lower():
    sentence = comparison_sentence(CLA, 65.4, "England", 70.0, "lower", None, area_name="Kent")
    assert sentence == (
        "Kent's 65 per 10,000 children is significantly lower than England's 70 per 10,000 "
        "children (95% confidence)."
    )
    assert "better" not in sentence and "worse" not in sentence


def test_a_difference_that_is_not_significant_says_so():
    sentence = comparison_sentence(
        REREFERRALS, 23.04, "England", 22.0, "similar", None, area_name="Demoshire"
    )
    assert sentence == (
        "Demoshire's 23.0% is higher than England's 22.0%, but not significantly different "
        "from England (95% confidence)."
    )
    same = comparison_sentence(REREFERRALS, 22.0, "England", 22.0, "similar", None)
    assert same.startswith("The council's 22.0% is the same as England's 22.0%: not signif")


def test_a_comparison_that_cannot_be_tested_says_why():
    glossary = Glossary()
    sentence = comparison_sentence(
        REREFERRALS,
        25.3,
        "statistical neighbours",
        22.0,
        None,
        glossary,
        reason="no numerator and denominator",
    )
    assert sentence == (
        "The council's 25.3% is higher than statistical neighbours' 22.0%; whether the "
        "difference is significant cannot be tested: no numerator and denominator."
    )
    assert glossary.terms == ["statistical neighbours"]


def test_a_missing_figure_is_named_not_compared():
    glossary = Glossary()
    sentence = comparison_sentence(
        REREFERRALS, None, "England", 22.0, None, glossary, area_name="Demoshire", status="c"
    )
    assert sentence == "Demoshire has no figure to compare with England (suppressed)."
    assert glossary.terms == ["suppressed"]
    assert comparison_sentence(REREFERRALS, 25.0, "England", None, None, None) == (
        "There is no England figure to compare with."
    )


@pytest.mark.parametrize(
    ("indicator", "value", "compared"),
    [
        (CLA, 75.0, "better"),  # a neutral indicator is never better or worse
        (REREFERRALS, 25.0, "better"),  # higher re-referrals are worse
        (REREFERRALS, 25.0, "lower"),  # 25 is not lower than 22
        (REREFERRALS, 22.0, "worse"),  # equal values cannot differ significantly
        (REREFERRALS, 25.0, "bigger"),
    ],
)
def test_contradictory_comparisons_are_refused(indicator, value, compared):
    with pytest.raises(ValueError):
        comparison_sentence(indicator, value, "England", 22.0, compared, None)


@settings(max_examples=50, deadline=None)
@given(
    value=st.floats(0, 100, allow_nan=False),
    england=st.floats(0, 100, allow_nan=False),
)
def test_swapping_polarity_swaps_better_and_worse_in_comparisons(value, england):
    assume(value != england)
    compared = "higher" if value > england else "lower"
    high = comparison_sentence(_indicator("high"), value, "England", england, compared, None)
    low = comparison_sentence(_indicator("low"), value, "England", england, compared, None)
    assert ("better" in high) == ("worse" in low) and ("worse" in high) == ("better" in low)
    assert ("better" in high) != ("worse" in high)
    assert high.replace("better", "worse") == low or high.replace("worse", "better") == low


# --- RAG -------------------------------------------------------------------------------------


def test_rag_sentences_for_each_rating():
    glossary = Glossary()
    assert rag_sentence(REREFERRALS, 25.3, 22.0, "red", glossary, tolerance=2.0) == (
        "Red: 25.3% against a target of 22.0% or lower, worse than the target by more than "
        "the tolerance of 2.0 points."
    )
    assert rag_sentence(REREFERRALS, 23.1, 22.0, "amber", glossary, tolerance=2.0) == (
        "Amber: 23.1% against a target of 22.0% or lower, worse than the target but within "
        "the tolerance of 2.0 points."
    )
    assert rag_sentence(REREFERRALS, 20.04, 22.0, "green", glossary) == (
        "Green: 20.0% against a target of 22.0% or lower, better than the target."
    )
    assert rag_sentence(ASSESSMENTS, 80.0, 80.0, "green", glossary) == (
        "Green: 80.0% against a target of 80.0% or higher, meeting the target."
    )
    assert rag_sentence(
        ASSESSMENTS, 70.0, 80.0, "red", glossary, tolerance=0.05, tolerance_type="relative"
    ) == (
        "Red: 70.0% against a target of 80.0% or higher, worse than the target by more than "
        "the tolerance of 5% of the target."
    )
    assert rag_sentence(CASELOAD, 19.0, 16.0, "red", glossary, tolerance=1.5) == (
        "Red: 19.0 cases against a target of 16.0 cases or lower, worse than the target by "
        "more than the tolerance of 1.5 cases."
    )
    assert glossary.terms == ["RAG"]


def test_no_rating_says_why():
    assert rag_sentence(CLA, 70.0, 60.0, None, None) == (
        "No RAG rating: this indicator has no better or worse direction."
    )
    assert rag_sentence(REREFERRALS, 25.0, None, None, None) == "No RAG rating: no target is set."
    glossary = Glossary()
    assert rag_sentence(REREFERRALS, None, 22.0, None, glossary, status="c") == (
        "No RAG rating: no figure for this period (suppressed)."
    )
    assert glossary.terms == ["RAG", "suppressed"]


@pytest.mark.parametrize(
    ("value", "rating"),
    [(25.0, "green"), (20.0, "red"), (20.0, "amber"), (25.0, "purple"), (None, "red")],
)
def test_a_rating_that_does_not_fit_is_refused(value, rating):
    with pytest.raises(ValueError):
        rag_sentence(REREFERRALS, value, 22.0, rating, None)


@settings(max_examples=50, deadline=None)
@given(
    value=st.floats(0, 100, allow_nan=False),
    target=st.floats(1, 100, allow_nan=False),
    tolerance=st.floats(0, 10, allow_nan=False),
)
def test_swapping_polarity_swaps_better_and_worse_in_rag_sentences(value, target, tolerance):
    assume(value != target)
    sentences = {}
    for polarity in ("high", "low"):
        rating = rag(value, target, tolerance, polarity)  # analysis.rag decides the colour
        sentences[polarity] = rag_sentence(
            _indicator(polarity), value, target, rating, None, tolerance=tolerance
        )
    high, low = sentences["high"], sentences["low"]
    assert ("worse" in high) != ("worse" in low)  # exactly one of them is worse
    assert ("or higher" in high) and ("or lower" in low)
    worse_when_high = value < target
    assert ("worse" in high) == worse_when_high
    assert high.startswith("Green") != worse_when_high


# --- SPC -------------------------------------------------------------------------------------


def _summary(**changes):
    base = {
        "n_points": 36,
        "n_values": 36,
        "latest_period": "Mar 2025",
        "latest_value": 26.1,
        "group": 0,
        "mean": 23.0,
        "lpl": 17.2,
        "upl": 28.8,
        "trial_limits": False,
        "variation_icon": "common_cause",
        "assurance_icon": None,
        "special_cause_rule": None,
        "special_cause_type": None,
        "special_cause_period": None,
        "special_cause_since": None,
        "reason": None,
        "assurance_reason": None,
    }
    base.update(changes)
    return base


CONCERN_HIGH = {
    "variation_icon": "concern_high",
    "special_cause_type": "special_cause_concern",
    "special_cause_period": "Mar 2025",
}


def test_a_shift_of_concern_for_a_lower_is_better_indicator():
    glossary = Glossary()
    summary = _summary(**CONCERN_HIGH, special_cause_rule="shift", special_cause_since="Apr 2024")
    assert spc_sentence(REREFERRALS, summary, glossary) == (
        "Re-referrals within 12 months: every month since April 2024 has been above the "
        "average (a run of 7 or more), which is special cause variation and a concern."
    )
    assert glossary.terms == ["special cause variation"]


def test_while_the_figures_change_the_assurance_is_said_to_need_a_rebase():
    # Making Data Count: the limits say what to expect only of a stable process. With the
    # latest point special cause, the icon's reading is given with that caveat, not as a
    # forecast ("If nothing changes, ...").
    glossary = Glossary()
    summary = _summary(
        **CONCERN_HIGH,
        special_cause_rule="shift",
        special_cause_since="Apr 2024",
        assurance_icon="hit_and_miss",
    )
    sentence = spc_sentence(REREFERRALS, summary, glossary, target=22.0)
    assert sentence.endswith(
        "By the process limits, the target of 22.0% will be met in some months and missed in "
        "others. But the limits describe the figures before this change: a rebase is needed "
        "to know what to expect."
    )
    assert "If nothing changes" not in sentence
    assert glossary.terms == ["special cause variation", "rebase"]


def test_the_same_shift_is_an_improvement_and_below_average_when_higher_is_better():
    summary = _summary(
        variation_icon="improvement_high",
        special_cause_type="special_cause_improvement",
        special_cause_period="Mar 2025",
        special_cause_rule="shift",
        special_cause_since="Apr 2024",
    )
    sentence = spc_sentence(ASSESSMENTS, summary, None)
    assert "every month since April 2024 has been above the average" in sentence
    assert sentence.endswith("which is special cause variation and an improvement.")
    concern = _summary(
        variation_icon="concern_low",
        special_cause_type="special_cause_concern",
        special_cause_period="Mar 2025",
        special_cause_rule="shift",
        special_cause_since="Apr 2024",
    )
    assert "has been below the average" in spc_sentence(ASSESSMENTS, concern, None)


def test_each_rule_in_words():
    outside = _summary(
        **CONCERN_HIGH,
        special_cause_rule="outside_limits",
        special_cause_since="Mar 2025",
        latest_value=30.04,
    )
    assert spc_sentence(REREFERRALS, outside, None) == (
        "Re-referrals within 12 months: the latest figure, 30.0% in March 2025, is above the "
        "upper process limit of 28.8%, which is special cause variation and a concern."
    )
    run = _summary(
        **CONCERN_HIGH, special_cause_rule="outside_limits", special_cause_since="Jan 2025"
    )
    assert "every month since January 2025 has been above the upper process limit of 28.8%" in (
        spc_sentence(REREFERRALS, run, None)
    )
    trend = _summary(**CONCERN_HIGH, special_cause_rule="trend", special_cause_since="Sep 2024")
    assert "the figure has risen every month since September 2024 (a run of 7 or more)" in (
        spc_sentence(REREFERRALS, trend, None)
    )
    close = _summary(
        **CONCERN_HIGH, special_cause_rule="two_in_three", special_cause_since="Jan 2025"
    )
    # named by the special cause's (latest) month: months after it may be suppressed
    assert "two of the three months to March 2025 were close to the upper process limit" in (
        spc_sentence(REREFERRALS, close, None)
    )
    neutral = _summary(
        variation_icon="neutral_low",
        special_cause_type="special_cause_neutral_low",
        special_cause_period="Mar 2025",
        special_cause_rule="trend",
        special_cause_since="Sep 2024",
    )
    sentence = spc_sentence(CLA, neutral, None)
    assert "the figure has fallen every month since September 2024" in sentence
    assert "not good or bad in itself" in sentence
    assert "better" not in sentence and "worse" not in sentence and "concern" not in sentence


def test_common_cause_with_an_earlier_special_cause_trial_limits_and_assurance():
    glossary = Glossary()
    summary = _summary(
        latest_value=21.44,
        trial_limits=True,
        assurance_icon="hit_and_miss",
        special_cause_rule="outside_limits",
        special_cause_type="special_cause_concern",
        special_cause_period="Jun 2024",
        special_cause_since="Jun 2024",
    )
    assert spc_sentence(REREFERRALS, summary, glossary, target=22.0) == (
        "Re-referrals within 12 months: the latest figure, 21.4% in March 2025, is within the "
        "process limits (17.2% to 28.8%): common cause variation. Earlier, in June 2024 the "
        "figure was above the upper process limit, which was special cause variation and a "
        "concern. The limits are trial limits, from fewer than 13 months. If nothing changes, "
        "the target of 22.0% will be met in some months and missed in others."
    )
    assert glossary.terms == ["process limits", "common cause variation", "special cause variation"]


def test_no_values_and_no_limits_are_said_plainly():
    assert spc_sentence(
        REREFERRALS, summarise(xmr([], improvement="decrease"), "decrease"), None
    ) == ("Re-referrals within 12 months: there are no values to chart yet.")
    constant = summarise(
        xmr([5.0] * 15, improvement="neutral", periods=[f"p{i}" for i in range(15)]), "neutral"
    )
    assert spc_sentence(CLA, constant, None) == (
        "Children looked after per 10,000 at 31 March: the latest figure is 5 per 10,000 "
        "children in p14; process limits cannot be drawn because the figure has not varied."
    )


def test_a_special_cause_type_from_another_polarity_is_refused():
    summary = _summary(**CONCERN_HIGH, special_cause_rule="shift", special_cause_since="Apr 2024")
    with pytest.raises(ValueError, match="neutral"):
        spc_sentence(CLA, summary, None)


def _months(n: int) -> list[str]:
    years = [2022 + (3 + i) // 12 for i in range(n)]
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return [f"{names[(3 + i) % 12]} {y}" for i, y in zip(range(n), years, strict=True)]


def test_a_real_level_shift_reads_as_a_concern_from_the_chart():
    # 24 months alternating 23/19 then 12 alternating 22/24 (from April 2024). By hand: mean
    # (24 x 21 + 12 x 23) / 36 = 21.67; moving ranges 23 x 4, 1 x 3, 11 x 2, mean 117 / 35 =
    # 3.34, so the near limits are 21.67 +/- 5.93 and nothing passes them; March 2024 (19) is
    # below the mean and the last 12 months are all above it: a shift (rule 4), of concern
    # since lower is better.
    values = [23.0, 19.0] * 12 + [22.0, 24.0] * 6
    chart = xmr(values, improvement="decrease", periods=_months(36))
    assert spc_sentence(REREFERRALS, summarise(chart, "decrease"), None) == (
        "Re-referrals within 12 months: every month since April 2024 has been above the "
        "average (a run of 7 or more), which is special cause variation and a concern."
    )


# --- trends and deterioration ------------------------------------------------------------------


def test_the_fingertips_example_reads_as_falling_and_getting_worse():
    # analysis/trend.py docstring: Fingertips worked example, significant fall, higher is better
    recent = recent_trend(
        [34.05, 33.06, 31.10, 30.01, 26.87],
        numerators=[22435, 22445, 21365, 20955, 19055],
        denominators=[65880, 67900, 68705, 69835, 70910],
        polarity="high",
        kind="proportion",
        periods=["2021", "2022", "2023", "2024", "2025"],
    )
    glossary = Glossary()
    expected = (
        "Care leavers in education, employment or training: from 2021 to 2025 the figure fell "
        "significantly, which is getting worse (recent trend)."
    )
    eet = CATALOGUE["care_leavers_eet_pct"]
    assert trend_sentence(eet, recent, glossary) == expected
    assert trend_sentence(eet, recent.as_dict(), glossary) == expected
    assert glossary.terms == ["recent trend"]


def test_trend_sentences_for_each_case():
    points = ["2021", "2022", "2023", "2024", "2025"]
    up = {
        "label": "increasing",
        "direction": "increasing",
        "significant": True,
        "reason": "",
        "points_used": points,
    }
    assert trend_sentence(CLA, up, None) == (
        "Children looked after per 10,000 at 31 March: from 2021 to 2025 the figure rose "
        "significantly (recent trend)."
    )
    flat = {
        "label": "no significant change",
        "direction": None,
        "significant": False,
        "reason": "",
        "points_used": points,
    }
    assert trend_sentence(REREFERRALS, flat, None) == (
        "Re-referrals within 12 months: from 2021 to 2025 there was no significant change "
        "(recent trend)."
    )
    short = recent_trend([1.0, None, 3.0], kind="value").as_dict()
    assert trend_sentence(REREFERRALS, short, None).startswith(
        "Re-referrals within 12 months: the recent trend cannot be calculated (only 1 "
    )
    better = dict(up, label="increasing and getting better")
    with pytest.raises(ValueError, match="another polarity"):
        trend_sentence(REREFERRALS, better, None)  # higher re-referrals are not better


def test_deterioration_sentences_for_each_rule():
    glossary = Glossary()
    shift = Deterioration(True, "spc_shift", "Apr 2024", "...")
    assert deterioration_sentence(REREFERRALS, shift, glossary) == (
        "Re-referrals within 12 months: sustained deterioration since April 2024, with every "
        "month above the average."
    )
    trend = {"flagged": True, "rule": "spc_trend", "since": "Jan 2025", "explanation": ""}
    assert deterioration_sentence(ASSESSMENTS, trend, glossary).endswith(
        "since January 2025, with the figure falling month after month."
    )
    recent = Deterioration(True, "recent_trend", "2021", "...")
    assert deterioration_sentence(CASELOAD, recent, glossary) == (
        "Average caseload per social worker: sustained deterioration since 2021, with the "
        "recent trend rising significantly."
    )
    none = Deterioration(False, None, None, "No sustained deterioration: ...")
    assert deterioration_sentence(REREFERRALS, none, glossary) == (
        "Re-referrals within 12 months: no sustained deterioration."
    )
    assert glossary.terms == ["sustained deterioration", "recent trend"]
    with pytest.raises(ValueError, match="neutral"):
        deterioration_sentence(CLA, shift, None)


def test_a_real_steady_fall_reads_as_deterioration():
    # 28 months alternating 80/81 (ending on 81 in July 2024), then 79, 77.5, ..., 68.5: by
    # hand, 81 and the 8 values after it are 9 values each lower than the one before, a trend
    # (rule 2) of concern for a higher-is-better indicator, starting in July 2024.
    values = [80.0, 81.0] * 14 + [79.0 - 1.5 * i for i in range(8)]
    chart = xmr(values, improvement="increase", periods=_months(36))
    deterioration = sustained_deterioration(chart, None)
    assert (deterioration.rule, deterioration.since) == ("spc_trend", "Jul 2024")
    assert deterioration_sentence(ASSESSMENTS, deterioration, None) == (
        "Assessments completed within 45 working days: sustained deterioration since July "
        "2024, with the figure falling month after month."
    )


# --- key messages ----------------------------------------------------------------------------


def _row(title: str, **flags):
    indicator = {"title": title, "polarity": "low", "unit": "percent", "decimal_places": 1}
    return {"indicator": indicator, **flags}


def test_key_messages_put_the_most_urgent_first():
    glossary = Glossary()
    rows = [
        _row("E", rag="red", value=25.0, target=22.0),
        _row("D", compared_with_england="worse", published_value=25.04, england=22.0),
        _row("C", spc={"variation_icon": "concern_high", "special_cause_since": "Apr 2024"}),
        _row("B", deterioration=Deterioration(True, "spc_shift", "May 2024", "")),
        _row("A", rag="red", getting_worse=True, value=25.0, target=22.0),
        _row("quiet", rag="green", compared_with_england="similar"),
    ]
    assert key_messages(rows, glossary=glossary) == [
        "A: red against its target and getting worse (25.0% against a target of 22.0%).",
        "B: sustained deterioration since May 2024.",
        "C: special cause variation that is a concern, since April 2024.",
        "D: significantly worse than England (25.0% against 22.0%).",
        "E: red against its target (25.0% against a target of 22.0%).",
    ]
    assert glossary.terms == [
        "RAG",
        "sustained deterioration",
        "special cause variation",
        "confidence interval / significantly different",
    ]


def test_key_messages_read_an_assessment():
    # the steady fall above (latest 68.5% in March 2025) against a target of 85% with a
    # tolerance of 2 points is red (68.5 < 83), and it is in sustained deterioration
    values = [80.0, 81.0] * 14 + [79.0 - 1.5 * i for i in range(8)]
    series = pd.DataFrame(
        {
            "period": _months(36),
            "period_end": pd.date_range("2022-04-30", periods=36, freq="ME"),
            "value": values,
        }
    )
    published = {"value": 70.0, "england": 80.0, "compared_with_england": "worse"}
    result = assess(ASSESSMENTS, series, published, {"target": 85.0, "tolerance": 2.0})
    quiet = assess(REREFERRALS, series.assign(value=[22.0, 23.0] * 18), {}, None)
    assert key_messages([quiet, result]) == [
        "Assessments completed within 45 working days: red against its target and in "
        "sustained deterioration since July 2024 (68.5% against a target of 85.0%); it is also "
        "significantly worse than England in the published figures (70.0% against 80.0%)."
    ]


def test_a_red_key_message_says_how_it_is_getting_worse():
    # the fall of 7 points in a row from July 2024 above, or a published recent trend
    glossary = Glossary()
    falling = Deterioration(True, "spc_trend", "Jul 2024", "")
    rows = [
        _row("A", rag="red", getting_worse=True, deterioration=falling),
        _row("B", rag="red", getting_worse=True, recent_trend="decreasing and getting worse"),
    ]
    assert key_messages(rows, glossary=glossary) == [
        "A: red against its target and in sustained deterioration since July 2024.",
        "B: red against its target and its published recent trend is getting worse.",
    ]
    assert glossary.terms == ["RAG", "sustained deterioration", "recent trend"]


def test_each_indicator_is_listed_once_under_its_most_urgent_reason():
    # and where it is significantly worse than England too, the one sentence says so: the
    # committee sees at once how the council compares
    glossary = Glossary()
    rows = [_row("A", rag="red", special_cause_concern=True, compared_with_england="worse")]
    assert key_messages(rows, glossary=glossary) == [
        "A: special cause variation that is a concern; it is also significantly worse than "
        "England in the published figures."
    ]
    assert glossary.terms == [
        "special cause variation",
        "confidence interval / significantly different",
    ]
    similar = [_row("A", rag="red", special_cause_concern=True, compared_with_england="similar")]
    assert key_messages(similar) == ["A: special cause variation that is a concern."]


def test_key_messages_keep_to_the_limit_and_say_how_many_more():
    rows = [_row(f"I{i}", compared_with_england="worse") for i in range(7)]
    messages = key_messages(rows, limit=3)
    assert messages[:3] == [f"I{i}: significantly worse than England." for i in range(3)]
    assert messages[3] == "4 more indicators also need attention."
    assert key_messages(rows[:4], limit=3)[-1] == "1 more indicator also needs attention."
    with pytest.raises(ValueError):
        key_messages(rows, limit=0)


def test_when_nothing_needs_attention_the_message_says_so():
    rows = [_row("A", rag="amber", getting_worse=True), _row("B", compared_with_england="better")]
    assert key_messages(rows) == [NOTHING_NEEDS_ATTENTION]
    assert key_messages([]) == [NOTHING_NEEDS_ATTENTION]


# --- every sentence ------------------------------------------------------------------------


def _all_sentences(indicator, glossary):
    """One of each kind of sentence for ``indicator``, for the checks on every sentence."""
    polarity = indicator.polarity
    out = []
    if polarity != "neutral":
        kind = "special_cause_concern"
        icon = "concern_high" if polarity == "low" else "concern_low"
    else:
        kind, icon = "special_cause_neutral_high", "neutral_high"
    for rule in ("outside_limits", "trend", "two_in_three", "shift"):
        out.append(
            spc_sentence(
                indicator,
                _summary(
                    variation_icon=icon,
                    special_cause_type=kind,
                    special_cause_rule=rule,
                    special_cause_period="Mar 2025",
                    special_cause_since="Apr 2024",
                    assurance_icon=None if polarity == "neutral" else "consistently_failing",
                ),
                glossary,
                target=22.0,
            )
        )
    out.append(spc_sentence(indicator, _summary(trial_limits=True), glossary))
    compared = "higher" if polarity == "neutral" else ("worse" if polarity == "low" else "better")
    out.append(
        comparison_sentence(
            indicator,
            25.0,
            "statistical neighbours",
            22.0,
            compared,
            glossary,
            area_name="Demoshire",
        )
    )
    out.append(
        comparison_sentence(
            indicator, 25.0, "England", 22.0, None, glossary, reason="no numerator and denominator"
        )
    )
    if polarity != "neutral":
        rating = rag(25.0, 22.0, 2.0, polarity)
        out.append(rag_sentence(indicator, 25.0, 22.0, rating, glossary, tolerance=2.0))
        out.append(
            deterioration_sentence(
                indicator, Deterioration(True, "spc_shift", "Apr 2024", ""), glossary
            )
        )
    out.append(
        trend_sentence(
            indicator,
            {
                "label": "no significant change",
                "direction": None,
                "significant": False,
                "reason": "",
                "points_used": ["2021", "2025"],
            },
            glossary,
        )
    )
    return out


@pytest.mark.parametrize("indicator_id", sorted(CATALOGUE))
def test_sentences_are_short_and_explain_their_terms(indicator_id):
    indicator = CATALOGUE[indicator_id]
    glossary = Glossary()
    sentences = _all_sentences(indicator, glossary)
    text = " ".join(sentences)
    _check_terms_are_in_text(glossary, text)
    assert len(glossary.terms) == len(set(glossary.terms))
    for paragraph in sentences:
        for sentence in re.split(r"(?<=\.) (?=[A-Z])", paragraph):
            assert _words_after_title(sentence, indicator.title) <= 30, sentence
    if indicator.polarity == "neutral":
        assert "better" not in text and "worse" not in text
