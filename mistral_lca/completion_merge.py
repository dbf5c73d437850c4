"""Merging consecutive chat/FIM stream chunks into one, as if the server had sent them as a single delta.

Streams are handed over per network read (``Stream.batches()``); when a proxy delivers many events at once (the
LowCodeAPI proxy may buffer a whole stream), an adapter can turn each read into one framework chunk instead of
paying the framework's per-chunk cost thousands of times. Pure functions; the merged chunk carries exactly the
text, reasoning, tool calls, finish reason and usage of its parts, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .types.chat import (
    CompletionChunk,
    CompletionResponseStreamChoice,
    DeltaMessage,
    TextChunk,
    ThinkChunk,
)

__all__ = ["merge_completion_chunks", "merge_content"]


def _coalesce(parts: list[Any]) -> list[Any]:
    """Adjacent text chunks become one, and so do adjacent thinking chunks (one content block per run)."""
    out: list[Any] = []
    for part in parts:
        last = out[-1] if out else None
        if isinstance(part, TextChunk) and isinstance(last, TextChunk):
            out[-1] = TextChunk(text=last.text + part.text)
        elif isinstance(part, ThinkChunk) and isinstance(last, ThinkChunk):
            out[-1] = ThinkChunk(
                thinking=_coalesce([*last.thinking, *part.thinking]),
                signature=part.signature or last.signature,
                closed=part.closed if part.closed is not None else last.closed,
            )
        else:
            out.append(part)
    return out


def merge_content(contents: Sequence[str | list[Any] | None]) -> str | list[Any] | None:
    """The content of several consecutive deltas as one: a string when all were strings, else chunk lists."""
    present = [c for c in contents if c]
    if not present:
        return contents[-1] if contents else None
    if all(isinstance(c, str) for c in present):
        return "".join(present)  # type: ignore[arg-type]
    parts: list[Any] = []
    for content in present:
        if isinstance(content, str):
            parts.append(TextChunk(text=content))
        else:
            parts.extend(content)
    return _coalesce(parts)


def _merge_choices(choices: list[CompletionResponseStreamChoice]) -> CompletionResponseStreamChoice:
    if len(choices) == 1:
        return choices[0]
    tool_calls = [call for c in choices for call in (c.delta.tool_calls or ())]
    role = next((c.delta.role for c in choices if c.delta.role), None)
    finish = next((c.finish_reason for c in reversed(choices) if c.finish_reason), None)
    delta = DeltaMessage(
        role=role,
        content=merge_content([c.delta.content for c in choices]),
        tool_calls=tool_calls or None,
    )
    return CompletionResponseStreamChoice(index=choices[0].index, delta=delta, finish_reason=finish)


def merge_completion_chunks(chunks: Sequence[CompletionChunk]) -> CompletionChunk:
    """One chunk equivalent to ``chunks`` in order (choices merged per index; the last usage and model win)."""
    if len(chunks) == 1:
        return chunks[0]
    if not chunks:
        raise ValueError("merge_completion_chunks needs at least one chunk")
    by_index: dict[int, list[CompletionResponseStreamChoice]] = {}
    for chunk in chunks:
        for choice in chunk.choices:
            by_index.setdefault(choice.index, []).append(choice)
    first = chunks[0]
    return CompletionChunk(
        id=next((c.id for c in chunks if c.id), ""),
        object=first.object,
        created=first.created,
        model=next((c.model for c in reversed(chunks) if c.model), ""),
        usage=next((c.usage for c in reversed(chunks) if c.usage is not None), None),
        choices=[_merge_choices(group) for group in by_index.values()],
    )
