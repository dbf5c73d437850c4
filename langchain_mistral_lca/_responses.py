"""Mistral replies → LangChain messages. One mapping for whole responses and for stream chunks.

A :class:`ReplyMapper` follows one reply. Whole responses run through it once (their content treated as a
single delta); streams feed it every chunk. So content blocks, tool calls, usage and metadata come out the
same either way, and the aggregated stream equals the invoked message:

* plain text stays a string; replies with list content (reasoning, citations) become standard blocks with
  stable ``index`` values: ``thinking`` → ``reasoning`` blocks (kept apart from the text), ``reference``
  chunks → ``citation`` annotations on the text they follow (``extras.reference_ids``);
* tool calls get stable slots (by id, else by wire index — index 0 included), so streamed calls merge
  into whole calls; malformed arguments become ``invalid_tool_calls``;
* ``usage_metadata`` (with ``input_token_details.cache_read`` when reported) on exactly one message;
* ``response_metadata``: ``model_name`` (the served model), ``finish_reason``, ``id``, ``model_provider``.
"""

from __future__ import annotations

import json
from typing import Any, cast

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk, InvalidToolCall, ToolCall, ToolCallChunk
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call_chunk
from langchain_core.output_parsers.openai_tools import parse_tool_call
from langchain_core.utils._merge import merge_lists

from mistral_lca.tool_ids import to_mistral_tool_call_id
from mistral_lca.types.chat import (
    ChatCompletionResponse,
    CompletionChunk,
    ReferenceChunk,
    TextChunk,
    ThinkChunk,
    UsageInfo,
)
from mistral_lca.types.chat import ToolCall as MistralToolCall

__all__ = ["MODEL_PROVIDER", "ReplyMapper", "message_from_response", "parse_tool_call_text", "usage_metadata"]

MODEL_PROVIDER = "mistral"
"""``response_metadata["model_provider"]``; equals ``ls_provider`` so LangChain matches the two."""

Block = dict[str, Any]


def usage_metadata(usage: UsageInfo | None) -> UsageMetadata | None:
    if usage is None:
        return None
    total = usage.total_tokens or usage.prompt_tokens + usage.completion_tokens
    # (cast: with mypy's python_version=3.10, core's typing.NotRequired keys read as required)
    result = cast(
        UsageMetadata,
        {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens, "total_tokens": total},
    )
    cached = usage.cached_tokens
    if cached is not None:
        result["input_token_details"] = {"cache_read": cached}
    return result


def _arguments_text(arguments: str | dict[str, Any]) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def parse_tool_call_text(name: str, arguments: str, call_id: str) -> ToolCall | InvalidToolCall:
    """A whole call (arguments as JSON text) → ``ToolCall``, or ``InvalidToolCall`` when they are not an object."""
    raw = {"function": {"name": name, "arguments": arguments}, "id": call_id}
    try:
        parsed = parse_tool_call(raw, return_id=True)
    except OutputParserException as exc:
        return invalid_tool_call(name=name, args=arguments, id=call_id, error=str(exc))
    if parsed is None or not isinstance(parsed.get("args"), dict):
        return invalid_tool_call(name=name, args=arguments, id=call_id, error="Tool arguments are not a JSON object")
    return ToolCall(name=parsed["name"], args=parsed["args"], id=call_id, type="tool_call")


