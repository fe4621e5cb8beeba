"""Run files: validated with errors that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import DataError
from analysis.params import OUTPUTS, load_batch, load_run_file, notebook_parameters

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


# Parameters come from the notebook's parameters cell; fixtures/echo.ipynb declares council,
# period_end, data_dir, message (str), targets (dict), pause (float) and summary_path.
FIXTURES = Path(__file__).parent / "fixtures"
ECHO = f"notebook: {FIXTURES / 'echo.ipynb'}\n"


def test_parameters_are_the_notebooks_declared_ones(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPENDIUM_DFE_DATA", raising=False)
    declared = notebook_parameters(FIXTURES / "echo.ipynb")
    assert {n: p.kind for n, p in declared.items()} == {
        "council": str,
        "period_end": str,
        "data_dir": str,
        "message": str,
        "targets": dict,
        "pause": float,
        "summary_path": str,
    }
    run = load_run_file(_run(tmp_path, ECHO + "council: 936\nperiod_end: 2025-03-31\npause: 1\n"))
    # defaults filled in, a whole number read as text for a text parameter and 1 as 1.0
    assert run.parameters == {
        "council": "936",
        "period_end": "2025-03-31",
        "data_dir": "",
        "message": "",
        "targets": {},
        "pause": 1.0,
    }
    assert run.council.area_code == "E10000030" and run.notebook == FIXTURES / "echo.ipynb"


@pytest.mark.parametrize(
    "text, message",
    [
        ("fictional: true\n", "column fictional: unknown parameter 'fictional' for echo.ipynb"),
        ("summary_path: x.json\n", "column summary_path: unknown parameter"),
        ("pause: soon\n", "column pause: expected float, found str"),
        ("message: [a]\n", "column message: expected str, found list"),
    ],
)
def test_notebook_specific_checks(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        load_run_file(_run(tmp_path, ECHO + GOOD + text))


def test_unknown_councils_and_indicators_are_named(tmp_path):
    with pytest.raises(
        DataError, match="column council: no council with DfE number or ONS code '999'"
    ):
        load_run_file(_run(tmp_path, "council: '999'\nperiod_end: 2025-09-30\n"))
    with pytest.raises(
        DataError, match=r"run.yml, column indicators: unknown indicator id\(s\): nope"
    ):
        load_run_file(_run(tmp_path, GOOD + "indicators: [rereferrals_12m_pct, nope]\n"))
    with pytest.raises(DataError, match=r"column targets: unknown indicator id\(s\): made_up"):
        load_run_file(_run(tmp_path, GOOD + "targets: {made_up: {target: 1}}\n"))


def test_data_dir_falls_back_to_the_environment(tmp_path, monkeypatch, demo_data):
    monkeypatch.setenv("COMPENDIUM_DFE_DATA", str(demo_data))
    # the demo council 701 is known only from the demo data's population file
    run = load_run_file(_run(tmp_path, "council: '701'\nperiod_end: 2025-09-30\n"))
    assert run.parameters["data_dir"] == str(demo_data.resolve())
    assert run.council.area_code == "E10999701"


BATCH = f"""name: quarter
defaults: {{period_end: 2025-09-30, message: shared}}
reports:
  - notebook: {FIXTURES / "echo.ipynb"}
    councils: ["936", E10000016, 702]
    parameters: {{message: own}}
  - notebook: {FIXTURES / "fail.ipynb"}
    councils: ["936"]
overrides:
  E10000030: {{targets: {{rereferrals_12m_pct: {{target: 20}}}}}}
