"""A minimal HTTP/1.1 request reader and response framer on top of asyncio streams."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote

__all__ = [
    "LAST_CHUNK",
    "HttpError",
    "HttpRequest",
    "abort_connection",
    "chunk_frame",
    "http_date",
    "read_request",
    "response_head",
]

LAST_CHUNK = b"0\r\n\r\n"


class HttpError(Exception):
    """A request that cannot be parsed; answered with ``status`` and the connection closed."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(slots=True)
class HttpRequest:
    method: str
    target: str
    path: str
    query_string: str
    query: dict[str, str]
    version: str
    headers: dict[str, str]
    body: bytes = b""
    keep_alive: bool = True
    raw_headers: list[tuple[str, str]] = field(default_factory=list)


async def read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> HttpRequest | None:
    """Read one request; ``None`` on a clean EOF between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise HttpError(400, "truncated request head") from exc
    except asyncio.LimitOverrunError as exc:
        raise HttpError(431, "request head too large") from exc
    lines = head[:-4].decode("latin-1").split("\r\n")
    while lines and not lines[0]:  # tolerate stray CRLF between requests
        lines.pop(0)
    if not lines:
        return None
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise HttpError(400, f"bad request line {lines[0]!r}")
    method, target, version = parts
    headers: dict[str, str] = {}
    raw_headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpError(400, f"bad header line {line!r}")
        value = value.strip()
        raw_headers.append((name.strip(), value))
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    raw_path, _, query_string = target.partition("?")
    if raw_path.startswith(("http://", "https://")):  # absolute-form target
        raw_path = "/" + raw_path.split("/", 3)[-1] if raw_path.count("/") >= 3 else "/"
    path = unquote(raw_path)
    query = dict(parse_qsl(query_string, keep_blank_values=True)) if query_string else {}
    conn = headers.get("connection", "").lower()
    keep_alive = "close" not in conn if version == "HTTP/1.1" else "keep-alive" in conn
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = await _read_body(reader, headers)
    return HttpRequest(
        method.upper(), target, path, query_string, query, version, headers, body, keep_alive, raw_headers
    )


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size_line = await reader.readuntil(b"\r\n")
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError as exc:
                    raise HttpError(400, "bad chunk size") from exc
                if size == 0:
                    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                        pass
                    return b"".join(parts)
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
        length = headers.get("content-length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError as exc:
            raise HttpError(400, "bad content-length") from exc
        return await reader.readexactly(n) if n > 0 else b""
    except asyncio.IncompleteReadError as exc:
        raise HttpError(400, "truncated request body") from exc


_REASONS = {s.value: s.phrase for s in HTTPStatus}
_date_second = 0
_date_text = ""


def http_date() -> str:
    """RFC 7231 date, recomputed at most once per second."""
    global _date_second, _date_text
    now = int(time.time())
    if _date_second != now:
        _date_second, _date_text = now, formatdate(now, usegmt=True)
    return _date_text


def response_head(
    status: int,
    headers: list[tuple[str, str]],
    *,
    content_length: int | None,
    keep_alive: bool,
) -> bytes:
    """Status line plus headers; ``content_length=None`` means a chunked body."""
    out = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}", f"date: {http_date()}", "server: fake-lowcodeapi"]
    out.extend(f"{k}: {v}" for k, v in headers)
    if status in (204, 304) or 100 <= status < 200:
        pass
    elif content_length is None:
        out.append("transfer-encoding: chunked")
    else:
        out.append(f"content-length: {content_length}")
    out.append("connection: keep-alive" if keep_alive else "connection: close")
    return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")


def chunk_frame(data: bytes) -> bytes:
    """One chunk of a chunked transfer-encoded body (empty data → the terminating chunk)."""
    if not data:
        return LAST_CHUNK
    return b"%x\r\n%s\r\n" % (len(data), data)


def abort_connection(writer: asyncio.StreamWriter) -> None:
    """Drop the connection with a TCP RST (SO_LINGER 0) rather than a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
