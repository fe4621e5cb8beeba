"""analysis/render.py: the page of an executed notebook, made once for render and batch alike."""

from __future__ import annotations

import copy

import html_checks
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.page import finish_page
from analysis.render import exporter, page_html

#: HTML outputs as a report's cells display them, with what a parser normalises: single quotes,
#: a void element, entities, a comment, a table, and text that looks like a placeholder.
OUTPUTS = [
    "<h1>Demoshire &amp; friends</h1><p class='lead'>Key messages first.<br>Then the rest.</p>",
    "<h2 id='key-messages'>Key messages</h2><ul><li>Re-referrals rose &gt; 22%</li></ul>",
    "<!-- a comment --><figure><img src='data:image/svg+xml;base64,PHN2Zy8+' alt='A chart'>"
    "<figcaption>Figure 1: A chart</figcaption></figure>",
    "<table><caption>Table 1: Values</caption><tr><th scope='col'>A</th></tr>"
    "<tr><td>&lt;!--compendium-output-0--&gt;</td></tr></table>",
]


def executed_notebook() -> nbformat.NotebookNode:
    cells = []
    for number, markup in enumerate(OUTPUTS, start=1):
        cell = new_code_cell("display(HTML(...))", execution_count=number)
        cell.outputs = [
            new_output("display_data", data={"text/html": markup, "text/plain": "<HTML>"}),
            new_output("stream", name="stderr", text="a warning the page must not show\n"),
        ]
        cells.append(cell)
    cells.insert(2, new_markdown_cell("## At a glance\n\nWhat the *section* answers."))
    return new_notebook(cells=cells, metadata={"language_info": {"name": "python"}})


def test_the_page_is_the_one_nbconvert_and_finish_page_make_when_outputs_are_set_aside():
    # page_html hands nbconvert placeholders for the HTML outputs and puts them back before
    # finish_page parses the page: the result must be what exporting them directly gives
    html = exporter()
    direct = executed_notebook()
    direct.metadata["compendium"] = {"title": "Demoshire"}
    for cell in direct.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if o.output_type != "stream"]
    expected = finish_page(html.from_notebook_node(copy.deepcopy(direct))[0])
    made = page_html(executed_notebook(), "Demoshire", html)
    assert html_checks.without_generation_time(made) == html_checks.without_generation_time(
        expected
    )
    assert "compendium-output-" not in made.replace("&lt;!--compendium-output-0--&gt;", "")
    assert "a warning the page must not show" not in made
    assert "<title>Demoshire</title>" in made
