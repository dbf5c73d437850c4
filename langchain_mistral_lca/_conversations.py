"""Conversation turns → LangChain messages: the folded turn (:mod:`mistral_lca.conversation_fold`) as blocks.

One mapping for whole answers and for streams (a whole answer is one delta holding everything), so the
aggregated stream equals the invoked message. Content is always a list of standard content blocks, each
with a stable ``index``:

* text → ``text`` blocks; ``tool_reference`` sources → ``citation`` annotations on them (``url``, ``title``,
  ``start_index``/``end_index`` into the block's text; ``tool``, ``source``, ``favicon``, ``description`` in
  ``extras``);
* a built-in tool run → a ``server_tool_call`` block (``id``, ``name``, ``args``) and a ``server_tool_result``
  block (``tool_call_id``, ``status``, ``output`` = the run's ``info``), once the run is done;
* thinking → ``reasoning`` blocks; files made by a tool → ``image`` (or ``file``) blocks with the ``file_id``
  (``client.files.download(file_id)`` fetches the bytes);
* function calls → ``tool_calls`` (streams: ``tool_call_chunks``);
* ``response_metadata``: ``conversation_id``, ``model_name``, ``model_provider`` (and ``agent_id``,
  ``agent_handoffs`` when an agent answered); ``usage_metadata`` from the turn's usage.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, InvalidToolCall, ToolCall, ToolCallChunk
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call_chunk

from mistral_lca.conversation_fold import ConversationFold, fold_response
from mistral_lca.conversation_parts import (
    Citation,
    FilePart,
    FoldDelta,
    OtherPart,
    Part,
    TextPart,
    ThinkingPart,
    ToolExecutionPart,
)
from mistral_lca.types.conversations import ConversationEvent, ConversationResponse, ConversationUsageInfo

from ._responses import MODEL_PROVIDER, parse_tool_call_text

__all__ = ["ConversationMapper", "reply_conversation_id"]

Block = dict[str, Any]


def reply_conversation_id(message: BaseMessage) -> str | None:
    """The conversation an ``AIMessage`` came from (``response_metadata["conversation_id"]``), else ``None``."""
    if not isinstance(message, AIMessage):
        return None
    value = message.response_metadata.get("conversation_id")
    return value if isinstance(value, str) and value else None


def _usage(usage: ConversationUsageInfo) -> UsageMetadata:
    total = usage.total_tokens or usage.prompt_tokens + usage.completion_tokens
    return cast(
        UsageMetadata,
        {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens, "total_tokens": total},
    )


def _citation(citation: Citation) -> Block:
    block: Block = {"type": "citation", "start_index": citation.start_index, "end_index": citation.end_index}
    extras = citation.fields()
    for key in ("url", "title"):
        if key in extras:
            block[key] = extras.pop(key)
    if extras:
        block["extras"] = extras
    return block


def _file(part: FilePart, index: int) -> Block:
    block: Block = {"type": "image" if part.is_image else "file", "file_id": part.file_id, "index": index}
    if part.mime_type:
        block["mime_type"] = part.mime_type
    extras = {key: value for key, value in part.fields().items() if key in ("file_name", "tool")}
    if extras:
        block["extras"] = extras
    return block


def _other(part: OtherPart, index: int) -> Block:
    image = part.chunk.get("image_url") if part.chunk.get("type") == "image_url" else None
    url = image.get("url") if isinstance(image, dict) else image
    if isinstance(url, str):
        return {"type": "image", "url": url, "index": index}
    return {"type": "non_standard", "value": part.chunk, "index": index}


class ConversationMapper:
    """State for one turn: the fold and the block index of each part."""

    __slots__ = ("_block_of_part", "_next_block", "fold", "requested_model")

    def __init__(self, requested_model: str) -> None:
        self.requested_model = requested_model
        self.fold = ConversationFold()
        self._block_of_part: dict[int, int] = {}
        self._next_block = 0

    def _index(self, part: int, blocks: int = 1) -> int:
        if part not in self._block_of_part:
            self._block_of_part[part] = self._next_block
            self._next_block += blocks
        return self._block_of_part[part]

    def _blocks(self, part_index: int, part: Part) -> list[Block]:
        if isinstance(part, TextPart):
            if not part.text and not part.citations:
                return []
            block: Block = {"type": "text", "text": part.text, "index": self._index(part_index)}
            if part.citations:
                block["annotations"] = [_citation(c) for c in part.citations]
            return [block]
        if isinstance(part, ThinkingPart):
            if not part.text and not part.signature:
                return []
            block = {"type": "reasoning", "reasoning": part.text, "index": self._index(part_index)}
            if part.signature:
                block["extras"] = {"signature": part.signature}
            return [block]
        if isinstance(part, ToolExecutionPart):
            index = self._index(part_index, blocks=2)
            call = {"type": "server_tool_call", "id": part.id, "name": part.name, "args": part.parsed_arguments()}
            result: Block = {"type": "server_tool_result", "tool_call_id": part.id, "status": "success"}
            if part.info:
                result["output"] = part.info
            return [{**call, "index": index}, {**result, "index": index + 1}]
        if isinstance(part, FilePart):
            return [_file(part, self._index(part_index))]
        return [_other(part, self._index(part_index))]

    def _content(self, delta: FoldDelta) -> list[Block]:
        return [block for index, part in delta.parts.items() for block in self._blocks(index, part)]

    def _metadata(self, delta: FoldDelta) -> dict[str, Any]:
        metadata: dict[str, Any] = {"model_provider": MODEL_PROVIDER}
        if delta.conversation_id:
            metadata["conversation_id"] = delta.conversation_id
        if delta.done:  # once per turn: string values of merged chunks would be concatenated
            metadata["model_name"] = self.fold.model or self.requested_model
            if self.fold.agent_id:
                metadata["agent_id"] = self.fold.agent_id
            if self.fold.handoffs:
                metadata["agent_handoffs"] = [dict(handoff) for handoff in self.fold.handoffs]
        return metadata

    def chunk(self, events: Iterable[ConversationEvent]) -> AIMessageChunk | None:
        """The events of one read → an ``AIMessageChunk``, or ``None`` when they carry nothing."""
        delta = self.fold.add(events)
        if not delta:
            return None
        chunks: list[ToolCallChunk] = [
            tool_call_chunk(name=call.name or None, args=call.arguments, id=call.tool_call_id or None, index=slot)
            for slot, call in delta.calls.items()
        ]
        return AIMessageChunk(
            content=self._content(delta),
            tool_call_chunks=chunks,
            usage_metadata=_usage(delta.usage) if delta.usage is not None else None,
            response_metadata=self._metadata(delta),
        )

    def message(self, response: ConversationResponse) -> AIMessage:
        """A whole answer → ``AIMessage``, equal to what streaming it aggregates to."""
        self.fold, delta = fold_response(response)
        tool_calls: list[ToolCall] = []
        invalid: list[InvalidToolCall] = []
        for call in self.fold.function_calls:
            parsed = parse_tool_call_text(call.name, call.arguments, call.tool_call_id)
            if parsed.get("type") == "tool_call":
                tool_calls.append(cast(ToolCall, parsed))
            else:
                invalid.append(cast(InvalidToolCall, parsed))
        return AIMessage(
            content=self._content(delta),  # type: ignore[arg-type]
            tool_calls=tool_calls,
            invalid_tool_calls=invalid,
            usage_metadata=_usage(self.fold.usage) if self.fold.usage is not None else None,
            response_metadata=self._metadata(delta),
        )
