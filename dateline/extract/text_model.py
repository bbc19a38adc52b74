"""The learned body/boilerplate line classifier: a logistic regression, then boosted trees.

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

from dateline.extract.text_boost import BoostedTrees
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
    stage2: Logistic | BoostedTrees
    threshold: float = 0.5
    stage3: BoostedTrees | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form of the whole model."""
        return {
            "format": "dateline-text-line-model/1",
            "features": list(LOCAL_NAMES),
            "threshold": self.threshold,
            "stage1": self.stage1.to_json(),
            "stage2": self.stage2.to_json(),
            "stage3": self.stage3.to_json() if self.stage3 is not None else None,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LineModel:
        """Rebuild from :meth:`to_json` output."""
        s2 = d["stage2"]
        stage2 = BoostedTrees.from_json(s2) if s2.get("kind") == "oblivious-trees" else Logistic.from_json(s2)
        s3 = d.get("stage3")
        stage3 = BoostedTrees.from_json(s3) if s3 else None
        return cls(Logistic.from_json(d["stage1"]), stage2, float(d["threshold"]), stage3)

    def probabilities(
        self, lines: Sequence[str], template: Sequence[bool] | None = None, url: str | None = None
    ) -> NDArray[np.float64]:
        """Stage-two body probability for each line."""
        if not lines:
            return np.zeros(0, dtype=np.float64)
        x1 = page_features(lines, template, url)
        p1 = self.stage1.predict(x1)
        p2 = self.stage2.predict(stage_two_features(x1, p1))
        if self.stage3 is None:
            return p2
        return self.stage3.predict(stage_three_features(x1, p1, p2))


def stage_three_features(
    x1: NDArray[np.float64], p1: NDArray[np.float64], p2: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Stage-two features recomputed on stage-two probabilities (a sharper main region), plus ``p1``."""
    return np.hstack([stage_two_features(x1, p2), p1[:, None]])


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
    return np.hstack([x1, np.stack(ctx, axis=1), segment_features(n, start, end), region_features(x1, p1, words)])


def region_features(
    x1: NDArray[np.float64], p1: NDArray[np.float64], words: NDArray[np.float64]
) -> NDArray[np.float64]:
    """A line's relation to the page's main body region and to comment-thread signals.

    Blocks are maximal runs of lines with stage-one probability over one half; the main block is
    the one with the most expected body words.  Comment threads follow the article and repeat
    author/date lines, so counts of date-like, byline and comment-furniture lines above a line
    (and how much expected body lies between it and the main block) tell the article's end from
    a thread of reader prose.
    """
    n = len(p1)
    mass = p1 * words
    total = float(mass.sum()) + 1e-9
    cum = np.cumsum(mass)
    above_share = (cum - mass) / total
    on = p1 > 0.5
    block_id = np.cumsum(np.concatenate(([1], (on[1:] != on[:-1]).astype(np.int64)))) - 1
    block_mass = np.bincount(block_id, weights=np.where(on, mass, 0.0))
    main = int(np.argmax(block_mass))
    own = block_mass[block_id] / (float(block_mass.max()) + 1e-9)
    main_lines = np.flatnonzero(block_id == main)
    m_start, m_end = int(main_lines[0]), int(main_lines[-1]) + 1
    idx = np.arange(n)
    # Lines and words of doubtful text between this line and the main block.
    low = np.cumsum(np.concatenate(([0.0], (~on).astype(np.float64))))
    low_words = np.cumsum(np.concatenate(([0.0], np.where(on, 0.0, words))))
    gap_lines = np.where(idx < m_start, low[m_start] - low[idx], np.where(idx >= m_end, low[idx] - low[m_end], 0.0))
    gap_words = np.where(
        idx < m_start,
        low_words[m_start] - low_words[idx],
        np.where(idx >= m_end, low_words[idx] - low_words[m_end], 0.0),
    )
    col = {name: j for j, name in enumerate(LOCAL_NAMES)}
    after_main = idx >= m_end

    def since_main(flag: NDArray[np.float64]) -> NDArray[np.float64]:
        c = np.cumsum(flag * after_main)
        return np.log1p(c - flag * after_main)

    dates = x1[:, col["date_like"]]
    bylines = x1[:, col["byline"]]
    comments = x1[:, col["commentish"]]
    ends = x1[:, col["end_marker"]]
    keywords = x1[:, col["keyword"]]
    n_blocks_between = np.abs(block_id - main)
    return np.stack(
        [
            above_share,
            own,
            np.log1p(gap_lines),
            np.log1p(gap_words),
            np.log1p(n_blocks_between),
            since_main(dates),
            since_main(bylines),
            since_main(comments),
            since_main(ends),
            since_main(keywords),
            # End-of-article furniture anywhere above the line (the main block may be a thread).
            np.log1p(np.cumsum(ends) - ends),
            np.log1p(np.cumsum(dates) - dates),
            np.full(n, np.log1p(total)),
            np.full(n, np.log1p(float(block_mass.max()))),
        ],
        axis=1,
    )


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
