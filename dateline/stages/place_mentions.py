"""Toponym recognition for ``places.v1``: which spans of the text name places.

Sources, all from the shared spaCy pass (no model run of our own):

* GPE / LOC / FAC entities (FAC only when the gazetteer knows the name);
* NORP entities that are demonyms of a country ("Syrian" -> Syria);
* other entities whose whole text is a country or a first-level region (NER often calls "Georgia"
  a person);
* ``City, State`` / ``City, Va.`` entities are split at the comma into two toponyms, and the
  second one is remembered as the *container* of the first;
* the article's dateline place (``MOSCOW (Sputnik) –``), which NER misses in capitals;
* ``X County`` / ``X Parish`` phrases NER left out.

*Weak* mentions are kept apart and accepted only when the document supports them (see
:func:`place_resolve.resolve`): entities NER labelled ORG/PERSON/... whose whole text is a place
name ("Lancaster" as ORG), a place name leading an organisation ("Ohio" in "Ohio State
University") or closing it ("University of Cincinnati"), a compass-qualified region ("East Texas"),
and capitalised words outside any entity ("Fargo", dateline capitals "COLUMBUS").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from dateline.nlp import doc_text
from dateline.stages.place_gazetteer import Candidate, GazEntry, Gazetteer

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from dateline.models import Article

_PLACE_LABELS = frozenset({"GPE", "LOC"})
_STRONG_KINDS = frozenset({"country", "admin1", "continent"})
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:'s|’s|')$")
_COUNTY = re.compile(r"\b(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\s(?:County|Parish|Borough)\b")
_PAIR_GAP = re.compile(r"^\s*,\s*$")
_COMPASS = re.compile(r"^(?:(?:North|South|East|West|Central|Northern|Southern|Eastern|Western|Upper|Lower|"
                      r"Greater|Downtown|Northeast|Northwest|Southeast|Southwest|Northeastern|Northwestern|"
                      r"Southeastern|Southwestern|Metro|S\.E\.|N\.E\.|S\.W\.|N\.W\.)\s+)")
_OF_TAIL = re.compile(r"\bof\s+(?:the\s+)?([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})$")
# Capitalised words that are also place names somewhere but, alone, almost never mean the place.
_GENERIC_WORDS = frozenset("""north south east west central gulf union continental bush mount lake river city county
police church mayor president senator governor university college school hospital center centre park
street road avenue state national federal republic democrat republican independence liberty victory
progress enterprise commerce friendship paradise hope march may june august christmas easter""".split())
_SKIP_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
# Extra demonyms for countries that countryinfo spells differently.
_EXTRA_DEMONYMS = {"palestinian": "PS", "palestinians": "PS", "saudi": "SA", "saudis": "SA", "gazan": "PS",
                   "gazans": "PS", "briton": "GB", "britons": "GB", "british": "GB", "brit": "GB"}


@dataclass
class Mention:
    """A recognised toponym: its span, its candidate places, and what the text says contains it."""

    start: int
    end: int
    text: str
    candidates: list[Candidate]
    source: str
    container: Mention | None = None
    """The ``State`` of ``City, State`` (set when this mention is the city)."""
    contained: bool = False
    """True when this mention is itself the ``State`` of a ``City, State`` pair."""
    weak: bool = False
    """Recognised from a gazetteer match alone: kept only if the document's places support it."""
    role: str = "mentioned"
    chosen: GazEntry | None = None
    score: float = 0.0
    scores: dict[int, float] = field(default_factory=dict)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading article and a trailing possessive from a span."""
    span = text[start:end]
    m = _LEADING.match(span)
    if m:
        start += m.end()
    m2 = _TRAILING.search(text[start:end])
    if m2:
        end = start + m2.start()
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    return start, end


def _add(out: list[Mention], gaz: Gazetteer, text: str, start: int, end: int, source: str,
         weak: bool = False) -> bool:
    start, end = _trim(text, start, end)
    if end - start < 2:
        return False
    surface = text[start:end]
    cands = gaz.lookup(surface)
    if weak:
        # A bare gazetteer hit needs the place's own name (not an alternate) and a capital letter.
        cands = [c for c in cands if c.primary] if surface[:1].isupper() else []
    if not cands and not weak:
        m = _COMPASS.match(surface)
        if m:  # "East Texas", "Northeast Georgia": the region named inside
            return _add(out, gaz, text, start + m.end(), end, source, weak=True)
    if cands:
        out.append(Mention(start, end, surface, cands, source, weak=weak))
    return bool(cands)


def _add_inside(out: list[Mention], gaz: Gazetteer, text: str, start: int, end: int) -> None:
    """A place name leading or closing a longer name: "Ohio State University", "City of Dublin"."""
    start, end = _trim(text, start, end)
    words = list(re.finditer(r"\S+", text[start:end]))
    for n in range(min(3, len(words) - 1), 0, -1):
        if _add(out, gaz, text, start, start + words[n - 1].end(), "inside", weak=True):
            return
    m = _OF_TAIL.search(text[start:end])
    if m:
        _add(out, gaz, text, start + m.start(1), start + m.end(1), "inside", weak=True)


def find_mentions(doc: Doc, gaz: Gazetteer, article: Article | None = None) -> list[Mention]:
    """Toponym mentions of ``doc`` (whose text is the article text), sorted by position."""
    text = doc_text(doc)
    found: list[Mention] = []
    for ent in doc.ents:
        label = ent.label_
        if label in _SKIP_LABELS:
            continue
        if label == "NORP":
            country = gaz.demonym(ent.text)
            extra = _EXTRA_DEMONYMS.get(ent.text.lower())
            if country is None and extra:
                country = gaz.countries.get(extra)
            if country is not None:
                s, e = _trim(text, ent.start_char, ent.end_char)
                found.append(Mention(s, e, text[s:e], [Candidate(country, True)], "demonym"))
            elif not _add(found, gaz, text, ent.start_char, ent.end_char, "ner-norp", weak=True):
                _add_inside(found, gaz, text, ent.start_char, ent.end_char)
            continue
        if label in _PLACE_LABELS or label == "FAC":
            parts = _split_commas(text, ent.start_char, ent.end_char)
            for s, e in parts:
                if not _add(found, gaz, text, s, e, "ner", weak=label == "FAC") and len(parts) == 1:
                    _add_inside(found, gaz, text, s, e)
        elif not _add(found, gaz, text, ent.start_char, ent.end_char, "ner-other", weak=True):
            _add_inside(found, gaz, text, ent.start_char, ent.end_char)
    _add_capitalised(found, gaz, doc)
    _filter_weak(found, doc, article)
    covered = [(m.start, m.end) for m in found]
    for m in _COUNTY.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in covered):
            _add(found, gaz, text, m.start(), m.end(), "pattern")
    _add_dateline(found, gaz, text, article)
    found.sort(key=lambda m: (m.start, -m.end))
    mentions = _drop_overlaps(found)
    _link_pairs(mentions, text, gaz)
    return mentions


def _add_capitalised(found: list[Mention], gaz: Gazetteer, doc: Doc) -> None:
    """Runs of up to three capitalised tokens outside every entity that name a place (weak)."""
    i, n = 0, len(doc)
    text = doc_text(doc)
    while i < n:
        tok = doc[i]
        if tok.ent_type_ or not (tok.is_title or (tok.is_upper and len(tok) > 2)) or tok.is_stop:
            i += 1
            continue
        j = i
        while j < n and j - i < 3 and not doc[j].ent_type_ and (doc[j].is_title or doc[j].is_upper):
            j += 1
        for k in range(j, i, -1):
            span = doc[i:k]
            if _add(found, gaz, text, span.start_char, span.end_char, "capitalised", weak=True):
                i = k - 1
                break
        i += 1


def _filter_weak(found: list[Mention], doc: Doc, article: Article | None) -> None:
    """Drop weak mentions that are generic words or surnames of people in this document; promote
    those the outlet's own domain names (``gainesvilletimes.com`` -> "Gainesville")."""
    surnames = {t.text.lower() for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 for t in ent[1:]}
    host = ""
    if article is not None and article.url:
        host = re.sub(r"^\w+://", "", article.url).split("/")[0].lower()
    keep = []
    for m in found:
        low = m.text.lower()
        squashed = re.sub(r"[^a-z]", "", low)
        if len(squashed) >= 5 and squashed in host:
            m.weak = False
        elif m.weak and (low in _GENERIC_WORDS or low in surnames):
            continue
        keep.append(m)
    found[:] = keep


