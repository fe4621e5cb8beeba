"""The published scorecard and the `compendium scorecard` command, against published figures."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.cli import main
from analysis.scorecard import latest_year, scorecard


def test_surrey_2025_rereferrals_as_published(published):
    # DfE CIN census 2025 (EES c1): Surrey 20.5%, England 22.6%, South East 28.4%.
    card = scorecard(published, "936", 2025).set_index("indicator")
    row = card.loc["rereferrals_12m_pct"]
    assert (row["value"], row["england"], row["region"]) == (20.5, 22.6, 28.4)
    assert row["sn_n"] == 10


def test_neighbour_mean_and_median_leave_suppressed_members_out(published):
    # cpp_2yrs_plus_pct 2025: several of Surrey's neighbours are suppressed ('c'); n counts only
    # those with a value and the mean is over them alone (never a zero for 'c').
    card = scorecard(published, "936", 2025).set_index("indicator")
    row = card.loc["cpp_2yrs_plus_pct"]
    table = published.table
    members = published.directory.council_codes(
        __import__("pandas").Series(published.neighbours["936"])
    )
    values = table.loc[
        (table["indicator"] == "cpp_2yrs_plus_pct")
        & (table["period"] == "2025")
        & table["area_code"].isin(members),
        "value",
    ]
    assert row["sn_n"] == values.notna().sum() < 10
    assert row["sn_mean"] == pytest.approx(values.dropna().mean(), rel=1e-12)


def test_indicator_without_a_source_says_why(published):
    card = scorecard(published, "936", 2025).set_index("indicator")
    assert "no national or neighbour benchmark" in card.loc["assessments_45d_pct", "status"]


def test_joint_return_council_gets_the_joint_figure(published):
    card = scorecard(published, "941", 2025).set_index("indicator")
    assert card.loc["sw_turnover_pct", "value"] == 10.4  # the joint North/West Northamptonshire row


def test_cli_json(dfe, capsys):
    code = main(
        ["scorecard", "--data-dir", str(dfe), "--la", "936", "--period", "2025", "--format", "json"]
    )
    assert code == 0
    rows = {r["indicator"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["rereferrals_12m_pct"]["value"] == 20.5
    assert rows["rereferrals_12m_pct"]["england"] == 22.6
    assert set(rows) == set(__import__("analysis.catalogue").catalogue.load_catalogue())


def test_cli_unknown_council_is_a_message_not_a_traceback(dfe, capsys):
    code = main(["scorecard", "--data-dir", str(dfe), "--la", "999", "--period", "2025"])
    assert code == 2
    assert "no council with DfE number or ONS code '999'" in capsys.readouterr().err


def test_cli_missing_data_folder(tmp_path, capsys):
    code = main(["scorecard", "--data-dir", str(tmp_path), "--la", "936", "--period", "2025"])
    assert code == 2
    assert "expected a folder with ees/ and lait/" in capsys.readouterr().err


def test_statistics_keys_recomputed_independently_from_the_raw_c1_file(dfe, published):
    # Independent computation from the raw EES c1 file with pandas and numpy only:
    # rank 1 = lowest re-referral % (polarity low), ties share the lowest rank ('min');
    # quartiles by numpy's default (type 7, linear); band 1 if value <= Q1 ... lower is better so
    # 1..4 = A..D; Wilson 95% interval of rereferral_count / referral_count against England.
    import numpy as np
    import pandas as pd

    raw = pd.read_csv(
        dfe / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", dtype=str
    )
    councils = raw.loc[(raw.time_period == "2025") & (raw.geographic_level == "Local authority")]
    values = pd.to_numeric(councils["rereferral_percent"], errors="coerce").dropna()
    surrey = councils.loc[councils.old_la_code == "936"].iloc[0]
    own = float(surrey["rereferral_percent"])
    rank = int((values < own).sum()) + 1
    q1, q2, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    band = "ABCD"[0 if own <= q1 else 1 if own <= q2 else 2 if own <= q3 else 3]
    x, n, z = float(surrey["rereferral_count"]), float(surrey["referral_count"]), 1.959963984540054
    p = x / n
    centre, half = (p + z * z / (2 * n)), z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lower, upper = (centre - half) / (1 + z * z / n) * 100, (centre + half) / (1 + z * z / n) * 100
    expected = "similar" if lower <= 22.6 <= upper else ("better" if upper < 22.6 else "worse")

    row = scorecard(published, "936", 2025).set_index("indicator").loc["rereferrals_12m_pct"]
    assert (row["national_rank"], row["rank_of"]) == (rank, len(values))
    assert row["quartile_band"] == band
    assert row["compared_with_england"] == expected == "better"
    assert row["recent_trend"] in {
        "decreasing and getting better",
        "no significant change",
        "decreasing and getting worse",
        "increasing and getting worse",
        "increasing and getting better",
    }


def test_neutral_indicators_get_no_rank_or_band(published):
    card = scorecard(published, "936", 2025).set_index("indicator")
    neutral = card.loc["cla_rate_per_10k"]
    assert neutral["quartile_band"] is None or neutral["quartile_band"] != neutral["quartile_band"]
    assert neutral["national_rank"] is __import__("pandas").NA
    assert neutral["compared_with_england"] in {"higher", "similar", "lower"}


def test_latest_year_is_englands_not_a_year_one_council_has():
    # a hand-made table: England and Surrey in 2025, Surrey alone in 2026 (a year typed wrong);
    # without England's rows, any area's latest year
    table = pd.DataFrame(
        {
            "area_code": ["E92000001", "E10000030", "E10000030"],
            "period_end": pd.to_datetime(["2025-03-31", "2025-03-31", "2026-03-31"]),
        }
    )
    assert latest_year(table) == 2025
    assert latest_year(table.iloc[1:]) == 2026
