"""LlamaIndex chat messages, blocks and tools → Mistral request dicts (pure functions, shared by sync and async).

* Text, image (URL, path, bytes), document (URL, path, bytes: PDF and others), audio and thinking blocks become
  Mistral content chunks; a message of one text block is sent as a plain string.
* Tool calls come from ``ToolCallBlock`` (or, for messages built elsewhere, a legacy
  ``additional_kwargs["tool_calls"]`` list when the message has no blocks of its own).
* Tool-call ids are converted to Mistral's 9-character form with the same function for calls and results, so
  they always pair; calls or results without an id are paired by order.
* A history ending with an assistant turn is sent with ``prefix: true`` (Mistral rejects it otherwise).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from io import IOBase
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filetype  # type: ignore[import-untyped]
from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    CitableBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from mistral_lca.tool_ids import ToolCallIdPairing

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = [
    "block_to_chunk",
    "resolve_tool_choice",
    "to_mistral_messages",
    "to_mistral_tool",
    "to_mistral_tools",
]

_ROLES = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
}
_TOOL_CHOICE_KEYWORDS = frozenset({"auto", "none", "any", "required"})
_IMAGE_DETAILS = frozenset({"low", "auto", "high"})


# ----------------------------------------------------------------------------------------------- binary data


def _base64_of(raw: bytes | IOBase | None, path: Any, url: Any) -> str | None:
    """Base64 text of a block's data. Blocks store given ``bytes`` already base64-encoded (core validators)."""
    if isinstance(raw, bytes) and raw:
        return raw.decode("ascii")
    if isinstance(raw, IOBase):
        raw.seek(0)
        data = raw.read()
        return base64.b64encode(data if isinstance(data, bytes) else str(data).encode()).decode("ascii")
    if path is not None:
        return base64.b64encode(Path(str(path)).read_bytes()).decode("ascii")
    return None


def _guess_mime(b64: str, fallback: str | None) -> str | None:
    if fallback:
        return fallback
    guess = filetype.guess(base64.b64decode(b64[:4096]))
    return str(guess.mime) if guess else None


def _image_chunk(block: ImageBlock) -> dict[str, Any]:
    url: str | None = None
    if block.image is None and block.path is None and block.url is not None:
        url = str(block.url)
    else:
        b64 = _base64_of(block.image, block.path, None)
        if b64 is None:
            raise ValueError("ImageBlock has no image, path or url")
        mime = _guess_mime(b64, block.image_mimetype)
        if mime is None:
            raise ValueError("Cannot tell the image type; set ImageBlock.image_mimetype (e.g. 'image/png')")
        url = f"data:{mime};base64,{b64}"
    if block.detail in _IMAGE_DETAILS:
        return {"type": "image_url", "image_url": {"url": url, "detail": block.detail}}
    return {"type": "image_url", "image_url": url}


def _document_chunk(block: DocumentBlock) -> dict[str, Any]:
    if block.data is None and block.path is None and block.url:
        url = str(block.url)
    else:
        b64 = _base64_of(block.data, block.path, None)
        if b64 is None:
            raise ValueError("DocumentBlock has no data, path or url")
        mime = _guess_mime(b64, block.document_mimetype) or "application/pdf"
        url = f"data:{mime};base64,{b64}"
    chunk: dict[str, Any] = {"type": "document_url", "document_url": url}
    if block.title:
        chunk["document_name"] = block.title
    return chunk


def _audio_chunk(block: AudioBlock) -> dict[str, Any]:
    if block.audio is None and block.path is None and block.url is not None:
        return {"type": "input_audio", "input_audio": str(block.url)}
    b64 = _base64_of(block.audio, block.path, None)
    if b64 is None:
        raise ValueError("AudioBlock has no audio, path or url")
    return {"type": "input_audio", "input_audio": b64}


def _thinking_chunk(block: ThinkingBlock) -> dict[str, Any] | None:
    if not block.content:
        return None
    chunk: dict[str, Any] = {"type": "thinking", "thinking": [{"type": "text", "text": block.content}]}
    signature = block.additional_information.get("signature")
    if isinstance(signature, str):
        chunk["signature"] = signature
    return chunk


def block_to_chunk(block: Any) -> list[dict[str, Any]]:
    """One LlamaIndex content block → zero or more Mistral content chunks (tool calls are handled elsewhere)."""
    if isinstance(block, TextBlock):
        return [{"type": "text", "text": block.text}]
    if isinstance(block, ImageBlock):
        return [_image_chunk(block)]
    if isinstance(block, DocumentBlock):
        return [_document_chunk(block)]
    if isinstance(block, AudioBlock):
        return [_audio_chunk(block)]
    if isinstance(block, ThinkingBlock):
        chunk = _thinking_chunk(block)
        return [chunk] if chunk else []
    if isinstance(block, (ToolCallBlock, CachePoint)):
        return []
    if isinstance(block, CitableBlock):
        return [c for inner in block.content for c in block_to_chunk(inner)]
    if isinstance(block, CitationBlock):
        return [c for inner in block.cited_content for c in block_to_chunk(inner)]
    if isinstance(block, VideoBlock):
        raise ValueError("Mistral chat models do not accept video input (VideoBlock)")
    raise ValueError(f"Unsupported content block for Mistral: {type(block).__name__}")


