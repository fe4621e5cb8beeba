"""Published cells: suppression symbols become a status with no value, never zero."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.errors import DataError
from analysis.values import (
    BLANK,
    FEWEST_COPIED,
    FEWEST_FRACTIONS,
    FRACTION_NEAR,
    MOST_STEADY_SPIKE,
    SUPPRESSION_SYMBOLS,
    copied_years,
    impossible_figures,
    lone_fractions,
    parse_cells,
    percentages_as_fractions,
    rounded_rows,
    spikes,
)


@pytest.mark.parametrize("symbol", ["c", "x", "z", "low", "u", "k", "-", "C", " x "])
def test_every_suppression_symbol_is_a_status_without_a_value(symbol):
    value, status = parse_cells(pd.Series(["12", symbol]), "f.csv", "col")
    assert value.tolist()[0] == 12.0
    assert pd.isna(value.iloc[1])
    assert status.iloc[1] == symbol.strip().lower()
    assert pd.isna(status.iloc[0])


def test_blank_is_a_status_not_zero():
    value, status = parse_cells(pd.Series(["", "3.5"]), "f.csv", "col")
    assert pd.isna(value.iloc[0]) and status.iloc[0] == BLANK
    assert value.iloc[1] == 3.5


def test_minus_zero_is_zero():
    # "-0" would otherwise read back (and show in summary.json) as -0.0
    for cells in (pd.Series(["-0", "-0.0"]), pd.Series([-0.0, 0.0])):
        value, _ = parse_cells(cells, "f.csv", "col")
        assert value.tolist() == [0.0, 0.0] and not np.signbit(value).any()


def test_thousands_separators_and_scientific_notation():
    value, _ = parse_cells(pd.Series(["1,204", "7.0000000000000007E-2"]), "f.csv", "col")
    assert value.tolist() == [1204.0, pytest.approx(0.07)]


def test_text_in_a_numeric_column_names_file_row_and_column():
    with pytest.raises(DataError) as error:
        parse_cells(pd.Series(["1", "2", "twelve"]), "c1.csv", "referral_count")
    assert str(error.value).startswith("c1.csv, row 4, column referral_count: expected a number")


def test_infinite_values_are_rejected():
    with pytest.raises(DataError, match="finite"):
        parse_cells(pd.Series(["1", "inf"]), "f.csv", "col")


@given(
    st.lists(
        st.one_of(
            st.sampled_from(list(SUPPRESSION_SYMBOLS) + [""]),
            st.floats(allow_nan=False, allow_infinity=False).map(repr),
        )
    )
)
def test_every_cell_has_a_value_or_a_status_never_both(cells):
    value, status = parse_cells(pd.Series(cells, dtype="object"), "f.csv", "col")
    assert (value.notna() ^ status.notna()).all()


@pytest.mark.parametrize("cell", ["12,5", "1,2,3", "12,3,4", ",5", "1,20"])
def test_a_comma_that_is_not_a_thousands_separator_is_an_error(cell):
    # "12,5" is a decimal comma (12.5) or a typing slip: read as 125 it would be wrong.
    with pytest.raises(DataError, match=f"found '{cell}'"):
        parse_cells(pd.Series(["1", cell]), "f.csv", "col")


def test_thousands_separators_in_groups_of_three():
    value, _ = parse_cells(pd.Series(["1,204", "-12,345.5", "1,000,000"]), "f.csv", "col")
    assert value.tolist() == [1204.0, -12345.5, 1_000_000.0]


def _contradiction(value: float, numerator: float, denominator: float) -> bool:
    found = impossible_figures(
        pd.Series([value]), pd.Series([numerator]), pd.Series([denominator]), "percent"
    )
    return found is not None and "from the numerator and denominator" in found[2]


def test_a_council_value_must_be_its_counts_ratio_rounded_as_written():
    # Hand-computed: 14 / 638 = 2.194% is published as 2.2 (one decimal, so within 0.05);
    # 14 / 500 = 2.8% and 15 / 638 = 2.35% cannot be 2.2, though each is within 0.5 of it.
    assert not _contradiction(2.2, 14, 638)
    assert _contradiction(2.2, 14, 500)
    assert _contradiction(2.2, 15, 638)
    # Written without decimals, 2 may be anything from 1.5 to 2.5: 14 / 638 = 2.19% is 2.
    assert not _contradiction(2.0, 14, 638)


def test_counts_rounded_to_tens_allow_dfe_own_disagreement():
    # DfE's c1 file, Yorkshire and The Humber 2022: 1,660 of 7,490 second CPPs published as
    # 23.6% (1,660 / 7,490 = 22.2%, 5.5% below): allowed for counts rounded to the nearest 10.
    assert not _contradiction(23.6, 1660, 7490)
    # The same figures with counts not rounded are a contradiction, as are rounded counts
    # more than 6% from the value (1,500 / 7,490 = 20.0%).
    assert _contradiction(23.6, 1661, 7491)
    assert _contradiction(23.6, 1500, 7490)


def test_leeway_allows_a_share_of_the_value_more_and_the_message_names_the_counts():
    # DfE's csww file, North East 2024: turnover 14.0 beside 271.5 leavers of 2,158.1 in post.
    # By hand, the highest ratio the written counts allow is 272 / 2,157.6 = 12.61%, plus 0.05
    # for the value's one decimal: 12.66, so 14.0 is a contradiction; a leeway of 12% of the
    # value adds 1.68 (12.66 + 1.68 = 14.34), and 14.0 is allowed.
    value, leavers, in_post = pd.Series([14.0]), pd.Series([271.5]), pd.Series([2158.1])
    found = impossible_figures(
        value, leavers, in_post, "percent", counted="leavers_fte / inpost_fte"
    )
    assert found == (
        0,
        "value",
        "expected 271.5 / 2158.1 x 100 = 12.6 (from leavers_fte / inpost_fte), found 14",
    )
    assert impossible_figures(value, leavers, in_post, "percent", leeway=0.12) is None
    # the leeway is row by row: 15.0 is beyond it (12.66 + 1.8 = 14.46)
    rows = pd.Series([14.0, 15.0])
    both = pd.Series([271.5, 271.5]), pd.Series([2158.1, 2158.1])
    assert impossible_figures(rows, *both, "percent", leeway=np.array([0.12, 0.12]))[0] == 1
    assert impossible_figures(rows, *both, "percent", leeway=np.array([0.12, 0.2])) is None


def test_a_figure_cut_short_disagrees_with_its_counts_at_its_columns_places():
    # 203 / 1,001 x 100 = 20.28 (20.22 to 20.34 with each count to the nearest whole one).
    # Written "20" on its own it could be 19.5 to 20.5; in a column written to 1 place (DfE
    # drops a trailing 0: 20 for 20.0) it is 19.95 to 20.05, short of 20.22
    value, numerator, denominator = pd.Series([20.0]), pd.Series([203.0]), pd.Series([1001.0])
    assert impossible_figures(value, numerator, denominator, "percent") is None
    found = impossible_figures(value, numerator, denominator, "percent", places=1)
    assert found == (
        0,
        "value",
        "expected 203 / 1001 x 100 = 20.3 (from the numerator and denominator), found 20",
    )
    # the figure as published, 20.3, agrees at 1 place
    assert (
        impossible_figures(pd.Series([20.3]), numerator, denominator, "percent", places=1) is None
    )


def test_council_counts_are_exact_unless_the_file_rounds_them_all():
    # Enfield's 2014 re-referrals, 434 of 2,810 (15.4%), with its figure cut to 15: counts that
    # look rounded (whole tens) allow 6% more (DfE's totals), which takes 15 in; a council's
    # counts are exact (in the real files about one in ten is a whole ten, as chance gives)
    value, numerator, denominator = pd.Series([15.0]), pd.Series([430.0]), pd.Series([2810.0])
    assert impossible_figures(value, numerator, denominator, "percent", places=1) is None
    exact = np.array([False])
    assert impossible_figures(
        value, numerator, denominator, "percent", places=1, rounded=exact
    ) == (
        0,
        "value",
        "expected 430 / 2810 x 100 = 15.3 (from the numerator and denominator), found 15",
    )
    councils = pd.DataFrame({"area_level": ["local authority"] * 10 + ["regional"]})
    counts = pd.Series([430.0, 2810, 120, 57, 300, 33, 440, 1290, 18, 20, 5000])
    assert rounded_rows(councils, counts, counts).tolist() == [False] * 10 + [True]
    tens = counts.where(counts % 10 == 0, counts.round(-1))
    assert rounded_rows(councils, tens, tens).tolist() == [True] * 11


def test_a_figure_beside_a_denominator_of_0_is_not_possible():
    # the real files leave a percentage of nothing blank or suppressed (d3's and d5's 15 rows
    # with a denominator of 0 have no value): a 0 there was typed over a symbol
    found = impossible_figures(
        pd.Series([24.3, 0.0]), pd.Series([187.0, 0.0]), pd.Series([771.0, 0.0]), "percent"
    )
    assert found == (
        1,
        "value",
        "expected no figure where the denominator is 0 (there is nothing to take a share of), "
        "found 0",
    )
    # with no figure, a denominator of 0 is fine, in any unit
    blank = pd.Series([float("nan")])
    assert impossible_figures(blank, pd.Series([0.0]), pd.Series([0.0]), "percent") is None
    assert impossible_figures(blank, pd.Series([0.0]), pd.Series([0.0]), "cases") is None


def _series(*values: float, area: str = "E10000030") -> pd.DataFrame:
    """One area's yearly figures, 2019 onwards, as the tidy table's columns spikes reads."""
    years = [str(2019 + i) for i in range(len(values))]
    return pd.DataFrame(
        {
            "indicator": "cin_rate_per_10k",
            "area_code": area,
            "breakdown": "all",
            "period": years,
            "period_end": pd.to_datetime([f"{y}-03-31" for y in years]),
            "value": list(values),
        }
    )


def _spike_years(table: pd.DataFrame) -> list[str]:
    return spikes(table)["period"].tolist()


@pytest.mark.parametrize(
    "values, expected",
    [
        # a digit lost (33.2 for 332) inside, first and last: 10 times from each neighbour
        ((330.0, 341.0, 33.2, 338.0, 352.0), ["2021"]),
        ((3300.0, 341.0, 332.0, 338.0), ["2019"]),
        ((330.0, 341.0, 332.0, 3.38), ["2022"]),
        # a step to a new level is not a lone spike: each year is near one of its neighbours
        ((30.0, 31.0, 330.0, 341.0), []),
        # a steep climb is not a spike: above one neighbour, below the other
        ((10.0, 60.0, 360.0), []),
        # just inside the limit: 5 times exactly is not more than 5 times
        ((100.0, 500.0, 100.0), []),
        # zeros (the smallest councils' 0 and one child in turn) are left alone
        ((0.0, 28.6, 0.0, 0.0, 28.6), []),
        # two figures cannot say which is wrong
        ((30.0, 330.0), []),
        # the nearest years with a figure are compared across a suppressed year
        ((330.0, float("nan"), 33.0, float("nan"), 340.0), ["2021"]),
    ],
    ids=["inside", "first", "last", "step", "climb", "limit", "zeros", "two", "gap"],
)
def test_a_lone_spike_is_more_than_five_times_from_each_neighbour(values, expected):
    # worked by hand from the rule in spikes(): value / neighbour > 5 or < 1/5 on every side
    assert MOST_STEADY_SPIKE == 5.0
    assert _spike_years(_series(*values)) == expected


def test_spikes_compare_an_area_only_with_its_own_years():
    table = pd.concat([_series(330.0, 341.0, 338.0), _series(33.0, 34.1, 33.8, area="E06000001")])
    assert _spike_years(table.sample(frac=1, random_state=1)) == []
    found = spikes(_series(330.0, 34.0, 338.0))
    assert found[["before", "after", "period_before", "period_after"]].values.tolist() == [
        [330.0, 338.0, "2019", "2021"]
    ]


@given(
    st.lists(st.floats(min_value=100.0, max_value=199.0), min_size=3, max_size=13),
    st.data(),
)
def test_a_digit_lost_or_added_anywhere_is_the_only_spike(values, data):
    # figures within a factor of 2 of each other never stand 5 times from a neighbour; one of
    # them multiplied or divided by 10 (a digit added or lost) stands at least 5 times from
    # every neighbour (10 x 100 / 199 > 5), so it alone is found, wherever it is
    assert _spike_years(_series(*values)) == []
    at = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    factor = data.draw(st.sampled_from([10.0, 0.1]))
    damaged = [v * factor if i == at else v for i, v in enumerate(values)]
    assert _spike_years(_series(*damaged)) == [str(2019 + at)]


@given(
    st.lists(st.integers(min_value=10, max_value=19), min_size=3, max_size=13),
    st.data(),
)
def test_a_count_typed_as_0_anywhere_is_the_only_spike(counts, data):
    # a rate from counts of 10 to 19 (within a factor of 2, so no other spike): one count
    # typed as 0 (value and numerator) is found wherever it is; the same 0 among counts below
    # 10 is a small council's, never judged
    rates = [c / 2.0 for c in counts]
    at = data.draw(st.integers(min_value=0, max_value=len(counts) - 1))
    typed = [0.0 if i == at else r for i, r in enumerate(rates)]
    table = _series(*typed).assign(numerator=[0 if i == at else c for i, c in enumerate(counts)])
    assert _spike_years(table) == [str(2019 + at)]
    few = table.assign(numerator=[0 if i == at else 9 for i in range(len(counts))])
    assert _spike_years(few.assign(value=few["numerator"] / 2.0)) == []


@pytest.mark.parametrize(
    "values, expected",
    [
        # 78% typed 0.78 inside, first and last: a hundredth of the figures either side
        ((76.0, 0.78, 80.0, 79.0), ["2020"]),
        ((0.76, 78.0, 80.0, 79.0), ["2019"]),
        ((76.0, 78.0, 80.0, 0.79), ["2022"]),
        # a small share among small ones, or between figures under 5 times its own, is real
        ((1.2, 0.6, 1.4), []),
        ((4.3, 0.8, 4.0), []),
        # far below small figures, but a hundred times it is far above them: Oldham's 0.2% of
        # referrals with no further action in 2021, between 5.1 and 6.8 (20 is 3.9 times 5.1;
        # its 0 for 2020 is not compared)
        ((5.1, 0.2, 6.8), []),
        # a hundred times it must be within twice or half of each side: 0.3 as 30 is more
        # than twice 14 (28), and 0.9 as 90 is less than twice 46 (92) and 50 (100)
        ((14.0, 0.3, 15.0), []),
        ((46.0, 0.9, 50.0), ["2020"]),
        # above 1 it is a percentage, whatever stands beside it
        ((76.0, 1.5, 80.0), []),
        # two figures cannot say which is wrong
        ((76.0, 0.78), []),
    ],
    ids=["inside", "first", "last", "small", "near", "oldham", "far", "within", "above1", "two"],
)
def test_a_lone_fraction_is_a_hundredth_of_the_figures_either_side(values, expected):
    # worked by hand from the rule in lone_fractions(): the figure is 0 to 1, more than 5 times
    # below each neighbour, and 100 times it is within a factor of 2 of each neighbour
    assert (MOST_STEADY_SPIKE, FRACTION_NEAR) == (5.0, 2.0)
    assert lone_fractions(_series(*values))["period"].tolist() == expected


@given(
    st.lists(st.floats(min_value=30.0, max_value=59.0), min_size=3, max_size=13),
    st.data(),
)
def test_a_percentage_typed_as_a_fraction_anywhere_is_the_only_one_found(values, data):
    # percentages within a factor of 2 of each other: none is a fraction; one of them divided
    # by 100 (at most 0.59, at least 50 times below the rest) is found, wherever it is
    assert lone_fractions(_series(*values)).empty
    at = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    typed = [v / 100 if i == at else v for i, v in enumerate(values)]
    assert lone_fractions(_series(*typed))["period"].tolist() == [str(2019 + at)]


@given(st.lists(st.floats(min_value=0.01, max_value=100.0), min_size=20, max_size=60))
def test_percentages_are_fractions_exactly_when_none_is_above_1(percentages):
    # any year of 20 or more council percentages above 0 is taken for fractions exactly when
    # none of them is above 1; written as fractions (divided by 100), every such year is
    table = _councils(percentages)
    found = percentages_as_fractions(table, "percent")
    assert (found is not None) == (max(percentages) <= 1)
    assert percentages_as_fractions(_councils([p / 100 for p in percentages]), "percent")


def _councils(*years: list[float]) -> pd.DataFrame:
    """Council n's figure for 2020 + y is ``years[y][n]``; NaN is no figure."""
    return pd.DataFrame(
        [
            {
                "indicator": "cin",
                "breakdown": "all",
                "area_level": "local authority",
                "area_code": f"E0600{n:04d}",
                "period": str(2020 + y),
                "period_end": pd.Timestamp(f"{2020 + y}-03-31"),
                "value": value,
            }
            for y, values in enumerate(years)
            for n, value in enumerate(values)
        ]
    )


