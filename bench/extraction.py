"""Main-content extraction benchmark: Dateline against its peers, side by side in one run.

Usage (from the repository root)::

    .venv/bin/python bench/extraction.py                       # both modes, all pages
    .venv/bin/python bench/extraction.py --mode html --limit 200
    .venv/bin/python bench/extraction.py --json /tmp/extraction.json

HTML mode feeds each page's ``html`` to every extractor; Dateline runs the full dispatcher
(``extract_document`` on ``RawDocument(kind="html")``), i.e. what a user gets.  Text mode feeds
the ``flat`` dump (all visible text, one block per line) to Dateline's text-mode dispatcher and to
line-wise peers (jusText and trafilatura over the lines wrapped as ``<p>``).

Scoring is the token F1 of the data README (:mod:`dateline.quality`).  Every extractor sees the
same pages in the same process; the order of extractors is rotated page by page so that cache and
allocator warm-up do not favour one of them.  An extractor that raises on a page scores 0 for that
page and the error is counted.
"""

from __future__ import annotations

import argparse
import gzip
import html as htmllib
import json
import logging
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dateline.errors import SkipDocument  # noqa: E402
from dateline.extract import extract_document  # noqa: E402
from dateline.models import RawDocument  # noqa: E402
from dateline.quality import token_prf  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "extraction" / "dragnet" / "pages.jsonl.gz"

Extractor = Callable[[dict[str, Any]], str]


# --------------------------------------------------------------------------- helpers

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 table tr td th blockquote pre section article header footer "
    "aside nav figure figcaption dd dt dl hr form".split()
)


