"""Server-rendered charts: geometry for inline SVG (no script, so it satisfies the CSP as is).

Functions here return plain shapes (rectangles, ticks, legend entries); the templates draw them with
autoescaped attributes, so no label can inject markup.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from dateline.web.geo import project
from dateline.web.queries import MapPoint

CHART_W = 900.0
CHART_H = 260.0
PAD_L, PAD_R, PAD_T, PAD_B = 40.0, 10.0, 10.0, 30.0


@dataclass(frozen=True)
class Bar:
    """One stacked segment: position, size, CSS class (``ev-ASSAULT``) and tooltip."""

    x: float
    y: float
    w: float
    h: float
    css: str
    title: str


@dataclass(frozen=True)
class Tick:
    """An axis label at a position."""

    pos: float
    label: str


@dataclass(frozen=True)
class BarChart:
    """A stacked bar chart ready for the template."""

    bars: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    bin: str
    width: float = CHART_W
    height: float = CHART_H


def _bin_key(day: str, unit: str) -> str:
    if unit == "day":
        return day
    d = date.fromisoformat(day)
    if unit == "week":
        return (d - timedelta(days=d.weekday())).isoformat()
    return day[:7]


def stacked_bars(days: dict[str, dict[str, int]], max_bins: int = 120) -> BarChart:
    """Bars per day (or per week / month when the range is long), stacked by event type."""
    valid = {}
    for day, counts in days.items():
        try:
            date.fromisoformat(day)
        except ValueError:
            continue
        valid[day] = counts
    if not valid:
        return BarChart([], [], [], "day")
    first, last = date.fromisoformat(min(valid)), date.fromisoformat(max(valid))
    span = (last - first).days + 1
    unit = "day" if span <= max_bins else "week" if span <= max_bins * 7 else "month"
    binned: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, counts in valid.items():
        for kind, n in counts.items():
            binned[_bin_key(day, unit)][kind] += n
    keys = _all_bins(first, last, unit)
    top = max((sum(c.values()) for c in binned.values()), default=1) or 1
    plot_w, plot_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B
    slot = plot_w / max(1, len(keys))
    bars: list[Bar] = []
    for i, key in enumerate(keys):
        y = PAD_T + plot_h
        for kind, n in sorted(binned.get(key, {}).items()):
            h = n / top * plot_h
            y -= h
            bars.append(Bar(round(PAD_L + i * slot + slot * 0.1, 2), round(y, 2), round(max(slot * 0.8, 0.5), 2),
                            round(h, 2), f"ev-{kind}", f"{key}: {n} {kind}"))
    step = max(1, len(keys) // 8)
    x_ticks = [Tick(round(PAD_L + i * slot + slot / 2, 2), keys[i]) for i in range(0, len(keys), step)]
    y_ticks = [Tick(round(PAD_T + plot_h - plot_h * f, 2), str(round(top * f))) for f in (0.0, 0.5, 1.0)]
    return BarChart(bars, x_ticks, y_ticks, unit)


def _all_bins(first: date, last: date, unit: str) -> list[str]:
    keys: list[str] = []
    d = first
    while d <= last:
        key = _bin_key(d.isoformat(), unit)
        if not keys or keys[-1] != key:
            keys.append(key)
        d += timedelta(days=1 if unit == "day" else 7 if unit == "week" else 28)
    last_key = _bin_key(last.isoformat(), unit)
    if keys[-1] != last_key:
        keys.append(last_key)
    return keys


@dataclass(frozen=True)
class Dot:
    """A place on the map: projected centre, radius, CSS class, tooltip and search link value."""

    cx: float
    cy: float
    r: float
    css: str
    title: str
    name: str


def map_dots(points: list[MapPoint], limit: int = 500) -> list[Dot]:
    """Circles sized by the square root of mentions; places with events drawn as event dots."""
    top = max((p.mentions for p in points), default=1) or 1
    dots: list[Dot] = []
    for p in points[:limit]:
        cx, cy = project(p.lon, p.lat)
        r = round(2.0 + 10.0 * (p.mentions / top) ** 0.5, 1)
        where = f"{p.name}, {p.country}" if p.country else p.name
        title = f"{where}: {p.mentions} mentions in {len(p.articles)} articles, {p.events} events"
        dots.append(Dot(cx, cy, r, "dot-event" if p.events else "dot-place", title, p.name))
    # big circles first so that small ones stay clickable on top
    return sorted(dots, key=lambda d: -d.r)
