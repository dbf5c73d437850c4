"""Embeddings: request parameters and the response, with base64 vectors decoded for the caller."""

from __future__ import annotations

import base64
import sys
from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic import Field, ValidationInfo, ValidatorFunctionWrapHandler, field_validator
from typing_extensions import Required, TypedDict

from ._base import ResponseModel
from .chat import UsageInfo

if TYPE_CHECKING:
    from ..embedding_runs import EmbeddingProgress

__all__ = [
    "EmbeddingData",
    "EmbeddingManyOptions",
    "EmbeddingParams",
    "EmbeddingResponse",
    "decode_base64_embedding",
]

_DTYPE_FORMATS = {"float": "f", "int8": "b", "uint8": "B", "binary": "b", "ubinary": "B"}


class EmbeddingParams(TypedDict, total=False):
    """Keyword arguments of ``client.embeddings.create``."""

    model: Required[str]
    inputs: Required[str | list[str]]
    output_dimension: int
    output_dtype: Literal["float", "int8", "uint8", "binary", "ubinary"]
    encoding_format: Literal["float", "base64"]
    metadata: dict[str, Any]


class EmbeddingManyOptions(TypedDict, total=False):
    """Keyword arguments of ``client.embeddings.create_many`` / ``iter_many`` besides ``model``."""

    output_dimension: int
    output_dtype: Literal["float", "int8", "uint8", "binary", "ubinary"]
    encoding_format: Literal["float", "base64"]
    metadata: dict[str, Any]
    texts_per_request: int
    """At most this many texts per request (default 128)."""
    max_tokens_per_request: int
    """At most this many tokens per request (default Mistral's 16,384)."""
    max_concurrent_requests: int
    """Requests of this call in flight at once (default 8; the client's own limit applies too)."""
    progress: Callable[[EmbeddingProgress], None] | None
    """Called after every request with an :class:`~mistral_lca.embedding_runs.EmbeddingProgress`."""


def decode_base64_embedding(value: str, dtype: str = "float") -> list[float]:
    """Decode one base64 embedding (little-endian float32, or int8/uint8 for integer dtypes)."""
    raw = base64.b64decode(value)
    code = _DTYPE_FORMATS.get(dtype, "f")
    values = array(code)
    values.frombytes(raw[: len(raw) - len(raw) % values.itemsize])
    if code == "f" and sys.byteorder == "big":
        values.byteswap()
    if code != "f":
        return [float(x) for x in values]
    return cast("list[float]", values.tolist())


class EmbeddingData(ResponseModel):
    object: str = "embedding"
    embedding: list[float] = Field(default_factory=list)
    index: int = 0

    @field_validator("embedding", mode="wrap")
    @classmethod
    def _decode_base64(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return handler(value)
        # Decoded floats need no second validation pass (1,024 per vector adds up over thousands of texts).
        dtype = info.context.get("output_dtype") if isinstance(info.context, dict) else None
        return decode_base64_embedding(value, dtype or "float")


class EmbeddingResponse(ResponseModel):
    non_empty_fields = ("data",)

    id: str = ""
    object: str = "list"
    model: str = ""
    usage: UsageInfo = Field(default_factory=UsageInfo)
    data: list[EmbeddingData] = Field(default_factory=list)

    def vectors_problem(self, inputs: int) -> str | None:
        """What is wrong with this answer to ``inputs`` texts (one vector each, indexes ``0..inputs-1``), or None."""
        data = self.data
        if len(data) != inputs:
            return f"{len(data)} vector(s) for {inputs} input(s)"
        indexes = sorted(item.index for item in data)
        if indexes != list(range(inputs)):
            return f"indexes {indexes[:8]}{'…' if inputs > 8 else ''} are not 0..{inputs - 1}"
        for item in data:
            if not item.embedding:
                return f"an empty vector at index {item.index}"
        return None

    def vectors(self) -> list[list[float]]:
        """The embeddings in input order (sorted by ``index``, whatever order the server used)."""
        return [item.embedding for item in sorted(self.data, key=lambda d: d.index)]
