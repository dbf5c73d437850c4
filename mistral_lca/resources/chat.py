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

__all__ = [
    "AsyncChat",
    "Chat",
    "chat_body",
    "check_tool_messages",
    "complete_operation",
    "stream_operation",
]

_PATH = "/v1/chat/completions"


@with_config(ConfigDict(extra="allow"))
class _ChatBody(ChatCompletionParams):
    pass


_ADAPTER: TypeAdapter[Any] = TypeAdapter(_ChatBody)


def check_tool_messages(messages: Any, what: str) -> None:
    """Every tool message answers a tool call made by an earlier assistant message (same ``tool_call_id``).

    Runs on validated messages (plain dicts). A tool message without an id needs at least one earlier call.
    """
    call_ids: set[str] = set()
    calls = 0
    for index, message in enumerate(messages or ()):
        role = message.get("role")
        if role == "assistant":
            for call in message.get("tool_calls") or ():
                calls += 1
                if call.get("id"):
                    call_ids.add(call["id"])
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if call_id is None and not calls:
                raise InvalidRequestError(
                    f"Invalid {what} request: messages[{index}] is a tool result, but no earlier assistant "
                    "message made a tool call"
                )
            if call_id is not None and call_id not in call_ids:
                raise InvalidRequestError(
                    f"Invalid {what} request: messages[{index}] answers tool_call_id {call_id!r}, but no earlier "
                    "assistant message made a tool call with that id"
                )


def chat_body(params: ChatCompletionParams | dict[str, Any], *, what: str = "chat") -> dict[str, Any]:
    """Validate chat parameters into the JSON body (before any network call)."""
    if not str(params.get("model") or "").strip():
        raise InvalidRequestError(f"Invalid {what} request: model must be a non-empty string")
    messages = params.get("messages")
    if isinstance(messages, list) and not messages:
        raise InvalidRequestError(f"Invalid {what} request: messages must not be empty")
    body = validate_params(_ADAPTER, params, what)
    check_tool_messages(body.get("messages"), what)
    return body


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
