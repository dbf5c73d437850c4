"""``client.embeddings``: ``POST /v1/embeddings``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typing_extensions import Unpack

from .._errors import InvalidRequestError
from .._inputs import check_text_list
from .._operation import Operation, decode_error, validated
from .._request import RequestSpec
from .._response import Decoded
from ..types.embeddings import EmbeddingParams, EmbeddingResponse
from ._base import AsyncResource, SyncResource

__all__ = ["AsyncEmbeddings", "Embeddings", "embeddings_body", "embeddings_parser"]

_OPTIONS = ("output_dimension", "output_dtype", "encoding_format", "metadata")


def embeddings_body(params: EmbeddingParams | dict[str, Any]) -> dict[str, Any]:
    """The wire body; ``inputs`` (the SDK's name) becomes the API's ``input``. Checks every input is text."""
    model = params.get("model")
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError("Invalid embeddings request: model must be a non-empty string")
    inputs = params.get("inputs", params.get("input"))
    check_text_list(inputs, "embeddings.create", single_text_ok=True)
    if not isinstance(inputs, str):
        inputs = list(inputs)
        if not inputs:
            raise InvalidRequestError("Invalid embeddings request: inputs must not be empty")
        for i, text in enumerate(inputs):
            if not isinstance(text, str):
                raise InvalidRequestError(
                    f"Invalid embeddings request: inputs[{i}] must be a string, got {type(text).__name__}"
                )
    body: dict[str, Any] = {"model": model, "input": inputs}
    for key in _OPTIONS:
        if params.get(key) is not None:
            body[key] = params[key]  # type: ignore[literal-required]
    for key, value in params.items():
        if key not in body and key not in ("inputs", "input") and value is not None:
            body[key] = value
    return body


def embeddings_parser(dtype: str | None, inputs: int) -> Callable[[Decoded], EmbeddingResponse]:
    """The parser of an answer to ``inputs`` texts: exactly one vector per input, indexes ``0..inputs-1``.

    Base64 vectors are decoded by the requested ``output_dtype`` (float32, or int8/uint8 for the others).
    """
    context = None if dtype in (None, "float") else {"output_dtype": dtype}

    def parse(decoded: Decoded) -> EmbeddingResponse:
        result = validated(EmbeddingResponse, decoded, context)
        problem = result.vectors_problem(inputs)
        if problem is not None:
            raise decode_error(decoded, f"{inputs} embedding(s)", f"an incomplete answer ({problem})")
        return result

    return parse


def _create(params: EmbeddingParams) -> Operation[EmbeddingResponse]:
    body = embeddings_body(params)
    inputs = body["input"]
    parse = embeddings_parser(body.get("output_dtype"), 1 if isinstance(inputs, str) else len(inputs))
    return Operation(RequestSpec("POST", "/v1/embeddings", json=body), parse)


class Embeddings(SyncResource):
    def create(self, **params: Unpack[EmbeddingParams]) -> EmbeddingResponse:
        """Embed one text or a list of texts."""
        return self._run(_create(params))


class AsyncEmbeddings(AsyncResource):
    async def create(self, **params: Unpack[EmbeddingParams]) -> EmbeddingResponse:
        """Embed one text or a list of texts."""
        return await self._run(_create(params))
