"""The quarterly report's content (analysis/quarterly.py) on the demo data set.

The demo's patterns are those of analysis.demo.DEMO_PATTERNS (re-referrals shift up from April
2024; assessments fall for the last 10 months); targets are those of params/demo.yml. Expected
comparator figures are worked out here from the published table by the documented formulas
(docs/methods.md section 2: the mean of the members with a value; Wilson's interval).
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re

import pandas as pd
import pytest
import yaml

from analysis import disclosure, quarterly
from analysis.assessment import assess
from analysis.catalogue import load_catalogue
from analysis.errors import DataError

DEMO_TARGETS = yaml.safe_load(
    (quarterly.Path(__file__).resolve().parents[1] / "params" / "demo.yml").read_text()
)["targets"]


def _demo_report(data):
    """The demo council's report for September 2025 from the demo data set in ``data``."""
    return quarterly.prepare(
        council="701",
        period_end="2025-09-30",
        data_dir=str(data),
        scorecard_path=str(data / "local" / "scorecard.csv"),
        fictional=True,
        targets=DEMO_TARGETS,
    )


@pytest.fixture(scope="module")
def report(demo_data):
    return _demo_report(demo_data)


def test_red_since_is_the_start_of_the_latest_run_of_red_months():
    # Lower is better, target 22 with tolerance 2: above 24 is red, 22 to 24 amber.
    # 20 green, 25 red, 26 red, 23 amber, 25 red, 27 red: the latest red run starts at month 5.
    indicator = load_catalogue()["rereferrals_12m_pct"]
    months = pd.period_range("2025-01", periods=6, freq="M")
    series = pd.DataFrame(
        {
            "period": [m.strftime("%b %Y") for m in months],
            "period_end": months.to_timestamp(how="end").normalize(),
            "value": [20.0, 25.0, 26.0, 23.0, 25.0, 27.0],
        }
    )
    assessment = assess(indicator, series, {}, {"target": 22.0, "tolerance": 2.0})
    assert assessment.rag == "red"
    assert quarterly.red_since(assessment) == "May 2025"
    green = assess(indicator, series.assign(value=20.0), {}, {"target": 22.0, "tolerance": 2.0})
    assert quarterly.red_since(green) is None


def test_exception_rows_name_the_demo_patterns_with_rule_and_start(report):
    rows = report.exception_rows()
    by_reason = {(r["Indicator"], r["Why it is listed"]): r for _, r in rows.iterrows()}
    shift = by_reason[("Re-referrals within 12 months", "Sustained deterioration")]
    assert shift["Since"] == "April 2024"
    assert "every month above the average" in shift["What the figures show"]
    decline = by_reason[("Assessments completed within 45 working days", "Sustained deterioration")]
    assert "falling month after month" in decline["What the figures show"]
    # 10 falls in a row end in September 2025, so the run of 11 months began in November 2024.
    assert decline["Since"] == "November 2024"
    red = by_reason[("Re-referrals within 12 months", "Red against its target")]
    assert red["What the figures show"].startswith("Red: 25.1% against a target of 22.0%")
    # Stable indicators are not exceptions.
    assert "Referrals with no further action" not in set(rows["Indicator"])


def test_benchmark_rows_are_the_documented_group_figures(report, demo_data):
    from analysis.published import load_published

    published = load_published(demo_data)
    table = published.table
    rows = report.benchmark_rows("rereferrals_12m_pct").set_index("label")
    assert list(rows.index) == [
        "Demoshire",
        "England",
        "North Demoland",
        "Statistical neighbours",
        "Good or outstanding councils",
    ]
    year = table.loc[(table["indicator"] == "rereferrals_12m_pct") & (table["period"] == "2025")]
    values = year.set_index("area_code")["value"]
    council = report.council
    neighbours = published.neighbours.get(council.area_code) or published.neighbours.get(
        council.la_number
    )
    codes = [published.directory.find(str(n)).area_code for n in neighbours]
    expected = values.reindex(codes).dropna()
    sn = rows.loc["Statistical neighbours"]
    assert sn["value"] == pytest.approx(expected.mean(), rel=1e-9)
    assert (sn["method"], sn["n"]) == ("mean", len(expected))
    good = [published.directory.find(str(g)).area_code for g in published.good_or_outstanding]
    expected_good = values.reindex(good).dropna()
    row = rows.loc["Good or outstanding councils"]
    assert row["value"] == pytest.approx(expected_good.mean(), rel=1e-9)
    assert row["n"] == len(expected_good)
    england = year.loc[year["area_level"] == "national", "value"].iloc[0]
    assert rows.loc["England", "value"] == england
    assert rows.loc["England", "method"] == "published"
    # Wilson score interval for the council's numerator / denominator (Wilson 1927), x 100.
    own = year.loc[year["area_code"] == council.area_code].iloc[0]
    x, n, z = own["numerator"], own["denominator"], 1.959963984540054
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    demoshire = rows.loc["Demoshire"]
    assert demoshire["lower"] == pytest.approx(100 * (centre - half), rel=1e-9)
    assert demoshire["upper"] == pytest.approx(100 * (centre + half), rel=1e-9)
    # England lies below the interval and lower is better: the council is worse.
    assert england < demoshire["lower"] and rows.loc["England", "compared"] == "worse"


