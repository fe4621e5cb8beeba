"""The quarterly report's content: key messages, the exception report, what changed since the
last report, and for each indicator its SPC chart, benchmark chart, trend, RAG and narrative,
ready for the notebook to display.

Every sentence comes from :mod:`analysis.narrative`, every chart and table from
:mod:`analysis.charts`, every assessment from :mod:`analysis.assessment`; counts of children in
tables are protected by :func:`analysis.disclosure.protect_table`. One :class:`Glossary` records
the technical terms in the order the report uses them.

>>> report = prepare(council="701", period_end="2025-09-30", data_dir="demo-data",
...                  scorecard_path="demo-data/local/scorecard.csv")  # doctest: +SKIP
>>> display(HTML(report.exceptions_html()))  # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import __version__
from analysis.areas import Council
from analysis.assessment import Assessment, assess
from analysis.atomic import write_text
from analysis.benchmark import (
    CANNOT_COMPARE,
    ENGLAND,
    GOOD_OR_OUTSTANDING,
    KINDS,
    REGION,
    STATISTICAL_NEIGHBOURS,
    Comparators,
    comparator_figures,
    compare_with_benchmark,
)
from analysis.catalogue import Indicator, load_catalogue
from analysis.changes import Changes, compare, load_summary
from analysis.charts import (
    VARIATION_BADGES,
    benchmark_alt_text,
    benchmark_dot_chart,
    benchmark_table,
    data_table_html,
    figure_html,
    paragraphs_html,
    reused_figures,
    spc_alt_text,
    spc_chart,
    spc_table,
    with_limit_precision,
)
from analysis.disclosure import (
    FLAG,
    SMALL_COUNT_STATUS,
    SMALL_NUMBER_THRESHOLD,
    built_on_small_counts,
    counts_hidden_sentence,
    counts_not_given,
    display_status,
    protect_table,
    small_count_note,
    small_number,
    suppress_small_counts,
    unchecked_note,
)
from analysis.ees import data_warnings
from analysis.errors import DataError
from analysis.local_scorecard import load_scorecard
from analysis.narrative import (
    METHOD_WORDS,
    Glossary,
    comparison_sentence,
    deterioration_sentence,
    format_number,
    key_messages,
    period_text,
    rag_sentence,
    spc_sentence,
    trend_sentence,
    unpublished_sentence,
    without_title,
)
from analysis.periods import month_end, month_label
from analysis.published import Published, load_published
from analysis.rag import format_value, rag
from analysis.scorecard import kind_of, latest_year, scorecard
from analysis.trend import recent_trend_table
from analysis.values import scale_from_unit
from analysis.words import listed

FICTIONAL_NOTICE = (
    "This report is about a fictional council. Every figure in it was generated for "
    "demonstration and describes no real council or child."
)
NOTEBOOK = "quarterly_report"
#: Comparator groups of :func:`analysis.benchmark.comparator_figures`, in the order shown.
COMPARATORS = (ENGLAND, REGION, STATISTICAL_NEIGHBOURS, GOOD_OR_OUTSTANDING)
GROUP_LABELS = {
    ENGLAND: "England",
    STATISTICAL_NEIGHBOURS: "Statistical neighbours",
    GOOD_OR_OUTSTANDING: "Good or outstanding councils",
}
#: The comparison method for comparator groups (the LAIT convention); stated on every chart.
GROUP_METHOD = "mean"
#: The confidence of every comparison with a benchmark (the council's Wilson or Byar interval).
CONFIDENCE = 0.95
NO_EXCEPTIONS = (
    "No indicator is red against its target, worse than England and getting worse, showing "
    "special cause concern or in sustained deterioration."
)
NO_PREVIOUS = (
    "The figures of a previous report were not given, so there is nothing to compare with."
)
NOTHING_CHANGED = (
    "Nothing changed: no indicator became red or stopped being red, no special cause began or "
    "ended, and no published figure was revised."
)


def direction_of_travel(latest: float, previous: float, polarity: str) -> str:
    """Plain words for the change from ``previous`` to ``latest`` by polarity.

    >>> direction_of_travel(25.0, 21.0, "low")
    'up (worse)'
    >>> direction_of_travel(70.0, 70.0, "neutral")
    'no change'
    """
    if pd.isna(latest) or pd.isna(previous):
        return "cannot be compared"
    if latest == previous:
        return "no change"
    went_up = latest > previous
    word = "up" if went_up else "down"
    if polarity == "neutral":
        return word
    better = went_up == (polarity == "high")
    return f"{word} ({'better' if better else 'worse'})"


def _show(value: float | None, indicator: Indicator) -> str:
    if value is None or pd.isna(value):
        return "not available"
    return format_value(float(value), indicator.decimal_places)


def _plain(value: Any) -> Any:
    """A value for JSON: NaN and NA become None, numpy scalars Python ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def red_since(assessment: Assessment) -> str | None:
    """The first period of the unbroken run of red months that ends with the latest value.

    Each month is rated against the same target and tolerance as the latest one; a month
    without a value breaks the run.
    """
    if assessment.rag != "red":
        return None
    target = assessment.target or {}
    series = assessment.series
    ratings = rag(
        series["value"].to_numpy(dtype="float64"),
        target.get("target"),
        target.get("tolerance", 0.0),
        assessment.indicator.polarity,
        target.get("tolerance_type", "absolute"),
    )
    red = np.asarray([r == "red" for r in ratings])
    present = series["value"].notna().to_numpy()
    last = int(np.flatnonzero(present)[-1])
    start = last
    while start > 0 and red[start - 1]:
        start -= 1
    return str(series["period"].iloc[start])


