"""Shared fixtures: where the shared dev data lives, and store backends for the contract suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dateline.models import Article, RawDocument
from dateline.storage import MemoryStore, SQLiteStore, Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_8551805d939eb4cd.txt"
SEED_EXPECTED = SHARED / "seeds" / "000_8551805d939eb4cd.expected.json"
DRAGNET = SHARED / "data" / "extraction" / "dragnet" / "pages.jsonl.gz"
EXAMPLES = REPO / "examples"


def need(path: Path) -> Path:
    """Skip the test (with the reason) when shared dev data is not beside the checkout."""
    if not path.exists():
        pytest.skip(f"shared data not found: {path} (clone beside ../shared)")
    return path


@pytest.fixture(scope="session")
def seed_article() -> Article:
    """The seed page through the real flattened-text extractor (no stages run): what every stage sees."""
    from dateline.extract import extract_document

    raw = need(SEED).read_bytes()
    return extract_document(RawDocument(source=str(SEED), kind="text", content=raw))


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every Store backend, for the contract suite."""
    s: Store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "t.db")
    yield s
    s.close()
