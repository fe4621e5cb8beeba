"""End to end: the demo data set rendered to HTML by `compendium render`, as `make report` does."""

from __future__ import annotations

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
    assert images and all('alt="' in i and 'src="data:image/png;base64,' in i for i in images)


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
    assert page.index("Key messages") < page.index("At a glance")
    messages = page[page.index("Key messages") : page.index("At a glance")]
    assert "Re-referrals within 12 months: red" in messages
    assert "Assessments completed within 45 working days: red" in messages
