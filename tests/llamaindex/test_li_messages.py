"""ChatMessage / content blocks → Mistral messages: every block type, roles, tool-call ids, prefix, no mutation."""

from __future__ import annotations

import base64
import copy
from pathlib import Path
from typing import Any

import pytest
from li_support import TOKEN, TOOL_ID_RE, Recorder, assert_chat_request_conforms, chat_result, transports
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from llamaindex_mistral_lca import MistralLCA
from llamaindex_mistral_lca._messages import to_mistral_messages

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 28


def test_text_only_messages_are_plain_strings() -> None:
    messages = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="developer", content="Also polite."),
        ChatMessage(role="user", content="Hi"),
    ]
    assert to_mistral_messages(messages) == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": "Also polite."},
        {"role": "user", "content": "Hi"},
    ]


def test_image_blocks_from_url_path_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    message = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="What is this?"),
            ImageBlock(url="https://example.com/cat.jpg"),
            ImageBlock(url="https://example.com/dog.jpg", detail="high"),
            ImageBlock(path=path),
            ImageBlock(image=PNG),
        ],
    )
    [out] = to_mistral_messages([message])
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert out["content"] == [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": "https://example.com/cat.jpg"},
        {"type": "image_url", "image_url": {"url": "https://example.com/dog.jpg", "detail": "high"}},
        {"type": "image_url", "image_url": data_url},
        {"type": "image_url", "image_url": data_url},
    ]


def test_document_blocks_from_url_path_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)
    message = ChatMessage(
        role="user",
        blocks=[
            DocumentBlock(url="https://example.com/a.pdf", title="a.pdf"),
            DocumentBlock(path=path),
            DocumentBlock(data=PDF, document_mimetype="application/pdf", title="inline.pdf"),
        ],
    )
    [out] = to_mistral_messages([message])
    data_url = "data:application/pdf;base64," + base64.b64encode(PDF).decode()
    assert out["content"] == [
        {"type": "document_url", "document_url": "https://example.com/a.pdf", "document_name": "a.pdf"},
        {"type": "document_url", "document_url": data_url, "document_name": "input_document"},
        {"type": "document_url", "document_url": data_url, "document_name": "inline.pdf"},
    ]


def test_audio_blocks(tmp_path: Path) -> None:
    path = tmp_path / "clip.wav"
    path.write_bytes(WAV)
    message = ChatMessage(
        role="user",
        blocks=[AudioBlock(url="https://example.com/a.mp3"), AudioBlock(path=path), AudioBlock(audio=WAV)],
    )
    [out] = to_mistral_messages([message])
    b64 = base64.b64encode(WAV).decode()
    assert out["content"] == [
        {"type": "input_audio", "input_audio": "https://example.com/a.mp3"},
        {"type": "input_audio", "input_audio": b64},
        {"type": "input_audio", "input_audio": b64},
    ]


def test_cache_points_are_skipped_and_video_is_refused() -> None:
    message = ChatMessage(
        role="user", blocks=[TextBlock(text="x"), CachePoint(cache_control=CacheControl(type="ephemeral"))]
    )
    assert to_mistral_messages([message]) == [{"role": "user", "content": "x"}]
    with pytest.raises(ValueError, match="video"):
        to_mistral_messages([ChatMessage(role="user", blocks=[VideoBlock(url="https://example.com/v.mp4")])])


def test_assistant_with_thinking_text_and_tool_calls_then_results() -> None:
    messages = [
        ChatMessage(role="user", content="Add"),
        ChatMessage(
            role="assistant",
            blocks=[
                ThinkingBlock(content="plan", additional_information={"signature": "sig"}),
                TextBlock(text="Calling."),
                ToolCallBlock(tool_call_id="KikbB849t", tool_name="add", tool_kwargs={"a": 1}),
                ToolCallBlock(tool_call_id="call_0fypS1hVXlong", tool_name="mul", tool_kwargs='{"b": 2}'),
            ],
        ),
        ChatMessage(role="tool", content="1", additional_kwargs={"tool_call_id": "KikbB849t", "name": "add"}),
        ChatMessage(role="tool", content="2", additional_kwargs={"tool_call_id": "call_0fypS1hVXlong"}),
    ]
    out = to_mistral_messages(messages)
    assistant = out[1]
    assert assistant["content"] == [
        {"type": "thinking", "thinking": [{"type": "text", "text": "plan"}], "signature": "sig"},
        {"type": "text", "text": "Calling."},
    ]
    first, second = assistant["tool_calls"]
    assert first == {"id": "KikbB849t", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}
    assert TOOL_ID_RE.match(second["id"]) and second["function"]["arguments"] == '{"b": 2}'
    assert out[2] == {"role": "tool", "content": "1", "tool_call_id": "KikbB849t", "name": "add"}
    assert out[3] == {"role": "tool", "content": "2", "tool_call_id": second["id"]}
    assert "prefix" not in out[-1]


