"""Decoding responses: pure functions from (status, headers, body) to data or a typed error.

Handles LowCodeAPI's success envelope ``{"message","provider","result","response_headers"}``, its error
envelope ``{"message","provider","error","headers"}``, plain Mistral JSON, and every Mistral error shape
seen in the wild (``detail`` string or list; ``message`` string or object; ``code`` string, int or null).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    ResponseDecodeError,
    ServerError,
    UnprocessableEntityError,
    ValidationDetail,
)
from ._headers import ResponseHeaders
from ._json import dumps, loads
from ._secrets import redact

__all__ = [
    "Decoded",
    "decode_body",
    "error_from_response",
    "error_from_stream_event",
    "excerpt",
    "is_failure_status",
    "is_json_content_type",
    "transport_error",
]

_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
_HINTS = {
    401: "LowCodeAPI rejected the token; check LOWCODEAPI_API_TOKEN",
    403: "no Mistral key connected to this LowCodeAPI token",
}
_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")
_EXCERPT = 200
_MAX_DEPTH = 32
"""How deep a scrubbed error body is kept; deeper values are cut (a hostile body must not exhaust the stack)."""
_TOO_DEEP = "<nested too deep>"


@dataclass(frozen=True)
class Decoded:
    """A decoded success: the Mistral payload and the upstream headers."""

    data: Any
    headers: ResponseHeaders
    status_code: int = 200


def is_failure_status(status_code: int) -> bool:
    """3xx, 4xx and 5xx: answers that are errors (redirects are never followed)."""
    return status_code >= 300


def is_json_content_type(content_type: str | None) -> bool:
    return bool(content_type) and "json" in str(content_type).lower()


def _is_envelope(body: Any) -> bool:
    return isinstance(body, dict) and "provider" in body and ("result" in body or "error" in body)


def _scrub(value: Any, depth: int = 0) -> Any:
    """A copy of a decoded body with every string (keys included) redacted and ``api_token`` / ``authorization``
    entries dropped (the proxy echoes the token in 401/403s); cut below :data:`_MAX_DEPTH` levels."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (dict, list)) and depth >= _MAX_DEPTH:
        return _TOO_DEEP
    if isinstance(value, dict):
        return {
            redact(str(k)): _scrub(v, depth + 1)
            for k, v in value.items()
            if str(k).lower() not in ("api_token", "authorization")
        }
    if isinstance(value, list):
        return [_scrub(v, depth + 1) for v in value]
    return value


def _excerpt(body: bytes) -> str:
    text = body[: _EXCERPT * 4].decode("utf-8", errors="replace")
    text = _SPACE_RE.sub(" ", _TAG_RE.sub(" ", text)).strip()
    return redact(text[:_EXCERPT] + ("…" if len(text) > _EXCERPT else ""))


def excerpt(data: Any) -> str:
    """A short, redacted, one-line excerpt of decoded JSON (for messages about a response's content)."""
    try:
        raw = dumps(_scrub(data))
    except (TypeError, ValueError):
        raw = repr(data)[: _EXCERPT * 4].encode("utf-8", errors="replace")
    return _excerpt(raw)


def _text(value: Any) -> str:
    return redact(value) if isinstance(value, str) else excerpt(value)


def _redirect_error(status_code: int, headers: httpx.Headers | Mapping[str, str]) -> RedirectError:
    """A 3xx: never followed (the token travels in the query string, and the proxy's redirects go to its web UI)."""
    response_headers = ResponseHeaders(headers)
    location = response_headers.get("location")
    target = f"to {location}" if location else "without a Location"
    return RedirectError(
        f"{status_code} {_reason(status_code)}: the server redirected {target}; redirects are never followed "
        "(check base_url)",
        status_code=status_code,
        headers=response_headers,
    )


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def decode_body(status_code: int, headers: httpx.Headers | Mapping[str, str], body: bytes) -> Decoded:
    """Decode a 2xx body; raise the typed error for anything else (pure, no I/O)."""
    if status_code >= 400:
        raise error_from_response(status_code, headers, body)
    if status_code >= 300:
        raise _redirect_error(status_code, headers)
    if not body.strip():
        return Decoded(None, ResponseHeaders(headers), status_code)
    try:
        payload = loads(body)
    except ValueError:
        raise ResponseDecodeError(
            f"{status_code}: the response is not valid JSON: {_excerpt(body)!r}", status_code=status_code
        ) from None
    if _is_envelope(payload):
        if "result" not in payload:
            # An error envelope delivered with a 2xx status: still an error.
            error = payload.get("error")
            code = error.get("code") if isinstance(error, dict) else None
            status = code if isinstance(code, int) and code >= 400 else 502
            raise error_from_response(status, headers, body, payload=payload)
        upstream = payload.get("response_headers")
        return Decoded(
            payload["result"],
            ResponseHeaders(upstream if isinstance(upstream, Mapping) else None, headers),
            status_code,
        )
    return Decoded(payload, ResponseHeaders(headers), status_code)


def _details(raw: Any) -> list[ValidationDetail]:
    out: list[ValidationDetail] = []
    if not isinstance(raw, list):
        return out
    for item in raw:
        if isinstance(item, dict):
            loc = item.get("loc") or ()
            kind = item.get("type")
            out.append(
                ValidationDetail(
                    loc=tuple(
                        p if isinstance(p, int) else redact(str(p))
                        for p in (loc if isinstance(loc, (list, tuple)) else (loc,))
                    ),
                    msg=_text(item.get("msg", "")),
                    type=redact(kind) if isinstance(kind, str) else None,
                    input=_scrub(item.get("input")),
                )
            )
        else:
            out.append(ValidationDetail(loc=(), msg=_text(item), type=None))
    return out


