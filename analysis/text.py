"""Text files in the encodings councils' and DfE's exports use, read the same way everywhere."""

from __future__ import annotations

import codecs
from pathlib import Path

from analysis.errors import DataError


def decode(raw: bytes, path: str | Path) -> str:
    """Text of a CSV in UTF-8 (with or without a byte-order mark), UTF-16 or UTF-32 with a
    byte-order mark, or Windows-1252."""
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
    return text
