"""Period labels to structured periods: label, start, end, type and revision.

EES reporting years, LAIT's free-text year labels (``2023/24``, ``2022-23 (OT)``, ``2024 (Rev)``,
``2025 (prov)``, ``2014-16``, ``2013/14-15/16``) and local months and quarters all become the same
columns of the tidy table. Parsing is done once per distinct label, so whole files parse fast.

>>> p = parse_label("2022-23 (OT)", "financial year")
>>> p.start.date(), p.end.date(), p.revision
(datetime.date(2022, 4, 1), datetime.date(2023, 3, 31), 'final')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.errors import DataError

#: Revision markers in LAIT labels.
REVISION_MARKERS = {
    "prov": "provisional",
    "provisional": "provisional",
    "rev": "revised",
    "revised": "revised",
    "final": "final",
    "ot": "final",  # outturn
}

_MARKER = re.compile(r"^(?P<body>.*?)\s*\((?P<marker>[A-Za-z]+)\)\s*$")
_YEAR = re.compile(r"^(?P<y>\d{4})$")
_SPLIT_YEAR = re.compile(r"^(?P<y1>\d{4})\s*[/-]\s*(?P<y2>\d{2}|\d{4})$")
_EES_SPLIT_YEAR = re.compile(r"^(?P<y1>\d{4})(?P<y2>\d{2})$")
_YEAR_RANGE = re.compile(r"^(?P<y1>\d{4})\s*-\s*(?P<y2>\d{2}|\d{4})$")
_SPLIT_RANGE = re.compile(r"^(?P<y1>\d{4})/\d{2}\s*-\s*(?P<y2a>\d{2})/(?P<y2b>\d{2})$")


@dataclass(frozen=True)
class Period:
    """A structured period."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    period_type: str
    revision: str = "unknown"


def _year_ending(year: int, period_type: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Start and end of the year of ``period_type`` that ends in calendar year ``year``."""
    if period_type == "financial year":
        return pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
    if period_type == "academic year":
        return pd.Timestamp(year - 1, 9, 1), pd.Timestamp(year, 8, 31)
    if period_type == "snapshot 31 March":
        return pd.Timestamp(year, 3, 31), pd.Timestamp(year, 3, 31)
    if period_type == "snapshot 30 September":
        return pd.Timestamp(year, 9, 30), pd.Timestamp(year, 9, 30)
    if period_type in ("calendar year", "multi-year"):
        return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    raise ValueError(f"no annual period of type {period_type!r}")


def _full_year(y1: int, y2: str) -> int:
    return (
        int(y2)
        if len(y2) == 4
        else (y1 // 100) * 100 + int(y2) + (100 if int(y2) < y1 % 100 else 0)
    )


def parse_label(label: str, annual_type: str) -> Period:
    """Parse one published year label; ``annual_type`` says what a bare year means.

    A single year (``2025``) is the year of ``annual_type`` ending in 2025; a split year
    (``2023/24``, ``2023-24``, EES ``202324``) is a financial or academic year (academic when
    ``annual_type`` is academic, otherwise financial); a range (``2014-16``, ``2013/14-15/16``) is
    a multi-year period. Raises ``ValueError`` for anything else.

    >>> parse_label("2025", "snapshot 30 September").end.date()
    datetime.date(2025, 9, 30)
    >>> parse_label("2014-16", "calendar year").period_type
    'multi-year'
    """
    text = str(label).strip()
    revision = "unknown"
    marked = _MARKER.match(text)
    if marked:
        marker = marked["marker"].lower()
        if marker not in REVISION_MARKERS:
            raise ValueError(f"unknown revision marker ({marked['marker']}) in {label!r}")
        revision = REVISION_MARKERS[marker]
        text = marked["body"].strip()
    split_type = "academic year" if annual_type == "academic year" else "financial year"
    if m := _YEAR.match(text):
        start, end = _year_ending(int(m["y"]), annual_type)
        return Period(str(label), start, end, annual_type, revision)
    if m := _SPLIT_RANGE.match(text):
        first = int(m["y1"]) + 1
        last = _full_year(int(m["y1"]), m["y2b"])
        start, _ = _year_ending(first, split_type)
        _, end = _year_ending(last, split_type)
        return Period(str(label), start, end, "multi-year", revision)
    for pattern in (_SPLIT_YEAR, _EES_SPLIT_YEAR):
        m = pattern.match(text)
        if m:
            y1 = int(m["y1"])
            y2 = _full_year(y1, m["y2"])
            if y2 == y1 + 1:
                start, end = _year_ending(y2, split_type)
                return Period(str(label), start, end, split_type, revision)
            if pattern is _SPLIT_YEAR and y2 > y1 + 1 and "-" in text:
                base = annual_type if annual_type != "multi-year" else "calendar year"
                start, _ = _year_ending(y1, base)
                _, end = _year_ending(y2, base)
                return Period(str(label), start, end, "multi-year", revision)
    raise ValueError(f"cannot read {label!r} as a year, a split year or a range of years")


def parse_labels(labels: pd.Series, annual_type: str | pd.Series) -> pd.DataFrame:
    """Parse many labels (one per distinct label and type) into tidy period columns.

    Returns a frame aligned with ``labels`` with ``period``, ``period_start``, ``period_end``,
    ``period_type``, ``revision`` and ``error`` (the reason when a label cannot be read).
    """
    types = (
        annual_type
        if isinstance(annual_type, pd.Series)
        else pd.Series(annual_type, index=labels.index)
    )
    keys = pd.DataFrame({"label": labels.astype("string"), "annual_type": types.astype("string")})
    distinct = keys.drop_duplicates()
    rows = []
    for label, kind in distinct.itertuples(index=False):
        try:
            p = parse_label(label, kind)
            rows.append((label, kind, p.label, p.start, p.end, p.period_type, p.revision, None))
        except ValueError as error:
            rows.append((label, kind, label, pd.NaT, pd.NaT, kind, "unknown", str(error)))
    parsed = pd.DataFrame(
        rows,
        columns=[
            "label",
            "annual_type",
            "period",
            "period_start",
            "period_end",
            "period_type",
            "revision",
            "error",
        ],
    ).astype({"label": "string", "annual_type": "string"})
    merged = keys.merge(parsed, on=["label", "annual_type"], how="left")
    merged.index = labels.index
    return merged.drop(columns=["label", "annual_type"])


def month_end(text: str, what: str) -> pd.Timestamp:
    """A parameter such as ``2024-09`` or ``2024-09-30`` as the month's last day; ``what`` names
    the parameter in the error.

    >>> month_end("2024-09", "compare_from").date()
    datetime.date(2024, 9, 30)
    """
    try:
        return pd.Timestamp(str(text)) + pd.offsets.MonthEnd(0)
    except ValueError:
        raise DataError("parameters", "expected a month such as 2024-09", column=what) from None


def month_label(end: pd.Timestamp) -> str:
    """Label of the month ending ``end``.

    >>> month_label(pd.Timestamp(2024, 4, 30))
    'Apr 2024'
    """
    return end.strftime("%b %Y")


def quarter_label(end: pd.Timestamp) -> str:
    """Label of the three months ending ``end``.

    >>> quarter_label(pd.Timestamp(2024, 6, 30))
    'Apr-Jun 2024'
    """
    start = end - pd.DateOffset(months=2)
    return f"{start.strftime('%b')}-{end.strftime('%b %Y')}"
