"""Toponym resolution for ``places.v1``: pick one gazetteer place per mention, using the document.

Each candidate gets a log-linear score:

* **prior**: log10 population, a bonus by kind (a country or first-level region is what a bare
  name in news usually means), a penalty when only an alternate/historic name matched;
* **containment**: ``City, State`` keeps only places inside the state;
* **document context**: the share of the document's country votes for the candidate's country,
  and of its first-level-region votes for its region (votes come from unambiguous mentions,
  containers, demonyms, the dateline, country entities of ``entities.v1`` and the URL's
  country-code domain), and closeness to the other places of the document; a national capital
  gets a bonus in its own country's news ("Washington" in a US story), and beats a first-level
  region of the same name; a place of a country the document does not otherwise name gains when
  it lies near the places it does name ("Gaza" beside Israel and Egypt); towns the outlet's web
  host names (``columbuslocalnews.com``) count as neighbours for spatial minimality.

A name is never evidence for itself: when a mention is scored, the votes of every mention of the
same name are left out (eleven "Dublin"s that a first pass put in Ireland are no votes for Ireland).
Resolution runs twice: the first pass votes with unambiguous mentions only, the second with every
first-pass choice. Weak mentions are then resolved in that context
and kept when :data:`WEAK_WEIGHTS` (a logistic model fit on LGL + TR-News weak mentions; each set
predicts the other about as well) scores them above :data:`WEAK_THRESHOLD`; the kept ones vote in
one more pass. Then one sense per discourse: every mention of the same name gets the same place.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dateline.stages.place_gazetteer import Candidate, GazEntry, is_minor, normalize
from dateline.stages.place_mentions import Mention, _inside, spelt_otherwise

KIND_BONUS: dict[str, float] = {"country": 3.0, "continent": 3.0, "admin1": 1.5, "region": 1.0, "admin2": 0.5,
                                "city": 0.0}


@dataclass(frozen=True)
class Weights:
    """Tunable weights of the score (defaults set on the development sets; see docs/places.md)."""

    alternate_penalty: float = 2.5
    country: float = 3.0
    admin1: float = 3.0
    near: float = 2.0
    near_km: float = 120.0
    cluster: float = 3.0
    container: float = 6.0
    county: float = 4.0
    admin1_capital: float = 1.0
    capital: float = 3.0
    region: float = 1.5
    region_km: float = 400.0


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def prior(cand: Candidate, w: Weights) -> float:
    """Context-free score of a candidate."""
    e = cand.entry
    score = math.log10(e.population + 10) + KIND_BONUS[e.kind]
    return score if cand.primary else score - w.alternate_penalty


_NO_VOTES: tuple[Counter[str], Counter[tuple[str, str]]] = (Counter(), Counter())


@dataclass
class Context:
    """Votes of the document for countries and first-level regions, and its resolved points."""

    countries: Counter[str]
    admin1: Counter[tuple[str, str]]
    points: list[tuple[int, GazEntry]]
    counties: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    keys: dict[int, str] = field(default_factory=dict)
    """Mention index -> its name's match key."""
    name_votes: dict[str, tuple[Counter[str], Counter[tuple[str, str]]]] = field(default_factory=dict)
    """Name key -> the votes its mentions cast (left out when a mention of that name is scored)."""
    _others: dict[str, tuple[Counter[str], Counter[tuple[str, str]], int, int]] = field(default_factory=dict)
    cluster: dict[GazEntry, int] = field(default_factory=dict)
    """Town/county candidate -> how many other names of the document have a candidate near it."""
    """(country, admin1, admin2) of every county and town candidate -> the names that could be there."""

    def country_share(self, cc: str, own: int = 0) -> float:
        """Share of the strongest country's votes that ``cc`` has (0..1), minus the mention's own."""
        top = max(self.countries.values(), default=0)
        return max(0, self.countries[cc] - own) / top if top else 0.0

    def admin1_share(self, key: tuple[str, str], own: int = 0) -> float:
        """Like :meth:`country_share` for a first-level region."""
        top = max(self.admin1.values(), default=0)
        return max(0, self.admin1[key] - own) / top if top else 0.0

    def others(self, name: str) -> tuple[Counter[str], Counter[tuple[str, str]], int, int]:
        """The votes of every *other* name than ``name`` (countries, regions and their maxima)."""
        hit = self._others.get(name)
        if hit is None:
            own_cc, own_a1 = self.name_votes.get(name, _NO_VOTES)
            cc = self.countries - own_cc if own_cc else self.countries
            a1 = self.admin1 - own_a1 if own_a1 else self.admin1
            hit = (cc, a1, max(cc.values(), default=0), max(a1.values(), default=0))
            self._others[name] = hit
        return hit


