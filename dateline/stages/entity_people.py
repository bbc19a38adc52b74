"""People within one article: roles ("Syrian Ambassador to Russia Riad Haddad"), short forms
("Haddad" → "Riad Haddad") and role mentions ("The ambassador" → the last person with that role).

All rules look only at the article's own tokens; nothing is keyed to particular names.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dateline.nlp import doc_text
from dateline.stages.entity_heads import ROLE_NOUNS
from dateline.stages.entity_lexicon import ResolvedName

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_CONNECTORS = frozenset({"to", "of", "for", "and", "'s", "’s", "-", "on", "at", "in"})
_DETS = frozenset({"the", "a", "an"})
_NOT_ROLE_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})
_MAX_ROLE_WORDS = 8


@dataclass(frozen=True)
class Person:
    """A person mention: token range, character span, canonical name and role (if any)."""

    i: int
    j: int
    start: int
    end: int
    name: str
    role: str | None = None
    role_start: int | None = None
    role_end: int | None = None


def _role_text(doc: Doc, a: int, b: int) -> tuple[str, int, int] | None:
    """The role phrase in tokens ``[a, b)`` if it holds a role noun, trimmed of dangling connectors."""
    while a < b and (doc[a].lower_ in _CONNECTORS or doc[a].lower_ in _DETS or doc[a].ent_type_ in _NOT_ROLE_ENTS):
        a += 1
    while b > a and (doc[b - 1].lower_ in _CONNECTORS or doc[b - 1].lower_ in _DETS):
        b -= 1
    if a >= b or not any(t.lower_ in ROLE_NOUNS for t in doc[a:b]):
        return None
    start, end = doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text)
    return doc_text(doc)[start:end], start, end


def role_before(doc: Doc, i: int) -> tuple[str, int, int] | None:
    """A title before a name: capitalised words, role nouns and connectors back to the clause edge."""
    sent_start = doc[i].sent.start
    a = i
    while a > sent_start and i - a < _MAX_ROLE_WORDS:
        t = doc[a - 1]
        if t.ent_type_ in _NOT_ROLE_ENTS or t.ent_type_ == "PERSON":
            break
        if t.lower_ in _CONNECTORS or t.lower_ in ROLE_NOUNS or (not t.is_punct and t.text[:1].isupper()):
            a -= 1
            continue
        break
    if a > sent_start and doc[a - 1].lower_ in _DETS:
        a -= 1
    return _role_text(doc, a, i)


def role_after(doc: Doc, j: int) -> tuple[str, int, int] | None:
    """An appositive role after a name: ``Name, the Syrian ambassador to Russia,``."""
    if j >= len(doc) or doc[j].text != ",":
        return None
    sent_end = doc[j].sent.end
    b = j + 1
    while b < sent_end and b - j <= _MAX_ROLE_WORDS and not doc[b].is_punct:
        b += 1
    if b - j > _MAX_ROLE_WORDS or (b < sent_end and doc[b].text not in (",", ".", ";")):
        return None
    if any(t.lower_ in ("who", "which", "that", "said", "says") for t in doc[j + 1 : b]):
        return None
    return _role_text(doc, j + 1, b)


def find_people(doc: Doc, person_spans: list[Span], taken: AbstractSet[int] = frozenset()) -> list[Person]:
    """People from NER PERSON spans: title words split off into the role, roles attached, short
    forms merged into the fullest name used in the article. ``taken`` holds token indexes of other
    entities (a name is never extended over them)."""
    people: list[Person] = []
    for span in person_spans:
        i, j = span.start, span.end
        # NER sometimes keeps only the surname ("Riad [Haddad]"): take back up to two given names.
        while i > span.start - 2 and i > 0 and _given_name(doc, i - 1, taken):
            i -= 1
        # NER sometimes takes the title into the name ("President Putin"): move it to the role.
        k = i
        while k < j - 1 and (doc[k].lower_ in ROLE_NOUNS or doc[k].lower_ in _CONNECTORS):
            k += 1
        while j > k + 1 and doc[j - 1].lower_ in ("'s", "’s"):
            j -= 1
        role = _role_text(doc, i, k) if k > i else None
        if role is None:
            role = role_before(doc, k) or role_after(doc, j)
        start, end = doc[k].idx, doc[j - 1].idx + len(doc[j - 1].text)
        r_text, r_start, r_end = role if role else (None, None, None)
        people.append(Person(k, j, start, end, doc_text(doc)[start:end], r_text, r_start, r_end))
    return _merge_short_forms(people)


def _given_name(doc: Doc, k: int, taken: AbstractSet[int]) -> bool:
    t = doc[k]
    return (t.is_alpha and t.text[0].isupper() and not t.is_sent_start and k not in taken
            and t.lower_ not in ROLE_NOUNS and t.ent_type_ in ("", "PERSON"))


def _merge_short_forms(people: list[Person]) -> list[Person]:
    """"Haddad" → "Riad Haddad" when exactly one fuller name in the article ends or starts with it."""
    full = {p.name for p in people if len(p.name.split()) > 1}
    out = []
    for p in people:
        words = p.name.split()
        name = p.name
        if len(words) == 1:
            fits = {f for f in full if f.split()[-1] == words[0] or f.split()[0] == words[0]}
            if len(fits) == 1:
                name = fits.pop()
        out.append(replace(p, name=name))
    # A role said once holds for every mention of the person.
    roles: dict[str, str] = {}
    for p in out:
        if p.role and p.name not in roles:
            roles[p.name] = p.role
    return [p if p.role else replace(p, role=roles.get(p.name)) for p in out]


def role_mentions(doc: Doc, people: list[Person], taken: set[int]) -> list[tuple[int, int, Person]]:
    """``the ambassador`` / ``The Syrian envoy`` → the closest earlier person whose role has that noun.

    ``taken`` holds token indexes already inside an entity. Returns (start char, end char, person).
    """
    out: list[tuple[int, int, Person]] = []
    for t in doc:
        if t.lower_ not in ROLE_NOUNS or t.i in taken:
            continue
        # "the" + up to two adjectives + the role noun, not followed by a name (that is a title).
        a = t.i
        while a > 0 and t.i - a < 3 and doc[a - 1].lower_ not in _DETS and doc[a - 1].is_alpha:
            a -= 1
        if a == 0 or doc[a - 1].lower_ != "the":
            continue
        a -= 1
        nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
        if nxt is not None and nxt.ent_type_ == "PERSON":
            continue
        if any(k in taken for k in range(a, t.i)):
            continue
        before = [p for p in people if p.end <= doc[a].idx and p.role and t.lower_ in p.role.lower().split()]
        if not before:
            continue
        person = max(before, key=lambda p: p.end)
        out.append((doc[a].idx, t.idx + len(t.text), person))
    return out


def person_target(person: Person) -> ResolvedName:
    """The resolved name of a person (kind ``person``; country unknown)."""
    return ResolvedName(person.name, "person", None)


def titled_names(doc: Doc, taken: set[int]) -> list[Span]:
    """Names the NER missed right after a title: ``Ambassador to Russia Riad Haddad``,
    ``spokesman Igor Konashenkov`` (two or three capitalised words not already an entity)."""
    found: list[Span] = []
    for t in doc:
        if t.lower_ not in ROLE_NOUNS or t.i in taken:
            continue
        k = t.i + 1
        if k < len(doc) and doc[k].lower_ in ("to", "of", "for"):
            k += 1
            while k < len(doc) and k in taken:
                k += 1  # the country or body of the title ("to Russia")
        a = k
        while k < len(doc) and k - a < 3 and k not in taken and doc[k].is_alpha and doc[k].text[0].isupper() \
                and doc[k].lower_ not in ROLE_NOUNS and not doc[k].is_sent_start:
            k += 1
        nxt = doc[k] if k < len(doc) else None
        if k - a >= 2 and (nxt is None or not (nxt.is_alpha and nxt.text[0].isupper())):
            found.append(doc[a:k])
    return found
