"""Reading rate-limit headers: pure functions from upstream headers to what the limiter learns.

Mistral's header families changed over time and every one is optional (LowCodeAPI moves them into the envelope's
``response_headers`` / error ``headers``; :class:`~mistral_lca.ResponseHeaders` merges both, case-insensitively):

* 2025+: ``x-ratelimit-{limit,remaining}-req-{second,10-second,minute}``,
  ``x-ratelimit-{limit,remaining}-tokens-{minute,month}``, ``x-ratelimit-tokens-query-cost``;
* 2024 to early 2025: ``x-ratelimitbysize-{limit,remaining}-{minute,month}`` (tokens) and the unprefixed
  ``ratelimitbysize-{limit,remaining,reset,query-cost}`` (tokens, ``reset`` in seconds);
* ``Retry-After`` (seconds or an HTTP date) and ``retry-after-ms``.

Other families (OCR pages, audio seconds) count units the client cannot estimate before sending; they are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ._headers import ResponseHeaders

__all__ = ["MONTH", "QUOTA_PERIOD", "Kind", "RateLimitInfo", "WindowReport", "read_rate_limits", "window_name"]

Kind = Literal["requests", "tokens"]

MONTH = 30 * 86400.0
QUOTA_PERIOD = 86400.0
"""Windows this long or longer are quotas: never paced (a month cannot be spread), only checked for exhaustion."""

_PERIODS = {
    "second": 1.0,
    "10-second": 10.0,
    "minute": 60.0,
    "hour": 3600.0,
    "day": 86400.0,
    "week": 7 * 86400.0,
    "month": MONTH,
}
_KINDS: dict[str, Kind] = {"req": "requests", "requests": "requests", "tokens": "tokens"}
_CURRENT = re.compile(r"^x-ratelimit-(limit|remaining)-(req|requests|tokens)-([a-z0-9-]+)$")
_BY_SIZE = re.compile(r"^x-ratelimitbysize-(limit|remaining)-([a-z0-9-]+)$")
_BY_SIZE_PLAIN = re.compile(r"^ratelimitbysize-(limit|remaining|reset)$")
_QUERY_COST = ("x-ratelimit-tokens-query-cost", "ratelimitbysize-query-cost")
_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)")


def window_name(kind: Kind, period: float) -> str:
    """The key of a learned window, e.g. ``requests/1s`` or ``tokens/60s``."""
    return f"{kind}/{period:g}s"


@dataclass
class WindowReport:
    """What one response said about one window: its limit and what is left of it (either may be missing)."""

    kind: Kind
    period: float
    limit: float | None = None
    remaining: float | None = None
    reset_after: float | None = None
    """Seconds until the window frees up, when the server says (``ratelimitbysize-reset``)."""

    @property
    def name(self) -> str:
        return window_name(self.kind, self.period)

    @property
    def is_quota(self) -> bool:
        return self.period >= QUOTA_PERIOD

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0


@dataclass
class RateLimitInfo:
    """Everything rate-related one response carried."""

    windows: dict[str, WindowReport] = field(default_factory=dict)
    query_cost: float | None = None
    """Tokens the server charged for the request (``x-ratelimit-tokens-query-cost``)."""
    retry_after: float | None = None

    @property
    def empty(self) -> bool:
        return not self.windows and self.query_cost is None and self.retry_after is None

    def exhausted_quota(self) -> WindowReport | None:
        """A quota window (a month, say) with nothing left, if the response reported one."""
        for report in self.windows.values():
            if report.is_quota and report.exhausted:
                return report
        return None


def _number(value: str) -> float | None:
    match = _NUMBER.match(value)
    if match is None:
        return None
    number = float(match.group(1))
    return number if number >= 0 else None


def _report(info: RateLimitInfo, kind: Kind, period_name: str) -> WindowReport | None:
    period = _PERIODS.get(period_name)
    if period is None:
        return None
    name = window_name(kind, period)
    report = info.windows.get(name)
    if report is None:
        report = info.windows[name] = WindowReport(kind, period)
    return report


def _set(report: WindowReport | None, what: str, value: float | None) -> None:
    if report is None or value is None:
        return
    if what == "limit":
        report.limit = report.limit if report.limit is not None else value
    elif what == "remaining":
        report.remaining = value if report.remaining is None else min(report.remaining, value)
    else:
        report.reset_after = value


def read_rate_limits(headers: Mapping[str, str] | None) -> RateLimitInfo:
    """The rate-limit facts in ``headers`` (any case, any family); an empty info when there are none."""
    info = RateLimitInfo()
    if not headers:
        return info
    view = headers if isinstance(headers, ResponseHeaders) else ResponseHeaders(headers)
    for name, raw in view.rate_limits.items():
        value = _number(raw)
        if (match := _CURRENT.match(name)) is not None:
            what, kind, period = match.groups()
            _set(_report(info, _KINDS[kind], period), what, value)
        elif (match := _BY_SIZE.match(name)) is not None:
            what, period = match.groups()
            _set(_report(info, "tokens", period), what, value)
        elif (match := _BY_SIZE_PLAIN.match(name)) is not None:
            # The unprefixed (IETF draft) form names no window; Mistral's bysize budget was per minute.
            _set(_report(info, "tokens", "minute"), match.group(1), value)
    for name in _QUERY_COST:
        if name in view:
            info.query_cost = _number(view[name])
            if info.query_cost is not None:
                break
    info.retry_after = view.retry_after
    for key in [k for k, r in info.windows.items() if r.limit is None and r.remaining is None]:
        del info.windows[key]
    return info
