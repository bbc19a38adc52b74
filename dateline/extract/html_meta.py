"""Page metadata from an already parsed HTML tree: title, outlet, authors, dates, section, tags.

Sources, in order of trust: JSON-LD (``<script type="application/ld+json">``) objects of an
article type, ``<meta>`` tags (Open Graph, ``article:*``, Dublin Core, common CMS names), microdata
and ``rel=author`` links, then the page's visible structure (``<h1>``, ``<title>``).  Nothing a page
references is ever fetched; JSON-LD blocks are size-capped before parsing.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from dateline.textnorm import normalize_line

MAX_JSONLD_CHARS = 200_000
"""JSON-LD blocks longer than this are skipped (untrusted input: bound the work)."""
MAX_JSONLD_BLOCKS = 20
MAX_TAGS = 40

_ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|Posting|Report|Review|WebPage)$")
_BY_PREFIX = re.compile(r"^\s*(?:(?:written|posted|reported|words|text|story)\s+)?by[:\s]+", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||,|\b(?i:and|und)\b|&|(?<=[a-z]{2})\.\s+(?=[A-Z]))\s*")
_NAME_PARTICLES = frozenset({"de", "da", "del", "der", "den", "van", "von", "la", "le", "di", "du", "al", "bin", "el"})
_URLISH = re.compile(r"(?:https?://|www\.|@\w+\.\w|\.(?:com|org|net|html?)\b)", re.IGNORECASE)
_GENERIC_AUTHORS = frozenset(
    {"admin", "administrator", "staff", "editor", "editors", "unknown", "anonymous", "guest", "user",
     "webmaster", "author", "null", "none"}
)
_ORG_TYPES = frozenset({"Organization", "NewsMediaOrganization"})
_GENERIC_SECTIONS = frozenset({"home", "homepage", "home page", "index", "main", "front page", "frontpage"})
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|»«·•:]|[-–—]{1,2})\s+")


@dataclass(frozen=True)
class PageMeta:
    """Metadata found in a page (every field optional)."""

    title: str | None = None
    outlet: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None
    published: str | None = None


# --------------------------------------------------------------------------- helpers


def clean(value: Any) -> str:
    """A metadata value as one normalised line ('' for anything that is not text).

    Entities are decoded once more: pages often escape twice (``&amp;quot;``).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return ""
    return normalize_line(" ".join(html.unescape(value).split()))


def _letters(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _host_label(host: str) -> str:
    """The registrable label of a host: ``edition.cnn.com`` -> ``cnn``, ``bbc.co.uk`` -> ``bbc``."""
    parts = [p for p in host.split(".") if p]
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in {"co", "com", "org", "net", "ac", "gov"}:
        return parts[-3]
    return parts[-2] if len(parts) >= 2 else (parts[0] if parts else "")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen[key] = item
    return tuple(seen.values())


# --------------------------------------------------------------------------- page sources


class _Sources:
    """The page's ``<meta>`` values, JSON-LD objects and a few microdata nodes, read once."""

    def __init__(self, tree: HtmlElement) -> None:
        self.tree = tree
        self.meta: dict[str, list[str]] = {}
        for el in tree.iter("meta"):
            content = clean(el.get("content"))
            if not content:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = (el.get(attr) or "").strip().lower()
                if key:
                    self.meta.setdefault(key, []).append(content)
        self.jsonld = list(self._jsonld_objects())
        self.articles = [o for o in self.jsonld if any(_ARTICLE_TYPES.search(t) for t in _types(o))]
        # prefer real article objects over generic WebPage ones
        self.articles.sort(key=lambda o: any(t.endswith("WebPage") for t in _types(o)))

    def first(self, *keys: str) -> str | None:
        """The first non-empty meta value among ``keys`` (in key order)."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value:
                    return value
        return None

    def all(self, *keys: str) -> list[str]:
        """All meta values of ``keys``, in key order."""
        return [v for key in keys for v in self.meta.get(key, ())]

    def from_articles(self, key: str) -> list[Any]:
        """Values of ``key`` in the page's article JSON-LD objects."""
        return [o[key] for o in self.articles if o.get(key) not in (None, "", [])]

    def _jsonld_objects(self) -> Iterator[dict[str, Any]]:
        scripts = self.tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]')
        for script in scripts[:MAX_JSONLD_BLOCKS]:
            raw = script.text or ""
            if not raw.strip() or len(raw) > MAX_JSONLD_CHARS:
                continue
            try:
                data = json.loads(raw.strip().removesuffix(";"))
            except (ValueError, RecursionError):
                continue
            yield from _flatten_jsonld(data)


