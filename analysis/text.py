"""Text files in the encodings councils' and DfE's exports use, read the same way everywhere."""

from __future__ import annotations

import codecs
from pathlib import Path

from analysis.errors import DataError

#: The first bytes of files that are not text, and what they are: a workbook, an archive or a
#: document saved (or downloaded) under a CSV's name.
NOT_TEXT = (
    (b"PK\x03\x04", "a zip archive (a workbook or a zipped download: save or extract it as CSV)"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (save it as CSV)"),
    (b"\x1f\x8b", "a gzip-compressed file (decompress it first)"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a parquet file"),
)

#: How a web page begins: an error or sign-in page saved in place of a download.
WEB_PAGE = ("<!doctype html", "<html")


def decode(raw: bytes, path: str | Path) -> str:
    """Text of a CSV in UTF-8 (with or without a byte-order mark), UTF-16 or UTF-32 with a
    byte-order mark, or Windows-1252. A workbook, archive, document or web page is an error
    saying which it is, not a file of strange columns.

    >>> decode(b"PK\\x03\\x04 ...", "c1.csv")
    Traceback (most recent call last):
    analysis.errors.DataError: c1.csv, row 1: expected a CSV, found a zip archive (a workbook or a \
zipped download: save or extract it as CSV)
    """
    kind = next((what for start, what in NOT_TEXT if raw.startswith(start)), None)
    if kind:
        raise DataError(path, f"expected a CSV, found {kind}", row=1)
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    codec = next((name for bom, name in boms if raw.startswith(bom)), None)
    try:
        text = raw.decode(codec) if codec else raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as error:
            byte = error.object[error.start]
            expected = f"expected text in UTF-8 or Windows-1252, found byte {byte:#x}"
            raise DataError(path, expected) from None
    if text.lstrip()[:20].lower().startswith(WEB_PAGE):
        expected = "expected a CSV, found a web page (an error page saved in place of the file?)"
        raise DataError(path, expected, row=1)
    return text
