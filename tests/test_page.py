"""analysis/page.py on small hand-made pages: numbering, ids, contents, checks, idempotence.

Expected pages are written out by hand from the rules in the module docstring.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup

from analysis.page import PageError, finish_page, slug

WHEN = datetime(2025, 10, 1, 9, 30, tzinfo=UTC)


def page(body: str) -> str:
    """A page as the compendium template exports it, with ``body`` inside <main>."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><title>T</title></head><body>'
        '<a class="skip-link" href="#main">Skip to main content</a>'
        f'<main id="main" tabindex="-1">{body}</main></body></html>'
    )


def finished(body: str) -> BeautifulSoup:
    return BeautifulSoup(finish_page(page(body), WHEN), "html.parser")


def test_figures_and_tables_are_numbered_in_order_replacing_numbers_already_there():
    soup = finished(
        "<h1>R</h1>"
        "<figure><img alt='a'><figcaption>Figure 7: Referrals</figcaption></figure>"
        "<table><caption>Table 1: Every indicator</caption><tr><td>1</td></tr></table>"
        "<figure><img alt='b'><figcaption>Re-referrals</figcaption></figure>"
        "<figure><img alt='c'><figcaption><strong>Fig. 2.</strong> Assessments</figcaption>"
        "</figure>"
        "<table><caption>table 9 - Caseloads in 2025</caption><tr><td>1</td></tr></table>"
        "<table><caption>Table 2025 figures</caption><tr><td>1</td></tr></table>"
    )
    assert [c.get_text() for c in soup.find_all("figcaption")] == [
        "Figure 1: Referrals",
        "Figure 2: Re-referrals",
        "Figure 3: Assessments",
    ]
    # "Table 2025 figures" has no colon, full stop or dash after the number: not a label.
    assert [c.get_text() for c in soup.find_all("caption")] == [
        "Table 1: Every indicator",
        "Table 2: Caseloads in 2025",
        "Table 3: Table 2025 figures",
    ]
    assert soup.find("strong") is None  # the old number's own element goes with it


def test_a_figure_or_table_without_a_caption_is_an_error():
    with pytest.raises(PageError, match="figure 2 has no figcaption"):
        finished(
            "<h1>R</h1><figure><img alt='a'><figcaption>A</figcaption></figure>"
            "<figure><img alt='b'></figure>"
        )
    with pytest.raises(PageError, match="table 1 has no caption"):
        finished("<h1>R</h1><table><caption> </caption><tr><td>1</td></tr></table>")


def test_each_table_scrolls_in_a_focusable_region_named_by_its_caption():
    soup = finished("<h1>R</h1><table><caption>Values</caption><tr><td>1</td></tr></table>")
    region = soup.find("table").parent
    assert region.name == "div" and region["role"] == "region" and region["tabindex"] == "0"
    assert region["class"] == ["table-scroll"]
    caption = soup.find(id=region["aria-labelledby"])
    assert caption.name == "caption" and caption.get_text() == "Table 1: Values"


def test_headings_without_ids_get_unique_slugs_and_existing_ids_are_kept():
    soup = finished(
        "<h1>R</h1><h2 id='At-a-glance'>At a glance</h2><h2>Care leavers: 17 &amp; over</h2>"
        "<h3>Trend</h3><h2>Each indicator</h2><h3>Trend</h3><h3 id='trend-2'>Other</h3>"
    )
    ids = [h["id"] for h in soup.find_all(["h2", "h3"]) if h.get_text() != "Contents"]
    assert ids == ["At-a-glance", "care-leavers-17-over", "trend", "each-indicator", "trend-3",
                   "trend-2"]  # fmt: skip


def test_slug():
    assert slug("Re-referrals within 12 months") == "re-referrals-within-12-months"
    assert slug("***") == "section"


def test_contents_come_after_the_key_messages_and_list_what_follows():
    soup = finished(
        "<h1>R</h1><p class='lead'>Lead</p><div class='notice'>Fictional</div>"
        "<h2 id='key-messages'>Key messages</h2><ul><li>Red</li></ul>"
        "<h2>At a glance</h2><p>x</p><h2>Each indicator</h2>"
        "<section><h3>Re-referrals</h3></section><section><h3>Assessments</h3></section>"
        "<h2>About</h2>"
    )
    main = soup.find("main")
    order = [c.name for c in main.find_all(True, recursive=False)]
    assert order[: order.index("nav") + 2] == ["h1", "p", "div", "h2", "ul", "nav", "h2"]
    nav = soup.find("nav")
    assert nav["aria-label"] == "Contents" and nav.find("h2").get_text() == "Contents"
    top = nav.find("ol").find_all("li", recursive=False)
    assert [li.a.get_text() for li in top] == ["At a glance", "Each indicator", "About"]
    assert [a.get_text() for a in top[1].ol.find_all("a")] == ["Re-referrals", "Assessments"]
    for link in nav.find_all("a"):
        assert soup.find(id=link["href"][1:]) is not None, link


def test_a_markdown_key_messages_heading_is_found_by_its_words():
    # nbconvert gives "## Key messages" the id "Key-messages".
    soup = finished(
        "<h1>R</h1><h2 id='Key-messages'>Key messages</h2><ul><li>Red</li></ul><h2>Next</h2>"
    )
    assert soup.find("ul").find_next_sibling().name == "nav"


def test_contents_without_key_messages_go_before_the_first_h2_and_none_without_h2():
    soup = finished("<h1>R</h1><p>Lead</p><h2>First</h2><h2>Second</h2>")
    assert soup.find("p").find_next_sibling().name == "nav"
    assert [a.get_text() for a in soup.find("nav").find_all("a")] == ["First", "Second"]
    assert finished("<h1>R</h1><p>Only a lead</p>").find("nav") is None


