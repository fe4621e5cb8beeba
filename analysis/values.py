"""Published cells to numbers: suppression symbols become a status with no value, never zero."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import DataError

#: Symbols that DfE, Ofsted and LAIT publish in place of a number, with what they mean.
SUPPRESSION_SYMBOLS: dict[str, str] = {
    "c": "suppressed to protect confidentiality",
    "x": "not available",
    "z": "not applicable",
    "low": "rounds to zero",
    "u": "low reliability",
    "k": "fewer than 5 (rounded)",
    "-": "missing or suppressed (LAIT)",
    ":": "not available",
    "..": "not available",
}

#: Status given to an empty cell.
BLANK = "blank"


def parse_cells(
    cells: pd.Series, path: str | Path, column: str, first_row: int = 2
) -> tuple[pd.Series, pd.Series]:
    """Split published text cells into numbers and statuses.

    Returns ``(value, status)``: ``value`` is float with NaN where there is no number, ``status``
    holds the published symbol (or ``"blank"``) where there is no number and is null otherwise.
    Text that is neither a number nor a known symbol raises :class:`DataError` naming the row
    (``first_row`` is the file row of the first cell, 2 for a CSV with one header line).

    >>> v, s = parse_cells(pd.Series(["12.5", "c", "", "1,204"]), "f.csv", "x")
    >>> v.tolist()[0], s.tolist()[1], s.tolist()[2], v.tolist()[3]
    (12.5, 'c', 'blank', 1204.0)
    """
    if pd.api.types.is_numeric_dtype(cells.dtype):
        value = cells.astype("float64")
        status = pd.Series(pd.NA, index=cells.index, dtype="string")
        status[value.isna()] = BLANK
        return value, status
    text = cells.astype("string").str.strip()
    lowered = text.str.lower()
    blank = text.isna() | (text == "")
    symbol = lowered.isin(list(SUPPRESSION_SYMBOLS))
    numeric = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    bad = ~blank & ~symbol & numeric.isna()
    if bad.any():
        where = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            path,
            f"expected a number or a suppression symbol ({', '.join(SUPPRESSION_SYMBOLS)}), "
            f"found {text.iloc[where]!r}",
            row=first_row + where,
            column=column,
        )
    if np.isinf(numeric.to_numpy(dtype="float64", na_value=np.nan)).any():
        where = int(np.flatnonzero(np.isinf(numeric.to_numpy(dtype="float64", na_value=0)))[0])
        raise DataError(path, "expected a finite number", row=first_row + where, column=column)
    status = lowered.where(symbol, pd.NA).astype("string")
    status[blank] = BLANK
    value = numeric.astype("float64").where(~symbol & ~blank)
    return value, status
