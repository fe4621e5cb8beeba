"""The one error type for bad input: it names the file, row and column and what was expected."""

from __future__ import annotations

from pathlib import Path
from zipfile import BadZipFile

from python_calamine import CalamineError

#: What pandas' Excel and ODS readers raise for a damaged workbook beyond OSError and
#: ValueError: a workbook cut short is no zip file, and a zip of other files lacks its parts
#: (calamine's errors for both derive from CalamineError).
DAMAGED_WORKBOOK = (BadZipFile, KeyError, CalamineError)


class DataError(ValueError):
    """Input that cannot be read correctly.

    >>> str(DataError("c1.csv", "expected a number", row=12, column="referral_count"))
    'c1.csv, row 12, column referral_count: expected a number'
    """

    def __init__(
        self,
        path: str | Path,
        expected: str,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path)
        self.row = row
        self.column = column
        self.expected = expected
        where = [self.path]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {expected}")
