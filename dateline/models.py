"""Core records: what flows from sources through extraction and stages into a store.

Every annotation is a character span ``[start, end)`` into :attr:`Article.text`, and
``article.text[start:end] == span.text`` is an invariant the tests check.  Records are frozen;
stages return new records with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

SCHEMA_VERSION = 1

DocumentKind = Literal["html", "text", "body"]
"""``html``: a page; ``text``: page text that may still hold boilerplate; ``body``: clean article text."""


@dataclass(frozen=True)
class RawDocument:
    """One document as a source read it, before extraction.

    ``source`` names where it came from (file path, plus ``#<WARC-Record-ID>`` or ``:<line>``);
    ``content`` is bytes for pages whose encoding is still unknown, else text.
    """

    source: str
    kind: DocumentKind
    content: bytes | str
    url: str | None = None
    captured: str | None = None
    """ISO-8601 capture time (WARC-Date, file mtime) or None."""
    source_id: str | None = None
    """An id the input carried (JSONL ``id``), kept in the output record."""
    charset: str | None = None
    """Encoding declared by the transport (HTTP Content-Type), if any."""
    hints: dict[str, str] = field(default_factory=dict)
    """Metadata supplied with the input (JSONL ``title``, ``published``, ``outlet``)."""

    def fingerprint(self) -> str:
        """A stable hash of this document's content and URL (used to resume runs)."""
        h = hashlib.sha256()
        h.update((self.url or "").encode("utf-8", "surrogatepass"))
        h.update(b"\0")
        data = self.content if isinstance(self.content, bytes) else self.content.encode("utf-8", "surrogatepass")
        h.update(data)
        return h.hexdigest()[:32]


@dataclass(frozen=True)
class Series:
    """A story series the page links to, e.g. ``Russia Versus ISIL in Syria (618)``."""

    name: str
    count: int | None = None


@dataclass(frozen=True)
class Dateline:
    """The opening dateline of a story: ``MOSCOW (Sputnik) –``; ``start``/``end`` span it in the text."""

    place: str | None
    agency: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Dates:
    """Dates kept apart: when it was published, when it was captured, what the page clock said.

    All are ISO-8601 strings or None; None means unknown, never a guess.
    """

    published: str | None = None
    captured: str | None = None
    page_clock: str | None = None


@dataclass(frozen=True)
class StageRun:
    """Provenance: which stage (name includes version) produced an article's annotations."""

    name: str
    config_hash: str = ""
    error: str | None = None


@dataclass(frozen=True)
class Article:
    """A clean article: one canonical ``text`` and everything we know about it.

    The JSON form (:meth:`to_dict`) is the stable record schema documented in ``docs/schema.md``.
    """

    id: str
    text: str
    url: str | None = None
    source: str = ""
    source_id: str | None = None
    outlet: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    section: str | None = None
    series: Series | None = None
    tags: tuple[str, ...] = ()
    related_headlines: tuple[str, ...] = ()
    dateline: Dateline | None = None
    dates: Dates = Dates()
    warnings: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    """Lines removed as boilerplate (text mode), kept so a user can audit the cleaner."""
    entities: tuple[dict[str, Any], ...] = ()
    places: tuple[dict[str, Any], ...] = ()
    quotes: tuple[dict[str, Any], ...] = ()
    events: tuple[dict[str, Any], ...] = ()
    stage_runs: tuple[StageRun, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record (lists, not tuples; nested objects as dicts)."""
        d = asdict(self)
        for key, value in d.items():
            if isinstance(value, tuple):
                d[key] = list(value)
        d["schema"] = SCHEMA_VERSION
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        """Rebuild an article from :meth:`to_dict` output (unknown keys are ignored)."""
        series = d.get("series")
        dateline = d.get("dateline")
        dates = d.get("dates") or {}
        return cls(
            id=d["id"],
            text=d["text"],
            url=d.get("url"),
            source=d.get("source", ""),
            source_id=d.get("source_id"),
            outlet=d.get("outlet"),
            title=d.get("title"),
            authors=tuple(d.get("authors") or ()),
            language=d.get("language"),
            section=d.get("section"),
            series=Series(**series) if series else None,
            tags=tuple(d.get("tags") or ()),
            related_headlines=tuple(d.get("related_headlines") or ()),
            dateline=Dateline(**dateline) if dateline else None,
            dates=Dates(**{k: dates.get(k) for k in ("published", "captured", "page_clock")}),
            warnings=tuple(d.get("warnings") or ()),
            boilerplate=tuple(d.get("boilerplate") or ()),
            entities=tuple(d.get("entities") or ()),
            places=tuple(d.get("places") or ()),
            quotes=tuple(d.get("quotes") or ()),
            events=tuple(d.get("events") or ()),
            stage_runs=tuple(StageRun(**s) for s in d.get("stage_runs") or ()),
        )

    def with_changes(self, **changes: Any) -> Article:
        """A copy with some fields replaced."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Extraction:
    """What an extractor returns: the body and the metadata it found (before ids and dates are settled)."""

    text: str
    title: str | None = None
    outlet: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    section: str | None = None
    series: Series | None = None
    tags: tuple[str, ...] = ()
    related_headlines: tuple[str, ...] = ()
    canonical_url: str | None = None
    published: str | None = None
    page_clock: str | None = None
    boilerplate: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def article_id(canonical_url: str | None, text: str) -> str:
    """Content-derived article id: a hash of the canonical URL and the body text.

    Whitespace is folded before hashing so that re-extraction differences in blank lines do not
    create a new article.
    """
    h = hashlib.sha256()
    h.update((canonical_url or "").strip().encode("utf-8", "surrogatepass"))
    h.update(b"\0")
    h.update(" ".join(text.split()).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:20]
