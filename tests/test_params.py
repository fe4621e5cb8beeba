"""Run files: validated with errors that name the file and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.errors import DataError
from analysis.params import OUTPUTS, load_batch, load_run_file, notebook_parameters

GOOD = "council: '936'\nperiod_end: 2025-09-30\n"
#: the quarterly report needs the council's own scorecard as well
QUARTERLY_GOOD = GOOD + "scorecard: scorecard.csv\n"


def _run(tmp_path, text):
    """The run file ``text`` in ``tmp_path``, beside an (empty) ``scorecard.csv``."""
    (tmp_path / "scorecard.csv").write_text("")
    path = tmp_path / "run.yml"
    path.write_text(text)
    return path


def test_minimal_run_file(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPENDIUM_DFE_DATA", raising=False)
    run = load_run_file(_run(tmp_path, QUARTERLY_GOOD))
    assert run.name == "run" and run.notebook.name == "quarterly_report.ipynb"
    assert run.parameters["council"] == "936" and run.parameters["period_end"] == "2025-09-30"


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD + "colour: blue\n", "column colour: unknown parameter 'colour'"),
        ("council: '936'\n", "column period_end: the parameter 'period_end' is required"),
        # the quarterly notebook marks its scorecard "required:" in the parameters cell
        (
            "council: '936'\nperiod_end: 2025-09-30\n",
            "column scorecard: the parameter 'scorecard' is required by quarterly_report.ipynb: "
            "the council's own scorecard file",
        ),
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
    run = load_run_file(_run(tmp_path, QUARTERLY_GOOD), overrides={"council": "E10000030"})
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
    run = load_run_file(_run(tmp_path, QUARTERLY_GOOD.replace("936", "701")))
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
    run = load_run_file(_run(tmp_path, QUARTERLY_GOOD + "previous_summary: last/summary.json\n"))
    assert run.parameters["previous_summary"] == str(tmp_path / "last" / "summary.json")
    with pytest.raises(DataError, match="column previous_summary: expected an existing path"):
        load_run_file(_run(tmp_path, GOOD + "previous_summary: gone/summary.json\n"))


@pytest.mark.parametrize(
    "text, message",
    [
        # YAML keeps the last of two keys: a run for the wrong council would start
        (GOOD + "council: '702'\n", "row 3: expected valid YAML (found the key 'council' twice)"),
        # YAML 1.1 reads 0311 as octal 201: Havering (311) would be the City of London (201)
        (
            "council: 0311\nperiod_end: 2025-09-30\n",
            "column council: no council with DfE number or ONS code '0311'",
        ),
        (
            "council: '936'\nperiod_end: 2025-13-01\n",
            "column period_end: expected a date such as 2025-09-30, found '2025-13-01'",
        ),
        (GOOD + "targets: &a {x: *a}\n", "row 3: expected valid YAML (found the alias *a inside"),
    ],
    ids=["key twice", "leading zero", "month 13", "alias inside itself"],
)
def test_yaml_is_read_as_the_analyst_means_it(tmp_path, text, message):
    with pytest.raises(DataError, match=re.escape(f"run.yml, {message}")):
        load_run_file(_run(tmp_path, text))


def test_a_run_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "run.yml"
    path.write_bytes((GOOD + "# r\xe9union\n").encode("latin-1"))
    with pytest.raises(DataError, match=re.escape("run.yml, row 3: expected UTF-8 text")):
        load_run_file(path)


# each change replaces GOOD's line of the same key or adds one
QUARTERLY = {
    "20250930": ("period_end: 20250930", "column period_end: expected a date such as 2025-09-30"),
    "not a month end": (
        "period_end: 2025-09-01",
        "column period_end: expected the last day of a month, such as 2025-09-30",
    ),
    "future": ("period_end: 2999-12-31", "column period_end: expected a month that has ended"),
    "replaced council": (
        "council: '909'",
        "column council: Cumbria was replaced by Cumberland and Westmorland and Furness on "
        "2023-04-01: use 942 or 943",
    ),
    "indicator twice": (
        "indicators: [rereferrals_12m_pct, rereferrals_12m_pct]",
        "column indicators: expected each indicator once, found rereferrals_12m_pct again",
    ),
    "threshold 0": (
        "small_number_threshold: 0",
        "column small_number_threshold: expected a whole number of 1 or more, found 0",
    ),
    "target as text": (
        "targets: {rereferrals_12m_pct: {target: '85%'}}",
        "column targets.rereferrals_12m_pct.target: expected a number, found '85%'",
    ),
    "target over 100%": (
        "targets: {rereferrals_12m_pct: {target: 150}}",
        "column targets.rereferrals_12m_pct.target: expected a percentage from 0 to 100",
    ),
    "negative tolerance": (
        "targets: {rereferrals_12m_pct: {target: 22, tolerance: -2}}",
        "column targets.rereferrals_12m_pct.tolerance: expected 0 or more, found -2",
    ),
    "no target": (
        "targets: {rereferrals_12m_pct: {tolerance: 2}}",
        "column targets.rereferrals_12m_pct: expected {target: 22, tolerance: 2}",
    ),
    "misspelt key": (
        "targets: {rereferrals_12m_pct: {target: 22, tolerence: 2}}",
        "column targets.rereferrals_12m_pct.tolerence: unknown key",
    ),
    "tolerance type": (
        "targets: {rereferrals_12m_pct: {target: 22, tolerance_type: percent}}",
        "column targets.rereferrals_12m_pct.tolerance_type: expected one of absolute, relative",
    ),
    "scorecard a folder": ("scorecard: .", "column scorecard: expected a file"),
    "rebase not by indicator": (
        "rebase: [2024-04]",
        "column rebase: expected dict, found list ['2024-04']",
    ),
    "rebase unknown indicator": (
        "rebase: {rereferals: [2024-04]}",
        "column rebase: unknown indicator id(s): rereferals",
    ),
    "rebase one month": (
        "rebase: {rereferrals_12m_pct: 2024-04}",
        "column rebase.rereferrals_12m_pct: expected a list of months such as [2024-04]",
    ),
    "rebase month 13": (
        "rebase: {rereferrals_12m_pct: [2024-13]}",
        "column rebase.rereferrals_12m_pct: expected a month such as 2024-04, found '2024-13'",
    ),
    "rebase April": (
        "rebase: {rereferrals_12m_pct: [April 2024]}",
        "column rebase.rereferrals_12m_pct: expected a month such as 2024-04, found 'April 2024'",
    ),
    "data_dir a file": ("data_dir: run.yml", "column data_dir: expected a folder"),
    "name with a path": (
        "name: ../elsewhere",
        "column name: expected a run name (a folder name, no /), found '../elsewhere'",
    ),
}


@pytest.mark.parametrize("case", list(QUARTERLY), ids=list(QUARTERLY))
def test_values_the_report_cannot_use_are_named(tmp_path, monkeypatch, case):
    monkeypatch.delenv("COMPENDIUM_DFE_DATA", raising=False)
    change, message = QUARTERLY[case]
    lines = dict(line.split(": ", 1) for line in [*GOOD.splitlines(), change])
    text = "".join(f"{key}: {value}\n" for key, value in lines.items())
    with pytest.raises(DataError, match=re.escape(f"run.yml, {message}")):
        load_run_file(_run(tmp_path, text))


BENCHMARK = "notebook: benchmark_report\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("council: '936'\nyear: -1\n", "column year: expected 0 (the latest published year)"),
        ("council: '936'\nyear: 25\n", "column year: expected 0 (the latest published year)"),
        ("council: '936'\nmethod: Mean\n", "column method: expected one of mean, median, pooled"),
        # year 0 is the latest published year, after Cumbria was replaced
        ("council: '909'\n", "column council: Cumbria was replaced by Cumberland"),
    ],
    ids=["year -1", "year 25", "method Mean", "replaced council"],
)
def test_benchmark_settings_the_report_cannot_use_are_named(tmp_path, text, message):
    with pytest.raises(DataError, match=re.escape(f"run.yml, {message}")):
        load_run_file(_run(tmp_path, BENCHMARK + text))


def test_a_replaced_council_is_fine_before_it_was_replaced(tmp_path):
    run = load_run_file(_run(tmp_path, BENCHMARK + "council: '909'\nyear: 2023\n"))
    assert run.council.area_name == "Cumbria"
    run = load_run_file(
        _run(tmp_path, "council: '909'\nperiod_end: 2023-03-31\nscorecard: scorecard.csv\n")
    )
    assert run.parameters["period_end"] == "2023-03-31"


def test_a_notebook_that_is_not_one_is_named(tmp_path):
    (tmp_path / "junk.ipynb").write_text("not json\n")
    with pytest.raises(DataError, match="column notebook: expected a Jupyter notebook, .*junk"):
        load_run_file(_run(tmp_path, GOOD + "notebook: junk.ipynb\n"))


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("overrides:", "overrides:\n  '201': {message: x}"),
            "column overrides.201: no report in this run for council '201'",
        ),
        (
            ("message: shared}", "message: shared, council: '201'}"),
            "column defaults.council: each report's councils say whom it is for",
        ),
        (
            ("{message: own}", "{message: own, council: '201'}"),
            "column reports[0].parameters.council: each report's councils say whom it is for",
        ),
        # a second notebook of the same name would write the same folder and page
        (
            (f"{FIXTURES / 'fail.ipynb'}", "echo.ipynb"),
            "column reports[1].councils: 936 has two echo reports",
        ),
        (("name: quarter", "name: ../quarter"), "column name: expected a run name"),
    ],
    ids=["override for no report", "council default", "council parameter", "same name", "name"],
)
def test_reports_that_would_go_wrong_are_named(tmp_path, monkeypatch, demo_data, change, message):
    monkeypatch.setenv("COMPENDIUM_DFE_DATA", str(demo_data))
    (tmp_path / "echo.ipynb").write_bytes((FIXTURES / "echo.ipynb").read_bytes())
    with pytest.raises(DataError, match=re.escape(f"run.yml, {message}")):
        load_batch(_run(tmp_path, BATCH.replace(*change)))


DEEP_DIVE = "notebook: indicator_deep_dive\ncouncil: '936'\nperiod_end: 2025-09-30\n"


@pytest.mark.parametrize(
    "text, message",
    [
        (DEEP_DIVE, "column scorecard: the parameter 'scorecard' is required by"),
        (
            DEEP_DIVE + "scorecard: scorecard.csv\nrebase: ['2024-04', '2024-4']\n",
            "column rebase: expected a month such as 2024-04, found '2024-4'",
        ),
        (
            DEEP_DIVE + "scorecard: scorecard.csv\nrebase: ['2024-02-30']\n",
            "column rebase: expected a month such as 2024-04, found '2024-02-30'",
        ),
    ],
    ids=["no scorecard", "month without its 0", "no such day"],
)
def test_the_deep_dive_needs_a_scorecard_and_months_to_rebase_from(tmp_path, text, message):
    with pytest.raises(DataError, match=re.escape(message)):
        load_run_file(_run(tmp_path, text))


def test_rebase_months_by_indicator_are_accepted(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPENDIUM_DFE_DATA", raising=False)
    text = QUARTERLY_GOOD + "rebase: {rereferrals_12m_pct: [2024-04, 2025-01-31]}\n"
    run = load_run_file(_run(tmp_path, text))
    assert run.parameters["rebase"] == {"rereferrals_12m_pct": ["2024-04", "2025-01-31"]}
