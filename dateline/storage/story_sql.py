"""The stories part of the SQLite store: story records, memberships and the story index tables.

Migration ``0005_story_index`` adds the index tables of :mod:`dateline.story_tables` (postings and
centroid weights keyed by term, story statistics, MinHash band keys and signatures); an update
reads the rows of its new articles' terms only, instead of a whole saved state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from dateline.errors import StoreError
from dateline.storage.base import StoryMember
from dateline.story_tables import Centroid, IndexDelta, Posting, SignatureRow, StatRow, chunks

MIGRATION_0005 = """
CREATE TABLE story_postings (
    term TEXT NOT NULL,
    article_id TEXT NOT NULL,
    story_id TEXT NOT NULL,
    weight REAL NOT NULL,
    day INTEGER
);
CREATE INDEX story_postings_term ON story_postings(term);
CREATE TABLE story_centroids (
    term TEXT NOT NULL,
    story_id TEXT NOT NULL,
    weight REAL NOT NULL,
    PRIMARY KEY (term, story_id)
) WITHOUT ROWID;
CREATE TABLE story_stats (
    story_id TEXT PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    n INTEGER NOT NULL,
    sumsq REAL NOT NULL,
    lo INTEGER,
    hi INTEGER
);
CREATE TABLE story_bands (key TEXT NOT NULL, article_id TEXT NOT NULL);
CREATE INDEX story_bands_key ON story_bands(key);
CREATE TABLE story_signatures (
    article_id TEXT PRIMARY KEY,
    signature TEXT NOT NULL,
    canonical_id TEXT,
    story_id TEXT NOT NULL
);
DELETE FROM story_state;
"""
"""Index tables; the old whole-state JSON is dropped (the next update rebuilds once)."""

_INDEX_TABLES = ("story_postings", "story_centroids", "story_stats", "story_bands", "story_signatures")
Row = TypeVar("Row")


class SQLiteStoryTables:
    """:class:`dateline.story_tables.StoryTables` over one SQLite connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _many(self, sql: str, keys: Sequence[str], row: Callable[[Any], Row]) -> list[Row]:
        out: list[Row] = []
        for batch in chunks(keys):
            marks = ",".join("?" * len(batch))
            out.extend(row(r) for r in self._db.execute(sql.format(marks), batch))
        return out

    def meta(self) -> str | None:
        """The index header, or None."""
        row = self._db.execute("SELECT value FROM story_state WHERE key = 'index'").fetchone()
        return str(row[0]) if row and row[0] else None

    def postings(self, terms: Sequence[str], limit: int) -> list[Posting]:
        """The last ``limit`` postings of each term (insertion order = processing order), oldest first.
        One indexed query per term: (term, rowid) descending, so only ``limit`` rows are read."""
        out: list[Posting] = []
        sql = ("SELECT term, article_id, story_id, weight, day FROM story_postings WHERE term = ?"
               " ORDER BY rowid DESC LIMIT ?")
        for term in terms:
            rows = self._db.execute(sql, (term, limit)).fetchall()
            out.extend((r[0], r[1], r[2], r[3], r[4]) for r in reversed(rows))
        return out

    def centroid_cells(self, terms: Sequence[str], story_ids: Sequence[str]) -> list[Centroid]:
        """Centroid weights of these terms in these stories (primary-key lookups)."""
        out: list[Centroid] = []
        for batch in chunks(story_ids, 400):
            for tbatch in chunks(terms, 400):
                sql = ("SELECT term, story_id, weight FROM story_centroids"
                       f" WHERE term IN ({','.join('?' * len(tbatch))}) AND story_id IN ({','.join('?' * len(batch))})")
                out.extend((r[0], r[1], r[2]) for r in self._db.execute(sql, [*tbatch, *batch]))
        return out

    def stats(self, story_ids: Sequence[str]) -> list[StatRow]:
        """Statistics of these stories."""
        return self._many("SELECT story_id, first_seq, n, sumsq, lo, hi FROM story_stats WHERE story_id IN ({})",
                          story_ids, lambda r: (r[0], r[1], r[2], r[3], r[4], r[5]))

    def bands(self, keys: Sequence[str]) -> list[tuple[str, str]]:
        """Band rows of these keys."""
        return self._many("SELECT key, article_id FROM story_bands WHERE key IN ({}) ORDER BY rowid", keys,
                          lambda r: (r[0], r[1]))

    def signatures(self, article_ids: Sequence[str]) -> list[SignatureRow]:
        """Signature rows of these articles."""
        return self._many("SELECT article_id, signature, canonical_id, story_id FROM story_signatures"
                          " WHERE article_id IN ({})", article_ids, lambda r: (r[0], r[1], r[2], r[3]))


