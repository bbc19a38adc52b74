"""The rule coder of events.v1: lexicon triggers read off a sentence's dependency parse.

Per sentence: find trigger tokens (lemma + part of speech + required neighbour from the PLOVER
lexicon); anchor each on the verb that carries it (``imposed sanctions`` -> *imposed*, ``carried
out strikes`` -> *carried*); keep only the outermost triggers (``called on Russia to stop
airstrikes`` is a REQUEST, not an ASSAULT); apply CAMEO's intent and negation rules (``will
withdraw`` is AGREE, ``threatened``/``unless`` is THREATEN, ``did not strike`` is nothing, ``would
not meet`` is REJECT); then read actor and target off the anchor's arguments (subject / passive
agent; object, ``on``/``against``/``to``/``with`` phrase, or the subject of a ``that`` clause),
mapping noun phrases to the entity mentions inside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from dateline.stages.event_coder import CodedEvent, Mention, PlaceMention, SentenceInput
from dateline.stages.event_dates import MONTHS, WEEKDAYS, find_dates
from dateline.stages.event_lexicon import COOPERATIVE, Lexicon, TriggerEntry, load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

LIGHT_VERBS = frozenset({
    "carry", "launch", "conduct", "mount", "stage", "begin", "start", "continue", "hold", "make", "take",
    "undertake", "resume", "issue", "lodge", "impose", "intensify", "escalate", "step", "order", "announce",
    "declare", "give", "provide", "reach", "sign", "open", "set", "use", "resort", "engage", "complete",
})
SPEECH_VERBS = frozenset({"say", "announce", "state", "confirm", "report", "tell", "add", "claim", "note",
                          "stress", "reiterate", "quote", "conclude", "declare", "write"})
STATEMENT_NOUNS = frozenset({"statement", "declaration", "communique", "letter", "resolution", "appeal",
                             "message", "note"})
INTENT_GOVERNORS = frozenset({"ready", "willing", "prepared", "plan", "intend", "prepare", "decide"})
INTENT_AUX = frozenset({"will", "would", "shall", "'ll", "wo"})
PRONOUNS = frozenset({"it", "they", "he", "she", "we", "its", "their", "his", "her", "our", "i", "who", "which"})
TIME_WORDS = frozenset({*WEEKDAYS, *MONTHS, "today", "yesterday", "tonight", "week", "month", "year", "day"})
GROUP_NOUNS = frozenset({
    "people", "civilian", "refugee", "rebel", "militant", "insurgent", "guerrilla", "fighter", "opposition",
    "protester", "demonstrator", "activist", "dissident", "student", "worker", "soldier", "troop", "force",
    "police", "policeman", "government", "official", "authority", "army", "military", "militia", "group",
    "organization", "organisation", "faction", "party", "leader", "minister", "president", "settler",
    "villager", "resident", "prisoner", "detainee", "hostage", "journalist", "immigrant", "national",
    "population", "community", "terrorist", "extremist", "parliament", "court", "judge", "union",
    "peacekeeper", "inspector", "observer", "mediator", "negotiator", "candidate", "delegation", "youth",
    "farmer", "teacher", "doctor", "administration", "cabinet", "regime", "movement", "coalition", "tribe",
})
VICTIM_NOUNS = frozenset({"casualty", "death", "victim", "loss"})
NP_DEPS = frozenset({"det", "amod", "compound", "poss", "nummod", "nmod", "quantmod", "conj", "cc", "case",
                     "prep", "pobj", "npadvmod", "punct", "predet", "advmod", "appos"})
TARGET_PREPS = ("on", "upon", "against", "to", "with", "at", "into", "toward", "towards", "from", "of", "for")
_LOCATIVE = re.compile(r"\b(?:in|near|at|around|outside|across)\s+(?:the\s+)?(?:[\w\-]+\s+){0,3}(?:of\s+)?$",
                       re.IGNORECASE)
MODE_CAMEO = {"aerial": "195", "heavy-weapons": "194", "firearms": "193", "explosives": "183",
              "suicide-attack": "1831", "torture": "1823"}
HOSTILE_INTENT = {"ASSAULT": "138", "SANCTION": "131", "COERCE": "137", "PROTEST": "133", "MOBILIZE": "138",
                  "REJECT": "130", "ACCUSE": "130", "REQUEST": "130", "THREATEN": "130"}


_M = TypeVar("_M", Mention, PlaceMention)


@dataclass
class _Trigger:
    token: Token
    entry: TriggerEntry
    anchor: Token
    extra: Token | None = None
    """The satisfied *with* neighbour, for the trigger span when adjacent (``air strikes``)."""


def _neighbours(tok: Token) -> dict[str, Token]:
    """Lemmas near ``tok`` in the tree: children, grandchildren through prepositions, and the head."""
    out: dict[str, Token] = {}
    for c in tok.children:
        out.setdefault(c.lemma_.lower(), c)
        out.setdefault(c.lower_, c)
        if c.dep_ in ("prep", "dobj", "prt", "agent", "compound", "amod", "xcomp", "dative"):
            for g in c.children:
                out.setdefault(g.lemma_.lower(), g)
    if tok.head.i != tok.i:
        out.setdefault(tok.head.lemma_.lower(), tok.head)
    return out


def _pos_ok(tok: Token, pos: str) -> bool:
    if pos == "V":
        return tok.pos_ in ("VERB", "AUX") or (tok.pos_ == "NOUN" and tok.dep_ == "ROOT")
    if pos == "N":
        return tok.pos_ in ("NOUN", "PROPN")
    return tok.pos_ in ("VERB", "NOUN", "PROPN", "ADJ", "AUX")


class RuleCoder:
    """Dependency rules over the PLOVER lexicon (the first :class:`~dateline.stages.event_coder.Coder`)."""

    name = "rules"
    needs_parse = True

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()

    def wants(self, words: Sequence[str]) -> bool:
        """True when any word may be a trigger (only such sentences get parsed)."""
        return self.lexicon.mentions_trigger(list(words))

    # --- triggers -------------------------------------------------------------------------------
    def _match(self, tok: Token) -> _Trigger | None:
        entries = self.lexicon.entries.get(tok.lemma_.lower()) or self.lexicon.entries.get(tok.lower_)
        if not entries:
            return None
        near = _neighbours(tok)
        bare: _Trigger | None = None
        for entry in entries:
            if not _pos_ok(tok, entry.pos):
                continue
            if entry.with_lemmas:
                hit = next((near[w] for w in sorted(entry.with_lemmas) if w in near), None)
                if hit is not None:
                    anchor = hit if hit.i == tok.head.i and hit.pos_ in ("VERB", "AUX") else tok
                    return _Trigger(tok, entry, anchor, hit)
            elif bare is None:
                bare = _Trigger(tok, entry, tok)
        if bare is not None and tok.head.lemma_ in LIGHT_VERBS and tok.dep_ in ("dobj", "nsubjpass", "attr"):
            bare.anchor = tok.head
        return bare

    def triggers(self, doc: Doc) -> list[_Trigger]:
        """Outermost triggers of a parsed sentence (those not governed by another trigger)."""
        found = [t for t in (self._match(tok) for tok in doc) if t is not None]
        absorbed = {t.anchor.i for t in found if t.anchor.i != t.token.i}
        found = [t for t in found if t.token.i not in absorbed or t.anchor.i != t.token.i]
        anchors = {t.anchor.i for t in found} | {t.token.i for t in found}
        out = []
        for t in found:
            own = {t.anchor.i, t.token.i}
            governed = any(a.i in anchors and a.i not in own for a in t.anchor.ancestors)
            if not governed:
                out.append(t)
        return out

    # --- the sentence ---------------------------------------------------------------------------
    def code(self, sentence: SentenceInput) -> list[CodedEvent]:
        """Events of one parsed sentence."""
        doc = sentence.parsed
        if doc is None:
            return []
        off = sentence.start
        events: list[CodedEvent] = []
        for trig in self.triggers(doc):
            coded = self._code_trigger(trig, sentence, off)
            if coded is not None:
                events.append(coded)
                if coded.actors:
                    sentence.context["last_actors"] = coded.actors
        return events

    def _code_trigger(self, trig: _Trigger, sentence: SentenceInput, off: int) -> CodedEvent | None:
        entry, anchor, tok = trig.entry, trig.anchor, trig.token
        type_, cameo = entry.type, entry.cameo
        negated = any(c.dep_ == "neg" or c.lower_ in ("never", "no") for t in (anchor, tok) for c in t.children)
        if negated:
            if type_ not in COOPERATIVE:
                return None
            type_, cameo = "REJECT", "120"
        elif type_ not in ("AGREE", "THREATEN", "REJECT") and self._intent(anchor):
            conditional = any(c.dep_ == "advcl" and any(m.lower_ == "unless" for m in c.children)
                              for c in anchor.children)
            if type_ in COOPERATIVE and not conditional:
                type_, cameo = "AGREE", "036" if type_ == "CONSULT" else "030"
            else:
                type_, cameo = "THREATEN", HOSTILE_INTENT.get(type_, "130")
        passive = next((c for c in anchor.children if c.dep_ == "nsubjpass"), None)
        if type_ == "SUPPORT" and passive is not None and passive.lemma_.lower() in STATEMENT_NOUNS:
            return None  # "the statement was supported by X": X co-signs it (see statement authors)
        actors, targets = self._participants(trig, sentence, off, type_)
        if not actors and not targets:
            return None
        if targets and actors and {m.canonical for m in targets} <= {m.canonical for m in actors} \
                and len(actors) > 1:
            targets = ()  # "A and B agreed ... with each other": reciprocal, no separate target
        start, end = off + tok.idx, off + tok.idx + len(tok.text)
        if trig.extra is not None and abs(trig.extra.i - tok.i) == 1:
            start = min(start, off + trig.extra.idx)
            end = max(end, off + trig.extra.idx + len(trig.extra.text))
        mode = entry.mode or self._mode(type_, anchor, tok)
        if type_ == "ASSAULT" and cameo in ("180", "190") and mode in MODE_CAMEO:
            cameo = MODE_CAMEO[mode]  # CAMEO codes the means: 195 aerial, 194 artillery/tanks, ...
        # where it happened: a place that acts ("Washington demanded") is not a location, one that is
        # hit or visited is both the target and where it happened ("bombed Gaza City")
        places = tuple(p for p in self._places(anchor, tok, sentence, off)
                       if not _overlaps(Mention(p.text, p.name, p.start, p.end), actors))
        return CodedEvent(type_, cameo, (start, end), actors, targets, mode, places,
                          self._date(sentence, start))

    @staticmethod
    def _intent(anchor: Token) -> bool:
        t = anchor
        for _ in range(3):
            if any(c.dep_ == "aux" and c.lower_ in INTENT_AUX for c in t.children):
                return True
            if t.dep_ in ("xcomp", "acomp", "advcl") and t.head.lemma_.lower() in INTENT_GOVERNORS:
                return True
            if t.dep_ not in ("xcomp", "conj"):
                return False
            t = t.head
        return False

    # --- participants ---------------------------------------------------------------------------
    def _participants(self, trig: _Trigger, sentence: SentenceInput, off: int,
                      type_: str) -> tuple[tuple[Mention, ...], tuple[Mention, ...]]:
        anchor, tok = trig.anchor, trig.token
        actor_tok: Token | None = None
        target_tok: Token | None = None
        passive_subj = next((c for c in anchor.children if c.dep_ == "nsubjpass"), None)
        agent = next((g for v in (anchor, *anchor.conjuncts) for c in v.children if c.dep_ == "agent"
                      for g in c.children if g.dep_ == "pobj"), None)
        if passive_subj is not None and passive_subj.i != tok.i:  # "X was attacked by Y"
            target_tok, actor_tok = passive_subj, agent
        else:
            actor_tok = agent or next((c for c in tok.children if c.dep_ == "nsubj" and c.lower_ not in PRONOUNS), None)
            if actor_tok is None and tok.pos_ in ("NOUN", "PROPN"):
                actor_tok = self._nominal_actor(tok)
            if actor_tok is None:
                actor_tok = self._subject(anchor if anchor.i != tok.i or tok.pos_ != "NOUN" else tok)
        actors = self._resolve_np(actor_tok, sentence, off, actor=True)
        targets: tuple[Mention, ...] = ()
        if target_tok is not None:
            targets = self._resolve_np(target_tok, sentence, off, actor=False)
        else:
            for cand in self._targets(anchor, tok, actor_tok):
                targets = self._resolve_np(cand, sentence, off, actor=False)
                if targets:
                    break
        if not targets and type_ == "ASSAULT":
            victim = next((g for t in tok.doc[tok.i:] if t.lemma_.lower() in VICTIM_NOUNS for c in t.children
                           if c.dep_ == "prep" and c.lower_ in ("among", "of") for g in c.children if g.dep_ == "pobj"),
                          None)
            targets = self._resolve_np(victim, sentence, off, actor=False)
        if not targets:  # last resort: where it happened stands for whom it hit ("shelled positions in Jericho")
            where = next((g for t in (tok, anchor) for c in t.children if c.dep_ == "prep" and c.lower_ == "in"
                          for g in c.children if g.dep_ == "pobj" and g.text[:1].isupper()), None)
            targets = self._resolve_np(where, sentence, off, actor=False) if type_ not in COOPERATIVE else ()
        # Back off to position when syntax found no state or organisation: the nearest such mention
        # before the trigger acts, the first after it is acted on (what wire sentences mostly do).
        start = off + tok.idx
        named = [m for m in sentence.mentions if m.country or m.kind == "international organisation"]
        if not any(m.country or m.kind == "international organisation" for m in actors):
            before = [m for m in named if (m.end or 0) <= start and not _overlaps(m, targets)]
            if before:
                actors = (before[-1],) if not actors else (replace(actors[0], country=before[-1].country),)
        reciprocal = type_ in ("AGREE", "COOPERATE", "CONSULT") and len(actors) > 1
        if (not targets and not reciprocal) or (targets and not any(
                m.country or m.kind == "international organisation" for m in targets)):
            after = [m for m in named if (m.start or 0) > start and m.canonical not in {a.canonical for a in actors}]
            if after:
                targets = (after[0],) if not targets else (replace(targets[0], country=after[0].country),)
        if actors and targets:
            a_keys = {m.canonical for m in actors}
            targets = tuple(m for m in targets if m.canonical not in a_keys or m.kind not in ("country",)) or targets
        return actors, targets

    def _subject(self, verb: Token) -> Token | None:
        t = verb
        for _ in range(5):
            subj = next((c for c in t.children if c.dep_ in ("nsubj", "csubj")), None)
            if subj is not None:
                if subj.lower_ in PRONOUNS and t.head.i != t.i:
                    up = self._subject(t.head)
                    return up if up is not None else subj
                return subj
            if t.dep_ in ("acl", "relcl") and t.head.pos_ in ("NOUN", "PROPN", "PRON"):
                return t.head
            if t.dep_ in ("xcomp", "conj", "advcl", "ccomp", "pcomp", "acomp") or t.dep_ == "prep":
                t = t.head
                continue
            if t.dep_ in ("dobj", "pobj", "nsubjpass", "attr") and t.head.lemma_ in LIGHT_VERBS:
                t = t.head
                continue
            return None
        return None

    @staticmethod
    def _nominal_actor(noun: Token) -> Token | None:
        for c in noun.children:
            if c.dep_ == "poss" or (c.dep_ in ("compound", "amod", "nmod") and c.text[:1].isupper()):
                return c
        for c in noun.children:
            if c.dep_ in ("prep", "agent") and c.lower_ in ("of", "by", "from"):
                obj = next((g for g in c.children if g.dep_ == "pobj"), None)
                if obj is not None:
                    return obj
        return None

    @staticmethod
    def _targets(anchor: Token, tok: Token, actor: Token | None) -> Iterator[Token]:
        """Target candidates, best first: object, prepositional object, subject of a ``that`` clause."""
        pair = (anchor, tok) if anchor.i != tok.i else (anchor,)
        for t in pair:
            for c in t.children:
                if c.dep_ in ("dobj", "dative", "attr") and c.i != tok.i and not _same(c, actor):
                    yield c
        for t in reversed(pair):
            for prep in TARGET_PREPS:
                for c in t.children:
                    if c.dep_ == "prep" and c.lower_ == prep:
                        obj = next((g for g in c.children if g.dep_ == "pobj"), None)
                        if obj is not None and not _same(obj, actor):
                            yield obj
                        elif obj is None and prep in TARGET_PREPS[:4] and c.i + 1 < len(c.doc):
                            yield c.doc[c.i + 1]  # a preposition the parser left without object
        for c in anchor.children:
            if c.dep_ in ("ccomp", "xcomp"):
                yield from (g for g in c.children if g.dep_ in ("nsubj", "nsubjpass", "dobj"))
                for g in c.children:  # "agreed to re-open its borders to UN peacekeepers"
                    if g.dep_ == "prep" and g.lower_ in TARGET_PREPS[:5]:
                        yield from (x for x in g.children if x.dep_ == "pobj")

    def _resolve_np(self, head: Token | None, sentence: SentenceInput, off: int, actor: bool) -> tuple[Mention, ...]:
        if head is None:
            return ()
        if head.lower_ in PRONOUNS and actor:
            last = sentence.context.get("last_actors")
            return tuple(last) if last else ()
        tokens = self._np_tokens(head)
        lo, hi = off + min(t.idx for t in tokens), off + max(t.idx + len(t.text) for t in tokens)
        inside = [m for m in sentence.mentions if m.start is not None and m.end is not None
                  and m.start < hi and m.end > lo]
        if head.lemma_.lower() in STATEMENT_NOUNS or (not inside and self._statement_of(head) is not None):
            stmt = head if head.lemma_.lower() in STATEMENT_NOUNS else self._statement_of(head)
            authors = self._statement_authors(stmt, sentence, off) if stmt is not None else ()
            if authors:
                return authors
        if inside:
            core = self._core_mentions(head, inside, off) or inside[:1]
            core = _attach_countries(core)
            if len(core) == 1:
                core = [_with_np_text(core[0], head, sentence, off)]
            return tuple(_dedupe(core))
        if not actor:  # a place named by the phrase's head is what was hit, entered, visited ("shelled Juba")
            h_lo, h_hi = off + head.idx, off + head.idx + len(head.text)
            spot = next((p for p in sentence.places if p.start < h_hi and p.end > h_lo), None)
            if spot is not None:
                return (Mention(spot.text, spot.name or spot.text, spot.start, spot.end, "place", spot.country),)
        if head.like_num or head.lower_ in TIME_WORDS or head.lemma_.lower() not in GROUP_NOUNS:
            return ()
        if not actor and any(c.dep_ == "poss" and c.lower_ in PRONOUNS for c in head.children):
            return ()  # "withdrew its troops": the actor's own forces are not its target
        words = [t for t in tokens if t.dep_ in ("amod", "compound") and t.head.i == head.i] + [head]
        text = " ".join(t.text for t in sorted(words, key=lambda t: t.i))
        start = off + min(t.idx for t in words)
        contiguous = text == sentence.text[start:start + len(text)]
        return (Mention(text, text, start, start + len(text) if contiguous else None),)

    @staticmethod
    def _np_tokens(head: Token) -> list[Token]:
        out = [head]
        stack = [head]
        while stack:
            t = stack.pop()
            for c in t.children:
                if c.dep_ in NP_DEPS and not (c.dep_ == "prep" and c.lower_ not in ("of", "in", "from")):
                    out.append(c)
                    stack.append(c)
        return out

    @staticmethod
    def _core_mentions(head: Token, inside: list[Mention], off: int) -> list[Mention]:
        """Mentions on the head, its modifiers and its conjuncts (not inside its prepositions)."""
        core = {head.i}
        for t in [head, *[c for c in head.conjuncts]]:
            core.add(t.i)
            for c in t.children:
                if c.dep_ in ("compound", "amod", "poss", "nmod", "det", "conj"):
                    core.update(x.i for x in c.subtree)
        spans = [(off + t.idx, off + t.idx + len(t.text)) for t in head.doc if t.i in core]
        return [m for m in inside if any(m.start is not None and m.end is not None and m.start < e and m.end > s
                                         for s, e in spans)]

    @staticmethod
    def _statement_of(noun: Token) -> Token | None:
        t = noun
        for _ in range(2):
            if t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head.lemma_.lower() in STATEMENT_NOUNS:
                return t.head.head
            t = t.head
        return None

    def _statement_authors(self, stmt: Token, sentence: SentenceInput, off: int) -> tuple[Mention, ...]:
        """Who a statement speaks for: its releaser (``X released a statement``) and signatories."""
        found: list[Mention] = []
        if stmt.dep_ in ("dobj",) and stmt.head.pos_ == "VERB":
            subj = next((c for c in stmt.head.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                found.extend(self._resolve_np(subj, sentence, off, actor=True))
        signed = sentence.context.get("statement_authors", {}).get(stmt.lemma_.lower(), ())
        found.extend(signed)
        return tuple(_dedupe(m for m in found if m.country or m.kind == "international organisation"))

    # --- mode, places, date ---------------------------------------------------------------------
    def _mode(self, type_: str, anchor: Token, tok: Token) -> str | None:
        words = self.lexicon.modes.get(type_)
        if not words:
            return None
        near = [*self._np_tokens(tok), *anchor.children]
        subj = next((c for c in anchor.children if c.dep_ in ("nsubj", "agent")), None)
        if subj is not None:
            near.extend(subj.subtree)
        for t in near:
            mode = words.get(t.lemma_.lower()) or words.get(t.lower_)
            if mode:
                return mode
        return None

    @staticmethod
    def _places(anchor: Token, tok: Token, sentence: SentenceInput, off: int) -> list[PlaceMention]:
        scope = list(anchor.subtree) if anchor.i != tok.i else list(tok.subtree)
        lo = off + min(t.idx for t in scope)
        hi = off + max(t.idx + len(t.text) for t in scope)
        if sentence.places:
            inside = [p for p in sentence.places if lo <= p.start and p.end <= hi]
            return inside or [p for p in sentence.places
                              if _LOCATIVE.search(sentence.text[max(0, p.start - 40):p.start])]
        located: list[PlaceMention] = []
        by_start = {off + t.idx: t for t in anchor.doc}
        for m in sentence.mentions:  # fallback without places.v1: named places under "in"/"near"/"at"
            t = by_start.get(m.start or -1)
            if t is None or m.start is None or m.end is None or not (lo <= m.start and m.end <= hi):
                continue
            root = t
            while root.head.i != root.i and off + root.head.idx < m.end and off + root.head.idx >= m.start:
                root = root.head
            ups = [root, *list(root.ancestors)[:4]]
            located_here = any(a.dep_ == "prep" and a.lower_ in ("in", "near", "at", "around", "across", "outside")
                               for a in ups)
            if located_here and (m.kind in ("country", "gpe", "loc", "fac", None) or m.country):
                located.append(PlaceMention(m.start, m.end, m.text, m.canonical, m.country))
        return located

    @staticmethod
    def _date(sentence: SentenceInput, trigger_start: int) -> tuple[int, int] | None:
        spans = find_dates(sentence.text, sentence.start, sentence.end)
        if not spans:
            return None
        return min(spans, key=lambda s: abs(s[0] - trigger_start))


def _attach_countries(core: list[Mention]) -> list[Mention]:
    """``British Defence Secretary Tom King``: a person or body without a country takes the state named
    beside it, instead of both becoming separate actors."""
    bare = [m for m in core if not m.country and m.kind not in ("international organisation", "country")]
    states = [m for m in core if m.kind == "country" and m.country]
    if len(bare) == 1 and len(states) == 1:
        b, st = bare[0], states[0]
        return [replace(b, country=st.country, detail=b.detail or st.canonical)]
    return core


_PREMODIFIERS = frozenset({"compound", "amod", "nmod"})


def _with_np_text(m: Mention, head: Token, sentence: SentenceInput, off: int) -> Mention:
    """A lone participant's span widened to the noun phrase it names, as event coders record the
    actor's text: the title and qualifiers before a name (``Ousted President Askar Akayev``,
    ``rebel Kurdistan Workers' Party``), or, for a demonym that only modifies a common noun, the
    words up to that noun (``Irish nationalist guerrillas``, ``British soldiers``; an organisation's
    name is not widened so: in ``U.N. peacekeepers`` the U.N. acts). Only contiguous premodifiers
    are taken (never determiners, numbers or possessives), so the span stays inside the phrase;
    the canonical entity and its country are unchanged."""
    if m.start is None or m.end is None:
        return m
    doc = head.doc
    toks = [t for t in doc if off + t.idx >= m.start and off + t.idx + len(t.text) <= m.end]
    if not toks:
        return m
    first, last = toks[0].i, toks[-1].i
    if not any(t.i == head.i for t in toks):  # the name modifies the phrase's head noun
        if head.i <= last or head.pos_ != "NOUN" or any(
                doc[i].dep_ not in _PREMODIFIERS or doc[i].head.i != head.i for i in range(last + 1, head.i)):
            return m
        root = next((t for t in toks if not first <= t.head.i <= last), None)
        if root is None or root.dep_ not in _PREMODIFIERS or root.head.i != head.i:
            return m
        if root.ent_type_ != "NORP" and root.pos_ != "ADJ":
            return m  # "U.N. helicopters", "Red Cross officials": the organisation itself acts
        last = head.i
    keep = set(range(first, last + 1))
    while first > 0:
        t = doc[first - 1]
        if t.dep_ in _PREMODIFIERS and t.head.i in keep and (t.text[:1].isupper() or t.pos_ in ("ADJ", "NOUN")):
            first -= 1
        elif t.text == "-" and first > 1 and doc[first - 2].dep_ in _PREMODIFIERS:
            first -= 1  # Vice-President
        else:
            break
        keep.add(first)
    start, end = off + doc[first].idx, off + doc[last].idx + len(doc[last].text)
    if (start, end) == (m.start, m.end):
        return m
    return replace(m, text=sentence.text[start:end], start=start, end=end)


def _overlaps(m: Mention, ms: Sequence[Mention]) -> bool:
    """Whether a mention shares characters with one of ``ms`` (a widened target holds its name)."""
    return m.start is not None and m.end is not None and any(
        o.start is not None and o.end is not None and o.start < m.end and m.start < o.end for o in ms)


def _same(a: Token | None, b: Token | None) -> bool:
    return a is not None and b is not None and a.i == b.i


def _dedupe(items: Iterable[_M]) -> list[_M]:
    """First item per canonical name (or place name), in order."""
    seen: set[str] = set()
    out: list[_M] = []
    for m in items:
        key = m.canonical if isinstance(m, Mention) else m.name
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out
