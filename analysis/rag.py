"""Targets and red / amber / green ratings, the exception report, and rounding for display.

``docs/methods.md`` sections 4 and 5:

- RAG: green at or better than the target; amber worse than the target but within the
  tolerance; red worse beyond the tolerance. The tolerance is absolute (in the indicator's
  units) or relative (a fraction of the target: 0.1 is 10%); a missing tolerance is 0 (no
  amber band). Both boundaries belong to the better rating: on the target is green, exactly
  at the tolerance is amber. Boundaries are compared with a slack of 1e-9 of their size, so
  that decimal inputs land on them (20 + 2.2 is 22.200000000000003 in binary). Neutral
  indicators, missing targets and missing values get no rating, with the reason.
  Targets, tolerances and polarities come from each council's parameters, never from code.
- Exception report: an indicator is listed when it is red, when it is worse than a comparator
  and getting worse ("red-red"), or when it shows special cause concern.
- Rounding: half away from zero (the DfE convention), done on the decimal the float stands for
  (``repr``), so 2.675 becomes 2.68 and -2.5 becomes -3, which binary rounding gets wrong;
  only for display: compute with full precision.

>>> rag(23.1, target=22.0, tolerance=2.0, polarity="low")
'amber'
>>> round_half_up(2.675, 2), format_value(22.649, 1, "percent")
(2.68, '22.6%')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import pandas as pd

from analysis.catalogue import POLARITIES

RATINGS = ("green", "amber", "red")
TOLERANCE_TYPES = ("absolute", "relative")
NO_VALUE = "no value"
NO_TARGET = "no target"
NEUTRAL = "neutral indicator: no RAG rating"
SLACK = 1e-9

Numbers = float | Sequence[float] | np.ndarray | pd.Series


def _rate(
    value: Numbers,
    target: Numbers,
    tolerance: Numbers | None,
    polarity: str | Sequence[str] | np.ndarray | pd.Series,
    tolerance_type: str | Sequence[str] | np.ndarray | pd.Series,
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Rating and reason arrays (object dtype, None where there is none) and the input shape."""
    tolerance = np.nan if tolerance is None else tolerance
    arrays = np.broadcast_arrays(
        *(np.asarray(a, dtype="float64") for a in (value, target, tolerance)),
        np.asarray(polarity, dtype=object),
        np.asarray(tolerance_type, dtype=object),
    )
    shape = arrays[0].shape
    value_a, target_a, tolerance_a, polarity_a, type_a = (a.ravel() for a in arrays)
    for name, values, allowed in (
        ("polarity", polarity_a, POLARITIES),
        ("tolerance_type", type_a, TOLERANCE_TYPES),
    ):
        bad = sorted({str(v) for v in pd.unique(values)} - set(allowed))
        if bad:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {bad}")
    tolerance_a = np.where(np.isnan(tolerance_a), 0.0, tolerance_a)
    if (tolerance_a < 0).any():
        raise ValueError("a tolerance must not be negative")
    allowance = np.where(type_a == "relative", tolerance_a * np.abs(target_a), tolerance_a)
    # Turn everything so that lower is better.
    sign = np.where(polarity_a == "high", -1.0, 1.0)
    worse_by = (value_a - target_a) * sign
    slack = SLACK * np.maximum(1.0, np.abs(target_a) + allowance)
    rating = np.select(
        [worse_by <= slack, worse_by <= allowance + slack], ["green", "amber"], "red"
    ).astype(object)
    reason = np.select(
        [polarity_a == "neutral", np.isnan(target_a), np.isnan(value_a)],
        [NEUTRAL, NO_TARGET, NO_VALUE],
        None,
    ).astype(object)
    rating[pd.notna(reason)] = None
    return rating, reason, shape


def _shaped(values: np.ndarray, shape: tuple[int, ...], like: object) -> object:
    if not shape:
        return values[0]
    if isinstance(like, pd.Series) and like.shape == shape:
        return pd.Series(values, index=like.index, dtype=object)
    return values.reshape(shape)


def rag(
    value: Numbers,
    target: Numbers,
    tolerance: Numbers | None,
    polarity: str | Sequence[str] | np.ndarray | pd.Series,
    tolerance_type: str | Sequence[str] | np.ndarray | pd.Series = "absolute",
) -> str | None | np.ndarray | pd.Series:
    """'green', 'amber', 'red' or None (see :func:`rag_with_reasons` for why), element-wise.

    Scalars give a string or None; a Series of values gives a Series with its index; other
    arrays give an array.

    >>> rag([80, 76, 70], 80, 0.05, "high", tolerance_type="relative").tolist()
    ['green', 'amber', 'red']
    >>> rag(15.0, target=None, tolerance=1, polarity="low") is None
    True
    """
    rating, _, shape = _rate(value, target, tolerance, polarity, tolerance_type)
    return _shaped(rating, shape, value)


