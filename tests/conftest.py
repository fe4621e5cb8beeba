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


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    """The fictional demo data set, written once per test session (as ``compendium demo``)."""
    from analysis.demo import write_demo

    folder = tmp_path_factory.mktemp("demo-data")
    write_demo(folder)
    return folder


def demo_params(name: str, demo_data: Path, folder: Path) -> Path:
    """``params/<name>.yml`` written into ``folder``, pointed at the demo data in ``demo_data``."""
    run = folder / f"{name}.yml"
    text = (ROOT / "params" / f"{name}.yml").read_text(encoding="utf-8")
    run.write_text(text.replace("../outputs/demo-data", str(demo_data)), encoding="utf-8")
    return run


@pytest.fixture(scope="session")
def demo_run_file(demo_data, tmp_path_factory) -> Path:
    """``params/demo.yml`` pointed at the session's demo data."""
    return demo_params("demo", demo_data, tmp_path_factory.mktemp("params"))


@pytest.fixture(scope="session")
def demo_quarterly(demo_run_file, tmp_path_factory) -> Path:
    """The demo quarterly report rendered once by ``compendium render``, as ``make report``
    does; returns its folder (``quarterly_report.html``, ``summary.json``, ``parameters.yml``)."""
    from analysis.cli import main

    out = tmp_path_factory.mktemp("outputs")
    assert main(["render", str(demo_run_file), "--out", str(out)]) == 0
    return out / "demo" / "E10999701"


@pytest.fixture
def damage(tmp_path):
    """Copy a data file (a real DfE file or a demo one) into ``tmp_path`` under the same name,
    with ``edit`` applied to its lines (or bytes, with ``raw=True``); returns the copy's path.
    The original is never touched."""

    def copy(source: Path, edit=None, raw: bool = False) -> Path:
        target = tmp_path / source.name
        if raw:
            target.write_bytes(edit(source.read_bytes()) if edit else source.read_bytes())
        else:
            lines = source.read_text(encoding="utf-8-sig").splitlines()
            lines = edit(lines) if edit else lines
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return target

    return copy
