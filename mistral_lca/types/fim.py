"""Fill-in-the-middle completions. The response has the chat-completion shape."""

from __future__ import annotations

from typing import Any

from typing_extensions import Required, TypedDict

from .chat import ChatCompletionResponse, CompletionEvent

__all__ = ["FIMCompletionEvent", "FIMCompletionParams", "FIMCompletionResponse"]


class FIMCompletionParams(TypedDict, total=False):
    """Keyword arguments of ``client.fim.complete`` / ``client.fim.stream``."""

    model: Required[str]
    prompt: Required[str]
    suffix: str
    temperature: float
    top_p: float
    max_tokens: int
    min_tokens: int
    stop: str | list[str]
    random_seed: int
    metadata: dict[str, Any]
    prompt_cache_key: str


FIMCompletionResponse = ChatCompletionResponse
FIMCompletionEvent = CompletionEvent