def test_a_year_that_repeats_the_one_before_for_every_council_is_copied():
    assert FEWEST_COPIED == 20
    first = [float(n) for n in range(1, 21)]
    # 2021 repeats 2020 for all 20 councils; 2022 differs for one council only
    table = _councils(first, first, [*first[:-1], 99.0])
    found = copied_years(table)
    assert found[["period", "period_before", "councils"]].values.tolist() == [["2021", "2020", 20]]
    # each council's figure is compared with its own latest before: with no 2021 figure for
    # three councils, 2021 repeats 2020 for 17 (too few) and 2022 repeats 2021 or 2020 for 20
    gap = _councils(first, [float("nan")] * 3 + first[3:], first)
    assert copied_years(gap)[["period", "councils"]].values.tolist() == [["2022", 20]]


def test_fewer_councils_zeros_and_other_levels_are_not_a_copy():
    nineteen = [float(n) for n in range(1, 20)]
    assert copied_years(_councils(nineteen, nineteen)).empty
    # zeros repeated are not counted: 19 councils with a figure and one with 0 are 19
    assert copied_years(_councils([*nineteen, 0.0], [*nineteen, 0.0])).empty
    twenty = [float(n) for n in range(1, 21)]
    regions = _councils(twenty, twenty).assign(area_level="regional")
    assert copied_years(regions).empty


