"""Ofsted ILACS outcomes: each council's latest overall effectiveness judgement.

The publication is an ODS workbook whose tables start on row 3 of each sheet; the sheet
``Inspections_as_at_31_March`` has one row per council with its most recent judgement.

>>> good = good_or_outstanding(load_ilacs("LA_Inspection_Outcomes.ods"))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.areas import Directory
from analysis.errors import DAMAGED_WORKBOOK, DataError
from analysis.words import listed

SHEET = "Inspections_as_at_31_March"
JUDGEMENTS = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
CODE = "Local authority area code"
NAME = "Local authority name"
OVERALL = "Overall effectiveness"


def load_ilacs(path: str | Path, directory: Directory | None = None) -> pd.DataFrame:
    """One row per council: area_code, area_name, inspection_date, overall_effectiveness.

    A judgement, code or date that cannot be read, a council listed twice, or a code that no
    council of ``directory`` (default: the package's area code list) has, is an error naming
    the row (the sheet row, counting from 1) and column: a mistyped code would drop a council
    from the good or outstanding councils' group without a word.
    """
    directory = directory or Directory.default()
    path = Path(path)
    try:
        # calamine reads the workbook in a fiftieth of odfpy's time, the same cells
        raw = pd.read_excel(path, sheet_name=SHEET, header=None, dtype=str, engine="calamine")
    except ValueError as error:
        raise DataError(path, f"expected a sheet named {SHEET!r} ({error})") from None
    except OSError as error:
        raise DataError(path, f"cannot read the workbook ({error})") from None
    except DAMAGED_WORKBOOK as error:
        raise DataError(path, f"expected an ODS workbook, found a damaged one ({error})") from None
    header_rows = raw.index[raw.apply(lambda r: (r.astype(str).str.strip() == CODE).any(), axis=1)]
    if len(header_rows) == 0:
        raise DataError(path, f"expected a header row with {CODE!r} in sheet {SHEET}")
    start = int(header_rows[0])
    table = raw.iloc[start + 1 :].set_axis(raw.iloc[start].astype(str).str.strip(), axis=1)
    for column in (CODE, NAME, "Inspection date", OVERALL):
        if column not in table.columns:
            raise DataError(path, f"expected the column {column!r} in sheet {SHEET}", row=start + 1)
    table = table.dropna(subset=[CODE, NAME, OVERALL], how="all")  # blank rows and notes
    judgement = table[OVERALL].astype(str).str.strip()
    bad = ~judgement.isin(JUDGEMENTS)
    if bad.any():
        row = int(table.index[bad.to_numpy()][0]) + 1
        raise DataError(
            path,
            f"expected one of {', '.join(JUDGEMENTS)}, found {judgement[bad].iloc[0]!r}",
            row=row,
            column=OVERALL,
        )
    rows = pd.Series(table.index + 1, index=table.index)
    code = table[CODE].astype(str).str.strip()
    malformed = ~code.str.fullmatch(r"E\d{8}")
    repeated = code.duplicated()
    unknown = ~malformed & ~code.map(directory.knows)
    dates = _inspection_dates(table["Inspection date"])
    for bad, column, expected in (
        (malformed, CODE, "a 9-character ONS code such as E10000030"),
        (unknown, CODE, "the ONS code of a council (add a new one to the area code list)"),
        (repeated, CODE, "one row per council (this sheet has each council's latest judgement)"),
        (dates.isna(), "Inspection date", "a date (2025-03-31, or 31/03/2025 day first)"),
    ):
        if bad.any():
            at = bad.to_numpy().nonzero()[0][0]
            found = table[column].iloc[at]
            raise DataError(
                path, f"expected {expected}, found {found!r}", row=int(rows.iloc[at]), column=column
            )
    return pd.DataFrame(
        {
            "area_code": code,
            "area_name": table[NAME].astype(str).str.strip(),
            "inspection_date": dates,
            "overall_effectiveness": judgement,
        }
    ).reset_index(drop=True)


def _inspection_dates(text: pd.Series) -> pd.Series:
    """The workbook's date cells (read as text, ``2023-07-10 00:00:00``) or dates typed as
    British text (``10/07/2023``, day first, never month first); anything else is missing."""
    text = text.astype("string").str.strip()
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return iso.fillna(pd.to_datetime(text, format="%d/%m/%Y", errors="coerce"))


def good_or_outstanding(ilacs: pd.DataFrame) -> list[str]:
    """Area codes of councils whose latest overall effectiveness is Good or Outstanding."""
    good = ilacs["overall_effectiveness"].isin(["Good", "Outstanding"])
    return sorted(ilacs.loc[good, "area_code"])


def unjudged(ilacs: pd.DataFrame, table: pd.DataFrame, directory: Directory, name: str) -> str:
    """The warning, if any, for councils with a figure in the latest year of some indicator of
    tidy ``table`` that the workbook ``name`` has no row for (joint returns aside). The
    publication has a row for every council, so such a council is a row deleted: it would drop
    out of the good or outstanding councils' group without a word."""
    councils = table.loc[
        (table["area_level"] == "local authority")
        & table["value"].notna()
        & ~table["area_code"].str.contains("/", regex=False)
    ]
    latest = councils.groupby("indicator")["period_end"].transform("max")
    current = councils.loc[councils["period_end"] == latest].drop_duplicates("area_code")
    judged = {directory.find(code).area_code for code in ilacs["area_code"]}
    left_out = sorted(current.loc[~current["area_code"].isin(judged), "area_name"])
    if not left_out:
        return ""
    whose = "their judgements are" if len(left_out) > 1 else "its judgement is"
    return (
        f"{name} has no row for {listed(left_out, most=5)}, so {whose} not known and cannot "
        "count among the good or outstanding councils compared with (was a row deleted?)"
    )
