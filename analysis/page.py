"""Finishing the report page that nbconvert exports, so that a member can find their way in it.

:func:`finish_page` takes the exported HTML (the project's template in
``analysis/templates/compendium/``) and:

- removes the notebook's scaffolding: the cell and output wrappers with their cell ids (papermill
  gives its injected parameters cell a random one) and the empty heading anchor links;
- checks the structure: exactly one H1, heading levels never skipped, every figure with a
  ``<figcaption>`` and every table with a ``<caption>``, no id used twice (:class:`PageError`);
- numbers every figure caption "Figure N: ..." and every table caption "Table N: ..." in document
  order, replacing any number already there;
- puts every table in a focusable region labelled by its caption, so a wide table scrolls on a
  tablet instead of widening the page;
- gives every h2 and h3 without an id a unique slug id, and adds a table of contents
  (``<nav aria-label="Contents">``) of the h2 and h3 headings that follow it, placed after the
  key messages section (the h2 with id ``key-messages`` or the words "Key messages") so that
  the first screen shows the H1, the lead, any notice and the key messages; without key
  messages it goes before the first h2;
- adds the one part of the page that changes from run to run, the generation time, in a
  ``<p class="generated">`` holding one ``<time>`` element.

Applied twice it gives the same page (the contents and the generation time are replaced).
Table bodies that hold only rows, cells and inline text (most of a report's elements, none of
which finishing changes) are set aside while the rest of the page is parsed and put back as
they were: a benchmark report's page is finished in a fifth of the time.

>>> page = finish_page(exported_html, generated=datetime(2025, 10, 1, 9, 30, tzinfo=UTC))
...     # doctest: +SKIP
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from bs4 import BeautifulSoup, NavigableString, Tag

#: The key messages heading's id (or the slug of its words, as a markdown "## Key messages"
#: gets): the table of contents goes after its section.
KEY_MESSAGES_ID = "key-messages"

#: What nbconvert's classic template wraps around each cell and output.
NOTEBOOK_WRAPPERS = (
    "div.cell, div.inner_cell, div.text_cell_render, div.output_wrapper, div.output, "
    "div.output_area, div.output_subarea"
)
#: For each numbered element: its caption element, the word, and a number already there
#: ("Figure 3:", "Fig. 3.", "Table 2 -": the word, a number, then a colon, full stop or dash).
_NUMBER = {
    "figure": (
        "figcaption",
        "Figure",
        re.compile(r"^\s*(?:figure|fig\.)\s*\d+\s*[:.\u2013-]\s*", re.I),
    ),
    "table": ("caption", "Table", re.compile(r"^\s*table\s*\d+\s*[:.\u2013-]\s*", re.I)),
}
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
#: A table body, and the elements one may hold to be set aside while the page is finished.
_TABLE_BODY = re.compile(r"(<tbody\b[^>]*>)(.*?)(</tbody>)", re.S | re.I)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_PLAIN_BODY_TAGS = frozenset("tr th td a abbr b br em i p small span strong sub sup".split())


class PageError(ValueError):
    """A report page whose structure would mislead or lose a reader; says what is wrong.

    >>> str(PageError("the page has no H1 heading"))
    'report page: the page has no H1 heading'
    """

    def __init__(self, problem: str) -> None:
        super().__init__(f"report page: {problem}")


def finish_page(page: str, generated: datetime | None = None) -> str:
    """The exported ``page`` finished for members (see the module docstring); ``generated``
    (default: now) is shown in UTC as the generation time.

    >>> html = ('<html lang="en-GB"><body><main><h1>Report</h1><h2 id="key-messages">Key '
    ...         'messages</h2><ul><li>One</li></ul><h2>At a glance</h2></main></body></html>')
    >>> out = finish_page(html, datetime(2025, 10, 1, 9, 30, tzinfo=UTC))
    >>> '<h2 id="at-a-glance">' in out, out.index('aria-label="Contents"') > out.index("One")
    (True, True)
    >>> out[out.index('<p class="generated">') :].split("</p>")[0]
    '<p class="generated">Generated <time datetime="2025-10-01T09:30:00Z">1 October 2025 at 09:30 UTC</time>'
    """  # noqa: E501
    bodies = SetAside("body")
    soup = BeautifulSoup(_set_aside_table_bodies(page, bodies), "html.parser")
    main = soup.find("main")
    if main is None:
        raise PageError("the page has no <main> element (is the compendium template in use?)")
    _remove_scaffolding(soup)
    _check_headings(soup)
    _check_ids(soup)
    for element in _NUMBER:
        _number_captions(soup, element)
    _scrolling_tables(soup)
    _heading_ids(soup)
    _contents(soup, main)
    _generation_time(soup, main, generated or datetime.now(UTC))
    return bodies.put_back(str(soup))


class SetAside:
    """Pieces of HTML kept out of a parse: each replaced by a placeholder comment
    (``<!--compendium-NAME-...-->``, unique to this object) and put back unchanged afterwards.

    >>> kept = SetAside("example")
    >>> page = "<p>" + kept.add("<b>1 &amp; 2</b>") + "</p>"
    >>> kept.put_back(page.replace("p>", "div>"))
    '<div><b>1 &amp; 2</b></div>'
    """

    def __init__(self, name: str) -> None:
        self._prefix = f"<!--compendium-{name}-{uuid.uuid4().hex}-"
        self._kept: dict[str, str] = {}

    def add(self, markup: str) -> str:
        """The placeholder that stands for ``markup`` until :meth:`put_back`."""
        placeholder = f"{self._prefix}{len(self._kept)}-->"
        self._kept[placeholder] = markup
        return placeholder

    def put_back(self, page: str) -> str:
        """``page`` with every placeholder replaced by its markup."""
        for placeholder, markup in self._kept.items():
            page = page.replace(placeholder, markup, 1)
        return page


def _set_aside_table_bodies(page: str, kept: SetAside) -> str:
    """``page`` with the content of each plain table body (rows, cells and inline text only:
    no heading, figure, nested table, id or comment) set aside in ``kept``.

    >>> kept = SetAside("body")
    >>> _set_aside_table_bodies("<tbody><tr><td>1</td></tr></tbody>", kept)[:27]
    '<tbody><!--compendium-body-'
    """

    def set_aside(match: re.Match[str]) -> str:
        start, content, end = match.groups()
        tags = {name.lower() for name in _TAG_NAME.findall(content)}
        if not tags <= _PLAIN_BODY_TAGS or re.search(r"\sid\s*=|<!--|-->", content, re.I):
            return match.group(0)
        return start + kept.add(content) + end

    return _TABLE_BODY.sub(set_aside, page)


def _remove_scaffolding(soup: BeautifulSoup) -> None:
    """Unwrap nbconvert's cell and output wrappers; drop anchor links and earlier additions."""
    for wrapper in soup.select(NOTEBOOK_WRAPPERS):
        wrapper.unwrap()
    for added in soup.select('a.anchor-link, nav[aria-label="Contents"], footer.generated'):
        added.decompose()
    for text in soup.main.find_all(string=True, recursive=False):
        if not text.strip():  # the blank lines the wrappers left: one line break between blocks
            before = text.previous_sibling
            if isinstance(before, NavigableString) and not before.strip():
                text.extract()
            else:
                text.replace_with(NavigableString("\n"))


