"""Case-insensitive view of upstream response headers, with the few values callers ask for."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator, Mapping
from typing import Any

from ._secrets import redact

__all__ = ["ResponseHeaders", "parse_retry_after"]

_REQUEST_ID_HEADERS = ("mistral-correlation-id", "x-kong-request-id", "x-request-id", "request-id")


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date); ``None`` if unusable."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if parsed is None:  # pragma: no cover - defensive, older Pythons
            return None
        seconds = parsed.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _redacted(items: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """``items`` with any secret removed from names and values (one scan of all of them in the common case)."""
    blob = "\n".join(f"{name}:{value}" for name, value in items.values())
    if redact(blob) == blob:
        return items
    return {redact(key): (redact(name), redact(value)) for key, (name, value) in items.items()}


class ResponseHeaders(Mapping[str, str]):
    """Upstream headers. LowCodeAPI moves Mistral's headers into the body; HTTP headers fill the gaps.

    Every value is redacted: the proxy may echo the request URL (and so the token) in a header.
    """

    __slots__ = ("_items",)

    def __init__(self, *sources: Mapping[str, Any] | None) -> None:
        items: dict[str, tuple[str, str]] = {}
        for source in sources:
            if not source:
                continue
            for key, value in source.items():
                if isinstance(value, list):
                    value = ", ".join(str(v) for v in value)
                items.setdefault(str(key).lower(), (str(key), str(value)))
        self._items = _redacted(items) if items else items

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    def __repr__(self) -> str:
        return f"ResponseHeaders({dict(self.items())!r})"

    @property
    def request_id(self) -> str | None:
        """Mistral's correlation id (or the gateway's request id) when present."""
        for name in _REQUEST_ID_HEADERS:
            if name in self._items:
                return self._items[name][1]
        return None

    @property
    def retry_after(self) -> float | None:
        """Seconds from ``Retry-After`` (or ``retry-after-ms``), if the upstream sent one."""
        if "retry-after-ms" in self._items:
            try:
                return max(0.0, float(self._items["retry-after-ms"][1]) / 1000.0)
            except ValueError:
                pass
        return parse_retry_after(self.get("retry-after"))

    @property
    def rate_limits(self) -> dict[str, str]:
        """Every rate-limit header, whichever family the upstream uses (names lower-cased)."""
        return {k: v for k, (_, v) in self._items.items() if "ratelimit" in k}
