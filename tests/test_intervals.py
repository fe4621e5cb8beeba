"""Wilson and Byar intervals against PHEindicatormethods' published outputs and the formulas.

Published numbers: the PHEindicatormethods vignette as built into the package,
ukhsa-collaboration/PHEindicatormethods ``inst/doc/PHEindicatormethodsIntroVignette.html``
(2018-04-25), sections "Execute phe_proportion and phe_rate": ``phe_proportion(df, obs, pop)``
at 95% and 99.8%, ``phe_rate(df, obs, pop)`` per 100,000 at 95% and per 100 at 99.8%, for the
eight obs / pop pairs below. R printed them to 7 or more significant digits; each is checked to
half a unit of its last printed digit. The package's own testthat data
(``tests/testthat/testdata_Byars_Wilson.xlsx``, used by ``testWilson.R`` and ``testByars.R``)
is a binary spreadsheet that the search tools cannot read, so the vignette stands in for it;
its functions are the same (``wilson_lower``/``wilson_upper``, ``byars_lower``/``byars_upper``
and ``qchisq`` below 10 events in ``R/Rates.R``).
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from analysis.intervals import Z_95, Z_998, byar, level, wilson, z_score

# The vignette's data frame: obs, pop for Area1..Area4 in 2015 and 2016.
OBS = [87, 1, 44, 13, 83, 7, 43, 5]
POP = [131, 164, 134, 109, 131, 139, 137, 163]

# phe_proportion(df, obs, pop): lowercl, uppercl (95%).
WILSON_95 = [
    ("0.579592491", "0.73930053"),
    ("0.001077181", "0.03372625"),
    ("0.254598570", "0.41168471"),
    ("0.071039739", "0.19341500"),
    ("0.548367919", "0.71119617"),
    ("0.024605552", "0.10029837"),
    ("0.242136529", "0.39575419"),
    ("0.013172190", "0.06978956"),
]
# phe_proportion(df, obs, pop, confidence=99.8): lowercl, uppercl.
WILSON_998 = [
    ("0.5293576135", "0.77658434"),
    ("0.0005322047", "0.06601672"),
    ("0.2181147658", "0.46143836"),
    ("0.0529712429", "0.24689949"),
    ("0.4985908973", "0.75043163"),
    ("0.0167360401", "0.14179381"),
    ("0.2069168113", "0.44507799"),
    ("0.0084801369", "0.10481797"),
]
# phe_rate(df, obs, pop): rate per 100,000, lowercl, uppercl (95%); Byars from 10 events,
# Exact below.
RATE_95_PER_100000 = [
    ("53191.89721", "81920.133"),
    ("15.43769", "3397.344"),
    ("23856.24577", "44081.622"),
    ("6344.25775", "20396.080"),
    ("50463.30549", "78543.665"),
    ("2024.72162", "10376.025"),
    ("22712.53344", "42278.943"),
    ("996.00392", "7158.486"),
]
# phe_rate(df, obs, pop, confidence=99.8, multiplier=100): lowercl, uppercl.
RATE_998_PER_100 = [
    ("4.654873e+01", "91.51034"),
    ("6.100612e-04", "5.63013"),
    ("1.961417e+01", "51.21896"),
    ("4.192660e+00", "26.14598"),
    ("4.400613e+01", "87.94878"),
    ("1.093767e+00", "14.11955"),
    ("1.862510e+01", "49.19876"),
    ("4.536023e-01", "10.09494"),
]


def printed(text: str) -> tuple[float, float]:
    """A printed number and half a unit of its last printed digit."""
    exponent = Decimal(text).as_tuple().exponent
    return float(text), 0.5 * 10.0**exponent


def check(actual: np.ndarray, expected: list[str]) -> None:
    for got, text in zip(actual, expected, strict=True):
        value, half_unit = printed(text)
        assert abs(got - value) <= half_unit * (1 + 1e-9), (got, text)


@pytest.mark.parametrize(
    ("confidence", "published"), [(0.95, WILSON_95), (0.998, WILSON_998), (99.8, WILSON_998)]
)
def test_wilson_matches_phe_proportion_vignette(confidence, published):
    # PHEindicatormethods inst/doc/PHEindicatormethodsIntroVignette.html: phe_proportion().
    lower, upper = wilson(OBS, POP, confidence)
    check(lower, [low for low, _ in published])
    check(upper, [high for _, high in published])


def test_byar_and_exact_match_phe_rate_vignette_at_95_percent():
    # PHEindicatormethods inst/doc/PHEindicatormethodsIntroVignette.html: phe_rate(df, obs, pop),
    # Byar's method for 87, 44, 13, 83, 43 events and exact for 1, 7, 5.
    lower, upper = byar(OBS, 0.95)
    pop = np.array(POP, dtype=float)
    check(lower / pop * 100_000, [low for low, _ in RATE_95_PER_100000])
    check(upper / pop * 100_000, [high for _, high in RATE_95_PER_100000])


def test_byar_and_exact_match_phe_rate_vignette_at_99_8_percent():
    # PHEindicatormethods inst/doc/PHEindicatormethodsIntroVignette.html:
    # phe_rate(df, obs, pop, type="full", confidence=99.8, multiplier=100).
    lower, upper = byar(OBS, 0.998)
    pop = np.array(POP, dtype=float)
    check(lower / pop * 100, [low for low, _ in RATE_998_PER_100])
    check(upper / pop * 100, [high for _, high in RATE_998_PER_100])


def test_z_constants_are_those_of_methods_md_and_other_levels_use_the_normal_quantile():
    # docs/methods.md section 2 gives the two constants to 16 digits.
    assert z_score(0.95) == 1.959963984540054 == Z_95
    assert z_score(0.998) == 3.090232306167813 == Z_998
    assert z_score(95) == Z_95 and z_score(99.8) == Z_998
    assert z_score(0.9) == pytest.approx(norm.ppf(0.95), rel=1e-15)
    assert level(90) == 0.9
    with pytest.raises(ValueError, match="confidence"):
        level(0)


def test_wilson_formula_by_hand():
    # Wilson (1927) as PHEindicatormethods R/Wilson.R writes it, for x = 65, n = 100 at 95%:
    # (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)).
    z = 1.959963984540054
    root = math.sqrt(z * z + 4 * 65 * (1 - 65 / 100))
    lower, upper = wilson(65, 100)
    assert lower == pytest.approx((2 * 65 + z * z - z * root) / (2 * (100 + z * z)), rel=1e-12)
    assert upper == pytest.approx((2 * 65 + z * z + z * root) / (2 * (100 + z * z)), rel=1e-12)
    assert isinstance(lower, float)


def test_wilson_edges_zero_and_all():
    # The formula at x = 0 gives lower 0 and upper z^2 / (n + z^2); at x = n upper 1 and
    # lower n / (n + z^2) (the square root term becomes z).
    z = Z_95
    lower, upper = wilson(0, 20)
    assert lower == 0.0 and upper == pytest.approx(z * z / (20 + z * z), rel=1e-12)
    lower, upper = wilson(20, 20)
    assert upper == 1.0 and lower == pytest.approx(20 / (20 + z * z), rel=1e-12)


def test_invalid_input_gives_nan_not_an_exception():
    lower, upper = wilson([5, -1, 3, 2, np.nan, 1], [4, 10, 0, -5, 10, np.inf])
    assert np.isnan(lower).all() and np.isnan(upper).all()
    lower, upper = wilson(11, 10)
    assert math.isnan(lower) and math.isnan(upper)
    lower, upper = byar([-1, np.nan, np.inf])
    assert np.isnan(lower).all() and np.isnan(upper).all()


def test_wilson_mixes_valid_and_invalid_rows():
    lower, upper = wilson([1, 5], [10, 4])
    assert lower[0] == pytest.approx(wilson(1, 10)[0]) and np.isnan(lower[1])


def poisson_cdf(k: int, mean: float) -> float:
    return sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k + 1))


@pytest.mark.parametrize("events", [0, 1, 2, 5, 9])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_poisson_limits_below_10_events(events, confidence):
    # Exact (Garwood) limits, computed here from the Poisson distribution itself rather than
    # chi-squared: the upper limit u has P(X <= x | u) = alpha / 2, the lower limit l has
    # P(X >= x | l) = alpha / 2 (and is 0 when x = 0).
    alpha = 1 - confidence
    lower, upper = byar(events, confidence)
    assert poisson_cdf(events, upper) == pytest.approx(alpha / 2, rel=1e-9)
    if events == 0:
        assert lower == 0.0
    else:
        assert 1 - poisson_cdf(events - 1, lower) == pytest.approx(alpha / 2, rel=1e-9)


@pytest.mark.parametrize("events", [10, 65, 1045])
def test_byar_formula_from_10_events(events):
    # Byar's approximation (Breslow and Day 1987), as PHEindicatormethods R/Byars.R.
    z = Z_95
    lower, upper = byar(events)
    expected_lower = events * (1 - 1 / (9 * events) - z / (3 * math.sqrt(events))) ** 3
    following = events + 1
    expected_upper = following * (1 - 1 / (9 * following) + z / (3 * math.sqrt(following))) ** 3
    assert lower == pytest.approx(expected_lower, rel=1e-12)
    assert upper == pytest.approx(expected_upper, rel=1e-12)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=100_000),
    share=st.floats(min_value=0, max_value=1),
)
def test_wilson_contains_the_proportion_and_widens_with_confidence(n, share):
    x = round(share * n)
    low_95, high_95 = wilson(x, n, 0.95)
    low_998, high_998 = wilson(x, n, 0.998)
    assert 0 <= low_998 <= low_95 <= x / n <= high_95 <= high_998 <= 1


@settings(max_examples=80, deadline=None)
@given(x=st.integers(min_value=0, max_value=1_000_000))
def test_count_interval_contains_the_count_and_widens_with_confidence(x):
    low_95, high_95 = byar(x, 0.95)
    low_998, high_998 = byar(x, 0.998)
    assert 0 <= low_998 <= low_95 <= x <= high_95 <= high_998
