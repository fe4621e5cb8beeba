"""`compendium validate`: the loaders' checks on files, without rendering."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from analysis.cli import main

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"


def test_real_folder_validates(dfe, capsys):
    assert main(["validate", str(dfe / "ees")]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out and C1 in out


def test_damaged_file_fails_with_file_row_and_column(dfe, tmp_path, capsys):
    shutil.copy(dfe / "ees" / C1, tmp_path / C1)
    lines = (tmp_path / C1).read_text().splitlines()
    cells = lines[9].split(",")
    cells[13] = "21.4%"
    lines[9] = ",".join(cells)
    (tmp_path / C1).write_text("\n".join(lines) + "\n")
    bad_run = tmp_path / "run.yml"
    bad_run.write_text("council: '936'\nperiod_end: 2025-09-30\ncolour: red\n")
    assert main(["validate", str(tmp_path / C1), str(bad_run)]) == 2
    out = capsys.readouterr().out
    assert f"FAIL {tmp_path / C1}: {tmp_path / C1}, row 10, column rereferral_percent" in out
    assert "unknown parameter 'colour'" in out
    assert "0 passed, 2 failed" in out
    assert "Traceback" not in out


def test_a_fetched_folder_validates_without_its_manifest_or_downloads_in_progress(
    dfe, tmp_path, capsys
):
    # compendium fetch keeps fetch_manifest.json beside ees/ and lait/, and a download in
    # progress as a hidden part file (analysis/fetch.py): neither is data to check.
    (tmp_path / "ees").mkdir()
    shutil.copy(dfe / "ees" / C1, tmp_path / "ees" / C1)
    (tmp_path / "fetch_manifest.json").write_text('{"files": {}}')
    (tmp_path / "ees" / f".{C1}.partial.csv").write_text("time_period,geog")
    main(["validate", str(tmp_path)])
    out = capsys.readouterr().out
    assert "fetch_manifest.json" not in out and ".partial" not in out
    assert f"ok   {tmp_path / 'ees' / C1}" in out


def test_the_shipped_run_files_validate_batch_ones_too(dfe, capsys, monkeypatch):
    # params/benchmark_all.yml declares a report for every council: validate checks them all
    monkeypatch.setenv("COMPENDIUM_DFE_DATA", str(dfe))
    params = Path(__file__).resolve().parents[1] / "params"
    assert main(["validate", str(params / "benchmark_all.yml")]) == 0
    out = capsys.readouterr().out
    assert "parameters, paths and notebook checked for 153 reports" in out


def test_a_parquet_alone_gets_the_catalogue_checks(dfe, tmp_path, capsys):
    # validating LAIT's parquet by itself checks the catalogue's measures as a report would:
    # a rate per 10,000 ten times too big is left out with a warning, a negative one fails
    raw = pd.read_parquet(dfe / "lait" / "bds_long.parquet").astype({"Values": object})
    surrey = (raw["Short Desc"] == "CPP_rate") & (raw["LA Number"] == 936.0)
    row = int(raw.index[surrey & (raw["Years"] == "2020")][0])
    shutil.copy(dfe / "lait" / "lait_data_dictionary.csv", tmp_path)
    parquet = tmp_path / "bds_long.parquet"
    raw.loc[row, "Values"] = str(float(raw.loc[row, "Values"]) * 10)
    raw.to_parquet(parquet)
    assert main(["validate", str(parquet)]) == 0
    out = capsys.readouterr().out
    assert (
        f"warning: bds_long.parquet, row {row + 1}, column Values: Surrey's figure for 2020" in out
    )
    raw.loc[row, "Values"] = "-3"
    raw.to_parquet(parquet)
    assert main(["validate", str(parquet)]) == 2
    assert f"row {row + 1}, column Values: expected 0 or more, found -3" in capsys.readouterr().out


def test_a_warning_about_a_file_is_listed_once(dfe, tmp_path, capsys):
    # c1 gives three indicators, each loaded on its own, and the folder is loaded as a whole
    # after its files: the warning about c1's missing England rows is one problem, listed once
    folder = tmp_path / "dfe"
    for sub in ("ees", "lait"):
        (folder / sub).mkdir(parents=True)
        for f in (dfe / sub).iterdir():
            if f.name != C1:
                (folder / sub / f.name).symlink_to(f)
    lines = (dfe / "ees" / C1).read_text(encoding="utf-8-sig").splitlines()
    kept = [line for line in lines if ",National," not in line]
    (folder / "ees" / C1).write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.count(f"warning: {C1} has no rows for England") == 1
    assert f"ok   {folder}: loaded as a whole" in out


def test_a_file_given_with_its_folder_is_validated_once(dfe, capsys):
    # an analyst checking a new file and then the folder it went into, in one command
    b1 = dfe / "ees" / "b1_children_in_need_2013_to_2025.csv"
    assert main(["validate", str(b1), str(dfe), str(dfe / "ees" / ".." / "ees" / b1.name)]) == 0
    out = capsys.readouterr().out
    assert out.count(f"{b1.name}: ") == 1
    assert out.count("loaded as a whole") == 1
    files = len([f for f in (dfe / "ees").iterdir()] + [f for f in (dfe / "lait").iterdir()])
    assert out.strip().splitlines()[-1] == f"{files + 1} passed, 0 failed"


def test_without_the_population_file_the_rates_it_is_needed_for_are_named(dfe, tmp_path, capsys):
    # c1's referrals per 10,000 and b1's children in need per 10,000 are worked out with the
    # ONS population (the catalogue's denominator population_0_17): without it b1 has nothing
    # to check (an error), c1 its percentages only (a warning), and the folder's warning names
    # the population file, not c1 and b1, which are there
    population = "ons_mid-year_population_estimates_2012_to_2024.csv"
    folder = tmp_path / "dfe"
    shutil.copytree(dfe, folder, ignore=shutil.ignore_patterns(population))
    assert main(["validate", str(folder)]) == 2
    out = capsys.readouterr().out
    b1 = folder / "ees" / "b1_children_in_need_2013_to_2025.csv"
    assert (
        f"FAIL {b1}: {b1}: Children in need per 10,000 at 31 March: expected the ONS population "
        f"file {population} beside it, to work out the rate per 10,000 children"
    ) in out
    assert (
        f"warning: {C1}: not checked: Referrals per 10,000 children: expected the ONS population"
    ) in out
    assert (
        f"ees/{population} (needed for Referrals per 10,000 children and Children in need per "
        "10,000 at 31 March) is missing, so it was left out"
    ) in out
    assert f"ees/{C1} is missing" not in out and "No objects to concatenate" not in out


def test_without_laits_dictionary_the_warning_names_the_dictionary(dfe, tmp_path, capsys):
    folder = tmp_path / "dfe"
    shutil.copytree(dfe, folder, ignore=shutil.ignore_patterns("lait_data_dictionary.csv"))
    main(["validate", str(folder)])
    out = capsys.readouterr().out
    assert (
        "lait/lait_data_dictionary.csv (needed to read lait/bds_long.parquet) is missing, so it "
        "was left out"
    ) in out
    assert "lait/bds_long.parquet is missing" not in out
