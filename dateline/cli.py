"""The ``dateline`` command line: each command parses options, calls one library function, prints."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from dateline.errors import DatelineError
from dateline.export import FORMATS, write_csv, write_jsonl, write_parquet
from dateline.ingest import RunSummary, extract_stream, ingest
from dateline.models import Article
from dateline.pipeline import Pipeline
from dateline.registry import build_pipeline, parse_stage_list
from dateline.sources import SourceFailure
from dateline.storage import SearchQuery, Store, default_db_url, open_store

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

DB_OPTION = click.option(
    "--db", "db", default=None, metavar="URL",
    help="Store: a SQLite path or sqlite:/// URL (default: $DATELINE_DB or ./dateline.db).",
)


STAGES_OPTION = click.option(
    "--stages", default="all", show_default=True, metavar="LIST",
    help="Enrichment stages to run: 'all', 'none', or a comma list such as entities.v1,places.v1.",
)


def _pipeline(stages: str) -> Pipeline | None:
    try:
        names = parse_stage_list(stages)
        if names == []:
            return None
        return build_pipeline(names)
    except DatelineError as exc:
        raise click.ClickException(str(exc)) from exc


def _open(db: str | None, read_only: bool = False) -> Store:
    try:
        return open_store(db or default_db_url(), read_only=read_only)
    except DatelineError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
def main() -> None:
    """Dateline: crawled news pages into clean, structured, searchable records."""


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@DB_OPTION
@STAGES_OPTION
@click.option("--workers", "-j", default=1, show_default=True,
              help="Worker processes for extraction and the stages (one per core).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table.")
def ingest_cmd(paths: tuple[str, ...], db: str | None, stages: str, workers: int, as_json: bool, quiet: bool) -> None:
    """Read PATHS (files, dirs, globs, .html, .txt, .warc(.gz), .jsonl, '-') into the store."""
    pipeline = _pipeline(stages)
    store = _open(db)
    show_progress = not quiet and not as_json and err.is_terminal
    try:
        if show_progress:
            with Progress(
                SpinnerColumn(), TextColumn("[bold]ingest"), BarColumn(), TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(), TextColumn("{task.fields[where]}", style="dim"), console=err, transient=True,
            ) as progress:
                task = progress.add_task("ingest", total=None, counts="", where="")

                def update(summary: RunSummary, where: str) -> None:
                    counts = (f"read {summary.read} · stored {summary.stored} · unchanged {summary.unchanged}"
                              f" · failed {sum(summary.failed.values())}")
                    progress.update(task, counts=counts, where=where[-60:])

                summary = ingest(list(paths), store, pipeline, workers=workers, on_progress=update)
        else:
            summary = ingest(list(paths), store, pipeline, workers=workers)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    elif not quiet:
        print_summary(summary)


def print_summary(summary: RunSummary) -> None:
    """The run summary as a table on stderr, failures with their reasons below it."""
    table = Table(title="Run summary", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("documents read", str(summary.read))
    table.add_row("articles stored (new)", str(summary.stored))
    table.add_row("unchanged (already stored)", str(summary.unchanged))
    table.add_row("skipped (not articles)", str(sum(summary.skipped.values())))
    table.add_row("failed", str(sum(summary.failed.values())))
    for reason, n in sorted(summary.failed.items()):
        table.add_row(f"  failed: {reason}", str(n))
    for reason, n in sorted(summary.skipped.items()):
        table.add_row(f"  skipped: {reason}", str(n))
    if summary.ignored:
        table.add_row("non-document records ignored", str(sum(summary.ignored.values())))
    if summary.restaged:
        table.add_row("re-enriched (stage changed)", str(summary.restaged))
    for stage, n in sorted(summary.stage_failures.items()):
        table.add_row(f"  stage failed: {stage}", str(n))
    table.add_row("seconds", f"{summary.seconds:.1f}")
    err.print(table)
    for f in summary.failures:
        err.print(f"[red]failed[/red] {f.source}: {f.reason}" + (f" — {f.detail}" if f.detail else ""), markup=True)


def _emit_records(paths: tuple[str, ...], jsonl: bool, pipeline: Pipeline | None) -> None:
    failures = 0
    for result in extract_stream(list(paths), pipeline):
        if isinstance(result, SourceFailure):
            failures += 1
            err.print(f"failed {result.source}: {result.reason}" + (f" — {result.detail}" if result.detail else ""),
                      markup=False)
            continue
        if result.article is None:
            o = result.outcome
            failures += o.status == "failed"
            err.print(f"{o.status} {o.source}: {o.reason}" + (f" — {o.detail}" if o.detail else ""), markup=False)
            continue
        record = result.article.to_dict()
        click.echo(json.dumps(record, ensure_ascii=False, indent=None if jsonl else 2))
    if failures:
        err.print(f"{failures} document(s) failed")


@main.command("extract")
@click.argument("paths", nargs=-1, required=True)
@click.option("--jsonl", is_flag=True, help="One compact JSON record per line (default: indented JSON).")
def extract_cmd(paths: tuple[str, ...], jsonl: bool) -> None:
    """Extract PATHS without a store: one JSON record per document on stdout, failures on stderr."""
    _emit_records(paths, jsonl, None)


@main.command("analyze")
@click.argument("paths", nargs=-1, required=True)
@click.option("--jsonl", is_flag=True, help="One compact JSON record per line (default: indented JSON).")
@STAGES_OPTION
def analyze_cmd(paths: tuple[str, ...], jsonl: bool, stages: str) -> None:
    """Extract and enrich PATHS (entities, places, quotes, events) without a store."""
    _emit_records(paths, jsonl, _pipeline(stages))


@main.command("search")
@click.argument("query")
@DB_OPTION
@click.option("--outlet", default=None, help="Only this outlet (case-insensitive).")
@click.option("--since", default=None, metavar="DATE", help="Published on or after (YYYY-MM-DD).")
@click.option("--until", default=None, metavar="DATE", help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON lines.")
def search_cmd(query: str, db: str | None, outlet: str | None, since: str | None, until: str | None,
               limit: int, as_json: bool) -> None:
    """Full-text search (ranked, with snippets). Words are ANDed; "quoted phrases" and prefix* work."""
    store = _open(db, read_only=True)
    try:
        hits = store.search(SearchQuery(query, outlet=outlet, since=since, until=until, limit=limit))
    except DatelineError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    if as_json:
        for h in hits:
            click.echo(json.dumps(h.__dict__, ensure_ascii=False))
        return
    if not hits:
        err.print("no matches")
        return
    for h in hits:
        out.print(f"[bold]{h.id}[/bold]  {h.outlet or '?'}  {h.published or 'date unknown'}", markup=True)
        out.print(f"  {h.title or '(no title)'}", markup=False)
        out.print(f"  {h.snippet}", markup=False)


@main.command("show")
@click.argument("article_id")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the full record as JSON.")
def show_cmd(article_id: str, db: str | None, as_json: bool) -> None:
    """Show one article (full id or a unique prefix of 6+ characters)."""
    store = _open(db, read_only=True)
    try:
        article = store.get(article_id)
    except DatelineError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    if article is None:
        raise click.ClickException(f"no article with id {article_id!r}")
    if as_json:
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        return
    print_article(article)


def print_article(a: Article) -> None:
    """A readable view of one article (text printed without markup interpretation)."""
    rows: list[tuple[str, Any]] = [
        ("id", a.id), ("title", a.title), ("outlet", a.outlet), ("url", a.url), ("source", a.source),
        ("authors", ", ".join(a.authors)), ("language", a.language), ("section", a.section),
        ("series", f"{a.series.name} ({a.series.count})" if a.series else None), ("tags", ", ".join(a.tags)),
        ("dateline", f"{a.dateline.place or ''} ({a.dateline.agency or ''})" if a.dateline else None),
        ("published", a.dates.published), ("captured", a.dates.captured), ("page clock", a.dates.page_clock),
    ]
    for key, value in rows:
        if value:
            out.print(f"{key:>10}: {value}", markup=False)
    for w in a.warnings:
        out.print(f"   warning: {w}", markup=False)
    out.print()
    out.print(a.text, markup=False)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@DB_OPTION
@click.option("-o", "--output", default=None, help="Output file (default: stdout; required for parquet).")
def export_cmd(fmt: str, db: str | None, output: str | None) -> None:
    """Stream every stored article as JSONL (full records), CSV or Parquet (flat tables)."""
    store = _open(db, read_only=True)
    try:
        articles = store.iter_articles()
        if fmt == "parquet":
            if not output:
                raise click.UsageError("--format parquet needs -o FILE")
            n = write_parquet(articles, output)
        elif output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                n = (write_jsonl if fmt == "jsonl" else write_csv)(articles, fh)
        else:
            n = (write_jsonl if fmt == "jsonl" else write_csv)(articles, sys.stdout)
    finally:
        store.close()
    err.print(f"exported {n} article(s)")


def _annotation_hits(kind: str, db: str | None, entity: str | None, type_: str | None, limit: int) -> list[Any]:
    store = _open(db, read_only=True)
    try:
        return store.annotations(kind, entity=entity, type_=type_, limit=limit)
    finally:
        store.close()


ENTITY_OPTION = click.option(
    "--entity", default=None, metavar="NAME", help="Only those involving this canonical entity."
)
LIMIT_OPTION = click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="JSON lines.")


@main.command("entities")
@DB_OPTION
@ENTITY_OPTION
@click.option("--type", "type_", default=None, metavar="KIND", help="Entity kind: person, country, armed group …")
@LIMIT_OPTION
@JSON_OPTION
def entities_cmd(db: str | None, entity: str | None, type_: str | None, limit: int, as_json: bool) -> None:
    """Canonical entities in the store, most mentioned first, with their aliases."""
    groups: dict[str, dict[str, Any]] = {}
    for hit in _annotation_hits("entities", db, entity, type_, 1_000_000):
        d = hit.data
        name = d.get("canonical") or d.get("text")
        g = groups.setdefault(name, {"canonical": name, "kind": d.get("kind"), "country": d.get("country"),
                                     "mentions": 0, "articles": set(), "aliases": set()})
        g["mentions"] += 1
        g["articles"].add(hit.article_id)
        g["aliases"].add(d.get("text"))
    ranked = sorted(groups.values(), key=lambda g: (-g["mentions"], str(g["canonical"])))[:limit]
    for g in ranked:
        g["articles"] = len(g["articles"])
        g["aliases"] = sorted(a for a in g["aliases"] if a)
        if as_json:
            click.echo(json.dumps(g, ensure_ascii=False))
        else:
            out.print(f"{g['canonical']}  [{g['kind'] or '?'}]  {g['mentions']} mentions in {g['articles']} article(s)"
                      f"  aliases: {', '.join(g['aliases'])}", markup=False)


@main.command("quotes")
@DB_OPTION
@ENTITY_OPTION
@click.option("--type", "type_", default=None, metavar="KIND", help="direct, indirect or mixed.")
@LIMIT_OPTION
@JSON_OPTION
def quotes_cmd(db: str | None, entity: str | None, type_: str | None, limit: int, as_json: bool) -> None:
    """Quotes in the store (speaker → content), newest first."""
    for hit in _annotation_hits("quotes", db, entity, type_, limit):
        d = hit.data
        if as_json:
            click.echo(json.dumps({"article_id": hit.article_id, "outlet": hit.outlet, **d}, ensure_ascii=False))
            continue
        speaker = d.get("speaker") or {}
        who = speaker.get("canonical") or speaker.get("text") or "(unattributed)"
        cue = (d.get("cue") or {}).get("text") or ""
        out.print(f"{hit.article_id[:10]}  {who} [{cue}] ({d.get('kind')}): {d.get('text')}", markup=False)


@main.command("events")
@DB_OPTION
@ENTITY_OPTION
@click.option("--type", "type_", default=None, metavar="TYPE", help="PLOVER type, e.g. ASSAULT.")
@LIMIT_OPTION
@JSON_OPTION
def events_cmd(db: str | None, entity: str | None, type_: str | None, limit: int, as_json: bool) -> None:
    """Events in the store (actor → type → target), newest first."""
    for hit in _annotation_hits("events", db, entity, type_, limit):
        d = hit.data
        if as_json:
            click.echo(json.dumps({"article_id": hit.article_id, "outlet": hit.outlet, **d}, ensure_ascii=False))
            continue

        def name(v: Any) -> str:
            if isinstance(v, list):
                return " + ".join(name(x) for x in v)
            return str((v or {}).get("canonical") or (v or {}).get("text") or "?") if v else "—"

        places = ", ".join(p.get("name") or p.get("text") or "" for p in d.get("places") or [] if isinstance(p, dict))
        out.print(f"{hit.article_id[:10]}  {d.get('type')} ({d.get('cameo')})  {name(d.get('actor'))} → "
                  f"{name(d.get('target'))}  {places}  {d.get('date') or d.get('date_text') or ''}", markup=False)


@main.command("stats")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats_cmd(db: str | None, as_json: bool) -> None:
    """Counts: articles, failures (by reason), skipped, outlets."""
    store = _open(db, read_only=True)
    try:
        stats = store.stats()
        failures = store.failures()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    for key in ("articles", "failures", "skipped", "sources"):
        out.print(f"{key:>10}: {stats[key]}")
    outlets = stats.get("outlets")
    if isinstance(outlets, dict) and outlets:
        out.print("   outlets: " + ", ".join(f"{k} ({v})" for k, v in outlets.items()), markup=False)
    for f in failures[:20]:
        out.print(f"    failed: {f.source}: {f.reason}" + (f" — {f.detail}" if f.detail else ""), markup=False)


def _register_subcommands() -> None:
    """Commands that live in their own modules (their heavy imports happen only when run)."""
    from dateline.stories_cli import stories as stories_group
    from dateline.web.cli import serve_cmd

    main.add_command(serve_cmd)
    main.add_command(stories_group)


_register_subcommands()

if __name__ == "__main__":  # pragma: no cover
    main()
