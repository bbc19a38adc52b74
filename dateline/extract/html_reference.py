"""A cheap, recall-heavy reference text of a page, used to arbitrate between body candidates.

The reference is not an extraction: it keeps most of the page's visible text minus the obvious
furniture (navigation, headers, footers, asides, forms).  Its only job is to say which of two
precise candidates covers the page's main text better (:func:`dateline.extract.html_body.extract_body`
keeps the candidate whose tokens agree best with it).

Resiliparse's main-content mode (a fast C++ DOM pass) is the reference when it is installed; else
an lxml walk over the already parsed tree that skips the same kinds of elements.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from lxml.html import HtmlElement

_log = logging.getLogger(__name__)

MAX_REFERENCE_CHARS = 2_000_000
"""Pages longer than this get the lxml reference (bounded work on untrusted input)."""

_SKIP_TAGS = frozenset(
    "script style noscript template nav header footer aside form select textarea button iframe svg".split()
)
_FURNITURE = re.compile(
    r"(?:^|[-_ ])(?:nav|navbar|menu|footer|header|sidebar|side-bar|widget|comments?|related|share|social"
    r"|breadcrumbs?|masthead|promo|ads?|advert)(?:$|[-_ ])",
    re.IGNORECASE,
)

_resiliparse_text: Callable[..., str] | None
try:
    from resiliparse.extract.html2text import extract_plain_text as _resiliparse_text
except ImportError:  # pragma: no cover - resiliparse is optional
    _resiliparse_text = None


def lxml_reference(tree: HtmlElement) -> str:
    """Visible text of the tree without navigation, header/footer, aside and form elements."""
    out: list[str] = []
    stack: list[Any] = []
    body = tree.find("body")
    root = body if body is not None else tree
    stack.extend(reversed(list(root)))
    if root.text and root.text.strip():
        out.append(root.text)
    while stack:
        el = stack.pop()
        if isinstance(el, str):  # a tail queued after its element's subtree
            out.append(el)
            continue
        if el.tail and el.tail.strip():
            stack.append(el.tail)
        if not isinstance(el.tag, str):
            continue
        marks = f"{el.get('class') or ''} {el.get('id') or ''}"
        if el.tag in _SKIP_TAGS or _FURNITURE.search(marks):
            continue
        if el.text and el.text.strip():
            out.append(el.text)
        stack.extend(reversed(list(el)))
    return " ".join(out)


def reference_text(html: str | None, tree: HtmlElement) -> str:
    """The reference text of a page: resiliparse's main content of ``html`` if available, else lxml's."""
    if _resiliparse_text is not None and html is not None and len(html) <= MAX_REFERENCE_CHARS:
        try:
            return str(_resiliparse_text(html, main_content=True))
        except Exception as exc:  # resiliparse on hostile markup: use the lxml walk instead
            _log.debug("resiliparse failed: %r", exc)
    return lxml_reference(tree)


__all__ = ["lxml_reference", "reference_text"]
