"""The published scorecard and the `compendium scorecard` command, against published figures."""

from __future__ import annotations

import json

import pytest

from analysis.cli import main
from analysis.scorecard import scorecard


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
        __import__("pandas").Series(published.neighbours["936"]))
    values = table.loc[(table["indicator"] == "cpp_2yrs_plus_pct")
                       & (table["period"] == "2025") & table["area_code"].isin(members), "value"]
    assert row["sn_n"] == values.notna().sum() < 10
    assert row["sn_mean"] == pytest.approx(values.dropna().mean(), rel=1e-12)


def test_indicator_without_a_source_says_why(published):
    card = scorecard(published, "936", 2025).set_index("indicator")
    assert "no national or neighbour benchmark" in card.loc["assessments_45d_pct", "status"]


def test_joint_return_council_gets_the_joint_figure(published):
    card = scorecard(published, "941", 2025).set_index("indicator")
    assert card.loc["sw_turnover_pct", "value"] == 10.4  # the joint North/West Northamptonshire row


def test_cli_json(dfe, capsys):
    code = main(["scorecard", "--data-dir", str(dfe), "--la", "936", "--period", "2025",
                 "--format", "json"])
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
