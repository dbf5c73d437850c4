"""Hostile answers for the fault kinds that test a client's bounds rather than its retries.

``redirect`` (a 3xx echoing the request, token included, in ``Location``), ``empty_body`` (an empty 200, ``{}`` or
``"result": null``), ``error_event`` (an error reported inside a stream), ``trickle`` (the answer one byte at a
time, or never ending), ``oversized`` (a huge JSON answer, or one huge stream line) and ``gzip`` (the answer
gzip-compressed, or a gzip bomb when ``size`` is given). Huge bodies are generated piece by piece, never held whole.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ._json import dumps, loads
from .envelope import PROVIDER, StreamWire, Wire
from .faults import Fault
from .http import LAST_CHUNK, chunk_frame, response_head
from .recorder import Mode

__all__ = ["echo_url_in_success", "echo_url_wire", "empty_wire", "redirect_wire", "stream_error_event", "write_hostile"]

_JSON = [("content-type", "application/json; charset=utf-8")]
_PIECE = 64 * 1024
_OVERSIZED_DEFAULT = 300 * 1024 * 1024


def redirect_wire(fault: Fault, target: str) -> Wire:
    """A 3xx whose ``Location`` echoes the request target (the proxy's login redirect does; token included)."""
    location = f"https://lowcodeapi.com/login?next={target}"
    return Wire(fault.status or 302, [("location", location), *fault.headers.items()], b"")


def echo_url_wire(fault: Fault, mode: Mode, url: str, upstream: dict[str, str]) -> Wire | None:
    """An error whose every URL-carrying field echoes ``url`` (token included): the envelope's ``headers``, and a
    422 ``detail`` entry's ``loc`` and ``input``. ``None`` for a 2xx ``status`` (see :func:`echo_url_in_success`)."""
    status = fault.status or 422
    if status < 300:
        return None
    detail = [
        {
            "type": "url_parsing",
            "loc": ["query", url],
            "msg": f"Input should be a valid URL, not {url}",
            "input": url,
            "ctx": {"url": url},
        }
    ]
    if mode == "mistral":
        return Wire(status, [*_JSON, ("x-request-url", url)], dumps({"detail": detail}))
    body = {
        "message": fault.message or "Error received from the mistralai API",
        "provider": PROVIDER,
        "error": {"detail": detail},
        "headers": {**upstream, "x-request-url": url, "referer": url},
    }
    return Wire(status, list(_JSON), dumps(body))


def echo_url_in_success(wire: Wire, mode: Mode, url: str) -> Wire:
    """A success whose upstream headers (``response_headers``, or real headers in plain mode) echo ``url``."""
    if mode == "mistral":
        return Wire(wire.status, [*wire.headers, ("x-request-url", url)], wire.body)
    body = loads(wire.body)
    if isinstance(body, dict) and isinstance(body.get("response_headers"), dict):
        body["response_headers"]["x-request-url"] = url
    return Wire(wire.status, wire.headers, dumps(body))


def empty_wire(fault: Fault, mode: Mode) -> Wire:
    """An answer with nothing in it: an empty body (``empty="body"``), ``{}`` or ``"result": null``."""
    if fault.empty == "body":
        body = b""
    elif mode == "mistral":
        body = b"{}" if fault.empty == "object" else b"null"
    else:
        result: dict[str, Any] | None = {} if fault.empty == "object" else None
        body = dumps({"message": "Request completed", "provider": PROVIDER, "result": result, "response_headers": {}})
    return Wire(fault.status or 200, [*_JSON, *fault.headers.items()], body)


def stream_error_event(wire: StreamWire, fault: Fault) -> None:
    """Replace event ``fault.events`` (and everything after it) with an error event, in the stream's own style:
    ``conversation.response.error`` for typed-event streams, a Mistral error object in ``data:`` otherwise."""
    at = min(max(0, fault.events), len(wire.events))
    typed = bool(wire.events) and wire.events[0].startswith(b"event:")
    message = fault.message or "Internal server error"
    error: dict[str, Any]
    if typed:
        error = {"type": "conversation.response.error", "message": message, "code": fault.status or 3000}
        event = b"event: conversation.response.error\ndata: " + dumps(error) + b"\n\n"
    else:
        error = {"object": "error", "message": message, "type": "internal_error", "param": None, "code": "1000"}
        if fault.status is not None:
            error["raw_status_code"] = fault.status
        event = b"data: " + dumps(error) + b"\n\n"
    wire.events[at:] = [event]


def _oversized_pieces(size: int, stream: bool, mode: Mode) -> tuple[int, Iterable[bytes]]:
    """(length, pieces) of a huge answer: a chat completion whose content is ``size`` bytes of ``x``, or, for a
    stream, one ``data:`` line of ``size`` bytes that never ends."""
    if stream:
        head, tail = b"data: ", b""
    else:
        head = b'{"id":"big","object":"chat.completion","model":"mistral-small-2506","choices":[{"index":0,'
        head += b'"message":{"role":"assistant","content":"'
        tail = b'"},"finish_reason":"stop"}]}'
        if mode != "mistral":
            head = b'{"message":"Request completed","provider":"mistralai","result":' + head
            tail += b',"response_headers":{}}'

    def pieces() -> Iterator[bytes]:
        yield head
        block = b"x" * _PIECE
        left = size
        while left > 0:
            yield block if left >= _PIECE else block[:left]
            left -= _PIECE
        yield tail

    return len(head) + size + len(tail), pieces()


@functools.lru_cache(maxsize=4)
def _gzip_bomb(size: int, stream: bool, mode: Mode) -> bytes:
    """The oversized answer of ``size`` bytes, gzip-compressed (about a thousandth of its size)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    _, pieces = _oversized_pieces(size, stream, mode)
    return b"".join(compressor.compress(p) for p in pieces) + compressor.flush()


def _plain_body(wire: Wire | StreamWire) -> bytes:
    return wire.body if isinstance(wire, Wire) else b"".join(wire.events)


def _headers(wire: Wire | StreamWire, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [*((k, v) for k, v in wire.headers if k.lower() != "content-length"), *extra]


async def write_hostile(
    writer: asyncio.StreamWriter,
    wire: Wire | StreamWire,
    fault: Fault,
    *,
    stream: bool,
    mode: Mode,
    keep: bool,
    stopping: Callable[[], bool],
) -> tuple[int, bool]:
    """Write ``wire`` as the ``trickle`` / ``oversized`` / ``gzip`` fault says; (status, connection reusable)."""
    status = wire.status
    headers = _headers(wire, [])
    length: int | None
    pieces: Iterable[bytes]
    if fault.kind == "oversized":
        length, pieces = _oversized_pieces(fault.size or _OVERSIZED_DEFAULT, stream, mode)
        status, keep = 200, False
        if stream:
            headers = [("content-type", "text/event-stream; charset=utf-8")]
            length = None  # chunked: one line that never meets its terminator
    elif fault.kind == "gzip":
        data = (
            _gzip_bomb(fault.size, stream, mode)
            if fault.size is not None
            else gzip.compress(_plain_body(wire), compresslevel=6)
        )
        if fault.size is not None:
            status = 200
            headers = [("content-type", "text/event-stream" if stream else "application/json")]
        headers = [*headers, ("content-encoding", "gzip")]
        length, pieces = len(data), [data]
    else:  # trickle
        data = _plain_body(wire)
        length, pieces = (None, _endless(stream)) if fault.endless else (len(data), [data])
        keep = keep and not fault.endless
    writer.write(response_head(status, headers, content_length=length, keep_alive=keep))
    pause = fault.seconds if fault.kind == "trickle" else 0.0
    for piece in pieces:
        for part in _bytes(piece) if pause else (piece,):
            if stopping() or writer.is_closing():
                return status, False
            writer.write(part if length is not None else chunk_frame(part))
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
    if length is None:
        writer.write(LAST_CHUNK)
    await writer.drain()
    if not keep:
        writer.close()
    return status, keep


def _bytes(piece: bytes) -> Iterator[bytes]:
    return (piece[i : i + 1] for i in range(len(piece)))


def _endless(stream: bool) -> Iterator[bytes]:
    """A body that never ends: SSE comment lines for a stream, JSON whitespace otherwise."""
    filler = b": keep-alive\n" if stream else b" "
    while True:
        yield filler
