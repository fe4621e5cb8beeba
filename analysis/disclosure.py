"""Disclosure control for anything a member reads (``docs/methods.md`` section 5).

The rules, all with the small-number ``threshold`` as a parameter (default 10):

- Small counts: a count above 0 and below the threshold (1 to 9 by default) is never shown as
  digits. On its own it reads "fewer than 10".
- Zero: a count of 0 is shown as "0". A true zero says nothing about any one child, and
  hiding every zero would hide most of a sparse table (the DfE hides zeros only in some
  tables; we keep it simple and show them). Zeros are never chosen for secondary suppression,
  because hiding a zero protects nothing: the other hidden count is then the whole difference.
- Published symbols (``c``, ``x``, ``z``, ``low``, ``u``, ``k``, ``-`` ...; see
  :data:`analysis.values.SUPPRESSION_SYMBOLS`) stay a status and are shown as words
  ("suppressed", "not available", ...), never as 0 and never as a number.
- Secondary suppression (in :func:`protect_table`): where the rows of a breakdown (teams, age
  bands) add up to a total row, a reader could work out one hidden count as the total minus
  the shown ones. So in every such sum (one count column, one group, one breakdown) the
  number of hidden cells is either 0 or at least 2: while exactly one is hidden, the smallest
  shown non-zero part is hidden too (it loses the least information), or the total when no
  part is left. A cell the publisher left out (a symbol, or empty) counts as hidden, since the
  reader does not know it either. Every hidden count in a breakdown with a total reads
  "suppressed", whatever the reason it was hidden: the words "fewer than 10" next to a total
  would give counts away (two cells "fewer than 10" that make up 18 are both 9; "fewer than
  10" and "suppressed" that make up 11 are 1 and 10).
- Percentages: a percentage built on a hidden count is hidden too ("suppressed"), because the
  percentage times its shown denominator gives the count back. The option
  ``percentages="flag"`` shows it instead, with a marker and the note "based on fewer than 10
  children": for analysts' working tables only, since such a percentage gives its count away.
- Rounding is half away from zero on the decimal the value reads, only for display, by
  :func:`analysis.rag.round_half_up` (the one copy of that helper in the project).

Beyond these rules: sums across periods (months to a quarter) and complements (the children
*not* re-referred, denominator minus numerator) are not protected.

>>> display_count(7), display_count(0), display_count(1204), display_status("c")
('fewer than 10', '0', '1,204', 'suppressed')
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.catalogue import Indicator
from analysis.rag import format_value
from analysis.tidy import ALL
from analysis.values import BLANK
from analysis.words import listed

#: Counts from 1 to this minus 1 are not shown (methods.md section 5).
SMALL_NUMBER_THRESHOLD = 10

#: Published symbols (and the blank-cell status) in the words a member reads.
STATUS_WORDS: dict[str, str] = {
    "c": "suppressed",
    "x": "not available",
    "z": "not applicable",
    "low": "rounds to zero",
    "u": "low reliability",
    "k": "fewer than 5",
    "-": "missing or suppressed",
    ":": "not available",
    "..": "not available",
    BLANK: "not available",
}

#: What a missing value with no status reads.
NOT_AVAILABLE = "not available"
#: What a count hidden in a breakdown with a total reads (primary or secondary).
SUPPRESSED = "suppressed"
#: The marker after a flagged percentage (``percentages="flag"``).
FLAG = "*"

#: Tidy-table columns that, when present, name a group whose breakdown rows add up to its total.
TIDY_GROUP = ("indicator", "area_code", "period")


def _check_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral) or threshold < 1:
        raise ValueError(f"threshold must be a whole number of at least 1, not {threshold!r}")
    return int(threshold)


def number_or_none(x: Any) -> float | None:
    """A finite float, or None for anything else (None, NaN, NA, infinity, text, booleans).

    >>> number_or_none("c"), number_or_none(float("nan")), number_or_none(3)
    (None, None, 3.0)
    """
    if x is None or isinstance(x, bool | str) or x is pd.NA:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def fewer_than(threshold: int = SMALL_NUMBER_THRESHOLD) -> str:
    """The words for a hidden small count.

    >>> fewer_than(5)
    'fewer than 5'
    """
    return f"fewer than {_check_threshold(threshold)}"


def counts_hidden_sentence(threshold: int = SMALL_NUMBER_THRESHOLD) -> str:
    """What a report says under a published figure built on a count below ``threshold``,
    whose counts and interval it does not show (either would give the count back).

    >>> counts_hidden_sentence(10)[:45]
    'A count behind this figure is below 10, so th'
    """
    return (
        f"A count behind this figure is below {_check_threshold(threshold)}, so the counts are "
        "not shown, to protect children's privacy."
    )


def small_number(count: Any, threshold: int = SMALL_NUMBER_THRESHOLD) -> str | None:
    """ "fewer than 10" for a count above 0 and below ``threshold``, else None (show it).

    Zero, counts at or above the threshold and missing counts give None.

    >>> small_number(3), small_number(0), small_number(10), small_number(9.5)
    ('fewer than 10', None, None, 'fewer than 10')
    """
    threshold = _check_threshold(threshold)
    value = number_or_none(count)
    if value is not None and 0 < value < threshold:
        return fewer_than(threshold)
    return None


def display_status(status: Any) -> str:
    """A published symbol in words; a reason already in words is shown as it is.

    >>> display_status("z"), display_status("low"), display_status(None)
    ('not applicable', 'rounds to zero', 'not available')
    >>> display_status("not published for 2025")
    'not published for 2025'
    """
    if status is None or status is pd.NA or (isinstance(status, float) and math.isnan(status)):
        return NOT_AVAILABLE
    text = str(status).strip()
    if not text:
        return NOT_AVAILABLE
    return STATUS_WORDS.get(text.lower(), text)


def display_count(
    count: Any,
    threshold: int = SMALL_NUMBER_THRESHOLD,
    status: Any = None,
    decimal_places: int = 0,
) -> str:
    """A count as a member reads it: digits, "fewer than 10", or its status in words.

    A published symbol given as the count (``"c"``) or as ``status`` reads as words; a missing
    count reads "not available", never 0. A negative count is not a count: it says so.

    >>> display_count(9), display_count(10), display_count("c"), display_count(None, status="x")
    ('fewer than 10', '10', 'suppressed', 'not available')
    >>> display_count(4, threshold=5), display_count(5, threshold=5)
    ('fewer than 5', '5')
    >>> display_count(12.5, decimal_places=1)
    '12.5'
    """
    value = number_or_none(count)
    if value is None:
        return display_status(count if isinstance(count, str) else status)
    return small_number(value, threshold) or _digits(value, decimal_places)


def _digits(count: float, decimal_places: int) -> str:
    """A count that may be shown, in digits (a negative one is not a count: it says so)."""
    if count < 0:
        return "not shown: a count cannot be negative"
    return format_value(count, decimal_places)


def _dimension(breakdown: Any) -> str:
    """The breakdown a part belongs to: the text before ':' ("team: North" -> "team")."""
    text = str(breakdown)
    return text.split(":", 1)[0].strip() if ":" in text else ""


def _relations(
    frame: pd.DataFrame, breakdown: str | None, total: Any, group_by: Sequence[str]
) -> list[tuple[int, list[int]]]:
    """(total row, part rows) positions of every sum in the table: one per group and breakdown."""
    if breakdown is None or breakdown not in frame:
        return []
    column = frame[breakdown].astype(object)
    labels = column.where(column.notna(), None).to_numpy()
    if group_by:
        groups = frame.groupby(list(group_by), sort=False, dropna=False).indices.values()
    else:
        groups = [np.arange(len(frame))]
    relations = []
    for rows in groups:
        totals = [int(r) for r in rows if labels[r] == total]
        if not totals:
            continue
        if len(totals) > 1:
            raise ValueError(
                f"more than one {total!r} row in a group of {list(group_by)}: "
                "filter the table (say by period or revision) first"
            )
        parts: dict[str, list[int]] = {}
        for r in rows:
            if labels[r] != total:
                parts.setdefault(_dimension(labels[r]), []).append(int(r))
        relations.extend((totals[0], members) for members in parts.values())
    return relations


def _secondary(
    values: np.ndarray, hidden: np.ndarray, relations: list[tuple[int, list[int]]]
) -> np.ndarray:
    """Hidden cells of one count column after secondary suppression (see the module notes)."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            if hidden[cells].sum() != 1:
                continue
            candidates = [r for r in parts if not hidden[r] and values[r] > 0]
            if candidates:
                hidden[min(candidates, key=lambda r: values[r])] = True
            elif not hidden[total]:
                hidden[total] = True
            else:
                # the one hidden cell is the total and every part is 0 or hidden: nothing to add
                continue
            changed = True
    return hidden


