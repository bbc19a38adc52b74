"""A story's events merged across its articles, and its quotes grouped by speaker.

Two event records (events.v1) are one story event when they have the same PLOVER type and the same
set of canonical actors, and their resolved dates (when both have one) are at most
:data:`DATE_SLACK_DAYS` apart. Targets are *not* part of the key: outlets that disagree on who was
hit are describing the same event, and that disagreement is what :mod:`dateline.story_claims` shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from dateline.models import Article

DATE_SLACK_DAYS = 2


def participant_names(value: Any) -> list[str]:
    """Canonical names of an event participant (one dict, a list of dicts, or None)."""
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    names = []
    for item in items:
        name = item.get("canonical") or item.get("text")
        if name:
            names.append(str(name))
    return names


def _day(value: Any) -> int | None:
    try:
        return date.fromisoformat(str(value)[:10]).toordinal() if value else None
    except ValueError:
        return None


def merge_events(articles: Sequence[Article]) -> list[dict[str, Any]]:
    """One record per story event: type, CAMEO codes, actors, targets (with counts), places, dates and
    every mention (article id, outlet, trigger span)."""
    merged: list[dict[str, Any]] = []
    for article in articles:
        for event in article.events:
            actors = sorted(set(participant_names(event.get("actor"))))
            day = _day(event.get("date"))
            found = None
            for m in merged:
                if m["type"] != event.get("type") or m["actors"] != actors:
                    continue
                if day is not None and m["_days"] and min(abs(day - d) for d in m["_days"]) > DATE_SLACK_DAYS:
                    continue
                found = m
                break
            if found is None:
                found = {"type": event.get("type"), "cameo": [], "actors": actors, "targets": {}, "places": [],
                         "dates": [], "mentions": [], "_days": []}
                merged.append(found)
            if event.get("cameo") and event["cameo"] not in found["cameo"]:
                found["cameo"].append(event["cameo"])
            for t in participant_names(event.get("target")):
                found["targets"][t] = found["targets"].get(t, 0) + 1
            for p in event.get("places") or []:
                name = p.get("name") or p.get("text")
                if name and name not in found["places"]:
                    found["places"].append(name)
            if event.get("date") and event["date"] not in found["dates"]:
                found["dates"].append(event["date"])
                if day is not None:
                    found["_days"].append(day)
            trigger = event.get("trigger") or {}
            found["mentions"].append({
                "article_id": article.id, "outlet": article.outlet, "start": trigger.get("start"),
                "end": trigger.get("end"), "text": trigger.get("text"),
            })
    for i, m in enumerate(sorted(merged, key=lambda m: -len(m["mentions"]))):
        m.pop("_days")
        m["id"] = f"e{i + 1}"
        m["outlets"] = sorted({x["outlet"] for x in m["mentions"] if x["outlet"]})
    merged.sort(key=lambda m: int(m["id"][1:]))
    return merged


def speaker_name(quote: dict[str, Any]) -> str | None:
    """A quote's speaker: canonical name, else its surface text, else None (unattributed)."""
    speaker = quote.get("speaker")
    if not isinstance(speaker, dict):
        return None
    name = speaker.get("canonical") or speaker.get("text")
    return str(name) if name else None


def quotes_by_speaker(articles: Sequence[Article]) -> list[dict[str, Any]]:
    """Quotes grouped by speaker (most quoted first), each with its article and content span."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for article in articles:
        for q in article.quotes:
            name = speaker_name(q) or "(unattributed)"
            groups.setdefault(name, []).append({
                "article_id": article.id, "outlet": article.outlet, "start": q.get("start"), "end": q.get("end"),
                "text": q.get("text"), "kind": q.get("kind"),
            })
    return [{"speaker": k, "quotes": v} for k, v in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
