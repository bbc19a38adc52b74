"""Find known names in a spaCy ``Doc``: the alias table, countries and demonyms, and organisations
with a country ("the Russian Defense Ministry", "Russia's Air Force", "Ministry of Defence of Russia").

This is the gazetteer half of entities.v1 (the statistical NER is the other half). It walks the
tokens once, trying the longest known name at each token, so it costs a few dictionary look-ups
per token and needs no extra model pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dateline.nlp import doc_text
from dateline.stages.entity_heads import Head, head_variants
from dateline.stages.entity_lexicon import Lexicon, ResolvedName, Variant, name_key

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_ORG_KINDS_LABEL = {"person": "PERSON", "country": "GPE", "group": "NORP"}
_MAX_HEAD_WORDS = 5
_MAX_INSERTED = 2


def label_for(kind: str, how: str = "") -> str:
    """The spaCy-style label recorded for a gazetteer mention of this kind."""
    if how == "demonym":
        return "NORP"
    return _ORG_KINDS_LABEL.get(kind, "ORG")


@dataclass(frozen=True)
class Candidate:
    """A name found in the text: token range ``[i, j)``, character span, and what it refers to."""

    i: int
    j: int
    start: int
    end: int
    target: ResolvedName
    label: str
    source: str
    """``alias``, ``user``, ``country``, ``demonym``, ``pattern`` (organisation with a country) or ``ner``."""


def _token_keys(doc: Doc) -> list[str]:
    """:func:`name_key` of every token, computed once per Doc."""
    keys = doc.user_data.get("dateline_token_keys")
    if not isinstance(keys, list):
        keys = [name_key(t.text) for t in doc]
        doc.user_data["dateline_token_keys"] = keys
    return keys


@dataclass(frozen=True)
class _TokenFacts:
    """Per-token facts the matcher tests at every position, read from the Doc once (a ``doc[i]``
    makes a Token object each time)."""

    skip_end: list[bool]
    """Cannot end a name: punctuation, whitespace or a possessive ``'s``."""
    space: list[int]
    """How many whitespace tokens come before each position (prefix counts: a span holds one when
    ``space[j] - space[i] > 0``)."""
    spaced: list[bool]
    """Followed by whitespace."""
    last_words: list[str]
    """The last word of each token's name key."""


def _token_facts(doc: Doc) -> _TokenFacts:
    facts = doc.user_data.get("dateline_token_facts")
    if not isinstance(facts, _TokenFacts):
        space = [0]
        skip, spaced = [], []
        for t in doc:
            space.append(space[-1] + t.is_space)
            skip.append(t.is_punct or t.is_space or t.lower_ in ("'s", "’s"))
            spaced.append(bool(t.whitespace_))
        facts = _TokenFacts(skip, space, spaced, [k.rsplit(" ", 1)[-1] for k in _token_keys(doc)])
        doc.user_data["dateline_token_facts"] = facts
    return facts


def _surface(doc: Doc, i: int, j: int) -> str:
    return doc_text(doc)[doc[i].idx : doc[j - 1].idx + len(doc[j - 1].text)]


def _wordlike_ok(doc: Doc, i: int, j: int) -> bool:
    """An acronym that spells a word (IS, US) counts only in mixed-case text: "on IS targets", not
    "WHAT IS THIS"."""
    sent = doc[i].sent
    if not any(c.islower() for c in doc_text(doc)[sent.start_char : sent.end_char]):
        return False
    prev = next((t for t in reversed(doc[sent.start : i]) if t.is_alpha), None)
    nxt = next((t for t in doc[j : sent.end] if t.is_alpha), None)
    caps = [t for t in (prev, nxt) if t is not None and len(t.text) > 1 and t.text.isupper()]
    return len(caps) < 2 and not (caps and (prev is None or nxt is None))


