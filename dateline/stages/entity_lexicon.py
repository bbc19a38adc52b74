"""The name lexicon behind entities.v1: countries (pycountry + a shipped demonym table), the shipped
alias table of organisations and armed groups, user alias files, and organisation-with-country
patterns ("Russian Defense Ministry", "Ministry of Foreign Affairs of Turkey").

Everything here works on plain strings; matching names inside a spaCy ``Doc`` lives in
:mod:`dateline.stages.entity_match`.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from dateline.errors import ConfigError
from dateline.stages.entity_heads import ORG_HEADS, head_variants

KINDS = (
    "person", "country", "organisation", "international organisation", "armed group",
    "government body", "military", "political party", "media", "group",
)
"""The entity kinds this stage assigns (user alias files may use any of these)."""

ENV_ALIASES = "DATELINE_ALIASES"
"""Environment variable naming a user alias file (merged over the shipped table)."""

_DOTS = re.compile(r"\.(?=\w|$)|(?<=\w)\.")
_APOS = str.maketrans({"’": "'", "‘": "'", "`": "'", "–": "-", "—": "-", "‐": "-", "\u00a0": " "})
_WORD = re.compile(r"[\w']+")
# English function words that are also acronyms (IS, US, WHO, AM): such an acronym must not match
# inside all-capitals text, where it is most likely the word.
_WORDLIKE = frozenset({"is", "us", "who", "am", "it", "as", "an", "at", "in", "on", "or", "so", "no", "me", "we",
                       "be", "do", "go", "he", "if", "my", "of", "to", "up", "aim", "all", "can", "cat", "let"})


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """The lookup key of a name: case-folded words, dots and hyphens dropped, ``'s`` and ``the`` cut
    (memoised: the matcher keys every token, and most tokens are words seen before).

    ``"the U.S."`` → ``"us"``; ``"al-Qaeda"`` → ``"al qaeda"``; ``"Russia's"`` → ``"russia"``.
    """
    t = unicodedata.normalize("NFKC", text).translate(_APOS)
    t = _DOTS.sub("", t).replace("-", " ")
    words = _WORD.findall(t.casefold())
    if words and words[-1] in ("'s", "s'"):
        words.pop()
    elif words and words[-1].endswith("'s"):
        words[-1] = words[-1][:-2]
    words = [w.strip("'") for w in words if w.strip("'")]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def is_acronym(alias: str) -> bool:
    """True for an all-capitals short form (``IS``, ``U.S.``, ``ISIL``) that must match case-sensitively."""
    alias = alias[4:] if alias.lower().startswith("the ") else alias
    letters = _DOTS.sub("", alias).replace("-", "")
    return 1 < len(letters) <= 6 and letters.isupper() and letters.isalpha()


def acronym_is_wordlike(alias: str) -> bool:
    """True when an acronym spells an English function word (``IS``, ``US``, ``WHO``)."""
    return _DOTS.sub("", alias).lower() in _WORDLIKE


@dataclass(frozen=True)
class ResolvedName:
    """What a name refers to: a canonical name, a kind and (when known) an ISO 3166-1 alpha-2 country."""

    canonical: str
    kind: str
    country: str | None = None

    @property
    def country_name(self) -> str | None:
        """The canonical short name of :attr:`country` (``"RU"`` → ``"Russia"``)."""
        return country_name(self.country) if self.country else None


@dataclass(frozen=True)
class Variant:
    """One written form of a name: its entity, and whether it only matches in capitals."""

    target: ResolvedName
    surface: str
    case_sensitive: bool
    wordlike: bool
    how: str
    """``alias``, ``country`` or ``demonym`` (recorded as the mention's ``source``)."""

    def accepts(self, surface: str) -> bool:
        """Whether ``surface`` (a span of text with this variant's key) is this variant, by case."""
        if not self.case_sensitive:
            return True
        letters = _DOTS.sub("", surface[4:] if surface.lower().startswith("the ") else surface)
        return letters.isupper()


@dataclass
class Lexicon:
    """All names the stage knows, keyed by :func:`name_key`."""

    variants: dict[str, list[Variant]] = field(default_factory=dict)
    adjectives: dict[str, str] = field(default_factory=dict)
    """ISO2 → the adjective used in canonical organisation names (``RU`` → ``Russian``)."""
    takes_the: set[str] = field(default_factory=set)
    """Keys of country names written with "the" ("the United States"): the article joins the span."""

    def add(self, surface: str, target: ResolvedName, how: str) -> None:
        """Register one written form of a name (the last registration of an identical form wins)."""
        key = name_key(surface)
        if not key:
            return
        if how == "country" and surface.lower().startswith("the "):
            self.takes_the.add(key)
        cs = is_acronym(surface)
        variant = Variant(target, surface, cs, cs and acronym_is_wordlike(surface), how)
        bucket = self.variants.setdefault(key, [])
        bucket[:] = [v for v in bucket if not (v.case_sensitive == cs and v.how == how)] + [variant]

    def remove_key(self, surface: str) -> None:
        """Forget every variant with this form's key (a user entry claims the name)."""
        self.variants.pop(name_key(surface), None)

    def lookup(self, surface: str) -> Variant | None:
        """The variant a surface form names, honouring case rules (aliases before countries)."""
        found = [v for v in self.variants.get(name_key(surface), ()) if v.accepts(surface.strip())]
        if not found:
            return None
        order = {"user": 0, "alias": 1, "country": 2, "demonym": 3}
        return min(found, key=lambda v: (order.get(v.how, 9), not v.case_sensitive))

    @property
    def max_words(self) -> int:
        """The most words any known name has (bounds the matcher's window)."""
        return max((len(k.split()) for k in self.variants), default=1)

    def resolve(self, text: str) -> ResolvedName | None:
        """Resolve any string: a country name or demonym, an alias, or an organisation with a country."""
        text = text.strip()
        if not text:
            return None
        variant = self.lookup(text)
        if variant is not None:
            return variant.target
        return self.resolve_org(text)

    def resolve_org(self, text: str) -> ResolvedName | None:
        """``[the] <country or demonym>['s] <head>`` or ``<head> of <country>`` → a government body or military."""
        words = _WORD.findall(unicodedata.normalize("NFKC", text).translate(_APOS))
        if words and words[0].lower() == "the":
            words = words[1:]
        for i in range(min(len(words) - 1, 4), 0, -1):
            country = self._country_of(" ".join(words[:i]))
            if country is None:
                continue
            head = head_variants().get(name_key(" ".join(words[i:])))
            if head is not None and (words[i][0].isupper() or head.lowercase_ok):
                return self._org(country, head.canonical, head.kind)
        # "<head> of <country>": "Ministry of Defence of Russia"
        lowered = [w.lower() for w in words]
        for i in range(len(words) - 1, 0, -1):
            if lowered[i] != "of":
                continue
            head = head_variants().get(name_key(" ".join(words[:i])))
            country = self._country_of(" ".join(words[i + 1:]))
            if head is not None and country is not None and words[0][0].isupper():
                return self._org(country, head.canonical, head.kind)
        return None

    def _country_of(self, text: str) -> str | None:
        variant = self.lookup(text)
        if variant is not None and variant.target.kind == "country" and variant.target.country:
            return variant.target.country
        return None

    def _org(self, country: str, head: str, kind: str) -> ResolvedName:
        return ResolvedName(f"{self.adjectives.get(country, country_name(country))} {head}", kind, country)


@cache
def _country_rows() -> tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]:
    rows = []
    text = resources.files("dateline.data").joinpath("countries.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = [*line.split("\t"), "", "", ""][:4]
        split = tuple(p.strip() for p in cols[2].split("|") if p.strip())
        extra = tuple(p.strip() for p in cols[3].split("|") if p.strip())
        rows.append((cols[0].strip(), cols[1].strip(), split, extra))
    return tuple(rows)


@cache
def _country_names() -> dict[str, str]:
    return {iso: name for iso, name, _, _ in _country_rows()}


def country_name(iso2: str) -> str:
    """The canonical short name of an ISO alpha-2 code (``"SY"`` → ``"Syria"``), else the code."""
    name = _country_names().get(iso2.upper())
    if name:
        return name
    import pycountry

    c = pycountry.countries.get(alpha_2=iso2.upper())
    return str(getattr(c, "common_name", None) or getattr(c, "name", iso2)) if c else iso2


def _add_countries(lex: Lexicon) -> None:
    import pycountry

    rows = {iso: (name, adjs, extra) for iso, name, adjs, extra in _country_rows()}
    # pycountry first, so the curated table's forms override its official spellings.
    for c in pycountry.countries:
        iso = c.alpha_2
        target = ResolvedName(rows[iso][0] if iso in rows else getattr(c, "common_name", c.name), "country", iso)
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and "," not in value and "(" not in value:
                lex.add(value, target, "country")
    for iso, (name, adjs, extra) in rows.items():
        target = ResolvedName(name, "country", iso)
        for surface in (name, *extra):
            lex.add(surface, target, "country")
        for adj in adjs:
            lex.add(adj, target, "demonym")
        if adjs:
            lex.adjectives[iso] = "US" if iso == "US" else adjs[0]
    # "Russian Federation" is also written "Russia Federation": a short name plus the official noun.
    for c in pycountry.countries:
        iso = c.alpha_2
        if iso not in rows:
            continue
        name, adjs, _ = rows[iso]
        for official in (c.name, getattr(c, "official_name", "")):
            first, _, rest = (official or "").partition(" ")
            if rest and first in adjs and name_key(first) != name_key(name):
                lex.add(f"{name} {rest}", ResolvedName(name, "country", iso), "country")


def parse_alias_entries(data: Any, source: str) -> list[dict[str, Any]]:
    """Validate alias-table entries (``{"entities": [...]}`` or a bare list) and return them."""
    entries = data.get("entities") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: an alias file holds a list of entities (key 'entities')")
    out = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("canonical"), str) or not entry["canonical"]:
            raise ConfigError(f"{source}: entity #{n} needs a 'canonical' name")
        kind = entry.get("kind", "organisation")
        if kind not in KINDS:
            raise ConfigError(f"{source}: entity {entry['canonical']!r} has unknown kind {kind!r}; use one of {KINDS}")
        aliases = entry.get("aliases", [])
        if isinstance(aliases, str):
            aliases = [a.strip() for a in aliases.split("|") if a.strip()]
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ConfigError(f"{source}: entity {entry['canonical']!r}: 'aliases' must be a list of strings")
        country = entry.get("country") or None
        out.append({"canonical": entry["canonical"], "kind": kind, "aliases": aliases,
                    "country": country.upper() if isinstance(country, str) else None})
    return out


