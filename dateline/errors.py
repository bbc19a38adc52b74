"""One exception tree for the whole package.

Errors carry the document they concern and a reason a user can act on; a bad document never
stops a batch (the pipeline records it and moves on).
"""

from __future__ import annotations


class DatelineError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(DatelineError):
    """A setting or command-line option is invalid."""


class StoreError(DatelineError):
    """The store could not be opened, migrated, read or written."""


class InputError(DatelineError):
    """A document could not be read or extracted.

    ``reason`` is a short, stable key (``empty``, ``binary``, ``too-large`` …) used to count
    failures in run summaries; ``detail`` is the human explanation.
    """

    def __init__(self, source: str, reason: str, detail: str = "") -> None:
        self.source = source
        self.reason = reason
        self.detail = detail
        super().__init__(f"{source}: {reason}" + (f" ({detail})" if detail else ""))


class SkipDocument(DatelineError):
    """Not an error: a record that is not an article (a WARC request record, an image, a 404 page)."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: skipped ({reason})")


class StageError(DatelineError):
    """An enrichment stage failed on one article."""

    def __init__(self, stage: str, article_id: str, detail: str) -> None:
        self.stage = stage
        self.article_id = article_id
        self.detail = detail
        super().__init__(f"{stage} failed on {article_id}: {detail}")
