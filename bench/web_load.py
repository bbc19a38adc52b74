"""Load test of the web search: a 10,000-article store, N concurrent clients for T seconds, on loopback only.

    .venv/bin/python bench/web_load.py                      # 10,000 articles, 50 clients, 30 s, /api/search
    .venv/bin/python bench/web_load.py --cache-seconds 0    # no result cache: every search ranks in the store
    .venv/bin/python bench/web_load.py --path /             # the HTML search page instead
    .venv/bin/python bench/web_load.py --workers 1 --threads 2 --clients 20 --seconds 10

The store is built once (examples/ ingested with the enrichment stages, then each article repeated
with an appended paragraph, a new id, outlet and date) and kept in bench/results/. Its 19 distinct
texts make every word match 526 or more of the 10,000 articles, so each search ranks many rows.

The searches are drawn from the store itself (:func:`query_pool`): single words of its FTS
vocabulary, two-word phrases and word pairs from its texts, entity and place names, prefixes, each
uniformly; a third add a facet filter (outlet, date range, entity, place or event type) and two
fifths ask for pages 2-5. Each client has its own seeded generator (``--seed``), so a run issues
thousands of distinct requests and the result cache sees few repeats; the server's ``X-Cache``
header gives the hit rate.

The server is ``dateline serve --workers N`` (each worker on its own ``SO_REUSEPORT`` socket;
``--server uvicorn`` runs ``uvicorn dateline.web.app:app_from_env --factory --workers N`` instead,
whose workers share one socket) started as a subprocess on 127.0.0.1; the clients are asyncio
keep-alive HTTP/1.1 connections. Reports requests/s,
p50/p95/p99 latency (overall and per kind of search), errors, the cache hit rate, the server's
and the client's CPU time per request, and the load average before and after the run; the target
is p95 < 200 ms with no errors. A report, not a test: timings depend on what else the machine runs.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
FILLER = ("ministers met officials on the border while markets watched the talks closely and analysts said "
          "the agreement could change trade energy security and the regional balance of power").split()
OUTLETS = ["Reuters", "AP", "AFP", "Sputnik", "CNBC", "SFGate", "Express", "POLYGRAPH.info", "Sportsnet",
           "ScienceAlert", "TASS", "BBC"]

STOPWORDS = frozenset(
    "a about after again against all also an and any are as at be because been before being between both but by "
    "can could did do does doing down during each few for from further had has have having he her here hers him "
    "his how i if in into is it its just me more most my no nor not now of off on once only or other our out over "
    "own same she should so some such than that the their them then there these they this those through to too "
    "under until up very was we were what when where which while who whom why will with would you your said says "
    "told report".split())


@dataclass
class QueryPool:
    """What searches are made of, all drawn from the store itself (so every part can match)."""

    words: list[str]
    """Content words of the FTS vocabulary (no stop words, no bare numbers, 3+ letters)."""
    bigrams: list[tuple[str, str]]
    """Adjacent pairs of content words in article texts."""
    names: list[str]
    """Canonical entity and place names (the annotation keys)."""
    entities: list[str]
    places: list[str]
    event_types: list[str]
    outlets: list[str]
    days: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def query_pool(db: Path) -> QueryPool:
    """Read the store's vocabulary (FTS5 ``fts5vocab``), word pairs, entities, places, event types, outlets
    and publication days through a read-only connection."""
    con = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        con.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, articles_fts, 'row')")
        words = sorted(t for (t,) in con.execute("SELECT term FROM temp.vocab")
                       if len(t) >= 3 and t.isalpha() and t not in STOPWORDS)
        texts = [t for (t,) in con.execute("SELECT text FROM articles GROUP BY title")]
        bigrams: set[tuple[str, str]] = set()
        for text in texts:
            toks = [w.lower() for w in text.split()]
            toks = [w.strip(".,;:!?()[]'\"“”‘’") for w in toks]
            for a, b in itertools.pairwise(toks):
                if a.isalpha() and b.isalpha() and len(a) >= 3 and len(b) >= 3 and not {a, b} & STOPWORDS:
                    bigrams.add((a, b))
        entities = [k for (k,) in con.execute("SELECT DISTINCT key FROM annotation_keys WHERE kind = 'entities'")]
        places = [k for (k,) in con.execute("SELECT DISTINCT key FROM annotation_keys WHERE kind = 'places'")]
        types = [t for (t,) in con.execute(
            "SELECT DISTINCT type FROM annotations WHERE kind = 'events' AND type IS NOT NULL")]
        outlets = [o for (o,) in con.execute("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL")]
        days = [d for (d,) in con.execute(
            "SELECT DISTINCT substr(published, 1, 10) FROM articles WHERE published IS NOT NULL")]
    finally:
        con.close()
    names = sorted(set(entities) | set(places))
    pool = QueryPool(words, sorted(bigrams), names, sorted(entities), sorted(places), sorted(types),
                     sorted(outlets), sorted(days))
    pool.counts = {"words": len(words), "bigrams": len(bigrams), "names": len(names),
                   "event_types": len(types), "outlets": len(outlets), "days": len(days)}
    return pool


def make_search(rng: random.Random, pool: QueryPool) -> tuple[str, dict[str, str | int]]:
    """One search as a user might type it: ``(class, query parameters)``. Words, pairs and names are
    drawn uniformly (every word of the vocabulary is as likely as any other), a third of searches add a
    facet filter, and most ask for page 1. The space is large (about 10^7 distinct requests), so a
    result cache gets few hits; the report counts them."""
    r = rng.random()
    if r < 0.35:
        cls, q = "word", rng.choice(pool.words)
    elif r < 0.50:
        a, b = rng.choice(pool.bigrams)
        cls, q = "phrase", f'"{a} {b}"'
    elif r < 0.60:
        a, b = rng.choice(pool.bigrams)
        cls, q = "two words", f"{a} {b}"
    elif r < 0.65:
        cls, q = "two words", f"{rng.choice(pool.words)} {rng.choice(pool.words)}"
    elif r < 0.85:
        name = rng.choice(pool.names)
        cls, q = "name", f'"{name}"' if rng.random() < 0.3 and " " in name else name
    elif r < 0.92:
        cls, q = "name + word", f"{rng.choice(pool.names)} {rng.choice(pool.words)}"
    else:
        word = rng.choice(pool.words)
        cls, q = "prefix", word[: rng.randint(3, max(3, len(word) - 1))] + "*"
    params: dict[str, str | int] = {"q": q}
    f = rng.random()
    if f < 0.12:
        params["outlet"] = rng.choice(pool.outlets)
    elif f < 0.22:
        i = rng.randrange(len(pool.days))
        params["since"] = pool.days[i]
        params["until"] = pool.days[min(len(pool.days) - 1, i + rng.randint(3, 30))]
    elif f < 0.27:
        params["entity"] = rng.choice(pool.entities)
    elif f < 0.31:
        params["place"] = rng.choice(pool.places)
    elif f < 0.35:
        params["event_type"] = rng.choice(pool.event_types)
    if len(params) > 1:
        cls += " + filter"
    page = rng.choices([1, 2, 3, 4, 5], weights=[60, 20, 10, 5, 5])[0]
    if page > 1:
        params["page"] = page
    return cls, params


def build_store(path: Path, n: int) -> None:
    """Ingest examples/ with the stages, then write ``n`` varied copies (annotation offsets stay valid)."""
    from dateline.ingest import ingest
    from dateline.models import article_id
    from dateline.registry import build_pipeline
    from dateline.storage import SourceOutcome, open_store

    seed = open_store("memory:")
    ingest([str(REPO / "examples")], seed, build_pipeline())
    base = list(seed.iter_articles())
    if not base:
        sys.exit("no example article could be ingested")
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = open_store(str(path))
    rng = random.Random(7)
    batch = []
    for i in range(n):
        a = base[i % len(base)]
        text = a.text + "\n\n" + " ".join(rng.choice(FILLER) for _ in range(25)) + f" Report {i}."
        url = f"https://bench.example/{i}"
        day = f"2019-{9 + (i % 3):02d}-{1 + (i * 7) % 28:02d}"
        batch.append(replace(a, id=article_id(url, text), text=text, url=url, source=f"bench:{i}",
                             outlet=OUTLETS[i % len(OUTLETS)], dates=replace(a.dates, published=day)))
        if len(batch) == 500 or i == n - 1:
            store.write_batch(batch, [SourceOutcome(b.source, b.id, "stored", b.id) for b in batch])
            batch = []
    print(f"built {path}: {store.stats()['articles']} articles", file=sys.stderr)
    store.close()


@dataclass
class Tally:
    """What the clients saw: latencies (s) with the search's class, errors, and the server's cache verdicts."""

    latencies: list[float] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cache: dict[str, int] = field(default_factory=dict)
    distinct: set[str] = field(default_factory=set)


async def client(port: int, path: str, deadline: float, rng: random.Random, pool: QueryPool, tally: Tally) -> None:
    """One keep-alive connection issuing searches back to back until the deadline."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            cls, params = make_search(rng, pool)
            query = urlencode(params)
            request = f"GET {path}?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
            start = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            verdict = "absent"
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
                elif name.lower() == b"x-cache":
                    verdict = value.strip().decode().lower()
            await reader.readexactly(length)
            tally.latencies.append(time.perf_counter() - start)
            tally.classes.append(cls)
            tally.cache[verdict] = tally.cache.get(verdict, 0) + 1
            tally.distinct.add(query)
            if status != 200:
                tally.errors.append(f"HTTP {status} for {query}")
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        tally.errors.append(repr(exc))
    finally:
        writer.close()


