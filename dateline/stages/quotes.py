"""``quotes.v1``: direct, indirect and mixed quotations and "according to X" attributions.

For each attribution the record holds the content span (``start``/``end``), its ``kind``, the cue
span and the speaker span with the speaker's canonical entity. How it is found:

1. Only sentences that hold a cue form, a quotation mark or "according" are dependency-parsed
   (through the shared :class:`~dateline.nlp.Analysis`, so no sentence is parsed twice).
2. Each cue verb offers frames (:mod:`quote_rules`), some also with their trailing clause cut
   (:func:`quote_extras.trailing_cut`); a logistic candidate scorer over parse features
   (:mod:`quote_model`, learned from PolNeAR train) keeps the best-scoring frame of each cue when
   its probability clears a floor (``scorer: lexicon`` uses the (lemma, frame) precision table of
   :mod:`quote_cues` instead).
3. Quotation-mark spans (:mod:`quote_marks`) extend the content they overlap (a quote cut by the
   sentence splitter, ``"A," he said, "B."``); a quote with no cue of its own takes the cue of a
   ``X said:`` lead-in or of a bare ``X said.`` sentence right after it; one with no cue at all is
   left out (``uncued_quotes`` keeps it, as a continuation of the previous speaker), as are
   attributions without a source (``speakerless`` keeps them). Headline lines ``Name: ...`` come
   from :mod:`quote_extras`.
4. Speakers get a canonical name (:mod:`quote_speakers`): names through the entities stage,
   pronouns and role nouns ("the ambassador") to the nearest matching named speaker, documents
   ("the joint statement") to whoever issued them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dateline.errors import ConfigError
from dateline.models import Article
from dateline.nlp import Analysis, break_sentences_at_newlines
from dateline.pipeline import shipped
from dateline.stages.quote_cues import LEXICON_RESOURCE, CueLexicon, default_lexicon
from dateline.stages.quote_extras import bare_cue, headline_attributions, trailing_cut, trim_trailing_clause
from dateline.stages.quote_marks import QuoteSpan, paragraphs, quote_kind, quote_spans
from dateline.stages.quote_model import MODEL_RESOURCE, QuoteModel, default_model
from dateline.stages.quote_rules import Candidate, candidates, cue_lemma, name_core, sentence_speaker, subtree_span
from dateline.stages.quote_speakers import resolve_speakers

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

FIXED_FRAMES = ("according", "in")
"""Frames scored by a constant, not by the candidate scorer (nor learned in the lexicon)."""
DEFAULT_MIN_PRECISION = 0.3
"""Floor on a candidate's score (the model's probability) for it to be kept."""
DEFAULT_SPEAKERLESS_MIN = 0.4
"""A source-less attribution (``it was reported that ...``) is kept when it scores this high."""
DEFAULT_TRIGGER_PRECISION = 0.2
"""A sentence is parsed when it holds a form of a cue lemma with a learned precision this high in some frame."""
MIN_QUOTE_WORDS = 4
"""Shorter quoted passages outside any attribution are scare quotes or titles, not quotations."""
REPORTING_PRECISION = 0.3
"""A verb reports speech in a clause (``said``, ``added``) when its ``ccomp`` or ``clause`` frame has this
learned precision (bare ``X said.`` sentences and the trailing-cut feature ``rep``)."""
BARE_PRECISION = 0.5
"""Score of a sentence that is only a reporting clause (``Trump said.``); it needs a quotation before it."""
IN_SOURCE_PRECISION = 0.5
"""Score of an ``in X poll / in X's view`` attribution (:func:`quote_rules.in_source`)."""
CONTINUATION_PARAGRAPHS = 2
"""A cue-less quoted paragraph takes the last speaker if that one spoke this close before."""


@dataclass
class Attribution:
    """A mutable attribution while the stage assembles it (article offsets)."""

    start: int
    end: int
    cue: tuple[int, int] | None
    speaker: tuple[int, int] | None
    score: float = 1.0
    name: tuple[int, int] | None = None
    lead_in: bool = False
    """True while the content is still to come (``X said:`` at a sentence end)."""
    extras: dict[str, Any] = field(default_factory=dict)


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def select(cands: list[Candidate], score: Callable[[Candidate], float], min_precision: float) -> list[Attribution]:
    """The best-scoring frame of each cue token, when it scores ``min_precision`` or more, as attributions."""
    best: dict[tuple[int, int], tuple[float, Candidate]] = {}
    for c in cands:
        p = score(c)
        if p < min_precision:
            continue
        if c.cue not in best or p > best[c.cue][0]:
            best[c.cue] = (p, c)
    out: list[Attribution] = []
    for p, c in sorted(best.values(), key=lambda pc: pc[1].cue):
        lead_in = c.content[0] == c.content[1] and c.frame != "bare"
        out.append(Attribution(c.content[0], c.content[1], c.cue, c.speaker, p, c.name, lead_in))
    return _drop_nested_cues(out)


