"""``compendium fetch``: download the public DfE and Ofsted files the catalogue uses.

The addresses are data (``analysis/data/sources.yml``: each file's path in the ``ees/`` and
``lait/`` layout, its URL and its publication). Each download is checked with the loaders' own
expectations before it replaces anything, is written atomically, and is recorded in
``DIR/fetch_manifest.json`` (sha256, size, URL, time, the server's ETag and Last-Modified), so a
second fetch asks the server only whether each file changed. An interrupted download is resumed
with an HTTP Range request when the server allows it, and a download the server sent with no
length is followed to its end the same way (:func:`_confirm_end`); a failing request is retried
with backoff, then reported, and the other files are still fetched. What changed is said in
words: new files, unchanged files, the bytes, rows and years received, and for tidy files new
years and revised figures.

Before a download replaces anything it passes ``compendium validate``'s check of the file (the
loader that reads it, beside the files already fetched), and a new copy of a file with fewer rows
or fewer years than the previous copy is taken for a download cut short (a server that sends no
Content-Length and ignores Range, cutting at the same place each time, cannot otherwise show
it). Either way the previous copy is kept, the download is
set aside in ``DIR/.rejected/`` and the file is reported as failed.

>>> outcomes = fetch("../shared/data/dfe-new", load_sources())  # doctest: +SKIP
>>> print("\\n".join(summary(outcomes)))  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import json
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd
import pyarrow.parquet as pq
import yaml

from analysis.atomic import write_text
from analysis.catalogue import lait_catalogue, load_catalogue
from analysis.ees import AREA_COLUMNS, GEOGRAPHY, figures_read, read_ees_csv
from analysis.errors import DAMAGED_WORKBOOK, DataError
from analysis.lait import COLUMNS_LAIT
from analysis.neighbours import load_neighbours
from analysis.ofsted import load_ilacs
from analysis.population import POPULATION_INDICATOR
from analysis.published import LAIT_DICTIONARY
from analysis.values import SUPPRESSION_SYMBOLS

if TYPE_CHECKING:
    from analysis.validate import Finding

SOURCES_FILE = Path(__file__).parent / "data" / "sources.yml"
MANIFEST = "fetch_manifest.json"
#: Where a download that must not replace the file is set aside, in the data folder.
REJECTED = ".rejected"
#: Files the loaders read beside others (the ONS population for rates per 10,000 children,
#: LAIT's dictionary for its measures): fetched first, so the others are checked with them.
READ_BESIDE = (f"ees/{POPULATION_INDICATOR.source['ees']['file']}", LAIT_DICTIONARY)
LAYOUT = ("ees", "lait")
REQUIRED_KEYS = ("path", "url", "publication")
OPTIONAL_KEYS = ("page",)
CHUNK = 1 << 16
#: How many parts a download sent with no length may come in (:func:`_confirm_end`): a
#: server that never says the file has ended is not followed for ever.
MOST_PARTS = 1_000
#: Sent with every request: the files as they are stored (a length to check, no compression).
HEADERS = {"User-Agent": "compendium-fetch", "Accept-Encoding": "identity"}
#: Columns that say where and when a row is, never a figure (EES and LAIT).
PLACE_AND_TIME = (
    *GEOGRAPHY,
    *AREA_COLUMNS,
    "LA Number",
    "LA and Regions",
    "Region",
)
AREA_NAMES = ("la_name", "region_name", "country_name", "LA and Regions")
LAIT_KEY = ["Short Desc", "Years", "LA Number", "LA and Regions"]


@dataclass(frozen=True)
class Source:
    """One published file: where it goes (``path`` in the layout), its address, its publication."""

    path: str
    url: str
    publication: str
    page: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What fetching one file did: ``status`` is new, updated, unchanged or failed; ``warnings``
    are the loaders' (as ``compendium validate`` gives them) on a new or updated file."""

    path: str
    status: str
    message: str = ""
    changes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tidy:
    """A tidy file read as text: its period column, the columns that key a figure, the figures."""

    table: pd.DataFrame
    period: str
    key: list[str]
    figures: list[str]


