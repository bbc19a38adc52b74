"""Extraction: RawDocument -> Article (body text, metadata, dateline, dates)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from dateline.errors import InputError, SkipDocument
from dateline.extract.dateline import find_dateline
from dateline.extract.dates import check_published, normalize_date
from dateline.extract.decode import decode_bytes
from dateline.extract.html import extract_html
from dateline.extract.text import clean_flattened_text
from dateline.extract.text_templates import SiteTemplates
from dateline.models import Article, Dates, Extraction, RawDocument, article_id
from dateline.textnorm import normalize_text

__all__ = ["SiteTemplates", "extract_document", "find_dateline"]

MIN_BODY_CHARS = 1
"""Documents whose extracted body is shorter than this are skipped as not-an-article."""


def outlet_from_url(url: str | None) -> str | None:
    """The site's host name without ``www.`` (a fallback when the page names no outlet)."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    return host or None


def extract_document(
    raw: RawDocument, now: datetime | None = None, templates: SiteTemplates | None = None
) -> Article:
    """Extract one document into an :class:`Article`.

    ``templates`` holds the repeated lines learned from every text page of the run (see
    :class:`SiteTemplates`); text pages of a site seen several times lose those lines as boilerplate.

    Raises :class:`InputError` for documents that cannot be read and :class:`SkipDocument` for
    documents that hold no article text.
    """
    warnings: list[str] = []
    content = raw.content
    if isinstance(content, bytes):
        if not content.strip():
            raise InputError(raw.source, "empty", "the document has no content")
        content, decode_warnings = decode_bytes(content, raw.source, raw.charset)
        warnings.extend(decode_warnings)
    if not content.strip():
        raise InputError(raw.source, "empty", "the document has no content")
    if "\x00" in content:
        raise InputError(raw.source, "binary", "content holds NUL characters: not a text or HTML document")

    if raw.kind == "html":
        ex = extract_html(content, raw.url)
    elif raw.kind == "text":
        ex = clean_flattened_text(content, raw.url, templates=templates)
    else:
        # Clean body supplied by the user: taken verbatim so that spans index it exactly.
        ex = Extraction(text=content)
    warnings.extend(ex.warnings)
    text = ex.text if raw.kind == "body" else normalize_text(ex.text)
    if len(text.strip()) < MIN_BODY_CHARS:
        raise SkipDocument(raw.source, "no article text found")

    hints = raw.hints
    dateline = find_dateline(text)
    published_in = hints.get("published") or ex.published
    published, warning = check_published(published_in, raw.captured, now)
    if warning:
        warnings.append(warning)
    canonical = ex.canonical_url or raw.url
    outlet = hints.get("outlet") or ex.outlet or outlet_from_url(canonical)
    if outlet is None and dateline is not None and dateline.agency:
        outlet = dateline.agency
    return Article(
        id=article_id(canonical, text),
        text=text,
        url=canonical,
        source=raw.source,
        source_id=raw.source_id,
        outlet=outlet,
        title=hints.get("title") or ex.title,
        authors=ex.authors,
        language=ex.language or _guess_language(text),
        section=ex.section,
        series=ex.series,
        tags=ex.tags,
        related_headlines=ex.related_headlines,
        dateline=dateline,
        dates=Dates(
            published=published,
            captured=normalize_date(raw.captured),
            page_clock=ex.page_clock,
        ),
        warnings=tuple(warnings),
        boilerplate=ex.boilerplate,
    )


_EN_STOPWORDS = frozenset(
    "the of and to in a is that for on was with as by at from it said his be are has have an were "
    "not this but which had they their its he she will after who been also would".split()
)


def _guess_language(text: str) -> str | None:
    """Cheap language guess: English when common English function words dominate, else None.

    Only English is claimed; other languages stay None rather than guessed.
    """
    words = [w.lower() for w in text.split()[:400]]
    if len(words) < 5:
        return None
    share = sum(w in _EN_STOPWORDS for w in words) / len(words)
    return "en" if share > 0.12 else None
