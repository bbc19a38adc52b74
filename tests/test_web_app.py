"""The web app through Starlette's TestClient: every page and API route, escaping, headers, read-only store."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dateline.errors import StoreError
from dateline.storage import SQLiteStore, open_store
from dateline.web import WebSettings, create_app
from tests.webutil import (
    HOSTILE_ID,
    HOSTILE_STORY,
    SQL,
    XSS_IMG,
    XSS_SCRIPT,
    XSS_URL,
    add_articles,
    add_stories,
    hostile_article,
    plain_article,
    story_loader,
)

PLAIN_ID = "a1b2c3d4e5f600000001"
PLAIN_STORY = "s" + PLAIN_ID[:15]
PAGES = ["/", "/?q=Hama", f"/articles/{PLAIN_ID}", "/entities/Sergei%20Lavrov", "/timeline", "/map",
         f"/articles/{HOSTILE_ID}", "/?q=Breaking", "/?entity=" + XSS_SCRIPT, "/timeline?event_type=ASSAULT",
         "/stories", f"/stories/{PLAIN_STORY}", f"/stories/{HOSTILE_STORY}"]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "web.db"
    store = SQLiteStore(path)
    articles = [plain_article(), hostile_article()]
    articles += [plain_article(f"a1b2c3d4e5f6000001{i:02d}", outlet=f"Outlet {i % 3}") for i in range(25)]
    add_articles(store, articles)
    add_stories(store)
    store.close()
    return path


@pytest.fixture(scope="module")
def client(db_path: Path) -> Iterator[TestClient]:
    store = open_store(str(db_path), read_only=True)
    with TestClient(create_app(store, WebSettings(per_page=10), story_loader=story_loader)) as c:
        yield c
    store.close()


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_with_security_headers(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    tags = parse_tags(r.text)
    # the only scripts are external files from this origin; no inline handlers or inline styles anywhere
    assert [t for t in tags if t[0] == "script"] == [("script", {"src": "/static/app.js", "defer": None})]
    assert not [t for t in tags if any(k.startswith("on") or k == "style" for k in t[1])]
    assert not [t for t in tags if t[0] in ("img", "iframe", "object", "embed", "base", "style")]
    hrefs = [str(t[1].get("href")) for t in tags if "href" in t[1]]
    assert all(h.startswith(("/", "#", "https://", "data:,")) for h in hrefs), hrefs


def parse_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every start tag with its attributes, as a browser's tokenizer sees them."""
    tags: list[tuple[str, dict[str, str | None]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append((tag, dict(attrs)))

    Collector().feed(html)
    return tags


def test_hostile_article_is_escaped(client: TestClient) -> None:
    html = client.get(f"/articles/{HOSTILE_ID}").text
    assert "<script>window" not in html and "<img" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # template syntax in the text is shown, not evaluated
    # the javascript: URL is shown as text, never linked
    assert f'href="{XSS_URL}"' not in html and "url-text" in html


def test_search_snippet_marks_matches_and_escapes(client: TestClient) -> None:
    html = client.get("/?q=Breaking").text
    assert "<mark>Breaking</mark>" in html
    assert "&lt;script&gt;" in html and "<script>window" not in html
    data = client.get("/api/search?q=Breaking").json()
    assert data["hits"][0]["id"] == HOSTILE_ID and "[Breaking]" in data["hits"][0]["snippet"]


def test_article_highlights_every_layer(client: TestClient) -> None:
    html = client.get(f"/articles/{PLAIN_ID}").text
    for kind, surface in [("entity", "Russian Defense Ministry"), ("place", "Hama"), ("event", "struck"),
                          ("speaker", "Sergei Lavrov"), ("dateline", "MOSCOW (Sputnik)")]:
        assert re.search(rf'<span class="[^"]*hl-{kind}[^"]*" tabindex="0" title="[^"]*">{re.escape(surface)}',
                         html), kind
    assert "Event: ASSAULT · CAMEO 195 · Russia → —" in html
    assert "Subscribe to our newsletter" in html  # boilerplate listed for auditing
    for label in ("Published", "Captured", "Page clock"):
        assert f"<dt>{label}</dt>" in html
    assert "2019-11-20T08:00:00+00:00" in html and "hand/plain.html" in html


def test_facets_filter_results(client: TestClient) -> None:
    assert len(client.get("/api/search?q=Hama").json()["hits"]) == 20
    only = client.get("/api/search", params={"q": "Hama", "outlet": "Outlet 1"}).json()
    assert only["hits"] and {h["outlet"] for h in only["hits"]} == {"Outlet 1"}
    assert client.get("/api/search", params={"q": "Hama", "event_type": "PROTEST"}).json()["hits"] == []
    assert client.get("/api/search", params={"q": "Hama", "until": "2019-11-01"}).json()["hits"] == []
    by_place = client.get("/api/search", params={"place": "Hama", "per_page": 100}).json()
    assert len(by_place["hits"]) == 26 and HOSTILE_ID not in {h["id"] for h in by_place["hits"]}
    html = client.get("/", params={"q": "Hama", "outlet": "Outlet 1"}).text
    assert '<option value="Outlet 1" selected>' in html


def test_pagination(client: TestClient) -> None:
    first = client.get("/api/search?q=Hama&per_page=10").json()
    second = client.get("/api/search?q=Hama&per_page=10&page=2").json()
    third = client.get("/api/search?q=Hama&per_page=10&page=3").json()
    assert first["has_more"] and second["has_more"] and not third["has_more"]
    ids = [h["id"] for page in (first, second, third) for h in page["hits"]]
    assert len(ids) == len(set(ids)) == 26
    assert 'rel="next" href="/?q=Hama&amp;page=2"' in client.get("/?q=Hama").text


def test_entity_page_and_twin(client: TestClient) -> None:
    data = client.get("/api/entities/Sergei Lavrov").json()
    assert data["kind"] == "person" and data["aliases"] == {"Sergei Lavrov": 26} and len(data["quotes"]) == 26
    russia = client.get("/api/entities/russia").json()  # actor of the events only
    assert len(russia["events"]) == 26 and russia["articles"] == []
    assert client.get("/entities/nobody%20at%20all").status_code == 404
    assert client.get("/api/entities/nobody").status_code == 404


def test_timeline_and_map_twins(client: TestClient) -> None:
    t = client.get("/api/timeline").json()
    assert t["days"]["2019-11-19"] == {"ASSAULT": 26}
    assert "ASSAULT" in t["types"]
    assert client.get("/api/timeline?event_type=AGREE").json()["days"] == {}
    svg = client.get("/timeline").text
    assert svg.count('<rect class="ev-ASSAULT"') == 1
    m = client.get("/api/map").json()["places"]
    hama = next(p for p in m if p["name"] == "Hama")
    assert hama["mentions"] == 26 and hama["events"] == 26 and hama["articles"] == 26
    html = client.get("/map").text
    assert html.count("<path d=") > 150 and 'class="dot-event"' in html


def test_not_found_and_bad_input(client: TestClient) -> None:
    assert client.get("/articles/ffffffffffff").status_code == 404
    assert client.get("/api/articles/ffffffffffff").json()["detail"].startswith("no article")
    assert client.get("/?page=0").status_code == 422
    assert client.get("/api/search?since=not-a-date&q=Hama").json()["hits"]  # ignored, not an error
    r = client.get("/api/search", params={"q": SQL + ' " OR 1=1 -- NEAR( *'})
    assert r.status_code == 200


def test_prefix_lookup_and_ambiguity(client: TestClient) -> None:
    assert client.get("/api/articles/0badc0de0b").json()["id"] == HOSTILE_ID
    assert client.get("/articles/a1b2c3d4e5f6").status_code == 400  # ambiguous prefix: a clear error


def test_store_is_read_only_and_intact(client: TestClient, db_path: Path) -> None:
    for q in (SQL, "'; DELETE FROM articles; --", XSS_IMG, XSS_SCRIPT):
        client.get("/", params={"q": q, "entity": q, "place": q})
        client.get("/api/search", params={"q": q, "outlet": q})
        client.get(f"/entities/{q}")
    store = client.app.state.store  # type: ignore[attr-defined]
    with pytest.raises((StoreError, sqlite3.OperationalError)):
        add_articles(store, [plain_article("ffff00000000000000ff")])
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 27
    con.close()


def test_openapi_lists_the_json_twins(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/articles/{article_id}", "/api/entities/{name}", "/api/timeline", "/api/map",
            "/api/stats", "/api/stories", "/api/stories/{story_id}"} <= set(paths)
    assert not any(p in paths for p in ("/", "/map", "/timeline"))
    html = client.get("/timeline?event_type=ASSAULT").text
    assert '<link rel="alternate" type="application/json" href="/api/timeline?event_type=ASSAULT">' in html


def test_story_list_page_and_twin(client: TestClient) -> None:
    data = client.get("/api/stories").json()
    assert [s["id"] for s in data["stories"]] == [PLAIN_STORY, HOSTILE_STORY] and not data["has_more"]
    plain = data["stories"][0]
    # the 26 plain articles share their text: one story, 25 copies folded into the first
    assert (plain["size"], plain["unique_size"], plain["conflicts"]) == (26, 1, 0)
    assert set(plain["outlets"]) == {"Example Times", "Outlet 0", "Outlet 1", "Outlet 2"}
    assert client.get("/api/stories?per_page=1").json()["has_more"]
    assert client.get("/api/stories?page=3").json()["stories"] == []
    html = client.get("/stories").text
    assert f'href="/stories/{PLAIN_STORY}"' in html and "1 article (+25 copies)" in html
    assert "1 conflicting account" in html  # the hostile story's badge
    assert '<a href="/stories" aria-current="page">Stories</a>' in html


def test_story_page_shows_outlets_events_and_conflicts(client: TestClient) -> None:
    html = client.get(f"/stories/{PLAIN_STORY}").text
    columns = re.findall(r'<section class="outlet" aria-labelledby="outlet-\d+">\s*<h3 id="outlet-\d+">([^<]+)</h3>',
                         html)
    assert columns[0] == "Example Times" and set(columns) == {"Example Times", "Outlet 0", "Outlet 1", "Outlet 2"}
    assert "1 article</p>" not in html and "0 articles (+9 copies)" in html  # Outlet 0: copies only
    assert "No conflicting accounts found" in html
    assert html.count('<tr><td><span class="tag ev-ASSAULT">ASSAULT</span>') == 1  # one merged event
    record = client.get(f"/api/stories/{PLAIN_STORY[:8]}").json()
    assert record["id"] == PLAIN_STORY and len(record["events"][0]["mentions"]) == 1  # copies are not mentions
    hostile = client.get(f"/stories/{HOSTILE_STORY}").text
    assert hostile.count('<article class="claim"') == 2 and '<div class="claims">' in hostile


def test_article_links_to_its_story(client: TestClient) -> None:
    html = client.get(f"/articles/{PLAIN_ID}").text
    assert f'Part of the story <a href="/stories/{PLAIN_STORY}">Russian jets strike near Hama</a>' in html
    assert "(1 article from 4 outlets)" in html
    assert 'class="story-link"' in client.get(f"/articles/{HOSTILE_ID}").text


def test_hostile_story_is_escaped(client: TestClient) -> None:
    for url in (f"/stories/{HOSTILE_STORY}", "/stories"):
        html = client.get(url).text
        assert "<script>window" not in html and "<img" not in html, url
        assert "&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;" in html, url
        assert 'href="javascript' not in html and "href=\"'" not in html, url
    html = client.get(f"/stories/{HOSTILE_STORY}").text
    assert 'href="/articles/javascript%3Awindow.__pwned%3D3%3Balert%283%29"' in html  # an id, quoted into the path
    assert client.get(f"/api/stories/{HOSTILE_STORY}").json()["label"] == f"Hostile story {XSS_SCRIPT} {SQL}"


def test_story_not_found_and_ambiguous(client: TestClient) -> None:
    assert client.get("/stories/sffffffffffff").status_code == 404
    assert client.get("/api/stories/sffffffffffff").json()["detail"].startswith("no story")
    assert client.get("/api/stories/" + "x" * 65).status_code == 422


def test_serve_workers_each_accept_on_their_own_socket(db_path: Path) -> None:
    """`dateline serve --workers 2`: two processes listening on one port, connections spread over
    both (the kernel hashes them over the two sockets), every worker stopped by SIGTERM."""
    import http.client
    import signal
    import subprocess
    import sys
    import time

    import psutil

    from tests.webutil import free_port

    port = free_port()
    serve = [sys.executable, "-m", "dateline.cli", "serve", "--db", str(db_path), "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(serve, stderr=subprocess.PIPE)
    conns: list[http.client.HTTPConnection] = []
    try:
        root = psutil.Process(proc.pid)

        def listeners() -> list[psutil.Process]:
            return [p for p in root.children(recursive=True)
                    if any(c.laddr.port == port and c.status == "LISTEN" for c in p.net_connections(kind="tcp"))]

        deadline = time.monotonic() + 60
        while len(listeners()) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        workers = listeners()
        assert len(workers) == 2  # each worker binds the port itself
        for _ in range(20):  # keep-alive connections, held open
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/api/search?q=minister")
            response = conn.getresponse()
            assert response.status == 200 and b'"hits"' in response.read()
            conns.append(conn)
        held = {w.pid: sum(c.laddr.port == port and c.status == "ESTABLISHED" for c in w.net_connections(kind="tcp"))
                for w in workers}
        assert sum(held.values()) == 20 and min(held.values()) > 0, held
        # a second server on the same port is refused, not let in to share the connections
        second = subprocess.run(serve, capture_output=True, text=True, timeout=60)
        assert second.returncode != 0 and f"cannot listen on 127.0.0.1:{port}" in second.stderr
    finally:
        for conn in conns:
            conn.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0  # asked to stop: a clean exit
    time.sleep(0.5)

    def alive(p: psutil.Process) -> bool:
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    assert not [w for w in workers if alive(w)]
    # and it starts again at once on the same port (the closed connections' TIME_WAIT is no obstacle)
    again = subprocess.Popen(serve, stderr=subprocess.PIPE)
    try:
        deadline, status = time.monotonic() + 60, 0
        while time.monotonic() < deadline and again.poll() is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/search?q=minister")
                status = conn.getresponse().status
                conn.close()
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, again.stderr.read().decode() if again.poll() is not None and again.stderr else status
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=30)
