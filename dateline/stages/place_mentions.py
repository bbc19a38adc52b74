"""Toponym recognition for ``places.v1``: which spans of the text name places.

Sources, all from the shared spaCy pass (no model run of our own):

* GPE / LOC / FAC entities (FAC only when the gazetteer knows the name);
* NORP entities that are demonyms of a country ("Syrian" -> Syria; "Russian-American" -> both),
  and GPE spans that are ("Sri Lankan");
* other entities whose whole text is a country or a first-level region (NER often calls "Georgia"
  a person);
* ``City, State`` / ``City, Va.`` entities are split at the comma into two toponyms, and the
  second one is remembered as the *container* of the first;
* the article's dateline place (``MOSCOW (Sputnik) –``), which NER misses in capitals; without a
  parsed dateline, a capitalised place before a dash near the top ("... . CROMWELL — Police");
* ``X County`` / ``X Parish`` phrases NER left out, and every name of "Clarke, Madison and Oconee
  counties".

*Weak* mentions are kept apart and accepted only when a small logistic model over the document's
support and the text's cues says so (see :func:`place_resolve.resolve`): entities NER labelled
ORG/PERSON/... whose whole text is a place name ("Lancaster" as ORG), place names inside an
organisation's name ("Ohio State University", "University of Nebraska-Lincoln", "Western
Pennsylvania Kennel Association") and demonyms there ("Russian Foreign Ministry"), people-words of
first-level regions ("Iowans", "Ontarians"), a compass-qualified region ("East Texas"), and
capitalised words outside any entity ("Fargo", dateline capitals "COLUMBUS"). :func:`_text_cues`
notes what the text says around each: a locative preposition ("in Fargo"), a local body after it
("Berea Police", "Crestwood Board"), capitals, the same name recognised elsewhere.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from dateline.nlp import doc_text
from dateline.stages.place_gazetteer import Candidate, GazEntry, Gazetteer, is_minor, normalize

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from dateline.models import Article

_PLACE_LABELS = frozenset({"GPE", "LOC"})
_STRONG_KINDS = frozenset({"country", "admin1", "continent"})
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:'s|’s|')$")
_COUNTY = re.compile(r"\b(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\s(?:County|Parish|Borough)\b")
_PAIR_GAP = re.compile(r"^\s*,\s*$")
_COMPASS = re.compile(r"^(?:(?:North|South|East|West|Central|Northern|Southern|Eastern|Western|Upper|Lower|"
                      r"Greater|Downtown|Northeast|Northwest|Southeast|Southwest|Northeastern|Northwestern|"
                      r"Southeastern|Southwestern|Metro|S\.E\.|N\.E\.|S\.W\.|N\.W\.)\s+)")
_INNER_WORD = re.compile(r"[^\s\-/–—]+")
_DEMONYM_SUFFIXES = ("ians", "ans", "ns", "ers", "ites", "ian", "an", "n", "er", "ite", "i")
_NAME_LINKS = frozenset({"of", "de", "upon", "on", "the", "la", "du", "del"})
_NOT_DEMONYM = re.compile(r"^(?:[A-Z]{2,}|Jew|Jews|Jewish|Catholic|Muslim|Christian|Democrat|Republican)$")
# "Clarke, Madison, Oconee and Oglethorpe counties": every name is a county.
_COUNTY_LIST = re.compile(r"((?:[A-Z][a-z]+(?: [A-Z][a-z]+)?,? )+(?:and|or|&) [A-Z][a-z]+(?: [A-Z][a-z]+)?) "
                          r"(counties|parishes)\b")
# A dateline inside the first lines that the dateline parser did not take ("... . CROMWELL — Police").
_CAPS_DATELINE = re.compile(r"(?:^|[.!?\n]\s+)([A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,3})"
                            r"(?:, [A-Z][\w.]+(?: [A-Z][\w.]+)?)?(?: \([\w .&-]+\))? ?(?:--|—|–|-) ")
_NOT_DATELINES = frozenset({"AP", "UPDATE", "UPDATED", "BREAKING", "VIDEO", "PHOTOS", "WATCH", "NOTE", "CORRECTION"})
_LAST_WORD = re.compile(r"([A-Za-z]+)\W*$")
_FIRST_WORD = re.compile(r"\W{0,3}([A-Za-z]+)")
_ORG_OF = re.compile(r"\b[A-Z][a-z]+ of\s*$")
_LOCATIVE = frozenset("""in at from near to of outside into across throughout toward towards around through within
via between inside across downtown north south east west""".split())
# Words after a town's name that make it the name of the town's own body ("Berea Police Department").
_LOCAL_BODIES = frozenset("""Police Fire Sheriff Sheriff's City Town Township Village County Borough Council Mayor
School Schools High Elementary Middle Academy University College Hospital Medical Library Public Board Chamber
Court Courthouse Magistrates Area Community Regional Historical Museum Society Times Herald News Daily Gazette
Journal Tribune Post Commission Parks Water Airport Municipal Station Church Cemetery Township's City's Town's
Center Centre Memorial Fairgrounds Zoo Harbor Harbour Port Region Metro Metropolitan District Department
Office Planning Zoning Redevelopment Housing Recreation Arts Senior Civic Convention Visitors""".split())
# Capitalised words that are also place names somewhere but, alone, almost never mean the place.
_GENERIC_WORDS = frozenset("""north south east west central gulf union continental bush mount lake river city county
police church mayor president senator governor university college school hospital center centre park
street road avenue state national federal republic democrat republican independence liberty victory
progress enterprise commerce friendship paradise hope march may june august christmas easter chamber liberal
conservative labour labor council department office board society association district valley heights springs
falls grove village town township borough academy institute ministry court bank trust fund foundation general
memorial mission regional community metro metropolitan historic downtown midtown uptown harbor harbour port
airport station temple trinity providence concord unity""".split())
# Words of newspaper and broadcaster names ("Times", "Herald"; some are town names too) and other
# words run together with a town's name in a web host ("theparisnews", "onlineathens").
OUTLET_WORDS = frozenset("""times news daily herald post press tribune journal gazette register review sentinel
star telegram chronicle record recorder courier dispatch leader item mercury bulletin advocate monitor citizen
enquirer independent observer democrat republican standard examiner online local weekly world free union state
county valley today express mail guardian sun globe reporter courant intelligencer messenger telegraph banner
beacon eagle argus pioneer progress patriot radio television media network market plaza fresh golden national
international global metro city the and of is this my e i web live farmer business sports life magazine paper
papers newspaper newspapers extra voice region area community tv fm am""".split())
_COUNTY_WORD = re.compile(r"\b(?:County|Parish|Borough|Co\.|COUNTY|PARISH|county|parish)")
_COUNTY_NAME = re.compile(r"\s(?:County|Parish|Borough|Township)$")
_SKIP_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
# Extra demonyms for countries that countryinfo spells differently.
_EXTRA_DEMONYMS = {"palestinian": "PS", "palestinians": "PS", "saudi": "SA", "saudis": "SA", "gazan": "PS",
                   "gazans": "PS", "briton": "GB", "britons": "GB", "british": "GB", "brit": "GB"}


@dataclass
class Mention:
    """A recognised toponym: its span, its candidate places, and what the text says contains it."""

    start: int
    end: int
    text: str
    candidates: list[Candidate]
    source: str
    container: Mention | None = None
    """The ``State`` of ``City, State`` (set when this mention is the city)."""
    contained: bool = False
    """True when this mention is itself the ``State`` of a ``City, State`` pair."""
    weak: bool = False
    """Recognised from a gazetteer match alone: kept only if the document's places support it."""
    role: str = "mentioned"
    cues: dict[str, float] = field(default_factory=dict)
    """Text cues for accepting a weak mention (see :func:`text_cues`)."""
    chosen: GazEntry | None = None
    score: float = 0.0
    scores: dict[int, float] = field(default_factory=dict)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading article and a trailing possessive from a span."""
    span = text[start:end]
    m = _LEADING.match(span)
    if m:
        start += m.end()
    m2 = _TRAILING.search(text[start:end])
    if m2:
        end = start + m2.start()
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    return start, end


def spelt_otherwise(surface: str, e: GazEntry, cands: Sequence[Candidate]) -> bool:
    """Whether town ``e``, matched by an alternate name, is the namesake capital of a first-level
    region that ``surface`` names by its primary name ("Hama": Hama governorate and its capital
    Ḩamāh), the town's own name being only another spelling of the same words ("New York City" is
    not: the bare name is the state's). Such a town counts as named by its own name."""
    return e.kind == "city" and len(e.name.split()) == len(surface.split()) and any(
        c.entry.kind == "admin1" and c.primary and c.entry.admin1 == e.admin1 and c.entry.country == e.country
        and e.population * 20 >= c.entry.population for c in cands)


