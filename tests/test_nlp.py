"""The shared spaCy layer: the cached token attributes equal what the model's own components assign."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dateline.nlp import _ATTRIBUTE_PIPES, _PARSE_PIPES, TokenAttributes, analyse, load_model

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "gold"


def _texts() -> list[str]:
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted(EXAMPLES.glob("*.json"))]
    # the multi-token patterns of the attribute ruler ("gon na", "there is", "let 's", "y' all")
    texts.append("There is no deal. We are gon na talk, let's see. Y'all ain't ready, he said.")
    return texts


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    # plus sentences that open or end with whitespace: the ruler relabels whitespace tokens
    return [s.text for a in analyse(_texts()) for s in a.sentences] + [
        "\u00a0 The minister said talks would resume.", "\n\nHe said so.", "  \n", "\u00a0"]


def _attrs(docs: list) -> list[tuple[str, str, str, str, str, str]]:
    return [(t.text, t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_) for d in docs for t in d]


def test_token_attributes_match_the_real_components(sentences: list[str]) -> None:
    nlp = load_model()
    with nlp.select_pipes(enable=[*_PARSE_PIPES, *_ATTRIBUTE_PIPES]):
        real = list(nlp.pipe(sentences))
    cached = TokenAttributes(nlp)
    for attempt in ("cold", "warm"):  # the first pass fills the cache, the second reads it
        with nlp.select_pipes(enable=list(_PARSE_PIPES)):
            ours = [cached(d) for d in nlp.pipe(sentences)]
        assert _attrs(ours) == _attrs(real), attempt
    assert len(cached._cache) > 100
    assert any(t.lemma_ == "be" and t.lower_ == "ai" for d in ours for t in d)  # a multi-token pattern applied
    # the ruler relabels whitespace the parser made a root ("\n\nHe said so.")
    assert any(t.is_space and t.dep_ == "dep" and t.i == 0 and t.text == "\n\n" for d in ours for t in d)


def test_token_attributes_cache_is_bounded(sentences: list[str]) -> None:
    nlp = load_model()
    cached = TokenAttributes(nlp, max_entries=50)
    with nlp.select_pipes(enable=[*_PARSE_PIPES, *_ATTRIBUTE_PIPES]):
        real = list(nlp.pipe(sentences[:40]))
    with nlp.select_pipes(enable=list(_PARSE_PIPES)):
        ours = [cached(d) for d in nlp.pipe(sentences[:40])]
    assert _attrs(ours) == _attrs(real)
    assert len(cached._cache) <= max(50, max(len(d) for d in ours))


def test_model_multiplies_with_numpy_blas() -> None:
    from thinc.api import NumpyOps

    nlp = load_model()
    ops = {type(node.ops).__name__ + str(getattr(node.ops, "use_blis", None))
           for _, c in nlp.pipeline if getattr(c, "model", None) is not None for node in c.model.walk()}
    assert ops == {NumpyOps.__name__ + "False"}


def test_a_form_met_with_a_new_label_needs_no_probe_when_no_pattern_tests_it(monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = load_model()
    cached = TokenAttributes(nlp)
    probed: list[str] = []
    fill = TokenAttributes._fill

    def spy(self: TokenAttributes, doc: object, keys: dict[tuple[int, int, int], object]) -> None:
        probed.extend(nlp.vocab.strings[k[0]] for k in keys)
        fill(self, doc, keys)  # type: ignore[arg-type]

    monkeypatch.setattr(TokenAttributes, "_fill", spy)
    texts = ["The officials said so.", "He met the officials.", "Then it rained.", "They saw it."]
    with nlp.select_pipes(enable=list(_PARSE_PIPES)):
        docs = list(nlp.pipe(texts))
    labels = {t.text: t.dep_ for t in docs[0]}, {t.text: t.dep_ for t in docs[1]}
    assert labels[0]["officials"] != labels[1]["officials"]  # nsubj, then dobj
    ours = [cached(d) for d in docs]
    assert probed.count("officials") == 1  # the second label is answered from the first
    # "it" as subject and as object: ruler patterns test its label (Case=Nom / Case=Acc), so both are probed
    assert [t.dep_ for d in docs[2:] for t in d if t.text == "it"] == ["nsubj", "dobj"]
    assert probed.count("it") == 2
    with nlp.select_pipes(enable=[*_PARSE_PIPES, *_ATTRIBUTE_PIPES]):
        real = list(nlp.pipe(texts))
    assert _attrs(ours) == _attrs(real)
