"""LangChain messages → Mistral chat message dicts (pure functions, shared by sync and async paths).

Handles LangChain's standard content blocks (v1 and v0 data blocks), OpenAI chat-completions blocks
(``image_url``, ``input_audio``, ``file``) and Mistral's own chunk types, converting each to the chunk types
Mistral accepts (``text``, ``image_url``, ``document_url``, ``file``, ``input_audio``, ``thinking``). Tool-call
ids are mapped to Mistral's nine-character form in both the assistant message and the tool message; calls and
results without ids are paired by order. Invalid input raises :class:`~mistral_lca.InvalidRequestError` (a
``ValueError``) naming the message and the content block, before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from mistral_lca import InvalidRequestError
from mistral_lca.tool_ids import ToolCallIdPairing, to_mistral_tool_call_id

__all__ = ["convert_content", "convert_message", "convert_messages"]

_ROLE_BY_CHAT_ROLE = {"system": "system", "user": "user", "human": "user", "assistant": "assistant", "ai": "assistant"}
_MISTRAL_NATIVE = frozenset({"image_url", "document_url", "file", "input_audio", "reference"})
_SKIPPED_IN_INPUT = frozenset(
    {"tool_call", "tool_call_chunk", "invalid_tool_call", "tool_use", "server_tool_call", "server_tool_result"}
    | {"server_tool_call_chunk"}
)
_PREVIEW_CHARS = 120


def _data_uri(mime_type: str | None, data: str) -> str:
    return data if data.startswith("data:") else f"data:{mime_type or 'application/octet-stream'};base64,{data}"


def _block_source(block: dict[str, Any]) -> tuple[str, str] | None:
    """``("url"|"base64"|"id", value)`` for a LangChain data block, v1 or v0 shape."""
    source_type = block.get("source_type")
    if source_type is not None:  # v0: {"source_type": "url"|"base64"|"id", "url"|"data"|"id": ...}
        key = {"url": "url", "base64": "data", "id": "id"}.get(source_type)
        if key and block.get(key):
            return ("id" if source_type == "id" else source_type, block[key])
        return None
    for kind, key in (("url", "url"), ("base64", "base64"), ("id", "file_id")):
        if block.get(key):
            return kind, block[key]
    return None


def _convert_data_block(block: dict[str, Any]) -> dict[str, Any]:
    """A standard image / file / audio block → the matching Mistral chunk."""
    kind = block["type"]
    source = _block_source(block)
    if source is None:
        raise InvalidRequestError(f"A {kind!r} content block needs a url, base64 data or a file_id")
    how, value = source
    mime_type = block.get("mime_type")
    if how == "id":
        return {"type": "file", "file_id": value}
    if kind == "image":
        return {"type": "image_url", "image_url": value if how == "url" else _data_uri(mime_type, value)}
    if kind == "audio":
        return {"type": "input_audio", "input_audio": value}
    if kind == "file":
        chunk: dict[str, Any] = {
            "type": "document_url",
            "document_url": value if how == "url" else _data_uri(mime_type or "application/pdf", value),
        }
        name = block.get("filename") or (block.get("extras") or {}).get("filename")
        if name:
            chunk["document_name"] = name
        return chunk
    raise InvalidRequestError(f"Content blocks of type {kind!r} are not supported by Mistral chat")


def _convert_openai_file(file: dict[str, Any]) -> dict[str, Any]:
    if file.get("file_id"):
        return {"type": "file", "file_id": file["file_id"]}
    data = file.get("file_data")
    if not data:
        raise InvalidRequestError("An OpenAI-style 'file' block needs file_data or file_id")
    chunk: dict[str, Any] = {"type": "document_url", "document_url": _data_uri("application/pdf", data)}
    if file.get("filename"):
        chunk["document_name"] = file["filename"]
    return chunk


def _convert_image_url(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        url = value.get("url")
        if not url:
            raise InvalidRequestError("An 'image_url' block needs a url")
        return {
            "type": "image_url",
            "image_url": {"url": url, "detail": value["detail"]} if value.get("detail") else url,
        }
    return {"type": "image_url", "image_url": value}


def _text(block: dict[str, Any], key: str = "text") -> str:
    value = block.get(key, "")
    if not isinstance(value, str):
        raise InvalidRequestError(f"{key!r} must be a string, got {type(value).__name__}")
    return value


def _preview(block: object) -> str:
    text = repr(block)
    return text if len(text) <= _PREVIEW_CHARS else text[: _PREVIEW_CHARS - 3] + "..."


def _convert_block(block: str | dict[str, Any]) -> dict[str, Any] | None:
    """One input content item → a Mistral chunk, or ``None`` when it has no place in a request."""
    if isinstance(block, str):
        return {"type": "text", "text": block}
    kind = block.get("type")
    if kind == "text" and "source_type" not in block:
        return {"type": "text", "text": _text(block)}
    if kind in ("image", "audio") or (kind == "file" and not isinstance(block.get("file"), dict)):
        return _convert_data_block(block)
    if kind == "image_url":
        return _convert_image_url(block.get("image_url"))
    if kind == "input_audio":
        audio = block.get("input_audio")
        return {"type": "input_audio", "input_audio": audio.get("data", "") if isinstance(audio, dict) else audio}
    if kind == "file" and isinstance(block.get("file"), dict):
        return _convert_openai_file(block["file"])
    if kind == "text-plain" or (kind == "text" and "source_type" in block):
        return {"type": "text", "text": _text(block)}
    if kind == "reasoning":
        thinking: dict[str, Any] = {
            "type": "thinking",
            "thinking": [{"type": "text", "text": _text(block, "reasoning")}],
        }
        signature = (block.get("extras") or {}).get("signature")
        if signature:
            thinking["signature"] = signature
        return thinking
    if kind == "thinking":  # Mistral's own shape, or Anthropic's string form
        value = block.get("thinking")
        if isinstance(value, str):
            return {"type": "thinking", "thinking": [{"type": "text", "text": value}]}
        return {"type": "thinking", "thinking": value or []}
    if kind in _SKIPPED_IN_INPUT or kind == "citation":
        return None
    if kind == "non_standard" and isinstance(block.get("value"), dict):
        return _convert_block(block["value"])
    if kind in _MISTRAL_NATIVE:
        return {k: v for k, v in block.items() if k not in ("id", "index", "extras")}
    raise InvalidRequestError(f"Content blocks of type {kind!r} are not supported by Mistral chat")


def convert_content(
    content: str | list[str | dict[str, Any]], *, keep_reasoning: bool = False
) -> str | list[dict[str, Any]]:
    """Message content → Mistral content: a string stays a string; a list becomes Mistral chunks.

    A list holding only text collapses to one string (the form every Mistral endpoint accepts).
    """
    if isinstance(content, str):
        return content
    chunks: list[dict[str, Any]] = []
    for position, block in enumerate(content):
        try:
            chunk = _convert_block(block)
        except InvalidRequestError as error:
            raise InvalidRequestError(f"content block {position} {_preview(block)}: {error.message}") from None
        if chunk is None or (chunk["type"] == "thinking" and not keep_reasoning):
            continue
        chunks.append(chunk)
    if all(chunk["type"] == "text" for chunk in chunks):
        return "".join(chunk["text"] for chunk in chunks)
    return chunks


def _text_only(content: str | list[str | dict[str, Any]]) -> str | list[dict[str, Any]]:
    converted = convert_content(content)
    if isinstance(converted, str):
        return converted
    return [chunk for chunk in converted if chunk["type"] == "text"]


def _tool_calls(message: AIMessage, index: int, pairing: ToolCallIdPairing) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    for call in message.tool_calls:
        calls.append(
            {
                "id": pairing.for_call(call.get("id"), index, len(calls), call["name"]),
                "type": "function",
                "function": {"name": call["name"], "arguments": json.dumps(call["args"], ensure_ascii=False)},
            }
        )
    for invalid in message.invalid_tool_calls:
        calls.append(
            {
                "id": pairing.for_call(invalid.get("id"), index, len(calls), invalid.get("name")),
                "type": "function",
                "function": {"name": invalid.get("name") or "", "arguments": invalid.get("args") or ""},
            }
        )
    return calls


def _assistant(message: AIMessage, *, is_last: bool, index: int, pairing: ToolCallIdPairing) -> dict[str, Any]:
    result: dict[str, Any] = {"role": "assistant"}
    tool_calls = _tool_calls(message, index, pairing)
    if tool_calls:
        # Mistral wants the calls, not prose, on a tool-calling turn (the API answers such turns with "").
        result["content"] = ""
        result["tool_calls"] = tool_calls
        return result
    result["content"] = convert_content(message.content, keep_reasoning=True)
    if is_last:
        result["prefix"] = True
    return result


def _tool(message: ToolMessage, pairing: ToolCallIdPairing) -> dict[str, Any]:
    result: dict[str, Any] = {
        "role": "tool",
        "content": convert_content(message.content),
        "tool_call_id": pairing.for_result(message.tool_call_id) or to_mistral_tool_call_id(message.tool_call_id),
    }
    if message.name:
        result["name"] = message.name
    return result


def convert_message(
    message: BaseMessage, *, is_last: bool = False, index: int = 0, pairing: ToolCallIdPairing | None = None
) -> dict[str, Any]:
    """One LangChain message (``index`` in its history) → one Mistral message dict (only fields the API defines).

    ``pairing`` carries the tool-call ids of the history so far (see :func:`convert_messages`).
    """
    pairing = pairing if pairing is not None else ToolCallIdPairing()
    if isinstance(message, HumanMessage):
        return {"role": "user", "content": convert_content(message.content)}
    if isinstance(message, AIMessage):
        return _assistant(message, is_last=is_last, index=index, pairing=pairing)
    if isinstance(message, SystemMessage):
        return {"role": "system", "content": _text_only(message.content)}
    if isinstance(message, ToolMessage):
        return _tool(message, pairing)
    if isinstance(message, ChatMessage):
        role = _ROLE_BY_CHAT_ROLE.get(message.role)
        if role is None:
            raise InvalidRequestError(f"Mistral has no chat role {message.role!r}")
        if role == "assistant":
            return _assistant(AIMessage(content=message.content), is_last=is_last, index=index, pairing=pairing)
        if role == "system":
            return {"role": "system", "content": _text_only(message.content)}
        return {"role": "user", "content": convert_content(message.content)}
    raise InvalidRequestError(f"Cannot send a {type(message).__name__} to Mistral chat")


def convert_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """A LangChain history → Mistral messages. A trailing assistant message is sent as a ``prefix``.

    Raises :class:`~mistral_lca.InvalidRequestError` naming the message (``messages[i]``) it cannot convert.
    """
    last = len(messages) - 1
    pairing = ToolCallIdPairing()
    converted = []
    for index, message in enumerate(messages):
        try:
            converted.append(convert_message(message, is_last=index == last, index=index, pairing=pairing))
        except InvalidRequestError as error:
            raise InvalidRequestError(f"messages[{index}] ({type(message).__name__}): {error.message}") from None
    return converted
