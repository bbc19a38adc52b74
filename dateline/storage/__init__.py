"""Stores: the :class:`Store` protocol and the backends, opened from a URL.

``open_store`` accepts ``sqlite:///path.db``, a plain file path, or ``memory:``.
"""

from __future__ import annotations

import os

from dateline.errors import ConfigError
from dateline.storage.base import KnownSource, SearchHit, SearchQuery, SourceOutcome, Store, UpsertResult
from dateline.storage.memory import MemoryStore
from dateline.storage.sqlite import SQLiteStore

__all__ = [
    "DEFAULT_DB",
    "KnownSource",
    "MemoryStore",
    "SQLiteStore",
    "SearchHit",
    "SearchQuery",
    "SourceOutcome",
    "Store",
    "UpsertResult",
    "default_db_url",
    "open_store",
]

DEFAULT_DB = "dateline.db"


def default_db_url() -> str:
    """``DATELINE_DB`` if set, else ``dateline.db`` in the working directory."""
    return os.environ.get("DATELINE_DB") or DEFAULT_DB


def open_store(url: str | None = None, read_only: bool = False) -> Store:
    """Open the store a URL names (default: :func:`default_db_url`)."""
    url = url or default_db_url()
    if url in ("memory:", ":memory:"):
        return MemoryStore()
    if url.startswith("sqlite:///"):
        return SQLiteStore(url[len("sqlite:///") :], read_only=read_only)
    if url.startswith("sqlite://"):
        raise ConfigError(f"bad SQLite URL {url!r}: use sqlite:///relative.db or sqlite:////absolute.db")
    if url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("PostgreSQL support is not built yet: use a SQLite path or sqlite:/// URL")
    if "://" in url:
        raise ConfigError(f"unknown database URL scheme in {url!r}")
    return SQLiteStore(url, read_only=read_only)
