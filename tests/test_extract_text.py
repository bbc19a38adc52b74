"""Text mode: the flattened-page cleaner, its metadata, and site templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from dateline.extract import extract_document
from dateline.extract.text import SiteTemplates, clean_flattened_text
from dateline.extract.text_meta import find_published, is_timestamp, parse_series, parse_tag_line
from dateline.models import RawDocument, Series

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "000_8551805d939eb4cd.txt"

PARAGRAPHS = [
    "The council voted on Tuesday to approve the new budget, which raises spending on schools and "
    "roads by a combined four percent after months of debate among its members.",
    "Supporters said the plan was the only way to repair the ageing bridges in the north of the city, "
    "while critics warned that it would leave too little in reserve for the coming winter.",
    "The mayor, who had threatened a veto, said on Wednesday that she would sign the budget into law "
    "because it included the changes she had asked for in the spring.",
]


def _page(header: list[str], footer: list[str], paragraphs: list[str] = PARAGRAPHS) -> str:
    return "\n".join([*header, *paragraphs, *footer])


@pytest.fixture(scope="module")
def seed_article():  # type: ignore[no-untyped-def]
    if not SEED.exists():
        pytest.skip(f"acceptance seed not found at {SEED} (the shared data folder is not mounted)")
    return extract_document(RawDocument(source=str(SEED), kind="text", content=SEED.read_bytes()))


def test_seed_body(seed_article) -> None:  # type: ignore[no-untyped-def]
    paragraphs = seed_article.text.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("The Turkish Foreign Ministry on Friday released a joint statement")
    assert paragraphs[-1].endswith("the exact coordinates of terrorist group locations in the country.")
    assert "\u00a0" not in seed_article.text
    for junk in ("Listen Live", "Get short URL", "Middle East", "(618)", "Daesh, airstrike", "Community standards"):
        assert junk not in seed_article.text
    assert "Russian Engagement in Syria" not in seed_article.text


def test_seed_metadata(seed_article) -> None:  # type: ignore[no-untyped-def]
    a = seed_article
    assert a.title is None
    assert a.section == "Middle East"
    assert a.series == Series("Russia Versus ISIL in Syria", 618)
    assert set(a.tags) == {"Daesh", "airstrike", "military operation", "Turkey", "Syria", "Russia"}
    assert set(a.related_headlines) == {
        "Russian Engagement in Syria is Not 'American Misadventure in Iraq'",
        "US, Russia Discuss Pilot Distress Signals to Avoid Air Collisions in Syria",
        "West Demonizes Russian Airstrikes in Syria to Justify Its Own Failure",
    }
    assert a.dates.page_clock == "2020-12-03T17:38:00+00:00"
    assert a.dates.published is None
    assert a.dateline is not None and a.dateline.place == "Moscow" and a.dateline.agency == "Sputnik"
    assert a.outlet == "Sputnik"
    for line in ("17:38 GMT03 December 2020", "Listen Live", "Get short URL", "Russia Versus ISIL in Syria (618)"):
        assert line in a.boilerplate


def test_nbsp_and_zero_width_are_normalised() -> None:
    page = _page(["Home", "World"], ["Share"], [p.replace(" ", "\u00a0", 3) + "\u200b" for p in PARAGRAPHS])
    ex = clean_flattened_text(page)
    assert ex.text
    assert "\u00a0" not in ex.text and "\u200b" not in ex.text


def test_navigation_is_dropped_body_kept() -> None:
    nav = ["Home", "News", "Sport", "Weather", "Sign in", "Subscribe", "Search"]
    footer = ["Share this article", "Privacy policy", "Terms of use", "© 2020 Example Media. All rights reserved."]
    ex = clean_flattened_text(_page(nav, footer))
    assert ex.text.split("\n\n") == PARAGRAPHS
    for line in nav + footer:
        assert line in ex.boilerplate


def test_page_clock_is_not_publication() -> None:
    ex = clean_flattened_text(_page(["09:15 UTC 05.03.2021", "Home"], []))
    assert ex.page_clock == "2021-03-05T09:15:00+00:00"
    assert ex.published is None
    assert "09:15" not in ex.text


def test_series_parsing() -> None:
    assert parse_series("Brexit Negotiations (42)") == Series("Brexit Negotiations", 42)
    assert parse_series("Comments (12)") is None
    assert parse_series("November 2012 (7)") is None
    assert parse_series("The council voted on the budget.") is None


def test_series_from_page_and_category_lists_refused() -> None:
    ex = clean_flattened_text(_page(["Home", "Brexit Negotiations (42)"], []))
    assert ex.series == Series("Brexit Negotiations", 42)
    assert "Brexit Negotiations (42)" not in ex.text
    listing = clean_flattened_text(_page(["Home"], ["Local Politics (120)", "High School Sports (45)"]))
    assert listing.series is None


def test_section_from_header_known_name_or_url() -> None:
    ex = clean_flattened_text(_page(["Home", "Politics", "Share"], []))
    assert ex.section == "Politics"
    by_url = clean_flattened_text(_page(["Home", "City Hall"], []), url="https://example.com/city-hall/budget-vote")
    assert by_url.section == "City Hall"
    none = clean_flattened_text(_page(["Home", "Gardening Tips"], []))
    assert none.section is None


def test_tags_bare_and_prefixed() -> None:
    assert parse_tag_line("budget, city council, roads, schools") == ("budget", "city council", "roads", "schools")
    assert parse_tag_line("Tags: budget; mayor") == ("budget", "mayor")
    # A sentence that lists things is not a tag line.
    assert parse_tag_line("France, Germany and the United States said it was wrong.") == ()
    ex = clean_flattened_text(_page([], ["budget, city council, roads, schools", "Contact us"]))
    assert ex.tags == ("budget", "city council", "roads", "schools")
    assert "city council, roads" not in ex.text


def test_related_headlines_after_body() -> None:
    related = ["Mayor Signs Budget After Long Fight", "Bridge Repairs to Start in the North Next Year"]
    ex = clean_flattened_text(_page(["Home"], ["Related", *related, "Privacy policy"]))
    assert list(ex.related_headlines) == related
    for h in related:
        assert h not in ex.text


def test_title_only_when_a_real_headline() -> None:
    headline = "City Council Approves Budget After Months of Debate"
    ex = clean_flattened_text(_page(["Home", "Politics", headline], []))
    assert ex.title == headline
    assert headline not in ex.text
    kept = clean_flattened_text(_page(["Home", "Politics", headline], []), keep_title=True)
    assert kept.text.startswith(headline)
    # No headline line: neither the first sentence, the section nor a series becomes the title.
    bare = clean_flattened_text(_page(["Home", "Politics", "Brexit Negotiations (42)"], []))
    assert bare.title is None


def test_title_from_url_slug_in_sentence_case() -> None:
    headline = "Council approves budget after months of debate"
    url = "https://example.com/news/council-approves-budget-after-months-of-debate"
    ex = clean_flattened_text(_page(["Home", headline], []), url=url)
    assert ex.title == headline


@pytest.mark.parametrize(("line", "stamp"), [
    ("Updated 10:01 pm PST, Tuesday, November 19, 2019", True),
    ("Published: July 24, 2012 at 7:37 AM ET", True),
    ("Wed 2012/11/07 19:05 JST", True),
    ("Thursday, 1 November 2012", True),
    ("Attack on Kabul at 10:30 kills six", False),
    ("May Day rally draws 10,000 in Paris", False),
    ("Trump meets Kim on June 12", False),
    ("It must get hot, May 5", False),  # "it", "get", "hot" are words, not time zones
    ("Best at 5 on Sunday", False),
])
def test_timestamp_lines(line: str, stamp: bool) -> None:
    assert is_timestamp(line) is stamp


def test_a_timestamp_is_never_the_title_and_a_printed_address_vouches_for_one() -> None:
    headline = "The Latest: Man stabbed to death on commuter train"
    header = ["Home", "https://news.example.com/crime/article/The-Latest-Man-stabbed-to-death-on-commuter-train-1234.php",
              headline, "Updated 10:01 pm PST, Tuesday, November 19, 2019"]
    ex = clean_flattened_text(_page(header, []))
    assert ex.title == headline  # in sentence case: only the address's slug vouches for it
    no_address = clean_flattened_text(_page([header[0], *header[2:]], []))
    assert no_address.title is None  # and the clock line is not taken instead


@pytest.mark.parametrize(("line", "iso"), [
    ("Published: July 24, 2012 at 7:37 AM ET", "2012-07-24"),  # a local time without a known zone: the day
    ("Published 12:30 GMT 24.07.2012", "2012-07-24T12:30:00+00:00"),
    ("Posted on 3 May 2019", "2019-05-03"),
    ("Thursday, August 09, 2012", "2012-08-09"),  # unlabelled, just above the body
    ("Updated 10:01 pm PST, Tuesday, November 19, 2019", None),  # an update is not publication
    ("November 2012", None),  # no day: an archive link, and dateparser would invent one
    ("Published in Science", None),
    ("Published: Monday 3", None),  # no year: dateparser would fill in this one
    ("Published: 24 July 2012 10:30 +05:00", "2012-07-24"),  # an offset: the day, not a wrong instant
])
def test_publication_stamp_lines(line: str, iso: str | None) -> None:
    found = find_published(["Home", "A Headline Above The Story Here", line, "The first paragraph."], 3)
    assert (found[1] if found else None) == iso
    assert find_published([line, "x", "y", "z"], 3, skip={0}) is None  # the page clock's line is not it


def test_published_from_a_dump_but_never_from_the_page_clock() -> None:
    body = "Officials said on Tuesday that the harbour would reopen next month after repairs."
    page = ["17:38 GMT 03 December 2020", "Home", "World", "Harbour To Reopen After Months of Repairs",
            "Published: 24 July 2012", body, body.replace("Tuesday", "Wednesday")]
    art = extract_document(RawDocument(source="t", kind="text", content="\n".join(page)))
    assert art.dates.published == "2012-07-24" and art.dates.page_clock is not None
    bare = extract_document(RawDocument(source="t", kind="text", content="\n".join(page[:4] + page[5:])))
    assert bare.dates.published is None  # the header clock alone says when the page was rendered


def test_empty_and_whitespace_input() -> None:
    assert clean_flattened_text("").text == ""
    assert clean_flattened_text("\n \u00a0\n").text == ""


def _site_pages(n: int) -> list[tuple[str, str]]:
    template_top = ["Example Gazette", "Daily Briefing Signup For Free Today", "Our Town Tonight"]
    template_bottom = ["Gazette Media Group, 12 High Street, Exampletown", "Letters to the editor welcome"]
    pages = []
    for k in range(n):
        body = [f"Story {k}: " + p for p in PARAGRAPHS]
        pages.append(("\n".join(template_top + body + template_bottom), f"https://www.gazette.example/news/story-{k}"))
    return pages


def test_site_templates_learn_repeated_lines() -> None:
    pages = _site_pages(6)
    templates = SiteTemplates().observe_all(pages)
    assert templates.pages(pages[0][1]) == 6
    assert templates.is_template("Our Town Tonight", pages[0][1])
    assert not templates.is_template("Our Town Tonight", "https://other.example/x")
    assert not templates.is_template(pages[0][0].splitlines()[3], pages[0][1])  # a body line
    text, url = pages[0]
    ex = clean_flattened_text(text, url, templates=templates)
    for line in ("Example Gazette", "Daily Briefing Signup For Free Today", "Letters to the editor welcome"):
        assert line not in ex.text
        assert line in ex.boilerplate
    assert ex.text.count("Story 0:") == 3


def test_site_templates_are_order_independent_and_idempotent() -> None:
    pages = _site_pages(5)
    forward = SiteTemplates().observe_all(pages)
    backward = SiteTemplates().observe_all(reversed(pages))
    twice = SiteTemplates().observe_all(pages + pages)  # re-observing the same pages changes nothing
    for text, url in pages:
        bodies = {clean_flattened_text(text, url, templates=t).text for t in (forward, backward, twice)}
        assert len(bodies) == 1
    assert forward.template_lines(pages[0][1]) == backward.template_lines(pages[0][1])
    assert twice.pages(pages[0][1]) == 5


def test_site_templates_need_enough_pages() -> None:
    pages = _site_pages(2)
    templates = SiteTemplates(min_pages=3).observe_all(pages)
    assert not templates.is_template("Our Town Tonight", pages[0][1])
    assert SiteTemplates().observe_all([("a\nb", None)]).pages(None) == 0


def test_site_templates_observe_raw_documents() -> None:
    pages = _site_pages(4)
    templates = SiteTemplates()
    for k, (text, url) in enumerate(pages):
        templates.observe_document(RawDocument(source=f"p{k}", kind="text", content=text.encode("utf-8"), url=url))
    templates.observe_document(RawDocument(source="h", kind="html", content="<p>Our Town Tonight</p>", url=pages[0][1]))
    assert templates.pages(pages[0][1]) == 4
    assert templates.is_template("Our Town Tonight", pages[0][1])
