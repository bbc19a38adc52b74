"""Flattened page text (navigation kept): separate the article body from boilerplate lines.

Input is what a crawler dumps for a page (like a Common Crawl WET record): every visible block on
its own line, menus, share bars and footers included.  The cleaner

1. normalises each line (odd spaces, zero-width characters) and drops empty ones;
2. scores every line with a small learned model (:mod:`dateline.extract.text_model`, hand-made
   features, weights shipped as JSON) that looks at the line, its neighbours and the page's
   densest run of prose, and keeps the lines that maximise the expected token F1 of the body;
3. forces out lines that are certainly not body: known interface phrases, page clocks, series
   links, and the site's template lines when a :class:`SiteTemplates` pre-pass saw the site;
4. reads metadata from the removed lines around the body (section, series, page clock, tags,
   related headlines, title) and keeps the removed lines for auditing.

The headline is reported as ``title`` and left out of the body; ``title`` is None when no line
really looks like one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dateline.extract.text_features import is_boilerplate_phrase
from dateline.extract.text_meta import (
    find_page_clock,
    find_published,
    find_related,
    find_section,
    find_series,
    find_tags,
    find_title,
    parse_tag_line,
)
from dateline.extract.text_model import LineModel, default_model, expected_f1_selection
from dateline.extract.text_templates import SiteTemplates
from dateline.models import Extraction
from dateline.textnorm import normalize_line

__all__ = ["SiteTemplates", "clean_flattened_text"]

MIN_PROBABILITY = 0.02
"""Lines below this body probability are never kept, however unsure the model is elsewhere."""
GAP_PROBABILITY = 0.1
"""A line between kept lines is kept from this probability on (cross-validated on Dragnet)."""


def _body_mask(lines: Sequence[str], url: str | None, model: LineModel, templates: SiteTemplates | None) -> list[bool]:
    template = [templates.is_template(line, url) for line in lines] if templates is not None else None
    probs = model.probabilities(lines, template, url)
    for i, line in enumerate(lines):
        if is_boilerplate_phrase(line) or (template is not None and template[i]):
            probs[i] = 0.0
    sizes = np.array([len(line.split()) for line in lines], dtype=np.float64)
    # Expected-F1 selection rather than a fixed cut: see expected_f1_selection.  Lines the model
    # gives almost no chance are never taken, so a page of pure navigation yields no body.
    keep = expected_f1_selection(probs, sizes) & (probs >= MIN_PROBABILITY)
    # Fill gaps: a not-hopeless line with kept lines within two lines on both sides is inside
    # the article (a subheading, a short quote line), so it is kept too.
    kept = np.flatnonzero(keep)
    for i in range(int(kept[0]) + 1, int(kept[-1])) if len(kept) else ():
        if not keep[i] and probs[i] >= GAP_PROBABILITY and keep[max(i - 2, 0) : i].any() and keep[i + 1 : i + 3].any():
            keep[i] = True
    return [bool(k) for k in keep]


def clean_flattened_text(
    text: str,
    url: str | None = None,
    *,
    templates: SiteTemplates | None = None,
    model: LineModel | None = None,
    keep_title: bool = False,
) -> Extraction:
    """Return the article body of a flattened page and the metadata its boilerplate carries.

    ``templates``: counts from a pre-pass over all pages of the run (see :class:`SiteTemplates`);
    lines repeated across many pages of this URL's site are then treated as boilerplate.
    ``model``: a line model other than the shipped one (used when training).
    ``keep_title``: leave the detected headline at the top of the body as well as in ``title``.
    """
    lines = [line for line in (normalize_line(raw) for raw in text.splitlines()) if line]
    mask = _body_mask(lines, url, model or default_model(), templates)

    # Certain non-body lines, whatever the model said.
    clock = find_page_clock(lines, [False] * len(lines))
    if clock is not None:
        mask[clock[0]] = False
    series_at, series = find_series(lines, [False] * len(lines))
    for i in series_at:
        mask[i] = False

    # A bare tag list ("Daesh, airstrike, Turkey") right after the article looks like a short
    # sentence to the model; it is metadata, so it is taken off the end of the body.
    body_idx = [i for i, keep in enumerate(mask) if keep]
    while body_idx and parse_tag_line(lines[body_idx[-1]]):
        mask[body_idx.pop()] = False
    # A section name opening the body ("City Hall" above the story, matching the URL) is the
    # page's section label sitting where a headline would: it is taken out as the section.
    if body_idx and (top := find_section(lines, body_idx[0] + 1, url)) is not None and top[0] == body_idx[0]:
        mask[body_idx.pop(0)] = False
    body_start = body_idx[0] if body_idx else len(lines)
    body_end = body_idx[-1] + 1 if body_idx else len(lines)

    section = find_section(lines, body_start, url)
    taken = set(series_at) | ({clock[0]} if clock else set()) | ({section[0]} if section else set())
    tags = find_tags(lines, mask, body_end)
    if tags is not None:
        taken.add(tags[0])
    related = find_related(lines, mask, body_end, taken)
    published = find_published(lines, body_start, taken)
    if published is not None:  # read, not removed: the line model decided whether it is body
        taken.add(published[0])
    title_at = find_title(lines, body_start, url, taken)
    if title_at is not None:
        mask[title_at] = keep_title

    body = [line for line, keep in zip(lines, mask, strict=True) if keep]
    return Extraction(
        text="\n\n".join(body),
        title=lines[title_at] if title_at is not None else None,
        section=section[1] if section else None,
        series=series,
        tags=tags[1] if tags else (),
        related_headlines=tuple(lines[i] for i in related),
        page_clock=clock[1] if clock else None,
        published=published[1] if published else None,
        boilerplate=tuple(line for line, keep in zip(lines, mask, strict=True) if not keep),
    )