def _flatten_jsonld(data: Any) -> Iterator[dict[str, Any]]:
    """Top-level JSON-LD objects, with ``@graph`` members lifted (nested objects stay nested)."""
    for obj in _as_list(data):
        if not isinstance(obj, dict):
            continue
        graph = obj.get("@graph")
        if isinstance(graph, list):
            yield from (g for g in graph if isinstance(g, dict))
        else:
            yield obj


def _types(obj: dict[str, Any]) -> list[str]:
    return [t for t in _as_list(obj.get("@type")) if isinstance(t, str)]


def _names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation value (string, object or list of either)."""
    out: list[str] = []
    for item in _as_list(value):
        if isinstance(item, dict):
            out.append(clean(item.get("name")))
        else:
            out.append(clean(item))
    return [n for n in out if n]


# --------------------------------------------------------------------------- fields


_SOCIAL = re.compile(r"^https?://(?:www\.|m\.)?(?:facebook|twitter|x)\.com/@?([A-Za-z][\w.]{1,40})/?$")


def _social_names(values: Iterable[str]) -> list[str]:
    """Account names from publisher links to social pages (``https://www.facebook.com/Reuters``)."""
    out = []
    for v in values:
        m = _SOCIAL.match(v.strip())
        if m and m.group(1).lower() not in {"pages", "home.php", "sharer", "share", "intent", "profile.php"}:
            out.append(m.group(1))
    return out


def _title_parts(src: _Sources) -> list[str]:
    """The parts of the page's <title> between separators (``Headline | Section | Site``)."""
    return [p.strip() for p in _TITLE_SEPARATORS.split(clean(src.tree.findtext(".//title"))) if p.strip()]


def _title_site(src: _Sources) -> list[str]:
    """The short first or last part of ``Headline - Site name`` in the page's <title>."""
    parts = _title_parts(src)
    if len(parts) < 2:
        return []
    return [p for p in (parts[-1], parts[0]) if len(p.split()) <= 4 and len(p) <= 60]


def _names_host(cand: str, label: str, host: str) -> bool:
    """Whether a name names the site at this host: its letters hold the host's label or lie in the
    host, or its first word (5+ letters) starts the label (``Sputnik International`` at sputniknews.com)."""
    letters = _letters(cand)
    if not label or not letters:
        return False
    return label in letters or letters in _letters(host) or _starts_label(cand, label, 5)


def _starts_label(name: str, label: str, min_letters: int) -> bool:
    """Whether the name's first word (at least ``min_letters`` letters) starts the host's label
    (``Sputnik International`` at sputniknews.com)."""
    first = _letters(name.split()[0]) if name.split() else ""
    return bool(label) and len(first) >= min_letters and label.startswith(first)


def _outlet(src: _Sources, host: str) -> str | None:
    candidates = [
        *src.all("og:site_name"),
        *(n for v in src.from_articles("publisher") for n in _names(v)),
        *(clean(o.get("name")) for o in src.jsonld if _ORG_TYPES & set(_types(o))),
        *(clean(o.get("name")) for o in src.jsonld if "WebSite" in _types(o)),
        *src.all("application-name", "publisher", "dc.publisher"),
    ]
    candidates = [c.lstrip("@") for c in candidates if c and len(c) <= 80 and not c.startswith("http")]
    label = _host_label(host)
    # a name that matches the host beats one that does not (og:site_name is sometimes a section:
    # Reuters pages say "U.S."); then the title's site part and the publisher's social account
    weaker = [*_title_site(src), *_social_names(src.all("article:publisher", "publisher", "fb:pages"))]
    for cand in [*candidates, *weaker]:
        if _names_host(cand, label, host):
            return cand
    return candidates[0] if candidates else None


def _site_like(name: str, host: str, outlet: str | None) -> bool:
    """Whether ``name`` names the site rather than a person (``CBSNews com``, ``Sputnik International``)."""
    letters = _letters(name)
    if not letters:
        return True
    if outlet and letters == _letters(outlet):
        return True
    if host and (letters == _letters(host) or letters == _letters(_host_label(host))):
        return True
    label = _host_label(host)
    first = _letters(name.split()[0]) if name.split() else ""
    return (_starts_label(name, label, 4) and len(name.split()) <= 3
            and letters.startswith(label[: len(first)]) and first != letters)


def _name_shaped(words: list[str]) -> bool:
    """Capitalised words (particles aside), or all lower case: not ``Google profile``."""
    cased = [w for w in words if w.lower() not in _NAME_PARTICLES and w[:1].isalpha()]
    if not cased:
        return False
    upper = [w[:1].isupper() for w in cased]
    return all(upper) or not any(upper)


def clean_authors(values: Iterable[str], host: str = "", outlet: str | None = None) -> tuple[str, ...]:
    """Person names from raw author strings: no "By", no URLs, no site names, split on separators."""
    names: list[str] = []
    for raw in values:
        raw = _BY_PREFIX.sub("", clean(raw))
        for part in _AUTHOR_SPLIT.split(raw):
            part = _BY_PREFIX.sub("", part).strip(" .-–—:|/")
            if not part or _URLISH.search(part) or "@" in part:
                continue
            words = part.split()
            if len(words) > 5 or len(part) > 60 or sum(ch.isdigit() for ch in part) > 0:
                continue
            if part.lower() in _GENERIC_AUTHORS or _site_like(part, host, outlet):
                continue
            if not _name_shaped(words):
                continue
            if part.isupper() and len(part) > 4:
                part = part.title()
            names.append(part)
    return _dedupe(names)


def _authors(src: _Sources, host: str, outlet: str | None) -> tuple[str, ...]:
    sources: list[list[str]] = [
        [n for v in src.from_articles("author") for n in _names(v)],
        src.all("author", "article:author", "og:article:author", "parsely-author", "sailthru.author",
                "dc.creator", "dcterms.creator", "byl"),
        [clean(el.text_content()) for el in src.tree.xpath(
            '//*[@itemprop="author"][not(self::meta)]//*[@itemprop="name"] | '
            '//*[@itemprop="author"][not(self::meta)][not(.//*[@itemprop="name"])] | //a[@rel="author"]'
        )[:10]],
    ]
    for values in sources:
        authors = clean_authors(values, host, outlet)
        if authors:
            return authors
    return ()


def _split_tags(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        for item in _as_list(value):
            text = clean(item)
            out.extend(t.strip() for t in re.split(r"[,;]", text))
    return out


def _tags(src: _Sources, outlet: str | None, host: str) -> tuple[str, ...]:
    raw = [
        *src.all("article:tag", "og:article:tag"),
        *src.from_articles("keywords"),
        *src.all("news_keywords", "keywords", "parsely-tags", "sailthru.tags"),
    ]
    tags = []
    for tag in _split_tags(raw):
        if not tag or len(tag) > 60 or ("_" in tag and " " not in tag):
            continue
        if (outlet and _letters(tag) == _letters(outlet)) or (host and _letters(tag) == _letters(host)):
            continue
        tags.append(tag)
    return _dedupe(tags)[:MAX_TAGS]


def _section(src: _Sources) -> str | None:
    candidates = [
        *src.all("article:section", "og:article:section", "parsely-section", "sailthru.section"),
        *(s for v in src.from_articles("articleSection") for s in _split_tags([v])),
    ]
    for o in src.jsonld:
        if "BreadcrumbList" in _types(o):
            items = [i for i in _as_list(o.get("itemListElement")) if isinstance(i, dict)]
            crumbs = [clean(i.get("name")) or _names(i.get("item"))[0:1] for i in items]
            names = [c for c in crumbs if isinstance(c, str) and c]
            if len(names) >= 2:
                candidates.append(names[-2] if len(names) > 2 else names[-1])
    for cand in candidates:
        if cand and cand.lower() not in _GENERIC_SECTIONS and len(cand) <= 60:
            return cand
    return None


def _language(src: _Sources) -> str | None:
    root_lang = src.tree.get("lang") or src.tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    candidates = [
        root_lang,
        src.first("content-language", "dc.language", "language"),
        *(v for v in src.from_articles("inLanguage") if isinstance(v, str)),
        src.first("og:locale"),
    ]
    for cand in candidates:
        m = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", cand or "")
        if m:
            return m.group(1).lower()
    return None


def _canonical(src: _Sources, url: str | None) -> str | None:
    candidates = [el.get("href") for el in src.tree.xpath('//link[@rel="canonical"][@href]')[:1]]
    candidates += [src.first("og:url")]
    for cand in candidates:
        cand = (cand or "").strip()
        if not cand:
            continue
        absolute = urljoin(url, cand) if url else cand
        if urlsplit(absolute).scheme in {"http", "https"} and urlsplit(absolute).hostname:
            return absolute
    return None


def _title(src: _Sources, outlet: str | None) -> str | None:
    h1 = [clean(el.text_content()) for el in src.tree.iter("h1")][:3]
    head_title = clean(src.tree.findtext(".//title"))
    parts = _title_parts(src)
    # parts of "Headline | Blog name" that name the site, not the article: those like the outlet,
    # or (no outlet known) the shorter ones
    site = _letters(outlet or "")
    named = [i for i, part in enumerate(parts) if _names_outlet(part, site)]
    if named:  # the headline is the part at the other end: "Headline - Section - Outlet"
        keep = 0 if named[-1] == len(parts) - 1 else len(parts) - 1 if named[0] == 0 else None
        site_parts = {site} | {_letters(p) for i, p in enumerate(parts)
                               if (i != keep if keep is not None else i in named)}
    else:
        site_parts = {site} | {_letters(p) for p in sorted(parts, key=len)[:-1]}
    site_parts.discard("")
    candidates = [
        *(clean(v) for v in src.from_articles("headline")),
        src.first("og:title"),
        src.first("twitter:title", "dc.title", "headline"),
        h1[0] if len(h1) == 1 else None,
        strip_site_from_title(head_title, outlet),
    ]
    for cand in candidates:
        if cand and 3 <= len(cand) <= 300 and _letters(cand) not in site_parts:
            return strip_site_from_title(cand, outlet)
    return None


def _names_outlet(part: str, site: str) -> bool:
    """Whether a title part is the outlet's name: its letters lie in the outlet's, or hold them with
    a few more (``The Facebook Blog``, ``Wired.com``; not ``Skepchick Quickies 10.29``)."""
    letters = _letters(part)
    return bool(site and letters) and (letters in site or (site in letters and len(letters) <= len(site) + 8))


def _name_like(part: str) -> bool:
    """Capitalised words without digits: ``Danger Room``, ``Everyday Food Blog`` (not ``For $235K``)."""
    words = part.split()
    return bool(words) and not any(c.isdigit() for c in part) and all(w[0].isupper() or len(w) <= 3 for w in words)


def strip_site_from_title(title: str | None, outlet: str | None) -> str | None:
    """Drop a leading or trailing ``| Site name`` part from a page title: the part that names the
    outlet, else a short last part after a head of 3+ words."""
    if not title:
        return None
    seps = list(_TITLE_SEPARATORS.finditer(title))
    if not seps:
        return title
    head, tail = title[: seps[-1].start()], title[seps[-1].end() :]
    lead, rest = title[: seps[0].start()], title[seps[0].end() :]
    site = _letters(outlet or "")
    if site:
        if _names_outlet(tail, site):
            return head
        if _names_outlet(lead, site):
            return rest
    # no part names the outlet: a short last part after a long enough head is most likely the site
    # (or, where the outlet is known, a section's or a blog's) name
    if len(tail.split()) <= 3 and len(head.split()) >= 3 and (not site or _name_like(tail)):
        return head
    return title


def _published(src: _Sources) -> str | None:
    values = [
        *(clean(v) for v in src.from_articles("datePublished")),
        src.first("article:published_time", "og:article:published_time", "datepublished",
                  "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "dc.date.issued",
                  "dcterms.created", "dc.date", "date", "og:published_time"),
    ]
    times = src.tree.xpath('//time[@itemprop="datePublished"][@datetime]')[:1]
    values += [el.get("datetime") for el in times]
    for value in values:
        if value and re.match(r"^\s*\d{4}-\d{2}-\d{2}", value):
            return value.strip()
    return None


def page_metadata(tree: HtmlElement, url: str | None = None) -> PageMeta:
    """Collect the metadata of one parsed page (structured sources only; no date guessing)."""
    src = _Sources(tree)
    canonical = _canonical(src, url)
    host = _host(canonical or url)
    outlet = _outlet(src, host)
    return PageMeta(
        title=_title(src, outlet),
        outlet=outlet,
        authors=_authors(src, host, outlet),
        language=_language(src),
        section=_section(src),
        tags=_tags(src, outlet, host),
        canonical_url=canonical,
        published=_published(src),
    )