def _split_commas(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``Alexandria, Va.`` -> two spans; anything without a comma -> itself."""
    span = text[start:end]
    if "," not in span:
        return [(start, end)]
    parts, pos = [], start
    for piece in span.split(","):
        lead = len(piece) - len(piece.lstrip())
        parts.append((pos + lead, pos + len(piece.rstrip())))
        pos += len(piece) + 1
    return [(s, e) for s, e in parts if e > s]


def _add_dateline(found: list[Mention], gaz: Gazetteer, text: str, article: Article | None) -> None:
    """Mark (or add) the dateline's place mention; its role is ``dateline``."""
    if article is None or article.dateline is None or not article.dateline.place:
        return
    dl = article.dateline
    assert dl.place is not None
    head = text[dl.start:dl.end]
    first = dl.place.split(",")[0].strip()
    at = head.lower().find(first.lower()) if first else -1
    if at < 0:
        return
    start, end = dl.start + at, dl.start + at + len(first)
    for m in found:
        if m.start < end and start < m.end:
            m.role = "dateline"
            return
    before = len(found)
    _add(found, gaz, text, start, end, "dateline")
    if len(found) > before:
        found[-1].role = "dateline"


def _drop_overlaps(found: list[Mention]) -> list[Mention]:
    """Keep the first (longest at a position) of overlapping mentions."""
    kept: list[Mention] = []
    for m in found:
        if kept and m.start < kept[-1].end:
            if m.role == "dateline":
                kept[-1].role = "dateline"
            continue
        kept.append(m)
    return kept


def _link_pairs(mentions: list[Mention], text: str, gaz: Gazetteer) -> None:
    """``City, State``: remember the state as the city's container (only when it can contain it)."""
    for a, b in pairwise(mentions):
        if not _PAIR_GAP.match(text[a.end:b.start]):
            continue
        outer = [c.entry for c in b.candidates if c.entry.kind in ("country", "admin1", "admin2")]
        if not outer:
            continue
        if any(_inside(c.entry, o) for c in a.candidates for o in outer):
            a.container = b
            b.contained = True
            b.candidates = [c for c in b.candidates if c.entry in outer]


def _inside(inner: GazEntry, outer: GazEntry) -> bool:
    """Whether ``inner`` lies in ``outer`` by the gazetteer's country/admin names."""
    if inner == outer or inner.country != outer.country:
        return False
    if outer.kind == "country":
        return True
    if outer.kind == "admin1":
        return inner.admin1 == outer.admin1 and inner.kind != "admin1"
    return inner.admin2 == outer.admin2 and inner.kind == "city"
