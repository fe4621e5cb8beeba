"""The council's own scorecard: long and wide layouts, CSV and Excel, and clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.areas import Council
from analysis.catalogue import load_catalogue
from analysis.errors import DataError
from analysis.local_scorecard import load_scorecard

COUNCIL = Council("701", "E10999701", "Demoshire", "E12999001", "North Demoland")
CATALOGUE = load_catalogue()

LONG = """indicator,period_end,period_type,breakdown,value,numerator,denominator,status
rereferrals_12m_pct,2025-07-31,month,all,20.0,40,200,
rereferrals_12m_pct,2025-08-31,month,all,,,,c
rereferrals_12m_pct,2025-09-31,month,all,25.0,50,200,
"""


def _write(tmp_path, text, name="scorecard.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_long_layout(tmp_path):
    text = LONG.replace("2025-09-31", "2025-09-30")
    table = load_scorecard(_write(tmp_path, text), COUNCIL, CATALOGUE)
    assert table["period"].tolist() == ["Jul 2025", "Aug 2025", "Sep 2025"]
    assert table["period_start"].tolist()[0] == pd.Timestamp(2025, 7, 1)
    assert table["value"].isna().tolist() == [False, True, False]
    assert table["status"].tolist()[1] == "c"  # suppressed, not zero
    assert (table["area_code"] == "E10999701").all()


def test_bad_date_names_row_and_column(tmp_path):
    with pytest.raises(DataError, match="row 4, column period_end"):
        load_scorecard(_write(tmp_path, LONG), COUNCIL, CATALOGUE)


def test_wide_layout_csv_and_excel_give_the_long_result(tmp_path):
    wide = pd.DataFrame(
        {
            "indicator": ["rereferrals_12m_pct", "sw_caseload"],
            "Jul 2025": ["20.0", "16.2"],
            "Aug 2025": ["c", "16.0"],
            "Sep 2025": ["25.0", ""],
        }
    )
    csv_path = tmp_path / "wide.csv"
    wide.to_csv(csv_path, index=False)
    xlsx_path = tmp_path / "wide.xlsx"
    wide.to_excel(xlsx_path, index=False)
    from_csv = load_scorecard(csv_path, COUNCIL, CATALOGUE)
    from_xlsx = load_scorecard(xlsx_path, COUNCIL, CATALOGUE)
    pd.testing.assert_frame_equal(from_csv.drop(columns="source"), from_xlsx.drop(columns="source"))
    caseload = from_csv.loc[from_csv["indicator"] == "sw_caseload"]
    assert caseload["value"].tolist()[:2] == [16.2, 16.0]
    assert caseload["status"].tolist()[2] == "blank"


def test_unknown_scorecard_id_is_an_error(tmp_path):
    text = LONG.replace("rereferrals_12m_pct,2025-07-31", "rerefs,2025-07-31")
    with pytest.raises(DataError, match="row 2, column indicator: scorecard id 'rerefs'"):
        load_scorecard(_write(tmp_path, text), COUNCIL, CATALOGUE)


def test_numerator_above_denominator_is_an_error(tmp_path):
    text = LONG.replace("20.0,40,200", "20.0,400,200").replace("2025-09-31", "2025-09-30")
    with pytest.raises(DataError, match="row 2, column numerator"):
        load_scorecard(_write(tmp_path, text), COUNCIL, CATALOGUE)


def test_negative_value_is_an_error(tmp_path):
    text = LONG.replace("25.0,50,200", "-25.0,50,200").replace("2025-09-31", "2025-09-30")
    with pytest.raises(DataError, match="row 4"):
        load_scorecard(_write(tmp_path, text), COUNCIL, CATALOGUE)


def test_repeated_month_is_an_error(tmp_path):
    text = LONG.replace("2025-09-31", "2025-07-31")
    with pytest.raises(DataError, match="repeat"):
        load_scorecard(_write(tmp_path, text), COUNCIL, CATALOGUE)


def _formatted(path, cells):
    """The workbook at ``path`` with each cell of ``cells`` (``{"C2": (value, format)}``) set."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    for address, (value, number_format) in cells.items():
        book.active[address] = value
        book.active[address].number_format = number_format
    book.save(path)
    return path


