"""The learned body/boilerplate line classifier: two stacked logistic regressions.

Stage one scores each line from its own features and its neighbours' features.  Stage two adds the
stage-one probabilities of the neighbouring lines and the line's position relative to the densest
run of stage-one "body" probability, so that isolated prose in a sidebar is dropped and a short
subheading inside the article is kept.  Weights live in ``dateline/data/text_line_model.json``;
:mod:`dateline.extract.text_train` rebuilds them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dateline.extract.text_features import (
    LOCAL_NAMES,
    _shift,
    _window_mean,
    best_segment,
    page_features,
    segment_features,
)

MODEL_FILE = "data/text_line_model.json"


@dataclass(frozen=True)
class Logistic:
    """A standardised logistic regression: ``sigmoid(((x - mean) / scale) @ weights + bias)``."""

    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    weights: NDArray[np.float64]
    bias: float

    def predict(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probability of the positive class for each row of ``x``."""
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready weights (rounded: the file stays small and diffs stay readable)."""
        return {
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "weights": [round(float(v), 6) for v in self.weights],
            "bias": round(float(self.bias), 6),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Logistic:
        """Rebuild from :meth:`to_json` output."""
        return cls(
            mean=np.asarray(d["mean"], dtype=np.float64),
            scale=np.asarray(d["scale"], dtype=np.float64),
            weights=np.asarray(d["weights"], dtype=np.float64),
            bias=float(d["bias"]),
        )


@dataclass(frozen=True)
class LineModel:
    """Both stages, and a fixed probability cut for callers that want one.

    The cleaner itself does not use ``threshold``: it picks lines by expected F1
    (:func:`expected_f1_selection`), which adapts the cut to each page.
    """

    stage1: Logistic
    stage2: Logistic
    threshold: float = 0.5

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form of the whole model."""
        return {
            "format": "dateline-text-line-model/1",
            "features": list(LOCAL_NAMES),
            "threshold": self.threshold,
            "stage1": self.stage1.to_json(),
            "stage2": self.stage2.to_json(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LineModel:
        """Rebuild from :meth:`to_json` output."""
        return cls(Logistic.from_json(d["stage1"]), Logistic.from_json(d["stage2"]), float(d["threshold"]))

    def probabilities(
        self, lines: Sequence[str], template: Sequence[bool] | None = None, url: str | None = None
    ) -> NDArray[np.float64]:
        """Stage-two body probability for each line."""
        if not lines:
            return np.zeros(0, dtype=np.float64)
        x1 = page_features(lines, template, url)
        p1 = self.stage1.predict(x1)
        return self.stage2.predict(stage_two_features(x1, p1))


def stage_two_features(x1: NDArray[np.float64], p1: NDArray[np.float64]) -> NDArray[np.float64]:
    """Stage-one features plus neighbour probabilities and the densest-probability segment."""
    n = len(p1)
    words = np.expm1(x1[:, LOCAL_NAMES.index("log_words")])
    # Weight by words so that one long paragraph outweighs several short doubtful lines.
    start, end = best_segment((p1 - 0.5) * np.sqrt(words + 1.0))
    above = np.maximum.reduce([_shift(p1, k) for k in (1, 2, 3)])
    below = np.maximum.reduce([_shift(p1, -k) for k in (1, 2, 3)])
    ctx = [
        p1,
        _shift(p1, 1),
        _shift(p1, -1),
        _shift(p1, 2),
        _shift(p1, -2),
        _window_mean(p1, 3),
        _window_mean(p1, 10),
        _window_mean(p1, 30),
        # "Sandwiched": a doubtful line with likely body both above and below is probably body.
        np.minimum(above, below),
        np.maximum(above, below),
        p1 / max(float(p1.max()), 1e-6),
    ]
    return np.hstack([x1, np.stack(ctx, axis=1), segment_features(n, start, end)])


def expected_f1_selection(probs: NDArray[np.float64], sizes: NDArray[np.float64]) -> NDArray[np.bool_]:
    """The set of lines that maximises the expected token F1 against the (unknown) gold body.

    With calibrated probabilities ``p`` and line sizes ``w`` (tokens), taking the ``k`` most
    probable lines has expected F1 about ``2 * sum_k(p*w) / (sum_k(w) + sum_all(p*w))``.  Unlike a
    fixed 0.5 cut this adapts per page: it keeps the best lines of a page where the model is unsure
    everywhere (an empty body scores zero) and drops doubtful short lines beside a confident body.
    """
    n = len(probs)
    keep = np.zeros(n, dtype=bool)
    if n == 0:
        return keep
    order = np.argsort(-probs, kind="stable")
    gain = np.cumsum((probs * sizes)[order])
    size = np.cumsum(sizes[order])
    expected = 2.0 * gain / (size + float((probs * sizes).sum()) + 1e-9)
    keep[order[: int(np.argmax(expected)) + 1]] = True
    return keep


@lru_cache(maxsize=1)
def default_model() -> LineModel:
    """The model shipped in ``dateline/data`` (loaded once)."""
    text = resources.files("dateline").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return LineModel.from_json(json.loads(text))
