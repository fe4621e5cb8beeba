"""Execute a report notebook with papermill and render it to self-contained HTML with nbconvert.

Outputs go to ``outputs/<run name>/<area code>/<notebook>.html`` with ``summary.json`` (the
figures shown) and ``parameters.yml`` (the resolved parameters, which run unchanged with the
papermill command) beside it. Files are written atomically: a failed run leaves no half-written
report.

>>> path = render_report(load_run_file("params/demo.yml"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import tempfile
from importlib import resources
from pathlib import Path

import nbformat
import papermill
import yaml
from nbconvert import HTMLExporter

from analysis.atomic import write_text
from analysis.page import finish_page
from analysis.params import RunFile

TEMPLATE = "compendium"


def _exporter() -> HTMLExporter:
    templates = resources.files("analysis").joinpath("templates")
    exporter = HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(templates)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    return exporter


def _drop_stderr_and_code(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                and o.get("output_type") != "error"
            ]


def render_report(run: RunFile, out_root: Path | None = None) -> Path:
    """Execute ``run``'s notebook with its parameters and write the HTML; return its path."""
    out_root = Path(out_root or run.out_dir)
    with tempfile.TemporaryDirectory(prefix="compendium-") as work:
        work = Path(work)
        parameters = dict(run.parameters, summary_path=str(work / "summary.json"))
        executed = work / "executed.ipynb"
        papermill.execute_notebook(
            str(run.notebook),
            str(executed),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(run.notebook.parent),
        )
        summary = (work / "summary.json").read_text(encoding="utf-8")
        facts = json.loads(summary)
        target = out_root / run.name / facts["council"]["area_code"]
        target.mkdir(parents=True, exist_ok=True)
        notebook = nbformat.read(executed, as_version=4)
        notebook.metadata["compendium"] = {"title": facts["title"]}
        _drop_stderr_and_code(notebook)
        body, _ = _exporter().from_notebook_node(notebook)
        body = finish_page(body)
        html_path = target / f"{run.notebook.stem}.html"
        write_text(target / "summary.json", summary)
        write_text(
            target / "parameters.yml",
            yaml.safe_dump(dict(run.parameters), sort_keys=True, allow_unicode=True),
        )
        write_text(html_path, body)
    return html_path
