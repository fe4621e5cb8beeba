"""ONS mid-year population estimates (EES layout), for rates per 10,000 children."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.areas import Directory
from analysis.catalogue import Indicator
from analysis.completeness import ENGLAND_CODE
from analysis.ees import POPULATION, POPULATION_AGE_GROUP, ees_rows
from analysis.errors import DataError

#: The population estimate as an indicator, so it loads like any other EES column.
POPULATION_INDICATOR = Indicator(
    id=POPULATION,
    title="Children aged 0 to 17 (ONS mid-year estimate)",
    description="The number of children aged 0 to 17 living in the area at 30 June.",
    polarity="neutral",
    unit="children",
    decimal_places=0,
    period_type="calendar year",
    source={
        "ees": {
            "file": "ons_mid-year_population_estimates_2012_to_2024.csv",
            "value": "population_estimate",
            "filters": {"age_group": POPULATION_AGE_GROUP},
        }
    },
)


#: How far an area's estimate may move from its year before: by this share, or by
#: MOST_YEARLY_CHANGE_CHILDREN, whichever is more. In the 2012-2024 file most areas move by
#: under 2% a year; the largest moves are the smallest areas' (the City of London, 654 children
#: in 2021 and 985 in 2022; the Isles of Scilly, 357 to 319 in 2024).
MOST_YEARLY_CHANGE = 0.2
MOST_YEARLY_CHANGE_CHILDREN = 1_000


#: How far, in children per council, a region's or England's estimate may stand from the sum
#: of its councils': each rounded to the child. In every year of the 2012-2024 file in which
#: all of a region's councils have an estimate, the region's is their sum exactly, and so is
#: England's.
SUM_ROUNDING = 1


def load_population(path: str | Path, directory: Directory | None = None) -> pd.DataFrame:
    """Children aged 0 to 17 by area and year, as the tidy table (indicator ``population_0_17``).

    Every rate per 10,000 children divides by these estimates, so an estimate that moves from
    the area's year before by more than :data:`MOST_YEARLY_CHANGE` and
    :data:`MOST_YEARLY_CHANGE_CHILDREN` (a digit too many, a pasted cell) is an error naming
    its row, not a rate silently ten times too small; so is a region's or England's estimate
    that is not the sum of its councils' (:func:`_check_sums`: a council's typed over with a
    plausible figure, within those limits, shows there).

    >>> table = load_population("ons_mid-year_population_2012_to_2024.csv")  # doctest: +SKIP
    """
    path = Path(path)
    table = ees_rows(path, POPULATION_INDICATOR, directory)
    # zero is no estimate (the rates using it are left out, with the reason)
    ordered = table.loc[table["value"] > 0].sort_values(["area_code", "period_end"])
    before = ordered.groupby("area_code")["value"].shift()
    change = (ordered["value"] - before).abs()
    jump = (change > MOST_YEARLY_CHANGE * before) & (change > MOST_YEARLY_CHANGE_CHILDREN)
    if jump.any():
        row = ordered.index[jump.to_numpy()][0]
        found = ordered.loc[row]
        raise DataError(
            path,
            f"expected the estimate for {found['area_name']} in {found['period']} within "
            f"{MOST_YEARLY_CHANGE:.0%} of the year before ({before[row]:,.0f}), found "
            f"{found['value']:,.0f}",
            row=int(row),
            column=POPULATION_INDICATOR.source["ees"]["value"],
        )
    _check_sums(path, table)
    return table.reset_index(drop=True)


def _check_sums(path: Path, table: pd.DataFrame) -> None:
    """An error naming the first region's or England's row whose estimate is not the sum of
    its councils' to within :data:`SUM_ROUNDING` a council, in the years in which every one
    of them has an estimate (a council with none, as Bournemouth, Dorset and Poole before
    2019, leaves its region and England unchecked that year) and no council's row is missing
    (one with rows the years either side: :mod:`analysis.completeness` names it)."""
    councils = table.loc[table["area_level"] == "local authority"]
    known = councils["value"] > 0
    whole = _years_with_every_council(councils)
    parents = (
        ("regional", councils["region_code"]),
        ("national", pd.Series(ENGLAND_CODE, index=councils.index)),
    )
    for level, parent in parents:
        keys = [parent.rename("area_code"), councils["period_end"]]
        sums = councils.groupby(keys)["value"].sum()
        complete = known.groupby(keys).all()
        counted = councils.groupby(keys).size()
        totals = table.loc[(table["area_level"] == level) & (table["value"] > 0)]
        for row, total in totals.iterrows():
            key = (total["area_code"], total["period_end"])
            if key not in sums.index or not complete[key] or key[1] not in whole:
                continue
            if abs(total["value"] - sums[key]) > SUM_ROUNDING * counted[key]:
                raise DataError(
                    path,
                    f"expected the estimate for {total['area_name']} in {total['period']} to "
                    f"be the sum of its {counted[key]} councils' ({sums[key]:,.0f}), found "
                    f"{total['value']:,.0f}: one of the estimates is wrong",
                    row=int(row),
                    column=POPULATION_INDICATOR.source["ees"]["value"],
                )


def _years_with_every_council(councils: pd.DataFrame) -> set[pd.Timestamp]:
    """The years in which every council with a row in the years either side (the one year
    beside the first and the last) has a row too."""
    years = sorted(councils["period_end"].unique())
    had = [set(councils.loc[councils["period_end"] == year, "la_number"]) for year in years]
    whole = set()
    for at, year in enumerate(years):
        sides = [had[i] for i in (at - 1, at + 1) if 0 <= i < len(years)]
        if not sides or set.intersection(*sides) <= had[at]:
            whole.add(pd.Timestamp(year))
    return whole
