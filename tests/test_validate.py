"""`compendium validate`: the loaders' checks on files, without rendering."""

from __future__ import annotations

import shutil

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