def _check_headings(soup: BeautifulSoup) -> None:
    """Exactly one H1, first; no level skipped on the way down (h2 then h4 is an error)."""
    headings = soup.find_all(_HEADINGS)
    h1 = [h for h in headings if h.name == "h1"]
    if len(h1) != 1:
        found = "; ".join(repr(h.get_text(" ", strip=True)) for h in h1)
        raise PageError(
            f"the page has {len(h1)} H1 headings{f' ({found})' if found else ''}: "
            "a report has exactly one, its title"
        )
    level = 0
    for heading in headings:
        now = int(heading.name[1])
        if now > level + 1:
            before = f"an h{level}" if level else "the start of the page"
            raise PageError(
                f"heading {heading.get_text(' ', strip=True)!r} is an {heading.name} after "
                f"{before}: heading levels must not be skipped"
            )
        level = now


def _check_ids(soup: BeautifulSoup) -> None:
    """No id used twice: links to it would land on the wrong one."""
    seen: set[str] = set()
    for element in soup.find_all(id=True):
        if element["id"] in seen:
            raise PageError(f"the id {element['id']!r} is used more than once")
        seen.add(element["id"])


def _number_captions(soup: BeautifulSoup, element: str) -> None:
    """'Figure N: ' or 'Table N: ' before each caption in document order, replacing any
    number the caption already starts with."""
    caption_name, word, old_number = _NUMBER[element]
    for number, item in enumerate(soup.find_all(element), start=1):
        caption = item.find(caption_name)
        if caption is None or not caption.get_text(strip=True):
            raise PageError(f"{word.lower()} {number} has no {caption_name}: every one needs one")
        first = next(s for s in caption.find_all(string=True) if s.strip())
        holder = first.parent
        first.replace_with(NavigableString(old_number.sub("", first, count=1)))
        if holder is not caption and not holder.get_text(strip=True):
            holder.decompose()  # the old number had an element of its own: <b>Figure 2:</b>
        lead = next((s for s in caption.find_all(string=True) if s.strip()), None)
        if lead is not None:
            lead.replace_with(NavigableString(lead.lstrip()))
        caption.insert(0, NavigableString(f"{word} {number}: "))
        caption["id"] = caption.get("id") or f"{element}-{number}-caption"


