"""Small pure helpers shared by the endpoint families: ids, query strings, bodies and parsers."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from .._errors import InvalidRequestError
from .._json import dumps
from .._operation import _describe, decode_error
from .._response import Decoded
from ..types._base import RequestModel, ResponseModel

__all__ = [
    "list_parser",
    "no_content",
    "query",
    "request_body",
    "request_model",
    "require_id",
    "string_parser",
]

M = TypeVar("M", bound=ResponseModel)
R = TypeVar("R", bound=RequestModel)


def require_id(value: object, name: str) -> str:
    """``value`` as an id: a non-blank string (checked before anything is sent)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _query_value(value: Any) -> Any:
    if isinstance(value, (dict, Mapping)):
        return dumps(dict(value)).decode()  # object-valued query parameters travel as JSON text
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_query_value(v) for v in value]
    return value


def query(**params: Any) -> dict[str, Any]:
    """Query parameters with ``None`` dropped; objects as JSON, datetimes as ISO 8601, lists repeated."""
    return {key: _query_value(value) for key, value in params.items() if value is not None}


def request_model(model: type[R], params: Mapping[str, Any], what: str) -> R:
    """Validate call arguments with a request model (``None`` values mean unset)."""
    data = {key: value for key, value in params.items() if value is not None}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequestError(f"Invalid {what} request: {_describe(exc)}") from None


def request_body(model: type[R], params: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Validate call arguments with the request model into the JSON body (``None`` values mean unset)."""
    return request_model(model, params, what).to_body()


def no_content(decoded: Decoded) -> None:
    """Parser for endpoints that answer ``204 No Content`` (or a body nobody needs)."""


def list_parser(model: type[M]) -> Callable[[Decoded], list[M]]:
    """Parser for endpoints answering a bare JSON array (``{"data": [...]}`` is accepted too).

    An empty body, ``null`` or an object without ``data`` is a :class:`ResponseDecodeError`, not an empty list.
    """
    what = f"a list of {model.__name__}"

    def parse(decoded: Decoded) -> list[M]:
        data = decoded.data
        if isinstance(data, dict):
            data = data.get("data")
        if not isinstance(data, list):
            raise decode_error(decoded, what, "an empty answer" if data is None else "an answer that is not a list")
        try:
            items = [model.model_validate(item) for item in data]
        except ValidationError as exc:
            raise decode_error(decoded, what, f"an answer that does not match ({_describe(exc)})") from None
        for item in items:
            item._response_headers = decoded.headers
        return items

    return parse


def string_parser(decoded: Decoded) -> str:
    """Parser for endpoints answering a bare JSON string (signed URLs); ``{"url": ...}`` is accepted too."""
    data = decoded.data
    if isinstance(data, dict):
        data = data.get("url")
    if not isinstance(data, str) or not data:
        raise decode_error(decoded, "a URL", "an empty answer" if not data else "an answer that is not a string")
    return data
