"""Bad input through the ``compendium`` command: exit code 2, one line on stderr naming the
file, row or key and what was expected, no traceback and no output written.

Run files are checked by ``analysis.params.load_run_file`` before anything renders, so these
cases are fast; damaged data files go through ``compendium validate`` (every loader) and
``compendium scorecard``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.cli import main

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"


def _one_line_error(capsys, code: int) -> str:
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("compendium: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]


RUN_FILES = {
    "unknown key": ({"colour": "red"}, "column colour: unknown parameter 'colour'"),
    "wrong type": ({"council": [701]}, "column council: expected str"),
    "not a date": ({"period_end": "last quarter"}, "column period_end: expected a date"),
    "wrong type of flag": ({"fictional": "yes"}, "column fictional: expected bool"),
    "missing file": ({"scorecard": "no_such.csv"}, "column scorecard: expected an existing path"),
    "unknown indicator": (
        {"indicators": ["rereferrals_12m_pct", "nope_pct"]},
        "column indicators: unknown indicator id(s): nope_pct",
    ),
    "unknown council": ({"council": "799"}, "column council: no council with DfE number"),
    "unknown notebook": ({"notebook": "nope"}, "column notebook: no notebook nope.ipynb"),
    "replaced council": (
        {"council": "909"},
        "column council: Cumbria was replaced by Cumberland and Westmorland and Furness on "
        "2023-04-01: use 942 or 943",
    ),
    "not a month end": (
        {"period_end": "2025-09-01"},
        "column period_end: expected the last day of a month",
    ),
    "target not a number": (
        {"targets": {"rereferrals_12m_pct": {"target": "85%"}}},
        "column targets.rereferrals_12m_pct.target: expected a number, found '85%'",
    ),
    "folder for a file": ({"scorecard": "."}, "column scorecard: expected a file"),
    "run name with a path": ({"name": "../elsewhere"}, "column name: expected a run name"),
}


@pytest.mark.parametrize("case", list(RUN_FILES), ids=list(RUN_FILES))
def test_bad_run_file_is_one_line_naming_the_key(case, demo_data, tmp_path, capsys):
    change, message = RUN_FILES[case]
    run = {"council": "701", "period_end": "2025-09-30", "data_dir": str(demo_data)} | change
    path = tmp_path / "run.yml"
    path.write_text(yaml.safe_dump(run), encoding="utf-8")
    out = tmp_path / "out"
    line = _one_line_error(capsys, main(["render", str(path), "--out", str(out)]))
    assert line == f"compendium: {path}, {message}" or line.startswith(
        f"compendium: {path}, {message}"
    )
    assert not out.exists(), "no partial output"


@pytest.mark.parametrize(
    "arguments",
    [["batch", "run.yml", "--workers", "0"], ["fetch", "--out", "d", "--retries", "two"]],
    ids=["no workers", "retries not a number"],
)
def test_a_count_below_one_or_not_a_number_is_refused(arguments, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(arguments)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "Traceback" not in err
    option, value = arguments[-2:]
    assert f"argument {option}: expected a whole number of 1 or more, found {value!r}" in err


@pytest.mark.parametrize("period", ["25", "3000", "last"])
def test_the_scorecard_period_must_be_a_year(period, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["scorecard", "--data-dir", ".", "--la", "936", "--period", period])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "Traceback" not in err
    assert f"argument --period: expected a year such as 2025, found {period!r}" in err


def test_scorecard_indicators_are_checked_and_each_reported_once(demo_data, capsys):
    code = main(
        ["scorecard", "--data-dir", str(demo_data), "--la", "701", "--period", "2025"]
        + ["--indicators", "rereferals_12m_pct", "cla_rate_per_10k"]
    )
    line = _one_line_error(capsys, code)
    assert line == (
        "compendium: the command line, column --indicators: expected catalogue indicator ids, "
        "found rereferals_12m_pct"
    )
    twice = ["--indicators", "rereferrals_12m_pct", "cla_rate_per_10k", "rereferrals_12m_pct"]
    code = main(
        ["scorecard", "--data-dir", str(demo_data), "--la", "701", "--period", "2025"]
        + twice
        + ["--format", "csv"]
    )
    captured = capsys.readouterr()
    assert code == 0 and "Traceback" not in captured.err
    rows = captured.out.strip().splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == ["rereferrals_12m_pct", "cla_rate_per_10k"]


def test_validate_with_nothing_to_validate_is_an_error(tmp_path, capsys):
    line = _one_line_error(capsys, main(["validate", str(tmp_path)]))
    assert line == (
        f"compendium: {tmp_path}: expected data files that Compendium reads, found none"
    )


def test_more_workers_than_cores_is_a_warning_and_the_batch_runs(monkeypatch, capsys):
    import analysis.batch

    ran = []
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.setattr(analysis.batch, "main_batch", lambda *args: ran.append(args) or 0)
    assert main(["batch", "run.yml", "--workers", "3"]) == 0
    assert ran and ran[0][2] == 3
    assert capsys.readouterr().err == (
        "compendium: warning: --workers 3 is more than this machine's 2 cores; the extra "
        "kernels only wait for a core, each holding its own copy of the data\n"
    )
    assert main(["batch", "run.yml", "--workers", "2"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("council", "[1", "-p council, row 1: expected valid YAML (expected ',' or ']', but"),
        # YAML 1.1 would read 0311 as octal 201, the City of London instead of Havering
        ("council", "0311", "-p council: no council with DfE number or ONS code '0311'"),
        # no space after the colons: one key "target:20", not a target of 20
        (
            "targets",
            "{rereferrals_12m_pct:{target:20}}",
            "-p targets, column targets.rereferrals_12m_pct: expected {{target: 22, tolerance: "
            "2}}, found {{'target:20': None}}",
        ),
        # the error names the -p that gave the value, not the run file, which is right
        ("indicators", "[nope_pct]", "-p indicators: unknown indicator id(s): nope_pct"),
        ("colour", "red", "-p colour: unknown parameter 'colour'"),
    ],
    ids=["not YAML", "leading zero", "no spaces", "unknown indicator", "unknown key"],
)
def test_parameter_overrides_are_read_as_run_files_are(
    name, value, message, demo_run_file, tmp_path, capsys
):
    out = tmp_path / "out"
    code = main(["render", str(demo_run_file), "-p", name, value, "--out", str(out)])
    line = _one_line_error(capsys, code)
    assert line.startswith(f"compendium: {message.format(run=demo_run_file)}"), line
    assert not out.exists()


@pytest.mark.parametrize(
    "arguments",
    [["render", "run.yml"], ["batch", "run.yml"], ["demo"], ["fetch"]],
    ids=["render", "batch", "demo", "fetch"],
)
def test_out_must_be_a_folder(arguments, tmp_path, capsys):
    taken = tmp_path / "report.html"
    taken.write_text("")
    with pytest.raises(SystemExit) as stopped:
        main([*arguments, "--out", str(taken / "sub")])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "Traceback" not in err
    assert f"argument --out: expected a folder, {taken} is a file" in err


def test_missing_run_file_and_invalid_yaml(tmp_path, capsys):
    line = _one_line_error(capsys, main(["render", str(tmp_path / "none.yml")]))
    assert str(tmp_path / "none.yml") in line
    bad = tmp_path / "bad.yml"
    bad.write_text("council: '701'\nperiod_end: [2025\n", encoding="utf-8")
    line = _one_line_error(capsys, main(["render", str(bad)]))
    assert f"{bad}" in line and "YAML" in line


def _damaged_folder(demo_data, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(demo_data, folder)
    return folder


def test_validate_names_file_row_and_column_for_every_loader(demo_data, tmp_path, capsys):
    folder = _damaged_folder(demo_data, tmp_path)
    ees = folder / "ees"
    # EES (and the folder as a whole)
    lines = (ees / C1).read_text().splitlines()
    cells = lines[5].split(",")
    cells[13] = "twenty"
    (ees / C1).write_text("\n".join(lines[:5] + [",".join(cells)] + lines[6:]) + "\n")
    # population: a negative estimate
    # (in a folder of its own: the EES files beside it would fail on it too, naming it)
    (tmp_path / "population").mkdir()
    population = tmp_path / "population" / "ons_mid-year_population_estimates_2012_to_2024.csv"
    rows = (ees / population.name).read_text().splitlines()
    rows[3] = rows[3].rsplit(",", 1)[0] + ",-5"
    population.write_text("\n".join(rows) + "\n")
    # neighbours: a council twice
    neighbours = ees / "sn_model_2025_wide.csv"
    text = neighbours.read_text(encoding="utf-8-sig").splitlines()
    neighbours.write_text("\n".join(text + [text[1]]) + "\n")
    # LAIT: text in Values
    parquet = folder / "lait" / "bds_long.parquet"
    raw = pd.read_parquet(parquet).astype({"Values": object})
    raw.loc[0, "Values"] = "lots"
    raw.to_parquet(parquet)
    # scorecard: a percentage over 100
    scorecard = folder / "local" / "scorecard.csv"
    local = scorecard.read_text().splitlines()
    row = next(i for i, line in enumerate(local) if line.startswith("rereferrals_12m_pct,"))
    parts = local[row].split(",")
    parts[4:7] = ["250", "", ""]
    local[row] = ",".join(parts)
    scorecard.write_text("\n".join(local) + "\n")
    # a council catalogue with a bad polarity, and a run file with an unknown key
    (tmp_path / "our_indicators.yml").write_text(
        yaml.safe_dump(
            {
                "visits_pct": {
                    "title": "Visits",
                    "description": "d",
                    "polarity": "up",
                    "unit": "percent",
                    "decimal_places": 1,
                    "period_type": "month",
                    "source": {"none": "local"},
                }
            }
        )
    )
    (tmp_path / "run.yml").write_text("council: '701'\nperiod_end: 2025-09-30\ncolour: red\n")

    code = main(
        [
            "validate",
            str(folder),
            str(population),
            str(tmp_path / "our_indicators.yml"),
            str(tmp_path / "run.yml"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 2 and "Traceback" not in out
    expected = [
        f"FAIL {ees / C1}: {ees / C1}, row 6, column rereferral_percent: expected a number",
        f"FAIL {population}: {population}, row 4, column population_estimate: expected 0 or more",
        f"FAIL {neighbours}: {neighbours}, row {len(text) + 1}, column old_la_code: expected one "
        "row for council",
        f"FAIL {parquet}: {parquet}, row 1, column Values: expected a number",
        f"FAIL {scorecard}: {scorecard}, row {row + 1}, column value: expected a percentage from 0 "
        "to 100, found 250",
        f"FAIL {tmp_path / 'our_indicators.yml'}: {tmp_path / 'our_indicators.yml'}, column "
        "visits_pct: indicator 'visits_pct': polarity must be one of",
        f"FAIL {tmp_path / 'run.yml'}: {tmp_path / 'run.yml'}, column colour: unknown parameter",
        f"FAIL {folder}: ",
    ]
    for line in expected:
        assert line in out, line
    assert "ok   " in out  # the files left whole still pass
    assert out.strip().splitlines()[-1].endswith(f"{len(expected)} failed")


def test_validate_names_a_failed_population_file_once(demo_data, tmp_path, capsys):
    # the files read with the ONS population (the rates per 10,000, the Ofsted workbook's
    # councils) are not checked: their lines point at it, and its own line gives the error
    folder = _damaged_folder(demo_data, tmp_path)
    population = folder / "ees" / "ons_mid-year_population_estimates_2012_to_2024.csv"
    rows = population.read_text().splitlines()
    rows[3] = rows[3].rsplit(",", 1)[0] + ",-5"
    population.write_text("\n".join(rows) + "\n")
    code = main(["validate", str(folder)])
    out = capsys.readouterr().out
    assert code == 2 and "Traceback" not in out
    failed = [line for line in out.splitlines() if line.startswith("FAIL ")]
    named = [line for line in failed if "row 4, column population_estimate" in line]
    assert named == [
        f"FAIL {population}: {population}, row 4, column population_estimate: expected 0 or "
        "more, found -5"
    ]
    others = [line for line in failed if line not in named]
    assert others and all(
        line.endswith(f"not checked, as {population.name}, read with it, failed") for line in others
    )
    assert f"FAIL {folder / 'ees' / C1}: " in out  # a rate per 10,000 is read with it
    assert f"ok   {folder / 'ees' / 'sn_model_2025_wide.csv'}: " in out  # not read with it


def _rereferrals_over_100(folder: Path) -> Path:
    """The folder's c1 file with 130% re-referrals on its row 6; returns the file."""
    path = folder / "ees" / C1
    lines = path.read_text().splitlines()
    cells = lines[5].split(",")
    cells[13] = "130"
    path.write_text("\n".join(lines[:5] + [",".join(cells)] + lines[6:]) + "\n")
    return path


