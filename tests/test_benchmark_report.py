"""The annual benchmark report (analysis/benchmark_report.py, notebooks/benchmark_report.ipynb).

Expected numbers come from the published files themselves, read here with the csv module
(c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv for re-referrals, the
statistical neighbour model sn_model_2025_wide.csv), and from the formulas of
``../shared/docs/methods.md`` section 2 worked by hand: type-7 quartiles and LAIT bands, rank 1
= best with ties at the lowest rank, the Wilson score interval, the normal funnel limits.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from analysis.benchmark_report import NO_CONCERN, national, prepare

ROOT = Path(__file__).resolve().parents[1]
C1 = "ees/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
REREFERRALS = "rereferrals_12m_pct"
SURREY, CITY_OF_LONDON, SCILLY = "936", "201", "420"
Z95 = 1.959963984540054
Z998 = 3.090232306167813


def _c1_rows(dfe: Path, year: str, level: str) -> list[dict[str, str]]:
    with open(dfe / C1, encoding="utf-8-sig", newline="") as handle:
        return [
            row
            for row in csv.DictReader(handle)
            if row["time_period"] == year and row["geographic_level"] == level
        ]


def _c1_percent_by_la(dfe: Path, year: str, code: str = "old_la_code") -> dict[str, float]:
    """Every council's published re-referral percentage (suppressed ones left out), by DfE
    number (``old_la_code``) or ONS code (``new_la_code``)."""
    out = {}
    for row in _c1_rows(dfe, year, "Local authority"):
        try:
            out[row[code]] = float(row["rereferral_percent"])
        except ValueError:
            continue
    return out


def _neighbours(dfe: Path, la: str) -> list[str]:
    with open(dfe / "ees/sn_model_2025_wide.csv", encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["old_la_code"] == la)
    return [row[f"SN_{i}"] for i in range(1, 11)]


def _type7(values: list[float], p: float) -> float:
    """Hyndman and Fan type 7: x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)])."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


@pytest.fixture(scope="module")
def surrey(dfe):
    return prepare(SURREY, 2025, dfe)


# --- figures against the published files ----------------------------------------------------


@pytest.mark.real_data
def test_published_figures_are_the_files_own(dfe, surrey):
    """Surrey's and England's 2025 re-referral percentages as c1 publishes them (20.5, 22.6),
    the region as published (South East), and last year's figure (2024: 16.3)."""
    result = surrey.results[REREFERRALS]
    la = {r["old_la_code"]: r for r in _c1_rows(dfe, "2025", "Local authority")}
    england = _c1_rows(dfe, "2025", "National")[0]
    region = next(r for r in _c1_rows(dfe, "2025", "Regional") if r["region_name"] == "South East")
    assert result["value"] == float(la[SURREY]["rereferral_percent"]) == 20.5
    assert result["comparators"]["england"]["value"] == float(england["rereferral_percent"])
    assert result["comparators"]["region"]["value"] == float(region["rereferral_percent"])
    assert result["comparators"]["england"]["method"] == "published"
    previous = {r["old_la_code"]: r for r in _c1_rows(dfe, "2024", "Local authority")}
    assert result["previous_value"] == float(previous[SURREY]["rereferral_percent"]) == 16.3
    assert result["change"] == "up (worse)"
    assert result["numerator"] == float(la[SURREY]["rereferral_count"])


@pytest.mark.real_data
def test_band_and_ranks_by_hand(dfe, surrey):
    """Quartiles of all councils by type 7; lower is better, so quartile 3 is band C; the rank
    is 1 + the councils with a lower (better) value; among neighbours likewise, out of 1 + the
    neighbours with a value."""
    values = _c1_percent_by_la(dfe, "2025")
    own = values[SURREY]
    q1, q2, q3 = (_type7(list(values.values()), p) for p in (0.25, 0.5, 0.75))
    quartile = 1 + (own > q1) + (own > q2) + (own > q3)
    result = surrey.results[REREFERRALS]
    assert result["quartiles"] == pytest.approx([q1, q2, q3], rel=1e-12)
    assert result["quartile_band"] == "ABCD"[quartile - 1] == "C"
    assert result["national_rank"] == 1 + sum(v < own for v in values.values()) == 82
    assert result["rank_of"] == len(values) == 153
    neighbours = [values[n] for n in _neighbours(dfe, SURREY) if n in values]
    assert result["neighbour_rank"] == 1 + sum(v < own for v in neighbours)
    assert result["neighbour_rank_of"] == 1 + len(neighbours)
    sn = result["comparators"]["statistical_neighbours"]
    assert sn["n"] == len(neighbours) == 10
    assert sn["value"] == pytest.approx(sum(neighbours) / len(neighbours), rel=1e-12)
    assert sn["method"] == "mean"
    by_code = _c1_percent_by_la(dfe, "2025", "new_la_code")
    good = [by_code[c] for c in surrey.national.data.good_or_outstanding if c in by_code]
    assert len(good) > 50
    group = result["comparators"]["good_or_outstanding"]
    assert group["n"] == len(good)
    assert group["value"] == pytest.approx(sum(good) / len(good), rel=1e-12)


