"""Statistical neighbours (EES CSV and LAIT workbook) and Ofsted ILACS outcomes."""

import pytest

from analysis.areas import Directory
from analysis.errors import DataError
from analysis.neighbours import load_neighbours
from analysis.ofsted import JUDGEMENTS, good_or_outstanding, load_ilacs


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
