"""Charts in one accessible style, embedded in the report as self-contained HTML figures.

Every chart comes with alt text that states its message and a data table with its numbers:

- :func:`line_chart`: the council's series over time.
- :func:`spc_chart`, :func:`spc_alt_text`, :func:`spc_table`: the Making Data Count XmR chart
  of :mod:`analysis.spc`, with the variation and assurance icons drawn as labelled badges.
- :func:`benchmark_dot_chart`, :func:`benchmark_alt_text`, :func:`benchmark_table`: the
  council against England, its region and comparator groups.
- :func:`funnel_plot`, :func:`funnel_alt_text`, :func:`funnel_table`: councils' proportions
  against their denominators with 95% and 99.8% limits.
- :func:`figure_html` and :func:`data_table_html` put them in the report.

The style (seaborn's "whitegrid" with our overrides, :data:`STYLE`): Okabe-Ito hues, darkened
where needed so that every colour in :data:`COLOURS` has at least 4.5:1 contrast against white
(WCAG relative luminance; 3:1 is the minimum for graphics); marker shapes and direct labels as
well as colour, so nothing relies on colour alone; laid out in DejaVu Sans (bundled with
matplotlib) so a chart renders to the same bytes on every machine. Figures are 7.5 inches wide,
embedded as SVG (vector: sharp when zoomed on a tablet and on paper, ten to thirty kilobytes
each) with their text kept as text in the reader's sans-serif font, DejaVu Sans or the next
widest of :data:`FONTS`, so a label never runs wider than it was laid out. Numbers shown are
rounded half away from zero (DfE convention).

>>> html = figure_html(line_chart(series, indicator), alt="...", caption="...")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import html
import io
import math
import textwrap
from collections.abc import Iterator
from typing import Any, NamedTuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from analysis.catalogue import Indicator  # noqa: E402
from analysis.periods import month_label  # noqa: E402
from analysis.rag import format_value, round_half_up  # noqa: E402
from analysis.values import numbers  # noqa: E402
from analysis.words import listed  # noqa: E402

#: Every colour the charts draw with; each has at least 4.5:1 contrast against white.
#: Okabe-Ito hues (blue #0072B2 as is; vermillion #D55E00, 3.9:1, darkened to #C15400, 4.6:1),
#: a purple for neutral special cause (never on the same chart as blue or vermillion points),
#: greys and black.
COLOURS = {
    "council": "#0072B2",
    "england": "#000000",
    "improvement": "#0072B2",
    "concern": "#C15400",
    "neutral": "#6A3D9A",
    "common_cause": "#6F6F6F",
    "values": "#6F6F6F",
    "mean": "#000000",
    "limits": "#3D3D3D",
    "target": "#882255",
    "comparator": "#262626",
    "text": "#262626",
}
#: The colour of the letter inside a badge; checked against the badge's own colour instead.
BADGE_LETTER = "#FFFFFF"

#: The chart fonts, first found first: DejaVu Sans lays a chart out; a reader without it sees
#: the next (Verdana is as wide), then the browser's sans-serif.
FONTS = ["DejaVu Sans", "Verdana", "Arial", "Helvetica"]
STYLE = {
    **sns.axes_style("whitegrid"),
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": 10,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.edgecolor": COLOURS["limits"],
    "axes.labelcolor": COLOURS["text"],
    "text.color": COLOURS["text"],
    "xtick.color": COLOURS["text"],
    "ytick.color": COLOURS["text"],
    "xtick.bottom": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.color": "#d9d9d9",
    "svg.fonttype": "none",
    "svg.hashsalt": "compendium",
}
WIDTH = 7.5
SPC_SIZE = (WIDTH, 3.6)
FUNNEL_SIZE = (WIDTH, 3.6)
DPI = 100
LABEL_GAP = 11.0  # points between direct labels at the right of a chart
#: A dot chart's value axis: three to six ticks a round step apart (1, 2, 2.5 or 5 times a
#: power of ten, as matplotlib's own default), not its nine: every dot has its value beside
#: it, so the axis gives the scale and is read on a tablet's width without crowding.
ROUND_STEPS = [1, 2, 2.5, 5, 10]


class PointStyle(NamedTuple):
    label: str
    colour: str
    marker: str
    size: float


#: How each SPC point type is drawn: a different marker shape per type as well as a colour.
POINT_STYLES = {
    "common_cause": PointStyle("Common cause", COLOURS["common_cause"], "o", 4.5),
    "special_cause_improvement": PointStyle(
        "Special cause improvement", COLOURS["improvement"], "s", 6.5
    ),
    "special_cause_concern": PointStyle("Special cause concern", COLOURS["concern"], "X", 8.0),
    "special_cause_neutral_high": PointStyle("Special cause, higher", COLOURS["neutral"], "^", 7.5),
    "special_cause_neutral_low": PointStyle("Special cause, lower", COLOURS["neutral"], "v", 7.5),
}


class Badge(NamedTuple):
    letter: str
    colour: str
    label: str


#: Making Data Count variation icons (keys of ``spc.summarise()["variation_icon"]``).
VARIATION_BADGES = {
    "common_cause": Badge("C", COLOURS["common_cause"], "Common cause variation"),
    "improvement_high": Badge("H", COLOURS["improvement"], "Special cause improvement (higher)"),
    "improvement_low": Badge("L", COLOURS["improvement"], "Special cause improvement (lower)"),
    "concern_high": Badge("H", COLOURS["concern"], "Special cause concern (higher)"),
    "concern_low": Badge("L", COLOURS["concern"], "Special cause concern (lower)"),
    "neutral_high": Badge("H", COLOURS["neutral"], "Special cause variation (higher)"),
    "neutral_low": Badge("L", COLOURS["neutral"], "Special cause variation (lower)"),
}
#: Making Data Count assurance icons (keys of ``spc.summarise()["assurance_icon"]``).
ASSURANCE_BADGES = {
    "consistently_passing": Badge("P", COLOURS["improvement"], "Consistently passing target"),
    "consistently_failing": Badge("F", COLOURS["concern"], "Consistently failing target"),
    "hit_and_miss": Badge("?", COLOURS["common_cause"], "Hit and miss target"),
}

#: Special cause rules of :mod:`analysis.spc` in a few words, for tables.
RULE_NAMES = {
    "outside_limits": "outside the process limits",
    "trend": "trend",
    "two_in_three": "2 of 3 close to a limit",
    "shift": "shift",
}
NOT_AVAILABLE = "not available"


# --- numbers and words -----------------------------------------------------------------------


def _number(value: Any, decimals: int) -> str:
    """``value`` for display by :func:`analysis.rag.format_value` (half away from zero, with
    thousands separators), or 'not available'.

    >>> _number(2.25, 1), _number(-0.04, 1), _number(1234.5, 0), _number(None, 1)
    ('2.3', '0.0', '1,235', 'not available')
    """
    if not _finite(value):
        return NOT_AVAILABLE
    return format_value(float(value), decimals)


def _with_unit(value: Any, indicator: Indicator) -> str:
    """A value with its unit, as a member would say it: '23.4%', '512.3 per 10,000'."""
    shown = _number(value, indicator.decimal_places)
    unit = indicator.unit.strip()
    if shown == NOT_AVAILABLE or not unit:
        return shown
    if indicator.is_proportion:
        return f"{shown}%"
    if unit.lower().startswith("rate per "):
        return f"{shown} per {unit[len('rate per ') :]}"
    return f"{shown} {unit}"


def _row_positions(chart: pd.DataFrame) -> np.ndarray:
    """The ``position`` of each row (0-based in the series), else 0..n-1."""
    return chart["position"].to_numpy() if "position" in chart else np.arange(len(chart))


def _when(chart: pd.DataFrame, label: Any) -> str:
    """A period label of a summary in words. A position (what :func:`analysis.spc.summarise`
    gives for a chart without ``period``) becomes the month of ``period_end`` if the chart has
    it, else 'point N'."""
    if not isinstance(label, int | np.integer):
        return str(label)
    rows = np.flatnonzero(_row_positions(chart) == label)
    if rows.size and "period_end" in chart and chart["period_end"].notna().all():
        return _period_labels(chart)[rows[0]]
    return f"point {int(label) + 1}"


def _value_of(x: Any) -> float:
    """``x`` as a float; NaN for None, NA or text such as 'c' (as ``pd.to_numeric`` coerces)."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _finite(value: Any) -> bool:
    """True for a finite number; False for None, NA, NaN, infinity or text such as 'c'."""
    return math.isfinite(_value_of(value))


