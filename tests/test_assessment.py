"""One indicator's assessment: SPC, sustained deterioration, RAG and exceptions together."""

from __future__ import annotations

import pandas as pd

from analysis.assessment import assess
from analysis.catalogue import load_catalogue

CATALOGUE = load_catalogue()


def _series(values):
    ends = pd.date_range("2022-04-30", periods=len(values), freq="ME")
    return pd.DataFrame({"period": ends.strftime("%b %Y"), "period_end": ends, "value": values})


def test_a_worsening_shift_is_red_special_cause_and_sustained():
    # 24 months around 21% then 12 months around 26% (lower is better): the last 12 points sit
    # above the mean of the whole series, a run of 7+ on one side, so the shift rule fires; the
    # latest value 26.0 against a target of 22 with tolerance 2 is beyond 24: red.
    values = [21.0, 21.5, 20.5] * 8 + [26.0, 26.5, 25.5] * 3 + [26.5, 25.5, 26.0]
    result = assess(
        CATALOGUE["rereferrals_12m_pct"],
        _series(values),
        {"compared_with_england": "worse", "recent_trend": "no significant change"},
        {"target": 22.0, "tolerance": 2.0},
    )
    assert result.rag == "red"
    assert result.spc["variation_icon"] == "concern_high"
    assert result.deterioration.flagged
    assert "red against its target" in result.exception_reasons
    assert "worse than England and getting worse (red-red)" in result.exception_reasons
    assert any(r.startswith("sustained deterioration since") for r in result.exception_reasons)


def test_a_stable_series_on_target_has_no_exceptions():
    values = [80.0, 81.0, 79.0, 80.5, 79.5, 80.0] * 6
    result = assess(
        CATALOGUE["assessments_45d_pct"], _series(values), {}, {"target": 75.0, "tolerance": 5.0}
    )
    assert result.rag == "green"
    assert result.spc["variation_icon"] == "common_cause"
    assert not result.deterioration.flagged
    assert result.exception_reasons == []


def test_no_target_and_all_missing_give_reasons_not_errors():
    result = assess(CATALOGUE["sw_caseload"], _series([float("nan")] * 5))
    assert result.rag is None and result.rag_reason
    assert result.latest is None
    assert result.spc["reason"]
