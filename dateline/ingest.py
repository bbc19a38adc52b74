"""The main job: read inputs, extract articles, store them, and account for every document.

Runs are idempotent and resumable: the ingest log in the store records each source with the
fingerprint of what was read, so a restarted run (even after SIGKILL) skips what is already done;
article ids are content-derived, so the same article is never stored twice. Work is committed in
batches, each batch one transaction: a killed run loses at most its in-flight batch, which the next
run redoes.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dateline.errors import InputError, SkipDocument
from dateline.extract import SiteTemplates, extract_document
from dateline.models import Article, RawDocument
from dateline.pipeline import Pipeline
from dateline.sources import Limits, SourceFailure, SourceSkip, iter_inputs
from dateline.storage import SourceOutcome, Store

BATCH_SIZE = 64


@dataclass
class RunSummary:
    """What one run did: every document read ends in exactly one of the counted outcomes."""

    read: int = 0
    stored: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    failures: list[SourceOutcome] = field(default_factory=list)
    warnings: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    """Records that are not documents (WARC request/metadata records, images): not counted as read."""
    restaged: int = 0
    """Stored articles whose enrichment was recomputed because a stage version or config changed."""
    stage_failures: Counter[str] = field(default_factory=Counter)
    """Articles a stage failed on, by stage (the article is stored with the other stages' output)."""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "read": self.read,
            "stored": self.stored,
            "unchanged": self.unchanged,
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": dict(sorted(self.skipped.items())),
            "failed": sum(self.failed.values()),
            "failed_by_reason": dict(sorted(self.failed.items())),
            "failures": [{"source": f.source, "reason": f.reason, "detail": f.detail} for f in self.failures],
            "warnings_by_kind": dict(sorted(self.warnings.items())),
            "ignored_records": dict(sorted(self.ignored.items())),
            "restaged": self.restaged,
            "stage_failures": dict(sorted(self.stage_failures.items())),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Processed:
    """The result of extracting one document: an article, or an outcome without one."""

    outcome: SourceOutcome
    article: Article | None = None


def extract_one(raw: RawDocument, templates: SiteTemplates | None = None) -> Processed:
    """Extract one raw document; never raises for a bad document (the reason goes in the outcome)."""
    fingerprint = raw.fingerprint()
    try:
        article = extract_document(raw, templates=templates)
    except InputError as exc:
        return Processed(SourceOutcome(raw.source, fingerprint, "failed", reason=exc.reason, detail=exc.detail))
    except SkipDocument as exc:
        return Processed(SourceOutcome(raw.source, fingerprint, "skipped", reason=exc.reason))
    except Exception as exc:  # a bug or a library failure on one page must not stop the batch
        detail = f"{type(exc).__name__}: {exc}"[:500]
        return Processed(SourceOutcome(raw.source, fingerprint, "failed", reason="extraction-error", detail=detail))
    return Processed(SourceOutcome(raw.source, fingerprint, "stored", article_id=article.id), article)


def enrich_each(articles: list[Article], pipeline: Pipeline | None) -> list[Article | Exception]:
    """Run the stages over a batch in one pass; if that pass breaks, over each article alone, where
    an article that still breaks gives its exception in its place (the others their results)."""
    if pipeline is None or not pipeline.stages or not articles:
        return list(articles)
    try:
        return list(pipeline.run(articles))
    except Exception as exc:
        if len(articles) == 1:
            return [exc]
    out: list[Article | Exception] = []
    for article in articles:
        try:
            out.append(pipeline.run([article])[0])
        except Exception as exc:
            out.append(exc)
    return out


def enrich(articles: list[Article], pipeline: Pipeline | None) -> list[Article]:
    """Run the stages over a batch; if the batched pass itself breaks, fall back to one at a time
    (an article that breaks alone raises)."""
    done = enrich_each(articles, pipeline)
    failed = next((x for x in done if isinstance(x, Exception)), None)
    if failed is not None:
        raise failed
    return [x for x in done if not isinstance(x, Exception)]


def process_documents(
    raws: list[RawDocument], pipeline: Pipeline | None = None, templates: SiteTemplates | None = None
) -> list[Processed]:
    """Extract a batch of documents, then enrich the articles with one batched NER pass."""
    return enrich_processed([extract_one(raw, templates) for raw in raws], pipeline)


def enrich_processed(results: list[Processed], pipeline: Pipeline | None) -> list[Processed]:
    """Run the stages over the extracted articles of a batch (one batched pass). When the batched
    pass breaks, each article is enriched alone, and one that still breaks fails its document only
    ("enrichment-error"); the others keep their results."""
    done = iter(enrich_each([r.article for r in results if r.article is not None], pipeline))
    out = []
    for r in results:
        if r.article is None:
            out.append(r)
            continue
        item = next(done)
        if isinstance(item, Exception):
            detail = f"{type(item).__name__}: {item}"[:500]
            out.append(Processed(SourceOutcome(r.outcome.source, r.outcome.fingerprint, "failed",
                                               reason="enrichment-error", detail=detail)))
        else:
            out.append(Processed(r.outcome, item))
    return out


T = TypeVar("T")

MIN_TASK = 2
"""The smallest task :func:`guided_tasks` makes (below it, the per-task overhead shows)."""


def guided_tasks(items: Sequence[T], workers: int, min_size: int = MIN_TASK) -> list[list[T]]:
    """Split a batch into tasks for a pool whose workers each take the next task when they finish
    one (guided self-scheduling): each task holds ``1 / (2 * workers)`` of what is left, so the
    first are large (few hand-offs, batched NLP passes) and the last are small, so that no worker
    waits long for another at the end. Order is kept: the tasks, joined, are ``items``."""
    tasks: list[list[T]] = []
    i = 0
    while i < len(items):
        k = max(min_size, -(-(len(items) - i) // (2 * max(1, workers))))
        tasks.append(list(items[i : i + k]))
        i += k
    return tasks


# Worker-process state: set once per process (fork shares the loaded model and templates).
_WORKER_PIPELINE: Pipeline | None = None
_WORKER_TEMPLATES: SiteTemplates | None = None


def init_worker(pipeline: Pipeline | None, templates: SiteTemplates | None) -> None:
    """Pool initializer: the pipeline and templates :func:`process_task` uses in this process."""
    global _WORKER_PIPELINE, _WORKER_TEMPLATES
    _WORKER_PIPELINE = pipeline
    _WORKER_TEMPLATES = templates


def process_task(raws: list[RawDocument]) -> list[Processed]:
    """A worker's task: extract and enrich a few documents (with the pipeline and templates the
    pool's initializer gave the process)."""
    return process_documents(raws, _WORKER_PIPELINE, _WORKER_TEMPLATES)


def learn_templates(paths: Sequence[str], limits: Limits) -> SiteTemplates | None:
    """Pre-pass: observe every text page of the run so each site's repeated lines are known
    before any page is cleaned (the result does not depend on input order, so ids are stable).

    WARC crawls hold HTML, not flattened text, and are not re-read; standard input cannot be
    read twice, so a run reading ``-`` learns no templates.
    """
    if "-" in paths:
        return None
    text_paths = [p for p in paths if not p.lower().endswith((".warc", ".warc.gz"))]
    templates = SiteTemplates()
    for item in iter_inputs(text_paths, limits):
        if isinstance(item, RawDocument) and item.kind == "text":
            templates.observe_document(item)
    return templates


Item = RawDocument | SourceFailure | SourceSkip


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


TASK_TIMEOUT = 600.0
"""Seconds to wait for a worker's task (normally a few seconds) before doing its documents in the
main process: a worker that died never returns its task. A late result is then discarded."""


@dataclass
class _Batch:
    """A batch read and checked against the ingest log, waiting for its documents' results."""

    items: list[Item]
    todo: list[RawDocument]
    outcomes: list[SourceOutcome]
    unchanged_ids: list[str]
    tasks: list[tuple[list[RawDocument], Any]] = field(default_factory=list)
    """(a task's documents, the pool's pending result for them); empty without a pool."""


def _repeats(items: list[Item], batch: _Batch) -> bool:
    """Whether a batch just read names a source that the batch in flight holds."""
    held = {item.source for item in batch.items if isinstance(item, RawDocument)}
    return any(isinstance(item, RawDocument) and item.source in held for item in items)


class Ingestor:
    """Runs documents through extraction and the stages into a store, in committed batches.

    ``workers > 1`` runs extraction and the stages in a process pool: each batch is cut into tasks
    (:func:`guided_tasks`) that the workers take as they go, and while the workers process one batch
    the main process writes the one before and reads the next. At most two batches are in flight,
    so memory stays flat however large the input; batches are written in input order, and a batch
    that repeats a source of the one in flight waits for it to be written, so that the ingest log
    answers for the repeat as it would in one process. Progress counts the batch being read.
    """

    def __init__(
        self,
        store: Store,
        pipeline: Pipeline | None = None,
        workers: int = 1,
        batch_size: int = BATCH_SIZE,
        on_progress: Callable[[RunSummary, str], None] | None = None,
        max_failures_listed: int = 50,
        templates: SiteTemplates | None = None,
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.templates = templates
        self.workers = max(1, workers)
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.max_failures_listed = max_failures_listed

    def run(self, items: Iterable[Item]) -> RunSummary:
        """Process every item; returns the run summary."""
        summary = RunSummary()
        started = time.perf_counter()
        pool: Any = None
        if self.workers > 1:
            if self.pipeline is not None and self.pipeline.stages:
                from dateline.nlp import load_model

                load_model()  # load before forking so workers share the model's memory
            ctx = multiprocessing.get_context("fork")
            pool = ctx.Pool(self.workers, initializer=init_worker, initargs=(self.pipeline, self.templates))
        try:
            waiting: _Batch | None = None
            for items_batch in _batches(items, self.batch_size):
                if waiting is not None and _repeats(items_batch, waiting):
                    # a source of the batch in flight comes again: check it against the log only
                    # once that batch is written, exactly as one process would
                    self._finish(waiting, summary)
                    waiting = None
                batch = self._prepare(items_batch, summary)
                if pool is None:
                    self._finish(batch, summary)
                    continue
                batch.tasks = [(task, pool.apply_async(process_task, (task,)))
                               for task in guided_tasks(batch.todo, self.workers)]
                if waiting is not None:
                    self._finish(waiting, summary)  # meanwhile the workers go on with this batch
                waiting = batch
            if waiting is not None:
                self._finish(waiting, summary)
        except BaseException:
            if pool is not None:  # Ctrl-C or a failed write: do not wait for the tasks in flight
                pool.terminate()
                pool.join()
                pool = None
            raise
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        summary.seconds = time.perf_counter() - started
        return summary

    def _results(self, batch: _Batch) -> list[Processed]:
        if not batch.tasks:  # no pool (or nothing to do)
            return process_documents(batch.todo, self.pipeline, self.templates)
        out: list[Processed] = []
        for raws, pending in batch.tasks:
            try:
                out += pending.get(timeout=TASK_TIMEOUT)
            except Exception:  # the task broke (a result that cannot be sent back, a worker killed
                # by the OOM killer, whose task never returns): its documents are done here instead
                out += process_documents(raws, self.pipeline, self.templates)
        return out

    def _restage(self, article_ids: list[str]) -> list[Article]:
        """Stored articles whose stage outputs are out of date, recomputed."""
        if self.pipeline is None or not self.pipeline.stages:
            return []
        stale = []
        for article_id in article_ids:
            article = self.store.get(article_id)
            if article is not None and any(self.pipeline.needs_run(article, s) for s in self.pipeline.stages):
                stale.append(article)
        return enrich(stale, self.pipeline)

    def _prepare(self, batch: list[Item], summary: RunSummary) -> _Batch:
        """Count what needs no work (ignored records, read failures, sources unchanged since the
        log recorded them) and list the documents to process."""
        outcomes: list[SourceOutcome] = []
        todo: list[RawDocument] = []
        docs = [item for item in batch if isinstance(item, RawDocument)]
        known = self.store.known_sources(d.source for d in docs)
        seen_in_batch: set[str] = set()
        unchanged_ids: list[str] = []
        for item in batch:
            if isinstance(item, SourceSkip):
                summary.ignored[item.reason] += 1
                continue
            summary.read += 1
            if isinstance(item, SourceFailure):
                outcomes.append(SourceOutcome(item.source, "", "failed", reason=item.reason, detail=item.detail))
                continue
            if item.source in seen_in_batch:
                # The same source twice in one run (a path given twice): count it once.
                summary.unchanged += 1
                continue
            seen_in_batch.add(item.source)
            previous = known.get(item.source)
            if previous is not None and previous.fingerprint == item.fingerprint() and previous.status != "failed":
                summary.unchanged += 1
                if previous.article_id:
                    unchanged_ids.append(previous.article_id)
                continue
            todo.append(item)
        return _Batch(batch, todo, outcomes, unchanged_ids)

    def _finish(self, batch: _Batch, summary: RunSummary) -> None:
        """Wait for a batch's results, write them in one transaction and count them."""
        outcomes = batch.outcomes
        articles: list[Article] = []
        batch_ids: set[str] = set()
        for result in self._results(batch):
            outcome = result.outcome
            if result.article is not None:
                for warning in result.article.warnings:
                    summary.warnings[warning.split(":", 1)[0]] += 1
                if result.article.id in batch_ids:
                    outcome = SourceOutcome(outcome.source, outcome.fingerprint, "unchanged", outcome.article_id)
                else:
                    batch_ids.add(result.article.id)
                    articles.append(result.article)
            outcomes.append(outcome)
        restaged = [a for a in self._restage(batch.unchanged_ids) if a.id not in batch_ids]
        for article in (*articles, *restaged):
            for run in article.stage_runs:
                if run.error:
                    summary.stage_failures[run.name] += 1
        upsert = self.store.write_batch([*articles, *restaged], outcomes)
        summary.restaged += len(restaged)
        summary.stored += upsert.inserted
        summary.unchanged += upsert.unchanged - len(restaged) + sum(1 for o in outcomes if o.status == "unchanged")
        for o in outcomes:
            if o.status == "skipped":
                summary.skipped[o.reason or "unknown"] += 1
            elif o.status == "failed":
                summary.failed[o.reason or "unknown"] += 1
                if len(summary.failures) < self.max_failures_listed:
                    summary.failures.append(o)
        if self.on_progress is not None:
            self.on_progress(summary, batch.items[-1].source if batch.items else "")


def ingest(
    paths: Sequence[str],
    store: Store,
    pipeline: Pipeline | None = None,
    limits: Limits | None = None,
    workers: int = 1,
    on_progress: Callable[[RunSummary, str], None] | None = None,
) -> RunSummary:
    """Ingest files, directories, globs, WARCs or JSONL into ``store``; returns the run summary."""
    limits = limits or Limits()
    templates = learn_templates(paths, limits)
    items = iter_inputs(paths, limits)
    return Ingestor(store, pipeline=pipeline, workers=workers, on_progress=on_progress, templates=templates).run(items)


def extract_stream(
    paths: Sequence[str], pipeline: Pipeline | None = None, limits: Limits | None = None, batch_size: int = 16
) -> Iterator[Processed | SourceFailure]:
    """Extract (and enrich, given a pipeline) without a store: one result per document, in input order."""
    limits = limits or Limits()
    templates = learn_templates(paths, limits)
    pending: list[RawDocument] = []
    for item in iter_inputs(paths, limits):
        if isinstance(item, SourceSkip):
            continue
        if isinstance(item, SourceFailure):
            yield from process_documents(pending, pipeline, templates)
            pending = []
            yield item
            continue
        pending.append(item)
        if len(pending) >= batch_size:
            yield from process_documents(pending, pipeline, templates)
            pending = []
    yield from process_documents(pending, pipeline, templates)
