"""CI quality gate: HTML-mode token F1 of the full dispatcher over the Dragnet development set.

The floor sits a little below what the extractor reaches (see ``bench/README.md``); a change that
costs more than that fails here.  Runs the pages in two worker processes (a few minutes).
"""

from __future__ import annotations

import gzip
import json
import statistics
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from dateline.errors import SkipDocument
from dateline.extract import extract_document
from dateline.models import RawDocument
from dateline.quality import token_prf

DRAGNET = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction" / "dragnet" / "pages.jsonl.gz"
F1_FLOOR = 0.915
"""Mean token F1 floor: 0.9252 reached (bench/README.md), minus about 0.01."""
MEDIAN_FLOOR = 0.96
"""Median token F1 floor: 0.9713 reached, minus about 0.01."""


def _score(page: dict[str, Any]) -> float:
    raw = RawDocument(source=str(page["id"]), kind="html", content=page["html"], url=page.get("url"))
    try:
        text = extract_document(raw).text
    except SkipDocument:
        text = ""
    return token_prf(text, page["text"]).f1


def _pages() -> list[dict[str, Any]]:
    with gzip.open(DRAGNET, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.mark.skipif(not DRAGNET.exists(), reason=f"Dragnet dev set not found at {DRAGNET} (shared data missing)")
def test_html_mode_f1_floor() -> None:
    pages = _pages()
    with ProcessPoolExecutor(max_workers=2) as pool:
        scores = list(pool.map(_score, pages, chunksize=16))
    assert len(scores) == len(pages) > 1000
    mean, median = statistics.fmean(scores), statistics.median(scores)
    assert mean >= F1_FLOOR, f"HTML-mode mean token F1 {mean:.4f} fell below the floor {F1_FLOOR}"
    assert median >= MEDIAN_FLOOR, f"HTML-mode median token F1 {median:.4f} fell below {MEDIAN_FLOOR}"
