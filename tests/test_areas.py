"""Councils found by DfE number or ONS code; merges, splits and joint returns from the lookup
file."""

import pandas as pd
import pytest

from analysis.areas import Directory, normalise_la_number


@pytest.fixture(scope="module")
def directory():
    return Directory.default()


def test_found_by_either_code(directory):
    assert directory.find("936") == directory.find("E10000030")
    assert directory.find(936).area_name == "Surrey"


def test_former_ons_codes_still_find_the_council(directory):
    # Buckinghamshire became a unitary in 2020 and changed ONS code (E10000002 -> E06000060).
    assert directory.find("E10000002").la_number == "825"


def test_joint_returns_and_predecessors_come_from_the_lookup_file(directory):
    north = directory.find("940")
    assert north.joint_returns == ("E06000061 / E06000062",)
    assert north.predecessors == (directory.find("928").area_code,)
    assert directory.find("314").joint_returns == ("E09000021 / E09000027",)
    assert directory.find("943").predecessors == ("E10000006",)  # Cumbria


@pytest.mark.parametrize("code", ["123", "", " ", "E1000003"])
def test_unknown_code_is_a_clear_error(directory, code):
    # an empty code is no council either (most councils have no former codes: an empty field)
    with pytest.raises(KeyError, match=f"no council with DfE number or ONS code '{code.strip()}'"):
        directory.find(code)


def test_code_list_has_every_current_council(directory, dfe):
    # 153 councils publish in 2025 (EES c1 file), each must be in the shipped code list.
    c1 = pd.read_csv(
        dfe / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", dtype=str
    )
    numbers = c1.loc[
        (c1.time_period == "2025") & (c1.geographic_level == "Local authority"), "old_la_code"
    ]
    assert len(numbers) == 153
    for number in numbers:
        assert directory.find(number).la_number == number


def test_normalise_la_number():
    assert normalise_la_number(pd.Series(["940/941", " 936 ", 201.0])).tolist() == [
        "940 / 941",
        "936",
        "201",
    ]


def test_region_lookup_by_lait_name_and_number(directory):
    assert directory.region_code("London (Inner)") == "E13000001"
    assert directory.region_code("970") == "E92000001"
    assert directory.region_code("Atlantis") is None


def test_a_councils_identity_in_summaries(directory):
    # Surrey: DfE number 936, ONS code E10000030 (analysis/data/local_authorities.csv)
    assert directory.find("E10000030").identity() == {
        "la_number": "936",
        "area_code": "E10000030",
        "name": "Surrey",
    }
