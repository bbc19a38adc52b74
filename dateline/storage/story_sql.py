"""The stories part of the SQLite store: story records, memberships and the story index tables.

Migration ``0005_story_index`` added the index tables of :mod:`dateline.story_tables` (postings and
centroid weights keyed by term, story statistics, MinHash band keys and signatures); an update
reads the rows of its new articles' terms only, instead of a whole saved state. Migration
``0006_story_packed`` replaces the posting, centroid and statistics tables by one row per term (its
capped posting list, packed) and one row per story (statistics and whole centroid): an update reads
a term's list or a story's centroid in one keyed read instead of up to a hundred rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dateline.errors import StoreError
from dateline.storage.base import StoryMember
from dateline.story_tables import IndexDelta, SignatureRow, StoryRow, TermRow, chunks

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

MIGRATION_0006 = """
DROP TABLE story_postings;
DROP TABLE story_centroids;
DROP TABLE story_stats;
CREATE TABLE story_term_postings (term TEXT NOT NULL, postings BLOB NOT NULL);
CREATE INDEX story_term_postings_term ON story_term_postings(term);
CREATE TABLE story_index_stories (
    story_key INTEGER PRIMARY KEY,
    story_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    sumsq REAL NOT NULL,
    lo INTEGER,
    hi INTEGER,
    terms TEXT NOT NULL,
    weights BLOB NOT NULL
);
DROP TABLE story_bands;
CREATE TABLE story_bands (
    key INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
DELETE FROM story_signatures;
DELETE FROM story_state;
"""
"""Packed index rows: a term's postings (:data:`dateline.story_tables.POSTING` records) in a few
blobs appended in processing order (rowid order); a story's statistics and centroid in one row, the
centroid as its terms (a JSON array) and their weights (float64 array, in the same order); band keys
as 64-bit integers, in one B-tree keyed by (key, article) (no rowid table beside an index). The
old index is dropped; the next update sees stories without an index and rebuilds once."""

MIGRATION_0007 = """
CREATE TABLE story_rows (story_id TEXT NOT NULL, articles TEXT NOT NULL);
CREATE INDEX story_rows_story ON story_rows(story_id);
ALTER TABLE stories ADD COLUMN titled INTEGER NOT NULL DEFAULT 0;
INSERT INTO story_rows (story_id, articles)
    SELECT id, json_extract(data, '$.articles') FROM stories WHERE json_type(data, '$.articles') = 'array';
UPDATE stories SET
    titled = EXISTS (SELECT 1 FROM json_each(data, '$.articles')
                     WHERE coalesce(json_extract(value, '$.title'), '') <> ''),
    data = json_replace(data, '$.articles', json_array());
"""
"""Article rows beside the story record: ``stories.data`` keeps the record with an empty
``articles`` list, and ``story_rows`` its article rows as JSON arrays, one or more per story, read
back in rowid order and concatenated. An update appends one row per touched story with just its new
articles' rows instead of rewriting every touched record whole; ``titled`` (whether any article has
a title, what keeps the label stable) saves reading the old rows. Existing records are split in
place."""

_INDEX_TABLES = ("story_term_postings", "story_index_stories", "story_bands", "story_signatures")
_RANK = "unique_size DESC, coalesce(last_seen, '') DESC, id"


class SQLiteStoryTables:
    """:class:`dateline.story_tables.StoryTables` over one SQLite connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _many(self, sql: str, keys: Sequence[Any]) -> list[Any]:
        """The rows (plain tuples) of a keyed query, ``IN (...)`` a batch of keys at a time."""
        out: list[Any] = []
        for batch in chunks(keys):
            out += self._db.execute(sql.format(",".join("?" * len(batch))), batch).fetchall()
        return out

    def meta(self) -> str | None:
        """The index header, or None."""
        row = self._db.execute("SELECT value FROM story_state WHERE key = 'index'").fetchone()
        return str(row[0]) if row and row[0] else None

    def postings(self, terms: Sequence[str]) -> list[TermRow]:
        """The posting rows of these terms in the order they were added (term index, batched ``IN``)."""
        rows = self._many("SELECT rowid, term, postings FROM story_term_postings WHERE term IN ({})", terms)
        rows.sort()
        return [(term, packed) for _, term, packed in rows]

    def stories(self, keys: Sequence[int]) -> list[StoryRow]:
        """Story rows (statistics and centroid) of these story keys."""
        return self._many("SELECT story_key, story_id, n, sumsq, lo, hi, terms, weights FROM story_index_stories"
                          " WHERE story_key IN ({})", keys)

    def bands(self, keys: Sequence[int]) -> list[tuple[int, str]]:
        """Band rows of these keys."""
        return self._many("SELECT key, article_id FROM story_bands WHERE key IN ({})", keys)

    def signatures(self, article_ids: Sequence[str]) -> list[SignatureRow]:
        """Signature rows of these articles."""
        return self._many("SELECT article_id, signature, canonical_id, story_id FROM story_signatures"
                          " WHERE article_id IN ({})", article_ids)


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
                      index: IndexDelta | str | None = None, replace: bool = False, append: bool = False) -> None:
        """Upsert story records and memberships and add the index delta (a plain string: only the
        index header), in one transaction. A record is stored as its fields (``articles`` empty) plus
        one ``story_rows`` row of its article rows; ``append`` keeps the stored rows and adds these."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        delta = index if isinstance(index, IndexDelta) else IndexDelta(meta=index or "")
        db = self._db
        heads, rows = [], []
        for s in stories:
            articles = s.get("articles") or []
            heads.append((s["id"], s.get("label"), s.get("first_seen"), s.get("last_seen"), int(s.get("size", 0)),
                          int(s.get("unique_size", 0)), json.dumps({**s, "articles": []}, ensure_ascii=False), now,
                          int(any(r.get("title") for r in articles))))
            if articles:
                rows.append((s["id"], json.dumps(articles, ensure_ascii=False)))
        try:
            db.execute("BEGIN IMMEDIATE")
            if replace:
                for table in ("stories", "story_members", "story_rows", *_INDEX_TABLES):
                    db.execute(f"DELETE FROM {table}")
            elif not append:
                db.executemany("DELETE FROM story_rows WHERE story_id = ?", [(s["id"],) for s in stories])
            db.executemany(
                "INSERT INTO stories (id, label, first_seen, last_seen, size, unique_size, data, updated_at, titled)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET label = excluded.label,"
                " first_seen = excluded.first_seen, last_seen = excluded.last_seen, size = excluded.size,"
                " unique_size = excluded.unique_size, data = excluded.data, updated_at = excluded.updated_at,"
                f" titled = {'max(titled, excluded.titled)' if append else 'excluded.titled'}", heads)
            db.executemany("INSERT INTO story_rows (story_id, articles) VALUES (?, ?)", rows)
            db.executemany("INSERT OR REPLACE INTO story_members (article_id, story_id, canonical_id, similarity)"
                           " VALUES (?, ?, ?, ?)", [tuple(m) for m in members])
            db.executemany("DELETE FROM story_term_postings WHERE term = ?", [(t,) for t in delta.replace_terms])
            db.executemany("INSERT INTO story_term_postings (term, postings) VALUES (?, ?)", delta.postings)
            db.executemany("INSERT OR REPLACE INTO story_index_stories (story_key, story_id, n, sumsq, lo, hi,"
                           " terms, weights) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", delta.stories)
            db.executemany("INSERT OR IGNORE INTO story_bands (key, article_id) VALUES (?, ?)",
                           sorted(delta.bands))  # in key order: B-tree inserts with locality
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
        return _records(self._db.execute(
            f"WITH top AS (SELECT id, data, unique_size, last_seen FROM stories ORDER BY {_RANK} LIMIT ? OFFSET ?)"
            " SELECT top.id, top.data, r.articles FROM top LEFT JOIN story_rows r ON r.story_id = top.id"
            f" ORDER BY {_RANK}, r.rowid", (max(0, min(limit, 100000)), max(0, offset))))

    def story_heads(self, story_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Records without their article rows (``articles`` empty, ``titled`` added), batched ``IN``."""
        heads = {}
        for batch in chunks(dict.fromkeys(story_ids)):
            for sid, data, titled in self._db.execute(
                    f"SELECT id, data, titled FROM stories WHERE id IN ({','.join('?' * len(batch))})", batch):
                head = json.loads(data)
                head["titled"] = bool(titled)
                heads[sid] = head
        return heads

    def story(self, story_id: str) -> dict[str, Any] | None:
        """By id, or by a unique prefix of at least 6 characters."""
        found = self._db.execute("SELECT id FROM stories WHERE id = ?", (story_id,)).fetchall()
        if not found and len(story_id) >= 6:
            found = self._db.execute(
                "SELECT id FROM stories WHERE id >= ? AND id < ? LIMIT 2", (story_id, story_id + "\uffff")
            ).fetchall()
            if len(found) > 1:
                raise StoreError(f"story id prefix {story_id!r} is ambiguous")
        if not found:
            return None
        records = _records(self._db.execute(
            "SELECT s.id, s.data, r.articles FROM stories s LEFT JOIN story_rows r ON r.story_id = s.id"
            " WHERE s.id = ? ORDER BY r.rowid", (found[0][0],)))
        return records[0] if records else None


def _records(rows: Iterable[tuple[str, str, str | None]]) -> list[dict[str, Any]]:
    """Story records from (id, record without rows, one of its article-row arrays or NULL) rows,
    grouped by story in the order given: the stored arrays concatenated into ``articles``."""
    out: list[dict[str, Any]] = []
    last = None
    for sid, data, part in rows:
        if sid != last:
            last = sid
            out.append(json.loads(data))
        if part is not None:
            record = out[-1]
            articles = record.get("articles")
            if articles is None:
                articles = record["articles"] = []
            articles.extend(json.loads(part))
    return out
