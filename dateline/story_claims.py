"""Conflicting accounts inside a story: who was hit, how many, who is responsible, did it happen.

Claims are the story's attributed quotes (quotes.v1; an unattributed quote whose sentence names
another quote's speaker, such as "a joint statement ... calling on", takes that speaker) plus the
outlet's own narration sentences that carry a stance. Each claim is read for stances on four axes:

* ``target`` — which kinds of party an attack hit (civilians, opposition, militants), positive or
  negated ("did not strike Islamic State targets", "and not ... civilians");
* ``count`` — casualty numbers ("killed 12", "12 people were killed", "death toll of 12");
* ``responsibility`` — parties blamed or claiming an attack vs. parties denying it;
* ``happened`` — outright denials ("denied the attack took place", "fabricated") vs. reports of it.

A conflict is two sources (different speakers, or an outlet's narration) whose stances clash on one
axis: the same party hit and not hit, counts more than 25% apart, a party blamed by one and cleared
by another, an event denied by one and reported by another. Narration in the paragraph of an
attributed claim that says the same thing is shown as that claim's context, not as a source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dateline.models import Article
from dateline.story_events import speaker_name

ATTACK = re.compile(
    r"\b(attack\w*|strik\w*|airstrik\w*|hit|hits|hitting|bomb\w*|raid\w*|shell\w*|target\w*|casualt\w*|kill\w*|"
    r"carried out|struck|fired|shot|shooting)\b", re.I)
NEGATION = re.compile(r"\b(not|no|never|neither|nor|without|rather than|instead of)\b|n't\b", re.I)
CATEGORIES: dict[str, re.Pattern[str]] = {
    "civilians": re.compile(r"\b(civilians?|residents?|children|women|villagers|non-combatants|hospitals?|"
                            r"schools?|homes|innocent)\b", re.I),
    "opposition": re.compile(r"\b(opposition|rebels?|moderate|protesters?)\b", re.I),
    "militants": re.compile(r"\b(terrorists?|terrorism|militants?|jihadists?|extremists?|insurgents?|IS|ISIS|ISIL|"
                            r"Daesh|Islamic State|al-Qaeda|al-Nusra|Nusra|Taliban|Boko Haram|al-Shabaab)\b"),
}
RESET = re.compile(r"\b(but|however|while|whereas)\b", re.I)
CLAUSE_BREAK = re.compile(r"[;:]|,\s*(?:and|but)\b|\band to\b|\band (?:is|are|was|were|has|have|will)\b", re.I)
"""A new clause between the attack word and a party: the party is not the attack's target."""
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "hundred": 100}
_NUM = r"(\d[\d,]*|" + "|".join(NUMBER_WORDS) + r")"
COUNTS = (
    re.compile(_NUM + r"\s+(?:\w+\s+){0,3}?(?:were\s+|was\s+|have been\s+|had been\s+)?(killed|dead|died|wounded|"
               r"injured)\b", re.I),
    re.compile(r"\b(killing|killed|wounding|injuring)\s+(?:at least\s+|more than\s+|over\s+)?" + _NUM, re.I),
    re.compile(r"death toll\s+(?:\w+\s+){0,3}?" + _NUM, re.I),
)
DENIAL = re.compile(r"\b(den(?:y|ied|ies|ial)|fabricat\w*|fake|false|untrue|baseless|never happened|"
                    r"did not (?:happen|take place)|no such)\b", re.I)
DOCUMENT = re.compile(r"\b(statements?|declarations?|communiqu[eé]s?|letters?|reports?|resolutions?|memorand\w*)\b",
                      re.I)
"""Head nouns of a written statement: a speaker named so is a document, not a person."""
ISSUE_CUES = re.compile(r"\b(releas\w*|issu\w*|publish\w*|sign\w*|put out|circulat\w*|distribut\w*)\b", re.I)
CONTENT_WORD = re.compile(r"[a-z]{4,}")
WORDING_OVERLAP = 0.6
"""Share of a quote's content words found in a statement's wording for it to count as that statement."""
RESPONSIBLE = re.compile(r"\b(responsib\w*|behind|blam\w*|perpetrat\w*|accus\w*)\b", re.I)
COUNT_TOLERANCE = 0.25
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


