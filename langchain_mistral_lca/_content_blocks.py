"""The content-block translator for this package's messages (``model_provider == "mistral"``).

Registered with langchain-core (``register_translator``) so ``message.content_blocks`` is exact for every
message this package makes, chat completions and conversations alike. Content is already standard blocks
(text with ``citation`` annotations, ``reasoning``, ``server_tool_call``/``server_tool_result``, ``image``),
or a plain string; the translator keeps them, wraps anything else as ``non_standard``, and adds the tool calls
(``tool_call_chunk`` blocks for stream chunks that are not the aggregated last one).
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import register_translator

from ._responses import MODEL_PROVIDER

__all__ = ["register", "translate_content", "translate_content_chunk"]


def _content(message: AIMessage) -> list[types.ContentBlock]:
    items: list[Any] = [message.content] if isinstance(message.content, str) else list(message.content)
    blocks: list[types.ContentBlock] = []
    for item in items:
        if isinstance(item, str):
            if item:
                blocks.append(cast(types.ContentBlock, {"type": "text", "text": item}))
        elif isinstance(item, dict) and item.get("type") in types.KNOWN_BLOCK_TYPES and "source_type" not in item:
            blocks.append(cast(types.ContentBlock, dict(item)))
        else:
            value = item if isinstance(item, dict) else {"value": item}
            blocks.append(cast(types.ContentBlock, {"type": "non_standard", "value": value}))
    return blocks


def _calls(message: AIMessage) -> list[types.ContentBlock]:
    blocks: list[types.ContentBlock] = []
    for call in message.tool_calls:
        block = {"type": "tool_call", "id": call.get("id"), "name": call["name"], "args": call["args"]}
        blocks.append(cast(types.ContentBlock, block))
    for invalid in message.invalid_tool_calls:
        blocks.append(cast(types.ContentBlock, {**invalid, "type": "invalid_tool_call"}))
    return blocks


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    """Standard blocks of a whole message: its content, then its tool calls."""
    return _content(message) + _calls(message)


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    """Standard blocks of a stream chunk: its content, then its tool-call chunks (or, aggregated, its calls)."""
    if message.chunk_position == "last" or not message.tool_call_chunks:
        return translate_content(message)
    chunks: list[types.ContentBlock] = []
    for chunk in message.tool_call_chunks:
        block: dict[str, Any] = {"type": "tool_call_chunk", "id": chunk.get("id"), "name": chunk.get("name")}
        block["args"] = chunk.get("args")
        if chunk.get("index") is not None:
            block["index"] = chunk["index"]
        chunks.append(cast(types.ContentBlock, block))
    return _content(message) + chunks


def register() -> None:
    """Register the translator (idempotent)."""
    register_translator(MODEL_PROVIDER, translate_content, translate_content_chunk)
