"""The annual benchmark report: every catalogue indicator of one council against its comparators.

From published data only: the council's figure for a year against England, its region, its 10
statistical neighbours and councils judged Good or Outstanding by Ofsted (:mod:`analysis.benchmark`,
by ``method``, with how many had a figure), its LAIT quartile band, national rank and rank
among its neighbours, significance against England (95%), a funnel plot for proportions, the
change since last year and the recent trend (:mod:`analysis.trend`), each with a sentence, a
chart, its alt text and a data table (:mod:`analysis.charts`, :mod:`analysis.narrative`).
Neutral indicators get no band, rank or colour, only higher / similar / lower.

Everything national (loading, benchmarks, comparator figures, bands, trends) is computed once
per process for a data folder and reused for every council (:func:`national`), so a loop over
the 153 councils pays for it once.

>>> report = prepare("936", 2025, "../shared/data/dfe")  # doctest: +SKIP
>>> report.key_messages()[0]  # doctest: +SKIP
'Social worker vacancies: in the bottom quarter of councils (band D, ...'
"""

from __future__ import annotations

import functools
import html
import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import __version__
from analysis.areas import Council
from analysis.atomic import write_text
from analysis.benchmark import (
    CANNOT_COMPARE,
    ENGLAND,
    GOOD_OR_OUTSTANDING,
    METHODS,
    REGION,
    STATISTICAL_NEIGHBOURS,
    Comparators,
    comparator_figures,
    compare_with_benchmark,
    funnel_limits,
    quartile_bands,
)
from analysis.catalogue import Indicator, load_catalogue
from analysis.charts import (
    benchmark_alt_text,
    benchmark_dot_chart,
    benchmark_table,
    data_table_html,
    figure_html,
    funnel_alt_text,
    funnel_plot,
    funnel_table,
    reused_figures,
)
from analysis.disclosure import (
    SMALL_NUMBER_THRESHOLD,
    counts_hidden_sentence,
    number_or_none,
    small_number,
)
from analysis.narrative import (
    Glossary,
    comparison_sentence,
    format_number,
    trend_sentence,
    unpublished_sentence,
    without_title,
)
from analysis.published import (
    LAIT_FILE,
    NEIGHBOURS_FILE,
    OFSTED_FILE,
    Published,
    folder_signature,
    load_published,
)
from analysis.published import data_dir as resolve_data_dir
from analysis.quarterly import FICTIONAL_NOTICE, direction_of_travel
from analysis.scorecard import benchmarks, kind_of, latest_year
from analysis.trend import recent_trend_table
from analysis.values import scale_from_unit
from analysis.words import listed

NOTEBOOK = "benchmark_report"
COUNT_COLUMNS = ["numerator", "denominator", "period_start", "period_end"]
LOCAL_AUTHORITY = "local authority"
#: Comparator groups in the order the report shows them, with their names for members.
COMPARATOR_NAMES = {
    ENGLAND: "England",
    REGION: "Region",
    STATISTICAL_NEIGHBOURS: "Statistical neighbours",
    GOOD_OR_OUTSTANDING: "Good or Outstanding councils",
}
BAND_WORDS = {
    "A": "the best quarter",
    "B": "the second best quarter",
    "C": "the second worst quarter",
    "D": "the worst quarter",
}
NO_CONCERN = (
    "No indicator is significantly worse than England, in the bottom quartile band or worse "
    "than last year."
)


# --- national figures, once per data folder --------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """What every council's funnel plot of one indicator and period shares."""

    points: pd.DataFrame
    """Councils with counts at or above the threshold (area_code, area_name, counts)."""
    limits: pd.DataFrame
    """n, lower_95, upper_95, lower_998, upper_998 as proportions."""
    p0: float
    """England's proportion, its numerator over its denominator (the councils' counts added
    together when England's are not published)."""
    note: str
    """What the chart's reader needs told: councils left out to protect small numbers, an
    England line made from the councils' counts ("" if nothing)."""
    caption: str
    table_html: str


