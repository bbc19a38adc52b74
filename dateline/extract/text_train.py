"""Train and evaluate the text-mode line model on the Dragnet development set.

Not used at runtime.  The data is read from ``/work/shared`` (or ``--data``) and never copied into
the project (it is AGPL-3.0); only the learned weights are shipped.  Run::

    python -m dateline.extract.text_train --cv          # 5-fold cross-validation, folds grouped by site
    python -m dateline.extract.text_train --write       # train on all pages, write the weights

Line labels come from aligning each flattened line with the gold body: a line is "body" when its
word tokens occur, in order, in the gold text after the previous body line (short lines must occur
close to it, so that a menu item "Home" does not match a stray "home" deep in the article).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import multiprocessing
import statistics
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from numpy.typing import NDArray

from dateline.extract.text_boost import fit_boosted
from dateline.extract.text_features import page_features
from dateline.extract.text_model import MODEL_FILE, LineModel, Logistic, stage_three_features, stage_two_features
from dateline.quality import token_prf, tokens
from dateline.textnorm import normalize_line

DEFAULT_DATA = Path("/work/shared/data/extraction/dragnet/pages.jsonl.gz")


def load_pages(path: Path = DEFAULT_DATA) -> list[dict[str, Any]]:
    """All pages of a JSONL.gz extraction set (``id``, ``url``, ``flat``, ``text``...)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def page_lines(flat: str) -> list[str]:
    """The non-empty normalised lines of a flattened page (as the cleaner sees them)."""
    return [line for line in (normalize_line(raw) for raw in flat.splitlines()) if line]


def label_lines(lines: Sequence[str], gold: str) -> NDArray[np.float64]:
    """1.0 for lines found (in order) in the gold body, else 0.0."""
    gold_str = " " + " ".join(tokens(gold)) + " "
    labels = np.zeros(len(lines), dtype=np.float64)
    ptr = 0
    for i, line in enumerate(lines):
        toks = tokens(line)
        if not toks:
            continue
        needle = " " + " ".join(toks) + " "
        idx = gold_str.find(needle, ptr)
        if idx >= 0 and (len(toks) >= 6 or idx - ptr < 200):
            labels[i] = 1.0
            ptr = idx + len(needle) - 1
    return labels


def line_weights(lines: Sequence[str]) -> NDArray[np.float64]:
    """Training weight per line: token F1 counts words, so longer lines matter more (sub-linearly)."""
    w = np.sqrt(np.array([len(tokens(line)) for line in lines], dtype=np.float64) + 1.0)
    # Each page gets the same total weight, so pages with huge menus do not dominate.
    return w / w.sum() * 100.0 if len(w) else w


def fit_logistic(
    x: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64], l2: float = 1e-3, steps: int = 400
) -> Logistic:
    """Weighted L2-regularised logistic regression, full-batch Adam on standardised features."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    mean[0] = 0.0  # the bias column stays a constant 1 after standardising
    xs = (x - mean) / scale
    beta = np.zeros(x.shape[1])
    b = 0.0
    m_beta = np.zeros_like(beta)
    v_beta = np.zeros_like(beta)
    m_b = v_b = 0.0
    wsum = w.sum()
    lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        z = np.clip(xs @ beta + b, -30.0, 30.0)
        p = 1.0 / (1.0 + np.exp(-z))
        g = w * (p - y) / wsum
        g_beta = xs.T @ g + l2 * beta
        g_b = float(g.sum())
        m_beta = b1 * m_beta + (1 - b1) * g_beta
        v_beta = b2 * v_beta + (1 - b2) * g_beta**2
        m_b = b1 * m_b + (1 - b1) * g_b
        v_b = b2 * v_b + (1 - b2) * g_b**2
        beta -= lr * (m_beta / (1 - b1**t)) / (np.sqrt(v_beta / (1 - b2**t)) + eps)
        b -= lr * (m_b / (1 - b1**t)) / (np.sqrt(v_b / (1 - b2**t)) + eps)
    return Logistic(mean=mean, scale=scale, weights=beta, bias=b)


def _prepared(pages: Sequence[dict[str, Any]]) -> Iterator[tuple[list[str], NDArray[np.float64], NDArray[np.float64]]]:
    for page in pages:
        lines = page_lines(page["flat"])
        if lines:
            yield lines, page_features(lines, url=page.get("url")), label_lines(lines, page["text"])


def train(pages: Sequence[dict[str, Any]], threshold: float = 0.5, stages: int = 3) -> LineModel:
    """Fit both stages on ``pages``.

    Stage two is fitted on stage-one probabilities from a model that did not see the page (two
    internal folds), so it learns how far to trust stage one on unseen pages.
    """
    prepared = list(_prepared(pages))
    x1 = np.vstack([p[1] for p in prepared])
    y = np.concatenate([p[2] for p in prepared])
    w = np.concatenate([line_weights(p[0]) for p in prepared])
    stage1 = fit_logistic(x1, y, w)
    halves = [prepared[0::2], prepared[1::2]]
    x2_parts: list[NDArray[np.float64]] = []
    p1_parts: list[NDArray[np.float64]] = []
    y2_parts: list[NDArray[np.float64]] = []
    w2_parts: list[NDArray[np.float64]] = []
    for k in (0, 1):
        fit_on, apply_to = halves[1 - k], halves[k]
        inner = fit_logistic(
            np.vstack([p[1] for p in fit_on]),
            np.concatenate([p[2] for p in fit_on]),
            np.concatenate([line_weights(p[0]) for p in fit_on]),
        )
        for lines, feats, labels in apply_to:
            p1_parts.append(inner.predict(feats))
            x2_parts.append(stage_two_features(feats, p1_parts[-1]))
            y2_parts.append(labels)
            w2_parts.append(line_weights(lines))
    # Stage two: boosted trees (about 0.01 more cross-validated F1 than a logistic regression here).
    stage2 = fit_boosted(np.vstack(x2_parts), np.concatenate(y2_parts), np.concatenate(w2_parts), n_trees=150)
    if stages < 3:
        return LineModel(stage1, stage2, threshold)
    # Stage three sees stage-two probabilities from trees that did not see the page (same halves).
    n_half = len(halves[0])
    x3_parts: list[NDArray[np.float64]] = []
    for k in (0, 1):
        part = slice(0, n_half) if k == 0 else slice(n_half, None)
        other = slice(n_half, None) if k == 0 else slice(0, n_half)
        inner2 = fit_boosted(
            np.vstack(x2_parts[other]), np.concatenate(y2_parts[other]), np.concatenate(w2_parts[other]), n_trees=150
        )
        for (_, feats, _), p1, x2 in zip(halves[k], p1_parts[part], x2_parts[part], strict=True):
            x3_parts.append(stage_three_features(feats, p1, inner2.predict(x2)))
    stage3 = fit_boosted(np.vstack(x3_parts), np.concatenate(y2_parts), np.concatenate(w2_parts), n_trees=150, seed=1)
    return LineModel(stage1, stage2, threshold, stage3)


def evaluate(pages: Sequence[dict[str, Any]], model: LineModel | None = None) -> tuple[float, float, float]:
    """Mean and median token F1 of the full cleaner on ``pages``, and pages per second."""
    from dateline.extract.text import clean_flattened_text
    from dateline.textnorm import normalize_text

    scores = []
    t0 = time.perf_counter()
    outputs = [clean_flattened_text(p["flat"], p.get("url"), model=model).text for p in pages]
    elapsed = time.perf_counter() - t0
    for page, out in zip(pages, outputs, strict=True):
        scores.append(token_prf(normalize_text(out), page["text"]).f1)
    return statistics.mean(scores), statistics.median(scores), len(pages) / elapsed


def site_of(page: dict[str, Any]) -> str:
    """The page's site (host without ``www.``); pages without a URL are each their own site."""
    host = urlsplit(page.get("url") or "").hostname or ""
    return host.removeprefix("www.") or f"id:{page['id']}"


