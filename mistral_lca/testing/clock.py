"""Skipping waits in tests: a clock that stands still, and jumps forward by every sleep it is asked for.

Hand :meth:`FastForwardClock.sleep` (or :meth:`~FastForwardClock.asleep`) to a client's sender and the clock itself
to its :class:`~mistral_lca.RateLimiter`: retries and rate-limit waits then take no time, yet the limiter sees the
time pass. Every delay is kept in :attr:`~FastForwardClock.sleeps`, so tests assert waits as values, not durations.
"""

from __future__ import annotations

import asyncio

__all__ = ["FastForwardClock"]


class FastForwardClock:
    """``start`` (default 0) plus every sleep skipped since: callable, ``clock()`` is now.

    Time moves only by sleeps, so every wait a limiter computes is exact and repeatable (a small ``start`` keeps the
    float arithmetic exact too: ``0.05`` is waited as ``0.05``, not ``0.0499999523``).
    """

    def __init__(self, start: float = 0.0) -> None:
        self.start = start
        self.skipped = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.start + self.skipped

    def sleep(self, delay: float) -> None:
        """Record ``delay`` and move the clock forward by it (for ``time.sleep``)."""
        self.sleeps.append(delay)
        self.skipped += max(0.0, delay)

    async def asleep(self, delay: float) -> None:
        """The same for ``asyncio.sleep``; still yields to the event loop once, as a real sleep would."""
        self.sleep(delay)
        await asyncio.sleep(0)
