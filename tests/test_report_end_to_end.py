"""End to end: the demo data set rendered to HTML by `compendium render`, as `make report` does."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def rendered(demo_quarterly):
    return demo_quarterly


def test_outputs_are_written_together(rendered):
    assert {p.name for p in rendered.iterdir()} == {
        "quarterly_report.html",
        "summary.json",
        "parameters.yml",
    }


def test_html_has_no_code_prompts_or_scripts_and_is_self_contained(rendered):
    page = (rendered / "quarterly_report.html").read_text()
    assert '<html lang="en-GB">' in page
    assert (
        "<title>Demoshire: children&#39;s services quarterly performance report</title>" in page
        or "<title>Demoshire: children's services quarterly performance report</title>" in page
    )
    assert page.count("<h1") == 1
    for forbidden in (
        "<script",
        "In&nbsp;[",
        "quarterly.prepare(",
        "import ",
        "Traceback",
        "stderr",
        'src="http',
        'href="http',
        "@import",
    ):
        assert forbidden not in page, forbidden
    assert "Fictional data." in page
    images = re.findall(r"<img [^>]*>", page)
    assert images and all('alt="' in i and 'src="data:image/svg+xml;base64,' in i for i in images)


def test_summary_holds_the_figures_shown(rendered):
    summary = json.loads((rendered / "summary.json").read_text())
    assert summary["fictional"] is True
    assert summary["council"]["area_code"] == "E10999701"
    shown = {row["indicator"]: row for row in summary["indicators"]}
    assert len(shown) == 19
    row = shown["rereferrals_12m_pct"]
    page = (rendered / "quarterly_report.html").read_text()
    assert f"{row['latest']:.1f}" in page
    assert row["direction"] in page


def test_resolved_parameters_are_beside_the_report(rendered):
    import yaml

    parameters = yaml.safe_load((rendered / "parameters.yml").read_text())
    assert parameters["council"] == "701" and parameters["fictional"] is True
    assert Path(parameters["scorecard"]).exists()


def test_key_messages_come_first_and_name_the_demo_reds(rendered):
    # The demo's re-referrals shift up from April 2024 and its assessments fall for 10 months
    # (analysis.demo.DEMO_PATTERNS); params/demo.yml sets targets of 22% and 85% for them.
    page = (rendered / "quarterly_report.html").read_text()
    assert page.index("Fictional data.") < page.index("Key messages") < page.index("At a glance")
    messages = section(page, "Key-messages")
    assert "Re-referrals within 12 months: red" in messages
    assert "Assessments completed within 45 working days: red" in messages
    summary = json.loads((rendered / "summary.json").read_text())
    assert summary["key_messages"] and all(
        html.escape(m, quote=False) in messages or m in messages for m in summary["key_messages"]
    )


def section(page: str, anchor: str) -> str:
    """The HTML from the heading with id ``anchor`` to the next heading of the same level."""
    start = page.index(f'id="{anchor}"')
    level = page[page.rindex("<h", 0, start) + 2]
    end = page.find(f"<h{level}", start)
    return page[start : end if end > 0 else len(page)]


def cells(table: str) -> list[list[str]]:
    return [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    ]


def test_exception_report_names_the_demo_patterns_with_rule_and_start(rendered):
    # analysis.demo.DEMO_PATTERNS: re-referrals shift up from April 2024 (every month since on
    # the worse side of the average); assessments fall every month for the last 10 months.
    exceptions = section((rendered / "quarterly_report.html").read_text(), "Exception-report")
    assert "Which indicators are red" in exceptions  # the question the section answers
    rows = {(r[0], r[1]): r for r in cells(exceptions) if len(r) == 4}
    shift = rows[("Re-referrals within 12 months", "Sustained deterioration")]
    assert shift[3] == "April 2024" and "every month above the average" in shift[2]
    decline = rows[("Assessments completed within 45 working days", "Sustained deterioration")]
    assert decline[3] == "November 2024" and "falling month after month" in decline[2]
    assert ("Re-referrals within 12 months", "Red against its target") in rows
    assert ("Assessments completed within 45 working days", "Special cause concern") in rows
    assert not any(r[0] == "Referrals per 10,000 children" for r in rows.values())  # stable


def test_each_indicator_has_spc_and_benchmark_charts_with_alt_text_and_tables(rendered):
    page = (rendered / "quarterly_report.html").read_text()
    summary = json.loads((rendered / "summary.json").read_text())
    each = section(page, "Each-indicator")
    parts = each.split('<h3 id="indicator-')[1:]
    assert len(parts) == len(summary["indicators"]) == 19
    for part, row in zip(parts, summary["indicators"], strict=True):
        title = row["title"]
        alts = [html.unescape(a) for a in re.findall(r'<img [^>]*alt="([^"]+)"', part)]
        spc = [a for a in alts if "variation" in a or "special cause" in a]
        assert spc and spc[0].startswith(f"{title}: ") and "The latest value" in spc[0], title
        assert "the figures behind the chart</caption>" in part, title
        assert "Trend.</strong>" in part and "Against the target.</strong>" in part, title
        if row["published"] is None:
            # No published source: the report says so instead of drawing an empty chart.
            assert len(alts) == 1 and "no national or neighbour benchmark" in part, title
            continue
        bench = [a for a in alts if "England" in a]
        assert bench and bench[0].startswith(f"{title}: Demoshire "), title
        assert "Statistical neighbours (mean of" in bench[0], title
        assert "Good or outstanding councils (mean of" in bench[0], title
        assert "the figures behind the comparison</caption>" in part, title
        assert f"In the published figures for {row['published_period']}:" in part, title


def test_small_counts_are_not_shown(rendered):
    # The demo's plans open 2 years or more have numerators under 10 in the last months: those
    # months read "suppressed" (value and count), and the top of the report says so.
    page = (rendered / "quarterly_report.html").read_text()
    part = page.split('<h3 id="indicator-cpp-2yrs-plus-pct"')[1].split("<h3")[0]
    table = part[part.index("the figures behind the chart</caption>") :]
    rows = cells(table)[1:]
    assert any(r[1] == "suppressed" and r[2] == "suppressed" for r in rows)
    assert not any(re.fullmatch(r"[1-9]", r[2]) for r in rows)
    top = page[: page.index('id="Key-messages"')]
    assert "Child protection plans open 2 years or more at 31 March: figures built on" in top


def test_glossary_comes_last_and_defines_the_terms_used(rendered):
    page = (rendered / "quarterly_report.html").read_text()
    glossary = section(page, "Glossary")
    assert page.rindex("<h2") == page.index('id="Glossary"') - len("<h2 ")
    terms = re.findall(r"<dt>([^<]*)</dt>", glossary)
    assert len(terms) == len(set(terms))
    assert {"Special cause variation", "RAG", "Statistical neighbours"} <= set(terms)


def test_headings_are_in_order_and_each_has_an_id(rendered):
    page = (rendered / "quarterly_report.html").read_text()
    headings = re.findall(r"<h([1-6])([^>]*)>", page)
    levels = [int(level) for level, _ in headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert all('id="' in attributes for level, attributes in headings if level in "23")


def test_without_a_previous_summary_the_report_says_so(rendered):
    changed = section(
        (rendered / "quarterly_report.html").read_text(), "What-changed-since-the-last-report"
    )
    assert "nothing to compare with" in changed


def test_report_size(rendered):
    size = (rendered / "quarterly_report.html").stat().st_size
    assert size < 3_000_000, f"{size:,} bytes"


@pytest.fixture(scope="module")
def rendered_with_previous(rendered, demo_run_file, tmp_path_factory):
    """The demo re-rendered for two indicators against a changed copy of its own summary:
    re-referrals green last time (so red is new) and CLA published as 70 for the same year."""
    from analysis.cli import main

    previous = json.loads((rendered / "summary.json").read_text())
    rows = {r["indicator"]: r for r in previous["indicators"]}
    assert rows["rereferrals_12m_pct"]["rag"] == "red"
    rows["rereferrals_12m_pct"]["rag"] = "green"
    rows["cla_rate_per_10k"]["published"] = 70.0
    folder = tmp_path_factory.mktemp("previous")
    path = folder / "summary.json"
    path.write_text(json.dumps(previous))
    out = folder / "outputs"
    indicators = "[rereferrals_12m_pct, cla_rate_per_10k]"
    arguments = ["render", str(demo_run_file), "-p", "previous_summary", str(path)]
    assert main([*arguments, "-p", "indicators", indicators, "--out", str(out)]) == 0
    return out / "demo" / "E10999701"


def test_what_changed_lists_new_reds_and_revised_figures(rendered_with_previous):
    page = (rendered_with_previous / "quarterly_report.html").read_text()
    changed = html.unescape(section(page, "What-changed-since-the-last-report"))
    assert "Compared with the report of local figures to September 2025." in changed
    assert "Re-referrals within 12 months: now red against its target (was green)." in changed
    assert (
        "Children looked after per 10,000 at 31 March: the published figure for 2025 was "
        "revised from 70 per 10,000 children to 72 per 10,000 children." in changed
    )
    assert "nothing to compare with" not in changed