@dataclass
class Claim:
    """One account: a source's quote or narration sentence and the stances read from it."""

    source: str
    kind: str
    article_id: str
    outlet: str | None
    start: int
    end: int
    text: str
    paragraph: int
    target: dict[str, bool] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    denies: bool = False
    blames: set[str] = field(default_factory=set)
    clears: set[str] = field(default_factory=set)
    reports_attack: bool = False

    def has_stance(self) -> bool:
        """True when the claim says anything on any axis."""
        return bool(self.target or self.counts or self.denies or self.blames or self.clears)


def target_stances(text: str) -> dict[str, bool]:
    """Category -> hit (True) / explicitly not hit (False), for category words after an attack word."""
    stances: dict[str, bool] = {}
    for name, pattern in CATEGORIES.items():
        for m in pattern.finditer(text):
            before = text[: m.start()]
            sentence_start = max(before.rfind(". "), before.rfind("\n")) + 1
            attacks = list(ATTACK.finditer(before, sentence_start))
            if not attacks:
                continue
            attack = attacks[-1]
            if len(text[attack.end() : m.start()].split()) > 20:
                continue
            between = text[attack.end() : m.start()]
            if CLAUSE_BREAK.search(between):
                continue
            lead = text[max(sentence_start, attack.start() - 25) : attack.start()]
            reset = list(RESET.finditer(between))
            scope = between[reset[-1].end() :] if reset else between
            negated = bool(NEGATION.search(scope)) or (not reset and bool(NEGATION.search(lead)))
            if name in stances and stances[name] != (not negated):
                stances.pop(name)  # says both: no stance
                break
            stances[name] = not negated
    return stances


def _number(token: str) -> int | None:
    token = token.lower().replace(",", "")
    return int(token) if token.isdigit() else NUMBER_WORDS.get(token)


def count_stances(text: str) -> dict[str, int]:
    """Casualty counts: ``killed`` / ``wounded`` -> number (the largest one stated)."""
    out: dict[str, int] = {}
    for pattern in COUNTS:
        for m in pattern.finditer(text):
            groups = [g for g in m.groups() if g]
            value = next((n for n in (_number(g) for g in groups) if n is not None), None)
            word = next((g.lower() for g in groups if _number(g) is None), "killed")
            measure = "wounded" if word.startswith(("wound", "injur")) else "killed"
            if value is not None:
                out[measure] = max(out.get(measure, 0), value)
    return out


def _read(claim: Claim, article: Article) -> Claim:
    text = claim.text
    claim.target = target_stances(text)
    claim.counts = count_stances(text)
    claim.reports_attack = bool(ATTACK.search(text)) and not NEGATION.search(text)
    claim.denies = bool(DENIAL.search(text)) and not RESPONSIBLE.search(text)
    names = {str(e.get("canonical")) for e in article.entities
             if claim.start <= int(e.get("start", -1)) < claim.end and e.get("kind") not in (None, "country")}
    if RESPONSIBLE.search(text):
        (claim.clears if DENIAL.search(text) or NEGATION.search(text) else claim.blames).update(
            names or ({claim.source} if DENIAL.search(text) else set()))
    return claim


def _paragraph_of(text: str, offset: int) -> int:
    return text.count("\n\n", 0, offset)


def _words(text: str) -> set[str]:
    return set(CONTENT_WORD.findall(text.lower()))


def _plural_count(name: str) -> int | None:
    """N of a speaker named "seven countries" / "the 12 nations" (a number then a plural noun)."""
    m = re.fullmatch(r"(?:the\s+)?(\d+|" + "|".join(NUMBER_WORDS) + r")\s+\w+s", name.strip(), re.I)
    return _number(m.group(1)) if m else None


