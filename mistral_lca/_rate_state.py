"""The rate limiter's shared state and its arithmetic: pure data, no clock, no locks, JSON-serialisable.

A :class:`Window` is a sliding log of what was sent in the last ``period`` seconds (requests count 1 each, token
windows count tokens). A send is allowed when the log plus its cost stays within ``limit``; otherwise the wait is
the time until enough of the oldest entries expire. A sliding log never exceeds the limit in *any* window of that
length, so it is safe against both fixed-window counters (Kong's, aligned to the clock) and sliding ones, and its
long-run throughput is exactly ``limit / period``.

The server's own count (``limit - remaining``) may exceed ours: other processes share the key, or requests were
sent before the window was known. The difference is logged as anonymous usage at the time it was seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._rate_headers import Kind, window_name

__all__ = ["Entry", "LimiterState", "Window"]

RECENT_SECONDS = 61.0
RECENT_MAX = 2048
Entry = list[float]
"""``[sent_at, cost, permit_id]``; ``permit_id`` 0 for usage seen in the server's counts but not sent by us."""


def set_cost(entries: list[Entry], permit_id: int, cost: float) -> None:
    """Correct the cost logged for one permit (to what the server charged)."""
    for entry in entries:
        if entry[2] == permit_id:
            entry[1] = cost
            return


@dataclass
class Window:
    kind: Kind
    period: float
    limit: float
    margin: float = 0.0
    """Seconds added to ``period`` before an entry expires: requests reach the server a little after we log them."""
    fixed: bool = False
    """A cap set by the user (``requests_per_second``, ``tokens_per_minute``), not learned from the server."""
    entries: list[Entry] = field(default_factory=list)

    @property
    def name(self) -> str:
        """``requests/1s``, ``tokens/60s``...; a user's cap is ``cap:requests`` or ``cap:tokens`` (one of each)."""
        return f"cap:{self.kind}" if self.fixed else window_name(self.kind, self.period)

    @property
    def horizon(self) -> float:
        return self.period + self.margin

    def prune(self, now: float) -> None:
        cutoff = now - self.horizon
        entries = self.entries
        drop = 0
        while drop < len(entries) and entries[drop][0] <= cutoff:
            drop += 1
        if drop:
            del entries[:drop]

    def used(self, now: float) -> float:
        self.prune(now)
        return sum(entry[1] for entry in self.entries)

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds until ``cost`` more fits (0 if it fits now). A cost above the limit waits for an empty log."""
        used = self.used(now)
        if used + cost <= self.limit or not self.entries:
            return 0.0
        if cost >= self.limit:
            return max(0.0, self.entries[-1][0] + self.horizon - now)
        excess = used + cost - self.limit
        for sent_at, entry_cost, _ in self.entries:
            excess -= entry_cost
            if excess <= 0:
                return max(0.0, sent_at + self.horizon - now)
        return max(0.0, self.entries[-1][0] + self.horizon - now)  # pragma: no cover - excess <= used by now

    def add(self, now: float, cost: float, permit_id: int) -> None:
        self.entries.append([now, cost, float(permit_id)])

    def set_cost(self, permit_id: int, cost: float) -> None:
        set_cost(self.entries, permit_id, cost)

    def remove(self, permit_id: int) -> None:
        self.entries = [entry for entry in self.entries if entry[2] != permit_id]

    def reconcile(self, server_used: float, now: float) -> float:
        """Log usage the server counted and we did not send; returns how much was added."""
        unseen = server_used - self.used(now)
        if unseen <= 0:
            return 0.0
        self.entries.append([now, unseen, 0.0])
        return unseen

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "period": self.period,
            "limit": self.limit,
            "margin": self.margin,
            "fixed": self.fixed,
            "entries": self.entries,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Window:
        return cls(
            kind=data["kind"],
            period=float(data["period"]),
            limit=float(data["limit"]),
            margin=float(data.get("margin", 0.0)),
            fixed=bool(data.get("fixed", False)),
            entries=[[float(v) for v in entry] for entry in data.get("entries", [])],
        )


@dataclass
class LimiterState:
    """What every user of one key shares (in one process, or across processes through a store)."""

    windows: dict[str, Window] = field(default_factory=dict)
    blocked_until: float = 0.0
    """No request before this time (``Retry-After``, or a cool-down after an unexplained 429)."""
    block_reason: str = ""
    consecutive_429: int = 0
    quota_until: float = 0.0
    """A quota (a month window) was exhausted: calls fail at once until this time, then one may probe again."""
    quota_reason: str = ""
    cost_ratio: dict[str, float] = field(default_factory=dict)
    """Per path: tokens the server charged / tokens we estimated (calibrates the estimate to the real count)."""
    recent: list[Entry] = field(default_factory=list)
    """``[sent_at, tokens, permit_id]`` of the last minute's grants, so that a window learned late (the first answers
    come back after more requests left) starts with what was already sent."""

    def remember(self, now: float, tokens: float, permit_id: int) -> None:
        recent = self.recent
        recent.append([now, tokens, float(permit_id)])
        cutoff = now - RECENT_SECONDS
        drop = 0
        while drop < len(recent) and (recent[drop][0] <= cutoff or len(recent) - drop > RECENT_MAX):
            drop += 1
        if drop:
            del recent[:drop]

    def set_cost(self, permit_id: int, tokens: float) -> None:
        set_cost(self.recent, permit_id, tokens)

    def forget(self, permit_id: int) -> None:
        self.recent = [entry for entry in self.recent if entry[2] != permit_id]

    def seed(self, window: Window, now: float) -> None:
        """Log in a newly learned window what was sent within its span before it was known."""
        cutoff = now - window.horizon
        for sent_at, tokens, permit_id in self.recent:
            cost = 1.0 if window.kind == "requests" else tokens
            if sent_at > cutoff and cost > 0:
                window.entries.append([sent_at, cost, permit_id])

    def to_json(self) -> dict[str, Any]:
        return {
            "windows": {name: window.to_json() for name, window in self.windows.items()},
            "blocked_until": self.blocked_until,
            "block_reason": self.block_reason,
            "consecutive_429": self.consecutive_429,
            "quota_until": self.quota_until,
            "quota_reason": self.quota_reason,
            "cost_ratio": self.cost_ratio,
            "recent": self.recent,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LimiterState:
        return cls(
            windows={name: Window.from_json(w) for name, w in data.get("windows", {}).items()},
            blocked_until=float(data.get("blocked_until", 0.0)),
            block_reason=str(data.get("block_reason", "")),
            consecutive_429=int(data.get("consecutive_429", 0)),
            quota_until=float(data.get("quota_until", 0.0)),
            quota_reason=str(data.get("quota_reason", "")),
            cost_ratio={str(k): float(v) for k, v in data.get("cost_ratio", {}).items()},
            recent=[[float(v) for v in entry] for entry in data.get("recent", [])],
        )
