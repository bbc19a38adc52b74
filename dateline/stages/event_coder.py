"""The coder interface of events.v1: one sentence plus its entity mentions in, coded events out.

A :class:`Coder` sees a :class:`SentenceInput` (the sentence span, the resolved entity and place
mentions inside it, and, if it asked for one, the sentence's dependency parse) and returns
:class:`CodedEvent` records. The stage turns those into the stable ``events[]`` record, so a
statistical coder can replace :class:`~dateline.stages.event_rules.RuleCoder` without changing
the record. :class:`KeywordCoder` is the syntax-free baseline the benchmark runs beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from dateline.stages.event_lexicon import Lexicon, TriggerEntry, load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True)
class Mention:
    """A resolved participant: a span of the article text (or none) and what it refers to."""

    text: str
    canonical: str
    start: int | None = None
    end: int | None = None
    kind: str | None = None
    country: str | None = None
    """ISO 3166-1 alpha-2 of the country the participant belongs to."""
    detail: str | None = None
    """The more specific name when ``canonical`` is the country (``Russian Air Force``)."""

    def to_record(self) -> dict[str, Any]:
        """The ``actor`` / ``target`` object of the event record."""
        rec: dict[str, Any] = {"text": self.text, "canonical": self.canonical}
        if self.start is not None and self.end is not None:
            rec = {"start": self.start, "end": self.end, **rec}
        for key in ("kind", "country", "detail"):
            value = getattr(self, key)
            if value:
                rec[key] = value
        return rec


@dataclass(frozen=True)
class PlaceMention:
    """A place named in the sentence (from the places stage, else a located GPE mention)."""

    start: int
    end: int
    text: str
    name: str
    country: str | None = None


@dataclass(frozen=True)
class SentenceInput:
    """What a coder sees: one sentence of an article, with offsets into the article text."""

    text: str
    """The whole article text (offsets below index into it)."""
    start: int
    end: int
    mentions: tuple[Mention, ...]
    """Resolved entity mentions inside the sentence, in text order."""
    places: tuple[PlaceMention, ...] = ()
    parsed: Doc | None = None
    """The sentence's dependency parse (token offsets relative to ``start``) if the coder asked."""
    context: dict[str, Any] = field(default_factory=dict)
    """Article-level memory the coder may read and write (earlier actors, statement authors)."""

    @property
    def sentence(self) -> str:
        """The sentence text."""
        return self.text[self.start:self.end]


@dataclass(frozen=True)
class CodedEvent:
    """One event as a coder found it (character offsets into the article text)."""

    type: str
    cameo: str
    trigger: tuple[int, int]
    actors: tuple[Mention, ...] = ()
    targets: tuple[Mention, ...] = ()
    mode: str | None = None
    places: tuple[PlaceMention, ...] = ()
    date: tuple[int, int] | None = None
    """Span of the date expression that dates this event, if any."""


class Coder(Protocol):
    """Sentence-level event coder: the extension point a model-backed coder implements."""

    name: str
    needs_parse: bool
    """Whether :meth:`code` wants ``SentenceInput.parsed`` (the stage parses only such sentences)."""

    def wants(self, words: Sequence[str]) -> bool:
        """Cheap filter on a sentence's words: is it worth parsing and coding?"""
        ...

    def code(self, sentence: SentenceInput) -> list[CodedEvent]:
        """The events this sentence reports."""
        ...


def _country_mentions(sentence: SentenceInput) -> list[Mention]:
    return [m for m in sentence.mentions if m.country or m.kind == "international organisation"]


class KeywordCoder:
    """Baseline: lexicon lookup of trigger words without syntax.

    The first word that is an inflection of a trigger lemma gives the type (an entry with *with*
    words needs one of them within four words); the actor is the first country (or international
    organisation) mention before the trigger, the target the first one after it.
    """

    name = "keyword"
    needs_parse = False

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()

    def wants(self, words: Sequence[str]) -> bool:
        """True when any word may be a trigger."""
        return self.lexicon.mentions_trigger(list(words))

    def _entry(self, lemmas: frozenset[str], window: set[str]) -> TriggerEntry | None:
        bare: TriggerEntry | None = None
        for lemma in sorted(lemmas):
            for entry in self.lexicon.entries.get(lemma, ()):
                if entry.with_lemmas:
                    if any(f in window for w in entry.with_lemmas for f in _forms(w)):
                        return entry
                elif bare is None:
                    bare = entry
        return bare

    def code(self, sentence: SentenceInput) -> list[CodedEvent]:
        """At most one event: the first trigger word, with the nearest country mentions around it."""
        import re

        words = [(m.start() + sentence.start, m.end() + sentence.start, m.group().lower())
                 for m in re.finditer(r"[A-Za-z][A-Za-z\-']*", sentence.sentence)]
        for i, (start, end, word) in enumerate(words):
            lemmas = self.lexicon.lemmas_for_form(word)
            if not lemmas:
                continue
            window = {w for _, _, w in words[max(0, i - 4):i + 5]}
            entry = self._entry(lemmas, window)
            if entry is None:
                continue
            countries = _country_mentions(sentence)
            before = [m for m in countries if (m.end or 0) <= start]
            after = [m for m in countries if (m.start or 0) >= end]
            actor = before[0] if before else None
            target = next((m for m in after if actor is None or m.canonical != actor.canonical), None)
            return [CodedEvent(entry.type, entry.cameo, (start, end),
                               actors=(actor,) if actor else (), targets=(target,) if target else (),
                               mode=entry.mode)]
        return []


def _forms(lemma: str) -> frozenset[str]:
    from dateline.stages.event_lexicon import surface_forms

    return surface_forms(lemma)