def _add(out: list[Mention], gaz: Gazetteer, text: str, start: int, end: int, source: str,
         weak: bool = False) -> bool:
    start, end = _trim(text, start, end)
    if end - start < 2:
        return False
    if text[end:end + 1] == "." and gaz.is_abbreviation(text[start:end + 1]):
        end += 1  # "Barrie, Ont." where NER stopped before the abbreviation's period
    surface = text[start:end]
    cands = gaz.lookup(surface)
    if weak:
        # A bare gazetteer hit needs the place's own name (not an alternate) and a capital letter.
        # A minor place, or a county by its bare name ("Christian", "Brown"), only where the text
        # says the name is a place.
        if not surface[:1].isupper():
            cands = []
        elif any(c.entry.population == 0 or c.entry.kind == "admin2" for c in cands):
            bare = not _COUNTY_WORD.search(surface)
            doubtful = [is_minor(c.entry) or (bare and c.entry.kind == "admin2"
                                              and bool(_COUNTY_WORD.search(c.entry.name))) for c in cands]
            local = any(doubtful) and _local_cue(gaz, text, start, end)
            cands = [c for c, doubt in zip(cands, doubtful, strict=True)
                     if (c.primary or spelt_otherwise(surface, c.entry, cands)) and (local or not doubt)]
        else:
            cands = [c for c in cands if c.primary or spelt_otherwise(surface, c.entry, cands)]
    if not cands and not weak:
        m = _COMPASS.match(surface)
        if m:  # "East Texas", "Northeast Georgia": the region named inside
            return _add(out, gaz, text, start + m.end(), end, source, weak=True)
    if cands:
        out.append(Mention(start, end, surface, cands, source, weak=weak))
    return bool(cands)


