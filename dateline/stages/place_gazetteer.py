"""The offline gazetteer behind ``places.v1``: name -> candidate places with coordinates.

Data: ``dateline/data/gazetteer.tsv.gz`` (built by ``scripts/build_gazetteer.py`` from GeoNames data
shipped in PyPI packages; GeoNames is CC BY 4.0). Loaded once per process (about a second), then
every lookup is a dict access.
"""

from __future__ import annotations

import gzip
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

GAZETTEER_PATH = Path(__file__).resolve().parents[1] / "data" / "gazetteer.tsv.gz"

PlaceKind = Literal["country", "admin1", "admin2", "city", "continent", "region"]

# AP-style and postal abbreviations of US states (newspapers write "Alexandria, Va.").
US_STATE_ABBREVIATIONS: dict[str, str] = {
    "ala": "AL", "ariz": "AZ", "ark": "AR", "calif": "CA", "cal": "CA", "colo": "CO", "conn": "CT",
    "del": "DE", "fla": "FL", "ga": "GA", "ill": "IL", "ind": "IN", "kan": "KS", "kans": "KS", "ky": "KY",
    "la": "LA", "md": "MD", "mass": "MA", "mich": "MI", "minn": "MN", "miss": "MS", "mo": "MO",
    "mont": "MT", "neb": "NE", "nebr": "NE", "nev": "NV", "n.h": "NH", "n.j": "NJ", "n.m": "NM",
    "n.y": "NY", "n.c": "NC", "n.d": "ND", "okla": "OK", "ore": "OR", "pa": "PA", "penn": "PA",
    "r.i": "RI", "s.c": "SC", "s.d": "SD", "tenn": "TN", "tex": "TX", "vt": "VT", "va": "VA",
    "wash": "WA", "w.va": "WV", "w. va": "WV", "wis": "WI", "wyo": "WY", "d.c": "DC",
}
# Canadian provinces the same way ("Kelowna, B.C.").
CA_PROVINCE_ABBREVIATIONS: dict[str, str] = {
    "b.c": "British Columbia", "alta": "Alberta", "sask": "Saskatchewan", "man": "Manitoba",
    "ont": "Ontario", "que": "Quebec", "n.s": "Nova Scotia", "n.b": "New Brunswick",
    "p.e.i": "Prince Edward Island", "nfld": "Newfoundland and Labrador",
}
# Short forms of country names that the GeoNames alternate names do not carry.
COUNTRY_ALIASES: dict[str, str] = {
    "u.s": "US", "us": "US", "u.s.a": "US", "usa": "US", "america": "US", "united states of america": "US",
    "u.k": "GB", "uk": "GB", "britain": "GB", "great britain": "GB", "england": "GB",
    "uae": "AE", "u.a.e": "AE", "drc": "CD", "holland": "NL", "burma": "MM",
    "ivory coast": "CI", "palestine": "PS", "the netherlands": "NL",
}
# Plural and noun forms of demonyms that name the country in news text ("Russians said ...").
_DEMONYM_PLURAL = re.compile(r"(?:s|es)$")

_ADMIN2_WORD = re.compile(r"\b(?:county|parish|borough|district|shire|municipality|co|township|city of)\b")
_KEEP = re.compile(r"[^\w\s.'-]")
_ABBREV = [(re.compile(r"\bst\.?\s"), "saint "), (re.compile(r"\bmt\.?\s"), "mount "),
           (re.compile(r"\bft\.?\s"), "fort ")]


def normalize(name: str) -> str:
    """Match key: case- and accent-folded, ``St.``/``Mt.``/``Ft.`` spelled out, spaces collapsed."""
    if name.isascii():
        s = name.lower()
    else:
        s = unicodedata.normalize("NFKD", name)
        s = "".join(c for c in s if not unicodedata.combining(c)).lower().replace("’", "'")
    s = _KEEP.sub(" ", s)
    s = " ".join(s.split()).strip(" .")
    if s.startswith("the "):
        s = s[4:]
    if "t" in s:  # all three abbreviations hold a "t": skip the regexes for most names
        for pattern, repl in _ABBREV:
            s = pattern.sub(repl, s + " ").strip()
    return s