def test_a_year_of_council_percentages_all_between_0_and_1_is_taken_for_fractions():
    assert FEWEST_FRACTIONS == 20
    # 2020's 20 council figures are percentages; 2021's are the same written as fractions
    percentages = [float(n) for n in range(5, 25)]
    table = _councils(percentages, [p / 100 for p in percentages])
    row, expected = percentages_as_fractions(table, "percent")
    assert row == 20  # the first council row for 2021
    assert expected == (
        "expected percentages from 0 to 100, found every one of the 20 councils' figures for "
        "2021 between 0 and 1 (were they written as fractions, 0.25 for 25%?)"
    )
    # the same figures in any other unit, a rate or a count, are not fractions
    assert percentages_as_fractions(table, "rate per 10,000") is None
    assert percentages_as_fractions(table, "cases") is None


def test_small_percentages_are_fractions_only_when_twenty_councils_are_all_at_most_1():
    nineteen = [0.5] * 19
    # 19 councils, or 19 and a zero (zeros are not counted), are too few to judge
    assert percentages_as_fractions(_councils(nineteen), "percent") is None
    assert percentages_as_fractions(_councils([*nineteen, 0.0]), "percent") is None
    # one council above 1% in the year makes the year's figures percentages
    assert percentages_as_fractions(_councils([*nineteen, 0.5, 1.5]), "percent") is None
    # exactly 1% is still at most 1; regional and national rows are not counted
    assert percentages_as_fractions(_councils([*nineteen, 1.0]), "percent")[0] == 0
    regions = _councils([*nineteen, 1.0]).assign(area_level="regional")
    assert percentages_as_fractions(regions, "percent") is None
