"""Dependency rules for attributions inside one parsed sentence.

A *frame* is the grammatical slot of a cue verb that holds what was said, thought or reported:

* ``ccomp``  – ``She said [that the army had the coordinates]``
* ``xcomp``  – ``He wants [to bring them]``
* ``dobj``   – ``They endorsed [Sanders]`` (only for verbs whose object is commonly the content)
* ``prep:X`` – ``He called for [a cultural war]`` (object of a particle/preposition)
* ``head``   – ``[The police had trained for months], a spokesman said`` (the cue clause hangs off
  the content clause, as the parser often does with inverted reporting clauses)
* ``colon``  – ``Breitbart News responded: [...]`` (content after a colon)
* ``deep``   – ``are showing signs of [irritation]`` (object of the first preposition on the verb's
  object or complement: PolNeAR counts the light noun in the cue)

Which (cue lemma, frame) pairs count is decided by the lexicon (:mod:`quote_cues`), learned from the
PolNeAR training split; this module only finds the frames and spans, in article character offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dateline.nlp import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
_CONTENT_DEPS = ("ccomp", "xcomp", "dobj")
RAISING_LEMMAS = frozenset({"seem", "appear", "look", "sound"})
"""Cues whose subject is what the impression is about, not its source (PolNeAR gives no source)."""
_CLIMB_DEPS = ("advcl", "xcomp", "conj", "pcomp", "prep", "pobj")
"""Dependencies a subjectless cue climbs to find its speaker (``..., saying``; ``by saying``)."""
_POST_SPEAKER_DEPS = ("dobj", "attr", "dep", "npadvmod", "oprd", "appos")
_TRIM = " \t\r\n,;:-—–"
_PRONOUN_POS = ("PRON",)


@dataclass(frozen=True)
class Candidate:
    """A cue token with one frame and the spans it implies (article offsets)."""

    lemma: str
    frame: str
    cue: tuple[int, int]
    content: tuple[int, int]
    speaker: tuple[int, int] | None
    name: tuple[int, int] | None = None
    """The proper-name core of the speaker phrase (``Riad Haddad`` in ``Syrian Ambassador to Russia
    Riad Haddad``), when it has one."""
    feats: tuple[str, ...] = ()
    """Parse features of the cue, frame, speaker and content (scored by :mod:`quote_model`)."""


def tokens_in(parsed: Doc, start: int, end: int) -> list[Token]:
    """The tokens of a parsed sentence that start inside ``[start, end)`` (sentence offsets)."""
    if end <= start:
        return []
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None:
        return [t for t in parsed if start <= t.idx < end]
    return [t for t in span if start <= t.idx < end]


def cue_lemma(tok: Token) -> str:
    """The lexicon key of a verb: its lemma, joined with a particle (``point_out``)."""
    prt = [c.lower_ for c in tok.children if c.dep_ == "prt"]
    lemma = tok.lemma_.lower()
    return f"{lemma}_{prt[0]}" if prt else lemma


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def subtree_span(tok: Token, off: int) -> tuple[int, int]:
    """Character span (article offsets) of a token's subtree, trimmed of edge punctuation."""
    left, right = tok.left_edge, tok.right_edge
    text = doc_text(tok.doc)
    s, e = _trimmed(text, left.idx, right.idx + len(right.text))
    return off + s, off + e


def speaker_token(verb: Token) -> Token | None:
    """The head of the speaker phrase of a cue verb.

    Active subject, passive agent (``was criticized by X``), or for a subjectless participle,
    infinitive or conjunct (``..., saying ...``; ``and added ...``) the subject of the verb it hangs
    off. A passive without agent has no speaker (``it was reported that ...``).
    """
    if verb.lemma_.lower() in RAISING_LEMMAS:
        return None  # ``the race seemed to be hers to lose``: an impression, not anyone's claim
    if verb.tag_ == "VBN" and verb.dep_ == "advcl":
        return None  # ``Asked about X, Trump said``: the asker is not named
    post = _post_verbal_speaker(verb)
    if post is not None:
        return post
    tok: Token | None = verb
    for _ in range(6):
        assert tok is not None
        for child in tok.children:
            if child.dep_ in ("nsubj", "csubj"):
                return child
            if child.dep_ == "agent":
                pobj = [c for c in child.children if c.dep_ == "pobj"]
                return pobj[0] if pobj else None
            if child.dep_ == "nsubjpass":
                return None
        if tok.dep_ in _CLIMB_DEPS and tok.head.i != tok.i:
            tok = tok.head
            continue
        if tok.dep_ in ("relcl", "acl") and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok.head  # ``a statement calling on ...``: the noun the clause modifies
        return None
    return None


