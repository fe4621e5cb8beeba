"""Batch runs: every report of a run file, by warm workers, each failure kept to its own report.

    compendium batch RUN.yml [--only CODE ...] [--workers N] [--out DIR]
                             [--executor local|dask --scheduler ADDRESS]

Each worker keeps one Jupyter kernel and one HTML exporter for many reports: the kernel's
imports and any per-process caches (the national figures of :mod:`analysis.benchmark_report`)
are paid once, not once per report. The kernels start, and import the report modules
(:data:`WARM_UP`), while the run file is still being checked and then while this process loads
the runs' published data folders once (:func:`analysis.published.share_published`), which each
kernel reads a copy of instead of loading and checking the files itself. Before each report the
kernel's user namespace is reset (IPython ``%reset -f``, matplotlib figures closed), so no
variable of one report is visible to the next, and every :data:`REPORTS_PER_KERNEL` reports the
kernel is replaced. A failing report is recorded with its cell and error and the others carry
on. Each report is written whole into ``<out>/<run>/<area code>/`` (see
:func:`analysis.render.write_report_dir`) with its ``summary.json``, its resolved
``parameters.yml`` and ``inputs.sha256``: the hash of the parameters, the data files (size and
modification time), the notebook and the library, so that a re-run skips reports whose inputs
are unchanged. ``index.html`` lists every report.

``--executor dask`` sends the same reports to a Dask distributed cluster; each Dask worker
thread keeps its own kernel. The workers must see the repository, the data and the notebooks
at the same paths (a shared file system); the pages come back to this process, which writes
them.

>>> result = run_batch(load_batch("params/benchmark_all.yml", only=["936"]))  # doctest: +SKIP
>>> result.failed  # doctest: +SKIP
[]
"""

from __future__ import annotations

import atexit
import hashlib
import html
import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import analysis
from analysis.atomic import write_text
from analysis.render import PARAMETERS, SUMMARY, parameters_yaml, write_report_dir

if TYPE_CHECKING:  # pandas, imported by the run file's checks, once the kernels are starting
    from analysis.params import Batch, RunFile

REPORTS_PER_KERNEL = 100
CELL_TIMEOUT = 1800
INPUTS = "inputs.sha256"
INDEX = "index.html"
#: How many reports failing the same way the summary names one by one.
FAILURES_LISTED = 3
#: run in the kernel before each report (not part of the report). IPython's reset collects
#: garbage twice; frozen afterwards, what outlived the reports so far (modules, the cached
#: national figures: hundreds of thousands of objects) is left out of later collections,
#: which would otherwise walk it all twice per report (0.6 s).
RESET = """\
import os as _os, sys as _sys
_os.chdir({folder!r})
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
del _os, _sys
get_ipython().run_line_magic("reset", "-f")
__import__("gc").freeze()
"""
#: run before :data:`RESET` when the batch shared its published data folders
#: (:func:`analysis.published.share_published`): the kernel reads them once, not every report
SHARED = '__import__("analysis.published").published.use_shared({path!r})\n'
SHARED_FILE = "published.pickle"


#: run in each kernel as soon as it starts, while the run file is still being checked: the
#: report modules and the libraries they import (seconds per kernel), which every report needs,
#: then the garbage collector told to leave the imported objects alone (as :data:`RESET` does),
#: or the first report's reset walks them all (0.15 s)
WARM_UP = 'import analysis.benchmark_report\n__import__("gc").freeze()'


#: Optional imports that cost seconds per process and that report rendering never uses:
#: jsonschema imports rfc3987-syntax, if installed, to check the "iri" formats, and it compiles
#: a grammar at import (3.5 s here); nbformat's notebook schema has no such format.
SLOW_OPTIONAL_IMPORTS = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Make the :data:`SLOW_OPTIONAL_IMPORTS` unimportable in this process, if not yet imported.

    Called by ``compendium batch`` and on Dask workers before nbformat is first imported.
    """
    for name in SLOW_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Outcome:
    """What happened to one report: ``rendered``, ``skipped`` (inputs unchanged) or ``failed``."""

    run: RunFile
    status: str
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)
    cell: int | None = None
    """The failing cell's execution count (``In [N]``), as ``compendium render`` says."""
    error: str = ""

    @property
    def summary(self) -> dict[str, Any]:
        """The report's ``summary.json`` (empty for a failed report)."""
        text = self.files.get(SUMMARY)
        return json.loads(text) if text else {}