_MINOR_PREPS = frozenset("in at from near outside into toward towards around through within".split())
# Words after a name that make it where someone lives ("a Meadow Grove man", "Carter's Lanexa home").
_RESIDENTS = frozenset("""man woman men women resident residents home homes native natives couple family
teen teenager boy girl youth area neighborhood Selectman Selectmen Independent Township""".split())
_STATE_AFTER = re.compile(r",\s*([A-Z][a-z]*\.?(?: ?[A-Z][a-z]*\.?)?)")


def _word_before(text: str, start: int) -> str:
    """The word just before ``start`` (within 20 characters), or ""."""
    prev = _LAST_WORD.search(text, max(0, start - 20), start)
    return prev.group(1) if prev else ""


def _body_after(text: str, end: int) -> bool:
    """Whether the word after ``end`` names a local body or residents ("Berea Police", "a Meadow
    Grove man")."""
    after = _FIRST_WORD.match(text, end)
    return after is not None and (after.group(1) in _LOCAL_BODIES or after.group(1) in _RESIDENTS)


def _local_cue(gaz: Gazetteer, text: str, start: int, end: int) -> bool:
    """Whether the text itself says a weak name is a place ("in Harwinton", "Winside Public Schools",
    "Atalissa, Iowa"): only then may a weak mention be a minor place (see :func:`is_minor`), whose
    names are as often surnames and words ("Wright", "Public", "Congress")."""
    if _word_before(text, start) in _MINOR_PREPS or _body_after(text, end):
        return True
    state = _STATE_AFTER.match(text, end)
    if state is None:
        return False
    name = state.group(1)
    return any(c.entry.kind == "admin1" and c.entry.country == "US" for c in gaz.lookup(name)
               if c.primary or name.endswith("."))