@dataclass(frozen=True, slots=True)
class GazEntry:
    """One gazetteer place. ``admin1``/``admin2`` are names (``Louisiana``, ``Rapides Parish``)."""

    kind: PlaceKind
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    admin2: str
    population: int
    capital: bool = False
    """A national capital (the town a country row names as its capital)."""


def is_minor(e: GazEntry) -> bool:
    """A US post-office place that cities500 lacks (a hamlet, a village under 500 people, a
    neighbourhood a ZIP code is named after): its population is unknown and stored as 0."""
    return e.population == 0 and e.kind == "city"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a name can denote; ``primary`` is False when only an alternate name matched."""

    entry: GazEntry
    primary: bool


class Gazetteer:
    """Name index over the gazetteer rows (see :func:`load_gazetteer`)."""

    def __init__(self, rows: list[list[str]]) -> None:
        self._by_key: dict[str, list[Candidate]] = defaultdict(list)
        self._demonyms: dict[str, GazEntry] = {}
        self.countries: dict[str, GazEntry] = {}
        self.admin1: dict[tuple[str, str], GazEntry] = {}
        self._squashed: dict[str, str] | None = None
        capital_names: dict[str, str] = {}
        for row in rows:
            kind, name, lat, lon, cc, a1, a2, pop, key, alts = row
            if kind == "demonym":
                country = GazEntry("country", alts, float(lat), float(lon), cc, "", "", int(pop))
                for dem in name.split(","):  # "American": the United States, not the Mariana Islands
                    known = self._demonyms.get(normalize(dem))
                    if known is None or known.population < country.population:
                        self._demonyms[normalize(dem)] = country
                continue
            if kind == "minor":  # a US post-office place cities500 lacks: a town of unknown (small) size
                kind, pop = "city", "0"
            if kind == "country":  # its admin2 column holds the capital's name
                capital_names[cc], a2 = a2, ""
            entry = GazEntry(kind, name, float(lat), float(lon), cc, a1, a2, int(pop))  # type: ignore[arg-type]
            self._by_key[key].append(Candidate(entry, True))
            if alts:
                for alt in alts.split("|"):
                    self._by_key[alt].append(Candidate(entry, False))
            if kind == "admin2" and key.endswith((" county", " parish")):
                # The bare name ("Gwinnett", "Avoyelles"): a county only when nothing else bears it
                # (see :meth:`lookup`).
                self._by_key[key.rsplit(" ", 1)[0]].append(Candidate(entry, True))
            if kind == "country":
                self.countries[cc] = entry
            elif kind == "admin1":
                self.admin1[(cc, a1)] = entry
        for cc, capital in capital_names.items():
            self._mark_capital(cc, normalize(capital))
        for cand in list(self._by_key.values()):
            for c in cand:
                if c.primary and c.entry.kind == "continent":  # "European", "Asian", "African"
                    name = normalize(c.entry.name)
                    dem = name + "n" if name.endswith("a") else name + "an" if name.endswith("e") else ""
                    if dem:
                        self._demonyms.setdefault(dem, c.entry)
        for alias, cc in COUNTRY_ALIASES.items():
            if cc in self.countries:
                self._by_key[normalize(alias)].insert(0, Candidate(self.countries[cc], True))
        for abbr, code in US_STATE_ABBREVIATIONS.items():
            state = self._us_state_by_code(code)
            if state is not None:
                self._abbrev_add(abbr, state)
        for abbr, province in CA_PROVINCE_ABBREVIATIONS.items():
            province_entry = self.admin1.get(("CA", province))
            if province_entry is not None:
                self._abbrev_add(abbr, province_entry)

    def _mark_capital(self, cc: str, key: str) -> None:
        """Flag the most populous town of country ``cc`` named ``key`` as its capital, and make the
        name a primary one for it ("Washington" is the capital's own name, not a mere alternate)."""
        cands = self._by_key.get(key, [])
        towns = [i for i, c in enumerate(cands) if c.entry.kind == "city" and c.entry.country == cc]
        if not towns:
            return
        best = max(towns, key=lambda i: cands[i].entry.population)
        entry = cands[best].entry
        # Entries are shared by every name that leads to them; flag this one object in place.
        object.__setattr__(entry, "capital", True)
        cands[best] = Candidate(entry, True)

    def _us_state_by_code(self, code: str) -> GazEntry | None:
        for cand in self._by_key.get(code.lower(), ()):
            if cand.entry.kind == "admin1" and cand.entry.country == "US":
                return cand.entry
        return None

    def _abbrev_add(self, abbr: str, entry: GazEntry) -> None:
        key = normalize(abbr)
        if all(c.entry != entry for c in self._by_key[key]):
            # Not primary: without its period ("Miss", "Ind") the abbreviation is an ordinary word.
            self._by_key[key].append(Candidate(entry, False))

    def lookup(self, surface: str) -> list[Candidate]:
        """Every place the name can denote (empty if none).

        Counties and other second-level units only when the name says so ("Rapides Parish",
        "Boone County"): a bare "Paris" or "Albany" is the town, not the district around it.
        State abbreviations only with their period ("Miss." is Mississippi, "Miss" a title).
        """
        key = normalize(surface)
        if key.endswith((" co", " twp")) and surface.endswith("."):  # "Platte Co.", "Madison Twp."
            key = key.rsplit(" ", 1)[0] + (" county" if key.endswith(" co") else " township")
        cands = self._by_key.get(key, ())
        if key in US_STATE_ABBREVIATIONS or key in CA_PROVINCE_ABBREVIATIONS:
            if surface.endswith("."):
                cands = [Candidate(c.entry, True) if c.entry.kind == "admin1" else c for c in cands]
            else:
                cands = [c for c in cands if c.primary]
        if not _ADMIN2_WORD.search(key) and any(c.entry.kind != "admin2" for c in cands):
            # A county name without its kind word only when nothing else bears it ("Cambridgeshire").
            cands = [c for c in cands if c.entry.kind != "admin2"]
        return list(cands)

    def squashed(self) -> dict[str, str]:
        """Letters-only form of the names of towns of at least 5,000 people and of first-level
        regions -> their match key (``kansascity`` -> ``kansas city``), for reading place names run
        together in a web host (``kansascity.com``). Built on first use."""
        if self._squashed is None:
            table: dict[str, str] = {}
            for key, cands in self._by_key.items():
                if len(key) >= 5 and any(c.primary and (c.entry.kind == "admin1" or (
                        c.entry.kind == "city" and c.entry.population >= 5000)) for c in cands):
                    table.setdefault(re.sub(r"[^a-z]", "", key), key)
            self._squashed = table
        return self._squashed

    def demonym(self, surface: str) -> GazEntry | None:
        """The country a demonym names (``Syrian``, ``Russians``), else None."""
        key = normalize(surface)
        hit = self._demonyms.get(key)
        if hit is None and len(key) > 4:
            hit = self._demonyms.get(_DEMONYM_PLURAL.sub("", key)) or self._demonyms.get(key[:-1])
        return hit

    def is_abbreviation(self, surface: str) -> bool:
        """True for ``Va.``, ``N.Y.``, ``B.C.``: admin1 abbreviations used after a city name."""
        key = normalize(surface)
        return key in US_STATE_ABBREVIATIONS or key in CA_PROVINCE_ABBREVIATIONS or (
            len(key) == 2 and self._us_state_by_code(key) is not None and surface.isupper())


_lock = threading.Lock()
_cache: dict[Path, Gazetteer] = {}


def load_gazetteer(path: Path = GAZETTEER_PATH) -> Gazetteer:
    """The gazetteer, loaded once per process."""
    with _lock:
        if path not in _cache:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                rows = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
            _cache[path] = Gazetteer(rows)
        return _cache[path]