def site_folds(pages: Sequence[dict[str, Any]], k: int) -> list[list[dict[str, Any]]]:
    """``k`` folds of ``pages`` with every site in exactly one fold (held-out pages come from unseen sites).

    Sites are dealt largest first onto the currently smallest fold, in a fixed order (a hash of
    the site name), so the folds are balanced and the split is reproducible.
    """
    by_site: dict[str, list[dict[str, Any]]] = {}
    for page in pages:
        by_site.setdefault(site_of(page), []).append(page)
    order = sorted(by_site, key=lambda s: (-len(by_site[s]), hashlib.sha1(s.encode()).hexdigest()))
    folds: list[list[dict[str, Any]]] = [[] for _ in range(k)]
    for site in order:
        min(folds, key=len).extend(by_site[site])
    return folds


def _cv_fold(args: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> tuple[float, float, int]:
    fit_on, test_on = args
    mean, median, _ = evaluate(test_on, train(fit_on))
    return mean, median, len(test_on)


def cross_validate(pages: Sequence[dict[str, Any]], k: int = 5, jobs: int = 1) -> tuple[float, float]:
    """Mean and median token F1 over ``k`` site-grouped folds (page-weighted), printing each fold."""
    folds = site_folds(pages, k)
    tasks = [([p for j, f in enumerate(folds) if j != i for p in f], fold) for i, fold in enumerate(folds)]
    if jobs > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_cv_fold, tasks)
    else:
        results = [_cv_fold(t) for t in tasks]
    for i, (mean, median, n) in enumerate(results):
        print(f"fold {i}: test {n} pages: mean F1 {mean:.4f} median {median:.4f}")
    total = sum(n for _, _, n in results)
    mean = sum(m * n for m, _, n in results) / total
    median = sum(md * n for _, md, n in results) / total
    print(f"cross-validated ({k} folds by site): mean F1 {mean:.4f} median {median:.4f}")
    return mean, median


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: cross-validate, evaluate the shipped model, or write new weights."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cv", action="store_true", help="k-fold cross-validation, every site in one fold")
    ap.add_argument("--folds", type=int, default=5, help="number of folds for --cv (default 5)")
    ap.add_argument("--jobs", type=int, default=1, help="folds trained in parallel for --cv")
    ap.add_argument("--write", action="store_true", help="train on all pages and write the shipped weights")
    ap.add_argument("--eval", action="store_true", help="evaluate the shipped model on all pages")
    args = ap.parse_args(argv)
    pages = sorted(load_pages(args.data), key=lambda p: p["id"])
    if args.cv:
        cross_validate(pages, args.folds, args.jobs)
    if args.write:
        model = train(pages)
        target = Path(__file__).resolve().parents[1] / MODEL_FILE
        target.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {target}")
    if args.eval:
        mean, median, speed = evaluate(pages)
        print(f"full set ({len(pages)} pages): mean F1 {mean:.4f} median {median:.4f}, {speed:.0f} pages/s")


if __name__ == "__main__":
    main()
