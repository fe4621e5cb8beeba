"""The one tidy table that flows through the library.

One row per indicator x area x period (x breakdown group), with the published value, its
numerator and denominator when known, and the published symbol or reason in ``status`` when
there is no value. Loaders produce it; everything else consumes it.

>>> table = empty()
>>> list(table.columns)[:3]
['indicator', 'area_code', 'area_name']
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

AREA_LEVELS = ("national", "regional", "local authority")
PERIOD_TYPES = (
    "financial year",
    "snapshot 31 March",
    "snapshot 30 September",
    "month",
    "quarter",
    "academic year",
    "calendar year",
    "multi-year",
)
REVISIONS = ("provisional", "revised", "final", "unknown")

#: Column name -> pandas dtype, in display order.
COLUMNS: dict[str, str] = {
    "indicator": "string",
    "area_code": "string",
    "area_name": "string",
    "area_level": "string",
    "la_number": "string",
    "region_code": "string",
    "region_name": "string",
    "breakdown": "string",
    "period": "string",
    "period_start": "datetime64[ns]",
    "period_end": "datetime64[ns]",
    "period_type": "string",
    "revision": "string",
    "value": "float64",
    "numerator": "float64",
    "denominator": "float64",
    "status": "string",
    "source": "string",
}

#: The breakdown label of a whole-area figure (not split by team, age band, ...).
ALL = "all"

SCHEMA = pa.DataFrameSchema(
    {
        "indicator": pa.Column("string", nullable=False),
        "area_code": pa.Column("string", nullable=False),
        "area_name": pa.Column("string", nullable=True),
        "area_level": pa.Column("string", pa.Check.isin(AREA_LEVELS)),
        "la_number": pa.Column("string", nullable=True),
        "region_code": pa.Column("string", nullable=True),
        "region_name": pa.Column("string", nullable=True),
        "breakdown": pa.Column("string", nullable=False),
        "period": pa.Column("string", nullable=False),
        "period_start": pa.Column("datetime64[ns]", nullable=False),
        "period_end": pa.Column("datetime64[ns]", nullable=False),
        "period_type": pa.Column("string", pa.Check.isin(PERIOD_TYPES)),
        "revision": pa.Column("string", pa.Check.isin(REVISIONS)),
        "value": pa.Column("float64", nullable=True),
        "numerator": pa.Column("float64", nullable=True),
        "denominator": pa.Column("float64", nullable=True),
        "status": pa.Column("string", nullable=True),
        "source": pa.Column("string", nullable=False),
    },
    checks=[
        pa.Check(
            lambda t: t["value"].notna() | t["status"].notna(),
            error="a row without a value must say why in status",
        ),
        pa.Check(
            lambda t: t["period_end"] >= t["period_start"],
            error="period_end must not be before period_start",
        ),
    ],
    strict=True,
    ordered=True,
)


def empty() -> pd.DataFrame:
    """A tidy table with no rows and every column typed."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in COLUMNS.items()})


def conform(table: pd.DataFrame) -> pd.DataFrame:
    """Order and type the columns of ``table`` as the tidy table; missing optional ones are null.

    >>> conform(pd.DataFrame({"indicator": ["x"]}))["breakdown"].tolist()
    ['all']
    """
    out = pd.DataFrame(index=table.index)
    for name, dtype in COLUMNS.items():
        if name in table:
            column = table[name]
        elif name == "breakdown":
            column = pd.Series(ALL, index=table.index)
        elif name == "revision":
            column = pd.Series("unknown", index=table.index)
        else:
            column = pd.Series(None, index=table.index, dtype=dtype)
        out[name] = column.astype(dtype)
    return out.reset_index(drop=True)


def validate(table: pd.DataFrame) -> pd.DataFrame:
    """Check ``table`` against :data:`SCHEMA`, raising ``pandera.errors.SchemaError`` if not."""
    return SCHEMA.validate(table)
