"""``dateline stories``: build/refresh stories, list them, show one (registered in :mod:`dateline.cli`)."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from dateline.errors import DatelineError
from dateline.storage import Store, default_db_url, open_store

out = Console(highlight=False)
DB_OPTION = click.option(
    "--db", "db", default=None, metavar="URL",
    help="Store: a SQLite path or sqlite:/// URL (default: $DATELINE_DB or ./dateline.db).",
)


def _open(db: str | None, read_only: bool = False) -> Store:
    try:
        return open_store(db or default_db_url(), read_only=read_only)
    except DatelineError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("stories", invoke_without_command=True)
@DB_OPTION
@click.option("--since", default=None, metavar="DATE", help="Only articles published on or after DATE (YYYY-MM-DD).")
@click.option("--rebuild", is_flag=True, help="Recluster every article from scratch instead of adding new ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the update summary as JSON.")
@click.pass_context
def stories(ctx: click.Context, db: str | None, since: str | None, rebuild: bool, as_json: bool) -> None:
    """Build or refresh stories (new articles join existing stories); see `stories list` / `stories show`."""
    if ctx.invoked_subcommand is not None:
        return
    from dateline.stories import update_stories  # imports spaCy's stop list: keep `dateline --help` fast

    store = _open(db)
    try:
        summary = update_stories(store, since=since, rebuild=rebuild)
    except DatelineError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps(summary.__dict__))
        return
    verb = "rebuilt" if summary.rebuilt else "updated"
    out.print(f"stories {verb}: {summary.added} articles clustered ({summary.duplicates} near-duplicates), "
              f"{summary.new_stories} new stories, {summary.touched} touched, {summary.stories} in all "
              f"[{summary.seconds:.2f}s]")


@stories.command("list")
@DB_OPTION
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="One JSON line per story: id, label, articles' id and url.")
def list_cmd(db: str | None, limit: int, as_json: bool) -> None:
    """Largest and newest stories with their outlets and dates."""
    store = _open(db, read_only=True)
    try:
        rows = store.stories(limit=limit)
    finally:
        store.close()
    if as_json:
        for s in rows:
            click.echo(json.dumps({
                "id": s["id"], "label": s["label"], "first_seen": s.get("first_seen"), "last_seen": s.get("last_seen"),
                "outlets": s.get("outlets"), "size": s.get("size"), "unique_size": s.get("unique_size"),
                "articles": [{"id": a["id"], "url": a.get("url"), "duplicate_of": a.get("duplicate_of")}
                             for a in s.get("articles", [])],
            }, ensure_ascii=False))
        return
    table = Table("story", "articles", "outlets", "first seen", "last seen", "label")
    for s in rows:
        outlets = s.get("outlets") or []
        table.add_row(s["id"], f"{s.get('unique_size')} (+{int(s.get('size', 0)) - int(s.get('unique_size', 0))} dup)",
                      ", ".join(outlets[:3]) + (f" +{len(outlets) - 3}" if len(outlets) > 3 else ""),
                      (s.get("first_seen") or "")[:10], (s.get("last_seen") or "")[:10], s.get("label") or "")
    out.print(table)


@stories.command("show")
@click.argument("story_id")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the full story record as JSON.")
def show_cmd(story_id: str, db: str | None, as_json: bool) -> None:
    """A story's articles, merged events, quotes by speaker and conflicting accounts."""
    from dateline.stories import story_detail  # events, quotes and conflicts are computed on show

    store = _open(db, read_only=True)
    try:
        s = story_detail(store, story_id)
    except DatelineError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    if s is None:
        raise click.ClickException(f"no story {story_id!r}")
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, indent=1))
        return
    _print_story(s)


def _print_story(s: dict[str, Any]) -> None:
    out.print(f"[bold]{s['label']}[/bold]  ({s['id']}, {s.get('first_seen') or '?'} – {s.get('last_seen') or '?'})")
    out.print("outlets: " + ", ".join(s.get("outlets") or []))
    for a in s.get("articles", []):
        dup = f"  [dim]copy of {a['duplicate_of']}[/dim]" if a.get("duplicate_of") else ""
        out.print(f"  {a['id']}  {a.get('outlet') or ''}  {a.get('title') or ''}{dup}")
    if s.get("events"):
        out.print("[bold]events[/bold]")
        for e in s["events"]:
            targets = ", ".join(e.get("targets") or {})
            out.print(f"  {e['id']} {e['type']} {', '.join(e['actors']) or '?'} -> {targets or '?'}"
                      f"  ({len(e['mentions'])} mentions, {len(e.get('outlets') or [])} outlets)")
    if s.get("quotes"):
        out.print("[bold]quotes by speaker[/bold]")
        for group in s["quotes"]:
            out.print(f"  {group['speaker']}: {len(group['quotes'])}")
    for c in s.get("conflicts", []):
        out.print(f"[bold red]conflict: {c['about']}[/bold red]")
        for claim in c["claims"]:
            out.print(f"  [bold]{claim['source']}[/bold] — {claim['says']}")
            for span in claim["spans"]:
                out.print(f"    {span.get('outlet') or ''} {span['article_id']}[{span['start']}:{span['end']}] "
                          f"{span['text'][:160]}")