@pytest.mark.real_data
def test_significance_against_england_by_the_wilson_interval(dfe, surrey):
    """Wilson 95% interval of 2,104 of 10,284 (Surrey, c1 2025): 19.7% to 21.2%, below
    England's 22.6%, so significantly lower, which for re-referrals is better."""
    x, n = 2104, 10284
    p = x / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    result = surrey.results[REREFERRALS]
    assert result["interval"] == pytest.approx([100 * (centre - half), 100 * (centre + half)])
    assert result["compared_with_england"] == "better"
    assert "significantly better (95% confidence)" in surrey.narrative(REREFERRALS)


@pytest.mark.real_data
def test_funnel_places_the_council_by_the_normal_limits(dfe, surrey):
    """p0 = England's 142,900 / 632,830; Surrey's 2,104 / 10,284 is below
    p0 - 3.09 sqrt(p0 (1 - p0) / 10,284), the 99.8% lower limit."""
    p0 = 142900 / 632830
    lower_998 = p0 - Z998 * math.sqrt(p0 * (1 - p0) / 10284)
    assert 2104 / 10284 < lower_998
    section = surrey.indicator_html(REREFERRALS)
    assert "Surrey 20.5% (2,104 of 10,284) is below the 99.8% limit" in section
    assert section.count("<img") == 2


@pytest.mark.real_data
def test_a_funnel_without_england_counts_centres_on_the_councils_total_and_says_so(dfe, surrey):
    """With England's row gone, p0 is the councils' re-referrals added up over their referrals
    (the file's Local authority rows, read here with csv), and the note under the chart says
    that the line marked England is that total."""
    counts = []
    for row in _c1_rows(dfe, "2025", "Local authority"):
        try:
            counts.append((float(row["rereferral_count"]), float(row["referral_count"])))
        except ValueError:
            continue
    counts = [(x, n) for x, n in counts if n > 0]
    expected = sum(x for x, _ in counts) / sum(n for _, n in counts)
    published = national(dfe)
    period = surrey.results[REREFERRALS]["period"]
    with_england = published.funnel(REREFERRALS, period, 10)
    assert with_england.p0 == pytest.approx(142900 / 632830)
    assert "line marked England" not in with_england.note
    without = dataclasses.replace(published, england={}, funnels={})
    funnel = without.funnel(REREFERRALS, period, 10)
    assert funnel.p0 == pytest.approx(expected)
    assert funnel.p0 != pytest.approx(with_england.p0, abs=1e-6)
    assert "the line marked England is every council's counts added together" in funnel.note


@pytest.mark.real_data
def test_neutral_indicators_get_no_band_or_rank(surrey):
    result = surrey.results["cla_rate_per_10k"]
    assert result["quartile_band"] is None and result["national_rank"] is None
    assert result["neighbour_rank"] is None
    assert result["compared_with_councils"] in ("lower", "similar", "higher")
    assert result["compared_with_england"] in ("lower", "similar", "higher")
    text = surrey.narrative("cla_rate_per_10k")
    assert "no band or rank" in text and "better" not in text and "worse" not in text


@pytest.mark.real_data
def test_a_section_names_its_indicator_once_in_its_heading_not_again_in_its_paragraph(surrey):
    for indicator_id in surrey.results:
        indicator = surrey.national.catalogue[indicator_id]
        text = surrey.narrative(indicator_id)
        assert f"{indicator.title}: " not in text, indicator_id
    trend = surrey.narrative("rereferrals_12m_pct")
    assert "From 2021 to 2025 the figure fell significantly" in trend


