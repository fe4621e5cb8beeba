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

Checks, each a ``DataError`` naming the file and key: unknown keys, keys given twice, wrong
types, missing files and folders (``data_dir`` and any parameter named ``*_dir`` are folders;
``scorecard``, ``previous_summary``, ``*_file`` and ``*_path`` files), unknown councils and
councils replaced before the report's period, unknown or repeated indicator ids (in
``indicators`` and ``indicator``, and the keys of ``targets`` and ``rebase``), targets that are
not ``{target, tolerance, tolerance_type}`` numbers a figure can have, bad dates
(``period_end``: the last day of a month, not after today), a ``year`` that is neither 0 nor a
year, a ``small_number_threshold`` below 1 and an unknown comparator ``method``. Every value
must come back unchanged from the Python literal papermill writes for it, so no value can become
code in the executed notebook.

YAML is read as an analyst means it: a date that is no date (``2025-13-01``) and a whole number
written with a leading 0 stay text (YAML 1.1 would read ``0311`` as the octal 201).

>>> run = load_run_file("params/demo.yml", overrides={"council": "702"})  # doctest: +SKIP
>>> batch = load_batch("params/benchmark_all.yml", only=["936", "E10000016"])  # doctest: +SKIP
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.areas import Council, Directory
from analysis.catalogue import METHODS, Indicator
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
#: how a parameters cell's comment marks another parameter that a run must give
REQUIRED_MARK = "required:"
DATE_KEYS = ("period_end",)
PATH_KEYS = ("data_dir", "scorecard", "previous_summary")
PATH_SUFFIXES = ("_dir", "_file", "_path")
#: mappings keyed by indicator id
INDICATOR_KEYED = ("targets", "rebase")
TARGET_KEYS = ("target", "tolerance", "tolerance_type")
#: a rebase month: 2024-04, or its last day 2024-04-30
REBASE_MONTH = re.compile(r"\d{4}-\d{2}(-\d{2})?")
#: what YAML 1.1 reads as a whole number and a person would too (not 0311, 0x1F or 1:30)
DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
TYPES: dict[str, type] = {t.__name__: t for t in (str, int, float, bool, list, dict)}


