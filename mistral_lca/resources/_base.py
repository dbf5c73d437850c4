"""Resource base classes: a resource groups the operations of one endpoint family.

Each family module defines pure operation builders once, then a sync and an async resource whose
methods are one-liners handing the operation to the client. Signatures are shared through TypedDicts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from .._operation import Operation, StreamingOperation
from .._streaming import AsyncStream, Stream

if TYPE_CHECKING:
    from .._transport import AsyncSender, SyncSender

__all__ = ["AsyncResource", "SyncResource"]

T = TypeVar("T")


class SyncResource:
    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def _run(self, op: Operation[T]) -> T:
        return self._sender.request(op)

    def _stream(self, op: StreamingOperation[T]) -> Stream[T]:
        return Stream(self._sender, op)


class AsyncResource:
    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def _run(self, op: Operation[T]) -> T:
        return await self._sender.request(op)

    def _stream(self, op: StreamingOperation[T]) -> AsyncStream[T]:
        return AsyncStream(self._sender, op)