@pytest.mark.real_data
def test_an_indicator_without_a_published_figure_says_so(surrey):
    result = surrey.results["assessments_45d_pct"]
    assert result["published"] is False
    section = surrey.indicator_html("assessments_45d_pct")
    assert "no national or neighbour benchmark" in section and "<img" not in section


@pytest.mark.real_data
def test_key_messages_name_the_bottom_quartile_and_what_got_worse(surrey):
    """Surrey 2025: vacancies 30.7% are in band D; re-referrals rose from 16.3% to 20.5%, and
    c1's 2,170 re-referrals of 10,590 referrals give a Wilson 95% interval of about 19.7% to
    21.2%, which leaves out last year's 16.3%: significantly worse than last year."""
    messages = surrey.key_messages()
    assert any(
        m.startswith("Social worker vacancies: in the bottom quartile band (D") for m in messages
    )
    assert (
        "Re-referrals within 12 months: significantly worse than last year (20.5% against 16.3% "
        "in 2024)." in messages
    )
    assert NO_CONCERN not in messages
    # children looked after: 36 per 10,000 in 2024 lies inside 2025's Byar interval (32.4 to
    # 36.9 around 35.0), so the fall is within what chance could explain
    assert surrey.narrative("cla_rate_per_10k").endswith(
        "In 2024 the figure was 36 per 10,000 children: down since last year, within what "
        "chance could explain (95% confidence)."
    ) or "within what chance could explain (95% confidence)." in surrey.narrative(
        "cla_rate_per_10k"
    )


@pytest.mark.real_data
def test_a_change_since_last_year_that_cannot_be_tested_is_no_key_message_on_its_own(dfe):
    """Calderdale 2025 (LAIT LACStable_2016on, a percentage without its counts): 10% of children
    looked after had 3 or more placements against 7% in 2024. Worse, but with no counts the
    change cannot be told from chance, so it is said in its section, not as a key message;
    beside band D (care leavers in education, 49% against 50%) it is said as context."""
    report = prepare("381", 2025, dfe)
    placements = report.results["cla_3plus_placements_pct"]
    assert (placements["change"], placements["interval"]) == ("up (worse)", None)
    messages = report.key_messages()
    assert not any(m.startswith("Children looked after with 3 or more") for m in messages)
    assert (
        "In 2024 the figure was 7.0%: up (worse) since last year (the counts to test the change "
        "are not published)." in report.narrative("cla_3plus_placements_pct")
    )
    assert (
        "Care leavers in education, employment or training: in the bottom quartile band (D: "
        "rank 111 of 152) and worse than last year (49.0% against 50.0% in 2024)." in messages
    )


@pytest.mark.real_data
def test_key_messages_put_the_indicators_with_most_reasons_first(dfe):
    """Greenwich 2025. d5: 17 of 252 plans open 2 years or more (6.7%) against England's 1,130
    of 49,420 (2.3%): the Wilson 95% interval of 17/252, about 4.3% to 10.5%, leaves out 2.3%,
    so significantly worse, and 6.7% ranks 86th of the 94 councils with a value (band D).
    LAIT CP_conf_15days: 71.0% in 2025 against 75.9% in 2024, 137th of 151 (band D). Two reasons
    each, so these come first, in catalogue order, before the one-reason messages."""
    messages = prepare("203", 2025, dfe).key_messages()
    assert messages[:2] == [
        "Initial child protection conferences within 15 working days: in the bottom quartile "
        "band (D: rank 137 of 151) and worse than last year (71.0% against 75.9% in 2024).",
        "Child protection plans open 2 years or more at 31 March: significantly worse than "
        "England (6.7% against 2.3%) and in the bottom quartile band (D: rank 86 of 94).",
    ]
    assert all(" and " not in m.split(": ", 1)[1] for m in messages[2:])


@pytest.mark.real_data
def test_small_counts_are_never_shown(dfe):
    """City of London 2025 (c1): 9 re-referrals of 57 referrals. The 9 is below 10, so it is not
    in the summary, the funnel or any alt text or table."""
    report = prepare(CITY_OF_LONDON, 2025, dfe)
    result = report.results[REREFERRALS]
    assert result["numerator"] is None and result["counts_hidden"] is True
    assert result["denominator"] is None and result["interval"] is None
    section = report.indicator_html(REREFERRALS)
    assert "9 of 57" not in section and not re.search(r"confidence interval(</th>| \d)", section)
    assert "to protect small numbers" in section
    assert "City of London</th><td>9<" not in section
    summary = json.dumps(report.summary())
    assert '"numerator": 9.0' not in summary


