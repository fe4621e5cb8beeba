"""Tests for analysis/trend.py: Fingertips recent trend, Mann-Kendall, sustained deterioration.

Where expected numbers come from is stated next to each test. References:
- Fingertips (OHID) trend-marker calculator and its unit tests, PholioVisualisation
  ``TrendMarkerCalculator`` / ``TrendMarkerCalculatorTest`` (chi-squared 46.77 and 47.9);
- R ``stats::prop.trend.test`` example (smokers out of patients, X-squared = 8.2249);
- Armitage (1955) / Altman (1991, 10.7.4) formula, worked by hand in the comments;
- statsmodels WLS and ``Table.test_ordinal_association``, scipy ``theilslopes``.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import Table

import analysis.tidy as tidy
from analysis.trend import (
    CHI_SQUARED_998,
    LABELS,
    RecentTrend,
    mann_kendall,
    recent_trend,
    recent_trend_table,
    sustained_deterioration,
    trend_chi_squared,
)

YEARS = ["2021", "2022", "2023", "2024", "2025"]


def close(actual: float, expected: float, rel: float = 1e-9) -> bool:
    return math.isclose(actual, expected, rel_tol=rel, abs_tol=0.0)


# --- the threshold ---------------------------------------------------------------------------


def test_threshold_is_chi_squared_one_df_at_99_8_percent():
    # Fingertips TrendMarkerCalculator.ChiSquareConfidence = 9.54953570608324; it is the 99.8%
    # point of chi-squared with 1 df (scipy).
    assert close(CHI_SQUARED_998, stats.chi2.ppf(0.998, 1))
    assert CHI_SQUARED_998 == 9.54953570608324


# --- chi-squared test for trend in proportions -------------------------------------------------


def test_trend_chi_squared_by_hand():
    # r = 10, 12, 15, 18, 20 out of n = 100 each, t = 1..5 (Altman 10.7.4 notation):
    # N = 500, R = 75, p = 0.15, T1 = sum r t = 10 + 24 + 45 + 72 + 100 = 251,
    # T2 = sum n t = 1500, T3 = sum n t^2 = 5500,
    # chi2 = (T1 - p T2)^2 / (p (1 - p) (T3 - T2^2 / N)) = (251 - 225)^2 / (0.1275 x 1000)
    #      = 676 / 127.5; Fingertips' form N (N T1 - R T2)^2 / (R (N - R) (N T3 - T2^2))
    #      = 500 x 13000^2 / (75 x 425 x 500000) gives the same.
    expected = 676 / 127.5
    assert close(expected, 500 * 13000**2 / (75 * 425 * 500000))
    assert close(float(trend_chi_squared([10, 12, 15, 18, 20], [100] * 5)), expected)

    trend = recent_trend(
        [10, 12, 15, 18, 20], [10, 12, 15, 18, 20], [100] * 5, polarity="low", periods=YEARS
    )
    assert close(trend.statistic, expected)
    # direction: OLS slope of log-odds on t = sum (t - 3) y / sum (t - 3)^2 (Fingertips)
    log_odds = [math.log(p / (1 - p)) for p in (0.10, 0.12, 0.15, 0.18, 0.20)]
    slope = sum((t - 3) * y for t, y in zip(range(1, 6), log_odds, strict=True)) / 10
    assert close(trend.slope, slope)
    assert trend.label == "no significant change"
    assert trend.direction is None
    assert trend.points_used == tuple(YEARS)
    assert trend.reason == "chi-squared 5.30 is not above 9.55 (99.8%)"


def test_trend_chi_squared_matches_r_prop_trend_test_example():
    # R stats::prop.trend.test(smokers, patients), the example on its help page; R prints
    # "X-squared = 8.2249, df = 1, p-value = 0.004132" (quoted on R-help by R. Barradas,
    # 8 September 2023, "Chi-squared Test for Trend in Proportions").
    smokers = [83, 90, 129, 70]
    patients = [86, 93, 136, 82]
    assert round(float(trend_chi_squared(smokers, patients)), 4) == 8.2249


def test_trend_chi_squared_matches_statsmodels_linear_by_linear_test():
    # statsmodels' ordinal (linear-by-linear) association test uses the hypergeometric
    # variance, so its z^2 is (N - 1) / N times Armitage's chi-squared (Agresti 2002, 3.4.6;
    # the SAS FREQ documentation of the Cochran-Armitage trend test).
    r = np.array([22435, 22445, 21365, 20955, 19055.0])
    n = np.array([65880, 67900, 68705, 69835, 70910.0])
    result = Table(np.column_stack([r, n - r])).test_ordinal_association(
        row_scores=np.arange(1.0, 6.0), col_scores=np.array([1.0, 0.0])
    )
    assert close(float(trend_chi_squared(r, n)), result.zscore**2 * n.sum() / (n.sum() - 1))


# --- Fingertips' own test vectors ----------------------------------------------------------------

# PholioVisualisation TrendMarkerCalculatorTest, GetTrendData_Set1 (years 2014 to 2018).
SET1_COUNT = [994, 1023, 1199, 1332, 1367]
SET1_DENOMINATOR = [40299, 41527, 42811, 44064, 44701]
SET1_VALUE = [24.67, 24.6, 28, 30.2, 30.6]
SET1_LOWER = np.array([23.16, 23.15, 26.44, 28.63, 28.98])
SET1_UPPER = np.array([26.25, 26.19, 29.64, 31.9, 32.25])


def test_fingertips_weighted_regression_published_chi_squared():
    # TrendMarkerCalculatorTest.TestIsSignificantReturnsTrue: chi-squared rounds to 46.77 and is
    # significant; Fingertips takes SE = (upper - lower) / 3.92 from the 95% interval.
    trend = recent_trend(
        SET1_VALUE,
        kind="value",
        standard_errors=(SET1_UPPER - SET1_LOWER) / 3.92,
        periods=["2014", "2015", "2016", "2017", "2018"],
    )
    assert round(trend.statistic, 2) == 46.77
    assert trend.significant
    assert trend.label == "increasing and getting better"


def test_fingertips_weighted_regression_published_not_significant():
    # TrendMarkerCalculatorTest.TestIsSignificantReturnsFalse, GetTrendData_Set2 (2014 to 2018).
    value = [20.5506, 19.5952, 19.0349, 21.3966, 18.4372]
    lower = np.array([18.1803, 17.3444, 16.8421, 19.0918, 16.2925])
    upper = np.array([23.1427, 22.0602, 21.4394, 23.8975, 20.7941])
    trend = recent_trend(value, kind="value", standard_errors=(upper - lower) / 3.92)
    assert not trend.significant
    assert trend.label == "no significant change"


def test_fingertips_proportion_published_chi_squared():
    # TrendMarkerCalculatorTest.TestIsSignificantForProportionsReturnsTrue: chi-squared rounds
    # to 47.9 (2 decimals) and is significant.
    trend = recent_trend(SET1_VALUE, SET1_COUNT, SET1_DENOMINATOR, kind="proportion")
    assert round(trend.statistic, 2) == 47.9
    assert trend.significant
    assert trend.direction == "increasing"


def test_fingertips_proportion_of_100_percent_cannot_be_calculated():
    # TrendMarkerCalculatorTest.TestIsSignificantForProportionsCannotBeCalculated: 5 out of 5
    # first, so there is no log-odds; Fingertips returns "cannot be calculated".
    trend = recent_trend(
        [100, 60, 20, 25, 50], [5, 3, 1, 1, 2], [5, 5, 5, 4, 4], periods=list("ABCDE")
    )
    assert trend.label == "cannot be calculated"
    assert "A is 0% or 100%" in trend.reason
    assert not trend.significant and math.isnan(trend.statistic)


@pytest.mark.parametrize(
    ("counts", "denominators", "significant", "direction"),
    [
        # WhenUsingTrendMarkerCalculator GetTrendData_3 (indicator 1172): significant, increasing
        ([8116, 8145, 8222, 8506, 8728], [91530, 91773, 92088, 92238, 92665.89], True, "up"),
        # GetTrendData_5a (indicator 10101): significant, decreasing
        ([22435, 22445, 21365, 20955, 19055], [65880, 67900, 68705, 69835, 70910], True, "down"),
        # GetTrendData_5 (indicator 10101): no change
        ([5405, 5500, 5435, 5480, 5315], [18095, 18170, 18005, 17890, 17860], False, None),
    ],
)
def test_fingertips_proportion_test_vectors(counts, denominators, significant, direction):
    values = [c / d * 100 for c, d in zip(counts, denominators, strict=True)]
    trend = recent_trend(values, counts, denominators, polarity="neutral")
    assert trend.significant is significant
    assert trend.direction == {"up": "increasing", "down": "decreasing", None: None}[direction]


# --- inverse-variance weighted regression ------------------------------------------------------


def test_weighted_regression_by_hand():
    # y = 1, 2, 2, 4, 5 with SE 1 at t = 1..5: slope = sum (t - 3) y / sum (t - 3)^2
    # = (-2 - 2 + 0 + 4 + 10) / 10 = 1; var(slope) = 1 / 10; chi2 = 1^2 / 0.1 = 10 > 9.5495.
    trend = recent_trend([1, 2, 2, 4, 5], kind="value", standard_errors=[1] * 5)
    assert close(trend.slope, 1.0)
    assert close(trend.statistic, 10.0)
    assert trend.significant
    assert trend.label == "increasing and getting better"


def test_weighted_regression_matches_statsmodels_wls():
    # statsmodels WLS with weights 1 / SE^2 and the scale fixed at 1 (known variances):
    # statistic = (slope / SE(slope))^2.
    y = np.array([70.2, 68.9, 72.4, 75.0, 77.3])
    se = np.array([2.1, 1.4, 3.0, 1.8, 2.5])
    fit = sm.WLS(y, sm.add_constant(np.arange(1.0, 6.0)), weights=1 / se**2).fit(
        cov_type="fixed scale", cov_kwds={"scale": 1.0}
    )
    trend = recent_trend(y, kind="value", standard_errors=se)
    assert close(trend.slope, fit.params[1])
    assert close(trend.statistic, (fit.params[1] / fit.bse[1]) ** 2)


def test_rate_standard_errors_from_counts_are_poisson():
    # For a rate per 10,000 from a count c: var(c) = c, so SE(rate) = rate / sqrt(c).
    counts = np.array([350.0, 372, 390, 401, 433])
    population = np.array([50000.0, 50100, 50150, 50300, 50400])
    rates = counts / population * 10000
    from_counts = recent_trend(rates, numerators=counts, kind="rate", polarity="neutral")
    explicit = recent_trend(
        rates, kind="value", standard_errors=rates / np.sqrt(counts), polarity="neutral"
    )
    assert close(from_counts.statistic, explicit.statistic)
    assert close(from_counts.slope, explicit.slope)
    assert from_counts.label == explicit.label


def test_slope_that_changes_sign_with_a_point_left_out_is_not_significant():
    # y = 1, 0, 0, 0, 10 with SE 1: slope = (-2 x 1 + 2 x 10) / 10 = 1.8, chi2 = 1.8^2 x 10
    # = 32.4 > 9.5495, but without 2025 the slope of 1, 0, 0, 0 is negative.
    trend = recent_trend([1, 0, 0, 0, 10], kind="value", standard_errors=[1] * 5, periods=YEARS)
    assert close(trend.statistic, 32.4)
    assert not trend.significant
    assert trend.label == "no significant change"
    assert "changes sign when 2025 is left out" in trend.reason


def test_leave_one_out_slope_of_zero_counts_as_a_change_of_sign():
    # y = 0, 1, 1, 0, -3 with SE 0.1: slope = (-1 - 6) / 10 = -0.7, sum w (t - 3)^2 = 100 x 10,
    # chi2 = 0.49 x 1000 = 490; without 2025 the values 0, 1, 1, 0 have slope exactly 0, and a
    # zero slope does not keep the sign (R's sign() in PHEindicatormethods assign_trend_markers).
    trend = recent_trend([0, 1, 1, 0, -3], kind="value", standard_errors=[0.1] * 5, periods=YEARS)
    assert close(trend.statistic, 490.0)
    assert not trend.significant
    assert "changes sign when 2025 is left out" in trend.reason
    reverse = recent_trend([-3, 0, 1, 1, 0], kind="value", standard_errors=[0.1] * 5)
    assert not reverse.significant and close(reverse.statistic, 490.0)


# --- labels and polarity ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "polarity", "label"),
    [
        ([1, 2, 3, 4, 5], "high", "increasing and getting better"),
        ([1, 2, 3, 4, 5], "low", "increasing and getting worse"),
        ([1, 2, 3, 4, 5], "neutral", "increasing"),
        ([5, 4, 3, 2, 1], "high", "decreasing and getting worse"),
        ([5, 4, 3, 2, 1], "low", "decreasing and getting better"),
        ([5, 4, 3, 2, 1], "neutral", "decreasing"),
    ],
)
def test_labels_by_direction_and_polarity(values, polarity, label):
    trend = recent_trend(values, kind="value", standard_errors=[0.1] * 5, polarity=polarity)
    assert trend.label == label
    assert trend.direction == label.split()[0]


def test_uses_the_five_most_recent_points():
    values = [9.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    periods = [str(year) for year in range(2019, 2026)]
    trend = recent_trend(values, kind="value", standard_errors=[0.5] * 7, periods=periods)
    assert trend.points_used == ("2021", "2022", "2023", "2024", "2025")
    assert close(trend.slope, 1.0)


def test_as_dict_lists_the_points_used():
    out = recent_trend([1, 2, 3, 4, 5], kind="value", standard_errors=[1] * 5).as_dict()
    assert out["points_used"] == [0, 1, 2, 3, 4]
    assert set(out) == {
        "label",
        "direction",
        "significant",
        "statistic",
        "slope",
        "reason",
        "points_used",
        "method",
    }


# --- degenerate input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([], "no values"),
        ([3.0], "only 1 period of data; the recent trend needs 5 in a row"),
        ([3.0, 4.0, 5.0], "only 3 periods of data; the recent trend needs 5 in a row"),
        ([np.nan] * 6, "no value for the latest period, 2025"),
        ([1, 2, 3, 4, 5, None], "no value for the latest period, 2025"),
        (
            [1, "c", 3, 4, 5, 6],
            "only 4 consecutive values up to 2025: 2021 is missing or suppressed; "
            "the recent trend needs 5 in a row",
        ),
        (
            [1, 2, 3, "c", 5],
            "only 1 value up to 2025: 2024 is missing or suppressed; "
            "the recent trend needs 5 in a row",
        ),
    ],
)
def test_too_few_consecutive_values_cannot_be_calculated(values, reason):
    periods = [str(year) for year in range(2026 - len(values), 2026)]
    trend = recent_trend(values, kind="value", standard_errors=[1.0] * len(values), periods=periods)
    assert trend.label == "cannot be calculated"
    assert trend.reason == reason
    assert trend.direction is None and not trend.significant
    assert math.isnan(trend.statistic) and math.isnan(trend.slope)
    assert trend.points_used == ()


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"kind": "proportion"}, "the figure for 2021 is published without the counts"),
        ({"kind": "value"}, "the figure for 2021 is published without a count or a standard error"),
        ({"kind": "rate"}, "the figure for 2021 is published without a count or a standard error"),
        (
            {"kind": "rate", "numerators": [0, 5, 5, 5, 5]},
            "the figure for 2021 is published without a count or a standard error",
        ),
        ({"kind": "value", "standard_errors": [1, 1, -1, 1, 1]}, "for 2023 is zero, negative"),
        ({"kind": "value", "standard_errors": [1, 1, 0, 1, 1]}, "for 2023 is zero, negative"),
        (
            {"kind": "proportion", "numerators": [1, 2, 9, 4, 5], "denominators": [5] * 5},
            "the numerator for 2023 is negative or above its denominator",
        ),
    ],
)
def test_missing_or_bad_method_inputs_cannot_be_calculated(kwargs, reason):
    trend = recent_trend([1, 2, 3, 4, 5], periods=YEARS, **kwargs)
    assert trend.label == "cannot be calculated"
    assert trend.reason.startswith(reason) or reason in trend.reason
    assert math.isnan(trend.statistic)


def test_constant_series_is_no_significant_change():
    trend = recent_trend([7.0] * 5, kind="value", standard_errors=[1.0] * 5)
    assert trend.label == "no significant change"
    assert abs(trend.statistic) < 1e-20


def test_unknown_polarity_kind_or_lengths_raise():
    with pytest.raises(ValueError, match="polarity"):
        recent_trend([1, 2, 3, 4, 5], polarity="up")
    with pytest.raises(ValueError, match="kind"):
        recent_trend([1, 2, 3, 4, 5], kind="percent")
    with pytest.raises(ValueError, match="numerators"):
        recent_trend([1, 2, 3, 4, 5], numerators=[1, 2])
    with pytest.raises(ValueError, match="periods"):
        recent_trend([1, 2, 3, 4, 5], periods=["2025"])


# --- properties -----------------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)


@st.composite
def five_points(draw):
    """Either a proportion (counts) or a value series with standard errors."""
    if draw(st.booleans()):
        n = draw(st.lists(st.integers(2, 100000), min_size=5, max_size=5))
        r = [draw(st.integers(1, size - 1)) for size in n]
        return {
            "values": [a / b for a, b in zip(r, n, strict=True)],
            "numerators": r,
            "denominators": n,
            "kind": "proportion",
        }
    values = draw(st.lists(finite, min_size=5, max_size=5))
    se = draw(st.lists(positive, min_size=5, max_size=5))
    return {"values": values, "standard_errors": se, "kind": "value"}


SWAP = {
    "increasing and getting better": "decreasing and getting worse",
    "increasing and getting worse": "decreasing and getting better",
    "decreasing and getting better": "increasing and getting worse",
    "decreasing and getting worse": "increasing and getting better",
    "increasing": "decreasing",
    "decreasing": "increasing",
    "no significant change": "no significant change",
    "cannot be calculated": "cannot be calculated",
}


@settings(max_examples=80, deadline=None)
@given(five_points(), st.sampled_from(["high", "low", "neutral"]))
def test_reversing_a_series_swaps_increasing_and_decreasing(series, polarity):
    forward = recent_trend(polarity=polarity, **series)
    backward = recent_trend(
        polarity=polarity,
        **{k: v[::-1] if isinstance(v, list) else v for k, v in series.items()},
    )
    # stay clear of ties with the threshold, where rounding could decide either way
    assume(not math.isclose(forward.statistic, CHI_SQUARED_998, rel_tol=1e-6))
    assert backward.label == SWAP[forward.label]
    assert backward.significant == forward.significant
    if not math.isnan(forward.statistic):
        assert math.isclose(backward.statistic, forward.statistic, rel_tol=1e-6, abs_tol=1e-9)


@settings(max_examples=80, deadline=None)
@given(five_points())
def test_flipping_polarity_swaps_better_and_worse(series):
    high = recent_trend(polarity="high", **series)
    low = recent_trend(polarity="low", **series)
    neutral = recent_trend(polarity="neutral", **series)
    assert low.label == high.label.replace("better", "_").replace("worse", "better").replace(
        "_", "worse"
    )
    assert neutral.label == high.label.replace(" and getting better", "").replace(
        " and getting worse", ""
    )
    assert high.statistic == low.statistic or math.isnan(high.statistic)


messy = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.sampled_from(["c", "x", "", "low"]),
)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 8).flatmap(
        lambda n: st.tuples(*(st.lists(messy, min_size=n, max_size=n) for _ in range(4)))
    ),
    st.sampled_from(["proportion", "rate", "value"]),
    st.sampled_from(["high", "low", "neutral"]),
)
def test_arbitrary_input_never_raises(columns, kind, polarity):
    values, numerators, denominators, errors = columns
    trend = recent_trend(values, numerators, denominators, polarity, kind, None, errors)
    assert isinstance(trend, RecentTrend)
    assert trend.label in LABELS
    assert trend.reason
    if trend.label == "cannot be calculated":
        assert math.isnan(trend.statistic) and not trend.significant
    else:
        assert np.isfinite(trend.statistic) and len(trend.points_used) == 5
    assert mann_kendall(values)["n"] == sum(
        1 for v in pd.to_numeric(pd.Series(values, dtype=object), errors="coerce") if np.isfinite(v)
    )


# --- Mann-Kendall ---------------------------------------------------------------------------


def test_mann_kendall_by_hand():
    # x = 1, 3, 2, 5, 4. S = sum over i < j of sign(x_j - x_i): from 1: +4; from 3: -1 +1 +1;
    # from 2: +2; from 5: -1; S = 6, tau = S / (n (n - 1) / 2) = 0.6.
    # var(S) = n (n - 1) (2n + 5) / 18 = 50 / 3 (no ties); z = (S - 1) / sqrt(var S);
    # p = 2 (1 - Phi(z)) (Gilbert 1987) = 0.22 > 0.05, so "no trend".
    # Sen's slopes (x_j - x_i) / (j - i): 2, 0.5, 4/3, 0.75, -1, 1, 1/3, 3, 1, -1; sorted
    # the middle two are 0.75 and 1, median 0.875; intercept = median(x) - median(t) x slope
    # = 3 - 2 x 0.875 = 1.25.
    result = mann_kendall([1.0, 3.0, 2.0, 5.0, 4.0], periods=YEARS)
    assert result["s"] == 6
    assert close(result["tau"], 0.6)
    assert close(result["p_value"], 2 * (1 - stats.norm.cdf(5 / math.sqrt(50 / 3))))
    assert close(result["slope"], 0.875)
    assert close(result["intercept"], 1.25)
    assert result["trend"] == "no trend"
    assert result["n"] == 5 and result["reason"] is None
    assert (result["first_period"], result["last_period"]) == ("2021", "2025")
    # scipy's Theil-Sen estimator gives the same slope
    assert close(result["slope"], stats.theilslopes([1.0, 3.0, 2.0, 5.0, 4.0]).slope)


def test_mann_kendall_slope_is_per_period_across_a_gap():
    # x = 1, _, 3, 2, 5 at positions 0, 2, 3, 4: S = + + + - + + = 4.
    # Sen's slopes: (3-1)/2 = 1, (2-1)/3 = 1/3, (5-1)/4 = 1, (2-3)/1 = -1, (5-3)/2 = 1,
    # (5-2)/1 = 3; median 1. Intercept = median(1, 3, 2, 5) - median(0, 2, 3, 4) x 1 = 0.
    result = mann_kendall([1.0, None, 3.0, 2.0, 5.0])
    assert result["s"] == 4 and result["n"] == 4
    assert close(result["slope"], 1.0)
    assert abs(result["intercept"]) < 1e-12
    assert close(result["slope"], stats.theilslopes([1, 3, 2, 5], [0, 2, 3, 4]).slope)


def test_mann_kendall_detects_a_clear_trend():
    assert mann_kendall(np.arange(12.0))["trend"] == "increasing"
    assert mann_kendall(-np.arange(12.0))["trend"] == "decreasing"


@pytest.mark.parametrize(
    ("values", "reason", "trend"),
    [
        ([], "only 0 values; Mann-Kendall needs at least 4", None),
        ([1.0, np.nan, 2.0, 3.0], "only 3 values; Mann-Kendall needs at least 4", None),
        ([4.0] * 6, "all values are equal, so there is no trend to test", "no trend"),
    ],
)
def test_mann_kendall_degenerate_input_gives_a_reason(values, reason, trend):
    result = mann_kendall(values)
    assert result["reason"] == reason
    assert result["trend"] == trend
    assert math.isnan(result["p_value"])


# --- sustained deterioration -----------------------------------------------------------------


def chart(causes: str, types: str, with_periods: bool = True) -> pd.DataFrame:
    """A hand-built analysis.spc.xmr frame: one letter per point.

    causes: . none, o outside_limits, t trend, 2 two_in_three, s shift;
    types: c common cause, x concern, i improvement, h neutral high.
    """
    cause = {".": "", "o": "outside_limits", "t": "trend", "2": "two_in_three", "s": "shift"}
    kind = {
        "c": "common_cause",
        "x": "special_cause_concern",
        "i": "special_cause_improvement",
        "h": "special_cause_neutral_high",
    }
    frame = pd.DataFrame(
        {
            "value": np.arange(len(causes), dtype=float),
            "special_cause": [cause[c] for c in causes],
            "point_type": [kind[t] for t in types],
        }
    )
    if with_periods:
        frame.insert(0, "period", [f"m{i}" for i in range(len(causes))])
    return frame


def test_shift_of_concern_at_the_latest_point_is_flagged_since_its_start():
    result = sustained_deterioration(chart("...sssssss", "cccxxxxxxx"), None)
    assert result.flagged and result.rule == "spc_shift"
    assert result.since == "m3"
    assert "7 points in a row" in result.explanation and "m3" in result.explanation


def test_trend_of_concern_is_flagged_since_its_first_point():
    result = sustained_deterioration(chart("...ttttttt", "cccxxxxxxx"), None)
    assert (result.flagged, result.rule, result.since) == (True, "spc_trend", "m3")


def test_run_of_concern_counts_points_labelled_by_a_higher_priority_rule():
    # The labels analysis.spc.xmr gave a level shift of 3 SD in the worse direction (24 points
    # at 20, then 10 near 23, lower is better): each point carries only its highest-priority
    # rule, so the latest reads outside_limits although all 10 are one shift of concern.
    result = sustained_deterioration(chart("....oo2s2os22o", "ccccxxxxxxxxxx"), None)
    assert (result.flagged, result.rule, result.since) == (True, "spc_shift", "m4")
    assert "10 points in a row" in result.explanation


def test_concern_without_a_trend_or_shift_is_not_sustained():
    result = sustained_deterioration(chart("...o2o", "cccxxx"), None)
    assert not result.flagged
    assert "(outside limits), a warning but not a sustained run" in result.explanation


def test_single_point_outside_limits_is_not_sustained():
    result = sustained_deterioration(chart("........o", "ccccccccx"), None)
    assert not result.flagged and result.rule is None
    assert "outside limits" in result.explanation


def test_improvement_and_neutral_runs_are_not_deterioration():
    assert not sustained_deterioration(chart("..sssssss", "cciiiiiii"), None).flagged
    assert not sustained_deterioration(chart("..sssssss", "cchhhhhhh"), None).flagged


def test_latest_n_looks_back_over_recent_points():
    frame = chart("sssssss..", "xxxxxxxcc")
    assert not sustained_deterioration(frame, None).flagged
    result = sustained_deterioration(frame, None, latest_n=3)
    assert (result.flagged, result.rule, result.since) == (True, "spc_shift", "m0")


def test_since_uses_periods_or_positions():
    frame = chart("..sssssss", "ccxxxxxxx", with_periods=False)
    assert sustained_deterioration(frame, None).since == 2
    periods = [f"2024-{m:02d}" for m in range(1, 10)]
    assert sustained_deterioration(frame, None, periods=periods).since == "2024-03"


def test_points_without_a_value_are_skipped():
    frame = chart("..ssssssss", "ccxxxxxxxc")
    frame.loc[9, "value"] = np.nan
    result = sustained_deterioration(frame, None)
    assert (result.flagged, result.since) == (True, "m2")


def test_significant_recent_trend_in_the_worse_direction_is_flagged():
    worse = recent_trend(
        [20, 22, 24, 26, 28],
        kind="value",
        standard_errors=[0.5] * 5,
        polarity="low",
        periods=YEARS,
    )
    result = sustained_deterioration(chart("....", "cccc"), worse)
    assert (result.flagged, result.rule, result.since) == (True, "recent_trend", "2021")
    assert "increasing and getting worse" in result.explanation
    better = recent_trend([20, 22, 24, 26, 28], kind="value", standard_errors=[0.5] * 5)
    assert not sustained_deterioration(None, better).flagged


def test_spc_rule_comes_first_and_mentions_the_recent_trend():
    worse = recent_trend([5, 4, 3, 2, 1], kind="value", standard_errors=[0.1] * 5)
    result = sustained_deterioration(chart(".sssssss", "cxxxxxxx"), worse)
    assert result.rule == "spc_shift"
    assert "also decreasing and getting worse" in result.explanation


def test_nothing_to_judge_is_not_flagged_with_a_reason():
    result = sustained_deterioration(None, None)
    assert not result.flagged
    assert result.explanation == "No sustained deterioration: no SPC chart; no recent trend."
    empty = sustained_deterioration(chart("", ""), recent_trend([], kind="value"))
    assert not empty.flagged and "cannot be calculated" in empty.explanation


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(".ot2s"), st.sampled_from("cxih"), st.booleans()), max_size=15
    ),
    st.integers(1, 5),
)
def test_sustained_deterioration_never_raises(points, latest_n):
    frame = chart("".join(p[0] for p in points), "".join(p[1] for p in points))
    frame.loc[[p[2] for p in points], "value"] = np.nan
    result = sustained_deterioration(frame, None, latest_n=latest_n)
    assert result.flagged == (result.rule is not None)
    assert result.explanation


# --- the whole tidy table -------------------------------------------------------------------------


def tidy_rows(indicator, area, years, values, numerators=None, denominators=None, **extra):
    years = list(years)
    frame = pd.DataFrame(
        {
            "indicator": indicator,
            "area_code": area,
            "area_level": "local authority",
            "period": [str(y) for y in years],
            "period_start": pd.to_datetime([f"{y}-03-31" for y in years]),
            "period_end": pd.to_datetime([f"{y}-03-31" for y in years]),
            "period_type": "snapshot 31 March",
            "value": values,
            "numerator": numerators if numerators is not None else np.nan,
            "denominator": denominators if denominators is not None else np.nan,
            "source": "test",
            **extra,
        }
    )
    frame["status"] = np.where(frame["value"].isna(), frame.get("status", "c"), None)
    return frame


def test_table_matches_recent_trend_series_by_series():
    rng = np.random.default_rng(7)
    parts, expected = [], {}
    for area in range(30):
        den = rng.integers(20, 3000, 7).astype(float)
        num = rng.binomial(den.astype(int), 0.2 + 0.02 * np.arange(7) * (area % 3 - 1))
        num = np.clip(num, 1, den - 1).astype(float)
        parts.append(tidy_rows("prop", f"E{area}", range(2019, 2026), num / den * 100, num, den))
        expected[("prop", f"E{area}")] = recent_trend(
            num / den * 100,
            num,
            den,
            polarity="low",
            kind="proportion",
            periods=[str(y) for y in range(2019, 2026)],
        )
        rate = den / 50
        parts.append(tidy_rows("rate", f"E{area}", range(2019, 2026), rate, den, den * 200))
        expected[("rate", f"E{area}")] = recent_trend(
            rate, den, kind="rate", polarity="high", periods=[str(y) for y in range(2019, 2026)]
        )
    table = tidy.conform(pd.concat(parts))
    out = recent_trend_table(
        table, {"prop": "low", "rate": "high"}, {"prop": "proportion", "rate": "rate"}
    )
    assert len(out) == 60
    assert out["label"].nunique() > 1
    for row in out.itertuples():
        single = expected[(row.indicator, row.area_code)]
        assert row.label == single.label and row.reason == single.reason
        assert row.significant == single.significant
        assert close(row.statistic, single.statistic) and close(row.slope, single.slope)
        assert (row.from_period, row.to_period) == ("2021", "2025")


def test_table_breaks_and_degenerate_series_give_reasons():
    ok_num = [10.0, 20, 30, 40, 50]
    parts = [
        # area A complete; area B lacks a 2023 row; area C suppressed in 2025 ('c'); area D
        # published twice for 2024
        tidy_rows("x", "A", range(2021, 2026), [1.0, 2, 3, 4, 5], ok_num, [100.0] * 5),
        tidy_rows("x", "B", [2021, 2022, 2024, 2025], [1.0, 2, 4, 5], ok_num[:4], [100.0] * 4),
        tidy_rows("x", "C", range(2021, 2026), [1.0, 2, 3, 4, None], ok_num, [100.0] * 5),
        tidy_rows(
            "x", "D", [2021, 2022, 2023, 2024, 2024, 2025], [1.0] * 6, [10.0] * 6, [100.0] * 6
        ),
        # indicator y has no 2022 at all: 2021 and 2023 are not consecutive years
        tidy_rows(
            "y", "A", [2019, 2020, 2021, 2023, 2024, 2025], [1.0] * 6, [10.0] * 6, [100.0] * 6
        ),
        # indicator z has no kind; indicator w has no polarity; v is a plain value (no SEs)
        tidy_rows("z", "A", range(2021, 2026), [1.0, 2, 3, 4, 5], ok_num, [100.0] * 5),
        tidy_rows("w", "A", range(2021, 2026), [10.0, 20, 30, 40, 50], ok_num, [100.0] * 5),
        tidy_rows("v", "A", range(2021, 2026), [1.0, 2, 3, 4, 5]),
        # only three years published
        tidy_rows("u", "A", range(2023, 2026), [1.0, 2, 3], ok_num[:3], [100.0] * 3),
    ]
    monthly = tidy_rows("m", "A", range(2021, 2026), [1.0, 2, 3, 4, 5], ok_num, [100.0] * 5)
    monthly["period_type"] = "month"
    rolling = tidy_rows("r", "A", range(2021, 2026), [1.0, 2, 3, 4, 5], ok_num, [100.0] * 5)
    rolling["period_type"] = "multi-year"
    table = tidy.conform(pd.concat([*parts, monthly, rolling]))
    kinds = {k: "proportion" for k in "xyuwmr"} | {"v": "value"}
    polarity = {k: "high" for k in "xyzuvmr"}
    out = recent_trend_table(table, polarity, kinds).set_index(["indicator", "area_code"])
    reasons = out["reason"].to_dict()
    assert out.loc[("x", "A"), "label"] == "increasing and getting better"
    assert reasons[("x", "B")] == (
        "only 2 consecutive values up to 2025: 2023 is missing or suppressed; "
        "the recent trend needs 5 in a row"
    )
    assert reasons[("x", "C")] == "no value for the latest period, 2025 (c)"
    assert reasons[("x", "D")] == "more than one row for the same period"
    assert reasons[("y", "A")] == "2021 and 2023 are not consecutive years, so the series is broken"
    assert reasons[("z", "A")] == "no kind (proportion, rate or value) given for this indicator"
    assert out.loc[("w", "A"), "label"] == "increasing"
    assert reasons[("w", "A")].endswith("no polarity given, so no better or worse")
    assert reasons[("v", "A")].startswith(
        "the figure for 2021 is published without a count or a standard error"
    )
    assert reasons[("u", "A")] == "only 3 periods of data; the recent trend needs 5 in a row"
    assert reasons[("m", "A")].startswith("monthly or quarterly data")
    assert reasons[("r", "A")].startswith("rolling or multi-year periods")
    cannot = out["label"] == "cannot be calculated"
    assert out.loc[cannot, "statistic"].isna().all()
    assert out.loc[cannot, "from_period"].isna().all()


def test_table_empty_and_bad_catalogue():
    out = recent_trend_table(tidy.empty(), {}, {})
    assert out.empty and "label" in out.columns
    with pytest.raises(ValueError, match="polarity of 'x'"):
        recent_trend_table(tidy.empty(), {"x": "High"}, {})


def test_table_of_lait_size_takes_seconds_at_most():
    # 290 indicators x 170 areas x 6 years (295,800 rows), the size of the LAIT data set.
    rng = np.random.default_rng(3)
    index = pd.MultiIndex.from_product(
        [[f"i{i}" for i in range(290)], [f"a{a}" for a in range(170)], range(2020, 2026)],
        names=["indicator", "area_code", "year"],
    ).to_frame(index=False)
    den = rng.integers(50, 5000, len(index)).astype(float)
    num = rng.binomial(den.astype(int), 0.3).astype(float)
    start = pd.to_datetime(index["year"].astype(str) + "-03-31")
    table = tidy.conform(
        index.drop(columns="year").assign(
            area_level="local authority",
            period=index["year"].astype(str),
            period_start=start,
            period_end=start,
            period_type="snapshot 31 March",
            value=num / den * 100,
            numerator=num,
            denominator=den,
            source="synthetic",
        )
    )
    kinds = {f"i{i}": "proportion" if i % 2 else "rate" for i in range(290)}
    began = time.perf_counter()
    out = recent_trend_table(table, {k: "low" for k in kinds}, kinds)
    elapsed = time.perf_counter() - began
    assert len(out) == 290 * 170
    assert (out["label"] != "cannot be calculated").all()
    assert elapsed < 5.0


def test_a_step_change_far_outside_the_limits_is_a_sustained_shift():
    # Hand-built chart: 7 consecutive points of concern, each labelled by the highest-priority
    # rule (outside_limits). Seven points on one side of the average is the shift rule
    # (methods.md section 1), so the run is a sustained deterioration from its first point.
    chart = pd.DataFrame(
        {
            "value": [1.0] * 5 + [9.0] * 7,
            "special_cause": [""] * 5 + ["outside_limits"] * 7,
            "point_type": ["common_cause"] * 5 + ["special_cause_concern"] * 7,
        }
    )
    flagged = sustained_deterioration(chart, None)
    assert (flagged.flagged, flagged.rule, flagged.since) == (True, "spc_shift", 5)
    six = sustained_deterioration(chart.iloc[1:11], None)  # only 6 points of concern
    assert not six.flagged
