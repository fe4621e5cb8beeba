"""WCAG 2.2 A and AA in a real browser: axe-core (tests/accessibility/, pinned in its
package-lock.json) in Debian's headless Chromium finds no violation on rendered reports, at a
desktop (1280x800) and a tablet (768x1024) size; the first screen shows the key messages; the
page never widens past the screen and fetches nothing; the first Tab stop is a visible skip link.

Needs node, /usr/bin/chromium and ``npm ci --prefix tests/accessibility`` (``make test`` runs it;
``.ci/run`` installs Chromium). Skipped with the reason when one is missing, except on CI
(``CI=true``), where a missing piece fails the test.

Another report is one more line in REPORTS: the name of a fixture returning its HTML file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import demo_params

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "tests" / "accessibility"
SCRIPT = HERE / "check_page.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
#: axe-core rule tags: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

REPORTS = [
    pytest.param("demo_quarterly_page", id="demo-quarterly"),
    pytest.param("surrey_benchmark_page", id="surrey-benchmark", marks=pytest.mark.real_data),
    pytest.param("demo_deep_dive_page", id="demo-deep-dive"),
    pytest.param("demo_data_quality_page", id="demo-data-quality"),
]


@pytest.fixture(scope="module")
def demo_quarterly_page(demo_quarterly) -> Path:
    return demo_quarterly / "quarterly_report.html"


def _rendered(run: Path) -> Path:
    """The page of the run file ``run``, rendered into an ``out`` folder beside it."""
    from analysis.params import load_run_file
    from analysis.render import render_report

    return render_report(load_run_file(run), run.parent / "out")


@pytest.fixture(scope="module")
def demo_deep_dive_page(demo_data, tmp_path_factory) -> Path:
    return _rendered(demo_params("deep_dive_demo", demo_data, tmp_path_factory.mktemp("dive")))


@pytest.fixture(scope="module")
def demo_data_quality_page(demo_data, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("quality")
    return _rendered(demo_params("data_quality_demo", demo_data, folder))


@pytest.fixture(scope="module")
def surrey_benchmark_page(dfe, tmp_path_factory) -> Path:
    """Surrey's benchmark report from the real DfE data (``params/benchmark_example.yml``)."""
    run = tmp_path_factory.mktemp("benchmark") / "benchmark_example.yml"
    text = (ROOT / "params" / "benchmark_example.yml").read_text(encoding="utf-8")
    run.write_text(text + f"data_dir: {dfe}\n", encoding="utf-8")
    return _rendered(run)


def _missing() -> str | None:
    """Why the browser check cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not CHROMIUM.exists():
        return f"Chromium is not at {CHROMIUM} (apt-get install chromium; .ci/run does it)"
    for package in ("axe-core", "playwright-core"):
        if not (HERE / "node_modules" / package).is_dir():
            return f"{package} is not installed (npm ci --prefix tests/accessibility; make test does it)"  # noqa: E501
    return None


def _require_browser() -> None:
    """Skip with the reason when the browser check cannot run; on CI, fail instead."""
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the accessibility checks, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> None:
    _require_browser()


def _check(page: Path, shots: Path) -> dict:
    done = subprocess.run(
        ["node", str(SCRIPT), str(page), str(shots)],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, CHROMIUM=str(CHROMIUM)),
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=REPORTS)
def checked(request, browser, tmp_path_factory) -> dict:
    """The browser's findings for one report; screenshots in the test's tmp folder."""
    page = request.getfixturevalue(request.param)
    shots = tmp_path_factory.mktemp(f"screens-{request.param}")
    return _check(page, shots)


def _readable(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )


def test_axe_finds_no_wcag_a_or_aa_violation(checked):
    for viewport in checked["viewports"]:
        assert viewport["passes"] > 0, "axe ran no rule"
        assert viewport["violations"] == [], f"{viewport['name']}:\n" + _readable(
            viewport["violations"]
        )


def test_the_page_fetches_nothing_from_elsewhere(checked):
    assert checked["blocked"] == []


def test_the_first_screen_shows_the_title_and_the_key_messages_heading(checked):
    for viewport in checked["viewports"]:
        screen = viewport["first_screen"]
        height = screen["viewport"]["height"]
        assert Path(viewport["screenshot"]).stat().st_size > 10_000
        assert screen["h1"] and 0 <= screen["h1"]["top"] < screen["h1"]["bottom"] <= height
        key = screen["key_messages"]
        assert key, f"{viewport['name']}: no 'Key messages' h2"
        assert 0 <= key["top"] < key["bottom"] <= height, (viewport["name"], key)


def test_the_first_tab_stop_is_a_visible_skip_link_to_the_main_content(checked):
    skip = checked["skip_link"]
    assert (skip["text"], skip["href"], skip["focus_after_enter"]) == (
        "Skip to main content",
        "#main",
        "main",
    )
    assert skip["box"]["top"] >= 0 and skip["box"]["right"] > skip["box"]["left"] >= 0
    assert skip["background"] == "rgb(255, 221, 0)"  # the focus style: ink on yellow, 14.6:1
    assert Path(skip["screenshot"]).stat().st_size > 10_000


def test_the_page_never_scrolls_sideways(checked):
    # WCAG 1.4.10 reflow: wide tables scroll in their own region, the page itself does not.
    for viewport in checked["viewports"]:
        screen = viewport["first_screen"]
        assert screen["scroll_width"] <= screen["viewport"]["width"], viewport["name"]


def test_tables_folded_under_charts_are_printed(checked):
    # members read on paper: a closed <details> must not hide a chart's figures there
    printed = checked["print"]
    assert printed["printed"] == printed["folded_tables"]


def test_the_checks_skip_or_fail_with_a_reason(monkeypatch):
    # The reason names what is missing; CI turns a skip into a failure.
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert _missing() == "node is not installed"
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="node is not installed"):
        _require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the accessibility checks"):
        _require_browser()
