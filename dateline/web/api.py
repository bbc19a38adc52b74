"""The JSON API under ``/api``: one twin per HTML page, described by the app's OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field

from dateline.stages.event_lexicon import PLOVER_TYPES
from dateline.web.queries import Queries, SearchParams, StoreThreads


class ErrorOut(BaseModel):
    """An error: ``detail`` says what was wrong (a message, or the list of invalid parameters)."""

    detail: str | list[dict[str, Any]]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The store could not answer (e.g. an ambiguous id prefix)."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "Nothing by that name."}}

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Text = Annotated[str, Query(max_length=200)]
Day = Annotated[str, Query(max_length=10, description="YYYY-MM-DD; anything else is ignored")]


def day_or_blank(value: str) -> str:
    """A YYYY-MM-DD day, or ``""`` for anything else (an empty form field is no filter, not an error)."""
    return value if _DAY.match(value or "") else ""


T = TypeVar("T")


def queries(request: Request) -> Queries:
    """The app's read model (for code that may block the event loop; routes use :func:`run`)."""
    q: Queries = request.app.state.queries
    return q


async def run(request: Request, work: Callable[[Queries], T]) -> T:
    """``work(queries)`` on one of the app's store threads (:class:`~dateline.web.queries.StoreThreads`)."""
    runner: StoreThreads = request.app.state.runner
    return await runner.run(work)


def search_params(q: str, outlet: str, entity: str, place: str, event_type: str, since: str, until: str,
                  page: int, per_page: int) -> SearchParams:
    """Normalise the shared search parameters of ``/`` and ``/api/search``."""
    return SearchParams(q.strip(), outlet.strip(), entity.strip(), place.strip(), event_type.strip().upper(),
                        day_or_blank(since), day_or_blank(until), page, per_page)


class Hit(BaseModel):
    """A search hit; ``snippet`` marks matches with ``[`` and ``]`` (plain text)."""

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    snippet: str
    score: float


class SearchOut(BaseModel):
    """One page of search results."""

    q: str
    filters: dict[str, str]
    page: int
    per_page: int
    has_more: bool
    truncated: bool = Field(description="with no words (filters only), the annotation scan stopped early; "
                                        "later pages may be incomplete. A search with words is never truncated")
    error: str | None
    hits: list[Hit]


class Annotation(BaseModel):
    """A stored annotation with the article it belongs to."""

    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    kind: str
    index: int
    data: dict[str, Any]


