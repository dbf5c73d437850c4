"""An operation = a request spec plus how to decode its answer. Resources build them; clients run them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from ._arguments import refuse_secret_arguments
from ._errors import InvalidRequestError, ResponseDecodeError
from ._request import RequestSpec
from ._response import Decoded, excerpt
from ._sse import StreamDecoding
from .types._base import ResponseModel

__all__ = [
    "Operation",
    "StreamingOperation",
    "answer_data",
    "decode_error",
    "model_parser",
    "validate_params",
    "validated",
]

T = TypeVar("T")
M = TypeVar("M", bound=ResponseModel)


@dataclass(frozen=True)
class Operation(Generic[T]):
    spec: RequestSpec
    parse: Callable[[Decoded], T]


@dataclass(frozen=True)
class StreamingOperation(Generic[T]):
    spec: RequestSpec
    decoding: StreamDecoding[T]


def decode_error(decoded: Decoded, what: str, problem: str) -> ResponseDecodeError:
    """The error for a success answer that is not what was expected, quoting a short (redacted) excerpt."""
    return ResponseDecodeError(
        f"{decoded.status_code}: {problem} where {what} was expected: {excerpt(decoded.data)}",
        status_code=decoded.status_code,
    )


def answer_data(model: type[ResponseModel], decoded: Decoded) -> Any:
    """``decoded.data`` when it is a complete answer of ``model``'s kind (see
    :attr:`ResponseModel.required_fields`); otherwise a :class:`ResponseDecodeError`. An empty body or a
    ``"result": null`` envelope is never a success here (endpoints that answer nothing use other parsers)."""
    data = decoded.data
    if data is None:
        raise decode_error(decoded, model.__name__, "an empty answer")
    problem = model.answer_problem(data)
    if problem is not None:
        raise decode_error(decoded, model.__name__, f"an incomplete answer ({problem})")
    return data


def validated(model: type[M], decoded: Decoded, context: dict[str, Any] | None = None) -> M:
    """A complete answer validated into ``model``, with the upstream headers attached."""
    data = answer_data(model, decoded)
    try:
        result = model.model_validate(data, context=context)
    except ValidationError as exc:
        raise decode_error(decoded, model.__name__, f"an answer that does not match ({_describe(exc)})") from None
    result._response_headers = decoded.headers
    return result


def model_parser(model: type[M]) -> Callable[[Decoded], M]:
    """A parser validating the payload into ``model`` and attaching the upstream headers."""

    def parse(decoded: Decoded) -> M:
        return validated(model, decoded)

    return parse


def _dump_models(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True, by_alias=True)
    if isinstance(value, list):
        return [_dump_models(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump_models(v) for k, v in value.items()}
    return value


_BOUND_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        loc = ".".join(str(p) for p in item.get("loc", ()) if not str(p).startswith("function-"))
        message = str(item.get("msg"))
        message = message.removeprefix("Value error, ")  # our own validators' messages stand on their own
        value = item.get("input")
        if item.get("type") in _BOUND_ERRORS and isinstance(value, (int, float)) and not isinstance(value, bool):
            message += f" (got {value!r})"  # a number out of bounds is worth showing; other inputs may be secret
        parts.append(f"{loc or '<request>'}: {message}")
    more = error.error_count() - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _declared_fields(adapter: TypeAdapter[Any]) -> frozenset[str]:
    """The field names of the TypedDict ``adapter`` validates (empty when it validates something else)."""
    schema: Any = adapter.core_schema
    if schema.get("type") == "definitions":
        schema = schema.get("schema", {})
    return frozenset(schema.get("fields", ())) if schema.get("type") == "typed-dict" else frozenset()


def validate_params(adapter: TypeAdapter[Any], params: Any, what: str) -> dict[str, Any]:
    """Validate call arguments before anything is sent; a clear :class:`InvalidRequestError` otherwise.

    Pydantic models given in place of dicts (e.g. a reply's message replayed into history) are dumped
    first; ``None`` values are dropped so that unset options never reach the wire. Fields the schema does not
    declare still go through (the API may be newer than this package), except secret-looking ones
    (:class:`~mistral_lca.SecretArgumentError`).
    """
    data = {k: _dump_models(v) for k, v in params.items() if v is not None}
    declared = _declared_fields(adapter)
    if declared:
        refuse_secret_arguments((name for name in data if name not in declared), owner=f"A {what} request")
    try:
        validated: dict[str, Any] = adapter.validate_python(data)
    except ValidationError as exc:
        raise InvalidRequestError(f"Invalid {what} request: {_describe(exc)}") from None
    return validated
