"""Run files: validated with errors that name the file and key."""

from __future__ import annotations

import pytest

from analysis.errors import DataError
from analysis.params import load_run_file

GOOD = "council: '936'\nperiod_end: 2025-09-30\n"


def _run(tmp_path, text):
    path = tmp_path / "run.yml"
    path.write_text(text)
    return path


def test_minimal_run_file(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPENDIUM_DFE_DATA", raising=False)
    run = load_run_file(_run(tmp_path, GOOD))
    assert run.name == "run" and run.notebook.name == "quarterly_report.ipynb"
    assert run.parameters["council"] == "936" and run.parameters["period_end"] == "2025-09-30"


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD + "colour: blue\n", "column colour: unknown parameter 'colour'"),
        ("council: '936'\n", "column period_end: the parameter 'period_end' is required"),
        (GOOD + "indicators: rereferrals\n", "column indicators: expected list, found str"),
        (GOOD + "fictional: 'yes'\n", "column fictional: expected bool"),
        (GOOD + "scorecard: missing.csv\n", "column scorecard: expected an existing path"),
        (GOOD + "notebook: nothing\n", "column notebook: no notebook nothing.ipynb"),
        ("council: '936'\nperiod_end: 'soon'\n", "column period_end: expected a date"),
        ("council: [\n", "expected valid YAML"),
    ],
)
def test_bad_run_files(tmp_path, text, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        load_run_file(_run(tmp_path, text))


def test_overrides_replace_keys(tmp_path):
    run = load_run_file(_run(tmp_path, GOOD), overrides={"council": "E10000030"})
    assert run.parameters["council"] == "E10000030"
