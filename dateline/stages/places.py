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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dateline.models import Article
from dateline.stages.place_gazetteer import Gazetteer, load_gazetteer
from dateline.stages.place_mentions import Mention, find_mentions
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
    resolve(mentions, seeds, weights)
    return [_record(m) for m in mentions if m.chosen is not None]


def _record(m: Mention) -> dict[str, Any]:
    e = m.chosen
    assert e is not None
    return {"start": m.start, "end": m.end, "text": m.text, "name": e.name, "country": e.country or None,
            "lat": e.lat, "lon": e.lon, "kind": e.kind, "admin1": e.admin1 or None, "role": m.role,
            "score": round(m.score, 2)}


@dataclass
class PlacesStage:
    """The ``places.v1`` stage (see the module docstring for the record)."""

    config: dict[str, Any] = field(default_factory=dict)
    name: str = "places.v1"
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ("places",)

    def __call__(self, article: Article, analysis: Analysis) -> Article:
        """Return ``article`` with ``places`` filled."""
        return article.with_changes(places=tuple(places_of(article, analysis)))


def make(config: dict[str, Any]) -> PlacesStage:
    """Factory named in the stage registry. Uses ``entities`` for country context when it ran first."""
    return PlacesStage(config=dict(config))
