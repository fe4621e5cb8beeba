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
