"""Server-rendered HTML pages; each links to its JSON twin under ``/api`` with the same query string."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from dateline.stages.event_lexicon import PLOVER_TYPES
from dateline.web.api import Day, Text, day_or_blank, run, search_params
from dateline.web.charts import map_dots, stacked_bars
from dateline.web.geo import HEIGHT, WIDTH, world_shapes
from dateline.web.highlight import article_layers, event_label, highlight_text, safe_url, snippet_html
from dateline.web.storyview import conflicts, events, outlet_columns, story_ref

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    path = quote(request.url.path.rstrip("/"))
    api_path = "/api" + path if request.url.path != "/" else "/api/search"
    api_url = api_path + (f"?{request.url.query}" if request.url.query else "")
    return templates.TemplateResponse(request, name, {"api_url": api_url, **context}, status_code=status)


@router.get("/")
async def search_page(
    request: Request, q: Text = "", outlet: Text = "", entity: Text = "", place: Text = "",
    event_type: Annotated[str, Query(max_length=20)] = "", since: Day = "", until: Day = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    """Search with facets; with no words and no filter, an overview of the store."""
    settings = request.app.state.settings
    p = search_params(q, outlet, entity, place, event_type, since, until, page, settings.per_page)
    result, outlets, stats = await run(request, lambda qs: (qs.search(p) if (p.q or p.filtered) else None,
                                                              qs.outlets(), qs.stats()))
    hits = [{"hit": h, "snippet": snippet_html(h.snippet), "url": safe_url(h.url)} for h in (result.hits if result
                                                                                             else [])]
    base = {k: v for k, v in (("q", p.q), ("outlet", p.outlet), ("entity", p.entity), ("place", p.place),
                              ("event_type", p.event_type), ("since", p.since), ("until", p.until)) if v}
    response = _render(request, "search.html", {
        "p": p, "result": result, "hits": hits, "base": base, "outlets": outlets, "stats": stats,
        "event_types": PLOVER_TYPES,
    })
    if result is not None:
        response.headers["X-Cache"] = "hit" if result.cached else "miss"
    return response


@router.get("/articles/{article_id}")
async def article_page(request: Request, article_id: Annotated[str, Path(max_length=64)]) -> Response:
    """One article: highlighted text, annotations, metadata, provenance."""
    article = await run(request, lambda qs: qs.store.get(article_id))
    if article is None:
        raise HTTPException(404, f"No article with id {article_id!r}.")
    story = await run(request, lambda qs: qs.story_of(article.id))
    entities: dict[str, dict[str, Any]] = {}
    for e in article.entities:
        name = str(e.get("canonical") or e.get("text") or "?")
        g = entities.setdefault(name, {"name": name, "kind": e.get("kind"),
                                       "country": e.get("country_name") or e.get("country"), "count": 0,
                                       "forms": Counter()})
        g["count"] += 1
        g["forms"][str(e.get("text"))] += 1
    places: Counter[tuple[str, str]] = Counter(
        (str(p.get("name") or p.get("text")), str(p.get("country") or "")) for p in article.places)
    events = [{"label": event_label(ev), "ev": ev} for ev in article.events]
    return _render(request, "article.html", {
        "a": article, "story": story,
        "body": highlight_text(article.text, article_layers(article)), "url": safe_url(article.url),
        "entities": sorted(entities.values(), key=lambda g: (-g["count"], g["name"])),
        "places": places.most_common(), "events": events,
    })


@router.get("/entities/{name:path}")
async def entity_page(request: Request, name: Annotated[str, Path(max_length=200)]) -> Response:
    """An entity: aliases, articles, quotes by it, events where it is actor or target, over time."""
    view = await run(request, lambda qs: qs.entity(name))
    if view is None:
        raise HTTPException(404, f"Nothing in the store mentions {name!r}.")
    mentions = stacked_bars({d: {"mentions": n} for d, n in view.mentions_per_day.items()})
    by_type: dict[str, dict[str, int]] = {}
    for h in view.events:
        day = (h.data.get("date") or h.published or "")[:10]
        if day:
            by_type.setdefault(day, {}).setdefault(str(h.data.get("type")), 0)
            by_type[day][str(h.data.get("type"))] += 1
    return _render(request, "entity.html", {
        "v": view, "mentions_chart": mentions, "events_chart": stacked_bars(by_type),
        "events": [{"label": event_label(h.data), "hit": h} for h in view.events],
    })


@router.get("/timeline")
async def timeline_page(request: Request, event_type: Annotated[str, Query(max_length=20)] = "",
                        entity: Text = "", since: Day = "", until: Day = "") -> Response:
    """Events per day by type as a stacked bar chart, with a table twin."""
    et, since, until = event_type.strip().upper(), day_or_blank(since), day_or_blank(until)
    who = entity.strip()
    counts = await run(request, lambda qs: qs.events_per_day(et, who, since, until))
    totals: Counter[str] = Counter()
    for c in counts.days.values():
        totals.update(c)
    return _render(request, "timeline.html", {
        "counts": counts, "chart": stacked_bars(counts.days), "totals": totals.most_common(),
        "event_types": PLOVER_TYPES, "f": {"event_type": et, "entity": entity.strip(), "since": since, "until": until},
    })


@router.get("/map")
async def map_page(request: Request, event_type: Annotated[str, Query(max_length=20)] = "") -> Response:
    """Places and events on an offline world map (server-drawn SVG)."""
    et = event_type.strip().upper()
    points = await run(request, lambda qs: qs.map_points(et))
    return _render(request, "map.html", {
        "shapes": world_shapes(), "dots": map_dots(points), "points": points[:50], "width": WIDTH, "height": HEIGHT,
        "event_types": PLOVER_TYPES, "event_type": et,
    })


@router.get("/stories")
async def stories_page(request: Request, page: Annotated[int, Query(ge=1, le=1000)] = 1) -> Response:
    """Stories, largest first: label, outlets, dates, size, conflicts."""
    per_page = request.app.state.settings.per_page
    refs, has_more = await run(request, lambda qs: qs.stories(page, per_page))
    return _render(request, "stories.html", {"stories": refs, "page": page, "per_page": per_page,
                                             "has_more": has_more})


@router.get("/stories/{story_id}")
async def story_page(request: Request, story_id: Annotated[str, Path(max_length=64)]) -> Response:
    """One story: conflicting accounts side by side, the outlets' coverage side by side, merged events."""
    record = await run(request, lambda qs: qs.story(story_id))
    if record is None:
        raise HTTPException(404, f"No story with id {story_id!r}.")
    return _render(request, "story.html", {
        "s": story_ref(record), "conflicts": conflicts(record), "columns": outlet_columns(record),
        "events": events(record), "articles": {str(a.get("id")): a for a in record.get("articles") or []
                                               if isinstance(a, dict)},
    })
