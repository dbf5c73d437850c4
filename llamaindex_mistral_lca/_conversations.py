"""Conversation turns → LlamaIndex responses, from the shared fold (:mod:`mistral_lca.conversation_fold`).

Follows ``OpenAIResponses`` (llama-index-llms-openai):

* ``message.blocks`` = ``[ThinkingBlock?, TextBlock?, ImageBlock*, ToolCallBlock*]``: the reply text in one
  cumulative ``TextBlock``, images a built-in tool made (``image_generation``) as ``ImageBlock`` with their
  bytes (downloaded through the same client: ``ImageBlock`` cannot hold a file id);
* ``additional_kwargs["built_in_tool_calls"]``: the built-in tool runs, as the ``tool.execution`` entries
  Mistral sent (``id``, ``name``, ``arguments``, ``info``);
* ``additional_kwargs["annotations"]``: the citations (``type: "citation"``, ``url``, ``title``, ``tool``,
  ``source``, ``favicon``, ``description``, ``start_index``/``end_index`` into ``message.content``);
* ``additional_kwargs["files"]``: every file a tool made (``file_id``, ``file_name``, ``file_type``, ``tool``);
* ``conversation_id`` in ``additional_kwargs`` of the response and of the message (so a history knows which
  reply came from which conversation); token counts as for chat (``prompt_tokens`` ...), on the final event;
* streams: ``delta`` = the new text, ``additional_kwargs["thinking_delta"]`` = the new thinking.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from mistral_lca.conversation_fold import ConversationFold, fold_response
from mistral_lca.conversation_parts import FilePart, FoldDelta, TextPart, ThinkingPart, ToolExecutionPart
from mistral_lca.types.conversations import ConversationEvent, ConversationResponse

from ._responses import tool_call_dicts

__all__ = ["ConversationReader", "reply_conversation_id"]


def reply_conversation_id(message: ChatMessage) -> str | None:
    """The conversation an assistant message came from, else ``None``."""
    value = message.additional_kwargs.get("conversation_id") if message.role == MessageRole.ASSISTANT else None
    return value if isinstance(value, str) and value else None


class ConversationReader:
    """One turn: folds its events and builds the cumulative ``ChatResponse`` after each of them.

    What the response repeats (text, thinking, annotations, tool runs, files, tool-call blocks) is kept up to
    date from each delta, so an event costs the same at the end of a long stream as at its start.
    """

    __slots__ = (
        "_annotations",
        "_calls",
        "_files",
        "_images",
        "_runs",
        "_single",
        "_text",
        "_thinking",
        "fold",
    )

    def __init__(self, *, single_tool_call: bool = False) -> None:
        self.fold = ConversationFold()
        self._single = single_tool_call
        self._images: dict[str, bytes] = {}
        self._text = ""
        self._thinking = ""
        self._annotations: list[dict[str, Any]] = []
        self._runs: list[dict[str, Any]] = []
        self._files: list[FilePart] = []
        self._calls: list[ToolCallBlock] = []

    def add(self, events: list[ConversationEvent]) -> FoldDelta:
        """Fold the next event(s) of a stream."""
        return self._absorb(self.fold.add(events))

    def whole(self, response: ConversationResponse) -> FoldDelta:
        """Fold a whole answer (as the stream of it would be folded)."""
        self.fold, delta = fold_response(response)
        return self._absorb(delta)

    def _absorb(self, delta: FoldDelta) -> FoldDelta:
        for part in delta.parts.values():
            if isinstance(part, TextPart):
                self._text += part.text
                self._annotations.extend(
                    {
                        "type": "citation",
                        **c.fields(),
                        "start_index": part.offset + c.start_index,
                        "end_index": part.offset + c.end_index,
                    }
                    for c in part.citations
                )
            elif isinstance(part, ThinkingPart):
                self._thinking += part.text
            elif isinstance(part, ToolExecutionPart):
                self._runs.append(part.entry())
            elif isinstance(part, FilePart):
                self._files.append(part)
        if delta.calls:
            calls = self.fold.function_calls[:1] if self._single else self.fold.function_calls
            self._calls = [
                ToolCallBlock(tool_call_id=c.tool_call_id, tool_name=c.name, tool_kwargs=c.arguments) for c in calls
            ]
        return delta

    def missing_images(self) -> list[FilePart]:
        """Images the reply shows whose bytes are not fetched yet (the adapter downloads them)."""
        return [part for part in self._files if part.is_image and part.file_id not in self._images]

    def add_image(self, file_id: str, data: bytes) -> None:
        self._images[file_id] = data

    def _message(self) -> ChatMessage:
        blocks: list[Any] = []
        if self._thinking:
            blocks.append(ThinkingBlock(content=self._thinking))
        if self._text or not self._calls:
            blocks.append(TextBlock(text=self._text))
        for part in self._files:
            if part.file_id in self._images:
                blocks.append(ImageBlock(image=self._images[part.file_id], image_mimetype=part.mime_type))
        blocks.extend(self._calls)
        extra: dict[str, Any] = {}
        if self._calls:
            extra["tool_calls"] = tool_call_dicts(self._calls)
        if self.fold.conversation_id:
            extra["conversation_id"] = self.fold.conversation_id
        return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)

    def _extra(self, delta: FoldDelta) -> dict[str, Any]:
        extra: dict[str, Any] = {"built_in_tool_calls": list(self._runs)}
        if self._annotations:
            extra["annotations"] = list(self._annotations)
        if self._files:
            extra["files"] = [part.fields() for part in self._files]
        if self.fold.conversation_id:
            extra["conversation_id"] = self.fold.conversation_id
        if delta.thinking:
            extra["thinking_delta"] = delta.thinking
        usage = self.fold.usage
        if usage is not None:
            extra.update(
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                total_tokens=usage.total_tokens,
            )
        return extra

    def response(self, delta: FoldDelta, raw: dict[str, Any], *, streaming: bool) -> ChatResponse:
        """The cumulative response after ``delta`` (``delta`` text set for streams only)."""
        return ChatResponse(
            message=self._message(),
            delta=delta.text if streaming else None,
            raw=raw,
            additional_kwargs=self._extra(delta),
        )
