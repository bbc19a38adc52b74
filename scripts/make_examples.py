"""Build ``examples/`` from the shared example pages (run from the repository root).

    .venv/bin/python scripts/make_examples.py [--pages ../shared/examples/pages] [--seed FILE]

Copies each page as ``examples/html/<short-id>.html``, its flattened text as
``examples/text/<short-id>.txt`` and its gold record as ``examples/gold/<short-id>.json``; copies
the project's seed page to ``examples/text/sputnik-seed.txt``; writes
``examples/jsonl/examples.jsonl`` (gold bodies as ``body`` records) and
``examples/warc/examples.warc.gz`` (a crawl of the HTML pages under their real URLs, with a fixed
WARC-Date, request/metadata records and two non-HTML responses to show skipping).

Output is deterministic: record ids derive from the URLs and gzip members carry no timestamp, so
re-running gives byte-identical files.  When the shared pages are absent, the WARC and JSONL are
rebuilt from ``examples/html`` and ``examples/gold``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dateline.sources.warcwrite import http_request, http_response, warc_record, write_warc  # noqa: E402

DATE = "2019-11-20T12:00:00Z"
# The benchmark pages are from November 2019; the gold files carry no dates, so the JSONL records
# give none either (``published`` is optional).
JSONL_IDS = ("359fee22", "57d46c9d", "5caf91b8", "374ac9a5")
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def copy_pages(pages: Path, out: Path) -> None:
    for sub in ("html", "text", "gold"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for html in sorted(pages.glob("*.html")):
        stem = html.name[: -len(".html")]
        sid = stem[:8]
        shutil.copyfile(html, out / "html" / f"{sid}.html")
        shutil.copyfile(pages / f"{stem}.flat.txt", out / "text" / f"{sid}.txt")
        shutil.copyfile(pages / f"{stem}.json", out / "gold" / f"{sid}.json")


def gold(out: Path) -> list[tuple[str, dict[str, str]]]:
    return [(p.stem, json.loads(p.read_text("utf-8"))) for p in sorted((out / "gold").glob("*.json"))]


def write_crawl(out: Path) -> Path:
    records = [
        warc_record(
            "warcinfo",
            b"software: dateline scripts/make_examples.py\r\nformat: WARC File Format 1.1\r\n"
            b"description: the eight example pages, re-packed as a crawl\r\n",
            date=DATE,
            seed="dateline-examples-warcinfo",
        )
    ]
    for sid, g in gold(out):
        url = g["url"]
        html = (out / "html" / f"{sid}.html").read_bytes()
        records.append(warc_record("request", http_request(url), date=DATE, url=url))
        records.append(warc_record("response", http_response(html), date=DATE, url=url))
        records.append(warc_record("metadata", b"fetchTimeMs: 250\r\n", date=DATE, url=url))
    # Not documents: an image and a robots.txt, both skipped by the reader.
    png_url = "https://www.reuters.com/favicon.png"
    records.append(warc_record("response", http_response(PNG_1X1, "image/png"), date=DATE, url=png_url))
    robots_url = "https://www.reuters.com/robots.txt"
    robots = http_response(b"User-agent: *\nDisallow: /search\n", "text/plain")
    records.append(warc_record("response", robots, date=DATE, url=robots_url))
    path = out / "warc" / "examples.warc.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_warc(str(path), records)
    return path


def write_jsonl(out: Path) -> Path:
    lines = []
    for sid, g in gold(out):
        if sid not in JSONL_IDS:
            continue
        record = {"id": sid, "url": g["url"], "body": g["text"]}
        if g.get("title"):
            record["title"] = g["title"]
        lines.append(json.dumps(record, ensure_ascii=False))
    path = out / "jsonl" / "examples.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = Path(__file__).resolve().parents[2] / "shared"
    ap.add_argument("--pages", type=Path, default=shared / "examples" / "pages")
    ap.add_argument("--seed", type=Path, default=shared / "seeds" / "000_8551805d939eb4cd.txt")
    ap.add_argument("--out", type=Path, default=REPO / "examples")
    args = ap.parse_args()
    if args.pages.is_dir():
        copy_pages(args.pages, args.out)
    if args.seed.is_file():
        (args.out / "text").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.seed, args.out / "text" / "sputnik-seed.txt")
    print(write_crawl(args.out))
    print(write_jsonl(args.out))


if __name__ == "__main__":
    main()
