"""Tests for analysis.charts: accessible charts, their alt text and data tables.

Expected numbers come from the documented formulas, worked by hand in the comments: the XmR
limits of docs/methods.md section 1 (checked against NHSRplotthedots in tests/test_spc.py),
the funnel limits p0 +/- z sqrt(p0 (1 - p0) / n) of section 2, and the WCAG 2.x relative
luminance and contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance).
"""

from __future__ import annotations

import base64
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Circle
from matplotlib.text import Text

from analysis import charts
from analysis.catalogue import Indicator
from analysis.spc import summarise, xmr

REREFERRALS = Indicator(
    id="rereferrals_12m_pct",
    title="Re-referrals within 12 months",
    description="The share of referrals about a child referred in the previous 12 months.",
    polarity="low",
    unit="percent",
    decimal_places=1,
    period_type="financial year",
)
FAMILY_HELP = Indicator(
    id="family_help_pct",
    title="Families helped",
    description="A higher-is-better percentage.",
    polarity="high",
    unit="percent",
    decimal_places=1,
    period_type="financial year",
)
MONTHS = [
    f"{month} {year}"
    for year in (2023, 2024, 2025)
    for month in "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
]
FROM_APR_2023 = MONTHS[3:]

# A baseline of 12 months (Apr 2023 to Mar 2024) alternating 55 and 45, used with
# fix_after_n_points=12 so the limits are known by hand: mean 50; the 11 moving ranges are all
# 10 (none screened, 10 < 3.267 x 10), so mean MR = 10; process limits 50 +/- 2.66 x 10 =
# 23.4 and 76.6; near limits 50 +/- (2 x 2.66 / 3) x 10 = 32.27 and 67.73. The baseline
# fires no rule (no run of 7 on one side, no trend, nothing beyond the near limits).
BASELINE = [55.0, 45.0] * 6


def chart_after_baseline(tail, improvement="decrease", target=None):
    values = BASELINE + list(tail)
    chart = xmr(
        values,
        improvement=improvement,
        target=target,
        fix_after_n_points=12,
        periods=FROM_APR_2023[: len(values)],
    )
    return chart, summarise(chart, improvement, target)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- colour contrast -------------------------------------------------------------------------


