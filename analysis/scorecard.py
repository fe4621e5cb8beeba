"""The published scorecard: one row per catalogue indicator for one council and year.

Each row has the council's published value with England, its region and its statistical
neighbours (mean, median and how many had a value), its national rank, LAIT quartile band,
whether it is significantly different from England and its recent trend, all as
:mod:`analysis.benchmark` and :mod:`analysis.trend` compute them from the published table.

>>> data = load_published("../shared/data/dfe")  # doctest: +SKIP
>>> card = scorecard(data, "936", 2025).set_index("indicator")  # doctest: +SKIP
>>> card.loc["rereferrals_12m_pct", ["value", "england"]].tolist()  # doctest: +SKIP
[20.5, 22.6]
"""

from __future__ import annotations

import pandas as pd

from analysis.areas import Council
from analysis.benchmark import benchmark_all
from analysis.catalogue import Indicator, load_catalogue
from analysis.completeness import ENGLAND_CODE
from analysis.published import Published
from analysis.trend import recent_trend_table
from analysis.values import scale_from_unit

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
    "national_rank",
    "rank_of",
    "quartile_band",
    "compared_with_england",
    "recent_trend",
]


def latest_year(table: pd.DataFrame) -> int | None:
    """The latest year England's published rows end in (any area's, in a table without them):
    a year only a few councils have is a year typed wrong
    (:func:`analysis.completeness.stray_year`), not a report's year."""
    england = table.loc[table["area_code"] == ENGLAND_CODE, "period_end"].dropna()
    ends = england if len(england) else table["period_end"].dropna()
    return None if ends.empty else int(ends.dt.year.max())


def kind_of(indicator: Indicator) -> str:
    """How the statistics treat an indicator: ``proportion``, ``rate`` or ``value``."""
    if indicator.is_proportion:
        return "proportion"
    return "rate" if indicator.is_rate else "value"


def _null(value: object) -> object:
    return None if value is None or pd.isna(value) else value


def benchmarks(data: Published, catalogue: dict[str, Indicator]) -> pd.DataFrame:
    """Benchmarks and recent trends for every council, indicator and published period."""
    table = data.table.loc[data.table["period_type"] != "multi-year"]
    loaded = set(table["indicator"].unique())
    present = [i for i in catalogue if i in loaded]
    polarity = {i: catalogue[i].polarity for i in present}
    kind = {i: kind_of(catalogue[i]) for i in present}
    scale = {i: s for i in present if (s := scale_from_unit(catalogue[i].unit)) is not None}
    # Significance needs an interval: Wilson for proportions, Byar for rates. Other values
    # (caseloads) are compared by rank and band only.
    plain = table["indicator"].map(kind).eq("value")
    table = table.assign(
        numerator=table["numerator"].mask(plain), denominator=table["denominator"].mask(plain)
    )
    bench = benchmark_all(
        table,
        polarity,
        data.neighbours,
        data.good_or_outstanding,
        scale_by_indicator=scale,
        kind_by_indicator={i: k for i, k in kind.items() if k != "value"},
    )
    bench = bench.astype({c: object for c in bench.columns if bench[c].dtype == "category"})
    trends = recent_trend_table(table.loc[table["area_level"] == "local authority"], polarity, kind)
    trends = trends.rename(columns={"label": "recent_trend", "to_period": "period"})
    # A series whose trend cannot be calculated has no end period: say so for all its rows.
    unknown = trends.loc[trends["period"].isna(), ["indicator", "area_code", "recent_trend"]]
    bench = bench.merge(
        trends.dropna(subset=["period"])[["indicator", "area_code", "period", "recent_trend"]],
        on=["indicator", "area_code", "period"],
        how="left",
    )
    fallback = bench[["indicator", "area_code"]].merge(unknown, how="left")["recent_trend"]
    bench["recent_trend"] = bench["recent_trend"].fillna(fallback.set_axis(bench.index))
    return bench.merge(
        table[["indicator", "area_code", "period", "period_end", "status"]],
        on=["indicator", "area_code", "period"],
        how="left",
    )


def scorecard(
    data: Published,
    council: str | Council,
    year: int,
    indicators: list[str] | None = None,
    catalogue: dict[str, Indicator] | None = None,
) -> pd.DataFrame:
    """One row per indicator for ``council`` and the published ``year`` (the year a period ends in).

    Indicators with no published source, or no figure that year, still get a row, with
    ``status`` saying why.
    """
    catalogue = catalogue or load_catalogue()
    council = council if isinstance(council, Council) else data.directory.find(council)
    chosen = indicators or list(catalogue)
    all_rows = benchmarks(data, {i: catalogue[i] for i in chosen})
    own = all_rows.loc[
        all_rows["area_code"].isin([council.area_code, *council.joint_returns])
        & (all_rows["period_end"].dt.year == year)
    ].drop_duplicates("indicator")
    own = own.set_index("indicator")
    rows = []
    for indicator_id in chosen:
        indicator = catalogue[indicator_id]
        row = {"indicator": indicator_id, "title": indicator.title, "period": str(year)}
        if indicator_id not in own.index:
            row["status"] = indicator.benchmark_note or f"not published for {year}"
            row["sn_n"] = 0
            rows.append(row)
            continue
        found = own.loc[indicator_id]
        row.update({key: _null(found.get(key)) for key in KEYS if key in found.index})
        row["period"] = found["period"]
        row["title"] = indicator.title
        rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=KEYS)
    numbers = ["value", "england", "region", "sn_mean", "sn_median"]
    out[numbers] = out[numbers].astype("float64")
    for column in ("sn_n", "national_rank", "rank_of"):
        out[column] = out[column].astype("Int64")
    return out
