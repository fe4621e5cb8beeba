"""Security and privacy of what a member reads: escaping, no network, no record-level rows, and
the small-number rule, checked on the rendered output (HTML and summary.json), not internals.

The hostile render runs ``compendium render`` in a subprocess on a copy of the demo data in
which the council's name carries markup, with a ``sitecustomize`` audit hook (on PYTHONPATH,
so the notebook kernel loads it too) that records every connection to an address that is not
loopback (the kernel's own ZMQ sockets are loopback) and every name looked up that is not
local.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
HOSTILE_NAME = f'Demo{SCRIPT} "Shire" & Co\'s'
COUNCIL = "E10999701"
THRESHOLD = 10  # analysis.disclosure.SMALL_NUMBER_THRESHOLD (methods.md section 5)

GUARD = """
import os, sys
_log = os.environ["COMPENDIUM_NETWORK_LOG"]
_LOCAL = ("127.", "::1", "localhost", "0.0.0.0", "")

def _audit(event, args):
    if event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(address, tuple) and not str(host).startswith(_LOCAL):
            with open(_log, "a") as f:
                f.write(f"connect {address!r} in {sys.argv[:2]!r}\\n")
    elif event == "socket.getaddrinfo":
        host = args[0]
        if host is not None and not str(host).startswith(_LOCAL) and host not in (
            b"localhost", "ip6-localhost"):
            with open(_log, "a") as f:
                f.write(f"lookup {host!r} in {sys.argv[:2]!r}\\n")

sys.addaudithook(_audit)
"""


def _rename_council(folder: Path, old: str, new: str) -> None:
    """Replace the council's name in every CSV (cell by cell, quoting as CSV needs) and in
    LAIT's parquet."""
    for path in folder.rglob("*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(
            [[new if cell == old else cell for cell in row] for row in rows]
        )
        path.write_text(out.getvalue(), encoding="utf-8")
    for path in folder.rglob("*.parquet"):
        table = pd.read_parquet(path)
        for column in table.columns:
            if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
                table[column] = table[column].where(table[column] != old, new)
        table.to_parquet(path)


@pytest.fixture(scope="module")
def hostile_render(demo_data, tmp_path_factory) -> tuple[Path, str]:
    """The demo quarterly report rendered from data whose council name is markup; returns the
    report folder and the network log."""
    base = tmp_path_factory.mktemp("hostile")
    data = base / "data"
    shutil.copytree(demo_data, data)
    _rename_council(data, "Demoshire", HOSTILE_NAME)
    run = base / "demo.yml"
    text = (ROOT / "params" / "demo.yml").read_text(encoding="utf-8")
    run.write_text(text.replace("../outputs/demo-data", str(data)), encoding="utf-8")
    guard = base / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = base / "network.log"
    log.write_text("")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(guard), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["COMPENDIUM_NETWORK_LOG"] = str(log)
    out = base / "out"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "compendium"), "render", str(run), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=base,
    )
    assert done.returncode == 0, done.stderr
    folders = [p.parent for p in out.rglob("summary.json")]
    assert len(folders) == 1, folders
    return folders[0], log.read_text()


class _Attributes(HTMLParser):
    """Every attribute name and (unescaped) value of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.names.add(name)
            self.values.append(value or "")


def _text_outside_scripts(page: str) -> str:
    """The page without its own <script> and <style> elements (the template's, if any)."""
    return re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", page, flags=re.S | re.I)


def test_council_name_with_markup_is_escaped_everywhere(hostile_render):
    folder, _ = hostile_render
    page = (folder / "quarterly_report.html").read_text(encoding="utf-8")
    assert "alert(1)" in page, "the hostile name should reach the report (escaped)"
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # quotes may stand in text; in an attribute the name is whole (no quote ended it early)
    attributes = _Attributes()
    attributes.feed(_text_outside_scripts(page))
    assert all(re.fullmatch(r"[a-z][a-z0-9:-]*", n) for n in attributes.names), attributes.names
    carrying = [v for v in attributes.values if "Demo<script>" in v]
    assert carrying and all(HOSTILE_NAME in v for v in carrying)
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S)
    assert title and "<" not in title.group(1) and "&lt;script&gt;" in title.group(1)
    # every place the name appears is escaped: no raw "&" followed by " Co", no raw tags
    assert "& Co" not in page
    assert page.count("&amp; Co") >= 2


def test_summary_json_stays_valid_json_with_the_name_as_data(hostile_render):
    folder, _ = hostile_render
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["council"]["name"] == HOSTILE_NAME


def test_rendering_makes_no_network_requests(hostile_render):
    _, log = hostile_render
    assert log == "", f"network use while rendering:\n{log}"