@dataclass(frozen=True)
class National:
    """Everything the report needs that is the same for every council, computed once.

    ``benchmarks``: :func:`analysis.scorecard.benchmarks`; ``comparators``:
    :func:`analysis.benchmark.comparator_figures` by ``method``; ``bands``:
    :func:`analysis.benchmark.quartile_bands`; ``trends``:
    :func:`analysis.trend.recent_trend_table` of the councils; each :class:`Rows`, read by
    key as plain dicts, so that one council's report reads them without pandas filtering.
    """

    folder: Path
    data: Published
    catalogue: dict[str, Indicator]
    indicators: tuple[str, ...]
    method: str
    benchmarks: Rows
    """Benchmark row per (area code, indicator, year the period ends in)."""
    comparators: Rows
    """Comparator figure per (area code, indicator, period, comparator)."""
    bands: Rows
    """Quartile band row per (area code, indicator, period)."""
    trends: Rows
    """Recent trend per (area code, indicator)."""
    counts: Rows
    """Published row (numerator, denominator, period dates) per (area code, indicator, period)."""
    points: dict[tuple[str, str], pd.DataFrame]
    """Every council's row per (indicator, period), for funnel plots."""
    england: dict[tuple[str, str], pd.Series]
    """England's published row per (indicator, period)."""

    funnels: dict[tuple[str, str, int], Funnel | None] = field(default_factory=dict)
    """Funnel plot data per (indicator, period, small-number threshold), made when first used."""

    def funnel(self, indicator_id: str, period: str, threshold: int) -> Funnel | None:
        """Every council's proportion against England's, for a funnel plot (None: fewer than 4
        councils with counts). Councils with a count below ``threshold`` are left out."""
        key = (indicator_id, period, threshold)
        if key not in self.funnels:
            self.funnels[key] = self._funnel(indicator_id, period, threshold)
        return self.funnels[key]

    def _funnel(self, indicator_id: str, period: str, threshold: int) -> Funnel | None:
        points = self.points.get((indicator_id, period))
        if points is None:
            return None
        points = points.dropna(subset=["numerator", "denominator"])
        points = points.loc[points["denominator"] > 0]
        small = points["numerator"].map(lambda x: small_number(x, threshold) is not None)
        small |= points["denominator"].map(lambda x: small_number(x, threshold) is not None)
        shown = points.loc[~small]
        if len(shown) < 4:
            return None
        england = self.england.get((indicator_id, period))
        notes = []
        if england is not None and (england[["numerator", "denominator"]] > 0).all():
            p0 = float(england["numerator"] / england["denominator"])
        else:
            p0 = float(points["numerator"].sum() / points["denominator"].sum())
            notes.append(
                "England's counts are not published for this period, so the line marked "
                "England is every council's counts added together."
            )
        denominators = shown["denominator"].to_numpy(dtype=float)
        grid = np.unique(
            np.concatenate([np.linspace(denominators.min(), denominators.max(), 60), denominators])
        )
        limits = pd.DataFrame({"n": grid})
        for confidence, suffix in ((0.95, "95"), (0.998, "998")):
            level = funnel_limits(grid, p0, confidence=[confidence])
            limits[f"lower_{suffix}"] = level["lower"].to_numpy()
            limits[f"upper_{suffix}"] = level["upper"].to_numpy()
        left_out = int(small.sum())
        if left_out:
            councils = "council with a count" if left_out == 1 else "councils with counts"
            notes.append(
                f"{left_out} {councils} below {threshold} {'is' if left_out == 1 else 'are'} "
                "left out of the funnel plot and its table, to protect small numbers."
            )
        note = " ".join(notes)
        indicator = self.catalogue[indicator_id]
        caption = f"{indicator.title}: every council against the England proportion ({period})"
        table = data_table_html(funnel_table(shown, limits, indicator), caption)
        return Funnel(shown, limits, p0, note, caption, table)

    def row_of(self, council: Council, indicator_id: str, year: int) -> dict[str, Any] | None:
        """The council's benchmark row for a year (its own, or a joint return it is part of)."""
        for code in (council.area_code, *council.joint_returns):
            found = self.benchmarks.get((code, indicator_id, year))
            if found is not None:
                return found
        return None


_CACHE: dict[tuple, National] = {}
_CACHE_SIZE = 4