def _votes(entries: Iterable[tuple[int, GazEntry]], seed_countries: Sequence[str],
           keys: dict[int, str] | None = None) -> Context:
    """The document's votes. A name is never evidence for itself: a candidate's support leaves out
    the votes of every mention of its own name ("Dublin" eleven times in a Dublin, Ohio story are
    no eleven votes for Ireland; see :attr:`Context.name_votes`)."""
    countries: Counter[str] = Counter(seed_countries)
    admin1: Counter[tuple[str, str]] = Counter()
    points: list[tuple[int, GazEntry]] = []
    by_name: dict[str, tuple[Counter[str], Counter[tuple[str, str]]]] = defaultdict(lambda: (Counter(), Counter()))
    keys = keys or {}
    for idx, e in entries:
        voted_cc, voted_a1 = by_name[keys.get(idx, f"#{idx}")]
        if e.country:
            countries[e.country] += 1
            voted_cc[e.country] += 1
        if e.admin1 and e.kind != "country":
            admin1[(e.country, e.admin1)] += 1
            voted_a1[(e.country, e.admin1)] += 1
        if e.name:  # country-only votes carry no point
            points.append((idx, e))
    return Context(countries, admin1, points, keys=keys, name_votes=dict(by_name))


def _cluster_index(mentions: Sequence[Mention], near_km: float,
                   outlet: Sequence[Sequence[Candidate]] = ()) -> dict[GazEntry, int]:
    """Spatial minimality: for each town/county candidate, how many *other* names of the document
    could denote a town or county within ``near_km`` ("London ... St. Thomas ... Middlesex" cluster
    in Ontario, not in England), whatever the first pass chose for them. A neighbour counts only
    in a reading at least a tenth as populous as its name's biggest one (Paris, Pennsylvania is no
    neighbour of Moscow, Pennsylvania). The towns the outlet's web host names (``outlet``, see
    :func:`places.outlet_places`) are neighbours too: a local paper writes about its own area."""
    grid: dict[tuple[int, int], list[tuple[str, GazEntry]]] = defaultdict(list)
    names: dict[str, list[GazEntry]] = defaultdict(list)
    in_text = {normalize(m.text) for m in mentions}
    for n, cands in enumerate(outlet):
        if any(normalize(c.entry.name) in in_text for c in cands if c.primary):
            continue  # the outlet's town is named in the text: it counts there, once
        # An outlet is named after its town, not a country ("palestineherald.com", "jordannews.com"):
        # its plausible readings are the towns of that name at least a tenth as big as the biggest.
        top = max((c.entry.population for c in cands if c.primary and c.entry.kind == "city"), default=0)
        for c in cands:
            if c.primary and c.entry.kind == "city" and c.entry.population * 10 >= top:
                grid[(int(c.entry.lat), int(c.entry.lon))].append((f"@outlet{n}", c.entry))
    for m in mentions:
        key = normalize(m.text)
        if key in names:
            continue
        top = max((c.entry.population for c in m.candidates if c.primary), default=0)
        for c in m.candidates:
            if c.primary and c.entry.kind in ("city", "admin2"):
                names[key].append(c.entry)
                if c.entry.population * 10 >= top:  # a neighbour only in a plausible reading of its name
                    grid[(int(c.entry.lat), int(c.entry.lon))].append((key, c.entry))
    if len(names) < (1 if outlet else 2):
        return {}
    out: dict[GazEntry, int] = {}
    for key, entries in names.items():
        for e in entries:
            near: set[str] = set()
            cy, cx = int(e.lat), int(e.lon)
            for dy in (-1, 0, 1):
                for dx in (-2, -1, 0, 1, 2):
                    for other, p in grid.get((cy + dy, cx + dx), ()):
                        if other != key and other not in near and km(e.lat, e.lon, p.lat, p.lon) <= near_km:
                            near.add(other)
            if near:
                out[e] = len(near)
    return out


def _county_index(mentions: Sequence[Mention]) -> dict[tuple[str, str, str], set[str]]:
    """Which mentions could lie in (or be) which county: "Paris ... Henry County" meet in Henry
    County, Tennessee, and that pins down both."""
    index: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for m in mentions:
        if m.weak:  # an unconfirmed name ("Brent", a first name) is no evidence for a county
            continue
        key = normalize(m.text)
        top = max((c.entry.population for c in m.candidates if c.primary), default=0)
        for c in m.candidates:
            e = c.entry
            # As for spatial minimality, a name is evidence for a county only in a plausible reading
            # (two villages of Falkirk named California and Redding say nothing about a Californian story).
            if e.admin2 and e.kind in ("city", "admin2") and c.primary and e.population * 10 >= top:
                index[(e.country, e.admin1, e.admin2)].add(key)
    return index


