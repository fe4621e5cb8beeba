"""The rendered demo quarterly report passes every page check (tests/html_checks.py), shows what
needs attention first, and renders to the same bytes from the same inputs.

The checks themselves are shown to fail on small hand-made pages with each problem.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import html_checks
import pytest
from bs4 import BeautifulSoup
from test_charts import contrast

from analysis.page import finish_page

REPORT = "quarterly_report.html"
STYLESHEET = Path(__file__).resolve().parents[1] / "analysis/templates/compendium/compendium.css"


@pytest.fixture(scope="module")
def page(demo_quarterly) -> str:
    return (demo_quarterly / REPORT).read_text(encoding="utf-8")


@pytest.mark.parametrize("check", html_checks.CHECKS, ids=lambda check: check.__name__)
def test_the_demo_quarterly_report_passes(page, check):
    assert check(page) == []


def test_the_demo_quarterly_report_file_is_under_3_mb(demo_quarterly):
    assert (demo_quarterly / REPORT).stat().st_size < html_checks.MAX_BYTES


def test_the_first_screen_shows_the_title_lead_notice_and_key_messages(page):
    # The order of the page's first blocks; the contents come after the key messages.
    main = BeautifulSoup(page, "html.parser").main
    blocks = main.find_all(True, recursive=False)
    first = blocks[: [b.name for b in blocks].index("nav")]
    assert [b.name for b in first[:3]] == ["h1", "p", "div"]
    assert first[1]["class"] == ["lead"] and "Fictional data." in first[2].get_text()
    assert [b.get_text(strip=True) for b in first if b.name == "h2"] == ["Key messages"]


#: (foreground, background) colour variables of compendium.css that are read together.
TEXT_PAIRS = [
    ("ink", "paper"),
    ("ink", "notice-bg"),
    ("ink", "warning-bg"),
    ("ink", "head-bg"),
    ("muted", "paper"),
    ("accent", "paper"),
    ("accent", "notice-bg"),
    ("visited", "paper"),
    ("focus-ink", "focus"),
]
GRAPHIC_PAIRS = [
    ("rule", "paper"),  # table rules, the contents' bar
    ("focus-ink", "paper"),  # the focus outline and the underline of a focused link
    ("accent", "paper"),  # the line under each h2, the notice's bar
    ("warn", "warning-bg"),  # the warning's bar
]


def test_the_stylesheet_colours_meet_wcag_aa_contrast():
    # WCAG 2.2 1.4.3 (text 4.5:1) and 1.4.11 (focus indicators and graphics 3:1), with the
    # WCAG formula of tests/test_charts.py.
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", STYLESHEET.read_text()))
    for pairs, least in ((TEXT_PAIRS, 4.5), (GRAPHIC_PAIRS, 3.0)):
        for ink, ground in pairs:
            ratio = contrast(colours[ink], colours[ground])
            assert ratio >= least, f"--{ink} on --{ground}: {ratio:.2f}:1"


def _first_difference(a: str, b: str) -> str:
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return (
        f"first difference at character {at}: {a[at - 80 : at + 80]!r} / {b[at - 80 : at + 80]!r}"
    )


def test_the_same_inputs_render_to_the_same_bytes_apart_from_the_generation_time(
    demo_quarterly, demo_run_file, tmp_path
):
    # Charts (PNG without dates or software versions), cell ids (removed with the notebook's
    # wrappers: papermill gives its injected cell a random one) and everything else must be the
    # same; only the marked generation time may differ.
    from analysis.cli import main

    assert main(["render", str(demo_run_file), "--out", str(tmp_path)]) == 0
    first = (demo_quarterly / REPORT).read_bytes().decode("utf-8")
    second = (tmp_path / "demo" / "E10999701" / REPORT).read_bytes().decode("utf-8")
    first, second = map(html_checks.without_generation_time, (first, second))
    assert first == second, _first_difference(first, second)


# --- the checks fail on pages with the problem they look for ---------------------------------


def _page(body: str, head: str = "<title>Demoshire report</title>", lang: str = "en-GB") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body><main>{body}</main></body></html>'  # noqa: E501


GOOD_BODY = (
    "<h1>Demoshire</h1><h2 id='key-messages'>Key messages</h2><ul><li>Red</li></ul>"
    "<h2>Each indicator</h2><section><h3>Re-referrals</h3>"
    "<figure><img src='data:image/png;base64,AAAA' alt='Re-referrals rose for ten months.'>"
    "<figcaption>Re-referrals by month</figcaption></figure>"
    "<table><caption>The figures behind the chart</caption><thead><tr><th scope='col'>Month</th>"
    "<th scope='col'>Value</th></tr></thead><tbody><tr><th scope='row'>Sep 2025</th><td>25.1</td>"
    "</tr></tbody></table></section><p><a href='https://www.gov.uk/'>GOV.UK</a></p>"
)
GOOD = finish_page(_page(GOOD_BODY), datetime(2025, 10, 1, tzinfo=UTC))


def test_a_small_finished_page_passes_every_check():
    assert html_checks.problems(GOOD) == []


@pytest.mark.parametrize(
    ("check", "bad", "problem"),
    [
        (html_checks.title_and_language, _page("<h1>R</h1>", lang="en"), "not 'en-GB'"),
        (html_checks.title_and_language, _page("<h1>R</h1>", head="<title> </title>"), "title"),
        (html_checks.headings, _page("<h1>R</h1><h3>S</h3>"), "a level is skipped"),
        (html_checks.headings, _page("<h1>R</h1><h1>S</h1>"), "2 H1 headings"),
        (html_checks.headings, _page("<h1>R</h1><h2> </h2>"), "an empty h2"),
        (
            html_checks.no_code_prompts_or_errors,
            _page('<div class="prompt input_prompt">In&nbsp;[3]:</div>'),
            "input_prompt",
        ),
        (
            html_checks.no_code_prompts_or_errors,
            _page("<p>Traceback (most recent call last): KeyError: 'x'</p>"),
            "traceback",
        ),
        (html_checks.no_code_prompts_or_errors, _page("<pre>report.prepare()</pre>"), "<pre>"),
        (html_checks.no_code_prompts_or_errors, _page("<p>Out[4]: 25.1</p>"), "prompt"),
        (html_checks.self_contained, _page("<script>alert(1)</script>"), "<script>"),
        (
            html_checks.self_contained,
            _page("", head='<link rel="stylesheet" href="https://cdn.example/x.css">'),
            "<link>",
        ),
        (html_checks.self_contained, _page('<img src="https://x.example/c.png" alt="a">'), "src"),
        (html_checks.self_contained, _page('<img src="chart.png" alt="a">'), "not inline"),
        (html_checks.self_contained, _page("<style>@import 'x.css';</style>"), "@import"),
        (
            html_checks.self_contained,
            _page('<p style="background: url(https://x.example/b.png)">x</p>'),
            "url(https://x.example/b.png)",
        ),
        (html_checks.self_contained, _page('<p onclick="go()">x</p>'), "event handler"),
        (html_checks.alt_text, _page('<img src="data:," alt="">'), "no alt text"),
        (html_checks.alt_text, _page('<img src="data:,">'), "no alt text"),
        (html_checks.alt_text, _page('<img src="data:," alt="chart_3.png">'), "says nothing"),
        (html_checks.alt_text, _page('<img src="data:," alt="Image">'), "says nothing"),
        (
            html_checks.alt_text,
            _page('<img src="data:," alt="Line chart of referrals">'),
            "shorter",
        ),
        (
            html_checks.numbered_figures_and_tables,
            _page("<figure><img><figcaption>Figure 2: A</figcaption></figure>"),
            "figure 1 is captioned 'Figure 2: A'",
        ),
        (
            html_checks.numbered_figures_and_tables,
            _page("<table><tr><td>1</td></tr></table>"),
            "table 1 is captioned ''",
        ),
        (html_checks.tables, _page("<table><tr><td>1</td></tr></table>"), "no header cells"),
        (html_checks.tables, _page("<table><tr><th>A</th></tr></table>"), "without a scope"),
        (
            html_checks.tables,
            _page("<div><table><tr><th scope='col'>A</th></tr></table></div>"),
            "not in a focusable, labelled region",
        ),
        (html_checks.links_and_contents, _page("<h1>R</h1>"), "no table of contents"),
        (html_checks.links_and_contents, GOOD.replace('href="#', 'href="#x'), "leads nowhere"),
        (html_checks.links_and_contents, _page("<p id='a'></p><p id='a'></p>"), "more than once"),
        (
            html_checks.links_and_contents,
            _page(
                "<nav aria-label='Contents'><a href='#k'>K</a></nav><h2 id='k'>Key messages</h2>"
            ),
            "comes before the key messages",
        ),
        (html_checks.generation_time, _page("<h1>R</h1>"), "0 generation times"),
        (html_checks.size, "x" * html_checks.MAX_BYTES, "over 3,145,728"),
    ],
)
def test_each_check_finds_its_problem(check, bad, problem):
    found = check(bad)
    assert any(problem in each for each in found), found


def test_the_generation_time_is_all_that_is_masked():
    later = finish_page(_page(GOOD_BODY), datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    assert later != GOOD
    assert html_checks.without_generation_time(later) == html_checks.without_generation_time(GOOD)
    changed = GOOD.replace("Re-referrals by month", "Re-referrals by quarter")
    assert html_checks.without_generation_time(changed) != html_checks.without_generation_time(GOOD)
