"""What changed since the last report: two runs' ``summary.json`` compared, indicator by indicator.

Pure functions on the summary dicts that :meth:`analysis.quarterly.QuarterlyReport.summary`
writes (one entry per indicator in ``indicators``, keyed by ``indicator``). What counts:

- a **new red**: rated red now and not red last time (amber, green, unrated or absent); a
  **resolved red**: red last time and not red now;
- a **new special cause**: the latest point shows special cause variation now (its
  ``variation_icon`` is anything but common cause) and did not last time, or showed another
  kind (say concern instead of improvement); a special cause that **ended**: the reverse;
- a **revised published figure**: the same indicator and the same published period, with a
  different value (or a value that appeared or disappeared). A new published period is not a
  revision.

>>> before = {"indicators": [{"indicator": "a", "title": "A", "rag": "red"}]}
>>> after = {"indicators": [{"indicator": "a", "title": "A", "rag": "green"}]}
>>> [change.title for change in compare(before, after).resolved_reds]
['A']
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import DataError

COMMON_CAUSE = "common_cause"


@dataclass(frozen=True)
class Change:
    """One indicator's change: what it was and what it is (``before`` / ``after``)."""

    indicator: str
    title: str
    before: Any = None
    after: Any = None
    period: str | None = None


@dataclass(frozen=True)
class Changes:
    """Everything that changed between two reports, each list in the current report's order."""

    previous_period_end: str | None
    new_reds: list[Change] = field(default_factory=list)
    resolved_reds: list[Change] = field(default_factory=list)
    new_special_causes: list[Change] = field(default_factory=list)
    ended_special_causes: list[Change] = field(default_factory=list)
    revised_figures: list[Change] = field(default_factory=list)

    @property
    def any(self) -> bool:
        """Whether anything changed at all."""
        return bool(
            self.new_reds
            or self.resolved_reds
            or self.new_special_causes
            or self.ended_special_causes
            or self.revised_figures
        )


def load_summary(path: str | Path) -> dict[str, Any]:
    """A previous run's ``summary.json``, checked enough to compare: a ``DataError`` names the
    file and what is wrong.

    >>> load_summary("outputs/demo/E10999701/summary.json")["council"]  # doctest: +SKIP
    {'area_code': 'E10999701', 'la_number': '701', 'name': 'Demoshire'}
    """
    path = Path(path)
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DataError(path, f"cannot read the previous summary ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise DataError(path, "expected a JSON summary", row=error.lineno) from None
    if not isinstance(summary, dict) or not isinstance(summary.get("indicators"), list):
        raise DataError(path, "expected a summary with a list of indicators", column="indicators")
    for number, row in enumerate(summary["indicators"]):
        if not isinstance(row, dict) or not isinstance(row.get("indicator"), str):
            raise DataError(
                path, "expected an indicator id in every entry", column=f"indicators[{number}]"
            )
    return summary


def _by_id(summary: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {row["indicator"]: row for row in summary.get("indicators", [])}


def _special(row: Mapping[str, Any] | None) -> str | None:
    """The variation icon when the latest point shows special cause variation, else None."""
    icon = None if row is None else row.get("variation_icon")
    return None if icon in (None, COMMON_CAUSE) else str(icon)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def _revised(before: Any, after: Any) -> bool:
    """Whether a published value differs (to 1e-9), or appeared or disappeared."""
    old, new = _number(before), _number(after)
    if old is None or new is None:
        return (old is None) != (new is None)
    return not math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-9)


def compare(previous: Mapping[str, Any], current: Mapping[str, Any]) -> Changes:
    """What changed from the ``previous`` summary to the ``current`` one.

    >>> before = {"indicators": [{"indicator": "a", "title": "A", "published_period": "2025",
    ...                           "published": 25.3}]}
    >>> after = {"indicators": [{"indicator": "a", "title": "A", "published_period": "2025",
    ...                          "published": 25.1}]}
    >>> revision = compare(before, after).revised_figures[0]
    >>> revision.before, revision.after, revision.period
    (25.3, 25.1, '2025')
    """
    old = _by_id(previous)
    changes = Changes(previous_period_end=previous.get("period_end"))
    for row in current.get("indicators", []):
        indicator = row["indicator"]
        title = str(row.get("title") or indicator)
        before = old.get(indicator)
        was_red = before is not None and before.get("rag") == "red"
        is_red = row.get("rag") == "red"
        if is_red and not was_red:
            changes.new_reds.append(
                Change(indicator, title, None if before is None else before.get("rag"), "red")
            )
        if was_red and not is_red:
            changes.resolved_reds.append(Change(indicator, title, "red", row.get("rag")))
        was, now = _special(before), _special(row)
        if now is not None and now != was:
            changes.new_special_causes.append(Change(indicator, title, was, now))
        if was is not None and now != was:
            changes.ended_special_causes.append(Change(indicator, title, was, now))
        if (
            before is not None
            and before.get("published_period") is not None
            and before.get("published_period") == row.get("published_period")
            and _revised(before.get("published"), row.get("published"))
        ):
            changes.revised_figures.append(
                Change(
                    indicator,
                    title,
                    before.get("published"),
                    row.get("published"),
                    str(row["published_period"]),
                )
            )
    return changes
