"""Fuzz the JSON API from its own OpenAPI description (schemathesis): no server error, responses as documented.

The app is built at import time over a small read-only SQLite store (schemathesis' lazy
``from_fixture`` loader does not run under this pytest version).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from dateline.storage import SQLiteStore, open_store
from dateline.web import create_app
from tests.webutil import add_articles, add_stories, hostile_article, plain_article


def _app() -> Any:
    tmp = Path(tempfile.mkdtemp(prefix="dateline-fuzz-"))
    writer = SQLiteStore(tmp / "fuzz.db")
    add_articles(writer, [plain_article(), hostile_article()])
    add_stories(writer)
    writer.close()
    store = open_store(str(tmp / "fuzz.db"), read_only=True)
    atexit.register(shutil.rmtree, tmp, True)
    atexit.register(store.close)
    return create_app(store)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails(case: Any) -> None:
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])
