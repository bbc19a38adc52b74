"""The cue lexicon: which verbs (and in which frame) introduce what someone said, thought or reported.

The lexicon lives in ``dateline/data/quote_cues.tsv`` as ``lemma<TAB>frame:precision,...<TAB>forms``.
It was learned from the PolNeAR training split (``python bench/quotes.py --build-lexicon``): for every
verb lemma and frame, the share of its occurrences that annotators marked as an attribution cue with
that frame's span as content. Pairs below a precision floor are left out, so "called" with a
``ccomp`` is a cue while "called" with a plain object is not.

The surface forms let the stage pick, from the cheap pass alone, which sentences are worth a
dependency parse; the ``ccomp``/``clause`` precisions tell which verbs report speech (``X said.``).
Candidates are scored by :mod:`quote_model`; the precisions score them only with ``scorer: lexicon``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

LEXICON_RESOURCE = "quote_cues.tsv"
QUOTE_CHARS = "\"\u201c\u201d\u201e\u00ab\u00bb"
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class CueLexicon:
    """Cue lemmas with per-frame precision, and the word forms that trigger a parse."""

    frames: dict[str, dict[str, float]]
    forms: frozenset[str] = field(default_factory=frozenset)
    lemma_forms: dict[str, frozenset[str]] = field(default_factory=dict)
    """The learned surface forms of each lemma (beside its regular inflections)."""
    _forms_at: dict[float, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def precision(self, lemma: str, frame: str) -> float:
        """Learned precision of ``lemma`` as a cue in ``frame`` (0.0 when unknown)."""
        return self.frames.get(lemma, {}).get(frame, 0.0)

    def triggers(self, sentence: str, min_precision: float = 0.0) -> bool:
        """True if a sentence may hold an attribution: a quotation mark, "according", or a form of a
        cue lemma with some frame of precision ``min_precision`` or more (the stage drops the rest,
        so a sentence whose only cue word is, say, "was" need not be parsed)."""
        if any(ch in sentence for ch in QUOTE_CHARS) or "''" in sentence or "``" in sentence:
            return True
        forms = self.forms_at(min_precision)
        return any(w.lower() in forms for w in _WORD.findall(sentence))

    def forms_at(self, min_precision: float) -> frozenset[str]:
        """The trigger forms of the lemmas that can pass ``min_precision`` (cached per threshold)."""
        cached = self._forms_at.get(min_precision)
        if cached is None:
            if min_precision <= 0.0:
                cached = self.forms
            else:
                weak = {lemma for lemma, table in self.frames.items()
                        if max(table.values(), default=0.0) < min_precision}
                strong = {lemma for lemma in self.frames if lemma not in weak}
                keep = {"according"}
                for lemma in strong:
                    keep |= inflections(lemma) | self.lemma_forms.get(lemma, frozenset())
                cached = frozenset(keep & self.forms)
            self._forms_at[min_precision] = cached
        return cached


def inflections(lemma: str) -> set[str]:
    """Regular English verb forms of a lemma (irregular ones come from the lexicon file)."""
    base = lemma.split("_")[0]
    out = {base, base + "s", base + "ed", base + "ing", base + "d"}
    if base.endswith("e"):
        out |= {base[:-1] + "ing"}
    if base.endswith(("s", "sh", "ch", "x", "z", "o")):
        out.add(base + "es")
    if base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou":
        out |= {base[:-1] + "ies", base[:-1] + "ied"}
    return out


def parse_lexicon(text: str) -> CueLexicon:
    """Read the TSV lexicon format (``#`` comments allowed)."""
    frames: dict[str, dict[str, float]] = {}
    forms: set[str] = {"according"}
    lemma_forms: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        lemma = parts[0].strip()
        table: dict[str, float] = {}
        for item in parts[1].split(",") if len(parts) > 1 else []:
            frame, _, prec = item.rpartition(":")
            if frame:
                table[frame] = float(prec)
        frames[lemma] = table
        forms |= inflections(lemma)
        if len(parts) > 2:
            learned = frozenset(f for f in parts[2].split(",") if f)
            forms |= learned
            lemma_forms[lemma] = learned
    return CueLexicon(frames=frames, forms=frozenset(forms), lemma_forms=lemma_forms)


@lru_cache(maxsize=1)
def default_lexicon() -> CueLexicon:
    """The packaged lexicon (read once per process)."""
    return parse_lexicon(files("dateline").joinpath("data", LEXICON_RESOURCE).read_text(encoding="utf-8"))
