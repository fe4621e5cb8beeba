"""Statistical process control: the Making Data Count XmR chart, per series and rebase group.

Follows NHS England "Making Data Count" as implemented by the R package NHSRplotthedots
(nhs-r-community/NHSRplotthedots, 2025: ``R/ptd_spc_standard.R``,
``R/ptd_calculate_point_type.R``, ``R/ptd_calculate_assurance_type.R``,
``R/ptd_add_short_group_warnings.R``), with the choices of ``docs/methods.md`` section 1 where
the two differ.

How the chart is computed, per series and per rebase group ("group"):

- Baseline: every value of the group, or its first ``fix_after_n_points`` values (at least 12).
- Centre line: the mean of the baseline. Moving ranges ``MR_i = |y_i - y_(i-1)|`` between
  consecutive values of the group (the first value of a group has none).
- Screening (default on): a baseline moving range is kept only if it is strictly below
  3.267 x the mean moving range; the mean moving range is then recomputed from those kept.
- Process limits: mean +/- 2.66 x mean MR; near limits: mean +/- (2 x 2.66 / 3) x mean MR.
  Comparisons are strict: a point on a limit is not beyond it.
- Groups with fewer than 13 values have trial limits (``trial_limits`` is True). A group
  whose moving ranges are all zero (a constant series) has no limits: they are NaN and
  ``limits_note`` says why; the trend and shift rules still apply, the limit rules cannot.

Special cause rules, all inside one group (runs never cross a rebase), labelled in this order
of priority:

1. ``outside_limits``: a value above the upper or below the lower process limit.
2. ``trend``: ``trend_length`` (7) values each strictly higher (or each strictly lower) than
   the one before, that is 6 consecutive increases; a tie breaks the run. NHSRplotthedots
   counts the same: ``ptd_seven_point_trend`` asks that all 6 differences over the latest 7
   points have the same sign. Every value of the run is flagged.
3. ``two_in_three``: two of three consecutive values beyond the near limits but inside the
   process limits, all three values on the same side of the mean; only the values beyond the
   near limits are flagged. With ``two_in_three_includes_outside`` values outside the process
   limits count too (the Making Data Count tools since November 2023).
4. ``shift``: ``run_length`` (7) consecutive values on the same side of the mean; a value
   exactly on the mean breaks the run. Every value of the run is flagged.

Improvement or concern: above the mean / an increasing trend counts +1, below / decreasing -1,
times the improvement direction (+1 ``increase``, -1 ``decrease``); ``neutral`` series get
``special_cause_neutral_high`` / ``_low``. With ``conflict="improvement_wins"``, a value
flagged by several rules that disagree in direction takes the highest-priority rule that
signals improvement (the default ``"priority"`` takes the highest-priority rule).

Where this module deliberately differs from NHSRplotthedots:

- Missing values keep their row but are skipped: the moving range of a value is taken from
  the previous value that exists, and rules run over the values that exist. The baseline
  window, the 13-point trial threshold and run lengths count values, not rows.
- A point at the turn between an increasing and a decreasing trend takes the direction of
  the later trend, as NHSRplotthedots does; a point in only one trend always takes that
  trend's direction (NHSRplotthedots can give it the direction of the step after the trend).
- A group with zero mean moving range has no limits even when screening is off
  (NHSRplotthedots would draw zero-width limits and flag every other value).
- Rebase dates that match no period are reported in ``chart.attrs["notes"]`` rather than
  silently ignored.

>>> chart = xmr([1, 3, 2, 4, 3, 5, 4, 6, 5, 7, 6, 20], improvement="increase")
>>> chart["special_cause"].iloc[-1], chart["point_type"].iloc[-1]
('outside_limits', 'special_cause_improvement')
>>> summarise(chart, "increase", target=30)["assurance_icon"]
'consistently_failing'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

#: Improvement direction -> sign (+1 higher is better, -1 lower is better, 0 neutral).
IMPROVEMENT: dict[str, int] = {"increase": 1, "decrease": -1, "neutral": 0}
#: Catalogue polarity -> improvement direction.
POLARITY: dict[str, str] = {"high": "increase", "low": "decrease", "neutral": "neutral"}

LIMIT_FACTOR = 2.66
NEAR_LIMIT_FACTOR = 2 * LIMIT_FACTOR / 3
SCREENING_FACTOR = 3.267
TRIAL_LIMITS_BELOW = 13
MINIMUM_FIX_AFTER = 12

#: Special cause labels by code; the order of codes 1-4 is the label priority.
RULES = ("", "outside_limits", "trend", "two_in_three", "shift")
POINT_TYPES = (
    "no_value",
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
LIMITS_NOTES = (
    "",
    "no values in this group",
    "one value only: no moving range, so no limits",
    "no variation: every moving range is zero, so no limits",
    "no variation once moving ranges of 3.267 x their mean or more are screened out, so no limits",
    "values too large to compute limits",
)
SERIES_KEYS = ["indicator", "area_code", "breakdown"]


@dataclass(frozen=True)
class SpcOptions:
    """The options of the XmR chart and its rules, with the defaults of ``methods.md``.

    >>> SpcOptions(run_length=6, trend_length=6).run_length
    6
    """

    screen_outliers: bool = True
    fix_after_n_points: int | None = None
    run_length: int = 7
    trend_length: int = 7
    two_in_three_includes_outside: bool = False
    conflict: Literal["priority", "improvement_wins"] = "priority"

    def __post_init__(self) -> None:
        if self.fix_after_n_points is not None and self.fix_after_n_points < MINIMUM_FIX_AFTER:
            raise ValueError(f"fix_after_n_points must be at least {MINIMUM_FIX_AFTER}")
        if self.run_length < 2 or self.trend_length < 2:
            raise ValueError("run_length and trend_length must be at least 2")
        if self.conflict not in ("priority", "improvement_wins"):
            raise ValueError("conflict must be 'priority' or 'improvement_wins'")


def improvement_sign(improvement: str) -> int:
    """+1, -1 or 0 for an improvement direction or a catalogue polarity.

    >>> improvement_sign("decrease"), improvement_sign("high")
    (-1, 1)
    """
    direction = POLARITY.get(improvement, improvement)
    if direction not in IMPROVEMENT:
        raise ValueError(f"unknown improvement direction {improvement!r}")
    return IMPROVEMENT[direction]


# ---------------------------------------------------------------------------------------------
# The vectorised core: many series and groups at once, as flat arrays.


def _runs(key: np.ndarray, breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Length and first index of the run of equal ``key`` that each element belongs to.

    A run also ends where ``breaks`` is True (the first value of a group).
    """
    if key.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = breaks | np.r_[True, key[1:] != key[:-1]]
    run_id = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    length = np.diff(np.r_[first, key.size])
    return length[run_id], first[run_id]


