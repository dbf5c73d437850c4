"""``client.agents``: CRUD in both URL forms, completions and streams (shared chat decoding)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from client_support import Recorder, assert_request, build_client, call, collect, error, ok

from mistral_lca import InvalidRequestError, ServerError
from mistral_lca.types.agents import Agent
from mistral_lca.types.chat import ChatCompletionResponse, CompletionEvent

AGENT = {
    "id": "ag_019",
    "object": "agent",
    "model": "mistral-medium-latest",
    "name": "Librarian",
    "instructions": "Answer briefly.",
    "tools": [{"type": "web_search"}],
    "completion_args": {"temperature": 0.3},
    "version": 0,
    "versions": [0],
    "created_at": "2026-08-19T14:40:42.123Z",
    "updated_at": "2026-08-19T14:40:42.123Z",
}
COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "model": "mistral-medium-latest",
    "created": 1,
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris."}, "finish_reason": "stop"}],
}
MESSAGES = [{"role": "user", "content": "Capital of France?"}]


async def test_create_sends_the_agent_definition(make_client: Any, form: str) -> None:
    rec = Recorder(ok(AGENT))
    agent = await call(
        make_client(rec),
        "agents.create",
        model="mistral-medium-latest",
        name="Librarian",
        instructions="Answer briefly.",
        tools=[{"type": "web_search"}],
        completion_args={"temperature": 0.3},
    )
    assert isinstance(agent, Agent)
    assert agent.id == "ag_019" and agent.completion_args is not None and agent.completion_args.temperature == 0.3
    body = {
        "model": "mistral-medium-latest",
        "name": "Librarian",
        "instructions": "Answer briefly.",
        "tools": [{"type": "web_search"}],
        "completion_args": {"temperature": 0.3},
    }
    assert_request(rec.last, "POST", form, "/v1/agents", json_body=body)


async def test_create_is_not_retried_after_a_502(mode: str) -> None:
    rec = Recorder(error(502), ok(AGENT))
    with pytest.raises(ServerError, match="502"):
        await call(build_client(mode, rec), "agents.create", model="m", name="n")
    assert len(rec.requests) == 1


async def test_list_returns_agents(make_client: Any, form: str) -> None:
    rec = Recorder(ok([AGENT, {**AGENT, "id": "ag_020"}]))
    agents = await call(make_client(rec), "agents.list", page=1, page_size=5, search="lib", metadata={"team": "x"})
    assert [a.id for a in agents] == ["ag_019", "ag_020"]
    query = [("page", "1"), ("page_size", "5"), ("search", "lib"), ("metadata", '{"team":"x"}')]
    assert_request(rec.last, "GET", form, "/v1/agents", query=query, json_body=None)


async def test_get_update_delete(make_client: Any, form: str) -> None:
    rec = Recorder(ok(AGENT), ok({**AGENT, "name": "Renamed", "version": 1}), httpx.Response(204))
    client = make_client(rec)
    assert (await call(client, "agents.get", "ag_019", agent_version=0)).name == "Librarian"
    assert_request(rec.last, "GET", form, "/v1/agents/{agent_id}", {"agent_id": "ag_019"}, [("agent_version", "0")])
    updated = await call(client, "agents.update", "ag_019", name="Renamed", handoffs=["ag_020"])
    assert updated.version == 1
    assert_request(
        rec.last, "PATCH", form, "/v1/agents/{agent_id}", {"agent_id": "ag_019"},
        json_body={"name": "Renamed", "handoffs": ["ag_020"]},
    )  # fmt: skip
    assert await call(client, "agents.delete", "ag_019") is None
    assert_request(rec.last, "DELETE", form, "/v1/agents/{agent_id}", {"agent_id": "ag_019"})


async def test_complete_posts_to_agents_completions(make_client: Any, form: str) -> None:
    rec = Recorder(ok(COMPLETION))
    reply = await call(make_client(rec), "agents.complete", agent_id="ag_019", messages=MESSAGES, max_tokens=20)
    assert isinstance(reply, ChatCompletionResponse)
    assert reply.choices[0].message.content == "Paris."
    body = {"agent_id": "ag_019", "messages": MESSAGES, "max_tokens": 20}
    assert_request(rec.last, "POST", form, "/v1/agents/completions", json_body=body)


async def test_stream_yields_completion_events(make_client: Any) -> None:
    chunks = [
        {"id": "s", "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {"id": "s", "model": "m", "choices": [{"index": 0, "delta": {"content": "Par"}}], "p": "abc"},
        {
            "id": "s",
            "model": "m",
            "choices": [{"index": 0, "delta": {"content": "is."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        },
    ]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    rec = Recorder(httpx.Response(200, content=body.encode(), headers={"content-type": "text/event-stream"}))
    events = await collect(make_client(rec).agents.stream(agent_id="ag_019", messages=MESSAGES))
    assert all(isinstance(e, CompletionEvent) for e in events)
    assert "".join(e.data.choices[0].delta.content or "" for e in events) == "Paris."
    assert events[-1].data.usage is not None and events[-1].data.usage.total_tokens == 5
    sent = json.loads(rec.last.content)
    assert sent == {"agent_id": "ag_019", "messages": MESSAGES, "stream": True}
    assert rec.last.headers["accept"] == "text/event-stream"


@pytest.mark.parametrize(
    ("call_name", "kwargs", "message"),
    [
        ("agents.complete", {"agent_id": "", "messages": MESSAGES}, "agent_id"),
        ("agents.complete", {"agent_id": "a", "messages": []}, "messages must not be empty"),
        (
            "agents.complete",
            {"agent_id": "a", "messages": MESSAGES, "temperature": 0.2},
            "temperature is set by the agent",
        ),
        ("agents.complete", {"agent_id": "a", "messages": [{"role": "robot", "content": "x"}]}, "messages"),
        ("agents.create", {"model": "m", "name": ""}, "name"),
        ("agents.create", {"model": "m", "name": "n", "tools": "web_search"}, "tools"),
        ("agents.get", {"agent_id": " "}, "agent_id"),
        ("agents.delete", {"agent_id": None}, "agent_id"),
    ],
)
async def test_bad_calls_are_rejected_before_sending(
    make_client: Any, call_name: str, kwargs: Any, message: str
) -> None:
    rec = Recorder(ok(AGENT))
    with pytest.raises(InvalidRequestError, match=message):
        await call(make_client(rec), call_name, **kwargs)
    assert rec.requests == []
