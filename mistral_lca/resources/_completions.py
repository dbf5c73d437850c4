"""Shared by chat, FIM and agent completions: the response and stream decoders (one implementation)."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError

from .._errors import StreamError
from .._operation import model_parser
from .._response import Decoded
from .._sse import ServerSentEvent, StreamDecoding
from ..types.chat import (
    ChatCompletionResponse,
    CompletionChunk,
    CompletionEvent,
    CompletionResponseStreamChoice,
    DeltaMessage,
)

__all__ = ["COMPLETION_STREAM", "completion_to_event", "parse_completion", "parse_completion_event"]

parse_completion = model_parser(ChatCompletionResponse)


def parse_completion_event(event: ServerSentEvent) -> CompletionEvent:
    """One ``data: {...}`` chunk → :class:`CompletionEvent` (unknown fields such as ``p`` are kept)."""
    try:
        # One validation of the wrapped JSON in pydantic-core: building the wrapper in Python cost ~5 us per event.
        return CompletionEvent.model_validate_json('{"data":' + event.data + "}")
    except ValidationError:
        raise StreamError(f"malformed stream chunk: {event.data[:120]!r}") from None


def completion_to_event(response: ChatCompletionResponse) -> CompletionEvent:
    """A whole completion as a single stream event (the proxy answered a stream request with JSON)."""
    choices = [
        CompletionResponseStreamChoice(
            index=choice.index,
            delta=DeltaMessage(
                role=choice.message.role,
                content=choice.message.content,
                tool_calls=choice.message.tool_calls,
            ),
            finish_reason=choice.finish_reason,
        )
        for choice in response.choices
    ]
    chunk = CompletionChunk(
        id=response.id,
        object="chat.completion.chunk",
        created=response.created,
        model=response.model,
        usage=response.usage,
        choices=choices,
    )
    return CompletionEvent(data=chunk)


def _from_json(decoded: Decoded) -> Iterable[CompletionEvent]:
    return [completion_to_event(parse_completion(decoded))]


COMPLETION_STREAM: StreamDecoding[CompletionEvent] = StreamDecoding(
    parse_event=parse_completion_event, from_json=_from_json
)
