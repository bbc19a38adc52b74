"""Benchmark events.v1 on PLOVER-GSR: the rule coder beside a keyword baseline, in one run.

    .venv/bin/python bench/events.py [--gold ../shared/data/events/plover-gsr.jsonl] [--limit N]

Each gold sentence goes in as an article's text verbatim. Both coders share the cheap NLP pass
and the entities.v1 output; the rule coder also pays for the dependency parse of the sentences it
wants. Predictions are scored by the shared scorer (``../shared/eval/score_events.py``), on all
sentences and on the two halves (even / odd position in the id-sorted file: the rules were tuned
looking at the even half only, the odd half is the cross-check). No PETRARCH-style coder runs here:
none is installable offline in this environment, so the only peer is the keyword baseline.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dateline.models import Article  # noqa: E402
from dateline.nlp import analyse  # noqa: E402
from dateline.stages.event_coder import KeywordCoder  # noqa: E402
from dateline.stages.event_rules import RuleCoder  # noqa: E402
from dateline.stages.events import EventsStage  # noqa: E402

SHARED = REPO.parent / "shared"
GOLD = SHARED / "data" / "events" / "plover-gsr.jsonl"
SCORER = SHARED / "eval" / "score_events.py"


def _entities_stage() -> Any:
    try:
        from dateline.stages.entities import make

        return make({})
    except ImportError:
        return None


def run(gold_path: Path, limit: int | None = None) -> dict[str, Any]:
    """Code every gold sentence with both coders; return predictions, timings and scores."""
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = gold[:limit] if limit else gold
    articles = [Article(id=g["id"], text=g["text"]) for g in gold]
    t0 = time.perf_counter()
    analyses = analyse(a.text for a in articles)
    ents = _entities_stage()
    if ents is not None:
        articles = [ents(a, an) for a, an in zip(articles, analyses, strict=True)]
    shared = time.perf_counter() - t0
    out: dict[str, Any] = {"n": len(gold), "shared_s": shared, "coders": {}}
    for name, stage in (("rules", EventsStage(coder=RuleCoder())), ("keyword", EventsStage(coder=KeywordCoder()))):
        t1 = time.perf_counter()
        preds = [stage(a, an) for a, an in zip(articles, analyses, strict=True)]
        secs = time.perf_counter() - t1 + shared
        out["coders"][name] = {"seconds": secs, "articles_per_s": len(gold) / secs,
                               "pred": [{"id": p.id, "events": list(p.events)} for p in preds]}
    with tempfile.TemporaryDirectory() as tmp:
        halves = {"all": gold, "tune (even)": gold[0::2], "held-out (odd)": gold[1::2]}
        for half, rows in halves.items():
            gpath = Path(tmp) / "gold.jsonl"
            gpath.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
            for name, res in out["coders"].items():
                ppath, jpath = Path(tmp) / f"{name}.jsonl", Path(tmp) / f"{name}.json"
                ppath.write_text("".join(json.dumps(r) + "\n" for r in res["pred"]), encoding="utf-8")
                subprocess.run([sys.executable, str(SCORER), str(ppath), str(gpath), "--json", str(jpath)],
                               check=True, capture_output=True)
                res.setdefault("scores", {})[half] = json.loads(jpath.read_text())
    return out


def report(out: dict[str, Any]) -> None:
    """Print the side-by-side tables."""
    r, k = out["coders"]["rules"], out["coders"]["keyword"]
    print(f"events.v1 on PLOVER-GSR ({out['n']} sentences); scorer {SCORER.name}")
    print(f"{'':26} {'rules P/R/F1':>20} {'keyword P/R/F1':>20}")
    for half in r["scores"]:
        for what in ("type", "triple"):
            a, b = r["scores"][half][what], k["scores"][half][what]
            print(f"{half + ' ' + what:26} {a[0]:6.3f} {a[1]:6.3f} {a[2]:6.3f} {b[0]:6.3f} {b[1]:6.3f} {b[2]:6.3f}")
    print("\nper type (all):            rules  P     R     F1   | keyword P     R     F1   | gold")
    pr, pk = r["scores"]["all"]["per_type"], k["scores"]["all"]["per_type"]
    for t in sorted(set(pr) | set(pk), key=lambda t: -max(pr.get(t, {}).get("gold", 0), pk.get(t, {}).get("gold", 0))):
        a, b = pr.get(t, {}), pk.get(t, {})
        print(f"  {t:<22} {a.get('p', 0):10.3f} {a.get('r', 0):5.3f} {a.get('f1', 0):5.3f} |"
              f" {b.get('p', 0):9.3f} {b.get('r', 0):5.3f} {b.get('f1', 0):5.3f} | {a.get('gold', b.get('gold', 0))}")
    print(f"\nspeed (incl. shared NER + entities pass {out['shared_s']:.1f}s): "
          f"rules {r['articles_per_s']:.1f} articles/s,"
          f" keyword {k['articles_per_s']:.1f} articles/s; ratio rules/keyword "
          f"{r['articles_per_s'] / k['articles_per_s']:.2f}")
    ft, fk = r["scores"]["all"]["type"][2], k["scores"]["all"]["type"][2]
    print(f"type F1 ratio rules/keyword {ft / max(fk, 1e-9):.2f}; triple F1 ratio "
          f"{r['scores']['all']['triple'][2] / max(k['scores']['all']['triple'][2], 1e-9):.2f}")


def main() -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--dump", type=Path, help="write the rule coder's predictions here (JSONL)")
    args = ap.parse_args()
    out = run(args.gold, args.limit)
    if args.dump:
        args.dump.write_text("".join(json.dumps(p) + "\n" for p in out["coders"]["rules"]["pred"]), encoding="utf-8")
    report(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
