"""Stream objects handed to callers: iterables (sync or async) that are also context managers.

Iterate a stream for one item per server-sent event, or call :meth:`Stream.batches` for the items of each
network read together (what arrived at once is handed over at once; adapters use it to keep framework overhead
per read rather than per event when a proxy delivers a stream in one piece). Use one or the other, not both.

A stream dropped without being closed (a ``break`` and the last reference gone) still gives its connection back:
nothing the running generator holds refers back to the stream object, so the generator is finalised as soon as the
stream is collected (sync generators close at once; asyncio closes async ones on their loop, if it still runs).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from ._headers import ResponseHeaders
from ._operation import StreamingOperation

if TYPE_CHECKING:
    from ._transport import AsyncSender, SyncSender

__all__ = ["AsyncStream", "Stream"]

T = TypeVar("T")


class _HeadersSlot:
    """Where the running generator puts the response headers; it must not hold the stream itself (a cycle would
    keep an abandoned stream, and its connection, alive until the cyclic garbage collector runs)."""

    __slots__ = ("headers",)

    def __init__(self) -> None:
        self.headers = ResponseHeaders()

    def set(self, headers: ResponseHeaders) -> None:
        self.headers = headers


class _StreamBase(Generic[T]):
    def __init__(self, op: StreamingOperation[T]) -> None:
        self._op = op
        self._pending: deque[T] = deque()
        self._headers = _HeadersSlot()

    @property
    def response_headers(self) -> ResponseHeaders:
        """The upstream response headers (empty until the stream has started)."""
        return self._headers.headers


class Stream(_StreamBase[T]):
    """A lazily opened stream: nothing is sent until iteration starts. Close it (or use ``with``) to stop."""

    def __init__(self, sender: SyncSender, op: StreamingOperation[T]) -> None:
        super().__init__(op)
        self._sender = sender
        self._reads: Iterator[list[T]] | None = None

    def batches(self) -> Iterator[list[T]]:
        """The items of each network read, as lists (never empty), in order."""
        if self._reads is None:
            self._reads = self._sender.stream(self._op, self._headers.set)
        return self._reads

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        pending = self._pending
        while not pending:
            pending.extend(next(self.batches()))
        return pending.popleft()

    def close(self) -> None:
        if self._reads is not None and hasattr(self._reads, "close"):
            self._reads.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncStream(_StreamBase[T]):
    """The async twin of :class:`Stream`: ``async for event in client.chat.stream(...)``."""

    def __init__(self, sender: AsyncSender, op: StreamingOperation[T]) -> None:
        super().__init__(op)
        self._sender = sender
        self._reads: AsyncIterator[list[T]] | None = None

    def batches(self) -> AsyncIterator[list[T]]:
        """The items of each network read, as lists (never empty), in order."""
        if self._reads is None:
            self._reads = self._sender.stream(self._op, self._headers.set)
        return self._reads

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        pending = self._pending
        while not pending:
            pending.extend(await self.batches().__anext__())
        return pending.popleft()

    async def aclose(self) -> None:
        if self._reads is not None and hasattr(self._reads, "aclose"):
            await self._reads.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
