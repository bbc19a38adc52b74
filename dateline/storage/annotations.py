"""Annotation rows: how entities, places, quotes and events are indexed for listing and filtering.

Each annotation is stored as its JSON dict (``data``) with a ``type`` (entity kind, quote kind,
event type, place country) and the lower-cased canonical names it involves (``keys``: the entity
itself, a quote's speaker, an event's actor and target), so a store can answer "quotes by X" or
"events where X is actor or target" with an index lookup.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dateline.models import Article

KINDS = ("entities", "places", "quotes", "events")


@dataclass(frozen=True)
class AnnotationRow:
    """One annotation of one article, ready to index."""

    kind: str
    index: int
    type: str | None
    keys: tuple[str, ...]
    data: dict[str, Any]


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("canonical") or value.get("text")
        return str(name) if name else None
    return None


def _keys_of(kind: str, data: dict[str, Any]) -> tuple[str, ...]:
    names: list[str | None] = []
    if kind == "entities":
        names = [data.get("canonical") or data.get("text")]
    elif kind == "places":
        names = [data.get("name") or data.get("text")]
    elif kind == "quotes":
        names = [_name(data.get("speaker"))]
    elif kind == "events":
        for role in ("actor", "target"):
            value = data.get(role)
            for v in value if isinstance(value, list) else [value]:
                names.append(_name(v))
    return tuple(sorted({n.strip().lower() for n in names if n and n.strip()}))


def _type_of(kind: str, data: dict[str, Any]) -> str | None:
    key = {"entities": "kind", "places": "country", "quotes": "kind", "events": "type"}[kind]
    value = data.get(key)
    return str(value) if value is not None else None


def annotation_rows(article: Article) -> Iterator[AnnotationRow]:
    """Every annotation of an article as an indexable row."""
    for kind in KINDS:
        for index, data in enumerate(getattr(article, kind)):
            yield AnnotationRow(kind, index, _type_of(kind, data), _keys_of(kind, data), data)


def matches(row: AnnotationRow, entity: str | None, type_: str | None) -> bool:
    """Filter used by the memory store (the SQL stores do the same with indexes)."""
    if entity and entity.strip().lower() not in row.keys:
        return False
    return not (type_ and (row.type or "").lower() != type_.lower())
