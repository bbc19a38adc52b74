"""Build ``dateline/data/story_idf.tsv.gz``: background document frequencies for story clustering.

usage: .venv/bin/python scripts/build_story_idf.py [PAGES.jsonl.gz]

Counts, for every stemmed content word (:func:`dateline.story_text.content_words`), how many of the
Dragnet gold article texts (1,379 English news and blog pages, 2012; ``../shared/data/extraction``)
hold it. Only the derived counts are shipped (words seen in 2+ pages), never the texts. The first
line is ``#docs<TAB>N``.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dateline.story_text import content_words  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "extraction" / "dragnet" / "pages.jsonl.gz"
OUT = ROOT / "dateline" / "data" / "story_idf.tsv.gz"


def main() -> int:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    df: Counter[str] = Counter()
    n = 0
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        for line in fh:
            df.update(set(content_words(json.loads(line)["text"])))
            n += 1
    with gzip.GzipFile(OUT, "wb", mtime=0) as raw:
        raw.write(f"#docs\t{n}\n".encode())
        for term, c in sorted(df.items()):
            if c >= 2:
                raw.write(f"{term}\t{c}\n".encode())
    print(f"{OUT}: {n} documents, {sum(1 for c in df.values() if c >= 2)} terms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
