"""Throughput of the whole pipeline against the bare spaCy pass, side by side in one run.

    .venv/bin/python bench/pipeline.py [--pages 1000] [--chunk 50] [--batch 64] [--block 200]
                                         [--scaling-only] [--json out.json]

On the same real pages (Dragnet HTML, ../shared/data/extraction), in interleaved chunks so that a
noisy shared machine slows every contender alike:

* ``ours``: ``dateline analyze`` work — extraction (HTML) + all enrichment stages + JSON
  serialisation of the record;
* ``spacy-full``: bare ``nlp.pipe`` with the full en_core_web_sm pipeline, loaded as shipped
  (``spacy.load``, default components and thinc's default BLIS kernels), over the texts our
  extraction produced (the cost every naive pipeline pays): the goal's yardstick;
* ``spacy-full-openblas``: the same full pipeline on the model as Dateline loads it (numpy's
  OpenBLAS kernels, :func:`dateline.nlp.use_numpy_blas`), to show how much of our lead is that
  switch alone;
* ``spacy-ner``: ``nlp.pipe`` with only the NER component (shipped model);
* ``trafilatura``: extraction alone.

Then the same ``ours`` work in one process and in two (``multiprocessing``, fork after the
pipeline is loaded, tasks fed as ``dateline ingest --workers 2`` feeds them; interleaved in blocks
of ``--block`` pages, in batches of ``dateline ingest``'s size unless ``--batch`` says otherwise;
``--scaling-only`` runs just these) to measure scaling. Prints articles/s, articles/s
per core, the ratio ours/spacy-full in cost (time) terms (goal ≤ 1.0), the 2-process speed-up
(goal ≥ 1.9), CPU seconds per article and peak RSS.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import multiprocessing
import resource
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_DATA = REPO.parent / "shared" / "data" / "extraction" / "dragnet" / "pages.jsonl.gz"


def load_pages(path: Path, n: int) -> list[tuple[str, str]]:
    pages = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            pages.append((rec["html"], rec.get("url") or f"http://example.invalid/{rec['id']}"))
            if len(pages) >= n:
                break
    return pages


def _raws(pages: list[tuple[str, str]]) -> list[Any]:
    """The pages as raw HTML documents, as ingest reads them."""
    from dateline.models import RawDocument

    return [RawDocument(source=f"bench:{i}", kind="html", content=h, url=u) for i, (h, u) in enumerate(pages)]


def _ours_chunk(pages: list[tuple[str, str]]) -> int:
    from dateline.ingest import process_documents
    from dateline.registry import build_pipeline

    global _PIPELINE
    if _PIPELINE is None:
        _PIPELINE = build_pipeline()
    raws = _raws(pages)
    n = 0
    for result in process_documents(raws, _PIPELINE):
        if result.article is not None:
            json.dumps(result.article.to_dict(), ensure_ascii=False)
            n += 1
    return n


_PIPELINE: Any = None


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _noop(_: int) -> int:
    return 0


def _task(raws: list[Any]) -> float:
    """Worker: one task as ``dateline ingest --workers 2`` gives it (extraction and the stages,
    :func:`dateline.ingest.process_task`), plus the JSON record; its CPU seconds."""
    from dateline.ingest import process_task

    assert _PIPELINE is not None, "the pipeline is loaded before the fork (else the workers run no stages)"
    c0 = _cpu_self()
    for result in process_task(raws):
        if result.article is not None:
            json.dumps(result.article.to_dict(), ensure_ascii=False)
    return _cpu_self() - c0


def _two_processes(pool: Any, pages: list[tuple[str, str]], batch: int) -> float:
    """``ours`` on a block of pages in two processes, as ``dateline ingest --workers 2`` feeds them:
    each batch cut into shrinking tasks (:func:`dateline.ingest.guided_tasks`) that the workers take
    as they go, the next batch queued before this one is done; the workers' CPU seconds."""
    from dateline.ingest import guided_tasks

    raws = _raws(pages)
    tasks = [t for start in range(0, len(raws), batch) for t in guided_tasks(raws[start : start + batch], 2)]
    return sum(r.get() for r in [pool.apply_async(_task, (t,)) for t in tasks])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--chunk", type=int, default=50, help="pages per interleaved chunk of the contenders")
    ap.add_argument("--batch", type=int, default=None,
                    help="pages per batch in the scaling runs (default: ingest's batch, dateline.ingest.BATCH_SIZE)")
    ap.add_argument("--block", type=int, default=200,
                    help="pages per interleaved block of the one- and two-process runs")
    ap.add_argument("--scaling-only", action="store_true", help="only the one- vs two-process runs")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    import spacy
    import trafilatura

    from dateline.extract import extract_document
    from dateline.models import RawDocument
    from dateline.nlp import MODEL_PACKAGES, load_model

    spacy_version = str(getattr(spacy, "__version__", "?"))
    pages = load_pages(args.data, args.pages)
    ours_nlp = load_model()  # Dateline's: OpenBLAS kernels, senter on
    shipped = next(n for n in MODEL_PACKAGES if spacy.util.is_package(n))
    nlp = spacy.load(shipped)  # as a user gets it: its default components and kernels
    full_ours = [p for p in ours_nlp.pipe_names if p == "senter"]
    ner_only = [p for p in nlp.pipe_names if p != "ner"]
    # texts for the spaCy contenders: what our extraction produces for the same pages
    texts: list[str] = []
    for i, (html, url) in enumerate(pages):
        try:
            texts.append(extract_document(RawDocument(source=f"b:{i}", kind="html", content=html, url=url)).text)
        except Exception:
            texts.append("")
    words = sum(len(t.split()) for t in texts) / max(1, len(texts))
    _ours_chunk(pages[:5])  # warm-up: load the model and lexicons once

    for _ in nlp.pipe(texts[:5]):  # warm-up of the shipped model too
        pass
    totals = {"ours": 0.0, "spacy-full": 0.0, "spacy-full-openblas": 0.0, "spacy-ner": 0.0, "trafilatura": 0.0}
    for start in range(0, 0 if args.scaling_only else len(pages), args.chunk):
        chunk = pages[start : start + args.chunk]
        chunk_texts = texts[start : start + args.chunk]
        t = time.perf_counter()
        _ours_chunk(chunk)
        totals["ours"] += time.perf_counter() - t
        t = time.perf_counter()
        for _ in nlp.pipe(chunk_texts):
            pass
        totals["spacy-full"] += time.perf_counter() - t
        t = time.perf_counter()
        with ours_nlp.select_pipes(disable=full_ours):
            for _ in ours_nlp.pipe(chunk_texts):
                pass
        totals["spacy-full-openblas"] += time.perf_counter() - t
        t = time.perf_counter()
        with nlp.select_pipes(disable=ner_only):
            for _ in nlp.pipe(chunk_texts):
                pass
        totals["spacy-ner"] += time.perf_counter() - t
        t = time.perf_counter()
        for html, url in chunk:
            trafilatura.extract(html, url=url, include_comments=False)
        totals["trafilatura"] += time.perf_counter() - t
        print(f"  {start + len(chunk)}/{len(pages)} pages", file=sys.stderr)

    n = len(pages)
    rows: dict[str, Any] = {
        name: {"seconds": round(s, 2), "articles_per_s": round(n / s, 2)} for name, s in totals.items() if s
    }
    cost_ratio = totals["ours"] / totals["spacy-full"] if totals["spacy-full"] else float("nan")
    openblas_ratio = totals["ours"] / totals["spacy-full-openblas"] if totals["spacy-full-openblas"] else float("nan")
    from dateline.ingest import BATCH_SIZE, init_worker

    batch = args.batch or BATCH_SIZE

    # Scaling: ours in one process vs two on the same pages, interleaved block by block (--block
    # pages) so that the machine's load hits both alike. The pipeline, model and gazetteer are loaded
    # (warm-up above) and frozen out of the garbage collector's reach before the fork, so the
    # workers share them copy-on-write; they get a block's batches as `ingest --workers 2` feeds
    # them (one wait per block, where ingest waits once per run: a little pessimistic). CPU seconds
    # are counted too: on a loaded machine the wall-clock speed-up is capped by the cores we get,
    # the CPU cost per article is not.
    gc.collect()
    gc.freeze()
    ctx = multiprocessing.get_context("fork")
    one = two = cpu_one = cpu_two = 0.0
    with ctx.Pool(2, initializer=init_worker, initargs=(_PIPELINE, None)) as pool:
        pool.map(_noop, [0, 1])  # the workers exist before the clock starts
        for block in range(0, n, args.block):
            block_pages = pages[block : block + args.block]
            c0, t = _cpu_self(), time.perf_counter()
            for start in range(0, len(block_pages), batch):
                _ours_chunk(block_pages[start : start + batch])
            one += time.perf_counter() - t
            cpu_one += _cpu_self() - c0
            t = time.perf_counter()
            cpu_two += _two_processes(pool, block_pages, batch)
            two += time.perf_counter() - t
    gc.unfreeze()
    result = {
        "pages": n,
        "mean_words": round(words),
        "spacy_version": spacy_version,
        "contenders": rows if not args.scaling_only else {},
        "scaling_batch": batch,
        "scaling_block": args.block,
        "cost_ours_over_spacy_full": round(cost_ratio, 3),
        "cost_ours_over_spacy_full_openblas": round(openblas_ratio, 3),
        "speed_ours_over_spacy_full": round(1 / cost_ratio, 3) if totals["spacy-full"] else float("nan"),
        "one_process_articles_per_s": round(n / one, 2),
        "two_processes_articles_per_s": round(n / two, 2),
        "two_process_speedup": round(one / two, 3),
        "articles_per_s_per_core_two_processes": round(n / two / 2, 2),
        "cpu_s_per_article_one_process": round(cpu_one / n, 3),
        "cpu_s_per_article_two_processes": round(cpu_two / n, 3),
        "peak_rss_mb_main_process": round(peak_rss_mb(), 1),
    }
    print(f"\n{n} real pages (Dragnet HTML), mean {words:.0f} words of extracted text, spaCy {spacy_version}")
    if not args.scaling_only:
        print(f"{'contender':<14}{'articles/s':>12}{'seconds':>10}{'ours/them (time)':>18}")
        for name, row in rows.items():
            ratio = totals["ours"] / totals[name]
            print(f"{name:<14}{row['articles_per_s']:>12.2f}{row['seconds']:>10.1f}{ratio:>18.2f}")
        print(f"\ncost ours / bare spaCy full pass: {cost_ratio:.2f}x  (goal <= 1.0); against the full pass on "
              f"OpenBLAS kernels too: {openblas_ratio:.2f}x")
    print(f"batches of {batch} pages: one process {n / one:.2f} art/s, two processes {n / two:.2f} art/s: "
          f"speed-up {one / two:.2f}x (goal >= 1.9)")
    print(f"articles/s per core (two processes): {n / two / 2:.2f}; peak RSS (main process): {peak_rss_mb():.0f} MB")
    print(f"CPU s per article: one process {cpu_one / n:.3f}, two processes {cpu_two / n:.3f} "
          f"(equal = the work itself scales; the wall-clock gap is the cores the machine gave us)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
