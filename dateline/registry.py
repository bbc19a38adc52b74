"""Explicit stage registry: name -> ``module:factory`` (imported lazily, so the CLI starts fast).

Third-party stages can register through the ``dateline.stages`` entry-point group.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from typing import Any, cast

from dateline.errors import ConfigError
from dateline.pipeline import OnError, Pipeline, Stage

STAGES: dict[str, str] = {
    "entities.v1": "dateline.stages.entities:make",
    "places.v1": "dateline.stages.places:make",
    "quotes.v1": "dateline.stages.quotes:make",
    "events.v1": "dateline.stages.events:make",
}
DEFAULT_STAGES = ("entities.v1", "places.v1", "quotes.v1", "events.v1")


def available() -> dict[str, str]:
    """Built-in stages plus those registered by installed packages."""
    table = dict(STAGES)
    for ep in entry_points(group="dateline.stages"):
        table.setdefault(ep.name, ep.value)
    return table


def make_stage(name: str, config: Mapping[str, Any] | None = None) -> Stage:
    """Build one stage by its versioned name."""
    table = available()
    if name not in table:
        raise ConfigError(f"unknown stage {name!r}; available: {', '.join(sorted(table))}")
    module_name, _, factory = table[name].partition(":")
    module = importlib.import_module(module_name)
    return cast(Stage, getattr(module, factory)(dict(config or {})))


def build_pipeline(names: Sequence[str] | None = None, on_error: OnError = "record",
                   config: Mapping[str, Mapping[str, Any]] | None = None) -> Pipeline:
    """A validated pipeline of the named stages (default: all built-in stages, in order)."""
    names = list(names) if names is not None else list(DEFAULT_STAGES)
    config = config or {}
    return Pipeline([make_stage(n, config.get(n)) for n in names], on_error=on_error)


def parse_stage_list(value: str | None) -> list[str] | None:
    """``"entities.v1,places.v1"`` -> list; ``None``/``"all"`` -> None (all); ``"none"`` -> []."""
    if value is None or value.strip().lower() == "all":
        return None
    if value.strip().lower() == "none":
        return []
    return [v.strip() for v in value.split(",") if v.strip()]
