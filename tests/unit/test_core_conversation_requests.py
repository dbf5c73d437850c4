"""``mistral_lca.conversation_requests``: when a chat request goes to /v1/conversations, and its body there."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mistral_lca import InvalidRequestError
from mistral_lca.conversation_requests import (
    ConversationCall,
    check_built_in_tool,
    continuation,
    conversation_call,
    conversation_inputs,
    is_built_in_tool,
    uses_conversations,
)

WEB = {"type": "web_search"}
LIBRARY = {"type": "document_library", "library_ids": ["lib_1"]}
FUNCTION = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
CALL = {"id": "Ab3dE6gH9", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}


# ------------------------------------------------------------------------------------------------ decisions


@pytest.mark.parametrize(
    ("setting", "kwargs", "expected"),
    [
        (None, {}, False),
        (None, {"tools": [FUNCTION]}, False),
        (None, {"tools": [FUNCTION, WEB]}, True),
        (None, {"tools": [LIBRARY]}, True),
        (None, {"agent_id": "ag_1"}, True),
        (None, {"conversation_id": "conv_1"}, True),
        (None, {"continue_previous": True}, True),
        (True, {}, True),
        (False, {"tools": [FUNCTION]}, False),
    ],
)
def test_when_requests_use_conversations(setting: bool | None, kwargs: dict[str, Any], expected: bool) -> None:
    assert uses_conversations(setting, **kwargs) is expected


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"tools": [WEB, {"type": "code_interpreter"}]}, "code_interpreter, web_search"),
        ({"agent_id": "ag_1"}, "agent_id"),
        ({"conversation_id": "conv_1"}, "conversation_id"),
        ({"continue_previous": True}, "continuing the previous conversation"),
    ],
)
def test_conversations_needed_but_switched_off_is_a_clear_error(kwargs: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidRequestError, match="use_conversations_api=False") as caught:
        uses_conversations(False, **kwargs)
    assert named in str(caught.value)


def test_built_in_tools_are_recognised_and_checked() -> None:
    assert is_built_in_tool(WEB) and is_built_in_tool(LIBRARY)
    assert not is_built_in_tool(FUNCTION) and not is_built_in_tool("web_search")
    assert check_built_in_tool(LIBRARY) == LIBRARY and check_built_in_tool(LIBRARY) is not LIBRARY
    for bad in (
        {"type": "document_library"},
        {"type": "document_library", "library_ids": []},
        {**LIBRARY, "library_ids": [""]},
    ):
        with pytest.raises(InvalidRequestError, match="library_ids"):
            check_built_in_tool(bad)
    with pytest.raises(InvalidRequestError, match="connector_id"):
        check_built_in_tool({"type": "connector"})
    assert check_built_in_tool({"type": "connector", "connector_id": "c1"})["connector_id"] == "c1"
    with pytest.raises(InvalidRequestError, match="not a Mistral built-in"):
        check_built_in_tool(FUNCTION)


@pytest.mark.parametrize(
    ("replies", "wanted", "expected"),
    [
        ([], None, (0, None)),
        ([None, None], None, (0, None)),
        ([None, "c1", None, None], None, (2, "c1")),
        ([None, "c1", None, "c2", None], None, (4, "c2")),
        ([None, "c1", None, "c2", None], "c1", (2, "c1")),
        ([None, "c1", None], "c9", (0, "c9")),
        ([None, "c1"], None, (2, "c1")),
    ],
)
def test_continuation_starts_after_the_last_reply_of_the_conversation(
    replies: list[str | None], wanted: str | None, expected: tuple[int, str | None]
) -> None:
    assert continuation(replies, wanted) == expected


# ------------------------------------------------------------------------------------------------ inputs


def test_history_becomes_instructions_and_entries() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": [{"type": "text", "text": "Cite sources."}]},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "", "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "Ab3dE6gH9", "name": "get_weather", "content": "Sunny"},
        {"role": "assistant", "content": [{"type": "text", "text": "Sunny."}, {"type": "image", "file_id": "f"}]},
        {"role": "user", "content": [{"type": "text", "text": "And this?"}, {"type": "image_url", "image_url": "u"}]},
    ]
    original = copy.deepcopy(messages)
    instructions, inputs = conversation_inputs(messages)
    assert instructions == "Be brief.\n\nCite sources."
    assert inputs == [
        {"type": "message.input", "role": "user", "content": "Weather in Paris?"},
        {"type": "function.call", "tool_call_id": "Ab3dE6gH9", "name": "get_weather", "arguments": '{"city": "Paris"}'},
        {"type": "function.result", "tool_call_id": "Ab3dE6gH9", "result": "Sunny"},
        {"type": "message.input", "role": "assistant", "content": "Sunny."},
        {
            "type": "message.input",
            "role": "user",
            "content": [{"type": "text", "text": "And this?"}, {"type": "image_url", "image_url": "u"}],
        },
    ]
    assert messages == original


def test_a_lone_user_text_is_sent_as_a_string_and_appending_leaves_system_messages_out() -> None:
    assert conversation_inputs([{"role": "user", "content": "Hi"}]) == (None, "Hi")
    messages = [{"role": "system", "content": "S"}, {"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    assert conversation_inputs(messages, appending=True) == (None, "Hi")
    assert conversation_inputs(messages) == ("S", "Hi")
    prefix = conversation_inputs(
        [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "prefix": True}]
    )
    assert prefix[1][-1] == {"type": "message.input", "role": "assistant", "content": "b", "prefix": True}  # type: ignore[index]


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        ([{"role": "system", "content": "only instructions"}], "Nothing to send"),
        ([{"role": "user", "content": [{"type": "input_audio", "input_audio": "x"}]}], "'input_audio' content"),
        ([{"role": "user", "content": [{"type": "file", "file_id": "f"}]}], "'file' content"),
        ([{"role": "tool", "content": "x"}], "needs the id of the call"),
        (
            [{"role": "tool", "tool_call_id": "a", "content": [{"type": "image_url", "image_url": "u"}]}],
            "only hold text",
        ),
        ([{"role": "developer", "content": "x"}], "no role 'developer'"),
    ],
)
def test_what_a_conversation_cannot_take_is_refused(messages: list[dict[str, Any]], error: str) -> None:
    with pytest.raises(InvalidRequestError, match=error):
        conversation_inputs(messages)


# ------------------------------------------------------------------------------------------------ calls


def chat_request(**extra: Any) -> dict[str, Any]:
    return {
        "model": "mistral-medium-latest",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "News?"}],
        **extra,
    }


def test_a_chat_request_starts_a_conversation() -> None:
    request = chat_request(
        tools=[WEB, FUNCTION],
        tool_choice="auto",
        temperature=0.2,
        max_tokens=50,
        stop=["\n"],
        response_format={"type": "json_object"},
        reasoning_effort="low",
        parallel_tool_calls=False,
        metadata={"k": "v"},
        guardrails=[{"block_on_error": True}],
        store=True,
    )
    original = copy.deepcopy(request)
    call = conversation_call(request)
    assert call == ConversationCall(
        None,
        {
            "inputs": "News?",
            "model": "mistral-medium-latest",
            "instructions": "Be brief.",
            "tools": [WEB, FUNCTION],
            "metadata": {"k": "v"},
            "guardrails": [{"block_on_error": True}],
            "store": True,
            "completion_args": {
                "tool_choice": "auto",
                "temperature": 0.2,
                "max_tokens": 50,
                "stop": ["\n"],
                "response_format": {"type": "json_object"},
                "reasoning_effort": "low",
            },
        },
    )
    assert request == original


def test_an_agent_replaces_the_model() -> None:
    call = conversation_call(chat_request(agent_version=2), agent_id="ag_1")
    assert call.params == {"inputs": "News?", "agent_id": "ag_1", "agent_version": 2, "instructions": "Be brief."}


def test_appending_sends_only_inputs_and_turn_settings() -> None:
    request = chat_request(tools=[WEB], temperature=0.1, metadata={"k": "v"}, store=True, name="n")
    call = conversation_call(request, conversation_id="conv_1")
    assert call == ConversationCall(
        "conv_1", {"inputs": "News?", "store": True, "completion_args": {"temperature": 0.1}}
    )


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"safe_prompt": True}, "does not take safe_prompt"),
        ({"prompt_mode": "reasoning", "n": 2}, "does not take n, prompt_mode"),
        ({"tool_choice": {"type": "function", "function": {"name": "f"}}}, "cannot force one named function"),
        ({"tools": [{"type": "document_library"}]}, "library_ids"),
    ],
)
def test_what_conversations_cannot_take_is_refused_before_sending(extra: dict[str, Any], error: str) -> None:
    with pytest.raises(InvalidRequestError, match=error):
        conversation_call(chat_request(**extra))


def test_a_conversation_that_will_be_continued_must_be_stored() -> None:
    with pytest.raises(InvalidRequestError, match="store=False"):
        conversation_call(chat_request(store=False), continued_later=True)
    assert conversation_call(chat_request(store=False)).params["store"] is False


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> str:
            self.calls.append((name, args, kwargs))
            return name

        return record


def test_a_call_starts_or_appends_and_streams_likewise() -> None:
    recorder = _Recorder()
    start, append = ConversationCall(None, {"inputs": "a", "model": "m"}), ConversationCall("c1", {"inputs": "b"})
    assert start.send(recorder) == "start" and start.stream(recorder) == "start_stream"  # type: ignore[arg-type]
    assert append.send(recorder) == "append" and append.stream(recorder) == "append_stream"  # type: ignore[arg-type]
    assert recorder.calls == [
        ("start", (), {"inputs": "a", "model": "m"}),
        ("start_stream", (), {"inputs": "a", "model": "m"}),
        ("append", ("c1",), {"inputs": "b"}),
        ("append_stream", ("c1",), {"inputs": "b"}),
    ]
