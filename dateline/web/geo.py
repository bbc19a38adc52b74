"""Offline world geometry for the map page: the vendored world-atlas TopoJSON drawn as SVG paths.

The server decodes the TopoJSON (quantised, delta-encoded arcs) once and projects it with a plain
equirectangular projection into a ``WIDTH`` × ``HEIGHT`` viewBox, so the map needs no JavaScript,
no tile server and no network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

WIDTH = 960.0
HEIGHT = 480.0
WORLD_FILE = Path(__file__).parent / "static" / "vendor" / "world-atlas" / "countries-110m.json"


@dataclass(frozen=True)
class CountryShape:
    """One country outline: its name, ISO 3166-1 numeric id and an SVG path ``d`` string."""

    name: str
    id: str
    path: str


def project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular projection of a longitude/latitude into the SVG viewBox."""
    x = (max(-180.0, min(180.0, lon)) + 180.0) / 360.0 * WIDTH
    y = (90.0 - max(-90.0, min(90.0, lat))) / 180.0 * HEIGHT
    return round(x, 1), round(y, 1)


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        points: list[tuple[float, float]] = []
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Stitch a ring from arc indexes (a negative index ``~i`` means arc ``i`` reversed)."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def _unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make longitudes continuous across the antimeridian (Russia, Fiji), so no edge spans the map;
    the part beyond ±180° falls outside the viewBox and is clipped."""
    out: list[tuple[float, float]] = []
    shift = 0.0
    for lon, lat in points:
        if out:
            prev = out[-1][0] - shift
            if lon - prev > 180:
                shift -= 360
            elif prev - lon > 180:
                shift += 360
        out.append((lon + shift, lat))
    return out


def _ring_path(points: list[tuple[float, float]]) -> str:
    parts: list[str] = []
    last: tuple[float, float] | None = None
    for lon, lat in _unwrap(points):
        xy = (round((lon + 180.0) / 360.0 * WIDTH, 1), round((90.0 - lat) / 180.0 * HEIGHT, 1))
        if xy == last:
            continue
        parts.append(f"{'M' if not parts else 'L'}{xy[0]:g},{xy[1]:g}")
        last = xy
    return "".join(parts) + "Z" if len(parts) > 2 else ""


@lru_cache(maxsize=1)
def world_shapes(path: Path = WORLD_FILE) -> tuple[CountryShape, ...]:
    """Every country of the vendored atlas as an SVG path (decoded once per process)."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    shapes: list[CountryShape] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        d = "".join(_ring_path(_ring(ring, arcs)) for polygon in polygons for ring in polygon)
        if d:
            props = geometry.get("properties") or {}
            shapes.append(CountryShape(str(props.get("name", "")), str(geometry.get("id", "")), d))
    return tuple(shapes)
