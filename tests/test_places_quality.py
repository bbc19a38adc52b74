"""Quality gate for places.v1: Acc@161 km on LGL and TR-News (from ../shared) stays above floors.

Scored by the shared scorer (``../shared/eval/score_places.py``). To stay under ~2 minutes on a
2-core machine, LGL is sampled (every third article, deterministic); TR-News is used whole.
Full-set numbers and the baseline comparison come from ``bench/places.py``.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dateline.models import Article
from dateline.nlp import analyse
from dateline.stages.places import places_of

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = SHARED / "data" / "places"
SCORER = SHARED / "eval" / "score_places.py"

# Floors a little below what places.v1 reaches on these samples (LGL 1/3: 0.852, TR-News: 0.905).
FLOORS = {"lgl": (3, 0.84), "trnews": (1, 0.89)}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_places_accuracy_floor(name: str, tmp_path: Path) -> None:
    gold_path = DATA / f"{name}.jsonl.gz"
    if not gold_path.exists() or not SCORER.exists():
        pytest.skip(f"shared places data not found: {gold_path}")
    step, floor = FLOORS[name]
    with gzip.open(gold_path, "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh][::step]
    analyses = analyse(r["text"] for r in recs)
    pred, gold = tmp_path / "pred.jsonl", tmp_path / "gold.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        for r, a in zip(recs, analyses, strict=True):
            places = places_of(Article(id=r["id"], text=r["text"], url=r.get("url")), a)
            for p in places:
                assert r["text"][p["start"]:p["end"]] == p["text"]
            out.write(json.dumps({"id": r["id"], "places": places}) + "\n")
    gold.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    result = tmp_path / "score.json"
    subprocess.run([sys.executable, str(SCORER), str(pred), str(gold), "--json", str(result)], check=True,
                   capture_output=True)
    score = json.loads(result.read_text())
    assert score["acc"] >= floor, f"{name}: Acc@161 {score['acc']:.3f} < floor {floor} ({score})"
    assert score["span_p"] >= 0.8, f"{name}: span precision {score['span_p']:.3f}"
