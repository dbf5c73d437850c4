"""``client.conversations``: start / append / restart (plain and typed-event streams), reads, delete."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from client_support import Recorder, assert_request, build_client, call, collect, error, ok, sse_events

from mistral_lca import InvalidRequestError, ServerError
from mistral_lca.types.conversations import (
    Conversation,
    ConversationHistory,
    ConversationMessages,
    ConversationResponse,
    ConversationResponseDoneEvent,
    ConversationResponseStartedEvent,
    FunctionCallDeltaEvent,
    FunctionCallEntry,
    MessageInputEntry,
    MessageOutputDeltaEvent,
    MessageOutputEntry,
    UnknownConversationEvent,
)

OUTPUT = {
    "object": "entry",
    "type": "message.output",
    "id": "msg_1",
    "role": "assistant",
    "content": [{"type": "text", "text": "Paris"}, {"type": "tool_reference", "tool": "web_search", "title": "x"}],
    "model": "mistral-medium-2505",
    "created_at": "2026-08-19T14:40:42.123Z",
    "completed_at": "2026-08-19T14:40:43.123Z",
}
RESPONSE = {
    "object": "conversation.response",
    "conversation_id": "conv_1",
    "outputs": [
        OUTPUT,
        {
            "type": "function.call",
            "id": "fc_1",
            "tool_call_id": "abcdefghi",
            "name": "weather",
            "arguments": '{"c":"Paris"}',
        },
    ],
    "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
}
INPUTS = [{"type": "message.input", "role": "user", "content": "Capital of France?"}]


async def test_start_with_a_model(make_client: Any, form: str) -> None:
    rec = Recorder(ok(RESPONSE))
    reply = await call(
        make_client(rec),
        "conversations.start",
        inputs="Capital of France?",
        model="mistral-medium-latest",
        instructions="Be brief.",
        tools=[{"type": "web_search"}],
        completion_args={"temperature": 0.2},
        store=True,
    )
    assert isinstance(reply, ConversationResponse)
    assert reply.conversation_id == "conv_1" and reply.output_text == "Paris"
    assert [c.tool_call_id for c in reply.function_calls] == ["abcdefghi"]
    body = {
        "inputs": "Capital of France?",
        "model": "mistral-medium-latest",
        "instructions": "Be brief.",
        "tools": [{"type": "web_search"}],
        "completion_args": {"temperature": 0.2},
        "store": True,
    }
    assert_request(rec.last, "POST", form, "/v1/conversations", json_body=body)


async def test_start_is_a_creating_call(mode: str) -> None:
    rec = Recorder(error(502), ok(RESPONSE))
    with pytest.raises(ServerError):
        await call(build_client(mode, rec), "conversations.start", inputs="x", agent_id="ag_1")
    assert len(rec.requests) == 1


async def test_append_and_restart(make_client: Any, form: str) -> None:
    rec = Recorder(ok(RESPONSE))
    client = make_client(rec)
    result = [{"type": "function.result", "tool_call_id": "abcdefghi", "result": "sunny"}]
    await call(client, "conversations.append", "conv_1", inputs=result, completion_args={"max_tokens": 50})
    assert_request(
        rec.last, "POST", form, "/v1/conversations/{conversation_id}", {"conversation_id": "conv_1"},
        json_body={"inputs": result, "completion_args": {"max_tokens": 50}},
    )  # fmt: skip
    await call(client, "conversations.restart", "conv_1", from_entry_id="msg_0", inputs="Try again")
    assert_request(
        rec.last, "POST", form, "/v1/conversations/{conversation_id}/restart", {"conversation_id": "conv_1"},
        json_body={"from_entry_id": "msg_0", "inputs": "Try again"},
    )  # fmt: skip


EVENTS = [
    ("conversation.response.started", {"type": "conversation.response.started", "conversation_id": "conv_1"}),
    ("message.output.delta", {"type": "message.output.delta", "id": "msg_1", "content": "Par", "role": "assistant"}),
    ("message.output.delta", {"type": "message.output.delta", "id": "msg_1", "content": "is", "content_index": 0}),
    ("tool.brand_new", {"type": "tool.brand_new", "thing": 1}),
    (
        "function.call.delta",
        {
            "type": "function.call.delta",
            "id": "fc_1",
            "name": "weather",
            "tool_call_id": "abcdefghi",
            "arguments": "{}",
        },
    ),
    ("conversation.response.done", {"type": "conversation.response.done", "usage": {"total_tokens": 12}}),
]


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "template"),
    [
        ("start_stream", (), {"inputs": INPUTS, "agent_id": "ag_1"}, "/v1/conversations"),
        ("append_stream", ("conv_1",), {"inputs": "more"}, "/v1/conversations/{conversation_id}"),
        ("restart_stream", ("conv_1",), {"from_entry_id": "m0"}, "/v1/conversations/{conversation_id}/restart"),
    ],
)
async def test_streams_yield_typed_events_through_done(
    make_client: Any, form: str, method: str, args: Any, kwargs: Any, template: str
) -> None:
    rec = Recorder(sse_events(*EVENTS, ("message.output.delta", {"type": "message.output.delta", "content": "x"})))
    stream = getattr(make_client(rec).conversations, method)(*args, **kwargs)
    events = await collect(stream)
    assert [type(e) for e in events] == [
        ConversationResponseStartedEvent,
        MessageOutputDeltaEvent,
        MessageOutputDeltaEvent,
        UnknownConversationEvent,
        FunctionCallDeltaEvent,
        ConversationResponseDoneEvent,
    ]
    assert "".join(e.text for e in events if isinstance(e, MessageOutputDeltaEvent)) == "Paris"
    assert events[-1].usage.total_tokens == 12
    params = {"conversation_id": "conv_1"} if args else None
    assert_request(rec.last, "POST", form, template, params)
    assert json.loads(rec.last.content) == {**kwargs, "stream": True}
    assert rec.last.headers["accept"] == "text/event-stream"


async def test_an_error_event_raises_after_the_events_before_it(make_client: Any) -> None:
    error_event = {"type": "conversation.response.error", "message": "tool failed", "code": 3000}
    rec = Recorder(sse_events(EVENTS[0], ("conversation.response.error", error_event)))
    stream = make_client(rec).conversations.start_stream(inputs="x", model="m")
    events: list[Any] = []
    with pytest.raises(ServerError, match="tool failed") as info:
        if hasattr(stream, "__aiter__"):
            async for event in stream:
                events.append(event)
        else:
            events.extend(stream)
    assert [type(e) for e in events] == [ConversationResponseStartedEvent]
    assert info.value.code == "3000" and info.value.error_type == "conversation.response.error"


async def test_stream_answered_with_json_is_replayed_as_events(make_client: Any) -> None:
    rec = Recorder(ok(RESPONSE))
    events = await collect(make_client(rec).conversations.start_stream(inputs="x", model="m"))
    assert [type(e) for e in events] == [
        ConversationResponseStartedEvent,
        MessageOutputDeltaEvent,
        FunctionCallDeltaEvent,
        ConversationResponseDoneEvent,
    ]
    assert events[0].conversation_id == "conv_1" and events[1].text == "Paris"
    assert events[2].arguments == '{"c":"Paris"}' and events[3].usage.total_tokens == 12


async def test_reads_and_delete(make_client: Any, form: str) -> None:
    meta = {
        "id": "conv_1",
        "object": "conversation",
        "model": "mistral-medium-latest",
        "created_at": "2026-08-19T14:40:42Z",
    }
    entries = [{"type": "message.input", "role": "user", "content": "hi", "id": "in_1"}, OUTPUT]
    rec = Recorder(
        ok([meta, {**meta, "id": "conv_2", "model": None, "agent_id": "ag_1"}]),
        ok(meta),
        ok({"object": "conversation.history", "conversation_id": "conv_1", "entries": entries}),
        ok({"object": "conversation.messages", "conversation_id": "conv_1", "messages": entries}),
        httpx.Response(204),
    )
    client = make_client(rec)
    listed = await call(client, "conversations.list", page=0, page_size=10, metadata={"k": "v"})
    assert [c.id for c in listed] == ["conv_1", "conv_2"] and listed[1].agent_id == "ag_1"
    assert_request(
        rec.last,
        "GET",
        form,
        "/v1/conversations",
        query=[("page", "0"), ("page_size", "10"), ("metadata", '{"k":"v"}')],
    )
    one = {"conversation_id": "conv_1"}
    assert isinstance(await call(client, "conversations.get", "conv_1"), Conversation)
    assert_request(rec.last, "GET", form, "/v1/conversations/{conversation_id}", one)
    history = await call(client, "conversations.get_history", "conv_1")
    assert isinstance(history, ConversationHistory)
    assert [type(e) for e in history.entries] == [MessageInputEntry, MessageOutputEntry]
    assert_request(rec.last, "GET", form, "/v1/conversations/{conversation_id}/history", one)
    messages = await call(client, "conversations.get_messages", "conv_1")
    assert isinstance(messages, ConversationMessages) and messages.messages[1].text == "Paris"  # type: ignore[union-attr]
    assert_request(rec.last, "GET", form, "/v1/conversations/{conversation_id}/messages", one)
    assert await call(client, "conversations.delete", "conv_1") is None
    assert_request(rec.last, "DELETE", form, "/v1/conversations/{conversation_id}", one)


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "message"),
    [
        ("conversations.start", (), {"inputs": "x"}, "exactly one of model or agent_id"),
        ("conversations.start", (), {"inputs": "x", "model": "m", "agent_id": "a"}, "exactly one of model or agent_id"),
        ("conversations.start", (), {"inputs": "", "model": "m"}, "inputs must not be empty"),
        ("conversations.append", ("conv_1",), {}, "give inputs"),
        ("conversations.append", ("",), {"inputs": "x"}, "conversation_id"),
        ("conversations.restart", ("conv_1",), {"from_entry_id": ""}, "from_entry_id"),
        ("conversations.get_history", ("  ",), {}, "conversation_id"),
    ],
)
async def test_bad_calls_are_rejected_before_sending(
    make_client: Any, name: str, args: Any, kwargs: Any, message: str
) -> None:
    rec = Recorder(ok(RESPONSE))
    with pytest.raises(InvalidRequestError, match=message):
        await call(make_client(rec), name, *args, **kwargs)
    assert rec.requests == []


def test_function_call_entries_parse() -> None:
    reply = ConversationResponse.model_validate(RESPONSE)
    assert isinstance(reply.outputs[1], FunctionCallEntry) and reply.outputs[1].name == "weather"