class ArticleRefOut(BaseModel):
    """An article mentioning an entity, with its mention count."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    mentions: int


class EntityOut(BaseModel):
    """An entity: aliases (surface forms with counts), articles, quotes, events, mentions per day."""

    name: str
    kind: str | None
    country: str | None
    aliases: dict[str, int]
    articles: list[ArticleRefOut]
    quotes: list[Annotation]
    events: list[Annotation]
    mentions_per_day: dict[str, int]
    truncated: bool


class TimelineOut(BaseModel):
    """Events per day by PLOVER type."""

    days: dict[str, dict[str, int]]
    undated: int
    truncated: bool
    types: list[str]


class PlaceOut(BaseModel):
    """A place with coordinates and counts."""

    name: str
    country: str | None
    lat: float
    lon: float
    mentions: int
    events: int
    articles: int


class StoryRefOut(BaseModel):
    """A story as a list item: its size (copies included / folded) and how many events and conflicts it has."""

    id: str
    label: str
    first_seen: str | None
    last_seen: str | None
    outlets: list[str]
    size: int
    unique_size: int
    events: int
    conflicts: int


class StoriesOut(BaseModel):
    """One page of stories, largest (unique articles) then newest first."""

    page: int
    per_page: int
    has_more: bool
    stories: list[StoryRefOut]


class MapOut(BaseModel):
    """Places on the map."""

    places: list[PlaceOut]


def _annotation(h: Any) -> Annotation:
    return Annotation(article_id=h.article_id, title=h.title, outlet=h.outlet, published=h.published, kind=h.kind,
                      index=h.index, data=h.data)


@router.get("/search", response_model=SearchOut, summary="Full-text search with facets")
async def api_search(
    request: Request, response: Response, q: Text = "", outlet: Text = "", entity: Text = "", place: Text = "",
    event_type: Annotated[str, Query(max_length=20)] = "", since: Day = "", until: Day = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1, per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchOut:
    """The JSON twin of ``/``. The ``X-Cache`` header says whether the result cache answered (hit/miss)."""
    p = search_params(q, outlet, entity, place, event_type, since, until, page, per_page)
    result = await run(request, lambda qs: qs.search(p))
    response.headers["X-Cache"] = "hit" if result.cached else "miss"
    filters = {k: v for k, v in (("outlet", p.outlet), ("entity", p.entity), ("place", p.place),
                                 ("event_type", p.event_type), ("since", p.since), ("until", p.until)) if v}
    return SearchOut(q=p.q, filters=filters, page=p.page, per_page=p.per_page, has_more=result.has_more,
                     truncated=result.truncated, error=result.error,
                     hits=[Hit(**h.__dict__) for h in result.hits])


@router.get("/articles/{article_id}", responses=NOT_FOUND, summary="One article record (schema in docs/schema.md)")
async def api_article(request: Request, article_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    """The JSON twin of ``/articles/{id}``: the full record, annotations included."""
    article = await run(request, lambda qs: qs.store.get(article_id))
    if article is None:
        raise HTTPException(404, f"no article {article_id!r}")
    return article.to_dict()


@router.get("/entities/{name:path}", response_model=EntityOut, responses=NOT_FOUND,
            summary="An entity and where it appears")
async def api_entity(request: Request, name: Annotated[str, Path(max_length=200)]) -> EntityOut:
    """The JSON twin of ``/entities/{name}``."""
    view = await run(request, lambda qs: qs.entity(name))
    if view is None:
        raise HTTPException(404, f"no entity {name!r}")
    return EntityOut(
        name=view.name, kind=view.kind, country=view.country, aliases=view.aliases,
        articles=[ArticleRefOut(**a.__dict__) for a in view.articles],
        quotes=[_annotation(h) for h in view.quotes], events=[_annotation(h) for h in view.events],
        mentions_per_day=view.mentions_per_day, truncated=view.truncated,
    )


@router.get("/timeline", response_model=TimelineOut, summary="Events per day by type")
async def api_timeline(request: Request, event_type: Annotated[str, Query(max_length=20)] = "", entity: Text = "",
                 since: Day = "", until: Day = "") -> TimelineOut:
    """The JSON twin of ``/timeline``."""
    et, who, first, last = event_type.strip().upper(), entity.strip(), day_or_blank(since), day_or_blank(until)
    counts = await run(request, lambda qs: qs.events_per_day(et, who, first, last))
    return TimelineOut(days=counts.days, undated=counts.undated, truncated=counts.truncated,
                       types=list(PLOVER_TYPES))


@router.get("/map", response_model=MapOut, summary="Places with coordinates and counts")
async def api_map(request: Request, event_type: Annotated[str, Query(max_length=20)] = "") -> MapOut:
    """The JSON twin of ``/map``."""
    et = event_type.strip().upper()
    points = await run(request, lambda qs: qs.map_points(et))
    return MapOut(places=[PlaceOut(name=p.name, country=p.country, lat=p.lat, lon=p.lon, mentions=p.mentions,
                                   events=p.events, articles=len(p.articles)) for p in points])


def story_ref_out(ref: Any) -> StoryRefOut:
    """The API form of a :class:`~dateline.web.storyview.StoryRef`."""
    return StoryRefOut(**{**ref.__dict__, "outlets": list(ref.outlets)})


@router.get("/stories", response_model=StoriesOut, summary="Stories, largest first")
async def api_stories(request: Request, page: Annotated[int, Query(ge=1, le=1000)] = 1,
                      per_page: Annotated[int, Query(ge=1, le=100)] = 20) -> StoriesOut:
    """The JSON twin of ``/stories``."""
    refs, has_more = await run(request, lambda qs: qs.stories(page, per_page))
    return StoriesOut(page=page, per_page=per_page, has_more=has_more, stories=[story_ref_out(r) for r in refs])


@router.get("/stories/{story_id}", responses=NOT_FOUND, summary="One story record (see docs/stories.md)")
async def api_story(request: Request, story_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    """The JSON twin of ``/stories/{id}``: articles, merged events, quotes by speaker, conflicts."""
    record = await run(request, lambda qs: qs.story(story_id))
    if record is None:
        raise HTTPException(404, f"no story {story_id!r}")
    return record


@router.get("/stats", summary="Store counts")
async def api_stats(request: Request) -> dict[str, Any]:
    """Articles, sources, failures and outlets in the store."""
    return dict(await run(request, lambda qs: qs.stats()))
