"""One indicator's assessment for the quarterly report: SPC of the local series, sustained
deterioration, RAG against the council's target, and the published comparison, together.

>>> result = assess(indicator, series, row, {"target": 22, "tolerance": 2})  # doctest: +SKIP
>>> result.exception_reasons  # doctest: +SKIP
['red against its target', 'special cause concern']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.catalogue import Indicator
from analysis.rag import exceptions, rag_with_reasons
from analysis.spc import summarise, xmr
from analysis.trend import Deterioration, sustained_deterioration

IMPROVEMENT = {"high": "increase", "low": "decrease", "neutral": "neutral"}


@dataclass
class Assessment:
    """Everything the report says about one indicator."""

    indicator: Indicator
    series: pd.DataFrame
    chart: pd.DataFrame
    spc: dict[str, Any]
    deterioration: Deterioration
    rag: str | None
    rag_reason: str | None
    target: dict[str, Any] | None
    published: dict[str, Any] = field(default_factory=dict)
    exception_reasons: list[str] = field(default_factory=list)

    @property
    def latest(self) -> pd.Series | None:
        rows = self.series.dropna(subset=["value"])
        return rows.iloc[-1] if len(rows) else None

    @property
    def previous(self) -> pd.Series | None:
        rows = self.series.dropna(subset=["value"])
        return rows.iloc[-2] if len(rows) > 1 else None


def assess(
    indicator: Indicator,
    series: pd.DataFrame,
    published: dict[str, Any] | None = None,
    target: dict[str, Any] | None = None,
    rebase: list[str] | None = None,
) -> Assessment:
    """Assess one indicator's local series (time-ordered tidy rows) and its published row."""
    improvement = IMPROVEMENT[indicator.polarity]
    goal = None if not target else target.get("target")
    periods = series["period"].tolist()
    chart = xmr(
        series["value"].to_numpy(dtype="float64"),
        improvement=improvement,
        target=goal,
        rebase=rebase or None,
        periods=periods,
    )
    chart["period_end"] = series["period_end"].to_numpy()
    spc = summarise(chart, improvement, goal)
    deterioration = sustained_deterioration(chart, None, periods=periods)
    latest_value = series["value"].dropna().iloc[-1] if series["value"].notna().any() else None
    rating = rag_with_reasons(
        [latest_value if latest_value is not None else float("nan")],
        [goal],
        (target or {}).get("tolerance", 0.0),
        indicator.polarity,
        (target or {}).get("tolerance_type", "absolute"),
    ).iloc[0]
    published = published or {}
    flags = pd.DataFrame(
        {
            "indicator": [indicator.id],
            "rag": [rating["rating"]],
            "worse_than_comparator": [published.get("compared_with_england") == "worse"],
            "getting_worse": [
                deterioration.flagged
                or str(published.get("recent_trend", "")).endswith("getting worse")
            ],
            "comparator": ["England"],
            "special_cause_concern": [str(spc.get("variation_icon")).startswith("concern")],
        }
    )
    listed = exceptions(flags)
    reasons = listed["reasons"].iloc[0].split("; ") if len(listed) else []
    if deterioration.flagged:
        reasons.append(f"sustained deterioration since {deterioration.since}")
    return Assessment(
        indicator=indicator,
        series=series,
        chart=chart,
        spc=spc,
        deterioration=deterioration,
        rag=rating["rating"],
        rag_reason=rating["reason"],
        target=target,
        published=published,
        exception_reasons=reasons,
    )
