"""Shared fixtures: the real DfE data beside the repository, skipped with a reason when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

DFE = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe"
EES = DFE / "ees"
LAIT = DFE / "lait"


@pytest.fixture(scope="session")
def dfe() -> Path:
    if not (EES.is_dir() and LAIT.is_dir()):
        pytest.skip(f"real DfE data not found at {DFE} (CI always has it beside the repository)")
    return DFE


@pytest.fixture(scope="session")
def published(dfe):
    from analysis.published import load_published

    return load_published(dfe)


@pytest.fixture(scope="session")
def lait_all(dfe):
    import warnings

    from analysis.lait import load_lait

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_lait(
            dfe / "lait" / "bds_long.parquet", dfe / "lait" / "lait_data_dictionary.csv"
        )