def _add_inside(out: list[Mention], gaz: Gazetteer, text: str, start: int, end: int) -> None:
    """Place names inside a longer name: "Ohio State University", "University of Nebraska-Lincoln",
    "Western Pennsylvania Kennel Association", "Russian Foreign Ministry" (a demonym: its country).

    Words are split at spaces and hyphens; the longest run of up to four capitalised words that
    the gazetteer knows wins at each position (weak mentions, like every gazetteer-only match).
    """
    start, end = _trim(text, start, end)
    words = [(start + m.start(), start + m.end()) for m in _INNER_WORD.finditer(text[start:end])]
    i = 0
    while i < len(words):
        if not text[words[i][0]].isupper():
            i += 1
            continue
        matched = 0
        for n in range(min(4, len(words) - i), 0, -1):
            s, e = words[i][0], words[i + n - 1][1]
            if n > 1 and not all(text[a].isupper() or text[a:b] in _NAME_LINKS for a, b in words[i:i + n]):
                continue
            if _add(out, gaz, text, s, e, "inside", weak=True):
                matched = n
                break
        if not matched and len(words) > 1:
            s, e = words[i]
            country = gaz.demonym(text[s:e]) if e - s > 3 and not _NOT_DEMONYM.match(text[s:e]) else None
            if country is not None:
                out.append(Mention(s, e, text[s:e], [Candidate(country, True)], "inside-demonym", weak=True))
        i += max(matched, 1)


def _regional_demonym(gaz: Gazetteer, word: str) -> list[Candidate]:
    """First-level regions a people-word names: "Iowans" -> Iowa, "Ontarians" -> Ontario, "Texan" -> Texas."""
    for suffix in _DEMONYM_SUFFIXES:
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        stem = word[: len(word) - len(suffix)]
        for tail in ("", "a", "o", "s"):
            cands = [c for c in gaz.lookup(stem + tail) if c.primary and c.entry.kind == "admin1"]
            if cands:
                return cands
    return []


def find_mentions(doc: Doc, gaz: Gazetteer, article: Article | None = None) -> list[Mention]:
    """Toponym mentions of ``doc`` (whose text is the article text), sorted by position."""
    text = doc_text(doc)
    found: list[Mention] = []
    votes: Counter[str] = Counter()
    """Entity text -> how often the tagger calls it a place, less how often a person (see _propagate)."""
    for ent in doc.ents:
        label = ent.label_
        if label == "PERSON" or label in _PLACE_LABELS:
            votes[text[ent.start_char:ent.end_char]] += 1 if label != "PERSON" else -1
        if label in _SKIP_LABELS:
            continue
        if label == "NORP":
            if not _add_norp(found, gaz, text, ent.start_char, ent.end_char):
                _add_inside(found, gaz, text, ent.start_char, ent.end_char)
            continue
        if label in _PLACE_LABELS or label == "FAC":
            parts = _split_commas(text, ent.start_char, ent.end_char)
            for s, e in parts:
                if _add(found, gaz, text, s, e, "ner", weak=label == "FAC") or len(parts) > 1:
                    continue
                if label != "FAC" and _add_norp(found, gaz, text, s, e):  # "Sri Lankan" tagged GPE
                    continue
                _add_inside(found, gaz, text, s, e)
        elif not _add(found, gaz, text, ent.start_char, ent.end_char, "ner-other", weak=True) and label != "PERSON":
            _add_inside(found, gaz, text, ent.start_char, ent.end_char)
    _add_capitalised(found, gaz, doc)
    _filter_weak(found, doc, article)
    covered = [(m.start, m.end) for m in found]
    for m in _COUNTY.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in covered):
            _add(found, gaz, text, m.start(), m.end(), "pattern")
    _add_county_lists(found, gaz, text)
    _add_dateline(found, gaz, text, article)
    found.sort(key=lambda m: (m.start, -m.end))
    mentions = _propagate(_drop_overlaps(found), text, votes)
    _link_pairs(mentions, text, gaz)
    _text_cues(mentions, text)
    return mentions


