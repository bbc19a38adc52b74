"""Extraction quality measures shared by the benchmarks and the CI quality gates.

Token F1 as the extraction data README defines it: tokens are Unicode ``\\w+`` runs (case kept),
bag-of-tokens overlap with multiplicity; an empty or failed output scores 0.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

_TOKEN = re.compile(r"\w+")


class PRF(NamedTuple):
    """Precision, recall and F1 of one prediction."""

    precision: float
    recall: float
    f1: float


def tokens(text: str) -> list[str]:
    """Unicode word tokens, case kept."""
    return _TOKEN.findall(text)


def token_prf(predicted: str | None, gold: str) -> PRF:
    """Bag-of-tokens precision/recall/F1 with multiplicity; empty prediction scores 0."""
    pred = Counter(tokens(predicted or ""))
    truth = Counter(tokens(gold))
    if not pred or not truth:
        return PRF(0.0, 0.0, 0.0)
    tp = sum((pred & truth).values())
    if tp == 0:
        return PRF(0.0, 0.0, 0.0)
    p = tp / sum(pred.values())
    r = tp / sum(truth.values())
    return PRF(p, r, 2 * p * r / (p + r))