@dataclass(frozen=True)
class BatchResult:
    """Every report's outcome, in the run file's order, and the index page."""

    outcomes: list[Outcome]
    index: Path

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def html_name(run: RunFile) -> str:
    return f"{run.notebook.stem}.html"


class KernelWorker:
    """A warm kernel and an HTML exporter that render reports one after another.

    >>> worker = KernelWorker()  # doctest: +SKIP
    >>> worker.render(run).status, worker.close()  # doctest: +SKIP
    ('rendered', None)
    """

    def __init__(self, reports_per_kernel: int = REPORTS_PER_KERNEL) -> None:
        self.reports_per_kernel = reports_per_kernel
        self._html: Any = None
        self._client: Any = None
        self._language: dict[str, Any] = {}
        self._reports = 0
        self._failed_cell: int | None = None

    def start(self) -> None:
        """Start the kernel now (it starts on the first report otherwise)."""
        if self._client is not None:
            return
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        client = NotebookClient(
            nbformat.v4.new_notebook(), kernel_name="python3", timeout=CELL_TIMEOUT
        )
        client.km = client.create_kernel_manager()
        # the kernel's own log lines (transport warnings, shutdown) are not the report's output;
        # errors in cells still arrive as messages
        client.start_new_kernel(stderr=subprocess.DEVNULL)
        if self._html is None:  # made while the kernel starts
            from analysis.render import exporter

            self._html = exporter()
        client.start_new_kernel_client()
        # wait until the kernel answers, or the first cell's messages can be lost
        reply = client.wait_for_reply(client.kc.kernel_info())
        self._language = reply["content"]["language_info"]
        warm_up = nbformat.v4.new_code_cell(WARM_UP)
        client.nb = nbformat.v4.new_notebook(cells=[warm_up])
        try:
            client.execute_cell(warm_up, 0, store_history=False)
        except CellExecutionError:
            pass  # a report's own import cell fails the same way, with its cell and error
        self._client = client
        self._reports = 0

    def close(self) -> None:
        """Shut the kernel down (idempotent)."""
        client, self._client = self._client, None
        if client is None:
            return
        from jupyter_core.utils import run_sync

        try:
            client.kc.stop_channels()
            run_sync(client.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - the kernel may be gone already
            pass

    def render(self, run: RunFile, shared: str = "") -> Outcome:
        """Execute ``run`` in the warm kernel and make its files; failures are outcomes.

        ``shared``: the file of published data folders the batch loaded, if any.
        """
        from nbclient.exceptions import CellExecutionError, DeadKernelError

        started = time.perf_counter()
        try:
            return self._render(run, started, shared)
        except CellExecutionError as error:
            cell, message = self._failed_cell, f"{error.ename}: {error.evalue}"
        except (DeadKernelError, TimeoutError, RuntimeError) as error:
            self.close()
            cell, message = self._failed_cell, f"{type(error).__name__}: {error}"
        return Outcome(run, "failed", time.perf_counter() - started, cell=cell, error=message)

    def _render(self, run: RunFile, started: float, shared: str) -> Outcome:
        from nbformat.v4 import new_code_cell, new_notebook
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        from analysis.render import page_html

        self._failed_cell = None
        if self._client is not None and self._reports >= self.reports_per_kernel:
            self.close()
        self.start()
        self._reports += 1
        client = self._client
        with tempfile.TemporaryDirectory(prefix="compendium-") as work:
            summary_path = Path(work) / SUMMARY
            notebook = parameterize_notebook(
                load_notebook_node(str(run.notebook)),
                dict(run.parameters, summary_path=str(summary_path)),
            )
            notebook.metadata["language_info"] = self._language
            share = SHARED.format(path=shared) if shared else ""
            reset = new_code_cell(share + RESET.format(folder=str(run.notebook.parent)))
            client.nb = new_notebook(cells=[reset])  # nbclient stores each cell in client.nb
            client.execute_cell(reset, 0, store_history=False)
            client.nb = notebook
            client.reset_execution_trackers()
            count = 0
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code":
                    count += 1
                    self._failed_cell = count
                client.execute_cell(cell, index, execution_count=count)
            self._failed_cell = None
            if not summary_path.exists():
                return Outcome(
                    run,
                    "failed",
                    time.perf_counter() - started,
                    error=f"the notebook did not write {SUMMARY} at summary_path",
                )
            summary = summary_path.read_text(encoding="utf-8")
        title = json.loads(summary)["title"]
        files = {
            html_name(run): page_html(notebook, title, self._html),
            SUMMARY: summary,
            PARAMETERS: parameters_yaml(run),
        }
        return Outcome(run, "rendered", time.perf_counter() - started, files)


def _thread_worker() -> KernelWorker:
    """This thread's worker (one per Dask worker thread), shut down when the process exits."""
    local = _thread_worker.__dict__.setdefault("local", threading.local())
    if getattr(local, "worker", None) is None:
        local.worker = KernelWorker()
        atexit.register(local.worker.close)
    return local.worker


def render_on_worker(run: RunFile) -> Outcome:
    """Render one report on a Dask worker, with that worker thread's warm kernel."""
    skip_slow_optional_imports()
    return _thread_worker().render(run)


class LocalWorkers:
    """``count`` threads, each with its own warm kernel, started at once (the kernels start and
    import while the caller checks its run file), rendering the runs given to :meth:`render`.

    >>> with LocalWorkers(2) as workers:  # doctest: +SKIP
    ...     outcomes = list(workers.render(runs))
    """

    def __init__(self, count: int) -> None:
        self._todo: queue.Queue[tuple[RunFile, str] | None] = queue.Queue()
        self._done: queue.Queue[Outcome] = queue.Queue()
        self._workers = [KernelWorker() for _ in range(max(1, count))]
        for worker in self._workers:
            threading.Thread(target=self._serve, args=(worker,), daemon=True).start()

    def _serve(self, worker: KernelWorker) -> None:
        try:
            worker.start()  # in this thread: its kernel client belongs to this thread's loop
        except Exception:  # noqa: BLE001 - each report tries again and fails with the error
            worker.close()
        while (todo := self._todo.get()) is not None:
            run, shared = todo
            try:
                self._done.put(worker.render(run, shared))
            except Exception as error:  # noqa: BLE001 - one report's failure, not the batch's
                self._done.put(Outcome(run, "failed", error=f"{type(error).__name__}: {error}"))
        worker.close()  # a kernel that finished starting after close() was called

    def render(self, runs: Sequence[RunFile], shared: str = "") -> Iterator[Outcome]:
        """Render ``runs``, yielding outcomes as they finish (``shared``: as
        :meth:`KernelWorker.render`)."""
        for run in runs:
            self._todo.put((run, shared))
        for _ in runs:
            while True:
                try:
                    outcome = self._done.get(timeout=0.5)  # Ctrl-C is seen between waits
                    break
                except queue.Empty:
                    continue
            yield outcome

    def close(self) -> None:
        """Drop the runs not started, stop the threads and shut the kernels down."""
        while not self._todo.empty():
            self._todo.get_nowait()
        for _ in self._workers:
            self._todo.put(None)
        for worker in self._workers:
            worker.close()

    def __enter__(self) -> LocalWorkers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def run_local(runs: Sequence[RunFile], workers: int = 2, shared: str = "") -> Iterator[Outcome]:
    """Render ``runs`` with ``workers`` warm kernels, yielding outcomes as they finish."""
    if not runs:
        return
    with LocalWorkers(min(workers, len(runs))) as pool:
        yield from pool.render(runs, shared)


def run_dask(runs: Sequence[RunFile], scheduler: str | Any) -> Iterator[Outcome]:
    """Render ``runs`` on the Dask cluster at ``scheduler`` (an address, or a cluster object)."""
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        runs_by_key = {f"compendium-{i}-{run.label}": run for i, run in enumerate(runs)}
        futures = [
            client.submit(render_on_worker, run, key=key, pure=False)
            for key, run in runs_by_key.items()
        ]
        try:
            for future in as_completed(futures):
                try:
                    yield future.result()
                except Exception as error:  # noqa: BLE001 - a lost worker fails its report only
                    message = f"{type(error).__name__}: {error}"
                    yield Outcome(runs_by_key[future.key], "failed", error=message)
        finally:
            client.cancel(futures)


@cache
def _library_digest() -> str:
    """The library's version and a hash of its code, templates and data files."""
    digest = hashlib.sha256(analysis.__version__.encode())
    root = resources.files("analysis")
    for path in sorted(Path(str(root)).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(str(root))).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_stamps(path: Path) -> list[tuple[str, int, int]]:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]


