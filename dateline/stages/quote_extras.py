"""Attribution patterns outside the cue-verb frames of :mod:`quote_rules`.

* Trailing asides: a non-restrictive relative clause or apposition closing the content (``...
  Eric Fanning, who was his chief of staff``) is left out of it, as annotators do.
* Headline and transcript attributions: a line ``Paul Ryan: FBI Decision ... 'Defies Explanation'``
  or ``JAKE TAPPER: Donald Trump released ...`` attributes the rest of the line to the short
  capitalised name before the colon (PolNeAR annotates the colon as the cue). Generic labels
  (``The Latest:``, ``Editor's Note:``, ``UPDATE:``) are not speakers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_NAME_WORD = r"(?:[A-Z][\w.'\u2019&-]*|of|the|de)"
_HEADLINE = re.compile(
    rf"^[ \t]*({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,4}})[ \t]*(:)[ \t]+(\S[^\n]*?)[ \t]*$",
    re.M,
)
_LABEL_WORDS = frozenset(
    "latest note update updates notice daily email name watch read related photo photos video more editor"
    " editor's editor\u2019s correction source sources pledged superdelegates transcript live breaking".split()
)


@dataclass(frozen=True)
class HeadlineAttribution:
    """``Speaker: content`` on one line (article offsets)."""

    speaker: tuple[int, int]
    cue: tuple[int, int]
    content: tuple[int, int]


def headline_attributions(text: str) -> list[HeadlineAttribution]:
    """Every line of the form ``Name: content`` whose name is not a generic label."""
    out: list[HeadlineAttribution] = []
    for m in _HEADLINE.finditer(text):
        words = m.group(1).lower().split()
        if any(w in _LABEL_WORDS for w in words) or not any(ch.isalpha() for ch in m.group(3)):
            continue
        out.append(HeadlineAttribution(m.span(1), m.span(2), m.span(3)))
    return out


_TRAILING_DEPS = frozenset({"relcl", "appos"})
_TRAILING_BREAKS = frozenset({",", "\u2014", "\u2013", "--", "-", "("})


def trim_trailing_clause(parsed: Doc, off: int, content: tuple[int, int], cue: tuple[int, int]) -> tuple[int, int]:
    """Cut a trailing non-restrictive clause off a content span (``... Eric Fanning, who was his chief of
    staff``; ``..., referring to the party's convention``): annotators leave such asides out.

    Only a clause set off by a comma or dash whose subtree runs to the end of the content is cut, and
    never one that would leave less than three words.
    """
    s, e = content[0] - off, content[1] - off
    toks = [t for t in parsed if s <= t.idx < e]
    for t in toks:
        if t.dep_ not in _TRAILING_DEPS or t.i == 0:
            continue
        left = t.left_edge
        if left.i == 0 or parsed[left.i - 1].text not in _TRAILING_BREAKS or left.idx <= s:
            continue
        right = t.right_edge
        if right.idx + len(right.text) < e - 1:
            continue
        if cue[0] - off >= left.idx:  # the cue itself sits in the clause
            continue
        kept = [x for x in toks if x.i < left.i - 1 and not x.is_punct]
        if len(kept) < 3:
            continue
        last = kept[-1]
        return content[0], off + last.idx + len(last.text)
    return content


_BARE_DEPS = frozenset({"nsubj", "advmod", "npadvmod", "prep", "punct", "aux", "neg", "dative", "agent"})


def bare_cue(parsed: Doc, off: int) -> tuple[tuple[int, int], Token] | None:
    """The cue span and subject of a sentence that is only a reporting clause (``Trump said.``,
    ``he added on Tuesday.``): the quotation just before it is its content."""
    root = parsed[:].root
    if root.pos_ not in ("VERB", "AUX") or root.tag_ == "VBG":
        return None
    subj = [c for c in root.children if c.dep_ == "nsubj"]
    if not subj or subj[0].i > root.i or any(c.dep_ not in _BARE_DEPS for c in root.children):
        return None
    if any(t.text in ('"', "\u201c", "\u201d", "``", "''") for t in parsed):
        return None
    return (off + root.idx, off + root.idx + len(root.text)), subj[0]
