"""Run parameters: a YAML file in ``params/`` that says which report to make, for whom, from what.

Keys (relative paths are taken from the folder of the parameters file)::

    name: demo                      # run name: outputs/<name>/<area code>/
    notebook: quarterly_report      # a notebook in notebooks/ (without .ipynb)
    council: "701"                  # DfE number or ONS code
    period_end: 2025-09-30          # the last month the report covers
    data_dir: ../outputs/demo-data  # folder with ees/ and lait/ (else $COMPENDIUM_DFE_DATA)
    scorecard: ../outputs/demo-data/local/scorecard.csv   # the council's own scorecard (optional)
    indicators: [rereferrals_12m_pct, ...]     # catalogue ids (optional: all)
    targets: {rereferrals_12m_pct: {target: 22, tolerance: 2}}
    fictional: true                 # say prominently that the data are fictional

>>> run = load_run_file("params/demo.yml", overrides={"council": "702"})  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import DataError
from analysis.published import DATA_ENV

REPOSITORY = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPOSITORY / "notebooks"
OUTPUTS = REPOSITORY / "outputs"

#: key -> (type(s) accepted, required)
KEYS: dict[str, tuple[tuple[type, ...], bool]] = {
    "name": ((str,), False),
    "notebook": ((str,), False),
    "council": ((str, int), True),
    "period_end": ((str, dt.date), True),
    "data_dir": ((str,), False),
    "scorecard": ((str,), False),
    "indicators": ((list,), False),
    "targets": ((dict,), False),
    "fictional": ((bool,), False),
}
PATH_KEYS = ("data_dir", "scorecard")


@dataclass(frozen=True)
class RunFile:
    """A validated run: the notebook, its resolved parameters and where outputs go."""

    name: str
    notebook: Path
    parameters: dict[str, Any]
    out_dir: Path


def _fail(path: Path, key: str, expected: str) -> DataError:
    return DataError(path, expected, column=key)


def load_run_file(
    path: str | Path, overrides: dict[str, Any] | None = None, out_dir: Path | None = None
) -> RunFile:
    """Read and check a parameters file; ``overrides`` replace its keys (``-p NAME VALUE``)."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise DataError(path, f"cannot read the parameters file ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DataError(path, "expected valid YAML", row=mark.line + 1 if mark else None) from None
    if not isinstance(raw, dict):
        raise DataError(path, "expected a mapping of parameter names to values")
    raw.update(overrides or {})
    for key, value in raw.items():
        if key not in KEYS:
            raise _fail(path, str(key), f"unknown parameter {key!r}; known: {', '.join(KEYS)}")
        types, _ = KEYS[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            names = " or ".join(t.__name__ for t in types)
            raise _fail(path, key, f"expected {names}, found {type(value).__name__} {value!r}")
    for key, (_, required) in KEYS.items():
        if required and key not in raw:
            raise _fail(path, key, f"the parameter {key!r} is required")
    parameters: dict[str, Any] = {
        "council": str(raw["council"]),
        "period_end": str(raw["period_end"]),
        "data_dir": "",
        "scorecard": "",
        "indicators": list(raw.get("indicators", [])),
        "targets": dict(raw.get("targets", {})),
        "fictional": bool(raw.get("fictional", False)),
    }
    if not raw.get("data_dir") and os.environ.get(DATA_ENV):
        raw["data_dir"] = str(Path(os.environ[DATA_ENV]).resolve())
    for key in PATH_KEYS:
        if raw.get(key):
            resolved = (path.parent / raw[key]).resolve()
            if not resolved.exists():
                raise _fail(path, key, f"expected an existing path, {resolved} does not exist")
            parameters[key] = str(resolved)
    notebook = NOTEBOOKS / f"{raw.get('notebook', 'quarterly_report')}.ipynb"
    if not notebook.exists():
        raise _fail(path, "notebook", f"no notebook {notebook.name} in {NOTEBOOKS}")
    try:
        dt.date.fromisoformat(parameters["period_end"])
    except ValueError:
        raise _fail(path, "period_end", "expected a date such as 2025-09-30") from None
    return RunFile(
        name=str(raw.get("name", path.stem)),
        notebook=notebook,
        parameters=parameters,
        out_dir=Path(out_dir or OUTPUTS),
    )