def test_excel_cells_shown_as_percentages_are_read_as_shown(tmp_path):
    # Excel keeps a cell that shows 20.0% as 0.2: the figure the analyst typed and sees is 20.0
    wide = pd.DataFrame(
        {
            "indicator": ["rereferrals_12m_pct", "sw_caseload"],
            "Jul 2025": ["20.0", "16.2"],
            "Aug 2025": ["22.5", "16.0"],
            "Sep 2025": ["25.0", "15.5"],
        }
    )
    wide.to_csv(tmp_path / "wide.csv", index=False)
    expected = load_scorecard(tmp_path / "wide.csv", COUNCIL, CATALOGUE)
    wide.astype(dict.fromkeys(["Jul 2025", "Aug 2025", "Sep 2025"], float)).to_excel(
        tmp_path / "wide.xlsx", index=False
    )
    path = _formatted(
        tmp_path / "wide.xlsx", {"B2": (0.2, "0.0%"), "C2": (0.225, "0.0%"), "D2": (0.25, "0%")}
    )
    table = load_scorecard(path, COUNCIL, CATALOGUE)
    pd.testing.assert_frame_equal(table.drop(columns="source"), expected.drop(columns="source"))
    # a % sign quoted or escaped in the format is text: the number is shown, and read, as it is
    literal = _formatted(path, {"B2": (20.0, '0.0"%"'), "C2": (22.5, "0.0\\%")})
    table = load_scorecard(literal, COUNCIL, CATALOGUE)
    pd.testing.assert_frame_equal(table.drop(columns="source"), expected.drop(columns="source"))


def test_excel_percentages_beside_their_counts_are_checked_as_shown(tmp_path):
    # a long sheet whose values are Excel percentages: 40 of 200 is 20.0%, kept as 0.2
    text = LONG.replace("2025-09-31", "2025-09-30")
    pd.read_csv(pd.io.common.StringIO(text)).to_excel(tmp_path / "long.xlsx", index=False)
    path = _formatted(tmp_path / "long.xlsx", {"E2": (0.2, "0.0%"), "E4": (0.25, "0.0%")})
    table = load_scorecard(path, COUNCIL, CATALOGUE)
    assert table["value"].tolist()[::2] == [20.0, 25.0]
    # unformatted, 0.2 beside 40 of 200 is no percentage of them: an error naming the cell
    bare = _formatted(path, {"E2": (0.2, "General")})
    with pytest.raises(DataError, match=r"row 2, column value: expected 40 / 200 x 100 = 20 "):
        load_scorecard(bare, COUNCIL, CATALOGUE)


