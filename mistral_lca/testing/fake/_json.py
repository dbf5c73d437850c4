"""JSON helpers: orjson when importable (much faster for big bodies), the stdlib otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["HAVE_ORJSON", "RawJson", "dumps", "loads", "to_bytes"]


class RawJson:
    """Already-encoded JSON, spliced verbatim into envelopes and batch output lines."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"RawJson({self.data[:60]!r}...)"


_dumps: Callable[[Any], bytes]
_loads: Callable[[bytes | str], Any]

try:  # pragma: no cover - depends on the environment
    import orjson

    HAVE_ORJSON = True

    def _orjson_dumps(value: Any) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)

    _dumps = _orjson_dumps
    _loads = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    HAVE_ORJSON = False

    def _std_dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    _dumps = _std_dumps
    _loads = json.loads


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return _dumps(value)


def loads(data: bytes | str) -> Any:
    """Parse JSON (raises ``ValueError`` on bad input)."""
    return _loads(data)


def to_bytes(value: Any) -> bytes:
    """Encode a body that may already be :class:`RawJson`."""
    if isinstance(value, RawJson):
        return value.data
    return _dumps(value)
