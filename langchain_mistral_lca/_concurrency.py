"""``max_concurrent_requests``, enforced: at most N requests in flight per object, sync and async.

Sync callers (threads) share one bounded semaphore; async callers share one ``asyncio.Semaphore`` per event
loop (an asyncio primitive belongs to the loop it first waits on, and tests or apps may run several loops).
A stream holds its permit until it is exhausted or closed.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from pydantic import BaseModel, Field, PrivateAttr

__all__ = ["ConcurrencyLimit", "RequestLimiter"]


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


class ConcurrencyLimit(BaseModel):
    """Mixin: the ``max_concurrent_requests`` field and the limiter that enforces it."""

    max_concurrent_requests: int = Field(default=64, ge=1)
    """Requests in flight at once from this instance (sync threads and each event loop), batch included."""

    _limiter: RequestLimiter | None = PrivateAttr(default=None)

    @property
    def limiter(self) -> RequestLimiter:
        limiter = self._limiter
        if limiter is None or limiter.limit != self.max_concurrent_requests:
            limiter = self._limiter = RequestLimiter(self.max_concurrent_requests)
        return limiter