@dataclass
class _Manifest:
    """``fetch_manifest.json``: what each fetched file is (files) and downloads begun (partial)."""

    path: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    partial: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> _Manifest:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, dict(data["files"]), dict(data.get("partial", {})))
        except (ValueError, KeyError, TypeError) as error:
            raise DataError(
                path,
                f"expected the manifest written by compendium fetch ({error}); delete it to "
                "fetch every file again",
            ) from None

    def save(self) -> None:
        data = {"files": self.files, "partial": self.partial}
        write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")


class _Incomplete(Exception):
    """The server closed the connection before the whole file arrived."""


class _Failed(Exception):
    """A file could not be downloaded; the message says why."""


def load_sources(path: str | Path | None = None, base_url: str | None = None) -> list[Source]:
    """The files to fetch, from ``path`` (default: the packaged ``analysis/data/sources.yml``).

    ``base_url`` replaces every published address by ``base_url/<path>`` (a mirror, or a local
    server in tests). Unknown or missing keys, paths outside ``ees/`` and ``lait/`` and repeated
    paths are errors naming the file, the entry and the key.

    >>> [s.path for s in load_sources()][:1]
    ['ees/b1_children_in_need_2013_to_2025.csv']
    >>> load_sources(base_url="http://127.0.0.1:8000")[0].url
    'http://127.0.0.1:8000/ees/b1_children_in_need_2013_to_2025.csv'
    """
    path = Path(path) if path else SOURCES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DataError(path, f"cannot read the sources file ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DataError(
            path,
            f"expected YAML ({getattr(error, 'problem', error)})",
            row=mark.line + 1 if mark else None,
        ) from None
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DataError(path, "expected a list of files under 'sources:' (path, url, publication)")
    sources: list[Source] = []
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        if not isinstance(entry, dict):
            raise DataError(path, f"{where}: expected the keys {', '.join(REQUIRED_KEYS)}")
        unknown = [k for k in entry if k not in REQUIRED_KEYS + OPTIONAL_KEYS]
        if unknown:
            raise DataError(path, f"{where}: unknown key {unknown[0]!r}", column=str(unknown[0]))
        for key in REQUIRED_KEYS:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise DataError(path, f"{where}: expected a text value for {key!r}", column=key)
        target = PurePosixPath(entry["path"].strip())
        if (
            target.is_absolute()
            or len(target.parts) != 2
            or target.parts[0] not in LAYOUT
            or target.name.startswith(".")
        ):
            raise DataError(
                path,
                f"{where}: expected a path such as ees/<file> or lait/<file>, "
                f"found {entry['path']!r}",
                column="path",
            )
        url = entry["url"].strip()
        if base_url:
            url = f"{base_url.rstrip('/')}/{quote(str(target))}"
        elif not url.startswith(("https://", "http://")):
            raise DataError(
                path, f"{where}: expected an http(s) address, found {url!r}", column="url"
            )
        if any(s.path == str(target) for s in sources):
            raise DataError(path, f"{where}: {target} is listed twice", column="path")
        sources.append(Source(str(target), url, entry["publication"].strip(), entry.get("page")))
    return sources


