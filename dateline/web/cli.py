"""``dateline serve``: the web UI and JSON API over a store opened read-only."""

from __future__ import annotations

import os

import click

from dateline.errors import DatelineError
from dateline.storage import default_db_url, open_store


@click.command("serve")
@click.option("--db", "db", default=None, metavar="URL",
              help="Store: a SQLite path or sqlite:/// URL (default: $DATELINE_DB or ./dateline.db).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (each opens the store read-only).")
def serve_cmd(db: str | None, host: str, port: int, workers: int) -> None:
    """Serve the web UI (search, articles, entities, timeline, map) and the /api JSON twins."""
    import uvicorn

    url = db or default_db_url()
    try:
        store = open_store(url, read_only=True)  # fail fast on a missing or unreadable store
    except DatelineError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Dateline web UI on http://{host}:{port}/ (store {url}, read-only)", err=True)
    if workers > 1:
        store.close()
        os.environ["DATELINE_DB"] = url
        uvicorn.run("dateline.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
        return
    from dateline.web.app import create_app

    try:
        uvicorn.run(create_app(store), host=host, port=port, log_level="warning")
    finally:
        store.close()
