"""Actor canonicalisation for events.v1: entity mentions of a sentence as event participants.

Names are resolved by entities.v1 (``dateline.stages.entities.resolve_name`` / ``entity_at``)
when that module is installed; while it is not, the entity lexicon it is built on, and last a
pycountry lookup, stand in. Organisations that belong to a state (``Russian Air Force``,
``Syrian Army``, ``Turkish Foreign Ministry``) become the state as actor, with the organisation
kept as ``detail``: PLOVER, like CAMEO, codes the state as the actor of its forces and ministries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from dateline.stages.event_coder import Mention, PlaceMention

Resolved = tuple[str, str, str | None]
"""(canonical, kind, ISO2 country or None)."""

STATE_KINDS = frozenset({"military", "government body", "country"})
"""Kinds whose actor is coded as the country itself."""

# Capitals and seats of government stand for their state in wire copy ("Washington demanded").
_METONYMS: dict[str, str] = {
    "washington": "US", "moscow": "RU", "beijing": "CN", "tehran": "IR", "baghdad": "IQ",
    "damascus": "SY", "ankara": "TR", "cairo": "EG", "london": "GB", "paris": "FR", "berlin": "DE",
    "tokyo": "JP", "kabul": "AF", "beirut": "LB", "jerusalem": "IL", "riyadh": "SA", "amman": "JO",
    "islamabad": "PK", "new delhi": "IN", "seoul": "KR", "pyongyang": "KP", "kiev": "UA", "kyiv": "UA",
    "jakarta": "ID", "khartoum": "SD", "tripoli": "LY", "belgrade": "RS", "kremlin": "RU",
    "white house": "US", "pentagon": "US", "downing street": "GB", "rome": "IT", "madrid": "ES",
    "havana": "CU", "caracas": "VE", "nairobi": "KE", "abuja": "NG", "addis ababa": "ET",
}
_NER_LABELS = frozenset({"GPE", "NORP", "ORG", "PERSON", "LOC", "FAC"})


def country_name(iso2: str) -> str:
    """The short English name of a country (``RU`` -> ``Russia``)."""
    try:
        from dateline.stages.entity_lexicon import country_name as entities_country_name

        return str(entities_country_name(iso2))
    except Exception:  # entities.v1 not installed: pycountry's common or official short name
        import pycountry

        c = pycountry.countries.get(alpha_2=iso2)
        return str(getattr(c, "common_name", None) or getattr(c, "name", iso2)) if c else iso2


def _pycountry_resolve(text: str) -> Resolved | None:
    import pycountry

    try:
        c = pycountry.countries.lookup(text.strip())
    except LookupError:
        return None
    return (country_name(c.alpha_2), "country", c.alpha_2)


@lru_cache(maxsize=1)
def _resolver() -> Callable[[str], Resolved | None]:
    """entities.v1's ``resolve_name`` if present, else its lexicon, else pycountry."""
    try:
        from dateline.stages.entities import resolve_name

        def via_stage(text: str) -> Resolved | None:
            r: Any = resolve_name(text)
            if r is None:
                return None
            if isinstance(r, tuple):
                canonical, kind, country = (*r, None, None, None)[:3]
            else:
                canonical, kind, country = r.canonical, r.kind, r.country
            return (str(canonical), str(kind or ""), str(country) if country else None) if canonical else None

        return via_stage
    except Exception:
        pass
    try:
        from dateline.stages.entity_lexicon import get_lexicon

        lexicon = get_lexicon()

        def via_lexicon(text: str) -> Resolved | None:
            r = lexicon.resolve(text)
            return (r.canonical, r.kind, r.country) if r is not None else _pycountry_resolve(text)

        return via_lexicon
    except Exception:
        return _pycountry_resolve


def resolve(text: str) -> Resolved | None:
    """Resolve a name (country, demonym, organisation, capital standing for its state) or None."""
    cleaned = text.strip().strip(".,;:'\"’").removesuffix("'s").removesuffix("’s")
    if not cleaned:
        return None
    key = cleaned.lower().removeprefix("the ")
    if key in _METONYMS:
        iso2 = _METONYMS[key]
        return (country_name(iso2), "country", iso2)
    return _resolver()(cleaned)


def as_participant(start: int, end: int, text: str, canonical: str, kind: str | None,
                   country: str | None) -> Mention:
    """A participant: states' organs become the state, with the organ as ``detail``."""
    if country and kind in STATE_KINDS:
        name = country_name(country)
        detail = canonical if kind != "country" and canonical != name else None
        return Mention(text, name, start, end, "country", country, detail)
    return Mention(text, canonical, start, end, kind or None, country, None)


def mentions_from_entities(text: str, entities: Iterable[Mapping[str, Any]]) -> list[Mention]:
    """Participants from entities.v1 records (``{start, end, text, canonical, kind, country?}``)."""
    out: list[Mention] = []
    for e in entities:
        start, end = int(e["start"]), int(e["end"])
        surface = str(e.get("text") or text[start:end])
        canonical = str(e.get("canonical") or surface)
        key = surface.lower().removeprefix("the ")
        country = e.get("country") or (_METONYMS.get(key) if e.get("kind") in (None, "", "place") else None)
        kind = e.get("kind") or ("country" if country else None)
        out.append(as_participant(start, end, surface, canonical, kind, country))
    return _outermost(out)


def _outermost(mentions: list[Mention]) -> list[Mention]:
    """Drop mentions nested in a longer one (``Russian`` inside ``Russian Air Force``)."""
    ordered = sorted(mentions, key=lambda m: (m.start or 0, -(m.end or 0)))
    out: list[Mention] = []
    for m in ordered:
        if out and (m.end or 0) <= (out[-1].end or 0) and (m.start or 0) >= (out[-1].start or 0):
            continue
        out.append(m)
    return out


def mentions_from_ner(ents: Iterable[tuple[int, int, str, str]]) -> list[Mention]:
    """Participants from raw NER spans ``(start, end, text, label)`` resolved here (fallback path)."""
    out: list[Mention] = []
    for start, end, surface, label in ents:
        if label not in _NER_LABELS:
            continue
        if surface.lower().startswith("the "):
            start, surface = start + 4, surface[4:]
        r = resolve(surface)
        if r is None:
            out.append(Mention(surface, surface, start, end, label.lower(), None, None))
        else:
            out.append(as_participant(start, end, surface, r[0], r[1], r[2]))
    return out


def places_from(places: Iterable[Mapping[str, Any]]) -> list[PlaceMention]:
    """Place mentions from places.v1 records (``{start, end, text, name, country, ...}``)."""
    return [PlaceMention(int(p["start"]), int(p["end"]), str(p.get("text") or p.get("name") or ""),
                         str(p.get("name") or p.get("text") or ""), p.get("country"))
            for p in places if p.get("start") is not None and p.get("role") != "dateline"]