@pytest.mark.real_data
def test_text_from_data_is_escaped(surrey):
    council = dataclasses.replace(surrey.council, area_name="<b>Surrey & Co</b>")
    report = dataclasses.replace(surrey, council=council)
    page = report.heading_html() + report.overview_html() + report.indicator_html(REREFERRALS)
    assert "<b>" not in page and "&lt;b&gt;Surrey &amp; Co&lt;/b&gt;" in page


@pytest.mark.real_data
def test_summary_contract(surrey):
    summary = surrey.summary()
    assert summary["council"] == {"la_number": "936", "area_code": "E10000030", "name": "Surrey"}
    assert summary["notebook"] == "benchmark_report" and summary["year"] == 2025
    assert summary["fictional"] is False and summary["title"] == surrey.title
    assert summary["key_messages"] == surrey.key_messages()
    assert {"compendium_version", "indicators", "warnings"} <= set(summary)
    row = next(r for r in summary["indicators"] if r["indicator"] == REREFERRALS)
    for key in ("value", "comparators", "quartile_band", "national_rank", "change"):
        assert key in row
    json.dumps(summary)  # plain values only


@pytest.mark.real_data
def test_latest_year_is_the_default_and_national_figures_are_computed_once(dfe, surrey):
    assert prepare(SURREY, 0, dfe).year == 2025
    assert national(dfe) is national(str(dfe)) is surrey.national


def test_a_changed_file_is_read_again(demo_data, tmp_path):
    """The cache is keyed by the files' modification times: touching one loads afresh."""
    folder = tmp_path / "data"
    shutil.copytree(demo_data, folder)
    first = national(folder, [REREFERRALS])  # one indicator: quick to load
    assert national(folder, [REREFERRALS]) is first
    touched = folder / "ees" / "sn_model_2025_wide.csv"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    assert national(folder, [REREFERRALS]) is not first


def test_unknown_indicator_or_method_is_a_clear_error(demo_data):
    with pytest.raises(KeyError, match="unknown indicator id"):
        prepare("701", 0, demo_data, indicators=["no_such_indicator"])
    with pytest.raises(ValueError, match="method must be one of"):
        prepare("701", 0, demo_data, method="mode")


# --- the notebook, rendered ----------------------------------------------------------------

PLACEHOLDERS = {"", "...", "alt", "image", "chart", "figure", "todo"}


def _render(run: Path, code: str, out: Path) -> Path:
    from analysis.params import load_run_file
    from analysis.render import render_report

    start = time.perf_counter()
    path = render_report(load_run_file(run, overrides={"council": code}), out)
    print(f"rendered {code} in {time.perf_counter() - start:.1f} s")
    return path


@pytest.fixture(scope="module")
def rendered(dfe, tmp_path_factory):
    """Surrey (a large county), City of London (a London borough with tiny counts) and the
    Isles of Scilly (the smallest unitary, much suppressed), each rendered once."""
    folder = tmp_path_factory.mktemp("benchmark")
    text = (ROOT / "params" / "benchmark_example.yml").read_text(encoding="utf-8")
    run = folder / "real.yml"
    run.write_text(text + f"data_dir: {dfe}\n", encoding="utf-8")
    return {code: _render(run, code, folder / "out") for code in (SURREY, CITY_OF_LONDON, SCILLY)}


@pytest.fixture(scope="module")
def rendered_demo(demo_data, tmp_path_factory):
    """The demo council on the demo data, rendered once."""
    folder = tmp_path_factory.mktemp("benchmark-demo")
    run = folder / "demo.yml"
    run.write_text(
        "name: demo\nnotebook: benchmark_report\ncouncil: '701'\nyear: 0\n"
        f"data_dir: {demo_data}\nfictional: true\n",
        encoding="utf-8",
    )
    return _render(run, "701", folder / "out")


