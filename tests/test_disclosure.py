"""Disclosure control: small counts, published symbols in words, secondary suppression.

Where expected values come from: the rules of docs/methods.md section 5 and the module notes of
analysis/disclosure.py (threshold 10 by default, counts 1 to 9 hidden, zero shown); the symbol
meanings are the DfE / LAIT ones listed in analysis/values.py; every expected sum below is
worked by hand in its comment. Properties are checked by hypothesis on generated tables.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.catalogue import load_catalogue
from analysis.demo import DEMO_COUNCIL, write_demo
from analysis.disclosure import (
    FLAG,
    STATUS_WORDS,
    SUPPRESSED,
    display_count,
    display_status,
    protect_table,
    small_number,
)
from analysis.local_scorecard import load_scorecard
from analysis.values import BLANK, SUPPRESSION_SYMBOLS


def _number(text: str) -> float | None:
    """The number a displayed cell shows, or None when it shows words."""
    cleaned = text.replace(",", "").rstrip("%" + FLAG)
    return float(cleaned) if re.fullmatch(r"-?\d+(\.\d+)?", cleaned) else None


# --- words for statuses ----------------------------------------------------------------------


def test_the_published_symbols_read_as_the_words_of_the_brief():
    # the words the brief and methods.md section 5 name for c, x, z, low, u
    assert [display_status(s) for s in ("c", "x", "z", "low", "u")] == [
        "suppressed",
        "not available",
        "not applicable",
        "rounds to zero",
        "low reliability",
    ]
    assert display_status("k") == "fewer than 5"  # values.py: k = fewer than 5 (rounded)
    assert display_status("-") == "missing or suppressed"  # LAIT's dash
    assert display_status(" C ") == "suppressed"  # as published: any case, padded


def test_every_symbol_the_loaders_know_has_words():
    for symbol in [*SUPPRESSION_SYMBOLS, BLANK]:
        words = display_status(symbol)
        assert words == STATUS_WORDS[symbol]
        assert words != symbol and re.fullmatch(r"[a-z ]+[a-z0-9 ]*", words), (symbol, words)
        assert not re.fullmatch(r"0+(\.0+)?", words)  # never shown as zero


def test_a_missing_status_is_not_available_and_a_reason_reads_as_written():
    for missing in (None, np.nan, pd.NA, "", "  "):
        assert display_status(missing) == "not available"
    assert display_status("not published for 2025") == "not published for 2025"


# --- counts ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    threshold=st.integers(min_value=1, max_value=1000),
    count=st.integers(min_value=0, max_value=2000),
)
def test_counts_below_the_threshold_are_never_shown_as_digits(threshold, count):
    shown = display_count(count, threshold)
    if 0 < count < threshold:
        assert shown == f"fewer than {threshold}"
        assert not re.search(rf"(?<![\d,]){count}(?![\d,])", shown)
        assert small_number(count, threshold) == shown
    else:
        # zero and counts at or above the threshold are shown, thousands separated
        assert shown == f"{count:,}"
        assert small_number(count, threshold) is None


def test_counts_one_to_nine_read_fewer_than_ten_by_default():
    assert {display_count(n) for n in range(1, 10)} == {"fewer than 10"}
    assert display_count(10) == "10"
    assert display_count(9.5) == "fewer than 10"  # a part-time count is still small
    assert display_count(12.5, decimal_places=1) == "12.5"


def test_zero_is_shown_as_zero_and_missing_counts_as_words():
    # documented: a true zero is shown; an unknown count is never 0
    assert display_count(0) == "0"
    assert small_number(0) is None
    assert display_count(None) == "not available"
    assert display_count(np.nan, status="c") == "suppressed"
    assert display_count("c") == "suppressed"
    assert display_count("x") == "not available"
    assert display_count(-3) == "not shown: a count cannot be negative"


@pytest.mark.parametrize("threshold", [0, -1, 2.5, True, "10"])
def test_the_threshold_must_be_a_whole_number_of_at_least_one(threshold):
    with pytest.raises(ValueError, match="threshold"):
        display_count(5, threshold)


# --- protecting a table ----------------------------------------------------------------------


def _teams(children: list, total: float | None = None) -> pd.DataFrame:
    parts = [f"team: {name}" for name in ("North", "South", "East", "West", "Central")]
    total = sum(children) if total is None else total
    return pd.DataFrame(
        {"breakdown": ["all", *parts[: len(children)]], "children": [total, *children]}
    )


def test_one_small_team_count_takes_the_smallest_other_team_with_it():
    # 57 = 4 + 41 + 12: North (4) is small; alone it would be 57 - 41 - 12 = 4, so the smallest
    # other non-zero team (East, 12) is hidden too and 57 - 41 = 16 could be any split.
    shown, notes = protect_table(_teams([4, 41, 12]), ["children"])
    assert shown["children"].tolist() == ["57", SUPPRESSED, "41", SUPPRESSED]
    assert "another is hidden too" in notes[0]


def test_a_zero_is_never_the_second_count_hidden():
    # 34 = 4 + 0 + 30: hiding the 0 would leave 34 - 30 = 4 for the pair, giving 4 away,
    # so the 30 is hidden and the zero stays shown.
    shown, _ = protect_table(_teams([4, 0, 30]), ["children"])
    assert shown["children"].tolist() == ["34", SUPPRESSED, "0", SUPPRESSED]


def test_the_total_is_hidden_when_no_team_is_left_to_hide():
    # parts 4 and 0 against a published total of 15 (they need not add up): the only
    # non-zero part left is none, so the total is hidden instead
    shown, _ = protect_table(_teams([4, 0], total=15), ["children"])
    assert shown["children"].tolist() == [SUPPRESSED, SUPPRESSED, "0"]


def test_a_publisher_suppressed_team_is_protected_like_a_small_one():
    # North published as 'c', total 60 = c + 30 + 25: 60 - 30 - 25 = 5 would give it away,
    # so the smallest other team (25) is hidden; the 'c' reads as its word
    shown, _ = protect_table(_teams(["c", 30, 25], total=60), ["children"])
    assert shown["children"].tolist() == ["60", SUPPRESSED, "30", SUPPRESSED]


def test_without_a_total_small_counts_read_fewer_than_ten():
    table = pd.DataFrame({"team": ["North", "South"], "children": [4, 41]})
    shown, notes = protect_table(table, ["children"])
    assert shown["children"].tolist() == ["fewer than 10", "41"]
    assert notes == ["Counts from 1 to 9 are not shown: they read 'fewer than 10'."]


def test_beside_a_total_two_small_counts_both_read_suppressed():
    # "fewer than 10" twice with 58 - 40 = 18 left would show both are 9 (9 + 9 is the only
    # way to make 18 from two counts below 10), so hidden counts in a sum all read the same
    shown, _ = protect_table(_teams([9, 9, 40]), ["children"])
    assert shown["children"].tolist() == ["58", SUPPRESSED, SUPPRESSED, "40"]
    assert "fewer than" not in " ".join(shown["children"])


def test_breakdowns_of_one_total_are_protected_together():
    # teams: 100 = 5 + 95, so the 5 takes the 95 with it; ages: 100 = 50 + 50 has no hidden
    # cell and the total is still shown, so the ages are untouched.
    table = pd.DataFrame(
        {
            "breakdown": ["all", "team: North", "team: South", "age: 0-9", "age: 10-17"],
            "children": [100, 5, 95, 50, 50],
        }
    )
    shown, _ = protect_table(table, ["children"])
    assert shown["children"].tolist() == ["100", SUPPRESSED, SUPPRESSED, "50", "50"]


def test_a_hidden_total_makes_the_other_breakdown_hide_a_second_count():
    # teams 4 and 0 against a published total of 30 (not additive): no non-zero team is left,
    # so the total is hidden. The age sum 30 = 12 + 18 then has exactly one hidden cell (the
    # total), so its smaller part (12) goes too: otherwise 12 + 18 would give the total back.
    table = pd.DataFrame(
        {
            "breakdown": ["all", "team: North", "team: South", "age: 0-9", "age: 10-17"],
            "children": [30, 4, 0, 12, 18],
        }
    )
    shown, _ = protect_table(table, ["children"])
    assert shown["children"].tolist() == [SUPPRESSED, SUPPRESSED, "0", SUPPRESSED, "18"]


def _relation_cells(shown: pd.DataFrame, frame: pd.DataFrame, column: str):
    """(total, parts) of each sum as (shown text, true value) pairs."""
    for _, rows in frame.groupby("period").groups.items():
        block = frame.loc[rows]
        total = block.index[block["breakdown"] == "all"][0]
        parts = block.index[block["breakdown"] != "all"]
        yield (
            (shown.at[total, column], frame.at[total, column]),
            [(shown.at[p, column], frame.at[p, column]) for p in parts],
        )


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.lists(st.one_of(st.integers(0, 12), st.integers(10, 400)), min_size=1, max_size=5),
        min_size=1,
        max_size=4,
    ),
    threshold=st.integers(min_value=2, max_value=15),
)
def test_no_hidden_team_count_can_be_recovered_by_summing(data, threshold):
    rows = []
    for period, parts in enumerate(data):
        rows.append({"period": str(period), "breakdown": "all", "children": sum(parts)})
        rows += [
            {"period": str(period), "breakdown": f"team: {i}", "children": c}
            for i, c in enumerate(parts)
        ]
    frame = pd.DataFrame(rows)
    shown, _ = protect_table(frame, ["children"], threshold=threshold)
    for cell in shown["children"]:
        number = _number(cell)
        assert number is None or number == 0 or number >= threshold, cell
    for (total_text, total), parts in _relation_cells(shown, frame, "children"):
        hidden = [value for text, value in parts if _number(text) is None]
        if _number(total_text) is None:
            continue  # the total is hidden: nothing to subtract from
        # the total minus the shown teams is the sum of the hidden ones ...
        remainder = total - sum(_number(text) for text, _ in parts if _number(text) is not None)
        assert remainder == sum(hidden)
        # ... which never pins down a single team: none are hidden, or two or more are
        assert len(hidden) != 1, (parts, total)


def test_percentages_built_on_a_hidden_count_are_hidden():
    # North: 4 of 20 = 20.0%; 20.0% x 20 would give 4 back, so the percentage is hidden.
    # East (12 of 80) is hidden as the second count, so its 15.0% goes too.
    frame = pd.DataFrame(
        {
            "breakdown": ["all", "team: North", "team: South", "team: East"],
            "numerator": [57, 4, 41, 12],
            "denominator": [200, 20, 100, 80],
            "value": [28.5, 20.0, 41.0, 15.0],
        }
    )
    bases = {"value": ["numerator", "denominator"]}
    shown, notes = protect_table(frame, ["numerator", "denominator"], bases)
    assert shown["value"].tolist() == ["28.5%", SUPPRESSED, "41.0%", SUPPRESSED]
    assert shown["denominator"].tolist() == ["200", "20", "100", "80"]
    assert "Percentages built on a hidden count are not shown either." in notes


def test_flagged_percentages_carry_the_marker_and_the_note():
    frame = pd.DataFrame({"children": [4, 41], "value": [20.0, 41.0]})
    shown, notes = protect_table(frame, ["children"], ["value"], percentages="flag")
    assert shown["value"].tolist() == [f"20.0%{FLAG}", "41.0%"]
    assert notes[-1].startswith(f"{FLAG} based on fewer than 10 children")


def test_published_symbols_stay_words_and_never_zero():
    frame = pd.DataFrame(
        {
            "breakdown": ["all", "all"],
            "period": ["Jul 2024", "Aug 2024"],
            "numerator": [np.nan, 150.0],
            "denominator": [1011.0, np.nan],
            "value": [np.nan, np.nan],
            "status": ["c", "x"],
        }
    )
    shown, _ = protect_table(frame, ["numerator", "denominator"], ["value"])
    assert shown["numerator"].tolist() == ["suppressed", "150"]
    assert shown["denominator"].tolist() == ["1,011", "not available"]
    assert shown["value"].tolist() == ["suppressed", "not available"]


def test_the_threshold_is_a_parameter():
    # with a threshold of 5, 7 is shown and 4 is not
    shown, _ = protect_table(pd.DataFrame({"children": [4, 7]}), ["children"], threshold=5)
    assert shown["children"].tolist() == ["fewer than 5", "7"]


def test_other_columns_and_the_index_are_kept():
    frame = _teams([4, 41, 12]).set_index(pd.Index([10, 11, 12, 13]))
    frame["note"] = ["a", "b", "c", "d"]
    shown, _ = protect_table(frame, ["children"])
    assert shown.index.tolist() == [10, 11, 12, 13]
    assert shown["note"].tolist() == ["a", "b", "c", "d"]
    assert shown["breakdown"].tolist() == frame["breakdown"].tolist()


def test_bad_tables_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="no column"):
        protect_table(_teams([4, 41]), ["pupils"])
    twice = pd.concat([_teams([4, 41]), _teams([5, 41])])
    with pytest.raises(ValueError, match="more than one 'all' row"):
        protect_table(twice, ["children"])
    with pytest.raises(ValueError, match="percentages"):
        protect_table(_teams([4, 41]), ["children"], percentages="hide")


def test_an_empty_table_gives_an_empty_table_and_no_notes():
    shown, notes = protect_table(pd.DataFrame({"breakdown": [], "children": []}), ["children"])
    assert shown.empty and notes == []


def test_the_demo_scorecard_shows_no_small_count(tmp_path):
    # the demo publishes counts 1 to 5 as 'c' and has counts 6 to 9 shown (test_demo.py), and
    # re-referrals split by team; every team sum is by period (the tidy table's default group)
    written = write_demo(tmp_path)
    table = load_scorecard(written["local/scorecard.csv"], DEMO_COUNCIL, load_catalogue())
    percent = table[table["indicator"].isin(["cpp_2yrs_plus_pct", "rereferrals_12m_pct"])]
    shown, notes = protect_table(
        percent, ["numerator", "denominator"], {"value": ["numerator", "denominator"]}
    )
    for column in ("numerator", "denominator"):
        numbers = [_number(c) for c in shown[column]]
        assert all(n is None or n == 0 or n >= 10 for n in numbers)
    small = percent["numerator"].between(1, 9).to_numpy()
    assert small.sum() >= 3  # the demo has small counts to hide
    assert set(shown.loc[small, "value"]) == {SUPPRESSED}
    published_c = (percent["status"] == "c").fillna(False).to_numpy()
    assert set(shown.loc[published_c, "numerator"]) == {"suppressed"}
    assert notes
