"""LAIT loader: every measure, structured periods, '-' as a status; backtests against EES."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalogue import lait_catalogue, load_catalogue
from analysis.ees import load_ees
from analysis.errors import DataError
from analysis.lait import load_lait
from analysis.tidy import validate


def test_every_measure_loads_as_an_indicator(dfe, lait_all):
    raw = pd.read_parquet(dfe / "lait" / "bds_long.parquet", columns=["Short Desc", "Years"])
    catalogue = lait_catalogue(dfe / "lait" / "lait_data_dictionary.csv")
    assert set(lait_all["indicator"]) == set(raw["Short Desc"])
    assert set(lait_all["indicator"]) <= set(catalogue)
    # Only the rows whose year label is '0' (no value in any of them) are left out, with a warning.
    assert len(lait_all) == len(raw) - (raw["Years"] == "0").sum()
    validate(lait_all.sample(20_000, random_state=1))


def test_dictionary_gives_polarity_unit_and_decimal_places(dfe):
    catalogue = lait_catalogue(dfe / "lait" / "lait_data_dictionary.csv")
    rereferral = catalogue["ReReferral"]
    assert (rereferral.polarity, rereferral.unit, rereferral.period_type) == (
        "low",
        "% of referrals",
        "financial year",
    )
    assert catalogue["CPP_rate"].polarity == "neutral"  # '-' in the dictionary
    assert {i.polarity for i in catalogue.values()} == {"high", "low", "neutral"}


def test_missing_values_are_a_status_never_zero(dfe, lait_all):
    raw = pd.read_parquet(dfe / "lait" / "bds_long.parquet", columns=["Values", "Years"])
    dashes = ((raw["Values"] == "-") & (raw["Years"] != "0")).sum()
    assert (lait_all["status"] == "-").sum() == dashes
    assert lait_all.loc[lait_all["status"].notna(), "value"].isna().all()


def test_year_labels_become_structured_periods(lait_all):
    periods = lait_all.drop_duplicates("period").set_index("period")
    assert periods.loc["2022-23 (OT)", "revision"] == "final"
    assert periods.loc["2025 (prov)", "revision"] == "provisional"
    assert periods.loc["2024 (Rev)", "revision"] == "revised"
    assert periods.loc["2014-16", "period_type"] == "multi-year"
    assert lait_all["period_start"].notna().all()


def test_areas_england_regions_and_councils(lait_all):
    rows = lait_all.loc[(lait_all["indicator"] == "ReReferral") & (lait_all["period"] == "2025")]
    assert rows.loc[rows["area_level"] == "national", "area_code"].tolist() == ["E92000001"]
    assert set(rows.loc[rows["area_level"] == "regional", "area_code"]) >= {
        "E12000007",
        "E13000001",
        "E13000002",
    }
    councils = rows.loc[rows["area_level"] == "local authority"]
    assert councils.dropna(subset=["value"])["area_code"].nunique() == 153


def test_rereferral_equals_the_ees_c1_figure_for_every_council_and_year(dfe, lait_all):
    # Backtest: LAIT republishes the CIN census; its ReReferral for a council and year must equal
    # EES c1's rereferral_percent (e.g. Surrey 2025: 20.5 in both).
    ees = load_ees(
        dfe / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        load_catalogue()["rereferrals_12m_pct"],
    )
    lait = lait_all.loc[lait_all["indicator"] == "ReReferral"]
    merged = lait.merge(ees, on=["area_code", "period_end"], suffixes=("_lait", "_ees"))
    merged = merged.dropna(subset=["value_lait", "value_ees"])
    assert len(merged) > 1400
    assert (merged["value_lait"] - merged["value_ees"]).abs().max() < 1e-9
    surrey = merged.loc[(merged["area_code"] == "E10000030") & (merged["period_lait"] == "2025")]
    assert surrey["value_lait"].item() == 20.5


def test_one_measure_only_is_fast_path(dfe):
    table = load_lait(
        dfe / "lait" / "bds_long.parquet",
        dfe / "lait" / "lait_data_dictionary.csv",
        measures=["CPP_rate"],
    )
    assert set(table["indicator"]) == {"CPP_rate"}
    assert table["period_type"].eq("snapshot 31 March").all()


def test_unknown_la_number_is_an_error_naming_the_row(dfe, tmp_path):
    raw = pd.read_parquet(dfe / "lait" / "bds_long.parquet").head(50).copy()
    raw.loc[7, "LA Number"] = 123.0
    path = tmp_path / "bds_long.parquet"
    raw.to_parquet(path)
    with pytest.raises(DataError, match=r"row 8, column LA Number: LA number '123'"):
        load_lait(path, dfe / "lait" / "lait_data_dictionary.csv")


def test_missing_column_is_an_error(dfe, tmp_path):
    raw = pd.read_parquet(dfe / "lait" / "bds_long.parquet").head(50).drop(columns="Values")
    path = tmp_path / "bds_long.parquet"
    raw.to_parquet(path)
    with pytest.raises(DataError, match="column Values"):
        load_lait(path, dfe / "lait" / "lait_data_dictionary.csv")
