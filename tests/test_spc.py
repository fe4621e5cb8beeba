"""Tests for analysis.spc: the Making Data Count XmR chart (docs/methods.md section 1).

Expected numbers come from NHSRplotthedots (nhs-r-community/NHSRplotthedots) tests and
snapshots, cited per test, or from the documented formula computed by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import spc
from analysis.spc import SpcOptions, summarise, summarise_table, xmr, xmr_table

# R: set.seed(123); rnorm(20), printed to 8 decimals. The data of
# tests/testthat/test-ptd_spc_standard.R and test-ptd_spc.R in NHSRplotthedots.
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip

# A baseline of 12 values alternating 0 and 20, used with fix_after_n_points=12 so that the
# limits are known by hand: mean 10; the 11 moving ranges are all 20 (20 < 3.267 x 20, all
# kept), so mean MR = 20; limits 10 +/- 2.66 x 20 = -43.2 and 63.2; near limits
# 10 +/- (2 x 2.66 / 3) x 20 = 10 +/- 35.4666.. The baseline itself fires no rule.
BASELINE = [0.0, 20.0] * 6


def chart_after_baseline(tail: list[float], improvement: str = "increase", **options):
    return xmr(BASELINE + tail, improvement=improvement, fix_after_n_points=12, **options)


# --- limits --------------------------------------------------------------------------------


def test_limits_match_nhsrplotthedots_snapshot():
    # tests/testthat/_snaps/ptd_spc_standard.md, r1: mean_col 0.1416238, lpl -3.01138,
    # upl 3.294627 (printed to 7 significant digits), relative_to_mean starting
    # -1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1; summary snapshot
    # (_snaps/ptd_spc.md): 20 common cause points.
    chart = xmr(RNORM_123, improvement="increase")
    assert chart["mean"].iloc[0] == pytest.approx(0.1416238, rel=1e-6)
    assert chart["lpl"].iloc[0] == pytest.approx(-3.01138, rel=1e-6)
    assert chart["upl"].iloc[0] == pytest.approx(3.294627, rel=1e-6)
    side = np.sign(chart["value"] - chart["mean"]).iloc[:15].tolist()
    assert side == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1]
    assert (chart["point_type"] == "common_cause").all()
    assert not chart["trial_limits"].any()


def test_screening_matches_nhsrplotthedots_snapshot():
    # _snaps/ptd_spc_standard.md, r2 (data$y[15] <- 10, screen_outliers TRUE): mean_col
    # 0.6694159, lpl -2.383666, upl 3.722497; r3 (screen_outliers FALSE): -4.596625, 5.935457.
    values = list(RNORM_123)
    values[14] = 10.0
    screened = xmr(values, improvement="increase")
    assert screened["mean"].iloc[0] == pytest.approx(0.6694159, rel=1e-6)
    assert screened["lpl"].iloc[0] == pytest.approx(-2.383666, rel=1e-6)
    assert screened["upl"].iloc[0] == pytest.approx(3.722497, rel=1e-6)
    # the two moving ranges either side of the 10 are the ones screened out
    assert (
        screened["moving_range_kept"].tolist() == [False] + [True] * 13 + [False] * 2 + [True] * 4
    )
    unscreened = xmr(values, improvement="increase", screen_outliers=False)
    assert unscreened["lpl"].iloc[0] == pytest.approx(-4.596625, rel=1e-6)
    assert unscreened["upl"].iloc[0] == pytest.approx(5.935457, rel=1e-6)


def test_limits_by_hand_from_the_formula():
    # values sum to 140, so mean = 14. Moving ranges 3, 4, 3, 1, 3, 4, 3, 1, 4: sum 26,
    # mean MR = 26 / 9; all below 3.267 x 26 / 9 = 9.438, so none is screened.
    values = [12, 15, 11, 14, 13, 16, 12, 15, 14, 18]
    chart = xmr(values, improvement="increase")
    mean_range = 26 / 9
    expected = {
        "mean": 14.0,
        "upl": 14 + 2.66 * mean_range,
        "lpl": 14 - 2.66 * mean_range,
        "near_upl": 14 + (2 * 2.66 / 3) * mean_range,
        "near_lpl": 14 - (2 * 2.66 / 3) * mean_range,
    }
    for column, value in expected.items():
        assert chart[column].iloc[0] == pytest.approx(value, rel=1e-9), column
    assert chart["moving_range"].tolist()[1:] == [3, 4, 3, 1, 3, 4, 3, 1, 4]
    assert math.isnan(chart["moving_range"].iloc[0])
    assert chart["trial_limits"].all()  # 10 values < 13


def test_screening_by_hand():
    # mean = 124 / 10 = 12.4. Moving ranges 1, 1, 1, 1, 20, 20, 1, 1, 1: mean 47 / 9 = 5.22;
    # 3.267 x 5.22 = 17.06, so both 20s are screened out and the mean MR becomes 7 / 7 = 1.
    values = [10, 11, 10, 11, 10, 30, 10, 11, 10, 11]
    chart = xmr(values, improvement="increase")
    assert chart["mean"].iloc[0] == pytest.approx(12.4, rel=1e-9)
    assert chart["upl"].iloc[0] == pytest.approx(12.4 + 2.66 * 1, rel=1e-9)
    assert chart["lpl"].iloc[0] == pytest.approx(12.4 - 2.66 * 1, rel=1e-9)
    assert chart["moving_range_kept"].tolist() == [False] + [True] * 4 + [False] * 2 + [True] * 3
    unscreened = xmr(values, improvement="increase", screen_outliers=False)
    assert unscreened["upl"].iloc[0] == pytest.approx(12.4 + 2.66 * 47 / 9, rel=1e-9)


def test_fix_after_n_points_uses_the_first_values_only():
    # the limits of the first 12 values, whatever comes after (docs/methods.md: "the first
    # fix_after_n_points >= 12 of the group"); a missing value does not count.
    rng = np.random.default_rng(1)
    values = list(rng.normal(10, 1, 18))
    fixed = xmr(values, improvement="increase", fix_after_n_points=12)
    first_12 = xmr(values[:12], improvement="increase")
    for column in ("mean", "lpl", "upl", "near_lpl", "near_upl"):
        assert fixed[column].iloc[-1] == pytest.approx(first_12[column].iloc[0], rel=1e-12)
    assert fixed["moving_range_kept"].iloc[12:].sum() == 0
    with_gap = xmr([np.nan] + values, improvement="increase", fix_after_n_points=12)
    assert with_gap["mean"].iloc[0] == pytest.approx(first_12["mean"].iloc[0], rel=1e-12)
    with pytest.raises(ValueError):
        xmr(values, improvement="increase", fix_after_n_points=11)


def test_a_point_on_a_limit_is_not_outside_it():
    # baseline 0, 1, ... (12 values): mean 0.5, every moving range 1, so the upper limit is
    # 0.5 + 2.66 x 1, computed the same way here; a value exactly on it is not outside.
    baseline = [0.0, 1.0] * 6
    upl = 0.5 + 2.66 * 1.0
    on_limit = xmr(baseline + [upl], improvement="increase", fix_after_n_points=12)
    assert on_limit["upl"].iloc[-1] == upl
    assert on_limit["special_cause"].iloc[-1] == ""
    above = xmr(baseline + [np.nextafter(upl, 10)], "increase", fix_after_n_points=12)
    assert above["special_cause"].iloc[-1] == "outside_limits"


# --- rules, end to end ---------------------------------------------------------------------


def test_outside_limits():
    chart = chart_after_baseline([64.0, -44.0])  # above 63.2, below -43.2
    assert chart["special_cause"].iloc[-2:].tolist() == ["outside_limits", "outside_limits"]
    assert chart["point_type"].iloc[-2:].tolist() == [
        "special_cause_improvement",
        "special_cause_concern",
    ]


def test_trend_of_seven_increasing_points():
    # 20 -> 4 is a fall, then 4, 6, ..., 16 is 7 values each higher than the one before;
    # 10 sits on the mean, so no shift. Every value of the run is flagged.
    chart = chart_after_baseline([4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0])
    assert chart["special_cause"].iloc[12:].eq("trend").all()
    assert chart["special_cause"].iloc[:12].eq("").all()
    assert chart["point_type"].iloc[12:].eq("special_cause_improvement").all()
    assert chart["special_cause_since"].iloc[12:].eq(12).all()
    decreasing = chart_after_baseline([16.0, 14.0, 12.0, 10.0, 8.0, 6.0, 4.0], "increase")
    assert decreasing["point_type"].iloc[12:].eq("special_cause_concern").all()


def test_a_tie_breaks_a_trend_and_trend_length_is_an_option():
    tie = chart_after_baseline([4.0, 6.0, 8.0, 8.0, 12.0, 14.0, 16.0])
    assert tie["special_cause"].eq("").all()
    six = chart_after_baseline([4.0, 6.0, 8.0, 10.0, 12.0, 14.0])
    assert six["special_cause"].eq("").all()
    six_rule = chart_after_baseline([4.0, 6.0, 8.0, 10.0, 12.0, 14.0], trend_length=6)
    assert six_rule["special_cause"].iloc[12:].eq("trend").all()


def test_shift_of_seven_points_and_run_length_option():
    # the last baseline value (20) is above the mean too, so the run is 8 values long,
    # from position 11.
    chart = chart_after_baseline([11.0, 12.0, 11.0, 12.0, 11.0, 12.0, 11.0])
    assert chart["special_cause"].iloc[11:].eq("shift").all()
    assert chart["special_cause_since"].iloc[11:].eq(11).all()
    short = chart_after_baseline([11.0, 12.0, 11.0, 12.0, 11.0])  # 6 above the mean
    assert short["special_cause"].eq("").all()
    six = chart_after_baseline([11.0, 12.0, 11.0, 12.0, 11.0], run_length=6)
    assert six["special_cause"].iloc[11:].eq("shift").all()


def test_a_point_on_the_mean_breaks_a_shift():
    on_mean = chart_after_baseline([11.0, 12.0, 11.0, 10.0, 12.0, 11.0, 12.0, 11.0])
    assert on_mean["special_cause"].eq("").all()


def test_two_in_three_same_side_only():
    # near upper limit 45.47, upper limit 63.2: 50, 11, 50 has two of three beyond the near
    # limit, all above the mean: the two 50s are flagged, the 11 is not.
    chart = chart_after_baseline([50.0, 11.0, 50.0])
    assert chart["special_cause"].iloc[12:].tolist() == ["two_in_three", "", "two_in_three"]
    assert chart["special_cause_since"].iloc[14] == 12
    opposite = chart_after_baseline([50.0, 9.0, 50.0])  # 9 is below the mean
    assert opposite["special_cause"].eq("").all()


def test_two_in_three_on_opposite_sides_nhsrplotthedots():
    # tests/testthat/test-ptd_spc_standard.R, "it only reports special cause for 2of3 points
    # close to limits when they are on the same side of the mean": rep(c(1, -1), 8) with
    # data[15] = 5.5 and data[16] = -5.5; the last two points are common cause.
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    chart = xmr(values, improvement="increase")
    assert chart["point_type"].iloc[-2:].tolist() == ["common_cause", "common_cause"]


def test_two_in_three_including_outside_option():
    # 70 is outside the limits, 50 beyond the near limit. By default only values between the
    # near and process limits count (one here); the Making Data Count tools since November
    # 2023 count the 70 too.
    default = chart_after_baseline([70.0, 11.0, 50.0])
    assert default["special_cause"].iloc[12:].tolist() == ["outside_limits", "", ""]
    mdc = chart_after_baseline([70.0, 11.0, 50.0], two_in_three_includes_outside=True)
    assert mdc["special_cause"].iloc[12:].tolist() == ["outside_limits", "", "two_in_three"]


def test_label_priority_and_conflict_rule():
    # -50 is below the lower limit (-43.2): concern; it also starts 7 increasing values
    # (improvement). Label priority takes "outside_limits"; "improvement wins" takes the
    # trend. The other six values are in the trend and in a shift below the mean: trend wins.
    tail = [-50.0, -40.0, -30.0, -20.0, -10.0, 0.0, 5.0]
    priority = chart_after_baseline(tail)
    assert priority["special_cause"].iloc[12:].tolist() == ["outside_limits"] + ["trend"] * 6
    assert priority["point_type"].iloc[12] == "special_cause_concern"
    wins = chart_after_baseline(tail, conflict="improvement_wins")
    assert wins["special_cause"].iloc[12:].eq("trend").all()
    assert wins["point_type"].iloc[12:].eq("special_cause_improvement").all()


def test_neutral_and_decrease_directions():
    tail = [64.0, -44.0]
    neutral = chart_after_baseline(tail, "neutral")
    assert neutral["point_type"].iloc[-2:].tolist() == [
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    ]
    decrease = chart_after_baseline(tail, "decrease")
    assert decrease["point_type"].iloc[-2:].tolist() == [
        "special_cause_concern",
        "special_cause_improvement",
    ]


# --- rules against the vectors of NHSRplotthedots' unit tests ------------------------------
# tests/testthat/test-ptd_calculate_point_type.R tests the internal rule functions; these
# tests feed the same vectors to this module's internal rule functions.


def breaks(n: int) -> np.ndarray:
    first = np.zeros(n, dtype=bool)
    first[:1] = True
    return first


@pytest.mark.parametrize(
    ("side", "expected"),
    [
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [1] * 8 + [0]),  # ptd_seven_point_one_side_mean then part_of
        ([-1] * 8 + [1], [1] * 8 + [0]),
    ],
)
def test_shift_vectors(side, expected):
    side = np.asarray(side)
    length, _ = spc._runs(side, breaks(side.size))
    assert ((side != 0) & (length >= 7)).astype(int).tolist() == expected


@pytest.mark.parametrize(
    ("y", "part", "direction"),
    [
        (list(range(1, 7)), [0] * 6, [0] * 6),  # 1:6
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7, [0] * 7),  # c(1:3, 3:6): the tie breaks it
        (list(range(1, 8)), [1] * 7, [1] * 7),  # 1:7
        ([2, *range(1, 8), 3], [0] + [1] * 7 + [0], [0] + [1] * 7 + [0]),  # c(2, 1:7, 3)
        (list(range(7, 0, -1)), [1] * 7, [-1] * 7),  # 7:1
        ([2, *range(7, 0, -1), 3], [0] + [1] * 7 + [0], [0] + [-1] * 7 + [0]),
    ],
)
def test_trend_vectors(y, part, direction):
    fired, sign, _ = spc._trend(np.asarray(y, dtype=float), breaks(len(y)), 7)
    assert fired.astype(int).tolist() == part
    assert np.where(fired, sign, 0).tolist() == direction


@pytest.mark.parametrize(
    ("close", "side", "expected"),
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),  # ptd_part_of_two_in_three: cv
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),  # dv
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),  # ev
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),  # fv
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),  # gv
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),  # hv
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),  # iv
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),  # opposite sides of the mean
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_two_in_three_vectors(close, side, expected):
    close, side = np.asarray(close, dtype=bool), np.asarray(side)
    fired, _ = spc._two_in_three(close, side, breaks(close.size))
    assert fired.astype(int).tolist() == expected


# --- the vectorised rules agree with a loop over NHSRplotthedots' definitions ---------------


def loop_trend(y: list[float], length: int) -> tuple[list[bool], list[bool]]:
    """Values in an increasing / decreasing run, window by window as ptd_seven_point_trend."""
    up, down = [False] * len(y), [False] * len(y)
    for end in range(length - 1, len(y)):
        window = y[end - length + 1 : end + 1]
        steps = [b - a for a, b in zip(window[:-1], window[1:], strict=True)]
        for flags, ok in ((up, all(s > 0 for s in steps)), (down, all(s < 0 for s in steps))):
            if ok:
                flags[end - length + 1 : end + 1] = [True] * length
    return up, down


def loop_shift(side: list[int], length: int) -> list[bool]:
    """ptd_seven_point_one_side_mean then ptd_part_of_seven_trend, as a loop."""
    flags = [False] * len(side)
    for end in range(length - 1, len(side)):
        window = side[end - length + 1 : end + 1]
        if window[0] != 0 and all(s == window[0] for s in window):
            flags[end - length + 1 : end + 1] = [True] * length
    return flags


def loop_two_in_three(close: list[bool], side: list[int]) -> list[bool]:
    """ptd_two_in_three then ptd_part_of_two_in_three, as a loop."""
    flags = [False] * len(close)
    for start in range(len(close) - 2):
        window = range(start, start + 3)
        if sum(close[i] for i in window) >= 2 and abs(sum(side[i] for i in window)) == 3:
            for i in window:
                flags[i] = flags[i] or close[i]
    return flags


segments = st.lists(st.lists(st.integers(0, 4), min_size=0, max_size=12), min_size=1, max_size=4)


def flatten(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray([v for g in groups for v in g], dtype=float)
    first = np.zeros(values.size, dtype=bool)
    first[np.cumsum([0] + [len(g) for g in groups[:-1]])[[len(g) > 0 for g in groups]]] = True
    return values, first


@settings(max_examples=80, deadline=None)
@given(segments, st.integers(2, 7))
def test_trend_equals_the_loop_within_each_group(groups, length):
    values, first = flatten(groups)
    fired, sign, start = spc._trend(values, first, length)
    at = 0
    for group in groups:
        up, down = loop_trend([float(v) for v in group], length)
        for i in range(len(group)):
            assert fired[at + i] == (up[i] or down[i])
            if up[i] and down[i]:  # the turn: the later trend's direction
                assert sign[at + i] == np.sign(group[i + 1] - group[i])
            elif up[i] or down[i]:
                assert sign[at + i] == (1 if up[i] else -1)
                assert at <= start[at + i] <= at + i
        at += len(group)


@settings(max_examples=80, deadline=None)
@given(segments, st.integers(2, 7))
def test_shift_equals_the_loop_within_each_group(groups, length):
    values, first = flatten(groups)
    side = np.sign(values - 2).astype(int)
    run, _ = spc._runs(side, first)
    fired = (side != 0) & (run >= length)
    expected = [f for g in groups for f in loop_shift([int(np.sign(v - 2)) for v in g], length)]
    assert fired.tolist() == expected


@settings(max_examples=80, deadline=None)
@given(segments)
def test_two_in_three_equals_the_loop_within_each_group(groups):
    values, first = flatten(groups)
    close, side = values >= 3, np.where(values % 2 == 0, 1, -1)
    fired, _ = spc._two_in_three(close, side, first)
    expected = []
    for g in groups:
        expected += loop_two_in_three([v >= 3 for v in g], [1 if v % 2 == 0 else -1 for v in g])
    assert fired.tolist() == expected


# --- rebase, trial limits, missing and degenerate input ------------------------------------


def test_rebase_groups_match_nhsrplotthedots_facets():
    # test-ptd_spc.R "it outputs expected content" facets rnorm(20) into the first and last
    # 10 values; _snaps/ptd_spc.md prints mean_col 0.0746 / 0.209, lpl -2.60 / -3.28,
    # upl 2.75 / 3.70 (3 significant digits), n 10 each, all common cause.
    chart = xmr(RNORM_123, improvement="increase", rebase=[10])
    first, second = chart.iloc[0], chart.iloc[10]
    assert chart["group"].tolist() == [0] * 10 + [1] * 10
    assert (first["mean"], first["lpl"], first["upl"]) == pytest.approx(
        (0.0746, -2.60, 2.75), abs=5e-3
    )
    assert (second["mean"], second["lpl"], second["upl"]) == pytest.approx(
        (0.209, -3.28, 3.70), abs=5e-3
    )
    assert chart["trial_limits"].all()
    assert (chart["point_type"] == "common_cause").all()


def test_rebase_groups_have_their_own_limits_and_labels_by_period():
    periods = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 9)]
    chart = xmr(RNORM_123, improvement="increase", rebase=["2025-01"], periods=periods)
    for rows in (slice(0, 12), slice(12, 20)):
        alone = xmr(RNORM_123[rows], improvement="increase")
        for column in ("mean", "lpl", "upl"):
            assert chart[column].iloc[rows].tolist() == pytest.approx(
                alone[column].tolist(), rel=1e-12
            )
    assert chart["period"].tolist() == periods
    unmatched = xmr(RNORM_123, improvement="increase", rebase=["1999-01"], periods=periods)
    assert unmatched["group"].eq(0).all()
    assert any("1999-01" in note for note in unmatched.attrs["notes"])


def test_runs_never_cross_a_rebase():
    # 4 values above the mean at the end of group 0 and 4 at the start of group 1, and the
    # same values rising: without the rebase they make a shift of 8 and a trend of 8.
    group_0 = [0.0, 20.0] * 6 + [11.0, 12.0, 13.0, 14.0]
    group_1 = [15.0, 16.0, 17.0, 18.0] + [0.0, 20.0] * 6
    joined = xmr(group_0 + group_1, improvement="increase", screen_outliers=False)
    assert joined["special_cause"].iloc[12:20].eq("trend").all()
    rebased = xmr(group_0 + group_1, improvement="increase", rebase=[16])
    assert rebased["special_cause"].eq("").all()


def test_trial_limits_below_13_values():
    assert xmr(RNORM_123[:12], "increase")["trial_limits"].all()
    assert not xmr(RNORM_123[:13], "increase")["trial_limits"].any()
    # a missing value is not a value: 13 rows, 12 values
    assert xmr(RNORM_123[:12] + [np.nan], "increase")["trial_limits"].all()


def test_missing_values_keep_their_row_and_are_skipped():
    # moving ranges run over the values that exist: 1 -> 3 is 2, across the gap.
    chart = xmr([1.0, np.nan, 3.0, 2.0], improvement="increase")
    assert len(chart) == 4
    assert chart["point_type"].iloc[1] == "no_value"
    assert chart["moving_range"].iloc[2] == 2.0
    assert chart["mean"].iloc[0] == pytest.approx(2.0, rel=1e-12)  # (1 + 3 + 2) / 3


def test_constant_series_has_no_limits_and_says_why():
    for screen in (True, False):
        chart = xmr([5.0] * 15, improvement="increase", screen_outliers=screen)
        assert chart[["lpl", "upl", "near_lpl", "near_upl"]].isna().all().all()
        assert chart["limits_note"].str.startswith("no variation").all()
        assert (chart["point_type"] == "common_cause").all()
        summary = summarise(chart, "increase", target=4.0)
        assert summary["variation_icon"] == "common_cause"
        assert summary["assurance_icon"] is None
        assert summary["reason"].startswith("no variation")
        assert summary["assurance_reason"] == "no limits for the latest group"


@pytest.mark.parametrize(
    ("values", "rows", "reason"),
    [
        ([], 0, "no values to chart"),
        ([np.nan, np.nan, np.nan], 3, "no values to chart"),
        ([4.2], 1, "one value only: no moving range, so no limits"),
    ],
)
def test_degenerate_input_gives_a_reason(values, rows, reason):
    chart = xmr(values, improvement="decrease", target=1.0)
    assert len(chart) == rows
    summary = summarise(chart, "decrease", target=1.0)
    assert summary["reason"] == reason
    assert summary["assurance_icon"] is None
    assert set(summary) == set(spc.SUMMARY_FIELDS)


# --- summaries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lpl", "upl", "increase", "decrease"),
    [
        # tests/testthat/test-ptd_calculate_assurance_type.R: lpl c(1, 5, 1), upl c(3, 7, 5),
        # target 4: increase -> fail, pass, inconsistent; decrease -> pass, fail, inconsistent
        (1.0, 3.0, "consistently_failing", "consistently_passing"),
        (5.0, 7.0, "consistently_passing", "consistently_failing"),
        (1.0, 5.0, "hit_and_miss", "hit_and_miss"),
        (4.0, 6.0, "hit_and_miss", "hit_and_miss"),  # target on a limit: strict comparison
    ],
)
def test_assurance_icons(lpl, upl, increase, decrease):
    def icon(direction: int) -> str:
        args = [np.array([x]) for x in (4.0, lpl, upl, direction)]
        return spc._assurance(*args, np.array([True]))[0][0]

    assert icon(1) == increase
    assert icon(-1) == decrease
    assert icon(0) is None  # neutral: ptd_calculate_assurance_type gives NA


def test_summary_of_a_trend():
    chart = chart_after_baseline([4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0], "decrease")
    summary = summarise(chart, "decrease", target=70.0)
    assert summary["variation_icon"] == "concern_high"  # rising, lower is better
    assert summary["special_cause_rule"] == "trend"
    assert summary["special_cause_since"] == 12  # the first value of the run
    assert summary["special_cause_period"] == 18
    assert summary["assurance_icon"] == "consistently_passing"  # 70 > upper limit 63.2
    assert summary["trial_limits"] is False
    assert summary["reason"] is None


def test_summary_uses_periods_and_the_latest_value_that_exists():
    periods = [f"m{i}" for i in range(20)]
    values = BASELINE + [11.0, 12.0, 11.0, 12.0, 11.0, 12.0, np.nan, np.nan]
    summary = summarise(xmr(values, "increase", fix_after_n_points=12, periods=periods), "high")
    assert summary["latest_period"] == "m17"
    assert summary["variation_icon"] == "improvement_high"
    assert (summary["special_cause_rule"], summary["special_cause_since"]) == ("shift", "m11")


@pytest.mark.parametrize(
    ("tail", "improvement", "icon"),
    [
        ([64.0], "increase", "improvement_high"),
        ([64.0], "decrease", "concern_high"),
        ([-44.0], "increase", "concern_low"),
        ([-44.0], "decrease", "improvement_low"),
        ([64.0], "neutral", "neutral_high"),
        ([-44.0], "neutral", "neutral_low"),
        ([12.0], "increase", "common_cause"),
    ],
)
def test_variation_icons(tail, improvement, icon):
    chart = chart_after_baseline(tail, improvement)
    assert summarise(chart, improvement)["variation_icon"] == icon


# --- many series at once --------------------------------------------------------------------


def tidy_table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for indicator, area, n in [("a", "E1", 20), ("a", "E2", 14), ("b", "E1", 9), ("b", "E3", 2)]:
        values = rng.normal(10, 2, n)
        values[n // 3] = np.nan
        ends = pd.date_range("2023-01-31", periods=n, freq="ME")
        for end, value in zip(ends, values, strict=True):
            rows.append((indicator, area, "all", end.strftime("%Y-%m"), end, value))
    columns = ["indicator", "area_code", "breakdown", "period", "period_end", "value"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sample(frac=1, random_state=3)  # shuffled: xmr_table orders by period_end


def test_xmr_table_equals_xmr_per_series():
    table = tidy_table()
    improvement = {"a": "high", "b": "decrease"}
    targets = {"a": 9.0, ("a", "E2"): 12.0}
    rebase = {("a", "E1"): ["2023-11"]}
    charts = xmr_table(table, improvement, targets=targets, rebase=rebase, run_length=6)
    summaries = summarise_table(charts)
    for (indicator, area), series in table.groupby(["indicator", "area_code"]):
        series = series.sort_values("period_end")
        direction = improvement[indicator]
        target = targets.get((indicator, area), targets.get(indicator))
        one = xmr(
            series["value"].to_numpy(),
            direction,
            target=target,
            rebase=rebase.get((indicator, area)),
            periods=series["period"].tolist(),
            run_length=6,
        )
        part = charts[(charts["indicator"] == indicator) & (charts["area_code"] == area)]
        pd.testing.assert_frame_equal(
            part[one.columns].reset_index(drop=True), one, check_dtype=False
        )
        row = summaries[(summaries["indicator"] == indicator) & (summaries["area_code"] == area)]
        expected = summarise(one, direction, target)
        got = {key: spc._plain(value) for key, value in row.iloc[0][list(expected)].items()}
        assert got == expected
    assert charts.loc[charts["indicator"] == "a", "group"].max() == 1


def test_xmr_table_refuses_two_rows_for_one_period():
    table = tidy_table()
    with pytest.raises(ValueError, match="more than one row"):
        xmr_table(pd.concat([table, table.head(1)]), {"a": "increase"})


def test_summarise_table_from_a_tidy_table():
    table = tidy_table()
    summaries = summarise_table(table, {"a": "increase", "b": "low"}, targets={"b": 10.0})
    assert len(summaries) == 4
    single = summaries[summaries["area_code"] == "E3"].iloc[0]
    assert single["reason"] == "one value only: no moving range, so no limits"


# --- properties -----------------------------------------------------------------------------

integer_series = st.lists(st.integers(-50, 50).map(float), min_size=0, max_size=40)


@settings(max_examples=60, deadline=None)
@given(integer_series, st.integers(-1000, 1000))
def test_adding_a_constant_moves_mean_and_limits(values, constant):
    # integers keep every sum exact, so the comparisons with the limits cannot flip.
    chart = xmr(values, improvement="increase")
    moved = xmr([v + constant for v in values], improvement="increase")
    for column in ("mean", "lpl", "upl", "near_lpl", "near_upl"):
        np.testing.assert_allclose(moved[column], chart[column] + constant, rtol=1e-9, atol=1e-9)
    assert moved["special_cause"].tolist() == chart["special_cause"].tolist()


@settings(max_examples=60, deadline=None)
@given(integer_series)
def test_flipping_the_direction_swaps_improvement_and_concern(values):
    up = xmr(values, improvement="increase")
    down = xmr(values, improvement="decrease")
    swap = {
        "special_cause_improvement": "special_cause_concern",
        "special_cause_concern": "special_cause_improvement",
    }
    assert down["point_type"].tolist() == [swap.get(p, p) for p in up["point_type"]]
    assert down["special_cause"].tolist() == up["special_cause"].tolist()


@settings(max_examples=60, deadline=None)
@given(integer_series)
def test_reversing_a_series_swaps_increasing_and_decreasing_trends(values):
    forward = xmr(values, improvement="neutral")
    backward = xmr(values[::-1], improvement="neutral").iloc[::-1].reset_index(drop=True)
    assert backward["special_cause"].tolist() == forward["special_cause"].tolist()
    swap = {"special_cause_neutral_high": "special_cause_neutral_low"}
    swap.update({low: high for high, low in swap.items()})
    for i in np.flatnonzero(forward["special_cause"].eq("trend")):
        turn = (
            0 < i < len(values) - 1
            and (values[i] - values[i - 1]) * (values[i + 1] - values[i]) < 0
        )
        if not turn:  # at a turn both charts take the later trend, so no swap there
            assert backward["point_type"].iloc[i] == swap[forward["point_type"].iloc[i]]


any_floats = st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30)


@settings(max_examples=100, deadline=None)
@given(
    any_floats,
    st.sampled_from(["increase", "decrease", "neutral"]),
    st.one_of(st.none(), st.floats()),
    st.booleans(),
)
def test_arbitrary_floats_never_raise(values, improvement, target, screen):
    chart = xmr(values, improvement, target=target, screen_outliers=screen, rebase=[3])
    assert len(chart) == len(values)
    assert set(chart["point_type"]) <= set(spc.POINT_TYPES)
    summary = summarise(chart, improvement, target)
    assert set(summary) == set(spc.SUMMARY_FIELDS)


def test_options_are_validated():
    with pytest.raises(ValueError):
        SpcOptions(run_length=1)
    with pytest.raises(ValueError):
        SpcOptions(conflict="concern_wins")
    with pytest.raises(ValueError):
        xmr([1.0, 2.0], improvement="up")
