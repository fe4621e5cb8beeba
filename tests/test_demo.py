"""The fictional demo data set: deterministic, plausible, carrying the patterns it documents, in
the real files' layouts, and readable by the project's own loaders.

Where expected numbers come from: the patterns and levels are the ones ``DEMO_PATTERNS`` states
(the generator was built to produce them: for example re-referrals before April 2024 are
0.30 x 20% + 0.25 x 19% + 0.20 x 26% + 0.25 x 20% = 20.95% by team share x team rate); the
plausible ranges are the England-like levels of ../shared/docs/domain.md and the task brief;
percentages are count / total x 100 rounded to 1 dp and rates per 10,000 count / population x
10,000 (the DfE conventions of ../shared/data/README.md); headers are compared with the real
files in ../shared/data/dfe (skipped with a reason when absent).
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.areas import Directory
from analysis.catalogue import load_catalogue
from analysis.changepoint import suggest_rebases
from analysis.demo import (
    DEMO_COUNCIL,
    DEMO_COUNCILS,
    DEMO_PATTERNS,
    LOCAL_INDICATORS,
    OFSTED_SHEET,
    SHIFT_MONTH,
    SMALL_COUNT,
    write_demo,
)
from analysis.ees import AREA_COLUMNS, GEOGRAPHY
from analysis.local_scorecard import load_scorecard
from analysis.published import load_published
from analysis.spc import xmr
from analysis.tidy import validate

EES_CSVS = [
    "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
    "b1_children_in_need_2013_to_2025.csv",
    "d3_cpps_subsequent_plan_2013_to_2025.csv",
    "d5_cpps_at31march_by_duration_2013_to_2025.csv",
    "cla_number_and_rate_per_10k_children.csv",
    "csww_indicators_2017_to_2025.csv",
    "ons_mid-year_population_estimates_2012_to_2024.csv",
    "sn_model_2025_wide.csv",
]
OFSTED = "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
#: The EES files' place and time columns, before their figures.
PLACE_AND_TIME = GEOGRAPHY + AREA_COLUMNS
SYMBOLS = {"c", "x", "z", "low", "u"}
LAIT_MEASURES = [
    "Section_47",
    "CP_conf_15days",
    "CPP_rate",
    "LACStable_2016on",
    "Children_missing",
    "CareLeaverEET",
    "CareLeaverAcc",
    "ReReferral",
]
#: Published ratio columns: column -> (numerator column, denominator column(s), scale).
#: DfE's definitions, checked on the real national 2025 rows (for example turnover
#: 4276.3 / 36186.3 = 11.8%, agency 5415.9 / (5415.9 + 36186.3) = 13.0%).
RATIOS = {
    "c1": {
        "rereferral_percent": ("rereferral_count", ["referral_count"], 100),
        "no_further_action_percent": ("no_further_action_count", ["referral_count"], 100),
        "not_in_need_percent": ("not_in_need_count", ["referral_count"], 100),
        "rereferral_child_percent": ("rereferral_child_count", ["referral_child_count"], 100),
    },
    "d3": {"CPP_subsequent_percent": ("CPP_subsequent", ["CPP_start"], 100)},
    "d5": {
        f"{band}_percent": (band, ["CPP_At31"], 100)
        for band in (
            "3_months_or_less",
            "more_than_3_months_6_months",
            "more_than_6_months_less_than_1_year",
            "1_year_less_than_2_years",
            "2_years_or_more",
        )
    },
    "cla": {"rate_per_10000": ("children_count", ["population_estimate"], 10_000)},
    "csww": {
        "turnover_rate_fte": ("leavers_fte", ["inpost_fte"], 100),
        "agency_rate_fte": ("agency_fte", ["agency_fte", "inpost_fte"], 100),
        "vacancy_rate_fte": ("vacancy_fte", ["vacancy_fte", "inpost_fte"], 100),
        "caseload_fte": ("cases", ["case_holders_fte"], 1),
    },
}
#: Plausible England-like means of Demoshire's monthly series (domain.md and the brief; flows
#: are monthly, so referrals ~500 a year are ~42 a month and section 47s ~165 a year ~14).
PLAUSIBLE = {
    "referrals_rate_per_10k": (35, 50),
    "rereferrals_12m_pct": (20, 26),
    "referrals_nfa_pct": (4, 10),
    "assessments_45d_pct": (78, 86),
    "cin_rate_per_10k": (300, 360),
    "s47_rate_per_10k": (11, 17),
    "icpc_15d_pct": (74, 82),
    "cpp_rate_per_10k": (35, 45),
    "cpp_second_subsequent_pct": (21, 27),
    "cpp_2yrs_plus_pct": (1, 4),
    "cla_rate_per_10k": (65, 75),
    "cla_3plus_placements_pct": (8, 12),
    "cla_missing_pct": (9, 13),
    "care_leavers_eet_pct": (50, 60),
    "care_leavers_accommodation_pct": (84, 92),
    "sw_turnover_pct": (13, 17),
    "sw_agency_pct": (12, 22),
    "sw_vacancy_pct": (15, 20),
    "sw_caseload": (15, 17),
}


def _scale(indicator: str) -> int:
    return 100 if indicator.endswith("_pct") else 10_000 if indicator.endswith("_10k") else 1


def _read_ees(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _numbers(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column.where(~column.isin(SYMBOLS | {""})), errors="raise")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    return write_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def scorecard(written) -> pd.DataFrame:
    table = pd.read_csv(written["local/scorecard.csv"], dtype=str, keep_default_na=False)
    for column in ("value", "numerator", "denominator"):
        table[column] = pd.to_numeric(table[column].replace("", np.nan))
    table["period_end"] = pd.to_datetime(table["period_end"], format="%Y-%m-%d")
    return table


def _whole(scorecard: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rows = scorecard.loc[(scorecard["indicator"] == indicator) & (scorecard["breakdown"] == "all")]
    return rows.sort_values("period_end").reset_index(drop=True)


@pytest.fixture(scope="module")
def ees(written) -> dict[str, pd.DataFrame]:
    folder = written["local/scorecard.csv"].parents[1] / "ees"
    names = ["c1", "b1", "d3", "d5", "cla", "csww", "population"]
    return {n: _read_ees(folder / f) for n, f in zip(names, EES_CSVS, strict=False)}


# --------------------------------------------------------------------------- determinism


def test_output_is_byte_identical_between_runs(written, tmp_path):
    again = write_demo(tmp_path / "again")
    assert sorted(again) == sorted(written)
    for name, path in written.items():
        first = hashlib.sha256(path.read_bytes()).hexdigest()
        second = hashlib.sha256(again[name].read_bytes()).hexdigest()
        assert first == second, f"{name} differs between two runs"


def test_returns_exactly_the_files_it_wrote(written):
    root = written["README.txt"].parent
    on_disk = {p for p in root.rglob("*") if p.is_file()}
    assert on_disk == set(written.values())
    assert "FICTIONAL" in written["README.txt"].read_text()


# --------------------------------------------------------------------------- local scorecard


def test_scorecard_has_the_documented_columns_and_every_catalogue_id(written, scorecard):
    header = written["local/scorecard.csv"].read_text().splitlines()[0]
    assert header == "indicator,period_end,period_type,breakdown,value,numerator,denominator,status"
    local_ids = {i.local["id"] for i in load_catalogue().values() if i.local}
    assert set(scorecard["indicator"]) == set(LOCAL_INDICATORS) == local_ids
    assert len(local_ids) == 19


def test_at_least_36_months_per_indicator(scorecard):
    for indicator, frequency in LOCAL_INDICATORS.items():
        rows = _whole(scorecard, indicator)
        ends = rows["period_end"]
        assert (rows["period_type"] == frequency).all()
        assert (ends == ends + pd.offsets.MonthEnd(0)).all(), f"{indicator}: not month ends"
        assert ends.is_unique
        if frequency == "month":
            assert len(rows) >= 36, indicator
        else:
            assert ends.dt.month.isin([3, 6, 9, 12]).all()
            months = (ends.iloc[-1].year - ends.iloc[0].year) * 12 + ends.iloc[-1].month
            assert months - ends.iloc[0].month + 3 >= 36, indicator


def test_values_agree_with_numerators_and_denominators(scorecard):
    rows = scorecard.dropna(subset=["value", "numerator", "denominator"])
    assert set(rows["indicator"]) == set(LOCAL_INDICATORS) - {"sw_caseload"}
    scale = rows["indicator"].map(_scale)
    exact = rows["numerator"] / rows["denominator"] * scale
    assert (rows["value"] - exact).abs().max() <= 0.5e-4 + 1e-9  # written to 4 dps
    percent = rows["indicator"].str.endswith("_pct")
    assert (rows.loc[percent, "numerator"] <= rows.loc[percent, "denominator"]).all()
    assert (rows["numerator"] == rows["numerator"].round()).all()


def test_team_breakdowns_add_up_to_the_whole_council(scorecard):
    for indicator in ("rereferrals_12m_pct", "assessments_45d_pct"):
        rows = scorecard.loc[scorecard["indicator"] == indicator]
        teams = rows.loc[rows["breakdown"] != "all"]
        assert set(teams["breakdown"]) == {"team: North", "team: South", "team: East", "team: West"}
        summed = teams.groupby("period_end")[["numerator", "denominator"]].sum()
        whole = _whole(scorecard, indicator).set_index("period_end")[["numerator", "denominator"]]
        pd.testing.assert_frame_equal(summed, whole, check_dtype=False)


def test_rereferral_shift_has_a_rate_and_a_mix_effect(scorecard):
    # DEMO_PATTERNS: "team North's rate rises and team East's share of referrals grows".
    rows = scorecard.loc[scorecard["indicator"] == "rereferrals_12m_pct"].copy()
    rows["after"] = rows["period_end"] >= SHIFT_MONTH
    totals = rows.groupby(["after", "breakdown"])[["numerator", "denominator"]].sum()
    rate = totals["numerator"] / totals["denominator"] * 100
    share = totals["denominator"] / totals["denominator"].xs("all", level="breakdown") * 100
    assert rate[True, "team: North"] - rate[False, "team: North"] > 5
    assert share[True, "team: East"] - share[False, "team: East"] > 5
    assert abs(rate[True, "team: South"] - rate[False, "team: South"]) < 2


def test_rows_without_a_value_say_why_and_show_no_zero(scorecard):
    missing = scorecard["value"].isna()
    assert (missing == (scorecard["status"] != "")).all()
    gaps = scorecard.loc[missing]
    assert len(gaps) >= 3
    assert {"c", "x"} <= set(gaps["status"])
    assert gaps["numerator"].isna().all()
    assert gaps.loc[gaps["status"] == "x", "denominator"].isna().all()


def test_small_counts_for_disclosure_control(scorecard):
    rows = _whole(scorecard, "cpp_2yrs_plus_pct")
    shown = rows["numerator"].dropna()
    assert (shown < 10).sum() >= 3
    assert (shown > SMALL_COUNT).all()  # counts of 1 to SMALL_COUNT are published as 'c'
    assert (rows["status"] == "c").sum() >= 1


def test_level_shift_is_as_documented(scorecard):
    pattern = re.search(
        r"level shift up at (\d{4}-\d{2}) from about ([\d.]+)% to about ([\d.]+)%",
        DEMO_PATTERNS["rereferrals_12m_pct"],
    )
    assert pattern, DEMO_PATTERNS["rereferrals_12m_pct"]
    rows = _whole(scorecard, "rereferrals_12m_pct")
    after = rows["period_end"] >= pd.Timestamp(pattern[1]) + pd.offsets.MonthEnd(0)
    before_mean, after_mean = rows.loc[~after, "value"].mean(), rows.loc[after, "value"].mean()
    # 20.95% and 25.57% by construction (team shares x team rates); monthly sampling error of a
    # 24-month mean is about 0.3 points, so 1 point is ample.
    assert before_mean == pytest.approx(float(pattern[2]), abs=1.0)
    assert after_mean == pytest.approx(float(pattern[3]), abs=1.0)
    assert after_mean - before_mean > 3


def test_sustained_deterioration_is_as_documented(scorecard):
    pattern = re.search(
        r"sustained deterioration: falls every month for the last (\d+) months, "
        r"from about ([\d.]+)% to about ([\d.]+)%",
        DEMO_PATTERNS["assessments_45d_pct"],
    )
    assert pattern, DEMO_PATTERNS["assessments_45d_pct"]
    months = int(pattern[1])
    assert months >= 8
    values = _whole(scorecard, "assessments_45d_pct")["value"].to_numpy()
    tail = values[-(months + 1) :]
    assert (np.diff(tail) < 0).all(), tail
    assert tail[0] == pytest.approx(float(pattern[2]), abs=1.5)
    assert tail[-1] == pytest.approx(float(pattern[3]), abs=1.5)


def test_improving_series_are_as_documented(scorecard):
    improving = {k: v for k, v in DEMO_PATTERNS.items() if v.startswith("improving")}
    assert len(improving) >= 1
    for indicator, text in improving.items():
        start, end = map(
            float, re.search(r"from about ([\d.]+)% to about ([\d.]+)%", text).groups()
        )
        rows = _whole(scorecard, indicator).dropna(subset=["value"])
        months = (rows["period_end"] - rows["period_end"].iloc[0]).dt.days.to_numpy()
        slope, intercept = np.polyfit(months, rows["value"].to_numpy(), 1)
        assert intercept == pytest.approx(start, abs=0.75), indicator
        assert intercept + slope * months[-1] == pytest.approx(end, abs=0.75), indicator


def test_stable_series_are_at_their_documented_level_without_drift(scorecard):
    stable = {k: v for k, v in DEMO_PATTERNS.items() if v.startswith("stable")}
    assert len(stable) >= 5
    for indicator, text in stable.items():
        level = float(re.search(r"about ([\d,.]+)", text)[1].replace(",", ""))
        values = _whole(scorecard, indicator)["value"].dropna().to_numpy()
        assert values.mean() == pytest.approx(level, rel=0.05), indicator
        half = len(values) // 2
        drift = values[half:].mean() - values[:half].mean()
        standard_error = values.std(ddof=1) * np.sqrt(2 / half)
        assert abs(drift) < 3 * standard_error, indicator


def test_the_statistics_find_the_documented_patterns(scorecard):
    # analysis.spc (XmR, Making Data Count rules) and analysis.changepoint (PELT) on each
    # whole-council series: stable series show no special cause, the level shift is suggested as
    # a rebase at its month and is a concern, the deterioration ends in concern with a trend,
    # improving series end in improvement.
    catalogue = load_catalogue()
    for indicator, text in DEMO_PATTERNS.items():
        rows = _whole(scorecard, indicator)
        chart = xmr(rows["value"].to_numpy(), improvement=catalogue[indicator].polarity)
        latest = chart["point_type"].iloc[-1]
        if text.startswith("stable"):
            assert (chart["special_cause"] == "").all(), indicator
        elif text.startswith("improving"):
            assert latest == "special_cause_improvement", indicator
        elif text.startswith("sustained deterioration"):
            assert latest == "special_cause_concern", indicator
            assert (chart["special_cause"] == "trend").any(), indicator
        elif text.startswith("level shift"):
            assert latest == "special_cause_concern", indicator
            shown = rows.dropna(subset=["value"])
            rebases = suggest_rebases(shown["value"].to_numpy(), list(shown["period_end"]))
            assert SHIFT_MONTH in list(rebases["period"]), indicator


def test_levels_are_plausible_for_england(scorecard):
    for indicator, (low, high) in PLAUSIBLE.items():
        mean = _whole(scorecard, indicator)["value"].mean()
        assert low <= mean <= high, f"{indicator}: mean {mean:.1f} outside {low}-{high}"


# --------------------------------------------------------------------------- annual files


def test_headers_match_the_real_files(dfe, written):
    ees = written["local/scorecard.csv"].parents[1] / "ees"
    for name in EES_CSVS:
        real = (dfe / "ees" / name).read_bytes().decode("utf-8-sig").splitlines()[0]
        ours = (ees / name).read_bytes().decode("utf-8").splitlines()[0]
        assert ours == real, name
    real_lait = pq.read_schema(dfe / "lait" / "bds_long.parquet")
    ours_lait = pq.read_schema(written["lait/bds_long.parquet"])
    assert [(f.name, f.type) for f in ours_lait] == [(f.name, f.type) for f in real_lait]
    with open(dfe / "lait" / "lait_data_dictionary.csv", encoding="utf-8-sig") as handle:
        real_dictionary = next(csv.reader(handle))
    with open(written["lait/lait_data_dictionary.csv"], encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == real_dictionary
    real_ods = pd.read_excel(dfe / "ees" / OFSTED, sheet_name=OFSTED_SHEET, header=None, nrows=3)
    ours_ods = pd.read_excel(ees / OFSTED, sheet_name=OFSTED_SHEET, header=None, nrows=3)
    assert ours_ods.iloc[2].tolist() == real_ods.iloc[2].tolist()
    assert ours_ods.iloc[:2, 1:].isna().all().all()  # two title rows, then the header on row 3


def test_lait_polarity_matches_the_real_dictionary(dfe, written):
    real = pd.read_csv(dfe / "lait" / "lait_data_dictionary.csv", dtype=str, encoding="utf-8-sig")
    ours = pd.read_csv(written["lait/lait_data_dictionary.csv"], dtype=str)
    assert sorted(ours["Measure_short"]) == sorted(LAIT_MEASURES)
    real_polarity = real.drop_duplicates("Measure_short", keep="last").set_index("Measure_short")
    for row in ours.itertuples(index=False):
        assert row.Polarity == real_polarity.loc[row.Measure_short, "Polarity"], row.Measure_short
        assert row.Year_Type == real_polarity.loc[row.Measure_short, "Year_Type"]


def test_national_and_regional_rows_are_sums_of_their_councils(ees):
    # Where a council cell is a symbol, the published total still counts it (as DfE's do), so
    # the total can only be checked to be at least the sum of the councils shown.
    region_of = {c.la_number: c.region_name for c in DEMO_COUNCILS}
    checked = 0
    for name, table in ees.items():
        keys = ["time_period"] + (["population_type"] if name == "cla" else [])
        additive = [
            c
            for c in table.columns[len(PLACE_AND_TIME) :]
            if c not in ("category", "age_group", "population_type")
            and not re.search(r"percent|rate|caseload", c)
        ]
        level = table["geographic_level"]
        council = level == "Local authority"
        frame = table[additive].apply(_numbers)
        frame[keys] = table[keys]
        frame["region"] = table["old_la_code"].map(region_of).where(council, table["region_name"])
        for total_level, by, members in (
            ("National", keys, 30),
            ("Regional", keys + ["region"], 10),
        ):
            councils = frame.loc[council]
            sizes = councils.groupby(by).size()
            assert (sizes == members).all(), (name, total_level)
            summed = councils.groupby(by)[additive].sum()
            incomplete = councils[additive].isna().groupby([councils[k] for k in by]).any()
            totals = frame.loc[level == total_level].set_index(by)[additive].loc[summed.index]
            exact = (totals - summed).abs().where(~incomplete)
            assert (exact.fillna(0) <= 1e-6).all().all(), (name, total_level)
            assert (totals >= summed - 1e-6).all().all(), (name, total_level)
            checked += int((~incomplete).sum().sum())
    assert checked > 1000


def test_percentages_and_rates_agree_with_counts(ees):
    for name, ratios in RATIOS.items():
        table = ees[name]
        for column, (numerator, denominators, scale) in ratios.items():
            shown = _numbers(table[column])
            parts = pd.concat([_numbers(table[d]) for d in denominators], axis=1).sum(
                axis=1, min_count=len(denominators)
            )
            exact = _numbers(table[numerator]) / parts * scale
            rows = shown.notna() & exact.notna()
            decimals = 0 if column == "rate_per_10000" else 1
            tolerance = 0.5 * 10**-decimals + 1e-9
            # FTE cells are themselves rounded to 0.1, so csww ratios get a little more room.
            tolerance += 0.06 if name == "csww" else 0
            assert rows.sum() > 100, (name, column)
            assert (shown[rows] - exact[rows]).abs().max() <= tolerance, (name, column)


def test_council_rows_carry_published_symbols_and_totals_never_do(ees):
    found = set()
    for table in ees.values():
        values = table.iloc[:, len(PLACE_AND_TIME) :]
        is_symbol = values.isin(SYMBOLS)
        councils = table["geographic_level"] == "Local authority"
        assert not is_symbol.loc[~councils].any().any()
        found |= set(values.where(is_symbol).stack().dropna())
    assert {"c", "x", "low", "z"} <= found


def test_demoshire_annual_figures_come_from_its_scorecard(ees, scorecard):
    def demoshire(name: str, year: int, **filters: str) -> pd.Series:
        table = ees[name]
        chosen = (table["old_la_code"] == DEMO_COUNCIL.la_number) & (
            table["time_period"] == str(year)
        )
        for column, value in filters.items():
            chosen &= table[column] == value
        return table.loc[chosen].iloc[0]

    year_2025 = (scorecard["period_end"] >= "2024-04-01") & (
        scorecard["period_end"] <= "2025-03-31"
    )
    referrals = _whole(scorecard.loc[year_2025], "rereferrals_12m_pct")
    c1 = demoshire("c1", 2025)
    assert int(c1["referral_count"]) == referrals["denominator"].sum()
    assert int(c1["rereferral_count"]) == referrals["numerator"].sum()
    pooled = referrals["numerator"].sum() / referrals["denominator"].sum() * 100
    assert float(c1["rereferral_percent"]) == pytest.approx(pooled, abs=0.05)
    march = scorecard["period_end"] == pd.Timestamp("2025-03-31")
    cla = demoshire("cla", 2025, population_type="Children looked after on 31 March each year")
    assert (
        int(cla["children_count"])
        == _whole(scorecard.loc[march], "cla_rate_per_10k")["numerator"].iloc[0]
    )
    september = scorecard["period_end"] == pd.Timestamp("2025-09-30")
    turnover = _whole(scorecard.loc[september], "sw_turnover_pct").iloc[0]
    assert float(demoshire("csww", 2025)["turnover_rate_fte"]) == pytest.approx(
        turnover["value"], abs=0.05
    )


def test_every_council_has_ten_neighbours_that_exist(written):
    table = _read_ees(written["ees/sn_model_2025_wide.csv"])
    numbers = {c.la_number for c in DEMO_COUNCILS}
    assert set(table["old_la_code"]) == numbers and len(table) == 30
    bands = {"Extremely close", "Very close", "Close ", "Somewhat close", "Not close"}
    for row in table.itertuples(index=False):
        neighbours = [getattr(row, f"SN_{i}") for i in range(1, 11)]
        assert len(set(neighbours)) == 10
        assert set(neighbours) <= numbers - {row.old_la_code}
        assert {getattr(row, f"SN_{i}P") for i in range(1, 11)} <= bands


def test_areas_are_fictional_and_cannot_clash_with_real_ones(ees):
    real = Directory.default().councils
    assert not {c.la_number for c in DEMO_COUNCILS} & set(real["la_number"])
    assert not {c.area_code for c in DEMO_COUNCILS} & set(real["area_code"])
    assert not {c.area_name for c in DEMO_COUNCILS} & set(real["area_name"])
    assert DEMO_COUNCIL.la_number == "701" and DEMO_COUNCIL.area_name == "Demoshire"
    for table in ees.values():
        councils = table.loc[table["geographic_level"] == "Local authority"]
        assert councils["old_la_code"].astype(int).between(701, 730).all()
        assert councils["region_code"].str.startswith("E12999").all()
        assert councils["new_la_code"].str.fullmatch(r"E10999\d{3}").all()


def test_ofsted_outcomes_have_a_realistic_mix(written):
    sheet = pd.read_excel(written["ees/" + OFSTED], sheet_name=OFSTED_SHEET, header=2)
    assert len(sheet) == 30
    overall = sheet["Overall effectiveness"]
    assert set(overall) == {"Outstanding", "Good", "Requires improvement to be good", "Inadequate"}
    care_leavers = sheet["The experiences and progress of care leavers"]
    early = pd.to_datetime(sheet["Inspection date"]) < pd.Timestamp("2023-01-01")
    assert care_leavers[early].isna().all() and care_leavers[~early].notna().all()


def test_lait_file_uses_lait_numbers_years_and_dashes(written):
    table = pd.read_parquet(written["lait/bds_long.parquet"])
    assert table["LA Number"].dtype == np.float64
    assert set(table["Short Desc"]) == set(LAIT_MEASURES)
    assert sorted(table["Years"].unique()) == [str(y) for y in range(2016, 2026)]
    totals = table.loc[table["LA Number"] >= 970]
    assert set(totals["LA Number"]) == {970.0, 980.0, 981.0, 982.0}
    assert (totals["Region"] == "NA").all()
    dashes = table.loc[table["Values"] == "-"]
    assert len(dashes) >= 1 and (dashes["LA Number"] < 970).all()
    assert pd.to_numeric(table.loc[table["Values"] != "-", "Values"]).notna().all()


# --------------------------------------------------------------------------- loaders


def test_the_project_loaders_read_the_demo(written):
    folder = written["README.txt"].parent
    published = load_published(folder)
    assert published.missing == ()
    validate(published.table)
    with_figures = published.table.loc[published.table["la_number"] == DEMO_COUNCIL.la_number]
    assert with_figures["indicator"].nunique() == 18  # all but assessments (no benchmark)
    assert len(published.neighbours[DEMO_COUNCIL.la_number]) == 10
    assert published.good_or_outstanding
    local = load_scorecard(written["local/scorecard.csv"], DEMO_COUNCIL, load_catalogue())
    validate(local)
    assert set(local["indicator"]) == set(LOCAL_INDICATORS)
