"""One call's dealings with the rate limiter, shared by the sync and async senders.

Before each attempt the sender sleeps every wait :meth:`CallPacing.admission` yields (``time.sleep`` or
``asyncio.sleep``: the only difference), then sends holding a permit, then tells the pacing what came back. A 429
is waited out (the next admission waits as long as the limiter says) while the call's ``rate_limit_wait`` lasts;
it never uses up ``max_retries``, which stays for 5xx and network errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import httpx

from ._errors import APIStatusError, MistralLCAError, QuotaExceededError, RateLimitError
from ._rate_headers import RateLimitInfo
from .ratelimit import Permit, RateLimiter, quota_text
from .tokens import count_tokens

__all__ = ["CallPacing", "request_tokens"]


def request_tokens(request: httpx.Request) -> int:
    """The estimated tokens of a JSON request, read from the body already serialized for sending (0 otherwise)."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return 0
    return count_tokens(request.content.decode("utf-8", errors="replace"))


class CallPacing:
    """The rate-limit side of one call: waits before each attempt, the permit held during it, what it taught."""

    __slots__ = ("last_429", "left", "limiter", "path", "permit", "tokens")

    def __init__(self, limiter: RateLimiter | None, rate_limit_wait: float, path: str, tokens: int) -> None:
        self.limiter = limiter
        self.left = rate_limit_wait
        """Seconds this call may still wait for rate limits."""
        self.path = path
        self.tokens = tokens
        self.permit: Permit | None = None
        self.last_429: RateLimitError | None = None

    def admission(self) -> Iterator[float]:
        """The waits to sleep before the next attempt may be sent; when it ends, the attempt holds a permit.

        Raises :class:`RateLimitError` (the last 429 this call got, if any) when the wait would outlast
        ``rate_limit_wait``, and :class:`QuotaExceededError` while the account's quota is used up.
        """
        limiter = self.limiter
        if limiter is None:
            return
        while True:
            try:
                decision = limiter.acquire(self.tokens, max_wait=self.left, path=self.path)
            except QuotaExceededError:
                raise
            except RateLimitError:
                if self.last_429 is not None:
                    raise self.last_429 from None
                raise
            if isinstance(decision, Permit):
                self.permit = decision
                return
            before = limiter.clock()
            yield decision.seconds
            if decision.counts:  # what the wait really took, by the limiter's clock
                self.left -= max(0.0, limiter.clock() - before)

    def answered(self, headers: Mapping[str, str], status: int = 200) -> None:
        """The attempt got an answer: give the permit back and learn from its headers."""
        if self.limiter is not None:
            self.limiter.on_response(self.permit, headers, status)
            self.permit = None

    def failed(self, error: MistralLCAError) -> bool:
        """Learn from a failed attempt; True when it was a 429 to wait out (which does not count as a retry)."""
        limiter = self.limiter
        if limiter is None:
            return False
        status = headers = None
        if isinstance(error, APIStatusError):
            status, headers = error.status_code, error.headers
        info: RateLimitInfo = limiter.on_response(self.permit, headers, status)
        self.permit = None
        if not isinstance(error, RateLimitError):
            return False
        quota = info.exhausted_quota()
        if quota is not None:
            raise QuotaExceededError.from_error(error, quota_text(quota)) from None
        if self.left <= 0:
            raise error  # rate_limit_wait=0: fail fast
        self.last_429 = error
        return True

    def release(self) -> None:
        """The attempt ended without an answer to learn from (cancelled, interrupted): free its permit."""
        if self.permit is not None and self.limiter is not None:
            self.limiter.on_response(self.permit)
            self.permit = None
