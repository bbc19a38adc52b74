"""The PLOVER trigger lexicon (``dateline/data/plover_lexicon.tsv``) and mode words.

Entries are hand-written from the CAMEO codebook (see the file header for sources). Each entry is
a trigger lemma with a part of speech, an optional set of *with* lemmas (one of which must be a
syntactic neighbour: ``impose`` + ``sanction``), the PLOVER type, a CAMEO code and an implied mode.

The lexicon also knows the surface forms of every lemma (regular inflections plus a small table of
irregular ones) so that the cheap, parse-free pass can tell which sentences are worth parsing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT"})
"""Types whose intent ("will X") codes as AGREE and whose negation ("did not X") as REJECT."""

_IRREGULAR: dict[str, tuple[str, ...]] = {
    "beat": ("beat", "beaten", "beats", "beating"), "blow": ("blew", "blown"), "break": ("broke", "broken"),
    "give": ("gave", "given"), "hold": ("held",), "meet": ("met",), "seek": ("sought",), "send": ("sent",),
    "shoot": ("shot",), "strike": ("struck", "stricken"), "swear": ("swore", "sworn"), "take": ("took", "taken"),
    "withdraw": ("withdrew", "withdrawn"), "forgive": ("forgave", "forgiven"), "fight": ("fought",),
    "lay": ("laid",), "set": ("set",), "cut": ("cut",), "shut": ("shut",), "lead": ("led",),
    "hit": ("hit",), "undertake": ("undertook", "undertaken"), "begin": ("began", "begun"),
    "free": ("freed",), "pay": ("paid",), "deal": ("dealt",), "bring": ("brought",), "make": ("made",),
    "mass": ("massed",), "freeze": ("froze", "frozen"), "seize": ("seized",), "arise": ("arose",),
}
_VOWELS = "aeiou"


def surface_forms(lemma: str) -> frozenset[str]:
    """Lower-case word forms of ``lemma`` (regular verb and noun inflections plus irregular ones)."""
    w = lemma.lower()
    forms = {w, *(_IRREGULAR.get(w, ()))}
    if w.endswith("e"):
        forms |= {w + "s", w + "d", w[:-1] + "ing"}
    elif w.endswith("y") and len(w) > 2 and w[-2] not in _VOWELS:
        forms |= {w[:-1] + "ies", w[:-1] + "ied", w + "ing"}
    elif w.endswith(("s", "x", "z", "ch", "sh")):
        forms |= {w + "es", w + "ed", w + "ing"}
    else:
        forms |= {w + "s", w + "ed", w + "ing"}
        if len(w) >= 3 and w[-1] not in _VOWELS + "wxy" and w[-2] in _VOWELS and w[-3] not in _VOWELS:
            forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}  # ban -> banned, shell -> shelled
    return frozenset(forms)


@dataclass(frozen=True)
class TriggerEntry:
    """One lexicon line: a trigger lemma and what it codes."""

    type: str
    cameo: str
    mode: str | None
    lemma: str
    pos: str
    """``V`` verb, ``N`` noun, ``*`` either (adjectives such as *ready* use ``*``)."""
    with_lemmas: frozenset[str]
    """One of these must be a syntactic neighbour of the trigger (empty: no condition)."""


@dataclass(frozen=True)
class Lexicon:
    """Trigger entries by lemma, the surface forms that announce them, and mode words by type."""

    entries: dict[str, tuple[TriggerEntry, ...]]
    forms: dict[str, frozenset[str]]
    """Surface form -> lemmas it may stand for."""
    modes: dict[str, dict[str, str]]
    """PLOVER type -> {mode word lemma: mode}."""

    def lemmas_for_form(self, word: str) -> frozenset[str]:
        """Trigger lemmas a surface word may be an inflection of (empty when none)."""
        return self.forms.get(word.lower(), frozenset())

    def mentions_trigger(self, words: list[str]) -> bool:
        """True when any word may be a trigger (the parse-free filter for which sentences to parse)."""
        return any(w.lower() in self.forms for w in words)


_LINE = re.compile(r"^([A-Z]+)\t(\d+)\t(\S+)\t([a-z\-]+)\t([VN*])\t?(.*)$")


def parse_lexicon(text: str, modes_text: str = "") -> Lexicon:
    """Build a :class:`Lexicon` from the TSV texts (raises ValueError naming a malformed line)."""
    entries: dict[str, list[TriggerEntry]] = defaultdict(list)
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = _LINE.match(line.rstrip("\n"))
        if not m or m.group(1) not in PLOVER_TYPES:
            raise ValueError(f"plover lexicon line {n} is malformed: {line!r}")
        type_, cameo, mode, lemma, pos, with_ = m.groups()
        withs = frozenset(w for w in with_.strip().split("|") if w)
        entries[lemma].append(TriggerEntry(type_, cameo, None if mode == "-" else mode, lemma, pos, withs))
    forms: dict[str, set[str]] = defaultdict(set)
    for lemma in entries:
        for form in surface_forms(lemma):
            forms[form].add(lemma)
    modes: dict[str, dict[str, str]] = defaultdict(dict)
    for line in modes_text.splitlines():
        if line.strip() and not line.startswith("#"):
            type_, word, mode = line.split("\t")[:3]
            modes[type_][word] = mode.strip()
    return Lexicon(
        entries={k: tuple(v) for k, v in entries.items()},
        forms={k: frozenset(v) for k, v in forms.items()},
        modes=dict(modes),
    )


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon (read once per process)."""
    data = resources.files("dateline") / "data"
    return parse_lexicon(
        (data / "plover_lexicon.tsv").read_text(encoding="utf-8"),
        (data / "plover_modes.tsv").read_text(encoding="utf-8"),
    )
