"""entities.v1 benchmark: alias-merge accuracy against bare spaCy NER, and throughput.

Usage (from the repository root)::

    .venv/bin/python bench/entities.py                 # cases + pages in ../shared/examples/pages
    .venv/bin/python bench/entities.py --repeat 5 --json /tmp/entities.json

Accuracy: on ``tests/alias_cases.jsonl`` (hand-built from real pages), a case is right when the
mention comes out with the expected canonical name, kind, country and role (negative cases: no
entity). The baseline is the bare NER a pipeline gets from ``en_core_web_sm``: right when an NER
span covers the mention and its text already is the canonical name (a negative case: no span).

Throughput: the example pages (text mode, the same extractor a user runs) go through the shared
cheap NER pass once, then entities.v1 on top; reported as entities/s and as the stage's cost
relative to the NER pass it reuses (the ratio is what CI-independent comparisons should look at).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dateline.models import Article, RawDocument  # noqa: E402
from dateline.nlp import analyse, load_model  # noqa: E402
from dateline.stages.entities import make  # noqa: E402
from dateline.stages.entity_eval import baseline_canonical, load_cases, score_case  # noqa: E402

CASES = ROOT / "tests" / "alias_cases.jsonl"
PAGES = ROOT.parent / "shared" / "examples" / "pages"
SEED = ROOT.parent / "shared" / "seeds" / "000_8551805d939eb4cd.txt"


def accuracy() -> dict[str, float | int]:
    """entities.v1 vs bare NER on the alias cases."""
    cases = load_cases(CASES)
    stage = make({})
    analyses = analyse(c["text"] for c in cases)
    ours = base = 0
    for case, analysis in zip(cases, analyses, strict=True):
        ours += score_case(case, stage.extract(analysis.doc)).ok
        base += baseline_canonical(case, [(e.start_char, e.end_char, e.text) for e in analysis.doc.ents])
    return {"cases": len(cases), "entities_v1": ours / len(cases), "bare_ner": base / len(cases)}


def _texts() -> list[str]:
    from dateline.extract import extract_document

    texts = []
    for path in sorted(PAGES.glob("*.flat.txt")) + ([SEED] if SEED.exists() else []):
        try:
            texts.append(extract_document(RawDocument(source=str(path), kind="text", content=path.read_bytes())).text)
        except Exception as exc:  # a page the extractor skips is not this bench's concern
            print(f"skip {path.name}: {type(exc).__name__}", file=sys.stderr)
    return texts


def throughput(repeat: int) -> dict[str, float | int]:
    """Entities per second of the stage alone, and its cost relative to the shared NER pass."""
    texts = _texts()
    load_model()
    stage = make({})
    analyse(texts[:1])  # warm-up (model, lexicon, city names)
    stage(Article(id="w", text=texts[0]), analyse(texts[:1])[0])
    ner_s = stage_s = 0.0
    n_entities = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        analyses = analyse(texts)
        t1 = time.perf_counter()
        for text, analysis in zip(texts, analyses, strict=True):
            n_entities += len(stage(Article(id="b", text=text), analysis).entities)
        t2 = time.perf_counter()
        ner_s += t1 - t0
        stage_s += t2 - t1
    chars = sum(len(t) for t in texts) * repeat
    return {
        "articles": len(texts) * repeat,
        "chars": chars,
        "entities": n_entities,
        "entities_per_s": n_entities / stage_s,
        "articles_per_s_stage": len(texts) * repeat / stage_s,
        "ner_pass_s": ner_s,
        "stage_s": stage_s,
        "stage_over_ner_ratio": stage_s / ner_s,
    }


def main() -> None:
    """Run both measurements and print them (optionally as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    acc = accuracy()
    print(f"alias cases: {acc['cases']}  entities.v1 {acc['entities_v1']:.1%}  bare NER {acc['bare_ner']:.1%}")
    thr = throughput(args.repeat)
    print(
        f"throughput: {thr['articles']} articles, {thr['entities']} entities; stage {thr['entities_per_s']:.0f} "
        f"entities/s ({thr['articles_per_s_stage']:.1f} articles/s); stage/NER-pass time ratio "
        f"{thr['stage_over_ner_ratio']:.3f}"
    )
    if args.json:
        args.json.write_text(json.dumps({"accuracy": acc, "throughput": thr}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
