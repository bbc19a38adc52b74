"""End to end in a real headless Chromium (Debian's package, driven by Playwright; never `playwright install`).

The store is built by ingesting examples/ with the enrichment stages (the seed page included), plus
one hostile article, then clustered into stories as `dateline stories` does (the hostile article's
story replaced by a hostile story record); the app is served by uvicorn on 127.0.0.1. Screenshots go
to test-artifacts/web/. Accessibility checks (WCAG contrast, labelled controls) run in the browser
on the computed styles, and are themselves tested on a page built to fail them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

from dateline.errors import DatelineError
from dateline.ingest import ingest
from dateline.registry import build_pipeline
from dateline.storage import SQLiteStore, open_store
from dateline.web import create_app
from tests.webutil import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    EXAMPLES,
    HOSTILE_ID,
    HOSTILE_STORY,
    SEED_SOURCES,
    SQL,
    XSS_IMG,
    XSS_SCRIPT,
    add_articles,
    add_stories,
    ensure_chromium,
    hostile_article,
    live_server,
    story_loader,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ ingested with every stage (falling back to entities+events if a stage is broken)."""
    path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    store = SQLiteStore(path)
    try:
        try:
            pipeline = build_pipeline()
        except (DatelineError, ImportError):
            pipeline = build_pipeline(["entities.v1", "events.v1"])
        summary = ingest([str(EXAMPLES)], store, pipeline)
        assert summary.stored >= 5, summary.to_dict()
        add_articles(store, [hostile_article()])
        add_stories(store)
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def base_url(db_path: Path) -> Iterator[str]:
    store = open_store(str(db_path), read_only=True)
    try:
        with live_server(create_app(store, story_loader=story_loader)) as url:
            yield url
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = ensure_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, errors


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_open_article_and_see_highlights(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Search articles").fill("Syria")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=Syria*")
    assert page.locator(".hit").count() >= 1
    assert page.locator(".snippet mark").first.inner_text().lower().startswith("syria")
    shot(page, "search")
    page.locator(".hit h3 a").first.click()
    page.wait_for_selector("#text")
    for kind in ("entity", "place", "event", "quote"):
        assert page.locator(f"#text .hl-{kind}").count() > 0, kind
    event = page.locator("#text .hl-event").first
    event.click()
    details = page.locator("#details-body").inner_text()
    assert "Event:" in details and "CAMEO" in details
    assert page.locator("#text .hl.selected").count() == 1
    shot(page, "article")
    page.locator("#ent-h + ul a").first.click()
    page.wait_for_selector("h2#alias-h")
    assert page.locator(".list li").count() >= 1
    shot(page, "entity")


def test_filter_by_event_type(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?q=Russia")
    unfiltered = page.locator(".hit").count()
    page.get_by_label("Event type").select_option("ASSAULT")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**event_type=ASSAULT*")
    filtered = page.locator(".hit").count()
    assert 1 <= filtered <= unfiltered
    assert page.get_by_label("Event type").input_value() == "ASSAULT"
    page.get_by_label("Event type").select_option("MOBILIZE")
    page.get_by_label("Outlet").select_option(index=1)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**outlet=*")
    shot(page, "search-filtered")


def test_timeline_renders(page: Page, base_url: str) -> None:
    page.goto(base_url + "/timeline")
    bars = page.locator("#timeline-chart svg rect")
    assert bars.count() > 3
    box = page.locator("#timeline-chart svg").bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 150
    shot(page, "timeline")


def test_map_renders(page: Page, base_url: str) -> None:
    page.goto(base_url + "/map")
    assert page.locator("#world-map .countries path").count() > 150
    assert page.locator("#world-map circle.dot-place").count() + page.locator("#world-map circle.dot-event").count() > 5
    box = page.locator("#world-map").bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 300
    shot(page, "map")
    page.locator("#world-map .dots a").last.click()
    page.wait_for_url("**/?place=*")


def test_hostile_article_is_inert(page: Page, base_url: str, db_path: Path) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    before = _count(db_path)
    for url in (f"/articles/{HOSTILE_ID}", "/?q=Breaking", "/?q=" + SQL, "/entities/" + XSS_SCRIPT,
                "/?entity=" + XSS_IMG, "/map", "/timeline", f"/stories/{HOSTILE_STORY}", "/stories"):
        page.goto(base_url + url)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", url
        assert page.locator("main img, main script, main iframe").count() == 0, url
        if url.startswith("/articles"):
            shot(page, "hostile-article")
            assert XSS_SCRIPT in page.locator("#text").inner_text()
            page.locator("#text .hl").first.click()
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.locator("a[href^='javascript']").count() == 0
        if url.startswith("/stories/"):
            shot(page, "hostile-story")
            assert page.locator(".claim").count() == 2
            assert XSS_SCRIPT in page.locator(".claim h4").first.inner_text()
            assert page.locator("a[href^='javascript']").count() == 0
            page.locator(".claim .cite a").first.click()  # an id that is a javascript: URL, quoted into a path
            page.wait_for_load_state("load")
            assert page.evaluate("typeof window.__pwned") == "undefined" and page.url.startswith(base_url)
    assert dialogs == []
    assert _count(db_path) == before


def _count(db_path: Path) -> Any:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*), (SELECT count(*) FROM annotations) FROM articles").fetchone()
    finally:
        con.close()


