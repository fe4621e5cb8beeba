"""Project hygiene: the conda environment matches pyproject, notebooks carry no outputs,
the catalogue has the 19 core indicators of domain.md."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from analysis.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[1]
CORE_IDS = {
    "referrals_rate_per_10k",
    "rereferrals_12m_pct",
    "referrals_nfa_pct",
    "assessments_45d_pct",
    "cin_rate_per_10k",
    "s47_rate_per_10k",
    "icpc_15d_pct",
    "cpp_rate_per_10k",
    "cpp_second_subsequent_pct",
    "cpp_2yrs_plus_pct",
    "cla_rate_per_10k",
    "cla_3plus_placements_pct",
    "cla_missing_pct",
    "care_leavers_eet_pct",
    "care_leavers_accommodation_pct",
    "sw_turnover_pct",
    "sw_agency_pct",
    "sw_vacancy_pct",
    "sw_caseload",
}


def _conda_specs(requirement: str) -> list[str]:
    """The conda packages for a pip requirement: conda has no extras, so ``pkg[extra]>=v`` is
    ``pkg>=v`` and ``extra>=v`` (dask's extra "distributed" is conda-forge's package of that
    name, released with the same version numbers)."""
    match = re.fullmatch(r"([\w.-]+)\[([\w,-]+)\](.*)", requirement.replace(" ", ""))
    if match is None:
        return [requirement.replace(" ", "")]
    name, extras, version = match.groups()
    return [name + version] + [extra + version for extra in extras.split(",")]


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [
        r for extra in project["optional-dependencies"].values() for r in extra
    ]
    pip_side = {spec for r in requirements for spec in _conda_specs(r)}
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_side = {d.replace(" ", "") for d in conda if isinstance(d, str)} - {"python=3.11", "pip"}
    assert pip_side == conda_side
    assert all("[" not in spec for spec in conda_side), "conda specs take no pip extras"


def test_committed_notebooks_have_no_outputs_and_a_parameters_cell():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        notebook = json.loads(path.read_text())
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), path
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in code), path
        assert notebook["metadata"]["kernelspec"]["name"] == "python3"
        assert not any("def " in "".join(c["source"]) for c in code), f"{path}: no functions"


def test_catalogue_has_the_core_indicators_with_every_field():
    catalogue = load_catalogue()
    assert set(catalogue) == CORE_IDS
    for indicator in catalogue.values():
        assert indicator.title and indicator.description and indicator.unit
        assert indicator.local and indicator.local["id"]
        assert "target" not in indicator.source  # targets belong to parameters


def test_council_catalogue_adds_indicators(tmp_path):
    extra = tmp_path / "ours.yml"
    extra.write_text(
        "audits_good_pct:\n  title: Audits rated good or better\n  description: d\n"
        "  polarity: high\n  unit: percent\n  decimal_places: 1\n  period_type: month\n"
        "  local: {id: AUD1, frequency: month}\n  source: {none: local only}\n"
    )
    assert load_catalogue(extra)["audits_good_pct"].polarity == "high"


def test_bad_council_catalogue_names_file_and_indicator(tmp_path):
    from analysis.errors import DataError

    extra = tmp_path / "ours.yml"
    extra.write_text(
        "x:\n  title: t\n  description: d\n  polarity: up\n  unit: '%'\n"
        "  decimal_places: 1\n  period_type: month\n  source: {none: n}\n"
    )
    with pytest.raises(DataError, match=r"ours.yml, column x: indicator 'x': polarity"):
        load_catalogue(extra)


def test_council_catalogue_local_scorecard_entry_is_checked(tmp_path):
    from analysis.errors import DataError

    entry = (
        "x:\n  title: t\n  description: d\n  polarity: high\n  unit: rate per 10,000\n"
        "  decimal_places: 1\n  period_type: month\n  source: {none: n}\n"
    )
    extra = tmp_path / "ours.yml"
    extra.write_text(entry + "  local: {id: X1, frequency: month, flow: true}\n")
    assert load_catalogue(extra)["x"].local_counts_over == "month"
    extra.write_text(entry + "  local: {id: X1, frequency: month, flow: 'yes'}\n")
    with pytest.raises(DataError, match=r"ours.yml, column x: indicator 'x': local flow must"):
        load_catalogue(extra)
    extra.write_text(entry + "  local: {frequency: month}\n")
    with pytest.raises(DataError, match=r"indicator 'x': local must be a mapping with an id"):
        load_catalogue(extra)


def test_every_example_in_the_library_docstrings_gives_what_it_shows():
    # the docstrings' examples are documentation analysts copy from; an example marked
    # "doctest: +SKIP" (one that needs the real files or draws a chart) is not run
    import doctest
    import importlib
    import pkgutil
    import warnings

    import analysis

    failed, tried = {}, 0
    for module in pkgutil.iter_modules(analysis.__path__):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # examples of warnings warn
            result = doctest.testmod(importlib.import_module(f"analysis.{module.name}"))
        tried += result.attempted
        if result.failed:
            failed[module.name] = result.failed
    assert failed == {}
    assert tried > 100


@pytest.mark.parametrize(
    ("columns", "checks", "good", "bad"),
    [
        (
            "      value: agency_rate_fte\n",
            "counts",
            "{numerator: agency_fte, denominator: [inpost_fte]}",
            ["{numerator: agency_fte, denominator: inpost_fte}", "[agency_fte]", "{}"],
        ),
        (
            "      numerator: At31_episodes\n",
            "numerator_balance",
            "{total: Anypoint_episodes, less: [Ended_episodes]}",
            ["{total: Anypoint_episodes}", "{total: [A], less: [E]}", "Anypoint"],
        ),
    ],
)
def test_council_catalogue_counts_to_check_figures_against_are_checked(
    columns, checks, good, bad, tmp_path
):
    from analysis.errors import DataError

    entry = (
        "x:\n  title: t\n  description: d\n  polarity: low\n  unit: percent\n"
        "  decimal_places: 1\n  period_type: snapshot 30 September\n  source:\n    ees:\n"
        "      file: f.csv\n" + columns
    )
    extra = tmp_path / "ours.yml"
    extra.write_text(entry + f"      {checks}: {good}\n")
    assert load_catalogue(extra)["x"].source["ees"][checks] == yaml.safe_load(good)
    for wrong in bad:
        extra.write_text(entry + f"      {checks}: {wrong}\n")
        with pytest.raises(DataError, match=rf"column x: indicator 'x': ees {checks} must be"):
            load_catalogue(extra)
    # each checks another column, which the source must have
    other = "      numerator: n\n" if checks == "counts" else "      value: v\n"
    extra.write_text(entry.replace(columns, other) + f"      {checks}: {good}\n")
    with pytest.raises(DataError, match=rf"ees {checks} must be .*, beside a "):
        load_catalogue(extra)


@pytest.mark.parametrize(
    "command",
    [["check"], ["format", "--check"]],
    ids=["ruff check", "ruff format"],
)
def test_the_code_passes_the_house_linter(command):
    # style.md: ruff for lint and format; `make lint` runs the same two commands.
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip(f"ruff is not installed beside {sys.executable} (pip install -e '.[test]')")
    done = subprocess.run(
        [str(ruff), *command, "analysis", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