def _drop_nested_cues(items: list[Attribution]) -> list[Attribution]:
    """When one cue's content holds a whole other attribution with the same speaker (``said ...,
    adding ...``), keep both; when a cue sits inside another's content with no speaker of its own,
    it is part of that content, not a new attribution."""
    keep: list[Attribution] = []
    for a in items:
        inside = any(
            b is not a and b.cue is not None and a.cue is not None and b.start <= a.cue[0] < b.end and a.speaker is None
            for b in items
        )
        if not inside:
            keep.append(a)
    return keep


def attach_quotes(
    text: str,
    items: list[Attribution],
    quotes: list[QuoteSpan],
    parsed: Sequence[Doc] = (),
    uncued: bool = False,
) -> list[Attribution]:
    """Extend contents over the quotation marks they overlap; give uncovered quotes an attribution.

    A quotation with no cue of its own, no adjacent cue clause, no lead-in and no owning sentence is
    left out unless ``uncued`` (then it continues the last speaker's quote, or has no speaker): on
    PolNeAR train under a fifth of those guesses were right.
    """
    paras = paragraphs(text)
    starts = [Analysis.offset_of(d) for d in parsed]

    def para_of(pos: int) -> int:
        for i, (s, e) in enumerate(paras):
            if s <= pos < e or pos < s:
                return i
        return len(paras) - 1

    out = sorted(items, key=lambda a: a.start)
    for q in quotes:
        hits = [a for a in out if not a.lead_in and _overlap(a.start, a.end, q.start, q.end) > 0]
        # The reporting clause outside the marks owns the quotation, not a cue quoted inside it.
        outside = [a for a in hits if a.cue is None or not q.start <= a.cue[0] < q.end]
        if hits:
            a = (outside or hits)[0]
            a.start, a.end = min(a.start, q.start), max(a.end, q.end)
            continue
        if q.words(text) < MIN_QUOTE_WORDS:
            continue
        qp = para_of(q.start)
        # A cue in the same paragraph right around the quote: ``"A," he said, "B."`` / ``He said: "B"``.
        near = [a for a in out if a.cue is not None and para_of(a.cue[0]) == qp and _adjacent(text, a, q)]
        if near:
            a = min(near, key=lambda a: min(abs(q.start - a.end), abs(a.start - q.end)))
            if a.lead_in:
                a.start, a.end, a.lead_in = q.start, q.end, False
            else:
                a.start, a.end = min(a.start, q.start), max(a.end, q.end)
            continue
        lead = [a for a in out if a.lead_in and a.cue is not None and 0 <= qp - para_of(a.cue[0]) <= 1]
        if lead:
            a = lead[-1]
            a.start, a.end, a.lead_in = q.start, q.end, False
            continue
        owner = _sentence_owner(parsed, starts, q, paras[qp][0])
        prev = [a for a in out if a.end <= q.start and a.speaker is not None and not a.lead_in]
        if owner is not None:
            out.append(Attribution(q.start, q.end, owner[0], owner[1], 0.5))
        elif prev and qp - para_of(prev[-1].end - 1) <= CONTINUATION_PARAGRAPHS:
            last = prev[-1]
            if uncued:
                out.append(Attribution(q.start, q.end, None, last.speaker, 0.5, last.name, extras={"continues": True}))
        elif uncued:
            out.append(Attribution(q.start, q.end, None, None, 0.4))
        out.sort(key=lambda a: a.start)
    return [a for a in out if not a.lead_in and a.end > a.start]


def add_headlines(text: str, items: list[Attribution]) -> list[Attribution]:
    """Add ``Name: content`` line attributions; the line's content replaces the cues inside it."""
    heads = headline_attributions(text)
    if not heads:
        return items
    keep = [a for a in items if not any(a.cue is not None and h.content[0] <= a.cue[0] < h.content[1] for h in heads)]
    for h in heads:
        keep.append(Attribution(h.content[0], h.content[1], h.cue, h.speaker, 0.6, h.speaker))
    return sorted(keep, key=lambda a: a.start)


