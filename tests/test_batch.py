"""compendium batch: failures kept to their report, whole reports only, skips, the Dask executor.

The fixture notebooks are tiny: ``fixtures/echo.ipynb`` shows its ``message`` parameter and
writes a summary saying whether a variable left by an earlier report in the same kernel is
visible; ``fixtures/fail.ipynb`` raises in its fourth code cell.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from analysis.batch import failure_line, failure_lines, index_html, main_batch, run_batch
from analysis.params import load_batch
from analysis.render import write_report_dir

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
TRICKY = 'say "hi"\n\'\'\'"""); import os; os._exit(1) # <script>alert(1)</script>'
COUNCILS = ["936", "E10000016", "201", "202"]


def _run_file(folder: Path, data: Path, message: str = "<b>shared</b>", pause: float = 0) -> Path:
    run = {
        "name": "trial",
        "defaults": {"period_end": "2025-09-30", "message": message, "data_dir": str(data)},
        "reports": [
            {"notebook": str(FIXTURES / "echo.ipynb"), "councils": COUNCILS},
            {"notebook": str(FIXTURES / "fail.ipynb"), "councils": ["202"]},
        ],
        "overrides": {"201": {"message": TRICKY}, "202": {"pause": pause}},
    }
    path = folder / "run.yml"
    path.write_text(yaml.safe_dump(run), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    """One batch of 4 good reports and 1 failing one, on one worker (so the kernel is reused)."""
    folder = tmp_path_factory.mktemp("batch")
    data = folder / "data"
    data.mkdir()
    (data / "figures.csv").write_text("a,b\n1,2\n")
    path = _run_file(folder, data)
    out = folder / "out"
    batch = load_batch(path, out_dir=out)
    result = run_batch(batch, workers=1, progress=False)
    return path, out, batch, result


def _report_files(root: Path) -> dict[str, str]:
    """Every file under ``root`` by relative path, the one generation time blanked."""
    return {
        str(p.relative_to(root)): re.sub(
            r'<p class="generated">.*?</p>', "", p.read_text(encoding="utf-8"), flags=re.S
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_failing_report_does_not_stop_the_others(batch_run):
    _, out, _, result = batch_run
    statuses = {o.run.label: o.status for o in result.outcomes}
    assert statuses == {
        "E10000030/echo": "rendered",
        "E10000016/echo": "rendered",
        "E09000001/echo": "rendered",
        "E09000007/echo": "rendered",
        "E09000007/fail": "failed",
    }
    [failed] = result.failed
    # the 4th code cell of fail.ipynb (import, parameters, injected parameters, raise)
    assert failed.cell == 4
    assert failed.error == "ValueError: deliberate failure for council 202"
    for code in ("E10000030", "E10000016", "E09000001", "E09000007"):
        folder = out / "trial" / code / "echo"
        assert sorted(p.name for p in folder.iterdir()) == [
            "echo.html",
            "inputs.sha256",
            "parameters.yml",
            "summary.json",
        ]
    assert not (out / "trial" / "E09000007" / "fail").exists()


def test_the_summary_names_the_failure_and_the_exit_code_is_not_zero(batch_run, capsys):
    path, out, _, _ = batch_run
    assert main_batch(path, workers=1, out=str(out)) == 1
    captured = capsys.readouterr()
    assert "0 rendered, 4 unchanged, 1 failed" in captured.out
    assert (
        "FAILED E09000007/fail (Camden), fail.ipynb, cell 4: "
        "ValueError: deliberate failure for council 202" in captured.err
    )


def test_reports_failing_the_same_way_are_one_line(batch_run):
    # a damaged data file fails every report in the same cell with the same error: one line
    # with the first councils and the count, not 153 copies; other failures stay one a line
    _, _, _, result = batch_run
    [failed] = result.failed
    same = [
        dataclasses.replace(o, status="failed", cell=4, error="DataError: c1.csv, row 2")
        for o in result.outcomes
        if o.status == "rendered"
    ]
    assert len(same) == 4
    lines = failure_lines([*same, failed])
    names = [o.run.council.area_name for o in same[:3]]
    assert lines == [
        f"4 reports ({', '.join(names)} and 1 more), echo.ipynb, cell 4: DataError: c1.csv, row 2",
        failure_line(failed),
    ]
    assert failure_lines(same[:3]) == [failure_line(o) for o in same[:3]]


def test_a_reused_kernel_starts_each_report_with_a_fresh_namespace(batch_run):
    _, _, _, result = batch_run
    rendered = [o for o in result.outcomes if o.status == "rendered"]
    assert len(rendered) == 4
    # echo.ipynb sets left_behind; the next report in the same kernel must not see it
    for outcome in rendered:
        assert outcome.summary["key_messages"][1] == "left by an earlier report: False"


def test_values_reach_the_notebook_as_values_and_the_index_escapes_them(batch_run):
    _, out, _, result = batch_run
    city = next(o for o in result.outcomes if o.run.label == "E09000001/echo")
    assert city.summary["key_messages"][0] == TRICKY
    index = (out / "trial" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in index and "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "&lt;b&gt;shared&lt;/b&gt;" in index
    assert index.count('<tr><th scope="row">') == 5
    assert "Failed" in index and "deliberate failure for council 202" in index
    assert 'href="E10000030/echo/echo.html"' in index


def test_the_saved_parameters_reproduce_the_report_with_papermill(batch_run, tmp_path):
    import papermill

    _, out, batch, _ = batch_run
    folder = out / "trial" / "E09000001" / "echo"
    parameters = yaml.safe_load((folder / "parameters.yml").read_text(encoding="utf-8"))
    papermill.execute_notebook(
        str(FIXTURES / "echo.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters=dict(parameters, summary_path=str(tmp_path / "summary.json")),
        kernel_name="python3",
        progress_bar=False,
    )
    again = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert again == json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_unchanged_inputs_are_skipped_and_changed_ones_rendered(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "figures.csv").write_text("a,b\n1,2\n")
    path = _run_file(tmp_path, data)
    out = tmp_path / "out"

    def statuses(run_path: Path) -> dict[str, str]:
        result = run_batch(load_batch(run_path, out_dir=out), workers=1, progress=False)
        return {o.run.label: o.status for o in result.outcomes}

    assert set(statuses(path).values()) == {"rendered", "failed"}
    assert statuses(path) == {
        "E10000030/echo": "skipped",
        "E10000016/echo": "skipped",
        "E09000001/echo": "skipped",
        "E09000007/echo": "skipped",
        "E09000007/fail": "failed",
    }
    # one council's parameters change: only its report is rendered again
    changed = tmp_path / "changed.yml"
    changed.write_text(path.read_text().replace("pause: 0", "pause: 0.01"))
    assert statuses(changed)["E09000007/echo"] == "rendered"
    assert statuses(changed)["E10000016/echo"] == "skipped"
    # a data file changes (size and modification time): every report that reads it
    (data / "figures.csv").write_text("a,b\n1,3\n4,5\n")
    assert set(statuses(changed).values()) == {"rendered", "failed"}


def test_a_report_folder_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    target = write_report_dir(tmp_path / "E10000030", {"a.html": "old", "summary.json": "{}"})
    real_write = Path.write_text

    def crash(self, text, *args, **kwargs):
        if self.name == "summary.json":
            raise OSError("disk full")
        return real_write(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", crash)
    with pytest.raises(OSError, match="disk full"):
        write_report_dir(target, {"a.html": "new", "summary.json": "{}"})
    monkeypatch.undo()
    assert (target / "a.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["E10000030"]


def test_an_interrupted_run_leaves_no_partial_reports(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    path = _run_file(tmp_path, data, pause=30)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "analysis.cli", "batch", str(path), "--out", str(out)]
    process = subprocess.Popen(
        command + ["--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # Ctrl-C as at a terminal, even when the tests run as a background job (which a shell
        # starts with SIGINT ignored, and Python then installs no KeyboardInterrupt for it)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Camden (202), the last good report, pauses 30 s in a cell: interrupt it half way
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any(out.rglob("E09000001/echo/echo.html")):
            break
        time.sleep(0.2)
    time.sleep(1)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err
    for folder in out.rglob("*"):
        assert not folder.name.startswith("."), f"temporary folder left behind: {folder}"
        if folder.is_dir() and folder.name == "echo":
            assert sorted(p.name for p in folder.iterdir()) == [
                "echo.html",
                "inputs.sha256",
                "parameters.yml",
                "summary.json",
            ]
    assert (out / "trial" / "E09000001" / "echo").exists()
    assert not (out / "trial" / "E09000007").exists()
    assert not (out / "trial" / "index.html").exists()


def test_the_dask_executor_gives_the_same_outputs_as_the_local_one(batch_run, tmp_path):
    from distributed import LocalCluster

    path, out, _, local = batch_run
    dask_out = tmp_path / "out"
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = run_batch(
            load_batch(path, out_dir=dask_out), executor="dask", scheduler=cluster, progress=False
        )
    assert [o.run.label for o in result.failed] == ["E09000007/fail"]
    dask_files, local_files = _report_files(dask_out), _report_files(out)
    # another test re-runs the local batch, so its index says "unchanged": compare with the
    # index of the first local run instead
    local_files.pop("trial/index.html")
    assert dask_files.pop("trial/index.html") == index_html("trial", local.outcomes, out)
    assert dask_files == local_files


def test_index_lists_reports_in_council_order(batch_run):
    _, out, batch, result = batch_run
    page = index_html("trial", result.outcomes, out)
    names = re.findall(r'<th scope="row">([^<]+) <span', page)
    assert names == ["Camden", "Camden", "City of London", "Kent", "Surrey"]


@pytest.mark.real_data
def test_benchmark_all_declares_every_council_of_the_real_data(dfe, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_DFE_DATA", str(dfe))
    batch = load_batch(Path(__file__).parents[1] / "params" / "benchmark_all.yml")
    # DfE's 2025 statistical-neighbour model lists the 153 councils that make returns
    assert len(batch.reports) == 153
    assert len({r.council.area_code for r in batch.reports}) == 153
    assert {r.notebook.name for r in batch.reports} == {"benchmark_report.ipynb"}
    assert all(r.parameters["data_dir"] == str(dfe.resolve()) for r in batch.reports)
    only = load_batch(
        Path(__file__).parents[1] / "params" / "benchmark_all.yml", only=["936", "E09000002"]
    )
    assert [r.label for r in only.reports] == [
        "E09000002/benchmark_report",
        "E10000030/benchmark_report",
    ]