def relative_luminance(colour: str) -> float:
    """WCAG 2.x: L = 0.2126 R + 0.7152 G + 0.0722 B, where each sRGB channel c (0 to 1) is
    linearised as c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4."""
    red, green, blue, _ = to_rgba(colour)

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str = "#FFFFFF") -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), L1 the lighter."""
    light, dark = sorted([relative_luminance(first), relative_luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_published_ratios():
    # Black on white is 21:1 by definition ((1 + 0.05) / (0 + 0.05)); #767676 is the lightest
    # grey that passes 4.5:1 on white (4.54:1 in the WebAIM contrast checker), #777777 fails
    # (4.48:1); white on white is 1:1.
    assert contrast("#000000") == pytest.approx(21.0, rel=1e-12)
    assert round(contrast("#767676"), 2) == 4.54
    assert round(contrast("#777777"), 2) == 4.48
    assert contrast("#FFFFFF") == pytest.approx(1.0, rel=1e-12)


def test_every_palette_colour_has_at_least_3_to_1_contrast_on_white():
    colours = dict(charts.COLOURS)
    colours.update({f"point {k}": s.colour for k, s in charts.POINT_STYLES.items()})
    badges = {**charts.VARIATION_BADGES, **charts.ASSURANCE_BADGES}
    colours.update({f"badge {k}": b.colour for k, b in badges.items()})
    low = {name: round(contrast(c), 2) for name, c in colours.items() if contrast(c) < 3.0}
    assert not low
    # the module promises 4.5:1, so text in these colours passes WCAG AA too
    assert min(contrast(c) for c in colours.values()) >= 4.5
    # the white letter on each badge is read against the badge, not the page
    assert all(contrast(charts.BADGE_LETTER, b.colour) >= 3.0 for b in badges.values())


def drawn_colours(figure) -> list[tuple[str, str]]:
    """(what, colour) of every data mark and every piece of text of a figure, except the
    letters on badges (checked against their badge above)."""
    found = []
    for axes in figure.axes:
        for line in axes.lines:
            found += [(f"line {line.get_gid()}", line.get_color())]
            if line.get_marker() not in (None, "None", "none", ""):
                found += [(f"marker {line.get_gid()}", line.get_markerfacecolor())]
                found += [(f"marker edge {line.get_gid()}", line.get_markeredgecolor())]
        for collection in axes.collections:
            found += [("collection", to_hex(c)) for c in collection.get_edgecolor()]
    for artist in figure.findobj(Circle):
        found.append(("badge", artist.get_facecolor()))
    for text in figure.findobj(Text):
        if text.get_text().strip() and text.get_visible() and text.get_gid() != "badge-letter":
            found.append((f"text {text.get_text()!r}", text.get_color()))
    return found


def spc_example():
    chart, summary = chart_after_baseline([56.0] * 7 + [80.0], target=40.0)
    return charts.spc_chart(chart, REREFERRALS, summary, near_limits=True)


def benchmark_rows():
    return pd.DataFrame(
        {
            "label": ["Demoshire", "England", "South East", "Statistical neighbours"],
            "value": [23.4, 21.0, 22.05, 18.0],
            "lower": [20.1, np.nan, np.nan, np.nan],
            "upper": [26.9, np.nan, np.nan, np.nan],
            "n": [np.nan, np.nan, np.nan, 9],
            "method": [None, "published", "published", "mean"],
        }
    )


Z95, Z998 = 1.959963984540054, 3.090232306167813


def normal_limits(n, p0):
    """docs/methods.md section 2: p0 +/- z sqrt(p0 (1 - p0) / n), as proportions."""
    n = np.asarray(n, dtype=float)
    spread = np.sqrt(p0 * (1 - p0) / n)
    return pd.DataFrame(
        {
            "n": n,
            "lower_95": p0 - Z95 * spread,
            "upper_95": p0 + Z95 * spread,
            "lower_998": p0 - Z998 * spread,
            "upper_998": p0 + Z998 * spread,
        }
    )


def funnel_points():
    # E1 is 35 of 100 (35%); the other councils sit on p0 = 0.2 at various sizes
    return pd.DataFrame(
        {
            "area_code": ["E1", "E2", "E3", "E4", "E5"],
            "area_name": ["Demoshire", "Two", "Three", "Four", "Five"],
            "numerator": [35, 40, 100, 200, 5],
            "denominator": [100, 200, 500, 1000, 0],
        }
    )


def funnel_example():
    limits = normal_limits(np.arange(20, 1001, 10), 0.2)
    return charts.funnel_plot(funnel_points(), limits, REREFERRALS, "E1", 0.2)


#: Each kind of chart, built from its example data.
EVERY_KIND_OF_CHART = pytest.mark.parametrize(
    "build",
    [
        spc_example,
        lambda: charts.benchmark_dot_chart(benchmark_rows(), REREFERRALS, "Demoshire"),
        funnel_example,
    ],
    ids=["spc", "benchmark", "funnel"],
)


@EVERY_KIND_OF_CHART
def test_every_mark_and_text_drawn_has_3_to_1_contrast(build):
    figure = build()
    found = drawn_colours(figure)
    assert len(found) > 10
    low = [(what, to_hex(c)) for what, c in found if contrast(to_hex(c)) < 3.0]
    assert not low
    assert all(to_rgba(c)[3] == 1.0 for _, c in found)  # no transparency to wash colours out


# --- never colour alone ----------------------------------------------------------------------


def markers_by_gid(figure) -> dict[str, str]:
    return {
        line.get_gid(): line.get_marker()
        for axes in figure.axes
        for line in axes.lines
        if (line.get_gid() or "").startswith("points-")
    }


def test_spc_point_types_have_different_marker_shapes():
    # the baseline is common cause; then 7 values of 56 above the mean 50, a shift (concern,
    # lower is better); then 7 values of 44 below it, a shift the other way (improvement)
    chart, summary = chart_after_baseline([56.0] * 7 + [44.0] * 7)
    markers = markers_by_gid(charts.spc_chart(chart, REREFERRALS, summary))
    assert set(markers) == {
        "points-common_cause",
        "points-special_cause_concern",
        "points-special_cause_improvement",
    }
    assert len(set(markers.values())) == 3
    for name, marker in markers.items():
        assert marker == charts.POINT_STYLES[name.removeprefix("points-")].marker
    shapes = {style.marker for style in charts.POINT_STYLES.values()}
    assert len(shapes) == len(charts.POINT_STYLES)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # limits 11.4 to 24.1 (the values padded by 15% of their span): steps of 5 would
        # leave two ticks, so 2.5
        ([12.9, 22.6, 19.5, 18.8, 20.1], [12.5, 15.0, 17.5, 20.0, 22.5]),
        # 250 to 537.7, padded to 206.8 to 580.9: steps of 100
        ([250.0, 519.4, 464.2, 467.4, 537.7], [300.0, 400.0, 500.0]),
    ],
)
def test_a_dot_chart_value_axis_has_a_few_round_ticks(values, expected):
    rows = [{"label": f"Row {i}", "value": v} for i, v in enumerate(values)]
    axes = charts.benchmark_dot_chart(rows, REREFERRALS, "Row 0").axes[0]
    low, high = axes.get_xlim()
    shown = [t for t in axes.get_xticks() if low <= t <= high]
    assert shown == expected


def test_the_council_has_its_own_marker_and_label_on_benchmark_and_funnel_charts():
    dots = charts.benchmark_dot_chart(benchmark_rows(), REREFERRALS, "Demoshire")
    markers = markers_by_gid(dots)
    assert markers["points-council"] != markers["points-comparator"]
    # one line of markers per group, each value at its row (top row 3 to bottom row 0)
    lines = {line.get_gid(): line.get_xydata().tolist() for line in dots.axes[0].lines}
    assert lines["points-council"] == [[23.4, 3.0]]
    assert lines["points-comparator"] == [[21.0, 2.0], [22.05, 1.0], [18.0, 0.0]]
    ticks = [t.get_text() for t in dots.axes[0].get_yticklabels()]
    assert "Statistical neighbours\n(mean of 9)" in ticks
    bold = [t.get_text() for t in dots.axes[0].get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["Demoshire"]
    values = {t.get_text() for t in dots.axes[0].texts}
    assert {"23.4", "21.0", "22.1", "18.0"} <= values  # 22.05 rounds half away from zero
    funnel = funnel_example()
    markers = markers_by_gid(funnel)
    assert markers["points-council"] != markers["points-comparator"]
    assert "Demoshire 35.0" in {t.get_text() for t in funnel.axes[0].texts}


# --- the SPC chart ---------------------------------------------------------------------------


def right_labels(figure) -> set[str]:
    return {t.get_text() for t in figure.axes[0].texts if t.get_position()[0] > 1}


def test_spc_chart_draws_direct_labels_target_badges_and_near_limits():
    chart, summary = chart_after_baseline([56.0] * 7, target=40.0)
    figure = charts.spc_chart(chart, REREFERRALS, summary, near_limits=True)
    # hand-worked limits of BASELINE: 23.4, 50, 76.6; target 40
    assert right_labels(figure) == {
        "Upper process limit 76.6",
        "Mean 50.0",
        "Lower process limit 23.4",
        "Target 40.0",
    }
    target = [line for line in figure.axes[0].lines if line.get_linestyle() == ":"]
    assert len(target) == 1 and target[0].get_ydata()[0] == 40.0
    gids = {line.get_gid() for line in figure.axes[0].lines}
    assert {"mean-0", "upl-0", "lpl-0", "near_upl-0", "near_lpl-0"} <= gids
    texts = {t.get_text() for t in figure.texts}
    # concern (lower is better, values high) and target 40 inside the limits: hit and miss
    assert {"Special cause concern (higher)", "H", "Hit and miss target", "?"} <= texts
    assert "Concern from Apr 2024" in {t.get_text() for t in figure.axes[0].texts}


def test_spc_chart_draws_one_segment_per_rebase_group_and_labels_trial_limits():
    values = BASELINE + [70.0, 72.0, 69.0, 71.0, 70.0]
    chart = xmr(values, "decrease", rebase=["Apr 2024"], periods=FROM_APR_2023[:17])
    figure = charts.spc_chart(chart, REREFERRALS, summarise(chart, "decrease"))
    lines = {line.get_gid(): line for line in figure.axes[0].lines}
    assert {"mean-0", "mean-1", "upl-0", "upl-1", "lpl-0", "lpl-1"} <= set(lines)
    # segments do not overlap: the first ends before the second starts
    assert max(lines["mean-0"].get_xdata()) < min(lines["mean-1"].get_xdata())
    assert lines["mean-1"].get_ydata()[0] == pytest.approx(70.4, rel=1e-12)  # 352 / 5
    # both groups have fewer than 13 values: trial limits, labelled on each segment
    labels = [t.get_text() for t in figure.axes[0].texts]
    assert labels.count("trial limits") == 2


def test_spc_chart_takes_labels_from_period_end_when_there_is_no_period():
    chart = xmr([3.0, 4.0, 5.0, 4.0], "increase")
    chart["period_end"] = pd.date_range("2024-01-31", periods=4, freq="ME")
    figure = charts.spc_chart(chart, REREFERRALS, summarise(chart, "increase"))
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == [
        "Jan 2024",
        "Feb 2024",
        "Mar 2024",
        "Apr 2024",
    ]


DEGENERATE = {
    "empty": [],
    "all missing": [np.nan] * 5,
    "constant": [5.0] * 10,
    "one point": [3.0],
    "gaps": [1.0, np.nan, 3.0, np.nan, 2.0],
}


@pytest.mark.parametrize("values", DEGENERATE.values(), ids=DEGENERATE.keys())
def test_spc_chart_alt_text_and_table_cope_with_degenerate_series(values):
    chart = xmr(values, "decrease", periods=MONTHS[: len(values)])
    summary = summarise(chart, "decrease")
    html = charts.figure_html(
        charts.spc_chart(chart, REREFERRALS, summary, target=2.0), "alt", "caption"
    )
    assert html.startswith("<figure><img src=")
    alt = charts.spc_alt_text(chart, summary, REREFERRALS)
    assert alt.startswith("Re-referrals within 12 months: ")
    table = charts.spc_table(chart, REREFERRALS)
    assert len(table) == len(values)
    assert list(table.columns) == [
        "Period",
        "Value",
        "Mean",
        "Lower process limit",
        "Upper process limit",
        "Signal",
    ]


def test_degenerate_alt_texts_give_the_reason():
    empty = xmr([], "decrease")
    assert (
        charts.spc_alt_text(empty, summarise(empty, "decrease"), REREFERRALS)
        == "Re-referrals within 12 months: no values to chart."
    )
    missing = xmr([np.nan] * 3, "decrease")
    assert "no values to chart" in charts.spc_alt_text(
        missing, summarise(missing, "decrease"), REREFERRALS
    )
    constant = xmr([5.0] * 10, "decrease", periods=MONTHS[:10])
    text = charts.spc_alt_text(constant, summarise(constant, "decrease"), REREFERRALS)
    assert "The mean is 5.0%; there are no process limits (no variation" in text
    assert "common cause" in text
    one = xmr([3.0], "decrease", periods=["Jan 2024"])
    text = charts.spc_alt_text(one, summarise(one, "decrease"), REREFERRALS)
    assert "The latest value, for Jan 2024, is 3.0%." in text
    assert "one value only" in text


# --- SPC alt text ----------------------------------------------------------------------------


def test_alt_text_states_a_shift_concern_and_since_when():
    # 7 values of 56 from Apr 2024, above the mean 50 (inside the near limit 67.73): a shift;
    # lower is better, so special cause concern.
    chart, summary = chart_after_baseline([56.0] * 7)
    assert summary["special_cause_rule"] == "shift"
    text = charts.spc_alt_text(chart, summary, REREFERRALS)
    assert text.startswith(
        "Re-referrals within 12 months: special cause concern since Apr 2024, shown by a run "
        "of 7 points above the average. The latest value, for Oct 2024, is 56.0%. The mean is "
        "50.0% and the process limits are 23.4% to 76.6%."
    )


def test_alt_text_from_a_hand_built_chart_and_summary():
    # Not from xmr: a chart table and summary written by hand, as a notebook might pass.
    chart = pd.DataFrame(
        {
            "position": range(6),
            "period": ["Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024", "May 2024", "Jun 2024"],
            "value": [19.0, 21.0, 18.0, 25.0, 26.0, 24.0],
            "group": 0,
            "mean": 20.0,
            "lpl": 10.0,
            "upl": 30.0,
            "special_cause": ["", "", "", "shift", "shift", "shift"],
            "point_type": ["common_cause"] * 3 + ["special_cause_concern"] * 3,
            "special_cause_since": pd.array([None, None, None, 3, 3, 3], dtype="Int64"),
            "trial_limits": True,
        }
    )
    summary = {
        "latest_period": "Jun 2024",
        "latest_value": 24.0,
        "mean": 20.0,
        "lpl": 10.0,
        "upl": 30.0,
        "trial_limits": True,
        "variation_icon": "concern_high",
        "assurance_icon": None,
        "special_cause_rule": "shift",
        "special_cause_type": "special_cause_concern",
        "special_cause_period": "Jun 2024",
        "special_cause_since": "Apr 2024",
        "reason": None,
    }
    text = charts.spc_alt_text(chart, summary, REREFERRALS)
    assert "special cause concern since Apr 2024" in text
    assert "a run of 3 points above the average" in text  # Apr, May, Jun
    assert "trial limits" in text
    assert charts.spc_chart(chart, REREFERRALS, summary).axes


@pytest.mark.parametrize(
    ("tail", "improvement", "expected"),
    [
        # 45 (Mar 2024) then 46, 47, 48, 49, 51, 52: 7 values each higher than the one before
        (
            [46.0, 47.0, 48.0, 49.0, 51.0, 52.0],
            "increase",
            "special cause improvement since Mar 2024, shown by 7 points in a row each higher "
            "than the one before",
        ),
        # 80 > 76.6 in Apr 2024; lower is better
        (
            [80.0],
            "decrease",
            "special cause concern since Apr 2024, shown by a point above the upper process limit",
        ),
        # 70 and 70 beyond the near limit 67.73, inside 76.6, all three above the mean
        (
            [70.0, 60.0, 70.0],
            "decrease",
            "shown by 2 of 3 points close to the upper process limit",
        ),
        # 7 values of 44 below the mean 50, after the baseline's last value 45 (Mar 2024),
        # also below: a run of 8 from Mar 2024; higher is better, so concern
        (
            [44.0] * 7,
            "increase",
            "special cause concern since Mar 2024, shown by a run of 8 points below the average",
        ),
        # a neutral indicator: special cause variation without better or worse
        (
            [44.0] * 7,
            "neutral",
            "special cause variation since Mar 2024, shown by a run of 8 points below the average",
        ),
    ],
    ids=["trend improvement", "outside limits", "two in three", "shift low", "neutral"],
)
def test_alt_text_names_each_rule_in_plain_words(tail, improvement, expected):
    chart, summary = chart_after_baseline(tail, improvement)
    assert expected in charts.spc_alt_text(chart, summary, REREFERRALS)


def test_alt_text_reports_an_earlier_signal_when_the_latest_point_is_common_cause():
    # 7 values of 56 (a shift, Apr to Oct 2024), then 44 below the mean: common cause
    chart, summary = chart_after_baseline([56.0] * 7 + [44.0])
    text = charts.spc_alt_text(chart, summary, REREFERRALS)
    assert "common cause variation, with no special cause in the latest period" in text
    assert "The most recent signal was special cause concern in Oct 2024" in text
    assert "from Apr 2024" in text


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        # higher is better; target 20 < lower limit 23.4: consistently passing
        (20.0, "The target of 20.0% lies outside the process limits on the good side"),
        # target 90 > upper limit 76.6: consistently failing
        (90.0, "The target of 90.0% lies outside the process limits on the wrong side"),
        (50.0, "The target of 50.0% lies inside the process limits"),
    ],
)
def test_alt_text_states_assurance_against_the_target(target, expected):
    chart, summary = chart_after_baseline([], "increase", target=target)
    text = charts.spc_alt_text(chart, summary, FAMILY_HELP)
    assert "common cause variation" in text
    assert expected in text


def test_alt_text_says_why_there_is_no_assurance():
    chart, summary = chart_after_baseline([], "neutral", target=50.0)
    text = charts.spc_alt_text(chart, summary, FAMILY_HELP)
    assert "The target of 50.0% is not assessed (neutral indicator: no assurance)." in text


def test_alt_text_mentions_a_rebase():
    chart = xmr(
        BASELINE + [60.0, 62.0, 61.0], "decrease", rebase=["Apr 2024"], periods=FROM_APR_2023[:15]
    )
    text = charts.spc_alt_text(chart, summarise(chart, "decrease"), REREFERRALS)
    assert "recalculated from Apr 2024 (trial limits" in text


def test_spc_table_shows_signals_and_rounds_half_away_from_zero():
    chart, _ = chart_after_baseline([56.0] * 7 + [2.25])
    table = charts.spc_table(chart, REREFERRALS)
    assert table["Signal"].iloc[0] == "Common cause"
    assert table["Signal"].iloc[12] == "Special cause concern (shift)"
    assert table["Value"].iloc[-1] == "2.3"  # 2.25 half away from zero; f"{2.25:.1f}" is 2.2
    assert table[["Mean", "Lower process limit", "Upper process limit"]].iloc[0].tolist() == [
        "50.0",
        "23.4",
        "76.6",
    ]


# --- benchmarks ------------------------------------------------------------------------------


def test_benchmark_alt_text_with_an_interval_says_similar_or_better_or_worse():
    # Demoshire 23.4 (20.1 to 26.9): England 21.0 and the region 22.05 lie inside, so similar;
    # neighbours 18.0 lie below, lower is better: Demoshire is higher (worse).
    text = charts.benchmark_alt_text(benchmark_rows(), REREFERRALS, "Demoshire")
    assert text == (
        "Re-referrals within 12 months: Demoshire 23.4% (95% confidence interval 20.1% to "
        "26.9%), similar to England (21.0%) and South East (22.1%); higher (worse) than "
        "Statistical neighbours (mean of 9) (18.0%)."
    )


def test_benchmark_alt_text_without_an_interval_says_higher_or_lower():
    rows = benchmark_rows().drop(columns=["lower", "upper"])
    rows.loc[4] = ["Good or Outstanding councils", np.nan, 0, "mean"]
    text = charts.benchmark_alt_text(rows, REREFERRALS, "Demoshire")
    assert "higher than England (21.0%), South East (22.1%) and Statistical neighbours" in text
    assert text.endswith("No figure for Good or Outstanding councils (none with a figure).")
    assert "worse" not in text


DEGENERATE_ROWS = {
    "empty": pd.DataFrame(columns=["label", "value"]),
    "all missing": pd.DataFrame({"label": ["Demoshire", "England"], "value": [np.nan] * 2}),
    "no council": pd.DataFrame({"label": ["England"], "value": [21.0]}),
    "council only": pd.DataFrame({"label": ["Demoshire"], "value": [21.0]}),
}


@pytest.mark.parametrize("rows", DEGENERATE_ROWS.values(), ids=DEGENERATE_ROWS.keys())
def test_benchmark_chart_copes_with_degenerate_rows(rows):
    figure = charts.benchmark_dot_chart(rows, REREFERRALS, "Demoshire")
    assert charts.figure_html(figure, "alt", "caption")
    text = charts.benchmark_alt_text(rows, REREFERRALS, "Demoshire")
    assert text.startswith("Re-referrals within 12 months: Demoshire")
    assert len(charts.benchmark_table(rows, REREFERRALS, "Demoshire")) == len(rows)


def test_benchmark_alt_text_when_the_council_has_no_figure():
    rows = DEGENERATE_ROWS["no council"]
    assert charts.benchmark_alt_text(rows, REREFERRALS, "Demoshire") == (
        "Re-referrals within 12 months: Demoshire has no figure to compare. "
        "Comparators: England 21.0%."
    )


def test_benchmark_table():
    table = charts.benchmark_table(benchmark_rows(), REREFERRALS, "Demoshire")
    assert table.to_dict("list") == {
        "Comparator": [
            "Demoshire",
            "England",
            "South East",
            "Statistical neighbours (mean of 9)",
        ],
        "Value": ["23.4", "21.0", "22.1", "18.0"],
        "95% confidence interval": ["20.1 to 26.9", "", "", ""],
    }


def test_benchmark_rows_as_dicts_give_what_the_frame_gives():
    # the benchmark report passes its rows as dicts, leaving out keys a row has no value for
    dicts = [
        {"label": "Demoshire", "value": 23.4, "lower": 20.1, "upper": 26.9},
        {"label": "England", "value": 21.0, "n": None, "method": "published"},
        {"label": "South East", "value": 22.05, "n": None, "method": "published"},
        {"label": "Statistical neighbours", "value": 18.0, "n": 9, "method": "mean"},
    ]
    frame = benchmark_rows()
    for made in (charts.benchmark_alt_text, charts.benchmark_table):
        from_dicts, from_frame = (made(rows, REREFERRALS, "Demoshire") for rows in (dicts, frame))
        assert str(from_dicts) == str(from_frame)
    svg = [
        charts.figure_html(charts.benchmark_dot_chart(rows, REREFERRALS, "Demoshire"), "a", "c")
        for rows in (dicts, frame)
    ]
    assert svg[0] == svg[1]
    no_interval = [{"label": "Demoshire", "value": "23.4"}, {"label": "England", "value": "c"}]
    assert "95% confidence interval" not in charts.benchmark_table(
        no_interval, REREFERRALS, "Demoshire"
    )
    assert charts.benchmark_alt_text(no_interval, REREFERRALS, "Demoshire") == (
        "Re-referrals within 12 months: Demoshire 23.4%. No figure for England."
    )


# --- funnel plot -----------------------------------------------------------------------------

# p0 = 0.2, n = 100: standard error sqrt(0.2 x 0.8 / 100) = 0.04; 95% limits
# 0.2 +/- 1.959963984540054 x 0.04 = 0.121601.. and 0.278399.. (as the funnel_limits example in
# analysis/benchmark.py); 99.8% limits 0.2 +/- 3.090232306167813 x 0.04 = 0.076391.. and
# 0.323609..
LIMITS_100 = normal_limits([50, 100, 200], 0.2)


@pytest.mark.parametrize(
    ("proportion", "expected"),
    [
        (0.25, "inside the 95% limits"),
        (0.2 + Z95 * 0.04, "inside the 95% limits"),  # on the limit counts as inside
        (0.30, "above the 95% limit but inside the 99.8% limits"),
        (0.35, "above the 99.8% limit"),
        (0.10, "below the 95% limit but inside the 99.8% limits"),
        (0.05, "below the 99.8% limit"),
    ],
)
def test_funnel_position_against_hand_worked_limits(proportion, expected):
    assert charts.funnel_position(proportion, 100, LIMITS_100) == expected


def test_funnel_position_accepts_the_long_limits_of_funnel_limits():
    wide = LIMITS_100
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "n": wide["n"],
                    "confidence": 0.95,
                    "lower": wide["lower_95"],
                    "upper": wide["upper_95"],
                }
            ),
            pd.DataFrame(
                {
                    "n": wide["n"],
                    "confidence": 0.998,
                    "lower": wide["lower_998"],
                    "upper": wide["upper_998"],
                }
            ),
        ]
    )
    for proportion in (0.25, 0.30, 0.35, 0.10, 0.05):
        assert charts.funnel_position(proportion, 100, long) == charts.funnel_position(
            proportion, 100, wide
        )
    assert charts.funnel_position(0.25, 1000, wide) is None  # beyond the limits given


def test_funnel_alt_text_places_the_council_and_counts_outliers():
    limits = normal_limits([100, 200, 500, 1000], 0.2)
    text = charts.funnel_alt_text(funnel_points(), limits, REREFERRALS, "E1", 0.2)
    # Demoshire 35 of 100 = 35% > 32.36%: above the 99.8% limit; the others sit on 20%
    assert text == (
        "Re-referrals within 12 months: Demoshire 35.0% (35 of 100) is above the 99.8% limit "
        "around England's 20.0%. Of 4 councils with a figure, 1 is above the 99.8% limit and 0 "
        "below it. 1 without a usable numerator and denominator are not shown."
    )
    inside = charts.funnel_alt_text(funnel_points(), limits, REREFERRALS, "E2", 0.2)
    assert "Two 20.0% (40 of 200) is inside the 95% limits: not significantly different" in inside


DEGENERATE_POINTS = {
    "empty": pd.DataFrame(columns=["area_code", "numerator", "denominator"]),
    "zero denominators": pd.DataFrame({"area_code": ["E1"], "numerator": [0], "denominator": [0]}),
    "no counts": pd.DataFrame({"area_code": ["E1"], "value": [20.0]}),
    "council absent": funnel_points().iloc[1:],
}


@pytest.mark.parametrize("points", DEGENERATE_POINTS.values(), ids=DEGENERATE_POINTS.keys())
@pytest.mark.parametrize("limits", [LIMITS_100, LIMITS_100.iloc[0:0]], ids=["limits", "none"])
def test_funnel_copes_with_degenerate_input(points, limits):
    figure = charts.funnel_plot(points, limits, REREFERRALS, "E1", 0.2)
    assert charts.figure_html(figure, "alt", "caption")
    text = charts.funnel_alt_text(points, limits, REREFERRALS, "E1", 0.2)
    assert text.startswith("Re-referrals within 12 months: E1 has no figure")
    assert list(charts.funnel_table(points, limits, REREFERRALS).columns)[0] == "Council"


def test_funnel_table():
    table = charts.funnel_table(funnel_points(), normal_limits([100, 1000], 0.2), REREFERRALS)
    assert table["Council"].tolist() == ["Demoshire", "Four", "Three", "Two"]
    assert table.iloc[0].tolist() == ["Demoshire", "35", "100", "35.0", "above the 99.8% limit"]


# --- HTML ------------------------------------------------------------------------------------


def test_data_table_html_is_accessible_and_escaped():
    frame = pd.DataFrame(
        {"Council": ["<script>alert(1)</script>", "B & C"], "Value": [1.5, np.nan], "n": [9.0, 3]}
    )
    table = charts.data_table_html(frame, "Values <by council>", number=3)
    assert "<script>" not in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert "<caption>Table 3: Values &lt;by council&gt;</caption>" in table
    assert table.count('<th scope="col">') == 3
    assert table.count('<th scope="row">') == 2
    assert '<th scope="row">B &amp; C</th><td>not available</td><td>3</td>' in table
    assert "<td>1.5</td><td>9</td>" in table


def test_figure_html_is_self_contained_with_alt_text_and_closes_the_figure():
    figure = spc_example()
    page = charts.figure_html(figure, 'Rose "sharply" <above> the limit', "Caption", number=2)
    alt = re.search(r'alt="([^"]*)"', page).group(1)
    assert alt == "Rose &quot;sharply&quot; &lt;above&gt; the limit"
    assert "http" not in page
    encoded = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    svg = base64.b64decode(encoded).decode("utf-8")
    assert svg.startswith("<?xml") and "<svg " in svg
    # no software version or date: the same chart gives the same bytes on every machine
    assert "<metadata>" not in svg and "Matplotlib v" not in svg
    # text stays text, in the sans-serif fonts of the style
    assert "font-family: 'DejaVu Sans', 'Verdana', 'Arial', 'Helvetica', sans-serif" in svg
    assert "<figcaption>Figure 2: Caption</figcaption>" in page
    assert not plt.fignum_exists(figure.number)
    # compact: 20 such charts stay well under 3 MB
    assert len(page) < 120_000


def test_text_from_data_is_escaped_inside_the_svg():
    rows = benchmark_rows()
    rows.loc[0, "label"] = "<script>alert(1)</script>"
    page = charts.figure_html(
        charts.benchmark_dot_chart(rows, REREFERRALS, "<script>alert(1)</script>"), "a", "c"
    )
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", page).group(1)).decode("utf-8")
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def reuse_cases():
    """Charts that leave different state on a figure: intervals or none, missing values, a
    fifth row, no data at all (no ticks), a bold label on another row, a note or none."""
    rows = benchmark_rows()
    fifth = pd.DataFrame({"label": ["Good or Outstanding"], "value": [19.5], "n": [40]})
    limits = normal_limits(np.arange(20, 1001, 10), 0.2)
    noted = limits.copy()
    noted.attrs["note"] = "Limits widened for over-dispersion (tau squared 0.001)."
    dots = [
        (rows, "Demoshire"),
        (rows.drop(columns=["lower", "upper"]), "Demoshire"),
        (rows.assign(value=[23.4, np.nan, 22.05, 18.0]), "Demoshire"),
        (pd.concat([rows, fifth], ignore_index=True), "Demoshire"),
        (rows.assign(value=np.nan), "Demoshire"),
        (rows, "South East"),
    ]
    funnels = [
        (funnel_points(), limits, "E1"),
        (funnel_points(), noted, "E3"),
        (funnel_points(), limits, "E999"),
        (funnel_points().iloc[0:0], limits, "E1"),
    ]
    builds = [lambda r=r, h=h: charts.benchmark_dot_chart(r, REREFERRALS, h) for r, h in dots] + [
        lambda p=p, lim=lim, h=h: charts.funnel_plot(p, lim, REREFERRALS, h, 0.2)
        for p, lim, h in funnels
    ]
    return builds


def test_a_reused_figure_gives_the_bytes_of_a_new_one():
    builds = reuse_cases()
    new = [charts.figure_html(build(), "a", "c") for build in builds]
    with charts.reused_figures():
        # forwards then backwards: each chart follows charts that left other state behind
        order = list(range(len(builds))) + list(reversed(range(len(builds))))
        reused = [(i, charts.figure_html(builds[i](), "a", "c")) for i in order]
        kept = [figure for figure, _ in charts._REUSED.values()]
    assert len(kept) == 3  # a four-row and a five-row dot chart, and a funnel plot
    for i, page in reused:
        assert page == new[i], f"case {i}"
    assert not any(plt.fignum_exists(figure.number) for figure in kept)  # closed at the end


@EVERY_KIND_OF_CHART
def test_the_same_chart_renders_to_the_same_bytes(build):
    assert charts.figure_html(build(), "a", "c") == charts.figure_html(build(), "a", "c")


def test_line_chart_still_draws_gaps_for_missing_months():
    series = pd.DataFrame(
        {
            "period_end": pd.date_range("2024-01-31", periods=4, freq="ME"),
            "value": [20.0, np.nan, 22.25, 23.05],
        }
    )
    figure = charts.line_chart(series, REREFERRALS)
    line = figure.axes[0].lines[0]
    assert np.isnan(line.get_ydata()[1])
    assert [t.get_text() for t in figure.axes[0].texts] == ["23.1"]  # 23.05 half away from zero
    assert isinstance(line, Line2D)


def test_missing_columns_give_an_empty_chart_and_a_reason_not_an_error():
    no_label = pd.DataFrame({"value": [21.0]})
    assert charts.benchmark_dot_chart(no_label, REREFERRALS, "Demoshire").axes
    assert charts.benchmark_alt_text(no_label, REREFERRALS, "Demoshire") == (
        "Re-referrals within 12 months: Demoshire has no figure to compare."
    )
    assert charts.benchmark_table(no_label, REREFERRALS, "Demoshire").empty
    suppressed = pd.DataFrame({"label": ["Demoshire", "England"], "value": ["c", 21.0]})
    assert "Demoshire has no figure to compare" in charts.benchmark_alt_text(
        suppressed, REREFERRALS, "Demoshire"
    )
    no_limits = pd.DataFrame()
    assert charts.funnel_plot(funnel_points(), no_limits, REREFERRALS, "E1", 0.2).axes
    text = charts.funnel_alt_text(funnel_points(), no_limits, REREFERRALS, "E1", 0.2)
    assert "outside the range of the funnel limits, so it cannot be placed" in text
    chart = pd.DataFrame({"value": [1.0, 2.0, 3.0]})  # no limits, no point types
    figure = charts.spc_chart(chart, REREFERRALS, {"reason": None})
    assert markers_by_gid(figure) == {"points-common_cause": "o"}


def test_alt_text_and_label_give_the_start_of_an_unbroken_run_of_concern():
    # 7 values of 56 (Apr to Oct 2024): a shift; then 80 (Nov 2024) above the upper limit
    # 76.6: the latest signal is outside the limits from Nov 2024, but every value since
    # Apr 2024 is special cause concern.
    chart, summary = chart_after_baseline([56.0] * 7 + [80.0])
    assert summary["special_cause_since"] == "Nov 2024"
    text = charts.spc_alt_text(chart, summary, REREFERRALS)
    assert text.startswith(
        "Re-referrals within 12 months: special cause concern since Apr 2024; the latest signal "
        "is a point above the upper process limit, from Nov 2024."
    )
    figure = charts.spc_chart(chart, REREFERRALS, summary)
    assert "Concern from Apr 2024" in {t.get_text() for t in figure.axes[0].texts}


def test_alt_text_names_months_from_period_end_when_the_chart_has_no_period_labels():
    values = BASELINE + [56.0] * 7
    chart = xmr(values, "decrease", fix_after_n_points=12)
    chart["period_end"] = pd.date_range("2023-04-30", periods=len(values), freq="ME")
    text = charts.spc_alt_text(chart, summarise(chart, "decrease"), REREFERRALS)
    assert "special cause concern since Apr 2024, shown by a run of 7 points" in text
    assert "The latest value, for Oct 2024, is 56.0%." in text
    no_dates = xmr(values, "decrease", fix_after_n_points=12)
    text = charts.spc_alt_text(no_dates, summarise(no_dates, "decrease"), REREFERRALS)
    assert "since point 13" in text


def test_funnel_prints_the_limits_note_under_the_chart():
    limits = normal_limits(np.arange(20, 1001, 10), 0.2)
    limits.attrs["note"] = "Limits widened for over-dispersion (tau\u00b2 = 0.001)."
    figure = charts.funnel_plot(funnel_points(), limits, REREFERRALS, "E1", 0.2)
    assert limits.attrs["note"] in {t.get_text() for t in figure.texts}
    assert {"95% limit", "99.8% limit", "England 20.0"} <= right_labels(figure)


def test_the_funnel_axis_says_what_the_percentage_is_out_of_with_thousands_separated():
    points = funnel_points().assign(denominator=[100, 1000, 20000, 40000, 0])
    figure = charts.funnel_plot(points, normal_limits([100, 40000], 0.2), REREFERRALS, "E1", 0.2)
    axes = figure.axes[0]
    figure.canvas.draw()
    assert axes.get_xlabel() == "Number the percentage is out of"
    ticks = [t.get_text() for t in axes.get_xticklabels() if t.get_text()]
    assert "40,000" in ticks or "20,000" in ticks
    assert not any(re.fullmatch(r"\d{5,}", t) for t in ticks)


def test_limits_get_the_decimal_places_that_tell_them_apart():
    # A slow-moving rate with no decimal places: values 71.0, 71.4, 71.2, 71.6, 71.1, 71.5
    # have mean 71.3 and mean moving range (0.4 + 0.2 + 0.4 + 0.5 + 0.4) / 5 = 0.38, so limits
    # 71.3 -/+ 2.66 x 0.38 = 70.2892 and 72.3108: at 0 places 70 < 71 < 72 already. Values
    # 71.30, 71.34, 71.32, 71.36, 71.31, 71.35 have mean 71.33 and mean moving range 0.038,
    # so limits 71.33 -/+ 0.10108 = 71.22892 and 71.43108: 71, 71, 71 at 0 places and
    # 71.2 < 71.3 < 71.4 at 1.
    cla = Indicator("cla", "CLA", "", "neutral", "rate per 10,000", 0, "month")
    wide = xmr([71.0, 71.4, 71.2, 71.6, 71.1, 71.5], improvement="neutral")
    assert charts.with_limit_precision(cla, wide) is cla
    narrow = xmr([71.30, 71.34, 71.32, 71.36, 71.31, 71.35], improvement="neutral")
    assert narrow["lpl"].iloc[0] == pytest.approx(71.33 - 2.66 * 0.038, rel=1e-9)
    shown = charts.with_limit_precision(cla, narrow)
    assert shown.decimal_places == 1 and shown.title == "CLA"
    table = charts.spc_table(narrow, shown)
    first = table.iloc[0]
    assert (first["Lower process limit"], first["Mean"], first["Upper process limit"]) == (
        "71.2",
        "71.3",
        "71.4",
    )
    # never more than two places more, even for a series whose lines are one number
    flat = pd.DataFrame({"lpl": [71.0], "mean": [71.0], "upl": [71.0]})
    assert charts.with_limit_precision(cla, flat).decimal_places == charts.MOST_EXTRA_PLACES
