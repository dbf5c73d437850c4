"""One conversation turn, folded: a whole answer or its event stream → reply text, parts, calls and usage.

Both framework adapters read conversation turns through :class:`ConversationFold`, and a whole
:class:`~mistral_lca.types.conversations.ConversationResponse` is folded exactly like a stream that arrived
at once (:func:`fold_response` turns it into the events a stream of it carries). So the message built from
``invoke``/``chat`` equals the one a stream aggregates to.

A turn becomes, in order of arrival (the types live in :mod:`mistral_lca.conversation_parts`):

* **parts** — :class:`TextPart` (text with :class:`Citation` s taken from ``tool_reference`` chunks),
  :class:`ThinkingPart`, :class:`FilePart` (``tool_file`` chunks: images from ``image_generation``, files from
  ``code_interpreter``), :class:`ToolExecutionPart` (a built-in tool run: name, arguments and its ``info``)
  and :class:`OtherPart` (any other chunk, kept as received);
* **function calls** (:class:`FunctionCall`) for client-side tools, answered with ``function.result`` entries;
* **handoffs**, ``usage``, ``conversation_id``, the serving ``model`` / ``agent_id``.

**Citations.** Mistral puts a ``tool_reference`` chunk right after the text it supports. A citation spans
that text: from the end of the previous citation's span (or the start of the part) to the current end of the
part; several references in a row share one span. ``start_index``/``end_index`` count characters of the
part's text; add :attr:`TextPart.offset` for indexes into the whole reply text (all text parts joined).

**Deltas.** :meth:`ConversationFold.add` takes the events of one network read and returns a
:class:`FoldDelta`: for each part touched, what it gained (text parts: the new text and new citations;
other parts: the whole part, once complete), the new pieces of function calls, and usage on the final
event. Text only ever grows at the end of the reply, so concatenating every delta's text gives the reply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._errors import StreamError
from ._secrets import redact
from .conversation_parts import (
    Citation,
    FilePart,
    FoldDelta,
    FunctionCall,
    OtherPart,
    Part,
    TextPart,
    ThinkingPart,
    ToolExecutionPart,
)
from .resources.conversations import response_to_events
from .tool_ids import to_mistral_tool_call_id
from .types.conversations import (
    AgentHandoffDoneEvent,
    AgentHandoffStartedEvent,
    ConversationContentChunk,
    ConversationEvent,
    ConversationResponse,
    ConversationResponseDoneEvent,
    ConversationResponseErrorEvent,
    ConversationResponseStartedEvent,
    ConversationUsageInfo,
    FunctionCallDeltaEvent,
    MessageOutputDeltaEvent,
    ToolExecutionDeltaEvent,
    ToolExecutionDoneEvent,
    ToolExecutionStartedEvent,
)

__all__ = ["ConversationFold", "fold_response"]

_REFERENCE_FIELDS = {"title", "url", "tool", "source", "favicon", "description"}


@dataclass(slots=True)
class _Citing:
    """Where the next citation of a text part starts, and the last span (shared by references in a row)."""

    start: int = 0
    last: tuple[int, int] | None = None


@dataclass(slots=True)
class _Seen:
    """What a touched part or call held before the current ``add``."""

    text: int
    citations: int
    signature: str | None = None


class ConversationFold:
    """Folds the events of one conversation turn; one instance per turn, shared by sync and async code."""

    __slots__ = (
        "_citing",
        "_entry_part",
        "_pending_tools",
        "_slot_by_key",
        "_text_length",
        "agent_id",
        "conversation_id",
        "done",
        "function_calls",
        "handoffs",
        "model",
        "parts",
        "usage",
    )

    def __init__(self) -> None:
        self.conversation_id: str | None = None
        self.parts: list[Part] = []
        self.function_calls: list[FunctionCall] = []
        self.handoffs: list[dict[str, Any]] = []
        self.usage: ConversationUsageInfo | None = None
        self.model: str | None = None
        self.agent_id: str | None = None
        self.done = False
        self._text_length = 0
        self._entry_part: dict[str, int] = {}
        self._citing: dict[int, _Citing] = {}
        self._pending_tools: dict[str, ToolExecutionPart] = {}
        self._slot_by_key: dict[str, int] = {}

    # ------------------------------------------------------------------------------------------ reading

    @property
    def text(self) -> str:
        """The reply text: every text part, joined."""
        return "".join(part.text for part in self.parts if isinstance(part, TextPart))

    @property
    def thinking(self) -> str:
        return "".join(part.text for part in self.parts if isinstance(part, ThinkingPart))

    @property
    def citations(self) -> list[Citation]:
        """Every citation, with indexes into the whole reply text."""
        return [
            Citation(c.start_index + part.offset, c.end_index + part.offset, **c.fields())
            for part in self.parts
            if isinstance(part, TextPart)
            for c in part.citations
        ]

    @property
    def tool_executions(self) -> list[ToolExecutionPart]:
        return [part for part in self.parts if isinstance(part, ToolExecutionPart)]

    @property
    def files(self) -> list[FilePart]:
        return [part for part in self.parts if isinstance(part, FilePart)]

    # ------------------------------------------------------------------------------------------ folding

    def add(self, events: Iterable[ConversationEvent]) -> FoldDelta:
        """Fold the events of one read; returns what they added. Raises :class:`~mistral_lca.StreamError`
        on a ``conversation.response.error`` event."""
        seen_parts: dict[int, _Seen] = {}
        seen_calls: dict[int, _Seen] = {}
        delta = FoldDelta()
        for event in events:
            self._event(event, delta, seen_parts, seen_calls)
        for index in sorted(seen_parts):
            delta.parts[index] = self._part_delta(index, seen_parts[index])
        for slot in sorted(seen_calls):
            call, before = self.function_calls[slot], seen_calls[slot]
            first = before.text < 0
            delta.calls[slot] = FunctionCall(
                call.tool_call_id if first else "", call.name if first else "", call.arguments[max(before.text, 0) :]
            )
        return delta

    def _event(
        self, event: ConversationEvent, delta: FoldDelta, parts: dict[int, _Seen], calls: dict[int, _Seen]
    ) -> None:
        if isinstance(event, MessageOutputDeltaEvent):
            self._serving(event.model, event.agent_id)
            key = _key(event.id, event.output_index)
            if isinstance(event.content, str):
                self._text(key, event.content, parts)
            else:
                for chunk in event.content:
                    self._chunk(key, chunk, parts)
        elif isinstance(event, FunctionCallDeltaEvent):
            self._serving(event.model, event.agent_id)
            self._call(event, calls)
        elif isinstance(event, ToolExecutionStartedEvent):
            self._serving(event.model, event.agent_id)
            key = _key(event.id, event.output_index)
            self._pending_tools[key] = ToolExecutionPart(
                event.id or key, event.name or "", event.arguments or "", info=None
            )
        elif isinstance(event, ToolExecutionDeltaEvent):
            pending = self._pending_tools.get(_key(event.id, event.output_index))
            if pending is not None:
                pending.arguments += event.arguments or ""
        elif isinstance(event, ToolExecutionDoneEvent):
            key = _key(event.id, event.output_index)
            tool = self._pending_tools.pop(key, None) or ToolExecutionPart(event.id or key, event.name or "")
            tool.name = tool.name or event.name or ""
            tool.info = event.info
            self._new_part(key, tool, parts)
        elif isinstance(event, AgentHandoffStartedEvent):
            self.handoffs.append(event.model_dump(exclude={"type", "created_at", "output_index"}, exclude_none=True))
        elif isinstance(event, AgentHandoffDoneEvent):
            self._handoff_done(event, delta)
        elif isinstance(event, ConversationResponseStartedEvent):
            if event.conversation_id and self.conversation_id is None:
                self.conversation_id = delta.conversation_id = event.conversation_id
        elif isinstance(event, ConversationResponseDoneEvent):
            for key, tool in list(self._pending_tools.items()):  # a run the stream never closed
                self._new_part(key, tool, parts)
            self._pending_tools.clear()
            self.usage = delta.usage = event.usage
            self.done = delta.done = True
        elif isinstance(event, ConversationResponseErrorEvent):
            code = f" (code {event.code})" if event.code is not None else ""
            raise StreamError(f"The conversation turn failed: {redact(event.message) or 'no message'}{code}")

    def _serving(self, model: str | None, agent_id: str | None) -> None:
        self.model = model or self.model
        self.agent_id = agent_id or self.agent_id

    def _handoff_done(self, event: AgentHandoffDoneEvent, delta: FoldDelta) -> None:
        done = event.model_dump(exclude={"type", "created_at", "output_index"}, exclude_none=True)
        for handoff in reversed(self.handoffs):
            if handoff.get("id") == event.id and "next_agent_id" not in handoff:
                handoff.update(done)
                break
        else:
            self.handoffs.append(done)
            handoff = done
        delta.handoffs.append(dict(handoff))

    # ----------------------------------------------------------------------------------------- parts

    def _touch(self, index: int, parts: dict[int, _Seen]) -> None:
        if index not in parts:
            part = self.parts[index]
            if isinstance(part, TextPart):
                parts[index] = _Seen(len(part.text), len(part.citations))
            elif isinstance(part, ThinkingPart):
                parts[index] = _Seen(len(part.text), 0, part.signature)
            else:
                parts[index] = _Seen(0, 0)

    def _new_part(self, key: str, part: Part, parts: dict[int, _Seen]) -> int:
        index = len(self.parts)
        self.parts.append(part)
        self._entry_part[key] = index
        parts[index] = _Seen(0, 0)
        return index

    def _open(self, key: str, kind: type[TextPart] | type[ThinkingPart], parts: dict[int, _Seen]) -> int:
        """The entry's current part of ``kind`` if it is still the last part of the reply, else a new one."""
        index = self._entry_part.get(key)
        if index is not None and index == len(self.parts) - 1 and type(self.parts[index]) is kind:
            self._touch(index, parts)
            return index
        part: Part = TextPart(offset=self._text_length) if kind is TextPart else ThinkingPart()
        return self._new_part(key, part, parts)

    def _text(self, key: str, text: str, parts: dict[int, _Seen]) -> None:
        if not text:
            return
        part = self.parts[self._open(key, TextPart, parts)]
        assert isinstance(part, TextPart)
        part.text += text
        self._text_length += len(text)

    def _chunk(self, key: str, chunk: ConversationContentChunk, parts: dict[int, _Seen]) -> None:
        kind = chunk.type
        if kind in (None, "text"):
            self._text(key, chunk.text or "", parts)
        elif kind == "tool_reference":
            self._cite(key, chunk, parts)
        elif kind == "thinking":
            text = "".join(c.text or "" for c in chunk.thinking or () if c.type in (None, "text"))
            if text or chunk.signature:
                part = self.parts[self._open(key, ThinkingPart, parts)]
                assert isinstance(part, ThinkingPart)
                part.text += text
                part.signature = chunk.signature or part.signature
        elif kind == "tool_file" and chunk.file_id:
            self._new_part(key, FilePart(chunk.file_id, chunk.file_name, chunk.file_type, chunk.tool), parts)
        else:
            self._new_part(key, OtherPart(chunk.model_dump(mode="json", exclude_none=True)), parts)

    def _cite(self, key: str, chunk: ConversationContentChunk, parts: dict[int, _Seen]) -> None:
        index = self._entry_part.get(key)
        if index is None or not isinstance(self.parts[index], TextPart):
            index = self._new_part(key, TextPart(offset=self._text_length), parts)
        else:
            self._touch(index, parts)
        part = self.parts[index]
        assert isinstance(part, TextPart)
        citing = self._citing.setdefault(index, _Citing())
        end = len(part.text)
        if citing.last is not None and citing.last[1] == end:
            start, end = citing.last  # references in a row support the same text
        else:
            start = citing.start
        citing.start, citing.last = end, (start, end)
        part.citations.append(Citation(start, end, **chunk.model_dump(include=_REFERENCE_FIELDS)))

    def _part_delta(self, index: int, before: _Seen) -> Part:
        part = self.parts[index]
        if isinstance(part, TextPart):
            return TextPart(part.text[before.text :], list(part.citations[before.citations :]), part.offset)
        if isinstance(part, ThinkingPart):
            signature = part.signature if part.signature != before.signature else None
            return ThinkingPart(part.text[before.text :], signature)
        return part

    # ----------------------------------------------------------------------------------------- calls

    def _call(self, event: FunctionCallDeltaEvent, calls: dict[int, _Seen]) -> None:
        key = event.tool_call_id or _key(event.id, event.output_index)
        slot = self._slot_by_key.get(key)
        if slot is None:
            slot = len(self.function_calls)
            call_id = event.tool_call_id or to_mistral_tool_call_id(f"{self.conversation_id}:{key}")
            self.function_calls.append(FunctionCall(call_id, event.name or ""))
            self._slot_by_key[key] = slot
            calls.setdefault(slot, _Seen(-1, 0))
        else:
            calls.setdefault(slot, _Seen(len(self.function_calls[slot].arguments), 0))
        call = self.function_calls[slot]
        call.name = call.name or event.name or ""
        call.arguments += event.arguments


def _key(entry_id: str | None, output_index: int) -> str:
    return entry_id or f"#{output_index}"


def fold_response(response: ConversationResponse) -> tuple[ConversationFold, FoldDelta]:
    """A whole answer, folded as the stream of it would be: the fold and its single delta (everything)."""
    fold = ConversationFold()
    return fold, fold.add(response_to_events(response))