async def run_load(port: int, path: str, clients: int, seconds: float, pool: QueryPool, seed: int) -> Tally:
    """``clients`` concurrent connections for ``seconds``, each with its own random searches."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(client(port, path, deadline, random.Random(seed * 1000 + i), pool, tally)
                           for i in range(clients)))
    return tally


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(port: int, timeout: float = 60.0) -> None:
    """Poll until the server answers /api/stats."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /api/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(16).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process and its workers so far."""
    import psutil

    total = 0.0
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def pct(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    """Build (or reuse) the store, start the server, run the load, print and save the report."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--threads", type=int, default=2, help="store threads per worker (DATELINE_WEB_THREADS)")
    ap.add_argument("--path", default="/api/search", help="/api/search (JSON) or / (HTML page)")
    ap.add_argument("--server", choices=("dateline", "uvicorn"), default="dateline",
                    help="dateline serve --workers N (a socket per worker) or uvicorn --workers N (one shared)")
    ap.add_argument("--db", type=Path, default=None, help="store to use (default: bench/results/web_load_N.db)")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--cache-seconds", type=float, default=30.0,
                    help="the app's result cache (0: every search ranks in the store)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the clients' searches (the warm-up uses another)")
    args = ap.parse_args()
    db = args.db or RESULTS / f"web_load_{args.articles}.db"
    if args.rebuild or not db.exists():
        build_store(db, args.articles)
    pool = query_pool(db)
    port = free_port()
    env = {**os.environ, "DATELINE_DB": str(db), "DATELINE_WEB_CACHE_SECONDS": str(args.cache_seconds),
           "DATELINE_WEB_THREADS": str(args.threads)}
    if args.server == "dateline":  # `dateline serve`: a socket per worker (SO_REUSEPORT)
        command = [sys.executable, "-m", "dateline.cli", "serve", "--db", str(db), "--host", "127.0.0.1",
                   "--port", str(port), "--workers", str(args.workers)]
    else:  # uvicorn's own workers, sharing one socket
        command = [sys.executable, "-m", "uvicorn", "dateline.web.app:app_from_env", "--factory", "--host",
                   "127.0.0.1", "--port", str(port), "--workers", str(args.workers), "--log-level", "warning",
                   "--no-access-log"]
    server = subprocess.Popen(command, env=env, cwd=REPO)
    try:
        wait_ready(port)
        asyncio.run(run_load(port, args.path, 5, 2.0, pool, seed=-1 - args.seed))  # warm-up, other searches
        load_before = os.getloadavg()[0]
        cpu_before, own_before = server_cpu_seconds(server.pid), time.process_time()
        tally = asyncio.run(run_load(port, args.path, args.clients, args.seconds, pool, args.seed))
        cpu_after, own_after = server_cpu_seconds(server.pid), time.process_time()
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    lat = tally.latencies
    by_class: dict[str, list[float]] = {}
    for cls, t in zip(tally.classes, lat, strict=True):
        by_class.setdefault(cls, []).append(t)
    hits, misses = tally.cache.get("hit", 0), tally.cache.get("miss", 0)
    report = {
        "articles": args.articles, "clients": args.clients, "seconds": args.seconds, "workers": args.workers,
        "threads": args.threads, "server": args.server,
        "path": args.path, "cache_seconds": args.cache_seconds, "seed": args.seed, "query_pool": pool.counts,
        "requests": len(lat), "distinct_requests": len(tally.distinct), "errors": len(tally.errors),
        "error_samples": tally.errors[:5],
        "cache_hit_rate": round(hits / (hits + misses), 4) if hits + misses else None,
        "cache_verdicts": tally.cache,
        "requests_per_s": round(len(lat) / args.seconds, 1),
        "p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1),
        "p99_ms": round(pct(lat, 99), 1), "max_ms": round(max(lat, default=0) * 1000, 1),
        "by_class": {cls: {"requests": len(ts), "p50_ms": round(pct(ts, 50), 1), "p95_ms": round(pct(ts, 95), 1)}
                     for cls, ts in sorted(by_class.items())},
        "server_cpu_ms_per_request": round((cpu_after - cpu_before) * 1000 / max(1, len(lat)), 2),
        "client_cpu_ms_per_request": round((own_after - own_before) * 1000 / max(1, len(lat)), 2),
        "cpus": os.cpu_count(), "load_avg_1m_before": round(load_before, 2), "load_avg_1m_after": round(load_after, 2),
    }
    report["p95_target_met"] = report["p95_ms"] < 200 and not tally.errors
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"web_load_{args.path.strip('/').replace('/', '_') or 'html'}_cache{args.cache_seconds:g}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