def _post_verbal_speaker(verb: Token) -> Token | None:
    """``"...," said retired neurosurgeon Ben Carson``: the parser often labels the inverted
    subject as an object or attribute. Only after a quotation or comma, and only with no subject."""
    if any(c.dep_ in SUBJECT_DEPS for c in verb.children) or verb.i == 0:
        return None
    before = verb.doc[verb.i - 1].text
    if before not in (",", '"', "”", "''") and not before.endswith(("”", '"')):
        return None
    for child in verb.rights:
        if child.dep_ in _POST_SPEAKER_DEPS and child.pos_ in ("PROPN", "NOUN", "PRON"):
            return child
    return None


def speaker_span(tok: Token, verb: Token, off: int) -> tuple[int, int]:
    """The speaker phrase: the subject's subtree, or for a noun modified by the cue clause itself
    (``a statement calling on ...``) the noun phrase up to the noun."""
    if verb.i != tok.i and tok.left_edge.i <= verb.i <= tok.right_edge.i:
        text = doc_text(tok.doc)
        s, e = _trimmed(text, tok.left_edge.idx, tok.idx + len(tok.text))
        return off + s, off + e
    return subtree_span(tok, off)


def name_core(tok: Token, off: int) -> tuple[int, int] | None:
    """The last run of two or more proper nouns in the speaker phrase, or the head if it is one.

    Place names glued to the run (``Russia`` in ``Ambassador to Russia Riad Haddad``) are cut off
    later by the speaker resolver, which has the article's entity mentions.
    """
    toks = list(tok.subtree)
    runs: list[list[Token]] = []
    for t in toks:
        if t.pos_ == "PROPN":
            if runs and runs[-1][-1].i == t.i - 1:
                runs[-1].append(t)
            else:
                runs.append([t])
    long_runs = [r for r in runs if len(r) >= 2]
    pick = long_runs[-1] if long_runs else next((r for r in runs if tok in r), None)
    if not pick:
        return None
    return off + pick[0].idx, off + pick[-1].idx + len(pick[-1].text)