def html_fragment_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one line per block element (for readability's output)."""
    import lxml.html

    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() == "br":
                continue
            el.text = "\n" + (el.text or "")
    text: str = root.text_content()
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def flat_as_html(flat: str) -> str:
    """The flat dump as a minimal HTML page, one ``<p>`` per line (input for HTML-only peers)."""
    paras = "\n".join(f"<p>{htmllib.escape(line)}</p>" for line in flat.splitlines() if line.strip())
    return f"<html><body>\n{paras}\n</body></html>"


# --------------------------------------------------------------------------- extractors


_LAST_TITLE: dict[str, str] = {}
"""The title Dateline found on the page just extracted (for the headline-prepended diagnostic)."""


def _dateline(kind: str, key: str) -> Extractor:
    def run(page: dict[str, Any]) -> str:
        raw = RawDocument(source=str(page["id"]), kind=kind, content=page[key], url=page.get("url"))  # type: ignore[arg-type]
        _LAST_TITLE[kind] = ""
        try:
            article = extract_document(raw)
        except SkipDocument:
            return ""
        _LAST_TITLE[kind] = article.title or ""
        return article.text

    return run


def _trafilatura(**options: Any) -> Extractor:
    import trafilatura

    def run(page: dict[str, Any]) -> str:
        out = trafilatura.extract(page["html"], url=page.get("url"), include_comments=False, **options)
        return out or ""

    return run


def _readability(page: dict[str, Any]) -> str:
    from readability import Document

    return html_fragment_text(Document(page["html"]).summary(html_partial=True))


def _newspaper(page: dict[str, Any]) -> str:
    from newspaper import Article, Config

    config = Config()
    config.fetch_images = False
    config.follow_meta_refresh = False
    art = Article(page.get("url") or "http://example.com/", config=config)
    art.download(input_html=page["html"], ignore_read_more=True)
    art.parse()
    return str(art.text or "")


def _resiliparse(page: dict[str, Any]) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    return str(extract_plain_text(page["html"], main_content=True))


def _justext_html(html: str) -> str:
    import justext

    paragraphs = justext.justext(html, justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _justext(page: dict[str, Any]) -> str:
    return _justext_html(page["html"])


def _justext_flat(page: dict[str, Any]) -> str:
    return _justext_html(flat_as_html(page["flat"]))


def _trafilatura_flat(page: dict[str, Any]) -> str:
    import trafilatura

    out = trafilatura.extract(flat_as_html(page["flat"]), url=page.get("url"), include_comments=False)
    return out or ""


def _flat_identity(page: dict[str, Any]) -> str:
    return str(page["flat"])


OURS_HTML = "dateline"
OURS_TEXT = "dateline-text"


def extractors(mode: str) -> dict[str, Extractor]:
    """The extractors of one mode; the first one is ours."""
    if mode == "html":
        return {
            OURS_HTML: _dateline("html", "html"),
            "trafilatura": _trafilatura(),
            "trafilatura-precision": _trafilatura(favor_precision=True),
            "trafilatura-recall": _trafilatura(favor_recall=True),
            "readability-lxml": _readability,
            "newspaper4k": _newspaper,
            "resiliparse": _resiliparse,
            "justext": _justext,
        }
    return {
        OURS_TEXT: _dateline("text", "flat"),
        "justext-lines": _justext_flat,
        "trafilatura-lines": _trafilatura_flat,
        "flat (no cleaning)": _flat_identity,
    }


# --------------------------------------------------------------------------- running


@dataclass
class Tally:
    """Per-extractor results over the run."""

    name: str
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    empty: int = 0
    per_page: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Mean/median scores and speed."""
        n = len(self.f1)
        return {
            "pages": n,
            "f1_mean": statistics.fmean(self.f1) if n else 0.0,
            "f1_median": statistics.median(self.f1) if n else 0.0,
            "precision_mean": statistics.fmean(self.precision) if n else 0.0,
            "recall_mean": statistics.fmean(self.recall) if n else 0.0,
            "seconds": self.seconds,
            "pages_per_s": n / self.seconds if self.seconds else 0.0,
            "errors": self.errors,
            "empty": self.empty,
        }


def read_pages(path: Path, limit: int | None) -> Iterator[dict[str, Any]]:
    """Pages of the dataset, in file order, at most ``limit``."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                return
            yield json.loads(line)


def run_mode(pages: list[dict[str, Any]], mode: str, progress: bool = True) -> list[Tally]:
    """Run every extractor of ``mode`` on every page, interleaved, and score them."""
    ex = extractors(mode)
    names = list(ex)
    tallies = {name: Tally(name) for name in names}
    diag = Tally(f"{names[0]} + title (diagnostic)")
    for i, page in enumerate(pages):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            tally = tallies[name]
            t0 = time.perf_counter()
            try:
                out = ex[name](page)
            except Exception as exc:  # a failing peer scores 0 on this page
                out = ""
                tally.errors += 1
                logging.debug("%s failed on %s: %r", name, page["id"], exc)
            tally.seconds += time.perf_counter() - t0
            if not out.strip():
                tally.empty += 1
            prf = token_prf(out, page["text"])
            tally.precision.append(prf.precision)
            tally.recall.append(prf.recall)
            tally.f1.append(prf.f1)
            tally.per_page[str(page["id"])] = round(prf.f1, 4)
            if name == names[0]:
                # not an extractor: our title line put above our body, to show how much of the gap
                # is the dataset's headline-in-body convention (same run, same time)
                title = _LAST_TITLE.get(mode, "")
                d = token_prf(f"{title}\n{out}" if out.strip() and title else out, page["text"])
                diag.precision.append(d.precision)
                diag.recall.append(d.recall)
                diag.f1.append(d.f1)
                diag.seconds = tally.seconds
        if progress and (i + 1) % 100 == 0:
            print(f"  [{mode}] {i + 1}/{len(pages)} pages", file=sys.stderr, flush=True)
    return [tallies[name] for name in names] + [diag]


def format_table(mode: str, tallies: list[Tally]) -> str:
    """A Markdown table: absolute figures and ours/theirs ratios for F1 and speed."""
    ours = tallies[0].summary()
    lines = [
        f"### {mode} mode ({ours['pages']} pages)",
        "",
        "| extractor | F1 mean | F1 median | P mean | R mean | pages/s | errors | empty "
        "| F1 ours/theirs | speed ours/theirs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for tally in tallies:
        s = tally.summary()
        f1_ratio = ours["f1_mean"] / s["f1_mean"] if s["f1_mean"] else float("inf")
        speed_ratio = ours["pages_per_s"] / s["pages_per_s"] if s["pages_per_s"] else float("inf")
        lines.append(
            f"| {tally.name} | {s['f1_mean']:.4f} | {s['f1_median']:.4f} | {s['precision_mean']:.4f} "
            f"| {s['recall_mean']:.4f} | {s['pages_per_s']:.1f} | {s['errors']} | {s['empty']} "
            f"| {f1_ratio:.3f} | {speed_ratio:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="pages.jsonl.gz")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--mode", choices=("html", "text", "both"), default="both")
    parser.add_argument("--json", type=Path, default=None, help="write summaries and per-page F1 here")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)

    if not args.data.exists():
        print(f"data not found: {args.data}", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)  # peers log loudly on odd pages
    pages = list(read_pages(args.data, args.limit))
    modes = ["html", "text"] if args.mode == "both" else [args.mode]
    report: dict[str, Any] = {"data": str(args.data), "pages": len(pages), "modes": {}}
    for mode in modes:
        tallies = run_mode(pages, mode, progress=not args.quiet)
        print(format_table(mode, tallies))
        print()
        report["modes"][mode] = {
            t.name: {"summary": t.summary(), "per_page_f1": t.per_page} for t in tallies
        }
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
