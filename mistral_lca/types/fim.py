"""Fill-in-the-middle completions. The response has the chat-completion shape."""

from __future__ import annotations

from typing import Any

from typing_extensions import Required, TypedDict

from .bounds import Seed, Temperature, TokenCount, TopP
from .chat import ChatCompletionResponse, CompletionEvent

__all__ = ["FIMCompletionEvent", "FIMCompletionParams", "FIMCompletionResponse"]


class FIMCompletionParams(TypedDict, total=False):
    """Keyword arguments of ``client.fim.complete`` / ``client.fim.stream``."""

    model: Required[str]
    prompt: Required[str]
    suffix: str
    temperature: Temperature
    top_p: TopP
    max_tokens: TokenCount
    min_tokens: TokenCount
    stop: str | list[str]
    random_seed: Seed
    metadata: dict[str, Any]
    prompt_cache_key: str


FIMCompletionResponse = ChatCompletionResponse
FIMCompletionEvent = CompletionEvent