def test_an_indicator_without_values_to_test_says_why(report):
    # LAIT publishes values only: no interval, so no significance test, and the reason says so.
    rows = report.benchmark_rows("icpc_15d_pct").set_index("label")
    assert rows.loc["England", "compared"] is None
    assert "the counts behind the figure are not published" in rows.loc["England", "reason"]
    # The assessments indicator has no published source at all (catalogue note).
    assert report.benchmark_rows("assessments_45d_pct")["value"].isna().all()


def test_every_recent_trend_is_tested_as_its_kind_of_figure(report):
    # the caseload is a value (cases per social worker): Fingertips' weighted regression needs
    # standard errors, which the published file does not give, so that is the reason; every
    # indicator has its kind (proportion, rate or value), so none says it has none
    trends = report.recent_trends.set_index("indicator")
    assert not trends["reason"].str.contains("no kind").any()
    assert trends.loc["sw_caseload", "reason"].startswith(
        "the figure for 2021 is published without a count or a standard error"
    )
    # a rate's standard errors come from its counts (Poisson), so its trend is calculated
    assert trends.loc["cla_rate_per_10k", "label"] != "cannot be calculated"


def test_figures_built_on_small_counts_are_suppressed_everywhere(report):
    # The demo's plans open 2 years or more have numerators under 10 in the last months
    # (analysis.demo.DEMO_PATTERNS). A percentage times its denominator gives the count back,
    # so those months lose their value as well as their count, before any statistic is made.
    raw = report.local.loc[
        (report.local["indicator"] == "cpp_2yrs_plus_pct") & (report.local["breakdown"] == "all")
    ]
    small = raw.loc[(raw["numerator"] > 0) & (raw["numerator"] < 10), "period"].tolist()
    assert small
    series = report.series("cpp_2yrs_plus_pct").set_index("period")
    assert series.loc[small, "value"].isna().all() and series.loc[small, "numerator"].isna().all()
    assert (series.loc[small, "status"] == "c").all()
    html = report._spc_html(report.assessments["cpp_2yrs_plus_pct"])
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td>', html))
    assert all(rows[p] == "suppressed" for p in small)
    counts = re.findall(r'<tr><th scope="row">[^<]+</th><td>[^<]*</td><td>([^<]*)</td>', html)
    assert not any(re.fullmatch(r"[1-9]", c) for c in counts)
    latest = report.assessments["cpp_2yrs_plus_pct"].latest
    assert latest["period"] not in small
    notes = report.small_count_notes()
    assert any(n.startswith("Child protection plans open 2 years or more") for n in notes)


def test_a_published_figure_on_a_small_count_is_shown_without_its_interval(report):
    # The demo publishes plans open 2 years or more as fewer than 10 of about 1,000 plans:
    # the figure is the publisher's, but the interval's width would give the count back
    # (methods.md section 5), so the chart, its table and its alt text go without it.
    own = report.own_published.set_index("indicator").loc["cpp_2yrs_plus_pct"]
    assert 0 < own["numerator"] < 10 <= own["denominator"]
    demoshire = report.benchmark_rows("cpp_2yrs_plus_pct").iloc[0]
    assert demoshire["value"] == own["value"]
    assert math.isnan(demoshire["lower"]) and math.isnan(demoshire["upper"])
    assert not re.search(r"\d to \d", report._benchmark_html("cpp_2yrs_plus_pct"))
    assert re.search(r"\d to \d", report._benchmark_html("rereferrals_12m_pct"))
    # a count of 10 or more keeps it (test_benchmark_rows_are_the_documented_group_figures)
    assert not math.isnan(report.benchmark_rows("rereferrals_12m_pct").iloc[0]["lower"])
    # and the figure is flagged (methods.md section 5), in its section and at a glance, only
    # where a published count is below the threshold
    flagged = [i for i in report.indicators if report.published_on_small_counts(i)]
    counts = report.own_published.set_index("indicator")[["numerator", "denominator"]]
    small = (counts.gt(0) & counts.lt(10)).any(axis=1)
    assert flagged == ["cpp_2yrs_plus_pct"] == small.index[small].tolist()
    sentence = "A count behind this figure is below 10, so the counts are not shown"
    assert sentence in report._benchmark_html("cpp_2yrs_plus_pct")
    assert sentence not in report._benchmark_html("rereferrals_12m_pct")
    shown = quarterly._show(own["value"], report.catalogue["cpp_2yrs_plus_pct"])
    glance = report.overview_html()
    assert f"<td>{shown}{disclosure.FLAG}</td>" in glance
    assert glance.count(f"{disclosure.FLAG}</td>") == 1
    assert f"{disclosure.FLAG} Built on a count below 10: read with care" in glance


