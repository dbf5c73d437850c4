"""Merging stream chunks: the merged chunk says exactly what its parts said, in order."""

from __future__ import annotations

from typing import Any

import pytest
from core_support import chunk

from mistral_lca.completion_merge import merge_completion_chunks, merge_content
from mistral_lca.types.chat import CompletionChunk, TextChunk, ThinkChunk


def parse(*raw: dict[str, Any]) -> list[CompletionChunk]:
    return [CompletionChunk.model_validate(r) for r in raw]


def test_single_chunk_is_returned_as_is() -> None:
    only = parse(chunk("a"))
    assert merge_completion_chunks(only) is only[0]


def test_text_role_finish_and_usage_merge_in_order() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    merged = merge_completion_chunks(
        parse(chunk("", role="assistant"), chunk("Hel"), chunk(None), chunk("lo", finish="stop", usage=usage))
    )
    choice = merged.choices[0]
    assert (choice.delta.role, choice.delta.content, choice.finish_reason) == ("assistant", "Hello", "stop")
    assert merged.usage is not None
    assert merged.usage.total_tokens == 5
    assert merged.id == "s1"


def test_reasoning_then_text_keeps_one_block_per_run() -> None:
    merged = merge_completion_chunks(
        parse(
            chunk([{"type": "thinking", "thinking": [{"type": "text", "text": "Let me "}]}], role="assistant"),
            chunk([{"type": "thinking", "thinking": [{"type": "text", "text": "think"}], "closed": True}]),
            chunk([{"type": "text", "text": "4"}]),
            chunk("2"),
        )
    )
    content = merged.choices[0].delta.content
    assert isinstance(content, list)
    assert [type(c) for c in content] == [ThinkChunk, TextChunk]
    assert content[0].text == "Let me think"
    assert content[0].closed is True
    assert content[1].text == "42"


def test_tool_calls_are_concatenated() -> None:
    first = chunk(None)
    first["choices"][0]["delta"] = {
        "tool_calls": [{"id": "aaaaaaaaa", "function": {"name": "f", "arguments": "{}"}, "index": 0}]
    }
    second = chunk(None, finish="tool_calls")
    second["choices"][0]["delta"] = {
        "tool_calls": [{"id": "bbbbbbbbb", "function": {"name": "g", "arguments": "{}"}, "index": 1}]
    }
    merged = merge_completion_chunks(parse(first, second))
    calls = merged.choices[0].delta.tool_calls
    assert calls is not None
    assert [c.id for c in calls] == ["aaaaaaaaa", "bbbbbbbbb"]
    assert merged.choices[0].finish_reason == "tool_calls"


def test_merge_content_edge_cases() -> None:
    assert merge_content([None, ""]) == ""
    assert merge_content([]) is None
    with pytest.raises(ValueError, match="at least one"):
        merge_completion_chunks([])