def _charted(assessment: Assessment) -> Indicator:
    """The indicator as its SPC chart, table and sentences show it: with the decimal places
    that tell the chart's limits and mean apart (:func:`analysis.charts.with_limit_precision`)."""
    return with_limit_precision(assessment.indicator, assessment.chart)


@dataclass
class QuarterlyReport:
    """Everything the quarterly notebook shows, computed once."""

    council: Council
    period_end: pd.Timestamp
    catalogue: dict[str, Indicator]
    indicators: list[str]
    local: pd.DataFrame
    benchmarks: pd.DataFrame
    benchmark_year: int | None
    fictional: bool = False
    warnings: list[str] = field(default_factory=list)
    targets: dict = field(default_factory=dict)
    comparators: pd.DataFrame | None = None
    """Comparator group figures for the council (:func:`analysis.benchmark.comparator_figures`)."""
    own_published: pd.DataFrame | None = None
    """The council's published rows for each indicator's benchmark period (with counts)."""
    recent_trends: pd.DataFrame | None = None
    """The council's recent trends (:func:`analysis.trend.recent_trend_table`)."""
    small_number_threshold: int = SMALL_NUMBER_THRESHOLD
    previous: dict | None = None
    """The previous run's summary, to say what changed; None when there is none."""
    rebase: dict = field(default_factory=dict)
    """Indicator id to the months (``2024-04``) that start a new level of its SPC chart: the
    council's decision, recorded in the parameters, never made by the library."""
    glossary: Glossary = field(init=False)

    def __post_init__(self) -> None:
        self.glossary = Glossary(self.small_number_threshold)

    # --- assessments --------------------------------------------------------------------

    @cached_property
    def assessments(self) -> dict[str, Assessment]:
        """Each indicator assessed: SPC, sustained deterioration, RAG, exceptions."""
        bench = self.benchmarks.set_index("indicator")
        return {
            i: assess(
                self.catalogue[i],
                self.series(i),
                bench.loc[i].to_dict(),
                self.targets.get(i),
                rebase=self.rebase_periods(i),
            )
            for i in self.indicators
        }

    def rebase_periods(self, indicator_id: str) -> list[str]:
        """The labels (``Apr 2024``) of the months the council rebases one indicator's chart
        from, in order."""
        months = [month_end(m, f"rebase.{indicator_id}") for m in self.rebase.get(indicator_id, [])]
        return [month_label(m) for m in sorted(months)]

    def _rebases_applied(self, indicator_id: str) -> tuple[list[str], list[str]]:
        """The rebase months of one indicator that are months of its series (applied), and
        those that are not (not applied)."""
        periods = set(self.assessments[indicator_id].series["period"].astype(str))
        given = self.rebase_periods(indicator_id)
        return [p for p in given if p in periods], [p for p in given if p not in periods]

    def rebase_notes(self) -> list[str]:
        """A warning for each rebase month that is not in the indicator's series (not applied)."""
        return [
            f"{self.catalogue[indicator_id].title}: the chart is not rebased from "
            f"{period_text(period)}, which is not a month of the council's figures."
            for indicator_id in self.indicators
            for period in self._rebases_applied(indicator_id)[1]
        ]

    def rebase_sentence(self, indicator_id: str) -> str:
        """What the chart's rebases are, in words; "" when it has none."""
        applied = self._rebases_applied(indicator_id)[0]
        if not applied:
            return ""
        self.glossary.use("rebase")
        months = listed([period_text(p) for p in applied])
        return (
            f"The chart starts a new level from {months}, the council's decision (a rebase): "
            "each level has its own average and process limits."
        )

    @cached_property
    def key_messages(self) -> list[str]:
        """The few indicators that need the committee's attention, and why, most urgent first."""
        return key_messages(list(self.assessments.values()), glossary=self.glossary)

    def key_messages_html(self) -> str:
        items = "".join(f"<li>{html.escape(m)}</li>" for m in self.key_messages)
        return f"<ul class='key-messages'>{items}</ul>"

    @property
    def title(self) -> str:
        return f"{self.council.area_name}: children's services quarterly performance report"

    @cached_property
    def rows(self) -> pd.DataFrame:
        """One row per indicator: latest and previous local figures, benchmarks, direction."""
        out = []
        bench = self.benchmarks.set_index("indicator")
        for indicator_id in self.indicators:
            indicator = self.catalogue[indicator_id]
            series = self.series(indicator_id).dropna(subset=["value"])
            latest = series.iloc[-1] if len(series) else None
            previous = series.iloc[-2] if len(series) > 1 else None
            b = bench.loc[indicator_id]
            out.append(
                {
                    "indicator": indicator_id,
                    "title": indicator.title,
                    "latest_period": latest["period"] if latest is not None else None,
                    "latest": latest["value"] if latest is not None else None,
                    "previous_period": previous["period"] if previous is not None else None,
                    "previous": previous["value"] if previous is not None else None,
                    "direction": direction_of_travel(
                        latest["value"] if latest is not None else float("nan"),
                        previous["value"] if previous is not None else float("nan"),
                        indicator.polarity,
                    ),
                    "published_period": b["period"],
                    "published": b["value"],
                    "england": b["england"],
                    "region": b["region"],
                    "sn_mean": b["sn_mean"],
                    "sn_n": b["sn_n"],
                    "benchmark_note": b["status"],
                    "compared_with_england": b["compared_with_england"],
                    "recent_trend": b["recent_trend"],
                }
            )
        return pd.DataFrame(out)

    def _local_rows(self, indicator_id: str) -> pd.DataFrame:
        """The council's whole-area local rows for one indicator up to the report's period,
        time-ordered, as loaded (before any suppression)."""
        rows = self.local.loc[
            (self.local["indicator"] == indicator_id)
            & (self.local["breakdown"] == "all")
            & (self.local["period_end"] <= self.period_end)
        ]
        return rows.sort_values("period_end")

    def series(self, indicator_id: str) -> pd.DataFrame:
        """The council's whole-area local series for one indicator, up to the report's period,
        with figures built on small counts suppressed (:func:`suppress_small_counts`)."""
        return suppress_small_counts(self._local_rows(indicator_id), self.small_number_threshold)

    def small_count_notes(self) -> list[str]:
        """What the small-number rule did, to say so at the top: which indicators' months were
        suppressed for a small count, and which indicators' figures came without the counts
        to check (:func:`unchecked_note`)."""
        notes, unchecked = [], []
        for indicator_id in self.indicators:
            indicator = self.catalogue[indicator_id]
            rows = self._local_rows(indicator_id)
            periods = rows.loc[built_on_small_counts(rows, self.small_number_threshold), "period"]
            if len(periods):
                notes.append(
                    small_count_note(indicator.title, list(periods), self.small_number_threshold)
                )
            if counts_not_given(self.series(indicator_id), indicator).any():
                unchecked.append(indicator.title)
        return notes + unchecked_note(unchecked, self.small_number_threshold)

    # --- the top of the report ----------------------------------------------------------

    def heading_html(self) -> str:
        """The H1, the period, and the fictional-data notice when it applies."""
        parts = [f"<h1>{html.escape(self.title)}</h1>"]
        parts.append(
            f"<p class='lead'>Local figures to {self.period_end.strftime('%B %Y')}; "
            f"published benchmarks for {self.benchmark_year or 'no year available'}.</p>"
        )
        if self.fictional:
            parts.append(
                f"<div class='notice' role='note'><strong>Fictional data.</strong> "
                f"{html.escape(FICTIONAL_NOTICE)}</div>"
            )
        for warning in [*self.warnings, *self.small_count_notes(), *self.rebase_notes()]:
            parts.append(f"<div class='warning' role='note'>{html.escape(warning)}</div>")
        return "\n".join(parts)

    def exception_rows(self) -> pd.DataFrame:
        """One row per reason an indicator is an exception: the reason, what the figures
        show (the rule that fired, in words) and since when."""
        out = []
        for indicator_id, a in self.assessments.items():
            if not a.exception_reasons:
                continue
            indicator = a.indicator
            title = indicator.title
            latest = a.latest
            goal = (a.target or {}).get("target")
            if a.rag == "red":
                sentence = rag_sentence(
                    indicator,
                    latest["value"],
                    goal,
                    a.rag,
                    self.glossary,
                    tolerance=(a.target or {}).get("tolerance"),
                    tolerance_type=(a.target or {}).get("tolerance_type", "absolute"),
                )
                out.append((title, "Red against its target", sentence, period_text(red_since(a))))
            if any(r.endswith("(red-red)") for r in a.exception_reasons):
                row = self.rows.set_index("indicator").loc[indicator_id]
                compared = comparison_sentence(
                    indicator,
                    row["published"],
                    "England",
                    row["england"],
                    row["compared_with_england"],
                    self.glossary,
                    area_name=self.council.area_name,
                    confidence=CONFIDENCE,
                )
                compared = f"{compared} {self._england_worked_out(indicator_id)}".strip()
                getting_worse = (
                    "It is in sustained deterioration."
                    if a.deterioration.flagged
                    else f"Its recent trend is {row['recent_trend']}."
                )
                out.append(
                    (
                        title,
                        "Worse than England and getting worse",
                        f"In the published figures for {row['published_period']}: {compared} "
                        f"{getting_worse}",
                        str(row["published_period"]),
                    )
                )
            if "special cause concern" in a.exception_reasons:
                sentence = spc_sentence(_charted(a), a.spc, self.glossary, target=goal)
                out.append(
                    (
                        title,
                        "Special cause concern",
                        without_title(sentence, title),
                        period_text(a.spc.get("special_cause_since")),
                    )
                )
            if a.deterioration.flagged:
                sentence = deterioration_sentence(indicator, a.deterioration, self.glossary)
                out.append(
                    (
                        title,
                        "Sustained deterioration",
                        without_title(sentence, title),
                        period_text(a.deterioration.since),
                    )
                )
        return pd.DataFrame(
            out, columns=["Indicator", "Why it is listed", "What the figures show", "Since"]
        )

    def exceptions_html(self) -> str:
        """The exception report: a table of the reasons each listed indicator needs attention."""
        rows = self.exception_rows()
        if rows.empty:
            return f"<p>{html.escape(NO_EXCEPTIONS)}</p>"
        return data_table_html(
            rows,
            "Exception report: indicators that are red, worse than England and getting worse, "
            "in special cause concern or in sustained deterioration",
        )

    # --- what changed -------------------------------------------------------------------

    @cached_property
    def changes(self) -> Changes | None:
        """What changed since the previous report (None without a previous summary)."""
        return None if self.previous is None else compare(self.previous, self.summary())

    def changes_sentences(self) -> list[str]:
        """What changed since the last report, one plain sentence per change."""
        changes = self.changes
        if changes is None:
            return [NO_PREVIOUS]
        rating = {None: "not rated"}
        icon = {None: "common cause variation"}
        sentences = []
        for c in changes.new_reds:
            was = "not in the last report" if c.before is None else rating.get(c.before, c.before)
            sentences.append(f"{c.title}: now red against its target (was {was}).")
        for c in changes.resolved_reds:
            sentences.append(f"{c.title}: no longer red (now {rating.get(c.after, c.after)}).")
        for c in changes.new_special_causes:
            now = (
                VARIATION_BADGES[c.after].label.lower() if c.after in VARIATION_BADGES else c.after
            )
            sentences.append(f"{c.title}: {now}, new since the last report.")
        for c in changes.ended_special_causes:
            was = (
                VARIATION_BADGES[c.before].label.lower()
                if c.before in VARIATION_BADGES
                else c.before
            )
            now = icon.get(c.after) or VARIATION_BADGES[c.after].label.lower()
            sentences.append(f"{c.title}: the special cause ({was}) has ended; now {now}.")
        for c in changes.revised_figures:
            indicator = self.catalogue.get(c.indicator)
            before, after = (
                (format_number(indicator, c.before), format_number(indicator, c.after))
                if indicator is not None
                else (str(c.before), str(c.after))
            )
            sentences.append(
                f"{c.title}: the published figure for {c.period} was revised from {before} "
                f"to {after}."
            )
        return sentences or [NOTHING_CHANGED]

    def changes_html(self) -> str:
        """The what-changed section's list, with the period of the report compared with."""
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.changes_sentences())
        lead = ""
        if self.changes is not None and self.changes.previous_period_end:
            when = pd.Timestamp(self.changes.previous_period_end).strftime("%B %Y")
            lead = f"<p>Compared with the report of local figures to {html.escape(when)}.</p>"
        return f"{lead}<ul class='changes'>{items}</ul>"

    # --- at a glance --------------------------------------------------------------------

    def overview_html(self) -> str:
        """A table of every indicator: latest, previous, direction and benchmarks."""
        head = (
            "<tr><th scope='col'>Indicator</th><th scope='col'>Latest</th>"
            "<th scope='col'>Previous</th><th scope='col'>Direction of travel</th>"
            "<th scope='col'>RAG</th>"
            "<th scope='col'>Council (published)</th><th scope='col'>England</th>"
            "<th scope='col'>Region</th><th scope='col'>Statistical neighbours (mean)</th></tr>"
        )
        body = []
        flagged = False
        for row in self.rows.itertuples(index=False):
            indicator = self.catalogue[row.indicator]
            flag = self.published_on_small_counts(row.indicator)
            flagged |= flag
            cells = [
                f"{_show(row.latest, indicator)} ({html.escape(str(row.latest_period))})",
                _show(row.previous, indicator),
                html.escape(row.direction),
                html.escape(self.assessments[row.indicator].rag or "not rated"),
                _show(row.published, indicator) + (FLAG if flag else ""),
                _show(row.england, indicator),
                _show(row.region, indicator),
                f"{_show(row.sn_mean, indicator)} (n = {row.sn_n})",
            ]
            body.append(
                f"<tr><th scope='row'>{html.escape(row.title)}</th>"
                + "".join(f"<td>{c}</td>" for c in cells)
                + "</tr>"
            )
        caption = (
            f"Every indicator, latest local figure and published benchmarks "
            f"({self.benchmark_year or 'no published year'})"
        )
        scales = self.scale_notes()
        if flagged:
            scales.append(
                f"{FLAG} Built on a count below {self.small_number_threshold}: read with care "
                "(its counts are not shown, to protect children's privacy)."
            )
        note = f"<p class='note'>{html.escape(' '.join(scales))}</p>" if scales else ""
        return (
            f"<table><caption>{html.escape(caption)}</caption><thead>{head}</thead>"
            f"<tbody>{''.join(body)}</tbody></table>{note}"
        )

    def scale_notes(self) -> list[str]:
        """A sentence for each period that some indicators' own figures count alone (a month's
        referrals per 10,000) where the published figures count a year's
        (:attr:`analysis.catalogue.Indicator.local_counts_over`), naming the indicators."""
        over: dict[str, list[str]] = {}
        for indicator_id in self.indicators:
            indicator = self.catalogue[indicator_id]
            if indicator.local_counts_over:
                over.setdefault(indicator.local_counts_over, []).append(indicator.title)
        return [
            f"{listed(titles)}: the council's "
            f"own figures (latest and previous) count one {period}'s, the published figures a "
            "whole year's, so only the published columns compare with each other."
            for period, titles in over.items()
        ]

    # --- each indicator -----------------------------------------------------------------

    def _england_worked_out(self, indicator_id: str) -> str:
        """Why England's figure for one indicator is worked out from the councils ("" when it
        is the published one)."""
        figures = self.comparators
        england = figures.loc[
            (figures["indicator"] == indicator_id) & (figures["comparator"] == ENGLAND)
        ]
        if england.empty:
            return ""
        return unpublished_sentence("England", england["method"].iloc[0], england["n"].iloc[0])

    def _published_counts(self, indicator_id: str) -> tuple[float, float]:
        """The numerator and denominator of the council's published figure for a proportion
        or a rate (NaN for none, and for other kinds, whose counts are not children)."""
        own = self.own_published.loc[self.own_published["indicator"] == indicator_id]
        if own.empty or kind_of(self.catalogue[indicator_id]) not in KINDS:
            return np.nan, np.nan
        return own["numerator"].iloc[0], own["denominator"].iloc[0]

    def published_on_small_counts(self, indicator_id: str) -> bool:
        """Whether the council's published figure is built on a count below the threshold:
        its interval is not shown (with the figure, its width would give the count back, as
        in the benchmark report) and the figure is flagged."""
        counts = self._published_counts(indicator_id)
        return any(small_number(c, self.small_number_threshold) for c in counts)

    def benchmark_rows(self, indicator_id: str) -> pd.DataFrame:
        """The council and its comparators for one indicator's published period, as
        :func:`analysis.charts.benchmark_dot_chart` takes them, with each comparison
        (``compared``: better / similar / worse, or higher / lower, at :data:`CONFIDENCE`, from
        the council's Wilson or Byar interval; None with ``reason`` when it cannot be tested).
        """
        indicator = self.catalogue[indicator_id]
        own = self.own_published.loc[self.own_published["indicator"] == indicator_id]
        figures = (
            self.comparators.loc[self.comparators["indicator"] == indicator_id]
            .set_index("comparator")
            .reindex(list(COMPARATORS))
        )
        value = float(own["value"].iloc[0]) if len(own) else np.nan
        kind = kind_of(indicator)
        tested = compare_with_benchmark(
            *self._published_counts(indicator_id),
            figures["value"].to_numpy(dtype="float64"),
            indicator.polarity,
            kind if kind in KINDS else "proportion",
            confidence=CONFIDENCE,
            scale=scale_from_unit(indicator.unit) or np.nan,
        )
        labels = {**GROUP_LABELS, REGION: self.council.region_name or "Region"}
        hidden = self.published_on_small_counts(indicator_id)
        rows = [
            {
                "label": self.council.area_name,
                "value": value,
                "lower": np.nan if hidden else tested["lower"].iloc[0],
                "upper": np.nan if hidden else tested["upper"].iloc[0],
                "method": None,
                "n": np.nan,
                "compared": None,
                "reason": None,
            }
        ]
        for position, (name, figure) in enumerate(figures.iterrows()):
            outcome = tested["outcome"].iloc[position]
            rows.append(
                {
                    "label": labels[name],
                    "value": figure["value"],
                    "lower": np.nan,
                    "upper": np.nan,
                    "method": figure["method"],
                    "n": figure["n"],
                    "compared": None if pd.isna(outcome) else str(outcome),
                    "reason": figure["reason"]
                    if pd.isna(figure["value"])
                    else _plain(tested["reason"].iloc[position]),
                }
            )
        return pd.DataFrame(rows)

    def _spc_html(self, a: Assessment) -> str:
        indicator = _charted(a)
        goal = (a.target or {}).get("target")
        self.glossary.use("variation and assurance icons")
        figure = figure_html(
            spc_chart(a.chart, indicator, a.spc, target=goal),
            spc_alt_text(a.chart, a.spc, indicator),
            f"{indicator.title}: statistical process control chart of the council's own "
            "figures, with variation and assurance icons",
        )
        table = spc_table(a.chart, indicator)
        status = a.series["status"].reset_index(drop=True)
        missing = a.series["value"].isna().to_numpy() & status.notna().to_numpy()
        table.loc[missing, "Value"] = [display_status(s) for s in status[missing]]
        notes: list[str] = []
        numerators = a.series["numerator"].reset_index(drop=True)
        if numerators.notna().any() or (status == SMALL_COUNT_STATUS).any():
            counts = pd.DataFrame({"count": numerators, "status": status})
            shown, notes = protect_table(
                counts,
                ["count"],
                threshold=self.small_number_threshold,
                breakdown=None,
            )
            table.insert(2, "Number counted", shown["count"].to_numpy())
        if (table == display_status(SMALL_COUNT_STATUS)).any(axis=None):
            self.glossary.use("suppressed")
        caption = f"{indicator.title}: the figures behind the chart"
        note = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in notes)
        return (
            f"{figure}<details class='chart-data'><summary>{html.escape(caption)}</summary>"
            f"{data_table_html(table, caption)}{note}</details>"
        )

    def _benchmark_html(self, indicator_id: str) -> str:
        indicator = self.catalogue[indicator_id]
        row = self.rows.set_index("indicator").loc[indicator_id]
        rows = self.benchmark_rows(indicator_id)
        name = self.council.area_name
        if rows["value"].isna().all():
            note = row["benchmark_note"] or "There is no published figure to compare with."
            return f"<p>{html.escape(str(note)[:1].upper() + str(note)[1:])}</p>"
        sentences = [
            comparison_sentence(
                indicator,
                row["published"],
                label,
                item["value"],
                item["compared"],
                self.glossary,
                area_name=name,
                confidence=CONFIDENCE,
                # the sentence already says it cannot be tested
                reason=(item["reason"] or "").removeprefix(CANNOT_COMPARE) or None,
                status=row["benchmark_note"],
            )
            for label, (_, item) in zip(
                ("England", "the statistical neighbours"),
                rows.iloc[[1, 3]].iterrows(),
                strict=True,
            )
        ]
        period = str(row["published_period"])
        sentences.append(self._england_worked_out(indicator_id))
        text = f"In the published figures for {period}: " + " ".join(s for s in sentences if s)
        if indicator.local_counts_over:
            text += (
                f" These count the whole year, where the council's own figures above count one "
                f"{indicator.local_counts_over} each."
            )
        if self.published_on_small_counts(indicator_id):
            self.glossary.use("suppressed")
            text += " " + counts_hidden_sentence(self.small_number_threshold)
        self.glossary.use("good or outstanding councils")
        method = (
            f"Statistical neighbours and good or outstanding councils: the {GROUP_METHOD} of "
            "those with a published figure, with how many (n) in brackets."
        )
        figure = figure_html(
            benchmark_dot_chart(rows, indicator, name),
            benchmark_alt_text(rows, indicator, name),
            f"{indicator.title}, {period}: {name} against England, its region, its statistical "
            "neighbours and good or outstanding councils",
        )
        table = data_table_html(
            benchmark_table(rows, indicator, name),
            f"{indicator.title}, {period}: the figures behind the comparison",
        )
        return f"<p>{html.escape(text)}</p><p class='note'>{html.escape(method)}</p>{figure}{table}"

    def _trend_html(self, a: Assessment) -> str:
        indicator = a.indicator
        parts = []
        if indicator.polarity != "neutral" or a.deterioration.flagged:
            parts.append(deterioration_sentence(indicator, a.deterioration, self.glossary))
        trends = self.recent_trends.loc[self.recent_trends["indicator"] == indicator.id]
        if len(trends):
            recent = trends.iloc[0].to_dict()
            recent["points_used"] = [recent["from_period"], recent["to_period"]]
            parts.append(trend_sentence(indicator, recent, self.glossary))
        return " ".join(without_title(p, indicator.title) for p in parts)

    def indicator_html(self, indicator_id: str) -> str:
        """One indicator's section: what it measures, the narrative, the SPC chart, the trend,
        the RAG rating and the benchmark chart, each chart with its table."""
        a = self.assessments[indicator_id]
        indicator = a.indicator
        target = a.target or {}
        narrative = spc_sentence(_charted(a), a.spc, self.glossary, target=target.get("target"))
        narrative = " ".join(
            s
            for s in (self.rebase_sentence(indicator_id), without_title(narrative, indicator.title))
            if s
        )
        latest = a.latest
        rating = rag_sentence(
            indicator,
            None if latest is None else latest["value"],
            target.get("target"),
            a.rag,
            self.glossary,
            tolerance=target.get("tolerance"),
            tolerance_type=target.get("tolerance_type", "absolute"),
            status=None if latest is None else latest.get("status"),
        )
        trend = self._trend_html(a)
        anchor = f"indicator-{indicator_id}".replace("_", "-")
        return (
            f"<section class='indicator'><h3 id='{html.escape(anchor)}'>"
            f"{html.escape(indicator.title)}</h3>"
            f"<p>{html.escape(indicator.description)}</p>"
            f"<p class='narrative'>{html.escape(narrative)}</p>"
            f"<p><strong>Trend.</strong> {html.escape(trend)}</p>"
            f"<p><strong>Against the target.</strong> {html.escape(rating)}</p>"
            f"{self._spc_html(a)}{self._benchmark_html(indicator_id)}</section>"
        )

    def sections_html(self) -> str:
        with reused_figures():  # one figure per kind of chart, not one per chart
            return "\n".join(self.indicator_html(i) for i in self.indicators)

    def glossary_html(self) -> str:
        """The definitions of the technical terms used, in order of first use."""
        return self.glossary.html(heading=None)

    def about_paragraphs(self) -> list[str]:
        """Where the figures come from and how they were worked out, in plain words.

        Every number is the one the report uses: :data:`CONFIDENCE` for the comparisons,
        :data:`GROUP_METHOD` for the comparator groups and the report's own
        ``small_number_threshold``.
        """
        confidence = f"{100 * CONFIDENCE:g}%"
        return [
            "Local figures come from the council's own scorecard. Published figures come from "
            "the Department for Education's Explore Education Statistics and Local Authority "
            "Interactive Tool, and are for the latest year published.",
            "The charts of the council's own figures are statistical process control charts in "
            'the NHS "Making Data Count" style: the icons at the top right say whether the '
            "latest figure shows special cause variation (improvement or concern) and, where "
            "there is a target, whether it will be met every time, missed every time, or hit "
            "and miss if nothing changes.",
            "Statistical neighbours are the councils most like this one in the Department for "
            "Education's model; their figure, and that of councils judged good or outstanding "
            f"by Ofsted, is {METHOD_WORDS[GROUP_METHOD]} those with a published value, and n "
            "says how many that was. Comparisons with England and the other groups are tested "
            f"at {confidence} confidence (Wilson intervals for percentages, Byar's for rates) "
            "where the published numerator and denominator allow. Counts of children from 1 to "
            f"{self.small_number_threshold - 1} are not shown, nor are the council's own "
            "figures built on them, to protect children's privacy.",
        ]

    def about_html(self) -> str:
        """:meth:`about_paragraphs` as HTML paragraphs, every text escaped."""
        return paragraphs_html(*self.about_paragraphs())

    # --- summary.json -------------------------------------------------------------------

    def indicator_summary(self, indicator_id: str) -> dict[str, Any]:
        """One indicator's figures and flags as ``summary.json`` carries them."""
        row = self.rows.set_index("indicator").loc[indicator_id]
        a = self.assessments[indicator_id]
        spc = a.spc
        icon = spc.get("variation_icon")
        figures = self.benchmark_rows(indicator_id).set_index("label")
        good = figures.iloc[4] if len(figures) > 4 else None
        out = {"indicator": indicator_id, **{k: _plain(v) for k, v in row.items()}}
        out.update(
            {
                "good_or_outstanding": None if good is None else _plain(good["value"]),
                "good_or_outstanding_n": None
                if good is None or pd.isna(good["n"])
                else int(good["n"]),
                "rag": a.rag,
                "rag_since": red_since(a),
                "target": (a.target or {}).get("target"),
                "variation_icon": icon,
                "assurance_icon": spc.get("assurance_icon"),
                "special_cause": icon not in (None, "common_cause"),
                "special_cause_type": spc.get("special_cause_type"),
                "special_cause_rule": spc.get("special_cause_rule"),
                "special_cause_since": spc.get("special_cause_since"),
                "deterioration": bool(a.deterioration.flagged),
                "deterioration_rule": a.deterioration.rule,
                "deterioration_since": a.deterioration.since,
                "exception_reasons": list(a.exception_reasons),
            }
        )
        return {k: _plain(v) for k, v in out.items()}

    def summary(self) -> dict:
        """The figures the report shows, for ``summary.json`` (no record-level data, no counts)."""
        return {
            "council": self.council.identity(),
            "title": self.title,
            "notebook": NOTEBOOK,
            "period_end": self.period_end.strftime("%Y-%m-%d"),
            "benchmark_year": self.benchmark_year,
            "fictional": self.fictional,
            "compendium_version": __version__,
            "key_messages": list(self.key_messages),
            "indicators": [self.indicator_summary(i) for i in self.indicators],
            "warnings": [*self.warnings, *self.small_count_notes()],
        }

    def save_summary(self, path: str | Path) -> Path:
        """Write :meth:`summary` as JSON atomically (never a half-written file)."""
        text = json.dumps(self.summary(), indent=2, sort_keys=True, default=str) + "\n"
        return write_text(path, text)