def test_a_rebase_in_the_parameters_starts_a_new_level_and_is_said(report):
    # The demo's re-referrals move up from April 2024 (analysis.demo.DEMO_PATTERNS). Rebased
    # there, the chart has two groups, each with its own mean (methods.md section 1), and the
    # section says so; a month that is not in the series is not applied and is warned about.
    rebased = dataclasses.replace(
        report, rebase={"rereferrals_12m_pct": ["2024-04"], "cla_rate_per_10k": ["2031-01-31"]}
    )
    chart = rebased.assessments["rereferrals_12m_pct"].chart
    after = chart["period"].tolist().index("Apr 2024")
    assert chart["group"].tolist() == [0] * after + [1] * (len(chart) - after)
    values = rebased.series("rereferrals_12m_pct")["value"]
    assert chart["mean"].iloc[-1] == pytest.approx(values.iloc[after:].mean(), rel=1e-9)
    assert chart["mean"].iloc[0] == pytest.approx(values.iloc[:after].mean(), rel=1e-9)
    section = html.unescape(rebased.indicator_html("rereferrals_12m_pct"))
    assert "The chart starts a new level from April 2024, the council's decision (a rebase)" in (
        section
    )
    assert "rebase" in rebased.glossary.terms
    assert rebased.rebase_notes() == [
        "Children looked after per 10,000 at 31 March: the chart is not rebased from January "
        "2031, which is not a month of the council's figures."
    ]
    assert rebased.assessments["cla_rate_per_10k"].chart["group"].nunique() == 1
    # without a rebase the same months are one group, and nothing is said of a rebase
    assert report.assessments["rereferrals_12m_pct"].chart["group"].nunique() == 1
    assert "new level" not in report.indicator_html("rereferrals_12m_pct")


def test_the_overview_rounds_half_away_from_zero_as_the_text_does(report):
    # 19.95 is stored as 19.949999...: Python's format gives 19.9, DfE's convention and the
    # report's sentences (analysis.rag.format_value) 20.0; the overview must agree with them.
    indicator = report.catalogue["sw_vacancy_pct"]
    assert indicator.decimal_places == 1
    assert f"{19.95:.1f}" == "19.9"
    assert quarterly._show(19.95, indicator) == "20.0"
    assert quarterly._show(1234.5, report.catalogue["sw_caseload"]) == "1,234.5"
    assert quarterly._show(None, indicator) == "not available"


def test_the_small_number_threshold_is_a_parameter(report):
    # A threshold of 250 suppresses every month of re-referrals with fewer than 250.
    strict = dataclasses.replace(report, small_number_threshold=250)
    raw = strict.local.loc[
        (strict.local["indicator"] == "rereferrals_12m_pct") & (strict.local["breakdown"] == "all")
    ]
    below = int(((raw["numerator"] > 0) & (raw["numerator"] < 250)).sum())
    html = strict._spc_html(strict.assessments["rereferrals_12m_pct"])
    counts = re.findall(r'<tr><th scope="row">[^<]+</th><td>[^<]*</td><td>([^<]*)</td>', html)
    assert 0 < below == counts.count("suppressed") < len(counts)
    assert all(c == "suppressed" or int(c.replace(",", "")) >= 250 for c in counts)
    assert "suppressed" in strict.glossary.terms


def test_summary_carries_what_the_next_report_compares(report):
    summary = json.loads(json.dumps(report.summary(), default=str))
    assert summary["notebook"] == "quarterly_report"
    assert summary["key_messages"] == report.key_messages
    assert {"council", "title", "period_end", "fictional", "compendium_version"} <= set(summary)
    row = {r["indicator"]: r for r in summary["indicators"]}["rereferrals_12m_pct"]
    assert row["rag"] == "red" and row["deterioration"] is True
    assert (row["deterioration_rule"], row["deterioration_since"]) == ("spc_shift", "Apr 2024")
    assert row["variation_icon"] == "concern_high" and row["special_cause"] is True
    assert row["published_period"] == "2025" and row["published"] == 25.3
    assert "special cause concern" in row["exception_reasons"]
    # No record-level rows and no counts of children.
    text = json.dumps(summary)
    assert "numerator" not in text and "denominator" not in text