def _position(starts: np.ndarray) -> np.ndarray:
    """0-based position of each row in its series, from the series' first rows."""
    if starts.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.arange(starts.size) - np.flatnonzero(starts)[np.cumsum(starts) - 1]


def _group_mean(weights: np.ndarray, mask: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    """Mean of ``weights`` where ``mask`` per group (NaN for a group with nothing in mask)."""
    total = np.bincount(group, weights=np.where(mask, weights, 0.0), minlength=n)
    count = np.bincount(group, weights=mask.astype(float), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def _limits(y, group, first, n_groups, options):
    """Mean, mean moving range, moving ranges, kept mask and limits note code per group."""
    position = _position(first)
    fix = options.fix_after_n_points
    baseline = position < fix if fix is not None else np.ones(y.size, dtype=bool)
    mean = _group_mean(y, baseline, group, n_groups)
    with np.errstate(over="ignore", invalid="ignore"):
        moving_range = np.abs(np.diff(y, prepend=np.nan))
    moving_range[first] = np.nan
    in_window = baseline & ~first
    mean_range = _group_mean(moving_range, in_window, group, n_groups)
    kept = in_window
    if options.screen_outliers:
        with np.errstate(invalid="ignore", over="ignore"):
            kept = in_window & (moving_range < SCREENING_FACTOR * mean_range[group])
        screened = _group_mean(moving_range, kept, group, n_groups)
    else:
        screened = mean_range
    n_values = np.bincount(group, minlength=n_groups)
    with np.errstate(over="ignore", invalid="ignore"):
        too_large = ~np.isfinite(np.abs(mean) + LIMIT_FACTOR * mean_range)
    note = np.select(
        [
            n_values == 0,
            n_values == 1,
            too_large,
            mean_range == 0,
            ~(screened > 0),
        ],
        [1, 2, 5, 3, 4],
        0,
    )
    return mean, np.where(note == 0, screened, np.nan), moving_range, kept, note, n_values


def _trend(y, first, trend_length):
    """Whether each value is part of a trend, the trend's direction and its first value."""
    if y.size == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    with np.errstate(invalid="ignore", over="ignore"):
        step = np.sign(np.diff(y, prepend=np.nan))
    step[first] = 0
    length, start = _runs(step, first)
    in_run = (step != 0) & (length >= trend_length - 1)
    # step i joins value i-1 to value i; value i is in a trend if step i or step i+1 is.
    later = np.r_[in_run[1:], False]
    fired = in_run | later
    direction = np.where(later, np.r_[step[1:], 0], np.where(in_run, step, 0))
    run_start = np.where(later, np.r_[start[1:], 0], start) - 1
    return fired, direction.astype(np.int64), run_start


def _two_in_three(close, side, first):
    """Values beyond the near limits in a 2-of-3 window on one side, and the window's start."""
    n = close.size
    if n < 3:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)
    j = np.arange(n - 2)
    count = close[:-2].astype(np.int64) + close[1:-1] + close[2:]
    one_side = (side[:-2] != 0) & (side[:-2] == side[1:-1]) & (side[1:-1] == side[2:])
    window = ~first[1:-1] & ~first[2:] & one_side & (count >= 2)
    window_start = np.where(close[:-2], j, np.where(close[1:-1], j + 1, j + 2))
    never = np.iinfo(np.int64).max
    starts = []
    fired = np.zeros(n, dtype=bool)
    for lag in (0, 1, 2):  # value i lies in the windows starting at i, i-1 and i-2
        hit = np.r_[np.zeros(lag, dtype=bool), window, np.zeros(2 - lag, dtype=bool)]
        begin = np.r_[np.zeros(lag, dtype=np.int64), window_start, np.zeros(2 - lag, np.int64)]
        fired |= hit
        starts.append(np.where(hit, begin, never))
    return close & fired, np.minimum.reduce(starts)


def _label(rules, improvement, conflict):
    """Rule code and direction per value from the rules' (fired, direction) in priority."""
    fired = [f for f, _ in rules]
    directions = [d for _, d in rules]
    codes = list(range(1, len(rules) + 1))
    conditions, choices, signs = list(fired), list(codes), list(directions)
    if conflict == "improvement_wins":
        good = [f & (d * improvement > 0) for f, d in rules]
        conditions, choices, signs = good + conditions, codes + choices, directions + signs
    code = np.select(conditions, choices, 0)
    sign = np.select(conditions, signs, 0)
    return code, sign


def _point_type(code, sign, improvement):
    """Index into :data:`POINT_TYPES` for each observed value."""
    oriented = sign * improvement
    return np.select(
        [
            code == 0,
            (improvement == 0) & (sign > 0),
            improvement == 0,
            oriented > 0,
        ],
        [1, 4, 5, 2],
        3,
    )


def _chart(y, segment, improvement, options):
    """All chart columns for flat arrays of rows (ordered by series then period).

    ``segment`` numbers each row's series-and-rebase group (non-decreasing);
    ``improvement`` is +1/-1/0 per row. Returns a dict of arrays, one value per row;
    ``since`` holds row indices (-1 when the row is not special cause).
    """
    n_groups = int(segment.max()) + 1 if segment.size else 0
    observed = np.isfinite(y)
    rows = np.flatnonzero(observed)
    v, g, imp = y[rows], segment[rows], improvement[rows]
    first = np.r_[True, g[1:] != g[:-1]] if v.size else np.zeros(0, dtype=bool)

    mean, mean_range, moving_range, kept, note, n_values = _limits(v, g, first, n_groups, options)
    upl, lpl = mean + LIMIT_FACTOR * mean_range, mean - LIMIT_FACTOR * mean_range
    near_upl = mean + NEAR_LIMIT_FACTOR * mean_range
    near_lpl = mean - NEAR_LIMIT_FACTOR * mean_range

    with np.errstate(invalid="ignore"):
        side = np.nan_to_num(np.sign(v - mean[g])).astype(np.int64)
        outside = (v > upl[g]) | (v < lpl[g])
        beyond_near = (v > near_upl[g]) | (v < near_lpl[g])
    close = beyond_near if options.two_in_three_includes_outside else beyond_near & ~outside

    _, outside_start = _runs(side * outside, first)
    trend, trend_direction, trend_start = _trend(v, first, options.trend_length)
    two_in_three, two_in_three_start = _two_in_three(close, side, first)
    shift_length, shift_start = _runs(side, first)
    shift = (side != 0) & (shift_length >= options.run_length)

    rules = [(outside, side), (trend, trend_direction), (two_in_three, side), (shift, side)]
    code, sign = _label(rules, imp, options.conflict)
    start = np.select(
        [code == 1, code == 2, code == 3, code == 4],
        [outside_start, trend_start, two_in_three_start, shift_start],
        -1,
    )

    n = y.size
    columns = {
        "mean": mean[segment],
        "lpl": lpl[segment],
        "upl": upl[segment],
        "near_lpl": near_lpl[segment],
        "near_upl": near_upl[segment],
        "moving_range": np.full(n, np.nan),
        "moving_range_kept": np.zeros(n, dtype=bool),
        "special_cause": np.zeros(n, dtype=np.int64),
        "point_type": np.zeros(n, dtype=np.int64),
        "since": np.full(n, -1, dtype=np.int64),
        "trial_limits": n_values[segment] < TRIAL_LIMITS_BELOW,
        "limits_note": note[segment],
    }
    columns["moving_range"][rows] = moving_range
    columns["moving_range_kept"][rows] = kept
    columns["special_cause"][rows] = code
    columns["point_type"][rows] = _point_type(code, sign, imp)
    columns["since"][rows] = np.where(start >= 0, rows[np.maximum(start, 0)], -1)
    return columns


def _frame(keys: dict[str, Any], y, segment, group, improvement, target, options) -> pd.DataFrame:
    """The chart table: ``keys`` columns, then the value and every chart column."""
    columns = _chart(y, segment, improvement, options)
    position = keys["position"]
    since_row = columns.pop("since")
    series_first = np.arange(y.size) - position
    since = np.where(since_row >= 0, since_row - series_first, -1)
    relative = np.select(
        [~np.isfinite(y) | ~np.isfinite(target), y > target, y < target],
        ["", "above", "below"],
        "on_target",
    )
    frame = pd.DataFrame(keys)
    frame["value"] = y
    frame["group"] = group
    for name in ("mean", "lpl", "upl", "near_lpl", "near_upl", "moving_range"):
        frame[name] = columns[name]
    frame["moving_range_kept"] = columns["moving_range_kept"]
    frame["special_cause"] = np.asarray(RULES, dtype=object)[columns["special_cause"]]
    frame["point_type"] = np.asarray(POINT_TYPES, dtype=object)[columns["point_type"]]
    frame["special_cause_since"] = pd.arrays.IntegerArray(np.maximum(since, 0), since < 0)
    frame["trial_limits"] = columns["trial_limits"]
    frame["limits_note"] = np.asarray(LIMITS_NOTES, dtype=object)[columns["limits_note"]]
    frame["improvement"] = np.asarray(["decrease", "neutral", "increase"], dtype=object)[
        improvement + 1
    ]
    frame["target"] = target
    frame["relative_to_target"] = relative
    frame.attrs["options"] = asdict(options)
    return frame


# ---------------------------------------------------------------------------------------------
# One series.


def _as_values(values: Any) -> tuple[np.ndarray, list[str]]:
    """Float array of ``values`` with non-numbers and infinities as NaN, and notes."""
    series = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    y = series.to_numpy(dtype=float, na_value=np.nan)
    notes = []
    if np.isinf(y).any():
        notes.append("infinite values treated as missing")
        y = np.where(np.isinf(y), np.nan, y)
    return y, notes


def _rebase_flags(rebase: Any, n: int, periods: Sequence[Any] | None) -> tuple[np.ndarray, list]:
    """True at each row that starts a new group, and the rebase entries that match no row."""
    flags = np.zeros(n, dtype=bool)
    unmatched = []
    several = isinstance(rebase, list | tuple | set | np.ndarray | pd.Index | pd.Series)
    items = [] if rebase is None else list(rebase) if several else [rebase]
    for item in items:
        rows = [i for i, period in enumerate(periods) if period == item] if periods else []
        if not rows and isinstance(item, int | np.integer) and 0 <= item < n:
            rows = [int(item)]
        if rows:
            flags[rows] = True
        else:
            unmatched.append(item)
    return flags, unmatched


def xmr(
    values: Any,
    improvement: str = "neutral",
    target: float | None = None,
    rebase: Any = None,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    run_length: int = 7,
    trend_length: int = 7,
    two_in_three_includes_outside: bool = False,
    conflict: str = "priority",
    periods: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """The XmR chart of one series, one row per value (in time order).

    ``rebase`` lists the periods (labels from ``periods``, else 0-based positions) that
    start a new group. Missing values (NaN) keep their row. ``improvement`` is
    ``"increase"``, ``"decrease"`` or ``"neutral"`` (catalogue polarities ``high``, ``low``
    are accepted too). Columns: ``position``, ``period`` (if given), ``value``, ``group``,
    ``mean``, ``lpl``, ``upl``, ``near_lpl``, ``near_upl``, ``moving_range``,
    ``moving_range_kept``, ``special_cause`` (rule name or ''), ``point_type``
    (``no_value`` for a missing value), ``special_cause_since`` (position where the run
    behind the label began), ``trial_limits``, ``limits_note``, ``improvement``, ``target``,
    ``relative_to_target``. ``chart.attrs["notes"]`` lists input problems.

    >>> chart = xmr([5, 5, 5], improvement="increase")
    >>> bool(chart["upl"].isna().all()), chart["limits_note"].iloc[0][:12]
    (True, 'no variation')
    """
    options = SpcOptions(
        screen_outliers=screen_outliers,
        fix_after_n_points=fix_after_n_points,
        run_length=run_length,
        trend_length=trend_length,
        two_in_three_includes_outside=two_in_three_includes_outside,
        conflict=conflict,
    )
    sign = improvement_sign(improvement)
    y, notes = _as_values(values)
    n = y.size
    labels = None if periods is None else list(periods)
    if labels is not None and len(labels) != n:
        raise ValueError("periods must have one label per value")
    flags, unmatched = _rebase_flags(rebase, n, labels)
    if unmatched:
        notes.append(f"rebase periods not in the series, ignored: {unmatched}")
    flags[:1] = False
    group = np.cumsum(flags)
    keys: dict[str, Any] = {"position": np.arange(n)}
    if labels is not None:
        keys["period"] = pd.Series(labels, dtype=object)
    target_value = np.nan if target is None else float(target)
    chart = _frame(keys, y, group, group, np.full(n, sign), np.full(n, target_value), options)
    chart.attrs["notes"] = notes + ([] if n else ["no values"])
    return chart


# ---------------------------------------------------------------------------------------------
# Many series of the tidy table at once.


def _series_match(frame: pd.DataFrame, key: Any) -> np.ndarray:
    """Rows of the series named by ``key``: an indicator, (indicator, area_code) or
    (indicator, area_code, breakdown)."""
    parts = key if isinstance(key, tuple) else (key,)
    match = np.ones(len(frame), dtype=bool)
    for column, part in zip(SERIES_KEYS, parts, strict=False):
        match &= (frame[column] == part).to_numpy(dtype=bool, na_value=False)
    return match


def _specificity(item: tuple[Any, Any]) -> int:
    return len(item[0]) if isinstance(item[0], tuple) else 1


def _targets(targets: Mapping[Any, float] | None, frame: pd.DataFrame) -> np.ndarray:
    """Target per row; the most specific key wins."""
    target = np.full(len(frame), np.nan)
    for key, value in sorted((targets or {}).items(), key=_specificity):
        target[_series_match(frame, key)] = np.nan if value is None else float(value)
    return target


def _table_rebase(rebase, frame, position) -> tuple[np.ndarray, list[str]]:
    """True at each row (other than a series' first) that starts a new group, and notes."""
    flags = np.zeros(len(frame), dtype=bool)
    notes = []
    for key, periods in (rebase or {}).items():
        periods = list(periods)
        ends = [p for p in periods if isinstance(p, pd.Timestamp | np.datetime64)]
        is_rebase = frame["period"].isin(periods) | frame["period_end"].isin(ends)
        hit = _series_match(frame, key) & is_rebase.to_numpy(dtype=bool, na_value=False)
        if not hit.any():
            notes.append(f"rebase for {key!r} matched no period: {periods}")
        flags |= hit
    return flags & (position > 0), notes


def xmr_table(
    table: pd.DataFrame,
    improvement_by_indicator: Mapping[str, str],
    targets: Mapping[Any, float] | None = None,
    rebase: Mapping[Any, Sequence[Any]] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """XmR charts of every series (indicator x area_code x breakdown) of a tidy table.

    Rows are ordered by series then ``period_end``. ``improvement_by_indicator`` maps an
    indicator to ``increase`` / ``decrease`` / ``neutral`` (or polarity ``high`` / ``low`` /
    ``neutral``); indicators not in it are neutral. ``targets`` and ``rebase`` are keyed by
    indicator, (indicator, area_code) or (indicator, area_code, breakdown); rebase values
    list the ``period`` labels (or ``period_end`` timestamps) that start a new group.
    ``options`` are the fields of :class:`SpcOptions`. Returns the key columns, ``period``,
    ``period_end`` and the columns of :func:`xmr`. More than one row for a series and
    period (say two revisions) raises ``ValueError``: filter the table first.

    >>> tidy = pd.DataFrame({"indicator": "x", "area_code": "E1", "breakdown": "all",
    ...     "period": ["a", "b", "c"], "period_end": pd.to_datetime(["2024-01-31",
    ...     "2024-02-29", "2024-03-31"]), "value": [1.0, 2.0, 4.0]})
    >>> xmr_table(tidy, {"x": "increase"})["mean"].round(4).tolist()
    [2.3333, 2.3333, 2.3333]
    """
    spc_options = SpcOptions(**options)
    signs = {name: improvement_sign(d) for name, d in improvement_by_indicator.items()}
    columns = SERIES_KEYS + ["period", "period_end", "value"]
    ordered = table[columns]
    series_id = ordered.groupby(SERIES_KEYS, sort=True, dropna=False).ngroup().to_numpy()
    period_end = ordered["period_end"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    order = np.lexsort((period_end, series_id))
    ordered = ordered.iloc[order].reset_index(drop=True)
    series_id, period_end = series_id[order], period_end[order]
    starts = np.r_[True, series_id[1:] != series_id[:-1]][: len(ordered)]
    repeated = ~starts & (np.r_[0, np.diff(period_end)][: len(ordered)] == 0)
    if repeated.any():
        duplicated = ordered.loc[repeated, SERIES_KEYS + ["period"]].drop_duplicates()
        raise ValueError(
            "more than one row per series and period (filter by revision first): "
            f"{duplicated.head(5).to_dict('records')}"
        )
    position = _position(starts)
    rebase_flags, notes = _table_rebase(rebase, ordered, position)
    segment = np.cumsum(starts | rebase_flags) - 1
    group = segment - segment[np.arange(len(ordered)) - position]
    improvement = ordered["indicator"].map(signs).fillna(0).to_numpy(dtype=np.int64)

    keys = {column: ordered[column].to_numpy() for column in SERIES_KEYS + ["period"]}
    keys["period_end"] = ordered["period_end"].to_numpy()
    keys["position"] = position
    y = ordered["value"].to_numpy(dtype=float, na_value=np.nan)
    y = np.where(np.isinf(y), np.nan, y)
    target = _targets(targets, ordered)
    chart = _frame(keys, y, segment, group, improvement, target, spc_options)
    chart.attrs["notes"] = notes
    return chart


# ---------------------------------------------------------------------------------------------
# Summaries: the variation and assurance icons and the latest special cause.

VARIATION_ICONS = {
    ("common_cause", 1): "common_cause",
    ("common_cause", -1): "common_cause",
    ("common_cause", 0): "common_cause",
    ("special_cause_improvement", 1): "improvement_high",
    ("special_cause_improvement", -1): "improvement_low",
    ("special_cause_concern", 1): "concern_low",
    ("special_cause_concern", -1): "concern_high",
    ("special_cause_neutral_high", 0): "neutral_high",
    ("special_cause_neutral_low", 0): "neutral_low",
}


SUMMARY_FIELDS = (
    "n_points",
    "n_values",
    "latest_period",
    "latest_value",
    "group",
    "mean",
    "lpl",
    "upl",
    "trial_limits",
    "variation_icon",
    "assurance_icon",
    "special_cause_rule",
    "special_cause_type",
    "special_cause_period",
    "special_cause_since",
    "reason",
    "assurance_reason",
)


def _last_row(mask: np.ndarray, series_id: np.ndarray, n_series: int) -> np.ndarray:
    """Index of the last row where ``mask`` in each series (-1 when there is none)."""
    last = np.full(n_series, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    if rows.size:
        ends = np.r_[series_id[rows][1:] != series_id[rows][:-1], True]
        last[series_id[rows][ends]] = rows[ends]
    return last


def _assurance(target, lpl, upl, improvement, has_values):
    """Assurance icon and the reason when there is none, per series."""
    fails_above = np.where(improvement > 0, "consistently_failing", "consistently_passing")
    passes_below = np.where(improvement > 0, "consistently_passing", "consistently_failing")
    with np.errstate(invalid="ignore"):
        icon = np.where(
            target > upl, fails_above, np.where(target < lpl, passes_below, "hit_and_miss")
        ).astype(object)
    reason = np.select(
        [~has_values, ~np.isfinite(target), improvement == 0, ~np.isfinite(upl)],
        [
            "no values to chart",
            "no target",
            "neutral indicator: no assurance",
            "no limits for the latest group",
        ],
        "",
    ).astype(object)
    icon[reason != ""] = None
    reason[reason == ""] = None
    return icon, reason


def _summaries(chart: pd.DataFrame, series_id: np.ndarray, n_series: int) -> pd.DataFrame:
    """One summary row per series of a chart table ordered by series then period."""
    observed = chart["value"].notna().to_numpy()
    special = (chart["special_cause"] != "").to_numpy()
    latest = _last_row(observed, series_id, n_series)
    last = _last_row(np.ones(len(chart), dtype=bool), series_id, n_series)
    latest_special = _last_row(special, series_id, n_series)
    has_latest = latest >= 0
    at_latest = np.where(has_latest, latest, 0)

    label = chart["period"].to_numpy(dtype=object) if "period" in chart else None
    label = chart["position"].to_numpy(dtype=object) if label is None else label

    def pick(column: str, rows: np.ndarray, present: np.ndarray) -> np.ndarray:
        values = chart[column].to_numpy(dtype=object)[np.where(present, rows, 0)]
        values[~present] = None
        return values

    improvement = (
        np.asarray([IMPROVEMENT[d] for d in chart["improvement"].to_numpy()[last]], dtype=np.int64)
        if len(chart)
        else np.zeros(0, dtype=np.int64)
    )
    point_type = chart["point_type"].to_numpy(dtype=object)[at_latest]
    variation = np.asarray(
        [VARIATION_ICONS.get((p, i)) for p, i in zip(point_type, improvement, strict=True)],
        dtype=object,
    )
    variation[~has_latest] = None
    lpl = chart["lpl"].to_numpy(dtype=float)[last]
    upl = chart["upl"].to_numpy(dtype=float)[last]
    target = chart["target"].to_numpy(dtype=float)[last]
    assurance, assurance_reason = _assurance(target, lpl, upl, improvement, has_latest)

    has_special = latest_special >= 0
    since_position = pick("special_cause_since", latest_special, has_special)
    series_first = last - chart["position"].to_numpy()[last]
    since_row = (
        np.asarray([-1 if s is None else int(s) for s in since_position], dtype=np.int64)
        + series_first
    )
    note = chart["limits_note"].to_numpy(dtype=object)[last]
    reason = np.where(note == "", None, note).astype(object)
    reason[~has_latest] = "no values to chart"
    columns = {
        "n_points": np.bincount(series_id, minlength=n_series),
        "n_values": np.bincount(series_id, weights=observed, minlength=n_series).astype(int),
        "latest_period": np.where(has_latest, label[at_latest], None),
        "latest_value": np.where(has_latest, chart["value"].to_numpy()[at_latest], np.nan),
        "group": chart["group"].to_numpy()[last],
        "mean": chart["mean"].to_numpy(dtype=float)[last],
        "lpl": lpl,
        "upl": upl,
        "trial_limits": chart["trial_limits"].to_numpy(dtype=bool)[last],
        "variation_icon": variation,
        "assurance_icon": assurance,
        "special_cause_rule": pick("special_cause", latest_special, has_special),
        "special_cause_type": pick("point_type", latest_special, has_special),
        "special_cause_period": np.where(has_special, label[latest_special], None),
        "special_cause_since": np.where(has_special, label[since_row], None),
        "reason": reason,
        "assurance_reason": assurance_reason,
    }
    # object columns stay object, so that "none" is None rather than NaN
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=object) if values.dtype == object else values
            for name, values in columns.items()
        }
    )


def summarise(chart: pd.DataFrame, improvement: str, target: float | None = None) -> dict:
    """Icons and the latest special cause of a chart made by :func:`xmr`.

    Keys: ``n_points``, ``n_values``, ``latest_period`` (label, else position, of the latest
    value that exists), ``latest_value``, ``group``, ``mean``, ``lpl``, ``upl`` (of the latest
    group), ``trial_limits``, ``variation_icon`` (``common_cause``, ``improvement_high`` /
    ``_low``, ``concern_high`` / ``_low``, ``neutral_high`` / ``_low``), ``assurance_icon``
    (``consistently_passing``, ``consistently_failing``, ``hit_and_miss`` or None),
    ``special_cause_rule``, ``special_cause_type``, ``special_cause_period`` (the latest
    special cause value) and ``special_cause_since`` (where its run began: the first value of
    a trend or shift), ``reason`` and ``assurance_reason`` (None when computed). Anything
    that cannot be computed (say the limits of a constant series) is None.

    >>> summarise(xmr([], improvement="increase"), "increase")["reason"]
    'no values to chart'
    """
    sign = improvement_sign(improvement)
    if chart.empty:
        empty = dict.fromkeys(SUMMARY_FIELDS)
        empty.update(n_points=0, n_values=0, reason="no values to chart")
        empty["assurance_reason"] = "no values to chart"
        return empty
    frame = chart.assign(
        improvement=np.asarray(["decrease", "neutral", "increase"])[sign + 1],
        target=np.nan if target is None else float(target),
    )
    row = _summaries(frame, np.zeros(len(frame), dtype=np.int64), 1).iloc[0]
    return {key: _plain(value) for key, value in row.items()}


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value; NaN and NA become None."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def summarise_table(
    table: pd.DataFrame,
    improvement_by_indicator: Mapping[str, str] | None = None,
    targets: Mapping[Any, float] | None = None,
    rebase: Mapping[Any, Sequence[Any]] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """One summary row per series: the output of :func:`xmr_table`, or a tidy table to chart.

    Columns: ``indicator``, ``area_code``, ``breakdown`` and the keys of :func:`summarise`.

    >>> tidy = pd.DataFrame({"indicator": "x", "area_code": "E1", "breakdown": "all",
    ...     "period": ["a", "b", "c"], "period_end": pd.to_datetime(["2024-01-31",
    ...     "2024-02-29", "2024-03-31"]), "value": [1.0, 2.0, 4.0]})
    >>> summarise_table(tidy, {"x": "increase"})["variation_icon"].tolist()
    ['common_cause']
    """
    chart = table
    if "point_type" not in table:
        chart = xmr_table(table, improvement_by_indicator or {}, targets, rebase, **options)
    if chart.empty:
        return pd.DataFrame(columns=SERIES_KEYS + list(SUMMARY_FIELDS))
    starts = np.r_[True, (chart["position"].to_numpy()[1:] == 0)]
    series_id = np.cumsum(starts) - 1
    summary = _summaries(chart, series_id, int(series_id[-1]) + 1)
    keys = chart.loc[starts, SERIES_KEYS].reset_index(drop=True)
    return pd.concat([keys, summary], axis=1)