@dataclass(frozen=True)
class Parameter:
    """One parameter a notebook declares: its name, type (``None``: any) and default."""

    name: str
    kind: type | None
    default: Any
    literal: bool = True
    """False when the default is not a Python literal (the notebook's own default applies)."""
    help: str = ""
    """The comment beside it in the parameters cell."""

    @property
    def required(self) -> bool:
        """True when its comment starts ``required:``: a run must give it a value."""
        return self.help.lower().startswith(REQUIRED_MARK)


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


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, stricter where YAML 1.1 would silently read something else."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.open_anchors: list[str | None] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and event.anchor in self.open_anchors:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"found the alias *{event.anchor} inside its own anchor",
                event.start_mark,
            )
        self.open_anchors.append(event.anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self.open_anchors.pop()

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = self.construct_object(key_node)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"found the key {key!r} twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node: Any) -> Any:
        text = self.construct_scalar(node)
        return super().construct_yaml_int(node) if DECIMAL.fullmatch(text) else text

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:  # 2025-13-01: text, which the date checks then name
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def read_yaml(text: str, where: str | Path) -> Any:
    """``text`` read as YAML (see the module's notes), or a ``DataError`` naming ``where``.

    >>> read_yaml("council: 0311", "run.yml")
    {'council': '0311'}
    """
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: no Python objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None)
        expected = f"expected valid YAML ({problem})" if problem else "expected valid YAML"
        raise DataError(where, expected, row=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise DataError(where, "expected valid YAML nested less deeply") from None


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError(path, f"cannot read the parameters file ({error.strerror})") from None
    except UnicodeDecodeError as error:
        row = error.object[: error.start].count(b"\n") + 1
        raise DataError(path, "expected UTF-8 text", row=row) from None
    raw = read_yaml(text, path) or {}
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
        declared[name] = Parameter(name, kind, default, literal, info.get("help") or "")
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
    else:
        notebook = NOTEBOOKS / f"{value}.ipynb"
        if not notebook.exists():
            raise _fail(path, key, f"no notebook {notebook.name} in {NOTEBOOKS}")
    try:
        notebook_parameters(notebook)
    except (OSError, ValueError) as error:  # nbformat's NotJSONError is a ValueError
        raise _fail(path, key, f"expected a Jupyter notebook, {notebook}: {error}") from None
    return notebook


def _run_name(raw: Mapping[str, Any], path: Path) -> str:
    """The run's name (the run file's name by default): one folder of the outputs."""
    name = raw.get("name", path.stem)
    if not isinstance(name, str) or not name or Path(name).name != name or name == "..":
        raise _fail(path, "name", f"expected a run name (a folder name, no /), found {name!r}")
    return name


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
def _indicators(data_dir: str) -> dict[str, Indicator]:
    """The catalogue's indicators, with the data folder's LAIT measures (not to be changed)."""
    from analysis.catalogue import lait_catalogue, load_catalogue
    from analysis.published import LAIT_DICTIONARY

    dictionary = Path(data_dir) / LAIT_DICTIONARY
    lait = lait_catalogue(dictionary) if data_dir and dictionary.exists() else {}
    return {**lait, **load_catalogue()}


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
    ids = [str(i) for i in ids]
    unknown = [i for i in ids if i not in _indicators(data_dir)]
    if unknown:
        raise _fail(path, key, f"unknown indicator id(s): {', '.join(unknown)}")
    repeated = sorted(i for i, count in Counter(ids).items() if count > 1)
    if repeated:
        raise _fail(path, key, f"expected each indicator once, found {', '.join(repeated)} again")


def _check_targets(targets: Mapping[str, Any], data_dir: str, path: Path, key: str) -> None:
    """Each target a mapping ``{target, tolerance, tolerance_type}`` of numbers it can be."""
    import pandas as pd

    from analysis.rag import TOLERANCE_TYPES
    from analysis.values import impossible_figures

    for indicator, given in targets.items():
        where = f"{key}.{indicator}"
        if not isinstance(given, dict) or "target" not in given:
            raise _fail(path, where, f"expected {{target: 22, tolerance: 2}}, found {given!r}")
        for name in given:
            if name not in TARGET_KEYS:
                raise _fail(
                    path, f"{where}.{name}", f"unknown key; known: {', '.join(TARGET_KEYS)}"
                )
        for name in ("target", "tolerance"):
            number = given.get(name, 0)
            if (
                isinstance(number, bool)
                or not isinstance(number, int | float)
                or not math.isfinite(number)
            ):
                raise _fail(path, f"{where}.{name}", f"expected a number, found {number!r}")
            if name == "tolerance" and number < 0:
                raise _fail(path, f"{where}.{name}", f"expected 0 or more, found {number!r}")
        unit = _indicators(data_dir)[indicator].unit
        impossible = impossible_figures(pd.Series([given["target"]]), None, None, unit)
        if impossible:
            raise _fail(path, f"{where}.target", impossible[2])
        kind = given.get("tolerance_type", "absolute")
        if kind not in TOLERANCE_TYPES:
            raise _fail(
                path,
                f"{where}.tolerance_type",
                f"expected one of {', '.join(TOLERANCE_TYPES)}, found {kind!r}",
            )


def _check_month_end(value: Any, path: Path, key: str) -> None:
    """``period_end``: the last day of the last month the report covers, a month that has ended."""
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        day = None
    if day is None or day.isoformat() != value:  # not 20250930 nor 2025-W39 either
        raise _fail(path, key, f"expected a date such as 2025-09-30, found {value!r}")
    if (day + dt.timedelta(days=1)).day != 1:
        raise _fail(
            path, key, f"expected the last day of a month, such as 2025-09-30, found {value!r}"
        )
    if day > dt.date.today():
        raise _fail(path, key, f"expected a month that has ended, found {value!r}")


def _is_month(text: Any) -> bool:
    """True for a month such as ``2024-04`` or its last day ``2024-04-30``."""
    if not (isinstance(text, str) and REBASE_MONTH.fullmatch(text)):
        return False
    try:
        dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        return False
    return True


def _check_rebase(value: Any, path: Path, key: str) -> None:
    """``rebase``: months such as ``2024-04`` (or their last days), as one list or by indicator."""
    by_indicator = value.items() if isinstance(value, dict) else [(None, value)]
    for indicator, months in by_indicator:
        where = key if indicator is None else f"{key}.{indicator}"
        if not isinstance(months, list):
            found = type(months).__name__
            raise _fail(path, where, f"expected a list of months such as [2024-04], found {found}")
        for month in months:
            if not _is_month(month):
                raise _fail(path, where, f"expected a month such as 2024-04, found {month!r}")


def _check_settings(values: Mapping[str, Any], path: Path, prefix: str) -> None:
    """``year``, ``small_number_threshold`` and ``method``: values the reports can use."""
    year = values.get("year")
    if isinstance(year, int) and year != 0 and not 1000 <= year <= 9999:
        raise _fail(
            path,
            f"{prefix}year",
            f"expected 0 (the latest published year) or a year such as 2025, found {year!r}",
        )
    threshold = values.get("small_number_threshold")
    if isinstance(threshold, int) and threshold < 1:
        raise _fail(
            path,
            f"{prefix}small_number_threshold",
            f"expected a whole number of 1 or more, found {threshold!r}",
        )
    if "method" in values and values["method"] not in METHODS:
        raise _fail(
            path,
            f"{prefix}method",
            f"expected one of {', '.join(METHODS)}, found {values['method']!r}",
        )


def _check_not_replaced(
    council: Council, resolved: Mapping[str, Any], data_dir: str, path: Path, key: str
) -> None:
    """A council split or merged away before the report's period has no figures for it."""
    period_end, year = resolved.get("period_end"), resolved.get("year")
    for change in _directory(data_dir).changes_to(council.la_number):
        # ISO dates compare as text; a published year is the year its period ends in
        after = (isinstance(period_end, str) and period_end >= change.effective_from) or (
            isinstance(year, int) and (year == 0 or year > int(change.effective_from[:4]))
        )
        if change.change in ("split", "merged") and after:
            successors = " or ".join(change.members.split(";"))
            raise _fail(path, key, f"{change.note} on {change.effective_from}: use {successors}")


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
            where = f"{prefix}{key}"
            if not resolved.exists():
                raise _fail(path, where, f"expected an existing path, {resolved} does not exist")
            folder = key.endswith("_dir")
            if resolved.is_dir() != folder:
                wanted = "a folder" if folder else "a file"
                raise _fail(path, where, f"expected {wanted}, {resolved} is not one")
            values[key] = str(resolved)
    for key in DATE_KEYS:
        if key in values:
            _check_month_end(values[key], path, f"{prefix}{key}")
    _check_settings(values, path, prefix)
    data_dir = str(values.get("data_dir") or "")
    if isinstance(values.get("indicators"), list):
        _check_indicators(values["indicators"], data_dir, path, f"{prefix}indicators")
    if isinstance(values.get("indicator"), str):
        _check_indicators([values["indicator"]], data_dir, path, f"{prefix}indicator")
    for key in INDICATOR_KEYED:
        if isinstance(values.get(key), dict):
            _check_indicators(values[key], data_dir, path, f"{prefix}{key}")
    if isinstance(values.get("targets"), dict):
        _check_targets(values["targets"], data_dir, path, f"{prefix}targets")
    if "rebase" in values:
        _check_rebase(values["rebase"], path, f"{prefix}rebase")
    for key, value in values.items():
        _literal_safe(value, path, f"{prefix}{key}")
    resolved = {name: declared[name].default for name in accepted if declared[name].literal}
    resolved.update(values)
    council = None
    if "council" in values:
        council = find_council(values["council"], data_dir, path, f"{prefix}council")
        _check_not_replaced(council, resolved, data_dir, path, f"{prefix}council")
    for key, parameter in declared.items():
        if parameter.required and not values.get(key):
            why = parameter.help[len(REQUIRED_MARK) :].strip()
            expected = f"the parameter {key!r} is required by {notebook.name}: {why}"
            raise _fail(path, f"{prefix}{key}", expected)
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
    try:
        notebook = find_notebook(raw.pop("notebook", DEFAULT_NOTEBOOK), path)
        name = _run_name(raw, path)
        raw.pop("name", None)
        parameters, council = resolve_parameters(raw, notebook, path)
    except DataError as error:
        given = str(error.column or "").split(".")[0]
        if error.path != str(path) or given not in (overrides or {}):
            raise
        # the value came from the command line, not the file: name the -p that gave it
        column = error.column if error.column != given else None
        raise DataError(f"-p {given}", error.expected, column=column) from None
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
        name = _run_name(raw, path)
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
    for where, values in shared + [(f"{w}.parameters", own) for w, _, own, _ in entries]:
        if "council" in values:
            raise _fail(path, f"{where}.council", "each report's councils say whom it is for")
    data_dir = _data_dir(defaults, path)
    by_code: dict[str, dict[str, Any]] = {}
    overridden: dict[str, str] = {}
    for code, values in overrides.items():
        council = find_council(code, data_dir, path, f"overrides.{code}")
        by_code.setdefault(council.area_code, {}).update(values)
        overridden[code] = council.area_code
    nested = len({notebook for _, notebook, _, _ in entries}) > 1
    runs: list[RunFile] = []
    seen: set[tuple[str, str]] = set()
    for where, notebook, own, councils in entries:
        accepts = notebook_parameters(notebook)
        report_dir = _data_dir({**defaults, **own}, path)
        for code in _councils(councils, report_dir, path, f"{where}.councils"):
            council = find_council(code, report_dir, path, f"{where}.councils")
            # the output folder and page are named by the notebook's file name
            if (notebook.stem, council.area_code) in seen:
                raise _fail(path, f"{where}.councils", f"{code} has two {notebook.stem} reports")
            seen.add((notebook.stem, council.area_code))
            given = {k: v for k, v in defaults.items() if k in accepts}
            given.update(own)
            extra = by_code.get(council.area_code, {})
            given.update({k: v for k, v in extra.items() if k in accepts})
            given["council"] = code
            parameters, _ = resolve_parameters(given, notebook, path, f"{where}[{code}].")
            runs.append(RunFile(name, notebook, parameters, out_dir, council, nested))
    for code, area_code in overridden.items():
        if all(run.council and run.council.area_code != area_code for run in runs):
            raise _fail(path, f"overrides.{code}", f"no report in this run for council {code!r}")
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
