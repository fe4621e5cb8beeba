"""Confidence intervals as Fingertips computes them (PHEindicatormethods).

- Proportions: the Wilson score interval (Wilson 1927; Newcombe and Altman 2000), as
  PHEindicatormethods ``wilson_lower`` / ``wilson_upper``::

      (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))

- Counts (for rates): Byar's approximation (Breslow and Day 1987), as ``byars_lower`` /
  ``byars_upper``::

      lower = x (1 - 1/(9x) - z/(3 sqrt(x)))^3
      upper = (x + 1) (1 - 1/(9(x + 1)) + z/(3 sqrt(x + 1)))^3

  and, below 10 events, the exact Poisson limits from chi-squared quantiles, as ``phe_rate``::

      lower = chi2(alpha/2; 2x) / 2,   upper = chi2(1 - alpha/2; 2x + 2) / 2

The z values for 95% and 99.8% are the constants of ``docs/methods.md`` (the normal quantiles
0.975 and 0.999); other levels use ``scipy.stats.norm.ppf``. Confidence is a fraction (0.95) or a
percentage (95), as in PHEindicatormethods.

Invalid input (negative counts, ``x > n``, ``n <= 0``, missing or infinite values) gives NaN
limits, never an exception and never a number. Scalars in give floats out; arrays in give
arrays out.

>>> lower, upper = wilson(65, 100)
>>> round(lower, 6), round(upper, 6)
(0.552544, 0.736358)
>>> byar(0)
(0.0, 3.6888794541139354)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.stats import chi2, norm

#: Two-sided 95% and 99.8% normal quantiles, exactly as ``docs/methods.md``.
Z_95 = 1.959963984540054
Z_998 = 3.090232306167813

#: Below this many events, rate intervals are exact Poisson rather than Byar's.
EXACT_BELOW = 10

ArrayLike = float | int | npt.ArrayLike


def level(confidence: float) -> float:
    """Confidence as a fraction: ``95`` and ``0.95`` are both 0.95.

    >>> level(99.8), level(0.95)
    (0.998, 0.95)
    """
    confidence = float(confidence)
    if 1 < confidence < 100:
        confidence = round(confidence / 100, 12)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (or 0 and 100), not {confidence}")
    return confidence


def z_score(confidence: float = 0.95) -> float:
    """The two-sided normal quantile for ``confidence``.

    >>> z_score(0.95), z_score(99.8)
    (1.959963984540054, 3.090232306167813)
    """
    confidence = level(confidence)
    if confidence == 0.95:
        return Z_95
    if confidence == 0.998:
        return Z_998
    return float(norm.ppf(0.5 + confidence / 2))


def _as_output(values: np.ndarray, scalar: bool) -> float | np.ndarray:
    return float(values) if scalar else values


def wilson(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple:
    """Wilson score interval for the proportion ``x / n``, as ``(lower, upper)`` proportions.

    ``x = 0`` gives a lower limit of exactly 0 and ``x = n`` an upper limit of exactly 1.

    >>> wilson(0, 10)[0], wilson(10, 10)[1]
    (0.0, 1.0)
    >>> wilson(11, 10)
    (nan, nan)
    """
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    x_arr = np.asarray(x, dtype="float64")
    n_arr = np.asarray(n, dtype="float64")
    x_arr, n_arr = np.broadcast_arrays(x_arr, n_arr)
    z = z_score(confidence)
    valid = np.isfinite(x_arr) & np.isfinite(n_arr) & (n_arr > 0) & (x_arr >= 0) & (x_arr <= n_arr)
    xs = np.where(valid, x_arr, 0.0)
    ns = np.where(valid, n_arr, 1.0)
    spread = z * np.sqrt(z * z + 4 * xs * (1 - xs / ns))
    denominator = 2 * (ns + z * z)
    lower = (2 * xs + z * z - spread) / denominator
    upper = (2 * xs + z * z + spread) / denominator
    lower = np.where(xs == 0, 0.0, np.clip(lower, 0.0, 1.0))
    upper = np.where(xs == ns, 1.0, np.clip(upper, 0.0, 1.0))
    lower = np.where(valid, lower, np.nan)
    upper = np.where(valid, upper, np.nan)
    return _as_output(lower, scalar), _as_output(upper, scalar)


def byar(x: ArrayLike, confidence: float = 0.95) -> tuple:
    """Interval for an observed count ``x``, as ``(lower, upper)`` counts.

    Byar's approximation from 10 events up; the exact Poisson interval below 10 (including 0,
    whose lower limit is 0). Divide by the denominator (and multiply by the rate's base) to get
    an interval for a rate.

    >>> lower, upper = byar(65)
    >>> round(lower, 4), round(upper, 4)
    (50.1632, 82.8491)
    >>> byar(-1)
    (nan, nan)
    """
    scalar = np.ndim(x) == 0
    x_arr = np.asarray(x, dtype="float64")
    confidence = level(confidence)
    z = z_score(confidence)
    tail = (1 - confidence) / 2
    lower = np.full(x_arr.shape, np.nan)
    upper = np.full(x_arr.shape, np.nan)
    valid = np.isfinite(x_arr) & (x_arr >= 0)
    approximate = valid & (x_arr >= EXACT_BELOW)
    big = x_arr[approximate]
    lower[approximate] = big * (1 - 1 / (9 * big) - z / (3 * np.sqrt(big))) ** 3
    upper[approximate] = (big + 1) * (1 - 1 / (9 * (big + 1)) + z / (3 * np.sqrt(big + 1))) ** 3
    exact = valid & (x_arr < EXACT_BELOW)
    small = x_arr[exact]
    lower[exact] = np.where(small > 0, chi2.ppf(tail, 2 * small) / 2, 0.0)
    upper[exact] = chi2.ppf(1 - tail, 2 * small + 2) / 2
    return _as_output(lower, scalar), _as_output(upper, scalar)
