"""Checks of a rendered report page that any report test can reuse.

Each check takes the page's HTML and returns a list of problems, empty when the page passes, so
a test can assert ``check(page) == []`` and read every problem at once:

>>> import html_checks  # doctest: +SKIP
>>> assert html_checks.problems(page) == []  # doctest: +SKIP

:data:`CHECKS` lists them all; :func:`problems` runs them all; :func:`without_generation_time`
masks the one part of a page that may differ between two renders of the same inputs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from bs4 import BeautifulSoup

MAX_BYTES = 3 * 1024 * 1024
#: Alt text that says nothing about the chart.
GENERIC_ALT = {"image", "img", "chart", "graph", "plot", "figure", "picture", "photo", "diagram"}
_FILE_NAME = re.compile(r"^\S+\.(?:png|jpe?g|gif|svg|webp|bmp)$", re.I)
_PROMPT = re.compile(r"\b(?:In|Out)\s*(?:&nbsp;|\xa0|\s)?\[\s*\d*\s*\]:")
_NOTEBOOK_CLASSES = {
    "input",
    "input_area",
    "input_prompt",
    "output_prompt",
    "prompt",
    "output_stderr",
    "output_error",
    "output_stream",
    "highlight",
}
_GENERATED = re.compile(r'(<p class="generated">Generated <time datetime=")[^"]*(">)[^<]*(</time>)')
_HEADING = re.compile(r"^h[1-6]$")


@functools.lru_cache(maxsize=4)
def _soup(page: str) -> BeautifulSoup:
    """The parsed page, parsed once for all the checks (they only read it)."""
    return BeautifulSoup(page, "html.parser")


def no_code_prompts_or_errors(page: str) -> list[str]:
    """No notebook input, prompts, stderr, tracebacks or code blocks."""
    soup = _soup(page)
    found = [
        f"<{e.name} class={' '.join(e['class'])}>"
        for e in soup.find_all(class_=True)
        if _NOTEBOOK_CLASSES & set(e["class"])
    ]
    found += [f"a <{e.name}> element" for e in soup.find_all(["pre", "code", "kbd", "samp"])]
    text = soup.get_text(" ")
    if "Traceback (most recent call last)" in text or re.search(r"\b\w+Error: ", text):
        found.append("a traceback or error message")
    if _PROMPT.search(text):
        found.append(f"a prompt {_PROMPT.search(text).group(0)!r}")
    return found


def alt_text(page: str) -> list[str]:
    """Every image has alt text of at least a sentence: five or more words ending in a full stop
    (or ! or ?), not a generic word and not a file name."""
    found = []
    for number, image in enumerate(_soup(page).find_all("img"), start=1):
        alt = (image.get("alt") or "").strip()
        where = f"image {number}"
        if not alt:
            found.append(f"{where} has no alt text")
        elif alt.lower().rstrip(".") in GENERIC_ALT or _FILE_NAME.match(alt):
            found.append(f"{where} has alt text that says nothing: {alt!r}")
        elif len(alt.split()) < 5 or alt[-1] not in ".!?":
            found.append(f"{where} has alt text shorter than a sentence: {alt!r}")
    return found


def headings(page: str) -> list[str]:
    """One H1, first; no level skipped going down; no empty heading."""
    found = []
    levels = [(int(h.name[1]), h.get_text(" ", strip=True)) for h in _soup(page).find_all(_HEADING)]
    if sum(1 for level, _ in levels if level == 1) != 1:
        found.append(f"{sum(1 for level, _ in levels if level == 1)} H1 headings, not one")
    previous = 0
    for level, text in levels:
        if not text:
            found.append(f"an empty h{level}")
        if level > previous + 1:
            found.append(f"h{level} {text!r} follows h{previous}: a level is skipped")
        previous = level
    return found


def title_and_language(page: str) -> list[str]:
    """``<html lang="en-GB">`` and a real ``<title>``."""
    soup = _soup(page)
    found = []
    if soup.html is None or soup.html.get("lang") != "en-GB":
        found.append(f"lang is {soup.html.get('lang') if soup.html else None!r}, not 'en-GB'")
    title = soup.title.get_text(strip=True) if soup.title else ""
    if not title or title.lower() in {"compendium report", "notebook", "untitled"}:
        found.append(f"the title is not a real one: {title!r}")
    return found


def _external(address: str) -> bool:
    return bool(re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", address, re.I)) and not re.match(
        r"^\s*data:", address, re.I
    )


def _css_problems(css: str, where: str) -> list[str]:
    found = [f"@import in {where}"] if "@import" in css.lower() else []
    for address in re.findall(r"url\(\s*['\"]?([^'\")]*)", css, re.I):
        if not address.startswith(("data:", "#")):
            found.append(f"url({address}) in {where}")
    return found


def self_contained(page: str) -> list[str]:
    """Nothing fetched from elsewhere and no script: no <script>, <link>, frames or objects;
    every src is a data: address; CSS without @import or url() to a file or the network.
    A link a reader may follow (``<a href="https://...">``) is allowed."""
    soup = _soup(page)
    found = [
        f"a <{e.name}> element"
        for e in soup.find_all(["script", "link", "iframe", "frame", "object", "embed", "base"])
    ]
    for element in soup.find_all(True):
        for attribute in ("src", "srcset", "poster", "data", "background"):
            value = element.get(attribute)
            if value and not value.strip().startswith("data:"):
                found.append(f"<{element.name} {attribute}={value[:80]!r}> is not inline")
        if element.name != "a" and element.get("href") and _external(element["href"]):
            found.append(f"<{element.name} href={element['href']!r}> fetches from elsewhere")
        if any(a.startswith("on") for a in element.attrs):
            found.append(f"<{element.name}> has an event handler (script)")
        if element.get("style"):
            found += _css_problems(element["style"], f"the style of <{element.name}>")
        if (element.get("href") or "").strip().lower().startswith("javascript:"):
            found.append("a javascript: link")
    for style in soup.find_all("style"):
        found += _css_problems(style.get_text(), "a <style> element")
    refresh = soup.find("meta", attrs={"http-equiv": re.compile("refresh", re.I)})
    if refresh:
        found.append("a meta refresh")
    return found


def numbered_figures_and_tables(page: str) -> list[str]:
    """Every figure has a figcaption 'Figure N: ...' and every table a caption 'Table N: ...',
    N counting 1, 2, 3 ... in document order."""
    soup = _soup(page)
    found = []
    for element, caption_name, word in (
        ("figure", "figcaption", "Figure"),
        ("table", "caption", "Table"),
    ):
        for number, item in enumerate(soup.find_all(element), start=1):
            caption = item.find(caption_name)
            text = caption.get_text(" ", strip=True) if caption else ""
            if not re.match(rf"{word} {number}: \S", text):
                found.append(f"{element} {number} is captioned {text[:60]!r}")
    return found


def tables(page: str) -> list[str]:
    """Every table has header cells with a scope and sits in a keyboard-focusable region named
    by a label, so it can scroll sideways on a tablet."""
    found = []
    soup = _soup(page)
    for number, table in enumerate(soup.find_all("table"), start=1):
        heads = table.find_all("th")
        if not heads:
            found.append(f"table {number} has no header cells")
        if any(th.get("scope") not in {"col", "row", "colgroup", "rowgroup"} for th in heads):
            found.append(f"table {number} has a header cell without a scope")
        region = table.parent
        labelled = region.get("aria-label") or (
            region.get("aria-labelledby") and soup.find(id=region["aria-labelledby"])
        )
        if not (region.get("role") == "region" and region.get("tabindex") == "0" and labelled):
            found.append(f"table {number} is not in a focusable, labelled region")
    return found


def links_and_contents(page: str) -> list[str]:
    """A table of contents (``<nav aria-label="Contents">``) after the key messages, every link
    within the page leading to an id, and no id used twice."""
    soup = _soup(page)
    found = []
    ids = [e["id"] for e in soup.find_all(id=True)]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    found += [f"the id {i!r} is used more than once" for i in twice]
    nav = soup.find("nav", attrs={"aria-label": "Contents"})
    if nav is None or not nav.find("a"):
        found.append("no table of contents")
    for link in soup.find_all("a", href=re.compile("^#")):
        if link["href"][1:] not in ids:
            found.append(f"the link to {link['href']!r} leads nowhere")
    key = soup.find(["h2"], string=re.compile(r"^\s*Key messages\s*$"))
    if nav is not None and key is not None and _at(key) > _at(nav):
        found.append("the table of contents comes before the key messages")
    return found


def _at(element) -> tuple[int, int]:
    return element.sourceline, element.sourcepos


def generation_time(page: str) -> list[str]:
    """Exactly one generation time, in ``<p class="generated">``, the only <time> element."""
    stamps = _soup(page).find_all("time")
    if len(stamps) != 1 or len(_GENERATED.findall(page)) != 1:
        return [f"{len(stamps)} <time> elements, {len(_GENERATED.findall(page))} generation times"]
    return []


def size(page: str) -> list[str]:
    """Under 3 MB (encoded as UTF-8)."""
    size = len(page.encode("utf-8"))
    return [f"{size:,} bytes, over {MAX_BYTES:,}"] if size >= MAX_BYTES else []


#: Every check, in the order a reader meets the problems.
CHECKS: list[Callable[[str], list[str]]] = [
    title_and_language,
    headings,
    no_code_prompts_or_errors,
    self_contained,
    alt_text,
    numbered_figures_and_tables,
    tables,
    links_and_contents,
    generation_time,
    size,
]


def problems(page: str) -> list[str]:
    """Every problem every check finds, each prefixed with the check's name."""
    return [f"{check.__name__}: {problem}" for check in CHECKS for problem in check(page)]


def without_generation_time(page: str) -> str:
    """The page with its generation time masked, for comparing two renders."""
    return _GENERATED.sub(r"\1MASKED\2MASKED\3", page)
