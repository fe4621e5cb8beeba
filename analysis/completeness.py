"""Rows missing from a published file: a council or a whole year that is not there at all.

DfE publishes a row for every council in every year of a file, with a symbol where there is no
figure: in the real 2013-2025 files no council is missing from a year inside its span, nor
from the first or the latest year when it is in the year next to it. So a council without a
row for a year between its first and last, for the file's latest year when it has one for the
year before (and was not replaced by then), or for the first year when it has one for the
second (and was not made since), or a year without any rows between two that have them, is a
row or a year deleted or cut off: the report would read "no figure was published" and
every comparison would quietly leave the council out. :func:`missing_rows` says so, for
:func:`analysis.published.load_published` to warn. Every real file also has England's row and
each region's in every year; :func:`missing_areas` names England or a region of the file's
councils with no row in any year (the national or regional rows deleted), since the reports
would then compare councils with a figure worked out from the councils instead. A year with no
England row and only a few councils is a year label typed wrong, not a year
(:func:`stray_year`): an error in an EES file, named (and not counted as a year) here.

>>> years = ["2023", "2024", "2025"]
>>> table = pd.DataFrame({"area_code": ["E1", "E1", "E1", "E2", "E2"],
...     "area_name": ["Surrey", "Surrey", "Surrey", "Kent", "Kent"],
...     "la_number": ["936", "936", "936", "886", "886"],
...     "period": years + years[:2],
...     "period_start": pd.to_datetime(["2022-04-01", "2023-04-01", "2024-04-01"] * 2)[:5],
...     "period_end": pd.to_datetime(["2023-03-31", "2024-03-31", "2025-03-31"] * 2)[:5]})
>>> missing_rows(table, "c1.csv", Directory.default())
['c1.csv has no row for Kent in 2025, though it has rows for the years around it: its \
figures for 2025 are missing (was the row deleted, or the file cut short?)']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.areas import Directory
from analysis.words import listed

#: How many missing council rows a file's warnings name one by one; the rest are counted.
MOST_NAMED = 3
ENGLAND_CODE = "E92000001"


def _changed(directory: Directory, start: pd.Timestamp) -> tuple[set[str], set[str]]:
    """The DfE numbers of the councils split or merged into others on or before ``start``,
    and of the councils made by those changes after ``start``."""
    changes = directory.changes.loc[directory.changes["change"].isin(["split", "merged"])]
    effective = pd.to_datetime(changes["effective_from"])
    replaced = set(changes.loc[effective <= start, "la_number"])
    made = {m for members in changes.loc[effective > start, "members"] for m in members.split(";")}
    return replaced, made


def stray_year(table: pd.DataFrame) -> tuple[str, str] | None:
    """The first year of one indicator's rows (a tidy table) that has no row for England,
    though the file's other years each have one, and rows for fewer than half the councils
    of each of those; and what was expected instead, in words. DfE publishes every year of a
    file for England and every council, so such a year is a year label typed wrong (2026 for
    2025), not a new year: taken as the latest year, it would compare a council with itself.
    None when there is no such year.

    >>> table = pd.DataFrame({"area_name": ["England", "Kent", "Hampshire", "Essex", "Surrey"],
    ...     "area_code": ["E92000001", "E10000016", "E10000014", "E10000012", "E10000030"],
    ...     "la_number": [None, "886", "850", "881", "936"],
    ...     "period": ["2024"] * 4 + ["2026"],
    ...     "period_end": pd.to_datetime(["2024-03-31"] * 4 + ["2026-03-31"])})
    >>> stray_year(table)
    ('2026', 'a year the file publishes for England (2024), found 2026 for Surrey only')
    """
    years = table.drop_duplicates("period").sort_values("period_end")["period"].tolist()
    national = set(table.loc[table["area_code"] == ENGLAND_CODE, "period"])
    england = [year for year in years if year in national]
    councils = table.loc[table["la_number"].notna()].groupby("period")["area_code"].nunique()
    councils = councils.reindex(years, fill_value=0)
    fewest = councils[england].min() if england else 0
    stray = [year for year in years if year not in england and councils[year] < fewest / 2]
    if not stray:
        return None
    year = stray[0]
    names = table.loc[table["period"] == year, "area_name"].drop_duplicates().tolist()
    published = england[0] if len(england) == 1 else f"{england[0]} to {england[-1]}"
    return year, (
        f"a year the file publishes for England ({published}), found {year} for "
        f"{listed(names, MOST_NAMED, 'more areas')} only"
    )


def missing_rows(table: pd.DataFrame, name: str, directory: Directory) -> list[str]:
    """What is missing from one indicator's yearly rows (a tidy table) of the file ``name``, in
    sentences: a year typed wrong (:func:`stray_year`, not counted as a year), whole years, then
    councils (the first :data:`MOST_NAMED` by name, then a count)."""
    if table.empty:
        return []
    notes = []
    while (stray := stray_year(table)) is not None:
        notes.append(f"{name}: expected {stray[1]} (is the year typed wrong?): left out")
        table = table.loc[table["period"] != stray[0]]
    years = table.drop_duplicates("period_end").sort_values("period_end")
    ends = years["period_end"].dt.year.to_numpy()
    notes += [
        f"{name} has no rows at all between {before} and {after}: the years between are "
        "missing (was the file cut?)"
        for before, after, step in zip(
            years["period"].iloc[:-1], years["period"].iloc[1:], ends[1:] - ends[:-1], strict=True
        )
        if step > 1
    ]
    labels = years["period"].tolist()
    about = table.drop_duplicates("area_code")
    # present[a, y]: area a (in the order of ``about``) has a row for year y
    present = np.zeros((len(about), len(years)), dtype=bool)
    present[
        pd.Index(about["area_code"]).get_indexer(table["area_code"]),
        np.searchsorted(years["period_end"].to_numpy(), table["period_end"].to_numpy()),
    ] = True
    first = present.argmax(axis=1)[:, None]
    last = present.shape[1] - 1 - present[:, ::-1].argmax(axis=1)[:, None]
    column = np.arange(len(years))[None, :]
    replaced, _ = _changed(directory, years["period_start"].iloc[-1])
    _, made = _changed(directory, years["period_start"].iloc[0])
    la_number = about["la_number"]
    made_since = la_number.isin(made).to_numpy()[:, None]
    gone = la_number.isin(replaced).to_numpy()[:, None]
    end = len(years) - 1
    missing = ~present & (
        ((column > first) & (column < last))  # inside the area's years
        | ((column == 0) & (first == 1) & ~made_since)  # the first year, cut off
        | ((column == end) & (last == end - 1) & ~gone)  # the latest year, cut off
    )
    found = [
        f"{name} has no row for {about['area_name'].iloc[area]} in {labels[year]}, though it has "
        f"rows for the years around it: its figures for {labels[year]} are missing (was the row "
        "deleted, or the file cut short?)"
        for area, year in zip(*np.nonzero(missing), strict=True)
    ]
    if len(found) > MOST_NAMED:
        found = [
            *found[:MOST_NAMED],
            f"{name}: {len(found) - MOST_NAMED} more council rows are missing in the same way",
        ]
    return notes + found


def missing_areas(table: pd.DataFrame, name: str, directory: Directory) -> list[str]:
    """England and the regions of ``table``'s councils that have no row in any year of the
    file ``name``, in one sentence (none when every one has rows).

    >>> table = pd.DataFrame({"area_level": ["national", "local authority", "local authority"],
    ...     "area_code": ["E92000001", "E10000030", "E10000016"],
    ...     "region_code": [None, "E12000008", "E12000008"]})
    >>> missing_areas(table, "c1.csv", Directory.default())
    ['c1.csv has no rows for South East, though it has rows for its councils: the reports compare \
councils with a figure for it worked out from its councils, not a published one (were its rows \
deleted?)']
    """
    councils = table.loc[table["area_level"] == "local authority"]
    if councils.empty:
        return []
    needed = [ENGLAND_CODE, *sorted(councils["region_code"].dropna().unique())]
    present = set(table["area_code"])
    absent = [code for code in needed if code not in present]
    if not absent:
        return []
    named = dict(zip(directory.regions["area_code"], directory.regions["area_name"], strict=True))
    areas = listed([named.get(code, code) for code in absent], MOST_NAMED, "more regions")
    one = len(absent) == 1
    if one:
        instead = "a figure for it worked out from its councils, not a published one"
    else:
        instead = "figures for them worked out from their councils, not published ones"
    return [
        f"{name} has no rows for {areas}, though it has rows for {'its' if one else 'their'} "
        f"councils: the reports compare councils with {instead} (were "
        f"{'its' if one else 'their'} rows deleted?)"
    ]