"""


def test_run_file_of_many_reports(tmp_path, monkeypatch, demo_data):
    monkeypatch.setenv("COMPENDIUM_DFE_DATA", str(demo_data))
    batch = load_batch(_run(tmp_path, BATCH))
    assert batch.name == "quarter"
    assert [r.label for r in batch.reports] == [
        "E10000030/echo",
        "E10000016/echo",
        "E10999702/echo",
        "E10000030/fail",
    ]
    first, kent, demo, failing = batch.reports
    # report parameters beat defaults; the override for Surrey (936 = E10000030) reaches it only
    assert first.parameters["message"] == "own" and kent.parameters["targets"] == {}
    assert first.parameters["targets"] == {"rereferrals_12m_pct": {"target": 20}}
    # fail.ipynb does not declare message or targets, so the defaults it lacks are not passed
    assert failing.parameters == {"council": "936", "period_end": "2025-09-30"}
    # two notebooks: each council's reports go in a folder per notebook
    assert failing.report_dir() == OUTPUTS / "quarter" / "E10000030" / "fail"
    only = load_batch(_run(tmp_path, BATCH), only=["E10000030"])
    assert [r.label for r in only.reports] == ["E10000030/echo", "E10000030/fail"]


def test_all_means_every_council_in_the_data(tmp_path, demo_data):
    head = f"defaults: {{period_end: 2025-09-30, data_dir: {demo_data}}}\nreports:\n"
    failing = f"  - {{notebook: {FIXTURES / 'fail.ipynb'}, councils: all}}\n"
    with pytest.raises(DataError, match="column defaults.data_dir: no notebook of this run"):
        load_batch(_run(tmp_path, head + failing))
    batch = load_batch(_run(tmp_path, head + failing.replace("fail.ipynb", "echo.ipynb")))
    # the demo neighbour model has the 30 fictional councils 701 to 730
    assert [r.parameters["council"] for r in batch.reports] == [str(n) for n in range(701, 731)]
    assert batch.reports[0].report_dir() == OUTPUTS / "run" / "E10999701"


@pytest.mark.parametrize(
    "change, message",
    [
        ("colour: blue\n", "column colour: unknown key 'colour'"),
        ("overrides: {'936': {fictional: true}}\n", "column overrides.936.fictional: no notebook"),
        ("overrides: {'999': {message: x}}\n", "column overrides.999: no council"),
        ("reports: []\n", "column reports: expected a list"),
    ],
)
def test_bad_run_files_of_many_reports(tmp_path, change, message):
    text = BATCH.split("overrides:")[0] if "overrides" in change else BATCH
    if change.startswith("reports"):
        text = "name: quarter\n"
    with pytest.raises(DataError, match=message):
        load_batch(_run(tmp_path, text + change))


def test_bad_reports_are_named(tmp_path, monkeypatch, demo_data):
    monkeypatch.setenv("COMPENDIUM_DFE_DATA", str(demo_data))
    bad_council = BATCH.replace('["936", E10000016, 702]', '["936", "99X"]')
    with pytest.raises(DataError, match=r"column reports\[0\].councils: no council .*'99X'"):
        load_batch(_run(tmp_path, bad_council))
    bad_type = BATCH.replace("{message: own}", "{message: own, pause: later}")
    with pytest.raises(DataError, match=r"column reports\[0\]\[936\].pause: expected float"):
        load_batch(_run(tmp_path, bad_type))
    with pytest.raises(DataError, match="column --only: no report in this run for council '201'"):
        load_batch(_run(tmp_path, BATCH), only=["201"])


TRICKY = (
    "a \"quote\", a 'quote', \"\"\"triple\"\"\", '''triple''', a \\ backslash,"
    '\nnew line\r\n\t"); import os; os._exit(1) #'
)


def test_values_cannot_become_code(tmp_path):
    """papermill writes each value as a Python literal; it reads back as the same value."""
    import yaml
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    text = ECHO + GOOD + yaml.safe_dump({"message": TRICKY, "targets": {"x' + 1 + '": TRICKY}})
    with pytest.raises(DataError, match="column targets: unknown indicator"):
        load_run_file(_run(tmp_path, text))
    text = ECHO + GOOD + yaml.safe_dump({"message": TRICKY})
    run = load_run_file(_run(tmp_path, text))
    assert run.parameters["message"] == TRICKY
    notebook = parameterize_notebook(load_notebook_node(str(run.notebook)), run.parameters)
    injected = next(
        c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])
    )
    namespace: dict = {}
    exec(injected.source, namespace)  # the injected cell assigns plain values and nothing else
    assert namespace["message"] == TRICKY
    assert len([line for line in injected.source.splitlines() if "=" in line]) == len(
        run.parameters
    )


def test_previous_summary_is_a_path_relative_to_the_run_file(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPENDIUM_DFE_DATA", raising=False)
    (tmp_path / "last").mkdir()
    (tmp_path / "last" / "summary.json").write_text("{}")
    run = load_run_file(_run(tmp_path, GOOD + "previous_summary: last/summary.json\n"))
    assert run.parameters["previous_summary"] == str(tmp_path / "last" / "summary.json")
    with pytest.raises(DataError, match="column previous_summary: expected an existing path"):
        load_run_file(_run(tmp_path, GOOD + "previous_summary: gone/summary.json\n"))