# --- shared drawing --------------------------------------------------------------------------


#: The figures :func:`reused_figures` keeps, per (chart, size); None outside that block.
_REUSED: dict[tuple, tuple[Figure, plt.Axes]] | None = None


@contextlib.contextmanager
def reused_figures() -> Iterator[None]:
    """Inside this block, each benchmark dot chart and funnel plot is drawn on the figure of
    the previous chart of its kind and size, emptied, instead of on a new figure: a page of
    many charts is made in two thirds of the time, and each chart's SVG is byte for byte the
    one a new figure gives. Pass each chart to :func:`figure_html` before drawing the next
    one of its kind; the figures are closed at the end.

    >>> with reused_figures():  # doctest: +SKIP
    ...     pages = [figure_html(benchmark_dot_chart(r, indicator, "Demoshire"), a, c) for ...]
    """
    global _REUSED
    if _REUSED is not None:  # nested: the outer block keeps the figures
        yield
        return
    _REUSED = {}
    try:
        yield
    finally:
        for figure, _ in _REUSED.values():
            plt.close(figure)
        _REUSED = None


def _start(
    size: tuple[float, float], title: str, top_inches: float = 0.45, reuse: str = ""
) -> tuple[Figure, plt.Axes]:
    """A figure with one axes, the title at the top left, ``top_inches`` kept for it.

    With ``reuse`` (the chart's name) inside :func:`reused_figures`, the figure kept for
    that chart and size, emptied.
    """
    key = (reuse, size, top_inches)
    if reuse and _REUSED is not None and key in _REUSED:
        figure, axes = _REUSED[key]
        _empty(figure, axes)
        figure.texts[0].set_text("\n".join(textwrap.wrap(title, 40)) or " ")
        return figure, axes
    figure = plt.figure(figsize=size, dpi=DPI)
    height = size[1]
    figure.subplots_adjust(top=1 - top_inches / height)
    figure.text(
        0.1,
        height - 0.1,
        "\n".join(textwrap.wrap(title, 40)) or " ",
        transform=figure.dpi_scale_trans,
        fontsize=12,
        fontweight="bold",
        va="top",
    )
    axes = figure.add_subplot()
    if reuse and _REUSED is not None:
        _REUSED[key] = (figure, axes)
    return figure, axes


def _empty(figure: Figure, axes: plt.Axes) -> None:
    """Back to the figure :func:`_start` makes: no marks, texts or labels, automatic ticks and
    limits; the title (the figure's first text) is kept."""
    for artist in [*axes.lines, *axes.texts, *axes.collections, *axes.patches, *axes.images]:
        artist.remove()
    axes.containers.clear()  # the error bars' containers, or they pile up report after report
    for text in figure.texts[1:]:
        text.remove()
    axes.set_xscale("linear")  # the default tick locators and formatters again
    axes.set_yscale("linear")
    axes.set_xlabel("")
    axes.set_ylabel("")
    axes.relim()
    axes.set_autoscale_on(True)


def _no_data(axes: plt.Axes, message: str) -> None:
    """An empty axes that says why there is nothing to draw."""
    axes.set_xticks([])
    axes.set_yticks([])
    axes.text(0.5, 0.5, message, transform=axes.transAxes, ha="center", va="center")


def _padded(values: list[float], pad: float = 0.08) -> tuple[float, float]:
    """Axis limits around the finite ``values``, never of zero width."""
    finite = [v for v in values if _finite(v)]
    if not finite:
        return 0.0, 1.0
    low, high = min(finite), max(finite)
    span = high - low if high > low else max(abs(high) * 0.1, 1.0)
    return low - pad * span, high + pad * span


def _spread(wanted: list[float], gap: float) -> list[float]:
    """Positions at least ``gap`` apart, each as close above its wanted position as it can be.

    >>> _spread([0.0, 5.0, 30.0], 11.0)
    [0.0, 11.0, 30.0]
    """
    placed: list[float] = []
    for position in wanted:
        placed.append(position if not placed else max(position, placed[-1] + gap))
    return placed


def _label_at_right(axes: plt.Axes, items: list[tuple[float, str, str]]) -> None:
    """Direct labels just right of the axes at each (y, text, colour), nudged not to overlap."""
    items = sorted(item for item in items if _finite(item[0]))
    if not items:
        return
    bottom, top = axes.get_ylim()
    height = axes.get_position().height * axes.figure.get_figheight() * 72  # in points
    wanted = [(y - bottom) / (top - bottom) * height for y, _, _ in items]
    for (_, text, colour), position in zip(items, _spread(wanted, LABEL_GAP), strict=True):
        axes.text(
            1.01,
            position / height,
            text,
            transform=axes.transAxes,
            color=colour,
            fontsize=9,
            va="center",
            clip_on=False,
        )


def _period_labels(chart: pd.DataFrame) -> list[str]:
    """Labels of the chart's rows: ``period``, else ``period_end`` as 'Apr 2024', else 1..n."""
    if "period" in chart and chart["period"].notna().all():
        return [str(p) for p in chart["period"]]
    if "period_end" in chart and chart["period_end"].notna().all():
        return [month_label(pd.Timestamp(end)) for end in chart["period_end"]]
    return [str(i + 1) for i in range(len(chart))]


def _period_ticks(axes: plt.Axes, labels: list[str], most: int = 6) -> None:
    """About ``most`` tick labels, counted back from the latest period so it is always shown."""
    step = max(1, math.ceil(len(labels) / most))
    ticks = list(range(len(labels) - 1, -1, -step))[::-1]
    axes.set_xticks(ticks, [labels[i] for i in ticks])
    axes.set_xlim(-0.6, len(labels) - 0.4)


# --- line chart ------------------------------------------------------------------------------