def _unambiguous(m: Mention) -> GazEntry | None:
    """The mention's place when the name can mean only one thing (or one strong thing); for a name
    that is ambiguous only within one country, that country (as a country vote)."""
    primary = [c.entry for c in m.candidates if c.primary]
    if len(m.candidates) == 1:
        return m.candidates[0].entry
    strong = [e for e in primary if e.kind in ("country", "continent")]
    if len(strong) == 1 and not any(e.kind == "admin1" for e in primary):
        return strong[0]
    countries = {e.country for e in primary}
    if len(primary) > 1 and len(countries) == 1 and "" not in countries:
        return GazEntry("country", "", 0.0, 0.0, primary[0].country, "", "", 0)
    return None


def _score(i: int, m: Mention, cand: Candidate, ctx: Context | None, w: Weights) -> float:
    e = cand.entry
    s = prior(cand, w)
    if e.kind == "city" and not cand.primary and spelt_otherwise(m.text, e, m.candidates):
        # "Hama" for Ḩamāh: the region's own name is also its capital's, whose gazetteer name is spelt
        # otherwise; the city's name is no alternate one then.
        s += w.alternate_penalty
    if e.kind == "admin1" and cand.primary and any(
            c.entry.kind == "city" and c.entry.admin1 == e.admin1 and c.entry.country == e.country
            and c.entry.population * 20 >= e.population
            and (c.primary or spelt_otherwise(m.text, c.entry, m.candidates)) for c in m.candidates):
        # "Homs", "Idlib": a region named after its capital; a bare name means the city.
        s -= KIND_BONUS["admin1"] + w.admin1_capital
    elif e.kind == "admin1" and any(c.entry.capital and c.entry.population >= 100_000 for c in m.candidates):
        # "Washington": a national capital beats the region of the same name.
        s -= KIND_BONUS["admin1"] + w.admin1_capital + 1.0
    if m.container is not None and m.container.chosen is not None and _inside(e, m.container.chosen):
        s += w.container
    if ctx is None:
        return s
    cc_votes, a1_votes, cc_top, a1_top = ctx.others(ctx.keys.get(i, ""))
    if e.country:
        share = cc_votes[e.country] / cc_top if cc_top else 0.0
        s += w.country * share
        if e.capital and share >= 1.0:  # in a country's own news its capital's bare name means the capital
            s += w.capital
    if e.admin1 and e.kind != "country":
        s += w.admin1 * (a1_votes[(e.country, e.admin1)] / a1_top if a1_top else 0.0)
    if (e.admin2 and e.kind in ("city", "admin2") and cand.primary
            and ctx.counties.get((e.country, e.admin1, e.admin2), set()) - {normalize(m.text)}):
        s += w.county
    if e.kind in ("city", "admin2") and ctx.cluster:
        s += w.cluster * min(1.0, ctx.cluster.get(e, 0) / 2)
    if w.region and e.kind in ("city", "admin1") and e.country and not cc_votes[e.country]:
        # A town or region of a country the document does not otherwise name, near the places it
        # does name ("Gaza" in a story about Israel and Egypt is not Gaza, Mozambique).
        deg = w.region_km / 111.0
        name = ctx.keys.get(i)
        if any(abs(e.lat - p.lat) <= deg and ctx.keys.get(idx) != name and p.country != e.country
               and km(e.lat, e.lon, p.lat, p.lon) <= w.region_km for idx, p in ctx.points):
            s += w.region
    if e.kind in ("city", "admin2"):
        deg = w.near_km / 111.0  # a degree of latitude is ~111 km: most points fail this cheap test
        name = ctx.keys.get(i)
        near = sum(1 for idx, p in ctx.points if idx != i and p.kind in ("city", "admin2")
                   and ctx.keys.get(idx) != name
                   and abs(e.lat - p.lat) <= deg and km(e.lat, e.lon, p.lat, p.lon) <= w.near_km)
        s += w.near * min(1.0, near / 2)
    return s


def _name_key(text: str) -> str:
    """A mention's name for "a name is never evidence for itself": its match key, less a "City" of
    the town's own name ("Dublin City Council" is no vote for Ireland in a story about Dublin)."""
    key = normalize(text)
    if key.endswith(" city") and len(key) > 9:
        return key[:-5]
    return key[8:] if key.startswith("city of ") else key


def _chosen(mentions: Sequence[Mention], indices: Iterable[int]) -> list[tuple[int, GazEntry]]:
    return [(i, e) for i in indices if (e := mentions[i].chosen) is not None]


def _choose(i: int, m: Mention, ctx: Context, w: Weights) -> None:
    cands = m.candidates
    if len(cands) > 1 and m.container is None and any(c.entry.population == 0 for c in cands) and \
            not all(is_minor(c.entry) for c in cands):
        # A minor place (a hamlet of unknown size) beats a namesake town only with its state's
        # support: skip scoring the others (most names have dozens; this keeps the cost flat).
        cands = [c for c in cands if not is_minor(c.entry) or ctx.admin1[(c.entry.country, c.entry.admin1)]]
    scored = [(_score(i, m, c, ctx, w), c.entry) for c in cands]
    m.score, m.chosen = max(scored, key=lambda t: t[0])