def _benchmark_inputs(
    published: Published,
    council: Council,
    benchmarks: pd.DataFrame | None,
    catalogue: dict[str, Indicator],
    end: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The comparator figures and the council's own published rows for each indicator's
    published period in the scorecard, and the council's recent trends up to ``end``."""
    table = published.table.loc[
        (published.table["period_type"] != "multi-year") & (published.table["period_end"] <= end)
    ]
    if "breakdown" in table:
        table = table.loc[table["breakdown"] == "all"]
    periods = (
        benchmarks[["indicator", "period"]].dropna().astype({"period": str})
        if benchmarks is not None
        else pd.DataFrame({"indicator": [], "period": []}, dtype=object)
    )
    shown = table.merge(periods, on=["indicator", "period"])
    codes = [council.area_code, *council.joint_returns]
    own = shown.loc[shown["area_code"].isin(codes)].drop_duplicates("indicator")
    figures = (
        comparator_figures(
            shown,
            Comparators(published.neighbours, published.good_or_outstanding),
            GROUP_METHOD,
            focus=[council.area_code],
        )
        if len(shown)
        else pd.DataFrame(
            {c: [] for c in ("indicator", "comparator", "method", "value", "n", "reason")}
        )
    )
    mine = table.loc[table["area_code"].isin(codes) & table["indicator"].isin(list(catalogue))]
    loaded = set(mine["indicator"].unique())
    present = [i for i in catalogue if i in loaded]
    trends = recent_trend_table(
        mine,
        {i: catalogue[i].polarity for i in present},
        {i: kind_of(catalogue[i]) for i in present},
    )
    return figures, own, trends


def prepare(
    council: str,
    period_end: str,
    data_dir: str | None = None,
    scorecard_path: str | None = None,
    indicators: list[str] | None = None,
    fictional: bool = False,
    catalogue_files: list[str] | None = None,
    targets: dict | None = None,
    small_number_threshold: int = SMALL_NUMBER_THRESHOLD,
    previous_summary: str | None = None,
    rebase: dict | None = None,
) -> QuarterlyReport:
    """Load everything the quarterly report needs and work out its figures.

    ``previous_summary`` is the previous run's ``summary.json`` (for "what changed"); it must
    be for the same council. ``rebase`` maps indicator ids to the months (``2024-04``) that
    start a new level of their SPC charts.
    """
    catalogue = load_catalogue(*(catalogue_files or []))
    chosen = list(indicators or catalogue)
    unknown = [i for i in chosen if i not in catalogue]
    if unknown:
        raise KeyError(f"unknown indicator id(s): {', '.join(unknown)}")
    published: Published = load_published(data_dir or None, catalogue, chosen)
    found = published.directory.find(council)
    end = pd.Timestamp(period_end)
    year = latest_year(published.table.loc[published.table["period_end"] <= end])
    benchmarks = scorecard(published, found, year, chosen, catalogue) if year else None
    with data_warnings() as scorecard_notes:
        local = (
            load_scorecard(scorecard_path, found, catalogue, until=end)
            if scorecard_path
            else published.table.iloc[0:0]
        )
    previous = load_summary(previous_summary) if previous_summary else None
    if previous is not None:
        code = (previous.get("council") or {}).get("area_code")
        if code != found.area_code:
            raise DataError(
                previous_summary,
                f"expected a summary for {found.area_name} ({found.area_code}), found {code!r}",
                column="council.area_code",
            )
    figures, own, trends = _benchmark_inputs(
        published, found, benchmarks, {i: catalogue[i] for i in chosen}, end
    )
    notes = [f"{name} was not found, so its figures are missing." for name in published.missing]
    notes += [*published.warnings, *scorecard_notes]
    return QuarterlyReport(
        council=found,
        period_end=end,
        catalogue=catalogue,
        indicators=chosen,
        local=local,
        benchmarks=benchmarks,
        benchmark_year=year,
        fictional=fictional,
        warnings=notes,
        targets=dict(targets or {}),
        comparators=figures,
        own_published=own,
        recent_trends=trends,
        small_number_threshold=small_number_threshold,
        previous=previous,
        rebase=dict(rebase or {}),
    )
