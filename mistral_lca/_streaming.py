"""Stream objects handed to callers: iterables (sync or async) that are also context managers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from ._headers import ResponseHeaders
from ._operation import StreamingOperation

if TYPE_CHECKING:
    from ._transport import AsyncSender, SyncSender

__all__ = ["AsyncStream", "Stream"]

T = TypeVar("T")


class _StreamBase(Generic[T]):
    def __init__(self, op: StreamingOperation[T]) -> None:
        self._op = op
        self.response_headers = ResponseHeaders()

    def _set_headers(self, headers: ResponseHeaders) -> None:
        self.response_headers = headers


class Stream(_StreamBase[T]):
    """A lazily opened stream: nothing is sent until iteration starts. Close it (or use ``with``) to stop."""

    def __init__(self, sender: SyncSender, op: StreamingOperation[T]) -> None:
        super().__init__(op)
        self._sender = sender
        self._iterator: Iterator[T] | None = None

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        if self._iterator is None:
            self._iterator = self._sender.stream(self._op, self._set_headers)
        return next(self._iterator)

    def close(self) -> None:
        if self._iterator is not None and hasattr(self._iterator, "close"):
            self._iterator.close()

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
        self._iterator: AsyncIterator[T] | None = None

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self._iterator is None:
            self._iterator = self._sender.stream(self._op, self._set_headers)
        return await self._iterator.__anext__()

    async def aclose(self) -> None:
        if self._iterator is not None and hasattr(self._iterator, "aclose"):
            await self._iterator.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
