"""Bounds on one call: its deadline (the whole call, retries and waits included) and the size of its answer.

Pure bookkeeping shared by both senders: a :class:`Deadline` is created per call and consulted before each attempt,
before each retry wait and after each network read; a :class:`BodyReader` collects an answer read by read and stops
it once it grows past ``max_response_bytes``, counted after decompression: it inflates gzip/deflate answers itself,
never more than the bound allows at a time, so a gzip bomb costs at most the bound in memory. Both raise typed
errors; the sender then closes the connection instead of pooling it.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable
from typing import Any

import httpx

from ._errors import DeadlineExceededError, ResponseDecodeError, ResponseTooLargeError

__all__ = ["BodyReader", "Deadline", "too_large"]


class Deadline:
    """When one call must be over: ``seconds`` after it started (``None``: never)."""

    __slots__ = ("_clock", "seconds", "started")

    def __init__(self, seconds: float | None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = None if seconds is None or math.isinf(seconds) else seconds
        self._clock = clock
        self.started = clock()

    def remaining(self) -> float | None:
        """Seconds left (never negative), or ``None`` when the call is unbounded."""
        if self.seconds is None:
            return None
        return max(0.0, self.seconds - (self._clock() - self.started))

    @property
    def expired(self) -> bool:
        return self.seconds is not None and self._clock() - self.started >= self.seconds

    def allows_wait(self, delay: float) -> bool:
        """Whether waiting ``delay`` seconds (before a retry) still leaves the call inside its deadline."""
        remaining = self.remaining()
        return remaining is None or delay < remaining

    def error(self, request: httpx.Request, *, reached_server: bool = True) -> DeadlineExceededError:
        return DeadlineExceededError(
            f"the call's deadline of {self.seconds:g}s ran out during {request.method} {request.url.path}",
            deadline=self.seconds or 0.0,
            reached_server=reached_server,
        )

    def check(self, request: httpx.Request) -> None:
        """Raise :class:`DeadlineExceededError` if the deadline has passed."""
        if self.seconds is not None and self._clock() - self.started >= self.seconds:
            raise self.error(request)

    def bound(self, request: httpx.Request) -> None:
        """Cap the request's connect/read/write/pool timeouts at the time left, so no single wait outlives it."""
        remaining = self.remaining()
        if remaining is None:
            return
        if remaining <= 0:
            raise self.error(request, reached_server=False)
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        for value in timeouts.values():
            if value is None or value > remaining:
                break
        else:
            return  # every wait already ends in time (the common case: 600 s left, 120 s reads)
        request.extensions["timeout"] = {
            name: remaining if value is None else min(value, remaining) for name, value in timeouts.items()
        }


def too_large(limit: int, what: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"{what} exceeded max_response_bytes ({limit:,} bytes after decompression); reading stopped", limit=limit
    )


_INFLATE_STEP = 1 << 20
"""Most bytes inflated at once: memory stays near the bytes kept, whatever the compression ratio."""
_ZLIB_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class BodyReader:
    """Collects an answer read by read, within ``limit`` bytes (``None``: any size) and the call's deadline.

    When :attr:`raw` is true the sender hands over the raw (still compressed) reads and the reader inflates them in
    bounded steps; otherwise it hands over httpx's decoded reads.
    """

    __slots__ = ("_chunks", "_deadline", "_encoding", "_fresh", "_inflater", "_limit", "_request", "_size", "raw")

    def __init__(
        self, limit: int | None, deadline: Deadline, request: httpx.Request, content_encoding: str | None = None
    ) -> None:
        self._limit = limit
        self._deadline = deadline
        self._request = request
        self._chunks: list[bytes] = []
        self._size = 0
        encoding = (content_encoding or "").strip().lower()
        wbits = _ZLIB_WBITS.get(encoding) if limit is not None else None
        self._encoding = encoding
        self._inflater = zlib.decompressobj(wbits) if wbits is not None else None
        self._fresh = True
        self.raw = self._inflater is not None

    def add(self, chunk: bytes) -> None:
        if self._inflater is not None:
            self._inflate(chunk)
        else:
            self._size += len(chunk)
            if self._limit is not None and self._size > self._limit:
                raise too_large(self._limit, "the answer")
            self._chunks.append(chunk)
        self._deadline.check(self._request)

    def _take(self, data: bytes) -> None:
        self._size += len(data)
        if self._limit is not None and self._size > self._limit:
            raise too_large(self._limit, "the answer")
        if data:
            self._chunks.append(data)

    def _inflate(self, data: bytes) -> None:
        assert self._inflater is not None
        assert self._limit is not None
        while data:
            try:
                out = self._inflater.decompress(data, min(self._limit - self._size + 1, _INFLATE_STEP))
            except zlib.error:
                if self._fresh and self._encoding == "deflate":  # raw deflate, no zlib header (as httpx allows)
                    self._inflater, self._fresh = zlib.decompressobj(-zlib.MAX_WBITS), False
                    continue
                raise ResponseDecodeError(f"the answer's {self._encoding} encoding is broken") from None
            self._fresh = False
            self._take(out)
            data = self._inflater.unconsumed_tail

    def body(self) -> bytes:
        if self._inflater is not None:
            try:
                self._take(self._inflater.flush())
            except zlib.error:
                raise ResponseDecodeError(f"the answer's {self._encoding} encoding is broken") from None
        chunks = self._chunks
        if not chunks:
            return b""
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
