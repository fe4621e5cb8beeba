"""Trend over time: the Fingertips recent trend, Mann-Kendall with Sen's slope, and the
sustained-deterioration flag that committees ask for (methods.md section 3).

Recent trend (OHID Fingertips "trend markers", as implemented in the Fingertips code base and in
PHEindicatormethods ``assign_trend_markers``): take the 5 most recent points of an unbroken run
of annual values ending at the latest period, with scores t = 1..5.

* Proportions (numerators r_i out of denominators n_i): the chi-squared test for linear trend
  (Armitage 1955; Altman, *Practical statistics for medical research*, 10.7.4). With
  N = sum n_i, R = sum r_i, p = R / N, T1 = sum r_i t_i, T2 = sum n_i t_i, T3 = sum n_i t_i^2::

      chi2 = (T1 - p T2)^2 / (p (1 - p) (T3 - T2^2 / N))
           = N (N T1 - R T2)^2 / (R (N - R) (N T3 - T2^2))      (the form Fingertips codes)

  computed here in the equivalent pairwise form A^2 / B with, over pairs i < j,
  A = sum (r_i n_j - r_j n_i)(t_i - t_j) / N and B = p (1 - p) sum n_i n_j (t_i - t_j)^2 / N,
  which avoids cancellation (Armitage's T1 - p T2 expanded). The direction is the sign of the
  ordinary least-squares slope of the log-odds log(r_i / (n_i - r_i)) on t, as in Fingertips;
  ``slope`` is that slope (log-odds per period).
* Other values (rates, means, ...): inverse-variance weighted regression of the value y_i on t
  with weights w_i = 1 / SE_i^2. With S1 = sum w, St = sum w t, Sy = sum w y, Sty = sum w t y,
  Stt = sum w t^2::

      slope = (S1 Sty - St Sy) / (S1 Stt - St^2),  var(slope) = S1 / (S1 Stt - St^2),
      chi2 = slope^2 / var(slope)

  computed in the pairwise form S1 Sty - St Sy = sum over i < j of w_i w_j (t_i - t_j)(y_i - y_j)
  and S1 Stt - St^2 = sum over i < j of w_i w_j (t_i - t_j)^2, with the weights scaled by their
  largest (which leaves the slope unchanged), so that very unequal weights lose no digits.
  A slope that is zero but for rounding (sum within 1e-12 of the sum of its terms' sizes) is
  taken as exactly 0, so that a leave-one-out slope of zero counts as a change of sign (as
  R's ``sign`` in PHEindicatormethods) whatever the order of summation.

  Standard errors are given (``standard_errors``), or for a rate derived from its count by
  Poisson: var(count) = count, so SE(rate) = rate / sqrt(count) (Fingertips itself uses the width
  of the published 95% interval, (upper - lower) / 3.92, which is close to this for large counts).
* Significant when chi2 > 9.54953570608324 (chi-squared, 1 df, 99.8%) and the slope keeps its
  sign when each of the 5 points in turn is left out; the label combines the direction with the
  indicator's polarity.

>>> trend = recent_trend(
...     [34.05, 33.06, 31.10, 30.01, 26.87],
...     numerators=[22435, 22445, 21365, 20955, 19055],
...     denominators=[65880, 67900, 68705, 69835, 70910],
...     polarity="high", kind="proportion",
...     periods=["2008", "2009", "2010", "2011", "2012"])
>>> trend.label, trend.significant
('decreasing and getting worse', True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import pymannkendall

from analysis.catalogue import POLARITIES

#: Number of most recent points the Fingertips recent trend uses.
POINTS = 5
#: Chi-squared with 1 degree of freedom at 99.8% (Fingertips ``ChiSquareConfidence``).
CHI_SQUARED_998 = 9.54953570608324

KINDS = ("proportion", "rate", "value")

INCREASING_BETTER = "increasing and getting better"
INCREASING_WORSE = "increasing and getting worse"
DECREASING_BETTER = "decreasing and getting better"
DECREASING_WORSE = "decreasing and getting worse"
INCREASING = "increasing"
DECREASING = "decreasing"
NO_SIGNIFICANT_CHANGE = "no significant change"
CANNOT_BE_CALCULATED = "cannot be calculated"
LABELS = (
    INCREASING_BETTER,
    INCREASING_WORSE,
    DECREASING_BETTER,
    DECREASING_WORSE,
    INCREASING,
    DECREASING,
    NO_SIGNIFICANT_CHANGE,
    CANNOT_BE_CALCULATED,
)

PROPORTION_METHOD = "chi-squared test for trend in proportions"
WEIGHTED_METHOD = "inverse-variance weighted regression"

#: A slope whose sum of terms is within this fraction of the sum of their sizes counts as 0.
ZERO_TOLERANCE = 1e-12

_T = np.arange(1.0, POINTS + 1)
# Row 0 keeps every point; row j (1..5) leaves point j out.
_KEEP = 1.0 - np.vstack([np.zeros(POINTS), np.eye(POINTS)])


@dataclass(frozen=True)
class RecentTrend:
    """The Fingertips recent trend of one series.

    ``statistic`` is the chi-squared statistic and ``slope`` the slope that sets the direction
    (log-odds per period for proportions, value units per period otherwise); both are NaN when
    the trend cannot be calculated. ``points_used`` holds the period labels (or positions) of
    the 5 points, oldest first.
    """

    label: str
    direction: str | None
    significant: bool
    statistic: float
    slope: float
    reason: str
    points_used: tuple[Any, ...]
    method: str

    def as_dict(self) -> dict[str, Any]:
        """Plain dictionary, ``points_used`` as a list.

        >>> recent_trend([1.0], kind="value").as_dict()["label"]
        'cannot be calculated'
        """
        out = asdict(self)
        out["points_used"] = list(self.points_used)
        return out


@dataclass(frozen=True)
class Deterioration:
    """Whether an indicator shows a sustained deterioration, by which rule and since when.

    ``rule`` is ``'spc_trend'``, ``'spc_shift'`` or ``'recent_trend'`` (None when not flagged);
    ``since`` is the period label (or position) where the run or trend window began.
    """

    flagged: bool
    rule: str | None
    since: Any
    explanation: str


def _check_choice(value: str, choices: tuple[str, ...], name: str) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _as_floats(values: Any, length: int | None = None, name: str = "values") -> np.ndarray:
    """Numbers as a float array, anything that is not a finite number as NaN."""
    if values is None:
        return np.full(length or 0, np.nan)
    numbers = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce")
    out = numbers.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    out[~np.isfinite(out)] = np.nan
    if length is not None and len(out) != length:
        raise ValueError(f"{name} has {len(out)} entries but values has {length}")
    return out


def _pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays (i, j) of all pairs i < j of k groups."""
    return np.triu_indices(k, 1)


