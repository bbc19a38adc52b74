"""Site templates: lines a site repeats on many of its pages are boilerplate on every page.

A run that ingests many pages of one site first *observes* every page (a pre-pass), then cleans
them.  Because the counts are complete before any page is cleaned, the result does not depend on
the order the pages arrive in, so re-running the same input set gives the same bodies (and the
same content-derived article ids)::

    templates = SiteTemplates()
    for doc in text_docs:                     # pass 1: observe all
        templates.observe(doc.content, doc.url)
    for doc in text_docs:                     # pass 2: clean
        ex = clean_flattened_text(doc.content, doc.url, templates=templates)

A page counts each distinct line once, so a line repeated within one page is not mistaken for a
template line.  Only short-to-medium lines are tracked: a long paragraph that recurs across a site
(a syndicated boilerplate disclaimer aside) is rare, and tracking only those keeps memory bounded.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlsplit

from dateline.errors import InputError
from dateline.extract.decode import decode_bytes
from dateline.models import RawDocument
from dateline.textnorm import normalize_line

MAX_TRACKED_CHARS = 300
"""Lines longer than this are never treated as template lines."""


def site_key(url: str | None) -> str | None:
    """The site a URL belongs to: its host, lowercased, without ``www.``; None without a host."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return host or None


class SiteTemplates:
    """Counts, per site, on how many observed pages each line occurs.

    A line is a template line of a site when it occurs on at least ``min_pages`` observed pages
    of that site *and* on at least ``min_share`` of them.  Both bounds guard against small
    samples: with three pages a line seen twice is weak evidence, with 200 pages a line seen on
    three is probably a shared quote, not navigation.
    """

    def __init__(self, min_pages: int = 3, min_share: float = 0.3) -> None:
        """Create an empty set of counts; see the class docstring for the two thresholds."""
        self.min_pages = min_pages
        self.min_share = min_share
        self._pages: Counter[str] = Counter()
        self._lines: dict[str, Counter[str]] = {}
        self._seen: set[tuple[str, str]] = set()

    def observe(self, text: str, url: str | None) -> None:
        """Record one page's lines under its site (pages without a URL host are ignored).

        Observing the very same page text twice (same site) counts it once, so feeding a
        duplicate record does not turn its lines into template lines.
        """
        site = site_key(url)
        if site is None:
            return
        lines = {
            line for line in (normalize_line(raw) for raw in text.splitlines()) if 0 < len(line) <= MAX_TRACKED_CHARS
        }
        digest = hashlib.sha1("\n".join(sorted(lines)).encode("utf-8", "surrogatepass")).hexdigest()
        fingerprint = (site, digest)
        if fingerprint in self._seen:
            return
        self._seen.add(fingerprint)
        self._pages[site] += 1
        self._lines.setdefault(site, Counter()).update(lines)

    def observe_document(self, raw: RawDocument) -> None:
        """Observe a text-mode :class:`RawDocument` as ingest holds it (bytes are decoded first).

        Other kinds, and documents that cannot be decoded, are ignored: the cleaning pass
        reports those errors, the pre-pass must not fail on them.
        """
        if raw.kind != "text":
            return
        content = raw.content
        if isinstance(content, bytes):
            try:
                content, _ = decode_bytes(content, raw.source, raw.charset)
            except InputError:
                return
        self.observe(content, raw.url)

    def observe_all(self, pages: Iterable[tuple[str, str | None]]) -> SiteTemplates:
        """Observe ``(text, url)`` pairs; returns ``self`` so a pre-pass is one expression."""
        for text, url in pages:
            self.observe(text, url)
        return self

    def pages(self, url: str | None) -> int:
        """How many distinct pages of this URL's site were observed."""
        site = site_key(url)
        return self._pages[site] if site else 0

    def is_template(self, line: str, url: str | None) -> bool:
        """True when the (normalised) line is a repeated template line of this URL's site."""
        site = site_key(url)
        if site is None or len(line) > MAX_TRACKED_CHARS:
            return False
        seen = self._lines.get(site)
        if not seen:
            return False
        count = seen.get(line, 0)
        return count >= self.min_pages and count >= self.min_share * self._pages[site]

    def template_lines(self, url: str | None) -> list[str]:
        """The template lines of this URL's site, most frequent first (ties in text order)."""
        site = site_key(url)
        seen = self._lines.get(site or "")
        if not seen:
            return []
        return sorted((line for line in seen if self.is_template(line, url)), key=lambda ln: (-seen[ln], ln))
