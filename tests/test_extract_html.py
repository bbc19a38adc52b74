"""HTML extraction: metadata from real pages and from hand-made snippets, body clean-up rules."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dateline.extract import extract_document
from dateline.extract.html import extract_html, parse_html
from dateline.extract.html_body import (
    agreement,
    element_lines,
    extract_body,
    is_boilerplate_line,
    remove_boilerplate,
    strip_headline,
    token_bag,
)
from dateline.extract.html_meta import clean_authors, strip_site_from_title
from dateline.extract.html_reference import lxml_reference, reference_text
from dateline.models import RawDocument
from dateline.quality import token_prf

SHARED = Path(__file__).resolve().parents[2] / "shared"
EXAMPLES = SHARED / "examples" / "pages"
EXAMPLE_PAGES = sorted(EXAMPLES.glob("*.html")) if EXAMPLES.is_dir() else []
NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _page(head: str = "", body: str = "", attrs: str = 'lang="en"') -> str:
    paragraphs = "".join(
        f"<p>{s}</p>"
        for s in [
            "The city council voted on Tuesday to approve a new budget for the coming year, after months of debate.",
            "Officials said the plan would fund road repairs, expand bus service and hire more teachers.",
            "Critics argued the budget relied on optimistic revenue forecasts that might not hold up in a downturn.",
            "The mayor is expected to sign the measure next week, according to a statement from her office.",
        ]
    )
    return (
        f"<html {attrs}><head>{head}</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article>{body}{paragraphs}</article><footer>Contact us</footer></body></html>"
    )


def _raw(html: str, url: str | None = "https://news.example.com/2024/05/01/budget", **kw: str) -> RawDocument:
    return RawDocument(source="test", kind="html", content=html, url=url, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- real pages


@pytest.mark.skipif(not EXAMPLE_PAGES, reason=f"example pages not found under {EXAMPLES}")
@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=lambda p: p.name[:8])
def test_example_pages(page: Path) -> None:
    gold = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    article = extract_document(_raw(page.read_text(encoding="utf-8"), gold["url"]), now=NOW)
    assert token_prf(article.text, gold["text"]).f1 >= 0.9
    assert article.title and article.title.split("\n")[0] not in article.text.split("\n")[0:1]
    assert article.outlet
    assert article.language == "en"
    assert article.dates.published is not None and article.dates.published.startswith("2019-")
    assert article.url and article.url.startswith("https://")
    for author in article.authors:
        assert not author.lower().startswith("by ")
        assert article.outlet.lower() not in author.lower()
        assert "http" not in author
    assert len({t.casefold() for t in article.tags}) == len(article.tags)


# --------------------------------------------------------------------------- snippets: metadata


def test_jsonld_article_metadata() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Example News"},
            {
                "@type": "NewsArticle",
                "headline": "Council approves budget",
                "datePublished": "2024-05-01T09:30:00Z",
                "articleSection": "Local",
                "keywords": ["budget", "council", "Budget"],
                "author": [{"@type": "Person", "name": "By Jane Doe"}, {"@type": "Person", "name": "John Roe"}],
                "publisher": {"@type": "Organization", "name": "Example News"},
                "itemReviewed": {"author": {"@type": "Person", "name": "Not An Author"}},
            },
        ],
    }
    head = (
        "<title>Council approves budget | Example News</title>"
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    )
    ex = extract_html(_page(head), "https://news.example.com/a")
    assert ex.title == "Council approves budget"
    assert ex.outlet == "Example News"
    assert ex.authors == ("Jane Doe", "John Roe")
    assert ex.section == "Local"
    assert ex.tags == ("budget", "council")
    assert ex.published == "2024-05-01T09:30:00Z"
    assert ex.language == "en"


def test_outlet_when_the_site_name_is_a_section() -> None:
    # Reuters pages say og:site_name "U.S." (a section); the publisher's social account names the site
    head = ('<meta property="og:site_name" content="U.S.">'
            '<meta property="article:publisher" content="https://www.facebook.com/Reuters">'
            "<title>Oversupply angst drags oil lower</title>")
    assert extract_html(_page(head), "https://www.reuters.com/article/x").outlet == "Reuters"
    # nothing names the site but the title's last part, which starts like the host
    head = "<title>Royal Self-Indicting Arrogance - Sputnik International</title>"
    ex = extract_html(_page(head), "https://sputniknews.com/columnists/1")
    assert ex.outlet == "Sputnik International" and ex.title == "Royal Self-Indicting Arrogance"
    # a section name with no better candidate stays (it is what the page says), a share link is no name
    head = ('<meta property="og:site_name" content="World">'
            '<meta property="article:publisher" content="https://www.facebook.com/sharer">')
    assert extract_html(_page(head), "https://news.example.com/a").outlet == "World"


def test_open_graph_and_meta_tags() -> None:
    head = (
        '<meta property="og:site_name" content="The Daily Example">'
        '<meta property="og:title" content="Budget passes">'
        '<meta property="article:section" content="Politics">'
        '<meta property="article:tag" content="Budget"><meta property="article:tag" content="City Hall">'
        '<meta name="keywords" content="budget, taxes, The Daily Example, cms_internal_tag">'
        '<meta property="article:published_time" content="2024-04-30T18:00:00+02:00">'
        '<meta name="author" content="JANE DOE">'
        '<link rel="canonical" href="/2024/04/30/budget-passes">'
    )
    ex = extract_html(_page(head), "https://dailyexample.com/amp/budget?utm=x")
    assert ex.outlet == "The Daily Example"
    assert ex.title == "Budget passes"
    assert ex.section == "Politics"
    assert ex.tags == ("Budget", "City Hall", "taxes")
    assert ex.published == "2024-04-30T18:00:00+02:00"
    assert ex.authors == ("Jane Doe",)
    assert ex.canonical_url == "https://dailyexample.com/2024/04/30/budget-passes"


def test_site_name_is_not_an_author() -> None:
    head = '<meta name="author" content="CBSNews com">'
    ex = extract_html(_page(head), "https://www.cbsnews.com/news/x")
    assert ex.authors == ()
    assert clean_authors(["Finian Cunningham. Sputnik International"], "sputniknews.com") == ("Finian Cunningham",)
    assert clean_authors(["Google profile", "https://twitter.com/x", "admin"], "example.com") == ()
    two = ("John F. Kennedy", "Dr. Jane Smith")
    assert clean_authors(["By John F. Kennedy and Dr. Jane Smith"], "example.com") == two


def test_no_metadata_gives_none_and_dispatcher_falls_back_to_host() -> None:
    html = _page(attrs="")
    ex = extract_html(html, None)
    assert ex.outlet is None and ex.section is None and ex.tags == () and ex.authors == ()
    article = extract_document(_raw(html, "https://www.example.org/story"), now=NOW)
    assert article.outlet == "example.org"


def test_future_published_date_is_dropped() -> None:
    head = '<meta property="article:published_time" content="2031-06-01T00:00:00Z">'
    article = extract_document(_raw(_page(head)), now=NOW)
    assert article.dates.published is None
    assert any("future" in w for w in article.warnings)


def test_capture_time_is_never_the_published_date() -> None:
    article = extract_document(_raw(_page(), "https://example.org/story", captured="2024-05-02T10:00:00Z"), now=NOW)
    assert article.dates.captured is not None
    assert article.dates.published is None


def test_published_from_url_date_via_htmldate() -> None:
    article = extract_document(_raw(_page(), "https://example.org/2021/03/14/story.html"), now=NOW)
    assert article.dates.published == "2021-03-14"


def test_hostile_jsonld_is_ignored() -> None:
    deep = "[" * 5000 + "]" * 5000
    head = f'<script type="application/ld+json">{deep}</script><script type="application/ld+json">{{oops</script>'
    ex = extract_html(_page(head), "https://example.org/x")
    assert "city council" in ex.text


def test_title_site_suffix() -> None:
    assert strip_site_from_title("Budget passes | The Daily Example", "The Daily Example") == "Budget passes"
    assert strip_site_from_title("Daily Example - Budget passes", "Daily Example") == "Budget passes"
    assert strip_site_from_title("Budget passes in a close vote - Example", None) == "Budget passes in a close vote"
    assert strip_site_from_title("Q&A: why budgets fail", "Example") == "Q&A: why budgets fail"


# --------------------------------------------------------------------------- body rules


def test_headline_is_not_part_of_the_body() -> None:
    html = _page("<title>Council approves budget - Example</title>", "<h1>Council approves budget</h1>")
    ex = extract_html(html, "https://example.org/x")
    assert ex.title == "Council approves budget"
    assert not ex.text.startswith("Council approves budget")
    body = "A sentence of the article body that is long enough to stand alone as a paragraph."
    assert strip_headline(["Title here", body], "Title Here") == [body]
    assert strip_headline(["Title here", "Short"], "Title here") == ["Title here", "Short"]
    assert strip_headline(["Body", "Title here"], "Title here") == ["Body", "Title here"]


def test_residual_boilerplate_lines() -> None:
    for line in ["Advertisement", "© 2012 The Associated Press. All rights reserved.", "Follow us on Twitter",
                 "Twitter: @example", "|  |  | Next > |", "« Older post | Main | Newer post »"]:
        assert is_boilerplate_line(line), line
    for line in ["© Reuters", "The council said it would follow the advice of its lawyers.",
                 "| Budget | 2023 | 2024 |", "Search warrants were issued on Monday."]:
        assert not is_boilerplate_line(line), line
    kept, removed = remove_boilerplate(["Para one.", "Related stories:", "- Other story", "- Another", "Para two."])
    assert kept == ["Para one.", "Para two."]
    assert removed == ["Related stories:", "- Other story", "- Another"]


def test_empty_and_unparseable_pages() -> None:
    assert extract_html("<html><body></body></html>", None).text == ""
    assert extract_html("   ", None).text == ""


# --------------------------------------------------------------------------- candidate choice


def test_agreement_is_token_f1() -> None:
    assert agreement(token_bag("a b c"), token_bag("a b c")) == 1.0
    assert agreement(token_bag(""), token_bag("a")) == 0.0
    assert agreement(token_bag("a b"), token_bag("a b c d")) == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def testlxml_reference_skips_furniture() -> None:
    tree = parse_html(
        "<html><body><nav>Home News</nav><div class='main-nav'>Menu links</div><p>Kept <b>bold</b> text</p>"
        "tail words<aside>Side</aside><footer>Foot</footer><div id='comments'>Spam</div></body></html>"
    )
    assert tree is not None
    ref = lxml_reference(tree)
    assert ref.split() == ["Kept", "bold", "text", "tail", "words"]
    assert "Kept" in reference_text(None, tree)


def test_element_lines_one_line_per_block() -> None:
    tree = parse_html("<html><body><div><h2>Head</h2><p>One  two</p><ul><li>a</li><li>b</li></ul></div></body></html>")
    assert tree is not None
    assert element_lines(tree) == "Head\nOne two\na\nb"


def test_body_prefers_the_candidate_covering_the_article() -> None:
    sentences = " ".join(f"Sentence number {i} of the report describes what the inspectors found." for i in range(8))
    paragraphs = "".join(f"<p>{sentences}</p>" for _ in range(5))
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><div class='story'><h1>Inspectors report</h1>"
        f"{paragraphs}</div><footer>Contact</footer></body></html>"
    )
    tree = parse_html(html)
    assert tree is not None
    body = extract_body(tree, None, title="Inspectors report", html=html)
    assert body.mode in {"precision", "readability"}
    assert token_prf(body.text, (sentences + " ") * 5).f1 > 0.95
    assert not body.text.startswith("Inspectors report")
