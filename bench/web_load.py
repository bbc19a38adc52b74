"""Load test of the web search: a 10,000-article store, N concurrent clients for T seconds, on loopback only.

    .venv/bin/python bench/web_load.py                      # 10,000 articles, 50 clients, 30 s, /api/search
    .venv/bin/python bench/web_load.py --path /             # the HTML search page instead
    .venv/bin/python bench/web_load.py --workers 1 --clients 20 --seconds 10

The store is built once (examples/ ingested with the enrichment stages, then each article repeated
with an appended paragraph, a new id, outlet and date) and kept in bench/results/. The server is
``uvicorn dateline.web.app:app_from_env --factory`` started as a subprocess on 127.0.0.1; the
clients are asyncio keep-alive HTTP/1.1 connections (cheap, so the measurement is the server's).
Reports requests/s and p50/p95/p99 latency; the target is p95 < 200 ms with no errors. A report,
not a test: timings depend on what else the machine runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
QUERIES = ["Syria", "Russia", "oil prices", "China", "Boeing", "refugee camp", '"Foreign Ministry"', "Hong Kong",
           "stocks", "Nadal", "Titan", "train", "United States", "military base", "Prince Andrew", "Reuters",
           "Emirates", "protest", "Pentagon", "Trump", "market*", "Spain", "police", "troops"]
FILLER = ("ministers met officials on the border while markets watched the talks closely and analysts said "
          "the agreement could change trade energy security and the regional balance of power").split()
OUTLETS = ["Reuters", "AP", "AFP", "Sputnik", "CNBC", "SFGate", "Express", "POLYGRAPH.info", "Sportsnet",
           "ScienceAlert", "TASS", "BBC"]


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


async def client(port: int, path: str, deadline: float, rng: random.Random,
                 latencies: list[float], errors: list[str]) -> None:
    """One keep-alive connection issuing searches back to back until the deadline."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            query = urlencode({"q": rng.choice(QUERIES), "page": rng.choice([1, 1, 1, 2])})
            request = f"GET {path}?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
            start = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                errors.append(f"HTTP {status}")
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        errors.append(repr(exc))
    finally:
        writer.close()


async def run_load(port: int, path: str, clients: int, seconds: float) -> tuple[list[float], list[str]]:
    """``clients`` concurrent connections for ``seconds``; latencies in seconds and error strings."""
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(client(port, path, deadline, random.Random(i), latencies, errors)
                           for i in range(clients)))
    return latencies, errors


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
    ap.add_argument("--path", default="/api/search", help="/api/search (JSON) or / (HTML page)")
    ap.add_argument("--db", type=Path, default=None, help="store to use (default: bench/results/web_load_N.db)")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--cache-seconds", type=float, default=30.0,
                    help="the app's result cache (0: every search ranks in the store)")
    args = ap.parse_args()
    db = args.db or RESULTS / f"web_load_{args.articles}.db"
    if args.rebuild or not db.exists():
        build_store(db, args.articles)
    port = free_port()
    env = {**os.environ, "DATELINE_DB": str(db), "DATELINE_WEB_CACHE_SECONDS": str(args.cache_seconds)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "dateline.web.app:app_from_env", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(args.workers), "--log-level", "warning", "--no-access-log"],
        env=env, cwd=REPO)
    try:
        wait_ready(port)
        asyncio.run(run_load(port, args.path, 5, 2.0))  # warm-up: imports, caches, page cache
        latencies, errors = asyncio.run(run_load(port, args.path, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {
        "articles": args.articles, "clients": args.clients, "seconds": args.seconds, "workers": args.workers,
        "path": args.path, "cache_seconds": args.cache_seconds, "requests": len(latencies), "errors": len(errors),
        "error_samples": errors[:5],
        "requests_per_s": round(len(latencies) / args.seconds, 1),
        "p50_ms": round(pct(latencies, 50), 1), "p95_ms": round(pct(latencies, 95), 1),
        "p99_ms": round(pct(latencies, 99), 1), "max_ms": round(max(latencies, default=0) * 1000, 1),
        "cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    report["p95_target_met"] = report["p95_ms"] < 200 and not errors
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"web_load_{args.path.strip('/').replace('/', '_') or 'html'}_cache{args.cache_seconds:g}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