def _bases(
    percent_columns: Sequence[str] | Mapping[str, Sequence[str]], count_columns: Sequence[str]
) -> dict[str, list[str]]:
    if isinstance(percent_columns, Mapping):
        return {column: list(counts) for column, counts in percent_columns.items()}
    return {column: list(count_columns) for column in percent_columns}


def _words(cell: Any, status: Any) -> str:
    """A cell without a number in words: its own symbol, else the row's status."""
    return display_status(cell if isinstance(cell, str) else status)


def _protect_counts(
    cells: pd.Series,
    relations: list[tuple[int, list[int]]],
    in_sum: np.ndarray,
    threshold: int,
    status: np.ndarray,
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """One count column as text, with the cells hidden by us and the small ones."""
    values = np.array([number_or_none(c) for c in cells], dtype=float)  # None becomes NaN
    unknown = np.isnan(values)
    small = (values > 0) & (values < threshold)
    hidden = _secondary(values, small | unknown, relations) & ~unknown
    text = [
        _words(cell, status[row])
        if unknown[row]
        else (SUPPRESSED if in_sum[row] else fewer_than(threshold))
        if hidden[row]
        else _digits(values[row], 0)
        for row, cell in enumerate(cells)
    ]
    return pd.Series(text, dtype=object), hidden, small


def _protect_percentages(
    cells: pd.Series,
    behind: np.ndarray,
    flag: np.ndarray,
    decimal_places: int,
    status: np.ndarray,
) -> tuple[pd.Series, bool, bool]:
    """One percentage column as text: hidden where a count behind it is (unless flagged)."""
    text = []
    hid = flagged = False
    for row, cell in enumerate(cells):
        value = number_or_none(cell)
        if value is None:
            text.append(_words(cell, status[row]))
        elif behind[row] and not flag[row]:
            hid = True
            text.append(SUPPRESSED)
        else:
            flagged |= bool(flag[row])
            shown = format_value(value, decimal_places, "percent")
            text.append(shown + FLAG if flag[row] else shown)
    return pd.Series(text, dtype=object), hid, flagged


def _notes(
    hidden: np.ndarray,
    in_sum: np.ndarray,
    threshold: int,
    secondary_used: bool,
    percent_hidden: bool,
    flagged: bool,
) -> list[str]:
    """The notes to print under a protected table."""
    notes = []
    if (hidden & ~in_sum).any():
        notes.append(
            f"Counts from 1 to {threshold - 1} are not shown: they read '{fewer_than(threshold)}'."
        )
    if (hidden & in_sum).any():
        second = (
            "; where only one count of a breakdown would be hidden, another is hidden too, so "
            "that none can be worked out from the total."
        )
        notes.append(
            f"In a breakdown that adds up to a total, counts from 1 to {threshold - 1} are not "
            f"shown and read '{SUPPRESSED}'" + (second if secondary_used else ".")
        )
    if percent_hidden:
        notes.append("Percentages built on a hidden count are not shown either.")
    if flagged:
        notes.append(
            f"{FLAG} based on {fewer_than(threshold)} children: the count can be worked out "
            "from it, so this table is not for publication."
        )
    return notes


def protect_table(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    percent_columns: Sequence[str] | Mapping[str, Sequence[str]] = (),
    threshold: int = SMALL_NUMBER_THRESHOLD,
    *,
    breakdown: str | None = "breakdown",
    total: Any = ALL,
    group_by: Sequence[str] | None = None,
    status_column: str | None = "status",
    decimal_places: int = 1,
    percentages: Literal["suppress", "flag"] = "suppress",
) -> tuple[pd.DataFrame, list[str]]:
    """The table ready to show, with small counts and what would reveal them hidden, and notes.

    ``count_columns`` hold counts of children (numerators, denominators); ``percent_columns``
    hold percentages, each built on every count column, or on the ones a mapping names
    (``{"value": ["numerator", "denominator"]}``). Cells may be numbers, published symbols or
    empty; an empty cell shows the row's ``status_column`` in words when there is one.

    Rows whose ``breakdown`` is ``total`` are totals of the other rows of their group (rows
    sharing ``group_by``; by default the tidy table's indicator, area_code and period when
    present); parts named "team: ..." and "age: ..." are separate breakdowns of the same total.
    Without a ``breakdown`` column, or a group without a total row, there is no sum to protect
    and small counts read "fewer than 10". Secondary suppression, labels and percentages follow
    the module notes. Returns the table with those columns as text (other columns unchanged)
    and the notes to print under it.

    >>> teams = pd.DataFrame({"breakdown": ["all", "team: North", "team: South", "team: East"],
    ...                       "children": [57, 4, 41, 12]})
    >>> shown, notes = protect_table(teams, ["children"])
    >>> shown["children"].tolist()
    ['57', 'suppressed', '41', 'suppressed']
    """
    threshold = _check_threshold(threshold)
    if percentages not in ("suppress", "flag"):
        raise ValueError(f"percentages must be 'suppress' or 'flag', not {percentages!r}")
    bases = _bases(percent_columns, count_columns)
    wanted = [*count_columns, *bases, *(c for counts in bases.values() for c in counts)]
    missing = sorted({c for c in wanted if c not in frame})
    if missing:
        raise ValueError(f"the table has no column {', '.join(missing)}")
    table = frame.reset_index(drop=True)
    if group_by is None:
        group_by = [c for c in TIDY_GROUP if c in table and c != breakdown]
    relations = _relations(table, breakdown, total, group_by)
    in_sum = np.zeros(len(table), dtype=bool)
    for total_row, parts in relations:
        in_sum[[total_row, *parts]] = True
    status = (
        table[status_column].astype(object).to_numpy()
        if status_column and status_column in table
        else np.full(len(table), None, dtype=object)
    )

    shown = frame.copy().reset_index(drop=True)
    hidden: dict[str, np.ndarray] = {}
    small: dict[str, np.ndarray] = {}
    secondary_used = False
    for column in dict.fromkeys([*count_columns, *(c for cs in bases.values() for c in cs)]):
        text, hidden[column], small[column] = _protect_counts(
            table[column], relations, in_sum, threshold, status
        )
        secondary_used |= bool((hidden[column] & ~small[column]).any())
        shown[column] = text
    flagged = percent_hidden = False
    for column, counts in bases.items():
        behind = np.logical_or.reduce([hidden[c] for c in counts])
        on_small = np.logical_or.reduce([small[c] for c in counts])
        if percentages == "suppress":
            on_small = np.zeros(len(table), dtype=bool)
        shown[column], hid, flag = _protect_percentages(
            table[column], behind, on_small, decimal_places, status
        )
        percent_hidden |= hid
        flagged |= flag
    shown.index = frame.index
    hidden_any = np.logical_or.reduce([np.zeros(len(table), dtype=bool), *hidden.values()])
    notes = _notes(hidden_any, in_sum, threshold, secondary_used, percent_hidden, flagged)
    return shown, notes


#: The status of a local figure suppressed for a small count: the publisher's symbol for it.
SMALL_COUNT_STATUS = "c"


def built_on_small_counts(series: pd.DataFrame, threshold: int) -> np.ndarray:
    """True for the rows whose numerator or denominator is a count from 1 to ``threshold`` - 1
    (:func:`analysis.disclosure.small_number`): their figure would give the count away (a
    percentage times its denominator is the numerator; 50% of 8 is 4).

    >>> rows = pd.DataFrame({"numerator": [8.0, 25.0, None], "denominator": [1000, 1000, 8]})
    >>> built_on_small_counts(rows, 10).tolist()
    [True, False, True]
    """
    pairs = zip(series["numerator"], series["denominator"], strict=True)
    return np.array([any(small_number(c, threshold) for c in pair) for pair in pairs], dtype=bool)


def suppress_small_counts(series: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """``series`` with every figure built on a count from 1 to ``threshold`` - 1 suppressed
    (:func:`built_on_small_counts`): value and numerator empty, status "c" (as the publisher's
    own suppression reads).

    Done before anything is worked out, so that no chart, sentence or table of the report can
    give the count away (a percentage times its denominator gives the count back). The
    statistics of such a month are those of a suppressed month: a gap.

    >>> rows = pd.DataFrame({"value": [0.8, 2.5], "numerator": [8.0, 25.0],
    ...                      "denominator": [1000, 1000], "status": [None, None]})
    >>> suppress_small_counts(rows, 10)[["value", "status"]].to_dict("list")
    {'value': [nan, 2.5], 'status': ['c', None]}
    """
    small = built_on_small_counts(series, threshold)
    if not small.any():
        return series
    out = series.copy()
    out["status"] = out["status"].astype(object)
    out.loc[small, ["value", "numerator"]] = np.nan
    out.loc[small, "status"] = SMALL_COUNT_STATUS
    return out


def small_count_note(name: str, periods: list[str], threshold: int) -> str:
    """The warning that ``name``'s figures for ``periods`` are not shown for a small count.

    >>> small_count_note("Re-referrals", ["Sep 2025"], 10).split(": ")[1]
    'figures built on a count of fewer than 10 are not shown, to protect privacy (Sep 2025).'
    """
    which = (
        ", ".join(map(str, periods))
        if len(periods) <= 6
        else f"{len(periods)} periods, the latest {periods[-1]}"
    )
    return (
        f"{name}: figures built on a count of {fewer_than(threshold)} are not shown, to "
        f"protect privacy ({which})."
    )


def counts_not_given(series: pd.DataFrame, indicator: Indicator) -> np.ndarray:
    """True for the rows of ``indicator`` with a figure but no numerator, where counts matter
    (a percentage or a rate, not a caseload): whether such a figure is built on a small count
    cannot be checked (a wide scorecard of values only, or a long one without counts).

    >>> percent = Indicator("x", "X", "", "low", "percent", 1, "month")
    >>> rows = pd.DataFrame({"value": [0.8, None, 2.5], "numerator": [None, None, 25.0]})
    >>> counts_not_given(rows, percent).tolist()
    [True, False, False]
    """
    if not (indicator.is_proportion or indicator.is_rate):
        return np.zeros(len(series), dtype=bool)
    return (series["value"].notna() & series["numerator"].isna()).to_numpy(dtype=bool)


def unchecked_note(names: list[str], threshold: int) -> list[str]:
    """The warning naming the figures given without their counts (:func:`counts_not_given`);
    none when ``names`` is empty."""
    if not names:
        return []
    return [
        f"{listed(names)}: the figures are given without the counts they are made from, so "
        f"small numbers could not be checked. Any of them may be built on a count of "
        f"{fewer_than(threshold)}, which must not be shown: give the numerator and denominator "
        "in the scorecard, or check these figures before the report is shared."
    ]
