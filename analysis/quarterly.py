"""The quarterly report's content: for each indicator, the latest local figure, the one before,
the published benchmarks and the direction of travel, ready for the notebook to display.

>>> report = prepare(council="701", period_end="2025-09-30", data_dir="demo-data",
...                  scorecard_path="demo-data/local/scorecard.csv")  # doctest: +SKIP
>>> display(HTML(report.overview_html()))  # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.areas import Council
from analysis.assessment import Assessment, assess
from analysis.atomic import write_text
from analysis.catalogue import Indicator, load_catalogue
from analysis.charts import figure_html, line_chart
from analysis.local_scorecard import load_scorecard
from analysis.narrative import key_messages
from analysis.published import Published, load_published
from analysis.scorecard import latest_year, scorecard

FICTIONAL_NOTICE = (
    "This report is about a fictional council. Every figure in it was generated for "
    "demonstration and describes no real council or child."
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
    return f"{value:,.{indicator.decimal_places}f}"


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

    def assessments(self) -> list[Assessment]:
        """Each indicator assessed: SPC, sustained deterioration, RAG, exceptions."""
        bench = self.benchmarks.set_index("indicator")
        return [
            assess(
                self.catalogue[i],
                self.series(i),
                bench.loc[i].to_dict(),
                self.targets.get(i),
            )
            for i in self.indicators
        ]

    def key_messages_html(self) -> str:
        """The few indicators that need the committee's attention, and why, first."""
        items = "".join(f"<li>{html.escape(m)}</li>" for m in key_messages(self.assessments()))
        return f"<h2 id='key-messages'>Key messages</h2><ul class='key-messages'>{items}</ul>"

    @property
    def title(self) -> str:
        return f"{self.council.area_name}: children's services quarterly performance report"

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
                }
            )
        return pd.DataFrame(out)

    def series(self, indicator_id: str) -> pd.DataFrame:
        """The council's whole-area local series for one indicator, up to the report's period."""
        rows = self.local.loc[
            (self.local["indicator"] == indicator_id)
            & (self.local["breakdown"] == "all")
            & (self.local["period_end"] <= self.period_end)
        ]
        return rows.sort_values("period_end")

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
        for warning in self.warnings:
            parts.append(f"<div class='warning' role='note'>{html.escape(warning)}</div>")
        return "\n".join(parts)

    def overview_html(self) -> str:
        """A table of every indicator: latest, previous, direction and benchmarks."""
        head = (
            "<tr><th scope='col'>Indicator</th><th scope='col'>Latest</th>"
            "<th scope='col'>Previous</th><th scope='col'>Direction of travel</th>"
            "<th scope='col'>Council (published)</th><th scope='col'>England</th>"
            "<th scope='col'>Region</th><th scope='col'>Statistical neighbours (mean)</th></tr>"
        )
        body = []
        for row in self.rows().itertuples(index=False):
            indicator = self.catalogue[row.indicator]
            cells = [
                f"{_show(row.latest, indicator)} ({html.escape(str(row.latest_period))})",
                _show(row.previous, indicator),
                html.escape(row.direction),
                _show(row.published, indicator),
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
            f"Table 1: Every indicator, latest local figure and published benchmarks "
            f"({self.benchmark_year or 'no published year'})"
        )
        return (
            f"<table><caption>{html.escape(caption)}</caption><thead>{head}</thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def indicator_html(self, indicator_id: str, number: int) -> str:
        """One indicator's section: heading, description, sentence, chart."""
        indicator = self.catalogue[indicator_id]
        row = self.rows().set_index("indicator").loc[indicator_id]
        series = self.series(indicator_id)
        sentence = (
            f"The latest figure is {_show(row['latest'], indicator)} ({row['latest_period']}), "
            f"{row['direction']} from {_show(row['previous'], indicator)} the month before. "
        )
        if pd.notna(row["england"]):
            sentence += (
                f"In the published figures for {row['published_period']} the council had "
                f"{_show(row['published'], indicator)}, "
                f"England {_show(row['england'], indicator)}, "
                f"the region {_show(row['region'], indicator)} and its statistical neighbours "
                f"{_show(row['sn_mean'], indicator)} on average ({row['sn_n']} with a figure)."
            )
        else:
            sentence += str(row["benchmark_note"] or "There is no published benchmark.")
        gaps = int(series["value"].isna().sum())
        alt = (
            f"Line chart of {indicator.title} by month from {series['period'].iloc[0]} to "
            f"{series['period'].iloc[-1]}; the latest value is {_show(row['latest'], indicator)}."
            if len(series)
            else f"No local figures for {indicator.title}."
        )
        if gaps:
            alt += f" {gaps} months have no published value and are shown as gaps."
        figure = (
            figure_html(line_chart(series, indicator), alt, f"{indicator.title} by month", number)
            if len(series)
            else f"<p>{html.escape(alt)}</p>"
        )
        return (
            f"<section><h3 id='{html.escape(indicator_id)}'>{html.escape(indicator.title)}</h3>"
            f"<p>{html.escape(indicator.description)}</p><p>{html.escape(sentence)}</p>"
            f"{figure}</section>"
        )

    def sections_html(self) -> str:
        return "\n".join(
            self.indicator_html(i, number) for number, i in enumerate(self.indicators, start=1)
        )

    def summary(self) -> dict:
        """The figures the report shows, for ``summary.json`` (no record-level data)."""
        rows = self.rows()
        clean = rows.astype(object).where(rows.notna(), None)
        return {
            "council": {
                "la_number": self.council.la_number,
                "area_code": self.council.area_code,
                "name": self.council.area_name,
            },
            "title": self.title,
            "period_end": self.period_end.strftime("%Y-%m-%d"),
            "benchmark_year": self.benchmark_year,
            "fictional": self.fictional,
            "compendium_version": __version__,
            "indicators": clean.to_dict(orient="records"),
            "warnings": self.warnings,
        }

    def save_summary(self, path: str | Path) -> Path:
        """Write :meth:`summary` as JSON atomically (never a half-written file)."""
        text = json.dumps(self.summary(), indent=2, sort_keys=True, default=str) + "\n"
        return write_text(path, text)


def prepare(
    council: str,
    period_end: str,
    data_dir: str | None = None,
    scorecard_path: str | None = None,
    indicators: list[str] | None = None,
    fictional: bool = False,
    catalogue_files: list[str] | None = None,
    targets: dict | None = None,
) -> QuarterlyReport:
    """Load everything the quarterly report needs and work out its figures."""
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
    local = (
        load_scorecard(scorecard_path, found, catalogue)
        if scorecard_path
        else published.table.iloc[0:0]
    )
    notes = [f"{name} was not found, so its figures are missing." for name in published.missing]
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
    )
