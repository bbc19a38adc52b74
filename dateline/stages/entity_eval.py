"""Scoring entities.v1 on hand-built alias cases (``tests/alias_cases.jsonl``), shared by the tests
and ``bench/entities.py``.

A case is one JSON object per line: ``text`` (a sentence), ``mention`` (a substring of it; its first
occurrence is meant), the expected ``canonical``, ``kind`` and ``country`` (ISO alpha-2 or null),
optionally ``role``; ``canonical: null`` means the mention must *not* be an entity (the verb "is").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CaseResult:
    """How one case came out: ``ok`` and what was found instead (for the failure message)."""

    case: dict[str, Any]
    ok: bool
    got: dict[str, Any] | None


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file of alias cases (blank lines and ``#`` lines are skipped)."""
    cases = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            cases.append(json.loads(line))
    return cases


def mention_span(case: dict[str, Any]) -> tuple[int, int]:
    """Character span of the case's mention in its text."""
    start = str(case["text"]).index(str(case["mention"]))
    return start, start + len(str(case["mention"]))


def score_case(case: dict[str, Any], entities: Sequence[dict[str, Any]]) -> CaseResult:
    """Compare one case with the entities extracted from its text.

    The entity must span exactly the mention and carry the expected canonical (case-insensitive),
    kind, country and role; a negative case passes when no entity overlaps the mention.
    """
    start, end = mention_span(case)
    overlapping = [e for e in entities if e["start"] < end and start < e["end"]]
    if case["canonical"] is None:
        return CaseResult(case, not overlapping, overlapping[0] if overlapping else None)
    exact = next((e for e in overlapping if e["start"] == start and e["end"] == end), None)
    if exact is None:
        return CaseResult(case, False, overlapping[0] if overlapping else None)
    ok = (
        str(exact["canonical"]).casefold() == str(case["canonical"]).casefold()
        and exact["kind"] == case["kind"]
        and exact.get("country") == case.get("country")
        and ("role" not in case or exact.get("role") == case["role"])
    )
    return CaseResult(case, ok, exact)


def baseline_canonical(case: dict[str, Any], ner_spans: Iterable[tuple[int, int, str]]) -> bool:
    """Bare spaCy NER as a baseline: right when an NER span covers the mention and its text (minus
    a leading "the") already equals the canonical name, or, for a negative case, no span covers it."""
    start, end = mention_span(case)
    covering = [t for s, e, t in ner_spans if s < end and start < e]
    if case["canonical"] is None:
        return not covering
    text = covering[0] if covering else ""
    if text.lower().startswith("the "):
        text = text[4:]
    return text.casefold() == str(case["canonical"]).casefold()
