"""Account rate limits for the stand-in: request and token budgets, the real 429, the real ``x-ratelimit-*`` headers.

Budgets are fixed windows aligned to the clock (as Kong's rate-limiting plugin, in front of Mistral, counts them):
requests per second, per 10 seconds and per minute, tokens per minute, and a monthly token quota. A request over any
budget gets Mistral's 429 (``{"object":"error","message":"Rate limit exceeded","type":"rate_limited","code":"1300"}``,
inside LowCodeAPI's error envelope), with or without ``Retry-After``; refused requests are not counted. Every
answer carries the headers of the families chosen in :attr:`RateLimits.headers`.

A request's token cost is the stand-in's own count: the embedding inputs' tokens (as in the reply's ``usage``), else
a quarter of the body's bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, Literal, get_args

from ...tokens import count_tokens_each

__all__ = [
    "RATE_LIMITED_BODY",
    "HeaderFamily",
    "RateCounters",
    "RateLimits",
    "RateVerdict",
    "RetryAfterForm",
    "request_cost",
]

HeaderFamily = Literal["requests", "tokens", "bysize"]
RetryAfterForm = Literal["seconds", "date", "ms"]
RATE_LIMITED_BODY: dict[str, Any] = {
    "object": "error",
    "message": "Rate limit exceeded",
    "type": "rate_limited",
    "code": "1300",
}
_MONTH = 30 * 86400.0
_REQUEST_WINDOWS = (("second", 1.0), ("10-second", 10.0), ("minute", 60.0))


@dataclass
class RateLimits:
    """The account's budgets (``None``: unlimited) and how the stand-in reports them."""

    requests_per_second: int | None = None
    requests_per_10_seconds: int | None = None
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    tokens_per_month: int | None = None
    """A quota: once used up, every request gets a 429 reporting ``x-ratelimit-remaining-tokens-month: 0``."""
    retry_after: RetryAfterForm | None = None
    """Add ``Retry-After`` to 429s (time until the exhausted window renews): delta-seconds, an HTTP date, or
    ``retry-after-ms``. ``None`` (the default): no Retry-After, as Mistral's recorded 429s."""
    headers: tuple[HeaderFamily, ...] = ("requests", "tokens")
    """Header families on every answer: ``requests`` (``x-ratelimit-{limit,remaining}-req-*``), ``tokens``
    (``x-ratelimit-{limit,remaining}-tokens-{minute,month}``, ``x-ratelimit-tokens-query-cost``), ``bysize`` (the
    2024 ``x-ratelimitbysize-*`` and ``ratelimitbysize-{limit,remaining,reset,query-cost}`` token headers)."""
    month_tokens_used: int = 0
    """Tokens already used this month when the stand-in starts counting."""

    def __post_init__(self) -> None:
        for family in self.headers:
            if family not in get_args(HeaderFamily):
                raise ValueError(f"unknown header family {family!r}; expected some of {get_args(HeaderFamily)}")
        if self.retry_after is not None and self.retry_after not in get_args(RetryAfterForm):
            raise ValueError(f"retry_after must be one of {get_args(RetryAfterForm)} or None")
        self.headers = tuple(self.headers)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RateLimits:
        return cls(**{**data, "headers": tuple(data.get("headers", ("requests", "tokens")))})

    def request_windows(self) -> list[tuple[str, float, int]]:
        limits = (self.requests_per_second, self.requests_per_10_seconds, self.requests_per_minute)
        pairs = zip(_REQUEST_WINDOWS, limits, strict=True)
        return [(name, period, limit) for (name, period), limit in pairs if limit is not None]


@dataclass
class RateVerdict:
    allowed: bool
    headers: dict[str, str]
    """Upstream headers for the answer (inside the envelope, or real headers in plain-Mistral mode)."""


