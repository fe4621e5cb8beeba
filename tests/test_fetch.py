"""``compendium fetch`` against a local HTTP server serving a copy of ../shared/data/dfe.

The server (127.0.0.1, ephemeral port) answers conditional requests (If-Modified-Since -> 304)
and Range requests (206, honouring If-Range; chosen files ignore them), can drop the connection
after some bytes (every time, or once per cut listed) or answer 500 for chosen files, can send
chosen files without a Content-Length (the end is where the connection closes) or in chunks, and
records every request, so the tests can say what was downloaded. The expected bytes are the
served files themselves; the expected changes are the edits each test makes to its copy.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import threading
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from analysis.cli import main
from analysis.errors import DataError
from analysis.fetch import MANIFEST, fetch, load_sources
from analysis.validate import validate_paths

C1 = "ees/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
D3 = "ees/d3_cpps_subsequent_plan_2013_to_2025.csv"
SN = "lait/la_code_list.xlsx"
SMALL = [C1, D3, SN]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        name = unquote(self.path.lstrip("/"))
        path = self.server.root / name
        fault = self.server.faults.get(name)
        if isinstance(fault, list):  # one cut per request, then whole
            fault = fault.pop(0) if fault else None
        if fault == 500:
            return self._answer(name, 500)
        if not path.is_file():
            return self._answer(name, 404)
        data = path.read_bytes()
        modified = int(path.stat().st_mtime)
        last_modified = formatdate(modified, usegmt=True)
        since = self.headers.get("If-Modified-Since")
        wanted = self.headers.get("Range")
        if since and not wanted and parsedate_to_datetime(since).timestamp() >= modified:
            return self._answer(name, 304)
        start = 0
        if (
            wanted
            and self.headers.get("If-Range") == last_modified
            and name not in self.server.whole
        ):
            start = int(wanted.removeprefix("bytes=").split("-")[0])
        if start and start >= len(data):
            return self._answer(name, 416)
        body = data[start:]
        self._answer(name, 206 if start else 200, end=False)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        if name in self.server.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif name not in self.server.unsized:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", last_modified)
        self.end_headers()
        cut = isinstance(fault, int) and fault < len(body)
        if cut:
            body = body[:fault]  # then the connection closes: a dropped download
        if name not in self.server.chunked:
            return self.wfile.write(body)
        for at in range(0, len(body), 8192):
            piece = body[at : at + 8192]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        if not cut:
            self.wfile.write(b"0\r\n\r\n")  # the last chunk, which a dropped download lacks

    def _answer(self, name: str, code: int, end: bool = True) -> None:
        self.server.log.append((name, code, self.headers.get("Range")))
        self.send_response(code)
        if end:
            self.send_header("Content-Length", "0")
            self.end_headers()


class _Server(ThreadingHTTPServer):
    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.faults: dict[str, int | list[int]] = {}
        self.unsized: set[str] = set()  # sent without a Content-Length
        self.whole: set[str] = set()  # sent whole, whatever Range asks for
        self.chunked: set[str] = set()  # sent with Transfer-Encoding: chunked
        self.log: list[tuple[str, int, str | None]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def served(dfe, tmp_path):
    """A copy of the real data served on 127.0.0.1; yields the server (root = the copy)."""
    root = tmp_path / "served"
    shutil.copytree(dfe, root)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    server = _Server(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _small_sources(server: _Server, folder: Path) -> Path:
    """A sources file in ``folder`` naming three files of the served copy."""
    lines = ["sources:"]
    for name in SMALL:
        lines += [f"  - path: {name}", f"    url: {server.url}/{name}", "    publication: test"]
    path = folder / "sources.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _by_path(outcomes):
    return {o.path: o for o in outcomes}


def _touch_later(path: Path) -> None:
    """Make the served file look modified after the last fetch (HTTP dates are in seconds)."""
    later = path.stat().st_mtime + 120
    os.utime(path, (later, later))


def _half(data: bytes) -> bytes:
    """The first half of ``data`` up to its last whole line: the audit's clean cut."""
    return data[: data.rindex(b"\n", 0, len(data) // 2) + 1]


def _rows_and_years(data: bytes) -> tuple[int, str, str]:
    """An EES CSV's rows and its first and last year."""
    years = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)["time_period"]
    return len(years), min(years), max(years)


@pytest.mark.real_data
def test_full_fetch_is_byte_identical_then_a_second_fetch_downloads_nothing(served, tmp_path):
    out = tmp_path / "out"
    sources = load_sources(base_url=served.url)
    first = fetch(out, sources, backoff=0)
    # each passes its loader's check: LAIT's parquet and the rates per 10,000 children are
    # checked with the dictionary and the ONS population, which are fetched first
    assert [o.status for o in first] == ["new"] * len(sources), [o.message for o in first]
    served_files = sorted(p.relative_to(served.root) for p in served.root.rglob("*.*"))
    assert sorted(Path(s.path) for s in sources) == served_files
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    for source in sources:
        data = (out / source.path).read_bytes()
        assert data == (served.root / source.path).read_bytes(), source.path
        record = manifest["files"][source.path]
        assert record["sha256"] == hashlib.sha256(data).hexdigest()
        assert record["size"] == len(data)
        assert record["url"] == source.url
    assert not manifest["partial"]
    assert not [p for p in out.rglob(".*") if p.name != MANIFEST]

    served.log.clear()
    second = fetch(out, sources, backoff=0)
    assert [o.status for o in second] == ["unchanged"] * len(sources)
    assert all("not changed on the server" in o.message for o in second)
    assert all(code == 304 for _, code, _ in served.log)
    assert sorted(name for name, _, _ in served.log) == sorted(s.path for s in sources)


@pytest.mark.real_data
def test_dropped_connection_leaves_no_partial_file_and_the_next_fetch_resumes(
    served, tmp_path, capsys
):
    out = tmp_path / "out"
    sources_file = _small_sources(served, tmp_path)
    served.faults[C1] = 50_000
    code = main(["fetch", "--out", str(out), "--sources", str(sources_file), "--retries", "2"])
    printed = capsys.readouterr().out
    assert code == 1
    assert f"Failed: {C1}: the connection closed after" in printed
    assert "after 2 attempts" in printed
    assert "2 new, 0 updated, 0 unchanged, 1 failed" in printed
    assert not (out / C1).exists()
    assert (out / D3).read_bytes() == (served.root / D3).read_bytes()
    assert (out / SN).read_bytes() == (served.root / SN).read_bytes()
    # the second attempt already resumed where the first stopped
    assert [r for n, _, r in served.log if n == C1] == [None, "bytes=50000-"]

    served.faults.clear()
    served.log.clear()
    code = main(["fetch", "--out", str(out), "--sources", str(sources_file)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert f"new       {C1}" in printed
    assert (out / C1).read_bytes() == (served.root / C1).read_bytes()
    assert [(n, c, r) for n, c, r in served.log if n == C1] == [(C1, 206, "bytes=100000-")]
    assert sorted(n for n, _, _ in served.log) == sorted(SMALL)
    assert not list(out.rglob(".*partial*"))


@pytest.mark.real_data
def test_server_error_is_retried_then_reported_and_the_others_are_fetched(served, tmp_path):
    out = tmp_path / "out"
    served.faults[D3] = 500
    outcomes = _by_path(
        fetch(out, load_sources(_small_sources(served, tmp_path)), retries=3, backoff=0)
    )
    assert outcomes[D3].status == "failed"
    assert outcomes[D3].message.startswith("the server answered 500")
    assert "after 3 attempts" in outcomes[D3].message
    assert [n for n, _, _ in served.log].count(D3) == 3
    assert not (out / D3).exists()
    assert outcomes[C1].status == outcomes[SN].status == "new"


@pytest.mark.real_data
def test_a_revised_file_is_reported_with_its_new_year_and_revised_figure(served, tmp_path):
    out = tmp_path / "out"
    sources = load_sources(_small_sources(served, tmp_path))
    fetch(out, sources, backoff=0)
    path = served.root / C1
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    surrey_2024 = (table["la_name"] == "Surrey") & (table["time_period"] == "2024")
    old = table.loc[surrey_2024, "referral_count"].item()
    table.loc[surrey_2024, "referral_count"] = str(int(old) + 7)
    next_year = table.loc[table["time_period"] == "2025"].assign(time_period="2026")
    pd.concat([next_year, table]).to_csv(path, index=False)
    _touch_later(path)

    outcomes = _by_path(fetch(out, sources, backoff=0))
    assert outcomes[C1].status == "updated"
    assert outcomes[C1].changes == (
        "new year: 2026",
        f"1 revised figure: Surrey, 2024, referral_count from {old} to {int(old) + 7}",
    )
    assert (out / C1).read_bytes() == path.read_bytes()
    assert outcomes[D3].status == outcomes[SN].status == "unchanged"


@pytest.mark.real_data
def test_a_file_without_the_expected_column_is_rejected_naming_file_and_column(served, tmp_path):
    out = tmp_path / "out"
    path = served.root / C1
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.drop(columns="rereferral_percent").to_csv(path, index=False)
    outcomes = _by_path(fetch(out, load_sources(_small_sources(served, tmp_path)), backoff=0))
    assert outcomes[C1].status == "failed"
    assert outcomes[C1].message.startswith(f"rejected: {C1}, row 1, column rereferral_percent:")
    assert not (out / C1).exists()
    assert not list(out.rglob(".*partial*"))
    assert outcomes[D3].status == "new"


@pytest.mark.real_data
def test_a_web_page_served_in_place_of_a_csv_is_rejected(served, tmp_path):
    # a portal's sign-in or error page, sent with status 200
    (served.root / C1).write_text("<!DOCTYPE html>\n<html><body>Sign in</body></html>\n")
    out = tmp_path / "out"
    outcomes = _by_path(fetch(out, load_sources(_small_sources(served, tmp_path)), backoff=0))
    assert outcomes[C1].status == "failed"
    assert outcomes[C1].message == (
        f"rejected: {C1}, row 1: expected a CSV, found a web page (an error page saved in place "
        f"of the file?); 50 bytes; there is no previous copy; the download is in "
        f"{out / '.rejected' / C1}"
    )
    assert not (out / C1).exists() and outcomes[D3].status == "new"


@pytest.mark.real_data
def test_an_empty_download_is_rejected(served, tmp_path):
    (served.root / SN).write_bytes(b"")
    out = tmp_path / "out"
    outcomes = _by_path(fetch(out, load_sources(_small_sources(served, tmp_path))))
    assert outcomes[SN].status == "failed"
    assert outcomes[SN].message == (
        f"rejected: {SN}: expected a file with content, found an empty one; 0 bytes; there is no "
        f"previous copy; the download is in {out / '.rejected' / SN}"
    )


@pytest.mark.real_data
def test_a_workbook_cut_short_is_rejected(served, tmp_path):
    workbook = served.root / SN
    workbook.write_bytes(workbook.read_bytes()[:1000])
    out = tmp_path / "out"
    outcomes = _by_path(fetch(out, load_sources(_small_sources(served, tmp_path)), backoff=0))
    assert outcomes[SN].status == "failed"
    assert outcomes[SN].message.startswith(f"rejected: {SN}: expected a spreadsheet that opens")
    assert not (out / SN).exists()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "  - {path: ees/a.csv, url: 'https://x/a.csv', publication: p, size: 3}",
            "entry 1: unknown key 'size'",
        ),
        (
            "  - {path: other/a.csv, url: 'https://x/a.csv', publication: p}",
            "entry 1: expected a path such as ees/<file> or lait/<file>, found 'other/a.csv'",
        ),
        (
            "  - {path: ees/a.csv, url: 'https://x/a.csv'}",
            "entry 1: expected a text value for 'publication'",
        ),
        (
            "  - {path: ees/a.csv, url: 'ftp://x/a.csv', publication: p}",
            "entry 1: expected an http(s) address, found 'ftp://x/a.csv'",
        ),
    ],
)
def test_a_bad_sources_file_is_an_error_naming_file_entry_and_key(tmp_path, entry, message):
    path = tmp_path / "sources.yml"
    path.write_text("sources:\n" + entry + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_sources(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


@pytest.mark.real_data
def test_a_revised_lait_file_names_the_council_year_and_measure(served, tmp_path):
    out = tmp_path / "out"
    # the parquet is checked by its loader, which reads the dictionary beside it
    wanted = ("lait/bds_long.parquet", "lait/lait_data_dictionary.csv")
    sources = [s for s in load_sources(base_url=served.url) if s.path in wanted]
    assert [o.status for o in fetch(out, sources, backoff=0)] == ["new", "new"]
    path = served.root / "lait/bds_long.parquet"
    table = pd.read_parquet(path)
    cpp = table["Short Desc"] == "CPP_rate"
    row = table.index[cpp & (table["LA and Regions"] == "Surrey")][0]
    old = table.loc[row, "Values"]
    table.loc[row, "Values"] = "123.4"
    added = table.loc[cpp & (table["Years"] == "2025")].assign(Years="2030")  # one a council
    pd.concat([table, added], ignore_index=True).to_parquet(path, index=False)
    _touch_later(path)

    outcome = _by_path(fetch(out, sources, backoff=0))["lait/bds_long.parquet"]
    assert outcome.status == "updated"
    assert outcome.changes == (
        "new year: 2030",
        f"1 revised figure: Surrey, {table.loc[row, 'Years']}, CPP_rate, Values from {old} "
        "to 123.4",
    )


def test_a_bad_sources_file_ends_the_command_with_one_line(tmp_path, capsys):
    path = tmp_path / "sources.yml"
    path.write_text("sources: []\n", encoding="utf-8")
    assert main(["fetch", "--out", str(tmp_path / "out"), "--sources", str(path)]) == 2
    printed = capsys.readouterr()
    assert printed.err == (
        f"compendium: {path}: expected a list of files under 'sources:' (path, url, publication)\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.real_data
def test_a_kept_part_that_does_not_fit_the_file_is_dropped_and_the_file_fetched_again(
    served, tmp_path
):
    out = tmp_path / "out"
    sources = load_sources(_small_sources(served, tmp_path))
    served.faults[C1] = 1_000
    assert _by_path(fetch(out, sources, retries=1))[C1].status == "failed"
    kept = out / "ees" / f".{Path(C1).stem}.partial.csv"
    too_long = (served.root / C1).read_bytes() + b"more than the file"
    kept.write_bytes(too_long)
    served.faults.clear()
    served.log.clear()
    assert _by_path(fetch(out, sources))[C1].status == "new"
    assert [(c, r) for n, c, r in served.log if n == C1] == [
        (416, f"bytes={len(too_long)}-"),
        (200, None),
    ]
    assert (out / C1).read_bytes() == (served.root / C1).read_bytes()
    assert not kept.exists()


def test_the_packaged_sources_cover_every_file_the_catalogue_reads():
    from analysis.catalogue import load_catalogue
    from analysis.population import POPULATION_INDICATOR
    from analysis.published import LAIT_DICTIONARY, LAIT_FILE, NEIGHBOURS_FILE, OFSTED_FILE

    indicators = [*load_catalogue().values(), POPULATION_INDICATOR]
    needed = {f"ees/{i.source['ees']['file']}" for i in indicators if "ees" in i.source}
    needed |= {LAIT_FILE, LAIT_DICTIONARY, NEIGHBOURS_FILE, OFSTED_FILE}
    sources = load_sources()
    assert needed <= {s.path for s in sources}
    assert all(s.url.startswith("https://") and s.publication for s in sources)


@pytest.mark.real_data
def test_a_revision_the_loader_rejects_is_set_aside_and_the_good_copy_kept(
    served, tmp_path, capsys
):
    # the audit's case: the server's c1 comes to have Surrey's rereferral_percent at 150
    out = tmp_path / "out"
    command = ["fetch", "--out", str(out), "--sources", str(_small_sources(served, tmp_path))]
    assert main(command) == 0
    good = (out / C1).read_bytes()
    path = served.root / C1
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    surrey = table.index[(table["la_name"] == "Surrey") & (table["time_period"] == "2024")][0]
    table.loc[surrey, "rereferral_percent"] = "150"
    table.to_csv(path, index=False)
    _touch_later(path)
    capsys.readouterr()

    assert main(command) == 1
    printed = capsys.readouterr().out
    aside = out / ".rejected" / C1
    # the row is the file's line: the header is line 1
    assert (
        f"Failed: {C1}: rejected: {C1}, row {surrey + 2}, column rereferral_percent: expected a "
        "percentage from 0 to 100, found 150; "
    ) in printed
    assert f"; the previous copy is kept; the download is in {aside}\n" in printed
    assert "3 files: 0 new, 0 updated, 2 unchanged, 1 failed" in printed
    assert (out / C1).read_bytes() == good
    assert aside.read_bytes() == path.read_bytes()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"][C1]["sha256"] == hashlib.sha256(good).hexdigest()
    assert not manifest["partial"]
    assert all(finding.ok for finding in validate_paths([out]))


@pytest.mark.real_data
@pytest.mark.parametrize("shortened", ["half", "5 rows short"])
def test_a_download_cut_short_without_a_length_does_not_replace_the_previous_copy(
    served, tmp_path, capsys, shortened
):
    # a server that sends no Content-Length, closes the connection at a line break and sends
    # the same again when asked what follows: only the comparison with the previous copy tells
    out = tmp_path / "out"
    command = ["fetch", "--out", str(out), "--sources", str(_small_sources(served, tmp_path))]
    assert main(command) == 0
    data = (served.root / C1).read_bytes()
    cut = _half(data) if shortened == "half" else b"".join(data.splitlines(True)[:-5])
    served.unsized.add(C1)
    served.whole.add(C1)  # so the same cut comes again when asked what follows it
    served.faults[C1] = len(cut)
    _touch_later(served.root / C1)
    capsys.readouterr()

    assert main(command) == 1
    printed = capsys.readouterr().out
    rows, first, last = _rows_and_years(cut)
    all_rows, _, _ = _rows_and_years(data)
    if shortened == "half":
        years = pd.read_csv(io.BytesIO(data), dtype=str)["time_period"]
        lost = sorted(y for y in set(years) if y < first)
        why = f"the download lacks the years {', '.join(lost)} that the previous copy has"
    else:
        why = f"the download has fewer rows than the previous copy ({rows:,}, not {all_rows:,})"
    assert (
        f"Failed: {C1}: {why}: cut short? ({len(cut):,} bytes (the server gave no length; a "
        f"second download was the same), {rows:,} rows, years {first} to {last}); if the "
        "publisher did remove them, "
        f"delete {out / C1} and fetch again; the previous copy is kept; the download is in "
        f"{out / '.rejected' / C1}\n"
    ) in printed
    assert (out / C1).read_bytes() == data
    assert (out / ".rejected" / C1).read_bytes() == cut


@pytest.mark.real_data
def test_a_first_download_cut_without_a_length_is_completed_by_asking_what_follows(
    served, tmp_path
):
    # no length and the connection closed at a line break, each time: with no previous copy to
    # compare with, the fetch asks for what follows the bytes received until nothing does
    data = (served.root / C1).read_bytes()
    cut = _half(data)
    served.unsized |= {C1, D3}
    served.faults[C1] = len(cut)
    outcomes = _by_path(fetch(tmp_path / "out", load_sources(_small_sources(served, tmp_path))))
    assert (tmp_path / "out" / C1).read_bytes() == data
    rows, first, last = _rows_and_years(data)
    assert outcomes[C1].message == (
        f"{len(data):,} bytes (the server gave no length; {len(data) - len(cut):,} more bytes "
        f"came when asked for, then it had nothing after them), {rows:,} rows, years {first} "
        f"to {last}"
    )
    assert not [note for note in outcomes[C1].warnings if "has no row" in note]
    asked = [(code, wanted) for name, code, wanted in served.log if name == C1]
    assert asked == [
        (200, None),
        *[(206, f"bytes={at}-") for at in range(len(cut), len(data), len(cut))],
        (416, f"bytes={len(data)}-"),
    ]
    d3 = (served.root / D3).read_bytes()
    rows, first, last = _rows_and_years(d3)
    assert outcomes[D3].message == (
        f"{len(d3):,} bytes (the server gave no length; it had nothing after them), {rows:,} "
        f"rows, years {first} to {last}"
    )
    assert outcomes[SN].message == f"{(served.root / SN).stat().st_size:,} bytes"


@pytest.mark.real_data
def test_a_download_without_a_length_that_differs_when_sent_again_is_fetched_again(
    served, tmp_path
):
    # a server that ignores Range: the file sent whole a second time is not the cut first
    # copy, so the first is dropped and the next attempt downloads it again, whole
    data = (served.root / C1).read_bytes()
    served.unsized.add(C1)
    served.whole.add(C1)
    served.faults[C1] = [len(_half(data))]
    outcomes = _by_path(
        fetch(tmp_path / "out", load_sources(_small_sources(served, tmp_path)), backoff=0)
    )
    assert outcomes[C1].status == "new"
    assert (tmp_path / "out" / C1).read_bytes() == data
    assert outcomes[C1].message.startswith(
        f"{len(data):,} bytes (the server gave no length; a second download was the same), "
    )
    assert [code for name, code, _ in served.log if name == C1] == [200] * 4


@pytest.mark.real_data
def test_a_server_that_never_says_the_file_has_ended_is_not_followed_for_ever(
    served, tmp_path, monkeypatch
):
    # no length and a part of 1,000 bytes each time: after MOST_PARTS parts the download fails
    # (nothing kept, nothing installed), and the other files are fetched
    from analysis import fetch as fetching

    monkeypatch.setattr(fetching, "MOST_PARTS", 3)
    served.unsized.add(C1)
    served.faults[C1] = 1_000
    outcomes = _by_path(
        fetch(tmp_path / "out", load_sources(_small_sources(served, tmp_path)), retries=1)
    )
    assert outcomes[C1].status == "failed"
    assert outcomes[C1].message == (
        "the server sent it in more than 3 parts, and no length, after 1 attempt"
    )
    assert not (tmp_path / "out" / C1).exists()
    assert [p.name for p in (tmp_path / "out" / "ees").iterdir()] == [Path(D3).name]
    assert outcomes[D3].status == "new"


@pytest.mark.real_data
def test_a_first_download_cut_the_same_way_every_time_is_saved_with_its_warnings(served, tmp_path):
    # the one cut a first fetch cannot see: no length, Range ignored and the same line break
    # each time. The summary gives the bytes, rows and years, and the loaders' warnings name the
    # councils without a row in the last year received
    data = (served.root / C1).read_bytes()
    cut = _half(data)
    served.unsized.add(C1)
    served.whole.add(C1)
    served.faults[C1] = len(cut)
    outcomes = _by_path(fetch(tmp_path / "out", load_sources(_small_sources(served, tmp_path))))
    assert outcomes[C1].status == "new"
    rows, first, last = _rows_and_years(cut)
    assert outcomes[C1].message == (
        f"{len(cut):,} bytes (the server gave no length; a second download was the same), "
        f"{rows:,} rows, years {first} to {last}"
    )
    assert any(f"in {first}, though it has rows" in note for note in outcomes[C1].warnings)


@pytest.mark.real_data
def test_a_chunked_download_cut_short_is_caught_and_resumed(served, tmp_path):
    out = tmp_path / "out"
    sources = load_sources(_small_sources(served, tmp_path))
    served.chunked.add(C1)
    served.faults[C1] = 200_000
    outcomes = _by_path(fetch(out, sources, retries=1))
    assert outcomes[C1].status == "failed"
    assert re.fullmatch(
        r"the connection closed after [\d,]+ bytes, before the end of the file, after 1 "
        r"attempt \(the part already downloaded is kept, to resume\)",
        outcomes[C1].message,
    )
    assert not (out / C1).exists()

    served.faults.clear()
    served.log.clear()
    data = (served.root / C1).read_bytes()
    outcomes = _by_path(fetch(out, sources))
    rows, first, last = _rows_and_years(data)
    assert outcomes[C1].status == "new"
    assert outcomes[C1].message == f"{len(data):,} bytes, {rows:,} rows, years {first} to {last}"
    assert (out / C1).read_bytes() == data
    ((code, wanted),) = [(c, r) for n, c, r in served.log if n == C1]
    assert code == 206 and re.fullmatch(r"bytes=[1-9]\d*-", wanted)
