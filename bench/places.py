"""Benchmark places.v1 against the gazetteer-only baseline on LGL and TR-News, side by side.

    .venv/bin/python bench/places.py [--sets lgl,trnews] [--limit N] [--json OUT]

Both systems read the gold text verbatim (as the article text, with the article URL the corpus
gives) and are scored by ``../shared/eval/score_places.py`` (Acc@161 km, span P/R, mean error km).

* **ours**: the shared spaCy pass (``dateline.nlp.analyse``, the pipeline's one NER pass; counted in
  the timing) + ``places.v1``;
* **baseline** "gazetteer-only: largest population wins": capitalised 1-3 word n-grams (longest
  first) matched against the same gazetteer restricted to countries, US states and towns of at
  least 1,000 inhabitants; the most populous match wins; no context.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dateline.models import Article  # noqa: E402
from dateline.stages.place_gazetteer import Gazetteer, load_gazetteer  # noqa: E402

SHARED = ROOT.parent / "shared"
DATA = SHARED / "data" / "places"
SCORER = SHARED / "eval" / "score_places.py"
_NGRAM = re.compile(r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,2}")

Record = dict[str, Any]
STAGE_SECONDS: list[float] = []
"""Time spent in places.v1 itself (after the shared NER pass), per set."""


def read_set(name: str, limit: int | None) -> list[Record]:
    """Gold articles of one development set."""
    with gzip.open(DATA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    return recs[:limit] if limit else recs


def baseline_places(text: str, gaz: Gazetteer) -> list[Record]:
    """Gazetteer-only: capitalised n-grams, largest population wins."""
    out: list[Record] = []
    for m in _NGRAM.finditer(text):
        words = list(re.finditer(r"\S+", m.group(0)))
        pos = 0
        while pos < len(words):
            for n in range(len(words) - pos, 0, -1):
                s, e = m.start() + words[pos].start(), m.start() + words[pos + n - 1].end()
                while e > s and text[e - 1] in ".,;:'":
                    e -= 1
                cands = [c.entry for c in gaz.lookup(text[s:e]) if c.primary and (
                    c.entry.kind == "country" or (c.entry.kind == "admin1" and c.entry.country == "US")
                    or (c.entry.kind == "city" and c.entry.population >= 1000))]
                if cands:
                    best = max(cands, key=lambda c: c.population)
                    out.append({"start": s, "end": e, "text": text[s:e], "lat": best.lat, "lon": best.lon})
                    pos += n
                    break
            else:
                pos += 1
    return out


def baseline_all(recs: list[Record], gaz: Gazetteer) -> list[list[Record]]:
    """The baseline over every article."""
    return [baseline_places(r["text"], gaz) for r in recs]


def ours_places(recs: list[Record]) -> list[list[Record]]:
    """places.v1 over the articles, with the pipeline's shared NER pass."""
    from dateline.nlp import analyse
    from dateline.stages.places import places_of

    analyses = analyse(r["text"] for r in recs)
    t0 = time.perf_counter()
    out = [places_of(Article(id=r["id"], text=r["text"], url=r.get("url")), a)
           for r, a in zip(recs, analyses, strict=True)]
    STAGE_SECONDS.append(time.perf_counter() - t0)
    return out


def score(pred: list[list[Record]], recs: list[Record], gold_name: str, tmp: Path, label: str) -> Record:
    """Write predictions, run the shared scorer, return its JSON summary."""
    pred_path, out_path = tmp / f"{label}.jsonl", tmp / f"{label}.json"
    with pred_path.open("w", encoding="utf-8") as fh:
        for r, places in zip(recs, pred, strict=True):
            fh.write(json.dumps({"id": r["id"], "places": places}) + "\n")
    gold_path = DATA / f"{gold_name}.jsonl.gz"
    with gzip.open(gold_path, "rt") as fh:
        n_gold = sum(1 for _ in fh)
    if len(recs) < n_gold:
        gold_path = tmp / f"{label}.gold.jsonl"
        gold_path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    subprocess.run([sys.executable, str(SCORER), str(pred_path), str(gold_path), "--json", str(out_path)],
                   check=True, capture_output=True)
    result: Record = json.loads(out_path.read_text())
    return result


def timed(fn: Callable[[], list[list[Record]]]) -> tuple[list[list[Record]], float]:
    """Run ``fn`` and return its result and wall time."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> int:
    """Run the benchmark and print the side-by-side table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sets", default="lgl,trnews")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not SCORER.exists():
        print(f"shared data not found beside the checkout: {SCORER}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    gaz = load_gazetteer()
    print(f"gazetteer loaded in {time.perf_counter() - t0:.1f}s (once per process, not in the timings)")
    from dateline.nlp import load_model

    load_model()
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for name in args.sets.split(","):
            recs = read_set(name, args.limit)
            ours, t_ours = timed(partial(ours_places, recs))
            base, t_base = timed(partial(baseline_all, recs, gaz))
            rows = {"ours (places.v1)": (score(ours, recs, name, tmp, f"{name}-ours"), t_ours),
                    "baseline (largest population)": (score(base, recs, name, tmp, f"{name}-base"), t_base)}
            print(f"\n{name}: {len(recs)} articles")
            print(f"{'system':32} {'Acc@161':>8} {'span P':>7} {'span R':>7} {'mean km':>8} {'med km':>7} "
                  f"{'art/s':>7}")
            for label, (res, t) in rows.items():
                med = res["median_km"] if res["median_km"] is not None else float("nan")
                mean = res["mean_km"] if res["mean_km"] is not None else float("nan")
                print(f"{label:32} {res['acc']:8.3f} {res['span_p']:7.3f} {res['span_r']:7.3f} {mean:8.0f} "
                      f"{med:7.1f} {len(recs) / t:7.1f}")
            (o, to), (b, tb) = rows.values()
            print(f"{'ratio ours/baseline':32} {o['acc'] / max(b['acc'], 1e-9):8.2f} "
                  f"{o['span_p'] / max(b['span_p'], 1e-9):7.2f} {o['span_r'] / max(b['span_r'], 1e-9):7.2f} "
                  f"{(o['mean_km'] or 0) / max(b['mean_km'] or 1e-9, 1e-9):8.2f} {'':7} {tb / to:7.2f}")
            print(f"places.v1 alone (after the shared NER pass every stage uses): "
                  f"{len(recs) / STAGE_SECONDS[-1]:.1f} articles/s; ratio to baseline {tb / STAGE_SECONDS[-1]:.2f}")
            report[name] = {k: {**v[0], "seconds": v[1]} for k, v in rows.items()}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
