"""Suggested rebase dates: changes in the level of a series found by PELT.

Suggestions only. A rebase is a human decision (something changed in the service, and the
change is expected to last); it is recorded in the parameters and passed to
:func:`analysis.spc.xmr` as ``rebase``. This module only points at where the mean of a
series appears to move.

Method (``docs/methods.md`` section 1, change points): PELT (Killick, Fearnhead and Eckley
2012) as implemented by ``ruptures`` with the ``l2`` cost (sum of squared deviations from
each segment's mean), ``jump=1`` (every position is a candidate), ``min_size`` >= 3 values
per segment, and penalty ``sigma^2 x log(n)`` where ``sigma = mean(MR) / 1.128`` is the
XmR estimate of the process standard deviation from the moving ranges ``MR_i = |y_i -
y_(i-1)|`` and ``n`` the number of values. Missing values are skipped; positions refer to
rows of the input.

Known limitation of the reference: ``ruptures`` 1.1.x prunes candidates before a segment of
``min_size`` could start from them, so on rare series its segmentation is not the exact
minimum of the penalised cost (deepcharles/ruptures pull request 383, open; about 1 in 300
simulated monthly series of 36 points here). Suggestions are still only suggestions.

>>> suggestions = suggest_rebases([10, 11, 10, 11, 10, 11, 20, 21, 20, 21, 20, 21])
>>> suggestions[["position", "mean_before", "mean_after"]].to_dict("records")
[{'position': 6, 'mean_before': 10.5, 'mean_after': 20.5}]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import ruptures

#: d2 for subgroups of 2: mean moving range / d2 estimates sigma.
MR_TO_SIGMA = 1.128
MINIMUM_SEGMENT = 3
NOTE = "suggestion only: a rebase is a human decision, recorded in the parameters"
COLUMNS = ["position", "period", "mean_before", "mean_after", "shift", "note"]


def _no_suggestions(reason: str | None, penalty: float, sigma: float) -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS})
    frame.attrs.update(reason=reason, note=NOTE, penalty=penalty, sigma=sigma)
    return frame


def mr_sigma(values: np.ndarray) -> float:
    """Process sigma estimated from the moving ranges: mean |y_i - y_(i-1)| / 1.128.

    >>> round(mr_sigma(np.array([1.0, 3.0, 2.0])), 6)  # (2 + 1) / 2 / 1.128
    1.329787
    """
    if values.size < 2:
        return float("nan")
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(np.abs(np.diff(values))) / MR_TO_SIGMA)


def suggest_rebases(
    values: Any,
    periods: Sequence[Any] | None = None,
    min_size: int = MINIMUM_SEGMENT,
    penalty: float | None = None,
) -> pd.DataFrame:
    """Positions where a new level of ``values`` may start, as rebase suggestions.

    One row per suggestion: ``position`` (row of the first value of the new level),
    ``period`` (its label when ``periods`` is given), ``mean_before`` and ``mean_after``
    (means of the segments either side), ``shift`` (after minus before) and ``note``
    (suggestion only). ``frame.attrs`` holds ``reason`` (why there can be no suggestion, or
    None), ``note``, ``penalty`` and ``sigma``. Degenerate input (fewer than
    ``2 x min_size`` values, constant, all missing) gives no rows and a reason.

    >>> suggest_rebases([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0]).attrs["reason"]
    'constant series: no change in level to find'
    """
    if min_size < MINIMUM_SEGMENT:
        raise ValueError(f"min_size must be at least {MINIMUM_SEGMENT}")
    if penalty is not None and penalty < 0:
        raise ValueError("penalty must not be negative")
    series = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    y = series.to_numpy(dtype=float, na_value=np.nan)
    if periods is not None and len(periods) != y.size:
        raise ValueError("periods must have one label per value")
    rows = np.flatnonzero(np.isfinite(y))
    observed = y[rows]
    sigma = mr_sigma(observed)
    if observed.size < 2 * min_size:
        reason = f"{observed.size} values: at least {2 * min_size} needed (2 x min_size)"
        return _no_suggestions(reason, np.nan, sigma)
    with np.errstate(over="ignore"):
        too_large = not np.isfinite(sigma) or not np.isfinite(np.sum(observed**2) * y.size)
    if too_large:
        return _no_suggestions("values too large to compare", np.nan, sigma)
    if sigma == 0:
        return _no_suggestions("constant series: no change in level to find", np.nan, sigma)
    if penalty is None:
        penalty = sigma**2 * np.log(observed.size)
    ends = ruptures.Pelt(model="l2", min_size=min_size, jump=1).fit(observed).predict(pen=penalty)
    bounds = [0, *ends]
    means = [float(np.mean(observed[a:b])) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    positions = rows[bounds[1:-1]]
    labels = list(periods) if periods is not None else [None] * y.size
    frame = pd.DataFrame(
        {
            "position": positions.astype(int),
            "period": [labels[p] for p in positions],
            "mean_before": means[:-1],
            "mean_after": means[1:],
            "shift": np.diff(means),
            "note": NOTE,
        },
        columns=COLUMNS,
    )
    frame.attrs.update(reason=None, note=NOTE, penalty=float(penalty), sigma=sigma)
    return frame