def trend_chi_squared(numerators: Any, denominators: Any, scores: Any = None) -> np.ndarray:
    """Chi-squared test for linear trend in proportions (Armitage 1955), groups on the last axis.

    ``scores`` default to 1, 2, ..., k. Works on one series or on many rows at once.

    >>> round(float(trend_chi_squared([83, 90, 129, 70], [86, 93, 136, 82])), 4)
    8.2249
    """
    r = np.asarray(numerators, dtype="float64")
    n = np.asarray(denominators, dtype="float64")
    t = np.arange(1.0, r.shape[-1] + 1) if scores is None else np.asarray(scores, "float64")
    i, j = _pairs(r.shape[-1])
    dt = t[i] - t[j]
    with np.errstate(all="ignore"):
        total = n.sum(axis=-1)
        p = r.sum(axis=-1) / total
        a = ((r[..., i] * n[..., j] - r[..., j] * n[..., i]) * dt).sum(axis=-1) / total
        b = p * (1.0 - p) * (n[..., i] * n[..., j] * dt**2).sum(axis=-1) / total
        return a**2 / b


def _weighted_slopes(y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least-squares slopes of ``y`` on t = 1..5 for m rows, with every point and with
    each point left out in turn: slopes (m, 6) and sum w (t - tbar)^2 (m, 6); column 0 is the
    fit to all 5 points (its variance is 1 / that sum)."""
    i, j = _pairs(POINTS)
    dt = _T[i] - _T[j]
    largest = w.max(axis=1, keepdims=True)
    wk = (w / largest)[:, None, :] * _KEEP[None]
    ww = wk[..., i] * wk[..., j]
    stt = (ww * dt**2).sum(axis=-1)
    terms = ww * dt * (y[:, None, i] - y[:, None, j])
    sty = terms.sum(axis=-1)
    # a slope that is zero but for rounding is zero, whatever the order of summation
    sty[np.abs(sty) <= ZERO_TOLERANCE * np.abs(terms).sum(axis=-1)] = 0.0
    return sty / stt, stt / wk.sum(axis=-1) * largest


def _first_bad(bad: np.ndarray, labels: np.ndarray, reason: np.ndarray, text: str) -> None:
    """Give rows with a bad point (and no reason yet) ``text`` naming the first such period."""
    rows = np.flatnonzero(bad.any(axis=1) & (reason == ""))
    for row in rows:
        reason[row] = text.format(period=labels[row, int(np.argmax(bad[row]))])


def _assess(
    values: np.ndarray,
    numerators: np.ndarray,
    denominators: np.ndarray,
    standard_errors: np.ndarray,
    proportion: np.ndarray,
    labels: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The Fingertips test for m series of 5 present points (arrays (m, 5), oldest first).

    ``proportion`` (m,) chooses the chi-squared test; other rows use the weighted regression
    with ``standard_errors``. Returns statistic, slope, significant and reason (object array;
    the reason for a row that could not be computed, else the explanation of the result).
    """
    m = len(values)
    reason = np.full(m, "", dtype=object)
    prop = proportion[:, None]
    with np.errstate(all="ignore"):
        _first_bad(
            prop & (np.isnan(numerators) | np.isnan(denominators)),
            labels,
            reason,
            "the figure for {period} is published without the counts it is made from, which "
            "the test for a percentage needs",
        )
        _first_bad(
            prop & ((denominators <= 0) | (numerators < 0) | (numerators > denominators)),
            labels,
            reason,
            "the numerator for {period} is negative or above its denominator",
        )
        _first_bad(
            prop & ((numerators == 0) | (numerators == denominators)),
            labels,
            reason,
            "the proportion for {period} is 0% or 100%, which has no log-odds to set the direction",
        )
        _first_bad(
            ~prop & np.isnan(standard_errors),
            labels,
            reason,
            "the figure for {period} is published without a count or a standard error, one "
            "of which the test needs",
        )
        weights = 1.0 / standard_errors**2
        _first_bad(
            ~prop
            & ~np.isnan(standard_errors)
            & ~((standard_errors > 0) & (weights > 0) & np.isfinite(weights)),
            labels,
            reason,
            "the standard error for {period} is zero, negative or out of range",
        )
        ok = reason == ""
        log_odds = np.log(numerators / (denominators - numerators))
        y = np.where(prop, log_odds, values)
        w = np.where(prop, 1.0, weights)
        y[~ok] = 0.0
        w[~ok] = 1.0
        slopes, stt = _weighted_slopes(y, w)
        safe = ~ok[:, None] | ~prop
        chi_proportion = trend_chi_squared(
            np.where(safe, 0.5, numerators), np.where(safe, 1.0, denominators)
        )
        statistic = np.where(proportion, chi_proportion, slopes[:, 0] ** 2 * stt[:, 0])
        slope = slopes[:, 0]
    extreme = ok & ~(np.isfinite(statistic) & np.isfinite(slopes).all(axis=1))
    reason[extreme] = "the numbers are too extreme to compute a trend"
    ok &= ~extreme
    statistic = np.where(ok, statistic, np.nan)
    slope = np.where(ok, slope, np.nan)
    flips = np.sign(slopes[:, 1:]) != np.sign(slope)[:, None]
    keeps_sign = ok & (slope != 0) & ~flips.any(axis=1)
    above = ok & (statistic > CHI_SQUARED_998)
    significant = above & keeps_sign
    for row in np.flatnonzero(ok):
        shown = f"chi-squared {statistic[row]:.2f}"
        if significant[row]:
            reason[row] = (
                f"{shown} > {CHI_SQUARED_998:.2f} (99.8%) and the slope keeps its sign with "
                "each point left out"
            )
        elif above[row] and slope[row] == 0:
            reason[row] = f"{shown} > {CHI_SQUARED_998:.2f} but the slope is zero: no direction"
        elif above[row]:
            left_out = labels[row, int(np.argmax(flips[row]))]
            reason[row] = (
                f"{shown} > {CHI_SQUARED_998:.2f} but the slope changes sign when {left_out} "
                "is left out"
            )
        else:
            reason[row] = f"{shown} is not above {CHI_SQUARED_998:.2f} (99.8%)"
    return statistic, slope, significant, reason


def _labels(
    significant: np.ndarray, slope: np.ndarray, computed: np.ndarray, polarity: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Label and direction per row from significance, slope sign and polarity."""
    up = slope > 0
    direction = np.where(significant, np.where(up, INCREASING, DECREASING), None)
    better = (up & (polarity == "high")) | (~up & (polarity == "low"))
    judged = np.where(
        better,
        np.where(up, INCREASING_BETTER, DECREASING_BETTER),
        np.where(up, INCREASING_WORSE, DECREASING_WORSE),
    )
    plain = np.where(up, INCREASING, DECREASING)
    label = np.select(
        [~computed, ~significant, polarity == "neutral"],
        [CANNOT_BE_CALCULATED, NO_SIGNIFICANT_CHANGE, plain],
        judged,
    ).astype(object)
    return label, direction


def _short_run_reason(run: int, available: int, latest: Any, breaking: Any, status: Any) -> str:
    """Why fewer than 5 consecutive points end at the latest period."""
    symbol = f" ({status})" if isinstance(status, str) and status else ""
    if available == 0:
        return "no values"
    if run == 0:
        return f"no value for the latest period, {latest}{symbol}"
    if run == available:
        periods = "period" if run == 1 else "periods"
        return f"only {run} {periods} of data; the recent trend needs {POINTS} in a row"
    values = "value" if run == 1 else "consecutive values"
    return (
        f"only {run} {values} up to {latest}: {breaking} is missing or "
        f"suppressed{symbol}; the recent trend needs {POINTS} in a row"
    )


def _method(kind: str) -> str:
    return PROPORTION_METHOD if kind == "proportion" else WEIGHTED_METHOD


def _standard_errors(
    kind: np.ndarray, values: np.ndarray, numerators: np.ndarray, standard_errors: np.ndarray
) -> np.ndarray:
    """Given standard errors, else for rates the Poisson one from the count: rate / sqrt(count)."""
    with np.errstate(all="ignore"):
        poisson = np.where(numerators > 0, values / np.sqrt(numerators), np.nan)
    rate = (np.asarray(kind) == "rate")[:, None]
    return np.where(np.isnan(standard_errors) & rate, poisson, standard_errors)


def recent_trend(
    values: Sequence[float] | np.ndarray | pd.Series,
    numerators: Sequence[float] | np.ndarray | pd.Series | None = None,
    denominators: Sequence[float] | np.ndarray | pd.Series | None = None,
    polarity: str = "high",
    kind: str = "proportion",
    periods: Sequence[Any] | None = None,
    standard_errors: Sequence[float] | np.ndarray | pd.Series | None = None,
) -> RecentTrend:
    """Fingertips recent trend of one annual series given oldest first (see the module notes).

    A missing or suppressed value (NaN, None, text) breaks the run; the last 5 values must all
    be present. ``kind='proportion'`` needs numerators and denominators; ``'rate'`` needs
    standard errors or counts (``numerators``; a given standard error is used before the
    Poisson one); ``'value'`` needs standard errors. Anything missing gives "cannot be
    calculated" with the reason. Raises ``ValueError`` only for an unknown ``polarity`` or
    ``kind`` or inputs of different lengths.

    >>> recent_trend([5.0, 4.0, 3.0, 2.0, 1.0], polarity="low", kind="value",
    ...              standard_errors=[0.1] * 5).label
    'decreasing and getting better'
    >>> recent_trend([1.0, None, 3.0, 4.0, 5.0, 6.0], kind="value").reason.split(";")[0]
    'only 4 consecutive values up to 5: 1 is missing or suppressed'
    """
    _check_choice(polarity, POLARITIES, "polarity")
    _check_choice(kind, KINDS, "kind")
    y = _as_floats(values)
    count = len(y)
    num = _as_floats(numerators, count, "numerators")
    den = _as_floats(denominators, count, "denominators")
    se = _as_floats(standard_errors, count, "standard_errors")
    labels = list(range(count)) if periods is None else list(periods)
    if len(labels) != count:
        raise ValueError(f"periods has {len(labels)} entries but values has {count}")
    present = ~np.isnan(y)
    run = count - int(np.flatnonzero(~present)[-1]) - 1 if (~present).any() else count
    if run < POINTS:
        breaking = labels[count - run - 1] if count else None
        reason = _short_run_reason(run, count, labels[-1] if count else None, breaking, None)
        return RecentTrend(
            CANNOT_BE_CALCULATED, None, False, np.nan, np.nan, reason, (), _method(kind)
        )
    window = slice(count - POINTS, count)
    window_labels = np.empty((1, POINTS), dtype=object)
    for position, label in enumerate(labels[window]):
        window_labels[0, position] = label
    kinds = np.array([kind])
    se_window = _standard_errors(kinds, y[None, window], num[None, window], se[None, window])
    statistic, slope, significant, reason = _assess(
        y[None, window],
        num[None, window],
        den[None, window],
        se_window,
        kinds == "proportion",
        window_labels,
    )
    computed = ~np.isnan(statistic)
    label, direction = _labels(significant, slope, computed, np.array([polarity]))
    return RecentTrend(
        label=str(label[0]),
        direction=direction[0],
        significant=bool(significant[0]),
        statistic=float(statistic[0]),
        slope=float(slope[0]),
        reason=str(reason[0]),
        points_used=tuple(labels[window]) if computed[0] else (),
        method=_method(kind),
    )


def recent_trend_table(
    table: pd.DataFrame,
    polarity_by_indicator: Mapping[str, str],
    kind_by_indicator: Mapping[str, str],
) -> pd.DataFrame:
    """Recent trend of every indicator x area x breakdown series of a tidy table at once.

    Each indicator's periods (all areas together) form its timeline; a period an area lacks, or
    a suppressed value, breaks that area's run, and so do periods that are not consecutive years.
    Monthly, quarterly and multi-year (rolling) periods are not tested, as in Fingertips.
    Rates use the Poisson standard error from ``numerator`` (the count); the tidy table has no
    standard errors, so ``'value'`` indicators cannot be calculated. An indicator without a kind
    cannot be calculated; one without a polarity is labelled as neutral, and the reason says so.

    Returns one row per series: ``indicator``, ``area_code``, ``breakdown``, ``label``,
    ``direction``, ``significant``, ``statistic``, ``slope``, ``reason``, ``from_period``,
    ``to_period`` and ``method``.

    >>> import analysis.tidy as tidy
    >>> table = tidy.conform(pd.DataFrame({
    ...     "indicator": "x", "area_code": "E1", "period": ["2021", "2022", "2023", "2024", "2025"],
    ...     "period_start": pd.to_datetime(["2021-03-31", "2022-03-31", "2023-03-31",
    ...                                     "2024-03-31", "2025-03-31"]),
    ...     "period_type": "snapshot 31 March", "value": [50.0, 40.0, 30.0, 20.0, 10.0],
    ...     "numerator": [500.0, 400.0, 300.0, 200.0, 100.0], "denominator": 1000.0}))
    >>> recent_trend_table(table, {"x": "low"}, {"x": "proportion"})["label"].tolist()
    ['decreasing and getting better']
    """
    for name, mapping, choices in (
        ("polarity", polarity_by_indicator, POLARITIES),
        ("kind", kind_by_indicator, KINDS),
    ):
        for indicator, choice in mapping.items():
            _check_choice(choice, choices, f"{name} of {indicator!r}")
    keys = ["indicator", "area_code", "breakdown"]
    columns = ["period", "period_start", "period_type", "value", "numerator", "denominator"]
    rows = table[[*keys, *columns, "status"]].copy()
    rows["indicator"] = rows["indicator"].astype("string")
    grouped = rows.groupby(keys, sort=True, dropna=False)
    series_id = grouped.ngroup().to_numpy()
    series = grouped.size().reset_index()[keys]
    n_series = len(series)
    indicator_of = series["indicator"].to_numpy(dtype=object)

    # Each indicator's timeline: its distinct period starts, latest first (back = 0).
    timeline = (
        rows[["indicator", "period_start", "period", "period_type"]]
        .drop_duplicates(["indicator", "period_start"])
        .sort_values(["indicator", "period_start"], ascending=[True, False])
        .reset_index(drop=True)
    )
    timeline["back"] = timeline.groupby("indicator").cumcount()
    months = timeline["period_start"].dt.year * 12 + timeline["period_start"].dt.month
    # True where a period starts 12 months after the next older one of its indicator
    timeline["joined"] = (months - months.groupby(timeline["indicator"]).shift(-1)) == 12
    recent = timeline[timeline["back"] < POINTS]

    def by_series(column: str) -> np.ndarray:
        """(series, 5) array of an indicator-level timeline column, oldest first."""
        wide = recent.pivot(index="indicator", columns="back", values=column)
        return wide.reindex(index=indicator_of, columns=range(POINTS)).to_numpy(object)[:, ::-1]

    labels = by_series("period")
    joined = by_series("joined") == True  # noqa: E712 (missing slots are NaN, not False)
    types = recent.groupby("indicator")["period_type"].agg(lambda s: frozenset(s.dropna()))
    types_of = types.reindex(indicator_of).to_numpy(dtype=object)
    available = timeline.groupby("indicator").size().reindex(indicator_of).to_numpy()

    back = rows.merge(timeline[["indicator", "period_start", "back"]], how="left")["back"]
    in_window = (back < POINTS).to_numpy()
    sid = series_id[in_window]
    col = POINTS - 1 - back.to_numpy()[in_window].astype(int)
    grid = {}
    for name in ("value", "numerator", "denominator"):
        grid[name] = np.full((n_series, POINTS), np.nan)
        grid[name][sid, col] = rows[name].to_numpy("float64", na_value=np.nan)[in_window]
    status = np.full((n_series, POINTS), None, dtype=object)
    status[sid, col] = rows["status"].to_numpy(dtype=object, na_value=None)[in_window]
    duplicated = np.zeros(n_series, dtype=bool)
    duplicated[sid[pd.DataFrame({"s": sid, "c": col}).duplicated().to_numpy()]] = True

    kind = pd.Series(indicator_of).map(dict(kind_by_indicator)).to_numpy(dtype=object)
    polarity_given = pd.Series(indicator_of).map(dict(polarity_by_indicator))
    polarity = polarity_given.fillna("neutral").to_numpy(dtype=object)

    values = grid["value"]
    present = ~np.isnan(values)
    # consecutive present values ending at the latest period, over consecutive years only
    run = np.zeros(n_series, dtype=int)
    alive = np.ones(n_series, dtype=bool)
    for column in range(POINTS - 1, -1, -1):
        alive &= present[:, column] & (column == POINTS - 1 or joined[:, column + 1])
        run += alive

    reason = np.select(
        [
            pd.isna(kind),
            np.array([bool(t & {"month", "quarter"}) for t in types_of], dtype=bool),
            np.array(["multi-year" in t for t in types_of], dtype=bool),
            duplicated,
        ],
        [
            "no kind (proportion, rate or value) given for this indicator",
            "monthly or quarterly data: the recent trend is for annual data (use SPC)",
            "rolling or multi-year periods are not independent, so not tested",
            "more than one row for the same period",
        ],
        "",
    ).astype(object)
    for row in np.flatnonzero((reason == "") & (run < POINTS)):
        stop = POINTS - 1 - run[row]  # the column that ends the run
        if present[row, stop]:
            reason[row] = (
                f"{labels[row, stop]} and {labels[row, stop + 1]} are not consecutive years, "
                "so the series is broken"
            )
        else:
            reason[row] = _short_run_reason(
                run[row], int(available[row]), labels[row, -1], labels[row, stop], status[row, stop]
            )

    computable = reason == ""
    kind_used = np.where(pd.isna(kind), "value", kind).astype(str)
    statistic = np.full(n_series, np.nan)
    slope = np.full(n_series, np.nan)
    significant = np.zeros(n_series, dtype=bool)
    idx = np.flatnonzero(computable)
    if len(idx):
        se = _standard_errors(
            kind_used[idx], values[idx], grid["numerator"][idx], np.full((len(idx), POINTS), np.nan)
        )
        statistic[idx], slope[idx], significant[idx], reason[idx] = _assess(
            values[idx],
            grid["numerator"][idx],
            grid["denominator"][idx],
            se,
            kind_used[idx] == "proportion",
            labels[idx],
        )
    computed = ~np.isnan(statistic)
    label, direction = _labels(significant, slope, computed, polarity)
    no_polarity = computed & polarity_given.isna().to_numpy()
    reason[no_polarity] = reason[no_polarity] + "; no polarity given, so no better or worse"
    return pd.DataFrame(
        {
            "indicator": series["indicator"],
            "area_code": series["area_code"],
            "breakdown": series["breakdown"],
            "label": label,
            "direction": direction,
            "significant": significant,
            "statistic": statistic,
            "slope": slope,
            "reason": reason,
            "from_period": np.where(computed, labels[:, 0], None),
            "to_period": np.where(computed, labels[:, -1], None),
            "method": np.where(
                pd.isna(kind),
                None,
                np.where(kind_used == "proportion", PROPORTION_METHOD, WEIGHTED_METHOD),
            ),
        }
    )


def mann_kendall(
    values: Sequence[float] | np.ndarray | pd.Series,
    periods: Sequence[Any] | None = None,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Mann-Kendall test with Sen's slope (pymannkendall ``original_test``), for any series.

    ``values`` are in time order, one per period; a missing value leaves a gap, so the slope
    stays per period. Returns ``trend`` ('increasing', 'decreasing', 'no trend' or None),
    ``p_value``, ``tau``, ``s`` (the Mann-Kendall score), ``slope`` (Sen's, per period),
    ``intercept`` (the line's value at ``first_period``), ``n`` (non-missing points),
    ``first_period`` and ``last_period`` (of the non-missing values) and ``reason`` (None when
    the test ran). Fewer than 4 points, or all values equal, give a reason instead of a test.

    >>> result = mann_kendall([1.0, 3.0, 2.0, 5.0, 4.0])
    >>> result["s"], result["slope"], result["trend"]
    (6.0, 0.875, 'no trend')
    """
    y = _as_floats(values)
    labels = list(range(len(y))) if periods is None else list(periods)
    if len(labels) != len(y):
        raise ValueError(f"periods has {len(labels)} entries but values has {len(y)}")
    where = np.flatnonzero(~np.isnan(y))
    result: dict[str, Any] = {
        "trend": None,
        "p_value": np.nan,
        "tau": np.nan,
        "s": np.nan,
        "slope": np.nan,
        "intercept": np.nan,
        "n": len(where),
        "first_period": labels[where[0]] if len(where) else None,
        "last_period": labels[where[-1]] if len(where) else None,
        "reason": None,
    }
    if len(where) < 4:
        result["reason"] = f"only {len(where)} values; Mann-Kendall needs at least 4"
        return result
    observed = y[where[0] : where[-1] + 1]
    if np.all(y[where] == y[where[0]]):
        result.update(trend="no trend", tau=0.0, s=0.0, slope=0.0, intercept=float(y[where[0]]))
        result["reason"] = "all values are equal, so there is no trend to test"
        return result
    test = pymannkendall.original_test(observed, alpha=alpha)
    result.update(
        trend=test.trend,
        p_value=float(test.p),
        tau=float(test.Tau),
        s=float(test.s),
        slope=float(test.slope),
        intercept=float(test.intercept),
    )
    return result


def _concern_run(rules: list[str], end: int, run_length: int = 7) -> tuple[int, str | None]:
    """Start of the run of consecutive special cause concern points ending at ``end``, and the
    most recent trend or shift label in it (None if the run has neither).

    A run of ``run_length`` or more concern points is a shift even when every point is
    labelled by a higher-priority rule (a step change far outside the limits labels each point
    ``outside_limits``, yet its points are a run on one side of the average)."""
    start = end
    while start > 0 and rules[start - 1]:
        start -= 1
    found = [rule for rule in rules[start : end + 1] if rule in ("trend", "shift")]
    if found:
        return start, found[-1]
    return start, "shift" if end - start + 1 >= run_length else None


def sustained_deterioration(
    spc_chart: pd.DataFrame | None,
    recent: RecentTrend | None,
    periods: Sequence[Any] | None = None,
    latest_n: int = 1,
) -> Deterioration:
    """Flag a sustained deterioration (methods.md section 3).

    Flagged when one of the latest ``latest_n`` points of ``spc_chart`` (the frame of
    ``analysis.spc.xmr``: ``value``, ``special_cause``, ``point_type``, optional ``period``) is
    special cause concern within a run of consecutive concern points that the trend or shift
    rule detected, or when ``recent`` is a significant recent trend in the worse direction.
    Each point carries only its highest-priority rule, so a point of a worsening shift may read
    ``outside_limits``: the run is every consecutive point of concern, whatever its label, and
    "since" is its first point (its ``periods`` label, else its ``period``, else its position).
    Points without a value are skipped. For a recent trend "since" is the first of its 5
    periods. The SPC rules are checked before the recent trend.

    >>> chart = pd.DataFrame({"value": [1.0, 2.0, 3.0],
    ...                       "special_cause": ["", "outside_limits", "shift"],
    ...                       "point_type": ["common_cause"] + ["special_cause_concern"] * 2})
    >>> sustained_deterioration(chart, None).since
    1
    """
    if latest_n < 1:
        raise ValueError(f"latest_n must be at least 1; got {latest_n}")
    notes: list[str] = []
    if spc_chart is not None and len(spc_chart):
        if periods is not None and len(periods) != len(spc_chart):
            raise ValueError(f"periods has {len(periods)} entries but the chart {len(spc_chart)}")
        labels = (
            list(periods)
            if periods is not None
            else list(spc_chart["period"])
            if "period" in spc_chart
            else list(range(len(spc_chart)))
        )
        has_value = pd.to_numeric(spc_chart["value"], errors="coerce").notna().to_numpy()
        labels = [label for label, keep in zip(labels, has_value, strict=True) if keep]
        concern = (spc_chart["point_type"] == "special_cause_concern").to_numpy()[has_value]
        causes = spc_chart["special_cause"].fillna("").astype(str).to_numpy()[has_value]
        # the rule of each point of concern ('' for any other point)
        rules = [
            (cause or "concern") if worse else ""
            for cause, worse in zip(causes, concern, strict=True)
        ]
        for end in range(len(rules) - 1, max(len(rules) - latest_n, 0) - 1, -1):
            if not rules[end]:
                continue
            start, rule = _concern_run(rules, end)
            if rule is None:
                continue
            what = (
                "moving in the worse direction (SPC trend rule)"
                if rule == "trend"
                else "on the worse side of the average (SPC shift rule)"
            )
            also = (
                f" The annual recent trend is also {recent.label}." if _recent_worse(recent) else ""
            )
            return Deterioration(
                True,
                f"spc_{rule}",
                labels[start],
                f"Sustained deterioration: {end - start + 1} points in a row of special cause "
                f"concern, from {labels[start]} to {labels[end]}, {what}.{also}",
            )
        if rules and rules[-1]:
            notes.append(
                f"the latest point ({labels[-1]}) is special cause concern "
                f"({rules[-1].replace('_', ' ')}), a warning but not a sustained run"
            )
        elif rules:
            notes.append("the latest SPC points show no run of concern")
        else:
            notes.append("the SPC chart has no values")
    else:
        notes.append("no SPC chart")
    if _recent_worse(recent):
        since = recent.points_used[0]
        return Deterioration(
            True,
            "recent_trend",
            since,
            f"Sustained deterioration: the recent trend from {since} to "
            f"{recent.points_used[-1]} is {recent.label} ({recent.reason}).",
        )
    if recent is None:
        notes.append("no recent trend")
    else:
        notes.append(f"the recent trend is {recent.label}")
    return Deterioration(False, None, None, "No sustained deterioration: " + "; ".join(notes) + ".")


def _recent_worse(recent: RecentTrend | None) -> bool:
    return bool(recent is not None and recent.significant and recent.label.endswith("worse"))
