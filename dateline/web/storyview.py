"""What the story pages show, shaped from the story records ``dateline.stories`` stores.

A story record (``Store.story(id)``, described in ``docs/stories.md``) holds its articles (copies
marked ``duplicate_of``), merged events with their mentions, quotes by speaker and conflicts. The
pages regroup it by outlet so the outlets' coverage sits side by side. Records come from the store
and their text comes from articles, so every value is treated as untrusted (templates escape it) and
as possibly missing or of the wrong type (a record written by another version).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNKNOWN_OUTLET = "unknown outlet"


@dataclass(frozen=True)
class StoryRef:
    """A story as a list item or as the link on an article page."""

    id: str
    label: str
    first_seen: str | None
    last_seen: str | None
    outlets: tuple[str, ...]
    size: int
    unique_size: int
    events: int
    conflicts: int


@dataclass
class OutletColumn:
    """One outlet's coverage of a story: its articles, the event mentions and quotes in them."""

    outlet: str
    articles: list[dict[str, Any]] = field(default_factory=list)
    copies: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    """``{"id", "type", "text", "article_id"}`` per event mention."""
    quotes: list[dict[str, Any]] = field(default_factory=list)
    """``{"speaker", "text", "article_id", "kind"}`` per quote."""


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in _list(value) if isinstance(v, dict)]


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def story_ref(record: dict[str, Any]) -> StoryRef:
    """The summary of a story record (what ``/stories`` lists and ``/api/stories`` returns)."""
    articles = _dicts(record.get("articles"))
    return StoryRef(
        id=str(record.get("id") or ""), label=str(record.get("label") or "(no label)"),
        first_seen=_str(record.get("first_seen")), last_seen=_str(record.get("last_seen")),
        outlets=tuple(str(o) for o in _list(record.get("outlets"))),
        size=_int(record.get("size", len(articles))),
        unique_size=_int(record.get("unique_size", sum(1 for a in articles if not a.get("duplicate_of")))),
        events=len(_list(record.get("events"))), conflicts=len(_list(record.get("conflicts"))),
    )


def outlet_columns(record: dict[str, Any]) -> list[OutletColumn]:
    """The story's coverage grouped by outlet: outlets with the most original articles first."""
    columns: dict[str, OutletColumn] = {}

    def column(outlet: Any) -> OutletColumn:
        name = str(outlet) if outlet else UNKNOWN_OUTLET
        return columns.setdefault(name, OutletColumn(name))

    for a in _dicts(record.get("articles")):
        col = column(a.get("outlet"))
        col.articles.append(a)
        col.copies += bool(a.get("duplicate_of"))
    for ev in _dicts(record.get("events")):
        for m in _dicts(ev.get("mentions")):
            column(m.get("outlet")).events.append({"id": ev.get("id"), "type": ev.get("type"), "text": m.get("text"),
                                                   "article_id": m.get("article_id")})
    for group in _dicts(record.get("quotes")):
        for q in _dicts(group.get("quotes")):
            column(q.get("outlet")).quotes.append({"speaker": group.get("speaker"), "text": q.get("text"),
                                                   "article_id": q.get("article_id"), "kind": q.get("kind")})
    return sorted(columns.values(), key=lambda c: (c.outlet == UNKNOWN_OUTLET, -(len(c.articles) - c.copies),
                                                   c.outlet.lower()))


def says_parts(says: Any) -> list[str]:
    """A claim's stance, ``"hit: civilians; not hit: militants"``, as its parts."""
    return [part.strip() for part in str(says or "").split(";") if part.strip()]


def conflicts(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The story's conflicts, each with its claims side by side (sources in the record's order)."""
    out = []
    for c in _dicts(record.get("conflicts")):
        claims = [{"source": str(cl.get("source") or "?"), "says": says_parts(cl.get("says")),
                   "spans": _dicts(cl.get("spans")), "context": _dicts(cl.get("context"))}
                  for cl in _dicts(c.get("claims"))]
        pairs = [{"a": p.get("a"), "b": p.get("b"), "on": [str(x) for x in _list(p.get("on"))]}
                 for p in _dicts(c.get("pairs"))]
        out.append({"about": str(c.get("about") or c.get("axis") or "conflict"), "axis": c.get("axis"),
                    "claims": claims, "pairs": pairs})
    return out


def events(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Merged events, most mentioned first, with targets as ``name ×n`` and their mentions."""
    out = []
    for ev in _dicts(record.get("events")):
        targets = ev.get("targets")
        target_list = ([f"{k} ×{v}" if _int(v) > 1 else str(k) for k, v in targets.items()]
                       if isinstance(targets, dict) else [str(t) for t in _list(targets)])
        out.append({"id": ev.get("id"), "type": str(ev.get("type") or "?"),
                    "cameo": ", ".join(str(c) for c in _list(ev.get("cameo"))) or ev.get("cameo") or "?",
                    "actors": [str(a) for a in _list(ev.get("actors"))], "targets": target_list,
                    "places": [str(p) for p in _list(ev.get("places"))],
                    "dates": [str(d) for d in _list(ev.get("dates"))],
                    "outlets": [str(o) for o in _list(ev.get("outlets"))],
                    "mentions": _dicts(ev.get("mentions"))})
    return sorted(out, key=lambda e: -len(e["mentions"]))


def article_story_index(records: list[dict[str, Any]]) -> dict[str, StoryRef]:
    """Article id → its story (the article page links to it)."""
    index: dict[str, StoryRef] = {}
    for record in records:
        ref = story_ref(record)
        for a in _dicts(record.get("articles")):
            if a.get("id"):
                index[str(a["id"])] = ref
    return index
