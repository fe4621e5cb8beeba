"""Rows missing from a published file (analysis.completeness), on hand-made yearly tables.

The councils and their changes are the package's area code list (analysis/data): Cumbria
(909) was replaced by Cumberland (942) and Westmorland and Furness (943) on 1 April 2023.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from analysis.areas import Directory
from analysis.completeness import MOST_NAMED, missing_areas, missing_rows, stray_year

DIRECTORY = Directory.default()
COUNCILS = {
    "E92000001": ("England", None),
    "E10000014": ("Hampshire", "850"),
    "E10000012": ("Essex", "881"),
    "E10000030": ("Surrey", "936"),
    "E10000016": ("Kent", "886"),
    "E10000006": ("Cumbria", "909"),
    "E06000063": ("Cumberland", "942"),
}


def _rows(present: dict[str, list[int]]) -> pd.DataFrame:
    """Financial years ending 31 March of each year given, for each council's ONS code."""
    records = [
        {
            "area_code": code,
            "area_name": COUNCILS[code][0],
            "la_number": COUNCILS[code][1],
            "period": str(year),
            "period_start": pd.Timestamp(f"{year - 1}-04-01"),
            "period_end": pd.Timestamp(f"{year}-03-31"),
        }
        for code, years in present.items()
        for year in years
    ]
    return pd.DataFrame(records)


def _missing(council: str, year: int) -> str:
    return (
        f"f.csv has no row for {council} in {year}, though it has rows for the years around it: "
        f"its figures for {year} are missing (was the row deleted, or the file cut short?)"
    )


YEARS = list(range(2020, 2026))


def test_a_whole_file_has_nothing_missing():
    table = _rows({"E10000030": YEARS, "E10000016": YEARS})
    assert missing_rows(table, "f.csv", DIRECTORY) == []


def test_a_council_missing_inside_first_or_last_year_is_named():
    inside = _rows({"E10000030": [2020, 2021, 2023, 2024, 2025], "E10000016": YEARS})
    assert missing_rows(inside, "f.csv", DIRECTORY) == [_missing("Surrey", 2022)]
    latest = _rows({"E10000030": YEARS[:-1], "E10000016": YEARS})
    assert missing_rows(latest, "f.csv", DIRECTORY) == [_missing("Surrey", 2025)]
    first = _rows({"E10000030": YEARS[1:], "E10000016": YEARS})
    assert missing_rows(first, "f.csv", DIRECTORY) == [_missing("Surrey", 2020)]


def test_councils_replaced_or_made_by_a_change_start_and_stop_with_it():
    # the change on 1 April 2023 ends Cumbria with 2023 (the year ending 31 March 2023) and
    # starts Cumberland with 2024: neither is missing a row, where Kent would be
    ended = _rows({"E10000030": [2021, 2022, 2023, 2024], "E10000006": [2021, 2022, 2023]})
    assert missing_rows(ended, "f.csv", DIRECTORY) == []
    kent = _rows({"E10000030": [2021, 2022, 2023, 2024], "E10000016": [2021, 2022, 2023]})
    assert missing_rows(kent, "f.csv", DIRECTORY) == [_missing("Kent", 2024)]
    begun = _rows({"E10000030": [2023, 2024, 2025], "E06000063": [2024, 2025]})
    assert missing_rows(begun, "f.csv", DIRECTORY) == []
    kent = _rows({"E10000030": [2023, 2024, 2025], "E10000016": [2024, 2025]})
    assert missing_rows(kent, "f.csv", DIRECTORY) == [_missing("Kent", 2023)]
    # but a year missing inside Cumbria's own years is still a row deleted
    table = _rows({"E10000030": YEARS, "E10000006": [2020, 2021, 2023]})
    assert missing_rows(table, "f.csv", DIRECTORY) == [_missing("Cumbria", 2022)]


def test_a_whole_year_missing_is_one_sentence():
    table = _rows({"E10000030": [2020, 2021, 2023], "E10000016": [2020, 2021, 2023]})
    assert missing_rows(table, "f.csv", DIRECTORY) == [
        "f.csv has no rows at all between 2021 and 2023: the years between are missing (was "
        "the file cut?)"
    ]


def test_many_missing_rows_name_the_first_and_count_the_rest():
    # Surrey and Kent have no rows for 2021 and 2023, which Cumberland has: four rows missing
    several = _rows(
        {
            "E10000030": [2020, 2022, 2024, 2025],
            "E10000016": [2020, 2022, 2024, 2025],
            "E06000063": YEARS,
        }
    )
    found = missing_rows(several, "f.csv", DIRECTORY)
    assert found == [
        _missing("Surrey", 2021),
        _missing("Surrey", 2023),
        _missing("Kent", 2021),
        f"f.csv: {4 - MOST_NAMED} more council rows are missing in the same way",
    ]