def _add_norp(found: list[Mention], gaz: Gazetteer, text: str, start: int, end: int) -> bool:
    """A demonym ("Syrian"; "Russian-American": both countries; "Iowans": Iowa, weak) or a NORP
    span that is a place name; False if none."""
    s, e = _trim(text, start, end)
    if _add_demonym(found, gaz, text, s, e):
        return True
    if "-" in text[s:e]:
        pieces = [(s + m.start(), s + m.end()) for m in _INNER_WORD.finditer(text[s:e])]
        if sum(_add_demonym(found, gaz, text, ps, pe) for ps, pe in pieces):
            return True
    if _add(found, gaz, text, s, e, "ner-norp", weak=True):
        return True
    regional = _regional_demonym(gaz, text[s:e])
    if regional:
        found.append(Mention(s, e, text[s:e], regional, "demonym-region", weak=True))
    return bool(regional)


def _add_demonym(found: list[Mention], gaz: Gazetteer, text: str, start: int, end: int) -> bool:
    surface = text[start:end]
    country = gaz.demonym(surface)
    extra = _EXTRA_DEMONYMS.get(surface.lower())
    if country is None and extra:
        country = gaz.countries.get(extra)
    if country is not None:
        found.append(Mention(start, end, surface, [Candidate(country, True)], "demonym"))
    return country is not None


def _add_county_lists(found: list[Mention], gaz: Gazetteer, text: str) -> None:
    """Every name of "Clarke, Madison, Oconee and Oglethorpe counties" is a county."""
    if "ounties" not in text and "arishes" not in text:
        return
    for m in _COUNTY_LIST.finditer(text):
        unit = " County" if m.group(2) == "counties" else " Parish"
        for name in re.finditer(r"[A-Z][a-z]+(?: [A-Z][a-z]+)?", m.group(1)):
            s, e = m.start(1) + name.start(), m.start(1) + name.end()
            cands = gaz.lookup(name.group(0) + unit)
            if not cands:
                continue
            found[:] = [x for x in found if not (x.start < e and s < x.end)]
            found.append(Mention(s, e, text[s:e], cands, "county-list"))


_POOLED_CUES = ("body", "prep")
_PLACE_PREPS = frozenset("in near outside within".split())


