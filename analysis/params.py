"""Run files: YAML files in ``params/`` that say which reports to make, for whom, from what.

A notebook's accepted parameters are the ones declared in its ``parameters``-tagged cell (names,
types and defaults, as ``papermill --help-notebook`` shows them); a run file may set only those,
with values of the declared type. ``summary_path`` is set by the renderer, never by a run file.

**One report** (``compendium render``): the parameters at the top level, beside ``name`` and
``notebook``. Relative paths are taken from the folder of the run file::

    name: demo                      # run name: outputs/<name>/<area code>/
    notebook: quarterly_report      # a notebook in notebooks/ (or a path ending .ipynb)
    council: "701"                  # DfE number or ONS code
    period_end: 2025-09-30          # the last month the report covers
    data_dir: ../outputs/demo-data  # folder with ees/ and lait/ (else $COMPENDIUM_DFE_DATA)
    scorecard: ../outputs/demo-data/local/scorecard.csv   # the council's own scorecard (optional)
    indicators: [rereferrals_12m_pct, ...]     # catalogue ids (optional: all)
    targets: {rereferrals_12m_pct: {target: 22, tolerance: 2}}
    fictional: true                 # say prominently that the data are fictional

**Many reports** (``compendium batch``): a file with ``reports:``. Each report is a notebook
for a list of councils, or ``all`` (every council in the data folder's statistical-neighbour
model). ``defaults`` go to every report whose notebook declares them, a report's own
``parameters`` to that report, and ``overrides`` (keyed by DfE number or ONS code) to every
report for that council, last one winning::

    name: quarter_2025q3
    defaults: {period_end: 2025-09-30}
    reports:
      - {notebook: benchmark_report, councils: all}
      - {notebook: quarterly_report, councils: ["936", E10000016], parameters: {fictional: false}}
    overrides:
      "936": {targets: {rereferrals_12m_pct: {target: 20, tolerance: 2}}}

Checks, each a ``DataError`` naming the file and key: unknown keys, wrong types, missing files
(``data_dir``, ``scorecard`` and any parameter named ``*_dir``, ``*_file`` or ``*_path``),
unknown councils, unknown indicator ids (in ``indicators``, and the keys of ``targets`` and
``rebase``), bad dates (``period_end``). Every value must come back unchanged from the Python
literal papermill writes for it, so no value can become code in the executed notebook.

>>> run = load_run_file("params/demo.yml", overrides={"council": "702"})  # doctest: +SKIP
>>> batch = load_batch("params/benchmark_all.yml", only=["936", "E10000016"])  # doctest: +SKIP
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.areas import Council, Directory
from analysis.errors import DataError
from analysis.published import DATA_ENV, NEIGHBOURS_FILE

REPOSITORY = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPOSITORY / "notebooks"
OUTPUTS = REPOSITORY / "outputs"
DEFAULT_NOTEBOOK = "quarterly_report"

RUN_KEYS = ("name", "notebook")
BATCH_KEYS = ("name", "defaults", "reports", "overrides")
REPORT_KEYS = ("notebook", "councils", "parameters")
#: set by the renderer for every report
RESERVED = ("summary_path",)
#: required when the notebook declares them
REQUIRED = ("council", "period_end")
DATE_KEYS = ("period_end",)
PATH_KEYS = ("data_dir", "scorecard", "previous_summary")
PATH_SUFFIXES = ("_dir", "_file", "_path")
#: mappings keyed by indicator id
INDICATOR_KEYED = ("targets", "rebase")
TYPES: dict[str, type] = {t.__name__: t for t in (str, int, float, bool, list, dict)}


@dataclass(frozen=True)
class Parameter:
    """One parameter a notebook declares: its name, type (``None``: any) and default."""

    name: str
    kind: type | None
    default: Any
    literal: bool = True
    """False when the default is not a Python literal (the notebook's own default applies)."""


@dataclass(frozen=True)
class RunFile:
    """A validated report: the notebook, its resolved parameters and where outputs go."""

    name: str
    notebook: Path
    parameters: dict[str, Any]
    out_dir: Path
    council: Council | None = None
    nested: bool = False
    """True when the run has several notebooks: each council's reports go in sub-folders."""

    @property
    def label(self) -> str:
        """``<area code>/<notebook>``, how progress and failures name the report."""
        code = self.council.area_code if self.council else self.parameters.get("council", "")
        return f"{code}/{self.notebook.stem}"

    def report_dir(self, area_code: str | None = None) -> Path:
        """``<out>/<name>/<area code>/`` (``.../<notebook>/`` in a run of several notebooks)."""
        code = area_code or (self.council.area_code if self.council else "")
        folder = Path(self.out_dir) / self.name / code
        return folder / self.notebook.stem if self.nested else folder


@dataclass(frozen=True)
class Batch:
    """Every report a run file declares, in order."""

    name: str
    path: Path
    reports: tuple[RunFile, ...]


def _fail(path: Path, key: str, expected: str) -> DataError:
    return DataError(path, expected, column=key)


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise DataError(path, f"cannot read the parameters file ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DataError(path, "expected valid YAML", row=mark.line + 1 if mark else None) from None
    if not isinstance(raw, dict):
        raise DataError(path, "expected a mapping of parameter names to values")
    return raw


@functools.lru_cache(maxsize=32)
def _inspect(notebook: str, modified: int) -> dict[str, Parameter]:
    import papermill

    declared: dict[str, Parameter] = {}
    for name, info in papermill.inspect_notebook(notebook).items():
        try:
            default, literal = ast.literal_eval(info["default"]), True
        except (ValueError, SyntaxError, TypeError):
            default, literal = None, False
        kind = TYPES.get(info["inferred_type_name"]) or (
            type(default) if type(default) in TYPES.values() else None
        )
        declared[name] = Parameter(name, kind, default, literal)
    return declared


def notebook_parameters(notebook: str | Path) -> dict[str, Parameter]:
    """The parameters declared in ``notebook``'s ``parameters`` cell, by name.

    >>> notebook_parameters("notebooks/quarterly_report.ipynb")["fictional"].kind  # doctest: +SKIP
    <class 'bool'>
    """
    path = Path(notebook)
    return _inspect(str(path.resolve()), path.stat().st_mtime_ns)


def find_notebook(value: Any, path: Path, key: str = "notebook") -> Path:
    """A notebook in ``notebooks/`` by name, or a ``.ipynb`` path relative to the run file."""
    if not isinstance(value, str) or not value:
        raise _fail(path, key, f"expected a notebook name, found {value!r}")
    if value.endswith(".ipynb"):
        notebook = (path.parent / value).resolve()
        if not notebook.exists():
            raise _fail(path, key, f"expected an existing notebook, {notebook} does not exist")
        return notebook
    notebook = NOTEBOOKS / f"{value}.ipynb"
    if not notebook.exists():
        raise _fail(path, key, f"no notebook {notebook.name} in {NOTEBOOKS}")
    return notebook


def _plain(value: Any, path: Path, key: str) -> Any:
    """YAML values as JSON-like values: dates become ISO text, mapping keys text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v, path, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, path, f"{key}[{i}]") for i, v in enumerate(value)]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise _fail(path, key, f"expected text, a number, a list or a mapping, found {value!r}")


def _typed(value: Any, parameter: Parameter, path: Path, key: str) -> Any:
    kind = parameter.kind
    if (
        kind is None
        or (isinstance(value, kind) and not isinstance(value, bool))
        or (kind is bool and isinstance(value, bool))
    ):
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is str and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # council: 936
    raise _fail(path, key, f"expected {kind.__name__}, found {type(value).__name__} {value!r}")


def _literal_safe(value: Any, path: Path, key: str) -> None:
    """Check that papermill's Python literal for ``value`` reads back as ``value`` exactly."""
    from papermill.translators import PythonTranslator

    try:
        same = ast.literal_eval(PythonTranslator.translate(value)) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise _fail(path, key, f"the value {value!r} cannot be passed safely to the notebook")


@functools.lru_cache(maxsize=8)
def _directory(data_dir: str) -> Directory:
    """The known councils, with those of the data folder's population file (the demo's)."""
    from analysis.population import POPULATION_INDICATOR, load_population

    directory = Directory.default()
    population = Path(data_dir) / "ees" / POPULATION_INDICATOR.source["ees"]["file"]
    if data_dir and population.exists():
        directory = directory.extended(load_population(population, directory))
    return directory


@functools.lru_cache(maxsize=8)
def _indicator_ids(data_dir: str) -> frozenset[str]:
    from analysis.catalogue import lait_catalogue, load_catalogue
    from analysis.published import LAIT_DICTIONARY

    ids = set(load_catalogue())
    dictionary = Path(data_dir) / LAIT_DICTIONARY
    if data_dir and dictionary.exists():
        ids |= set(lait_catalogue(dictionary))
    return frozenset(ids)


@functools.lru_cache(maxsize=1024)
def _find(code: str, data_dir: str) -> Council:
    return _directory(data_dir).find(code)


def find_council(code: Any, data_dir: str, path: Path, key: str) -> Council:
    """The council with DfE number or ONS code ``code``, or a ``DataError`` naming the key."""
    try:
        return _find(str(code), data_dir)
    except KeyError as error:
        raise _fail(path, key, error.args[0]) from None


def _check_indicators(ids: Iterable[str], data_dir: str, path: Path, key: str) -> None:
    unknown = [str(i) for i in ids if str(i) not in _indicator_ids(data_dir)]
    if unknown:
        raise _fail(path, key, f"unknown indicator id(s): {', '.join(unknown)}")


def is_path_parameter(name: str) -> bool:
    """True for the parameters that name files or folders (``data_dir``, ``*_file``, ...)."""
    return name in PATH_KEYS or name.endswith(PATH_SUFFIXES)


def resolve_parameters(
    given: Mapping[str, Any], notebook: Path, path: Path, prefix: str = ""
) -> tuple[dict[str, Any], Council | None]:
    """Check ``given`` against ``notebook``'s declared parameters and resolve it.

    Returns every declared parameter (defaults filled in) except ``summary_path``, with paths
    made absolute (relative to the run file ``path``) and ``data_dir`` falling back to
    ``$COMPENDIUM_DFE_DATA``, and the council. Errors name ``prefix + key``.
    """
    declared = notebook_parameters(notebook)
    accepted = [name for name in declared if name not in RESERVED]
    values: dict[str, Any] = {}
    for key, raw in given.items():
        where = f"{prefix}{key}"
        if key not in accepted:
            known = ", ".join(accepted)
            raise _fail(
                path, where, f"unknown parameter {key!r} for {notebook.name}; known: {known}"
            )
        values[key] = _typed(_plain(raw, path, where), declared[key], path, where)
    for key in REQUIRED:
        if key in declared and key not in values:
            raise _fail(path, f"{prefix}{key}", f"the parameter {key!r} is required")
    if "data_dir" in declared and not values.get("data_dir") and os.environ.get(DATA_ENV):
        values["data_dir"] = str(Path(os.environ[DATA_ENV]).resolve())
    for key, value in values.items():
        if is_path_parameter(key) and isinstance(value, str) and value:
            resolved = (path.parent / value).resolve()
            if not resolved.exists():
                where = f"{prefix}{key}"
                raise _fail(path, where, f"expected an existing path, {resolved} does not exist")
            values[key] = str(resolved)
    for key in DATE_KEYS:
        if key in values:
            try:
                dt.date.fromisoformat(str(values[key]))
            except ValueError:
                raise _fail(path, f"{prefix}{key}", "expected a date such as 2025-09-30") from None
    data_dir = str(values.get("data_dir") or "")
    if isinstance(values.get("indicators"), list):
        _check_indicators(values["indicators"], data_dir, path, f"{prefix}indicators")
    for key in INDICATOR_KEYED:
        if isinstance(values.get(key), dict):
            _check_indicators(values[key], data_dir, path, f"{prefix}{key}")
    council = None
    if "council" in values:
        council = find_council(values["council"], data_dir, path, f"{prefix}council")
    for key, value in values.items():
        _literal_safe(value, path, f"{prefix}{key}")
    resolved = {name: declared[name].default for name in accepted if declared[name].literal}
    resolved.update(values)
    return resolved, council


def load_run_file(
    path: str | Path, overrides: dict[str, Any] | None = None, out_dir: Path | None = None
) -> RunFile:
    """Read and check a one-report run file; ``overrides`` replace its keys (``-p NAME VALUE``)."""
    path = Path(path)
    raw = _read_mapping(path)
    if "reports" in raw:
        raise _fail(path, "reports", "a run file of several reports: use compendium batch")
    raw.update(overrides or {})
    notebook = find_notebook(raw.pop("notebook", DEFAULT_NOTEBOOK), path)
    name = raw.pop("name", path.stem)
    if not isinstance(name, str) or not name:
        raise _fail(path, "name", f"expected a run name, found {name!r}")
    parameters, council = resolve_parameters(raw, notebook, path)
    return RunFile(name, notebook, parameters, Path(out_dir or OUTPUTS), council)


def councils_in_data(data_dir: str | Path) -> list[str]:
    """DfE numbers of every council in the data folder's statistical-neighbour model, sorted."""
    from analysis.neighbours import load_neighbours

    return sorted(load_neighbours(Path(data_dir) / NEIGHBOURS_FILE))


def _mapping(value: Any, path: Path, key: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(path, key, f"expected a mapping, found {type(value).__name__} {value!r}")
    return {str(k): v for k, v in value.items()}


def _data_dir(given: Mapping[str, Any], path: Path) -> str:
    """The data folder: the run file's (relative to it), else ``$COMPENDIUM_DFE_DATA``."""
    if given.get("data_dir"):
        return str((path.parent / str(given["data_dir"])).resolve())
    return str(Path(os.environ[DATA_ENV]).resolve()) if os.environ.get(DATA_ENV) else ""


def _councils(value: Any, data_dir: str, path: Path, key: str) -> list[str]:
    if value == "all":
        if not data_dir or not (Path(data_dir) / NEIGHBOURS_FILE).exists():
            raise _fail(
                path,
                key,
                f"'all' needs a data folder with {NEIGHBOURS_FILE} (data_dir or ${DATA_ENV})",
            )
        return councils_in_data(data_dir)
    if isinstance(value, list) and value and all(isinstance(c, str | int) for c in value):
        return [str(c) for c in value]
    raise _fail(path, key, f"expected 'all' or a list of DfE numbers or ONS codes, found {value!r}")


def load_batch(
    path: str | Path, only: Iterable[str] | None = None, out_dir: Path | None = None
) -> Batch:
    """Read and check a run file of one or many reports; ``only`` keeps those councils."""
    path = Path(path)
    raw = _read_mapping(path)
    if "reports" not in raw:
        single = load_run_file(path, out_dir=out_dir)
        runs: list[RunFile] = [single]
        name = single.name
    else:
        for key in raw:
            if key not in BATCH_KEYS:
                raise _fail(path, str(key), f"unknown key {key!r}; known: {', '.join(BATCH_KEYS)}")
        name = raw.get("name", path.stem)
        if not isinstance(name, str) or not name:
            raise _fail(path, "name", f"expected a run name, found {name!r}")
        runs = _batch_runs(raw, path, name, Path(out_dir or OUTPUTS))
    if only is not None:
        runs = _only(runs, list(only), path)
    return Batch(name, path, tuple(runs))


def _batch_runs(raw: dict[str, Any], path: Path, name: str, out_dir: Path) -> list[RunFile]:
    defaults = _mapping(raw.get("defaults"), path, "defaults")
    overrides = {
        code: _mapping(v, path, f"overrides.{code}")
        for code, v in _mapping(raw.get("overrides"), path, "overrides").items()
    }
    reports = raw.get("reports")
    if not isinstance(reports, list) or not reports:
        raise _fail(path, "reports", "expected a list of {notebook, councils} entries")
    entries = []
    for number, entry in enumerate(reports):
        where = f"reports[{number}]"
        entry = _mapping(entry, path, where)
        for key in entry:
            if key not in REPORT_KEYS:
                raise _fail(path, f"{where}.{key}", f"unknown key; known: {', '.join(REPORT_KEYS)}")
        for key in ("notebook", "councils"):
            if key not in entry:
                raise _fail(path, f"{where}.{key}", f"each report needs {key!r}")
        notebook = find_notebook(entry["notebook"], path, f"{where}.notebook")
        own = _mapping(entry.get("parameters"), path, f"{where}.parameters")
        entries.append((where, notebook, own, entry["councils"]))
    declared = {key for _, notebook, _, _ in entries for key in notebook_parameters(notebook)}
    shared = [("defaults", defaults)] + [(f"overrides.{c}", v) for c, v in overrides.items()]
    for where, values in shared:
        for key in values:
            if key not in declared or key in RESERVED:
                raise _fail(path, f"{where}.{key}", f"no notebook of this run declares {key!r}")
    data_dir = _data_dir(defaults, path)
    by_code: dict[str, dict[str, Any]] = {}
    for code, values in overrides.items():
        council = find_council(code, data_dir, path, f"overrides.{code}")
        by_code.setdefault(council.area_code, {}).update(values)
    nested = len({notebook for _, notebook, _, _ in entries}) > 1
    runs: list[RunFile] = []
    seen: set[tuple[Path, str]] = set()
    for where, notebook, own, councils in entries:
        accepts = notebook_parameters(notebook)
        report_dir = _data_dir({**defaults, **own}, path)
        for code in _councils(councils, report_dir, path, f"{where}.councils"):
            council = find_council(code, report_dir, path, f"{where}.councils")
            if (notebook, council.area_code) in seen:
                raise _fail(path, f"{where}.councils", f"{code} has this notebook twice")
            seen.add((notebook, council.area_code))
            given = {k: v for k, v in defaults.items() if k in accepts}
            given.update(own)
            extra = by_code.get(council.area_code, {})
            given.update({k: v for k, v in extra.items() if k in accepts})
            given["council"] = code
            parameters, _ = resolve_parameters(given, notebook, path, f"{where}[{code}].")
            runs.append(RunFile(name, notebook, parameters, out_dir, council, nested))
    return runs


def _only(runs: list[RunFile], codes: list[str], path: Path) -> list[RunFile]:
    wanted: list[str] = []
    for code in codes:
        matches = [
            r for r in runs if r.council and code in (r.council.la_number, r.council.area_code)
        ]
        if not matches:
            raise _fail(path, "--only", f"no report in this run for council {code!r}")
        wanted.extend(r.council.area_code for r in matches if r.council)
    return [r for r in runs if r.council and r.council.area_code in wanted]