def test_council_catalogue_text_is_escaped(demo_data, tmp_path):
    # A council's own catalogue (analysis.catalogue.load_catalogue) replacing a core entry's
    # title and description with markup. The quarterly notebook has no catalogue parameter,
    # so this goes through the report object the notebook displays.
    from analysis import quarterly

    core = yaml.safe_load((ROOT / "analysis" / "data" / "indicators.yml").read_text())
    entry = dict(core["rereferrals_12m_pct"])
    entry["title"] = f"Re-referrals {SCRIPT}"
    entry["description"] = f"Hostile {IMAGE} & more"
    own = tmp_path / "our_indicators.yml"
    own.write_text(yaml.safe_dump({"rereferrals_12m_pct": entry}), encoding="utf-8")
    report = quarterly.prepare(
        council="701",
        period_end="2025-09-30",
        data_dir=str(demo_data),
        scorecard_path=str(demo_data / "local" / "scorecard.csv"),
        indicators=[],
        fictional=True,
        targets={"rereferrals_12m_pct": {"target": 22.0, "tolerance": 2.0}},
        catalogue_files=[str(own)],
    )
    parts = [
        report.heading_html(),
        report.key_messages_html(),
        report.overview_html(),
        report.sections_html(),
    ]
    page = "\n".join(parts)
    assert "Re-referrals &lt;script&gt;" in page
    assert (
        SCRIPT not in page
        and "<img src=x" not in page
        and "onerror=alert" not in page.replace("&lt;img src=x onerror=alert(2)&gt;", "")
    )
    summary_path = tmp_path / "summary.json"
    report.save_summary(str(summary_path))
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    titles = [i["title"] for i in summary["indicators"] if i["indicator"] == "rereferrals_12m_pct"]
    assert titles == [f"Re-referrals {SCRIPT}"]


# --- privacy -------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every <table> as its header cells and its body rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._header = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"header": [], "rows": []})
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._header = tag == "th" and not self.tables[-1]["rows"]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            table = self.tables[-1]
            if not table["header"] and not table["rows"] and self._header:
                table["header"] = self._row
            else:
                table["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


COUNT_HEADER = re.compile(
    r"\b(number|count|numerator|denominator|children|young people|referrals|n)\b", re.I
)
SMALL = re.compile(r"^[1-9]$")


def _small_counts_in_tables(page: str) -> list[str]:
    parser = _Tables()
    parser.feed(page)
    found = []
    for table in parser.tables:
        counts = [i for i, h in enumerate(table["header"]) if COUNT_HEADER.search(h)]
        counts = [
            i
            for i in counts
            if "per 10,000" not in table["header"][i].lower() and "%" not in table["header"][i]
        ]
        for row in table["rows"]:
            for i in counts:
                if i < len(row) and SMALL.match(row[i]):
                    found.append(f"{table['header'][i]!r} = {row[i]!r} in row {row[:2]}")
    return found


COUNT_KEY = re.compile(r"(numerator|denominator|count|children|^n$|_n$|^n_)", re.I)


def _small_counts_in_json(node, path="") -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}"
            if (
                COUNT_KEY.search(str(key))
                and isinstance(value, (int, float))
                and not isinstance(value, bool)
                and 0 < value < THRESHOLD
                and not str(key).startswith("sn_n")  # how many neighbours, not children
            ):
                found.append(f"{where} = {value}")
            found += _small_counts_in_json(value, where)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _small_counts_in_json(value, f"{path}[{i}]")
    return found


@pytest.fixture(scope="module")
def reports(demo_quarterly, hostile_render) -> list[Path]:
    return [demo_quarterly, hostile_render[0]]


def test_small_counts_are_never_shown_as_digits(reports):
    for folder in reports:
        page = (folder / "quarterly_report.html").read_text(encoding="utf-8")
        assert _small_counts_in_tables(page) == [], folder
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert _small_counts_in_json(summary) == [], folder


def test_summary_has_no_record_level_rows_of_local_data(demo_quarterly, demo_data):
    # The demo scorecard has a row per team per month; summary.json may carry each indicator's
    # latest figures, never those rows.
    local = pd.read_csv(demo_data / "local" / "scorecard.csv", dtype=str)
    teams = local.loc[local["breakdown"].str.startswith("team:")]
    assert len(teams) > 100  # the check has something to find
    text = (demo_quarterly / "summary.json").read_text(encoding="utf-8")
    summary = json.loads(text)
    groups = teams.groupby(["indicator", "breakdown"]).ngroups
    assert text.count("team:") <= groups, "team rows in summary.json, more than one per team"
    # one entry per indicator in every list, never one per month
    for key, value in summary.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            ids = [v.get("indicator") for v in value if "indicator" in v]
            assert len(ids) == len(set(ids)), f"summary.json {key} repeats an indicator"
    # no team month's figure (as the scorecard gives it, to 4 decimals) is in the summary
    whole = set(local.loc[local["breakdown"] == "all", "value"].dropna())
    figures = {v for v in teams["value"].dropna() if len(v.split(".")[-1]) >= 3} - whole
    assert len(figures) > 100
    leaked = sorted(v for v in figures if re.search(rf"\b{re.escape(v)}\b", text))
    assert leaked == [], f"team-month figures in summary.json: {leaked[:5]}"