# Weak mentions: a logistic model over the features below says whether a gazetteer-only match
# names a place (fit on LGL + TR-News, each checked on the other; see docs/places.md).
WEAK_SOURCES = ("capitalised", "inside", "ner-other", "ner", "ner-norp", "inside-demonym", "demonym-region")
WEAK_CUES = ("prep", "of", "body", "caps", "strong")
WEAK_WEIGHTS: tuple[float, ...] = (
    -3.65,  # bias
    0.18, 1.88, 0.71, -0.29, 4.08, 0.15,  # country share, admin1 share, near, country/region, log pop, candidates
    0.8, -0.08, 0.62, 0.38, 0.84,  # cues: prep, of, body, caps, strong
    -0.63, -0.64, -0.29, 0.96, -0.11, -1.54, -1.4,  # sources (WEAK_SOURCES order)
)
WEAK_THRESHOLD = -1.0


def _weak_features(i: int, m: Mention, e: GazEntry, ctx: Context, w: Weights) -> list[float]:
    deg = w.near_km / 111.0
    near = any(idx != i and abs(e.lat - p.lat) <= deg and km(e.lat, e.lon, p.lat, p.lon) <= w.near_km
               for idx, p in ctx.points) if e.name else False
    return [
        1.0,
        ctx.country_share(e.country) if e.country else 0.0,
        ctx.admin1_share((e.country, e.admin1)) if e.admin1 and e.kind != "country" else 0.0,
        1.0 if near else 0.0,
        1.0 if e.kind in ("country", "continent", "admin1") else 0.0,
        math.log10(e.population + 10) / 7,
        math.log(len(m.candidates)),
        *(m.cues.get(c, 0.0) for c in WEAK_CUES),
        *(1.0 if m.source == src else 0.0 for src in WEAK_SOURCES),
    ]


def _supported(i: int, m: Mention, e: GazEntry, ctx: Context, w: Weights) -> bool:
    """Whether a weak mention names a place (by :data:`WEAK_WEIGHTS` over :func:`_weak_features`)."""
    features = _weak_features(i, m, e, ctx, w)
    return sum(a * b for a, b in zip(WEAK_WEIGHTS, features, strict=True)) > WEAK_THRESHOLD


def resolve(mentions: list[Mention], seed_countries: Sequence[str] = (), weights: Weights | None = None,
            outlet: Sequence[Sequence[Candidate]] = ()) -> None:
    """Choose ``chosen`` (and ``score``) for every mention, in place.

    Weak mentions (see :mod:`place_mentions`) do not vote until they are accepted; a weak mention
    the document does not support keeps ``chosen = None``.
    """
    w = weights or Weights()
    # Containers first (a state is resolved before the city inside it).
    order = sorted((i for i, m in enumerate(mentions) if not m.weak), key=lambda i: not mentions[i].contained)
    seeds = [(i, e) for i in order if (e := _unambiguous(mentions[i])) is not None]
    counties = _county_index(mentions)
    cluster = _cluster_index(mentions, w.near_km, outlet) if w.cluster else {}
    keys = {i: _name_key(m.text) for i, m in enumerate(mentions)}
    ctx = _votes(seeds, seed_countries, keys)
    ctx.counties = counties
    ctx.cluster = cluster
    for _ in range(2):
        for i in order:
            _choose(i, mentions[i], ctx, w)
        ctx = _votes(_chosen(mentions, order), seed_countries, keys)
        ctx.counties = counties
        ctx.cluster = cluster
    accepted = list(order)
    for i, m in enumerate(mentions):
        if m.weak:
            _choose(i, m, ctx, w)
            if m.chosen is not None and _supported(i, m, m.chosen, ctx, w):
                accepted.append(i)
            else:
                m.chosen = None
    if len(accepted) > len(order):  # one more pass with the accepted weak mentions voting too
        ctx = _votes(_chosen(mentions, accepted), seed_countries, keys)
        ctx.counties = counties
        ctx.cluster = cluster
        for i in accepted:
            _choose(i, mentions[i], ctx, w)
    _one_sense_per_discourse(mentions)


def _one_sense_per_discourse(mentions: list[Mention]) -> None:
    """Every mention of the same name gets the place of its best-scored mention (containers aside)."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[normalize(m.text)].append(m)
    for group in groups.values():
        if len(group) < 2:
            continue
        best = max(group, key=lambda m: m.score)
        for m in group:
            if (m.chosen is not None and m.container is None and best.chosen is not None
                    and any(c.entry == best.chosen for c in m.candidates)):
                m.chosen = best.chosen
