"""One call's dealings with the rate limiter, shared by the sync and async senders.

Before each attempt the sender sleeps every wait :meth:`CallPacing.admission` yields (``time.sleep`` or
``asyncio.sleep``: the only difference), then sends holding a permit, then tells the pacing what came back. A 429
is waited out (the next admission waits as long as the limiter says) while the call's ``rate_limit_wait`` lasts;
it never uses up ``max_retries``, which stays for 5xx and network errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import httpx

from ._bounds import Deadline
from ._errors import APIStatusError, MistralLCAError, QuotaExceededError, RateLimitError
from ._rate_headers import RateLimitInfo
from .ratelimit import Permit, RateLimiter, quota_text

__all__ = ["CallPacing", "request_tokens"]


def request_tokens(request: httpx.Request) -> int:
    """An estimate of the tokens of a JSON request, from the body already serialized for sending (0 otherwise).

    Cheap on purpose (the bytes / 3 of :func:`~mistral_lca.tokens.estimate_tokens`, no tokenizer): it runs before
    every request, and the limiter calibrates it per path with what the server reports it charged
    (``x-ratelimit-tokens-query-cost``). Calls that know their count (an embedding run's plan, exact with the
    ``[tokenizer]`` extra) pass it in :attr:`RequestSpec.tokens` instead.
    """
    if not request.headers.get("content-type", "").startswith("application/json"):
        return 0
    return len(request.content) // 3 + 1  # estimate_tokens' UTF-8 bytes / 3, without decoding the body


class CallPacing:
    """The rate-limit side of one call: waits before each attempt, the permit held during it, what it taught."""

    __slots__ = ("deadline", "last_429", "left", "limiter", "path", "permit", "request", "tokens")

    def __init__(
        self,
        limiter: RateLimiter | None,
        rate_limit_wait: float,
        path: str,
        tokens: int,
        *,
        deadline: Deadline | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        self.limiter = limiter
        self.left = rate_limit_wait
        """Seconds this call may still wait for rate limits."""
        self.path = path
        self.tokens = tokens
        self.permit: Permit | None = None
        self.last_429: RateLimitError | None = None
        self.deadline = deadline
        """The whole call's deadline: no wait may outlast it (:class:`DeadlineExceededError` when one would)."""
        self.request = request

    def admission(self) -> Iterator[float]:
        """The waits to sleep before the next attempt may be sent; when it ends, the attempt holds a permit.

        Raises :class:`RateLimitError` (the last 429 this call got, if any) when the wait would outlast
        ``rate_limit_wait``, and :class:`QuotaExceededError` while the account's quota is used up.
        """
        limiter = self.limiter
        if limiter is None:
            return
        while True:
            remaining = self.deadline.remaining() if self.deadline is not None else None
            deadline_first = remaining is not None and remaining < self.left
            max_wait = remaining if remaining is not None and deadline_first else self.left
            try:
                decision = limiter.acquire(self.tokens, max_wait=max_wait, path=self.path)
            except QuotaExceededError:
                raise
            except RateLimitError:
                if self.last_429 is not None:  # the server's own answer says most about why
                    raise self.last_429 from None
                if deadline_first and self.deadline is not None and self.request is not None:
                    raise self.deadline.error(self.request, reached_server=False) from None
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
