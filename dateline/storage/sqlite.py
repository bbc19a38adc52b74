"""SQLite store: WAL journal, FTS5 full-text search with bm25 ranking and snippets, named migrations.

Every statement is parameterised; user search text is turned into quoted FTS5 terms so that no
query syntax from the user (or from hostile article text) reaches the FTS parser unescaped.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dateline.errors import StoreError
from dateline.models import Article
from dateline.storage.annotations import annotation_rows
from dateline.storage.base import (
    AnnotationHit,
    KnownSource,
    SearchHit,
    SearchQuery,
    SourceOutcome,
    UpsertResult,
)
from dateline.storage.common import stats_from
from dateline.storage.story_sql import MIGRATION_0005, MIGRATION_0006, MIGRATION_0007, SQLiteStoriesMixin

# Named migrations, applied in order once each; never edit one that has shipped, add a new one.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_articles",
        """
        CREATE TABLE articles (
            rowid_ INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            url TEXT,
            outlet TEXT,
            title TEXT,
            published TEXT,
            captured TEXT,
            language TEXT,
            source TEXT NOT NULL,
            text TEXT NOT NULL,
            record TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX articles_outlet ON articles(outlet COLLATE NOCASE);
        CREATE INDEX articles_published ON articles(published);
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='rowid_',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid_, new.title, new.text);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid_, old.title, old.text);
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid_, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid_, new.title, new.text);
        END;
        """,
    ),
    (
        "0002_sources",
        """
        CREATE TABLE sources (
            source TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('stored', 'unchanged', 'skipped', 'failed')),
            article_id TEXT,
            reason TEXT,
            detail TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX sources_status ON sources(status);
        """,
    ),
    (
        "0003_annotations",
        """
        CREATE TABLE annotations (
            article_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            idx INTEGER NOT NULL,
            type TEXT,
            data TEXT NOT NULL,
            PRIMARY KEY (article_id, kind, idx)
        );
        CREATE INDEX annotations_kind_type ON annotations(kind, type COLLATE NOCASE);
        CREATE TABLE annotation_keys (
            key TEXT NOT NULL,
            kind TEXT NOT NULL,
            article_id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            PRIMARY KEY (key, kind, article_id, idx)
        );
        CREATE INDEX annotation_keys_article ON annotation_keys(article_id);
        """,
    ),
    (
        "0004_stories",
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            label TEXT,
            first_seen TEXT,
            last_seen TEXT,
            size INTEGER NOT NULL,
            unique_size INTEGER NOT NULL,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX stories_rank ON stories(unique_size DESC, last_seen DESC);
        CREATE TABLE story_members (
            article_id TEXT PRIMARY KEY,
            story_id TEXT NOT NULL,
            canonical_id TEXT,
            similarity REAL
        );
        CREATE INDEX story_members_story ON story_members(story_id);
        CREATE TABLE story_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);
        """,
    ),
    ("0005_story_index", MIGRATION_0005),
    ("0006_story_packed", MIGRATION_0006),
    ("0007_story_rows", MIGRATION_0007),
]

_TERM = re.compile(r'"([^"]*)"|(\S+)')
READ_MMAP_BYTES = 1 << 30
"""How much of the file a connection maps for reading (address space, not memory: pages stay in the
OS cache). Writers map it too: a story update reads ~10 MB of index rows (27,000 page reads through
``pread`` with the default page cache, 2,500 with the map, those left being WAL frames)."""
READ_CACHE_KIB = 64 * 1024
"""Page cache of a connection (SQLite's default is 2 MiB, smaller than one story update's writes)."""


