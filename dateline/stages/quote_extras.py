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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dateline.stages.quote_rules import tokens_in

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
    toks = tokens_in(parsed, s, e)
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


_CUT_DEPS = frozenset({"conj", "advcl", "parataxis", "ccomp", "relcl", "acl", "appos", "prep", "npadvmod"})
_CUT_MARKERS = frozenset({"and", "but", "while", "whereas", "although", "though", "because", "as", "after", "before",
                          "when", "despite", "since", "even", "or", "so", "yet", "including", "which", "who"})


def trailing_cut(
    parsed: Doc, off: int, content: tuple[int, int], cue: tuple[int, int], reporting: Callable[[str], bool]
) -> tuple[tuple[int, int], str] | None:
    """The content without its outermost trailing clause or phrase that is set off by a comma, dash,
    semicolon or a coordinator (``... of his campaign, telling Stephanopoulos that ...``; ``... that he
    taught law, and added: ...``; ``..., while 4 in 10 want ...``), with a description of what was
    cut for the candidate scorer: its dependency, whether it is a reporting verb (``adding``,
    ``and said``), whether it has a subject of its own, and the word that opens it.

    Annotators leave such tails out of a content about as often as not, depending on what they are;
    the stage offers both spans and lets the scorer pick."""
    s, e = content[0] - off, content[1] - off
    toks = tokens_in(parsed, s, e)
    if len(toks) < 4:
        return None
    last = max(t.i for t in toks if not t.is_punct and not t.is_space) if any(not t.is_punct for t in toks) else -1
    first_i = toks[0].i
    for t in toks[1:]:
        if t.dep_ not in _CUT_DEPS or t.right_edge.i < last:
            continue
        left = t.left_edge
        if left.i <= first_i + 1 or cue[0] - off >= left.idx:
            continue
        opener = left
        before = parsed[left.i - 1]
        marker = opener.lower_ if opener.lower_ in _CUT_MARKERS else ""
        if before.lower_ in ("and", "but", "or", "while", "yet"):
            marker = before.lower_
            before = parsed[before.i - 1] if before.i > 0 else before
        if before.text not in _TRAILING_BREAKS and before.text not in (";", ":"):
            continue
        kept = [x for x in toks if x.i < before.i and not x.is_punct and not x.is_space]
        if len(kept) < 2:
            continue
        end = kept[-1]
        verb = t.pos_ in ("VERB", "AUX")
        rep = verb and reporting(t.lemma_.lower())
        subj = any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)
        desc = f"{t.dep_}|{t.tag_[:2] if verb else t.pos_}|rep={rep}|subj={subj}|m={marker}"
        return (content[0], off + end.idx + len(end.text)), desc
    return None


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