def test_foreign_ids_convert_the_same_way_everywhere() -> None:
    call = ChatMessage(role="assistant", blocks=[ToolCallBlock(tool_call_id="toolu_01ABC", tool_name="f")])
    result = ChatMessage(role="tool", content="ok", additional_kwargs={"tool_call_id": "toolu_01ABC"})
    first = to_mistral_messages([call, result])
    second = to_mistral_messages([ChatMessage(role="user", content="x"), call, result])
    assert first[0]["tool_calls"][0]["id"] == first[1]["tool_call_id"] == second[1]["tool_calls"][0]["id"]


def test_calls_and_results_without_ids_pair_by_order() -> None:
    messages = [
        ChatMessage(
            role="assistant",
            blocks=[ToolCallBlock(tool_name="a"), ToolCallBlock(tool_name="b", tool_call_id="")],
        ),
        ChatMessage(role="tool", content="A"),
        ChatMessage(role="tool", content="B"),
    ]
    out = to_mistral_messages(messages)
    ids = [c["id"] for c in out[0]["tool_calls"]]
    assert all(TOOL_ID_RE.match(i) for i in ids) and ids[0] != ids[1]
    assert [out[1]["tool_call_id"], out[2]["tool_call_id"]] == ids


def test_legacy_openai_style_tool_calls_in_additional_kwargs() -> None:
    message = ChatMessage(
        role="assistant",
        content="",
        additional_kwargs={
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
        },
    )
    [out] = to_mistral_messages([message])
    assert out["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}
    assert TOOL_ID_RE.match(out["tool_calls"][0]["id"])


def test_trailing_assistant_turn_is_a_prefix() -> None:
    out = to_mistral_messages([ChatMessage(role="user", content="Q"), ChatMessage(role="assistant", content="A:")])
    assert out[-1] == {"role": "assistant", "content": "A:", "prefix": True}


def test_tool_result_with_image_keeps_chunks() -> None:
    message = ChatMessage(
        role="tool", blocks=[TextBlock(text="see"), ImageBlock(url="https://e.com/x.png")],
        additional_kwargs={"tool_call_id": "KikbB849t"},
    )  # fmt: skip
    [out] = to_mistral_messages([message])
    assert out["content"][1] == {"type": "image_url", "image_url": "https://e.com/x.png"}


async def test_history_is_sent_as_converted_and_never_mutated(mode: str) -> None:
    history = [
        ChatMessage(role="system", content="S"),
        ChatMessage(role="user", blocks=[TextBlock(text="look"), ImageBlock(image=PNG)]),
        ChatMessage(role="assistant", blocks=[ToolCallBlock(tool_call_id="call_x", tool_name="f", tool_kwargs={})]),
        ChatMessage(role="tool", content="r", additional_kwargs={"tool_call_id": "call_x"}),
    ]
    before = copy.deepcopy(history)
    rec = Recorder(chat_result())
    llm = MistralLCA(api_token=TOKEN, **transports(rec))
    if mode == "sync":
        llm.chat(history)
    else:
        await llm.achat(history)
    assert history == before
    assert_chat_request_conforms(rec.body)
    assert rec.body["messages"] == to_mistral_messages(history)


def _kinds(out: list[dict[str, Any]]) -> list[str]:
    return [m["role"] for m in out]


def test_unknown_roles_map_to_mistral_roles() -> None:
    out = to_mistral_messages(
        [ChatMessage(role="chatbot", content="a"), ChatMessage(role="model", content="b"), ChatMessage(content="c")]
    )
    assert _kinds(out) == ["assistant", "assistant", "user"]