def _check_page(path: Path, la_number: str) -> str:
    """The checks every rendered report passes; returns the page."""
    page = path.read_text(encoding="utf-8")
    assert page.count("<h1") == 1
    for forbidden in ("<script", 'src="http', 'href="http', "url(http", "@import", "Traceback"):
        assert forbidden not in page, forbidden
    images = re.findall(r"<img [^>]*>", page)
    assert images
    for image in images:
        alt = re.search(r'alt="([^"]*)"', image)
        assert alt and alt[1].strip().lower() not in PLACEHOLDERS and len(alt[1]) > 40
    # every chart is followed by its data table
    assert len(re.findall(r"</figure>\s*(?:<div[^>]*>\s*)?<table", page)) == len(images)
    levels = [int(h) for h in re.findall(r"<h([1-6])", page)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert all(re.search(r"\bid=", h) for h in re.findall(r"<h[23][^>]*>", page))
    for heading in ("Key messages", "Glossary", "About the data"):
        assert f">{heading}<" in page
    summary = json.loads((path.parent / "summary.json").read_text(encoding="utf-8"))
    assert summary["notebook"] == "benchmark_report"
    assert summary["council"]["la_number"] == la_number
    assert summary["key_messages"]
    return page


@pytest.mark.real_data
@pytest.mark.parametrize("code", [SURREY, CITY_OF_LONDON, SCILLY])
def test_rendered_page_is_accessible_and_self_contained(rendered, code):
    _check_page(rendered[code], code)


def test_demo_report_renders_and_says_it_is_fictional(rendered_demo):
    page = _check_page(rendered_demo, "701")
    assert "Fictional data." in page
    summary = json.loads((rendered_demo.parent / "summary.json").read_text(encoding="utf-8"))
    assert summary["fictional"] is True


@pytest.mark.real_data
def test_scilly_small_numbers_are_protected_in_the_page(rendered):
    """Isles of Scilly 2025 (c1): 32 referrals of which 0 re-referrals; no further action is
    suppressed ('c') and must read as such, never as 0."""
    page = rendered[SCILLY].read_text(encoding="utf-8")
    summary = json.loads((rendered[SCILLY].parent / "summary.json").read_text(encoding="utf-8"))
    nfa = next(r for r in summary["indicators"] if r["indicator"] == "referrals_nfa_pct")
    assert nfa["value"] is None and nfa["status"] == "c"
    assert "Isles of Scilly has no figure to compare with England (suppressed)" in page
    assert "Isles of Scilly has no figure to place on the funnel" in page
    assert "cannot be compared: cannot be compared" not in page


@pytest.mark.real_data
@pytest.mark.slow
def test_the_batch_with_its_shared_data_gives_the_reports_compendium_render_gives(
    dfe, rendered, tmp_path, monkeypatch
):
    """The batch loads the data folder once and its kernels read copies
    (:func:`analysis.published.share_published`); ``compendium render`` loads it itself. The
    pages and summaries must not differ (the generation time blanked), one kernel rendering
    both reports, so the second reads the copy its kernel kept."""
    import pickle

    import analysis.published
    from analysis.batch import run_batch
    from analysis.params import load_batch

    shared = []
    share = analysis.published.share_published

    def recorded(*args):
        path = share(*args)
        shared.append(pickle.loads(path.read_bytes()))  # the file goes with the batch
        return path

    monkeypatch.setattr(analysis.published, "share_published", recorded)
    run = tmp_path / "run.yml"
    run.write_text(
        "name: benchmark_example\ndefaults:\n  year: 2025\n"
        f"  data_dir: {dfe}\nreports:\n  - notebook: benchmark_report\n"
        f"    councils: ['{SURREY}', '{SCILLY}']\n",
        encoding="utf-8",
    )
    result = run_batch(load_batch(run, out_dir=tmp_path / "out"), workers=1, progress=False)
    assert [o.status for o in result.outcomes] == ["rendered", "rendered"]
    assert [len(entries) for entries in shared] == [1]  # the real folder, shared once

    def blanked(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        return re.sub(r'<p class="generated">.*?</p>', "", text, flags=re.S)

    for code in (SURREY, SCILLY):
        alone = rendered[code]
        batched = tmp_path / "out" / "benchmark_example" / alone.parent.name / alone.name
        assert blanked(batched) == blanked(alone)
        assert (batched.parent / "summary.json").read_bytes() == (
            alone.parent / "summary.json"
        ).read_bytes()
