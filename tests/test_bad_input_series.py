"""Series the statistics cannot chart, and random damage to valid files.

One-point, constant, all-suppressed and gapped series go through
:func:`analysis.assessment.assess` and the narrative: each gives a stated reason, never a
division by zero, a NaN in a sentence or a traceback. Random cell damage (hypothesis) to a
valid EES file and a valid scorecard gives either a DataError naming the file, row and column,
or a table whose every figure equals the undamaged table's or is missing with a status.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from analysis.areas import Council
from analysis.assessment import assess
from analysis.catalogue import load_catalogue
from analysis.ees import DataWarning, load_ees
from analysis.errors import DataError
from analysis.local_scorecard import BREAKDOWN, load_scorecard
from analysis.narrative import deterioration_sentence, key_messages, rag_sentence, spc_sentence
from analysis.values import SUPPRESSION_SYMBOLS

CATALOGUE = load_catalogue()
C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
DEMOSHIRE = Council("701", "E10999701", "Demoshire", "E12999001", "North Demoland")
TARGET = {"target": 22.0, "tolerance": 2.0}


def _series(values: list[float], start: str = "2023-04-30") -> pd.DataFrame:
    """A monthly local series as the report passes it to ``assess`` (tidy rows)."""
    ends = pd.date_range(start, periods=len(values), freq="ME")
    value = np.array(values, dtype="float64")
    return pd.DataFrame(
        {
            "period": [e.strftime("%b %Y") for e in ends],
            "period_end": ends,
            "value": value,
            "status": [None if not math.isnan(v) else "c" for v in value],
        }
    )


SERIES = {
    "one point": ([23.4], "one value only: no moving range, so no limits"),
    "constant": ([21.0] * 24, "no variation: every moving range is zero, so no limits"),
    "all suppressed": ([math.nan] * 24, "no values to chart"),
    "no rows": ([], "no values to chart"),
    "constant with suppressed months": (
        [21.0, math.nan] * 12,
        "no variation: every moving range is zero, so no limits",
    ),
}


@pytest.mark.parametrize("case", list(SERIES), ids=list(SERIES))
@pytest.mark.parametrize("indicator_id", ["rereferrals_12m_pct", "referrals_rate_per_10k"])
def test_series_without_limits_give_a_stated_reason(case, indicator_id):
    values, reason = SERIES[case]
    indicator = CATALOGUE[indicator_id]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no division by zero, no mean of nothing
        result = assess(indicator, _series(values), {}, TARGET)
    assert result.spc["reason"] == reason
    assert result.spc["lpl"] is None and result.spc["upl"] is None
    assert not result.deterioration.flagged
    assert "special cause concern" not in result.exception_reasons
    sentences = [
        spc_sentence(indicator, result.spc, None, target=TARGET["target"]),
        deterioration_sentence(indicator, result.deterioration, None),
        rag_sentence(
            indicator,
            result.latest["value"] if result.latest is not None else None,
            TARGET["target"],
            result.rag,
            None,
            tolerance=TARGET["tolerance"],
        ),
        *key_messages([result]),
    ]
    for sentence in sentences:
        assert sentence and "nan" not in sentence.lower() and "inf" not in sentence.lower()
        assert "None" not in sentence


def test_all_suppressed_series_is_not_rated_and_says_so():
    result = assess(CATALOGUE["rereferrals_12m_pct"], _series([math.nan] * 12), {}, TARGET)
    assert result.rag is None and result.latest is None
    assert result.rag_reason == "no value"
    text = rag_sentence(CATALOGUE["rereferrals_12m_pct"], None, 22.0, None, None, tolerance=2.0)
    assert "no" in text.lower()


def test_one_point_series_is_rated_against_its_target_by_hand():
    # 23.4 against 22 with tolerance 2, lower is better: within tolerance, so amber (rag.py).
    result = assess(CATALOGUE["rereferrals_12m_pct"], _series([23.4]), {}, TARGET)
    assert result.rag == "amber"
    assert result.spc["n_values"] == 1 and result.spc["latest_value"] == 23.4


def test_huge_values_give_finite_limits_or_a_reason():
    values = [1e300, 2e300] * 12
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = assess(CATALOGUE["sw_caseload"], _series(values), {}, None)
    # Mean 1.5e300; mean moving range 1e300; limits mean +/- 2.66 x 1e300 (methods.md, XmR).
    assert result.spc["mean"] == pytest.approx(1.5e300)
    assert result.spc["upl"] == pytest.approx(1.5e300 + 2.66e300)
    assert math.isfinite(result.spc["lpl"])


# --- random damage to valid files ----------------------------------------------------------


def _write(rows: list[list[str]], path: Path) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


#: Damage that no loader could tell from a true figure (a plausible number) is left out:
#: every other kind of cell is here.
DAMAGE = st.one_of(
    st.text(max_size=12).filter(lambda t: not _is_number(t.strip())),
    st.sampled_from([*SUPPRESSION_SYMBOLS, "", " ", "N/A", "21.4%", "12,5", "1e999", "nan"]),
    st.floats(min_value=-1e9, max_value=-0.01).map(lambda x: f"{x:.2f}"),
    st.floats(min_value=1e7, max_value=1e300).map(lambda x: f"{x:g}"),
)
#: How the damage tests run: a few dozen files each, never shrunk (shrinking a file is slow).
DAMAGE_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _check_outcome(load, path: Path, baseline: pd.DataFrame, key: list[str]) -> None:
    try:
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always", DataWarning)
            table = load(path)
    except DataError as error:
        assert str(error).startswith(str(path))
        assert error.row is not None, str(error)
        assert error.column is not None or "found several" in str(error), str(error)
        return
    merged = baseline.merge(table, on=key, how="outer", suffixes=("", "_damaged"), indicator=True)
    gone = merged["_merge"] == "left_only"
    assert not (merged["_merge"] == "right_only").any(), "a figure appeared"
    assert not gone.any() or warned, "a figure went missing without a warning"
    merged = merged.loc[~gone]
    for role in ("value", "numerator", "denominator"):
        same = (merged[role] == merged[f"{role}_damaged"]) | (
            merged[role].isna() & merged[f"{role}_damaged"].isna()
        )
        missing = merged[f"{role}_damaged"].isna() & merged["status_damaged"].notna()
        if role != "value":
            # a count is checked where its figure is shown; a suppressed month's counts are
            # not used, and a plausible number there cannot be told from a true one
            missing = merged[f"{role}_damaged"].isna() | merged["value"].isna()
        wrong = ~(same | missing)
        assert not wrong.any(), merged.loc[wrong, [*key, role, f"{role}_damaged"]]
    assert (merged["value_damaged"].notna() | merged["status_damaged"].notna()).all()


def _damaged(rows: list[list[str]], data, damage: str, path: Path) -> Path:
    """``rows`` with one drawn cell replaced by ``damage``, written to ``path``."""
    row = data.draw(st.integers(1, len(rows) - 1), label="row")
    column = data.draw(st.integers(0, len(rows[0]) - 1), label="column")
    damaged = [list(r) for r in rows]
    damaged[row][column] = damage
    return _write(damaged, path)


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture(scope="module")
def c1_rows(demo_data) -> list[list[str]]:
    return _rows(demo_data / "ees" / C1)


@pytest.fixture(scope="module")
def c1_baseline(c1_rows, tmp_path_factory) -> pd.DataFrame:
    path = _write(c1_rows, tmp_path_factory.mktemp("whole") / C1)
    return load_ees(path, CATALOGUE["rereferrals_12m_pct"])


@DAMAGE_SETTINGS
@given(data=st.data(), damage=DAMAGE)
def test_random_cell_damage_to_an_ees_file(c1_rows, c1_baseline, tmp_path, data, damage):
    path = _damaged(c1_rows, data, damage, tmp_path / C1)
    indicator = CATALOGUE["rereferrals_12m_pct"]
    _check_outcome(lambda p: load_ees(p, indicator), path, c1_baseline, ["area_code", "period"])


@pytest.fixture(scope="module")
def d5_rows(dfe) -> list[list[str]]:
    return _rows(dfe / "ees" / D5)


@pytest.fixture(scope="module")
def d5_baseline(d5_rows, tmp_path_factory) -> pd.DataFrame:
    path = _write(d5_rows, tmp_path_factory.mktemp("whole") / D5)
    return load_ees(path, CATALOGUE["cpp_2yrs_plus_pct"])


@pytest.mark.real_data
@DAMAGE_SETTINGS
@given(data=st.data(), damage=DAMAGE)
def test_random_cell_damage_to_a_real_ees_file(d5_rows, d5_baseline, tmp_path, data, damage):
    # DfE's own file of plans open 2 years or more (a percentage with both its counts)
    path = _damaged(d5_rows, data, damage, tmp_path / D5)
    indicator = CATALOGUE["cpp_2yrs_plus_pct"]
    _check_outcome(lambda p: load_ees(p, indicator), path, d5_baseline, ["area_code", "period"])


@pytest.fixture(scope="module")
def scorecard_rows(demo_data) -> list[list[str]]:
    rows = _rows(demo_data / "local" / "scorecard.csv")
    # A percentage (with its counts) and a rate: units whose figures have bounds. A unit without
    # one (cases per social worker) cannot tell a huge but possible-looking figure from a true one.
    chosen = ("rereferrals_12m_pct", "referrals_rate_per_10k")
    return rows[:1] + [r for r in rows[1:] if r[0] in chosen]


def _load_scorecard(path: Path) -> pd.DataFrame:
    return load_scorecard(path, DEMOSHIRE, CATALOGUE)


@pytest.fixture(scope="module")
def scorecard_baseline(scorecard_rows, tmp_path_factory) -> pd.DataFrame:
    return _load_scorecard(_write(scorecard_rows, tmp_path_factory.mktemp("whole") / "s.csv"))


@DAMAGE_SETTINGS
@given(data=st.data(), damage=DAMAGE)
def test_random_cell_damage_to_a_scorecard(
    scorecard_rows, scorecard_baseline, tmp_path, data, damage
):
    # a label of the breakdown's form ("x: y") moves a figure to another group: a plausible
    # label, as a plausible number, cannot be told from a true one
    assume(not re.fullmatch(BREAKDOWN, damage.strip()))
    path = _damaged(scorecard_rows, data, damage, tmp_path / "scorecard.csv")
    key = ["indicator", "breakdown", "period"]
    _check_outcome(_load_scorecard, path, scorecard_baseline, key)
