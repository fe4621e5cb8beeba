"""Statistical neighbours: the 10 councils most like each council (DfE 2025 model).

Reads EES's ``sn_model_2025_wide.csv`` and LAIT's ``sn_may_2025.xlsx`` (whose header is not on
the first row). Both give, for each DfE number, the 10 neighbours' numbers in order.

>>> groups = load_neighbours("sn_model_2025_wide.csv")  # doctest: +SKIP
>>> groups["936"][:3]  # doctest: +SKIP
['881', '850', '938']
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.areas import normalise_la_number
from analysis.ees import read_ees_csv
from analysis.errors import DAMAGED_WORKBOOK, DataError

_NEIGHBOUR_COLUMN = re.compile(r"^SN_?(\d+)$")


def _from_frame(table: pd.DataFrame, path: Path, first_row: int) -> dict[str, list[str]]:
    columns = {c: int(m[1]) for c in table.columns if (m := _NEIGHBOUR_COLUMN.match(str(c)))}
    if len(columns) < 1:
        raise DataError(
            path, "expected neighbour columns SN_1 ... SN_10 (or SN1 ... SN10)", row=first_row
        )
    focus_column = next(
        (
            c
            for c in table.columns
            if str(c).strip().lower() in ("old_la_code", "la num", "la number")
        ),
        None,
    )
    if focus_column is None:
        raise DataError(
            path, "expected a column of DfE LA numbers (old_la_code or LA num)", row=first_row
        )
    ordered = sorted(columns, key=columns.get)
    groups: dict[str, list[str]] = {}
    focus = normalise_la_number(table[focus_column])
    members = pd.DataFrame({c: normalise_la_number(table[c]) for c in ordered})
    malformed = members.notna() & ~members.apply(lambda c: c.str.fullmatch(r"\d{3}").fillna(False))
    for offset, (la_number, row, bad) in enumerate(
        zip(focus, members.itertuples(index=False), malformed.to_numpy(), strict=True)
    ):
        if pd.isna(la_number):
            continue
        if not re.fullmatch(r"\d{3}", str(la_number)):
            raise DataError(
                path,
                f"expected a 3-digit DfE number, found {la_number!r}",
                row=first_row + 1 + offset,
                column=str(focus_column),
            )
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            raise DataError(
                path,
                f"expected a 3-digit DfE number, found {row[at]!r}",
                row=first_row + 1 + offset,
                column=str(ordered[at]),
            )
        if str(la_number) in groups:
            raise DataError(
                path,
                f"expected one row for council {la_number}, found a second",
                row=first_row + 1 + offset,
                column=str(focus_column),
            )
        groups[str(la_number)] = [str(m) for m in row if not pd.isna(m)]
    if not groups:
        raise DataError(path, "expected at least one council with its neighbours")
    _check_groups(groups, members, focus, path, first_row, ordered)
    return groups


def _check_groups(
    groups: dict[str, list[str]],
    members: pd.DataFrame,
    focus: pd.Series,
    path: Path,
    first_row: int,
    ordered: list[str],
) -> None:
    """Each neighbour is another council of the file, listed once in the group, with no gap
    before the last: a damaged cell would otherwise change the neighbours' figures without a
    word."""
    for offset, (la_number, row) in enumerate(
        zip(focus, members.itertuples(index=False), strict=True)
    ):
        if pd.isna(la_number):
            continue
        seen: set[str] = set()
        gap = None
        for column, member in zip(ordered, row, strict=True):
            if pd.isna(member):
                gap = gap or column
                continue
            if gap:
                raise DataError(
                    path,
                    f"expected a neighbour in {gap}, as {column} has one (neighbours are "
                    "listed closest first)",
                    row=first_row + 1 + offset,
                    column=str(gap),
                )
            if member == la_number:
                found = f"{member}, the council itself"
            elif member in seen:
                found = f"{member} a second time"
            elif member not in groups:
                found = f"{member}, which is not one of the councils this file lists"
            else:
                seen.add(member)
                continue
            raise DataError(
                path,
                f"expected another council's DfE number as neighbour, found {found}",
                row=first_row + 1 + offset,
                column=str(column),
            )


def load_neighbours(path: str | Path) -> dict[str, list[str]]:
    """DfE number -> its statistical neighbours' DfE numbers, closest first.

    A council listed twice, a cell that is not a 3-digit DfE number, and a neighbour that is
    the council itself, repeated or not one of the file's councils are errors naming the row
    and column.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        try:
            raw = pd.read_excel(path, header=None, dtype=str, engine="calamine")
        except (OSError, ValueError, *DAMAGED_WORKBOOK) as error:
            raise DataError(path, f"expected a spreadsheet of neighbour groups ({error})") from None
        header = raw.index[raw.apply(lambda r: r.astype(str).str.fullmatch(r"SN_?1").any(), axis=1)]
        if len(header) == 0:
            raise DataError(path, "expected a header row with SN1 ... SN10")
        start = int(header[0])
        table = raw.iloc[start + 1 :].set_axis(raw.iloc[start].astype(str).str.strip(), axis=1)
        table = table.loc[:, ~table.columns.duplicated()]
        return _from_frame(table, path, first_row=start + 1)
    table = read_ees_csv(path, ["old_la_code"])
    return _from_frame(table, path, first_row=1)