def _content(chunks: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    if not chunks:
        return ""
    if len(chunks) == 1 and chunks[0]["type"] == "text":
        return str(chunks[0]["text"])
    return chunks


# ------------------------------------------------------------------------------------------------ tool calls


def _arguments(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value if value is not None else {}, ensure_ascii=False)


def _legacy_tool_calls(message: ChatMessage) -> Iterable[tuple[str | None, str, Any]]:
    """(id, name, arguments) from an OpenAI-style ``additional_kwargs["tool_calls"]`` list (dicts or objects)."""
    for call in message.additional_kwargs.get("tool_calls") or ():
        if isinstance(call, dict):
            function = call.get("function") or {}
            call_id = call.get("id")
            name = function.get("name") if isinstance(function, dict) else getattr(function, "name", None)
            args = function.get("arguments") if isinstance(function, dict) else getattr(function, "arguments", None)
        else:
            function = getattr(call, "function", None)
            call_id = getattr(call, "id", None)
            name = getattr(function, "name", None)
            args = getattr(function, "arguments", None)
        if name:
            yield (call_id if isinstance(call_id, str) else None), str(name), args


def _assistant(message: ChatMessage, index: int, pairing: ToolCallIdPairing) -> dict[str, Any]:
    chunks: list[dict[str, Any]] = []
    calls: list[tuple[str | None, str, Any]] = []
    for block in message.blocks:
        if isinstance(block, ToolCallBlock):
            calls.append((block.tool_call_id, block.tool_name, block.tool_kwargs))
        else:
            chunks.extend(block_to_chunk(block))
    if not calls:
        calls = list(_legacy_tool_calls(message))
    out: dict[str, Any] = {"role": "assistant", "content": _content(chunks)}
    if calls:
        out["tool_calls"] = [
            {
                "id": pairing.for_call(call_id, index, n, name),
                "type": "function",
                "function": {"name": name, "arguments": _arguments(args)},
            }
            for n, (call_id, name, args) in enumerate(calls)
        ]
    return out


def _tool_result(message: ChatMessage, pairing: ToolCallIdPairing) -> dict[str, Any]:
    chunks = [c for block in message.blocks for c in block_to_chunk(block)]
    out: dict[str, Any] = {"role": "tool", "content": _content(chunks)}
    call_id = pairing.for_result(message.additional_kwargs.get("tool_call_id"))
    if call_id is not None:
        out["tool_call_id"] = call_id
    name = message.additional_kwargs.get("name")
    if isinstance(name, str) and name:
        out["name"] = name
    return out


def to_mistral_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """The ``messages`` of a Mistral chat request. Does not modify the given messages."""
    pairing = ToolCallIdPairing()
    out: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        role = _ROLES.get(message.role)
        if role is None:
            raise ValueError(f"Unsupported message role for Mistral: {message.role!r}")
        if role == "assistant":
            out.append(_assistant(message, index, pairing))
        elif role == "tool":
            out.append(_tool_result(message, pairing))
        else:
            chunks = [c for block in message.blocks for c in block_to_chunk(block)]
            out.append({"role": role, "content": _content(chunks)})
    if out and out[-1]["role"] == "assistant" and "tool_calls" not in out[-1]:
        out[-1]["prefix"] = True
    return out


# ------------------------------------------------------------------------------------------------ tools


def to_mistral_tool(tool: BaseTool) -> dict[str, Any]:
    """A LlamaIndex tool → Mistral's ``{"type": "function", "function": {name, description, parameters}}``."""
    spec = tool.metadata.to_openai_tool(skip_length_check=True)
    function = spec["function"]
    return {
        "type": "function",
        "function": {
            "name": function["name"],
            "description": function.get("description") or "",
            "parameters": function.get("parameters") or {"type": "object", "properties": {}},
        },
    }


def to_mistral_tools(tools: Sequence[BaseTool]) -> list[dict[str, Any]]:
    return [to_mistral_tool(tool) for tool in tools]


def resolve_tool_choice(tool_choice: Any, tool_required: bool) -> str | dict[str, Any]:
    """Mistral's ``tool_choice``: a keyword, or ``{"type": "function", "function": {"name": ...}}`` for a tool name.

    ``None`` means "not chosen by the caller": ``any`` when a tool call is required, else ``auto``.
    """
    if tool_choice is None or tool_choice == "":
        return "any" if tool_required else "auto"
    if isinstance(tool_choice, str):
        if tool_choice in _TOOL_CHOICE_KEYWORDS:
            return tool_choice
        return {"type": "function", "function": {"name": tool_choice}}
    if isinstance(tool_choice, dict):
        function = tool_choice.get("function")
        if isinstance(function, dict) and function.get("name"):
            return {"type": "function", "function": {"name": str(function["name"])}}
        if tool_choice.get("name"):
            return {"type": "function", "function": {"name": str(tool_choice["name"])}}
    raise ValueError(f"Unsupported tool_choice for Mistral: {tool_choice!r}")
