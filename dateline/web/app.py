"""The FastAPI application: ``create_app(store, settings)`` wires pages, the JSON API and security headers.

Every response carries a strict Content-Security-Policy (scripts only from this origin, no inline
script or event handlers, no inline style), so even a rendering bug could not run hostile article
text as code. The app only reads the store; ``dateline serve`` opens it read-only.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dateline.errors import StoreError
from dateline.storage import SQLiteStore, Store, open_store
from dateline.web.queries import Queries, StoreThreads, StoryLoader, TTLCache

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    """Pure ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response (cheaper than
    Starlette's ``BaseHTTPMiddleware``, which costs a task group per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in self.raw if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass(frozen=True)
class WebSettings:
    """Knobs of the web UI (all have sensible defaults)."""

    title: str = "Dateline"
    per_page: int = 20
    cache_seconds: float = 30.0
    """How long aggregates and filter id-sets are reused (the store may change under a running server)."""
    stats_seconds: float = 30.0
    """How long store-wide counts (the outlet facet) are reused; separate from ``cache_seconds`` because
    ``Store.stats`` scans every row, and a page that shows them should not pay that per request."""
    scan: int = 10_000
    """Most annotations folded into one aggregate or filter."""
    threads: int = 2
    """Threads running store queries, each with its own read-only connection (when the app can open
    one: ``create_app(..., open_reader=...)``); 2 keeps two cores busy, SQLite releasing the GIL."""


def count_label(n: int, singular: str, plural: str | None = None) -> str:
    """``3 articles``, ``1 article``, ``2 copies`` (the templates' ``counted`` filter)."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and request.url.path != "/openapi.json"


def create_app(store: Store, settings: WebSettings | None = None, story_loader: StoryLoader | None = None,
               open_reader: Callable[[], Store] | None = None) -> FastAPI:
    """Build the app over an open store (the caller owns and closes the store); ``story_loader``
    replaces how story details are read (:func:`~dateline.web.queries.default_story_loader`);
    ``open_reader`` opens one more read-only store of the same data, one per store thread
    (``settings.threads``; without it, one thread queries ``store``)."""
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.runner.close()

    app = FastAPI(
        title=f"{settings.title} API",
        version="1",
        description="Read-only JSON API over a Dateline store. Every HTML page has a JSON twin under /api.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.auto_reload = False  # package files: no stat() of every template on every render
    templates.env.globals["site_title"] = settings.title
    templates.env.filters["counted"] = count_label
    app.state.store = store
    app.state.settings = settings
    app.state.queries = Queries(store, scan=settings.scan,
                                cache=TTLCache(settings.cache_seconds), stats_cache=TTLCache(settings.stats_seconds, 4),
                                story_loader=story_loader)
    app.state.runner = StoreThreads(app.state.queries, open_reader, settings.threads)
    app.state.templates = templates

    app.add_middleware(SecurityHeaders)

    def error_page(request: Request, status: int, message: str) -> Response:
        if _wants_html(request):
            return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                              status_code=status)
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_html(request):
            fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
            return error_page(request, 422, f"Invalid value for: {fields}")
        return JSONResponse({"detail": exc.errors()}, status_code=422)

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return error_page(request, 400, str(exc))

    from dateline.web import api, pages  # routes import the app's helpers; import here to avoid a cycle

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (one app per worker process): reads ``DATELINE_DB``,
    ``DATELINE_WEB_CACHE_SECONDS`` (0 turns the result cache off), ``DATELINE_WEB_STATS_SECONDS`` and
    ``DATELINE_WEB_THREADS`` (store threads per process, each with its own read-only connection)."""
    url = os.environ.get("DATELINE_DB")
    store = open_store(url, read_only=True)
    defaults = WebSettings()
    cache = os.environ.get("DATELINE_WEB_CACHE_SECONDS")
    stats = os.environ.get("DATELINE_WEB_STATS_SECONDS")
    threads = os.environ.get("DATELINE_WEB_THREADS")
    settings = replace(defaults, cache_seconds=float(cache) if cache else defaults.cache_seconds,
                       stats_seconds=float(stats) if stats else defaults.stats_seconds,
                       threads=int(threads) if threads else defaults.threads)
    reader = (lambda: open_store(url, read_only=True)) if isinstance(store, SQLiteStore) else None
    return create_app(store, settings, open_reader=reader)
