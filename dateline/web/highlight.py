"""Safe HTML from untrusted text: search snippets with ``[``…``]`` marks, and article text with spans.

Article text is hostile by assumption. Every piece of it is escaped with :func:`markupsafe.escape`
before any markup is added, and the only markup added is fixed tags and attributes built here, so
nothing in the text can open a tag, an attribute or a URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

_BRACKET = re.compile(r"[\[\]]")


def snippet_html(snippet: str) -> Markup:
    """Escape a store snippet, then turn its ``[``…``]`` match markers into ``<mark>``.

    Escaping leaves ``[`` and ``]`` alone, so the whole snippet is escaped at once and only the
    brackets are visited: an opening ``[`` outside a mark and a closing ``]`` inside one are markers,
    any other bracket is text; a mark left open is closed at the end."""
    text = str(escape(snippet))
    out: list[str] = []
    pos = 0
    depth = 0
    for m in _BRACKET.finditer(text):
        ch = m.group()
        if (ch == "[") == (depth == 0):
            out.append(text[pos : m.start()])
            out.append("<mark>" if depth == 0 else "</mark>")
            depth ^= 1
            pos = m.end()
    out.append(text[pos:])
    if depth:
        out.append("</mark>")
    return Markup("".join(out))


def safe_url(url: str | None) -> str | None:
    """The URL if it is plain http(s), else None (``javascript:``, ``data:`` … are never linked)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(c in url for c in "\r\n\t\0"):
        return url.strip()
    return None


@dataclass(frozen=True)
class Layer:
    """One highlighted span: its CSS kind, the text range and a human-readable description."""

    kind: str
    start: int
    end: int
    label: str


def _name(value: Any) -> str:
    if isinstance(value, list):
        return " & ".join(_name(v) for v in value) or "?"
    if isinstance(value, dict):
        return str(value.get("canonical") or value.get("text") or "?")
    return "?"


def _span(d: Any) -> tuple[int, int] | None:
    if isinstance(d, dict) and isinstance(d.get("start"), int) and isinstance(d.get("end"), int):
        return int(d["start"]), int(d["end"])
    return None


def entity_label(e: dict[str, Any]) -> str:
    """``Entity: Turkish Foreign Ministry — government body, Turkey``."""
    bits = [str(b) for b in (e.get("kind"), e.get("country_name") or e.get("country"), e.get("role")) if b]
    return f"Entity: {e.get('canonical') or e.get('text')}" + (f" — {', '.join(bits)}" if bits else "")


def place_label(p: dict[str, Any]) -> str:
    """``Place: Hama, SY (mentioned)``."""
    where = ", ".join(str(b) for b in (p.get("name") or p.get("text"), p.get("country")) if b)
    return f"Place: {where}" + (f" ({p['role']})" if p.get("role") else "")


def event_label(ev: dict[str, Any]) -> str:
    """``Event: ASSAULT · CAMEO 195 · Russia → civilians · 2019-11-18``."""
    parts = [f"Event: {ev.get('type', '?')}"]
    if ev.get("cameo"):
        parts.append(f"CAMEO {ev['cameo']}")
    if ev.get("actor") or ev.get("target"):
        parts.append(f"{_name(ev.get('actor')) if ev.get('actor') else '—'} → "
                     f"{_name(ev.get('target')) if ev.get('target') else '—'}")
    if ev.get("mode"):
        parts.append(str(ev["mode"]))
    if ev.get("date"):
        parts.append(str(ev["date"]))
    elif ev.get("date_text"):
        parts.append(f"“{ev['date_text']}” (unresolved)")
    return " · ".join(parts)


def article_layers(article: Any) -> list[Layer]:
    """Every highlightable span of an article: dateline, entities, places, quotes, speakers, events."""
    layers: list[Layer] = []
    if article.dateline is not None:
        dl = article.dateline
        who = ", ".join(str(b) for b in (dl.place, dl.agency) if b)
        layers.append(Layer("dateline", dl.start, dl.end, f"Dateline: {who}"))
    for e in article.entities:
        if (sp := _span(e)) is not None:
            layers.append(Layer("entity", *sp, entity_label(e)))
    for p in article.places:
        if (sp := _span(p)) is not None:
            layers.append(Layer("place", *sp, place_label(p)))
    for q in article.quotes:
        speaker = q.get("speaker")
        if (sp := _span(q)) is not None:
            layers.append(Layer("quote", *sp, f"Quote ({q.get('kind', '?')}) by {_name(speaker) if speaker else '?'}"))
        if (sp := _span(speaker)) is not None:
            layers.append(Layer("speaker", *sp, f"Speaker: {_name(speaker)}"))
    for ev in article.events:
        if (sp := _span(ev.get("trigger"))) is not None:
            layers.append(Layer("event", *sp, event_label(ev)))
    return layers


def highlight_text(text: str, layers: Iterable[Layer]) -> Markup:
    """Cut the text at every span boundary and wrap annotated pieces in focusable ``<span>``s.

    Spans may nest or cross; each piece carries the classes and descriptions of every span covering
    it. Out-of-range spans are clipped; paragraphs (blank lines) become ``<p>`` elements.
    """
    n = len(text)
    spans = [la for la in layers if 0 <= la.start < la.end <= n]
    cuts = sorted({0, n, *(la.start for la in spans), *(la.end for la in spans)})
    starts: dict[int, list[Layer]] = {}
    for la in spans:
        starts.setdefault(la.start, []).append(la)
    active: list[Layer] = []
    paragraphs: list[list[str]] = [[]]
    for a, b in pairwise(cuts):
        active = [la for la in active if la.end > a] + starts.get(a, [])
        chunks = text[a:b].split("\n\n")
        for i, chunk in enumerate(chunks):
            if i:
                paragraphs.append([])
            if not chunk:
                continue
            if not active:
                paragraphs[-1].append(str(escape(chunk)))
                continue
            kinds = sorted({la.kind for la in active})
            classes = " ".join(f"hl hl-{k}" if j == 0 else f"hl-{k}" for j, k in enumerate(kinds))
            title = "\n".join(dict.fromkeys(la.label for la in active))
            paragraphs[-1].append(
                f'<span class="{classes}" tabindex="0" title="{escape(title)}">{escape(chunk)}</span>'
            )
    return Markup("".join(f"<p>{''.join(p)}</p>" for p in paragraphs if "".join(p).strip()))
