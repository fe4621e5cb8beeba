"""Period labels: EES years, LAIT's free-text labels and local months become structured periods."""

import pandas as pd
import pytest

from analysis.periods import month_label, parse_label, parse_labels, quarter_label

T = pd.Timestamp


@pytest.mark.parametrize(
    "label, annual, start, end, kind, revision",
    [
        ("2025", "financial year", T(2024, 4, 1), T(2025, 3, 31), "financial year", "unknown"),
        (
            "2025",
            "snapshot 31 March",
            T(2025, 3, 31),
            T(2025, 3, 31),
            "snapshot 31 March",
            "unknown",
        ),
        (
            "2025",
            "snapshot 30 September",
            T(2025, 9, 30),
            T(2025, 9, 30),
            "snapshot 30 September",
            "unknown",
        ),
        ("2023/24", "academic year", T(2023, 9, 1), T(2024, 8, 31), "academic year", "unknown"),
        ("2023/24", "financial year", T(2023, 4, 1), T(2024, 3, 31), "financial year", "unknown"),
        (
            "2022-23 (OT)",
            "financial year",
            T(2022, 4, 1),
            T(2023, 3, 31),
            "financial year",
            "final",
        ),
        ("2024 (Rev)", "calendar year", T(2024, 1, 1), T(2024, 12, 31), "calendar year", "revised"),
        (
            "2025 (prov)",
            "academic year",
            T(2024, 9, 1),
            T(2025, 8, 31),
            "academic year",
            "provisional",
        ),
        ("2020 (Final)", "calendar year", T(2020, 1, 1), T(2020, 12, 31), "calendar year", "final"),
        ("2014-16", "calendar year", T(2014, 1, 1), T(2016, 12, 31), "multi-year", "unknown"),
        ("2013/14-15/16", "academic year", T(2013, 9, 1), T(2016, 8, 31), "multi-year", "unknown"),
        ("202425", "financial year", T(2024, 4, 1), T(2025, 3, 31), "financial year", "unknown"),
        ("1999/00", "financial year", T(1999, 4, 1), T(2000, 3, 31), "financial year", "unknown"),
    ],
)
def test_labels(label, annual, start, end, kind, revision):
    period = parse_label(label, annual)
    assert (period.start, period.end, period.period_type, period.revision) == (
        start,
        end,
        kind,
        revision,
    )
    assert period.label == label


@pytest.mark.parametrize("label", ["0", "", "20x5", "2025 (maybe)", "2023/27"])
def test_unreadable_labels_are_errors(label):
    with pytest.raises(ValueError):
        parse_label(label, "financial year")


def test_parse_labels_keeps_alignment_and_reports_errors():
    labels = pd.Series(["2024", "0", "2024"], index=[10, 11, 12])
    parsed = parse_labels(labels, "financial year")
    assert list(parsed.index) == [10, 11, 12]
    assert parsed["error"].notna().tolist() == [False, True, False]
    assert parsed.loc[12, "period_end"] == T(2024, 3, 31)


def test_month_and_quarter_labels():
    assert month_label(T(2025, 9, 30)) == "Sep 2025"
    assert quarter_label(T(2025, 9, 30)) == "Jul-Sep 2025"
