"""Time one quarter's batch three ways, per report, on the same reports of the real data.

- **naive**: for each report, the papermill command, then the ``jupyter nbconvert`` command with
  the project template, run on the ``parameters.yml`` the batch saved (a sample of the reports:
  each costs a fresh Python, imports, a kernel and the national data load);
- **batch**: ``compendium batch`` on all the reports with ``--workers`` warm kernels, timed from
  the command's start to its end (imports, validation, kernel starts, index page included);
- **limit**: the same notebook code (analysis, charts, HTML sections), its displayed HTML turned
  into the same finished page, in a plain Python loop in one process with no kernel.

Each figure is wall-clock seconds per report. Usage, from the repository root::

    .venv/bin/python benchmarks/batch.py [--councils 12] [--naive 3] [--workers 2]
                                         [--data ../shared/data/dfe]

The reports are ``params/benchmark_all.yml`` for ``--councils`` councils spread over the data's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import load_average, machine

REPOSITORY = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent
TEMPLATES = REPOSITORY / "analysis" / "templates"
RUN_FILE = REPOSITORY / "params" / "benchmark_all.yml"


def _councils(data: Path, count: int) -> list[str]:
    """``count`` councils spread evenly over the data's councils (all kinds and sizes)."""
    from analysis.params import councils_in_data

    every = councils_in_data(data)
    step = max(1, len(every) // count)
    return every[::step][:count]


def _timed(command: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
    )
    return time.perf_counter() - started


def naive(report: Path, notebook: Path, work: Path) -> float:
    """The papermill command then the nbconvert command for one report; wall seconds."""
    executed = work / f"{report.name}.ipynb"
    papermill = [
        str(VENV / "papermill"),
        str(notebook),
        str(executed),
        "-f",
        str(report / "parameters.yml"),
        "-p",
        "summary_path",
        str(work / f"{report.name}.json"),
        "-k",
        "python3",
        "--cwd",
        str(notebook.parent),
        "--no-progress-bar",
    ]
    nbconvert = [
        str(VENV / "jupyter"),
        "nbconvert",
        "--to",
        "html",
        "--template",
        "compendium",
        f"--TemplateExporter.extra_template_basedirs={TEMPLATES}",
        "--no-input",
        "--output-dir",
        str(work),
        str(executed),
    ]
    return _timed(papermill) + _timed(nbconvert)


def limit(councils: list[str], out: Path) -> None:
    """Every report of :data:`RUN_FILE` for ``councils``, the notebook's cells run in-process."""
    import IPython.display
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from analysis.params import load_batch
    from analysis.render import exporter, page_html

    html = exporter()
    outputs: list = []

    def display(*objects, **_):
        for obj in objects:
            data = {"text/html": obj._repr_html_(), "text/plain": repr(obj)}
            outputs.append(nbformat.v4.new_output("display_data", data=data))

    IPython.display.display = display
    for run in load_batch(RUN_FILE, only=councils, out_dir=out).reports:
        summary = out / f"{run.label.replace('/', '-')}.json"
        notebook = parameterize_notebook(
            load_notebook_node(str(run.notebook)), dict(run.parameters, summary_path=str(summary))
        )
        namespace: dict = {}
        for cell in notebook.cells:
            if cell.cell_type == "code":
                outputs.clear()
                exec(compile(cell.source, run.notebook.name, "exec"), namespace)
                cell.outputs = list(outputs)
        title = namespace["report"].summary()["title"]
        (out / f"{run.label.replace('/', '-')}.html").write_text(page_html(notebook, title, html))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=12)
    parser.add_argument("--naive", type=int, default=3, help="reports to time the naive way")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", default=str(REPOSITORY.parent / "shared" / "data" / "dfe"))
    parser.add_argument("--limit", nargs="+", metavar="OUT CODE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv[1:])
    if args.limit:
        limit(args.limit[1:], Path(args.limit[0]))
        return 0
    data = Path(args.data)
    if not (data / "ees").is_dir():
        print(f"no ees/ folder under {data}: nothing to time", file=sys.stderr)
        return 1
    print(machine())
    councils = _councils(data, args.councils)
    n = len(councils)
    print(f"{n} councils of {RUN_FILE.name} ({', '.join(councils)}), data {data}")
    os.environ["COMPENDIUM_DFE_DATA"] = str(data.resolve())
    with tempfile.TemporaryDirectory(prefix="compendium-timing-") as work:
        work = Path(work)
        command = [str(VENV / "compendium"), "batch", str(RUN_FILE), "--only", *councils]
        batch_seconds = _timed(command + ["--out", str(work), "--workers", str(args.workers)])
        reports = sorted(p for p in (work / "benchmark_all").iterdir() if p.is_dir())
        notebook = REPOSITORY / "notebooks" / "benchmark_report.ipynb"
        naive_seconds = [naive(r, notebook, work) for r in reports[: args.naive]]
        (work / "limit").mkdir()
        limit_seconds = _timed(
            [sys.executable, __file__, "--limit", str(work / "limit"), *councils]
        )
    per_naive = sum(naive_seconds) / len(naive_seconds)
    per_batch = batch_seconds / n
    per_limit = limit_seconds / n
    naive_note = f"papermill + nbconvert, {len(naive_seconds)} reports"
    batch_note = f"{args.workers} workers, {n} reports, {batch_seconds:.1f} s"
    limit_note = f"one Python loop, {n} reports, {limit_seconds:.1f} s"
    print(f"naive: {per_naive:6.2f} s per report ({naive_note})")
    print(f"batch: {per_batch:6.2f} s per report ({batch_note})")
    print(f"limit: {per_limit:6.2f} s per report ({limit_note})")
    print(
        f"batch / naive = {per_batch / per_naive:.3f}; batch / limit = {per_batch / per_limit:.2f}"
    )
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
