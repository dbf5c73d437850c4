"""When to retry, and how long to wait: pure decisions shared by the sync and async clients."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ._errors import APIConnectionError, APIStatusError, MistralLCAError, StreamError

__all__ = ["RETRYABLE_STATUS", "RetryPolicy"]

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter and a cap; ``Retry-After`` wins when the server sends it.

    ``max_retries`` counts retries, not attempts: ``max_retries=2`` means at most three attempts.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, retry_number: int) -> float:
        """Full jitter: uniform in ``[0, min(max_delay, initial_delay * 2**retry_number)]``."""
        ceiling = min(self.max_delay, self.initial_delay * (2**retry_number))
        return self.rng.uniform(0.0, ceiling)

    def delay_before_retry(self, error: MistralLCAError, *, retries_done: int, creates: bool) -> float | None:
        """Seconds to wait before retrying after ``error``, or ``None`` to give up and raise it.

        A creating call (upload, job, agent) is retried only when it surely did not take effect: the
        connection was never made, or the server answered 429.
        """
        if retries_done >= self.max_retries:
            return None
        if isinstance(error, APIConnectionError):
            if creates and error.reached_server:
                return None
            return self.backoff(retries_done)
        if isinstance(error, StreamError):
            return None if creates else self.backoff(retries_done)
        if isinstance(error, APIStatusError) and error.status_code in RETRYABLE_STATUS:
            if creates and error.status_code != 429:
                return None
            advised = error.headers.retry_after
            if advised is None:
                return self.backoff(retries_done)
            if advised > self.max_retry_after:
                return None
            return advised
        return None
