"""Near-duplicate detection on a syndication test set built from real pages (Dragnet gold bodies and
the news-cluster reports): precision >= 0.99 and recall >= 0.95, hard negatives not flagged."""

from __future__ import annotations

import gzip
import json
import random
from urllib.parse import urlparse

from dateline.story_dedup import NearDuplicateIndex, duplicate_pairs, signature
from dateline.story_eval import pair_scores, syndicated_copy, syndication_set
from tests.conftest import DRAGNET, SHARED, need

DEV = SHARED / "data" / "stories" / "news-cluster-dev.jsonl.gz"


def _rows(path: str) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_syndication_set_precision_and_recall() -> None:
    pages = [(p["id"], urlparse(p.get("url") or "").netloc or "?", p["text"]) for p in _rows(str(need(DRAGNET)))]
    events = [(r["id"], str(r["event_id"]), r["text"]) for r in _rows(str(need(DEV)))]
    data = syndication_set(pages, events)
    assert len(data.duplicates) > 1000 and len(data.hard_negatives) > 1000
    predicted = duplicate_pairs(data.texts)
    precision, recall = pair_scores(predicted, data.duplicates)
    assert precision >= 0.99, precision
    assert recall >= 0.95, recall
    assert len(predicted & data.hard_negatives) <= 2


def test_each_edit_alone_is_still_a_copy() -> None:
    body = "\n\n".join(
        f"Paragraph {i} reports that the council met on Tuesday to discuss item {i} of the budget and the"
        f" new bridge over the river, which residents of district {i} have asked for since {2000 + i}."
        for i in range(8)
    )
    rng = random.Random(0)
    index = NearDuplicateIndex()
    assert index.add("orig", signature(body)) is None
    for k, edits in enumerate((["boilerplate"], ["trim"], ["headline"], ["boilerplate", "trim", "headline"])):
        assert index.add(f"copy{k}", signature(syndicated_copy(body, rng, edits))) == "orig", edits


def test_short_bodies_are_never_copies() -> None:
    assert signature("Chat with us in Facebook Messenger.") is None
    index = NearDuplicateIndex()
    assert index.add("a", None) is None
