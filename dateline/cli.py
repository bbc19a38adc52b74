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
from dateline.ingest import Processed, RunSummary, extract_stream, ingest
from dateline.models import Article
from dateline.sources import SourceFailure
from dateline.storage import SearchQuery, Store, default_db_url, open_store

err = Console(stderr=True, highlight=False)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
def main() -> None:
    """Dateline: crawled news pages into clean, structured, searchable records."""


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@DB_OPTION
@click.option("--workers", "-j", default=1, show_default=True, help="Extraction processes.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table.")
def ingest_cmd(paths: tuple[str, ...], db: str | None, workers: int, as_json: bool, quiet: bool) -> None:
    """Read PATHS (files, dirs, globs, .html, .txt, .warc(.gz), .jsonl, '-') into the store."""
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

                summary = ingest(list(paths), store, workers=workers, on_progress=update)
        else:
            summary = ingest(list(paths), store, workers=workers)
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
    table.add_row("seconds", f"{summary.seconds:.1f}")
    err.print(table)
    for f in summary.failures:
        err.print(f"[red]failed[/red] {f.source}: {f.reason}" + (f" — {f.detail}" if f.detail else ""), markup=True)


@main.command("extract")
@click.argument("paths", nargs=-1, required=True)
@click.option("--jsonl", is_flag=True, help="One compact JSON record per line (default: indented JSON).")
def extract_cmd(paths: tuple[str, ...], jsonl: bool) -> None:
    """Extract PATHS without a store: one JSON record per document on stdout, failures on stderr."""
    failures = 0
    for result in extract_stream(list(paths)):
        if isinstance(result, SourceFailure):
            failures += 1
            err.print(f"failed {result.source}: {result.reason}" + (f" — {result.detail}" if result.detail else ""))
            continue
        assert isinstance(result, Processed)
        if result.article is None:
            o = result.outcome
            failures += o.status == "failed"
            err.print(f"{o.status} {o.source}: {o.reason}" + (f" — {o.detail}" if o.detail else ""))
            continue
        record = result.article.to_dict()
        click.echo(json.dumps(record, ensure_ascii=False, indent=None if jsonl else 2))
    if failures:
        err.print(f"{failures} document(s) failed")


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


if __name__ == "__main__":  # pragma: no cover
    main()
