"""``compendium validate``: the loaders' checks on new files, without rendering anything.

Each path is recognised by its name and read by the loader that would read it in a run: EES
files the catalogue names, the ONS population file, LAIT's parquet (with its dictionary beside
it), the neighbour files, the Ofsted workbook, a council scorecard (any other CSV or Excel
file) and run files (``.yml``). A folder is validated file by file.

>>> report = validate_paths(["../shared/data/dfe"])  # doctest: +SKIP
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.areas import Council, Directory
from analysis.catalogue import lait_catalogue, load_catalogue
from analysis.ees import DataWarning, load_ees
from analysis.errors import DataError
from analysis.fetch import MANIFEST
from analysis.lait import load_lait
from analysis.local_scorecard import load_scorecard
from analysis.neighbours import load_neighbours
from analysis.ofsted import load_ilacs
from analysis.params import load_batch
from analysis.population import POPULATION_INDICATOR, load_population
from analysis.published import load_published
from analysis.words import listed

#: Stands in for the council when a scorecard is checked on its own.
ANY_COUNCIL = Council("000", "E00000000", "(scorecard check)", "", "")


@dataclass(frozen=True)
class Finding:
    """What validating one file found: ``ok`` with a description, or the error."""

    path: Path
    ok: bool
    message: str
    warnings: tuple[str, ...] = ()


def _describe(table: pd.DataFrame) -> str:
    missing = int(table["value"].isna().sum())
    return (
        f"{len(table):,} rows, {table['indicator'].nunique()} indicator(s), "
        f"{table['area_code'].nunique()} areas, {missing:,} without a value (each with a status)"
    )


def _check(path: Path) -> str:
    catalogue = load_catalogue()
    name = path.name
    if name == POPULATION_INDICATOR.source["ees"]["file"]:
        return _describe(load_population(path))
    by_file = [i for i in catalogue.values() if i.source.get("ees", {}).get("file") == name]
    if by_file:
        directory = Directory.default()
        population = None
        sibling = path.parent / POPULATION_INDICATOR.source["ees"]["file"]
        if sibling.exists():
            population = load_population(sibling)
        needs = [i for i in by_file if i.source["ees"].get("denominator") == "population_0_17"]
        if population is None and needs:
            unchecked = (
                f"{listed([i.title for i in needs])}: expected the ONS population file "
                f"{sibling.name} beside it, to work out the rate per 10,000 children"
            )
            if len(needs) == len(by_file):
                raise DataError(path, unchecked)
            warnings.warn(DataWarning(f"{name}: not checked: {unchecked}"), stacklevel=2)
        tables = [
            load_ees(path, indicator, directory, population)
            for indicator in by_file
            if population is not None or indicator not in needs
        ]
        return _describe(pd.concat(tables, ignore_index=True))
    if path.suffix == ".parquet":
        dictionary = path.parent / "lait_data_dictionary.csv"
        checked = {i.source["lait"]: i for i in catalogue.values() if "lait" in i.source}
        return _describe(load_lait(path, dictionary, _directory_near(path), indicators=checked))
    if name.startswith("sn_"):
        groups = load_neighbours(path)
        return (
            f"{len(groups)} councils with {max(map(len, groups.values()))} neighbours each at most"
        )
    if path.suffix == ".ods":
        return f"{len(load_ilacs(path, _directory_near(path)))} councils with an Ofsted judgement"
    if path.suffix in (".yml", ".yaml"):
        if _is_catalogue(path):
            return f"catalogue file: {len(load_catalogue(path))} indicators with the core ones"
        count = len(load_batch(path).reports)
        reports = "1 report" if count == 1 else f"{count} reports"
        return f"run file: parameters, paths and notebook checked for {reports}"
    if name == "lait_data_dictionary.csv":
        return f"{len(lait_catalogue(path))} LAIT measures"
    if path.suffix == ".txt" or name.startswith("la_code"):
        return "not read by Compendium"
    return _describe(load_scorecard(path, ANY_COUNCIL, catalogue))


def _directory_near(path: Path) -> Directory:
    """The area code list, with the councils of the population file in the folder of ``path``
    or in ``ees/`` beside it: councils the list lacks (the demo's) are in the EES files."""
    name = POPULATION_INDICATOR.source["ees"]["file"]
    directory = Directory.default()
    for beside in (path.parent / name, path.parent.parent / "ees" / name):
        if beside.exists():
            return directory.extended(load_population(beside))
    return directory


def _is_catalogue(path: Path) -> bool:
    """A council catalogue file maps indicator ids to mappings with a title; a run file not."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return (
        isinstance(entries, dict)
        and bool(entries)
        and all(isinstance(v, dict) and "title" in v for v in entries.values())
    )


def _check_folder(path: Path) -> str:
    data = load_published(path)
    return f"loaded as a whole: {_describe(data.table)}" + (
        f"; missing: {', '.join(data.missing)}" if data.missing else ""
    )


def _data_files(folder: Path) -> list[Path]:
    """The data files in ``folder``: not ``compendium fetch``'s manifest, nor hidden files
    (such as a download in progress)."""
    return [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.name != MANIFEST
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]


def validate_paths(paths: list[str | Path]) -> list[Finding]:
    """Validate every file (folders: every file in them), never stopping at the first error;
    a file or folder given twice (a file and the folder it is in) is validated once."""
    files: dict[str, Path] = {}
    for given in map(Path, paths):
        for path in sorted(_data_files(given)) if given.is_dir() else [given]:
            files.setdefault(os.path.abspath(path), path)
    folders = {
        os.path.abspath(p): p
        for p in map(Path, paths)
        if (p / "ees").is_dir() or (p / "lait").is_dir()
    }
    findings, listed = [], set()
    checks = [(p, _check) for p in files.values()] + [(p, _check_folder) for p in folders.values()]
    for path, check in checks:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                message, ok = check(path), True
            except DataError as error:
                message, ok = str(error), False
                beside = os.path.abspath(error.path)
                if beside in files and beside != os.path.abspath(path):
                    # a file read beside it (the ONS population) failed: said once, on its line
                    message = f"{path}: not checked, as {Path(beside).name}, read with it, failed"
            except KeyError as error:
                message, ok = error.args[0], False
            except Exception as error:  # noqa: BLE001 - a finding, never a traceback
                message, ok = f"{path}: could not be read ({type(error).__name__}: {error})", False
        # each warning once, in order: a folder's repeat its files' warnings
        notes = [n for n in dict.fromkeys(str(w.message) for w in caught) if n not in listed]
        listed.update(notes)
        findings.append(Finding(path, ok, message, tuple(notes)))
    return findings
