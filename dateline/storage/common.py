"""Helpers shared by the store backends."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable

from dateline.errors import StoreError


def resolve_prefix(article_id: str, ids: Collection[str]) -> str | None:
    """Resolve a full id or a unique prefix (6+ characters) against the known ids."""
    if article_id in ids:
        return article_id
    if len(article_id) < 6:
        return None
    matches = [i for i in ids if i.startswith(article_id)]
    if len(matches) > 1:
        raise StoreError(f"id prefix {article_id!r} is ambiguous ({len(matches)} articles)")
    return matches[0] if matches else None


def in_date_range(published: str | None, since: str | None, until: str | None) -> bool:
    """ISO date strings compare lexically; an article with no date is outside any range."""
    if not since and not until:
        return True
    if not published:
        return False
    day = published[:10]
    if since and day < since[:10]:
        return False
    return not (until and day > until[:10])


def stats_from(
    articles: int, outcomes: Iterable[tuple[str, str | None, int]], outlets: Iterable[tuple[str | None, int]]
) -> dict[str, object]:
    """Build the stats dict every backend returns from (status, reason, count) and (outlet, count) rows."""
    by_status: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    for status, reason, n in outcomes:
        by_status[status] += n
        if status == "failed":
            by_reason[reason or "unknown"] += n
    outlet_counts: Counter[str] = Counter()
    for outlet, n in outlets:
        outlet_counts[outlet or "(unknown)"] += n
    return {
        "articles": articles,
        "failures": by_status.get("failed", 0),
        "skipped": by_status.get("skipped", 0),
        "sources": sum(by_status.values()),
        "failures_by_reason": dict(sorted(by_reason.items())),
        "outlets": dict(outlet_counts.most_common(20)),
    }