def read_alias_file(path: str | Path) -> list[dict[str, Any]]:
    """Read a user alias file: JSON (like the shipped table), TOML (``[[entities]]``) or TSV
    (``canonical<TAB>kind<TAB>aliases separated by |<TAB>country``)."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"alias file {p} cannot be read: {exc.strerror or exc}") from exc
    suffix = p.suffix.lower()
    try:
        if suffix == ".json":
            return parse_alias_entries(json.loads(raw), str(p))
        if suffix == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError as exc:  # Python 3.10
                raise ConfigError(f"alias file {p}: TOML needs Python 3.11+; use JSON or TSV") from exc
            return parse_alias_entries(tomllib.loads(raw), str(p))
    except ValueError as exc:  # json.JSONDecodeError and tomllib.TOMLDecodeError are ValueErrors
        raise ConfigError(f"alias file {p} is not valid {suffix[1:].upper()}: {exc}") from exc
    if suffix in (".tsv", ".txt"):
        rows = []
        for line in raw.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = [*line.split("\t"), "", "", ""][:4]
            rows.append({"canonical": cols[0].strip(), "kind": cols[1].strip() or "organisation",
                         "aliases": cols[2], "country": cols[3].strip() or None})
        return parse_alias_entries(rows, str(p))
    raise ConfigError(f"alias file {p}: use .json, .toml or .tsv")


def shipped_alias_entries() -> list[dict[str, Any]]:
    """The shipped alias table (``dateline/data/aliases.json``)."""
    raw = resources.files("dateline.data").joinpath("aliases.json").read_text(encoding="utf-8")
    return parse_alias_entries(json.loads(raw), "dateline/data/aliases.json")


def _add_aliases(lex: Lexicon, entries: Iterable[dict[str, Any]], how: str) -> None:
    for entry in entries:
        target = ResolvedName(entry["canonical"], entry["kind"], entry["country"])
        for surface in (entry["canonical"], *entry["aliases"]):
            if how == "user":
                lex.remove_key(surface)
            lex.add(surface, target, how)


def build_lexicon(alias_files: Iterable[str | Path] = ()) -> Lexicon:
    """Countries, then the shipped alias table, then each user file (later files win)."""
    lex = Lexicon()
    _add_countries(lex)
    _add_aliases(lex, shipped_alias_entries(), "alias")
    for path in alias_files:
        _add_aliases(lex, read_alias_file(path), "user")
    return lex


def alias_files_from(config: dict[str, Any]) -> tuple[str, ...]:
    """User alias files: ``DATELINE_ALIASES`` (``os.pathsep``-separated), then config ``alias_file``."""
    files: list[str] = [p for p in os.environ.get(ENV_ALIASES, "").split(os.pathsep) if p]
    configured = config.get("alias_file")
    if isinstance(configured, str | Path):
        files.append(str(configured))
    elif isinstance(configured, list):
        files.extend(str(p) for p in configured)
    return tuple(files)


_lexicons: dict[tuple[str, ...], Lexicon] = {}


def get_lexicon(alias_files: tuple[str, ...] = ()) -> Lexicon:
    """A cached lexicon for a set of user alias files."""
    if alias_files not in _lexicons:
        _lexicons[alias_files] = build_lexicon(alias_files)
    return _lexicons[alias_files]


__all__ = ["ORG_HEADS", "Lexicon", "ResolvedName", "build_lexicon", "country_name", "get_lexicon", "name_key"]
