"""What changed since the last report (analysis/changes.py), on hand-made summaries.

Each expected value is read off the two summaries by the rules in the module's notes: red now
and not before is new, red before and not now is resolved; a variation icon other than common
cause is a special cause; the same published period with another value is a revision.
"""

from __future__ import annotations

import json

import pytest

from analysis.changes import compare, load_summary
from analysis.errors import DataError


def row(indicator: str, **fields) -> dict:
    return {"indicator": indicator, "title": indicator.title(), **fields}


PREVIOUS = {
    "period_end": "2025-06-30",
    "indicators": [
        row("a", rag="red", variation_icon="concern_high", published_period="2025", published=25.3),
        row("b", rag="amber", variation_icon="common_cause", published_period="2025", published=10),
        row(
            "c", rag="green", variation_icon="improvement_low", published_period="2024", published=5
        ),
        row("d", rag=None, variation_icon=None, published_period="2025", published=None),
        row("e", rag="red", variation_icon="neutral_high", published_period="2025", published=7.0),
    ],
}
CURRENT = {
    "period_end": "2025-09-30",
    "indicators": [
        # a: red to green, concern to common cause, 25.3 revised to 25.1 for the same 2025
        row(
            "a", rag="green", variation_icon="common_cause", published_period="2025", published=25.1
        ),
        # b: amber to red, common cause to concern, same 2025 value (10 as 10.0: no revision)
        row("b", rag="red", variation_icon="concern_low", published_period="2025", published=10.0),
        # c: a new published period (2025 after 2024) is not a revision, whatever its value
        row(
            "c", rag="green", variation_icon="improvement_low", published_period="2025", published=4
        ),
        # d: a figure appears for a period that had none: a revision
        row("d", rag=None, variation_icon=None, published_period="2025", published=3.5),
        # e: still red; neutral high becomes improvement low: one ended and one new
        row(
            "e", rag="red", variation_icon="improvement_low", published_period="2025", published=7.0
        ),
        # f: not in the previous report at all, and red
        row("f", rag="red", variation_icon="concern_high", published_period="2025", published=1.0),
    ],
}


@pytest.fixture(scope="module")
def changes():
    return compare(PREVIOUS, CURRENT)


def test_new_and_resolved_reds(changes):
    assert [(c.indicator, c.before) for c in changes.new_reds] == [("b", "amber"), ("f", None)]
    assert [(c.indicator, c.after) for c in changes.resolved_reds] == [("a", "green")]


def test_new_and_ended_special_causes(changes):
    assert [(c.indicator, c.before, c.after) for c in changes.new_special_causes] == [
        ("b", None, "concern_low"),
        ("e", "neutral_high", "improvement_low"),
        ("f", None, "concern_high"),
    ]
    assert [(c.indicator, c.before, c.after) for c in changes.ended_special_causes] == [
        ("a", "concern_high", None),
        ("e", "neutral_high", "improvement_low"),
    ]


def test_revised_published_figures_need_the_same_period(changes):
    assert [(c.indicator, c.period, c.before, c.after) for c in changes.revised_figures] == [
        ("a", "2025", 25.3, 25.1),
        ("d", "2025", None, 3.5),
    ]
    assert changes.previous_period_end == "2025-06-30"


def test_the_same_summary_twice_changes_nothing():
    same = compare(CURRENT, CURRENT)
    assert not same.any
    assert compare(PREVIOUS, CURRENT).any


def test_a_tiny_float_difference_is_not_a_revision():
    before = {"indicators": [row("a", published_period="2025", published=0.1 + 0.2)]}
    after = {"indicators": [row("a", published_period="2025", published=0.3)]}
    assert compare(before, after).revised_figures == []


def test_load_summary_reads_a_summary_and_names_what_is_wrong(tmp_path):
    good = tmp_path / "summary.json"
    good.write_text(json.dumps(CURRENT))
    assert load_summary(good)["period_end"] == "2025-09-30"
    broken = tmp_path / "broken.json"
    broken.write_text('{"indicators": [\n')
    with pytest.raises(DataError, match="broken.json, row 2: expected a JSON summary"):
        load_summary(broken)
    no_list = tmp_path / "no_list.json"
    no_list.write_text(json.dumps({"indicators": {}}))
    with pytest.raises(DataError, match="column indicators: expected a summary with a list"):
        load_summary(no_list)
    no_id = tmp_path / "no_id.json"
    no_id.write_text(json.dumps({"indicators": [{"indicator": "a"}, {"title": "B"}]}))
    with pytest.raises(DataError, match=r"column indicators\[1\]: expected an indicator id"):
        load_summary(no_id)
    with pytest.raises(DataError, match="cannot read the previous summary"):
        load_summary(tmp_path / "absent.json")