def input_key(run: RunFile, stamps: dict[str, list] | None = None) -> str:
    """The hash of everything a report depends on: its parameters, the size and modification
    time of every file its path parameters name, its notebook and the library.

    ``stamps`` keeps each folder's file list for the other reports of the same batch.
    """
    from analysis.params import is_path_parameter

    stamps = {} if stamps is None else stamps
    for name, value in run.parameters.items():
        if is_path_parameter(name) and isinstance(value, str) and value not in stamps:
            stamps[value] = _file_stamps(Path(value)) if value and Path(value).exists() else []
    material = {
        "parameters": run.parameters,
        "data": {
            name: stamps[value]
            for name, value in sorted(run.parameters.items())
            if is_path_parameter(name) and isinstance(value, str)
        },
        "notebook": hashlib.sha256(run.notebook.read_bytes()).hexdigest(),
        "library": _library_digest(),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _unchanged(run: RunFile, key: str) -> Outcome | None:
    folder = run.report_dir()
    try:
        if (folder / INPUTS).read_text(encoding="utf-8").strip() != key:
            return None
        files = {name: (folder / name).read_text(encoding="utf-8") for name in (SUMMARY,)}
    except OSError:
        return None
    if not (folder / html_name(run)).exists():
        return None
    return Outcome(run, "skipped", files=files)


def _council_name(outcome: Outcome) -> str:
    council = outcome.summary.get("council") or {}
    if council.get("name"):
        return str(council["name"])
    return outcome.run.council.area_name if outcome.run.council else ""


def failure_line(outcome: Outcome) -> str:
    """One line naming the council, notebook, cell and error of a failed report."""
    cell = f"cell {outcome.cell}" if outcome.cell else "no cell"
    return (
        f"{outcome.run.label} ({_council_name(outcome)}), {outcome.run.notebook.name}, "
        f"{cell}: {outcome.error}"
    )


def failure_lines(failed: list[Outcome]) -> list[str]:
    """The failures to print, one line each; when more than :data:`FAILURES_LISTED` reports
    failed in the same cell with the same error (a data file that every report reads), one
    line for them all, naming the first councils and the count, so the error is read once."""
    groups: dict[tuple[str, int | None, str], list[Outcome]] = {}
    for outcome in failed:
        key = (outcome.run.notebook.name, outcome.cell, outcome.error)
        groups.setdefault(key, []).append(outcome)
    lines = []
    for (notebook, cell, error), outcomes in groups.items():
        if len(outcomes) <= FAILURES_LISTED:
            lines += [failure_line(o) for o in outcomes]
            continue
        names = ", ".join(_council_name(o) for o in outcomes[:FAILURES_LISTED])
        more = len(outcomes) - FAILURES_LISTED
        where = f"cell {cell}" if cell else "no cell"
        lines.append(
            f"{len(outcomes)} reports ({names} and {more} more), {notebook}, {where}: {error}"
        )
    return lines


def index_html(batch_name: str, outcomes: Iterable[Outcome], out_dir: Path) -> str:
    """The run's index page: every report with its status and key messages (all escaped)."""
    rows = []
    outcomes = sorted(outcomes, key=lambda o: (_council_name(o), o.run.notebook.stem))
    for outcome in outcomes:
        summary = outcome.summary
        link = outcome.run.report_dir().relative_to(out_dir / outcome.run.name) / html_name(
            outcome.run
        )
        if outcome.status == "failed":
            report = html.escape(outcome.run.notebook.stem)
            status = "Failed"
            messages = f"<p>{html.escape(failure_line(outcome))}</p>"
        else:
            title = summary.get("title") or outcome.run.notebook.stem
            report = f'<a href="{html.escape(link.as_posix())}">{html.escape(str(title))}</a>'
            status = "Rendered" if outcome.status == "rendered" else "Unchanged (not re-run)"
            items = [str(m) for m in summary.get("key_messages", [])]
            items += [f"Warning: {w}" for w in summary.get("warnings", [])]
            messages = (
                "<ul>" + "".join(f"<li>{html.escape(m)}</li>" for m in items) + "</ul>"
                if items
                else ""
            )
        code = summary.get("council", {}).get("area_code") or (
            outcome.run.council.area_code if outcome.run.council else ""
        )
        rows.append(
            f'<tr><th scope="row">{html.escape(_council_name(outcome))}'
            f' <span class="code">({html.escape(code)})</span></th>'
            f"<td>{report}</td><td>{status}</td><td>{messages}</td></tr>"
        )
    failed = sum(o.status == "failed" for o in outcomes)
    css = resources.files("analysis").joinpath("templates", "compendium", "compendium.css")
    title = f"{batch_name}: {len(outcomes)} reports"
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css.read_text(encoding='utf-8')}\n"
        '</style>\n</head>\n<body>\n<main id="main">\n'
        f"<h1>{html.escape(title)}</h1>\n"
        f"<p>{len(outcomes) - failed} reports ready, {failed} failed.</p>\n"
        '<div class="table-scroll" role="region" aria-labelledby="reports-caption" tabindex="0">'
        '\n<table>\n<caption id="reports-caption">Every report of this run, with its status '
        'and key messages</caption>\n<thead><tr><th scope="col">Council</th>'
        '<th scope="col">Report</th><th scope="col">Status</th>'
        '<th scope="col">Key messages</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</div>\n</main>\n</body>\n</html>\n"
    )