class Rows:
    """The rows of a frame by ``keys`` (the last row wins), each made a plain dict (missing
    values None) when it is asked for: a council's report reads a few hundred of the
    national tables' 200,000 rows, so they are not all made dicts up front.

    >>> rows = Rows(pd.DataFrame({"area": ["E1", "E2"], "value": [1.5, None]}), ["area"])
    >>> rows.get(("E2",)), rows.get(("E3",)), len(rows)
    ({'area': 'E2', 'value': None}, None, 2)
    """

    def __init__(self, frame: pd.DataFrame, keys: list[str]) -> None:
        clean = frame.astype(object).where(frame.notna(), None)
        self._names = list(clean.columns)
        self._columns = [clean[name].tolist() for name in self._names]
        keyed = zip(*(self._columns[self._names.index(k)] for k in keys), strict=True)
        self._position = dict(zip(keyed, range(len(clean)), strict=True))

    def get(self, key: tuple, default: Any = None) -> dict[str, Any] | Any:
        """The row for ``key`` as a dict, or ``default``."""
        position = self._position.get(key)
        if position is None:
            return default
        row = (column[position] for column in self._columns)
        return dict(zip(self._names, row, strict=True))

    def __len__(self) -> int:
        return len(self._position)


@functools.cache
def _default_catalogue() -> dict[str, Indicator]:
    return load_catalogue()


