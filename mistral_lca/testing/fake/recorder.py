"""What the fake remembers about traffic: recorded requests and live counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Mode", "RecordedRequest", "Stats"]

Mode = Literal["lowcodeapi", "mistral", "other"]


@dataclass(slots=True)
class RecordedRequest:
    method: str
    path: str
    """Raw request path (e.g. ``/mistralai/v1/files/file_id``)."""
    mistral_path: str
    """Upstream path with parameters substituted (e.g. ``/v1/files/abc``)."""
    route: str | None
    """Matched route template (e.g. ``/v1/files/{file_id}``), ``None`` if unrouted."""
    path_form: Literal["path", "query"] | None
    mode: Mode
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any
    time: float
    params: dict[str, str] = field(default_factory=dict)
    stream: bool = False
    status: int | None = None
    """HTTP status sent (0 when the connection was reset)."""
    fault: str | None = None

    @property
    def api_token(self) -> str | None:
        return self.query.get("api_token")


@dataclass
class Stats:
    total: int = 0
    path_counts: Counter[str] = field(default_factory=Counter)
    route_counts: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    open_connections: int = 0
    max_open_connections: int = 0
    total_connections: int = 0
    rate_limited: int = 0
    """Requests refused with a 429 because a :class:`RateLimits` budget was spent (scripted faults excluded)."""

    def reset(self) -> None:
        self.total = 0
        self.rate_limited = 0
        self.path_counts.clear()
        self.route_counts.clear()
        self.max_in_flight = self.in_flight
        self.max_open_connections = self.open_connections
        self.total_connections = self.open_connections
