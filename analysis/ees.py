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
import io
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.areas import JOINT, Directory, normalise_la_number
from analysis.catalogue import Indicator
from analysis.completeness import ENGLAND_CODE, missing_areas, missing_rows, stray_year
from analysis.errors import DataError
from analysis.periods import parse_labels
from analysis.text import decode
from analysis.tidy import conform
from analysis.values import (
    COPIED,
    FRACTION,
    MOST_STEADY_SPIKE,
    SPIKE,
    TYPED_ZERO,
    copied_years,
    impossible_figures,
    lone_fractions,
    parse_cells,
    percentages_as_fractions,
    rounded_rows,
    spikes,
    written_places,
)

GEOGRAPHY = ["time_period", "time_identifier", "geographic_level"]
#: The columns that say where a row is: every EES file has the first four; council rows have
#: the last three.
AREA_COLUMNS = [
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]
LEVELS = {
    "National": "national",
    "Regional": "regional",
    "Local authority": "local authority",
}
#: Other EES geographic levels: read past, not reported on.
OTHER_LEVELS = (
    "Local authority district",
    "Local skills improvement plan area",
    "Local enterprise partnership",
    "Mayoral combined authority",
    "English devolved area",
    "Opportunity area",
    "Parliamentary constituency",
    "Ward",
    "Planning area",
    "Police force area",
    "Health area",
    "Provider",
    "Institution",
    "School",
    "MAT",
    "Sponsor",
    "RSC region",
)
#: A council's ONS code, or the codes of a joint return joined by " / ".
ONS_CODES = r"E\d{8}(?: / E\d{8})*"
POPULATION = "population_0_17"
#: How DfE names columns of full-time equivalents, the only counts it publishes with fractions.
FTE = "_fte"
POPULATION_AGE_GROUP = "Children aged 0 to 17 years"
#: How many spikes a file's warnings name one by one; the rest are counted in one warning.
SPIKES_NAMED = 3


class DataWarning(UserWarning):
    """Something in the input that the report must show: the value concerned was left out."""


@contextmanager
def data_warnings() -> Iterator[list[str]]:
    """Collect the :class:`DataWarning` messages given inside the block (each once, in order)
    into the list it yields, for a report to show; every warning is also given again.

    >>> with data_warnings() as notes:
    ...     warnings.warn(DataWarning("c1.csv: 2 repeated rows were read once"))
    >>> notes
    ['c1.csv: 2 repeated rows were read once']
    """
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        yield notes
    for warning in caught:
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        if issubclass(warning.category, DataWarning) and str(warning.message) not in notes:
            notes.append(str(warning.message))


#: How many lines above the header a CSV may have (a title, a source note, a blank line).
MOST_TITLE_LINES = 10


def _delimiter(line: str) -> str:
    """The delimiter a header line uses: a comma, a semicolon or a tab, whichever it has most."""
    return max([",", ";", "\t"], key=line.count)


def _header_line(lines: list[str], columns: list[str]) -> tuple[int, str]:
    """How many title lines come before the header, and the header line: the first of the
    first :data:`MOST_TITLE_LINES` + 1 lines that names every one of ``columns`` (the first
    line when none does, for the error to name what it lacks)."""
    for number, line in enumerate(lines[: MOST_TITLE_LINES + 1]):
        cells = {cell.strip() for cell in next(csv.reader([line], delimiter=_delimiter(line)), [])}
        if set(columns) <= cells:
            return number, line
    return 0, lines[0]


