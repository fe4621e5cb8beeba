"""RAG ratings, the exception report and rounding for display (docs/methods.md sections 4-5).

Expected ratings are worked by hand from the rule in methods.md section 4 (green at or better
than the target, amber worse but within the tolerance, red beyond it). Expected roundings are
worked by hand from the DfE convention in section 5 (round half away from zero, on the decimal
as written); the property test checks against integer arithmetic, independent of ``decimal``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.rag import (
    NEUTRAL,
    NO_TARGET,
    NO_VALUE,
    exceptions,
    format_value,
    rag,
    rag_with_reasons,
    round_half_up,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(22.0, "green"), (18.5, "green"), (23.0, "amber"), (24.0, "amber"), (24.1, "red")],
)
def test_lower_is_better_absolute_tolerance(value, expected):
    # Target 22, tolerance 2: green <= 22, amber (22, 24], red > 24.
    assert rag(value, 22.0, 2.0, "low") == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(80, "green"), (95, "green"), (76, "amber"), (75.9, "red")]
)
def test_higher_is_better_relative_tolerance(value, expected):
    # Target 80, tolerance 5% of 80 = 4: green >= 80, amber [76, 80), red < 76.
    assert rag(value, 80, 0.05, "high", tolerance_type="relative") == expected


def test_decimal_boundaries_land_on_the_boundary():
    # 20 + 2.2 is 22.200000000000003 in binary; 22.2 is still within the tolerance.
    assert rag(22.2, 20.0, 2.2, "low") == "amber"
    assert rag(17.8, 20.0, 2.2, "high") == "amber"
    assert rag(22.21, 20.0, 2.2, "low") == "red"
    # 0.1 + 0.2 = 0.30000000000000004: on the target, so green either way.
    assert rag(0.1 + 0.2, 0.3, 0.0, "low") == "green"
    assert rag(0.3 + 1e-6, 0.3, 0.0, "low") == "red"


def test_no_tolerance_means_no_amber():
    assert rag([22.0, 22.5], 22.0, None, "low").tolist() == ["green", "red"]
    assert rag(22.5, 22.0, np.nan, "low") == "red"


def test_no_rating_with_reasons():
    result = rag_with_reasons(
        [20.0, 20.0, np.nan, 20.0], [22.0, None, 22.0, 22.0], 2.0, ["neutral", "low", "low", "low"]
    )
    assert result["rating"].tolist() == [None, None, None, "green"]
    assert result["reason"].tolist() == [NEUTRAL, NO_TARGET, NO_VALUE, None]
    assert rag(20.0, None, 2.0, "low") is None


def test_series_in_series_out():
    values = pd.Series([70.0, 85.0], index=["Jan", "Feb"])
    rated = rag(values, 80.0, 5.0, "high")
    assert rated.to_dict() == {"Jan": "red", "Feb": "green"}
    assert rag_with_reasons(values, 80.0, 5.0, "high").index.tolist() == ["Jan", "Feb"]


def test_configuration_mistakes_are_refused():
    with pytest.raises(ValueError, match="negative"):
        rag(1.0, 2.0, -1.0, "low")
    with pytest.raises(ValueError, match="polarity"):
        rag(1.0, 2.0, 1.0, "up")
    with pytest.raises(ValueError, match="tolerance_type"):
        rag(1.0, 2.0, 1.0, "low", tolerance_type="percent")


@settings(max_examples=80, deadline=None)
@given(
    value=st.integers(min_value=-1000, max_value=1000),
    target=st.integers(min_value=-1000, max_value=1000),
    tolerance=st.integers(min_value=0, max_value=100),
)
def test_flipping_polarity_mirrors_the_value_around_the_target(value, target, tolerance):
    # Higher is better for v is lower is better for the value reflected in the target.
    mirrored = 2 * target - value
    assert rag(value, target, tolerance, "high") == rag(mirrored, target, tolerance, "low")
    green = value >= target
    assert (rag(value, target, tolerance, "high") == "green") == green


# --- the exception report -------------------------------------------------------------------


def test_exceptions_lists_red_red_red_and_special_cause_with_reasons():
    summary = pd.DataFrame(
        {
            "indicator": ["rereferrals", "cpp_second", "cla_3plus", "sw_turnover", "eet"],
            "rag": ["red", "amber", "green", None, "red"],
            "worse_than_comparator": [False, True, True, True, True],
            "getting_worse": [False, True, False, None, True],
            "comparator": ["England", "statistical neighbours", "England", "England", "England"],
            "special_cause_concern": [False, False, True, False, True],
        }
    )
    listed = exceptions(summary)
    assert listed["indicator"].tolist() == ["rereferrals", "cpp_second", "cla_3plus", "eet"]
    assert listed["reasons"].tolist() == [
        "red against its target",
        "worse than statistical neighbours and getting worse (red-red)",
        "special cause concern",
        "red against its target; worse than England and getting worse (red-red); "
        "special cause concern",
    ]
    assert listed["red_red"].tolist() == [False, True, False, True]


def test_exceptions_with_only_some_columns_and_none_listed():
    only_rag = pd.DataFrame({"indicator": ["a", "b"], "rag": ["green", "amber"]})
    assert exceptions(only_rag).empty
    flags = pd.DataFrame(
        {"indicator": ["a"], "worse_than_comparator": [True], "getting_worse": [True]}
    )
    assert exceptions(flags)["reasons"].tolist() == [
        "worse than its comparator and getting worse (red-red)"
    ]
    with pytest.raises(ValueError, match="indicator"):
        exceptions(pd.DataFrame({"rag": ["red"]}))


# --- rounding and display -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "dps", "expected"),
    [
        (2.675, 2, 2.68),  # binary 2.67499999... : Python's round gives 2.67
        (1.005, 2, 1.01),  # binary 1.00499999...
        (0.125, 2, 0.13),  # exact in binary: round-half-even would give 0.12
        (2.5, 0, 3.0),
        (-2.5, 0, -3.0),  # away from zero
        (-0.5, 0, -1.0),
        (22.45, 1, 22.5),
        (-22.45, 1, -22.5),
        (125.0, -1, 130.0),
        (0.0, 2, 0.0),
    ],
)
def test_round_half_away_from_zero_on_the_decimal(x, dps, expected):
    assert round_half_up(x, dps) == expected


def test_rounding_keeps_no_negative_zero_and_passes_missing_through():
    assert math.copysign(1.0, round_half_up(-0.04, 1)) == 1.0
    assert math.isnan(round_half_up(float("nan"), 1))
    assert round_half_up(float("inf"), 1) == float("inf")
    assert round_half_up(np.array([2.675, -2.5]), 2).tolist() == [2.68, -2.5]
    assert round_half_up(pd.Series([0.125], index=["x"]), 2).to_dict() == {"x": 0.13}


@settings(max_examples=100, deadline=None)
@given(digits=st.integers(min_value=-(10**9), max_value=10**9), dps=st.integers(0, 4))
def test_rounding_agrees_with_integer_arithmetic(digits, dps):
    # x = digits / 10^(dps + 1), written as a decimal; round half away from zero by integers.
    whole, fraction = divmod(abs(digits), 10 ** (dps + 1))
    text = f"{'-' if digits < 0 else ''}{whole}.{fraction:0{dps + 1}d}"
    quotient, remainder = divmod(abs(digits), 10)
    rounded = quotient + (1 if remainder >= 5 else 0)
    expected = math.copysign(rounded / 10**dps, digits) if rounded else 0.0
    assert round_half_up(float(text), dps) == expected


def test_format_value():
    assert format_value(22.649, 1, "percent") == "22.6%"
    assert format_value(2.675, 2, "% of referrals") == "2.68%"
    assert format_value(1204.5, 0, "cases") == "1,205"
    assert format_value(70.05, 1, "rate per 10,000") == "70.1"
    assert format_value(-0.04, 1, "percent") == "0.0%"
    assert format_value(float("nan"), 1, "percent", status="c") == "c"
    assert format_value(None, 1, "percent") == "n/a"