def fts_query(text: str) -> str:
    """Turn user search text into a safe FTS5 query: every term quoted, all terms required.

    ``"exact phrase"`` stays a phrase; a trailing ``*`` on a word keeps prefix search.
    """
    terms: list[str] = []
    for m in _TERM.finditer(text):
        phrase, word = m.group(1), m.group(2)
        if phrase is not None:
            words = re.findall(r"\w+", phrase)
            if words:
                terms.append('"' + " ".join(words) + '"')
            continue
        prefix = word.endswith("*")
        for w in re.findall(r"\w+", word):
            terms.append(f'"{w}"')
        if prefix and terms:
            terms[-1] += "*"
    return " ".join(terms)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _record_json(article: Article) -> str:
    record = article.to_dict()
    del record["text"]  # stored once, in its own column (and indexed by FTS5)
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def _article(text: str, record: str) -> Article:
    d: dict[str, Any] = json.loads(record)
    d["text"] = text
    return Article.from_dict(d)


class SQLiteStore(SQLiteStoriesMixin):
    """The default store: one SQLite file (or ``:memory:``)."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = str(path)
        try:
            if read_only:
                if not Path(self.path).exists():
                    raise StoreError(f"database {self.path} does not exist")
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                if self.path != ":memory:":
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, check_same_thread=False)
            # Readers (the web server; mode=ro already refuses writes) and writers alike: map the file
            # instead of copying pages through read(), and keep the FTS index, hot rows and a story
            # update's index rows in a larger page cache.
            self._db.execute(f"PRAGMA mmap_size = {READ_MMAP_BYTES}")
            self._db.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
            self._db.execute("PRAGMA busy_timeout = 10000")
            if not read_only:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open SQLite database {self.path}: {exc}") from exc

    # -- schema ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        db = self._db
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        applied = {row[0] for row in db.execute("SELECT name FROM schema_migrations")}
        for name, sql in MIGRATIONS:
            if name in applied:
                continue
            try:
                db.execute("BEGIN")
                for statement in _split_sql(sql):
                    db.execute(statement)
                db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, _now()))
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                db.execute("ROLLBACK")
                raise StoreError(f"migration {name} failed on {self.path}: {exc}") from exc

    def migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        return [row[0] for row in self._db.execute("SELECT name FROM schema_migrations ORDER BY name")]

    # -- writes ---------------------------------------------------------------------------
    def write_batch(self, articles: Iterable[Article], outcomes: Iterable[SourceOutcome]) -> UpsertResult:
        """Upsert articles and record outcomes in one transaction."""
        articles = list(articles)
        outcomes = list(outcomes)
        now = _now()
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            ids = [a.id for a in articles]
            existing: set[str] = set()
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                existing.update(r[0] for r in db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk))
            inserted = unchanged = 0
            for article in articles:
                record = _record_json(article)
                if article.id in existing:
                    unchanged += 1
                    changed = db.execute(
                        "UPDATE articles SET record = ?, updated_at = ? WHERE id = ? AND record != ?",
                        (record, now, article.id, record),
                    ).rowcount
                    if changed:
                        self._index_annotations(article)
                    continue
                existing.add(article.id)
                inserted += 1
                db.execute(
                    "INSERT INTO articles (id, url, outlet, title, published, captured, language, source, text,"
                    " record, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        article.id, article.url, article.outlet, article.title, article.dates.published,
                        article.dates.captured, article.language, article.source, article.text,
                        record, now,
                    ),
                )
                self._index_annotations(article)
            db.executemany(
                "INSERT INTO sources (source, fingerprint, status, article_id, reason, detail, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " status = excluded.status, article_id = excluded.article_id, reason = excluded.reason,"
                " detail = excluded.detail, updated_at = excluded.updated_at",
                [(o.source, o.fingerprint, o.status, o.article_id, o.reason, o.detail, now) for o in outcomes],
            )
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            db.execute("ROLLBACK")
            raise StoreError(f"write to {self.path} failed: {exc}") from exc
        return UpsertResult(inserted, unchanged)

    def _index_annotations(self, article: Article) -> None:
        db = self._db
        db.execute("DELETE FROM annotations WHERE article_id = ?", (article.id,))
        db.execute("DELETE FROM annotation_keys WHERE article_id = ?", (article.id,))
        rows = list(annotation_rows(article))
        db.executemany(
            "INSERT INTO annotations (article_id, kind, idx, type, data) VALUES (?, ?, ?, ?, ?)",
            [(article.id, r.kind, r.index, r.type, json.dumps(r.data, ensure_ascii=False)) for r in rows],
        )
        db.executemany(
            "INSERT OR IGNORE INTO annotation_keys (key, kind, article_id, idx) VALUES (?, ?, ?, ?)",
            [(key, r.kind, article.id, r.index) for r in rows for key in r.keys],
        )

    # -- reads ----------------------------------------------------------------------------
    def get(self, article_id: str) -> Article | None:
        """By full id, or by a unique prefix of at least 6 characters."""
        row = self._db.execute("SELECT text, record FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None and len(article_id) >= 6 and re.fullmatch(r"[0-9a-f]+", article_id):
            rows = self._db.execute(
                "SELECT text, record FROM articles WHERE id >= ? AND id < ? LIMIT 2",
                (article_id, article_id + "g"),
            ).fetchall()
            if len(rows) > 1:
                raise StoreError(f"id prefix {article_id!r} is ambiguous")
            row = rows[0] if rows else None
        return _article(row[0], row[1]) if row else None

    def known_sources(self, sources: Iterable[str]) -> dict[str, KnownSource]:
        """Ingest-log entries recorded for the given sources."""
        sources = list(sources)
        found: dict[str, KnownSource] = {}
        for i in range(0, len(sources), 500):
            chunk = sources[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for source, fingerprint, status, article_id in self._db.execute(
                f"SELECT source, fingerprint, status, article_id FROM sources WHERE source IN ({marks})", chunk
            ):
                found[source] = KnownSource(fingerprint, status, article_id)
        return found

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """bm25-ranked FTS5 search (title weighted 5×, ties in rowid order) with ``[``…``]`` highlighted
        snippets, filtered before ranking."""
        match = fts_query(query.text)
        if not match:
            return []
        filters: list[str] = []
        params: list[Any] = [match]
        if query.outlet:
            filters.append("a.outlet = ? COLLATE NOCASE")
            params.append(query.outlet)
        if query.since:
            filters.append("substr(a.published, 1, 10) >= ?")
            params.append(query.since[:10])
        if query.until:
            filters.append("substr(a.published, 1, 10) <= ?")
            params.append(query.until[:10])
        for kind, name in (("entities", query.entity), ("places", query.place)):
            if name and name.strip():
                filters.append("EXISTS (SELECT 1 FROM annotation_keys k"
                               " WHERE k.key = ? AND k.kind = ? AND k.article_id = a.id)")
                params.extend([name.strip().lower(), kind])
        if query.event_type and query.event_type.strip():
            # `+n.type`: look the article's events up by primary key, not every event of the type
            filters.append("EXISTS (SELECT 1 FROM annotations n"
                           " WHERE n.article_id = a.id AND n.kind = 'events' AND +n.type = ? COLLATE NOCASE)")
            params.append(query.event_type.strip())
        params.extend([max(0, min(query.limit, 1000)), max(0, query.offset)])
        # Step 1 ranks every match that passes the filters (the filters read the small indexed columns of
        # the article row and the annotation indexes) and keeps the page. Step 2 builds snippets for the
        # page only: it walks the matches once more (cheap without bm25) and `+f.rowid IN (…)` keeps the
        # page's rows; written as a plain `f.rowid IN` SQLite would hand it to FTS5, which re-parses
        # and re-seeks the query once per rowid (about twice as slow), and bounding the walk by the
        # page's lowest and highest rowid shortens it.
        where = "".join(f" AND {f}" for f in filters)
        join = " JOIN articles a ON a.rowid_ = f.rowid" if filters else ""
        try:
            ranked = self._db.execute(
                f"SELECT f.rowid, bm25(articles_fts, 5.0, 1.0) AS score FROM articles_fts f{join}"
                f" WHERE articles_fts MATCH ?{where} ORDER BY score, f.rowid LIMIT ? OFFSET ?",
                params,
            ).fetchall()
            if not ranked:
                return []
            rowids = [r[0] for r in ranked]
            marks = ",".join("?" * len(rowids))
            details = {
                r[0]: r[1:]
                for r in self._db.execute(
                    "SELECT f.rowid, a.id, a.title, a.outlet, a.url, a.published,"
                    " snippet(articles_fts, 1, '[', ']', '…', 24)"
                    " FROM articles_fts f JOIN articles a ON a.rowid_ = f.rowid"
                    f" WHERE articles_fts MATCH ? AND f.rowid BETWEEN ? AND ? AND +f.rowid IN ({marks})",
                    [match, min(rowids), max(rowids), *rowids],
                )
            }
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed for {query.text!r}: {exc}") from exc
        hits = []
        for rowid, score in ranked:
            d = details[rowid]
            hits.append(SearchHit(d[0], d[1], d[2], d[3], d[4], d[5], -float(score)))
        return hits

    def iter_articles(self, batch_size: int = 500) -> Iterator[Article]:
        """Stream every article in id order, ``batch_size`` rows per query (keyset pagination)."""
        last = ""
        while True:
            rows = self._db.execute(
                "SELECT id, text, record FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch_size)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _article(row[1], row[2])
            last = rows[-1][0]

    def annotations(
        self, kind: str, entity: str | None = None, type_: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[AnnotationHit]:
        """Indexed lookup by kind, entity key and type; newest articles first."""
        where = ["n.kind = ?"]
        params: list[Any] = [kind]
        if entity:
            where.append(
                "EXISTS (SELECT 1 FROM annotation_keys k WHERE k.key = ? AND k.kind = n.kind"
                " AND k.article_id = n.article_id AND k.idx = n.idx)"
            )
            params.append(entity.strip().lower())
        if type_:
            where.append("n.type = ? COLLATE NOCASE")
            params.append(type_)
        params.extend([max(0, min(limit, 10000)), max(0, offset)])
        rows = self._db.execute(
            "SELECT n.article_id, a.outlet, a.published, a.title, n.kind, n.idx, n.data"
            " FROM annotations n JOIN articles a ON a.id = n.article_id"
            f" WHERE {' AND '.join(where)}"
            " ORDER BY coalesce(substr(a.published, 1, 10), '') DESC, n.article_id, n.idx LIMIT ? OFFSET ?",
            params,
        ).fetchall()
        return [AnnotationHit(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]

    def failures(self) -> list[SourceOutcome]:
        """Sources whose last outcome was a failure, by source."""
        rows = self._db.execute(
            "SELECT source, fingerprint, status, article_id, reason, detail FROM sources"
            " WHERE status = 'failed' ORDER BY source"
        )
        return [SourceOutcome(*row) for row in rows]

    def stats(self) -> dict[str, object]:
        """Article and source counts."""
        articles = self._db.execute("SELECT count(*) FROM articles").fetchone()[0]
        outcomes = self._db.execute("SELECT status, reason, count(*) FROM sources GROUP BY status, reason").fetchall()
        outlets = self._db.execute("SELECT outlet, count(*) FROM articles GROUP BY outlet").fetchall()
        return stats_from(articles=articles, outcomes=outcomes, outlets=outlets)

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        self._db.close()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    statements: list[str] = []
    current: list[str] = []
    depth = 0
    for line in script.strip().splitlines():
        current.append(line)
        stripped = line.strip().upper()
        if stripped.endswith("BEGIN"):
            depth += 1
        if stripped == "END;":
            depth -= 1
        if stripped.endswith(";") and depth == 0:
            statements.append("\n".join(current))
            current = []
    if "".join(current).strip():
        statements.append("\n".join(current))
    return statements