def read_ees_csv(path: str | Path, columns: list[str]) -> pd.DataFrame:
    """Read an EES CSV as text, checking it has ``columns`` (file, row and column in errors).

    Byte-order marks, UTF-16, Windows-1252, Windows line endings, semicolon or tab delimiters,
    title lines above the header and empty columns to the right of it are accepted. A row with
    too few or too many cells is an error naming it; when the file does not end with a line
    break its last row may be cut short, so it is left out with a :class:`DataWarning`. The
    returned table's index is the file row of each row.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(path, f"cannot read the file ({error.strerror})") from None
    text = decode(raw, path)
    if not text.strip():  # no bytes, or only a byte-order mark and blanks
        raise DataError(path, "expected an EES CSV with a header row, found an empty file", row=1)
    above, head = _header_line(text.splitlines(), columns)
    delimiter = _delimiter(head)
    if "\x00" in text:
        before = text[: text.index("\x00")]
        line = before.rsplit("\n", 1)[-1]
        names = [c.strip() for c in head.split(delimiter)]
        raise DataError(
            path,
            "expected a text CSV, found a NUL byte (a binary file?)",
            row=before.count("\n") + 1,
            column=names[min(line.count(delimiter), len(names) - 1)],
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for _ in range(above):  # title lines above the header, as a spreadsheet's export has
            next(reader)
        header = [cell.strip() for cell in next(reader, [])]
        width = len(header)
        while width and not header[width - 1]:  # a spreadsheet's empty columns at the right
            width -= 1
        header = header[:width]
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(
                path,
                f"expected the column(s) {', '.join(missing)} in the header "
                f"(found {', '.join(header[:12])}{'...' if len(header) > 12 else ''})",
                row=reader.line_num,
                column=missing[0],
            )
        repeated = sorted({c for c in header if header.count(c) > 1})
        if repeated:
            raise DataError(
                path,
                f"expected each column once in the header, found {repeated[0]!r} twice",
                row=reader.line_num,
                column=repeated[0],
            )
        records, rows = [], []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > width and not any(cell.strip() for cell in record[width:]):
                record = record[:width]
            if len(record) != len(header):
                raise DataError(
                    path,
                    f"expected {len(header)} cells as in the header, found {len(record)}"
                    + (" (is the file cut short?)" if len(record) < len(header) else ""),
                    row=reader.line_num,
                    column=header[min(len(record), len(header) - 1)],  # the first cell amiss
                )
            records.append(record)
            rows.append(reader.line_num)
    except csv.Error as error:
        raise DataError(
            path, f"expected a well-formed CSV ({error})", row=reader.line_num
        ) from None
    table = pd.DataFrame(records, columns=header, index=rows, dtype=object)
    if len(table) and not text.endswith(("\n", "\r")):
        warnings.warn(
            DataWarning(
                f"{path.name}: row {int(table.index[-1])} was left out: the file does not end "
                "with a line break, so that row may be cut short"
            ),
            stacklevel=3,
        )
        table = table.iloc[:-1]
    return table


def _former_codes(directory: Directory) -> dict[str, set[str]]:
    """DfE number -> every ONS code the council has had (current and former)."""
    councils = directory.councils
    return {
        number: {code, *filter(None, former.split(";"))}
        for number, code, former in zip(
            councils["la_number"], councils["area_code"], councils["former_area_codes"], strict=True
        )
    }


def _check_codes(
    la_number: pd.Series, published: pd.Series, path: Path, directory: Directory
) -> None:
    """new_la_code must be an ONS code, and old_la_code and new_la_code the same council."""
    malformed = published.notna() & ~published.str.fullmatch(ONS_CODES).fillna(False)
    if malformed.any():
        row = int(published.index[malformed.to_numpy()][0])
        raise DataError(
            path,
            f"expected a 9-character ONS code such as E10000030, found {published[row]!r}",
            row=row,
            column="new_la_code",
        )
    codes = _former_codes(directory)
    owner = {code: number for number, known in codes.items() for code in known}
    for row, number, code in zip(la_number.index, la_number, published, strict=True):
        if pd.isna(code) or JOINT in str(code):
            continue
        if pd.notna(number) and number in codes and code not in codes[number]:
            raise DataError(
                path,
                f"old_la_code {number} is not the council with new_la_code {code} "
                f"(that is {owner.get(code, 'no council the code list knows')})",
                row=int(row),
                column="new_la_code",
            )
        if (pd.isna(number) or number not in codes) and code in owner:
            raise DataError(
                path,
                f"expected old_la_code {owner[code]} for new_la_code {code}, found "
                f"{'nothing' if pd.isna(number) else number}",
                row=int(row),
                column="old_la_code",
            )


def _check_listed(
    known: pd.Series, la_number: pd.Series, published: pd.Series, table: pd.DataFrame, path: Path
) -> None:
    """A council row whose codes the area code list does not know (``known``, each row's
    current ONS code, is null), in a file whose other councils it knows, is a code typed
    wrong: read as a council of its own, its real council would silently have no figures and
    its comparisons one council fewer. A file none of whose councils the list knows (the
    demo's fictional councils) is read under its own codes."""
    council = la_number.notna() | published.notna()  # both are null off council rows
    unknown = council & known.isna()
    if not unknown.any() or unknown.equals(council):
        return
    row = int(table.index[unknown.to_numpy()][0])
    number, code = la_number[row], published[row]
    column = "new_la_code" if pd.isna(number) else "old_la_code"
    found = code if pd.isna(number) else number
    names = table.get("la_name", pd.Series(pd.NA, index=table.index))
    other = f", new_la_code {code}" if column == "old_la_code" and pd.notna(code) else ""
    raise DataError(
        path,
        f"expected the {column} of a council the area code list knows "
        f"(analysis/data/local_authorities.csv, councils since merged or split included), "
        f"found {found} ({str(names[row]).strip()}{other})",
        row=row,
        column=column,
    )


def check_named(
    la_number: pd.Series, names: pd.Series, path: Path, directory: Directory, column: str
) -> None:
    """A council row named as another council is an error naming its row (the index label of
    ``la_number``) and the names' ``column``: its code or its name was typed wrong, and read
    by its code its figures could be the other council's. Every council row of the real
    2013-2025 files, EES and LAIT, has its code's name or one the area code list does not know
    (LAIT's "Durham")."""
    misnamed = directory.misnamed(la_number, names)
    if misnamed is not None:
        at, other = misnamed
        raise DataError(
            path,
            f"expected the name of council {la_number.iloc[at]} "
            f"({directory.find(la_number.iloc[at]).area_name}), found {names.iloc[at]}, the "
            f"name of council {other}: is its code or its name typed wrong?",
            row=int(la_number.index[at]),
            column=column,
        )


def areas(table: pd.DataFrame, path: Path, directory: Directory) -> pd.DataFrame:
    """Tidy area columns for the rows of an EES file (national, regional, local authority)."""
    level = table["geographic_level"].map(LEVELS).astype("string")
    la_number = normalise_la_number(table.get("old_la_code", pd.Series(pd.NA, index=table.index)))
    la_number = la_number.where(level == "local authority")
    known = directory.council_codes(la_number)
    published = table.get("new_la_code", pd.Series(pd.NA, index=table.index)).astype("string")
    published = published.str.strip().str.replace(r"\s*/\s*", JOINT, regex=True).replace("", pd.NA)
    published = published.where(level == "local authority")
    _check_codes(la_number, published, path, directory)
    _check_listed(known, la_number, published, table, path)
    if "la_name" in table:
        names = table["la_name"].astype("string").str.strip()
        check_named(la_number, names, path, directory, "la_name")
    council_code = known.fillna(published)
    region_code = table["region_code"].astype("string").str.strip().replace("", pd.NA)
    malformed = region_code.notna() & ~region_code.str.fullmatch(r"E1[23]\d{6}").fillna(False)
    national = (level == "national") & (table["country_code"].str.strip() != ENGLAND_CODE)
    for bad, column, expected in (
        (malformed, "region_code", "a region code such as E12000001"),
        (national, "country_code", f"England's code {ENGLAND_CODE}"),
    ):
        if bad.any():
            row = int(table.index[bad.to_numpy()][0])
            raise DataError(
                path,
                f"expected {expected}, found {table.loc[row, column]!r}",
                row=row,
                column=column,
            )
    named = table["region_name"].astype("string").str.strip()
    pairs = pd.DataFrame({"code": region_code, "name": named}).loc[level == "regional"]
    for row, code, name in pairs.drop_duplicates().itertuples():
        known = directory.region_code(name)
        if pd.notna(code) and known is not None and known != code:
            raise DataError(
                path,
                f"expected region_code {known} for {name}, found {code}",
                row=int(row),
                column="region_code",
            )
    council_region = directory.council_regions(la_number)
    out = pd.DataFrame(index=table.index)
    out["area_level"] = level
    out["la_number"] = la_number
    out["area_code"] = np.select(
        [level == "national", level == "regional"],
        [table["country_code"].astype("string").str.strip(), region_code],
        council_code,
    )
    out["area_name"] = np.select(
        [level == "national", level == "regional"],
        [table["country_name"].astype("string"), table["region_name"].astype("string")],
        table.get("la_name", pd.Series(pd.NA, index=table.index)).astype("string"),
    )
    out["area_name"] = out["area_name"].astype("string").str.strip()
    london = region_code.isin(["E13000001", "E13000002"])
    out["region_code"] = council_region["region_code"].fillna(region_code.mask(london, "E12000007"))
    out["region_name"] = council_region["region_name"].fillna(
        table["region_name"].astype("string").mask(london, "London")
    )
    out.loc[level != "local authority", ["region_code", "region_name"]] = pd.NA
    missing = ((level == "local authority") & out["area_code"].isna()) | (
        (level == "regional") & region_code.isna()
    )
    if missing.any():
        row = int(table.index[missing.to_numpy()][0])
        regional = level[row] == "regional"
        raise DataError(
            path,
            "expected a region_code"
            if regional
            else "expected an LA code (old_la_code or new_la_code)",
            row=row,
            column="region_code" if regional else "new_la_code",
        )
    return out


def _levels(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The national, regional and local authority rows; other EES levels are left out with a
    :class:`DataWarning`, and a level that EES does not use is an error (a misspelt level
    would drop a council). Levels are read whatever their capitals (``Local Authority``)."""
    spelling = {name.lower(): name for name in (*LEVELS, *OTHER_LEVELS)}
    level = table["geographic_level"].str.strip().str.lower().map(spelling)
    unknown = level.isna()
    if unknown.any():
        row = int(table.index[unknown.to_numpy()][0])
        raise DataError(
            path,
            f"expected a geographic_level of {', '.join(LEVELS)} (or another EES level), "
            f"found {table.loc[row, 'geographic_level']!r}",
            row=row,
            column="geographic_level",
        )
    other = ~level.isin(list(LEVELS))
    if other.any():
        found = ", ".join(sorted(level[other].unique()))
        warnings.warn(
            DataWarning(
                f"{path.name}: {int(other.sum())} rows at other levels ({found}) were left out"
            ),
            stacklevel=3,
        )
    return table.assign(geographic_level=level).loc[~other]


def _filtered(table: pd.DataFrame, filters: dict[str, str], path: Path) -> pd.DataFrame:
    """The rows with every filter's value; an area and period that has rows but none with the
    filter's value is an error (a damaged filter cell would silently drop a figure)."""
    for column, value in filters.items():
        if value not in set(table[column]):
            raise DataError(path, f"expected rows where {column} is {value!r}", column=column)
        chosen = table[column] == value
        key = ["time_period", "geographic_level", "country_code", "region_code"] + [
            c for c in ("old_la_code", "new_la_code") if c in table
        ]
        have = pd.MultiIndex.from_frame(table.loc[chosen, key])
        lost = ~pd.MultiIndex.from_frame(table[key]).isin(have)
        if lost.any():
            # name the row whose filter cell is the odd one out (the rarest value in the file)
            rarity = table.loc[lost, column].map(table[column].value_counts())
            row = int(rarity.idxmin())
            raise DataError(
                path,
                f"expected this area and period to have a row where {column} is {value!r}, "
                f"found {table.loc[row, column]!r} only",
                row=row,
                column=column,
            )
        table = table.loc[chosen]
    return table


def _retired(out: pd.DataFrame, path: Path, directory: Directory) -> None:
    """A council that had been replaced (split or merged) cannot have figures after it was
    (DfE still lists it for a while, with ``x``: those rows are kept, with their status)."""
    changes = directory.changes.loc[directory.changes["change"].isin(["split", "merged"])]
    for change in changes.itertuples(index=False):
        after = (
            (out["la_number"] == change.la_number).fillna(False)
            & (out["period_start"] >= pd.Timestamp(change.effective_from))
            & out["value"].notna()
        )
        if after.any():
            row = int(out.index[after.to_numpy()][0])
            raise DataError(
                path,
                f"council {change.la_number} was replaced on {change.effective_from} "
                f"({change.note}), so it has no figures for {out.loc[row, 'period']}",
                row=row,
                column="old_la_code",
            )


def load_ees(
    path: str | Path,
    indicator: Indicator,
    directory: Directory | None = None,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One catalogue indicator from an EES CSV, as the tidy table (see :func:`ees_rows`)."""
    return ees_rows(path, indicator, directory, population).reset_index(drop=True)


def ees_rows(
    path: str | Path,
    indicator: Indicator,
    directory: Directory | None = None,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One catalogue indicator from an EES CSV, as the tidy table indexed by each row's file row.

    ``population`` (from :func:`analysis.population.load_population`) is needed when the
    catalogue's denominator is ``population_0_17``: the rate uses the mid-year estimate of the
    year before the period ends, as DfE's published rates do. Figures that cannot be right
    (:func:`analysis.values.impossible_figures`), a rate that disagrees with the counts it is
    checked against (:func:`_check_counts`), a count that is not the balance of the counts
    beside it (:func:`_check_balance`), a council code that names two councils, a council
    with figures after it was replaced, a council the area code list does not know
    (:func:`_check_listed`) and a year only a few councils have, without England
    (:func:`analysis.completeness.stray_year`: a year typed wrong) are errors naming the row.
    A lone spike in a rate or a caseload (:func:`without_spikes`), a percentage typed as a
    fraction in one cell (:func:`without_fractions`) and a year that repeats the year before
    for every council (:func:`without_copied_years`) are left out with a
    :class:`DataWarning`; rows missing are named in one (:mod:`analysis.completeness`).
    """
    path = Path(path)
    directory = directory or Directory.default()
    mapping = indicator.source["ees"]
    filters: dict[str, str] = mapping.get("filters", {})
    table = read_ees_csv(path, GEOGRAPHY + AREA_COLUMNS[:4] + list(filters) + figures_read(mapping))
    table = _filtered(_levels(table, path), filters, path)
    if table.empty:
        raise DataError(path, "expected national, regional or local authority rows, found none")
    out = areas(table, path, directory)
    periods = parse_labels(table["time_period"].str.strip(), indicator.period_type)
    if periods["error"].notna().any():
        row = periods.index[periods["error"].notna()][0]
        raise DataError(path, str(periods.loc[row, "error"]), row=row, column="time_period")
    check_year_labels(periods, path, "time_period")
    out = out.join(periods.drop(columns="error"))
    stray = stray_year(out)
    if stray:
        row = int(out.index[(out["period"] == stray[0]).to_numpy()][0])
        raise DataError(path, f"expected {stray[1]}", row=row, column="time_period")
    for role in ("value", "numerator", "denominator"):
        column = mapping.get(role)
        if column and column != POPULATION:
            parsed, status = parse_cells(table[column], path, column, first_row=None)
            if role != "value" and not column.endswith(FTE):
                _check_whole(parsed, path, column)
            out[role] = parsed
            out[f"{role}_status"] = status
    if mapping.get("denominator") == POPULATION:
        if population is None:
            raise DataError(path, f"{indicator.id} needs the ONS population file for its rate")
        out["denominator"] = population_for(out, population)
    if "value" not in out:
        scale = float(mapping.get("scale", 1))
        no_base = out["denominator"].isna() | (out["denominator"] == 0)
        out["value"] = (out["numerator"] / out["denominator"] * scale).where(~no_base)
        out["value_status"] = out["numerator_status"]
        reason = (
            "no population estimate"
            if mapping.get("denominator") == POPULATION
            else "no denominator"
        )
        out.loc[out["value"].isna() & out["value_status"].isna(), "value_status"] = reason
    _retired(out, path, directory)
    out["status"] = out["value_status"]
    out["indicator"] = indicator.id
    out["source"] = f"EES {path.name}: {mapping.get('value') or mapping.get('numerator')}"
    tidy = without_duplicates(conform(out).set_axis(out.index), path)
    problem = impossible_figures(
        tidy["value"],
        tidy["numerator"] if "numerator" in out else None,
        tidy["denominator"] if "denominator" in out else None,
        indicator.unit,
        places=written_places(table[mapping["value"]]) if "value" in mapping else None,
        rounded=rounded_rows(tidy, tidy["numerator"], tidy["denominator"]),
    )
    if problem:
        position, role, expected = problem
        column = mapping.get(role) or mapping.get("value") or mapping.get("numerator")
        if column == POPULATION:
            column = mapping.get("numerator")
        raise DataError(path, expected, row=int(tidy.index[position]), column=column)
    figures = mapping.get("value") or mapping.get("numerator")  # the column the figures are in
    fractions = percentages_as_fractions(tidy, indicator.unit)
    if fractions:
        raise DataError(path, fractions[1], row=fractions[0], column=figures)
    if "counts" in mapping:
        _check_counts(tidy, table, mapping, path, indicator.unit)
    if "numerator_balance" in mapping:
        _check_balance(tidy, table, mapping, path)
    if indicator.is_steady:
        tidy = without_spikes(tidy, path, lambda row: f"row {row}, column {figures}")
    if indicator.is_proportion:
        tidy = without_fractions(tidy, path, lambda row: f"row {row}, column {figures}")
    tidy = without_copied_years(tidy, path, figures)
    notes = missing_rows(tidy, path.name, directory) + missing_areas(tidy, path.name, directory)
    for note in notes:
        warnings.warn(DataWarning(note), stacklevel=3)
    return tidy


def figures_read(mapping: dict[str, Any]) -> list[str]:
    """The figure columns an indicator's EES ``mapping`` reads: its value, numerator and
    denominator (but the ONS population, from another file) and the counts they are checked
    against."""
    counts = mapping.get("counts", {})
    balance = mapping.get("numerator_balance", {})
    columns = [mapping.get(role) for role in ("value", "numerator", "denominator")]
    columns += [counts.get("numerator"), *counts.get("denominator", [])]
    columns += [balance.get("total"), *balance.get("less", [])]
    return list(dict.fromkeys(c for c in columns if c and c != POPULATION))


#: How far a regional or national figure may stand from the counts it is checked against, as a
#: share of the figure: DfE's own totals stand up to 10.1% away (the North East's 2024 social
#: worker turnover, published as 14.0, is 271.5 leavers of 2,158.1 in post, 12.6%; its 2013
#: children in need on 31 March, 23,720, are 47,540 in need in the year less 21,600 whose need
#: ended, 25,940, 9.4% more), while every council's figure agrees with its own counts.
TOTALS_LEEWAY = 0.12

#: How far a council's count may stand from the balance of the counts beside it: Warwickshire's
#: and Devon's 2014 children in need on 31 March are 1 fewer than those in need in the year
#: less those whose need ended; every other council's, 2013 to 2025, is that balance exactly.
COUNCIL_BALANCE_SLACK = 1.0


def _summed(table: pd.DataFrame, columns: list[str], path: Path) -> pd.Series:
    """The sum of ``columns`` of a read EES ``table``, row by row; NaN where any is no number."""
    parts = [parse_cells(table[c], path, c, None)[0] for c in columns]
    return pd.concat(parts, axis=1).sum(axis=1, min_count=len(parts))


def _check_counts(
    tidy: pd.DataFrame, table: pd.DataFrame, mapping: dict[str, Any], path: Path, unit: str
) -> None:
    """A published rate that disagrees with the counts beside it in its row (the catalogue's
    ``counts``: a numerator column and the columns whose sum is the denominator, as agency
    workers of those in post and agency workers) is a damaged cell. The counts only check
    the rate: they are full-time equivalents, not people to take statistics of."""
    counts = mapping["counts"]
    numerator = parse_cells(table[counts["numerator"]], path, counts["numerator"], None)[0]
    denominator = _summed(table, counts["denominator"], path)
    below = " + ".join(counts["denominator"])
    counted = f"{counts['numerator']} / {f'({below})' if ' + ' in below else below}"
    problem = impossible_figures(
        tidy["value"],
        numerator.reindex(tidy.index),
        denominator.reindex(tidy.index),
        unit,
        leeway=np.where(tidy["area_level"] == "local authority", 0.0, TOTALS_LEEWAY),
        counted=counted,
        places=written_places(table[mapping["value"]]),
        rounded=rounded_rows(tidy, numerator.reindex(tidy.index), denominator.reindex(tidy.index)),
    )
    if problem:
        position, role, expected = problem
        column = {"value": mapping["value"], "numerator": counts["numerator"]}.get(role, below)
        raise DataError(path, expected, row=int(tidy.index[position]), column=column)


def _check_balance(
    tidy: pd.DataFrame, table: pd.DataFrame, mapping: dict[str, Any], path: Path
) -> None:
    """A numerator that is not the balance of the counts beside it in its row (the catalogue's
    ``numerator_balance``: a ``total`` column less the ``less`` columns, as the children in
    need on 31 March are those in need at any point in the year less those whose need ended)
    is a damaged cell: a plausible count typed over another, that neither the rate's range nor
    a spike shows, cannot hide there."""
    balance = mapping["numerator_balance"]
    total = parse_cells(table[balance["total"]], path, balance["total"], None)[0]
    less = _summed(table, balance["less"], path)
    expected = (total - less).reindex(tidy.index)
    found = tidy["numerator"]
    allowed = np.where(
        tidy["area_level"] == "local authority",
        COUNCIL_BALANCE_SLACK,
        TOTALS_LEEWAY * expected.abs(),
    )
    wrong = np.flatnonzero(((found - expected).abs() > allowed).fillna(False).to_numpy(bool))
    if len(wrong):
        row = tidy.index[int(wrong[0])]
        named = " less ".join([balance["total"], " and ".join(balance["less"])])
        worked = f"{total[row]:,.0f} - {less[row]:,.0f}"
        raise DataError(
            path,
            f"expected {named}, {worked} = {expected[row]:,.0f}, found {found[row]:,.0f}",
            row=int(row),
            column=mapping["numerator"],
        )


def _check_whole(counts: pd.Series, path: Path, column: str) -> None:
    """A count of children, referrals or plans with a fraction is a damaged cell."""
    fractional = counts.notna() & (counts % 1 != 0)
    if fractional.any():
        row = fractional.idxmax()
        raise DataError(
            path,
            f"expected a whole number (a count), found {counts[row]:g}",
            row=int(row),
            column=column,
        )


def check_year_labels(
    periods: pd.DataFrame, path: Path, column: str, measure: pd.Series | None = None
) -> None:
    """One year written two ways (``2025`` and ``2024/25``) would be two periods, so a council's
    row written the odd way would lose its comparators: an error naming the odd row of
    ``periods`` (from :func:`analysis.periods.parse_labels`, indexed by file row) and its
    ``column``. With ``measure`` (LAIT's short code of each row), each measure is checked on
    its own, since LAIT writes one year differently for different measures. Labels ending on
    the same day are one year written two ways, even when they read as different spans
    (``2021`` as at 31 March, ``2020-21`` as the financial year)."""
    rows = periods[["period_end", "period"]].assign(measure="" if measure is None else measure)
    keys = ["measure", "period_end"]
    labels = rows.groupby([*keys, "period"], sort=False, dropna=False).size()
    if not labels.index.droplevel("period").duplicated().any():
        return  # every year written one way
    usual = (
        labels.rename("rows")
        .reset_index()
        .sort_values("rows", ascending=False, kind="stable")
        .drop_duplicates(keys)
        .rename(columns={"period": "usual"})
    )
    expected = rows.merge(usual[[*keys, "usual"]], on=keys, how="left")["usual"]
    odd = np.flatnonzero(rows["period"].to_numpy() != expected.to_numpy())
    first = odd[0]
    raise DataError(
        path,
        f"expected the year written {expected.iloc[first]!r} as in the file's other rows "
        f"for it, found {rows['period'].iloc[first]!r}",
        row=int(periods.index[first]),
        column=column,
    )


def population_for(out: pd.DataFrame, population: pd.DataFrame) -> pd.Series:
    """The child population of each row's area in ``population`` (from
    :func:`analysis.population.load_population`): the mid-year estimate of the year before a
    period ending by June, as DfE's rates per 10,000 use; NaN where there is none."""
    year = out["period_end"].dt.year - np.where(out["period_end"].dt.month <= 6, 1, 0)
    lookup = population.assign(year=population["period_end"].dt.year).set_index(
        ["area_code", "year"]
    )["value"]
    lookup = lookup[~lookup.index.duplicated(keep="last")]
    keys = pd.MultiIndex.from_arrays([out["area_code"].astype(str), year])
    return pd.Series(lookup.reindex(keys).to_numpy(), index=out.index)


def without_duplicates(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Drop exact repeats (with a :class:`DataWarning`); an area and period published twice
    with different figures is an error naming both rows (the index of ``table`` holds each
    row's file row)."""
    key = ["indicator", "area_code", "breakdown", "period"]
    repeated = table.duplicated(key, keep=False)
    if not repeated.any():
        return table
    figures = ["value", "numerator", "denominator", "status"]
    distinct = table.loc[repeated, key + figures].astype(str).drop_duplicates()
    clash = distinct.duplicated(key, keep=False)
    if clash.any():
        first = distinct.loc[clash, key].iloc[0]
        same = (table[key].astype(str) == first).all(axis=1).to_numpy()
        found = table.index[same]
        raise DataError(
            path,
            f"expected one row for {first['area_code']} in {first['period']}, found several "
            f"with different values (rows {', '.join(map(str, found))})",
            row=int(found[1]),
        )
    warnings.warn(
        DataWarning(f"{path.name}: {int(repeated.sum())} repeated rows were read once"),
        stacklevel=3,
    )
    return table.drop_duplicates(key)


def without_spikes(
    table: pd.DataFrame, path: Path, cell: Callable[[Any], str], first: bool = True
) -> pd.DataFrame:
    """Leave out each lone spike (:func:`analysis.values.spikes`: a digit lost or added in a
    rate or a caseload, or a 0 among counts; without ``first``, not in a series' first
    period), with a :class:`DataWarning` naming its cell (``cell`` gives "row R, column C" for
    an index label of ``table``) and the years it stands far from (not its count, which may be
    small: a member reads the warning); its status says why."""

    def what(spike: pd.Series, sides: str) -> str:
        if spike["value"] == 0:
            return (
                f"is 0, beside its figure for {sides}, so it was left out (was a suppressed "
                "cell typed as 0?)"
            )
        how_far = (
            f"more than {MOST_STEADY_SPIKE:g} times"
            if spike["value"] > spike[["before", "after"]].max()
            else f"less than 1/{MOST_STEADY_SPIKE:g} of"
        )
        return f"({spike['value']:,.4g}) is {how_far} its figure for {sides}, so it was left out"

    found = spikes(table, first)
    status = np.where(found["value"] == 0, TYPED_ZERO, SPIKE)
    return _left_out(table, found, status, path, cell, what, "as far from the periods either side")


def without_fractions(table: pd.DataFrame, path: Path, cell: Callable[[Any], str]) -> pd.DataFrame:
    """Leave out each percentage typed as a fraction in one cell
    (:func:`analysis.values.lone_fractions`: 0.78 among 76 and 80), with a
    :class:`DataWarning` naming its cell and the figures either side, as
    :func:`without_spikes` does; its status says why."""

    def what(fraction: pd.Series, sides: str) -> str:
        return (
            f"({fraction['value']:,.4g}) is a hundredth of its figure for {sides}, so it was "
            f"left out (was {fraction['value'] * 100:,.4g}% written as a fraction?)"
        )

    found = lone_fractions(table)
    return _left_out(table, found, FRACTION, path, cell, what, "like a fraction")


def _left_out(
    table: pd.DataFrame,
    found: pd.DataFrame,
    status: Any,
    path: Path,
    cell: Callable[[Any], str],
    what: Callable[[pd.Series, str], str],
    alike: str,
) -> pd.DataFrame:
    """``table`` with the ``found`` rows (each with the figures ``before`` and ``after`` it)
    left out under ``status``, each of the first :data:`SPIKES_NAMED` warned of by its cell and
    ``what`` it is beside those figures, the rest counted as figures ``alike``."""
    if found.empty:
        return table
    for label, figure in found.head(SPIKES_NAMED).iterrows():
        sides = " and ".join(
            f"{figure[f'period_{side}']} ({figure[side]:,.4g})"
            for side in ("before", "after")
            if pd.notna(figure[side])
        )
        warnings.warn(
            DataWarning(
                f"{path.name}, {cell(label)}: {figure['area_name']}'s figure for "
                f"{figure['period']} {what(figure, sides)}: check the file"
            ),
            stacklevel=4,
        )
    if len(found) > SPIKES_NAMED:
        warnings.warn(
            DataWarning(
                f"{path.name}: {len(found) - SPIKES_NAMED} more figures {alike} were left out, "
                f"the first at {cell(found.index[SPIKES_NAMED])}: check the file"
            ),
            stacklevel=4,
        )
    table = table.copy()
    table.loc[found.index, "status"] = status
    table.loc[found.index, ["value", "numerator", "denominator"]] = np.nan
    return table


def without_copied_years(table: pd.DataFrame, path: Path, column: str) -> pd.DataFrame:
    """Leave out every figure of each year that repeats the year before's, council by council
    (:func:`analysis.values.copied_years`: rows copied and relabelled), with a
    :class:`DataWarning` naming the file, the figures' ``column``, the year's first row and the
    two years; their status says why."""
    found = copied_years(table)
    if found.empty:
        return table
    table = table.copy()
    for copy in found.itertuples(index=False):
        year = (
            (table["indicator"] == copy.indicator)
            & (table["breakdown"] == copy.breakdown)
            & (table["period"] == copy.period)
        )
        warnings.warn(
            DataWarning(
                f"{path.name}, column {column} from row {min(table.index[year])}: every one "
                f"of the {copy.councils} councils with a figure for {copy.period} and "
                f"{copy.period_before} has the same figure for both, so the figures for "
                f"{copy.period} were left out (were {copy.period_before}'s rows copied?): "
                "check the file"
            ),
            stacklevel=3,
        )
        table.loc[year, ["value", "numerator", "denominator"]] = np.nan
        table.loc[year, "status"] = COPIED
    return table
