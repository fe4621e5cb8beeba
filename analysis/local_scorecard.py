"""The council's own monthly (or quarterly) scorecard to the tidy table.

Two layouts are read, from CSV or Excel:

* **long** (documented, preferred): one row per indicator x period (x breakdown group), columns
  ``indicator`` (the scorecard id the catalogue's ``local.id`` names), ``period_end`` (a date, or
  ``YYYY-MM``), and ``value``; optional ``period_type`` (``month`` or ``quarter``), ``breakdown``
  (``all`` for the whole council, or for example ``team: North``), ``numerator``,
  ``denominator`` and ``status`` (why a value is missing: ``c``, ``x`` ...).
* **wide** (as most councils keep it): one row per indicator, column ``indicator`` (optional
  ``breakdown`` and ``measure`` = value / numerator / denominator), then one column per month
  headed ``Apr 2024``, ``2024-04`` or an Excel date.

>>> table = load_scorecard("scorecard.csv", council)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path
from xml.sax import SAXException

import numpy as np
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from analysis.areas import Council
from analysis.catalogue import Indicator
from analysis.ees import DataWarning, read_ees_csv, without_fractions, without_spikes
from analysis.errors import DAMAGED_WORKBOOK, DataError
from analysis.periods import month_label, quarter_label
from analysis.tidy import ALL, conform
from analysis.values import impossible_figures, parse_cells, scale_from_unit

LONG_KEYS = ("indicator", "period_end", "value")
MEASURES = ("value", "numerator", "denominator")
#: A breakdown label: ``all`` or ``dimension: group``, in printable text (a control
#: character is a damaged cell, never part of a team's name).
BREAKDOWN = rf"{ALL}|[^:\x00-\x1f\x7f-\x9f]+:[ \t]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*"
#: How far down a workbook sheet the header row (the one with ``indicator``) may be.
HEADER_SEARCH_ROWS = 20
#: A % sign after a number, as Excel saves a cell shown as a percentage (25.1%) to CSV.
PERCENT_SIGN = r"(?<=\d)\s*%\s*$"


def _shown_as_percentages(path: Path) -> list[tuple[int, int]]:
    """Where the first sheet of a workbook holds numbers shown as percentages, as (row, column)
    from 0: Excel and LibreOffice keep a cell that shows 25.1% as 0.251."""
    if path.suffix.lower() == ".ods":  # OpenDocument types such cells "percentage"
        from odf.opendocument import load
        from odf.table import Table, TableRow

        found, row = [], 0
        sheet = load(str(path)).spreadsheet.getElementsByType(Table)[0]
        for line in sheet.getElementsByType(TableRow):
            column, cells = 0, []
            for cell in line.childNodes:
                repeated = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                if cell.getAttribute("valuetype") == "percentage":
                    cells += range(column, column + repeated)
                column += repeated
            repeated = int(line.getAttribute("numberrowsrepeated") or 1)
            found += [(row + r, c) for r in range(repeated if cells else 0) for c in cells]
            row += repeated
        return found
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:  # a % sign quoted or escaped in an Excel number format is text: it does not scale
        return [
            (cell.row - 1, cell.column - 1)
            for row in book.worksheets[0].iter_rows()
            for cell in row
            if isinstance(cell.value, (int, float))
            and not isinstance(cell.value, bool)
            and "%" in re.sub(r'"[^"]*"|\\.', "", cell.number_format or "")
        ]
    finally:
        book.close()


def _read(path: Path) -> pd.DataFrame:
    """The scorecard's cells as text, with ``_row``: the file row of each row. In a workbook
    the header is the first row with a cell ``indicator`` (title rows above it are skipped),
    and a cell shown as a percentage (25.1%) is read as it is shown (25.1), not as the
    fraction the workbook keeps (0.251; not known in an old .xls workbook)."""
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        try:
            raw = pd.read_excel(path, dtype=object, header=None, engine="calamine")
            shown = _shown_as_percentages(path) if path.suffix.lower() != ".xls" else []
        except (
            OSError,
            ValueError,
            InvalidFileException,
            SAXException,
            *DAMAGED_WORKBOOK,
        ) as error:
            raise DataError(path, f"expected a scorecard workbook ({error})") from None
        for row, column in shown:
            if row < raw.shape[0] and column < raw.shape[1]:
                cell = raw.iat[row, column]
                if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                    raw.iat[row, column] = float(f"{cell * 100:.12g}")
        labels = raw.head(HEADER_SEARCH_ROWS).apply(
            lambda r: r.astype(str).str.strip().str.lower().eq("indicator").any(), axis=1
        )
        if not labels.any():
            raise DataError(
                path,
                f"expected a header row with a cell 'indicator' in the first "
                f"{HEADER_SEARCH_ROWS} rows",
                row=1,
            )
        start = int(np.flatnonzero(labels.to_numpy())[0])
        header = [
            c.strftime("%Y-%m")
            if isinstance(c, (pd.Timestamp, dt.datetime, np.datetime64))
            else str(c).strip()
            for c in raw.iloc[start]
        ]
        table = raw.iloc[start + 1 :].set_axis(header, axis=1)
        table = table.loc[:, [c not in ("", "nan") for c in header]]
        table = table.loc[table.notna().any(axis=1)]
        table = table.astype(object).where(table.notna(), "").astype(str)
        return table.assign(_row=table.index + 1)
    table = read_ees_csv(path, ["indicator"])
    return table.assign(_row=table.index)


def _month_end(labels: pd.Series, path: Path, column: str, rows: pd.Series | None) -> pd.Series:
    text = labels.astype(str).str.strip()
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    for fmt in ("%Y-%m", "%b %Y", "%B %Y", "%b-%y", "%b %y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    if parsed.isna().any():
        where = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise DataError(
            path,
            f"expected a month such as 2024-04-30, 2024-04 or Apr 2024, found {text.iloc[where]!r}",
            row=1 if rows is None else int(rows.iloc[where]),
            column=column if rows is not None else text.iloc[where],
        )
    return parsed + pd.offsets.MonthEnd(0)


def _wide_to_long(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    keys = [c for c in ("indicator", "breakdown", "measure") if c in table.columns]
    months = [c for c in table.columns if c not in keys and c != "_row"]
    if not months:
        raise DataError(path, "expected one column per month after the indicator column", row=1)
    ends = _month_end(pd.Series(months), path, "header", None)
    header_of = dict(zip(months, ends.dt.strftime("%Y-%m-%d"), strict=True))
    if len(set(header_of.values())) < len(months):
        raise DataError(path, "expected each month once in the header, found one twice", row=1)
    long = table.melt(
        id_vars=keys + ["_row"], value_vars=months, var_name="_column", value_name="cell"
    )
    long["period_end"] = long["_column"].map(header_of)
    if "measure" not in long:
        return long.rename(columns={"cell": "value"})
    bad = ~long["measure"].isin(MEASURES)
    if bad.any():
        raise DataError(
            path,
            f"expected measure to be one of {', '.join(MEASURES)}",
            row=int(long.loc[bad, "_row"].iloc[0]),
            column="measure",
        )
    for measure in MEASURES:
        rows = long.loc[long["measure"] == measure]
        everywhere = pd.Series(measure == "value", index=rows.index)  # units checked later
        _parse(rows.rename(columns={"cell": measure}), measure, path, everywhere)
    index = [k for k in keys if k != "measure"] + ["period_end"]
    repeated = long.duplicated(index + ["measure"], keep=False)
    if repeated.any():
        raise DataError(
            path,
            "expected one row per indicator, breakdown and measure; found a repeat",
            row=int(long.loc[repeated, "_row"].iloc[1]),
            column="measure",
        )
    cells = long.pivot(index=index, columns="measure", values="cell")
    where = long.pivot(index=index, columns="measure", values="_row").min(axis=1)
    columns = long.pivot(index=index, columns="measure", values="_column").iloc[:, 0]
    return cells.assign(_row=where, _column=columns).reset_index().fillna("")


def _parse(
    table: pd.DataFrame, role: str, path: Path, percentages: pd.Series | None = None
) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_cells` on one measure, its errors naming the file row and column. In the
    rows ``percentages`` marks (a percentage indicator's values) a number may end in a % sign,
    as Excel saves a cell shown as a percentage to CSV: ``25.1%`` is 25.1."""
    cells = table[role].fillna("").astype(str)
    if percentages is not None:
        cells = cells.where(~percentages, cells.str.replace(PERCENT_SIGN, "", regex=True))
    try:
        value, status = parse_cells(cells.reset_index(drop=True), path, role, 0)
        return value.set_axis(table.index), status.set_axis(table.index)
    except DataError as error:
        raise DataError(path, error.expected, *_where(table, int(error.row), role)) from None