def _text_cues(mentions: list[Mention], text: str) -> None:
    """Cues around each weak mention that it names a place: a locative preposition before it ("in
    Fargo"), a word after it that names a local body ("Berea Police", "Crestwood Board"), "University
    of X", capitals (a dateline), and the same name recognised as a place elsewhere in the text."""
    strong = {normalize(m.text) for m in mentions if not m.weak}
    for m in mentions:
        if not m.weak:
            continue
        before = text[max(0, m.start - 30):m.start]
        prev = _LAST_WORD.search(before)
        prev_word = prev.group(1) if prev else ""
        m.cues = {
            "prep": 1.0 if prev_word.lower() in _LOCATIVE and prev_word.islower() else 0.0,
            "of": 1.0 if prev_word == "of" and _ORG_OF.search(before) else 0.0,
            "body": 1.0 if _body_after(text, m.end) else 0.0,
            "caps": 1.0 if m.text.isupper() and len(m.text) > 3 else 0.0,
            "strong": 1.0 if normalize(m.text) in strong else 0.0,
        }
    # What the text says around one occurrence of a name it says of the name ("Parkers Prairie High
    # School" makes the headline's "Drivers safety course offered in Parkers Prairie" a place too).
    # Of the prepositions only those that hardly ever stand before a person ("in", "near"; not
    # "to Welch", "from Robertson").
    pooled: dict[str, dict[str, float]] = {}
    weak = [(m, normalize(m.text)) for m in mentions if m.weak]
    for m, key in weak:
        best = pooled.setdefault(key, {k: 0.0 for k in _POOLED_CUES})
        best["body"] = max(best["body"], m.cues["body"])
        if m.cues["prep"] and _word_before(text, m.start) in _PLACE_PREPS:
            best["prep"] = 1.0
    for m, key in weak:
        m.cues.update({k: max(m.cues[k], v) for k, v in pooled[key].items()})


def _add_capitalised(found: list[Mention], gaz: Gazetteer, doc: Doc) -> None:
    """Runs of up to three capitalised tokens outside every entity that name a place (weak)."""
    i, n = 0, len(doc)
    text = doc_text(doc)
    while i < n:
        tok = doc[i]
        if tok.ent_type_ or not (tok.is_title or (tok.is_upper and len(tok) > 2)) or tok.is_stop:
            i += 1
            continue
        j = i
        while j < n and j - i < 3 and not doc[j].ent_type_ and (doc[j].is_title or doc[j].is_upper):
            j += 1
        for k in range(j, i, -1):
            span = doc[i:k]
            if _add(found, gaz, text, span.start_char, span.end_char, "capitalised", weak=True):
                i = k - 1
                break
        i += 1


def _filter_weak(found: list[Mention], doc: Doc, article: Article | None) -> None:
    """Drop weak mentions that are generic words or surnames of people in this document; promote
    those the outlet's own domain names (``gainesvilletimes.com`` -> "Gainesville")."""
    surnames = {t.text.lower() for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 for t in ent[1:]}
    host = ""
    if article is not None and article.url:
        host = re.sub(r"^\w+://", "", article.url).split("/")[0].lower()
    keep = []
    for m in found:
        low = m.text.lower()
        squashed = re.sub(r"[^a-z]", "", low)
        if len(squashed) >= 5 and squashed in host and low not in OUTLET_WORDS:  # not "Herald", "Times"
            m.weak = False
        elif m.weak and _COUNTY_NAME.search(m.text) and all(c.entry.kind == "admin2" for c in m.candidates):
            m.weak = False  # "the Licking County Genealogy Society": a county that says it is one
        elif m.weak and (low in _GENERIC_WORDS or low in surnames):
            continue
        keep.append(m)
    found[:] = keep