def test_scorecard_command_on_damaged_data_is_one_line(demo_data, tmp_path, capsys):
    folder = _damaged_folder(demo_data, tmp_path)
    path = _rereferrals_over_100(folder)
    code = main(["scorecard", "--data-dir", str(folder), "--la", "701", "--period", "2025"])
    line = _one_line_error(capsys, code)
    assert f"{path}, row 6, column rereferral_percent: expected a percentage from 0 to 100" in line


@pytest.mark.slow
def test_render_on_damaged_data_is_one_line_and_writes_nothing(
    demo_data, demo_run_file, tmp_path, capsys
):
    # The loader's error is raised inside the notebook's kernel; the command still ends with
    # its one line (exit 2), not the cell's traceback nor the kernel's own log lines.
    folder = _damaged_folder(demo_data, tmp_path)
    path = _rereferrals_over_100(folder)
    run = tmp_path / "demo.yml"
    run.write_text(demo_run_file.read_text().replace(str(demo_data), str(folder)))
    out = tmp_path / "outputs"
    code = main(["render", str(run), "--out", str(out)])
    line = _one_line_error(capsys, code)
    assert f"{path}, row 6, column rereferral_percent: expected a percentage from 0 to 100" in line
    assert not out.exists() or not any(out.rglob("*.html"))


def test_commands_on_a_cut_short_workbook_are_one_line(demo_data, tmp_path, capsys):
    # A workbook cut short is no zip file: a DataError naming it, not the reader's traceback.
    folder = _damaged_folder(demo_data, tmp_path)
    ods = folder / "ees" / "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
    ods.write_bytes(ods.read_bytes()[:1000])
    code = main(["scorecard", "--data-dir", str(folder), "--la", "701", "--period", "2025"])
    line = _one_line_error(capsys, code)
    assert line == f"compendium: {ods}: expected an ODS workbook, found a damaged one " + (
        "(Cannot detect file format)"
    )
    assert main(["validate", str(ods)]) == 2
    out = capsys.readouterr().out
    assert f"FAIL {ods}: {ods}: expected an ODS workbook" in out and "Traceback" not in out
