"""Explore Education Statistics (EES) tidy CSVs to the tidy table, driven by the catalogue.

Every EES open-data file has one row per period x geography x filter combination with the same
geographic columns (``time_period``, ``geographic_level``, ``country_code``, ``region_code``,
``old_la_code``, ``new_la_code``, ``la_name`` ...), then filters and indicator columns whose cells
are numbers or suppression symbols. The catalogue says which file, which value column, which
numerator and denominator columns and which filters make an indicator.

>>> from analysis.catalogue import load_catalogue
>>> indicator = load_catalogue()["rereferrals_12m_pct"]
>>> table = load_ees("c1.csv", indicator)  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.areas import Directory, normalise_la_number
from analysis.catalogue import Indicator
from analysis.errors import DataError
from analysis.periods import parse_labels
from analysis.tidy import conform
from analysis.values import parse_cells

GEOGRAPHY = ["time_period", "time_identifier", "geographic_level"]
LEVELS = {
    "National": "national",
    "Regional": "regional",
    "Local authority": "local authority",
}
POPULATION = "population_0_17"
POPULATION_AGE_GROUP = "Children aged 0 to 17 years"


class DataWarning(UserWarning):
    """Something in the input that the report must show: the value concerned was left out."""


def read_ees_csv(path: str | Path, columns: list[str]) -> pd.DataFrame:
    """Read an EES CSV as text, checking it has ``columns`` (file, row and column in errors).

    Byte-order marks, Windows line endings and semicolon or tab delimiters are accepted.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(path, f"cannot read the file ({error.strerror})") from None
    if not raw.strip():
        raise DataError(path, "expected an EES CSV with a header row, found an empty file", row=1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="strict")
    head = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=head.count)
    try:
        table = pd.read_csv(
            pd.io.common.StringIO(text),
            dtype=str,
            keep_default_na=False,
            sep=delimiter,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as error:
        raise DataError(path, f"expected a well-formed CSV ({error})") from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(
            path,
            f"expected the column(s) {', '.join(missing)} in the header "
            f"(found {', '.join(table.columns[:12])}{'...' if len(table.columns) > 12 else ''})",
            row=1,
            column=missing[0],
        )
    return table


def areas(table: pd.DataFrame, path: Path, directory: Directory) -> pd.DataFrame:
    """Tidy area columns for the rows of an EES file (national, regional, local authority)."""
    level = table["geographic_level"].map(LEVELS).astype("string")
    la_number = normalise_la_number(table.get("old_la_code", pd.Series(pd.NA, index=table.index)))
    la_number = la_number.where(level == "local authority")
    known = directory.council_codes(la_number)
    published = table.get("new_la_code", pd.Series(pd.NA, index=table.index)).astype("string")
    published = published.str.replace(r"\s*/\s*", " / ", regex=True).replace("", pd.NA)
    council_code = known.fillna(published)
    region_code = table["region_code"].astype("string").replace("", pd.NA)
    council_region = directory.council_regions(la_number)
    out = pd.DataFrame(index=table.index)
    out["area_level"] = level
    out["la_number"] = la_number
    out["area_code"] = np.select(
        [level == "national", level == "regional"],
        [table["country_code"].astype("string"), region_code],
        council_code,
    )
    out["area_name"] = np.select(
        [level == "national", level == "regional"],
        [table["country_name"].astype("string"), table["region_name"].astype("string")],
        table.get("la_name", pd.Series(pd.NA, index=table.index)).astype("string"),
    )
    london = region_code.isin(["E13000001", "E13000002"])
    out["region_code"] = council_region["region_code"].fillna(region_code.mask(london, "E12000007"))
    out["region_name"] = council_region["region_name"].fillna(
        table["region_name"].astype("string").mask(london, "London")
    )
    out.loc[level != "local authority", ["region_code", "region_name"]] = pd.NA
    missing = (level == "local authority") & out["area_code"].isna()
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0]) + 2
        raise DataError(path, "expected an LA code (old_la_code or new_la_code)", row=row)
    return out


