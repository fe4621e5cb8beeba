"""The indicator deep dive and data quality notebooks, end to end for the demo council, and the
deep dive's disclosure control on a hand-made scorecard with small team counts.

Where expected numbers come from: the demo's re-referrals shift up from April 2024 because team
North's rate rises and team East's share grows (analysis.demo.DEMO_PATTERNS), so the deep dive
must suggest April 2024 as a rebase and find a positive rate effect led by North and a positive
mix effect led by East; the effects shown are checked against analysis.decomposition.kitagawa
on the scorecard's own team counts (itself tested against a hand-worked example). The demo's
LAIT re-referral figures are built from the same counts as its EES file, so the data quality
report must find no disagreement. Small counts: the rules of analysis.disclosure (counts from 1
to 9 hidden, a second count hidden where one could be worked out from the total).
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import time
from pathlib import Path

import html_checks
import pandas as pd
import pytest
from conftest import demo_params

from analysis import deep_dive, spc
from analysis.changepoint import MINIMUM_SEGMENT
from analysis.decomposition import groups_between, kitagawa
from analysis.disclosure import SUPPRESSED
from analysis.published import DATA_ENV

RENDER_SECONDS: dict[str, float] = {}


def _render(name: str, demo_data: Path, folder: Path) -> Path:
    from analysis.cli import main

    run = demo_params(name, demo_data, folder)
    started = time.perf_counter()
    assert main(["render", str(run), "--out", str(folder / "out")]) == 0
    RENDER_SECONDS[name] = time.perf_counter() - started
    return folder / "out" / name / "E10999701"


@pytest.fixture(scope="module")
def deep(demo_data, tmp_path_factory) -> Path:
    return _render("deep_dive_demo", demo_data, tmp_path_factory.mktemp("deep"))


@pytest.fixture(scope="module")
def quality(demo_data, tmp_path_factory) -> Path:
    return _render("data_quality_demo", demo_data, tmp_path_factory.mktemp("quality"))


def _check_page(page: str) -> None:
    assert html_checks.problems(page) == []  # the project's shared page checks
    assert page.count("<h1") == 1
    images = re.findall(r"<img [^>]*>", page)
    for image in images:
        alt = re.search(r'alt="([^"]*)"', image)
        assert alt and alt[1].strip(), image[:120]
    assert "<table" in page
    for forbidden in ("<script", "Traceback", "stderr", 'src="http', "import "):
        assert forbidden not in page, forbidden
    assert "Fictional data." in page
    levels = [int(n) for n in re.findall(r"<h([1-3])[ >]", page)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    headings = re.findall(r"<h[23]([^>]*)>", page)
    assert headings and all("id=" in attributes for attributes in headings)


def _check_summary(folder: Path, notebook: str) -> dict:
    summary = json.loads((folder / "summary.json").read_text())
    assert set(summary) == {
        "council",
        "title",
        "notebook",
        "fictional",
        "compendium_version",
        "key_messages",
        "warnings",
    }
    assert summary["council"] == {"la_number": "701", "area_code": "E10999701", "name": "Demoshire"}
    assert summary["notebook"] == notebook and summary["fictional"] is True
    assert summary["key_messages"] and all(isinstance(m, str) for m in summary["key_messages"])
    return summary


def test_deep_dive_renders_an_accessible_page(deep):
    assert {p.name for p in deep.iterdir()} == {
        "indicator_deep_dive.html",
        "summary.json",
        "parameters.yml",
    }
    page = (deep / "indicator_deep_dive.html").read_text()
    _check_page(page)
    # the whole area and four teams: five SPC charts and one contribution chart
    assert len(re.findall(r"<img ", page)) == 6
    for team in ("North", "South", "East", "West"):
        assert f'id="team-{team.lower()}"' in page or f"id='team-{team.lower()}'" in page


def test_the_rendered_pages_carry_their_about_sections(deep, quality):
    # the notebooks' About sections are the library's text (about_html), rendered in the page
    for folder, name, heading, fact in (
        (deep, "indicator_deep_dive", "About this analysis", f"plus or minus {spc.LIMIT_FACTOR}"),
        (quality, "data_quality", "About these checks", f"larger than {spc.SCREENING_FACTOR}"),
    ):
        page = (folder / f"{name}.html").read_text()
        about = page[page.index(heading) :]
        assert fact in about[: about.index("</p>", about.index(fact))]


def test_deep_dive_labels_change_points_as_suggestions_and_applies_the_chosen_rebase(deep):
    page = (deep / "indicator_deep_dive.html").read_text()
    suggestions = page[page.index("Suggested rebase dates (suggestions only)") :]
    assert "Apr 2024" in suggestions[: suggestions.index("</table>")]
    assert "a rebase is a human decision" in page
    assert "Rebased (chosen in the parameters) from April 2024." in page
    summary = _check_summary(deep, "indicator_deep_dive")
    assert any("suggestions only" in m for m in summary["key_messages"])


def test_deep_dive_split_matches_kitagawa_on_the_scorecard(deep, demo_data):
    from analysis.catalogue import load_catalogue
    from analysis.demo import DEMO_COUNCIL
    from analysis.local_scorecard import load_scorecard

    local = load_scorecard(demo_data / "local" / "scorecard.csv", DEMO_COUNCIL, load_catalogue())
    rows = local.loc[local["indicator"] == "rereferrals_12m_pct"]
    split = kitagawa(groups_between(rows, "team", "Mar 2024", "Sep 2025"), scale=100)
    by_team = split.set_index("group")
    assert by_team["rate_effect"].idxmax() == "North"
    assert by_team["mix_effect"].idxmax() == "East"
    assert split["rate_effect"].sum() > 0 and split["mix_effect"].sum() > 0
    page = (deep / "indicator_deep_dive.html").read_text()
    summary = _check_summary(deep, "indicator_deep_dive")
    rate = f"{split['rate_effect'].sum():.2f} percentage points is the rate effect"
    assert any(rate in m for m in summary["key_messages"]), summary["key_messages"]
    assert f"{by_team.loc['North', 'rate_effect']:.2f}" in page
    assert "team North" in " ".join(summary["key_messages"])


def test_data_quality_renders_and_finds_lait_and_ees_agree(quality):
    page = (quality / "data_quality.html").read_text()
    _check_page(page)
    assert "Every year compared agrees." in page
    summary = _check_summary(quality, "data_quality")
    messages = " ".join(summary["key_messages"])
    assert re.search(r"LAIT and EES: [1-9]\d* council-years compared, 0 differ", messages)
    # the demo's suppressed (c) and not returned (x) months are counted, never as zero
    assert re.search(r"\d+ cells have no value \(\d+ not available; \d+ suppressed\)", messages)


def test_render_times_are_reasonable(deep, quality):
    # measured on the 2-core development machine; generous so a loaded machine passes
    assert RENDER_SECONDS and all(seconds < 240 for seconds in RENDER_SECONDS.values())


# --- small counts on a hand-made scorecard -----------------------------------------------------


def _scorecard(path: Path, names: tuple[str, str] = ("A", "B")) -> Path:
    """14 months of re-referrals for two teams: A (about 100 referrals) and B (6 referrals,
    1 or 2 re-referrals: counts to hide)."""
    ends = pd.date_range("2024-04-30", periods=14, freq="ME")
    rows = []
    for i, end in enumerate(ends):
        teams = {f"team: {names[0]}": (20 + i % 3, 100 + i), f"team: {names[1]}": (1 + i % 2, 6)}
        total = tuple(sum(v[k] for v in teams.values()) for k in (0, 1))
        for breakdown, (n, d) in {"all": total, **teams}.items():
            rows.append(
                {
                    "indicator": "rereferrals_12m_pct",
                    "period_end": end.strftime("%Y-%m-%d"),
                    "breakdown": breakdown,
                    "value": round(100 * n / d, 4),
                    "numerator": n,
                    "denominator": d,
                }
            )
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def small(tmp_path, monkeypatch) -> deep_dive.DeepDive:
    monkeypatch.delenv(DATA_ENV, raising=False)
    return deep_dive.prepare(
        council="936",
        indicator="rereferrals_12m_pct",
        dimension="team",
        period_end="2025-05-31",
        scorecard_path=str(_scorecard(tmp_path / "scorecard.csv")),
    )


def test_periods_to_compare_default_to_the_latest_and_a_year_before(small):
    assert (small.compare_from, small.compare_to) == ("May 2024", "May 2025")


def test_small_team_counts_are_hidden_in_every_table(small):
    protected = small.protected_rows
    team_b = protected.loc[small.rows["breakdown"].to_numpy() == "team: B"]
    assert (team_b["numerator"] == SUPPRESSED).all()
    assert (team_b["denominator"] == SUPPRESSED).all()
    assert (team_b["value"] == SUPPRESSED).all()
    # only two teams: A is hidden too, else B = all - A
    team_a = protected.loc[small.rows["breakdown"].to_numpy() == "team: A"]
    assert (team_a["numerator"] == SUPPRESSED).all()
    html = small.groups_html() + small.whole_area_html() + small.contribution_html()
    for count in ("1", "2", "6"):
        assert f"<td>{count}</td>" not in html
    # B's figures are built on small counts, so B has no value to chart or split: the split
    # is not made (its effects would give B's counts back) and the page says why
    assert small.rows.loc[small.rows["breakdown"] == "team: B", "value"].isna().all()
    assert small.split is None and "B has a missing numerator" in small.split_problem
    assert "cannot be split" in html
    # the split table still hides what a split on small counts would show (1 to 2 of 6)
    split = kitagawa(
        pd.DataFrame(
            {
                "group": ["A", "B"],
                "numerator_from": [20, 1],
                "denominator_from": [100, 6],
                "numerator_to": [21, 2],
                "denominator_to": [113, 6],
            }
        ),
        scale=100,
    )
    table, notes = small.split_table(split)
    assert (table.loc[:1, "Rate effect"] == SUPPRESSED).all()
    assert any("hidden count" in n for n in notes)
    assert small._visible_groups(split).empty


def test_an_unknown_indicator_or_dimension_is_reported(small, tmp_path, monkeypatch):
    from analysis.errors import DataError

    monkeypatch.delenv(DATA_ENV, raising=False)
    with pytest.raises(DataError, match="unknown indicator id 'nope'"):
        deep_dive.prepare("936", "nope", "team", "2025-05-31", str(tmp_path / "x.csv"))
    other = deep_dive.prepare(
        "936",
        "rereferrals_12m_pct",
        "age",
        "2025-05-31",
        str(_scorecard(tmp_path / "s.csv")),
    )
    assert any("no breakdown by 'age'" in w and "team" in w for w in other.warnings)
    assert "no rows broken down by age" in other.groups_html()


def test_an_indicator_without_rows_says_so_in_every_section(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    path = tmp_path / "scorecard.csv"
    path.write_text(
        "indicator,period_end,breakdown,value,numerator,denominator\n"
        "referrals_nfa_pct,2025-04-30,all,6.5,65,1000\n",
        encoding="utf-8",
    )
    dive = deep_dive.prepare("936", "rereferrals_12m_pct", "team", "2025-05-31", str(path))
    assert any("no rows for Re-referrals within 12 months" in w for w in dive.warnings)
    assert "no whole-area rows" in dive.whole_area_html()
    assert "no rows broken down by team" in dive.groups_html()
    assert "no groups by team" in dive.contribution_html()
    summary = json.loads(dive.save_summary(tmp_path / "summary.json").read_text())
    assert summary["warnings"] == dive.warnings
    assert summary["key_messages"] == [
        "There are no local figures for Re-referrals within 12 months to analyse."
    ]


def test_group_names_from_the_scorecard_are_escaped(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    names = ("North & <b>East</b>", "<script>x</script>")
    path = _scorecard(tmp_path / "scorecard.csv", names)
    dive = deep_dive.prepare("936", "rereferrals_12m_pct", "team", "2025-05-31", str(path))
    page = dive.heading_html() + dive.groups_html() + dive.contribution_html()
    assert "<b>East" not in page and "<script" not in page
    assert "North &amp; &lt;b&gt;East&lt;/b&gt;" in page
    assert re.search(r"<h3 id='team-north-b-east-b'>", page)


def test_what_the_scorecard_loader_warns_about_is_on_the_page(tmp_path, monkeypatch):
    # a month deleted inside the whole-council series: the loader's warning (the chart joins
    # the months either side) is shown at the top of the page, not only in the notebook's log
    monkeypatch.delenv(DATA_ENV, raising=False)
    path = _scorecard(tmp_path / "scorecard.csv")
    table = pd.read_csv(path)
    gap = (table["period_end"] == "2024-09-30") & (table["breakdown"] == "all")
    table.loc[~gap].to_csv(path, index=False)
    with pytest.warns(UserWarning, match="no row for some periods inside a series"):
        dive = deep_dive.prepare("936", "rereferrals_12m_pct", "team", "2025-05-31", str(path))
    assert any("no row for some periods inside a series" in w for w in dive.warnings)
    assert "no row for some periods inside a series" in dive.heading_html()


def test_about_states_the_numbers_the_analysis_uses(small):
    # Every number in "About this analysis" is one the analysis uses: the XmR limit and
    # screening factors and the default run and trend lengths of analysis.spc (the charts use
    # the default SpcOptions), the shortest level of analysis.changepoint, and the deep dive's
    # own small-number threshold.
    options = spc.SpcOptions()
    dive = dataclasses.replace(small, threshold=25)
    page = dive.about_html()
    for fact in (
        f"plus or minus {spc.LIMIT_FACTOR} times the average moving range",
        f"moving ranges of {spc.SCREENING_FACTOR} times the average or more",
        f"a run of {options.run_length} on one side of the mean",
        f"a trend of {options.trend_length},",
        f"at least {MINIMUM_SEGMENT} values at each level",
        "Counts from 1 to 24 are hidden in every table",
    ):
        assert fact in page, fact
    assert "Counts from 1 to 9 are hidden" in small.about_html()
    assert page == "".join(f"<p>{html.escape(p)}</p>" for p in dive.about_paragraphs())
    assert "Kitagawa&#x27;s method" in page and "<script" not in page


# --- small counts in the demo scorecard (the audit's cases) ------------------------------------

WEST_SEPTEMBER = "rereferrals_12m_pct,2025-09-30,month,team: West,"


def _demo_dive(demo_data: Path, damage, west: str) -> deep_dive.DeepDive:
    """The demo deep dive (params/deep_dive_demo.yml) with team West's September 2025 row of
    the demo scorecard replaced by ``west`` (value, numerator, denominator, status)."""
    path = damage(
        demo_data / "local" / "scorecard.csv",
        lambda lines: [WEST_SEPTEMBER + west if x.startswith(WEST_SEPTEMBER) else x for x in lines],
    )
    return deep_dive.prepare(
        council="701",
        indicator="rereferrals_12m_pct",
        dimension="team",
        period_end="2025-09-30",
        scorecard_path=str(path),
        data_dir=str(demo_data),
        compare_from="2024-03",
        rebase=["2024-04"],
        fictional=True,
    )


def _whole_page(dive: deep_dive.DeepDive) -> str:
    return (
        dive.heading_html()
        + dive.key_messages_html()
        + dive.whole_area_html()
        + dive.groups_html()
        + dive.contribution_html()
    )


@pytest.mark.parametrize(
    ("west", "leak"),
    [
        ("3.0,3,100,", "3.0%"),  # 3 re-referrals of 100: a numerator under 10
        ("50.0,,8,", "50.0%"),  # 50% of 8 referrals is 4: a denominator under 10, no numerator
    ],
)
def test_a_groups_month_on_a_small_count_is_shown_nowhere(demo_data, damage, west, leak):
    # The audit's case: team West's September 2025 re-referrals set to a figure built on a
    # count under 10 (the edit itself gives the numbers: 3 of 100 is 3.0%; 50% of 8 is 4).
    # Before anything is worked out the month loses its value, as in the quarterly report:
    # West's sentence, chart, alt text and table stop at August 2025, the split (whose effects
    # would give the count back) is not made, and the top of the page says why.
    dive = _demo_dive(demo_data, damage, west)
    page = _whole_page(dive)
    assert not re.search(rf"(?<![\d.]){re.escape(leak)}", page)
    west_chart = dive.chart_of("team: West").set_index("period")
    assert pd.isna(west_chart.loc["Sep 2025", "value"])
    section = page[page.index("Team West</h3>") :]
    assert "the latest figure" in section and "in August 2025" in section.split("</p>")[0]
    alt = re.search(r'alt="([^"]*)"', section)[1]
    assert "The latest value, for Aug 2025, is 22.7%." in alt  # the demo's August row: 46/203
    table = dive.series_table("team: West").set_index("Period")
    assert table.loc["Sep 2025", "Value"] == SUPPRESSED
    assert table.loc["Sep 2025", "Numerator"] == SUPPRESSED
    assert dive.split is None and "West has a missing numerator" in dive.split_problem
    assert (
        "Re-referrals within 12 months (team: West): figures built on a count of fewer than 10 "
        "are not shown, to protect privacy (Sep 2025)."
    ) in dive.warnings
    assert "(team: West): figures built on a count of fewer than 10" in dive.heading_html()


def test_a_groups_figures_without_their_counts_are_named_at_the_top(demo_data, damage):
    # team West's September 2025 figure given as a value only (20.0%): whether it is built on
    # a count under 10 cannot be known, so the page says so at the top instead of staying
    # silent; the other series have their counts and are not named
    dive = _demo_dive(demo_data, damage, "20.0,,,")
    notes = [w for w in dive.warnings if "without the counts" in w]
    assert len(notes) == 1 and notes[0].startswith("Re-referrals within 12 months (team: West):")
    assert "whole area" not in notes[0] and "North" not in notes[0]
    assert "small numbers could not be checked" in dive.heading_html()