def test_heading_text_is_escaped_in_the_contents():
    out = finish_page(page("<h1>R</h1><h2>Costs &amp; &lt;b&gt;</h2>"), WHEN)
    assert '<a href="#costs-b">Costs &amp; &lt;b&gt;</a>' in out


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<h2>A</h2>", "has 0 H1 headings: a report has exactly one"),
        ("<h1>A</h1><h1>B</h1>", "has 2 H1 headings \\('A'; 'B'\\)"),
        ("<h1>A</h1><h3>B</h3>", "heading 'B' is an h3 after an h1"),
        ("<h1>A</h1><h2>B</h2><h3>C</h3><h5>D</h5>", "heading 'D' is an h5 after an h3"),
        ("<h2>B</h2><h1>A</h1>", "heading 'B' is an h2 after the start of the page"),
        ("<h1 id='x'>A</h1><h2 id='x'>B</h2>", "the id 'x' is used more than once"),
    ],
)
def test_structure_errors_say_what_is_wrong(body, message):
    with pytest.raises(PageError, match=message):
        finished(body)


def test_a_page_without_main_is_an_error():
    with pytest.raises(PageError, match="no <main> element"):
        finish_page("<html><body><h1>R</h1></body></html>", WHEN)


def test_notebook_scaffolding_and_its_cell_ids_are_removed():
    soup = finished(
        '<div class="cell border-box-sizing code_cell rendered" id="cell-id=5f2e">'
        '<div class="output_wrapper"><div class="output"><div class="output_area">'
        '<div class="output_html rendered_html output_subarea"><h1>R</h1></div></div></div></div>'
        '</div><div class="cell border-box-sizing text_cell rendered" id="cell-id=9a1b">'
        '<div class="inner_cell"><div class="text_cell_render border-box-sizing rendered_html">'
        '<h2 id="At-a-glance">At a glance<a class="anchor-link" href="#At-a-glance"></a></h2>'
        "</div></div></div>"
    )
    main = soup.find("main")
    assert [c.name for c in main.find_all(True, recursive=False)] == ["h1", "nav", "h2"]
    assert main.find("div") is None and soup.find(class_="anchor-link") is None
    assert not [e for e in soup.find_all(id=True) if e["id"].startswith("cell-id")]


def test_the_generation_time_is_in_utc_in_one_time_element():
    local = datetime(2025, 10, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    soup = BeautifulSoup(finish_page(page("<h1>R</h1>"), local), "html.parser")
    stamps = soup.find_all("time")
    assert len(stamps) == 1 and stamps[0].parent["class"] == ["generated"]
    assert stamps[0]["datetime"] == "2025-10-01T09:30:00Z"
    assert soup.find("p", class_="generated").get_text() == "Generated 1 October 2025 at 09:30 UTC"
    assert soup.find("footer").find_previous_sibling().name == "main"


def test_finishing_twice_gives_the_same_page():
    body = (
        "<h1>R</h1><h2 id='key-messages'>Key messages</h2><ul><li>Red</li></ul><h2>A</h2>"
        "<figure><img alt='a'><figcaption>Figure 4: X</figcaption></figure>"
        "<table><caption>Y</caption><tr><td>1</td></tr></table>"
    )
    once = finish_page(page(body), WHEN)
    later = WHEN + timedelta(days=1)
    assert finish_page(once, later) == finish_page(page(body), later)
    assert once.count("<nav") == 1 and once.count('class="table-scroll"') == 1


def test_plain_table_bodies_come_back_as_they_were_and_others_are_still_checked():
    # A body of rows and cells only is set aside while the page is parsed: its bytes come back
    # unchanged (bs4 would have written &#x27; as ' and <br/> for <br>), the table is still
    # numbered and put in its region.
    body = '<tr><th scope="row">O&#x27;Neill &amp; Co<br></th><td><b>4</b></td></tr>'
    out = finish_page(page(f"<h1>R</h1><table><caption>C</caption><tbody>{body}</tbody></table>"))
    assert f"<tbody>{body}</tbody>" in out
    assert '<caption id="table-1-caption">Table 1: C</caption>' in out
    assert 'aria-labelledby="table-1-caption"' in out
    # A body holding an id, a heading or a nested table takes part in the checks as before.
    with pytest.raises(PageError, match="the id 'x' is used more than once"):
        finished(
            "<h1 id='x'>R</h1><table><caption>C</caption><tbody><tr><td id='x'>1</td></tr>"
            "</tbody></table>"
        )
    nested = finished(
        "<h1>R</h1><table><caption>Outer</caption><tbody><tr><td><table><caption>Inner"
        "</caption><tr><td>1</td></tr></table></td></tr></tbody></table>"
    )
    assert [c.get_text() for c in nested.find_all("caption")] == [
        "Table 1: Outer",
        "Table 2: Inner",
    ]


def test_compendium_render_reports_a_broken_page_in_one_line(demo_run_file, monkeypatch, capsys):
    # A notebook that makes a page with two H1s fails the run with the reason, not a traceback.
    import analysis.render
    from analysis.cli import main

    def two_titles(run, out_root=None):
        finish_page(page("<h1>A</h1><h1>B</h1>"), WHEN)

    monkeypatch.setattr(analysis.render, "render_report", two_titles)
    assert main(["render", str(demo_run_file)]) == 1
    assert capsys.readouterr().err == (
        "compendium: quarterly_report.ipynb: report page: the page has 2 H1 headings "
        "('A'; 'B'): a report has exactly one, its title\n"
    )
