"""``client.fim``: fill-in-the-middle on ``POST /v1/fim/completions``, plain and streaming."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, TypeAdapter, with_config
from typing_extensions import Unpack

from .._errors import InvalidRequestError
from .._operation import Operation, StreamingOperation, validate_params
from .._request import RequestSpec
from .._streaming import AsyncStream, Stream
from ..types.chat import ChatCompletionResponse, CompletionEvent
from ..types.fim import FIMCompletionParams
from ._base import AsyncResource, SyncResource
from ._completions import COMPLETION_STREAM, parse_completion

__all__ = ["AsyncFim", "Fim", "fim_body"]

_PATH = "/v1/fim/completions"


@with_config(ConfigDict(extra="allow"))
class _FimBody(FIMCompletionParams):
    pass


_ADAPTER: TypeAdapter[Any] = TypeAdapter(_FimBody)


def fim_body(params: FIMCompletionParams | dict[str, Any]) -> dict[str, Any]:
    if not str(params.get("model") or "").strip():
        raise InvalidRequestError("Invalid FIM request: model must be a non-empty string")
    return validate_params(_ADAPTER, params, "FIM")


def _complete(params: FIMCompletionParams) -> Operation[ChatCompletionResponse]:
    return Operation(RequestSpec("POST", _PATH, json=fim_body(params)), parse_completion)


def _stream(params: FIMCompletionParams) -> StreamingOperation[CompletionEvent]:
    body = fim_body(params)
    body["stream"] = True
    return StreamingOperation(RequestSpec("POST", _PATH, json=body, stream=True), COMPLETION_STREAM)


class Fim(SyncResource):
    def complete(self, **params: Unpack[FIMCompletionParams]) -> ChatCompletionResponse:
        """Complete the code between ``prompt`` and ``suffix``."""
        return self._run(_complete(params))

    def stream(self, **params: Unpack[FIMCompletionParams]) -> Stream[CompletionEvent]:
        return self._stream(_stream(params))


class AsyncFim(AsyncResource):
    async def complete(self, **params: Unpack[FIMCompletionParams]) -> ChatCompletionResponse:
        """Complete the code between ``prompt`` and ``suffix``."""
        return await self._run(_complete(params))

    def stream(self, **params: Unpack[FIMCompletionParams]) -> AsyncStream[CompletionEvent]:
        return self._stream(_stream(params))