def _shared(runs: Sequence[RunFile], work: Path) -> str:
    """The published data folders of ``runs`` (their ``data_dir``) loaded once in this process
    while the kernels start, into a file in ``work`` for the kernels; "" if there are none.

    Not for Dask: its workers may be other machines.
    """
    from analysis.published import share_published

    folders = [r.parameters.get("data_dir") for r in runs]
    folders = [f for f in folders if isinstance(f, str) and f]
    if not folders:
        return ""
    return str(share_published(folders, work / SHARED_FILE))


def run_batch(
    batch: Batch,
    workers: int = 2,
    executor: str = "local",
    scheduler: str | Any = None,
    progress: bool = True,
    pool: LocalWorkers | None = None,
) -> BatchResult:
    """Render every report of ``batch`` that needs it, write each whole, then the index.

    ``pool``: local workers already started (the caller closes them), instead of new ones.
    """
    from tqdm import tqdm

    outcomes: dict[int, Outcome] = {}
    keys: dict[int, str] = {}
    todo: list[int] = []
    stamps: dict[str, list] = {}
    for number, run in enumerate(batch.reports):
        keys[number] = input_key(run, stamps)
        skipped = _unchanged(run, keys[number])
        if skipped:
            outcomes[number] = skipped
        else:
            todo.append(number)
    runs = [batch.reports[n] for n in todo]
    numbers = {batch.reports[n].label: n for n in todo}
    with tempfile.TemporaryDirectory(prefix="compendium-shared-") as work:
        if executor == "dask":
            results = run_dask(runs, scheduler)
        elif pool is not None:
            results = pool.render(runs, _shared(runs, Path(work)))
        else:
            results = run_local(runs, workers, _shared(runs, Path(work)))
        with tqdm(total=len(runs), unit="report", disable=not progress, desc=batch.name) as bar:
            for outcome in results:
                number = numbers[outcome.run.label]
                run = batch.reports[number]
                if outcome.status == "rendered":
                    files = dict(outcome.files, **{INPUTS: keys[number] + "\n"})
                    write_report_dir(run.report_dir(), files)
                else:
                    bar.write(f"failed: {failure_line(outcome)}")
                outcomes[number] = outcome
                bar.update(1)
    ordered = [outcomes[n] for n in sorted(outcomes)]
    out_dir = batch.reports[0].out_dir if batch.reports else Path(".")
    index = write_text(out_dir / batch.name / INDEX, index_html(batch.name, ordered, out_dir))
    return BatchResult(ordered, index)


def main_batch(
    path: str | Path,
    only: list[str] | None = None,
    workers: int = 2,
    out: str | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> int:
    """``compendium batch``: 0 when every report is ready, 1 when any failed."""
    skip_slow_optional_imports()
    # the kernels start and warm up while the run file is checked
    pool = LocalWorkers(workers) if executor == "local" else None
    try:
        from analysis.params import load_batch

        batch = load_batch(path, only=only, out_dir=Path(out) if out else None)
        started = time.perf_counter()
        result = run_batch(batch, workers, executor, scheduler, pool=pool)
    except KeyboardInterrupt:
        print("compendium: interrupted; every report written is whole", file=sys.stderr)
        return 130
    finally:
        if pool is not None:
            pool.close()
    seconds = time.perf_counter() - started
    counts = {s: sum(o.status == s for o in result.outcomes) for s in ("rendered", "skipped")}
    print(
        f"{counts['rendered']} rendered, {counts['skipped']} unchanged, "
        f"{len(result.failed)} failed in {seconds:.1f} s; index: {result.index.resolve()}"
    )
    for line in failure_lines(result.failed):
        print(f"FAILED {line}", file=sys.stderr)
    return 1 if result.failed else 0