def test_what_changed_with_and_without_a_previous_summary(report, tmp_path):
    assert report.changes_sentences() == [quarterly.NO_PREVIOUS]
    previous = report.summary()
    same = tmp_path / "same.json"
    same.write_text(json.dumps(previous, default=str))
    again = dataclasses.replace(report, previous=json.loads(same.read_text()))
    assert again.changes_sentences() == [quarterly.NOTHING_CHANGED]
    rows = {r["indicator"]: r for r in previous["indicators"]}
    rows["rereferrals_12m_pct"]["rag"] = "green"
    rows["cla_rate_per_10k"]["published"] = 70.0
    rows["sw_agency_pct"]["variation_icon"] = "common_cause"
    changed = dataclasses.replace(report, previous=previous)
    sentences = changed.changes_sentences()
    assert "Re-referrals within 12 months: now red against its target (was green)." in sentences
    assert (
        "Children looked after per 10,000 at 31 March: the published figure for 2025 was "
        "revised from 70 per 10,000 children to 72 per 10,000 children." in sentences
    )
    assert (
        "Agency social workers: special cause improvement (lower), new since the last report."
        in sentences
    )


def test_a_previous_summary_for_another_council_is_refused(demo_data, tmp_path):
    other = tmp_path / "summary.json"
    other.write_text(json.dumps({"council": {"area_code": "E10999702"}, "indicators": []}))
    with pytest.raises(DataError, match="column council.area_code: expected a summary for"):
        quarterly.prepare(
            council="701",
            period_end="2025-09-30",
            data_dir=str(demo_data),
            indicators=["rereferrals_12m_pct"],
            previous_summary=str(other),
        )


def test_glossary_lists_each_term_once_in_order_of_first_use(report):
    report.exceptions_html()
    report._benchmark_html("rereferrals_12m_pct")
    terms = report.glossary.terms
    assert len(terms) == len(set(terms))
    assert {"special cause variation", "RAG", "statistical neighbours"} <= set(terms)
    page = report.glossary_html()
    assert "<h2" not in page
    assert re.findall(r"<dt>([^<]*)</dt>", page) == [t[:1].upper() + t[1:] for t in terms]


def test_charts_keep_the_chart_colours_exactly(report):
    # the contrast checks of analysis.charts hold for the colours as drawn: the SVG carries each
    # flat colour of the SPC chart (concern points, common cause points, text, mean) unchanged
    import base64

    from analysis.charts import COLOURS

    page = report._spc_html(report.assessments["rereferrals_12m_pct"])
    encoded = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page)[1]
    svg = base64.b64decode(encoded).decode("utf-8").lower()
    for name in ("concern", "improvement", "common_cause", "text", "mean"):
        assert COLOURS[name].lower() in svg, name


def test_a_months_rate_beside_a_years_says_they_do_not_compare(report):
    # the demo scorecard counts each month's referrals and section 47 enquiries per 10,000
    # (about 42 and 14), the published files a whole year's (about 500 and 165)
    rows = report.rows.set_index("indicator")
    for indicator in ("referrals_rate_per_10k", "s47_rate_per_10k"):
        assert 8 < rows.loc[indicator, "published"] / rows.loc[indicator, "latest"] < 16
    note = (
        "Referrals per 10,000 children and Section 47 enquiries per 10,000: the council's own "
        "figures (latest and previous) count one month's, the published figures a whole "
        "year's, so only the published columns compare with each other."
    )
    assert report.scale_notes() == [note]
    assert f"</table><p class='note'>{html.escape(note)} " in report.overview_html()
    whole_year = "These count the whole year, where the council's own figures above count one "
    section = html.unescape(report.indicator_html("referrals_rate_per_10k"))
    assert whole_year + "month each." in section
    # a stock (children looked after at 31 March) and a share compare as they are
    for indicator in ("cla_rate_per_10k", "rereferrals_12m_pct"):
        assert whole_year not in html.unescape(report.indicator_html(indicator))


