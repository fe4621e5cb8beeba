"""Execute a report notebook with papermill and render it to self-contained HTML with nbconvert.

Outputs go to ``outputs/<run name>/<area code>/<notebook>.html`` with ``summary.json`` (the
figures shown) and ``parameters.yml`` (the resolved parameters, which run unchanged with the
papermill command) beside it. A report's folder is written whole: its files go to a temporary
folder beside it, which is then renamed into place, so a failed or interrupted run leaves the
previous report or none, never half of one. :func:`page_html` is the one place HTML is made, for
``compendium render`` and ``compendium batch`` alike.

>>> path = render_report(load_run_file("params/demo.yml"))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import uuid
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:  # nbformat, nbconvert and pandas are imported when first needed (seconds)
    import nbformat
    from nbconvert import HTMLExporter

    from analysis.page import SetAside
    from analysis.params import RunFile

TEMPLATE = "compendium"
SUMMARY = "summary.json"
PARAMETERS = "parameters.yml"


def exporter() -> HTMLExporter:
    """The HTML exporter with the project template (build one per worker and reuse it)."""
    from nbconvert import HTMLExporter

    templates = resources.files("analysis").joinpath("templates")
    return HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(templates)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )


def _drop_stderr_and_code(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                and o.get("output_type") != "error"
            ]


def _set_aside_html(notebook: nbformat.NotebookNode) -> SetAside:
    """Replace each HTML output by a placeholder comment, kept to put back after exporting.

    nbconvert's exporter parses and rewrites its whole page with BeautifulSoup (alt text for
    images without any, which the report's checks refuse anyway, and tabindex on the cell
    wrappers, which :func:`analysis.page.finish_page` removes). A report's HTML outputs are
    most of its page, and :func:`~analysis.page.finish_page` parses the page again: set
    aside, they are parsed once, not twice.
    """
    from analysis.page import SetAside

    kept = SetAside("output")
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                data["text/html"] = kept.add("".join(data["text/html"]))
    return kept


def page_html(executed: nbformat.NotebookNode, title: str, html: HTMLExporter) -> str:
    """The finished report page of an executed notebook (``executed`` is changed)."""
    from analysis.page import finish_page

    executed.metadata["compendium"] = {"title": title}
    _drop_stderr_and_code(executed)
    outputs = _set_aside_html(executed)
    body, _ = html.from_notebook_node(executed)
    return finish_page(outputs.put_back(body))


def parameters_yaml(run: RunFile) -> str:
    """The resolved parameters as YAML, for ``papermill NOTEBOOK OUT -f parameters.yml``."""
    return yaml.safe_dump(dict(run.parameters), sort_keys=True, allow_unicode=True)


def write_report_dir(target: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (name -> text) as the folder ``target``, replacing it whole.

    >>> write_report_dir(Path(tempfile.mkdtemp()) / "E10000030", {"a.html": "<p>"}).name
    'E10000030'
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    old = target.parent / f".{target.name}.{uuid.uuid4().hex}.old"
    try:
        for name, text in files.items():
            (work / name).write_text(text, encoding="utf-8", newline="\n")
        work.chmod(0o755)
        if target.exists():
            os.replace(target, old)
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return target


#: The kernel's own log lines (its loopback transport, its shutdown) are not the report's output;
#: errors in cells still arrive as the cell's error.
KERNEL_QUIET = ["--IPKernelApp.log_level=CRITICAL"]


def render_report(run: RunFile, out_root: Path | None = None) -> Path:
    """Execute ``run``'s notebook with its parameters and write the HTML; return its path."""
    import nbformat
    import papermill

    with tempfile.TemporaryDirectory(prefix="compendium-") as work:
        work = Path(work)
        parameters = dict(run.parameters, summary_path=str(work / SUMMARY))
        executed = work / "executed.ipynb"
        papermill.execute_notebook(
            str(run.notebook),
            str(executed),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(run.notebook.parent),
            extra_arguments=KERNEL_QUIET,
        )
        summary = (work / SUMMARY).read_text(encoding="utf-8")
        facts = json.loads(summary)
        notebook = nbformat.read(executed, as_version=4)
        body = page_html(notebook, facts["title"], exporter())
    if out_root is not None:
        run = dataclasses.replace(run, out_dir=Path(out_root))
    target = run.report_dir(facts["council"]["area_code"])
    html_name = f"{run.notebook.stem}.html"
    write_report_dir(target, {SUMMARY: summary, PARAMETERS: parameters_yaml(run), html_name: body})
    return target / html_name
