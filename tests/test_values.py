"""Published cells: suppression symbols become a status with no value, never zero."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.errors import DataError
from analysis.values import BLANK, SUPPRESSION_SYMBOLS, parse_cells


@pytest.mark.parametrize("symbol", ["c", "x", "z", "low", "u", "k", "-", "C", " x "])
def test_every_suppression_symbol_is_a_status_without_a_value(symbol):
    value, status = parse_cells(pd.Series(["12", symbol]), "f.csv", "col")
    assert value.tolist()[0] == 12.0
    assert pd.isna(value.iloc[1])
    assert status.iloc[1] == symbol.strip().lower()
    assert pd.isna(status.iloc[0])


def test_blank_is_a_status_not_zero():
    value, status = parse_cells(pd.Series(["", "3.5"]), "f.csv", "col")
    assert pd.isna(value.iloc[0]) and status.iloc[0] == BLANK
    assert value.iloc[1] == 3.5


def test_thousands_separators_and_scientific_notation():
    value, _ = parse_cells(pd.Series(["1,204", "7.0000000000000007E-2"]), "f.csv", "col")
    assert value.tolist() == [1204.0, pytest.approx(0.07)]


def test_text_in_a_numeric_column_names_file_row_and_column():
    with pytest.raises(DataError) as error:
        parse_cells(pd.Series(["1", "2", "twelve"]), "c1.csv", "referral_count")
    assert str(error.value).startswith("c1.csv, row 4, column referral_count: expected a number")


def test_infinite_values_are_rejected():
    with pytest.raises(DataError, match="finite"):
        parse_cells(pd.Series(["1", "inf"]), "f.csv", "col")


@given(
    st.lists(
        st.one_of(
            st.sampled_from(list(SUPPRESSION_SYMBOLS) + [""]),
            st.floats(allow_nan=False, allow_infinity=False).map(repr),
        )
    )
)
def test_every_cell_has_a_value_or_a_status_never_both(cells):
    value, status = parse_cells(pd.Series(cells, dtype="object"), "f.csv", "col")
    assert (value.notna() ^ status.notna()).all()


@pytest.mark.parametrize("cell", ["12,5", "1,2,3", "12,3,4", ",5", "1,20"])
def test_a_comma_that_is_not_a_thousands_separator_is_an_error(cell):
    # "12,5" is a decimal comma (12.5) or a typing slip: read as 125 it would be wrong.
    with pytest.raises(DataError, match=f"found '{cell}'"):
        parse_cells(pd.Series(["1", cell]), "f.csv", "col")


def test_thousands_separators_in_groups_of_three():
    value, _ = parse_cells(pd.Series(["1,204", "-12,345.5", "1,000,000"]), "f.csv", "col")
    assert value.tolist() == [1204.0, -12345.5, 1_000_000.0]