def paragraph_sentences(analysis: Analysis) -> list[Span]:
    """The article's sentences, never running across a line break.

    The statistical splitter often joins the last sentence of a paragraph to the first of the next
    (about a third of PolNeAR sentences), which wrecks the parse of both. A new sentence is started
    after every newline in the shared cheap-pass Doc, in place, so that every later stage and the
    shared parse cache see the same sentences. :func:`dateline.nlp.analyse` does this already (and
    says so in the Doc's ``user_data``); an Analysis made otherwise is split here.
    """
    doc = analysis.doc
    if not doc.has_annotation("DEP") and break_sentences_at_newlines(doc):
        analysis.resegmented()
    return analysis.sentences


def _inside_quotation(a: Attribution, quotes: list[QuoteSpan], text: str) -> bool:
    """True for a cue quoted inside a longer quotation (``"We call on ..."``): the quotation is the
    attribution, its speaker is whoever is quoted."""
    if a.cue is None:
        return False
    return any(q.start < a.cue[0] and a.cue[1] < q.end and q.words(text) >= MIN_QUOTE_WORDS for q in quotes)


def _sentence_owner(
    parsed: Sequence[Doc], starts: list[int], q: QuoteSpan, para_start: int
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """For a quotation inside a sentence (not opening its paragraph), the sentence's main clause."""
    if q.start <= para_start:
        return None
    i = bisect.bisect_right(starts, q.start) - 1
    if i < 0:
        return None
    doc = parsed[i]
    if starts[i] + len(doc.text) <= q.start or starts[i] >= q.start:
        return None
    return sentence_speaker(doc, starts[i], q.start)


_CLAUSE_BREAK = re.compile(r"[.!?\"\u201c\u201d]|\n")
_GLUE = re.compile(r"[\s,:;.\-–—]*")
_SENTENCE_REST = re.compile(r"[^.!?\"\u201c\u201d\n]{0,160}[.!?]?[ \t]*")


def _adjacent(text: str, a: Attribution, q: QuoteSpan) -> bool:
    """True when only punctuation separates a quotation from an attribution's cue clause or content
    (``"A," he said, "B."``; ``He said: "B."``; ``"A." "B," he said.``)."""
    assert a.cue is not None
    clause = [a.cue, *([a.speaker] if a.speaker else []), (a.start, a.end)]
    lo, hi = min(s for s, _ in clause), max(e for _, e in clause)
    if a.lead_in:
        return 0 <= q.start - hi <= 40
    gap = text[hi : q.start] if q.start >= hi else text[q.end : lo]
    # The rest of the reporting clause may sit in between (``he said on Tuesday, "B."``).
    if _GLUE.fullmatch(gap) or (len(gap) <= 40 and not _CLAUSE_BREAK.search(gap)):
        return True
    # ``"A," X said at a rally in Evansville last month. "B."``: the rest of the cue's sentence, then B.
    return q.start >= hi and bool(_SENTENCE_REST.fullmatch(gap))


def _label_at(ents: list[tuple[int, int, str]], starts: list[int], span: tuple[int, int] | None) -> str:
    """The entity label of the first NER mention overlapping a span (``none`` if there is none)."""
    if span is None:
        return "none"
    i = bisect.bisect_right(starts, span[1]) - 1
    while i >= 0 and ents[i][1] > span[0]:
        if ents[i][0] < span[1]:
            return ents[i][2]
        i -= 1
    return "none"


def _span(text: str, se: tuple[int, int] | None) -> dict[str, Any] | None:
    if se is None:
        return None
    return {"start": se[0], "end": se[1], "text": text[se[0] : se[1]]}


class QuotesStage:
    """The ``quotes.v1`` stage (see the module docstring)."""

    name = "quotes.v1"
    requires: tuple[str, ...] = ("entities",)
    assigns: tuple[str, ...] = ("quotes",)

    def __init__(
        self, config: dict[str, Any] | None = None, lexicon: CueLexicon | None = None, model: QuoteModel | None = None
    ) -> None:
        self.config = dict(config or {})
        self.min_precision = float(self.config.get("min_precision", DEFAULT_MIN_PRECISION))
        self.drop_quoted_cues = bool(self.config.get("drop_quoted_cues", True))
        self.uncued_quotes = bool(self.config.get("uncued_quotes", False))
        self.speakerless = bool(self.config.get("speakerless", False))
        self.speakerless_min = float(self.config.get("speakerless_min", DEFAULT_SPEAKERLESS_MIN))
        self.lexicon = lexicon or default_lexicon()
        self.model: QuoteModel | None = None
        scorer = self.config.get("scorer", "model")
        if scorer not in ("model", "lexicon"):
            raise ConfigError(f"quotes.v1: scorer must be 'model' or 'lexicon', not {scorer!r}")
        if scorer == "model":
            self.model = model or default_model()
        self.data_files = shipped(LEXICON_RESOURCE, MODEL_RESOURCE)
        """What the output depends on besides the settings (see :func:`dateline.pipeline.config_hash`)."""
        self.trigger_precision = float(self.config.get("trigger_precision", DEFAULT_TRIGGER_PRECISION))

    def score(self, c: Candidate) -> float:
        """How likely a candidate is right: fixed for ``according to`` and bare ``X said.``, else the
        model's probability (or, with ``scorer: lexicon``, the learned precision of its lemma and frame)."""
        if c.frame == "according":
            return 1.0
        if c.frame == "in":
            return IN_SOURCE_PRECISION
        if c.frame == "bare":
            return BARE_PRECISION
        if self.model is not None:
            return self.model.prob(c.feats)
        return self.lexicon.precision(c.lemma, c.frame)

    def candidates(self, analysis: Analysis, docs: Sequence[Doc]) -> list[Candidate]:
        """Every frame candidate of the parsed sentences, trimmed, with the speaker's entity label as a
        feature; plus bare ``X said.`` sentences."""
        ents = [(e.start_char, e.end_char, e.label_) for e in analysis.doc.ents]
        starts = [e[0] for e in ents]
        cands: list[Candidate] = []
        for parsed in docs:
            off = Analysis.offset_of(parsed)
            for c in candidates(parsed, off):
                if c.frame in FIXED_FRAMES:
                    cands.append(c)
                    continue
                label = _label_at(ents, starts, c.name or c.speaker)
                c = replace(c, content=trim_trailing_clause(parsed, off, c.content, c.cue),
                            feats=(*c.feats, f"f:{c.frame}|e={label}"))
                cut = trailing_cut(parsed, off, c.content, c.cue, self._reports)
                if cut is None:
                    cands.append(replace(c, feats=(*c.feats, f"f:{c.frame}|tail=none")))
                    continue
                cands.append(replace(c, feats=(*c.feats, f"f:{c.frame}|tail={cut[1]}", f"tail={cut[1]}")))
                cands.append(replace(c, content=cut[0], feats=(*c.feats, f"f:{c.frame}|cut={cut[1]}", f"cut={cut[1]}")))
            bare = bare_cue(parsed, off)
            lemma = cue_lemma(bare[1].head) if bare is not None else ""
            if bare is not None and self._reports(lemma):
                spk, subj = subtree_span(bare[1], off), bare[1]
                cands.append(Candidate(lemma, "bare", bare[0], (spk[0], spk[0]), spk, name_core(subj, off)))
        return cands

    def _reports(self, lemma: str) -> bool:
        """True for a verb that reports speech or thought in a clause (``said``, ``added``)."""
        lex = self.lexicon
        return max(lex.precision(lemma, "ccomp"), lex.precision(lemma, "clause")) >= REPORTING_PRECISION

    def parse_requests(self, article: Article, analysis: Analysis) -> list[Span]:
        """The sentences to parse: those holding a quotation mark, "according" or a cue form."""
        return [s for s in paragraph_sentences(analysis) if self.lexicon.triggers(s.text, self.trigger_precision)]

    def extract(self, article: Article, analysis: Analysis) -> list[dict[str, Any]]:
        """The quote records of one article (offsets into ``article.text``)."""
        text = article.text
        docs = analysis.parse(self.parse_requests(article, analysis))
        cands = self.candidates(analysis, docs)
        items = select(cands, self.score, self.min_precision)
        quotes = quote_spans(text)
        if self.drop_quoted_cues:
            items = [a for a in items if not _inside_quotation(a, quotes, text)]
        items = add_headlines(text, items)
        items = attach_quotes(text, items, quotes, docs, self.uncued_quotes)
        if not self.speakerless:
            items = [a for a in items if a.speaker is not None or a.score >= self.speakerless_min]
        for a in items:  # a quotation taken up by a bare ``X said.`` ends before the space
            while a.end > a.start and text[a.end - 1].isspace():
                a.end -= 1
        records: list[dict[str, Any]] = []
        for a in items:
            records.append(
                {
                    "start": a.start,
                    "end": a.end,
                    "text": text[a.start : a.end],
                    "kind": quote_kind(text, a.start, a.end),
                    "cue": _span(text, a.cue),
                    "speaker": _span(text, a.speaker),
                }
            )
            if a.speaker is not None and a.name is not None:
                records[-1]["speaker"]["_name"] = a.name
        resolve_speakers(article, analysis, records)
        return records

    def __call__(self, article: Article, analysis: Analysis) -> Article:
        """Return the article with ``quotes`` filled."""
        return article.with_changes(quotes=tuple(self.extract(article, analysis)))


def make(config: dict[str, Any]) -> QuotesStage:
    """Registry factory for ``quotes.v1``."""
    return QuotesStage(config)
