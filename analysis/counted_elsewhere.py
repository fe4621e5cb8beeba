"""LAIT rates that an EES file counts too: each figure checked against the count.

LAIT publishes only figures, so a plausible figure typed over another (41.6 for 46.1) is
neither impossible nor a spike. Where an EES file counts the same children, the rate per
10,000 its count and the ONS population give must be LAIT's figure, to its rounding.

>>> sorted(RATES_OF_COUNTS)
['CPP_rate']
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from analysis.ees import SPIKES_NAMED, DataWarning, population_for
from analysis.values import half_unit

#: LAIT short code -> the catalogue indicator whose denominator counts the same children, per
#: 10,000 children (the ONS estimate of the year before, as DfE's rates): LAIT's children on a
#: child protection plan per 10,000 is d5's plans open on 31 March per 10,000 to within its
#: rounding, 0.05, in all 1,612 rows with a figure in both for 2013 to 2025.
RATES_OF_COUNTS = {"CPP_rate": "cpp_2yrs_plus_pct"}

#: Room, as a share of the rate, for an ONS estimate revised between the two publications.
REVISED_POPULATION = 0.02

#: The status of a LAIT figure left out for disagreeing with the count.
DISAGREES = "left out: not the rate of the count published in EES"


def without_disagreements(
    rows: pd.DataFrame,
    measure: str,
    counts: pd.DataFrame,
    counts_file: str,
    population: pd.DataFrame,
    lait_file: str,
) -> pd.DataFrame:
    """LAIT ``rows`` of ``measure`` with each figure that is not the rate per 10,000 of the
    ``counts`` (the tidy table of :data:`RATES_OF_COUNTS`'s indicator, from ``counts_file``)
    left out, with a :class:`DataWarning` naming the area, the year and both rates (not the
    count, which may be small: a member reads the warning); its status says why. The figures
    agree within half a unit of the LAIT figure's last decimal and
    :data:`REVISED_POPULATION`; a figure with no count beside it is kept as it is."""
    keys = ["area_code", "breakdown", "period_end"]
    rates = counts.assign(rate=counts["denominator"] / population_for(counts, population) * 1e4)
    rates = rates.dropna(subset=["rate"]).drop_duplicates(keys, keep=False)
    expected = rows[keys].merge(rates[[*keys, "rate"]], on=keys, how="left")["rate"]
    expected = expected.set_axis(rows.index)
    value = rows["value"].to_numpy(dtype=float, na_value=np.nan)
    allowed = half_unit(value) + REVISED_POPULATION * expected.to_numpy()
    wrong = rows.index[np.abs(value - expected.to_numpy()) > allowed]
    if wrong.empty:
        return rows
    source = f"{lait_file} ({measure})"
    for label in wrong[:SPIKES_NAMED]:
        row = rows.loc[label]
        warnings.warn(
            DataWarning(
                f"{source}: {row['area_name']}'s figure for {row['period']} "
                f"({row['value']:,.4g}) is not the {expected[label]:,.4g} per 10,000 that "
                f"{counts_file}'s count and the ONS population give, so it was left out: "
                "check the files"
            ),
            stacklevel=3,
        )
    if len(wrong) > SPIKES_NAMED:
        warnings.warn(
            DataWarning(
                f"{source}: {len(wrong) - SPIKES_NAMED} more figures that are not the rate of "
                f"{counts_file}'s count were left out: check the files"
            ),
            stacklevel=3,
        )
    rows = rows.copy()
    rows.loc[wrong, "status"] = DISAGREES
    rows.loc[wrong, "value"] = np.nan
    return rows
