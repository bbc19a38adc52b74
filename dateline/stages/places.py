"""places.v1: toponyms resolved to coordinates with an offline gazetteer.

Recognition reuses the shared spaCy pass (:mod:`place_mentions`); resolution picks one GeoNames
place per mention from population priors and the document's own context — ``City, State``
patterns, the other places, country entities, the dateline and the URL's country-code domain
(:mod:`place_resolve`). The gazetteer (:mod:`place_gazetteer`) ships in the package.

Each stored place (one per mention; ``text == article.text[start:end]``)::

    {"start": 412, "end": 418, "text": "MOSCOW", "name": "Moscow", "country": "RU",
     "lat": 55.7522, "lon": 37.6156, "kind": "city", "admin1": "Moscow", "role": "dateline",
     "score": 12.3}

``role`` is ``dateline`` for the place the story was filed from and ``mentioned`` for every other
place (what happened where is the business of ``events.v1``). ``kind`` is ``country``, ``admin1``
(state/province), ``admin2`` (county), ``city``, ``continent`` or ``region``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dateline.models import Article
from dateline.pipeline import shipped
from dateline.stages.place_gazetteer import GAZETTEER_PATH, Gazetteer, load_gazetteer
from dateline.stages.place_mentions import OUTLET_WORDS, Mention, find_mentions, spelt_otherwise
from dateline.stages.place_resolve import Weights, resolve

if TYPE_CHECKING:
    from dateline.nlp import Analysis

__all__ = ["PlacesStage", "make", "places_of"]

# Generic country-code domains that say nothing about where an outlet is.
_GENERIC_CCTLDS = frozenset({"tv", "io", "co", "me", "fm", "ai", "ly", "cc", "ws", "to", "am"})


def url_country(url: str | None) -> str | None:
    """ISO country of a URL's country-code domain (``.co.uk`` -> GB, ``.ca`` -> CA), else None."""
    if not url:
        return None
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    tld = host.rsplit(".", 1)[-1]
    if len(tld) != 2 or tld in _GENERIC_CCTLDS:
        return None
    return "GB" if tld == "uk" else tld.upper()


def outlet_places(url: str | None, gazetteer: Gazetteer) -> list[str]:
    """Match keys of the place names a URL's host carries (``columbuslocalnews.com`` -> ``columbus``,
    ``richmondandtwickenhamtimes.co.uk`` -> ``richmond``, ``twickenham``): local outlets are named
    after their town. A host label counts only when it splits wholly into place names and outlet
    words (``columbus|local|news``; ``onlineathens`` is ``online|athens``, not "Neath"); places are
    towns of 5,000 people or more and first-level regions, at least five letters long."""
    if not url:
        return []
    split = urlsplit(url if "//" in url else "//" + url)
    host = (split.hostname or "").lower()
    labels = [lab for lab in host.split(".")[:-1] if lab not in ("www", "co", "com", "org", "net", "ac", "gov")]
    table = gazetteer.squashed()
    found: list[str] = []
    for part in (p for lab in labels for p in re.split(r"[^a-z]+", lab) if len(p) >= 5):
        for key in _segment(part, table):
            if key not in found:
                found.append(key)
    # A path section named after a town ("/arlington_news/", "/dublin_news/"): every word of the
    # segment a place or an outlet word, at least one of each (a headline slug never qualifies).
    for seg in split.path.lower().split("/"):
        words = [w for w in re.split(r"[^a-z]+", seg) if w]
        if len(words) < 2 or len(words) > 4 or not any(w in OUTLET_WORDS for w in words):
            continue
        keys = [_segment(w, table) for w in words if w not in OUTLET_WORDS]
        if keys and all(keys):
            found.extend(k for ks in keys for k in ks if k not in found)
    return found


def _segment(part: str, places: dict[str, str]) -> list[str]:
    """The place keys of the split of ``part`` into place names and outlet words that covers the
    most letters with place names (none when ``part`` does not split wholly)."""
    n = len(part)
    best: list[tuple[int, list[str]] | None] = [None] * (n + 1)
    best[0] = (0, [])
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        for j in range(i + 1, min(n, i + 30) + 1):
            piece = part[i:j]
            key = places.get(piece) if j - i >= 5 and piece not in OUTLET_WORDS else None
            if key is not None:
                cand = (here[0] + j - i, [*here[1], key])
            elif piece in OUTLET_WORDS:
                cand = (here[0], here[1])
            else:
                continue
            if best[j] is None or cand[0] > best[j][0]:  # type: ignore[index]
                best[j] = cand
    end = best[n]
    return end[1] if end is not None else []


def _entity_countries(article: Article) -> list[str]:
    """Countries the entities stage found (organisations and people of a country count too)."""
    return [str(e["country"]) for e in article.entities if e.get("country")]


def places_of(article: Article, analysis: Analysis, gazetteer: Gazetteer | None = None,
              weights: Weights | None = None) -> list[dict[str, Any]]:
    """The resolved places of an article (the records ``places.v1`` stores)."""
    gaz = gazetteer or load_gazetteer()
    mentions = find_mentions(analysis.doc, gaz, article)
    seeds = _entity_countries(article)
    cc = url_country(article.url)
    if cc:
        seeds.extend([cc] * 2)
    resolve(mentions, seeds, weights, [gaz.lookup(key) for key in outlet_places(article.url, gaz)])
    return [_record(m) for m in mentions if m.chosen is not None]


def _record(m: Mention) -> dict[str, Any]:
    e = m.chosen
    assert e is not None
    name = e.name
    if e.kind == "city" and not any(c.primary and c.entry == e for c in m.candidates) and \
            spelt_otherwise(m.text, e, m.candidates):
        # The namesake capital of a region, named as the region is ("Hama" for Ḩamāh): that name.
        name = next(c.entry.name for c in m.candidates if c.primary and c.entry.kind == "admin1"
                    and c.entry.admin1 == e.admin1 and c.entry.country == e.country)
    return {"start": m.start, "end": m.end, "text": m.text, "name": name, "country": e.country or None,
            "lat": e.lat, "lon": e.lon, "kind": e.kind, "admin1": e.admin1 or None, "role": m.role,
            "score": round(m.score, 2)}


@dataclass
class PlacesStage:
    """The ``places.v1`` stage (see the module docstring for the record)."""

    config: dict[str, Any] = field(default_factory=dict)
    name: str = "places.v1"
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ("places",)

    @property
    def data_files(self) -> tuple[Path, ...]:
        """What the output depends on besides the settings (see :func:`dateline.pipeline.config_hash`)."""
        return (GAZETTEER_PATH, *shipped("countries.tsv"))

    def __call__(self, article: Article, analysis: Analysis) -> Article:
        """Return ``article`` with ``places`` filled."""
        return article.with_changes(places=tuple(places_of(article, analysis)))


def make(config: dict[str, Any]) -> PlacesStage:
    """Factory named in the stage registry. Uses ``entities`` for country context when it ran first."""
    return PlacesStage(config=dict(config))