def _split_commas(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``Alexandria, Va.`` -> two spans; anything without a comma -> itself."""
    span = text[start:end]
    if "," not in span:
        return [(start, end)]
    parts, pos = [], start
    for piece in span.split(","):
        lead = len(piece) - len(piece.lstrip())
        parts.append((pos + lead, pos + len(piece.rstrip())))
        pos += len(piece) + 1
    return [(s, e) for s, e in parts if e > s]


def _add_dateline(found: list[Mention], gaz: Gazetteer, text: str, article: Article | None) -> None:
    """Mark (or add) the dateline's place mention; its role is ``dateline``."""
    if article is not None and article.dateline is None:
        caps = _CAPS_DATELINE.search(text[:400])
        if caps is None or caps.group(1).strip(".") in _NOT_DATELINES:
            return
        start, end = caps.start(1), caps.end(1)
    elif article is None or article.dateline is None or not article.dateline.place:
        return
    else:
        dl = article.dateline
        assert dl.place is not None
        head = text[dl.start:dl.end]
        first = dl.place.split(",")[0].strip()
        at = head.lower().find(first.lower()) if first else -1
        if at < 0:
            return
        start, end = dl.start + at, dl.start + at + len(first)
    for m in found:
        if m.start < end and start < m.end:
            m.role = "dateline"
            m.weak = False
            return
    before = len(found)
    _add(found, gaz, text, start, end, "dateline")
    if len(found) > before:
        found[-1].role = "dateline"


_PERSON_AFTER = re.compile(r",? \d{1,3},| (?:Jr|Sr)\b")
_JOINERS = frozenset("_.&'-")  # a name glued to these is part of another word ("Plainview-Elgin")


def _propagate(mentions: list[Mention], text: str, votes: Counter[str]) -> list[Mention]:
    """One sense per discourse for recognition: a name the NER pass recognised as a place somewhere
    in the text is a place at its other occurrences too, where the tagger missed it ("Rock Hill City
    Manager" tagged a person, "In January, South Carolina had" a date, a headline without
    entities). Only exact, capitalised, whole-word occurrences that no other mention covers, and not
    for a name the tagger calls a person's more often than a place's ("Obama" once mistagged a place)."""
    names = {m.text: m for m in mentions if m.source == "ner" and not m.weak and len(m.text) > 2
             and m.text[:1].isupper() and votes[m.text] >= 0 and not _COMPASS.match(m.text + " ")}
    if not names:
        return mentions
    starts = [m.start for m in mentions]
    added: list[Mention] = []
    for name in sorted(names, key=len, reverse=True):  # "New York" before "York"
        src, n = names[name], len(name)
        s = text.find(name)
        while s >= 0:
            e = s + n
            before, after = text[s - 1:s], text[e:e + 1]
            j = bisect_right(starts, e - 1) - 1
            if (not (before.isalnum() or before in _JOINERS or after.isalnum() or after in "_&")
                    and not (j >= 0 and mentions[j].end > s)  # covered by a mention already
                    and not any(a.start < e and s < a.end for a in added)
                    and not _PERSON_AFTER.match(text, e)):  # "Paris, 51, was found", "Servance Jr.": a person
                added.append(Mention(s, e, src.text, list(src.candidates), "propagated"))
            s = text.find(name, e)
    if not added:
        return mentions
    return sorted(mentions + added, key=lambda m: (m.start, -m.end))


def _drop_overlaps(found: list[Mention]) -> list[Mention]:
    """Keep the first (longest at a position) of overlapping mentions."""
    kept: list[Mention] = []
    for m in found:
        if kept and m.start < kept[-1].end:
            if m.role == "dateline":
                kept[-1].role = "dateline"
            continue
        kept.append(m)
    return kept


def _link_pairs(mentions: list[Mention], text: str, gaz: Gazetteer) -> None:
    """``City, State``: remember the state as the city's container (only when it can contain it)."""
    for a, b in pairwise(mentions):
        if not _PAIR_GAP.match(text[a.end:b.start]):
            continue
        outer = [c.entry for c in b.candidates if c.entry.kind in ("country", "admin1", "admin2")]
        if not outer:
            continue
        if any(_inside(c.entry, o) for c in a.candidates for o in outer):
            a.container = b
            b.contained = True
            b.candidates = [c for c in b.candidates if c.entry in outer]


def _inside(inner: GazEntry, outer: GazEntry) -> bool:
    """Whether ``inner`` lies in ``outer`` by the gazetteer's country/admin names."""
    if inner == outer or inner.country != outer.country:
        return False
    if outer.kind == "country":
        return True
    if outer.kind == "admin1":
        return inner.admin1 == outer.admin1 and inner.kind != "admin1"
    return inner.admin2 == outer.admin2 and inner.kind == "city"
