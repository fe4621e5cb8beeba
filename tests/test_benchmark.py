"""Benchmarks: comparator figures, ranks, quartile bands, significance, funnel limits.

Expected numbers are computed by hand in each test from the rule in docs/methods.md section 2
(and the formula written next to it), from Spiegelhalter (2005) "Funnel plots for comparing
institutional performance" (Statistics in Medicine 24:1185-1202) for the funnel limits, and
from the published DfE files for the backtests at the end (skipped when ../shared is absent).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.benchmark import (
    NO_COUNTS,
    NO_SCALE,
    Comparators,
    benchmark_all,
    comparator_figures,
    compare_with_benchmark,
    funnel_limits,
    national_rank,
    overdispersion,
    quartile_bands,
    rank_within,
)
from analysis.intervals import Z_95, Z_998, wilson
from analysis.values import scale_from_unit

LA = "local authority"
FLIP = {"high": "low", "low": "high", "neutral": "neutral"}
MIRROR = {"A": "D", "B": "C", "C": "B", "D": "A"}


def tidy(values, indicator="ind", period="2025", numerators=None, denominators=None, **extra):
    """A tidy table of councils C0, C1, ... with the given values (NaN: suppressed)."""
    codes = [f"C{i}" for i in range(len(values))]
    table = pd.DataFrame(
        {
            "indicator": indicator,
            "area_code": codes,
            "area_level": LA,
            "period": period,
            "value": np.asarray(values, dtype=float),
            "numerator": np.nan if numerators is None else np.asarray(numerators, dtype=float),
            "denominator": np.nan
            if denominators is None
            else np.asarray(denominators, dtype=float),
        }
    )
    for name, column in extra.items():
        table[name] = column
    return table


def row(area_code, area_level, value, **extra):
    return pd.DataFrame(
        [
            {
                "indicator": "ind",
                "area_code": area_code,
                "area_level": area_level,
                "period": "2025",
                "value": value,
                **extra,
            }
        ]
    )


def figures_for(figures, comparator, area_code="C0"):
    chosen = figures[(figures["comparator"] == comparator) & (figures["area_code"] == area_code)]
    assert len(chosen) == 1
    return chosen.iloc[0]


# --- comparator figures ---------------------------------------------------------------------

# C0's neighbours C1..C4: C2 is suppressed. Values are percentages of numerator / denominator.
GROUP_TABLE = tidy(
    [20.0, 30.0, np.nan, 25.0, 10.0, 40.0],
    numerators=[20, 60, np.nan, 25, 5, 40],
    denominators=[100, 200, np.nan, 100, 50, 100],
)
GROUPS = {"statistical_neighbours": {"C0": ["C1", "C2", "C3", "C4"]}}


def test_group_mean_leaves_suppressed_members_out():
    # Mean of C1, C3, C4 = (30 + 25 + 10) / 3; counting the suppressed C2 as 0 would give 16.25.
    figures = comparator_figures(GROUP_TABLE, GROUPS, "mean", focus=["C0"])
    sn = figures_for(figures, "statistical_neighbours")
    assert sn["value"] == pytest.approx(65 / 3, rel=1e-12)
    assert (sn["n"], sn["members"], sn["method"]) == (3, 4, "mean")
    assert pd.isna(sn["reason"])


def test_group_median():
    # Median of 30, 25, 10 is 25; of an even count, the mean of the middle two.
    figures = comparator_figures(GROUP_TABLE, GROUPS, "median", focus=["C0"])
    assert figures_for(figures, "statistical_neighbours")["value"] == 25.0
    even = {"g": {"C0": ["C1", "C3", "C4", "C5"]}}
    figures = comparator_figures(GROUP_TABLE, even, "median", focus=["C0"])
    assert figures_for(figures, "g")["value"] == pytest.approx((25 + 30) / 2)


def test_group_pooled_sums_numerators_and_denominators_with_inferred_percentage_scale():
    # (60 + 25 + 5) / (200 + 100 + 50) x 100; the scale 100 is inferred from value / (x / n).
    figures = comparator_figures(GROUP_TABLE, GROUPS, "pooled", focus=["C0"])
    sn = figures_for(figures, "statistical_neighbours")
    assert sn["value"] == pytest.approx(100 * 90 / 350, rel=1e-12)
    assert sn["n"] == 3
    given = comparator_figures(GROUP_TABLE, GROUPS, "pooled", ["C0"], {"ind": 100.0})
    assert figures_for(given, "statistical_neighbours")["value"] == sn["value"]


def test_pooled_rate_per_10000_scale_is_inferred():
    # Rates per 10,000: 7 / 1000 and 13 / 3000; pooled 20 / 4000 x 10,000 = 50.
    table = tidy(
        [70.0, 130 / 3 * 1.0, 1.0], numerators=[7, 13, 1], denominators=[1000, 3000, 10000]
    )
    figures = comparator_figures(table, {"g": {"C2": ["C0", "C1"]}}, "pooled", focus=["C2"])
    assert figures_for(figures, "g", "C2")["value"] == pytest.approx(50.0, rel=1e-12)


def test_pooled_without_counts_has_no_figure_and_says_why():
    table = tidy([20.0, 30.0, 25.0])
    figures = comparator_figures(table, {"g": {"C0": ["C1", "C2"]}}, "pooled", focus=["C0"])
    group = figures_for(figures, "g")
    assert np.isnan(group["value"]) and group["n"] == 0
    assert group["reason"] == "no member of the group had a numerator and denominator"


def test_england_is_the_published_row_else_computed():
    table = pd.concat([GROUP_TABLE, row("E92000001", "national", 22.6)], ignore_index=True)
    published = figures_for(comparator_figures(table, focus=["C0"]), "england")
    assert (published["value"], published["method"], published["n"]) == (22.6, "published", 5)
    computed = figures_for(comparator_figures(GROUP_TABLE, focus=["C0"]), "england")
    # Mean of the five councils with a value: (20 + 30 + 25 + 10 + 40) / 5.
    assert computed["value"] == pytest.approx(25.0) and computed["method"] == "mean"


def test_region_is_the_published_row_else_computed_else_unknown():
    table = tidy(
        [20.0, 30.0, 10.0, 40.0, 50.0],
        region_code=["R1", "R1", "R2", "R2", None],
    )
    table = pd.concat([table, row("R1", "regional", 24.0)], ignore_index=True)
    figures = comparator_figures(table)
    assert figures_for(figures, "region", "C0")[["value", "method"]].tolist() == [24.0, "published"]
    r2 = figures_for(figures, "region", "C2")
    assert r2[["value", "method", "n", "members"]].tolist() == [25.0, "mean", 2, 2]
    unknown = figures_for(figures, "region", "C4")
    assert np.isnan(unknown["value"]) and unknown["reason"] == "the council's region is not known"


def test_comparators_by_dfe_number_named_groups_and_missing_members():
    table = GROUP_TABLE.assign(la_number=["800", "801", "802", "803", "804", "805"])
    comparators = Comparators(
        neighbours={"800": ["801", "803", "999"]},  # 999 is not in the table
        good_or_outstanding=["C4", "C5"],
        named={"core cities": ["801", "805"]},
    )
    figures = comparator_figures(table, comparators, focus=["800"])
    sn = figures_for(figures, "statistical_neighbours")
    assert sn[["value", "n", "members"]].tolist() == [27.5, 2, 3]
    assert figures_for(figures, "good_or_outstanding")["value"] == 25.0
    assert figures_for(figures, "core cities")["value"] == 35.0


def test_group_with_no_values_says_why():
    figures = comparator_figures(GROUP_TABLE, {"g": {"C0": ["C2"]}}, focus=["C0"])
    group = figures_for(figures, "g")
    assert np.isnan(group["value"]) and group["reason"] == "no member of the group had a value"


def test_duplicate_rows_are_refused():
    table = pd.concat([GROUP_TABLE, GROUP_TABLE.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="more than one whole-area row"):
        comparator_figures(table)


def test_pooled_scale_that_is_not_a_power_of_ten_is_not_guessed():
    # value / (x / n) is 50 here: neither 10 nor 100, so no pooled figure, and the reason.
    table = tidy([10.0, 15.0, 5.0], numerators=[20, 30, 10], denominators=[100, 100, 100])
    figures = comparator_figures(table, {"g": {"C0": ["C1", "C2"]}}, "pooled", focus=["C0"])
    group = figures_for(figures, "g")
    assert np.isnan(group["value"]) and group["reason"] == NO_SCALE
    given = comparator_figures(table, {"g": {"C0": ["C1", "C2"]}}, "pooled", ["C0"], {"ind": 50})
    assert figures_for(given, "g")["value"] == pytest.approx(50 * 40 / 200)


@pytest.mark.parametrize(
    "table",
    [
        tidy([]),
        row("E", "national", 22.0),
        tidy([np.nan] * 5),
        tidy([np.nan] * 5, numerators=[np.nan] * 5, denominators=[1.0] * 5),
    ],
    ids=["empty", "England only", "all suppressed", "all suppressed with denominators"],
)
def test_degenerate_tables_give_empty_or_reasoned_results(table):
    polarity = {"ind": "low"}
    out = benchmark_all(table, polarity, {"C0": ["C1"]}, ["C2"])
    assert len(out) == (table["area_level"] == LA).sum()
    assert out["national_rank"].isna().all() and out["quartile_band"].isna().all()
    bands = quartile_bands(table, polarity)
    assert bands["reason"].isin(["no value"]).all()
    figures = comparator_figures(table, {"g": {"C0": ["C1"]}}, "pooled")
    assert figures["value"].isna().all()
    assert funnel_limits([], 0.2).empty


def test_scale_from_unit():
    assert scale_from_unit("percent") == 100.0
    assert scale_from_unit("% of referrals") == 100.0
    assert scale_from_unit("Rate per 1000 live births") == 1000.0
    assert scale_from_unit("rate per 10,000") == 10_000.0
    assert scale_from_unit("cases") is None and scale_from_unit(None) is None


# --- ranks ----------------------------------------------------------------------------------


def test_national_rank_min_ties_missing_left_out():
    table = tidy([10.0, 20.0, 20.0, 30.0, np.nan])
    low = national_rank(table, {"ind": "low"})
    assert low["national_rank"].tolist()[:4] == [1.0, 2.0, 2.0, 4.0]
    assert np.isnan(low["national_rank"].iloc[4]) and (low["rank_of"] == 4).all()
    high = national_rank(table, {"ind": "high"})
    assert high["national_rank"].tolist()[:4] == [4.0, 2.0, 2.0, 1.0]
    neutral = national_rank(table, {"ind": "neutral"})
    assert neutral["national_rank"].isna().all() and neutral["rank_of"].isna().all()
    assert national_rank(table, {})["national_rank"].isna().all()  # unknown: neutral


def test_rank_within_neighbours():
    # C0 = 25 among 10 neighbours 10, 20, 20, 25, 30, ... (lower is better): 3 are better.
    values = [25.0, 10.0, 20.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, np.nan]
    table = tidy(values)
    neighbours = [f"C{i}" for i in range(1, 11)]
    ranked = rank_within(table, "C0", neighbours, {"ind": "low"}).iloc[0]
    assert (ranked["rank"], ranked["rank_of"]) == (4.0, 10.0)
    ranked = rank_within(table, "C0", neighbours, {"ind": "high"}).iloc[0]
    assert (ranked["rank"], ranked["rank_of"]) == (6.0, 10.0)
    missing = rank_within(table, "C10", neighbours[:-1], {"ind": "low"}).iloc[0]
    assert np.isnan(missing["rank"]) and missing["reason"] == "the council has no value"


# --- quartile bands -------------------------------------------------------------------------


def test_quartile_boundaries_type_7_and_bands():
    # Values 1..8: type 7 puts Q1 at position 7 x 0.25 = 1.75 (from 0), so 2 + 0.75 = 2.75;
    # Q2 = 4.5; Q3 = 6.25. Lower is better: 1, 2 -> A; 3, 4 -> B; 5, 6 -> C; 7, 8 -> D.
    bands = quartile_bands(tidy(list(range(1, 9))), {"ind": "low"})
    assert bands[["q1", "q2", "q3"]].iloc[0].tolist() == [2.75, 4.5, 6.25]
    assert bands["band"].tolist() == list("AABBCCDD")
    assert bands["quartile"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4]
    assert (bands["n_areas"] == 8).all()


def test_a_value_on_a_boundary_takes_the_lower_band():
    # Values 1..5: Q1 = 2, Q2 = 3, Q3 = 4 exactly; 2 <= Q1 is band 1, 3 band 2, 4 band 3.
    bands = quartile_bands(tidy([1.0, 2.0, 3.0, 4.0, 5.0]), {"ind": "low"})
    assert bands["quartile"].tolist() == [1, 1, 2, 3, 4]
    assert bands["band"].tolist() == list("AABCD")
    high = quartile_bands(tidy([1.0, 2.0, 3.0, 4.0, 5.0]), {"ind": "high"})
    assert high["band"].tolist() == list("DDCBA")


def test_neutral_indicators_get_no_band_only_higher_similar_lower():
    bands = quartile_bands(tidy([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]), {"ind": "neutral"})
    assert bands["band"].isna().all()
    assert bands["compared"].tolist()[:5] == ["lower", "lower", "similar", "similar", "higher"]
    assert pd.isna(bands["compared"].iloc[5]) and bands["reason"].iloc[5] == "no value"


def test_degenerate_quartiles_say_why():
    few = quartile_bands(tidy([1.0, 2.0, 3.0, np.nan]), {"ind": "low"})
    assert few["band"].isna().all()
    assert few["reason"].tolist()[:3] == ["fewer than 4 councils with a value"] * 3
    same = quartile_bands(tidy([7.0] * 6), {"ind": "low"})
    assert (
        same["band"].isna().all() and (same["reason"] == "every council has the same value").all()
    )


def test_quartiles_agree_with_numpy_linear_on_real_sized_groups():
    rng = np.random.default_rng(7)
    values = np.round(rng.normal(22, 5, 153), 1)
    values[rng.choice(153, 12, replace=False)] = np.nan
    bands = quartile_bands(tidy(values), {"ind": "low"})
    expected = np.nanquantile(values, [0.25, 0.5, 0.75])
    np.testing.assert_array_equal(bands[["q1", "q2", "q3"]].iloc[0].to_numpy(), expected)


# --- compared with a benchmark --------------------------------------------------------------


def wilson_by_hand(x, n, z):
    root = math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root * z) / (2 * (n + z * z)), (2 * x + z * z + root * z) / (
        2 * (n + z * z)
    )


def test_proportion_compared_at_95_and_99_8_percent():
    # 30 of 100 against 20%: Wilson 95% is (21.8%, 39.6%), above 20%: higher;
    # at 99.8% the lower limit is below 20%: similar.
    low_95, _ = wilson_by_hand(30, 100, Z_95)
    low_998, _ = wilson_by_hand(30, 100, Z_998)
    assert low_95 * 100 > 20 > low_998 * 100
    result = compare_with_benchmark(30, 100, 20.0, ["low", "high", "neutral"], scale=100)
    assert result["compared"].tolist() == ["higher"] * 3
    assert result["outcome"].tolist() == ["worse", "better", "higher"]
    assert result["lower"].iloc[0] == pytest.approx(low_95 * 100, rel=1e-12)
    strict = compare_with_benchmark(30, 100, 20.0, "low", confidence=0.998, scale=100)
    assert strict["outcome"].tolist() == ["similar"]


def test_benchmark_on_an_interval_end_is_similar():
    lower, upper = wilson(30, 100)
    result = compare_with_benchmark([30, 30], [100, 100], [lower, upper], "low")
    assert result["compared"].tolist() == ["similar", "similar"]
    outside = compare_with_benchmark(30, 100, np.nextafter(lower, 0), "low")
    assert outside["compared"].tolist() == ["higher"]


def test_rate_uses_exact_poisson_below_10_events():
    # 5 events in 1,000 children, per 10,000 = 50; exact 95% count limits (chi-squared):
    # 1.6235 to 11.668, so 16.2 to 116.7 per 10,000: 120 is above, "lower" than it.
    result = compare_with_benchmark(5, 1000, [120.0, 100.0], "neutral", kind="rate", scale=10_000)
    assert result["compared"].tolist() == ["lower", "similar"]
    assert result["lower"].iloc[0] == pytest.approx(16.235, abs=5e-4)
    assert result["upper"].iloc[0] == pytest.approx(116.683, abs=5e-4)


def test_no_counts_or_no_benchmark_cannot_be_compared():
    result = compare_with_benchmark([np.nan, 30, 5], [100, 100, 0], [20.0, np.nan, 20.0], "low")
    assert result["outcome"].isna().all()
    assert result["reason"].tolist() == [
        NO_COUNTS,
        "cannot be compared: no benchmark figure",
        "cannot be compared: the numerator and denominator are not valid",
    ]


def test_bad_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        compare_with_benchmark(1, 2, 0.5, "up")


# --- funnel limits --------------------------------------------------------------------------


def test_normal_funnel_limits_by_hand():
    # p0 +/- z sqrt(p0 (1 - p0) / n), docs/methods.md section 2.
    limits = funnel_limits([50, 200], 0.2)
    for _, limit in limits.iterrows():
        z = Z_95 if limit["confidence"] == 0.95 else Z_998
        spread = z * math.sqrt(0.2 * 0.8 / limit["n"])
        assert limit["lower"] == pytest.approx(0.2 - spread, rel=1e-12)
        assert limit["upper"] == pytest.approx(0.2 + spread, rel=1e-12)
    # At n = 5 the 99.8% lower limit would be -0.35: kept at 0.
    clipped = funnel_limits([5], 0.2, confidence=[0.998]).iloc[0]
    assert clipped["lower"] == 0.0
    assert clipped["upper"] == pytest.approx(0.2 + Z_998 * math.sqrt(0.16 / 5), rel=1e-12)


def binomial_cdf(r, n, p):
    return (
        sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(0, r + 1)) if r >= 0 else 0.0
    )


def spiegelhalter_by_hand(n, p0, probability):
    """Spiegelhalter (2005) appendix: r_p the smallest r with P(R <= r) >= p, then
    alpha = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1)) and the limit (r_p - alpha) / n."""
    r = next(r for r in range(n + 1) if binomial_cdf(r, n, p0) >= probability)
    at, below = binomial_cdf(r, n, p0), binomial_cdf(r - 1, n, p0)
    return (r - (at - probability) / (at - below)) / n


@pytest.mark.parametrize(("n", "p0"), [(20, 0.3), (57, 0.226), (400, 0.05)])
def test_exact_funnel_limits_by_hand(n, p0):
    limits = funnel_limits([n], p0, method="exact")
    for _, limit in limits.iterrows():
        tail = (1 - limit["confidence"]) / 2
        assert limit["lower"] == pytest.approx(
            max(0.0, spiegelhalter_by_hand(n, p0, tail)), rel=1e-9
        )
        assert limit["upper"] == pytest.approx(spiegelhalter_by_hand(n, p0, 1 - tail), rel=1e-9)


def test_exact_limits_need_whole_denominators():
    assert funnel_limits([10.5], 0.3, method="exact")["lower"].isna().all()


UNITS_X = [5, 12, 20, 30, 45, 8, 15, 25, 40, 33]
UNITS_N = [50, 60, 80, 100, 120, 40, 70, 90, 110, 100]


def test_overdispersion_phi_and_tau2_by_hand():
    # Spiegelhalter (2005), over-dispersion with an additive random-effects model, step by step.
    p0 = sum(UNITS_X) / sum(UNITS_N)
    variances = [p0 * (1 - p0) / n for n in UNITS_N]
    z = [(x / n - p0) / math.sqrt(v) for x, n, v in zip(UNITS_X, UNITS_N, variances, strict=True)]
    ordered = sorted(z)

    def percentile(p):  # type 7: position (I - 1) p, linear between neighbours
        position = (len(ordered) - 1) * p
        below = math.floor(position)
        return ordered[below] + (position - below) * (ordered[below + 1] - ordered[below])

    low, high = percentile(0.1), percentile(0.9)
    phi = sum(min(max(v, low), high) ** 2 for v in z) / len(z)
    weights = [1 / v for v in variances]
    tau2 = (len(z) * phi - (len(z) - 1)) / (
        sum(weights) - sum(w * w for w in weights) / sum(weights)
    )
    assert phi > 1 and tau2 > 0  # the example is over-dispersed
    estimate = overdispersion(UNITS_X, UNITS_N, p0)
    assert estimate.phi == pytest.approx(phi, rel=1e-12)
    assert estimate.tau2 == pytest.approx(tau2, rel=1e-12)
    assert estimate.units == 10 and "tau\u00b2" in estimate.note
    widened = funnel_limits([100], p0, confidence=[0.95], overdispersion=estimate).iloc[0]
    assert widened["upper"] == pytest.approx(p0 + Z_95 * math.sqrt(p0 * (1 - p0) / 100 + tau2))


def test_no_overdispersion_gives_tau2_zero_and_degenerate_input_says_why():
    estimate = overdispersion([20, 41, 59], [100, 200, 300], 0.2)
    assert estimate.tau2 == 0.0 and "not widened" in estimate.note
    assert np.isnan(overdispersion([20], [100], 0.2).phi)
    assert "fewer than 2 units" in overdispersion([20, np.nan], [100, 50], 0.2).note
    assert "0 or 1" in overdispersion([1, 2], [10, 10], 0.0).note


# --- everything at once ---------------------------------------------------------------------


def two_indicator_table():
    """Two indicators x two years, six councils in two regions, England, counts for one."""
    rng = np.random.default_rng(11)
    parts = []
    for indicator, with_counts in (("rereferrals", True), ("cla_rate", False)):
        for period in ("2024", "2025"):
            denominators = rng.integers(200, 2000, 6).astype(float)
            numerators = np.round(denominators * rng.uniform(0.1, 0.35, 6))
            values = np.round(100 * numerators / denominators, 1)
            values[5] = np.nan
            part = tidy(
                values,
                indicator=indicator,
                period=period,
                numerators=numerators if with_counts else None,
                denominators=denominators if with_counts else None,
                region_code=["R1", "R1", "R1", "R2", "R2", "R2"],
                la_number=[f"{800 + i}" for i in range(6)],
            )
            part.loc[5, ["numerator", "denominator"]] = np.nan
            england = row("E", "national", 22.0)
            england["indicator"], england["period"] = indicator, period
            parts += [part, england]
    return pd.concat(parts, ignore_index=True)


def test_benchmark_all_agrees_with_the_separate_functions():
    table = two_indicator_table()
    polarity = {"rereferrals": "low", "cla_rate": "neutral"}
    neighbours = {"800": ["801", "802", "803"], "C1": ["C0", "C4", "C5"]}
    out = benchmark_all(table, polarity, neighbours, ["C3", "C4", "C5"])
    assert len(out) == 24
    ranks = national_rank(table, polarity)
    pd.testing.assert_series_equal(out["national_rank"], ranks["national_rank"])
    bands = quartile_bands(table, polarity)
    assert out["quartile_band"].astype(object).equals(bands["band"].astype(object))
    go = {f"C{i}": ["C3", "C4", "C5"] for i in range(6)}
    figures = comparator_figures(table, {"statistical_neighbours": neighbours, "go": go})
    keys = ["indicator", "period", "area_code"]
    wide = figures.set_index([*keys, "comparator"])["value"].unstack().add_prefix("figure_")
    merged = out.join(wide, on=keys)
    for mine, theirs in (
        ("sn_mean", "figure_statistical_neighbours"),
        ("good_or_outstanding", "figure_go"),
        ("england", "figure_england"),
        ("region", "figure_region"),
    ):
        np.testing.assert_allclose(merged[mine], merged[theirs], rtol=1e-12, equal_nan=True)


def test_benchmark_all_compares_with_england_only_with_counts():
    table = two_indicator_table()
    out = benchmark_all(table, {"rereferrals": "low", "cla_rate": "neutral"}, {}, [])
    counted = out[(out["indicator"] == "rereferrals") & out["value"].notna()]
    source = table[
        (table["indicator"] == "rereferrals") & (table["area_level"] == LA) & table["value"].notna()
    ]
    expected = compare_with_benchmark(
        source["numerator"], source["denominator"], 22.0, "low", scale=100
    )["outcome"]
    assert counted["compared_with_england"].tolist() == expected.tolist()
    assert counted["compared_with_england"].notna().all()
    values_only = out[out["indicator"] == "cla_rate"]
    assert values_only["compared_with_england"].isna().all()
    assert (values_only["compared_with_england_reason"] == NO_COUNTS).all()


def test_benchmark_all_neighbours_by_number_and_ranks_within():
    table = two_indicator_table()
    out = benchmark_all(table, {"rereferrals": "low"}, {"800": ["801", "802", "805"]}, [])
    first = out[(out["area_code"] == "C0")].iloc[0]
    values = table[
        (table["indicator"] == first["indicator"]) & (table["period"] == first["period"])
    ]
    values = values.set_index("area_code")["value"]
    neighbours = values[["C1", "C2"]]  # C5 is suppressed
    assert first["sn_mean"] == pytest.approx(neighbours.mean())
    assert first["sn_median"] == pytest.approx(neighbours.median())
    assert first["sn_n"] == 2
    assert first["sn_rank"] == 1 + (neighbours < values["C0"]).sum()
    assert first["sn_rank_of"] == 3


# --- properties -----------------------------------------------------------------------------

integer_values = st.lists(
    st.one_of(st.integers(min_value=0, max_value=12).map(float), st.just(float("nan"))),
    min_size=4,
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(values=integer_values, polarity=st.sampled_from(["high", "low"]))
def test_flipping_polarity_mirrors_bands_exactly(values, polarity):
    # The quartile is decided by value; polarity only names it (1..4 = A..D or D..A), so the
    # mirror is exact, ties on a boundary included.
    table = tidy(values)
    bands = quartile_bands(table, {"ind": polarity})
    flipped = quartile_bands(table, {"ind": FLIP[polarity]})
    assert bands["quartile"].equals(flipped["quartile"])
    for band, other in zip(bands["band"], flipped["band"], strict=True):
        assert (pd.isna(band) and pd.isna(other)) or MIRROR[band] == other


@settings(max_examples=40, deadline=None)
@given(values=integer_values)
def test_negating_values_mirrors_quartiles_except_on_boundaries(values):
    # Quartile q = 1 + #{boundaries strictly below the value}. Type-7 quartiles of -x are
    # -Q3, -Q2, -Q1, so negated the quartile is 1 + #{boundaries strictly above the value}:
    # q + q' = 5 - #{boundaries equal to the value}. Off the boundaries that is the mirror
    # 5 - q; a value on a boundary takes the lower band both ways, so it lands one quartile
    # nearer the middle per boundary it sits on (on Q1: quartile 1, negated 3, not 4).
    # Integer values keep the interpolation exact, so "on a boundary" is well defined.
    table = tidy(values)
    bands = quartile_bands(table, {"ind": "low"})
    negated = quartile_bands(tidy([-v for v in values]), {"ind": "low"})
    boundaries = bands[["q1", "q2", "q3"]].iloc[0].to_numpy()
    for value, q, q_negated in zip(
        bands["value"], bands["quartile"], negated["quartile"], strict=True
    ):
        if pd.isna(q):
            assert pd.isna(q_negated)
        else:
            assert q + q_negated == 5 - (boundaries == value).sum()


@settings(max_examples=40, deadline=None)
@given(values=integer_values, polarity=st.sampled_from(["high", "low"]))
def test_flipping_polarity_reverses_ranks(values, polarity):
    # Rank r of n with 'min' ties: k tied values at r..r+k-1 all get r; reversed they get
    # n - (r + k - 1) + 1, so r + r' = n + 2 - k (n - r + 1 when there are no ties).
    table = tidy(values)
    ranks = national_rank(table, {"ind": polarity})
    flipped = national_rank(table, {"ind": FLIP[polarity]})
    present = ranks["value"].notna()
    n = present.sum()
    ties = ranks.loc[present, "value"].map(ranks.loc[present, "value"].value_counts())
    total = ranks.loc[present, "national_rank"] + flipped.loc[present, "national_rank"]
    assert (total == n + 2 - ties).all()
    assert ranks.loc[~present, "national_rank"].isna().all()


@settings(max_examples=40, deadline=None)
@given(
    x=st.integers(min_value=0, max_value=500),
    n=st.integers(min_value=1, max_value=500),
    benchmark=st.floats(min_value=0, max_value=1),
    kind=st.sampled_from(["proportion", "rate"]),
)
def test_flipping_polarity_swaps_better_and_worse(x, n, benchmark, kind):
    x = min(x, n)
    low = compare_with_benchmark(x, n, benchmark, "low", kind=kind)["outcome"].iloc[0]
    high = compare_with_benchmark(x, n, benchmark, "high", kind=kind)["outcome"].iloc[0]
    assert {low, high} in ({"better", "worse"}, {"similar"})


@settings(max_examples=40, deadline=None)
@given(values=integer_values, method=st.sampled_from(["mean", "median"]))
def test_suppressed_members_are_never_zero(values, method):
    table = tidy(values)
    everyone = {"all": {"C0": list(table["area_code"])}}
    group = figures_for(comparator_figures(table, everyone, method, focus=["C0"]), "all")
    present = [v for v in values if not math.isnan(v)]
    assert group["n"] == len(present) and group["members"] == len(values)
    if present:
        expected = np.mean(present) if method == "mean" else np.median(present)
        assert group["value"] == pytest.approx(expected, rel=1e-12)
    else:
        assert np.isnan(group["value"])
    # Adding suppressed councils changes neither the quartiles nor anyone's band.
    bands = quartile_bands(table, {"ind": "low"})
    padded = quartile_bands(tidy(values + [float("nan")] * 3), {"ind": "low"})
    assert padded["band"].iloc[: len(values)].astype(object).equals(bands["band"].astype(object))


# --- backtests on the published files --------------------------------------------------------


def lait(dfe, measures):
    raw = pd.read_parquet(
        dfe / "lait" / "bds_long.parquet", filters=[("Short Desc", "in", measures)]
    )
    number = raw["LA Number"].astype(int)
    level = np.select([number == 970, number >= 980], ["national", "regional"], LA)
    return pd.DataFrame(
        {
            "indicator": raw["Short Desc"],
            "area_code": number.astype(str),
            "area_level": level,
            "la_number": number.astype(str),
            "period": raw["Years"],
            "value": pd.to_numeric(raw["Values"], errors="coerce"),  # '-' is missing
        }
    )


def lait_polarity(dfe):
    dictionary = pd.read_csv(dfe / "lait" / "lait_data_dictionary.csv")
    dictionary = dictionary.dropna(subset=["Polarity"]).drop_duplicates("Measure_short")
    mapping = {"High": "high", "Low": "low", "-": "neutral"}
    return dictionary.set_index("Measure_short")["Polarity"].map(mapping).to_dict()


@pytest.mark.real_data
def test_lait_rereferrals_2025_fall_about_a_quarter_in_each_band(dfe):
    polarity = lait_polarity(dfe)
    assert polarity["ReReferral"] == "low"
    table = lait(dfe, ["ReReferral"])
    bands = quartile_bands(table, polarity)
    latest = bands[bands["period"] == "2025"]
    councils = latest["value"].notna().sum()
    assert councils > 145
    counts = latest["band"].value_counts()
    # Values are published to 1 decimal place, so ties on a boundary move a few councils.
    for band in "ABCD":
        assert abs(counts[band] - councils / 4) <= 5, counts
    values = latest["value"].dropna().to_numpy()
    np.testing.assert_allclose(
        latest[["q1", "q2", "q3"]].iloc[0], np.quantile(values, [0.25, 0.5, 0.75]), rtol=1e-12
    )
    assert (latest.loc[latest["value"] <= latest["q1"], "band"] == "A").all()


@pytest.mark.real_data
def test_lait_statistical_neighbour_mean_and_ranks_by_hand(dfe):
    measures = ["ReReferral", "CPP_rate", "CareLeaverEET"]
    table = lait(dfe, measures)
    model = pd.read_csv(dfe / "ees" / "sn_model_2025_wide.csv", dtype=str, encoding="utf-8-sig")
    neighbours = {
        r["old_la_code"]: [r[f"SN_{i}"] for i in range(1, 11)] for _, r in model.iterrows()
    }
    polarity = lait_polarity(dfe)
    out = benchmark_all(table, polarity, neighbours, [])
    councils = table[table["area_level"] == LA]
    checked = 0
    for measure in measures:
        for period in ("2024", "2025"):
            chosen = councils[(councils["indicator"] == measure) & (councils["period"] == period)]
            if chosen.empty:
                continue
            values = chosen.set_index("area_code")["value"]
            got = out[(out["indicator"] == measure) & (out["period"] == period)].set_index(
                "area_code"
            )
            surrey = values.reindex(neighbours["936"]).dropna()
            assert got.loc["936", "sn_mean"] == pytest.approx(surrey.mean(), rel=1e-12)
            assert got.loc["936", "sn_n"] == len(surrey)
            checked += 1
            # National rank by pandas' own 'min' ranking of the polarity-signed values.
            sign = {"low": 1, "high": -1}.get(polarity.get(measure, "neutral"))
            if sign is None:
                assert got["national_rank"].isna().all()
                continue
            expected = (values * sign).rank(method="min")
            pd.testing.assert_series_equal(
                got["national_rank"].reindex(values.index), expected, check_names=False
            )
    assert checked == 6


def c1_table(dfe, year):
    c1 = pd.read_csv(
        dfe / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", dtype=str
    )
    c1 = c1[c1["time_period"] == year]
    level = c1["geographic_level"].map(
        {"National": "national", "Regional": "regional", "Local authority": LA}
    )
    code = c1["new_la_code"].where(
        level == LA, c1["region_code"].where(level == "regional", c1["country_code"])
    )
    return pd.DataFrame(
        {
            "indicator": "rereferrals_12m_pct",
            "area_code": code,
            "area_level": level,
            "region_code": c1["region_code"].where(level == LA),
            "period": year,
            "value": pd.to_numeric(c1["rereferral_percent"], errors="coerce"),
            "numerator": pd.to_numeric(c1["rereferral_count"], errors="coerce"),
            "denominator": pd.to_numeric(c1["referral_count"], errors="coerce"),
        }
    ).reset_index(drop=True)


@pytest.mark.real_data
@pytest.mark.parametrize("year", ["2018", "2025"])
def test_pooling_councils_gives_the_published_england_rereferral_percentage(dfe, year):
    # In 2018 and 2025 every council published both counts. The national percentage is
    # published to 1 decimal place (so it is within 0.05 of the exact figure) and the national
    # counts are rounded to the nearest 10 (within 5 of the councils' unrounded sum).
    table = c1_table(dfe, year)
    councils = table[table["area_level"] == LA]
    assert councils[["numerator", "denominator"]].notna().all().all()
    everyone = {"all councils": {councils["area_code"].iloc[0]: list(councils["area_code"])}}
    figures = comparator_figures(table, everyone, "pooled", focus=[councils["area_code"].iloc[0]])
    pooled = figures_for(figures, "all councils", councils["area_code"].iloc[0])
    england = table[table["area_level"] == "national"].iloc[0]
    assert pooled["n"] == len(councils)
    assert abs(pooled["value"] - england["value"]) <= 0.05 + 1e-9
    assert abs(councils["numerator"].sum() - england["numerator"]) <= 5
    assert abs(councils["denominator"].sum() - england["denominator"]) <= 5


@pytest.mark.real_data
def test_pooling_leaves_out_councils_without_counts(dfe):
    # 2024: four councils published no counts ('x', 'u' or 'c' in the file). They are left
    # out, not counted as zero, and n says how many councils were pooled.
    table = c1_table(dfe, "2024")
    councils = table[table["area_level"] == LA]
    usable = councils["numerator"].notna() & councils["denominator"].notna()
    assert (~usable).sum() > 0
    focus = councils["area_code"].iloc[0]
    figures = comparator_figures(
        table, {"all": {focus: list(councils["area_code"])}}, "pooled", focus=[focus]
    )
    pooled = figures_for(figures, "all", focus)
    expected = (
        100 * councils.loc[usable, "numerator"].sum() / councils.loc[usable, "denominator"].sum()
    )
    assert pooled["n"] == usable.sum() and pooled["value"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.real_data
def test_hartlepool_rereferrals_2025_compared_with_england_by_hand(dfe):
    # Hartlepool 2025: 536 re-referrals of 2,020 referrals (26.5%); England 22.6%. Wilson 95%
    # from the formula: lower 24.6%, above 22.6%, so higher; lower is better: worse.
    table = c1_table(dfe, "2025")
    out = benchmark_all(table, {"rereferrals_12m_pct": "low"}, {}, [])
    hartlepool = out[out["area_code"] == "E06000001"].iloc[0]
    low, high = wilson_by_hand(536, 2020, Z_95)
    assert 100 * low > 22.6
    assert hartlepool["england"] == 22.6 and hartlepool["england_method"] == "published"
    assert hartlepool["compared_with_england"] == "worse"
    assert hartlepool["region_method"] == "published"
