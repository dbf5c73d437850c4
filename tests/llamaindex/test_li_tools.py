"""MistralAgentTool and MistralAgentToolSpec: construction, metadata, calls (positional/keyword, sync/async), errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from li_support import TOKEN, Recorder, chat_result, envelope, transports
from llama_index.core.tools.calling import acall_tool_with_selection, call_tool_with_selection
from llama_index.core.tools.types import ToolOutput

from llamaindex_mistral_lca import MistralAgentTool, MistralAgentToolSpec
from llamaindex_mistral_lca.tools import AgentToolInput

AGENT = {
    "id": "ag_0123abcd",
    "object": "agent",
    "model": "mistral-medium-latest",
    "name": "Travel helper!",
    "description": "Plans trips and answers travel questions.",
    "instructions": "Be helpful.",
    "tools": [],
    "version": 0,
}
AGENTS_COMPLETION_FIELDS = {
    "agent_id", "messages", "max_tokens", "stream", "stop", "random_seed", "metadata", "response_format", "tools",
    "tool_choice", "presence_penalty", "frequency_penalty", "n", "prediction", "parallel_tool_calls",
    "reasoning_effort", "prompt_mode", "guardrails", "prompt_cache_key", "service_tier",
}  # fmt: skip


def router(request: httpx.Request) -> httpx.Response:
    path = request.url.path.removeprefix("/mistralai")
    if request.method == "GET" and path == "/v1/agents/agent_id":
        return httpx.Response(200, json=envelope({**AGENT, "id": request.url.params["agent_id"]}))
    if request.method == "GET" and path == "/v1/agents":
        page = int(request.url.params.get("page", "0"))
        size = int(request.url.params.get("page_size", "100"))
        everyone = [
            {**AGENT, "id": f"ag_{i}", "name": f"agent {i}", "description": f"Agent number {i}"} for i in range(3)
        ]
        return httpx.Response(200, json=envelope(everyone[page * size : (page + 1) * size]))
    if request.method == "POST" and path == "/v1/agents":
        body = json.loads(request.content)
        return httpx.Response(200, json=envelope({**AGENT, **body, "id": "ag_new"}))
    if request.method == "POST" and path == "/v1/agents/completions":
        body = json.loads(request.content)
        return httpx.Response(200, json=envelope(chat_result(f"Agent says: {body['messages'][-1]['content']}")))
    return httpx.Response(404, json={"detail": "Not Found"})


def connection(rec: Recorder) -> dict[str, Any]:
    return {"api_token": TOKEN, "max_retries": 0, **transports(rec)}


def test_constructor_does_no_io_and_metadata_is_fetched_once() -> None:
    rec = Recorder(router)
    tool = MistralAgentTool("ag_0123abcd", **connection(rec))
    assert rec.requests == []
    metadata = tool.metadata
    assert metadata.name == "Travel_helper"
    assert metadata.description == AGENT["description"]
    assert metadata.fn_schema is AgentToolInput
    assert metadata.get_parameters_dict()["required"] == ["input"]
    assert tool.metadata is metadata
    assert len(rec.requests) == 1


async def test_from_agent_id(mode: str) -> None:
    rec = Recorder(router)
    if mode == "sync":
        tool = MistralAgentTool.from_agent_id("ag_x1", return_direct=True, **connection(rec))
    else:
        tool = await MistralAgentTool.afrom_agent_id("ag_x1", return_direct=True, **connection(rec))
    request = rec.requests[0]
    assert (request.method, request.url.path, request.url.params["agent_id"]) == (
        "GET",
        "/mistralai/v1/agents/agent_id",
        "ag_x1",
    )
    assert tool.agent_id == "ag_x1" and tool.metadata.name == "Travel_helper" and tool.metadata.return_direct


async def test_create(mode: str) -> None:
    rec = Recorder(router)
    kwargs = {"model": "mistral-small-latest", "name": "Math", "instructions": "Compute.", "description": "Math help"}
    if mode == "sync":
        tool = MistralAgentTool.create(**kwargs, **connection(rec))
    else:
        tool = await MistralAgentTool.acreate(**kwargs, **connection(rec))
    assert rec.requests[0].method == "POST" and rec.requests[0].url.path == "/mistralai/v1/agents"
    assert rec.body == kwargs
    assert (tool.agent_id, tool.metadata.name, tool.metadata.description) == ("ag_new", "Math", "Math help")


async def test_calls_positional_and_keyword(mode: str) -> None:
    rec = Recorder(router)
    tool = MistralAgentTool.from_agent(_agent(), completion_kwargs={"max_tokens": 50}, **connection(rec))
    if mode == "sync":
        outputs = [tool("Paris?"), tool.call(input="Rome?"), tool(query="Oslo?")]
    else:
        outputs = [await tool.acall("Paris?"), await tool.acall(input="Rome?"), await tool.acall(query="Oslo?")]
    assert [o.content for o in outputs] == ["Agent says: Paris?", "Agent says: Rome?", "Agent says: Oslo?"]
    first = outputs[0]
    assert isinstance(first, ToolOutput) and not first.is_error
    assert first.tool_name == "Travel_helper"
    assert first.raw_input == {"input": "Paris?"}
    assert first.raw_output["usage"]["total_tokens"] == 7
    assert rec.bodies[0] == {
        "agent_id": "ag_0123abcd",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": "Paris?"}],
    }
    assert set(rec.bodies[0]) <= AGENTS_COMPLETION_FIELDS
    assert rec.requests[0].url.path == "/mistralai/v1/agents/completions"


async def test_core_calling_helpers(mode: str) -> None:
    from llama_index.core.llms.llm import ToolSelection

    tool = MistralAgentTool.from_agent(_agent(), **connection(Recorder(router)))
    selection = ToolSelection(tool_id="KikbB849t", tool_name="Travel_helper", tool_kwargs={"input": "Lima?"})
    if mode == "sync":
        output = call_tool_with_selection(selection, [tool])
    else:
        output = await acall_tool_with_selection(selection, [tool])
    assert output.content == "Agent says: Lima?"


async def test_api_failure_is_an_error_output(mode: str) -> None:
    rec = Recorder(httpx.Response(500, json={"object": "error", "message": "upstream broke"}))
    tool = MistralAgentTool.from_agent(_agent(), **connection(rec))
    output = tool("hi") if mode == "sync" else await tool.acall("hi")
    assert output.is_error
    assert "upstream broke" in output.content
    assert output.exception is not None
    assert TOKEN not in output.content


def test_bad_calls_are_rejected() -> None:
    tool = MistralAgentTool.from_agent(_agent(), **connection(Recorder(router)))
    with pytest.raises(ValueError, match="one argument"):
        tool.call(a=1, b=2)
    with pytest.raises(ValueError, match="agent_id"):
        MistralAgentTool("", api_token=TOKEN)


async def test_spec_lists_every_page(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import llamaindex_mistral_lca.tools as tools_module

    monkeypatch.setattr(tools_module, "_LIST_PAGE_SIZE", 2)
    rec = Recorder(router)
    spec = MistralAgentToolSpec(search="agent", **connection(rec))
    tools = spec.to_tool_list() if mode == "sync" else await spec.to_tool_list_async()
    assert [t.metadata.name for t in tools] == ["agent_0", "agent_1", "agent_2"]
    assert [t.metadata.description for t in tools] == ["Agent number 0", "Agent number 1", "Agent number 2"]
    assert [r.url.params["page"] for r in rec.requests] == ["0", "1"]
    assert rec.requests[0].url.params["search"] == "agent"
    output = tools[1]("hello") if mode == "sync" else await tools[1].acall("hello")
    assert output.content == "Agent says: hello"
    assert rec.body["agent_id"] == "ag_1"


def test_repr_has_no_secret() -> None:
    tool = MistralAgentTool("ag_1", name="x", api_token=TOKEN)
    spec = MistralAgentToolSpec(api_token=TOKEN)
    assert TOKEN not in repr(tool) and TOKEN not in repr(spec) and TOKEN not in repr(tool.metadata)


def _agent() -> Any:
    from mistral_lca.types.agents import Agent

    return Agent.model_validate(AGENT)
