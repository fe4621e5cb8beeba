"""Published data loaded once by a batch and shared with its kernels: the copy each report
reads is the load it replaces, warnings and all, and is never used once a file has changed.

The expected values are a direct :func:`analysis.published.load_published` of the same folder.
"""

from __future__ import annotations

import os
import shutil
import warnings

import pandas as pd
import pytest

import analysis.published as published_module
from analysis.catalogue import load_catalogue
from analysis.ees import DataWarning
from analysis.published import load_published, share_published, use_shared


@pytest.fixture
def shared(monkeypatch):
    """A clean table of shared folders for the test, and a count of real loads."""
    monkeypatch.setattr(published_module, "_SHARED", {})
    monkeypatch.setattr(published_module, "_SHARED_FROM", [])
    loads = []
    real_load = published_module._load

    def counted(*args):
        loads.append(args[0])
        return real_load(*args)

    monkeypatch.setattr(published_module, "_load", counted)
    return loads


def _quiet_load(folder, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load_published(folder, *args)
    # each distinct message, in order: a direct load warns some again on the way out
    return data, list(
        dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, DataWarning))
    )


@pytest.fixture
def damaged_demo(demo_data, tmp_path):
    """The demo data with one repeated row in the referrals file, so that loading it warns."""
    folder = tmp_path / "demo"
    shutil.copytree(demo_data, folder)
    referrals = next((folder / "ees").glob("c1_*.csv"))
    lines = referrals.read_text(encoding="utf-8").splitlines(keepends=True)
    referrals.write_text("".join([*lines, lines[1]]), encoding="utf-8")
    return folder


def test_a_shared_folder_gives_the_load_it_replaces_and_its_warnings(
    damaged_demo, shared, tmp_path
):
    expected, expected_warnings = _quiet_load(damaged_demo)
    assert expected.warnings and expected_warnings  # the repeated row is warned about
    use_shared(str(share_published([damaged_demo], tmp_path / "shared.pickle")))
    loads_before = len(shared)
    copy, copy_warnings = _quiet_load(damaged_demo)
    assert len(shared) == loads_before  # read from the shared copy, not loaded again
    pd.testing.assert_frame_equal(copy.table, expected.table)
    assert copy.warnings == expected.warnings
    assert copy_warnings == expected_warnings
    assert (copy.neighbours, copy.good_or_outstanding, copy.missing) == (
        expected.neighbours,
        expected.good_or_outstanding,
        expected.missing,
    )
    assert copy.directory.find("701").area_code == expected.directory.find("701").area_code


def test_each_report_gets_its_own_copy(demo_data, shared, tmp_path):
    use_shared(str(share_published([demo_data], tmp_path / "shared.pickle")))
    first = load_published(demo_data)
    first.table.loc[:, "value"] = -1.0
    second = load_published(demo_data)
    assert not (second.table["value"] == -1.0).all()


def test_a_changed_file_other_indicators_or_catalogue_load_again(demo_data, shared, tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(demo_data, folder)
    use_shared(str(share_published([folder], tmp_path / "shared.pickle")))
    loads = len(shared)
    one = sorted(load_catalogue())[:1]
    load_published(folder, indicators=one)  # not what was shared: loaded
    assert len(shared) == loads + 1
    other = load_catalogue()
    other[one[0]] = type(other[one[0]])(**{**vars(other[one[0]]), "title": "Another title"})
    load_published(folder, other)  # another catalogue: loaded
    assert len(shared) == loads + 2
    load_published(folder)  # as shared: not loaded
    assert len(shared) == loads + 2
    population = next((folder / "ees").glob("ons_*.csv"))
    stat = population.stat()
    os.utime(population, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    load_published(folder)  # a file changed since it was shared: loaded
    assert len(shared) == loads + 3


def test_a_folder_that_fails_to_load_is_left_to_the_reports(tmp_path, shared):
    not_data = tmp_path / "not-data"
    not_data.mkdir()
    use_shared(str(share_published([not_data], tmp_path / "shared.pickle")))
    assert published_module._SHARED == {}
    with pytest.raises(Exception, match="expected a folder with ees/ and lait/"):
        load_published(not_data)