def rag_with_reasons(
    value: Numbers,
    target: Numbers,
    tolerance: Numbers | None,
    polarity: str | Sequence[str] | np.ndarray | pd.Series,
    tolerance_type: str | Sequence[str] | np.ndarray | pd.Series = "absolute",
) -> pd.DataFrame:
    """The rating and, where there is none, the reason ("no target", "no value", "neutral ...").

    >>> rag_with_reasons([20.0, 25.0], [22.0, None], 2, "low").to_dict("list")
    {'rating': ['green', None], 'reason': [None, 'no target']}
    """
    rating, reason, _ = _rate(value, target, tolerance, polarity, tolerance_type)
    index = value.index if isinstance(value, pd.Series) and len(value) == len(rating) else None
    return pd.DataFrame({"rating": rating, "reason": reason}, index=index, dtype=object)


def exceptions(summary: pd.DataFrame) -> pd.DataFrame:
    """The exception report: indicators that are red, red-red, or in special cause concern.

    ``summary`` has one row per indicator with ``indicator`` and any of: ``rag`` (the
    rating), ``worse_than_comparator`` and ``getting_worse`` (booleans; both together make a
    "red-red"), ``comparator`` (its name, for the sentence), ``special_cause_concern``
    (boolean). A column that is absent, or a missing flag, counts as not flagged. Returns the
    listed rows, in the summary's order, with ``red``, ``red_red``, ``special_cause_concern``
    and ``reasons`` (the sentences, joined by "; ").

    >>> summary = pd.DataFrame({"indicator": ["a", "b", "c"], "rag": ["red", "green", "amber"],
    ...     "worse_than_comparator": [False, True, True], "getting_worse": [False, True, False],
    ...     "comparator": "England", "special_cause_concern": [False, False, True]})
    >>> for reason in exceptions(summary)["reasons"]:
    ...     print(reason)
    red against its target
    worse than England and getting worse (red-red)
    special cause concern
    """
    if "indicator" not in summary:
        raise ValueError("the summary needs an 'indicator' column")

    def flag(name: str) -> pd.Series:
        if name not in summary:
            return pd.Series(False, index=summary.index)
        return summary[name].astype("boolean").fillna(False).astype(bool)

    red = summary["rag"].eq("red").fillna(False).astype(bool) if "rag" in summary else flag("rag")
    red_red = flag("worse_than_comparator") & flag("getting_worse")
    concern = flag("special_cause_concern")
    comparator = (
        summary["comparator"].fillna("its comparator").astype(str)
        if "comparator" in summary
        else pd.Series("its comparator", index=summary.index)
    )
    sentences = pd.DataFrame(
        {
            "red": np.where(red, "red against its target", ""),
            "red_red": np.where(
                red_red, "worse than " + comparator + " and getting worse (red-red)", ""
            ),
            "concern": np.where(concern, "special cause concern", ""),
        },
        index=summary.index,
    )
    reasons = sentences.apply(lambda row: "; ".join(s for s in row if s), axis=1)
    listed = red | red_red | concern
    out = summary.loc[listed].copy()
    out["red"] = red[listed]
    out["red_red"] = red_red[listed]
    out["special_cause_concern"] = concern[listed]
    out["reasons"] = reasons[listed] if len(out) else pd.Series(dtype=object)
    return out


def _round_one(x: float, dps: int) -> float:
    x = float(x)
    if not math.isfinite(x):
        return x
    with localcontext() as context:
        context.prec = 400
        rounded = Decimal(repr(x)).quantize(Decimal(1).scaleb(-dps), rounding=ROUND_HALF_UP)
    return float(rounded) + 0.0  # + 0.0 turns -0.0 into 0.0


def round_half_up(x: Numbers, dps: int = 0) -> float | np.ndarray | pd.Series:
    """Round half away from zero to ``dps`` decimal places, exactly as the decimal reads.

    >>> round_half_up(2.675, 2), round_half_up(-2.5), round_half_up(-0.04, 1)
    (2.68, -3.0, 0.0)
    """
    if np.ndim(x) == 0:
        return _round_one(x, dps)
    rounded = np.array([_round_one(v, dps) for v in np.asarray(x, dtype="float64").ravel()])
    rounded = rounded.reshape(np.shape(x))
    return pd.Series(rounded, index=x.index) if isinstance(x, pd.Series) else rounded


def format_value(x: float | None, dps: int, unit: str = "", status: str | None = None) -> str:
    """A value for display: rounded half away from zero, thousands separated, % for percentages.

    A missing value shows its published status (such as ``"c"``) or "n/a"; it is never 0.

    >>> format_value(1204.5, 0, "cases"), format_value(2.675, 2, "%")
    ('1,205', '2.68%')
    >>> format_value(None, 1, "%", status="c")
    'c'
    """
    if x is None or not math.isfinite(float(x)):
        return status if status else "n/a"
    places = max(int(dps), 0)
    text = f"{round_half_up(float(x), int(dps)):,.{places}f}"
    unit_text = str(unit or "").strip().lower()
    return text + "%" if unit_text.startswith(("percent", "%")) else text
