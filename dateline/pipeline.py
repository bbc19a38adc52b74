"""The one stage interface, and the pipeline that runs stages over articles.

A stage has a versioned ``name`` (``quotes.v1``), declares which record fields it ``requires`` and
``assigns``, and maps an article (plus the shared :class:`~dateline.nlp.Analysis`) to an article
with its fields filled. The pipeline checks at build time that every requirement is met by an
earlier stage (or by extraction), records a :class:`StageRun` on each article, and on error either
raises (tests) or records the failure and keeps the other stages' output (batch runs).

Re-running with a changed stage version recomputes only that stage: ``stage_runs`` on a stored
article tell which stage versions produced its fields. A stage's hash covers its name, its settings,
the content of the data files it declares (``data_files``: shipped lexicons, models, the gazetteer,
user alias tables) and the spaCy model's version, so relearning a shipped model or upgrading the
spaCy model also recomputes the output it changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from dateline.errors import ConfigError, StageError
from dateline.models import Article, StageRun
from dateline.nlp import Analysis, analyse, model_version, parse_many

if TYPE_CHECKING:
    from spacy.tokens import Span

_log = logging.getLogger(__name__)

EXTRACTED_FIELDS = frozenset({"text", "title", "dateline", "dates", "outlet", "language", "url"})

OnError = Literal["raise", "record"]


@runtime_checkable
class Stage(Protocol):
    """An enrichment step. Implementations are small classes made by a module's ``make(config)``."""

    name: str
    """Versioned name, e.g. ``entities.v1``."""
    requires: tuple[str, ...]
    """Record fields that must be filled before this stage runs."""
    assigns: tuple[str, ...]
    """Record fields this stage fills (it must not touch others)."""

    def __call__(self, article: Article, analysis: Analysis) -> Article:
        """Return ``article`` with this stage's fields filled."""
        ...


class ParsingStage(Stage, Protocol):
    """A stage that dependency-parses some sentences, and can say which before it runs, so that the
    pipeline parses those of a whole batch of articles in one call (:func:`dateline.nlp.parse_many`)."""

    def parse_requests(self, article: Article, analysis: Analysis) -> Sequence[Span]:
        """The sentences :meth:`__call__` will parse (a cheap, text-only decision)."""
        ...


DATA_DIR = Path(__file__).resolve().parent / "data"
"""Where the package's shipped data files live."""


def shipped(*names: str) -> tuple[Path, ...]:
    """Paths of files in ``dateline/data`` (for a stage's ``data_files``)."""
    return tuple(DATA_DIR / name for name in names)


def files_digest(paths: Iterable[str | Path]) -> str:
    """A short digest of the files' names and bytes (a missing file counts as its own value)."""
    h = hashlib.sha256()
    for p in paths:
        path = Path(p)
        h.update(path.name.encode() + b"\0")
        try:
            h.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            h.update(b"missing")
    return h.hexdigest()[:16]


def config_hash(stage: Stage, extra: str = "") -> str:
    """A short hash of the stage's name, settings, declared data files and the spaCy model every stage's
    analysis comes from (a change to any of them forces recomputation)."""
    data = files_digest(getattr(stage, "data_files", ()))
    payload = json.dumps({"name": stage.name, "config": getattr(stage, "config", {}), "extra": extra, "data": data,
                          "model": model_version()}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


@dataclass
class Pipeline:
    """An ordered, validated list of stages."""

    stages: Sequence[Stage]
    on_error: OnError = "record"

    def __post_init__(self) -> None:
        available = set(EXTRACTED_FIELDS)
        names: set[str] = set()
        for stage in self.stages:
            if stage.name in names:
                raise ConfigError(f"stage {stage.name} is listed twice")
            names.add(stage.name)
            missing = [r for r in stage.requires if r not in available]
            if missing:
                raise ConfigError(
                    f"stage {stage.name} requires {', '.join(missing)}, which no earlier stage assigns"
                )
            available.update(stage.assigns)
        self._hashes = {s.name: config_hash(s) for s in self.stages}

    def needs_run(self, article: Article, stage: Stage) -> bool:
        """False when the article already holds this stage's output from the same version/config."""
        return not any(
            run.name == stage.name and run.config_hash == self._hashes[stage.name] and run.error is None
            for run in article.stage_runs
        )

    def run(self, articles: Iterable[Article]) -> list[Article]:
        """Run every stage over a batch of articles (one batched NER pass for the batch)."""
        articles = list(articles)
        pending = [a for a in articles if any(self.needs_run(a, s) for s in self.stages)]
        if not pending:
            return articles
        analyses = dict(zip((a.id for a in pending), analyse(a.text for a in pending), strict=True))
        self._parse_ahead(pending, analyses)
        out: list[Article] = []
        for article in articles:
            analysis = analyses.get(article.id)
            out.append(self._run_one(article, analysis) if analysis is not None else article)
        return out

    def _parse_ahead(self, articles: Sequence[Article], analyses: dict[str, Analysis]) -> None:
        """Parse, in one batched call, the sentences the stages will ask for. Best effort: a request
        or a batch that fails leaves the parsing to the stages, one article at a time, where a
        failure is recorded against that article and stage only."""
        requests: list[tuple[Analysis, list[Span]]] = []
        for article in articles:
            wanted: list[Span] = []
            for stage in self.stages:
                ask = getattr(stage, "parse_requests", None)
                if ask is not None and self.needs_run(article, stage):
                    try:
                        wanted.extend(ask(article, analyses[article.id]))
                    except Exception as exc:  # the stage meets (and records) it again when it runs
                        _log.debug("parse request of %s failed on %s: %r", stage.name, article.id, exc)
                        continue
            requests.append((analyses[article.id], wanted))
        try:
            parse_many(requests)
        except Exception as exc:  # the stages parse what is missing themselves, one article at a time
            _log.debug("batched parse failed, stages parse for themselves: %r", exc)

    def _run_one(self, article: Article, analysis: Analysis) -> Article:
        for stage in self.stages:
            if not self.needs_run(article, stage):
                continue
            runs = tuple(r for r in article.stage_runs if r.name != stage.name)
            try:
                updated = stage(article, analysis)
            except Exception as exc:
                if self.on_error == "raise":
                    raise StageError(stage.name, article.id, f"{type(exc).__name__}: {exc}") from exc
                # Keep what the other stages produced; record why this one has no output.
                error = f"{type(exc).__name__}: {exc}"[:300]
                article = replace(article, stage_runs=(*runs, StageRun(stage.name, self._hashes[stage.name], error)))
                continue
            article = replace(updated, stage_runs=(*runs, StageRun(stage.name, self._hashes[stage.name])))
        return article
