"""CI quality gate for quotes.v1: relation F1 on PolNeAR dev, scored by the shared scorer.

The floor sits a little below what the stage reaches (see ``bench/quotes.py`` and ``docs/quotes.md``),
so a rule, lexicon or scorer-model change that costs accuracy fails here.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dateline.models import Article
from dateline.nlp import analyse
from dateline.stages.quotes import QuotesStage

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "data" / "quotes" / "polnear-dev.jsonl.gz"
SCORER = SHARED / "eval" / "score_quotes.py"

RELATION_F1_FLOOR = 0.64
DIRECT_F1_FLOOR = 0.82
INDIRECT_F1_FLOOR = 0.595


@pytest.fixture(scope="module")
def dev_metrics(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Scorer metrics of quotes.v1 over PolNeAR dev."""
    if not DEV.exists() or not SCORER.exists():
        pytest.skip(f"PolNeAR dev or scorer not found under {SHARED}")
    with gzip.open(DEV, "rt", encoding="utf-8") as fh:
        gold = [json.loads(line) for line in fh if line.strip()]
    stage = QuotesStage()
    tmp = tmp_path_factory.mktemp("quotes")
    pred_path, out_path = tmp / "pred.jsonl", tmp / "metrics.json"
    with pred_path.open("w", encoding="utf-8") as fh:
        for rec, analysis in zip(gold, analyse(r["text"] for r in gold), strict=True):
            quotes = stage.extract(Article(id=rec["id"], text=rec["text"]), analysis)
            fh.write(json.dumps({"id": rec["id"], "quotes": quotes}) + "\n")
    subprocess.run([sys.executable, str(SCORER), str(pred_path), str(DEV), "--json", str(out_path)],
                   check=True, capture_output=True)
    return dict(json.loads(out_path.read_text()))


def test_relation_f1_floor(dev_metrics: dict[str, Any]) -> None:
    assert dev_metrics["relation"][2] >= RELATION_F1_FLOOR


def test_direct_and_indirect_floors(dev_metrics: dict[str, Any]) -> None:
    by_kind = dev_metrics["by_kind"]
    assert by_kind["direct"]["relation"][2] >= DIRECT_F1_FLOOR
    assert by_kind["indirect"]["relation"][2] >= INDIRECT_F1_FLOOR
