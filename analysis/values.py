"""Published cells to numbers: suppression symbols become a status with no value, never zero."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import DataError

#: Symbols that DfE, Ofsted and LAIT publish in place of a number, with what they mean.
SUPPRESSION_SYMBOLS: dict[str, str] = {
    "c": "suppressed to protect confidentiality",
    "x": "not available",
    "z": "not applicable",
    "low": "rounds to zero",
    "u": "low reliability",
    "k": "fewer than 5 (rounded)",
    "-": "missing or suppressed (LAIT)",
    ":": "not available",
    "..": "not available",
}

#: A number written with thousands separators (``1,204``, ``-12,345.6``); any other comma is
#: not part of a number (``12,3`` is an error, never 123).
THOUSANDS = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"

#: More than any numerator or denominator can be: England's children (12,183,016 in ONS's
#: mid-2024 estimate) and everything counted about them are fewer.
MOST_COUNTED = 20_000_000

#: Status given to an empty cell.
BLANK = "blank"


def numbers(frame: pd.DataFrame, name: str) -> np.ndarray:
    """The column ``name`` as floats: NaN where a cell is missing or not a number, all NaN
    when there is no such column.

    >>> numbers(pd.DataFrame({"value": [1, "c", None]}), "value")
    array([ 1., nan, nan])
    """
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _row(cells: pd.Series, position: int, first_row: int | None) -> int:
    return int(cells.index[position]) if first_row is None else first_row + position


def parse_cells(
    cells: pd.Series, path: str | Path, column: str, first_row: int | None = 2
) -> tuple[pd.Series, pd.Series]:
    """Split published text cells into numbers and statuses.

    Returns ``(value, status)``: ``value`` is float with NaN where there is no number, ``status``
    holds the published symbol (or ``"blank"``) where there is no number and is null otherwise.
    Text that is neither a number nor a known symbol raises :class:`DataError` naming the row
    (``first_row`` is the file row of the first cell, 2 for a CSV with one header line; None
    when the index of ``cells`` holds the file rows).

    >>> v, s = parse_cells(pd.Series(["12.5", "c", "", "1,204"]), "f.csv", "x")
    >>> v.tolist()[0], s.tolist()[1], s.tolist()[2], v.tolist()[3]
    (12.5, 'c', 'blank', 1204.0)
    """
    if pd.api.types.is_numeric_dtype(cells.dtype):
        value = cells.astype("float64") + 0.0  # -0 is 0
        infinite = np.flatnonzero(np.isinf(value.to_numpy()))
        if len(infinite):
            row = _row(cells, int(infinite[0]), first_row)
            raise DataError(path, "expected a finite number", row=row, column=column)
        status = pd.Series(pd.NA, index=cells.index, dtype="string")
        status[value.isna()] = BLANK
        return value, status
    text = cells.astype("string").str.strip()
    lowered = text.str.lower()
    blank = text.isna() | (text == "")
    symbol = lowered.isin(list(SUPPRESSION_SYMBOLS))
    grouped = text.str.fullmatch(THOUSANDS).fillna(False)
    numeric = pd.to_numeric(
        text.where(~grouped, text.str.replace(",", "", regex=False)), errors="coerce"
    )
    bad = ~blank & ~symbol & numeric.isna()
    if bad.any():
        where = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            path,
            f"expected a number or a suppression symbol ({', '.join(SUPPRESSION_SYMBOLS)}), "
            f"found {text.iloc[where]!r}",
            row=_row(cells, where, first_row),
            column=column,
        )
    if np.isinf(numeric.to_numpy(dtype="float64", na_value=np.nan)).any():
        where = int(np.flatnonzero(np.isinf(numeric.to_numpy(dtype="float64", na_value=0)))[0])
        raise DataError(
            path, "expected a finite number", row=_row(cells, where, first_row), column=column
        )
    status = lowered.where(symbol, pd.NA).astype("string")
    status[blank] = BLANK
    value = numeric.astype("float64").where(~symbol & ~blank) + 0.0  # -0 is 0
    return value, status


def scale_from_unit(unit: str | None) -> float | None:
    """The multiplier from a proportion to the published value, read from a unit label.

    >>> scale_from_unit("percent"), scale_from_unit("Rate per 10,000"), scale_from_unit("cases")
    (100.0, 10000.0, None)
    """
    text = str(unit or "").strip().lower()
    if text.startswith(("percent", "%")):
        return 100.0
    match = re.search(r"per\s+([\d,]+)", text)
    return float(match[1].replace(",", "")) if match else None


#: The share of a file's council counts that must be whole tens for them to be taken as rounded.
MOSTLY_TENS = 0.9


def rounded_rows(table: pd.DataFrame, numerator: pd.Series, denominator: pd.Series) -> np.ndarray:
    """The rows of a published ``table`` whose counts may be rounded to the nearest 10: its
    national and regional rows (DfE rounds its totals), and its council rows too when nearly
    all of their counts are whole tens (a file that rounds every count). In the real 2013-2025
    files council counts are exact: about one in ten is a whole ten, as chance gives."""
    council = (table["area_level"] == "local authority").to_numpy()
    counts = np.concatenate(
        [c.to_numpy(dtype="float64", na_value=np.nan)[council] for c in (numerator, denominator)]
    )
    counts = counts[counts >= 10]
    tens = counts.size > 0 and np.mean(np.mod(counts, 10) == 0) >= MOSTLY_TENS
    return ~council | tens


def _rounding(count: np.ndarray) -> np.ndarray:
    """How far a published count may be from the true one: 5 when it looks rounded to the
    nearest 10 (as DfE rounds), else half a unit."""
    whole_tens = (np.mod(count, 10) == 0) & (count >= 10)
    return np.where(whole_tens, 5.0, 0.5)


def half_unit(value: np.ndarray) -> np.ndarray:
    """Half a unit in the last decimal place each value is written with, to at most 6 places:
    0.05 for 23.6, 0.5 for 24 (and for 24.0, which a CSV cannot tell from 24)."""
    places = np.full(value.shape, 6)
    with np.errstate(invalid="ignore", over="ignore"):
        for k in range(5, -1, -1):
            places = np.where(np.abs(np.round(value, k) - value) < 1e-9, k, places)
    return 0.5 * 10.0 ** -places.astype("float64")


def written_places(cells: pd.Series) -> int | None:
    """The decimal places a column's numbers are written with: the most common number among
    them (None without numbers). DfE writes each figure to its column's places but drops
    trailing zeros (20 for 20.0): in the real c1 file 229 of 2,105 re-referral percentages are
    written whole, the rest to 1 place.

    >>> written_places(pd.Series(["20.3", "20", "c", "1,204.25", "18.1"]))
    1
    """
    text = cells.astype("string").str.strip()
    numbers = text.loc[text.str.fullmatch(r"[-+]?[\d,]*\.?\d+").fillna(False)]
    if numbers.empty:
        return None
    places = numbers.str.extract(r"\.(\d+)$")[0].str.len().fillna(0).astype(int)
    counts = places.value_counts()
    return int(counts.index[counts == counts.max()].max())


def impossible_figures(
    value: pd.Series,
    numerator: pd.Series | None,
    denominator: pd.Series | None,
    unit: str,
    *,
    leeway: float | np.ndarray = 0.0,
    counted: str = "the numerator and denominator",
    places: int | None = None,
    rounded: np.ndarray | None = None,
) -> tuple[int, str, str] | None:
    """The first figure that cannot be right, as ``(position, role, what was expected)``.

    Checked: values, numerators and denominators are 0 or more, and counts at most
    :data:`MOST_COUNTED`; a percentage is at most 100 and its numerator at most its
    denominator; a rate per 10,000 children is at most 10,000;
    where a value is published with its numerator and denominator, it matches them (their
    ratio, times 100 for a percentage or 10,000 for a rate per 10,000), allowing for the
    value rounded to the decimals it is written with and counts rounded to the nearest 10; where
    the counts are so rounded (DfE's national and regional rows), 6% of the value more, as
    DfE's own totals disagree by up to 5.5% (Yorkshire and The Humber's 2022 second CPPs: 1,660
    of 7,490 published as 23.6%). Every council row in the real files matches exactly. A value
    beside a denominator of 0 is not possible either: the real files leave it blank or
    suppressed. ``leeway`` allows each value a further share of itself either way (row by row
    when an array), for totals their publisher makes otherwise; ``counted`` names the counts in
    the message; ``places``, the decimals the column is written with (:func:`written_places`),
    makes a figure written with fewer that precise (20 in a column of figures to 1 place is
    20.0, not 19.5 to 20.5, so 20.3 cut short to 20 disagrees with its counts); ``rounded``
    says which rows' counts may be rounded (:func:`rounded_rows`), the others' being exact
    (without it, any count of whole tens may be). None when every figure is possible.

    >>> impossible_figures(pd.Series([22.6, 150.0]), None, None, "percent")
    (1, 'value', 'expected a percentage from 0 to 100, found 150')
    >>> impossible_figures(pd.Series([50.0]), pd.Series([10.0]), pd.Series([100.0]), "percent")
    (0, 'value', 'expected 10 / 100 x 100 = 10 (from the numerator and denominator), found 50')
    """
    roles = {"value": value, "numerator": numerator, "denominator": denominator}
    found: list[tuple[int, str, str]] = []
    for role, cells in roles.items():
        if cells is None:
            continue
        negative = np.flatnonzero((cells < 0).to_numpy())
        if len(negative):
            found.append(
                (int(negative[0]), role, f"expected 0 or more, found {cells.iloc[negative[0]]:g}")
            )
        huge = np.flatnonzero((cells > MOST_COUNTED).to_numpy()) if role != "value" else []
        if len(huge):
            found.append(
                (
                    int(huge[0]),
                    role,
                    f"expected a count of at most {MOST_COUNTED:,} (England has about 12.2 "
                    f"million children), found {cells.iloc[huge[0]]:g}",
                )
            )
    scale = scale_from_unit(unit)
    if scale == 100.0:
        over = np.flatnonzero((value > 100).to_numpy())
        if len(over):
            found.append(
                (
                    int(over[0]),
                    "value",
                    f"expected a percentage from 0 to 100, found {value.iloc[over[0]]:g}",
                )
            )
        if numerator is not None and denominator is not None:
            above = np.flatnonzero((numerator > denominator).to_numpy())
            if len(above):
                found.append(
                    (
                        int(above[0]),
                        "numerator",
                        f"expected the numerator ({numerator.iloc[above[0]]:g}) not to exceed "
                        f"the denominator ({denominator.iloc[above[0]]:g})",
                    )
                )
    if scale == 10_000.0:
        over = np.flatnonzero((value > 10_000).to_numpy())
        if len(over):
            found.append(
                (
                    int(over[0]),
                    "value",
                    f"expected a rate per 10,000 of at most 10,000 (one for every child), "
                    f"found {value.iloc[over[0]]:g}",
                )
            )
    if numerator is not None and denominator is not None:
        of_nothing = np.flatnonzero(((denominator == 0) & value.notna()).to_numpy(dtype=bool))
        if len(of_nothing):
            found.append(
                (
                    int(of_nothing[0]),
                    "value",
                    "expected no figure where the denominator is 0 (there is nothing to take a "
                    f"share of), found {value.iloc[of_nothing[0]]:g}",
                )
            )
        scale = scale or 1.0  # any other unit with both counts is their ratio, as a caseload
        n = numerator.to_numpy(dtype="float64", na_value=np.nan)
        d = denominator.to_numpy(dtype="float64", na_value=np.nan)
        v = value.to_numpy(dtype="float64", na_value=np.nan)
        dn, dd = _rounding(n), _rounding(d)
        if rounded is not None:  # the rows whose counts may be rounded; the others are exact
            dn, dd = np.where(rounded, dn, 0.5), np.where(rounded, dd, 0.5)
        half = half_unit(v) if places is None else np.minimum(half_unit(v), 0.5 * 10.0**-places)
        with np.errstate(divide="ignore", invalid="ignore"):
            low = np.maximum(n - dn, 0) / (d + dd) * scale - half
            high = np.where(d - dd > 0, (n + dn) / (d - dd) * scale, np.inf) + half
        slack = (np.where((dn > 0.5) | (dd > 0.5), 0.06, 0.0) + leeway) * np.abs(v)
        outside = (v < low - slack) | (v > high + slack)
        wrong = np.flatnonzero(~np.isnan(v) & ~np.isnan(n) & ~np.isnan(d) & outside)
        if len(wrong):
            i = int(wrong[0])
            found.append(
                (
                    i,
                    "value",
                    f"expected {n[i]:g} / {d[i]:g} x {scale:g} = {n[i] / d[i] * scale:.3g} "
                    f"(from {counted}), found {v[i]:g}",
                )
            )
    return min(found, key=lambda f: f[0]) if found else None


#: How many councils' percentages for one year must all lie between 0 and 1 for them to be
#: taken for fractions (0.25 written for 25%). In the real 2013-2025 files every year's highest
#: council percentage is at least 6.8 (child protection plans open two years or more, in EES).
FEWEST_FRACTIONS = 20


def percentages_as_fractions(table: pd.DataFrame, unit: str) -> tuple[int, str] | None:
    """The first year of a published ``table``, in a percentage ``unit``, whose council
    figures are all fractions: at least :data:`FEWEST_FRACTIONS` of them above 0 and none above
    1, which no real file has. Returns the index label of that year's first council row, and
    what was expected; None when ``unit`` is not a percentage or no year is so.

    >>> table = pd.DataFrame({"indicator": "rereferrals", "area_level": "local authority",
    ...     "period": ["2024"] * 20 + ["2025"] * 20, "value": [22.0] * 20 + [0.22] * 20})
    >>> row, expected = percentages_as_fractions(table, "percent")
    >>> row
    20
    >>> print(expected)  # doctest: +NORMALIZE_WHITESPACE
    expected percentages from 0 to 100, found every one of the 20 councils' figures for 2025
    between 0 and 1 (were they written as fractions, 0.25 for 25%?)
    >>> percentages_as_fractions(table, "rate per 10,000") is None
    True
    """
    if scale_from_unit(unit) != 100.0:
        return None
    rows = table.loc[(table["area_level"] == "local authority") & (table["value"] > 0)]
    years = rows.groupby(["indicator", "period"], sort=False)["value"].agg(["max", "size"])
    fractions = years.loc[(years["size"] >= FEWEST_FRACTIONS) & (years["max"] <= 1)]
    if fractions.empty:
        return None
    indicator, period = fractions.index[0]
    first = rows.index[(rows["indicator"] == indicator) & (rows["period"] == period)].min()
    return int(first), (
        f"expected percentages from 0 to 100, found every one of the "
        f"{fractions['size'].iloc[0]} councils' figures for {period} between 0 and 1 (were "
        "they written as fractions, 0.25 for 25%?)"
    )


#: How many times above, or below, the periods either side a rate or a caseload may stand. In
#: the real 2013-2025 files no rate or caseload stands more than 3.2 times from both of its
#: neighbours (the City of London's 261 children in need per 10,000 in 2024, between 1,096
#: and 815), nor 4.8 times from its year before (Herefordshire's section 47 rate in 2018);
#: a digit lost or added is 10 times.
MOST_STEADY_SPIKE = 5.0

#: The status of a rate or a caseload left out for standing so far from the figures either side.
SPIKE = "left out: far from the figures either side"

#: How many children (or cases) the figures either side of a 0 must each count for the 0 to be
#: a spike: a count of that size does not vanish for a year and come back. In the real
#: 2013-2025 files every 0 of a rate or a caseload (the Isles of Scilly's and the City of
#: London's child protection plans) has only 0s or no figures beside it.
FEWEST_BESIDE_ZERO = 10

#: The status of a 0 left out for standing beside such counts.
TYPED_ZERO = f"left out: 0 beside counts of {FEWEST_BESIDE_ZERO} or more"


def spikes(table: pd.DataFrame, first: bool = True) -> pd.DataFrame:
    """The lone spikes in ``table``, for an indicator whose figures move slowly
    (:attr:`analysis.catalogue.Indicator.is_steady`): values more than
    :data:`MOST_STEADY_SPIKE` times above, or below, the same area's figures in the nearest
    periods either side that have one (years, or a scorecard's months). The first and last
    periods have one side: each is a spike when it is that far from its neighbour and the
    neighbour is not as far from the period beyond. Zeros are not compared with (the smallest
    councils could publish 0 and a few children's rate in turn), and a 0 is a spike only
    beside figures that each count at least :data:`FEWEST_BESIDE_ZERO` (their numerators;
    figures without one are not judged), on both sides or, first or last, on its one side
    twice: a 0 typed over a suppressed cell. An area with two figures or fewer has no spike.
    Without ``first`` a series' first period is not judged (LAIT's shares:
    :func:`analysis.lait.load_lait`).

    Returns the spikes' rows of ``table`` with the neighbouring figures compared
    (``before`` and ``after``, with their ``period_before`` and ``period_after``; missing for
    the first and last periods).

    >>> years = pd.to_datetime(["2022-03-31", "2023-03-31", "2024-03-31", "2025-03-31"])
    >>> table = pd.DataFrame({"indicator": "cin", "area_code": "E1", "breakdown": "all",
    ...                       "period": ["2022", "2023", "2024", "2025"],
    ...                       "period_end": years, "value": [34.0, 340.0, 352.0, 3.4]})
    >>> spikes(table)[["period", "before", "after"]].values.tolist()
    [['2022', nan, 340.0], ['2025', 352.0, nan]]
    >>> spikes(table.assign(value=[340.0, 34.0, 352.0, 360.0]))["period"].tolist()
    ['2023']
    >>> counted = table.assign(value=[340.0, 0.0, 352.0, 360.0], numerator=[34, 0, 35, 36])
    >>> spikes(counted)[["period", "before", "after"]].values.tolist()
    [['2023', 340.0, 352.0]]
    >>> spikes(counted.assign(numerator=[3, 0, 4, 4])).empty
    True
    """
    found = pd.concat([_spikes_among_positive(table, first), _zeros_among_counts(table)])
    return found.sort_index()


def _far(ratio: pd.Series) -> pd.Series:
    """True where one figure is more than :data:`MOST_STEADY_SPIKE` times another, either way."""
    return (ratio > MOST_STEADY_SPIKE) | (ratio < 1 / MOST_STEADY_SPIKE)


def _spikes_among_positive(table: pd.DataFrame, judge_first: bool = True) -> pd.DataFrame:
    positive = table.loc[table["value"] > 0].sort_values("period_end", kind="stable")
    series = positive.groupby(["indicator", "area_code", "breakdown"], sort=False)
    value, values, periods = positive["value"], series["value"], series["period"]
    before, after = values.shift(), values.shift(-1)
    inside = _far(value / before) & _far(value / after) & ((value > before) == (value > after))
    first = (
        judge_first
        & before.isna()
        & _far(value / after)
        & ~_far(after / values.shift(-2))
        & values.shift(-2).notna()
    )
    last = (
        after.isna()
        & _far(value / before)
        & ~_far(before / values.shift(2))
        & values.shift(2).notna()
    )
    found = positive.assign(
        before=before,
        after=after,
        period_before=periods.shift(),
        period_after=periods.shift(-1),
    )
    return found.loc[(inside | first | last).to_numpy(dtype=bool)]


#: The status of a percentage left out for looking like a fraction typed in its place.
FRACTION = "left out: a fraction among percentages"

#: How far a hundred times a lone fraction may stand from the figures either side, either way,
#: for it to look like a percentage typed as a fraction. In the real 2013-2025 files the
#: nearest of the percentages from 0 to 1 standing far below both their neighbours is
#: Oldham's 0.2% of referrals with no further action in 2021, between 2019's 5.1 (2020's 0 is
#: not compared) and 2022's 6.8: 20 is 3.9 times 5.1, so it is kept.
FRACTION_NEAR = 2.0


def lone_fractions(table: pd.DataFrame) -> pd.DataFrame:
    """The percentages in ``table`` that look like a share typed as a fraction in one cell
    (0.78 for 78%): from 0 to 1, more than :data:`MOST_STEADY_SPIKE` times below the same
    area's figures in the nearest periods either side (one side, twice, for the first and last
    periods, as in :func:`spikes`), and a hundred times it within :data:`FRACTION_NEAR` times
    each of those figures. A whole year written so is :func:`percentages_as_fractions`'s error.

    Returns the rows of ``table`` with the neighbouring figures as :func:`spikes` does.

    >>> years = pd.to_datetime(["2022-03-31", "2023-03-31", "2024-03-31", "2025-03-31"])
    >>> table = pd.DataFrame({"indicator": "pct", "area_code": "E1", "breakdown": "all",
    ...                       "period": ["2022", "2023", "2024", "2025"],
    ...                       "period_end": years, "value": [76.0, 0.78, 80.0, 79.0]})
    >>> lone_fractions(table)[["period", "before", "after"]].values.tolist()
    [['2023', 76.0, 80.0]]
    >>> lone_fractions(table.assign(value=[6.0, 0.78, 8.0, 7.0])).empty
    True
    """
    found = _spikes_among_positive(table)
    found = found.loc[found["value"] <= 1]
    hundredfold = found["value"] * 100
    near = [
        found[side].isna() | (np.abs(np.log(hundredfold / found[side])) <= np.log(FRACTION_NEAR))
        for side in ("before", "after")
    ]
    return found.loc[near[0] & near[1]]


def _zeros_among_counts(table: pd.DataFrame) -> pd.DataFrame:
    known = table.loc[table["value"].notna()].sort_values("period_end", kind="stable")
    keys = [known[c] for c in ("indicator", "area_code", "breakdown")]
    many = pd.Series(numbers(known, "numerator") >= FEWEST_BESIDE_ZERO, index=known.index)
    counted = many.groupby(keys, sort=False)
    before, after = counted.shift(fill_value=False), counted.shift(-1, fill_value=False)
    before2, after2 = counted.shift(2, fill_value=False), counted.shift(-2, fill_value=False)
    first, last = counted.cumcount() == 0, counted.cumcount(ascending=False) == 0
    spike = (known["value"] == 0) & (
        (before & after) | (first & after & after2) | (last & before & before2)
    )
    series = known.groupby(keys, sort=False)
    values, periods = series["value"], series["period"]
    found = known.assign(
        before=values.shift(),
        after=values.shift(-1),
        period_before=periods.shift(),
        period_after=periods.shift(-1),
    )
    return found.loc[spike.to_numpy(dtype=bool)]


#: How many councils with a figure in a year and the one before must all repeat it exactly for
#: the year to be taken for a copy of the one before. In the real 2013-2025 files at most a
#: third of the councils repeat their figure from one year to the next (the percentage of
#: looked-after children going missing, published whole), and in LAIT at most four fifths (key
#: stage 2 scaled scores, whole numbers near 104): never all.
FEWEST_COPIED = 20

#: The status of a year's figures left out for repeating the year before's, council by council.
COPIED = "left out: every council's figure the same as the year before"


def copied_years(table: pd.DataFrame) -> pd.DataFrame:
    """The years of a published ``table`` in which every council with a figure for the year
    and one before it repeats that figure exactly, when there are at least
    :data:`FEWEST_COPIED` such councils (zeros are not counted): the year before's rows copied
    under the next year's label, which no real file has.

    Returns one row per copied year: ``indicator``, ``breakdown``, ``period``, the
    ``period_before`` it repeats and the number of ``councils``.

    >>> years = pd.to_datetime(["2024-03-31", "2025-03-31"])
    >>> table = pd.DataFrame({"indicator": "cin", "breakdown": "all",
    ...     "area_level": "local authority", "area_code": [f"E{n}" for n in range(25)] * 2,
    ...     "period": ["2024"] * 25 + ["2025"] * 25, "period_end": years.repeat(25),
    ...     "value": list(range(1, 26)) * 2})
    >>> copied_years(table).values.tolist()
    [['cin', 'all', '2025', '2024', 25]]
    >>> copied_years(table.assign(value=list(range(1, 26)) + list(range(2, 27)))).empty
    True
    """
    rows = table.loc[(table["area_level"] == "local authority") & table["value"].notna()]
    rows = rows.sort_values("period_end", kind="stable")
    series = rows.groupby(["indicator", "breakdown", "area_code"], sort=False)
    value, before = rows["value"].to_numpy(), series["value"].shift().to_numpy()
    paired = ~np.isnan(before) & (value != 0)
    # year[r]: the number of row r's indicator, breakdown and period
    year = rows.groupby(["indicator", "breakdown", "period"], sort=False).ngroup().to_numpy()
    years = int(year.max()) + 1 if len(year) else 0
    councils = np.bincount(year[paired], minlength=years)
    differing = np.bincount(year[paired & (value != before)], minlength=years)
    copied = (councils >= FEWEST_COPIED) & (differing == 0)
    if not copied.any():
        return pd.DataFrame(
            columns=["indicator", "breakdown", "period", "period_before", "councils"]
        )
    first = rows.assign(year=year, period_before=series["period"].shift()).loc[paired]
    first = first.drop_duplicates("year").set_index("year").loc[np.flatnonzero(copied)]
    return pd.DataFrame(
        {
            "indicator": first["indicator"].to_numpy(),
            "breakdown": first["breakdown"].to_numpy(),
            "period": first["period"].to_numpy(),
            "period_before": first["period_before"].to_numpy(),
            "councils": councils[copied],
        }
    )