def _parse_mistral_error(
    err: Any,
) -> tuple[str | None, str | None, str | None, str | None, list[ValidationDetail]]:
    """(message, type, code, param, details) from any known Mistral error body."""
    if isinstance(err, str):
        return err, None, None, None, []
    if not isinstance(err, dict):
        return None, None, None, None, []
    message: str | None = None
    details: list[ValidationDetail] = []
    raw_message = err.get("message")
    if isinstance(raw_message, str):
        message = raw_message
    elif isinstance(raw_message, dict):  # 2024 form: {"message": {"detail": [...]}}
        details = _details(raw_message.get("detail"))
        if isinstance(raw_message.get("detail"), str):
            message = raw_message["detail"]
    detail = err.get("detail")
    if isinstance(detail, str) and message is None:
        message = detail
    elif isinstance(detail, list):
        details = details or _details(detail)
    if message is None and details:
        message = "; ".join(str(d) for d in details)
    elif details and message is not None and all(d.msg not in message for d in details):
        message = f"{message} ({'; '.join(str(d) for d in details)})"
    code = err.get("code")
    err_type = err.get("type")
    param = err.get("param")
    return (
        message,
        err_type if isinstance(err_type, str) else None,
        None if code is None or isinstance(code, (dict, list)) else str(code),
        param if isinstance(param, str) else None,
        details,
    )


def error_from_response(
    status_code: int,
    headers: httpx.Headers | Mapping[str, str],
    body: bytes,
    *,
    payload: Any = None,
) -> APIStatusError:
    """The typed error for a failed response. Never raises; never quotes the token."""
    if payload is None and body.strip():
        try:
            payload = loads(body)
        except ValueError:
            payload = None
    upstream_headers: Mapping[str, Any] | None = None
    proxy_message: str | None = None
    mistral_error: Any = payload
    if _is_envelope(payload):
        proxy_message = payload.get("message") if isinstance(payload.get("message"), str) else None
        mistral_error = payload.get("error")
        raw_headers = payload.get("headers")
        upstream_headers = raw_headers if isinstance(raw_headers, Mapping) else None
        if isinstance(mistral_error, dict) and "logging" in mistral_error:
            mistral_error = None  # the proxy's own error object: internal, and it echoes the token
    message, err_type, code, param, details = _parse_mistral_error(mistral_error)
    if message is None:
        message = proxy_message
    if message is None and payload is None and body.strip():
        message = f"non-JSON response: {_excerpt(body)!r}"
    text = f"{status_code} {_reason(status_code)}"
    if message:
        text += f": {message}"
    hint = _HINTS.get(status_code)
    if hint and (not message or hint.lower() not in message.lower()):
        text += f" ({hint})"
    response_headers = ResponseHeaders(upstream_headers, headers)
    request_id = response_headers.request_id
    if request_id is None and isinstance(mistral_error, dict) and isinstance(mistral_error.get("request_id"), str):
        response_headers = ResponseHeaders({"x-request-id": mistral_error["request_id"]}, upstream_headers, headers)
    return _status_error(
        status_code,
        text,
        (message, err_type, code, param, details),
        body=_scrub(payload) if payload is not None else _excerpt(body),
        headers=response_headers,
        provider_message=proxy_message,
    )


def _status_error(
    status_code: int,
    text: str,
    parsed: tuple[str | None, str | None, str | None, str | None, list[ValidationDetail]],
    *,
    body: Any,
    headers: ResponseHeaders | None = None,
    provider_message: str | None = None,
) -> APIStatusError:
    """The :class:`APIStatusError` subclass for ``status_code``, from a parsed Mistral error."""
    cls = _STATUS_ERRORS.get(status_code) or (ServerError if status_code >= 500 else APIStatusError)
    _, err_type, code, param, details = parsed
    return cls(
        text,
        status_code=status_code,
        error_type=err_type,
        code=code,
        param=param,
        details=details,
        body=body,
        headers=headers,
        provider_message=provider_message,
    )


def _stream_error_status(error: Any) -> int:
    """The HTTP-like status an in-stream error names (``raw_status_code``, ``status`` or an HTTP-like ``code``);
    500 when it names none (the upstream failed while answering)."""
    if isinstance(error, dict):
        for key in ("raw_status_code", "status_code", "status", "code"):
            value = error.get(key)
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if isinstance(value, int) and not isinstance(value, bool) and 400 <= value <= 599:
                return value
    return 500


def error_from_stream_event(error: Any) -> APIStatusError:
    """The typed error for an error reported inside a stream (see :func:`mistral_lca._sse.error_in_event`).

    Carries Mistral's message; the class follows the status the error names (500, a :class:`ServerError`, when it
    names none). Never raises; never quotes the token.
    """
    inner = error.get("error") if isinstance(error, dict) else None
    if isinstance(inner, (dict, str)):  # {"error": {...}} wraps the error object itself
        error = inner if isinstance(inner, dict) else {**error, "message": inner}
    parsed = _parse_mistral_error(error)
    text = f"the stream reported an error: {parsed[0] or excerpt(error) or 'no message'}"
    return _status_error(_stream_error_status(error), text, parsed, body=_scrub(error))


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def transport_error(exc: httpx.HTTPError, method: str, url: str) -> APIConnectionError:
    """Map an httpx transport exception to our typed error (the URL is already redacted)."""
    reached = not isinstance(exc, _NOT_SENT)
    detail = redact(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{type(exc).__name__} on {method} {url}: {detail}", reached_server=reached)
    return APIConnectionError(f"{type(exc).__name__} on {method} {url}: {detail}", reached_server=reached)
