"""End to end in a real headless Chromium (Debian's package, driven by Playwright; never `playwright install`).

The store is built by ingesting examples/ with the enrichment stages, plus one hostile article; the
app is served by uvicorn on 127.0.0.1. Screenshots go to test-artifacts/web/.
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
    SQL,
    XSS_IMG,
    XSS_SCRIPT,
    add_articles,
    ensure_chromium,
    hostile_article,
    live_server,
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
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def base_url(db_path: Path) -> Iterator[str]:
    store = open_store(str(db_path), read_only=True)
    try:
        with live_server(create_app(store)) as url:
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
                "/?entity=" + XSS_IMG, "/map", "/timeline"):
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
        for url, name in (("/?q=Syria", "narrow-search"), ("/?q=Syria", None), ("/map", "narrow-map")):
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