def test_without_englands_published_row_the_report_says_englands_figure_is_worked_out(
    demo_data, tmp_path
):
    # the demo's c1 with its national rows deleted: England's re-referral figure is then the
    # mean of the demo councils', and wherever the report compares with it, it says so
    import shutil

    data = tmp_path / "data"
    shutil.copytree(demo_data, data)
    c1 = data / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
    lines = c1.read_text(encoding="utf-8").splitlines()
    c1.write_text("\n".join(x for x in lines if ",National," not in x) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="has no rows for England"):
        report = _demo_report(data)
    england = report.benchmark_rows("rereferrals_12m_pct").iloc[1]
    assert england["method"] == "mean" and england["n"] > 10
    said = "No figure was published for England, so England's here is the mean of its "
    said += f"{int(england['n'])} councils."
    section = html.unescape(report.indicator_html("rereferrals_12m_pct"))
    assert said in section
    shown = report.exception_rows()
    worse = shown.loc[shown["Why it is listed"] == "Worse than England and getting worse"]
    assert all(said in text for text in worse["What the figures show"])
    assert any("has no rows for England" in w for w in report.warnings)
    # England's own published rows elsewhere (d3) are used as they are, without the note
    assert "No figure was published" not in html.unescape(
        report.indicator_html("cpp_second_subsequent_pct")
    )


def test_about_states_the_numbers_the_report_uses(report):
    # Every number in "About this report" is one the report itself uses: the confidence of
    # its comparisons (quarterly.CONFIDENCE), the comparator groups' method
    # (quarterly.GROUP_METHOD, in narrative.METHOD_WORDS) and its own small-number threshold.
    from analysis.narrative import METHOD_WORDS

    strict = dataclasses.replace(report, small_number_threshold=250)
    page = strict.about_html()
    assert f"at {100 * quarterly.CONFIDENCE:g}% confidence" in page
    assert f"is {METHOD_WORDS[quarterly.GROUP_METHOD]} those with a published value" in page
    assert "Counts of children from 1 to 249 are not shown" in page
    assert "from 1 to 9 are not shown" in report.about_html()
    # one escaped paragraph per text: quotes and apostrophes escaped, no markup from the text
    assert page == "".join(f"<p>{html.escape(p)}</p>" for p in strict.about_paragraphs())
    assert "&quot;Making Data Count&quot;" in page and "council&#x27;s own scorecard" in page
    assert "<script" not in page


def test_a_month_with_a_small_denominator_and_no_numerator_is_suppressed():
    # 50% of 8 referrals is 4 children: the denominator is a count under 10, so the figure
    # built on it is suppressed even though the numerator is not given (methods.md section 5)
    rows = pd.DataFrame(
        {
            "value": [50.0, 25.0, 0.8],
            "numerator": [None, 25.0, 8.0],
            "denominator": [8.0, 100.0, 1000.0],
            "status": [None, None, None],
        }
    )
    shown = disclosure.suppress_small_counts(rows, 10)
    assert shown["value"].isna().tolist() == [True, False, True]
    assert shown["status"].tolist() == ["c", None, "c"]
    assert disclosure.built_on_small_counts(rows, 10).tolist() == [True, False, True]


def test_figures_without_their_counts_are_named_at_the_top(demo_data, damage):
    # The demo scorecard without its numerator and denominator columns (a long layout of
    # values only). Its plans open 2 years or more for September 2025 are 8 of 1,038 = 0.77%
    # (the demo scorecard's row): given as a value only, the count cannot be known, so the
    # figure is shown as given with a warning at the top, in the summary too, naming every
    # percentage and rate; the caseload (cases per social worker) is no count of children.
    def values_only(lines):
        return [",".join(x.split(",")[:5] + x.split(",")[7:]) for x in lines]

    path = damage(demo_data / "local" / "scorecard.csv", values_only)
    report = quarterly.prepare(
        council="701",
        period_end="2025-09-30",
        data_dir=str(demo_data),
        scorecard_path=str(path),
        fictional=True,
    )
    latest = report.series("cpp_2yrs_plus_pct").set_index("period").loc["Sep 2025"]
    assert latest["value"] == pytest.approx(0.7707) and pd.isna(latest["numerator"])
    notes = [n for n in report.small_count_notes() if "without the counts" in n]
    assert len(notes) == 1
    for indicator_id in report.indicators:  # every one has a local series in the demo
        indicator = report.catalogue[indicator_id]
        counted = indicator.is_proportion or indicator.is_rate
        assert (indicator.title in notes[0]) == counted, indicator.title
    assert html.escape(notes[0]) in report.heading_html()
    assert notes[0] in report.summary()["warnings"]


def test_the_demo_with_its_counts_has_no_such_warning(report):
    # the demo scorecard gives every percentage and rate with its numerator and denominator
    assert not any("without the counts" in n for n in report.small_count_notes())
