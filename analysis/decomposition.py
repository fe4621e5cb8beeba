"""Why an overall rate changed: Kitagawa's split into a rate effect and a mix effect, by group.

An overall rate (re-referrals as a share of all referrals) is the average of the groups' rates
(each team's re-referral rate) weighted by each group's share of the denominator (each team's
share of all referrals): ``R = sum_i s_i r_i`` with ``s_i = d_i / sum d`` and
``r_i = scale x n_i / d_i``. Between two periods A and B, Kitagawa's decomposition with
symmetric weights (Kitagawa 1955, "Components of a difference between two rates", JASA 50;
Das Gupta 1993, "Standardization and decomposition of rates: a user's manual", US Census
Bureau P23-186, chapter 5) is exact:

    R_B - R_A = sum_i (s_iA + s_iB) / 2 x (r_iB - r_iA)      rate effect
              + sum_i (r_iA + r_iB) / 2 x (s_iB - s_iA)      mix effect

Group i's contribution is its two terms added; the contributions add up to the change in the
overall rate with nothing left over. The rate effect is what the change would have been had
each group kept its average share; the mix effect what it would have been had each group kept
its average rate while the shares moved. The split is numerical, not causal.

A group with no denominator in one period (a new team) has no rate there; its rate in the
other period stands in, so its rate effect is 0 and its whole contribution, ``s_i r_i`` of
the period it has, is mix. A group whose numerator or denominator is missing (suppressed,
not returned) cannot be split: :func:`kitagawa` raises ``ValueError`` naming it, because
leaving it out would change the overall rate being explained.

>>> teams = pd.DataFrame({"group": ["North", "South"], "numerator_from": [20, 30],
...     "denominator_from": [100, 100], "numerator_to": [45, 30], "denominator_to": [150, 100]})
>>> split = kitagawa(teams, scale=100)
>>> [round(x, 6) for x in split[["rate_effect", "mix_effect"]].sum()]
[5.5, -0.5]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.tidy import ALL

COUNT_COLUMNS = ("numerator_from", "denominator_from", "numerator_to", "denominator_to")
COLUMNS = [
    "group",
    *COUNT_COLUMNS,
    "share_from",
    "share_to",
    "rate_from",
    "rate_to",
    "rate_effect",
    "mix_effect",
    "contribution",
]


def kitagawa(groups: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
    """The change in the overall rate of ``groups`` split by group into rate and mix effects.

    ``groups`` has one row per group: ``group`` and the counts ``numerator_from``,
    ``denominator_from``, ``numerator_to`` and ``denominator_to``. ``scale`` multiplies each
    ratio (100 for a percentage, 10,000 for a rate per 10,000). Returns those columns with
    ``share_from`` / ``share_to`` (of the denominator, 0 to 1), ``rate_from`` / ``rate_to``,
    ``rate_effect``, ``mix_effect`` and ``contribution`` (their sum). ``frame.attrs`` holds
    ``overall_from``, ``overall_to`` and ``change`` (their difference, equal to the sum of
    the contributions up to rounding error).
    """
    missing = [c for c in ("group", *COUNT_COLUMNS) if c not in groups]
    if missing:
        raise ValueError(f"the groups table has no column {', '.join(missing)}")
    counts = groups[list(COUNT_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    unknown = counts.isna().any(axis=1).to_numpy()
    if unknown.any():
        names = ", ".join(str(g) for g in groups["group"][unknown])
        raise ValueError(
            f"cannot split the change: {names} has a missing numerator or denominator "
            "(suppressed or not returned), and leaving it out would change the overall rate"
        )
    n_a, d_a, n_b, d_b = (counts[c].to_numpy(dtype=float) for c in COUNT_COLUMNS)
    if (counts.to_numpy() < 0).any() or d_a.sum() <= 0 or d_b.sum() <= 0:
        raise ValueError("counts must not be negative and each period needs a denominator")
    s_a, s_b = d_a / d_a.sum(), d_b / d_b.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        r_a = np.where(d_a > 0, scale * n_a / d_a, np.nan)
        r_b = np.where(d_b > 0, scale * n_b / d_b, np.nan)
    r_a, r_b = np.where(np.isnan(r_a), r_b, r_a), np.where(np.isnan(r_b), r_a, r_b)
    rate_effect = (s_a + s_b) / 2 * (r_b - r_a)
    mix_effect = (r_a + r_b) / 2 * (s_b - s_a)
    out = pd.DataFrame(
        {
            "group": groups["group"].to_numpy(),
            **{c: counts[c].to_numpy() for c in COUNT_COLUMNS},
            "share_from": s_a,
            "share_to": s_b,
            "rate_from": np.where(d_a > 0, r_a, np.nan),
            "rate_to": np.where(d_b > 0, r_b, np.nan),
            "rate_effect": rate_effect,
            "mix_effect": mix_effect,
            "contribution": rate_effect + mix_effect,
        },
        columns=COLUMNS,
    )
    overall_from, overall_to = scale * n_a.sum() / d_a.sum(), scale * n_b.sum() / d_b.sum()
    out.attrs.update(
        overall_from=overall_from, overall_to=overall_to, change=overall_to - overall_from
    )
    return out


def largest_contribution(split: pd.DataFrame) -> tuple[pd.Series, str] | None:
    """The group of :func:`kitagawa` with the largest contribution either way, and which of
    its two effects ("rate" or "mix") is the larger; None for no groups.

    >>> split = kitagawa(pd.DataFrame({"group": ["N", "S"], "numerator_from": [20, 30],
    ...     "denominator_from": [100, 100], "numerator_to": [45, 30],
    ...     "denominator_to": [150, 100]}), scale=100)
    >>> row, part = largest_contribution(split)
    >>> row["group"], part
    ('N', 'rate')
    """
    if split.empty:
        return None
    top = split.loc[split["contribution"].abs().idxmax()]
    return top, "rate" if abs(top["rate_effect"]) >= abs(top["mix_effect"]) else "mix"


def groups_between(
    table: pd.DataFrame, dimension: str, period_from: str, period_to: str
) -> pd.DataFrame:
    """The groups of one breakdown in two periods of a tidy table, ready for :func:`kitagawa`.

    ``table`` holds one indicator for one area; its rows whose ``breakdown`` reads
    ``"<dimension>: <group>"`` are the groups, and ``period_from`` and ``period_to`` are
    ``period`` labels. A group present in only one period gets 0 for the other.

    >>> tidy = pd.DataFrame({"breakdown": ["team: N", "team: N", "all"], "period": ["a", "b", "a"],
    ...     "numerator": [1.0, 2.0, 1.0], "denominator": [10.0, 10.0, 10.0]})
    >>> groups_between(tidy, "team", "a", "b")["numerator_to"].tolist()
    [2.0]
    """
    prefix = f"{dimension}:"
    parts = table.loc[table["breakdown"].astype(str).str.startswith(prefix)]
    parts = parts.assign(group=parts["breakdown"].astype(str).str[len(prefix) :].str.strip())
    names = pd.Index(pd.unique(parts["group"]), name="group")
    wide = {}
    for period, suffix in ((period_from, "from"), (period_to, "to")):
        rows = parts.loc[parts["period"] == period].set_index("group")
        absent = ~names.isin(rows.index)  # no row: nothing in that group that period
        for role in ("numerator", "denominator"):
            column = rows[role].reindex(names).astype(float)
            wide[f"{role}_{suffix}"] = column.mask(absent, 0.0)
    return pd.DataFrame(wide, index=names).reset_index()[["group", *COUNT_COLUMNS]]


def whole_area(table: pd.DataFrame, period: str) -> tuple[float, float]:
    """Numerator and denominator of the whole-area (``all``) row of ``period`` (NaN if none)."""
    rows = table.loc[(table["breakdown"] == ALL) & (table["period"] == period)]
    if rows.empty:
        return float("nan"), float("nan")
    return float(rows["numerator"].iloc[0]), float(rows["denominator"].iloc[0])
