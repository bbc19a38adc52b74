"""Bytes to text: BOM, transport charset, in-page ``<meta charset>``, strict UTF-8, then detection.

Also rejects content that is not text at all (binary files, images) with a clear reason.
"""

from __future__ import annotations

import codecs
import re

from dateline.errors import InputError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that never occur in text documents (NUL and most C0 controls).
_BINARY_BYTES = bytes(range(0, 9)) + bytes(range(14, 27)) + bytes(range(28, 32))


def _lookup(name: str | bytes | None) -> str | None:
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def looks_binary(data: bytes, sample: int = 4096) -> bool:
    """True when the first bytes hold enough control characters that this cannot be text."""
    head = data[:sample]
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False  # UTF-16/32 text legitimately holds NULs
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    return b"\x00" in head or controls / len(head) > 0.05


def decode_bytes(data: bytes, source: str, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode a document, returning the text and any warnings about how it was decoded.

    Raises :class:`InputError` (``binary``) for content that is not text.
    """
    warnings: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), warnings
    if looks_binary(data):
        raise InputError(source, "binary", "content holds NUL/control bytes: not a text or HTML document")
    candidates: list[str] = []
    for name in (_lookup(declared), _meta_charset(data)):
        if name and name not in candidates:
            candidates.append(name)
    # Strict UTF-8 first when nothing is declared, or when the declaration is the common
    # latin-1/cp1252 mislabel of a UTF-8 page.
    if "utf-8" not in candidates:
        candidates.insert(0 if not candidates or candidates[0] in ("latin-1", "iso8859-1", "cp1252") else 1, "utf-8")
    for enc in candidates:
        try:
            return data.decode(enc), warnings
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            warnings.append(f"decoding: undeclared or wrong charset, detected {best.encoding}")
            return data.decode(best.encoding, errors="replace"), warnings
    except ImportError:  # pragma: no cover - charset_normalizer ships with requests/trafilatura deps
        pass
    warnings.append("decoding: invalid UTF-8, undecodable bytes replaced")
    return data.decode("utf-8", errors="replace"), warnings


def _meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return _lookup(m.group(1)) if m else None
