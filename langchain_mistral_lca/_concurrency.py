"""``max_concurrent_requests``, enforced: at most N requests in flight per object, sync and async.

Sync callers (threads) share one bounded semaphore; async callers share one ``asyncio.Semaphore`` per event
loop (an asyncio primitive belongs to the loop it first waits on, and tests or apps may run several loops).
A stream holds its permit until it is exhausted or closed.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

__all__ = ["RequestLimiter", "map_limited"]

T = TypeVar("T")
R = TypeVar("R")


class RequestLimiter:
    """Counts requests in flight for one model instance."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"max_concurrent_requests must be >= 1, got {limit}")
        self.limit = limit
        self._threads = threading.BoundedSemaphore(limit)
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._threads:
            yield

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._loops.get(loop)
        if semaphore is None:
            with self._lock:
                semaphore = self._loops.setdefault(loop, asyncio.Semaphore(self.limit))
        return semaphore

    @asynccontextmanager
    async def ahold(self) -> AsyncIterator[None]:
        async with self._semaphore():
            yield


def map_limited(function: Callable[[T], R], items: Sequence[T], limit: int) -> list[R]:
    """``[function(x) for x in items]`` with up to ``limit`` calls at once (threads), results in order."""
    if len(items) <= 1 or limit <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(limit, len(items)), thread_name_prefix="mistral-lca") as pool:
        return list(pool.map(function, items))
