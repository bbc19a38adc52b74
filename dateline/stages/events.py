"""events.v1: political events in the PLOVER ontology, with CAMEO codes, actors, places and dates.

For each sentence that holds a trigger word (a cheap, parse-free check) the stage asks the shared
:class:`~dateline.nlp.Analysis` for the sentence's dependency parse (cached, so the quotes stage
does not parse it again), hands sentence + resolved entity mentions to a
:class:`~dateline.stages.event_coder.Coder` (the rule coder by default) and turns the coded events
into records::

    {"type": "ASSAULT", "cameo": "195", "mode": "aerial",
     "trigger": {"start", "end", "text"},
     "actor": {"start", "end", "text", "canonical", "country", "detail"?} | [ {...}, ... ],
     "target": {...} | [ ... ] | null,
     "places": [{"start", "end", "text", "name", "country"}],
     "date": "2015-09-30" | null, "date_text": "Wednesday" | null, "date_resolved": bool}

``actor`` / ``target`` are one object, or a list for compound participants ("France and Germany
agreed"). Dates resolve against ``article.dates.published``; without it they stay text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dateline.models import Article
from dateline.pipeline import shipped
from dateline.stages.event_actors import mentions_from_entities, mentions_from_ner, places_from, resolve
from dateline.stages.event_coder import CodedEvent, Coder, KeywordCoder, Mention, PlaceMention, SentenceInput
from dateline.stages.event_dates import resolve_date
from dateline.stages.event_lexicon import PLOVER_TYPES
from dateline.stages.event_rules import STATEMENT_NOUNS, RuleCoder

if TYPE_CHECKING:
    from spacy.tokens import Span

    from dateline.nlp import Analysis

__all__ = ["PLOVER_TYPES", "EventsStage", "make"]

_SIGNED = re.compile(
    r"\b(" + "|".join(sorted(STATEMENT_NOUNS)) + r")s?\b[^.;]{0,40}?\b(?:was|were|has been|had been|is)\s+"
    r"(?:also\s+)?(?:supported|signed|endorsed|backed|joined|co-signed|issued)\s+by\b",
    re.IGNORECASE,
)
_LEADING_PREP = re.compile(r"^(?:on|in|at)\s+", re.IGNORECASE)


def _participants(ms: Sequence[Mention]) -> dict[str, Any] | list[dict[str, Any]] | None:
    if not ms:
        return None
    return ms[0].to_record() if len(ms) == 1 else [m.to_record() for m in ms]


def places_from_ner(analysis: Analysis) -> list[PlaceMention]:
    """Place mentions from the NER pass (GPE/LOC) while places.v1 is not in the pipeline."""
    out = []
    for e in analysis.doc.ents:
        if e.label_ in ("GPE", "LOC"):
            r = resolve(e.text)
            out.append(PlaceMention(e.start_char, e.end_char, e.text, r[0] if r else e.text, r[2] if r else None))
    return out


def merge_repeats(events: Sequence[CodedEvent]) -> list[CodedEvent]:
    """Fold restatements of one event (same type and target, overlapping actors) into the first."""
    out: list[CodedEvent] = []
    for ev in events:
        keys_a = {m.canonical for m in ev.actors}
        keys_t = {m.canonical for m in ev.targets}
        for i, prev in enumerate(out):
            if prev.type == ev.type and keys_t and keys_t == {m.canonical for m in prev.targets} \
                    and keys_a & {m.canonical for m in prev.actors}:
                more = tuple(p for p in ev.places if p.name not in {q.name for q in prev.places})
                out[i] = replace(prev, places=prev.places + more, date=prev.date or ev.date,
                                 mode=prev.mode or ev.mode)
                break
        else:
            out.append(ev)
    return out


class EventsStage:
    """The events.v1 stage (see the module docstring for the record)."""

    name = "events.v1"
    requires: tuple[str, ...] = ("entities",)
    assigns: tuple[str, ...] = ("events",)

    def __init__(self, config: Mapping[str, Any] | None = None, coder: Coder | None = None) -> None:
        self.config = dict(config or {})
        if coder is None:
            coder = KeywordCoder() if self.config.get("coder") == "keyword" else RuleCoder()
        self.coder = coder
        self.config.setdefault("coder", coder.name)
        self.data_files = shipped("plover_lexicon.tsv", "plover_modes.tsv")
        """What the output depends on besides the settings (see :func:`dateline.pipeline.config_hash`)."""

    def _mentions(self, article: Article, analysis: Analysis) -> list[Mention]:
        if article.entities:
            return mentions_from_entities(article.text, article.entities)
        return mentions_from_ner((e.start_char, e.end_char, e.text, e.label_) for e in analysis.doc.ents)

    def _wanted(self, analysis: Analysis) -> list[Span]:
        return [s for s in analysis.sentences if self.coder.wants([t.text for t in s])]

    def parse_requests(self, article: Article, analysis: Analysis) -> list[Span]:
        """The sentences the coder looks at, when it reads parses (none for a parse-free coder)."""
        return self._wanted(analysis) if self.coder.needs_parse else []

    def __call__(self, article: Article, analysis: Analysis) -> Article:
        """Return ``article`` with ``events`` filled."""
        mentions = self._mentions(article, analysis)
        places = places_from(article.places) if article.places else places_from_ner(analysis)
        sentences = self._wanted(analysis)
        parsed = analysis.parse(sentences) if self.coder.needs_parse and sentences else [None] * len(sentences)
        context: dict[str, Any] = {"statement_authors": self._signatories(analysis, mentions)}
        coded: list[CodedEvent] = []
        for sent, doc in zip(sentences, parsed, strict=True):
            lo, hi = sent.start_char, sent.end_char
            coded.extend(self.coder.code(SentenceInput(
                text=article.text, start=lo, end=hi,
                mentions=tuple(m for m in mentions if m.start is not None and lo <= m.start < hi),
                places=tuple(p for p in places if lo <= p.start < hi),
                parsed=doc, context=context)))
        return article.with_changes(events=tuple(self.record(e, article) for e in merge_repeats(coded)))

    @staticmethod
    def _signatories(analysis: Analysis, mentions: Sequence[Mention]) -> dict[str, tuple[Mention, ...]]:
        """``the joint statement was supported by France, Germany, ...``: who a statement speaks for."""
        out: dict[str, list[Mention]] = {}
        for sent in analysis.sentences:
            m = _SIGNED.search(sent.text)
            if not m:
                continue
            after = sent.start_char + m.end()
            found = [x for x in mentions if x.start is not None and after <= x.start < sent.end_char
                     and (x.country or x.kind == "international organisation")]
            out.setdefault(m.group(1).lower(), []).extend(found)
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def record(event: CodedEvent, article: Article) -> dict[str, Any]:
        """The stable ``events[]`` record of one coded event."""
        text = article.text
        date_text: str | None = None
        if event.date is not None:
            date_text = _LEADING_PREP.sub("", text[event.date[0]:event.date[1]])
        when = resolve_date(date_text, article.dates.published)
        rec: dict[str, Any] = {
            "type": event.type,
            "cameo": event.cameo,
            "trigger": {"start": event.trigger[0], "end": event.trigger[1],
                        "text": text[event.trigger[0]:event.trigger[1]]},
            "actor": _participants(event.actors),
            "target": _participants(event.targets),
            "places": [{"start": p.start, "end": p.end, "text": p.text, "name": p.name,
                        **({"country": p.country} if p.country else {})} for p in event.places],
            "date": when.date,
            "date_text": when.text,
            "date_resolved": when.resolved,
        }
        if event.mode:
            rec["mode"] = event.mode
        return rec


def make(config: Mapping[str, Any] | None = None) -> EventsStage:
    """Registry factory: ``events.v1`` (config ``{"coder": "rules" | "keyword"}``)."""
    return EventsStage(config)
