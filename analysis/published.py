"""Everything the catalogue takes from published data, from a folder laid out like DfE's.

The folder has ``ees/`` (EES CSVs, the neighbour model, the Ofsted workbook) and ``lait/``
(LAIT's parquet and data dictionary), as ``../shared/data/dfe`` and the demo data set do.

>>> data = load_published("../shared/data/dfe")  # doctest: +SKIP
>>> data.table["indicator"].nunique()  # doctest: +SKIP
18
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.areas import Directory
from analysis.catalogue import Indicator, load_catalogue
from analysis.counted_elsewhere import RATES_OF_COUNTS, without_disagreements
from analysis.ees import DataWarning, data_warnings, load_ees
from analysis.errors import DataError
from analysis.lait import load_lait
from analysis.neighbours import load_neighbours
from analysis.ofsted import good_or_outstanding, load_ilacs, unjudged
from analysis.population import POPULATION_INDICATOR, load_population
from analysis.tidy import empty
from analysis.words import listed

NEIGHBOURS_FILE = "ees/sn_model_2025_wide.csv"
OFSTED_FILE = "ees/LA_Inspection_Outcomes_as_at_31_March_2025.ods"
LAIT_FILE = "lait/bds_long.parquet"
LAIT_DICTIONARY = "lait/lait_data_dictionary.csv"
DATA_ENV = "COMPENDIUM_DFE_DATA"


@dataclass(frozen=True)
class Published:
    """Published data for the catalogue: the tidy table and what comparisons need."""

    table: pd.DataFrame
    directory: Directory
    neighbours: dict[str, list[str]]
    good_or_outstanding: list[str]
    missing: tuple[str, ...] = ()
    """Files the catalogue names that were not in the folder (no benchmark for them)."""
    warnings: tuple[str, ...] = ()
    """What the loaders warned about (values left out, repeated rows read once): a report
    shows these, so that no value goes missing without a word."""


def data_dir(given: str | Path | None = None) -> Path:
    """The DfE data folder: ``given``, else ``$COMPENDIUM_DFE_DATA``; an error if neither."""
    chosen = given or os.environ.get(DATA_ENV)
    if not chosen:
        raise DataError(
            "data_dir",
            f"no DfE data folder: give data_dir or set {DATA_ENV} to a folder with ees/ and lait/",
        )
    path = Path(chosen).expanduser()
    if not (path / "ees").is_dir() and not (path / "lait").is_dir():
        raise DataError(path, "expected a folder with ees/ and lait/ subfolders (see the README)")
    return path


def folder_signature(folder: Path) -> tuple:
    """The folder and every data file's size and modification time: a new file, a new key."""
    files = sorted(p for sub in ("ees", "lait") for p in (folder / sub).glob("*") if p.is_file())
    return (
        str(folder.resolve()),
        tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files),
    )


def load_published(
    folder: str | Path | None = None,
    catalogue: dict[str, Indicator] | None = None,
    indicators: list[str] | None = None,
) -> Published:
    """Load every catalogue indicator (or ``indicators``) from the folder's published files.

    The loaders' :class:`DataWarning` messages are warned again and kept in
    :attr:`Published.warnings` for the report to show. A folder loaded already by the batch
    process (see :func:`share_published`) is read from its copy, its warnings warned again.
    """
    folder = data_dir(folder)
    published = _shared_copy(folder, catalogue, indicators)
    if published is None:
        with data_warnings() as notes:
            published = _load(folder, catalogue, indicators)
        published = dataclasses.replace(published, warnings=tuple(notes))
    else:
        for note in published.warnings:
            warnings.warn(DataWarning(note), stacklevel=2)
    for name in published.missing:
        warnings.warn(DataWarning(f"{folder}: {name} is missing, so it was left out"), stacklevel=2)
    return published


# --- loaded once by a batch, shared with its kernels -----------------------------------------

#: The folders a batch process loaded (:func:`share_published`), adopted by
#: :func:`use_shared`: (folder signature, indicator ids) -> (catalogue, pickled Published).
_SHARED: dict[tuple, tuple[dict[str, Indicator], bytes]] = {}
_SHARED_FROM: list[str] = []


def _shared_key(
    folder: Path, catalogue: dict[str, Indicator], indicators: list[str] | None
) -> tuple:
    return (folder_signature(folder), tuple(indicators or catalogue))