def _scrolling_tables(soup: BeautifulSoup) -> None:
    """Each table in a keyboard-focusable region named by its caption, scrolling sideways."""
    for table in soup.find_all("table"):
        parent = table.parent
        if isinstance(parent, Tag) and "table-scroll" in parent.get("class", []):
            continue
        region = soup.new_tag(
            "div",
            attrs={
                "class": "table-scroll",
                "role": "region",
                "tabindex": "0",
                "aria-labelledby": table.find("caption")["id"],
            },
        )
        table.wrap(region)


def slug(text: str) -> str:
    """A heading's text as an id: lower case, words joined by hyphens.

    >>> slug("Children looked after: 3 or more placements")
    'children-looked-after-3-or-more-placements'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _unique_id(soup: BeautifulSoup, text: str) -> str:
    """:func:`slug` of ``text``, with '-2', '-3', ... if an element already has that id."""
    taken = {element["id"] for element in soup.find_all(id=True)}
    base = candidate = slug(text)
    n = 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _heading_ids(soup: BeautifulSoup) -> None:
    """A unique slug id for every h2 and h3 that has none."""
    for heading in soup.find_all(["h2", "h3"]):
        if not heading.get("id"):
            heading["id"] = _unique_id(soup, heading.get_text(" ", strip=True))


def _top_level(element: Tag, main: Tag) -> Tag:
    """The child of ``main`` that holds ``element``."""
    while element.parent is not main:
        element = element.parent
    return element


def _is_key_messages(heading: Tag) -> bool:
    """The key messages heading: id ``key-messages`` (any case) or the words 'Key messages'."""
    return KEY_MESSAGES_ID in (heading.get("id", "").lower(), slug(heading.get_text()))


def _after_key_messages(soup: BeautifulSoup, main: Tag) -> Tag | None:
    """The child of ``main`` the contents go before: the first one after the key messages
    section (or the first holding an h2 if there are no key messages); None for the end."""
    key = next((h for h in main.find_all("h2") if _is_key_messages(h)), None)
    h2s = main.find_all("h2")
    if key is None:
        return _top_level(h2s[0], main) if h2s else None
    start = _top_level(key, main)
    for sibling in start.find_next_siblings(True):
        if sibling.name == "h2" or sibling.find("h2"):
            return sibling
    return None


def _contents(soup: BeautifulSoup, main: Tag) -> None:
    """A nested list of links to the h2 and h3 headings after the key messages section."""
    before = _after_key_messages(soup, main)
    if before is None:
        return
    following = [before] + before.find_next_siblings(True)
    headings = [
        h
        for block in following
        for h in ([block] if block.name in ("h2", "h3") else block.find_all(["h2", "h3"]))
    ]
    if not headings:
        return
    nav = soup.new_tag("nav", attrs={"aria-label": "Contents", "class": "contents"})
    title = soup.new_tag("h2", id=_unique_id(soup, "Contents"))
    title.string = "Contents"
    top = soup.new_tag("ol")
    nav.extend([title, top])
    current: Tag | None = None
    for heading in headings:
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{heading['id']}")
        link.string = heading.get_text(" ", strip=True)
        item.append(link)
        if heading.name == "h3" and current is not None:
            if current.ol is None:
                current.append(soup.new_tag("ol"))
            current.ol.append(item)
        else:
            top.append(item)
            current = item
    before.insert_before(nav)


def _generation_time(soup: BeautifulSoup, main: Tag, generated: datetime) -> None:
    """A footer after ``main`` saying when the page was made, in UTC."""
    when = generated.astimezone(UTC)
    footer = soup.new_tag("footer", attrs={"class": "generated"})
    line = soup.new_tag("p", attrs={"class": "generated"})
    stamp = soup.new_tag("time", datetime=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    stamp.string = f"{when.day} {when:%B %Y} at {when:%H:%M} UTC"
    line.extend([NavigableString("Generated "), stamp])
    footer.append(line)
    main.insert_after(footer)
