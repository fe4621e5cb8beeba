"""Statistical neighbours (EES CSV and LAIT workbook) and Ofsted ILACS outcomes."""

import pandas as pd
import pytest

from analysis.areas import Directory
from analysis.errors import DataError
from analysis.neighbours import load_neighbours
from analysis.ofsted import JUDGEMENTS, good_or_outstanding, load_ilacs, unjudged


def test_both_neighbour_files_agree(dfe):
    ees = load_neighbours(dfe / "ees" / "sn_model_2025_wide.csv")
    lait = load_neighbours(dfe / "lait" / "sn_may_2025.xlsx")  # header is not on the first row
    assert len(ees) == 153
    assert all(len(members) == 10 for members in ees.values())
    assert all(lait[council] == members for council, members in ees.items())
    # Surrey's closest neighbour in the 2025 model is Windsor and Maidenhead (868).
    assert ees["936"][0] == "868"


def test_every_neighbour_is_a_known_council(dfe):
    directory = Directory.default()
    for members in load_neighbours(dfe / "ees" / "sn_model_2025_wide.csv").values():
        for member in members:
            directory.find(member)


def test_ilacs_latest_judgement_per_council(dfe):
    ilacs = load_ilacs(dfe / "ees" / "LA_Inspection_Outcomes_as_at_31_March_2025.ods")
    assert len(ilacs) == 153 and ilacs["area_code"].is_unique
    assert set(ilacs["overall_effectiveness"]) <= set(JUDGEMENTS)
    # Published counts at 31 March 2025: 36 Outstanding + 67 Good.
    assert len(good_or_outstanding(ilacs)) == 103


def test_neighbour_file_without_neighbour_columns(tmp_path):
    path = tmp_path / "sn.csv"
    path.write_text("old_la_code,la_name\n936,Surrey\n")
    with pytest.raises(DataError, match="SN_1"):
        load_neighbours(path)


def test_ofsted_workbook_without_the_sheet(tmp_path):
    import pandas as pd

    path = tmp_path / "ofsted.ods"
    pd.DataFrame({"a": [1]}).to_excel(path, sheet_name="Other", engine="odf", index=False)
    with pytest.raises(DataError, match="Inspections_as_at_31_March"):
        load_ilacs(path)


def test_councils_missing_from_the_ofsted_workbook_are_listed_in_words():
    directory = Directory.default()
    councils = [directory.find(code) for code in ("E10000030", "E08000025", "E09000002")]
    councils += [directory.find(code) for code in ("E06000001", "E06000002", "E06000003")]
    councils += [directory.find("E06000004")]
    table = pd.DataFrame(
        {
            "indicator": "cin",
            "area_level": "local authority",
            "area_code": [c.area_code for c in councils],
            "area_name": [c.area_name for c in councils],
            "period_end": pd.Timestamp("2025-03-31"),
            "value": 1.0,
        }
    )
    judged = pd.DataFrame({"area_code": [c.area_code for c in councils[2:]]})
    two = unjudged(judged, table, directory, "f.ods")
    assert two == (
        "f.ods has no row for Birmingham and Surrey, so their judgements are not known and "
        "cannot count among the good or outstanding councils compared with (was a row deleted?)"
    )
    # beyond five councils, the first five in alphabetical order and how many more
    seven = unjudged(judged.iloc[:0], table, directory, "f.ods")
    names = ", ".join(sorted(c.area_name for c in councils)[:5])
    assert seven.startswith(f"f.ods has no row for {names} and 2 more, so their judgements ")
    assert unjudged(pd.DataFrame({"area_code": table["area_code"]}), table, directory, "f") == ""
