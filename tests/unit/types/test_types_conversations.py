"""Conversation models: start/append/restart bodies, entries, history, metadata and stream events."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from mistral_lca.types.agents import CompletionArgs
from mistral_lca.types.conversations import (
    AgentHandoffDoneEvent,
    AgentHandoffEntry,
    Conversation,
    ConversationAppendRequest,
    ConversationHistory,
    ConversationMessages,
    ConversationRequest,
    ConversationResponse,
    ConversationResponseDoneEvent,
    ConversationResponseErrorEvent,
    ConversationResponseStartedEvent,
    ConversationRestartRequest,
    FunctionCallDeltaEvent,
    FunctionCallEntry,
    FunctionResultEntry,
    FunctionResultEntryParam,
    MessageInputEntry,
    MessageInputEntryParam,
    MessageOutputDeltaEvent,
    MessageOutputEntry,
    ToolCallConfirmation,
    ToolExecutionDoneEvent,
    ToolExecutionEntry,
    ToolExecutionStartedEvent,
    UnknownConversationEntry,
    UnknownConversationEvent,
    parse_conversation_event,
)

RESPONSE = {
    "object": "conversation.response",
    "conversation_id": "conv_0196fea1f5d97a39b5fb4da2e6d9a5a0",
    "outputs": [
        {
            "object": "entry",
            "type": "tool.execution",
            "created_at": "2025-05-27T10:59:42.102Z",
            "completed_at": "2025-05-27T10:59:43.318Z",
            "id": "tool_exec_0196fea1fa9c7",
            "name": "web_search",
            "arguments": '{"query": "weather Paris"}',
            "info": {},
        },
        {
            "object": "entry",
            "type": "message.output",
            "created_at": "2025-05-27T10:59:43.5Z",
            "completed_at": "2025-05-27T10:59:45.1Z",
            "id": "msg_0196fea2",
            "agent_id": "ag_0196fea1",
            "model": "mistral-medium-2505",
            "role": "assistant",
            "content": [
                {"type": "text", "text": "It is sunny"},
                {
                    "type": "tool_reference",
                    "tool": "web_search",
                    "title": "Weather",
                    "url": "https://example.com",
                    "favicon": None,
                },
                {"type": "text", "text": " in Paris."},
            ],
        },
    ],
    "usage": {
        "prompt_tokens": 188,
        "completion_tokens": 55,
        "total_tokens": 7051,
        "connector_tokens": 6808,
        "connectors": {"web_search": 1},
    },
}


def test_start_request_with_text_input() -> None:
    req = ConversationRequest(
        inputs="Who won the last Champions League?",
        model="mistral-medium-latest",
        instructions="Be brief.",
        tools=[{"type": "web_search"}],
        completion_args=CompletionArgs(temperature=0.3),
        store=False,
    )
    assert req.to_body() == {
        "inputs": "Who won the last Champions League?",
        "model": "mistral-medium-latest",
        "instructions": "Be brief.",
        "tools": [{"type": "web_search"}],
        "completion_args": {"temperature": 0.3},
        "store": False,
    }
    with pytest.raises(ValidationError):
        ConversationRequest(model="m")  # type: ignore[call-arg]


def test_start_request_with_entries_for_an_agent() -> None:
    req = ConversationRequest(
        agent_id="ag_1",
        agent_version=2,
        stream=True,
        inputs=[
            MessageInputEntryParam(content="Hi"),
            {"type": "message.input", "role": "assistant", "content": "Sure:", "prefix": True},
        ],
    )
    assert req.to_body() == {
        "agent_id": "ag_1",
        "agent_version": 2,
        "stream": True,
        "inputs": [
            {"type": "message.input", "role": "user", "content": "Hi"},
            {"type": "message.input", "role": "assistant", "content": "Sure:", "prefix": True},
        ],
    }


def test_append_request_with_function_result_and_confirmations() -> None:
    req = ConversationAppendRequest(
        inputs=[FunctionResultEntryParam(tool_call_id="Ab3dE6gH9", result='{"temp": 21}')],
        tool_confirmations=[ToolCallConfirmation(tool_call_id="Xy1", confirmation="allow")],
        handoff_execution="client",
    )
    assert req.to_body() == {
        "inputs": [{"type": "function.result", "tool_call_id": "Ab3dE6gH9", "result": '{"temp": 21}'}],
        "tool_confirmations": [{"tool_call_id": "Xy1", "confirmation": "allow"}],
        "handoff_execution": "client",
    }
    assert ConversationAppendRequest(inputs="next").to_body() == {"inputs": "next"}


def test_restart_request_and_entries_passed_back() -> None:
    previous = ConversationResponse.model_validate(RESPONSE)
    req = ConversationRestartRequest(
        from_entry_id="msg_0196fea2",
        inputs=[previous.outputs[1], {"role": "user", "content": "And tomorrow?"}],
        metadata={"branch": "b"},
    )
    body = req.to_body()
    assert body["from_entry_id"] == "msg_0196fea2"
    assert body["metadata"] == {"branch": "b"}
    passed_back = body["inputs"][0]
    assert passed_back["type"] == "message.output"
    assert passed_back["id"] == "msg_0196fea2"
    assert passed_back["content"][0] == {"type": "text", "text": "It is sunny"}
    assert isinstance(passed_back["created_at"], str)
    with pytest.raises(ValidationError):
        ConversationRestartRequest(inputs="x")  # type: ignore[call-arg]


def test_response_parses_entries_and_usage() -> None:
    resp = ConversationResponse.model_validate(RESPONSE)
    assert resp.conversation_id == "conv_0196fea1f5d97a39b5fb4da2e6d9a5a0"
    tool, message = resp.outputs
    assert isinstance(tool, ToolExecutionEntry)
    assert tool.name == "web_search"
    assert tool.arguments == '{"query": "weather Paris"}'
    assert isinstance(message, MessageOutputEntry)
    assert message.model == "mistral-medium-2505"
    assert message.created_at == datetime(2025, 5, 27, 10, 59, 43, 500000, tzinfo=timezone.utc)
    assert not isinstance(message.content, str)
    assert message.content[1].type == "tool_reference"
    assert message.content[1].url == "https://example.com"
    assert message.text == "It is sunny in Paris."
    assert resp.output_text == "It is sunny in Paris."
    assert resp.usage.connector_tokens == 6808
    assert resp.usage.connectors == {"web_search": 1}
    assert resp.function_calls == []


def test_function_calls_handoffs_and_unknown_entries() -> None:
    resp = ConversationResponse.model_validate(
        {
            "conversation_id": "c",
            "outputs": [
                {
                    "type": "function.call",
                    "tool_call_id": "Ab3dE6gH9",
                    "name": "get_weather",
                    "arguments": '{"city": "Paris"}',
                    "confirmation_status": "pending",
                },
                {
                    "type": "agent.handoff",
                    "previous_agent_id": "ag_1",
                    "previous_agent_name": "Router",
                    "next_agent_id": "ag_2",
                    "next_agent_name": "Expert",
                },
                {"type": "reasoning.trace", "id": "x", "steps": 3},
                {"role": "assistant", "content": "untyped output"},
            ],
            "usage": {},
            "guardrails": [{"name": "g", "blocked": False}],
        }
    )
    call, handoff, unknown, untyped = resp.outputs
    assert isinstance(call, FunctionCallEntry)
    assert call.confirmation_status == "pending"
    assert resp.function_calls == [call]
    assert isinstance(handoff, AgentHandoffEntry)
    assert handoff.next_agent_name == "Expert"
    assert isinstance(unknown, UnknownConversationEntry)
    assert unknown.type == "reasoning.trace"
    assert unknown.model_extra == {"steps": 3}
    assert isinstance(untyped, MessageOutputEntry)
    assert untyped.text == "untyped output"
    assert resp.usage.total_tokens == 0
    assert resp.guardrails == [{"name": "g", "blocked": False}]


def test_history_and_messages() -> None:
    history = ConversationHistory.model_validate(
        {
            "object": "conversation.history",
            "conversation_id": "c",
            "entries": [
                {"type": "message.input", "role": "user", "content": "Weather?", "id": "m1", "prefix": False},
                {"type": "function.call", "tool_call_id": "t", "name": "w", "arguments": {"city": "Paris"}},
                {"type": "function.result", "tool_call_id": "t", "result": "sunny"},
                {"type": "message.output", "role": "assistant", "content": "Sunny."},
            ],
        }
    )
    kinds = [type(e) for e in history.entries]
    assert kinds == [MessageInputEntry, FunctionCallEntry, FunctionResultEntry, MessageOutputEntry]
    first = history.entries[0]
    assert isinstance(first, MessageInputEntry)
    assert first.text == "Weather?"
    call = history.entries[1]
    assert isinstance(call, FunctionCallEntry)
    assert call.arguments == {"city": "Paris"}

    messages = ConversationMessages.model_validate(
        {"conversation_id": "c", "messages": [{"type": "message.input", "role": "user", "content": "x"}]}
    )
    assert isinstance(messages.messages[0], MessageInputEntry)
    assert messages.object == "conversation.messages"


def test_conversation_metadata_model_and_agent() -> None:
    model_conv = Conversation.model_validate(
        {
            "object": "conversation",
            "id": "conv_1",
            "created_at": "2025-05-27T10:59:41Z",
            "updated_at": "2025-05-27T10:59:45Z",
            "model": "mistral-medium-latest",
            "instructions": "Be brief.",
            "tools": [{"type": "web_search"}],
            "completion_args": {"temperature": 0.3},
            "name": None,
        }
    )
    assert model_conv.model == "mistral-medium-latest"
    assert model_conv.completion_args is not None
    assert model_conv.completion_args.temperature == 0.3
    agent_conv = Conversation.model_validate({"id": "conv_2", "agent_id": "ag_1", "agent_version": "prod"})
    assert agent_conv.agent_version == "prod"
    assert agent_conv.model is None


def test_stream_events_parse_to_typed_models() -> None:
    started = parse_conversation_event(
        "conversation.response.started",
        {
            "type": "conversation.response.started",
            "conversation_id": "c",
            "created_at": "2025-05-27T10:59:41.1Z",
        },
    )
    assert isinstance(started, ConversationResponseStartedEvent)
    assert started.conversation_id == "c"

    tool_start = parse_conversation_event(
        "tool.execution.started",
        {"type": "tool.execution.started", "id": "te1", "name": "web_search", "arguments": "{}"},
    )
    assert isinstance(tool_start, ToolExecutionStartedEvent)
    tool_done = parse_conversation_event(
        "tool.execution.done", {"type": "tool.execution.done", "id": "te1", "name": "web_search", "info": {}}
    )
    assert isinstance(tool_done, ToolExecutionDoneEvent)

    delta = parse_conversation_event(
        "message.output.delta",
        {
            "type": "message.output.delta",
            "id": "msg_1",
            "output_index": 1,
            "content_index": 0,
            "model": "mistral-medium-2505",
            "role": "assistant",
            "content": "Hel",
        },
    )
    assert isinstance(delta, MessageOutputDeltaEvent)
    assert delta.text == "Hel"
    assert delta.output_index == 1
    chunk_delta = parse_conversation_event(
        "message.output.delta",
        {"type": "message.output.delta", "id": "msg_1", "content": [{"type": "text", "text": "lo"}]},
    )
    assert isinstance(chunk_delta, MessageOutputDeltaEvent)
    assert chunk_delta.text == "lo"

    call = parse_conversation_event(
        "function.call.delta",
        {
            "type": "function.call.delta",
            "id": "fc1",
            "name": "get_weather",
            "tool_call_id": "Ab3dE6gH9",
            "arguments": '{"city":',
        },
    )
    assert isinstance(call, FunctionCallDeltaEvent)
    assert call.tool_call_id == "Ab3dE6gH9"

    handoff = parse_conversation_event(
        "agent.handoff.done",
        {"type": "agent.handoff.done", "id": "h", "next_agent_id": "ag_2", "next_agent_name": "Expert"},
    )
    assert isinstance(handoff, AgentHandoffDoneEvent)

    done = parse_conversation_event(
        "conversation.response.done",
        {"type": "conversation.response.done", "usage": {"prompt_tokens": 3, "total_tokens": 10}},
    )
    assert isinstance(done, ConversationResponseDoneEvent)
    assert done.usage.total_tokens == 10

    error = parse_conversation_event(
        "conversation.response.error",
        {"type": "conversation.response.error", "message": "boom", "code": 3000},
    )
    assert isinstance(error, ConversationResponseErrorEvent)
    assert (error.message, error.code) == ("boom", 3000)


def test_event_type_taken_from_sse_name_when_missing_in_data() -> None:
    delta = parse_conversation_event("message.output.delta", {"id": "m", "content": "x"})
    assert isinstance(delta, MessageOutputDeltaEvent)
    assert delta.type == "message.output.delta"


def test_unknown_and_malformed_events_do_not_fail() -> None:
    unknown = parse_conversation_event(
        "conversation.response.thinking", {"type": "conversation.response.thinking", "step": 1}
    )
    assert isinstance(unknown, UnknownConversationEvent)
    assert unknown.type == "conversation.response.thinking"
    assert unknown.model_extra == {"step": 1}

    no_type = parse_conversation_event(None, {"hello": "world"})
    assert isinstance(no_type, UnknownConversationEvent)
    assert no_type.type is None

    malformed = parse_conversation_event(
        "conversation.response.done", {"usage": {"total_tokens": "many"}, "created_at": "not a date"}
    )
    assert isinstance(malformed, UnknownConversationEvent)
    assert malformed.type == "conversation.response.done"
    assert malformed.model_extra == {"usage": {"total_tokens": "many"}}
