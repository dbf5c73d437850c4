"""Mistral replies → LlamaIndex responses: one mapping for plain replies and one accumulator for streams.

Conventions (what LlamaIndex core reads):

* ``message.blocks`` = ``[ThinkingBlock?, TextBlock?, ToolCallBlock*]``: one cumulative ``TextBlock`` per message
  (present unless the reply is tool calls only), reasoning kept apart in a ``ThinkingBlock``.
* ``delta`` = the new text of a stream chunk; ``additional_kwargs["thinking_delta"]`` = its new reasoning.
* ``raw`` is a plain dict (the Mistral JSON); ``raw["usage"]`` and ``additional_kwargs`` carry
  ``prompt_tokens``/``completion_tokens``/``total_tokens`` (on the final chunk of a stream), so
  ``TokenCountingHandler`` counts.
* ``reference`` chunks (citations) are collected into ``additional_kwargs["reference_ids"]``.
* Tool calls are ``ToolCallBlock``s; ``message.additional_kwargs["tool_calls"]`` repeats them as plain dicts for core
  helpers that read only that key (streamed structured output). Both always hold the same calls.

The stream accumulator keeps running strings and a cached tool-call block list, so each event costs a constant
number of small objects (no re-scan of earlier chunks, no growing block lists).
"""

from __future__ import annotations

import json
import re
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from mistral_lca.types.chat import (
    ChatCompletionResponse,
    CompletionEvent,
    ReferenceChunk,
    TextChunk,
    ThinkChunk,
    ToolCall,
    UsageInfo,
)

__all__ = [
    "StreamAccumulator",
    "split_content",
    "to_chat_response",
    "to_completion_response",
    "tool_call_dicts",
    "usage_counts",
]

_THINK_RE = re.compile(r"^\s*<think>\n?(.*?)\n?</think>\n?", re.DOTALL)


def usage_counts(usage: UsageInfo | None) -> dict[str, int]:
    """The OpenAI-style token counts LlamaIndex handlers look for."""
    if usage is None:
        return {}
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def split_content(content: Any) -> tuple[str, str, list[int | str]]:
    """(text, thinking, reference ids) of a message or delta ``content``: ``str``, chunk list or ``None``."""
    if content is None:
        return "", "", []
    if isinstance(content, str):
        return content, "", []
    text: list[str] = []
    thinking: list[str] = []
    references: list[int | str] = []
    for chunk in content:
        if isinstance(chunk, TextChunk):
            text.append(chunk.text)
        elif isinstance(chunk, ThinkChunk):
            thinking.append(chunk.text)
            references.extend(r for c in chunk.thinking if isinstance(c, ReferenceChunk) for r in c.reference_ids)
        elif isinstance(chunk, ReferenceChunk):
            references.extend(chunk.reference_ids)
        # Other chunk types (images, documents, unknown future types) carry no reply text.
    return "".join(text), "".join(thinking), references


def _tool_block(call: ToolCall) -> ToolCallBlock:
    return ToolCallBlock(tool_call_id=call.id, tool_name=call.function.name, tool_kwargs=call.function.arguments)


def tool_call_dicts(tool_blocks: list[ToolCallBlock]) -> list[dict[str, Any]]:
    """The calls in the OpenAI/Mistral dict form that core helpers read from ``additional_kwargs["tool_calls"]``."""
    return [
        {
            "id": block.tool_call_id,
            "type": "function",
            "function": {
                "name": block.tool_name,
                "arguments": block.tool_kwargs if isinstance(block.tool_kwargs, str) else json.dumps(block.tool_kwargs),
            },
        }
        for block in tool_blocks
    ]


def _message(
    text: str, thinking: str, tool_blocks: list[ToolCallBlock], tool_dicts: list[dict[str, Any]] | None = None
) -> ChatMessage:
    blocks: list[Any] = []
    if thinking:
        blocks.append(ThinkingBlock(content=thinking))
    if text or not tool_blocks:
        blocks.append(TextBlock(text=text))
    blocks.extend(tool_blocks)
    extra: dict[str, Any] = {}
    if tool_blocks:
        # A copy of the ToolCallBlocks for core code that only reads this key (streamed structured output).
        # Converters use the blocks; this list is never sent back when blocks are present.
        extra["tool_calls"] = list(tool_dicts if tool_dicts is not None else tool_call_dicts(tool_blocks))
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)


def to_chat_response(response: ChatCompletionResponse, *, single_tool_call: bool = False) -> ChatResponse:
    """A whole chat completion → ``ChatResponse`` (the first choice)."""
    choice = response.choices[0] if response.choices else None
    text, thinking, references = split_content(choice.message.content if choice else None)
    if not thinking and text.lstrip().startswith("<think>"):
        match = _THINK_RE.match(text)
        if match:
            thinking, text = match.group(1), text[match.end() :]
    calls = (choice.message.tool_calls or []) if choice else []
    if single_tool_call:
        calls = calls[:1]
    tool_blocks = [_tool_block(call) for call in calls]
    extra: dict[str, Any] = usage_counts(response.usage)
    if references:
        extra["reference_ids"] = references
    raw = response.model_dump(mode="json", exclude_none=True)
    if single_tool_call and choice and choice.message.tool_calls and len(choice.message.tool_calls) > 1:
        raw["choices"][0]["message"]["tool_calls"] = raw["choices"][0]["message"]["tool_calls"][:1]
    return ChatResponse(
        message=_message(text, thinking, tool_blocks),
        raw=raw,
        additional_kwargs=extra,
    )