def fetch(
    out: str | Path,
    sources: list[Source],
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 60.0,
) -> list[Outcome]:
    """Fetch every source into ``out`` and say what happened to each file, in the order fetched
    (the files in :data:`READ_BESIDE` first, then as listed).

    A file that cannot be downloaded after ``retries`` attempts (waiting ``backoff``, then twice
    as long, ...), that fails its check or that has fewer rows or years than the previous copy
    is reported as failed, the previous copy kept; the others are still fetched.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(out, f"cannot create the data folder ({error.strerror})") from None
    manifest = _Manifest.read(out / MANIFEST)
    outcomes = []
    for source in sorted(sources, key=lambda s: s.path not in READ_BESIDE):
        try:
            outcomes.append(_fetch_one(source, out, manifest, retries, backoff, timeout))
        except OSError as error:
            why = f"cannot write it ({error.strerror or error})"
            outcomes.append(Outcome(source.path, "failed", why))
    return outcomes


def summary(outcomes: list[Outcome]) -> list[str]:
    """The fetch report in plain words: one line per file, then the counts and the failures.

    >>> summary([Outcome("ees/a.csv", "new", "1,024 bytes")])[-1]
    '1 file: 1 new, 0 updated, 0 unchanged, 0 failed'
    """
    lines = []
    for outcome in outcomes:
        text = f"{outcome.status:<9} {outcome.path}"
        if outcome.message:
            text += f": {outcome.message}"
        lines.append(text)
        lines += [f"          - {change}" for change in outcome.changes]
        lines += [f"          - warning: {note}" for note in outcome.warnings]
    counts = {s: sum(o.status == s for o in outcomes) for s in ("new", "updated", "unchanged")}
    failed = [o for o in outcomes if o.status == "failed"]
    lines.append(
        f"{len(outcomes)} file{'s' if len(outcomes) != 1 else ''}: "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + f", {len(failed)} failed"
    )
    lines += [f"Failed: {o.path}: {o.message}" for o in failed]
    return lines


def _fetch_one(
    source: Source,
    out: Path,
    manifest: _Manifest,
    retries: int,
    backoff: float,
    timeout: float,
) -> Outcome:
    target = out / source.path
    partial = target.with_name(f".{target.stem}.partial{target.suffix}")
    record = manifest.files.get(source.path)
    intact = (
        target.exists()
        and record is not None
        and record.get("url") == source.url
        and _sha256(target) == record.get("sha256")
    )
    try:
        downloaded = _download_with_retries(
            source, partial, record if intact else None, manifest, retries, backoff, timeout
        )
    except _Failed as error:
        return Outcome(source.path, "failed", str(error))
    if downloaded is None:
        return Outcome(source.path, "unchanged", "not changed on the server since the last fetch")
    meta, end = downloaded
    digest, size = _sha256(partial), partial.stat().st_size
    received = f"{size:,} bytes" + (f" (the server gave no length; {end})" if end else "")
    try:
        new = check_file(partial, source.path)
    except DataError as error:
        return _set_aside(source.path, partial, out, manifest, f"rejected: {error}; {received}")
    received = _received(received, *_extent(partial, new))
    notes: tuple[str, ...] = ()
    if target.exists() and _sha256(target) == digest:
        partial.unlink()
        status, message, changes = "unchanged", "downloaded again, identical", []
    else:
        finding = check_with_loaders(partial, source.path, out)
        if not finding.ok:
            why = f"rejected: {finding.message}; {received}"
            return _set_aside(source.path, partial, out, manifest, why)
        changes, shrunk = (
            _compare(target, partial, new, source.path) if target.exists() else ([], "")
        )
        if shrunk:
            why = (
                f"{shrunk}: cut short? ({received}); if the publisher did remove them, delete "
                f"{target} and fetch again"
            )
            return _set_aside(source.path, partial, out, manifest, why)
        status = "updated" if target.exists() else "new"
        message, notes = received, finding.warnings
        os.replace(partial, target)
    manifest.files[source.path] = {
        "sha256": digest,
        "size": size,
        "url": source.url,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **meta,
    }
    manifest.partial.pop(source.path, None)
    manifest.save()
    return Outcome(source.path, status, message, tuple(changes), notes)


def _set_aside(path: str, partial: Path, out: Path, manifest: _Manifest, why: str) -> Outcome:
    """A download that must not replace ``out/path``: moved to ``out/.rejected/path``, failed."""
    aside = out / REJECTED / path
    aside.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, aside)
    manifest.partial.pop(path, None)
    manifest.save()
    kept = "the previous copy is kept" if (out / path).exists() else "there is no previous copy"
    return Outcome(path, "failed", f"{why}; {kept}; the download is in {aside}")


def check_with_loaders(candidate: Path, target: str, out: Path) -> Finding:
    """``compendium validate``'s check of ``candidate`` as the file ``out/target``: the loader
    that reads it, with the files already in ``out`` beside it (the ONS population, LAIT's
    dictionary). It is checked in a hidden folder of links, so nothing in ``out`` changes; the
    finding names ``target`` and the files in ``out``, never that folder.
    """
    from analysis.validate import validate_paths  # validate imports this module's MANIFEST

    with tempfile.TemporaryDirectory(prefix=".check-", dir=out) as folder:
        view = Path(folder)
        beside = [p for sub in LAYOUT for p in (out / sub).glob("[!.]*") if p.is_file()]
        for path in [*beside, candidate]:
            link = view / (target if path == candidate else path.relative_to(out))
            link.parent.mkdir(parents=True, exist_ok=True)
            link.unlink(missing_ok=True)  # the previous copy, when the candidate replaces it
            try:
                os.link(path, link)
            except OSError:  # a file system without hard links
                shutil.copyfile(path, link)
        (finding,) = validate_paths([view / target])
        named = [
            text.replace(str(view / target), target).replace(str(view), str(out))
            for text in (finding.message, *finding.warnings)
        ]
    return replace(finding, path=Path(target), message=named[0], warnings=tuple(named[1:]))


def _download_with_retries(
    source: Source,
    partial: Path,
    record: dict[str, Any] | None,
    manifest: _Manifest,
    retries: int,
    backoff: float,
    timeout: float,
) -> tuple[dict[str, str], str] | None:
    """Validators of the downloaded file (now in ``partial``) and, when the server did not say
    where it ends (a length, or chunks), how the end was confirmed (:func:`_confirm_end`);
    None when not modified."""
    reason = "no attempt was made"
    attempt = 0
    for attempt in range(1, max(retries, 1) + 1):
        try:
            return _download(source, partial, record, manifest, timeout)
        except urllib.error.HTTPError as error:
            reason = f"the server answered {error.code} {error.reason}"
            if 400 <= error.code < 500 and error.code not in (408, 429):
                break
        except urllib.error.URLError as error:
            reason = f"cannot reach the server ({error.reason})"
        except (_Incomplete, http.client.HTTPException, OSError) as error:
            reason = str(error) or type(error).__name__
        if attempt < retries:
            time.sleep(backoff * 2 ** (attempt - 1))
    kept = " (the part already downloaded is kept, to resume)" if partial.exists() else ""
    raise _Failed(f"{reason}, after {attempt} attempt{'s' if attempt > 1 else ''}{kept}")


def _download(
    source: Source,
    partial: Path,
    record: dict[str, Any] | None,
    manifest: _Manifest,
    timeout: float,
) -> tuple[dict[str, str], str] | None:
    headers = dict(HEADERS)
    started = manifest.partial.get(source.path)
    validator = (
        started
        and started.get("url") == source.url
        and (started.get("etag") or started.get("last_modified"))
    )
    start = partial.stat().st_size if partial.exists() and validator else 0
    if start:
        headers["Range"] = f"bytes={start}-"
        headers["If-Range"] = str(validator)
    elif record is not None:
        if record.get("etag"):
            headers["If-None-Match"] = record["etag"]
        if record.get("last_modified"):
            headers["If-Modified-Since"] = record["last_modified"]
    request = urllib.request.Request(source.url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return None
        if error.code == 416 and start:  # the part kept is not part of the file: start again
            partial.unlink()
            manifest.partial.pop(source.path, None)
            return _download(source, partial, record, manifest, timeout)
        raise
    with response:
        expected = response.headers.get("Content-Length")
        expected = int(expected) if expected and expected.isdigit() else None
        meta = {
            "etag": response.headers.get("ETag") or "",
            "last_modified": response.headers.get("Last-Modified") or "",
        }
        resumed = response.status == 206 and _range_start(response) == start
        if response.status == 206 and not resumed:
            partial.unlink(missing_ok=True)
            raise _Incomplete("the server sent a different part of the file than asked for")
        if resumed:
            meta = {k: started.get(k, "") for k in meta}
            expected = None if expected is None else start + expected
        else:
            start = 0
            manifest.partial[source.path] = {"url": source.url, **meta}
            manifest.save()
        partial.parent.mkdir(parents=True, exist_ok=True)
        _save(response, partial, append=resumed)
    size = partial.stat().st_size
    if expected is not None and size != expected:
        raise _Incomplete(f"the connection closed after {size:,} of {expected:,} bytes")
    if expected is not None or response.chunked:
        return meta, ""
    return meta, _confirm_end(source, partial, meta, timeout)


def _save(response: http.client.HTTPResponse, path: Path, append: bool = False) -> None:
    """Write the body of ``response`` to ``path`` (after what is there, with ``append``)."""
    with open(path, "ab" if append else "wb") as handle:
        try:
            while chunk := response.read(CHUNK):
                handle.write(chunk)
        except http.client.IncompleteRead:  # a chunked response without its last chunk
            raise _Incomplete(
                f"the connection closed after {handle.tell():,} bytes, before the end of the file"
            ) from None


def _confirm_end(source: Source, partial: Path, meta: dict[str, str], timeout: float) -> str:
    """How the end of a download the server sent with no length was confirmed: without a
    length the end is where the connection closed, so a download cut at a line break looks
    whole. The server is asked for what follows the bytes received (an HTTP Range request, on
    the same version of the file); what it sends is added, until it says nothing follows
    (416). A server that sends the whole file again instead is checked by the two copies being
    the same; when they are not, the download is :class:`_Incomplete` and starts again."""
    validator = meta.get("etag") or meta.get("last_modified")
    added = 0
    for _ in range(MOST_PARTS):
        size = partial.stat().st_size
        headers = {**HEADERS, "Range": f"bytes={size}-"}
        if validator:
            headers["If-Range"] = validator
        try:
            response = urllib.request.urlopen(
                urllib.request.Request(source.url, headers=headers), timeout=timeout
            )
        except urllib.error.HTTPError as error:
            if error.code != 416:
                raise
            more = f"{added:,} more bytes came when asked for, then " if added else ""
            return f"{more}it had nothing after them"
        with response:
            if response.status == 206 and _range_start(response) == size:
                _save(response, partial, append=True)
                if partial.stat().st_size == size:  # an empty part: nothing follows
                    return "it had nothing after them"
                added += partial.stat().st_size - size
                continue
            again = partial.with_name(f"{partial.name}.again")
            try:
                _save(response, again)
                same = _sha256(again) == _sha256(partial)
            finally:
                again.unlink(missing_ok=True)
        if same:
            return "a second download was the same"
        partial.unlink()
        raise _Incomplete(
            "two downloads of it differ and the server gave no length to tell which is whole"
        )
    partial.unlink()
    raise _Incomplete(f"the server sent it in more than {MOST_PARTS:,} parts, and no length")


def _range_start(response: http.client.HTTPResponse) -> int | None:
    content_range = response.headers.get("Content-Range", "")
    try:
        return int(content_range.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def check_file(path: str | Path, target: str) -> Tidy | None:
    """Check a downloaded file as the loaders would read it at ``target`` (its layout path).

    EES CSVs need the columns the catalogue reads (and the rows its filters pick), the neighbour
    files and the Ofsted workbook are read by their loaders, LAIT's parquet needs the loader's
    columns, other spreadsheets must open. Errors name ``target``. Returns the file as a
    :class:`Tidy` table when it is one (to compare with the previous copy), else None.

    >>> check_file("empty.csv", "ees/c1.csv")  # doctest: +SKIP
    Traceback (most recent call last):
    analysis.errors.DataError: ees/c1.csv: expected a file with content, found an empty one
    """
    path = Path(path)
    name, suffix = PurePosixPath(target).name, PurePosixPath(target).suffix.lower()
    try:
        if path.stat().st_size == 0:
            raise DataError(path, "expected a file with content, found an empty one")
        if suffix == ".parquet":
            return _lait_tidy(path)
        if name.startswith("sn_"):
            load_neighbours(path)
        elif name == "lait_data_dictionary.csv":
            lait_catalogue(path)
        elif suffix == ".ods" and target.startswith("ees/"):
            load_ilacs(path)
        elif suffix in (".xlsx", ".xls", ".ods"):
            _open_workbook(path)
        elif suffix == ".csv":
            return _ees_tidy(path, _ees_columns(name))
        return None
    except DataError as error:
        raise DataError(
            target if error.path == str(path) else error.path,
            error.expected,
            row=error.row,
            column=error.column,
        ) from None


@functools.cache
def _ees_columns(name: str) -> tuple[tuple[str, str | None], ...]:
    """(column, the value its rows must include (a catalogue filter) or None) for EES ``name``."""
    columns: dict[str, str | None] = dict.fromkeys(GEOGRAPHY)
    for indicator in [*load_catalogue().values(), POPULATION_INDICATOR]:
        mapping = indicator.source.get("ees", {})
        if mapping.get("file") != name:
            continue
        columns.update(mapping.get("filters", {}))
        for column in figures_read(mapping):
            columns.setdefault(column, None)
    return tuple(columns.items())


def _ees_tidy(path: Path, columns: tuple[tuple[str, str | None], ...]) -> Tidy:
    table = read_ees_csv(path, [column for column, _ in columns])
    for column, value in columns:
        if value is not None and value not in set(table[column]):
            raise DataError(path, f"expected rows where {column} is {value!r}", column=column)
    key = [c for c in table.columns if c in PLACE_AND_TIME or not _is_figure(table[c])]
    return Tidy(table, "time_period", key, [c for c in table.columns if c not in key])


def _lait_tidy(path: Path) -> Tidy:
    try:
        found = pq.read_schema(path).names
    except (OSError, ValueError) as error:
        raise DataError(path, f"expected LAIT's bds_long parquet file ({error})") from None
    missing = [c for c in COLUMNS_LAIT if c not in found]
    if missing:
        raise DataError(path, f"expected the column(s) {', '.join(missing)}", column=missing[0])
    table = pd.read_parquet(path, columns=COLUMNS_LAIT)
    table["Years"] = table["Years"].astype("string").fillna("")
    return Tidy(table, "Years", LAIT_KEY, ["Values"])


def _open_workbook(path: Path) -> None:
    try:
        with pd.ExcelFile(path, engine="calamine") as workbook:
            sheets = workbook.sheet_names
    except (OSError, ValueError, *DAMAGED_WORKBOOK) as error:
        raise DataError(path, f"expected a spreadsheet that opens ({error})") from None
    if not sheets:
        raise DataError(path, "expected a spreadsheet with at least one sheet")


def _is_figure(cells: pd.Series) -> bool:
    text = cells.astype("string").fillna("").str.strip()
    numeric = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    filled = text != ""
    symbol = text.str.lower().isin(list(SUPPRESSION_SYMBOLS))
    return bool(numeric.notna().any() and (numeric.notna() | symbol | ~filled).all())


def _extent(path: Path, tidy: Tidy | None) -> tuple[int | None, list[str]]:
    """A file's rows (a tidy file's, or a CSV's lines below the header; None for a workbook)
    and years (a tidy file's, in order)."""
    if tidy is not None:
        return len(tidy.table), sorted(set(tidy.table[tidy.period]) - {""})
    if path.suffix.lower() != ".csv":
        return None, []
    with open(path, "rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0), []


def _received(size: str, rows: int | None, years: list[str]) -> str:
    """What a download brought, in words.

    >>> _received("1,024 bytes", 20, ["2024", "2025"])
    '1,024 bytes, 20 rows, years 2024 to 2025'
    """
    text = size if rows is None else f"{size}, {rows:,} row{'s' if rows != 1 else ''}"
    return text + (f", years {years[0]} to {years[-1]}" if years else "")


def _compare(target: Path, partial: Path, new: Tidy | None, label: str) -> tuple[list[str], str]:
    """What changed from the previous copy ``target`` to the download ``partial``, and why the
    download looks cut short: years the previous copy had, or fewer rows ('' when neither)."""
    try:
        old = check_file(target, label)
    except DataError:
        return ["the previous copy could not be read, so it was not compared"], ""
    (rows, years), (new_rows, new_years) = _extent(target, old), _extent(partial, new)
    dropped = sorted(set(years) - set(new_years))
    shrunk = ""
    if dropped:
        shrunk = (
            f"the download lacks the year{'s' if len(dropped) > 1 else ''} "
            f"{', '.join(dropped)} that the previous copy has"
        )
    elif rows is not None and new_rows is not None and new_rows < rows:
        shrunk = f"the download has fewer rows than the previous copy ({new_rows:,}, not {rows:,})"
    if old is None or new is None:
        return ["the file's content changed"], shrunk
    return describe_changes(old, new), shrunk


def describe_changes(old: Tidy, new: Tidy) -> list[str]:
    """What changed between two copies of a tidy file, in words: new and dropped periods,
    columns, rows, and revised figures (same key, different value) with a few examples.

    >>> def tidy(rows):
    ...     table = pd.DataFrame(rows, columns=["time_period", "la_name", "rate"])
    ...     return Tidy(table, "time_period", ["time_period", "la_name"], ["rate"])
    >>> describe_changes(tidy([["2024", "Surrey", "5"]]),
    ...                  tidy([["2024", "Surrey", "6"], ["2025", "Surrey", "7"]]))
    ['new year: 2025', '1 revised figure: Surrey, 2024, rate from 5 to 6']
    """
    lines = []
    old_periods = set(old.table[old.period].unique())
    new_periods = set(new.table[new.period].unique())
    added, dropped = sorted(new_periods - old_periods), sorted(old_periods - new_periods)
    if added:
        lines.append(f"new year{'s' if len(added) > 1 else ''}: {', '.join(added)}")
    if dropped:
        lines.append(
            f"year{'s' if len(dropped) > 1 else ''} no longer in the file: {', '.join(dropped)}"
        )
    gained = [c for c in new.table.columns if c not in old.table.columns]
    lost = [c for c in old.table.columns if c not in new.table.columns]
    if gained:
        lines.append(f"new column{'s' if len(gained) > 1 else ''}: {', '.join(gained)}")
    if lost:
        lines.append(
            f"column{'s' if len(lost) > 1 else ''} no longer in the file: {', '.join(lost)}"
        )
    key = [c for c in new.key if c in old.key]
    figures = [c for c in new.figures if c in old.figures]
    shared = sorted(old_periods & new_periods)
    before = old.table.loc[old.table[old.period].isin(shared), key + figures].drop_duplicates()
    after = new.table.loc[new.table[new.period].isin(shared), key + figures].drop_duplicates()
    if before[key].duplicated().any() or after[key].duplicated().any():
        lines.append(
            "figures for earlier years may have changed: rows cannot be matched one to "
            "one, so revisions are not listed"
        )
        return lines
    both = before.merge(after, on=key, how="outer", suffixes=("\0old", "\0new"), indicator=True)
    for side, words in (("right_only", "new rows"), ("left_only", "rows no longer in the file")):
        count = int((both["_merge"] == side).sum())
        if count:
            lines.append(f"{count:,} {words} for earlier years")
    both = both.loc[both["_merge"] == "both"]
    names = [c for c in AREA_NAMES if c in key]
    varying = [c for c in key if c not in (*PLACE_AND_TIME, new.period) and after[c].nunique() > 1]
    described = [new.period, *varying]
    revised: list[str] = []
    count = 0
    for column in figures:
        was = both[f"{column}\0old"].astype("string").fillna("").str.strip().to_numpy()
        now = both[f"{column}\0new"].astype("string").fillna("").str.strip().to_numpy()
        changed = (was != now).nonzero()[0]
        numbers = [
            pd.to_numeric(pd.Series(v[changed]).str.replace(",", ""), errors="coerce")
            for v in (was, now)
        ]
        changed = changed[~(numbers[0] == numbers[1]).to_numpy()]
        count += len(changed)
        for where in changed[: 3 - len(revised)]:
            row = both.iloc[where]
            area = next((str(row[c]) for c in names if str(row[c]).strip()), "")
            label = ", ".join(v for v in [area, *map(str, row[described])] if v.strip())
            revised.append(f"{label}, {column} from {_shown(was[where])} to {_shown(now[where])}")
    if count:
        more = " (first 3)" if count > 3 else ""
        lines.append(
            f"{count:,} revised figure{'s' if count > 1 else ''}{more}: " + "; ".join(revised)
        )
    if not lines:
        lines.append("the file changed but no figure did (layout or formatting only)")
    return lines


def _shown(cell: str) -> str:
    """A published cell in words: blank, a number, or a symbol with its meaning.

    >>> _shown("c"), _shown(""), _shown("12.5")
    ('c (suppressed to protect confidentiality)', 'blank', '12.5')
    """
    meaning = SUPPRESSION_SYMBOLS.get(cell.lower())
    return f"{cell} ({meaning})" if meaning else cell or "blank"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
