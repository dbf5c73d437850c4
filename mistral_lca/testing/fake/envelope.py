"""Turn handler replies into wire responses: LowCodeAPI envelopes or plain Mistral bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._json import dumps, to_bytes
from .http import http_date
from .recorder import Mode
from .replies import DONE_EVENT, BytesReply, EmptyReply, ErrorReply, JsonReply, Reply, SseReply
from .state import FakeState

__all__ = [
    "DONE_EVENT",
    "HTML_502",
    "PROVIDER",
    "TOKEN_MESSAGE",
    "StreamWire",
    "Wire",
    "auth_error",
    "default_error",
    "frame",
    "json_wire",
    "proxy_error",
    "upstream_headers",
]

PROVIDER = "mistralai"
TOKEN_MESSAGE = "A valid API token is required to access this API."
_PROXY_JSON = [
    ("content-type", "application/json; charset=utf-8"),
    ("x-powered-by", "Express"),
    ("access-control-allow-origin", "*"),
]
_SSE = "text/event-stream; charset=utf-8"
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    b"</center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(slots=True)
class Wire:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(slots=True)
class StreamWire:
    status: int
    headers: list[tuple[str, str]]
    events: list[bytes]
    cut_after: int | None = None
    graceful: bool = False


_DEFAULT_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request", "invalid_request_error", None),
    402: ("Payment required", "payment_required", None),
    408: ("Request timeout", "timeout", None),
    409: ("Conflict", "conflict", None),
    429: ("Rate limit exceeded", "rate_limited", "1300"),
    500: ("Internal server error", "internal_server_error", "1000"),
    502: ("Bad gateway", "internal_server_error", None),
    503: ("Service unavailable", "service_unavailable", "1000"),
    504: ("Gateway timeout", "internal_server_error", None),
}


def default_error(status: int) -> Any:
    """A realistic Mistral error body for ``status``."""
    if status == 401:
        return {"detail": "Unauthorized"}
    if status == 403:
        return {"detail": "Forbidden"}
    if status == 404:
        return {"detail": "Not Found"}
    if status == 422:
        return {"detail": [{"type": "missing", "loc": ["body", "model"], "msg": "Field required", "input": None}]}
    message, type_, code = _DEFAULT_ERRORS.get(status, (f"Error {status}", "api_error", None))
    return {"object": "error", "message": message, "type": type_, "param": None, "code": code}


def upstream_headers(
    state: FakeState, content_type: str = "application/json", rate_limits: dict[str, str] | None = None
) -> dict[str, str]:
    """Headers Mistral would send (reported in ``response_headers`` or as real headers in plain mode), with the
    account's rate-limit headers when it has limits."""
    cid = state.ids.uuid("correlation", version=7)
    headers = {
        "date": http_date(),
        "content-type": content_type,
        "mistral-correlation-id": cid,
        "x-kong-request-id": cid,
        "x-envoy-upstream-service-time": "12",
    }
    if rate_limits:
        headers.update(rate_limits)
    return headers


def json_wire(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> Wire:
    return Wire(status, [*(headers or _PROXY_JSON)], to_bytes(body))


def proxy_error(status: int, message: str, error: Any, headers: dict[str, str] | None = None) -> Wire:
    """LowCodeAPI error envelope: status = upstream status, upstream body verbatim under ``error``."""
    return json_wire(status, {"message": message, "provider": PROVIDER, "error": error, "headers": headers or {}})


def auth_error(status: int, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> Wire:
    """The proxy's own 401/403, which echoes the request (api_token included) under ``error.logging``."""
    message = TOKEN_MESSAGE if status == 401 else "Request failed"
    logging = {"method": method, "path": path, "query": dict(query), "headers": dict(headers)}
    return proxy_error(status, message, {"code": status, "logging": logging})


def _error_message(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return "Error received from the mistralai API"


def _plain_headers(up: dict[str, str], extra: dict[str, str]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in (*up.items(), *extra.items()) if v and k != "date"]


def frame(state: FakeState, mode: Mode, reply: Reply, rate_limits: dict[str, str] | None = None) -> Wire | StreamWire:
    """Encode a handler reply for ``mode`` (envelope for LowCodeAPI, verbatim for plain Mistral)."""
    envelope = mode == "lowcodeapi"
    if isinstance(reply, JsonReply):
        up = upstream_headers(state, rate_limits=rate_limits)
        result = to_bytes(reply.body)
        if not envelope:
            return Wire(reply.status, _plain_headers(up, reply.headers), result)
        body = b"".join(
            (
                b'{"message":"Request completed","provider":"mistralai","result":',
                result,
                b',"response_headers":',
                dumps({**up, **reply.headers}),
                b"}",
            )
        )
        return Wire(200, list(_PROXY_JSON), body)
    if isinstance(reply, ErrorReply):
        up = {**upstream_headers(state, rate_limits=rate_limits), **reply.headers}
        if not envelope:
            return Wire(reply.status, _plain_headers(up, {}), to_bytes(reply.body))
        return proxy_error(reply.status, _error_message(reply.body), reply.body, up)
    if isinstance(reply, SseReply):
        headers = [("content-type", _SSE), ("cache-control", "no-cache")]
        if not envelope:
            headers = _plain_headers(upstream_headers(state, _SSE, rate_limits), reply.headers)
        events = reply.events + ([reply.done] if reply.done is not None else [])
        return StreamWire(200, headers, events)
    if isinstance(reply, BytesReply):
        headers = [("content-type", reply.content_type)]
        if not envelope:
            headers = _plain_headers(upstream_headers(state, reply.content_type, rate_limits), reply.headers)
        return Wire(reply.status, headers, reply.data)
    assert isinstance(reply, EmptyReply)
    return Wire(reply.status, [] if envelope else _plain_headers(upstream_headers(state, ""), {}), b"")