class SQLiteStoriesMixin:
    """Story methods of :class:`dateline.storage.sqlite.SQLiteStore` (which provides ``_db``, ``path``)."""

    _db: sqlite3.Connection
    path: Path | str

    def story_tables(self) -> SQLiteStoryTables:
        """The story index, read by key."""
        return SQLiteStoryTables(self._db)

    def story_state(self) -> str | None:
        """The story index header (JSON), or None."""
        return self.story_tables().meta()

    def story_count(self) -> int:
        """How many stories there are."""
        return int(self._db.execute("SELECT count(*) FROM stories").fetchone()[0])

    def story_pending(self, since: str | None = None) -> list[str]:
        """Ids of articles without a story row, in id order."""
        sql = "SELECT a.id FROM articles a LEFT JOIN story_members m ON m.article_id = a.id WHERE m.article_id IS NULL"
        params: list[Any] = []
        if since:
            sql += " AND substr(a.published, 1, 10) >= ?"
            params.append(since[:10])
        return [r[0] for r in self._db.execute(sql + " ORDER BY a.id", params)]

    def write_stories(self, stories: list[dict[str, Any]], members: list[StoryMember],
                      index: IndexDelta | str | None = None, replace: bool = False) -> None:
        """Upsert story records and memberships and add the index delta (a plain string: only the
        index header), in one transaction."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        delta = index if isinstance(index, IndexDelta) else IndexDelta(meta=index or "")
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            if replace:
                for table in ("stories", "story_members", *_INDEX_TABLES):
                    db.execute(f"DELETE FROM {table}")
            db.executemany(
                "INSERT OR REPLACE INTO stories (id, label, first_seen, last_seen, size, unique_size, data, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(s["id"], s.get("label"), s.get("first_seen"), s.get("last_seen"), int(s.get("size", 0)),
                  int(s.get("unique_size", 0)), json.dumps(s, ensure_ascii=False), now) for s in stories],
            )
            db.executemany("INSERT OR REPLACE INTO story_members (article_id, story_id, canonical_id, similarity)"
                           " VALUES (?, ?, ?, ?)", [tuple(m) for m in members])
            db.executemany("INSERT INTO story_postings (term, article_id, story_id, weight, day)"
                           " VALUES (?, ?, ?, ?, ?)",
                           delta.postings)
            db.executemany("INSERT OR REPLACE INTO story_centroids (term, story_id, weight) VALUES (?, ?, ?)",
                           delta.centroids)
            db.executemany("INSERT OR REPLACE INTO story_stats (story_id, first_seq, n, sumsq, lo, hi)"
                           " VALUES (?, ?, ?, ?, ?, ?)", delta.stats)
            db.executemany("INSERT INTO story_bands (key, article_id) VALUES (?, ?)", delta.bands)
            db.executemany("INSERT OR REPLACE INTO story_signatures (article_id, signature, canonical_id, story_id)"
                           " VALUES (?, ?, ?, ?)", delta.signatures)
            db.execute("INSERT OR REPLACE INTO story_state (key, value, updated_at) VALUES ('index', ?, ?)",
                       (delta.meta, now))
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            db.execute("ROLLBACK")
            raise StoreError(f"writing stories to {self.path} failed: {exc}") from exc

    def stories(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Largest (unique articles) first, then newest."""
        rows = self._db.execute(
            "SELECT data FROM stories ORDER BY unique_size DESC, coalesce(last_seen, '') DESC, id LIMIT ? OFFSET ?",
            (max(0, min(limit, 100000)), max(0, offset)),
        )
        return [json.loads(r[0]) for r in rows]

    def story(self, story_id: str) -> dict[str, Any] | None:
        """By id, or by a unique prefix of at least 6 characters."""
        rows = self._db.execute("SELECT data FROM stories WHERE id = ?", (story_id,)).fetchall()
        if not rows and len(story_id) >= 6:
            rows = self._db.execute(
                "SELECT data FROM stories WHERE id >= ? AND id < ? LIMIT 2", (story_id, story_id + "\uffff")
            ).fetchall()
            if len(rows) > 1:
                raise StoreError(f"story id prefix {story_id!r} is ambiguous")
        return json.loads(rows[0][0]) if rows else None