def to_completion_response(response: ChatCompletionResponse) -> CompletionResponse:
    """A whole completion (FIM, or chat used as completion) → ``CompletionResponse``."""
    chat = to_chat_response(response)
    return CompletionResponse(
        text=chat.message.content or "", raw=chat.raw, additional_kwargs=dict(chat.additional_kwargs)
    )


class _PendingCall:
    __slots__ = ("arguments", "block", "call_id", "index", "name")

    def __init__(self, call: ToolCall) -> None:
        self.call_id = call.id
        self.index = call.index
        self.name = call.function.name
        self.arguments: list[str] | dict[str, Any] = (
            [call.function.arguments] if isinstance(call.function.arguments, str) else call.function.arguments
        )
        self.block: ToolCallBlock | None = None

    def extend(self, call: ToolCall) -> None:
        if call.function.name and not self.name:
            self.name = call.function.name
        if isinstance(call.function.arguments, str) and isinstance(self.arguments, list):
            self.arguments.append(call.function.arguments)
        elif isinstance(call.function.arguments, dict) and call.function.arguments:
            self.arguments = call.function.arguments
        self.block = None

    def to_block(self) -> ToolCallBlock:
        if self.block is None:
            args = "".join(self.arguments) if isinstance(self.arguments, list) else self.arguments
            self.block = ToolCallBlock(tool_call_id=self.call_id, tool_name=self.name, tool_kwargs=args)
        return self.block


class StreamAccumulator:
    """Folds stream events into cumulative responses; one instance per stream, shared by sync and async code.

    ``add`` returns the ``ChatResponse`` for an event. Mistral sends each tool call whole in one chunk; OpenAI-style
    fragments (same ``index``, no ``id``) are still merged. With ``single_tool_call`` only the first call is kept.
    """

    __slots__ = (
        "_calls",
        "_references",
        "_single",
        "_text",
        "_thinking",
        "_tool_blocks",
        "_tool_dicts",
        "usage",
    )

    def __init__(self, *, single_tool_call: bool = False) -> None:
        self._single = single_tool_call
        self._text = ""
        self._thinking = ""
        self._calls: list[_PendingCall] = []
        self._tool_blocks: list[ToolCallBlock] = []
        self._tool_dicts: list[dict[str, Any]] = []
        self._references: list[int | str] = []
        self.usage: dict[str, int] = {}

    @property
    def text(self) -> str:
        return self._text

    def _add_calls(self, calls: list[ToolCall]) -> None:
        for call in calls:
            target: _PendingCall | None = None
            for pending in self._calls:
                if (call.id and pending.call_id == call.id) or (
                    not call.id and call.index is not None and pending.index == call.index
                ):
                    target = pending
                    break
            if target is not None:
                target.extend(call)
            elif not (self._single and self._calls):
                self._calls.append(_PendingCall(call))
        self._tool_blocks = [pending.to_block() for pending in self._calls]
        self._tool_dicts = tool_call_dicts(self._tool_blocks)

    def add(self, event: CompletionEvent) -> ChatResponse:
        chunk = event.data
        choice = chunk.choices[0] if chunk.choices else None
        delta_text = ""
        delta_thinking = ""
        if choice is not None:
            delta = choice.delta
            if delta.content:
                delta_text, delta_thinking, references = split_content(delta.content)
                if delta_text:
                    self._text += delta_text
                if delta_thinking:
                    self._thinking += delta_thinking
                if references:
                    self._references.extend(references)
            if delta.tool_calls:
                self._add_calls(delta.tool_calls)
        extra: dict[str, Any] = {}
        if delta_thinking:
            extra["thinking_delta"] = delta_thinking
        if chunk.usage is not None:
            self.usage = usage_counts(chunk.usage)
            extra.update(self.usage)
        if self._references:
            extra["reference_ids"] = list(self._references)
        raw = chunk.model_dump(mode="json", exclude_none=True)
        if self._single and choice is not None and choice.delta.tool_calls and len(self._calls) == 1:
            raw_calls = raw["choices"][0]["delta"].get("tool_calls")
            if raw_calls and len(raw_calls) > 1:
                raw["choices"][0]["delta"]["tool_calls"] = raw_calls[:1]
        return ChatResponse(
            message=_message(self._text, self._thinking, self._tool_blocks, self._tool_dicts),
            delta=delta_text,
            raw=raw,
            additional_kwargs=extra,
        )

    def add_completion(self, event: CompletionEvent) -> CompletionResponse:
        """The same fold, as a ``CompletionResponse`` (FIM streams)."""
        chat = self.add(event)
        return CompletionResponse(
            text=self._text, delta=chat.delta, raw=chat.raw, additional_kwargs=chat.additional_kwargs
        )