def test_keyboard_navigation(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?q=Syria")
    page.locator(".hit h3 a").first.click()
    page.wait_for_selector("#text")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('hl')"):
            break
    else:
        pytest.fail("no highlighted span reachable with Tab")
    assert page.locator("#details-body").inner_text().strip() != "Select a highlighted span."
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_narrow_screen(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    pg = context.new_page()
    try:
        for url, name in (("/?q=Syria", "narrow-search"), ("/?q=Syria", None), ("/map", "narrow-map"),
                          (seed_story_url(pg, base_url), "narrow-story")):
            pg.goto(base_url + url)
            if name is None:
                pg.locator(".hit h3 a").first.click()
                pg.wait_for_selector("#text")
                name = "narrow-article"
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 376, (url, width)
            shot(pg, name)
    finally:
        context.close()


def seed_story_url(page: Page, base_url: str) -> str:
    """The path of the story whose conflict holds the seed page's three sources (found through the API)."""
    data = page.request.get(base_url + "/api/stories?per_page=100").json()
    for ref in data["stories"]:  # conflicts may be computed on show only: read every story's detail
        record = page.request.get(f"{base_url}/api/stories/{ref['id']}").json()
        if any(set(SEED_SOURCES) <= {c["source"] for c in conflict["claims"]} for conflict in record["conflicts"]):
            return f"/stories/{ref['id']}"
    pytest.fail("no story holds the seed conflict")


def test_story_page_shows_the_seed_conflict_side_by_side(page: Page, base_url: str) -> None:
    path = seed_story_url(page, base_url)
    page.goto(base_url + "/")
    page.get_by_role("link", name="Stories").click()
    page.wait_for_url("**/stories")
    assert page.locator(".story-item").count() >= 5
    page.locator(f".story-item a[href='{path}']").click()
    page.wait_for_url("**" + path)
    conflict = page.locator(".conflict").first
    assert "who was hit" in conflict.locator("h3").inner_text().lower()
    claims = {conflict.locator(".claim h4").nth(i).inner_text(): conflict.locator(".claim").nth(i)
              for i in range(conflict.locator(".claim").count())}
    assert set(SEED_SOURCES) <= set(claims), list(claims)
    for source in SEED_SOURCES:
        card = claims[source]
        assert card.locator(".says li").count() >= 1 and card.locator("blockquote.span").count() >= 1, source
    assert "not hit: militants" in claims["joint statement"].inner_text()
    assert "hit: militants" in claims["Russian Defense Ministry"].inner_text()
    assert "not hit: civilians" in claims["Riad Haddad"].inner_text()
    boxes = [claims[s].bounding_box() for s in SEED_SOURCES]
    assert all(b is not None for b in boxes)
    tops = {round(b["y"]) for b in boxes if b}
    lefts = {round(b["x"]) for b in boxes if b}
    assert len(lefts) >= 2 and len(tops) <= 2, boxes  # side by side, not stacked (at 1280 px)
    assert page.locator(".outlet h3").count() >= 1 and page.locator("#events-h").is_visible()
    shot(page, "story")
    claims["Riad Haddad"].locator(".cite a").first.click()  # the span's article, which links back to its story
    page.wait_for_selector("#text")
    assert page.locator(f".story-link a[href='{path}']").count() == 1


CONTRAST_JS = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = c => { const v = c.slice(0, 3).map(x => {
      x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const background = el => { const chain = []; for (let e = el; e; e = e.parentElement) chain.unshift(e);
    let c = [255, 255, 255, 1];
    for (const e of chain) { const b = parse(getComputedStyle(e).backgroundColor); if (b && b[3] > 0) c = over(b, c); }
    return c; };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg")) continue;
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (!r.width || !r.height || cs.visibility === "hidden" || cs.display === "none") continue;
    const bg = background(el), fg = over(parse(cs.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight, 10) >= 700;
    out.push({el: el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""),
              text: el.textContent.trim().slice(0, 40), ratio: (hi + 0.05) / (lo + 0.05),
              need: size >= 24 || (bold && size >= 18.66) ? 3 : 4.5});
  }
  return out;
}"""

LABELS_JS = """() => [...document.querySelectorAll("input, select, textarea, button")]
  .filter(el => el.type !== "hidden")
  .filter(el => {
    if ((el.getAttribute("aria-label") || "").trim()) return false;
    const by = el.getAttribute("aria-labelledby");
    const named = id => (document.getElementById(id) || {textContent: ""}).textContent.trim();
    if (by && by.split(/\\s+/).every(named)) return false;
    if (el.labels && [...el.labels].some(l => l.textContent.trim())) return false;
    if (el.tagName === "BUTTON" && el.textContent.trim()) return false;
    return !(el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type) && el.value.trim());
  })
  .map(el => el.outerHTML.slice(0, 120))"""


def contrast_failures(page: Page) -> tuple[int, list[dict[str, Any]]]:
    """How many text elements were checked, and those below WCAG AA (4.5:1, large text 3:1)."""
    rows: list[dict[str, Any]] = page.evaluate(CONTRAST_JS)
    return len(rows), [r for r in rows if r["ratio"] < r["need"]]


def test_accessibility_checks_catch_bad_pages(page: Page) -> None:
    """The checkers themselves: a page built to fail them fails them."""
    page.set_content('<body><p class="ok">fine</p><div><p class="low">grey on white</p></div>'
                     '<p class="on-dark">light on dark</p><label>no for</label><input id="orphan">'
                     '<label for="named">Name</label><input id="named"><button></button><button>Go</button>'
                     '<input aria-label="Query"><select aria-labelledby="missing"></select></body>')
    page.add_style_tag(content=".low { color: #aaa } .on-dark { background: #222; color: #ddd } "
                               "div { background: rgba(255, 255, 255, .5) }")
    checked, failures = contrast_failures(page)
    assert checked >= 4 and [f["el"] for f in failures] == ["p.low"], failures
    assert 2.2 < failures[0]["ratio"] < 2.4  # #aaa on white is 2.32:1
    assert page.evaluate(LABELS_JS) == ['<input id="orphan">', "<button></button>",
                                        '<select aria-labelledby="missing"></select>']


def test_contrast_and_labels_on_every_page(page: Page, base_url: str) -> None:
    story = seed_story_url(page, base_url)
    checked_total = 0
    for url in ("/", "/?q=Syria&event_type=ASSAULT", "/?q=Russia", "/stories", story, "/timeline", "/map",
                "/entities/Russia", "/articles/" + _first_hit(page, base_url, "Syria")):
        page.goto(base_url + url)
        checked, failures = contrast_failures(page)
        assert checked > 10 and not failures, (url, failures[:5])
        checked_total += checked
        assert page.evaluate(LABELS_JS) == [], url
    page.goto(base_url + "/")
    assert page.locator("input, select").count() >= 6  # the search form was among the pages checked
    assert checked_total > 500


def _first_hit(page: Page, base_url: str, q: str) -> str:
    hits = page.request.get(f"{base_url}/api/search?q={q}").json()["hits"]
    assert hits
    return str(hits[0]["id"])
