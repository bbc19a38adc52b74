"""Gradient-boosted oblivious decision trees in plain numpy (training and prediction).

An *oblivious* tree uses the same (feature, threshold) test at every node of a level, so a tree of
depth ``d`` is ``d`` tests and ``2**d`` leaf values.  Prediction for a whole page and every tree is
then a handful of array operations (compare, weight the bits, gather), which keeps the line model
fast without compiled code.  Training is second-order boosting of the logistic loss on
histogram-binned features (quantile bins), as in CatBoost/LightGBM, reduced to what the line model
needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class BoostedTrees:
    """An additive model of oblivious trees: ``sigmoid(base + sum_t values[t, leaf_t(x)])``.

    ``features[t, k]`` and ``thresholds[t, k]`` are the test of level ``k`` of tree ``t``
    (bit ``k`` of the leaf index is ``x[feature] > threshold``).
    """

    features: NDArray[np.int64]
    thresholds: NDArray[np.float64]
    values: NDArray[np.float64]
    base: float

    def margin(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """The raw score (log-odds) for each row of ``x``."""
        n_trees, depth = self.features.shape
        if n_trees == 0 or len(x) == 0:
            return np.full(len(x), self.base, dtype=np.float64)
        # Level-major layout: bits[:, k] holds level k of every tree; OR-ing shifted bits is about
        # twice as fast as a boolean matrix product.
        bits = (x[:, self.features.T.ravel()] > self.thresholds.T.ravel()).reshape(len(x), depth, n_trees)
        leaf = bits[:, 0].astype(np.intp)
        for k in range(1, depth):
            leaf |= bits[:, k].astype(np.intp) << k
        flat = self.values.ravel()[leaf + np.arange(n_trees) * (1 << depth)]
        return np.asarray(self.base + flat.sum(axis=1), dtype=np.float64)

    def predict(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probability of the positive class for each row of ``x``."""
        z = np.clip(self.margin(x), -30.0, 30.0)
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (values rounded so the file stays small)."""
        return {
            "kind": "oblivious-trees",
            "base": round(float(self.base), 6),
            "features": self.features.tolist(),
            "thresholds": [[float(np.float32(v)) for v in row] for row in self.thresholds],
            "values": [[round(float(v), 5) for v in row] for row in self.values],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> BoostedTrees:
        """Rebuild from :meth:`to_json` output."""
        features = np.asarray(d["features"], dtype=np.int64)
        depth = features.shape[1] if features.ndim == 2 else 0
        return cls(
            features=features.reshape(-1, depth),
            thresholds=np.asarray(d["thresholds"], dtype=np.float64).reshape(-1, depth),
            values=np.asarray(d["values"], dtype=np.float64).reshape(-1, 1 << depth),
            base=float(d["base"]),
        )


def _bin_edges(x: NDArray[np.float64], n_bins: int) -> list[NDArray[np.float64]]:
    """Per feature, the candidate split thresholds: midpoints between distinct quantile values."""
    edges = []
    qs = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    for j in range(x.shape[1]):
        col = x[:, j]
        uniq = np.unique(col)
        if len(uniq) > n_bins:
            uniq = np.unique(np.quantile(col, qs, method="nearest"))
        edges.append((uniq[:-1] + uniq[1:]) / 2.0 if len(uniq) > 1 else np.zeros(0))
    return edges


def fit_boosted(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    w: NDArray[np.float64],
    *,
    n_trees: int = 200,
    depth: int = 4,
    learning_rate: float = 0.1,
    l2: float = 1.0,
    n_bins: int = 32,
    subsample: float = 0.5,
    colsample: float = 0.5,
    min_hess: float = 1e-3,
    seed: int = 0,
) -> BoostedTrees:
    """Fit oblivious trees to labels ``y`` (0/1) with sample weights ``w`` by Newton boosting."""
    rng = np.random.default_rng(seed)
    n, n_feat = x.shape
    edges = _bin_edges(x, n_bins)
    # Feature-major layout: each feature's bins are contiguous, which the histogram loop reads.
    binned = np.zeros((n_feat, n), dtype=np.int64)
    for j in range(n_feat):
        binned[j] = np.searchsorted(edges[j], x[:, j], side="left")
    usable = [j for j in range(n_feat) if len(edges[j])]
    # Bin b holds values <= edges[b] (and > edges[b-1]); splitting "bin > b" == "x > edges[b]".
    w = w / w.mean()
    prior = float(np.clip((w * y).sum() / w.sum(), 1e-6, 1 - 1e-6))
    base = float(np.log(prior / (1.0 - prior)))
    margin = np.full(n, base)
    n_leaves = 1 << depth
    feats = np.zeros((n_trees, depth), dtype=np.int64)
    thrs = np.zeros((n_trees, depth), dtype=np.float64)
    vals = np.zeros((n_trees, n_leaves), dtype=np.float64)
    for t in range(n_trees):
        p = 1.0 / (1.0 + np.exp(-np.clip(margin, -30.0, 30.0)))
        g = w * (p - y)
        h = np.maximum(w * p * (1.0 - p), 1e-9)
        rows = np.flatnonzero(rng.random(n) < subsample) if subsample < 1.0 else np.arange(n)
        cols = [j for j in usable if rng.random() < colsample] or usable
        gs, hs = g[rows], h[rows]
        bs = {j: binned[j, rows] for j in cols}
        leaf = np.zeros(len(rows), dtype=np.int64)
        for k in range(depth):
            n_cur = 1 << k
            best = (-np.inf, cols[0], 0)
            for j in cols:
                nb = len(edges[j]) + 1
                key = leaf * nb + bs[j]
                hg = np.bincount(key, weights=gs, minlength=n_cur * nb).reshape(n_cur, nb)
                hh = np.bincount(key, weights=hs, minlength=n_cur * nb).reshape(n_cur, nb)
                cg, ch = np.cumsum(hg, axis=1)[:, :-1], np.cumsum(hh, axis=1)[:, :-1]
                tg, th = hg.sum(axis=1, keepdims=True), hh.sum(axis=1, keepdims=True)
                rg, rh = tg - cg, th - ch
                gain = cg**2 / (ch + l2) + rg**2 / (rh + l2)
                gain = np.where((ch < min_hess) | (rh < min_hess), gain - 1e9, gain).sum(axis=0)
                b = int(np.argmax(gain))
                if gain[b] > best[0]:
                    best = (float(gain[b]), j, b)
            _, j, b = best
            feats[t, k] = j
            thrs[t, k] = edges[j][b] if len(edges[j]) else 0.0
            leaf = leaf + ((bs[j] > b).astype(np.int64) << k)
        sg = np.bincount(leaf, weights=gs, minlength=n_leaves)
        sh = np.bincount(leaf, weights=hs, minlength=n_leaves)
        vals[t] = -learning_rate * sg / (sh + l2)
        full_leaf = (x[:, feats[t]] > thrs[t]) @ (1 << np.arange(depth))
        margin += vals[t][full_leaf]
    return BoostedTrees(features=feats, thresholds=thrs, values=vals, base=base)