def _ods(path, rows):
    """An OpenDocument sheet of ``rows`` (text, or ``(value, "percentage")`` for a cell shown
    as a percentage), written with odfpy as LibreOffice writes one, with a repeated empty row
    and cell above and left of the table."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    sheet = Table(name="Scorecard")
    blank = TableRow(numberrowsrepeated=2)
    blank.addElement(TableCell(numbercolumnsrepeated=3))
    sheet.addElement(blank)
    for cells in rows:
        row = TableRow()
        row.addElement(TableCell())
        for cell in cells:
            if isinstance(cell, tuple):
                element = TableCell(valuetype=cell[1], value=str(cell[0]))
                element.addElement(P(text=f"{cell[0] * 100:g}%"))
            else:
                element = TableCell(valuetype="string")
                element.addElement(P(text=cell))
            row.addElement(element)
        sheet.addElement(row)
    doc.spreadsheet.addElement(sheet)
    doc.save(str(path))
    return path


def test_opendocument_cells_shown_as_percentages_are_read_as_shown(tmp_path):
    header = ["indicator", "Jul 2025", "Aug 2025", "Sep 2025"]
    pd.DataFrame([["rereferrals_12m_pct", "20.0", "22.5", "25.0"]], columns=header).to_csv(
        tmp_path / "wide.csv", index=False
    )
    expected = load_scorecard(tmp_path / "wide.csv", COUNCIL, CATALOGUE)
    shown = [(0.2, "percentage"), (0.225, "percentage"), (0.25, "percentage")]
    path = _ods(tmp_path / "wide.ods", [header, ["rereferrals_12m_pct", *shown]])
    table = load_scorecard(path, COUNCIL, CATALOGUE)
    pd.testing.assert_frame_equal(table.drop(columns="source"), expected.drop(columns="source"))
    # the same numbers typed as plain floats are read as they are
    plain = [(20.0, "float"), (22.5, "float"), (25.0, "float")]
    table = load_scorecard(
        _ods(path, [header, ["rereferrals_12m_pct", *plain]]), COUNCIL, CATALOGUE
    )
    pd.testing.assert_frame_equal(table.drop(columns="source"), expected.drop(columns="source"))


def test_percentages_saved_by_excel_to_csv_with_a_sign_are_read(tmp_path):
    # Excel saves a cell shown as 20.0% to CSV as "20.0%": for a percentage, that is 20.0
    text = LONG.replace("2025-09-31", "2025-09-30")
    expected = load_scorecard(_write(tmp_path, text), COUNCIL, CATALOGUE)
    signed = text.replace(",20.0,", ",20.0%,").replace(",25.0,", ",25.0 %,")
    table = load_scorecard(_write(tmp_path, signed), COUNCIL, CATALOGUE)
    pd.testing.assert_frame_equal(table, expected)
    # wide, and wide with a measure column, the same
    wide = "indicator,Jul 2025,Aug 2025,Sep 2025\nrereferrals_12m_pct,20.0%,c,25.0%\n"
    table = load_scorecard(_write(tmp_path, wide, "wide.csv"), COUNCIL, CATALOGUE)
    assert table["value"].tolist()[::2] == [20.0, 25.0] and table["status"].tolist()[1] == "c"
    measured = (
        "indicator,measure,Jul 2025,Aug 2025\n"
        "rereferrals_12m_pct,value,20.0%,22.5%\n"
        "rereferrals_12m_pct,numerator,40,45\n"
        "rereferrals_12m_pct,denominator,200,200\n"
    )
    table = load_scorecard(_write(tmp_path, measured, "measured.csv"), COUNCIL, CATALOGUE)
    assert table["value"].tolist() == [20.0, 22.5]


def test_a_percent_sign_on_a_figure_that_is_no_percentage_is_an_error(tmp_path):
    # a caseload is a number of cases, and a count is a count: a % sign there is a slip
    wide = "indicator,Jul 2025,Aug 2025\nsw_caseload,16.2,16.0%\n"
    with pytest.raises(
        DataError, match=r"wide.csv, row 2, column Aug 2025: expected a number .*found '16.0%'"
    ):
        load_scorecard(_write(tmp_path, wide, "wide.csv"), COUNCIL, CATALOGUE)
    measured = (
        "indicator,measure,Jul 2025\n"
        "rereferrals_12m_pct,value,20.0%\n"
        "rereferrals_12m_pct,numerator,40%\n"
        "rereferrals_12m_pct,denominator,200\n"
    )
    with pytest.raises(DataError, match=r"row 3, column Jul 2025: expected a number .*'40%'"):
        load_scorecard(_write(tmp_path, measured, "measured.csv"), COUNCIL, CATALOGUE)


def test_a_status_beside_a_value_is_an_error_naming_the_cell(tmp_path, demo_data, damage):
    # A status says why a value is missing ("c": suppressed), so a status with a value is
    # ambiguous: the figure may be a suppressed one exported by mistake (never to be shown) or
    # the status stale. Only the council can tell, so it is an error naming file, row and
    # column, not a figure shown (before: 25.1% shown with no word) nor a guess.
    text = LONG.replace("2025-09-31", "2025-09-30").replace("25.0,50,200,", "25.0,50,200,c")
    with pytest.raises(DataError, match=r"row 4, column status: status 'c' says the value is"):
        load_scorecard(_write(tmp_path, text), COUNCIL, CATALOGUE)
    # the audit's case: line 85 of the demo scorecard (re-referrals, September 2025, the whole
    # council, 264 of 1,053 = 25.0712%) given the status c with its value left in
    line = "rereferrals_12m_pct,2025-09-30,month,all,25.0712,264,1053,"
    path = damage(
        demo_data / "local" / "scorecard.csv",
        lambda lines: [x + "c" if x == line else x for x in lines],
    )
    assert path.read_text().splitlines()[84] == line + "c"
    with pytest.raises(DataError, match=r"scorecard.csv, row 85, column status: .*gives 25.0712"):
        load_scorecard(path, COUNCIL, CATALOGUE)


def test_a_quarter_must_end_in_a_quarters_last_month(tmp_path):
    # Jun, Sep, Dec and Mar end the financial quarters; a quarter ending in August would be
    # June to August and overlap April to June, so July and the months around it count twice
    text = """indicator,period_end,period_type,value,numerator,denominator
care_leavers_eet_pct,2025-06-30,quarter,55.0,110,200
care_leavers_eet_pct,2025-08-31,quarter,56.0,112,200
"""
    with pytest.raises(
        DataError,
        match="row 3, column period_end: expected the last month of a quarter \\(June, "
        "September, December or March\\) for a quarterly figure, found August 2025",
    ):
        load_scorecard(_write(tmp_path, text), COUNCIL, CATALOGUE)
    good = text.replace("2025-08-31", "2025-09-30")
    table = load_scorecard(_write(tmp_path, good), COUNCIL, CATALOGUE)
    assert table["period"].tolist() == ["Apr-Jun 2025", "Jul-Sep 2025"]


def test_a_quarterly_figure_in_a_month_column_of_a_wide_sheet_is_named(tmp_path):
    # in a monthly sheet a quarterly indicator's cells are read at quarter ends only; a figure
    # typed in July's column would be a quarter May to July
    text = "indicator,Jun 2025,Jul 2025,Sep 2025\ncare_leavers_eet_pct,55.0,56.0,57.0\n"
    with pytest.raises(
        DataError,
        match="row 2, column Jul 2025: expected the last month of a quarter",
    ):
        load_scorecard(_write(tmp_path, text), COUNCIL, CATALOGUE)
    table = load_scorecard(_write(tmp_path, text.replace("56.0", "")), COUNCIL, CATALOGUE)
    assert table["period"].tolist() == ["Apr-Jun 2025", "Jul-Sep 2025"]