def statement_aliases(quotes: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Speakers of one article that are one statement: speaker -> the statement's source name.

    A statement is a speaker named by a document noun ("the joint statement"). Merged into it:
    its issuer (a speaker whose quote content is that document — "released a joint statement
    from ..." — or who released/issued a document the article quotes), its signatories (a speaker
    named inside such an issuer's quote content, a speaker whose ``speaker.entities`` are the
    statement's, or "N countries" where N is the number of the statement's entities; one signatory
    alone stays a source of its own), and a speaker whose quote content is
    mostly the statement's own wording (``WORDING_OVERLAP`` of its content words)."""
    docs: dict[str, dict[str, Any]] = {}
    for q in quotes:
        name, speaker = speaker_name(q), q.get("speaker") or {}
        if name and DOCUMENT.search(_head(str(speaker.get("text") or name))):
            doc = docs.setdefault(name, {"head": _head(str(speaker.get("text") or name)), "words": set(),
                                         "entities": set()})
            doc["words"] |= _words(str(q.get("text", "")))
            doc["entities"] |= {str(e).lower() for e in speaker.get("entities") or ()}
    if not docs:
        return {}
    aliases: dict[str, str] = {}
    issuer_spans: list[tuple[int, int, str]] = []
    for q in quotes:
        name = speaker_name(q)
        if not name or name in docs:
            continue
        content = str(q.get("text", ""))
        lead = _head(" ".join(content.split()[:6]))
        cue = str((q.get("cue") or {}).get("text", ""))
        target = next((d for d, info in docs.items() if info["head"] and info["head"] in lead), None)
        if target is None and DOCUMENT.search(lead) and ISSUE_CUES.search(cue) and len(docs) == 1:
            target = next(iter(docs))
        if target is None:
            n = _plural_count(name)
            members = {str(e).lower() for e in (q.get("speaker") or {}).get("entities") or ()}
            target = next((d for d, info in docs.items() if info["entities"] and (
                (members and members == info["entities"]) or (n is not None and n == len(info["entities"])))), None)
        if target is None:
            words = _words(content)
            target = next((d for d, info in docs.items()
                           if words and len(words & info["words"]) >= WORDING_OVERLAP * len(words)), None)
        if target is not None:
            aliases[name] = target
            issuer_spans.append((int(q.get("start", 0)), int(q.get("end", 0)), target))
    for q in quotes:  # signatories named inside an issuer's quote ("a joint statement from seven countries")
        name, speaker = speaker_name(q), q.get("speaker") or {}
        if not name or name in docs or name in aliases or "start" not in speaker:
            continue
        s0 = int(speaker["start"])
        inside = next((t for a, b, t in issuer_spans if a <= s0 < b), None)
        if inside is not None:
            aliases[name] = inside
    return aliases


def article_claims(article: Article) -> list[Claim]:
    """Claims of one article: attributed quotes (one source per statement, :func:`statement_aliases`),
    then stance-bearing narration sentences."""
    text = article.text
    quotes = sorted(article.quotes, key=lambda q: int(q.get("start", 0)))
    named = {speaker_name(q): (q.get("speaker") or {}).get("text", "") for q in quotes if speaker_name(q)}
    aliases = statement_aliases(quotes)
    claims: list[Claim] = []
    for q in quotes:
        start, end = int(q["start"]), int(q["end"])
        source = speaker_name(q)
        source = aliases.get(source, source) if source else None
        if source is None:  # "a joint statement ... calling on": the sentence names a known speaker
            sentence_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
            lead = text[sentence_start:start].lower()
            source = next((n for n, surface in named.items() if n and _head(surface) and _head(surface) in lead), None)
        if source is None:
            continue
        claims.append(_read(Claim(source, "quote", article.id, article.outlet, start, end, text[start:end],
                                  _paragraph_of(text, start)), article))
    spans = [(int(q["start"]), int(q["end"])) for q in quotes]
    for m in SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        if any(a < e and s < b for a, b in spans) or len(m.group().split()) < 5:
            continue
        narration = _read(Claim(f"{article.outlet or 'outlet'} (narration)", "narration", article.id, article.outlet,
                                s, e, m.group(), _paragraph_of(text, s)), article)
        if narration.has_stance():
            claims.append(narration)
    return claims


def _head(surface: str) -> str:
    words = [w for w in surface.lower().split() if w not in ("the", "a", "an")]
    return " ".join(words)


def _clashes(a: dict[str, Any], b: dict[str, Any], axis: str) -> list[str]:
    if axis == "target":
        return [c for c in a["target"] if c in b["target"] and a["target"][c] != b["target"][c]]
    if axis == "count":
        out = []
        for k in a["counts"].keys() & b["counts"].keys():
            x, y = a["counts"][k], b["counts"][k]
            if abs(x - y) > COUNT_TOLERANCE * max(x, y):
                out.append(k)
        return out
    if axis == "responsibility":
        return sorted((a["blames"] & b["clears"]) | (a["clears"] & b["blames"]))
    return ["happened"] if (a["denies"] and b["reports"]) or (b["denies"] and a["reports"]) else []


AXES = {"target": "who was hit", "count": "how many", "responsibility": "who is responsible",
        "happened": "did it happen"}


def _describe(s: dict[str, Any], axis: str) -> str:
    if axis == "target":
        hit = [c for c, v in sorted(s["target"].items()) if v]
        not_hit = [c for c, v in sorted(s["target"].items()) if not v]
        return "; ".join(x for x in (("hit: " + ", ".join(hit)) if hit else "",
                                     ("not hit: " + ", ".join(not_hit)) if not_hit else "") if x)
    if axis == "count":
        return ", ".join(f"{v} {k}" for k, v in sorted(s["counts"].items()))
    if axis == "responsibility":
        return "; ".join(x for x in ("blames " + ", ".join(sorted(s["blames"])) if s["blames"] else "",
                                     "clears " + ", ".join(sorted(s["clears"])) if s["clears"] else "") if x)
    return "denies it happened" if s["denies"] else "reports it"


def _span(c: Claim) -> dict[str, Any]:
    return {"article_id": c.article_id, "outlet": c.outlet, "start": c.start, "end": c.end, "text": c.text,
            "kind": c.kind}


def find_conflicts(articles: Sequence[Article]) -> list[dict[str, Any]]:
    """Conflicts of a story, one per axis: the sources that clash, side by side, with their spans."""
    claims = [c for a in articles for c in article_claims(a)]
    sources: dict[str, dict[str, Any]] = {}
    attributed = [c for c in claims if c.kind == "quote"]
    for c in claims:
        if not (c.has_stance() or c.reports_attack):
            continue
        if c.kind == "narration":
            host = next((q for q in attributed if q.article_id == c.article_id and q.paragraph == c.paragraph
                         and q.target and all(q.target.get(k) == v for k, v in c.target.items())), None)
            if host is not None and not c.counts and not c.denies:
                sources.setdefault(host.source, _new_source(host.source))["context"].append(_span(c))
                continue
        s = sources.setdefault(c.source, _new_source(c.source))
        s["claims"].append(_span(c))
        for k, v in c.target.items():
            if s["target"].get(k, v) != v:
                s["_mixed"].add(k)
            s["target"][k] = v
        for k2, n in c.counts.items():
            s["counts"][k2] = max(s["counts"].get(k2, 0), n)
        s["denies"] |= c.denies
        s["reports"] |= c.reports_attack
        s["blames"] |= c.blames
        s["clears"] |= c.clears
    for s in sources.values():
        for k in s.pop("_mixed"):
            s["target"].pop(k, None)
    names = sorted(sources, key=lambda n: min((x["article_id"], x["start"]) for x in sources[n]["claims"] or [
        {"article_id": "", "start": 0}]))
    conflicts = []
    for axis, about in AXES.items():
        pairs = []
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                on = _clashes(sources[a], sources[b], axis)
                if on and sources[a]["claims"] and sources[b]["claims"]:
                    pairs.append({"a": a, "b": b, "on": on})
        if not pairs:
            continue
        involved = [n for n in names if any(n in (p["a"], p["b"]) for p in pairs)]
        conflicts.append({
            "axis": axis, "about": about, "pairs": pairs,
            "claims": [{"source": n, "says": _describe(sources[n], axis), "spans": sources[n]["claims"],
                        "context": sources[n]["context"]} for n in involved],
        })
    return conflicts


def _new_source(name: str) -> dict[str, Any]:
    return {"name": name, "claims": [], "context": [], "target": {}, "counts": {}, "denies": False,
            "reports": False, "blames": set(), "clears": set(), "_mixed": set()}