@dataclass
class RateCounters:
    """What the account used: per fixed window ``[window index, used]``, and the month's tokens."""

    windows: dict[str, list[float]] = field(default_factory=dict)
    month_tokens: int | None = None
    requests_refused: int = 0

    def reset(self) -> None:
        self.windows.clear()
        self.month_tokens = None
        self.requests_refused = 0

    def _used(self, name: str, period: float, now: float) -> tuple[float, float]:
        """(used in the current window, seconds until it renews)."""
        index = math.floor(now / period)
        slot = self.windows.get(name)
        if slot is None or slot[0] != index:
            slot = self.windows[name] = [index, 0.0]
        return slot[1], (index + 1) * period - now

    def admit(self, limits: RateLimits, now: float, cost: int) -> RateVerdict:
        """Count one request of ``cost`` tokens if every budget allows it; the headers to answer with either way."""
        if self.month_tokens is None:
            self.month_tokens = limits.month_tokens_used
        blocked: float | None = None
        for name, period, limit in limits.request_windows():
            used, renews = self._used(f"req-{name}", period, now)
            if used + 1 > limit:
                blocked = max(blocked or 0.0, renews)
        if limits.tokens_per_minute is not None:
            used, renews = self._used("tokens-minute", 60.0, now)
            if used > 0 and used + cost > limits.tokens_per_minute:
                blocked = max(blocked or 0.0, renews)
        quota = limits.tokens_per_month is not None and self.month_tokens >= limits.tokens_per_month
        allowed = blocked is None and not quota
        if allowed:
            for name, _, _ in limits.request_windows():
                self.windows[f"req-{name}"][1] += 1
            if limits.tokens_per_minute is not None:
                self.windows["tokens-minute"][1] += cost
            self.month_tokens += cost
        else:
            self.requests_refused += 1
        headers = self._headers(limits, now, cost if allowed else None)
        if not allowed and blocked is not None and limits.retry_after is not None:
            headers.update(_retry_after(limits.retry_after, blocked, now))
        return RateVerdict(allowed, headers)

    def _headers(self, limits: RateLimits, now: float, cost: int | None) -> dict[str, str]:
        out: dict[str, str] = {}
        families = limits.headers
        if "requests" in families:
            for name, period, limit in limits.request_windows():
                used, _ = self._used(f"req-{name}", period, now)
                out[f"x-ratelimit-limit-req-{name}"] = str(limit)
                out[f"x-ratelimit-remaining-req-{name}"] = str(max(0, int(limit - used)))
        minute = month = None
        if limits.tokens_per_minute is not None:
            used, renews = self._used("tokens-minute", 60.0, now)
            minute = (limits.tokens_per_minute, max(0, int(limits.tokens_per_minute - used)), renews)
        if limits.tokens_per_month is not None:
            month = (limits.tokens_per_month, max(0, limits.tokens_per_month - int(self.month_tokens or 0)))
        if "tokens" in families:
            if minute is not None:
                out["x-ratelimit-limit-tokens-minute"] = str(minute[0])
                out["x-ratelimit-remaining-tokens-minute"] = str(minute[1])
            if month is not None:
                out["x-ratelimit-limit-tokens-month"] = str(month[0])
                out["x-ratelimit-remaining-tokens-month"] = str(month[1])
            if cost is not None and (minute or month):
                out["x-ratelimit-tokens-query-cost"] = str(cost)
        if "bysize" in families:
            if minute is not None:
                out["x-ratelimitbysize-limit-minute"] = str(minute[0])
                out["x-ratelimitbysize-remaining-minute"] = str(minute[1])
                out["ratelimitbysize-limit"] = str(minute[0])
                out["ratelimitbysize-remaining"] = str(minute[1])
                out["ratelimitbysize-reset"] = str(math.ceil(minute[2]))
            if month is not None:
                out["x-ratelimitbysize-limit-month"] = str(month[0])
                out["x-ratelimitbysize-remaining-month"] = str(month[1])
            if cost is not None and (minute or month):
                out["ratelimitbysize-query-cost"] = str(cost)
        return out


def _retry_after(form: RetryAfterForm, seconds: float, now: float) -> dict[str, str]:
    if form == "ms":
        return {"retry-after-ms": str(math.ceil(seconds * 1000))}
    if form == "date":
        return {"retry-after": formatdate(now + math.ceil(seconds), usegmt=True)}
    return {"retry-after": str(math.ceil(seconds))}


def request_cost(body: Any, raw: bytes) -> int:
    """Tokens the stand-in charges for a request: the embedding inputs' tokens, counted as the embeddings route
    reports them in ``usage`` (:func:`mistral_lca.tokens.count_tokens_each`), else a quarter of the body."""
    if isinstance(body, dict):
        inputs = body.get("input", body.get("inputs"))
        if isinstance(inputs, str):
            inputs = [inputs]
        if isinstance(inputs, list) and inputs and all(isinstance(t, str) for t in inputs):
            model = body.get("model")
            return sum(count_tokens_each(inputs, model if isinstance(model, str) else None))
    return max(1, len(raw) // 4)
