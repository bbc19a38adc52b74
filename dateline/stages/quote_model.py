"""The candidate scorer: how likely a (cue, frame) candidate is a true attribution.

A logistic model over the parse features :func:`quote_rules.frame_features` gives each candidate
(lemma and frame alone and together; the cue's tag, dependency, speaker kind, negation, passive
voice, embedding; the content's opening word, length and head; the speaker's entity label). It
generalises the (lemma, frame) precision table of :mod:`quote_cues`: a rare cue verb falls back on
what its frame, speaker and content look like, and a common one is told apart by context (``think``
in ``I think`` inside a quotation vs ``Republicans think that ...``).

It is learned from the PolNeAR training split (``python bench/quotes.py --build-model``) and lives in
``dateline/data/quote_model.tsv`` as ``feature<TAB>weight`` lines, the intercept as ``__bias__``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

MODEL_RESOURCE = "quote_model.tsv"
BIAS = "__bias__"


@dataclass(frozen=True)
class QuoteModel:
    """Feature weights of the logistic candidate scorer."""

    weights: dict[str, float]
    bias: float = 0.0

    def prob(self, feats: Iterable[str]) -> float:
        """Probability that a candidate with these features is an attribution as the frame spans it."""
        w = self.weights
        z = self.bias + sum(w.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def parse_model(text: str) -> QuoteModel:
    """Read the TSV model format (``#`` comments allowed)."""
    weights: dict[str, float] = {}
    bias = 0.0
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        feat, _, w = line.rstrip("\n").rpartition("\t")
        if feat == BIAS:
            bias = float(w)
        elif feat:
            weights[feat] = float(w)
    return QuoteModel(weights, bias)


def format_model(model: QuoteModel, header: Iterable[str] = ()) -> str:
    """The TSV form of a model (features sorted, weights rounded to 4 decimals)."""
    lines = [f"# {h}" for h in header]
    lines.append(f"{BIAS}\t{model.bias:.4f}")
    lines += [f"{f}\t{w:.4f}" for f, w in sorted(model.weights.items()) if round(w, 4) != 0.0]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def default_model() -> QuoteModel:
    """The packaged model (read once per process)."""
    return parse_model(files("dateline").joinpath("data", MODEL_RESOURCE).read_text(encoding="utf-8"))