def line_chart(series: pd.DataFrame, indicator: Indicator) -> Figure:
    """The council's series over time; missing or suppressed periods are gaps, never zero.

    >>> figure = line_chart(local_series, catalogue["rereferrals_12m_pct"])  # doctest: +SKIP
    """
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(WIDTH, 3.2), dpi=DPI)
        axes.plot(
            series["period_end"],
            series["value"],
            color=COLOURS["council"],
            marker="o",
            markersize=3.5,
            linewidth=1.6,
            label="This council",
        )
        latest = series.dropna(subset=["value"]).tail(1)
        if not latest.empty:
            axes.annotate(
                _number(latest["value"].iloc[0], indicator.decimal_places),
                (latest["period_end"].iloc[0], latest["value"].iloc[0]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                color=COLOURS["council"],
                fontweight="bold",
            )
        axes.set_ylabel(indicator.unit)
        axes.set_title(indicator.title, loc="left", fontsize=12)
        figure.autofmt_xdate()
        figure.tight_layout()
    return figure


# --- SPC -------------------------------------------------------------------------------------


def _badges(figure: Figure, summary: dict) -> None:
    """The variation and assurance icons as lettered circles with a label, top right."""
    badges = [
        VARIATION_BADGES.get(summary.get("variation_icon") or ""),
        ASSURANCE_BADGES.get(summary.get("assurance_icon") or ""),
    ]
    height = figure.get_figheight()
    x = figure.get_figwidth() - 0.2
    for row, badge in enumerate(b for b in badges if b is not None):
        y = height - 0.2 - 0.3 * row
        figure.add_artist(
            Circle((x, y), 0.12, transform=figure.dpi_scale_trans, color=badge.colour, gid="badge")
        )
        figure.text(
            x,
            y,
            badge.letter,
            transform=figure.dpi_scale_trans,
            color=BADGE_LETTER,
            fontsize=9,
            fontweight="bold",
            ha="center",
            va="center_baseline",
            gid="badge-letter",
        )
        figure.text(
            x - 0.2,
            y,
            badge.label,
            transform=figure.dpi_scale_trans,
            fontsize=9,
            ha="right",
            va="center",
        )


def _group_lines(axes: plt.Axes, chart: pd.DataFrame, near_limits: bool) -> None:
    """Mean (solid) and process limits (dashed) as one segment per rebase group."""
    x = np.arange(len(chart))
    groups = chart["group"].to_numpy() if "group" in chart else np.zeros(len(chart), dtype=int)
    for group in pd.unique(groups):
        rows = np.flatnonzero(groups == group)
        first, last = rows[0], rows[-1]
        ends = [x[first] - 0.35, x[last] + 0.35]
        lines = [("mean", "-", 1.6, COLOURS["mean"]), ("upl", "--", 1.3, COLOURS["limits"])]
        lines.append(("lpl", "--", 1.3, COLOURS["limits"]))
        if near_limits:
            lines += [(name, "-.", 0.8, COLOURS["limits"]) for name in ("near_upl", "near_lpl")]
        for column, style, width, colour in lines:
            level = chart[column].iloc[first] if column in chart else np.nan
            if _finite(level):
                axes.plot(
                    ends,
                    [level, level],
                    ls=style,
                    lw=width,
                    color=colour,
                    zorder=1,
                    gid=f"{column}-{group}",
                )
        upper = chart["upl"].iloc[first] if "upl" in chart else np.nan
        if "trial_limits" in chart and bool(chart["trial_limits"].iloc[first]) and _finite(upper):
            axes.annotate(
                "trial limits",
                (ends[0], upper),
                xytext=(2, 2),
                textcoords="offset points",
                fontsize=8,
                style="italic",
                color=COLOURS["limits"],
            )


def _target_of(chart: pd.DataFrame, target: float | None) -> float | None:
    """The target given, else the chart's own (the ``target`` column of :func:`spc.xmr`)."""
    if _finite(target):
        return float(target)
    if "target" in chart:
        given = pd.to_numeric(chart["target"], errors="coerce").dropna()
        if len(given):
            return float(given.iloc[-1])
    return None


def spc_chart(
    chart: pd.DataFrame,
    indicator: Indicator,
    summary: dict,
    target: float | None = None,
    *,
    near_limits: bool = False,
) -> Figure:
    """The XmR chart of :func:`analysis.spc.xmr` in the Making Data Count style.

    Values as a grey line with markers, coloured and shaped by point type; the mean solid and
    the process limits dashed, one segment per rebase group (trial limits labelled so);
    near (two-sigma) limits dash-dotted when ``near_limits``; the target (``target``, else
    the chart's own) dotted and labelled; direct labels at the right; the variation and
    assurance icons of ``summary`` (:func:`analysis.spc.summarise`) as badges, top right.
    Rows are plotted in order, labelled by ``period`` (else ``period_end``).

    >>> chart = spc.xmr(values, "decrease", periods=labels)  # doctest: +SKIP
    >>> figure = spc_chart(chart, indicator, spc.summarise(chart, "decrease"))  # doctest: +SKIP
    """
    with plt.rc_context(STYLE):
        figure, axes = _start(SPC_SIZE, indicator.title, top_inches=0.75)
        figure.subplots_adjust(left=0.1, right=0.77, bottom=0.2)
        _badges(figure, summary)
        values = (
            pd.to_numeric(chart["value"], errors="coerce").to_numpy(dtype=float)
            if "value" in chart
            else np.zeros(0)
        )
        if not np.isfinite(values).any():
            reason = summary.get("reason") or "no values to chart"
            _no_data(axes, f"{reason[0].upper()}{reason[1:]}.")
            return figure
        x = np.arange(len(chart))
        axes.plot(x, values, color=COLOURS["values"], lw=1.4, zorder=2)
        _group_lines(axes, chart, near_limits)
        goal = _target_of(chart, target)
        if goal is not None:
            axes.axhline(goal, ls=":", lw=1.8, color=COLOURS["target"], zorder=1)
        point_type = (
            chart["point_type"].to_numpy(dtype=object)
            if "point_type" in chart
            else np.full(len(chart), "common_cause", dtype=object)
        )
        handles = []
        for name, style in POINT_STYLES.items():
            shown = (point_type == name) & np.isfinite(values)
            if shown.any():
                axes.plot(
                    x[shown],
                    values[shown],
                    ls="none",
                    marker=style.marker,
                    ms=style.size,
                    color=style.colour,
                    zorder=3,
                    gid=f"points-{name}",
                )
                handles.append(
                    Line2D(
                        [],
                        [],
                        ls="none",
                        marker=style.marker,
                        color=style.colour,
                        ms=style.size,
                        label=style.label,
                    )
                )
        levels = [*values, goal]
        for column in ("lpl", "upl", "mean"):
            if column in chart:
                levels += list(pd.to_numeric(chart[column], errors="coerce"))
        axes.set_ylim(*_padded(levels))
        labels = _period_labels(chart)
        _period_ticks(axes, labels)
        axes.set_ylabel(indicator.unit)
        _signal_label(axes, chart, summary)
        _label_at_right(axes, _right_labels(chart, indicator, goal))
        if summary.get("reason") and not _finite(summary.get("upl")):
            axes.text(
                0.01,
                0.97,
                f"No process limits ({summary['reason']}).",
                transform=axes.transAxes,
                fontsize=8,
                va="top",
                style="italic",
            )
        if handles:
            figure.legend(
                handles=handles,
                loc="lower left",
                bbox_to_anchor=(0.08, 0.0),
                ncol=len(handles),
                frameon=False,
                fontsize=9,
                handletextpad=0.3,
                columnspacing=1.2,
            )
    return figure


def _right_labels(chart: pd.DataFrame, indicator: Indicator, goal: float | None) -> list:
    """(y, text, colour) for the mean, limits and target of the latest group."""
    last = chart.iloc[-1]
    items = [
        (last.get("upl"), "Upper process limit", COLOURS["limits"]),
        (last.get("mean"), "Mean", COLOURS["mean"]),
        (last.get("lpl"), "Lower process limit", COLOURS["limits"]),
        (goal, "Target", COLOURS["target"]),
    ]
    return [
        (float(y), f"{text} {_number(y, indicator.decimal_places)}", colour)
        for y, text, colour in items
        if _finite(y)
    ]


class _Signal(NamedTuple):
    row: int  # the latest special cause value
    since_row: int  # where the run behind its label began
    count: int  # values from since_row to row
    higher: bool  # above the mean or increasing
    start_row: int  # the first of the unbroken run of values of the same type up to row


def _latest_signal(chart: pd.DataFrame) -> _Signal | None:
    """Where the latest special cause run of the chart is, how long and which way."""
    needed = {"value", "special_cause", "special_cause_since", "mean"}
    if chart.empty or not needed <= set(chart.columns):
        return None
    special = np.flatnonzero((chart["special_cause"].fillna("") != "").to_numpy())
    if not special.size:
        return None
    row = int(special[-1])
    positions = _row_positions(chart)
    since = chart["special_cause_since"].iloc[row]
    matches = np.flatnonzero(positions == since) if not pd.isna(since) else np.zeros(0, int)
    since_row = int(matches[0]) if matches.size else row
    values = numbers(chart, "value")
    count = int(np.isfinite(values[since_row : row + 1]).sum())
    if chart["special_cause"].iloc[row] == "trend":
        higher = values[row] > values[since_row]
    else:
        higher = values[row] > float(chart["mean"].iloc[row])
    start = since_row
    if "point_type" in chart:
        other = (chart["point_type"] != chart["point_type"].iloc[row]).to_numpy()[:row]
        start = min(start, int(np.flatnonzero(other)[-1]) + 1 if other.any() else 0)
    return _Signal(row, since_row, count, bool(higher), start)


def _row_when(chart: pd.DataFrame, row: int) -> str:
    """The label of a row of the chart, in words."""
    if "period" in chart:
        return str(chart["period"].iloc[row])
    return _when(chart, int(_row_positions(chart)[row]))


#: Special cause point type -> (short word for the chart, phrase for the alt text).
SIGNAL_WORDS = {
    "special_cause_improvement": ("Improvement", "special cause improvement"),
    "special_cause_concern": ("Concern", "special cause concern"),
    "special_cause_neutral_high": ("Special cause", "special cause variation"),
    "special_cause_neutral_low": ("Special cause", "special cause variation"),
}


def _signal_label(axes: plt.Axes, chart: pd.DataFrame, summary: dict) -> None:
    """'Concern from Apr 2024' (or improvement) at the start of the latest special cause run."""
    signal = _latest_signal(chart)
    point_type = summary.get("special_cause_type")
    if signal is None or point_type not in SIGNAL_WORDS:
        return
    value = float(pd.to_numeric(chart["value"], errors="coerce").iloc[signal.start_row])
    if not math.isfinite(value):
        return
    bottom, top = axes.get_ylim()
    room = 0.16 * (top - bottom)  # the label's height and offset, about 24 of 155 points
    if signal.higher:
        axes.set_ylim(bottom, max(top, value + room))
    else:
        axes.set_ylim(min(bottom, value - room), top)
    axes.annotate(
        f"{SIGNAL_WORDS[point_type][0]} from {_row_when(chart, signal.start_row)}",
        (signal.start_row, value),
        xytext=(-4, 10 if signal.higher else -12),
        textcoords="offset points",
        ha="right",
        va="bottom" if signal.higher else "top",
        fontsize=9,
        fontweight="bold",
        color=POINT_STYLES[point_type].colour,
        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
    )


def _rule_words(rule: str, higher: bool, count: int | None) -> str:
    """A special cause rule in plain words: 'a run of 7 points above the average'.

    >>> _rule_words("trend", True, 8)
    '8 points in a row each higher than the one before'
    """
    points = f"{count} points" if count else "points"
    if rule == "outside_limits":
        side = "above the upper" if higher else "below the lower"
        return f"{'a point' if count in (None, 1) else points} {side} process limit"
    if rule == "trend":
        return f"{points} in a row each {'higher' if higher else 'lower'} than the one before"
    if rule == "two_in_three":
        return f"2 of 3 points close to the {'upper' if higher else 'lower'} process limit"
    return f"a run of {points} {'above' if higher else 'below'} the average"


def spc_alt_text(chart: pd.DataFrame, summary: dict, indicator: Indicator) -> str:
    """The message of an XmR chart in plain English, most important first.

    Whether the latest variation is common cause or special cause improvement / concern, since
    when and by which rule in plain words (or the most recent earlier signal); the latest
    value; the mean and limits (or why there are none; trial limits; a rebase); and the
    assurance against the target. ``summary`` is :func:`analysis.spc.summarise` of ``chart``;
    the chart gives the length and direction of the run.

    >>> spc_alt_text(chart, spc.summarise(chart, "decrease"), indicator)  # doctest: +SKIP
    'Re-referrals within 12 months: special cause concern since Apr 2024, shown by a run of
    9 points above the average. The latest value, for Dec 2024, is 27.0%. ...'
    """
    title = indicator.title
    if summary.get("variation_icon") is None or summary.get("latest_period") is None:
        return f"{title}: {summary.get('reason') or 'no values to chart'}."
    signal = _latest_signal(chart)
    point_type = summary.get("special_cause_type")
    phrase = SIGNAL_WORDS[point_type][1] if point_type in SIGNAL_WORDS else None
    higher = signal.higher if signal else summary["variation_icon"].endswith("_high")
    rule = summary.get("special_cause_rule") or ""
    words = _rule_words(rule, higher, signal.count if signal else None)
    since = _when(chart, summary.get("special_cause_since"))
    if summary["variation_icon"] != "common_cause" and phrase is not None:
        first = f"{title}: {phrase} since {since}, shown by {words}."
        if signal and signal.start_row < signal.since_row:
            first = (
                f"{title}: {phrase} since {_row_when(chart, signal.start_row)}; the latest "
                f"signal is {words}, from {since}."
            )
    else:
        first = f"{title}: common cause variation, with no special cause in the latest period."
        if phrase is not None:
            first += (
                f" The most recent signal was {phrase} in "
                f"{_when(chart, summary.get('special_cause_period'))}, shown by {words} "
                f"from {since}."
            )
    latest = (
        f"The latest value, for {_when(chart, summary['latest_period'])}, is "
        f"{_with_unit(summary.get('latest_value'), indicator)}."
    )
    sentences = [
        first,
        latest,
        _limits_sentence(chart, summary, indicator),
        _assurance_sentence(chart, summary, indicator),
    ]
    return " ".join(s for s in sentences if s)


def _limits_sentence(chart: pd.DataFrame, summary: dict, indicator: Indicator) -> str:
    mean = _with_unit(summary.get("mean"), indicator)
    if not _finite(summary.get("upl")):
        reason = summary.get("reason") or "they cannot be computed"
        return f"The mean is {mean}; there are no process limits ({reason})."
    sentence = (
        f"The mean is {mean} and the process limits are "
        f"{_with_unit(summary['lpl'], indicator)} to {_with_unit(summary['upl'], indicator)}"
    )
    if "group" in chart and chart["group"].nunique() > 1:
        start = int(np.flatnonzero(chart["group"].to_numpy() == chart["group"].iloc[-1])[0])
        sentence += f", recalculated from {_period_labels(chart)[start]}"
    if summary.get("trial_limits"):
        sentence += " (trial limits: fewer than 13 points, so they may change)"
    return sentence + "."


#: Assurance icon -> what it means for the target, in words.
ASSURANCE_WORDS = {
    "consistently_passing": "lies outside the process limits on the good side: it will be met "
    "consistently unless the process changes",
    "consistently_failing": "lies outside the process limits on the wrong side: it will be "
    "missed consistently unless the process changes",
    "hit_and_miss": "lies inside the process limits: it will be met in some periods and "
    "missed in others at random (hit and miss)",
}


def _assurance_sentence(chart: pd.DataFrame, summary: dict, indicator: Indicator) -> str:
    """The assurance icon in words, naming the target when the chart carries it."""
    goal = _target_of(chart, None)
    target = "The target" if goal is None else f"The target of {_with_unit(goal, indicator)}"
    icon = summary.get("assurance_icon")
    if icon in ASSURANCE_WORDS:
        return f"{target} {ASSURANCE_WORDS[icon]}."
    reason = summary.get("assurance_reason")
    if goal is not None and reason:
        return f"{target} is not assessed ({reason})."
    return ""


#: at most this many decimal places more than the indicator's, to tell an SPC chart's lines apart
MOST_EXTRA_PLACES = 2


def with_limit_precision(indicator: Indicator, chart: pd.DataFrame) -> Indicator:
    """``indicator`` with enough decimal places for its SPC chart's lines to read as different
    numbers: in each group, lower process limit < mean < upper process limit once rounded.

    Slow-moving figures such as children looked after per 10,000 (no decimal places) can have
    limits within a unit of their mean, which would read "lower limit 71, mean 71, upper limit
    72"; one more place reads "70.8, 71.3, 71.8". At most :data:`MOST_EXTRA_PLACES` more.

    >>> cla = Indicator("cla", "CLA", "", "neutral", "rate per 10,000", 0, "month")
    >>> chart = pd.DataFrame({"lpl": [70.8], "mean": [71.3], "upl": [71.8]})
    >>> with_limit_precision(cla, chart).decimal_places
    1
    """
    lines = chart[["lpl", "mean", "upl"]].dropna().drop_duplicates().to_numpy(dtype="float64")
    places = indicator.decimal_places
    while places < indicator.decimal_places + MOST_EXTRA_PLACES:
        rounded = round_half_up(lines, places)
        if all(lower < mean < upper for lower, mean, upper in rounded):
            break
        places += 1
    if places == indicator.decimal_places:
        return indicator
    return dataclasses.replace(indicator, decimal_places=places)


def spc_table(chart: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The numbers behind :func:`spc_chart`, formatted for :func:`data_table_html`.

    Columns: Period, Value, Mean, Lower process limit, Upper process limit, Signal.
    """
    labels = _period_labels(chart)
    signals = []
    for row in chart.itertuples(index=False):
        point_type = getattr(row, "point_type", "common_cause")
        if point_type == "no_value":
            signals.append("no value")
            continue
        words = POINT_STYLES[point_type].label if point_type in POINT_STYLES else point_type
        rule = getattr(row, "special_cause", "")
        signals.append(f"{words} ({RULE_NAMES.get(rule, rule)})" if rule else words)
    if "trial_limits" in chart:
        trial = chart["trial_limits"].to_numpy(dtype=bool)
        signals = [s + "; trial limits" if t else s for s, t in zip(signals, trial, strict=True)]
    columns = {"value": "Value", "mean": "Mean", "lpl": "Lower process limit"}
    columns["upl"] = "Upper process limit"
    table = {"Period": labels}
    for column, heading in columns.items():
        column_values = chart[column] if column in chart else pd.Series(np.nan, index=chart.index)
        table[heading] = [_number(v, indicator.decimal_places) for v in column_values]
    table["Signal"] = signals
    return pd.DataFrame(table)


# --- benchmarks ------------------------------------------------------------------------------


Rows = pd.DataFrame | list[dict[str, Any]]
"""A benchmark chart's rows: a frame, or the same rows as dicts (a key may be left out)."""


def _labelled(rows: Rows) -> list[dict[str, Any]]:
    """``rows`` as dicts in order, with ``value`` (and ``lower`` and ``upper`` where given) as
    floats, NaN when missing or not a number; no rows when one has no ``label``."""
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    if any("label" not in row for row in records):
        return []
    bounds = ("lower", "upper")
    return [
        {**row, "value": _value_of(row.get("value"))}
        | {c: _value_of(row[c]) for c in bounds if c in row}
        for row in records
    ]


def _comparator_parts(row: dict[str, Any]) -> tuple[str, str]:
    """The comparator's name and, for a group, its method and members with a value."""
    method = row.get("method")
    n = row.get("n")
    has_method = isinstance(method, str) and method and method != "published"
    if _finite(n) and int(n) == 0:
        return str(row["label"]), "(none with a figure)"
    if has_method and _finite(n):
        return str(row["label"]), f"({method} of {int(n)})"
    if _finite(n) and int(n) > 1:
        return str(row["label"]), f"({int(n)} councils)"
    return str(row["label"]), ""


def _comparator_label(row: dict[str, Any], width: int | None = None) -> str:
    """'Statistical neighbours (mean of 9)'; wrapped to lines of ``width`` characters if given.

    >>> _comparator_label({"label": "Statistical neighbours", "method": "mean", "n": 9})
    'Statistical neighbours (mean of 9)'
    """
    name, detail = _comparator_parts(row)
    label = f"{name} {detail}".strip()
    if width is None or len(label) <= width:
        return label
    return "\n".join([*textwrap.wrap(name, width), detail]).strip()


def _interval_of(row: dict[str, Any]) -> tuple[float, float] | None:
    """A row's (lower, upper) interval, when it has one."""
    lower, upper = row.get("lower"), row.get("upper")
    return (lower, upper) if _finite(lower) and _finite(upper) else None


def benchmark_dot_chart(rows: Rows, indicator: Indicator, highlight: str) -> Figure:
    """A horizontal dot chart: the council (``label == highlight``) against its comparators.

    ``rows`` columns: ``label``, ``value``, optional ``lower`` and ``upper`` (the council's 95%
    confidence interval, drawn as a line with caps), ``n`` and ``method`` (shown in the label:
    "Statistical neighbours (mean of 9)"). Rows are drawn top to bottom in order; every value
    is labelled; a row without a value says so.

    >>> rows = pd.DataFrame({"label": ["Demoshire", "England"], "value": [23.4, 21.0]})
    >>> figure = benchmark_dot_chart(rows, indicator, "Demoshire")  # doctest: +SKIP
    """
    height = max(2.2, 1.1 + 0.42 * len(rows))
    with plt.rc_context(STYLE):
        figure, axes = _start((WIDTH, height), indicator.title, reuse="benchmark_dot_chart")
        figure.subplots_adjust(left=0.4, right=0.95, bottom=0.75 / height)
        rows = _labelled(rows)
        if not any(_finite(row["value"]) for row in rows):
            _no_data(axes, "No figures to compare.")
            return figure
        spans = [row[c] for row in rows for c in ("value", "lower", "upper") if c in row]
        low, high = _padded(spans, pad=0.15)
        axes.set_xlim(low, high)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=ROUND_STEPS, min_n_ticks=3))
        y = np.arange(len(rows))[::-1]
        labels = []
        points: dict[bool, list[tuple[float, int]]] = {True: [], False: []}
        for position, row in zip(y, rows, strict=True):
            mine = row["label"] == highlight
            labels.append(_comparator_label(row, width=32))
            value = row["value"]
            if not _finite(value):
                axes.text(low, position, "  no figure", va="center", style="italic", fontsize=9)
                continue
            points[mine].append((value, position))
            interval = _interval_of(row) if mine else None
            if interval is not None:
                axes.errorbar(
                    value,
                    position,
                    xerr=[[max(value - interval[0], 0)], [max(interval[1] - value, 0)]],
                    fmt="none",
                    ecolor=COLOURS["council"],
                    elinewidth=1.6,
                    capsize=4,
                    zorder=2,
                )
            axes.annotate(
                _number(value, indicator.decimal_places),
                (interval[1] if interval else value, position),
                xytext=(7, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                fontweight="bold" if mine else "normal",
                color=COLOURS["council"] if mine else COLOURS["text"],
            )
        for mine, xy in points.items():
            if xy:  # one line of markers for the council, one for its comparators
                axes.plot(
                    *zip(*xy, strict=True),
                    ls="none",
                    marker="D" if mine else "o",
                    ms=9 if mine else 7,
                    color=COLOURS["council"] if mine else COLOURS["comparator"],
                    zorder=3,
                    gid="points-council" if mine else "points-comparator",
                )
        axes.set_yticks(y, labels)
        for tick, row in zip(axes.get_yticklabels(), rows, strict=True):
            tick.set_fontweight("bold" if row["label"] == highlight else "normal")
        axes.set_ylim(-0.6, len(rows) - 0.4)
        axes.grid(False, axis="y")
        axes.set_xlabel(indicator.unit)
        council = next((row for row in rows if row["label"] == highlight), None)
        if council is not None and _interval_of(council) is not None:
            figure.text(
                0.1,
                0.08,
                f"The line shows the 95% confidence interval for {highlight}.",
                transform=figure.dpi_scale_trans,
                fontsize=8,
                style="italic",
            )
    return figure


def _compared(council: float, other: float, interval: tuple | None, polarity: str) -> str:
    """'higher than', 'lower than', 'the same as' or 'similar to', with better / worse.

    >>> _compared(23.4, 18.0, (20.1, 26.9), "low")
    'higher (worse) than'
    """
    if interval is not None:
        if interval[0] <= other <= interval[1]:
            return "similar to"
        word = "higher" if council > other else "lower"
        if polarity == "neutral":
            return f"{word} than"
        better = (council > other) == (polarity == "high")
        return f"{word} ({'better' if better else 'worse'}) than"
    if council == other:
        return "the same as"
    return "higher than" if council > other else "lower than"


def benchmark_alt_text(rows: Rows, indicator: Indicator, highlight: str) -> str:
    """How the council compares with each comparator, in plain English.

    With the council's 95% interval (``lower``, ``upper``), a comparator inside it (ends
    included) is "similar", else higher or lower and, by polarity, better or worse
    (``docs/methods.md`` section 2); without an interval, plainly higher or lower.

    >>> benchmark_alt_text(rows, indicator, "Demoshire")  # doctest: +SKIP
    'Re-referrals within 12 months: Demoshire 23.4%, higher than England (21.0%).'
    """
    title = indicator.title
    rows = _labelled(rows)
    council = next((row for row in rows if row["label"] == highlight), None)
    others = [(_comparator_label(row), row["value"]) for row in rows if row["label"] != highlight]
    missing = [label for label, value in others if not _finite(value)]
    others = [(label, value) for label, value in others if _finite(value)]
    tail = f" No figure for {listed(missing)}." if missing else ""
    if council is None or not _finite(council["value"]):
        figures = [f"{label} {_with_unit(value, indicator)}" for label, value in others]
        shown = f" Comparators: {listed(figures)}." if figures else ""
        return f"{title}: {highlight} has no figure to compare.{shown}{tail}"
    value = council["value"]
    interval = _interval_of(council)
    text = f"{title}: {highlight} {_with_unit(value, indicator)}"
    if interval is not None:
        low, high = (_with_unit(v, indicator) for v in interval)
        text += f" (95% confidence interval {low} to {high})"
    phrases: dict[str, list[str]] = {}
    for label, other in others:
        word = _compared(value, other, interval, indicator.polarity)
        phrases.setdefault(word, []).append(f"{label} ({_with_unit(other, indicator)})")
    if phrases:
        text += ", " + "; ".join(f"{word} {listed(items)}" for word, items in phrases.items())
    return text + "." + tail


def benchmark_table(rows: Rows, indicator: Indicator, highlight: str) -> pd.DataFrame:
    """The numbers behind :func:`benchmark_dot_chart`: Comparator, Value, and the interval."""
    rows = _labelled(rows)
    table = {
        "Comparator": [_comparator_label(row) for row in rows],
        "Value": [_number(row["value"], indicator.decimal_places) for row in rows],
    }
    if any("lower" in row and "upper" in row for row in rows):
        intervals = [_interval_of(row) if row["label"] == highlight else None for row in rows]
        table["95% confidence interval"] = [
            "" if each is None else " to ".join(_number(v, indicator.decimal_places) for v in each)
            for each in intervals
        ]
    return pd.DataFrame(table)


# --- funnel plot -----------------------------------------------------------------------------

FUNNEL_COLUMNS = ["n", "lower_95", "upper_95", "lower_998", "upper_998"]


def _wide_limits(limits: pd.DataFrame) -> pd.DataFrame:
    """Limits as FUNNEL_COLUMNS sorted by n; also accepts the long output of
    :func:`analysis.benchmark.funnel_limits` (n, confidence, lower, upper)."""
    if "n" not in limits:
        return pd.DataFrame(columns=FUNNEL_COLUMNS, dtype=float)
    if "confidence" in limits:
        wide = limits.pivot_table(index="n", columns="confidence", values=["lower", "upper"])
        limits = pd.DataFrame(
            {
                "n": wide.index.to_numpy(dtype=float),
                **{
                    f"{side}_{suffix}": wide[(side, level)].to_numpy(dtype=float)
                    for side in ("lower", "upper")
                    for level, suffix in ((0.95, "95"), (0.998, "998"))
                    if (side, level) in wide
                },
            }
        )
    columns = {c: numbers(limits, c) for c in FUNNEL_COLUMNS if c in limits}
    order = np.argsort(columns["n"], kind="stable")
    order = order[~np.isnan(columns["n"][order])]
    return pd.DataFrame({c: values[order] for c, values in columns.items()})


def _proportions(points: pd.DataFrame) -> pd.DataFrame:
    """Councils with a usable numerator and denominator: area_code, name, numerator,
    denominator and proportion."""
    columns = ["area_code", "name", "numerator", "denominator", "proportion"]
    if not {"area_code", "numerator", "denominator"} <= set(points.columns):
        return pd.DataFrame(columns=columns)
    numerator, denominator = numbers(points, "numerator"), numbers(points, "denominator")
    usable = (denominator > 0) & (numerator >= 0) & (numerator <= denominator)
    codes = points["area_code"]
    names = (points["area_name"].fillna(codes) if "area_name" in points else codes).astype(str)
    return pd.DataFrame(
        {
            "area_code": codes.to_numpy()[usable],
            "name": names.to_numpy()[usable],
            "numerator": numerator[usable],
            "denominator": denominator[usable],
            "proportion": numerator[usable] / denominator[usable],
        }
    )


def _funnel_positions(
    proportion: np.ndarray, n: np.ndarray, limits: pd.DataFrame
) -> list[str | None]:
    """:func:`funnel_position` of many councils at once."""
    wide = _wide_limits(limits)
    proportion = np.asarray(proportion, dtype=float)
    n = np.asarray(n, dtype=float)
    if wide.empty or not set(FUNNEL_COLUMNS) <= set(wide.columns):
        return [None] * n.size
    at = {c: np.interp(n, wide["n"], wide[c]) for c in FUNNEL_COLUMNS[1:]}
    known = (n >= wide["n"].iloc[0]) & (n <= wide["n"].iloc[-1]) & np.isfinite(proportion)
    for values in at.values():
        known &= np.isfinite(values)
    side = np.where(proportion > at["upper_95"], "above", "below")
    words = np.select(
        [
            (at["lower_95"] <= proportion) & (proportion <= at["upper_95"]),
            (at["lower_998"] <= proportion) & (proportion <= at["upper_998"]),
        ],
        ["inside the 95% limits", np.char.add(side, " the 95% limit but inside the 99.8% limits")],
        np.char.add(side, " the 99.8% limit"),
    )
    return [str(w) if k else None for w, k in zip(words, known, strict=True)]


def funnel_position(proportion: float, n: float, limits: pd.DataFrame) -> str | None:
    """Where a proportion at denominator ``n`` falls against the funnel limits.

    One of 'inside the 95% limits', 'above the 95% limit but inside the 99.8% limits' (or
    below), 'above the 99.8% limit' (or below); None when ``n`` is outside the range of the
    limits' ``n``. A value on a limit counts as inside it. Limits between the rows of
    ``limits`` are interpolated linearly: include the council's own ``n`` for exact limits.

    >>> limits = pd.DataFrame({"n": [100.0], "lower_95": [0.12], "upper_95": [0.28],
    ...     "lower_998": [0.08], "upper_998": [0.32]})
    >>> funnel_position(0.30, 100, limits)
    'above the 95% limit but inside the 99.8% limits'
    """
    return _funnel_positions(np.array([proportion]), np.array([n]), limits)[0]


#: The funnel's horizontal axis and table column: a percentage's denominator, in words.
FUNNEL_X_LABEL = "Number the percentage is out of"
#: Whole numbers with thousands separators (40,000, not 40000) on an axis.
THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")


def funnel_plot(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    indicator: Indicator,
    highlight_area_code: str,
    p0: float,
) -> Figure:
    """Councils' proportions (in percent) against their denominators, with funnel limits.

    ``points`` columns: ``area_code``, optional ``area_name``, ``numerator``, ``denominator``
    (rows without a usable pair are left out). ``limits`` columns: ``n``, ``lower_95``,
    ``upper_95``, ``lower_998``, ``upper_998`` as **proportions** (0 to 1, as
    :func:`analysis.benchmark.funnel_limits` returns them; its long form is accepted too);
    ``p0`` is the England proportion (0 to 1). Everything is drawn in percent: the centre
    line solid, 95% limits dashed, 99.8% limits dash-dotted, all labelled at the right; the
    highlighted council a labelled diamond. ``limits.attrs["note"]`` (say the over-dispersion
    note) is printed under the chart.

    >>> limits = funnel_limits(grid, 0.21)  # doctest: +SKIP
    >>> figure = funnel_plot(points, limits, indicator, "E1", 0.21)  # doctest: +SKIP
    """
    with plt.rc_context(STYLE):
        figure, axes = _start(FUNNEL_SIZE, indicator.title, reuse="funnel_plot")
        figure.subplots_adjust(left=0.1, right=0.83, bottom=0.2)
        councils = _proportions(points)
        wide = _wide_limits(limits)
        if councils.empty:
            _no_data(axes, "No councils with a numerator and a denominator to plot.")
            return figure
        others = councils.loc[councils["area_code"] != highlight_area_code]
        mine = councils.loc[councils["area_code"] == highlight_area_code]
        axes.plot(
            others["denominator"],
            others["proportion"] * 100,
            ls="none",
            marker="o",
            ms=4.5,
            color=COLOURS["common_cause"],
            zorder=2,
            gid="points-comparator",
        )
        right = max(councils["denominator"].max(), wide["n"].max() if len(wide) else 0) * 1.03
        axes.set_xlim(0, right)
        shown = wide.loc[wide["n"] >= councils["denominator"].min()]
        levels = list(councils["proportion"] * 100) + [p0 * 100]
        levels += [v * 100 for c in FUNNEL_COLUMNS[1:] if c in shown for v in shown[c]]
        low, high = _padded(levels, pad=0.05)
        axes.set_ylim(max(low, 0.0), min(high, 100.0))
        labels = []
        for column, style, name in (
            ("upper_998", "-.", "99.8% limit"),
            ("upper_95", "--", "95% limit"),
            ("lower_95", "--", "95% limit"),
            ("lower_998", "-.", "99.8% limit"),
        ):
            if column in wide and wide[column].notna().any():
                axes.plot(wide["n"], wide[column] * 100, ls=style, lw=1.2, color=COLOURS["limits"])
                labels.append(
                    (float(wide[column].dropna().iloc[-1] * 100), name, COLOURS["limits"])
                )
        if 0 <= p0 <= 1:
            axes.axhline(p0 * 100, lw=1.4, color=COLOURS["england"], zorder=1)
            labels.append(
                (
                    p0 * 100,
                    f"England {_number(p0 * 100, indicator.decimal_places)}",
                    COLOURS["england"],
                )
            )
        bottom, top = axes.get_ylim()
        inside = [item for item in labels if bottom <= item[0] <= top]
        if not mine.empty:
            council = mine.iloc[0]
            value = council["proportion"] * 100
            axes.plot(
                council["denominator"],
                value,
                ls="none",
                marker="D",
                ms=9,
                color=COLOURS["council"],
                markeredgecolor=COLOURS["england"],
                zorder=4,
                gid="points-council",
            )
            axes.annotate(
                f"{council['name']} {_number(value, indicator.decimal_places)}",
                (council["denominator"], value),
                xytext=(8, 8),
                textcoords="offset points",
                fontsize=9,
                fontweight="bold",
                color=COLOURS["council"],
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                zorder=5,
            )
        _label_at_right(axes, inside)
        axes.xaxis.set_major_formatter(THOUSANDS)
        axes.set_xlabel(FUNNEL_X_LABEL)
        axes.set_ylabel(indicator.unit)
        note = textwrap.wrap(str(limits.attrs.get("note") or ""), 125)
        if note:
            figure.subplots_adjust(bottom=0.2 + 0.04 * len(note))
            figure.text(0.01, 0.01, "\n".join(note), fontsize=8, style="italic")
    return figure


def funnel_alt_text(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    indicator: Indicator,
    highlight_area_code: str,
    p0: float,
) -> str:
    """Where the council sits on the funnel, and how many councils are outside the limits.

    >>> funnel_alt_text(points, limits, indicator, "E1", 0.21)  # doctest: +SKIP
    'Re-referrals within 12 months: Demoshire 27.0% (270 of 1,000) is above the 99.8% limit ...'
    """
    councils = _proportions(points)
    councils["position"] = _funnel_positions(
        councils["proportion"], councils["denominator"], limits
    )
    decimals = indicator.decimal_places
    england = f"England's {_number(p0 * 100, decimals)}%" if 0 <= p0 <= 1 else "the England figure"
    mine = councils.loc[councils["area_code"] == highlight_area_code]
    if mine.empty:
        text = f"{indicator.title}: {highlight_area_code} has no figure to place on the funnel."
    else:
        council = mine.iloc[0]
        text = (
            f"{indicator.title}: {council['name']} {_number(council['proportion'] * 100, decimals)}"
            f"% ({_number(council['numerator'], 0)} of {_number(council['denominator'], 0)}) is "
        )
        where = council["position"]
        if where is None:
            text += "outside the range of the funnel limits, so it cannot be placed on them."
        elif where.startswith("inside"):
            text += f"{where}: not significantly different from {england}."
        else:
            text += f"{where} around {england}."
    above = int((councils["position"] == "above the 99.8% limit").sum())
    below = int((councils["position"] == "below the 99.8% limit").sum())
    text += (
        f" Of {len(councils)} councils with a figure, {above} "
        f"{'is' if above == 1 else 'are'} above the 99.8% limit and {below} below it."
    )
    left_out = len(points) - len(councils)
    if left_out:
        text += f" {left_out} without a usable numerator and denominator are not shown."
    return text


def funnel_table(points: pd.DataFrame, limits: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The numbers behind :func:`funnel_plot`, one row per council in name order."""
    councils = _proportions(points).sort_values("name", kind="stable")
    positions = _funnel_positions(councils["proportion"], councils["denominator"], limits)
    return pd.DataFrame(
        {
            "Council": councils["name"].tolist(),
            "Number counted": [_number(v, 0) for v in councils["numerator"]],
            FUNNEL_X_LABEL: [_number(v, 0) for v in councils["denominator"]],
            "Value (%)": [
                _number(v * 100, indicator.decimal_places) for v in councils["proportion"]
            ],
            "Against the funnel limits": [p or NOT_AVAILABLE for p in positions],
        }
    )


# --- HTML ------------------------------------------------------------------------------------

#: SVG metadata left out: the software's version and the date would change the bytes.
_NO_SVG_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


def figure_html(figure: Figure, alt: str, caption: str, number: int | None = None) -> str:
    """The figure as an inline SVG image in a ``<figure>`` with alt text and a numbered caption.

    The SVG carries no software version or date and its element ids are salted
    (``svg.hashsalt``), so the same figure gives the same bytes. The figure is closed (a
    figure kept by :func:`reused_figures` at the end of that block).
    """
    buffer = io.BytesIO()
    with plt.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata=_NO_SVG_METADATA)
    if _REUSED is None or all(figure is not kept for kept, _ in _REUSED.values()):
        plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    label = f"Figure {number}: " if number is not None else ""
    return (
        f'<figure><img src="data:image/svg+xml;base64,{encoded}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(label + caption)}</figcaption></figure>"
    )


def _cell(value: Any) -> str:
    """A table cell's text: missing values say so; whole floats lose their '.0'."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return NOT_AVAILABLE
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return f"{int(value):,}"
    return str(value)


def paragraphs_html(*texts: str) -> str:
    """Each non-empty text as an HTML-escaped paragraph.

    >>> paragraphs_html("A & B", "", "C")
    '<p>A &amp; B</p><p>C</p>'
    """
    return "".join(f"<p>{html.escape(t)}</p>" for t in texts if t)


def data_table_html(frame: pd.DataFrame, caption: str, number: int | None = None) -> str:
    """An accessible HTML table: a numbered caption, column headers, the first column as row
    headers, and every piece of text escaped.

    >>> data_table_html(pd.DataFrame({"Area": ["<b>"], "Value": [1.5]}), "Values", 2)
    '<table><caption>Table 2: Values</caption><thead><tr><th scope="col">Area</th><th scope="col">Value</th></tr></thead><tbody><tr><th scope="row">&lt;b&gt;</th><td>1.5</td></tr></tbody></table>'
    """  # noqa: E501
    label = f"Table {number}: " if number is not None else ""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = [html.escape(_cell(v)) for v in row]
        if cells:
            first = f'<th scope="row">{cells[0]}</th>'
            body.append("<tr>" + first + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>")
    return (
        f"<table><caption>{html.escape(label + caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


# --- contributions to a change (rate and mix effects) ---------------------------------------

CONTRIBUTION_BAR = 0.36  # height of each of a group's two bars


def contribution_chart(split: pd.DataFrame, title: str, units: str, decimals: int = 2) -> Figure:
    """Each group's rate effect and mix effect (:func:`analysis.decomposition.kitagawa`) as a
    pair of horizontal bars: rate solid, mix hatched (so the two differ without colour), a line
    at zero, and each bar labelled with its signed value in ``units``.

    >>> figure = contribution_chart(kitagawa(groups, 100), "Re-referrals", "percentage points")
    ...     # doctest: +SKIP
    """
    with plt.rc_context(STYLE):
        height = max(2.6, 1.3 + 0.55 * len(split))
        figure, axes = _start((WIDTH, height), title, top_inches=0.75)
        figure.subplots_adjust(left=0.22, right=0.95, bottom=0.62 / height + 0.1)
        if split.empty:
            _no_data(axes, "No group can be shown.")
            return figure
        y = np.arange(len(split))[::-1].astype(float)
        rate = split["rate_effect"].to_numpy(dtype=float)
        mix = split["mix_effect"].to_numpy(dtype=float)
        axes.barh(
            y + CONTRIBUTION_BAR / 2,
            rate,
            height=CONTRIBUTION_BAR,
            color=COLOURS["council"],
            edgecolor=COLOURS["council"],
            label="Rate effect (groups' own rates)",
        )
        axes.barh(
            y - CONTRIBUTION_BAR / 2,
            mix,
            height=CONTRIBUTION_BAR,
            color="white",
            edgecolor=COLOURS["comparator"],
            hatch="///",
            label="Mix effect (groups' shares)",
        )
        axes.axvline(0, color=COLOURS["mean"], lw=1)
        low, high = _padded([*rate, *mix, 0.0], pad=0.25)
        axes.set_xlim(low, high)
        for offset, values in ((CONTRIBUTION_BAR / 2, rate), (-CONTRIBUTION_BAR / 2, mix)):
            for row, value in zip(y, values, strict=True):
                axes.annotate(
                    f"{'+' if value > 0 else ''}{_number(value, decimals)}",
                    (value, row + offset),
                    xytext=(4 if value >= 0 else -4, 0),
                    textcoords="offset points",
                    ha="left" if value >= 0 else "right",
                    va="center",
                    fontsize=9,
                    color=COLOURS["text"],
                )
        axes.set_yticks(y, [str(g) for g in split["group"]])
        axes.grid(axis="y", visible=False)
        axes.set_xlabel(f"Contribution to the change ({units})")
        figure.legend(
            loc="lower left",
            bbox_to_anchor=(0.08, 0.0),
            ncol=2,
            frameon=False,
            fontsize=9,
        )
    return figure


def contribution_alt_text(
    shown: pd.DataFrame, split: pd.DataFrame, title: str, units: str, decimals: int = 2
) -> str:
    """The message of :func:`contribution_chart`: the change, its rate and mix parts, the
    largest contribution of the groups ``shown``, and how many of ``split``'s are left out.

    >>> contribution_alt_text(shown, split, "Re-referrals", "percentage points")
    ...     # doctest: +SKIP
    'Re-referrals: the overall change was +4.6 percentage points: rate effect +3.1, ...'
    """

    from analysis.decomposition import largest_contribution

    def signed(value: float) -> str:
        return f"{'+' if value > 0 else ''}{_number(value, decimals)}"

    text = (
        f"{title}: the overall change was {signed(split.attrs['change'])} {units}: rate effect "
        f"{signed(split['rate_effect'].sum())} and mix effect {signed(split['mix_effect'].sum())}."
    )
    largest = largest_contribution(shown)
    if largest is not None:
        top, part = largest
        text += (
            f" The largest contribution shown is {top['group']}'s, "
            f"{signed(top['contribution'])} {units}, mostly its {part} effect "
            f"(rate {signed(top['rate_effect'])}, mix {signed(top['mix_effect'])})."
        )
    left_out = len(split) - len(shown)
    if left_out:
        text += f" {left_out} group(s) with small counts are not shown."
    return text
