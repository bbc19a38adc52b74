"""Web UI and JSON API over a Dateline store (FastAPI, server-rendered Jinja2 pages)."""

from __future__ import annotations

from dateline.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