@given(st.sampled_from(["E10000030", "E10000016"]), st.sampled_from(YEARS))
def test_any_one_row_deleted_is_the_one_named(code, year):
    whole = _rows({"E10000030": YEARS, "E10000016": YEARS})
    deleted = whole.loc[~((whole["area_code"] == code) & (whole["period"] == str(year)))]
    assert missing_rows(deleted, "f.csv", DIRECTORY) == [_missing(COUNCILS[code][0], year)]


ENGLAND_AND_THREE_COUNCILS = {
    "E92000001": YEARS,
    "E10000016": YEARS,
    "E10000014": YEARS,
    "E10000012": YEARS,
}


def test_a_year_only_one_council_has_without_england_is_a_year_typed_wrong():
    # Surrey's 2025 row under 2026: one council of four and no England is no new year, so
    # 2026 is named as a year typed wrong and Surrey's 2025 row as missing, not England's and
    # the other councils' 2026 rows as missing
    table = _rows({**ENGLAND_AND_THREE_COUNCILS, "E10000030": [*YEARS[:-1], 2026]})
    assert missing_rows(table, "f.csv", DIRECTORY) == [
        "f.csv: expected a year the file publishes for England (2020 to 2025), found 2026 for "
        "Surrey only (is the year typed wrong?): left out",
        _missing("Surrey", 2025),
    ]


def test_a_new_year_of_every_council_is_a_year_with_or_without_england():
    new_year = {code: [*years, 2026] for code, years in ENGLAND_AND_THREE_COUNCILS.items()}
    whole = _rows({**new_year, "E10000030": [*YEARS, 2026]})
    assert stray_year(whole) is None and missing_rows(whole, "f.csv", DIRECTORY) == []
    # England's 2026 row deleted: a row missing, not a year typed wrong
    no_england = whole.loc[~((whole["area_code"] == "E92000001") & (whole["period"] == "2026"))]
    assert stray_year(no_england) is None
    assert missing_rows(no_england, "f.csv", DIRECTORY) == [_missing("England", 2026)]
    # a file with no England rows at all (missing_areas names it) has no years to compare with
    assert stray_year(_rows({"E10000030": [*YEARS, 2026], "E10000016": YEARS})) is None


def _levels(areas: dict[str, str | None]) -> pd.DataFrame:
    """One row per area code, with its level and (for a council) its region's code."""
    level = {"E92": "national", "E12": "regional"}
    return pd.DataFrame(
        {
            "area_code": list(areas),
            "area_level": [level.get(code[:3], "local authority") for code in areas],
            "region_code": list(areas.values()),
        }
    )


SOUTH_EAST = "E12000008"  # Surrey's and Kent's region
WHOLE = {"E92000001": None, SOUTH_EAST: None, "E10000030": SOUTH_EAST, "E10000016": SOUTH_EAST}


def test_england_and_the_councils_regions_present_is_nothing_missing():
    assert missing_areas(_levels(WHOLE), "f.csv", DIRECTORY) == []
    # a file of England and its regions only has no councils to compare
    assert missing_areas(_levels({"E92000001": None}), "f.csv", DIRECTORY) == []


def test_england_or_a_region_with_no_row_in_any_year_is_named():
    no_england = {code: region for code, region in WHOLE.items() if code != "E92000001"}
    assert missing_areas(_levels(no_england), "f.csv", DIRECTORY) == [
        "f.csv has no rows for England, though it has rows for its councils: the reports compare "
        "councils with a figure for it worked out from its councils, not a published one (were "
        "its rows deleted?)"
    ]
    no_regions = {"E92000001": None, "E10000030": SOUTH_EAST, "E06000063": "E12000002"}
    assert missing_areas(_levels(no_regions), "f.csv", DIRECTORY) == [
        "f.csv has no rows for North West and South East, though it has rows for their "
        "councils: the reports compare councils with figures for them worked out from their "
        "councils, not published ones (were their rows deleted?)"
    ]


def test_many_regions_missing_name_the_first_and_count_the_rest():
    regions = [f"E1200000{n}" for n in range(1, 6)]
    councils = {f"E0600000{n}": region for n, region in enumerate(regions)}
    assert missing_areas(_levels(councils), "f.csv", DIRECTORY) == [
        f"f.csv has no rows for England, North East, North West and {6 - MOST_NAMED} more "
        "regions, though it has rows for their councils: the reports compare councils with "
        "figures for them worked out from their councils, not published ones (were their rows "
        "deleted?)"
    ]
