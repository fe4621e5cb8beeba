"""LAIT rates checked against the EES counts of the same children."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from analysis.counted_elsewhere import DISAGREES, without_disagreements
from analysis.ees import DataWarning

D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
MARCH_2025 = pd.Timestamp("2025-03-31")


def _rows(*values: float) -> pd.DataFrame:
    """LAIT rows for areas A, B, ... in the year to March 2025."""
    names = [chr(ord("A") + i) for i in range(len(values))]
    return pd.DataFrame(
        {
            "area_code": names,
            "area_name": [f"Council {n}" for n in names],
            "breakdown": "all",
            "period": "2025",
            "period_end": MARCH_2025,
            "value": list(values),
            "status": pd.Series([pd.NA] * len(values), dtype="string"),
        }
    )


def _check(rows: pd.DataFrame, plans: list[float], children: list[float]) -> pd.DataFrame:
    """``rows`` checked against ``plans`` open on 31 March 2025 among ``children`` (mid-2024)."""
    counts = rows[["area_code", "breakdown", "period_end"]].assign(denominator=plans)
    population = pd.DataFrame(
        {"area_code": rows["area_code"], "period_end": pd.Timestamp("2024-06-30"),
         "value": children}
    )  # fmt: skip
    return without_disagreements(rows, "CPP_rate", counts, D5, population, "bds_long.parquet")


def test_a_rate_within_its_rounding_and_a_revised_population_is_kept():
    # By hand: 250 plans of 100,000 children is 25.0 per 10,000. LAIT writes one decimal, so
    # 24.95 to 25.05 is that rate, and 2% of it (0.5) allows a population revised between the
    # two publications: 24.5 and 25.5 are kept.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = _check(_rows(25.0, 24.5, 25.5), [250] * 3, [100_000] * 3)
    assert kept["value"].tolist() == [25.0, 24.5, 25.5]


def test_a_rate_beyond_them_is_left_out_with_a_warning_without_the_count():
    # 28.0 is 3.0 from 25.0, beyond 0.05 + 0.5; no count beside C, so its figure stands.
    with pytest.warns(DataWarning) as caught:
        checked = _check(_rows(25.0, 28.0, 31.0), [250, 250, float("nan")], [100_000] * 3)
    assert [str(w.message) for w in caught] == [
        "bds_long.parquet (CPP_rate): Council B's figure for 2025 (28) is not the 25 per "
        f"10,000 that {D5}'s count and the ONS population give, so it was left out: "
        "check the files"
    ]
    assert "250" not in str(caught[0].message)
    assert checked["value"].tolist()[0::2] == [25.0, 31.0]
    assert pd.isna(checked["value"].iloc[1]) and checked["status"].iloc[1] == DISAGREES


def test_beyond_three_the_rest_are_counted_in_one_warning():
    with pytest.warns(DataWarning) as caught:
        checked = _check(_rows(*[30.0] * 5), [250] * 5, [100_000] * 5)
    assert len(caught) == 4
    assert str(caught[3].message) == (
        f"bds_long.parquet (CPP_rate): 2 more figures that are not the rate of {D5}'s count "
        "were left out: check the files"
    )
    assert checked["value"].isna().all()


@pytest.mark.real_data
def test_every_real_lait_rate_of_children_on_a_plan_is_the_rate_of_d5s_count(published):
    # Backtest: LAIT's CPP_rate is d5's CPP_At31 per 10,000 children (ONS, the year before)
    # in every row both publish, so none is left out of the real files.
    table = published.table
    assert not (table["status"] == DISAGREES).any()
    lait = table.loc[table["indicator"] == "cpp_rate_per_10k"]
    assert lait["value"].notna().sum() > 1500
