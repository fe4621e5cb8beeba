"""The published scorecard: one row per catalogue indicator for one council and year.

Each row has the council's published value with England, its region and its statistical
neighbours (mean, median and how many had a value), as published for that year.

>>> data = load_published("../shared/data/dfe")  # doctest: +SKIP
>>> card = scorecard(data, "936", 2025).set_index("indicator")  # doctest: +SKIP
>>> card.loc["rereferrals_12m_pct", "value"]  # doctest: +SKIP
20.5
"""

from __future__ import annotations

import pandas as pd

from analysis.areas import Council
from analysis.catalogue import Indicator, load_catalogue
from analysis.published import Published

KEYS = [
    "indicator",
    "title",
    "period",
    "value",
    "status",
    "england",
    "region",
    "sn_mean",
    "sn_median",
    "sn_n",
]


def latest_year(table: pd.DataFrame) -> int | None:
    """The latest year any published figure ends in."""
    ends = table["period_end"].dropna()
    return None if ends.empty else int(ends.dt.year.max())


def scorecard(
    data: Published,
    council: str | Council,
    year: int,
    indicators: list[str] | None = None,
    catalogue: dict[str, Indicator] | None = None,
) -> pd.DataFrame:
    """One row per indicator for ``council`` and the published ``year`` (the year a period ends in).

    Indicators with no published source still get a row, with ``status`` saying why.
    """
    catalogue = catalogue or load_catalogue()
    council = council if isinstance(council, Council) else data.directory.find(council)
    table = data.table
    year_rows = table.loc[
        (table["period_end"].dt.year == year) & (table["period_type"] != "multi-year")
    ]
    neighbour_codes = (
        data.directory.council_codes(
            pd.Series(data.neighbours.get(council.la_number, []), dtype="string")
        )
        .dropna()
        .tolist()
    )
    own_codes = [council.area_code, *council.joint_returns]
    rows = []
    for indicator_id in indicators or list(catalogue):
        indicator = catalogue[indicator_id]
        rows_for = year_rows.loc[year_rows["indicator"] == indicator_id]
        own = rows_for.loc[rows_for["area_code"].isin(own_codes)].head(1)
        england = rows_for.loc[rows_for["area_level"] == "national", "value"]
        region = rows_for.loc[rows_for["area_code"] == council.region_code, "value"]
        neighbours = rows_for.loc[rows_for["area_code"].isin(neighbour_codes), "value"].dropna()
        status = indicator.benchmark_note
        if status is None and own.empty:
            status = f"not published for {year}"
        elif not own.empty and pd.isna(own["value"].iloc[0]):
            status = own["status"].iloc[0]
        rows.append(
            {
                "indicator": indicator_id,
                "title": indicator.title,
                "period": own["period"].iloc[0] if not own.empty else str(year),
                "value": own["value"].iloc[0] if not own.empty else None,
                "status": status,
                "england": england.iloc[0] if not england.empty else None,
                "region": region.iloc[0] if not region.empty else None,
                "sn_mean": neighbours.mean() if len(neighbours) else None,
                "sn_median": neighbours.median() if len(neighbours) else None,
                "sn_n": int(len(neighbours)),
            }
        )
    out = pd.DataFrame(rows, columns=KEYS)
    return out.astype(
        {
            "value": "float64",
            "england": "float64",
            "region": "float64",
            "sn_mean": "float64",
            "sn_median": "float64",
        }
    )