def share_published(folders: Iterable[str | Path], path: Path) -> Path:
    """Load each folder once, for the whole catalogue, into the file ``path`` for the batch's
    kernels (:func:`use_shared`): each report then reads a copy in milliseconds instead of
    loading and checking the files again (2 s of the real data, in every kernel).

    A folder that fails to load is left out: each report loads it and fails with its own cell
    and error, as without sharing.
    """
    catalogue = load_catalogue()
    entries = {}
    for folder in dict.fromkeys(str(f) for f in folders):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # kept in the copy, warned again by each report
                key = _shared_key(data_dir(folder), catalogue, None)
                published = load_published(folder, catalogue)
        except Exception:  # noqa: BLE001 - the reports give the error, cell by cell
            continue
        entries[key] = (catalogue, pickle.dumps(published, protocol=pickle.HIGHEST_PROTOCOL))
    path.write_bytes(pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def use_shared(path: str) -> None:
    """Read the folders that :func:`share_published` wrote to ``path`` (once per process)."""
    if path in _SHARED_FROM:
        return
    with open(path, "rb") as handle:
        _SHARED.update(pickle.load(handle))  # written by this user's batch, in its own folder
    _SHARED_FROM.append(path)


def _shared_copy(
    folder: Path, catalogue: dict[str, Indicator] | None, indicators: list[str] | None
) -> Published | None:
    """A fresh copy of the shared load of ``folder``, if it was shared, its files unchanged
    since, for the same catalogue and indicators; else None."""
    if not _SHARED:
        return None
    catalogue = catalogue or load_catalogue()
    found = _SHARED.get(_shared_key(folder, catalogue, indicators))
    if found is None or found[0] != catalogue:
        return None
    return pickle.loads(found[1])


def _load(
    folder: Path, catalogue: dict[str, Indicator] | None, indicators: list[str] | None
) -> Published:
    """:func:`load_published` without its record of warnings."""
    catalogue = catalogue or load_catalogue()
    chosen = [catalogue[i] for i in (indicators or catalogue)]
    directory = Directory.default()
    missing: list[str] = []
    population_file = folder / "ees" / POPULATION_INDICATOR.source["ees"]["file"]
    population = None
    if population_file.exists():
        population = load_population(population_file, directory)
        directory = directory.extended(population)
    # the rates per 10,000 children need the population: without it they are left out, and
    # the warning names the population file, not the files that are there
    unpopulated = [
        i.title
        for i in chosen
        if i.source.get("ees", {}).get("denominator") == "population_0_17" and population is None
    ]
    if unpopulated:
        needed = f"{population_file.relative_to(folder)} (needed for {listed(unpopulated)})"
        missing.append(needed)
    tables = []
    for indicator in chosen:
        if "ees" not in indicator.source:
            continue
        path = folder / "ees" / indicator.source["ees"]["file"]
        if indicator.title in unpopulated:
            continue
        if not path.exists():
            missing.append(str(path.relative_to(folder)))
            continue
        table = load_ees(path, indicator, directory, population)
        directory = directory.extended(table)
        tables.append(table)
    lait_codes = {i.source["lait"]: i.id for i in chosen if "lait" in i.source}
    if lait_codes:
        if (folder / LAIT_FILE).exists() and (folder / LAIT_DICTIONARY).exists():
            lait = load_lait(
                folder / LAIT_FILE,
                folder / LAIT_DICTIONARY,
                directory,
                list(lait_codes),
                indicators={code: catalogue[i] for code, i in lait_codes.items()},
                population=population,
            )
            by_id = {t["indicator"].iloc[0]: t for t in tables if len(t)}
            for code, indicator_id in lait_codes.items():
                rows = lait.loc[lait["indicator"] == code].copy()
                rows["indicator"] = indicator_id
                counted = RATES_OF_COUNTS.get(code)
                if counted in by_id and population is not None:
                    rows = without_disagreements(
                        rows,
                        code,
                        by_id[counted],
                        catalogue[counted].source["ees"]["file"],
                        population,
                        Path(LAIT_FILE).name,
                    )
                tables.append(rows)
        elif (folder / LAIT_FILE).exists():  # the parquet cannot be read without it
            missing.append(f"{LAIT_DICTIONARY} (needed to read {LAIT_FILE})")
        else:
            missing.append(LAIT_FILE)
    neighbours: dict[str, list[str]] = {}
    if (folder / NEIGHBOURS_FILE).exists():
        neighbours = load_neighbours(folder / NEIGHBOURS_FILE)
    else:
        missing.append(NEIGHBOURS_FILE)
    table = pd.concat(tables, ignore_index=True) if tables else empty()
    good: list[str] = []
    if (folder / OFSTED_FILE).exists():
        ilacs = load_ilacs(folder / OFSTED_FILE, directory)
        good = good_or_outstanding(ilacs)
        note = unjudged(ilacs, table, directory, Path(OFSTED_FILE).name)
        if note:
            warnings.warn(DataWarning(note), stacklevel=2)
    else:
        missing.append(OFSTED_FILE)
    return Published(table, directory, neighbours, good, tuple(dict.fromkeys(missing)))
