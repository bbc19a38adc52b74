"""Who is speaking: a canonical entity for each quote's speaker span.

* A speaker span holding a named entity takes that entity's canonical name (the ``entities.v1``
  stage's ``entity_at`` / ``resolve_name``; without that module, the NER mention itself).
* A pronoun (``he``, ``she``, ``they``) takes the nearest earlier named speaker of a matching kind
  (a person for he/she), else the nearest earlier person named in the text.
* A role noun phrase (``the ambassador``, ``the spokeswoman``) takes the nearest earlier person
  whose mention carries that role word (``Syrian Ambassador to Russia Riad Haddad``), else the
  nearest earlier named person speaker.
* A document (``the joint statement``, ``the report``) is attributed to who issued or backed it:
  the subjects of verbs whose object is that document (``X released a joint statement``), the
  agents of passives on it (``was supported by A, B and C``) and ``from``/``by`` modifiers.
  Their names go to ``speaker["entities"]``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dateline.models import Article
from dateline.nlp import Analysis

if TYPE_CHECKING:
    from spacy.tokens import Token

PRONOUNS_PERSON = frozenset({"he", "she", "him", "her", "i", "me"})
PRONOUNS_OTHER = frozenset({"they", "them", "it", "we", "us", "you", "who"})
DOCUMENT_NOUNS = frozenset(
    {"statement", "report", "letter", "communique", "communiqué", "declaration", "memo", "release",
     "resolution", "poll", "survey", "study", "document", "filing", "complaint", "ruling", "order",
     "message", "tweet", "post", "ad", "advertisement", "editorial", "article", "analysis", "email"}
)
ORG_WORDS = frozenset(
    {"ministry", "department", "army", "force", "forces", "committee", "party", "news", "times", "post",
     "council", "agency", "office", "campaign", "service", "university", "institute", "court", "senate",
     "house", "commission", "association", "foundation", "group", "bank", "fund", "network", "company",
     "corporation", "inc", "corp", "center", "centre", "press", "journal", "magazine", "tribune", "union"}
)
PERSON_LABELS = frozenset({"PERSON"})
NON_NAME_LABELS = frozenset({"CARDINAL", "ORDINAL", "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY"})
GROUP_LABELS = frozenset({"ORG", "GPE", "NORP", "FAC", "LOC"})
_DETERMINERS = re.compile(r"^(the|a|an|this|that|these|those|its|their|his|her)\s+", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _entities_api() -> tuple[Callable[..., Any] | None, Callable[..., Any] | None]:
    """``(entity_at, resolve_name)`` from the entities stage, or ``(None, None)`` if absent."""
    try:
        mod = importlib.import_module("dateline.stages.entities")
    except ImportError:
        return None, None
    return getattr(mod, "entity_at", None), getattr(mod, "resolve_name", None)


def _mentions(article: Article, analysis: Analysis) -> list[dict[str, Any]]:
    """Entity mentions in text order: the entities stage's, else the NER pass's."""
    if article.entities:
        ents = [dict(e) for e in article.entities if "start" in e and "end" in e]
    else:
        ents = [
            {"start": e.start_char, "end": e.end_char, "text": e.text, "label": e.label_, "canonical": e.text}
            for e in analysis.doc.ents
        ]
    return sorted(ents, key=lambda e: (e["start"], e["end"]))


def _is_person(ent: dict[str, Any]) -> bool:
    return ent.get("label") in PERSON_LABELS or ent.get("kind") == "person"


class SpeakerResolver:
    """Resolves speaker spans of one article, in text order, remembering who spoke."""

    def __init__(self, article: Article, analysis: Analysis) -> None:
        self.article = article
        self.analysis = analysis
        self.text = article.text
        self.mentions: list[dict[str, Any]] = _mentions(article, analysis)
        self.entity_at, self.resolve_name = _entities_api()
        self.spoken: list[dict[str, Any]] = []
        """Resolved named speakers so far: ``{"start", "canonical", "person", "span_text"}``."""

    def _entity_in(self, start: int, end: int) -> dict[str, Any] | None:
        if self.entity_at is not None:
            try:
                found = self.entity_at(self.article, start, end)
            except Exception:  # the entities API is another stage's: never let it sink quotes
                found = None
            if isinstance(found, dict):
                return dict(found)
        inside = [m for m in self.mentions if m["start"] >= start and m["end"] <= end]
        if not inside:
            return None
        persons = [m for m in inside if _is_person(m)]
        pick: dict[str, Any] = (persons or inside)[-1 if persons else 0]
        return pick

    def _canonical(self, ent: dict[str, Any]) -> str:
        name = str(ent.get("text") or "")
        if ent.get("canonical"):
            return str(ent["canonical"])
        if self.resolve_name is not None:
            try:
                resolved = self.resolve_name(name)
            except Exception:  # another stage's API: a failure only costs the canonical form
                resolved = None
            canonical = getattr(resolved, "canonical", None)
            if canonical:
                return str(canonical)
        return _DETERMINERS.sub("", name).strip() or name

    def _nearest_person_mention(self, before: int, role: str | None = None) -> dict[str, Any] | None:
        m: dict[str, Any]
        for m in reversed(self.mentions):
            if m["end"] > before or not _is_person(m):
                continue
            if role is None:
                return m
            context = (self.text[max(0, m["start"] - 60) : m["end"]] + " " + str(m.get("role") or "")).lower()
            if re.search(rf"\b{re.escape(role)}", context):
                return m
        return None

    def _name_entity(self, name: tuple[int, int] | None) -> dict[str, Any] | None:
        """An entity for the proper-name core of a speaker phrase, place mentions cut off its left."""
        if name is None:
            return None
        ns, ne = name
        for m in self.mentions:
            if m["start"] <= ns < m["end"] < ne and not _is_person(m):
                ns = m["end"]
        while ns < ne and self.text[ns] == " ":
            ns += 1
        if ne <= ns:
            return None
        found = self._entity_in(ns, ne)
        if found is not None:
            return found
        surface = self.text[ns:ne]
        words = surface.split()
        person = len(words) >= 2 and words[-1].lower().strip(".") not in ORG_WORDS
        return {"start": ns, "end": ne, "text": surface, "label": "PERSON" if person else "ORG"}

    def resolve(self, speaker: dict[str, Any]) -> None:
        """Fill ``speaker["canonical"]`` (and ``entities`` for documents) in place."""
        name = speaker.pop("_name", None)
        s, e, surface = speaker["start"], speaker["end"], speaker["text"]
        words = [w.lower() for w in _WORD.findall(surface)]
        ent = self._entity_in(s, e)
        if ent is None or not _is_person(ent):
            ent = self._name_entity(tuple(name) if name else None) or ent
        if ent is not None and (len(words) <= 8 or _is_person(ent)):
            canonical = self._canonical(ent)
            speaker["canonical"] = canonical
            self.spoken.append({"start": s, "canonical": canonical, "person": _is_person(ent), "role": surface})
            return
        if len(words) == 1 and words[0] in PRONOUNS_PERSON | PRONOUNS_OTHER:
            want_person = words[0] in PRONOUNS_PERSON
            prior = [p for p in self.spoken if p["start"] < s and p["person"] == want_person]
            if prior:
                speaker["canonical"] = prior[-1]["canonical"]
                return
            m = self._nearest_person_mention(s) if want_person else None
            speaker["canonical"] = self._canonical(m) if m else surface
            return
        head = words[-1] if words else ""
        bare = _DETERMINERS.sub("", surface).strip()
        if head in DOCUMENT_NOUNS:
            speaker["canonical"] = bare
            issuers = document_issuers(self.analysis, self.text, head, self._entity_in, self._canonical)
            if issuers:
                speaker["entities"] = issuers
            return
        if words and _DETERMINERS.match(surface) and head.isalpha():
            prior = [p for p in self.spoken if p["start"] < s and p["person"] and head in p["role"].lower()]
            m = self._nearest_person_mention(s, role=head)
            if prior and (m is None or prior[-1]["start"] > m["start"]):
                speaker["canonical"] = prior[-1]["canonical"]
                return
            if m is not None:
                speaker["canonical"] = self._canonical(m)
                return
        speaker["canonical"] = bare or surface


def document_issuers(
    analysis: Analysis,
    text: str,
    noun: str,
    entity_in: Callable[[int, int], dict[str, Any] | None],
    canonical: Callable[[dict[str, Any]], str],
) -> list[str]:
    """Names of who issued or backed the documents called ``noun`` in this article."""
    sents = [s for s in analysis.sentences if re.search(rf"\b{re.escape(noun)}s?\b", s.text, re.I)]
    names: list[str] = []
    for parsed in analysis.parse(sents):
        off = Analysis.offset_of(parsed)
        for tok in parsed:
            if tok.lemma_.lower() != noun:
                continue
            holders = []
            if tok.dep_ == "dobj":
                holders += [c for c in tok.head.children if c.dep_ == "nsubj"]
            if tok.dep_ == "nsubjpass":
                for agent in (c for c in tok.head.children if c.dep_ == "agent"):
                    holders += [c for c in agent.children if c.dep_ == "pobj"]
            for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("from", "by")):
                holders += [c for c in prep.children if c.dep_ == "pobj"]
            for h in holders:
                for g in [h, *(c for c in h.subtree if c.dep_ == "conj")]:
                    name = _holder_name(g, off, text, entity_in, canonical)
                    if name and name not in names:
                        names.append(name)
    return names


def _holder_name(
    g: Token,
    off: int,
    text: str,
    entity_in: Callable[[int, int], dict[str, Any] | None],
    canonical: Callable[[dict[str, Any]], str],
) -> str | None:
    """The country (or else canonical name) of one issuer/backer noun phrase."""
    start, end = off + g.left_edge.idx, off + g.idx + len(g.text)
    ent = entity_in(start, end)
    if ent is not None and ent.get("label") not in NON_NAME_LABELS:
        return str(ent.get("country_name") or canonical(ent))
    if g.pos_ == "PROPN":
        return _DETERMINERS.sub("", text[start:end]).strip() or None
    return None


def resolve_speakers(article: Article, analysis: Analysis, records: list[dict[str, Any]]) -> None:
    """Fill ``canonical`` on every record's speaker, in text order (so pronouns see earlier names)."""
    resolver = SpeakerResolver(article, analysis)
    for rec in sorted(records, key=lambda r: r["speaker"]["start"] if r.get("speaker") else r["start"]):
        if rec.get("speaker"):
            resolver.resolve(rec["speaker"])