def load_ees(
    path: str | Path,
    indicator: Indicator,
    directory: Directory | None = None,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One catalogue indicator from an EES CSV, as the tidy table.

    ``population`` (from :func:`analysis.population.load_population`) is needed when the
    catalogue's denominator is ``population_0_17``: the rate uses the mid-year estimate of the
    year before the period ends, as DfE's published rates do.
    """
    path = Path(path)
    directory = directory or Directory.default()
    mapping = indicator.source["ees"]
    filters: dict[str, str] = mapping.get("filters", {})
    wanted = [mapping.get(k) for k in ("value", "numerator", "denominator")]
    wanted = [c for c in wanted if c and c != POPULATION]
    table = read_ees_csv(
        path,
        GEOGRAPHY
        + ["country_code", "country_name", "region_code", "region_name"]
        + list(filters)
        + wanted,
    )
    table.index = table.index + 2  # file row numbers, for messages
    for column, value in filters.items():
        if value not in set(table[column]):
            raise DataError(path, f"expected rows where {column} is {value!r}", column=column)
        table = table.loc[table[column] == value]
    table = table.loc[table["geographic_level"].isin(list(LEVELS))]
    if table.empty:
        raise DataError(path, "expected national, regional or local authority rows, found none")
    out = areas(table, path, directory)
    periods = parse_labels(table["time_period"], indicator.period_type)
    if periods["error"].notna().any():
        row = periods.index[periods["error"].notna()][0]
        raise DataError(path, str(periods.loc[row, "error"]), row=row, column="time_period")
    out = out.join(periods.drop(columns="error"))
    for role in ("value", "numerator", "denominator"):
        column = mapping.get(role)
        if column and column != POPULATION:
            parsed, status = parse_cells(table[column], path, column, first_row=int(table.index[0]))
            out[role] = parsed.to_numpy()
            out[f"{role}_status"] = status.to_numpy()
    if mapping.get("denominator") == POPULATION:
        if population is None:
            raise DataError(path, f"{indicator.id} needs the ONS population file for its rate")
        out["denominator"] = _population_for(out, population)
    if "value" not in out:
        scale = float(mapping.get("scale", 1))
        out["value"] = out["numerator"] / out["denominator"] * scale
        out["value_status"] = out["numerator_status"]
        no_population = out["value"].isna() & out["value_status"].isna()
        out.loc[no_population, "value_status"] = "no population estimate"
    out["status"] = out["value_status"]
    out["indicator"] = indicator.id
    out["source"] = f"EES {path.name}: {mapping.get('value') or mapping.get('numerator')}"
    return _without_duplicates(conform(out), path)


def _population_for(out: pd.DataFrame, population: pd.DataFrame) -> pd.Series:
    year = out["period_end"].dt.year - np.where(out["period_end"].dt.month <= 6, 1, 0)
    lookup = population.assign(year=population["period_end"].dt.year).set_index(
        ["area_code", "year"]
    )["value"]
    lookup = lookup[~lookup.index.duplicated(keep="last")]
    keys = pd.MultiIndex.from_arrays([out["area_code"].astype(str), year])
    return pd.Series(lookup.reindex(keys).to_numpy(), index=out.index)


def _without_duplicates(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Drop exact repeats; a council and period published twice with different values is an
    error naming both rows."""
    key = ["indicator", "area_code", "breakdown", "period"]
    repeated = table.duplicated(key, keep=False)
    if not repeated.any():
        return table
    clashes = table.loc[repeated].groupby(key, dropna=False)["value"].nunique(dropna=False)
    if (clashes > 1).any():
        first = clashes[clashes > 1].index[0]
        rows = table.loc[repeated].set_index(key).index.get_loc(first)
        positions = np.flatnonzero(rows) if isinstance(rows, np.ndarray) else [rows]
        raise DataError(
            path,
            f"expected one row for {first[1]} in {first[3]}, found several with different values",
            column="time_period",
        ) from None if len(positions) else None
    warnings.warn(
        DataWarning(f"{path.name}: {int(repeated.sum())} repeated rows were read once"),
        stacklevel=3,
    )
    return table.drop_duplicates(key).reset_index(drop=True)