class Matcher:
    """Longest-match gazetteer over a lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.max_words = min(lexicon.max_words, 12)
        self.first_words = {k.split()[0] for k in lexicon.variants}
        self.last_words = {k.rsplit(" ", 1)[-1] for k in lexicon.variants}
        """Last words of the known names: a span whose last token ends in another word names nothing."""
        self.heads = head_variants()
        self.head_first = {k.split()[0] for k in self.heads}

    def name_at(self, doc: Doc, i: int, limit: int | None = None) -> tuple[int, Variant] | None:
        """The longest known name starting at token ``i`` (end token, variant)."""
        keys = _token_keys(doc)
        first = keys[i]
        if first not in self.first_words and first != "the":
            return None
        stop = min(len(doc), i + (limit or self.max_words))
        facts = _token_facts(doc)
        for j in range(stop, i, -1):
            if facts.skip_end[j - 1] or facts.space[j] - facts.space[i]:
                continue
            if (j - 1 == i or facts.spaced[j - 2]) and facts.last_words[j - 1] not in self.last_words:
                continue  # after a space, the span's key ends in this token's last word: no name ends so
            surface = _surface(doc, i, j)
            variant = self.lexicon.lookup(surface)
            if variant is None:
                continue
            if variant.wordlike and not _wordlike_ok(doc, i, j):
                continue
            if doc[i].lower_ == "the" and (
                variant.target.kind != "country" or name_key(surface) not in self.lexicon.takes_the
            ):
                continue  # "the" belongs only to names that take it ("the United States"); else i+1 matches
            return j, variant
        return None

    def _head_at(self, doc: Doc, i: int) -> tuple[int, Head] | None:
        if i >= len(doc) or _token_keys(doc)[i] not in self.head_first:
            return None
        for j in range(min(len(doc), i + _MAX_HEAD_WORDS), i, -1):
            if doc[j - 1].is_punct or doc[j - 1].is_space:
                continue
            head = self.heads.get(name_key(_surface(doc, i, j)))
            if head is not None and (doc[i].text[0].isupper() or head.lowercase_ok):
                return j, head
        return None

    def _org_after_country(self, doc: Doc, i: int, j: int, country: str) -> Candidate | None:
        """``<country word>['s] [Capitalised words] <head>`` starting at ``i``, country ending at ``j``."""
        k = j + 1 if j < len(doc) and doc[j].lower_ in ("'s", "’s") else j
        for skip in range(_MAX_INSERTED + 1):
            inserted = doc[k : k + skip]
            if any(not t.is_alpha or not t.text[0].isupper() for t in inserted):
                break
            found = self._head_at(doc, k + skip)
            if found is None:
                continue
            end, head = found
            if skip:
                words = [self.lexicon.adjectives.get(country, doc[i:j].text), *(t.text for t in doc[k:end])]
                target = ResolvedName(" ".join(words), head.kind, country)
            else:
                target = ResolvedName(
                    f"{self.lexicon.adjectives.get(country, doc[i:j].text)} {head.canonical}", head.kind, country
                )
            return Candidate(i, end, doc[i].idx, doc[end - 1].idx + len(doc[end - 1].text), target, "ORG", "pattern")
        return None

    def _org_of_country(self, doc: Doc, i: int) -> Candidate | None:
        """``<head> of <country>`` ("Ministry of Defence of Russia")."""
        found = self._head_at(doc, i)
        if found is None or not doc[i].text[0].isupper():
            return None
        end, head = found
        if end + 1 >= len(doc) or doc[end].lower_ != "of":
            return None
        named = self.name_at(doc, end + 1, limit=6)
        if named is None or named[1].target.kind != "country" or not named[1].target.country:
            return None
        j, variant = named
        country = variant.target.country
        assert country is not None
        target = ResolvedName(f"{self.lexicon.adjectives.get(country, country)} {head.canonical}", head.kind, country)
        return Candidate(i, j, doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text), target, "ORG", "pattern")

    def find(self, doc: Doc) -> list[Candidate]:
        """Non-overlapping gazetteer mentions, left to right, longest first."""
        out: list[Candidate] = []
        i = 0
        while i < len(doc):
            cand = self._candidate_at(doc, i)
            if cand is None:
                i += 1
                continue
            out.append(cand)
            i = cand.j
        return out

    def _candidate_at(self, doc: Doc, i: int) -> Candidate | None:
        tok: Token = doc[i]
        if tok.is_space or tok.is_punct:
            return None
        org = self._org_of_country(doc, i)
        if org is not None:
            return org
        named = self.name_at(doc, i)
        if named is None:
            return None
        j, variant = named
        target = variant.target
        if target.kind == "country" and target.country:
            org = self._org_after_country(doc, i, j, target.country)
            if org is not None:
                return org
        start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
        return Candidate(i, j, start, end, target, label_for(target.kind, variant.how), variant.how)
