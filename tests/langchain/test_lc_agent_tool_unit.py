"""MistralAgentTool against httpx.MockTransport: agent lookup/creation, completion body, content and artifact."""

from __future__ import annotations

import json
from typing import Any

import httpx
from langchain_core.messages import ToolMessage
from lc_support import AGENT_COMPLETION_FIELDS, TOKEN, Recorder, assert_chat_request_conforms, chat_result, envelope

from langchain_mistral_lca import MistralAgentTool

AGENT = {
    "id": "ag_0199aabbccdd",
    "object": "agent",
    "name": "French Translator",
    "model": "mistral-medium-latest",
    "description": "Translates English text into French.",
    "instructions": "Translate the user's text into French.",
    "tools": [],
    "version": 0,
    "versions": [0],
    "created_at": "2026-08-01T10:00:00Z",
    "updated_at": "2026-08-01T10:00:00Z",
}
REPLY = chat_result("Bonjour tout le monde", model="mistral-medium-2508", reply_id="agcmpl-1")


def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/v1/agents/completions"):
        assert_chat_request_conforms(body, AGENT_COMPLETION_FIELDS)
        return httpx.Response(200, json=envelope(REPLY))
    if path.endswith("/v1/agents") and request.method == "POST":
        return httpx.Response(200, json=envelope({**AGENT, **body}))
    if request.method == "GET" and "/v1/agents/" in path:
        return httpx.Response(200, json=envelope(AGENT))
    return httpx.Response(404, json={"message": "Not Found"})


def clients() -> tuple[Recorder, dict[str, Any]]:
    recorder = Recorder(respond)
    return recorder, {"api_token": TOKEN, **recorder.clients()}


async def test_tool_returns_text_with_the_full_response_as_artifact(mode: str) -> None:
    recorder, settings = clients()
    tool = MistralAgentTool(agent_id="ag_0199aabbccdd", name="translator", description="Translate.", **settings)
    call = {
        "name": "translator",
        "args": {
            "input": "Hello everyone",
            "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Salut"}],
        },
        "id": "call_1",
        "type": "tool_call",
    }
    message = tool.invoke(call) if mode == "sync" else await tool.ainvoke(call)
    assert isinstance(message, ToolMessage)
    assert message.content == "Bonjour tout le monde"
    assert message.artifact["id"] == "agcmpl-1"
    assert message.artifact["choices"][0]["message"]["content"] == "Bonjour tout le monde"
    json.dumps(message.artifact)  # JSON-ready, so checkpointers can store it
    assert recorder.last == {
        "agent_id": "ag_0199aabbccdd",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Salut"},
            {"role": "user", "content": "Hello everyone"},
        ],
    }

    text = tool.invoke({"input": "Hello"}) if mode == "sync" else await tool.ainvoke({"input": "Hello"})
    assert text == "Bonjour tout le monde"


async def test_name_and_description_come_from_the_agent(mode: str) -> None:
    recorder, settings = clients()
    if mode == "sync":
        tool = MistralAgentTool.from_agent_id("ag_0199aabbccdd", completion_kwargs={"max_tokens": 64}, **settings)
    else:
        tool = await MistralAgentTool.afrom_agent_id(
            "ag_0199aabbccdd", completion_kwargs={"max_tokens": 64}, **settings
        )
    assert tool.name == "french_translator"
    assert tool.description == "Translates English text into French."
    assert tool.agent_id == "ag_0199aabbccdd"
    request = recorder.requests[-1]
    assert request.method == "GET" and request.url.params["agent_id"] == "ag_0199aabbccdd"
    tool.invoke({"input": "x"})
    assert recorder.last["max_tokens"] == 64


async def test_create_makes_the_agent_first(mode: str) -> None:
    recorder, settings = clients()
    kwargs: dict[str, Any] = {
        "name": "French Translator",
        "model": "mistral-medium-latest",
        "instructions": "Translate the user's text into French.",
        "description": "Translates English text into French.",
        "tools": [{"type": "web_search"}],
    }
    tool = (
        MistralAgentTool.create(**kwargs, **settings)
        if mode == "sync"
        else await MistralAgentTool.acreate(**kwargs, **settings)
    )
    assert recorder.last == kwargs
    assert recorder.requests[-1].url.path.endswith("/v1/agents")
    assert (tool.name, tool.agent_id) == ("french_translator", "ag_0199aabbccdd")


def test_schema_is_one_input_plus_optional_history() -> None:
    tool = MistralAgentTool(agent_id="ag_1", api_token=TOKEN)
    schema = tool.tool_call_schema.model_json_schema()  # type: ignore[union-attr]
    assert schema["required"] == ["input"]
    assert set(schema["properties"]) == {"input", "messages"}
    assert tool.response_format == "content_and_artifact"
    assert TOKEN not in repr(tool)