def national(
    data_dir: str | Path | None = None,
    indicators: Sequence[str] | None = None,
    method: str = "mean",
    catalogue: dict[str, Indicator] | None = None,
) -> National:
    """The national figures for a data folder, loaded and benchmarked once per process.

    Cached by the resolved folder, its files' sizes and modification times, the indicators and
    the method, so a changed file is read again.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    catalogue = catalogue or _default_catalogue()
    chosen = tuple(indicators or catalogue)
    unknown = [i for i in chosen if i not in catalogue]
    if unknown:
        raise KeyError(f"unknown indicator id(s): {', '.join(unknown)}")
    folder = resolve_data_dir(data_dir or None).resolve()
    key = (folder_signature(folder), chosen, method, tuple(sorted(catalogue)))
    if key in _CACHE:
        return _CACHE[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the missing files are reported as report warnings
        data = load_published(folder, catalogue, list(chosen))
    chosen_catalogue = {i: catalogue[i] for i in chosen}
    bench = benchmarks(data, chosen_catalogue)
    table = data.table.loc[data.table["period_type"] != "multi-year"]
    table = table.loc[table["breakdown"].fillna("all") == "all"]
    loaded = set(table["indicator"].unique())
    present = [i for i in chosen if i in loaded]
    polarity = {i: catalogue[i].polarity for i in present}
    kind = {i: kind_of(catalogue[i]) for i in present}
    scale = {i: s for i in present if (s := scale_from_unit(catalogue[i].unit)) is not None}
    groups = Comparators(data.neighbours, data.good_or_outstanding)
    figures = comparator_figures(table, groups, method, scale_by_indicator=scale)
    councils = table.loc[table["area_level"] == LOCAL_AUTHORITY]
    england = table.loc[table["area_level"] == "national"]
    result = National(
        folder=folder,
        data=data,
        catalogue=catalogue,
        indicators=chosen,
        method=method,
        benchmarks=Rows(
            bench.assign(year=bench["period_end"].dt.year), ["area_code", "indicator", "year"]
        ),
        comparators=Rows(figures, ["area_code", "indicator", "period", "comparator"]),
        bands=Rows(quartile_bands(table, polarity), ["area_code", "indicator", "period"]),
        trends=Rows(recent_trend_table(councils, polarity, kind), ["area_code", "indicator"]),
        counts=Rows(
            councils[["area_code", "indicator", "period", *COUNT_COLUMNS]],
            ["area_code", "indicator", "period"],
        ),
        points=dict(iter(councils.groupby(["indicator", "period"], sort=False))),
        england={key: rows.iloc[0] for key, rows in england.groupby(["indicator", "period"])},
    )
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result
    return result


# --- one council -----------------------------------------------------------------------------


def _value(x: Any) -> Any:
    """A plain Python value for JSON: numbers as float or int, missing as None."""
    if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)):
        return None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    return x


def _change_is_significant(r: Mapping[str, Any]) -> bool | None:
    """Whether last year's figure lies outside this year's 95% interval (methods.md section 2,
    with last year's figure as the benchmark); None when there is no interval to test with
    (counts not published or hidden) or no figure last year.

    >>> _change_is_significant({"interval": [19.7, 21.2], "previous_value": 16.3})
    True
    >>> _change_is_significant({"interval": None, "previous_value": 90.0}) is None
    True
    """
    if r.get("interval") is None or r.get("previous_value") is None:
        return None
    lower, upper = r["interval"]
    return not lower <= r["previous_value"] <= upper


def _period_words(row: dict[str, Any]) -> str:
    """'April 2024 to March 2025', or 'at 31 March 2025' for a snapshot."""
    if row.get("period_end") is None:
        return "no period"
    end = pd.Timestamp(row["period_end"])
    start = row.get("period_start")
    if start is None or pd.Timestamp(start) >= end - pd.Timedelta(days=1):
        return f"at {end.day} {end:%B %Y}"
    return f"{pd.Timestamp(start):%B %Y} to {end:%B %Y}"


@dataclass
class BenchmarkReport:
    """One council's annual benchmark report: the figures, sentences, charts and tables."""

    council: Council
    year: int | None
    national: National
    indicators: list[str]
    threshold: int = SMALL_NUMBER_THRESHOLD
    fictional: bool = False
    warnings: list[str] = field(default_factory=list)
    glossary: Glossary = field(init=False)
    results: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.glossary = Glossary(self.threshold)
        self.results = {i: self._result(i) for i in self.indicators}

    # --- figures ------------------------------------------------------------------------

    @property
    def title(self) -> str:
        year = self.year or "no published year"
        return f"{self.council.area_name}: children's services annual benchmark report {year}"

    def _result(self, indicator_id: str) -> dict[str, Any]:
        """Everything the report says about one indicator (plain values, no small counts)."""
        national = self.national
        indicator = national.catalogue[indicator_id]
        neutral = indicator.polarity == "neutral"
        row = national.row_of(self.council, indicator_id, self.year) if self.year else None
        out: dict[str, Any] = {
            "indicator": indicator_id,
            "title": indicator.title,
            "polarity": indicator.polarity,
            "unit": indicator.unit,
        }
        if row is None:
            note = indicator.benchmark_note or f"No figure was published for {self.year}."
            return {**out, "published": False, "note": note}
        area_code, period = row["area_code"], row["period"]
        counts = national.counts.get((area_code, indicator_id, period)) or {}
        numerator, denominator = counts.get("numerator"), counts.get("denominator")
        # A count below the threshold hides both counts and the interval: with the published
        # percentage, either count or the interval's width would give it back.
        hidden = any(small_number(c, self.threshold) for c in (numerator, denominator))
        comparators = {}
        for name in COMPARATOR_NAMES:
            f = national.comparators.get((area_code, indicator_id, period, name))
            if f is None:
                comparators[name] = {"value": None, "n": 0, "method": None, "reason": "no group"}
                continue
            comparators[name] = {k: _value(f[k]) for k in ("value", "n", "method", "reason")}
        band = national.bands.get((area_code, indicator_id, period)) or {}
        trend = national.trends.get((area_code, indicator_id))
        previous = national.row_of(self.council, indicator_id, self.year - 1)
        previous_value = None if previous is None else _value(previous["value"])
        value = _value(row["value"])
        change = direction_of_travel(
            np.nan if value is None else value,
            np.nan if previous_value is None else previous_value,
            indicator.polarity,
        )
        interval = (
            None if hidden else self._interval(indicator, numerator, denominator, comparators)
        )
        return {
            **out,
            "published": True,
            "period": str(period),
            "period_words": _period_words(counts or row),
            "value": value,
            "status": _value(row["status"]),
            "numerator": None if hidden else number_or_none(numerator),
            "denominator": None if hidden else number_or_none(denominator),
            "counts_hidden": hidden,
            "interval": interval,
            "comparators": comparators,
            "quartile_band": None if neutral else _value(row["quartile_band"]),
            "compared_with_councils": _value(band.get("compared")),
            "quartiles": [_value(band.get(q)) for q in ("q1", "q2", "q3")],
            "band_reason": _value(band.get("reason")),
            "national_rank": None if neutral else _value(row["national_rank"]),
            "rank_of": None if neutral else _value(row["rank_of"]),
            "neighbour_rank": None if neutral else _value(row["sn_rank"]),
            "neighbour_rank_of": None if neutral else _value(row["sn_rank_of"]),
            "compared_with_england": _value(row["compared_with_england"]),
            "compared_with_england_reason": _value(row["compared_with_england_reason"]),
            "previous_period": None if previous is None else str(previous["period"]),
            "previous_value": previous_value,
            "change": change,
            "recent_trend": None if trend is None else trend["label"],
            "trend": trend,
        }

    def _interval(
        self, indicator: Indicator, numerator: Any, denominator: Any, comparators: dict
    ) -> list[float] | None:
        """The council's 95% confidence interval on the published scale, when it has one."""
        kind = kind_of(indicator)
        scale = scale_from_unit(indicator.unit)
        if kind == "value" or scale is None or number_or_none(denominator) is None:
            return None
        if number_or_none(numerator) is None:
            return None
        england = comparators[ENGLAND]["value"]
        found = compare_with_benchmark(
            float(numerator),
            float(denominator),
            np.nan if england is None else england,
            indicator.polarity,
            kind,
            0.95,
            scale,
        ).iloc[0]
        if pd.isna(found["lower"]) or pd.isna(found["upper"]):
            return None
        return [float(found["lower"]), float(found["upper"])]

    # --- words ------------------------------------------------------------------------

    def key_messages(self) -> list[str]:
        """The indicators that are significantly worse than England, in band D or significantly
        worse than last year, one sentence each (most reasons first, then catalogue order). A
        change that cannot be tested (no published counts) is said only beside another reason:
        on its own it may be chance."""
        ranked = []
        for position, (indicator_id, r) in enumerate(self.results.items()):
            if not r["published"] or r["polarity"] == "neutral":
                continue
            indicator = self.national.catalogue[indicator_id]
            reasons = []
            if r["compared_with_england"] == "worse":
                self.glossary.use("confidence interval / significantly different")
                england = r["comparators"][ENGLAND]["value"]
                reasons.append(
                    f"significantly worse than England ({format_number(indicator, r['value'])} "
                    f"against {format_number(indicator, england)})"
                )
            if r["quartile_band"] == "D":
                self.glossary.use("quartile band")
                reasons.append(
                    f"in the bottom quartile band (D: rank {r['national_rank']:.0f} of "
                    f"{r['rank_of']:.0f})"
                )
            significant = _change_is_significant(r)
            if r["change"].endswith("(worse)") and (
                significant or (significant is None and reasons)
            ):
                worse = "significantly worse" if significant else "worse"
                reasons.append(
                    f"{worse} than last year ({format_number(indicator, r['value'])} against "
                    f"{format_number(indicator, r['previous_value'])} in {r['previous_period']})"
                )
            if reasons:
                ranked.append((-len(reasons), position, f"{indicator.title}: {listed(reasons)}."))
        return [message for *_, message in sorted(ranked)] or [NO_CONCERN]

    def _position_sentence(self, r: dict[str, Any]) -> str:
        """Band and ranks (or, for a neutral indicator, higher / similar / lower)."""
        name = self.council.area_name
        if r["polarity"] == "neutral":
            where = r["compared_with_councils"]
            if where is None:
                return f"There is no comparison with all councils ({r['band_reason'] or 'none'})."
            words = {
                "lower": "lower than most councils: in the lowest quarter",
                "similar": "similar to most councils: in the middle half",
                "higher": "higher than most councils: in the highest quarter",
            }[where]
            return (
                f"{name} is {words} of councils in England. This indicator is neither good nor "
                "bad in itself, so it has no band or rank."
            )
        if r["quartile_band"] is None:
            return f"There is no quartile band ({r['band_reason'] or 'no value'})."
        self.glossary.use("quartile band")
        self.glossary.use("statistical neighbours")
        text = (
            f"{name} is in quartile band {r['quartile_band']}, "
            f"{BAND_WORDS[r['quartile_band']]} of councils, and ranks "
            f"{r['national_rank']:.0f} of {r['rank_of']:.0f} in England (1 is best)"
        )
        if r["neighbour_rank"] is not None:
            text += (
                f" and {r['neighbour_rank']:.0f} of {r['neighbour_rank_of']:.0f} among itself "
                "and its statistical neighbours"
            )
        return text + "."

    def _change_sentence(self, indicator: Indicator, r: dict[str, Any]) -> str:
        if r["previous_value"] is None:
            return f"There is no figure for {self.year - 1} to compare with."
        text = (
            f"In {r['previous_period']} the figure was "
            f"{format_number(indicator, r['previous_value'])}: {r['change']} since last year"
        )
        if r["change"] in ("no change", "cannot be compared"):
            return text + "."
        significant = _change_is_significant(r)
        if significant is None:
            why = "too small to show" if r["counts_hidden"] else "not published"
            return text + f" (the counts to test the change are {why})."
        self.glossary.use("confidence interval / significantly different")
        return text + (
            ", more than chance would explain (95% confidence)."
            if significant
            else ", within what chance could explain (95% confidence)."
        )

    def narrative(self, indicator_id: str) -> str:
        """The paragraph for one indicator, from its results."""
        indicator = self.national.catalogue[indicator_id]
        r = self.results[indicator_id]
        if not r["published"]:  # the section's heading names the indicator
            return str(r["note"])
        england = r["comparators"][ENGLAND]
        parts = [
            comparison_sentence(
                indicator,
                r["value"],
                "England",
                england["value"],
                r["compared_with_england"],
                self.glossary,
                area_name=self.council.area_name,
                # the sentence already says it cannot be tested
                reason=(r["compared_with_england_reason"] or "").removeprefix(CANNOT_COMPARE)
                or None,
                status=r["status"],
            )
        ]
        parts.append(unpublished_sentence("England", england["method"], england["n"]))
        if r["value"] is not None:
            parts.append(self._position_sentence(r))
            parts.append(self._change_sentence(indicator, r))
        if r["trend"] is not None:
            trend = {
                **r["trend"],
                "points_used": [r["trend"]["from_period"], r["trend"]["to_period"]],
            }
            if trend["from_period"] is None:
                trend["points_used"] = []
            parts.append(trend_sentence(indicator, trend, self.glossary))
        if r["counts_hidden"]:
            self.glossary.use("suppressed")
            parts.append(counts_hidden_sentence(self.threshold))
        return " ".join(without_title(part, indicator.title) for part in parts if part)

    # --- charts and tables ------------------------------------------------------------

    def _dot_rows(self, indicator_id: str) -> list[dict[str, Any]]:
        """The council and its comparators, as :func:`analysis.charts.benchmark_dot_chart`
        takes them."""
        r = self.results[indicator_id]
        rows = [{"label": self.council.area_name, "value": r["value"]}]
        if r["interval"] is not None:
            rows[0]["lower"], rows[0]["upper"] = r["interval"]
        for name, label in COMPARATOR_NAMES.items():
            figure = r["comparators"][name]
            shown = self.council.region_name if name == REGION else label
            rows.append({"label": shown, "value": figure["value"], "n": figure["n"]})
            rows[-1]["method"] = figure["method"]
        return rows

    def _funnel_html(self, indicator_id: str) -> str:
        """A funnel plot of every council's proportion, when the indicator has counts."""
        indicator = self.national.catalogue[indicator_id]
        period = self.results[indicator_id]["period"]
        if kind_of(indicator) != "proportion":
            return ""
        funnel = self.national.funnel(indicator_id, period, self.threshold)
        if funnel is None:
            return ""
        code = self.council.area_code
        alt = funnel_alt_text(funnel.points, funnel.limits, indicator, code, funnel.p0)
        # the chart text names a council that is not on the funnel by its code: use its name
        alt = alt.replace(f"{code} has no figure", f"{self.council.area_name} has no figure", 1)
        alt = f"{alt} {funnel.note}".strip()
        figure = funnel_plot(funnel.points, funnel.limits, indicator, code, funnel.p0)
        note = f"<p class='note'>{html.escape(funnel.note)}</p>" if funnel.note else ""
        self.glossary.use("funnel plot")
        self.glossary.use("confidence interval / significantly different")
        return figure_html(figure, alt, funnel.caption) + funnel.table_html + note

    def indicator_html(self, indicator_id: str) -> str:
        """One indicator's section: H3, description, paragraph, dot chart, funnel, tables."""
        indicator = self.national.catalogue[indicator_id]
        r = self.results[indicator_id]
        heading = (
            f"<h3 id='indicator-{html.escape(indicator_id)}'>{html.escape(indicator.title)}</h3>"
            f"<p>{html.escape(indicator.description)}</p>"
        )
        paragraph = f"<p>{html.escape(self.narrative(indicator_id))}</p>"
        if not r["published"]:
            return f"<section class='indicator'>{heading}{paragraph}</section>"
        when = f"<p class='period'>Period: {html.escape(r['period_words'])}.</p>"
        rows = self._dot_rows(indicator_id)
        name = self.council.area_name
        caption = f"{indicator.title}: {name} against its comparators ({r['period']})"
        dots = figure_html(
            benchmark_dot_chart(rows, indicator, name),
            benchmark_alt_text(rows, indicator, name),
            caption,
        )
        table = data_table_html(benchmark_table(rows, indicator, name), caption)
        return (
            f"<section class='indicator'>{heading}{when}{paragraph}{dots}{table}"
            f"{self._funnel_html(indicator_id)}</section>"
        )

    def sections_html(self) -> str:
        """Every indicator's section (H3s under the notebook's H2)."""
        with reused_figures():  # one figure per kind of chart, not one per chart
            return "\n".join(self.indicator_html(i) for i in self.indicators)

    def heading_html(self) -> str:
        """The H1, the lead sentence, and the fictional-data notice and warnings."""
        council = self.council
        lead = (
            f"How {council.area_name} compares with England, the {council.region_name} region, "
            "its 10 statistical neighbours and the councils judged Good or Outstanding by "
            f"Ofsted, in the figures published for {self.year or 'no year'}."
        )
        parts = [f"<h1>{html.escape(self.title)}</h1>", f"<p class='lead'>{html.escape(lead)}</p>"]
        if self.fictional:
            parts.append(
                f"<div class='notice' role='note'><strong>Fictional data.</strong> "
                f"{html.escape(FICTIONAL_NOTICE)}</div>"
            )
        for warning in self.warnings:
            parts.append(f"<div class='warning' role='note'>{html.escape(warning)}</div>")
        return "\n".join(parts)

    def key_messages_html(self) -> str:
        """The key messages as an H2 and a list."""
        items = "".join(f"<li>{html.escape(m)}</li>" for m in self.key_messages())
        return f"<h2 id='key-messages'>Key messages</h2><ul class='key-messages'>{items}</ul>"

    def overview(self) -> pd.DataFrame:
        """One row per indicator: value, comparators, band or position, ranks, significance,
        change."""
        out = []
        for indicator_id, r in self.results.items():
            indicator = self.national.catalogue[indicator_id]
            if not r["published"]:
                out.append({"Indicator": indicator.title, self.council.area_name: r["note"]})
                continue
            c = r["comparators"]
            band = r["quartile_band"] or r["compared_with_councils"] or "none"
            rank = (
                ""
                if r["national_rank"] is None
                else f"{r['national_rank']:.0f} of {r['rank_of']:.0f}"
            )
            among = (
                ""
                if r["neighbour_rank"] is None
                else f"{r['neighbour_rank']:.0f} of {r['neighbour_rank_of']:.0f}"
            )
            out.append(
                {
                    "Indicator": indicator.title,
                    self.council.area_name: format_number(indicator, r["value"], r["status"]),
                    "England": format_number(indicator, c[ENGLAND]["value"]),
                    "Region": format_number(indicator, c[REGION]["value"]),
                    "Statistical neighbours": format_number(
                        indicator, c[STATISTICAL_NEIGHBOURS]["value"]
                    ),
                    "Good or Outstanding": format_number(
                        indicator, c[GOOD_OR_OUTSTANDING]["value"]
                    ),
                    "Band (or against councils)": band,
                    "National rank": rank or "no rank (neutral)",
                    "Rank among neighbours": among or "no rank (neutral)",
                    "Against England (95%)": r["compared_with_england"] or "cannot be tested",
                    "Since last year": r["change"],
                }
            )
        return pd.DataFrame(out).fillna("")

    def overview_html(self) -> str:
        caption = f"Every indicator against its comparators ({self.year or 'no published year'})"
        return data_table_html(self.overview(), caption)

    def glossary_html(self) -> str:
        """The glossary of the terms used (call it after the sections), as an H2 with an id."""
        return self.glossary.html().replace("<h2>", "<h2 id='glossary'>", 1)

    def about_html(self) -> str:
        """Where the data come from, and how the comparisons are made."""
        method = {
            "mean": "the average of the members with a figure, as LAIT",
            "median": "the median of the members with a figure, as the DfE dashboard",
            "pooled": "the members' numerators summed over their denominators",
        }[self.national.method]
        sources = [
            "Explore Education Statistics (Department for Education): children in need, "
            "referrals, child protection plans, children looked after and the children's "
            "social work workforce",
            f"the Local Authority Interactive Tool ({LAIT_FILE})",
            f"the statistical neighbour model ({NEIGHBOURS_FILE})",
            f"Ofsted's inspection outcomes for children's services ({OFSTED_FILE})",
        ]
        items = "".join(f"<li>{html.escape(s)}</li>" for s in sources)
        text = (
            "Every figure was published by the Department for Education or Ofsted, under the "
            "Open Government Licence v3.0. England and the region are the published figures (where "
            "a file has none, the text says so and works them out from their councils). "
            f"The statistical neighbours' and Good or Outstanding councils' figures are {method}; "
            "n says how many had one, and suppressed figures are left out, never counted as "
            "zero. Quartile bands follow LAIT. Significance is at 95% confidence (Wilson "
            "intervals for percentages, Byar's for rates), only where counts are published. "
            f"Counts below {self.threshold} are not shown."
        )
        missing = "".join(
            f"<li>{html.escape(m)} was not found, so its figures are missing.</li>"
            for m in self.national.data.missing
        )
        missing = f"<ul>{missing}</ul>" if missing else ""
        return (
            f"<h2 id='about-the-data'>About the data</h2><p>Sources:</p><ul>{items}</ul>"
            f"{missing}<p>{html.escape(text)}</p>"
        )

    # --- summary ----------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """The figures the report shows, for ``summary.json`` (no count below the threshold)."""
        indicators = []
        for r in self.results.values():
            shown = {k: v for k, v in r.items() if k not in ("trend", "period_words")}
            indicators.append(shown)
        return {
            "council": self.council.identity(),
            "title": self.title,
            "notebook": NOTEBOOK,
            "year": self.year,
            "fictional": self.fictional,
            "compendium_version": __version__,
            "method": self.national.method,
            "small_number_threshold": self.threshold,
            "key_messages": self.key_messages(),
            "indicators": indicators,
            "warnings": self.warnings,
        }

    def save_summary(self, path: str | Path) -> Path:
        """Write :meth:`summary` as JSON atomically (never a half-written file)."""
        text = json.dumps(self.summary(), indent=2, sort_keys=True, default=str) + "\n"
        return write_text(path, text)


def prepare(
    council: str | int,
    year: int | str | None = None,
    data_dir: str | Path | None = None,
    indicators: Sequence[str] | None = None,
    method: str = "mean",
    small_number_threshold: int = SMALL_NUMBER_THRESHOLD,
    fictional: bool = False,
) -> BenchmarkReport:
    """One council's annual benchmark report; ``year`` 0, "" or None is the latest published.

    >>> report = prepare("936", 0, "../shared/data/dfe")  # doctest: +SKIP
    >>> report.year  # doctest: +SKIP
    2025
    """
    figures = national(data_dir, list(indicators or []) or None, method)
    found = figures.data.directory.find(str(council))
    latest = latest_year(figures.data.table)
    chosen = int(year) if year not in (None, "", 0, "0") else latest
    notes = [f"{name} was not found, so its figures are missing." for name in figures.data.missing]
    notes += figures.data.warnings
    if chosen is not None and latest is not None and chosen > latest:
        notes.append(f"Nothing is published for {chosen} yet: the latest year is {latest}.")
    return BenchmarkReport(
        council=found,
        year=chosen,
        national=figures,
        indicators=list(figures.indicators),
        threshold=int(small_number_threshold),
        fictional=fictional,
        warnings=notes,
    )
