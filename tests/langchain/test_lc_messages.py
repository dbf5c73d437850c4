"""LangChain messages and content blocks → Mistral messages (pure conversion, no network)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, ChatMessage, FunctionMessage, HumanMessage, SystemMessage, ToolMessage
from lc_support import assert_messages_conform

from langchain_mistral_lca._messages import convert_content, convert_messages
from mistral_lca import InvalidRequestError

PNG = "iVBORw0KGgo="
PDF = "JVBERi0xLjQ="
WAV = "UklGRiQAAABXQVZF"


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        # LangChain v1 standard blocks
        ({"type": "image", "url": "https://x/cat.png"}, {"type": "image_url", "image_url": "https://x/cat.png"}),
        (
            {"type": "image", "base64": PNG, "mime_type": "image/png"},
            {"type": "image_url", "image_url": f"data:image/png;base64,{PNG}"},
        ),
        ({"type": "image", "file_id": "f-1"}, {"type": "file", "file_id": "f-1"}),
        (
            {"type": "file", "base64": PDF, "mime_type": "application/pdf", "filename": "a.pdf"},
            {"type": "document_url", "document_url": f"data:application/pdf;base64,{PDF}", "document_name": "a.pdf"},
        ),
        ({"type": "file", "url": "https://x/a.pdf"}, {"type": "document_url", "document_url": "https://x/a.pdf"}),
        ({"type": "file", "file_id": "f-2"}, {"type": "file", "file_id": "f-2"}),
        ({"type": "audio", "base64": WAV, "mime_type": "audio/wav"}, {"type": "input_audio", "input_audio": WAV}),
        # LangChain v0 data blocks
        (
            {"type": "image", "source_type": "base64", "data": PNG, "mime_type": "image/jpeg"},
            {"type": "image_url", "image_url": f"data:image/jpeg;base64,{PNG}"},
        ),
        (
            {"type": "file", "source_type": "url", "url": "https://x/b.pdf"},
            {"type": "document_url", "document_url": "https://x/b.pdf"},
        ),
        # OpenAI chat-completions blocks
        (
            {"type": "image_url", "image_url": {"url": "https://x/c.png"}},
            {"type": "image_url", "image_url": "https://x/c.png"},
        ),
        (
            {"type": "image_url", "image_url": {"url": "https://x/c.png", "detail": "high"}},
            {"type": "image_url", "image_url": {"url": "https://x/c.png", "detail": "high"}},
        ),
        (
            {"type": "file", "file": {"filename": "d.pdf", "file_data": f"data:application/pdf;base64,{PDF}"}},
            {"type": "document_url", "document_url": f"data:application/pdf;base64,{PDF}", "document_name": "d.pdf"},
        ),
        (
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
            {"type": "input_audio", "input_audio": WAV},
        ),
        # Mistral's own chunks pass through
        (
            {"type": "document_url", "document_url": "https://x/e.pdf"},
            {"type": "document_url", "document_url": "https://x/e.pdf"},
        ),
        ({"type": "input_audio", "input_audio": WAV}, {"type": "input_audio", "input_audio": WAV}),
    ],
)
def test_content_blocks_convert_to_mistral_chunks(block: dict[str, Any], expected: dict[str, Any]) -> None:
    content = convert_content([{"type": "text", "text": "Look:", "id": "lc_1"}, block])
    assert content == [{"type": "text", "text": "Look:"}, expected]
    assert_messages_conform([{"role": "user", "content": content}])


def test_text_only_lists_collapse_to_a_string() -> None:
    assert convert_content(["a", {"type": "text", "text": "b", "annotations": []}]) == "ab"
    assert convert_content("plain") == "plain"


def test_unsupported_blocks_raise_a_clear_error() -> None:
    with pytest.raises(ValueError, match="video"):
        convert_content([{"type": "video", "url": "https://x/v.mp4"}])
    with pytest.raises(ValueError, match="url, base64 data or a file_id"):
        convert_content([{"type": "image", "source_type": "url"}])


def test_messages_carry_no_fields_the_api_rejects() -> None:
    messages = convert_messages(
        [
            SystemMessage([{"type": "text", "text": "You are terse."}]),
            HumanMessage("hello", name="example_user", id="m1"),
            AIMessage(
                [
                    {"type": "reasoning", "reasoning": "greet", "extras": {"signature": "sig"}},
                    {"type": "text", "text": "Hi!", "annotations": [{"type": "citation"}], "index": 1},
                ],
                name="bot",
            ),
            HumanMessage("bye"),
            ChatMessage(role="assistant", content="Bye"),
        ]
    )
    assert messages == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "hello"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": [{"type": "text", "text": "greet"}], "signature": "sig"},
                {"type": "text", "text": "Hi!"},
            ],
        },
        {"role": "user", "content": "bye"},
        {"role": "assistant", "content": "Bye", "prefix": True},
    ]
    assert_messages_conform(messages)


def test_tool_use_blocks_and_invalid_tool_calls_in_history() -> None:
    ai = AIMessage(
        [{"type": "text", "text": "some text"}, {"type": "tool_use", "id": "abc123", "name": "add", "input": {"a": 1}}],
        tool_calls=[{"name": "add", "args": {"a": 1}, "id": "abc123"}],
        invalid_tool_calls=[
            {"name": "sub", "args": "{oops", "id": "def456", "error": None, "type": "invalid_tool_call"}
        ],
    )
    messages = convert_messages(
        [
            HumanMessage("calc"),
            ai,
            ToolMessage([{"type": "text", "text": "1"}], tool_call_id="abc123"),
            ToolMessage("error", tool_call_id="def456"),
        ]
    )
    assert_messages_conform(messages)
    calls = messages[1]["tool_calls"]
    assert [c["function"] for c in calls] == [
        {"name": "add", "arguments": '{"a": 1}'},
        {"name": "sub", "arguments": "{oops"},
    ]
    assert [m["tool_call_id"] for m in messages[2:]] == [c["id"] for c in calls]
    assert messages[2]["content"] == "1"


def test_unknown_roles_are_rejected() -> None:
    with pytest.raises(ValueError, match="critic"):
        convert_messages([ChatMessage(role="critic", content="x")])
    with pytest.raises(ValueError, match="FunctionMessage"):
        convert_messages([FunctionMessage(name="f", content="x")])


@pytest.mark.parametrize(
    "block",
    [{"type": "text", "text": 5}, {"type": "text", "text": None}, {"type": "text-plain", "text": ["a"]}],
)
def test_a_non_string_text_block_is_an_invalid_request_naming_message_and_block(block: dict[str, Any]) -> None:
    history = [SystemMessage("Be brief."), HumanMessage(content=["fine", block])]
    with pytest.raises(InvalidRequestError, match=r"messages\[1\] \(HumanMessage\): content block 1 .*'text'") as info:
        convert_messages(history)
    assert isinstance(info.value, ValueError)
    assert repr(block)[:20] in str(info.value)


def test_a_huge_bad_block_is_shortened_in_the_error() -> None:
    with pytest.raises(InvalidRequestError) as info:
        convert_messages([HumanMessage(content=[{"type": "text", "text": 1, "pad": "x" * 10_000}])])
    assert len(str(info.value)) < 300


def test_id_less_tool_calls_and_results_pair_by_order() -> None:
    history = [
        HumanMessage("Weather in Paris and Oslo?"),
        AIMessage(
            content="",
            tool_calls=[
                {"name": "weather", "args": {"city": "Paris"}, "id": None},
                {"name": "weather", "args": {"city": "Oslo"}, "id": None},
            ],
            invalid_tool_calls=[{"name": "weather", "args": "{bad", "id": None, "error": None}],
        ),
        ToolMessage("18C", tool_call_id=""),
        ToolMessage("4C", tool_call_id=""),
        ToolMessage("error", tool_call_id=""),
        AIMessage(content="", tool_calls=[{"name": "weather", "args": {"city": "Rome"}, "id": "call_abc"}]),
        ToolMessage("25C", tool_call_id="call_abc"),
    ]
    first = convert_messages(history)
    assert_messages_conform(first)
    call_ids = [call["id"] for call in first[1]["tool_calls"]]
    assert len(set(call_ids)) == 3
    assert [m["tool_call_id"] for m in first[2:5]] == call_ids  # the n-th id-less result answers the n-th call
    assert first[5]["tool_calls"][0]["id"] == first[6]["tool_call_id"]
    assert convert_messages(history) == first  # deterministic: the same history gives the same request


def test_an_id_less_result_without_a_pending_call_keeps_a_stable_id() -> None:
    messages = convert_messages([HumanMessage("hi"), ToolMessage("orphan", tool_call_id="")])
    assert messages == convert_messages([HumanMessage("hi"), ToolMessage("orphan", tool_call_id="")])
    assert len(messages[1]["tool_call_id"]) == 9
