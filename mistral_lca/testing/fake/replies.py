"""What a route handler receives (:class:`Call`) and returns (a ``Reply``), plus Mistral error bodies."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._json import dumps

if TYPE_CHECKING:
    from .state import FakeState

__all__ = [
    "DONE_EVENT",
    "BytesReply",
    "Call",
    "EmptyReply",
    "ErrorReply",
    "Handler",
    "JsonReply",
    "Reply",
    "SseReply",
    "api_error",
    "check_fields",
    "json_object",
    "missing",
    "not_found",
    "query_bool",
    "query_int",
    "sse_data",
    "sse_event",
    "validation_error",
]

DONE_EVENT = b"data: [DONE]\n\n"


@dataclass(slots=True)
class Call:
    """One request as an upstream Mistral handler sees it (proxy details already stripped)."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    json_error: str | None = None
    base_url: str = ""

    @property
    def wants_stream(self) -> bool:
        return isinstance(self.json, dict) and self.json.get("stream") is True


@dataclass(slots=True)
class JsonReply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ErrorReply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SseReply:
    events: list[bytes]
    done: bytes | None = DONE_EVENT
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class BytesReply:
    data: bytes
    content_type: str = "application/octet-stream"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class EmptyReply:
    status: int = 204


Reply = JsonReply | ErrorReply | SseReply | BytesReply | EmptyReply
Handler = Callable[["FakeState", Call], Reply]


def sse_data(obj: Any) -> bytes:
    """A data-only SSE event (chat / FIM framing)."""
    return b"data: " + dumps(obj) + b"\n\n"


def sse_event(event: str, obj: Any) -> bytes:
    """A typed SSE event (conversations / transcription framing)."""
    return b"event: " + event.encode() + b"\ndata: " + dumps(obj) + b"\n\n"


def api_error(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
) -> ErrorReply:
    """Mistral's ``{"object":"error",...}`` body."""
    body = {"object": "error", "message": message, "type": type_, "param": param, "code": code}
    return ErrorReply(status, body)


def not_found(what: str, ident: str) -> ErrorReply:
    return api_error(404, f"{what} {ident} not found", type_="not_found", code="1404")


def missing(*loc: str | int) -> dict[str, Any]:
    return {"type": "missing", "loc": ["body", *loc], "msg": "Field required", "input": None}


def validation_error(items: Iterable[dict[str, Any]]) -> ErrorReply:
    """FastAPI/pydantic 422 body ``{"detail":[...]}``."""
    return ErrorReply(422, {"detail": list(items)})


def json_object(call: Call) -> dict[str, Any] | ErrorReply:
    """The JSON object body, or the 422 Mistral answers for a missing/broken/non-object body."""
    if call.json_error is not None:
        return validation_error(
            [
                {
                    "type": "json_invalid",
                    "loc": ["body", 0],
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": call.json_error},
                }
            ]
        )
    if not isinstance(call.json, dict):
        return validation_error(
            [
                {
                    "type": "model_attributes_type",
                    "loc": ["body"],
                    "msg": "Input should be a valid dictionary or object to extract fields from",
                    "input": call.json,
                }
            ]
        )
    return call.json


def check_fields(
    body: dict[str, Any],
    *,
    required: Iterable[str],
    allowed: Iterable[str] | None = None,
) -> ErrorReply | None:
    """422 for missing required fields and (when ``allowed`` is given) ``extra_forbidden`` fields."""
    problems = [missing(name) for name in required if name not in body]
    if allowed is not None:
        allowed_set = set(allowed)
        problems.extend(
            {"type": "extra_forbidden", "loc": ["body", key], "msg": "Extra inputs are not permitted", "input": value}
            for key, value in body.items()
            if key not in allowed_set
        )
    return validation_error(problems) if problems else None


def query_int(query: dict[str, str], key: str, default: int) -> int:
    """An integer query parameter, falling back to ``default`` when absent or malformed."""
    try:
        return int(query[key])
    except (KeyError, ValueError):
        return default


def query_bool(query: dict[str, str], key: str) -> bool:
    return query.get(key, "").lower() in ("1", "true", "yes")