class ReplyMapper:
    """State for one reply: content block indices, citation spans and tool-call slots."""

    __slots__ = (
        "_block_index",
        "_block_type",
        "_cite_from",
        "_list_mode",
        "_named_slots",
        "_reply_id",
        "_slot_by_id",
        "_slot_by_wire_index",
        "_slot_ids",
        "_text_length",
        "_usage_sent",
        "requested_model",
    )

    def __init__(self, requested_model: str, reply_id: str = "") -> None:
        self.requested_model = requested_model
        self._list_mode = False
        self._block_type: str | None = None
        self._block_index = -1
        self._text_length = 0
        self._cite_from = 0
        self._slot_by_id: dict[str, int] = {}
        self._slot_by_wire_index: dict[int, int] = {}
        self._slot_ids: list[str] = []
        self._named_slots: set[int] = set()
        self._reply_id = reply_id
        self._usage_sent = False

    # ------------------------------------------------------------------------------------------ content

    def _open(self, block_type: str) -> int:
        if self._block_type != block_type:
            self._block_type = block_type
            self._block_index += 1
            if block_type == "text":
                self._text_length = 0
                self._cite_from = 0
        return self._block_index

    def _text(self, text: str) -> Block:
        index = self._open("text")
        self._text_length += len(text)
        return {"type": "text", "text": text, "index": index}

    def _reasoning(self, chunk: ThinkChunk) -> Block:
        block: Block = {"type": "reasoning", "reasoning": chunk.text, "index": self._open("reasoning")}
        if chunk.signature:
            block["extras"] = {"signature": chunk.signature}
        return block

    def _citation(self, chunk: ReferenceChunk) -> Block:
        index = self._open("text")
        citation = {
            "type": "citation",
            "start_index": self._cite_from,
            "end_index": self._text_length,
            "extras": {"reference_ids": list(chunk.reference_ids)},
        }
        self._cite_from = self._text_length
        return {"type": "text", "text": "", "index": index, "annotations": [citation]}

    def content(self, content: str | list[Any] | None) -> str | list[Block]:
        """Content of one delta (or of a whole message) as LangChain content."""
        if not content:
            return [] if self._list_mode else ""
        if isinstance(content, str):
            return [self._text(content)] if self._list_mode else content
        self._list_mode = True
        blocks: list[Block] = []
        for chunk in content:
            if isinstance(chunk, TextChunk):
                blocks.append(self._text(chunk.text))
            elif isinstance(chunk, ThinkChunk):
                blocks.append(self._reasoning(chunk))
            elif isinstance(chunk, ReferenceChunk):
                blocks.append(self._citation(chunk))
            else:
                self._block_type = None  # whatever follows starts a new block
                value = chunk.model_dump(mode="json", exclude_none=True)
                blocks.append({"type": "non_standard", "value": value, "index": self._open(f"other:{chunk.type}")})
        return blocks

    # --------------------------------------------------------------------------------------- tool calls

    def _slot(self, call: MistralToolCall, position: int) -> tuple[int, bool]:
        """(slot, is_new) for a streamed or whole tool call; index 0 is a real index, not 'missing'."""
        wire = call.index if call.index is not None else position
        if call.id and call.id in self._slot_by_id:
            return self._slot_by_id[call.id], False
        if not call.id and wire in self._slot_by_wire_index:
            return self._slot_by_wire_index[wire], False
        slot = len(self._slot_ids)
        call_id = call.id or to_mistral_tool_call_id(f"{self._reply_id or self.requested_model}:{slot}")
        self._slot_ids.append(call_id)
        self._slot_by_id[call_id] = slot
        self._slot_by_wire_index[wire] = slot
        return slot, True

    def call_id(self, slot: int) -> str:
        """The id of the tool call in ``slot`` (Mistral's, or a stable one made up when it had none)."""
        return self._slot_ids[slot]

    def tool_call_chunks(self, calls: list[MistralToolCall] | None) -> list[ToolCallChunk]:
        chunks: list[ToolCallChunk] = []
        for position, call in enumerate(calls or ()):
            slot, is_new = self._slot(call, position)
            name = call.function.name or None
            if name and slot in self._named_slots:
                name = None  # a repeated name would be concatenated when chunks merge
            elif name:
                self._named_slots.add(slot)
            chunks.append(
                tool_call_chunk(
                    name=name,
                    args=_arguments_text(call.function.arguments),
                    id=self._slot_ids[slot] if is_new else None,
                    index=slot,
                )
            )
        return chunks

    # ------------------------------------------------------------------------------------------ streams

    def metadata(self, *, model: str, finish_reason: str | None, reply_id: str) -> dict[str, Any]:
        return {
            "model_name": model or self.requested_model,
            "finish_reason": finish_reason,
            "id": reply_id,
            "model_provider": MODEL_PROVIDER,
        }

    def chunk(self, event: CompletionChunk) -> AIMessageChunk | None:
        """One stream chunk → an ``AIMessageChunk``, or ``None`` when it carries nothing."""
        self._reply_id = self._reply_id or event.id
        choice = event.choices[0] if event.choices else None
        content: str | list[Block] = ""
        chunks: list[ToolCallChunk] = []
        finish_reason = None
        if choice is not None:
            content = self.content(choice.delta.content)
            chunks = self.tool_call_chunks(choice.delta.tool_calls)
            # A merged read may hold several pieces of one block or one call: merge them exactly as LangChain
            # merges consecutive chunks, so the result equals a per-event stream's aggregate.
            if isinstance(content, list) and len(content) > 1:
                content = merge_lists([], content) or []
            if len(chunks) > 1:
                chunks = merge_lists([], chunks) or []
            finish_reason = choice.finish_reason
        usage = None
        if event.usage is not None and not self._usage_sent:
            usage = usage_metadata(event.usage)
            self._usage_sent = True
        if not content and not chunks and usage is None and finish_reason is None:
            return None
        metadata: dict[str, Any] = {"model_provider": MODEL_PROVIDER}
        if finish_reason is not None:
            metadata = self.metadata(model=event.model, finish_reason=finish_reason, reply_id=self._reply_id)
        return AIMessageChunk(
            content=content,
            tool_call_chunks=chunks,
            usage_metadata=usage,
            response_metadata=metadata,
            id=self._reply_id or None,
        )


def message_from_response(response: ChatCompletionResponse, requested_model: str) -> AIMessage:
    """A whole chat (or agent) completion → ``AIMessage``, equal to what streaming it would aggregate to."""
    mapper = ReplyMapper(requested_model, reply_id=response.id)
    choice = response.choices[0] if response.choices else None
    content: str | list[Any] = ""
    tool_calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    finish_reason = None
    if choice is not None:
        converted = mapper.content(choice.message.content)
        if isinstance(converted, list):
            converted = merge_lists([], converted) or []  # the blocks a stream of this reply would merge into
        content = converted
        for chunk in mapper.tool_call_chunks(choice.message.tool_calls):
            slot = chunk["index"] or 0
            parsed = parse_tool_call_text(chunk["name"] or "", chunk["args"] or "", mapper.call_id(slot))
            (tool_calls if parsed.get("type") == "tool_call" else invalid).append(parsed)  # type: ignore[arg-type]
        finish_reason = choice.finish_reason
    return AIMessage(
        content=content,
        tool_calls=tool_calls,
        invalid_tool_calls=invalid,
        usage_metadata=usage_metadata(response.usage),
        response_metadata=mapper.metadata(model=response.model, finish_reason=finish_reason, reply_id=response.id),
        id=response.id or None,
    )