def _where(table: pd.DataFrame, position: int, role: str) -> tuple[int | None, str]:
    """File row and column of the cell of ``role`` at ``position`` of the long table."""
    at = table.iloc[position]
    return int(at["_row"]) or None, str(at["_column"]) if "_column" in table else role


def load_scorecard(
    path: str | Path,
    council: Council,
    catalogue: dict[str, Indicator],
    until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The scorecard at ``path`` for ``council`` as the tidy table (catalogue ids, local periods).

    With ``until`` (a report's last month), figures after it are left out with a
    :class:`DataWarning` naming the first of them (a date typed wrong, or the report's), and
    the checks on neighbouring months below judge the months up to it only.

    Scorecard ids that the catalogue does not know are an error naming the row, so a typing
    mistake never drops an indicator silently; so are figures that cannot be right
    (:func:`analysis.values.impossible_figures`) and repeated months. Months missing inside a
    series are named in a :class:`DataWarning` (the chart joins the months either side), and
    so is a rate or a caseload standing far from the months either side, or a percentage typed
    as a fraction among them, which is left out (:func:`analysis.ees.without_spikes`,
    :func:`analysis.ees.without_fractions`).
    """
    path = Path(path)
    table = _read(path)
    if table.empty:
        raise DataError(path, "expected scorecard rows after the header, found none", row=2)
    is_long = all(c in table.columns for c in LONG_KEYS)
    if not is_long and "period_end" in table.columns:  # a long layout with a column lost
        missing = [c for c in LONG_KEYS if c not in table.columns]
        raise DataError(
            path,
            f"expected the column(s) {', '.join(missing)} in the header of a long scorecard "
            f"({', '.join(LONG_KEYS)}, then optional ones), found "
            f"{', '.join(c for c in table.columns if c != '_row')}",
            row=int(table["_row"].iloc[0]) - 1,
            column=missing[0],
        )
    if not is_long:
        table = _wide_to_long(table, path)
    table = table.reset_index(drop=True)
    table["indicator"] = table["indicator"].astype(str).str.strip()
    local_ids = {i.local["id"]: i for i in catalogue.values() if i.local}
    unknown = ~table["indicator"].isin(list(local_ids))
    if unknown.any():
        row = table.loc[unknown].iloc[0]
        raise DataError(
            path,
            f"scorecard id {row['indicator']!r} is not in the catalogue (known: "
            f"{', '.join(sorted(local_ids)[:5])}, ...)",
            row=int(row["_row"]) or None,
            column="indicator",
        )
    out = pd.DataFrame(index=table.index)
    out["indicator"] = table["indicator"].map({k: v.id for k, v in local_ids.items()})
    ends = _month_end(table["period_end"], path, "period_end", table["_row"])
    kind = table.get("period_type", pd.Series("", index=table.index)).replace("", pd.NA)
    default_kind = table["indicator"].map(
        {k: v.local.get("frequency", "month") for k, v in local_ids.items()}
    )
    kind = kind.fillna(default_kind).astype(str).str.strip().str.lower()
    if not kind.isin(["month", "quarter"]).all():
        where = int(np.flatnonzero(~kind.isin(["month", "quarter"]).to_numpy())[0])
        raise DataError(
            path,
            "expected period_type month or quarter",
            row=int(table["_row"].iloc[where]),
            column="period_type",
        )
    if not is_long:  # a quarterly indicator in a monthly sheet: only quarter ends are periods
        empty = pd.Series(True, index=table.index)
        for role in MEASURES:
            if role in table:
                empty &= table[role].fillna("").astype(str).str.strip() == ""
        off_quarter = (kind == "quarter") & (ends.dt.month % 3 != 0) & empty
        table, ends, kind, out = (x.loc[~off_quarter] for x in (table, ends, kind, out))
    months_back = np.where(kind == "quarter", 2, 0)
    starts = pd.Series(
        [
            e - pd.DateOffset(months=int(m)) - pd.offsets.MonthBegin(1)
            for e, m in zip(ends, months_back, strict=True)
        ],
        index=table.index,
    )
    out["period_end"] = ends
    out["period_start"] = starts
    out["period_type"] = kind
    out["period"] = [
        quarter_label(e) if k == "quarter" else month_label(e)
        for e, k in zip(ends, kind, strict=True)
    ]
    percentages = table["indicator"].map(
        {k: scale_from_unit(v.unit) == 100.0 for k, v in local_ids.items()}
    )
    for role in MEASURES:
        if role in table:
            parsed, status = _parse(table, role, path, percentages if role == "value" else None)
            out[role] = parsed
            if role == "value":
                out["status"] = status
    # a quarter ends in June, September, December or March (financial quarters); one ending in
    # another month would overlap its neighbours and count months twice
    off_quarter = ((kind == "quarter") & (ends.dt.month % 3 != 0)).to_numpy()
    if off_quarter.any():
        where = int(np.flatnonzero(off_quarter)[0])
        raise DataError(
            path,
            "expected the last month of a quarter (June, September, December or March) for a "
            f"quarterly figure, found {ends.iloc[where]:%B %Y}",
            *_where(table, where, "period_end"),
        )
    if "status" in table:
        given = table["status"].astype("string").str.strip().replace("", pd.NA)
        # A status says why a value is missing (c: suppressed), so a status beside a value is
        # ambiguous: either the figure should not be there (a suppressed figure exported by
        # mistake, which must never be shown) or the status is stale. Which one, only the
        # council can tell: an error naming the cell, as for other cells that cannot be right,
        # rather than a guess either way.
        both = (given.notna() & out["value"].notna()).to_numpy()
        if both.any():
            where = int(np.flatnonzero(both)[0])
            raise DataError(
                path,
                f"status {given.iloc[where]!r} says the value is missing, yet the value column "
                f"gives {str(table['value'].iloc[where]).strip()}: leave the value empty for a "
                "figure that is not published, or the status empty for one that is",
                row=int(table["_row"].iloc[where]) or None,
                column="status",
            )
        out["status"] = given.fillna(out["status"])
    _check_figures(out, table, path, {i.id: i for i in local_ids.values()})
    out["breakdown"] = (
        table.get("breakdown", pd.Series(ALL, index=table.index)).str.strip().replace("", ALL)
    )
    malformed = ~out["breakdown"].str.fullmatch(BREAKDOWN)
    if malformed.any():
        where = int(np.flatnonzero(malformed.to_numpy())[0])
        raise DataError(
            path,
            f"expected a breakdown of 'all' or 'dimension: group' (such as 'team: North'), "
            f"found {out['breakdown'].iloc[where]!r}",
            row=int(table["_row"].iloc[where]) or None,
            column="breakdown",
        )
    out["area_code"] = council.area_code
    out["area_name"] = council.area_name
    out["area_level"] = "local authority"
    out["la_number"] = council.la_number
    out["region_code"] = council.region_code
    out["region_name"] = council.region_name
    out["revision"] = "unknown"
    out["source"] = f"local scorecard {path.name}"
    tidy = conform(out).set_axis(table.index)
    repeated = tidy.duplicated(["indicator", "breakdown", "period"], keep=False)
    if repeated.any():
        where = int(np.flatnonzero(repeated.to_numpy())[1])
        raise DataError(
            path,
            "expected one row per indicator, breakdown and month; found a repeat",
            row=int(table["_row"].iloc[where]) or None,
            column="period_end",
        )
    if until is not None:
        tidy = _up_to(tidy, table, until, path)

    def cell(label: int) -> str:
        at = table.loc[label]
        return f"row {int(at['_row'])}, column {at.get('_column', 'value')}"

    for judged, leave_out in (("is_steady", without_spikes), ("is_proportion", without_fractions)):
        rows = tidy["indicator"].map({i.id: getattr(i, judged) for i in local_ids.values()})
        if rows.any():
            tidy = pd.concat([tidy.loc[~rows], leave_out(tidy.loc[rows], path, cell)])
    tidy = tidy.sort_values(["indicator", "breakdown", "period_end"]).reset_index(drop=True)
    _warn_gaps(tidy, path)
    return tidy


def _check_figures(
    out: pd.DataFrame, table: pd.DataFrame, path: Path, catalogue: dict[str, Indicator]
) -> None:
    """Figures that cannot be right, indicator by indicator, are an error naming the cell."""
    for indicator_id, rows in out.groupby("indicator", sort=False):
        problem = impossible_figures(
            rows["value"],
            rows.get("numerator"),
            rows.get("denominator"),
            catalogue[indicator_id].unit,
        )
        if problem:
            position, role, expected = problem
            at = table.loc[rows.index[position]]
            column = str(at["_column"]) if "_column" in table else role
            raise DataError(path, expected, row=int(at["_row"]) or None, column=column)


def _up_to(
    tidy: pd.DataFrame, table: pd.DataFrame, until: pd.Timestamp, path: Path
) -> pd.DataFrame:
    """``tidy`` without its figures after the month of ``until``, named in a warning."""
    later = tidy["period_end"] > until + pd.offsets.MonthEnd(0)
    if later.any():
        first = tidy.loc[later].sort_values("period_end", kind="stable").index[0]
        at = table.loc[first]
        warnings.warn(
            DataWarning(
                f"{path.name} has {int(later.sum())} figure{'s' if later.sum() > 1 else ''} "
                f"after {until:%B %Y}, the report's last month, the first at row "
                f"{int(at['_row'])}, column {at.get('_column', 'period_end')} "
                f"({tidy.loc[first, 'period']}): they were left out (is a date typed wrong, or "
                "the report's period_end?)"
            ),
            stacklevel=3,
        )
    return tidy.loc[~later]


def _warn_gaps(tidy: pd.DataFrame, path: Path) -> None:
    """Name the months (or quarters) missing inside each series."""
    step = {"month": 1, "quarter": 3}
    gaps = []
    for (indicator, breakdown, kind), rows in tidy.groupby(
        ["indicator", "breakdown", "period_type"], sort=False
    ):
        ends = rows["period_end"]
        months = (ends.dt.year * 12 + ends.dt.month).to_numpy()
        expected = np.arange(months.min(), months.max() + 1, step[kind])
        missing = sorted(set(expected) - set(months))
        if missing:
            labels = [
                (quarter_label if kind == "quarter" else month_label)(
                    pd.Timestamp((m - 1) // 12, (m - 1) % 12 + 1, 1) + pd.offsets.MonthEnd(0)
                )
                for m in missing
            ]
            gaps.append(f"{indicator} ({breakdown}): {', '.join(labels)}")
    if gaps:
        warnings.warn(
            DataWarning(
                f"{path.name} has no row for some periods inside a series, so the chart joins "
                f"the periods either side: {'; '.join(gaps)}"
            ),
            stacklevel=3,
        )