def sentence_speaker(parsed: Doc, off: int, before: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(cue, speaker) spans of a sentence's main clause when its subject ends before ``before``:
    the owner of a quotation embedded mid-sentence (``Clinton opposes "arbitrary pay freezes"``)."""
    roots = [t for t in parsed if t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX")]
    for root in roots:
        subj = [c for c in root.children if c.dep_ in ("nsubj", "csubj")]
        if subj and off + subj[0].right_edge.idx < before and off + root.idx < before:
            return (off + root.idx, off + root.idx + len(root.text)), subtree_span(subj[0], off)
    return None


def _head_frame_span(verb: Token, off: int) -> tuple[int, int] | None:
    """Content for an inverted cue clause attached under the content clause."""
    head = verb.head
    if head.i == verb.i or verb.dep_ not in ("parataxis", "ccomp", "advcl", "conj"):
        return None
    if not any(c.dep_ in SUBJECT_DEPS for c in verb.children) or verb.i < head.i:
        return None
    if any(c.dep_ in ("ccomp", "xcomp") for c in verb.children):
        return None
    # The cue clause must close the sentence (``..., a spokesman said in a statement.``).
    tail = [t for t in verb.doc[verb.right_edge.i + 1 :] if not t.is_punct]
    if tail:
        return None
    s_char = head.left_edge.idx
    e_char = verb.left_edge.idx
    s2, e2 = _trimmed(doc_text(verb.doc), s_char, e_char)
    if e2 - s2 < 3:
        return None
    return off + s2, off + e2


def _colon_span(verb: Token, off: int) -> tuple[int, int] | None:
    """Content after a colon that closes the cue clause (``X said: ...``)."""
    doc = verb.doc
    for j in range(verb.i + 1, min(len(doc), verb.i + 6)):
        if doc[j].text == ":":
            rest = doc[j + 1 :]
            text = doc_text(doc)
            if len(rest) == 0:
                return (off + len(text), off + len(text))  # pending: content follows
            s, e = _trimmed(text, rest[0].idx, len(text))
            return off + s, off + e
        if doc[j].dep_ in _CONTENT_DEPS or doc[j].is_sent_end:
            return None
    return None


_CUE_CLAUSE_DEPS = frozenset(
    {"nsubj", "nsubjpass", "aux", "auxpass", "neg", "advmod", "npadvmod", "prep", "agent", "dative",
     "punct", "prt", "cc", "mark", "dobj", "attr", "dep", "appos", "oprd"}
)


def _clause_span(verb: Token, off: int) -> tuple[int, int] | None:
    """The whole sentence except the reporting clause, for a cue that heads the sentence (``X said
    Y``; ``Y, X said``; ``Y, X said, Z``): robust where the parser mislabels the content."""
    root = verb.sent.root
    if verb.i != root.i and not (verb.head.i == root.i and verb.dep_ in ("parataxis", "ccomp", "conj", "advcl")):
        return None
    if verb.i != root.i and not any(c.dep_ in SUBJECT_DEPS for c in verb.children):
        return None
    drop = {verb.i}
    post = _post_verbal_speaker(verb)
    has_comp = any(c.dep_ in ("ccomp", "xcomp") for c in verb.children)
    for child in verb.children:
        if child.dep_ not in _CUE_CLAUSE_DEPS:
            continue
        if child.dep_ in ("dobj", "attr", "dep"):
            is_speaker = post is not None and post.i == child.i
            addressee = child.i > verb.i and has_comp  # ``told CNN that ...``
            if not (is_speaker or addressee):
                continue
        drop.update(t.i for t in child.subtree)
    keep = [t for t in verb.sent if t.i not in drop and not t.is_punct and not t.is_space]
    if not keep:
        return None
    text = doc_text(verb.doc)
    s, e = _trimmed(text, keep[0].idx, keep[-1].idx + len(keep[-1].text))
    return off + s, off + e


_REST_SKIP = frozenset({"punct", "prt", "agent", "cc", "mark", "npadvmod", "advmod", "aux", "auxpass", "neg"})
_REST_STOP = frozenset({"conj", "parataxis", "advcl"})
_SET_OFF = frozenset({",", ";", ":", "\u2014", "\u2013", "--", "-", "("})


def _rest_span(verb: Token, off: int) -> tuple[tuple[int, int], str] | None:
    """Everything the verb governs to its right, up to a comma-set-off clause or a second predicate:
    the object with its predicate and modifiers (``called him a "talented guy"``; ``calls for Silicon
    Valley to roll back ...``; ``proposed a steep levy last year on ...``)."""
    post = _post_verbal_speaker(verb)
    keep: list[Token] = []
    for child in verb.rights:
        if child.dep_ == "conj" or (child.dep_ == "cc" and keep):
            break
        if child.dep_ in _REST_STOP and child.left_edge.i > 0 and verb.doc[child.left_edge.i - 1].text in _SET_OFF:
            break
        if child.dep_ in _REST_SKIP or (post is not None and child.i == post.i):
            if keep and child.dep_ not in ("punct", "cc"):
                keep.append(child)
            continue
        keep.append(child)
    while keep and keep[-1].dep_ in _REST_SKIP:
        keep.pop()
    if not keep:
        return None
    text = doc_text(verb.doc)
    right = keep[-1].right_edge
    s, e = _trimmed(text, keep[0].left_edge.idx, right.idx + len(right.text))
    if e <= s:
        return None
    parts = "+".join(dict.fromkeys(k.dep_ for k in keep if k.dep_ not in _REST_SKIP))
    return (off + s, off + e), parts


_DEEP_DEPS = frozenset({"dobj", "attr", "acomp"})


def _prep_object(prep: Token) -> Token | None:
    """The first object of a preposition (``pobj`` or ``pcomp``), if any."""
    return next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)


def _deep_object(child: Token, off: int) -> tuple[tuple[int, int], tuple[str, ...]] | None:
    """The object of the first preposition on a verb's object or complement: PolNeAR counts the
    light noun or adjective as part of a multi-word cue (``showing signs of [irritation]``, ``has no
    such praise for [Clinton]``, ``was more measured on [the topic]``). The noun and preposition are
    features, so which ones make cues is learned."""
    for gc in child.rights:
        if gc.dep_ != "prep":
            continue
        obj = _prep_object(gc)
        if obj is None:
            return None
        return subtree_span(obj, off), (f"dn={child.lemma_.lower()}", f"dp={gc.lower_}")
    return None


def frames(verb: Token, off: int) -> Iterator[tuple[str, tuple[int, int], tuple[str, ...]]]:
    """Every (frame, content span, frame-specific features) a token offers, whatever its lemma."""
    for child in verb.children:
        dep = child.dep_
        if dep in _CONTENT_DEPS:
            if dep == "dobj" and child.pos_ in _PRONOUN_POS:
                continue
            yield dep, subtree_span(child, off), ()
        if dep in _DEEP_DEPS:
            deep = _deep_object(child, off)
            if deep is not None:
                yield "deep", deep[0], deep[1]
        if dep == "prep":
            obj = _prep_object(child)
            if obj is not None:
                yield f"prep:{child.lower_}", subtree_span(obj, off), ()
    clause = _clause_span(verb, off)
    if clause is not None:
        yield "clause", clause, ()
    head = _head_frame_span(verb, off)
    if head is not None:
        yield "head", head, ()
    colon = _colon_span(verb, off)
    if colon is not None:
        yield "colon", colon, ()
    rest = _rest_span(verb, off)
    if rest is not None:
        yield "rest", rest[0], (f"rx={rest[1]}",)


def candidates(parsed: Doc, off: int) -> Iterator[Candidate]:
    """Every cue-like token and frame of a parsed sentence (the lexicon filters them later)."""
    for tok in parsed:
        if tok.pos_ not in ("VERB", "AUX") and tok.dep_ != "ROOT":
            continue
        lemma = cue_lemma(tok)
        cue = (off + tok.idx, off + tok.idx + len(tok.text))
        spk_tok = speaker_token(tok)
        speaker = speaker_span(spk_tok, tok, off) if spk_tok is not None else None
        name = name_core(spk_tok, off) if spk_tok is not None else None
        if name is not None and speaker is not None and not speaker[0] <= name[0] < name[1] <= speaker[1]:
            name = None  # a name inside the cue clause itself (``countries calling on Islamic State``)
        base = _cue_features(tok, spk_tok)
        for frame, content, extra in frames(tok, off):
            if speaker is not None and content[0] <= speaker[0] < content[1] and frame not in ("head", "clause"):
                continue
            feats = frame_features(lemma, frame, base + extra, _content_features(parsed, off, content))
            yield Candidate(lemma, frame, cue, content, speaker, name, feats)
    yield from noun_cues(parsed, off)
    yield from according_to(parsed, off)
    yield from in_source(parsed, off)


_CLAUSE_OPENERS = frozenset({"that", "to", "whether"})


def noun_cues(parsed: Doc, off: int) -> Iterator[Candidate]:
    """Nominal cues with a clausal complement (``his suggestion [that a judge can't be impartial]``,
    ``allegations [that he assaulted ...]``, ``her promise [to build a wall]``): the ``noun`` frame, the
    possessor or a ``by``/``from`` object as speaker (none otherwise). Scored by the model like verb
    frames, so which nouns count is learned (``the fact that`` or ``time to`` rarely do)."""
    for tok in parsed:
        if tok.pos_ != "NOUN":
            continue
        comp = [c for c in tok.rights if c.dep_ in ("acl", "ccomp") and c.left_edge.lower_ in _CLAUSE_OPENERS]
        if not comp:
            continue
        spk_tok = next((c for c in tok.lefts if c.dep_ == "poss"), None)
        if spk_tok is None:
            for prep in (c for c in tok.rights if c.dep_ == "prep" and c.lower_ in ("by", "from")):
                spk_tok = next((c for c in prep.children if c.dep_ == "pobj"), None)
                if spk_tok is not None:
                    break
        speaker = subtree_span(spk_tok, off) if spk_tok is not None else None
        name = name_core(spk_tok, off) if spk_tok is not None else None
        content = subtree_span(comp[0], off)
        lemma = tok.lemma_.lower()
        det = next((c.lower_ for c in tok.lefts if c.dep_ == "det"), "-")
        base = (*_cue_features(tok, spk_tok), f"nd={tok.dep_}", f"dt={det}")
        feats = frame_features(lemma, "noun", base, _content_features(parsed, off, content))
        yield Candidate(lemma, "noun", (off + tok.idx, off + tok.idx + len(tok.text)), content, speaker, name, feats)


_WH = frozenset({"that", "to", "whether", "if", "what", "how", "why", "when", "who", "which", "where", "for"})
_PERSON_PRONOUNS = frozenset({"he", "she", "i", "him", "her", "me"})
_GROUP_PRONOUNS = frozenset({"they", "we", "them", "us", "you"})
_REL_PRONOUNS = frozenset({"who", "which", "that", "whom"})
SOURCE_NOUNS = frozenset(
    {"statement", "report", "letter", "poll", "survey", "study", "memo", "release", "analysis", "data",
     "document", "documents", "filing", "complaint", "ruling", "tweet", "post", "ad", "email", "emails",
     "research", "records", "article", "editorial", "book", "video", "interview", "speech", "website",
     "campaign", "spokesman", "spokeswoman", "spokesperson", "official", "officials", "aide", "aides",
     "adviser", "advisers", "source", "sources", "people", "voters", "critics", "supporters", "analysts",
     "experts", "polls", "surveys", "reports", "studies", "group", "committee", "party", "administration"}
)
"""Common nouns that head the subject of a report often (documents, polls, officials, groups)."""


def speaker_kind(tok: Token | None) -> str:
    """A coarse class of the speaker head: pronoun kinds, proper name, source noun, other noun."""
    if tok is None:
        return "none"
    low = tok.lower_
    if tok.pos_ == "PRON":
        if low in _PERSON_PRONOUNS:
            return "pp"
        if low in _GROUP_PRONOUNS:
            return "pg"
        return "pw" if low in _REL_PRONOUNS else "po"
    if tok.pos_ == "PROPN":
        return "propn"
    if tok.pos_ == "NUM" or low == "percent":
        return "num"
    if tok.pos_ == "NOUN":
        return "src" if tok.lemma_.lower() in SOURCE_NOUNS or low in SOURCE_NOUNS else "noun"
    return "x"


def _cue_features(tok: Token, spk: Token | None) -> tuple[str, ...]:
    """Features of the cue token and its speaker, shared by all its frames (``|``-joined later)."""
    found = "none"
    if spk is not None:
        if spk.head.i == tok.i and spk.dep_ in SUBJECT_DEPS:
            found = "subj"
        elif spk.head.dep_ == "agent":
            found = "agent"
        elif spk.head.i == tok.i:
            found = "post"
        elif spk.i == tok.head.i:
            found = "acl"
        else:
            found = "climb"
    children = {c.dep_ for c in tok.children}
    under_comp = any(a.dep_ in ("ccomp", "relcl") for a in [tok, *tok.ancestors])
    return (
        f"t={tok.tag_}",
        f"d={tok.dep_}",
        f"s={speaker_kind(spk)}",
        f"sf={found}",
        f"neg={'neg' in children}",
        f"pass={'nsubjpass' in children or 'auxpass' in children}",
        f"emb={under_comp}",
        f"hd={tok.head.pos_ if tok.head.i != tok.i else 'ROOT'}",
    )


def _content_features(parsed: Doc, off: int, content: tuple[int, int]) -> tuple[str, ...]:
    """Features of a content span: how it opens, its length, its head's part of speech."""
    s, e = content[0] - off, content[1] - off
    toks = [t for t in tokens_in(parsed, s, e) if not t.is_punct and not t.is_space]
    if not toks:
        return ("m=empty",)
    first = toks[0].lower_ if toks[0].lower_ in _WH else toks[0].pos_
    n = len(toks)
    size = "1" if n == 1 else "2" if n <= 3 else "4" if n <= 7 else "8" if n <= 15 else "16"
    ids = {t.i for t in toks}
    heads = [t for t in toks if t.head.i not in ids or t.head.i == t.i]
    head = heads[0] if heads else toks[0]
    subj = any(c.dep_ in SUBJECT_DEPS for c in head.children)
    text = doc_text(parsed)[s:e]
    quoted = any(ch in text for ch in '"\u201c\u201d') or "''" in text or "``" in text
    return (f"m={first}", f"n={size}", f"h={head.pos_}", f"hs={subj}", f"q={quoted}")


def frame_features(lemma: str, frame: str, cue: tuple[str, ...], content: tuple[str, ...]) -> tuple[str, ...]:
    """The feature strings of one candidate: lemma and frame alone and together, and each cue and
    content feature conjoined with the frame (the model learns e.g. that ``dobj`` with a pronoun
    object is rarely content), and each content feature conjoined with lemma and frame (``say`` with a
    ``that`` clause, ``call`` with a one-word object)."""
    out = [f"f:{frame}", f"l:{lemma}", f"lf:{lemma}|{frame}"]
    out += [f"f:{frame}|{x}" for x in cue + content]
    out += [f"l:{lemma}|{x}" for x in cue[:3]]
    out += [f"lf:{lemma}|{frame}|{x}" for x in content]
    return tuple(out)


def according_to(parsed: Doc, off: int) -> Iterator[Candidate]:
    """``According to X, ...`` / ``..., according to X.``: content is the rest of the clause."""
    text = doc_text(parsed)
    for tok in parsed:
        if tok.lower_ != "according" or tok.i + 1 >= len(parsed) or parsed[tok.i + 1].lower_ != "to":
            continue
        to = parsed[tok.i + 1]
        pobj = [c for c in to.children if c.dep_ == "pobj"] or [c for c in tok.children if c.dep_ == "pobj"]
        name = None
        if pobj:
            speaker = subtree_span(pobj[0], off)
            name = name_core(pobj[0], off)
        else:  # the parser lost the attachment: take the words up to the next comma
            end = text.find(",", to.idx)
            end = len(text) if end < 0 else end
            s, e = _trimmed(text, to.idx + 2, end)
            if e <= s:
                continue
            speaker = (off + s, off + e)
        phrase_start = off + tok.idx
        phrase_end = max(speaker[1], off + to.idx + 2)
        content = _rest_of_sentence(text, off, phrase_start, phrase_end)
        if content is None:
            continue
        yield Candidate("according_to", "according", (phrase_start, off + to.idx + 2), content, speaker, name)


def _rest_of_sentence(text: str, off: int, start: int, end: int) -> tuple[int, int] | None:
    """The longer side of a sentence around an attribution phrase ``[start, end)`` (article offsets)."""
    before = _trimmed(text, 0, start - off)
    after = _trimmed(text, end - off, len(text))
    if after[1] - after[0] >= before[1] - before[0]:
        content = (off + after[0], off + after[1])
    else:
        content = (off + before[0], off + before[1])
    return content if content[1] - content[0] >= 3 else None


IN_SOURCE_NOUNS = frozenset({"poll", "survey", "average", "study", "view", "mind", "opinion", "estimation", "estimate"})
"""Heads of a sentence-opening ``in X`` phrase that makes X the source of the rest of the sentence (``In a
new Fox News poll, ...``; ``In Bolton's view, ...``). Only at the sentence start: on PolNeAR train 17 of
29 such phrases in parsed sentences were attributions, against 16 of 182 elsewhere (``leads in the
polls``)."""


def in_source(parsed: Doc, off: int) -> Iterator[Candidate]:
    """``In a new poll, 50 percent chose Clinton`` / ``In Bolton's view, ...``: the opening ``in`` phrase's
    object is the source and the rest of the sentence the content (PolNeAR marks ``in`` as the cue)."""
    text = doc_text(parsed)
    first = next((t for t in parsed if not t.is_space and not t.is_punct), None)
    for tok in parsed[:1] if first is None else [first]:
        if tok.lower_ != "in" or tok.dep_ != "prep":
            continue
        pobj = [c for c in tok.children if c.dep_ == "pobj" and c.lemma_.lower() in IN_SOURCE_NOUNS]
        if not pobj:
            continue
        speaker = subtree_span(pobj[0], off)
        content = _rest_of_sentence(text, off, off + tok.idx, speaker[1])
        if content is None:
            continue
        yield Candidate("in", "in", (off + tok.idx, off + tok.idx + len(tok.text)), content, speaker,
                        name_core(pobj[0], off))
