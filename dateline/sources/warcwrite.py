"""A tiny, deterministic WARC/1.1 writer for the bundled examples and for tests.

Not a general-purpose writer: it writes exactly the bytes it is given (so tests can also build
damaged records) and derives record ids from a seed, so the same input gives the same file.
Each record is its own gzip member (``mtime=0``), as crawlers write them.
"""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterable, Sequence

CRLF = b"\r\n"


def record_id(seed: str) -> str:
    """A stable ``<urn:uuid:…>`` record id derived from ``seed``."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}>"


def http_response(
    payload: bytes,
    content_type: str | None = "text/html; charset=utf-8",
    status: str = "200 OK",
    headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """An HTTP/1.1 response block (status line, headers, payload); ``content_type`` None omits it."""
    lines = [f"HTTP/1.1 {status}"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    lines.extend(f"{k}: {v}" for k, v in headers)
    lines.append(f"Content-Length: {len(payload)}")
    return "\r\n".join(lines).encode("latin-1") + CRLF + CRLF + payload


def http_request(url: str) -> bytes:
    """A minimal HTTP GET request block for ``url``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: dateline-examples\r\n\r\n".encode()


def warc_record(
    record_type: str,
    block: bytes,
    *,
    date: str,
    url: str | None = None,
    content_type: str | None = None,
    seed: str | None = None,
    extra: Sequence[tuple[str, str]] = (),
    content_length: int | None = None,
) -> bytes:
    """One uncompressed WARC record.  ``content_length`` overrides the true block length (tests)."""
    if content_type is None:
        content_type = {
            "response": "application/http; msgtype=response",
            "request": "application/http; msgtype=request",
            "warcinfo": "application/warc-fields",
            "metadata": "application/warc-fields",
        }.get(record_type, "application/octet-stream")
    headers = [
        ("WARC-Type", record_type),
        ("WARC-Record-ID", record_id(seed or f"{record_type} {url} {date}")),
        ("WARC-Date", date),
    ]
    if url is not None:
        headers.append(("WARC-Target-URI", url))
    headers.extend(extra)
    headers.append(("Content-Type", content_type))
    headers.append(("Content-Length", str(len(block) if content_length is None else content_length)))
    head = "WARC/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("utf-8") + block + CRLF + CRLF


def gzip_member(record: bytes) -> bytes:
    """``record`` as one deterministic gzip member."""
    return gzip.compress(record, compresslevel=9, mtime=0)


def write_warc(path: str, records: Iterable[bytes], compress: bool = True) -> None:
    """Write records (from :func:`warc_record`) to ``path``, one gzip member each if ``compress``."""
    with open(path, "wb") as f:
        for rec in records:
            f.write(gzip_member(rec) if compress else rec)
