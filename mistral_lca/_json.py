"""JSON encode/decode: orjson when installed (the ``fast`` extra), the standard library otherwise."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["HAS_ORJSON", "dumps", "loads"]

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised in environments without the extra
    _orjson = None  # type: ignore[assignment]

HAS_ORJSON = _orjson is not None


def loads(data: str | bytes | bytearray | memoryview) -> Any:
    """Decode JSON from text or bytes; :class:`ValueError` for anything undecodable (nesting too deep included)."""
    if _orjson is not None:
        return _orjson.loads(data)
    if isinstance(data, memoryview):  # pragma: no cover
        data = data.tobytes()
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def dumps(value: Any) -> bytes:
    """Encode to compact UTF-8 JSON bytes (non-ASCII kept as is)."""
    if _orjson is not None:
        return _orjson.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
