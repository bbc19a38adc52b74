"""HTML pages: the article body through trafilatura, metadata from the page's own markup.

The page is parsed once; the body comes from :mod:`dateline.extract.html_body` (trafilatura's
precision mode or its bundled readability, whichever agrees best with a reference text of the
page, then a residual-boilerplate pass), the metadata from :mod:`dateline.extract.html_meta`, with
htmldate as the fallback for the published date.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml.html import HtmlElement

from dateline.extract.html_body import extract_body
from dateline.extract.html_meta import PageMeta, page_metadata
from dateline.models import Extraction
from dateline.textnorm import normalize_text

MAX_HTML_CHARS = 8_000_000
"""Pages longer than this are cut before parsing (untrusted input: bound the work)."""

_log = logging.getLogger(__name__)


def parse_html(html: str) -> HtmlElement | None:
    """Parse a page into an lxml tree the way trafilatura does (None for unparseable input)."""
    from trafilatura.utils import load_html

    tree: Any = load_html(html[:MAX_HTML_CHARS])
    return tree if isinstance(tree, HtmlElement) else None


def _htmldate(tree: HtmlElement, url: str | None) -> str | None:
    """The original publication date by htmldate's fast heuristics (markup and URL, no guessing)."""
    from htmldate import find_date

    try:
        found: Any = find_date(tree, url=url, original_date=True, extensive_search=False)
    except Exception as exc:  # htmldate on hostile markup: no date rather than no article
        _log.debug("htmldate failed: %r", exc)
        return None
    return found if isinstance(found, str) and found else None


def extract_html(html: str, url: str | None = None) -> Extraction:
    """Extract the article body and metadata from one HTML page."""
    warnings: list[str] = []
    if len(html) > MAX_HTML_CHARS:
        warnings.append(f"extraction: page cut to {MAX_HTML_CHARS} characters before parsing")
    tree = parse_html(html)
    if tree is None:
        return Extraction(text="", warnings=(*warnings, "extraction: the page could not be parsed"))
    meta = page_metadata(tree, url)
    body = extract_body(tree, url, title=meta.title, html=html)
    text = normalize_text(body.text)
    if not text:
        warnings.append("extraction: trafilatura found no main text")
    published = meta.published or _htmldate(tree, url)
    return Extraction(
        text=text,
        title=meta.title,
        outlet=meta.outlet,
        authors=meta.authors,
        language=meta.language,
        section=meta.section,
        tags=meta.tags,
        canonical_url=meta.canonical_url or url,
        published=published,
        boilerplate=body.removed,
        warnings=tuple(warnings),
    )


__all__ = ["PageMeta", "extract_html", "parse_html"]
