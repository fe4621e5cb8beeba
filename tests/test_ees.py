"""EES loader: backtests against the real files, and damaged copies give clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue import load_catalogue
from analysis.ees import load_ees
from analysis.errors import DataError
from analysis.population import load_population
from analysis.tidy import validate

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def population(dfe):
    return load_population(dfe / "ees" / "ons_mid-year_population_estimates_2012_to_2024.csv")


@pytest.fixture(scope="module")
def rereferrals(dfe):
    return load_ees(dfe / "ees" / C1, CATALOGUE["rereferrals_12m_pct"])


def test_every_ees_indicator_loads_and_validates(dfe, population):
    for indicator in CATALOGUE.values():
        if "ees" in indicator.source:
            table = load_ees(
                dfe / "ees" / indicator.source["ees"]["file"], indicator, population=population
            )
            validate(table)
            assert (table["indicator"] == indicator.id).all()


def test_152_or_153_councils_each_year(rereferrals):
    councils = rereferrals.loc[rereferrals["area_level"] == "local authority"]
    per_year = councils.groupby("period")["area_code"].nunique()
    # 2020 and 2021: 151 (Northamptonshire split mid-way; published rows that year).
    assert per_year.between(151, 153).all()
    assert per_year["2025"] == 153 and per_year["2024"] == 153


def test_rereferral_percent_equals_counts_within_rounding(rereferrals):
    # Backtest: the published percentage is rereferral_count / referral_count x 100 rounded to
    # 1 dp, so for councils the recomputed figure is within 0.05 (plus float slack) for every
    # council and year. Regional and national counts are published rounded to the nearest 10, so
    # there the percentage may also move by what a +/-5 error in each count allows.
    rows = rereferrals.dropna(subset=["value", "numerator", "denominator"])
    rows = rows.loc[rows["denominator"] > 0]
    recomputed = rows["numerator"] / rows["denominator"] * 100
    council = rows["area_level"] == "local authority"
    assert council.sum() > 1900
    assert np.abs(recomputed - rows["value"])[council].max() <= 0.05 + 1e-9
    n, d = rows["numerator"], rows["denominator"]
    rounding = 100 * (5 / d + 5 * n / d**2) + 0.05 + 1e-9
    assert (np.abs(recomputed - rows["value"]) <= rounding)[~council].all()


def test_cla_rate_uses_the_population_of_the_year_before(dfe, population):
    # Backtest: the CLA file's published rate per 10,000 equals children_count / ONS mid-year
    # estimate (0-17) of the previous year x 10,000, rounded to a whole number (national 2025:
    # 81,770 / 12,183,016 -> 67).
    cla = load_ees(
        dfe / "ees" / "cla_number_and_rate_per_10k_children.csv", CATALOGUE["cla_rate_per_10k"]
    )
    pop = population.assign(year=population["period_end"].dt.year + 1)
    merged = cla.assign(year=cla["period_end"].dt.year).merge(
        pop[["area_code", "year", "value"]], on=["area_code", "year"], suffixes=("", "_pop")
    )
    merged = merged.dropna(subset=["value", "numerator", "value_pop"])
    recomputed = merged["numerator"] / merged["value_pop"] * 10_000
    assert len(merged) > 700
    assert (np.abs(recomputed - merged["value"]) <= 0.5 + 1e-9).mean() > 0.99
    england = merged.loc[(merged["area_level"] == "national") & (merged["year"] == 2025)]
    assert england["value"].iloc[0] == 67 and round(recomputed[england.index[0]]) == 67


def test_suppressed_cells_have_a_status_and_no_value(dfe, rereferrals):
    raw = pd.read_csv(dfe / "ees" / C1, dtype=str, keep_default_na=False)
    symbols = raw["rereferral_percent"].isin(["c", "x", "z", "low", "u", "k"]).sum()
    assert symbols > 0
    missing = rereferrals.loc[rereferrals["value"].isna()]
    assert len(missing) == symbols
    assert missing["status"].notna().all()
    assert not (rereferrals["status"].notna() & rereferrals["value"].notna()).any()


def test_councils_since_merged_or_split_keep_their_rows_in_older_years(rereferrals):
    # area_changes.csv: Dorset (835), Poole (836) and Bournemouth (837) merged in 2019,
    # Northamptonshire (928) split in 2021 and Cumbria (909) in 2023; the area code list
    # knows them, so their 2018 rows are read under their own codes, not refused as unknown
    councils = rereferrals.loc[rereferrals["period"] == "2018", "la_number"]
    assert {"835", "836", "837", "928", "909"} <= set(councils)


def test_joint_workforce_return_is_one_area(dfe):
    turnover = load_ees(
        dfe / "ees" / "csww_indicators_2017_to_2025.csv", CATALOGUE["sw_turnover_pct"]
    )
    joint = turnover.loc[turnover["la_number"] == "314 / 318"]
    assert set(joint["area_code"]) == {"E09000021 / E09000027"}
    assert len(joint) == joint["period"].nunique()


def test_rates_per_10k_have_a_reason_when_there_is_no_population(dfe, population):
    referrals = load_ees(
        dfe / "ees" / C1, CATALOGUE["referrals_rate_per_10k"], population=population
    )
    no_rate = referrals.loc[referrals["value"].isna()]
    assert no_rate["status"].notna().all()
    # Dorset, Poole and Bournemouth before 2019 have no estimate on today's boundaries.
    assert "no population estimate" in set(no_rate["status"])


# --- damaged copies ---------------------------------------------------------------------------


def _copy(dfe, tmp_path, edit) -> str:
    lines = (dfe / "ees" / C1).read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / C1
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return path


def test_empty_file(tmp_path):
    path = tmp_path / C1
    path.write_text("")
    with pytest.raises(DataError, match="empty file"):
        load_ees(path, CATALOGUE["rereferrals_12m_pct"])


def test_renamed_column(dfe, tmp_path):
    path = _copy(
        dfe, tmp_path, lambda lines: [lines[0].replace("rereferral_percent", "pct")] + lines[1:]
    )
    with pytest.raises(DataError, match="row 1, column rereferral_percent"):
        load_ees(path, CATALOGUE["rereferrals_12m_pct"])


def test_text_in_a_numeric_column_names_the_row(dfe, tmp_path):
    def edit(lines):
        lines[5] = lines[5].replace(",20.", ",twenty.", 1) if ",20." in lines[5] else lines[5]
        parts = lines[5].split(",")
        parts[13] = "n/a"
        lines[5] = ",".join(parts)
        return lines

    path = _copy(dfe, tmp_path, edit)
    with pytest.raises(DataError, match=r"row 6, column rereferral_percent"):
        load_ees(path, CATALOGUE["rereferrals_12m_pct"])


def test_windows_line_endings_bom_and_semicolons(dfe, tmp_path):
    text = (dfe / "ees" / C1).read_text(encoding="utf-8")
    rows = pd.read_csv(dfe / "ees" / C1, dtype=str, keep_default_na=False)
    path = tmp_path / C1
    rows.to_csv(path, sep=";", index=False, lineterminator="\r\n", encoding="utf-8-sig")
    assert text  # the original was read
    table = load_ees(path, CATALOGUE["rereferrals_12m_pct"])
    original = load_ees(dfe / "ees" / C1, CATALOGUE["rereferrals_12m_pct"])
    pd.testing.assert_frame_equal(table.drop(columns="source"), original.drop(columns="source"))


def test_conflicting_duplicate_rows_are_an_error(dfe, tmp_path):
    def edit(lines):
        copy = lines[5].replace(lines[5].split(",")[13], "99.9", 1)
        return lines + [copy]

    path = _copy(dfe, tmp_path, edit)
    with pytest.raises(DataError, match="found several with different values"):
        load_ees(path, CATALOGUE["rereferrals_12m_pct"])


def test_truncated_file_keeps_what_is_whole_or_errors(dfe, tmp_path):
    def edit(lines):
        return lines[:50] + [lines[50][:40]]

    path = _copy(dfe, tmp_path, edit)
    with pytest.raises(DataError):
        load_ees(path, CATALOGUE["rereferrals_12m_pct"])
