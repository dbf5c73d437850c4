"""``client.chat``: ``POST /v1/chat/completions``, plain and streaming."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, TypeAdapter, with_config
from typing_extensions import Unpack

from .._errors import InvalidRequestError
from .._operation import Operation, StreamingOperation, validate_params
from .._request import RequestSpec
from .._streaming import AsyncStream, Stream
from ..types.chat import ChatCompletionParams, ChatCompletionResponse, CompletionEvent
from ._base import AsyncResource, SyncResource
from ._completions import COMPLETION_STREAM, parse_completion

__all__ = ["AsyncChat", "Chat", "chat_body", "complete_operation", "stream_operation"]

_PATH = "/v1/chat/completions"


@with_config(ConfigDict(extra="allow"))
class _ChatBody(ChatCompletionParams):
    pass


_ADAPTER: TypeAdapter[Any] = TypeAdapter(_ChatBody)


def chat_body(params: ChatCompletionParams | dict[str, Any], *, what: str = "chat") -> dict[str, Any]:
    """Validate chat parameters into the JSON body (before any network call)."""
    if not str(params.get("model") or "").strip():
        raise InvalidRequestError(f"Invalid {what} request: model must be a non-empty string")
    messages = params.get("messages")
    if isinstance(messages, list) and not messages:
        raise InvalidRequestError(f"Invalid {what} request: messages must not be empty")
    max_tokens = params.get("max_tokens")
    if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and max_tokens < 0:
        raise InvalidRequestError(f"Invalid {what} request: max_tokens must be >= 0, got {max_tokens}")
    return validate_params(_ADAPTER, params, what)


def complete_operation(params: ChatCompletionParams | dict[str, Any]) -> Operation[ChatCompletionResponse]:
    body = chat_body(params)
    body.pop("stream", None)
    return Operation(RequestSpec("POST", _PATH, json=body), parse_completion)


def stream_operation(params: ChatCompletionParams | dict[str, Any]) -> StreamingOperation[CompletionEvent]:
    body = chat_body(params)
    body["stream"] = True
    return StreamingOperation(RequestSpec("POST", _PATH, json=body, stream=True), COMPLETION_STREAM)


class Chat(SyncResource):
    def complete(self, **params: Unpack[ChatCompletionParams]) -> ChatCompletionResponse:
        """Create a chat completion."""
        return self._run(complete_operation(params))

    def stream(self, **params: Unpack[ChatCompletionParams]) -> Stream[CompletionEvent]:
        """Stream a chat completion; iterate the result for :class:`CompletionEvent` items."""
        return self._stream(stream_operation(params))


class AsyncChat(AsyncResource):
    async def complete(self, **params: Unpack[ChatCompletionParams]) -> ChatCompletionResponse:
        """Create a chat completion."""
        return await self._run(complete_operation(params))

    def stream(self, **params: Unpack[ChatCompletionParams]) -> AsyncStream[CompletionEvent]:
        """Stream a chat completion; ``async for`` over the result."""
        return self._stream(stream_operation(params))
