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

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.areas import Council
from analysis.catalogue import Indicator
from analysis.ees import read_ees_csv
from analysis.errors import DataError
from analysis.periods import month_label, quarter_label
from analysis.tidy import ALL, conform
from analysis.values import parse_cells

LONG_KEYS = ("indicator", "period_end", "value")
MEASURES = ("value", "numerator", "denominator")


def _read(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        try:
            table = pd.read_excel(path, dtype=object)
        except (OSError, ValueError) as error:
            raise DataError(path, f"expected a scorecard workbook ({error})") from None
        table.columns = [
            c.strftime("%Y-%m") if isinstance(c, (pd.Timestamp, np.datetime64)) else str(c).strip()
            for c in table.columns
        ]
        return table.astype(object).where(table.notna(), "").astype(str)
    return read_ees_csv(path, ["indicator"])


def _month_end(labels: pd.Series, path: Path, column: str, first_row: int) -> pd.Series:
    text = labels.astype(str).str.strip()
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    for fmt in ("%Y-%m", "%b %Y", "%B %Y", "%b-%y", "%b %y", "%d/%m/%Y"):
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    if parsed.isna().any():
        where = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise DataError(
            path,
            f"expected a month such as 2024-04-30, 2024-04 or Apr 2024, found {text.iloc[where]!r}",
            row=first_row + where,
            column=column,
        )
    return parsed + pd.offsets.MonthEnd(0)


def _wide_to_long(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    keys = [c for c in ("indicator", "breakdown", "measure") if c in table.columns]
    months = [c for c in table.columns if c not in keys]
    if not months:
        raise DataError(path, "expected one column per month after the indicator column", row=1)
    ends = _month_end(pd.Series(months), path, "header", first_row=1)
    header_of = dict(zip(months, ends.dt.strftime("%Y-%m-%d"), strict=True))
    table = table.assign(_row=np.arange(len(table)) + 2)
    long = table.melt(
        id_vars=keys + ["_row"], value_vars=months, var_name="month", value_name="cell"
    )
    long["period_end"] = long["month"].map(header_of)
    if "measure" in long:
        bad = ~long["measure"].isin(MEASURES)
        if bad.any():
            raise DataError(
                path,
                f"expected measure to be one of {', '.join(MEASURES)}",
                row=int(long.loc[bad, "_row"].iloc[0]),
                column="measure",
            )
        index = [k for k in keys if k != "measure"] + ["period_end", "month"]
        long = long.pivot_table(index=index, columns="measure", values="cell", aggfunc="first")
        long = long.reset_index()
        long["_row"] = 0
    else:
        long = long.rename(columns={"cell": "value"})
    return long


def load_scorecard(
    path: str | Path, council: Council, catalogue: dict[str, Indicator]
) -> pd.DataFrame:
    """The scorecard at ``path`` for ``council`` as the tidy table (catalogue ids, local periods).

    Scorecard ids that the catalogue does not know are an error naming the row, so a typing
    mistake never drops an indicator silently.
    """
    path = Path(path)
    table = _read(path)
    if table.empty:
        raise DataError(path, "expected scorecard rows after the header, found none", row=2)
    is_long = all(c in table.columns for c in LONG_KEYS)
    if is_long:
        table = table.assign(_row=np.arange(len(table)) + 2)
    else:
        table = _wide_to_long(table, path)
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
    first_row = 2
    out = pd.DataFrame(index=table.index)
    out["indicator"] = table["indicator"].map({k: v.id for k, v in local_ids.items()})
    ends = _month_end(table["period_end"], path, "period_end", first_row)
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
            row=first_row + where,
            column="period_type",
        )
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
    for role in MEASURES:
        if role in table:
            parsed, status = parse_cells(table[role].fillna(""), path, role, first_row)
            out[role] = parsed
            if role == "value":
                out["status"] = status
    if "status" in table:
        given = table["status"].astype("string").str.strip().replace("", pd.NA)
        out["status"] = given.where(out["value"].isna(), pd.NA).fillna(out["status"])
    negative = (out[[m for m in MEASURES if m in out]] < 0).any(axis=1)
    if negative.any():
        where = int(np.flatnonzero(negative.to_numpy())[0])
        raise DataError(
            path, "expected values, numerators and denominators of 0 or more", row=first_row + where
        )
    if "numerator" in out and "denominator" in out:
        over = out["numerator"] > out["denominator"]
        if over.any():
            where = int(np.flatnonzero(over.to_numpy())[0])
            raise DataError(
                path,
                "expected the numerator not to exceed the denominator",
                row=first_row + where,
                column="numerator",
            )
    out["breakdown"] = table.get("breakdown", pd.Series(ALL, index=table.index)).replace("", ALL)
    out["area_code"] = council.area_code
    out["area_name"] = council.area_name
    out["area_level"] = "local authority"
    out["la_number"] = council.la_number
    out["region_code"] = council.region_code
    out["region_name"] = council.region_name
    out["revision"] = "unknown"
    out["source"] = f"local scorecard {path.name}"
    tidy = conform(out)
    repeated = tidy.duplicated(["indicator", "breakdown", "period"], keep=False)
    if repeated.any():
        where = int(np.flatnonzero(repeated.to_numpy())[0])
        raise DataError(
            path,
            "expected one row per indicator, breakdown and month; found a repeat",
            row=first_row + where,
        )
    return tidy.sort_values(["indicator", "breakdown", "period_end"]).reset_index(drop=True)
