"""Exports that stream from a store: JSONL (the full record), CSV and Parquet (flat tables)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from dateline.models import Article

FORMATS = ("jsonl", "csv", "parquet")

FLAT_COLUMNS = (
    "id", "url", "source", "source_id", "outlet", "title", "authors", "language", "section",
    "series_name", "series_count", "tags", "related_headlines", "dateline_place", "dateline_agency",
    "published", "captured", "page_clock", "text", "warnings",
    "entities", "places", "quotes", "events",
)
_LIST_COLUMNS = ("authors", "tags", "related_headlines", "warnings")
_JSON_COLUMNS = ("entities", "places", "quotes", "events")


def flat_row(article: Article) -> dict[str, Any]:
    """One article as a flat row: lists stay lists, annotations become JSON strings."""
    return {
        "id": article.id,
        "url": article.url,
        "source": article.source,
        "source_id": article.source_id,
        "outlet": article.outlet,
        "title": article.title,
        "authors": list(article.authors),
        "language": article.language,
        "section": article.section,
        "series_name": article.series.name if article.series else None,
        "series_count": article.series.count if article.series else None,
        "tags": list(article.tags),
        "related_headlines": list(article.related_headlines),
        "dateline_place": article.dateline.place if article.dateline else None,
        "dateline_agency": article.dateline.agency if article.dateline else None,
        "published": article.dates.published,
        "captured": article.dates.captured,
        "page_clock": article.dates.page_clock,
        "text": article.text,
        "warnings": list(article.warnings),
        "entities": json.dumps(list(article.entities), ensure_ascii=False),
        "places": json.dumps(list(article.places), ensure_ascii=False),
        "quotes": json.dumps(list(article.quotes), ensure_ascii=False),
        "events": json.dumps(list(article.events), ensure_ascii=False),
    }


def write_jsonl(articles: Iterable[Article], out: IO[str]) -> int:
    """One full JSON record per line; returns the count."""
    n = 0
    for article in articles:
        out.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(articles: Iterable[Article], out: IO[str]) -> int:
    """Flat CSV; list columns joined with ``; ``."""
    writer = csv.DictWriter(out, fieldnames=FLAT_COLUMNS)
    writer.writeheader()
    n = 0
    for article in articles:
        row = flat_row(article)
        for col in _LIST_COLUMNS:
            row[col] = "; ".join(row[col])
        writer.writerow(row)
        n += 1
    return n


def _chunks(articles: Iterable[Article], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for article in articles:
        chunk.append(flat_row(article))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_parquet(articles: Iterable[Article], path: str, row_group: int = 2000) -> int:
    """Flat Parquet file written in row groups (memory bounded by ``row_group``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    for col in FLAT_COLUMNS:
        if col in _LIST_COLUMNS:
            fields.append(pa.field(col, pa.list_(pa.string())))
        elif col == "series_count":
            fields.append(pa.field(col, pa.int64()))
        else:
            fields.append(pa.field(col, pa.string()))
    schema = pa.schema(fields)
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        for chunk in _chunks(articles, row_group):
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            n += len(chunk)
        if n == 0:
            writer.write_table(pa.Table.from_pylist([], schema=schema))
    return n
