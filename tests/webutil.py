"""Web test helpers: hand-built and hostile articles, stores built from them or from examples/, a live server.

Kept out of conftest so the web tests' set-up (Chromium, uvicorn) stays with them.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from dateline.models import Article, Dateline, Dates, Series, StageRun
from dateline.storage import SourceOutcome, Store
from dateline.storage.base import StoryMember
from dateline.web.queries import default_story_loader

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
ARTIFACTS = REPO / "test-artifacts" / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

XSS_SCRIPT = "<script>window.__pwned=1;alert(1)</script>"
XSS_IMG = '"><img src=x onerror="window.__pwned=2;alert(2)">'
XSS_URL = "javascript:window.__pwned=3;alert(3)"
SQL = "'); DROP TABLE articles; --"
HOSTILE_ID = "0badc0de0badc0de0bad"
HOSTILE_STORY = "s" + HOSTILE_ID[:15]
SEED_SOURCES = ("joint statement", "Russian Defense Ministry", "Riad Haddad")


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def plain_article(aid: str = "a1b2c3d4e5f600000001", outlet: str = "Example Times") -> Article:
    """A benign article with one of each annotation, offsets computed from the text."""
    text = ("MOSCOW (Sputnik) – Russian jets struck targets near Hama on Tuesday, the Russian Defense Ministry "
            "said.\n\n\u201cWe hit the terrorists,\u201d Sergei Lavrov told reporters in Moscow.")
    ent_s, ent_e = _span(text, "Russian Defense Ministry")
    lav_s, lav_e = _span(text, "Sergei Lavrov")
    q_s, q_e = _span(text, "\u201cWe hit the terrorists,\u201d")
    hama_s, hama_e = _span(text, "Hama")
    trig_s, trig_e = _span(text, "struck")
    return Article(
        id=aid, text=text, url="https://example.org/news/1", source="hand/plain.html", outlet=outlet,
        title="Russian jets strike near Hama", authors=("A. Writer",), language="en",
        dateline=Dateline("Moscow", "Sputnik", 0, 16),
        dates=Dates(published="2019-11-19T10:00:00+00:00", captured="2019-11-20T00:00:00+00:00",
                    page_clock="2019-11-20T08:00:00+00:00"),
        boilerplate=("Subscribe to our newsletter",),
        entities=(
            {"start": ent_s, "end": ent_e, "text": "Russian Defense Ministry", "canonical": "Russian Defense Ministry",
             "kind": "government body", "country": "RU", "country_name": "Russia", "label": "ORG"},
            {"start": lav_s, "end": lav_e, "text": "Sergei Lavrov", "canonical": "Sergei Lavrov", "kind": "person",
             "country": None, "label": "PERSON"},
        ),
        places=({"start": hama_s, "end": hama_e, "text": "Hama", "name": "Hama", "country": "SY", "lat": 35.13,
                 "lon": 36.75, "role": "mentioned"},),
        quotes=({"start": q_s, "end": q_e, "text": text[q_s:q_e], "kind": "direct",
                 "cue": {"start": text.index("told"), "end": text.index("told") + 4, "text": "told"},
                 "speaker": {"start": lav_s, "end": lav_e, "text": "Sergei Lavrov", "canonical": "Sergei Lavrov"}},),
        events=({"type": "ASSAULT", "cameo": "195", "trigger": {"start": trig_s, "end": trig_e, "text": "struck"},
                 "actor": {"start": ent_s, "end": ent_e, "text": "Russian Defense Ministry", "canonical": "Russia"},
                 "target": None, "places": [{"start": hama_s, "end": hama_e, "text": "Hama", "name": "Hama",
                                             "country": "SY"}],
                 "date": "2019-11-19", "date_text": "on Tuesday", "date_resolved": True},),
        stage_runs=(StageRun("entities.v1"), StageRun("events.v1")),
    )


def hostile_article() -> Article:
    """Text and metadata full of markup, script, ``javascript:`` URLs, SQL and template syntax."""
    text = (f"Breaking {XSS_SCRIPT} news. Click {XSS_URL} now {XSS_IMG} and {SQL} also {{{{ 7*7 }}}} "
            f"and [not a mark] ]] [[.\n\nSecond paragraph <b>bold</b> <a href=\"{XSS_URL}\">link</a>.")
    s_s, s_e = _span(text, XSS_SCRIPT)
    i_s, i_e = _span(text, XSS_IMG)
    u_s, u_e = _span(text, XSS_URL)
    return Article(
        id=HOSTILE_ID, text=text, url=XSS_URL, source=f"hostile/{XSS_IMG}.html", outlet=f"Evil{XSS_IMG}",
        title=f"Hostile {XSS_SCRIPT} {SQL}", authors=(XSS_IMG,), section=XSS_SCRIPT, tags=(XSS_URL, SQL),
        series=Series(XSS_IMG, 3), dateline=Dateline(XSS_SCRIPT, XSS_IMG, 0, 8),
        dates=Dates(published="2019-11-18", captured=XSS_IMG), warnings=(XSS_SCRIPT,), boilerplate=(XSS_IMG, SQL),
        entities=({"start": s_s, "end": s_e, "text": XSS_SCRIPT, "canonical": XSS_SCRIPT, "kind": XSS_IMG,
                   "country": XSS_URL},),
        places=({"start": u_s, "end": u_e, "text": XSS_URL, "name": f"Evil{XSS_IMG}", "country": SQL,
                 "lat": 10.0, "lon": 10.0, "role": XSS_SCRIPT},),
        quotes=({"start": i_s, "end": i_e, "text": XSS_IMG, "kind": XSS_SCRIPT, "cue": None,
                 "speaker": {"start": s_s, "end": s_e, "text": XSS_SCRIPT, "canonical": XSS_SCRIPT}},),
        events=({"type": f"ASSAULT{XSS_IMG}", "cameo": XSS_SCRIPT, "trigger": {"start": i_s, "end": i_e,
                                                                                 "text": XSS_IMG},
                 "actor": {"canonical": XSS_SCRIPT, "text": XSS_SCRIPT}, "target": [{"canonical": SQL}],
                 "places": [], "date": "2019-11-18", "date_text": XSS_IMG, "date_resolved": True},),
        stage_runs=(StageRun(XSS_SCRIPT, error=XSS_IMG),),
    )


def hostile_story() -> dict[str, object]:
    """A story record whose every field (labels, outlets, claims, spans, events, ids) is hostile."""
    span = {"article_id": XSS_URL, "outlet": XSS_IMG, "start": 0, "end": 8, "text": XSS_SCRIPT, "kind": XSS_IMG}
    return {
        "id": HOSTILE_STORY, "label": f"Hostile story {XSS_SCRIPT} {SQL}", "first_seen": XSS_IMG,
        "last_seen": "2019-11-18", "outlets": [XSS_IMG, SQL], "size": 2, "unique_size": 1,
        "articles": [
            {"id": HOSTILE_ID, "url": XSS_URL, "outlet": XSS_IMG, "title": XSS_SCRIPT, "published": "2019-11-18",
             "duplicate_of": None, "similarity": 0.0},
            {"id": XSS_IMG, "url": XSS_URL, "outlet": SQL, "title": None, "published": XSS_SCRIPT,
             "duplicate_of": XSS_URL, "similarity": 1.0},
        ],
        "events": [{"id": "e1", "type": f"ASSAULT{XSS_IMG}", "cameo": [XSS_SCRIPT], "actors": [XSS_SCRIPT],
                    "targets": {SQL: 2, XSS_IMG: 1}, "places": [XSS_URL], "dates": [XSS_IMG], "outlets": [XSS_IMG],
                    "mentions": [{**span, "text": XSS_IMG}]}],
        "quotes": [{"speaker": XSS_SCRIPT, "quotes": [{**span, "text": XSS_IMG}]}],
        "conflicts": [{"axis": XSS_IMG, "about": XSS_SCRIPT, "pairs": [{"a": XSS_SCRIPT, "b": XSS_IMG, "on": [SQL]}],
                       "claims": [{"source": XSS_SCRIPT, "says": f"hit: {XSS_IMG}; not hit: {SQL}", "spans": [span],
                                   "context": [{**span, "text": XSS_URL}]},
                                  {"source": XSS_IMG, "says": f"hit: {XSS_URL}", "spans": [span], "context": []}]}],
    }


def add_stories(store: Store) -> None:
    """Cluster the store's articles into stories (what `dateline stories` runs), then replace the
    hostile article's story with :func:`hostile_story` (when the hostile article is in the store)."""
    from dateline.stories import update_stories

    update_stories(store)
    if store.get(HOSTILE_ID) is not None:
        store.write_stories([hostile_story()], [StoryMember(HOSTILE_ID, HOSTILE_STORY, None, 0.0)],
                            store.story_state() or "")


def story_loader(store: Store, story_id: str) -> dict[str, Any] | None:
    """The app's story loader, except that the hostile story is served as stored (the stories engine
    may recompute a story's claims from its articles, which would replace the hostile ones)."""
    if story_id == HOSTILE_STORY:
        return store.story(story_id)
    return default_story_loader()(store, story_id)


def add_articles(store: Store, articles: list[Article]) -> None:
    """Write hand-built articles with ingest-log entries."""
    store.write_batch(articles, [SourceOutcome(a.source, a.id, "stored", a.id) for a in articles])


def ensure_chromium() -> str:
    """Install Debian's Chromium when it is missing (scripts/ensure_chromium.sh); return its path."""
    if not Path(CHROMIUM).exists():
        subprocess.run(["bash", str(REPO / "scripts" / "ensure_chromium.sh")], check=True, timeout=900)
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        raise RuntimeError(f"{CHROMIUM} is not installed and scripts/ensure_chromium.sh could not install it")
    return CHROMIUM


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Run the app with uvicorn in a thread on 127.0.0.1; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
