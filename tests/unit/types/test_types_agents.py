"""Agent models: CRUD requests/responses, listings, aliases and agent completions."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import BaseModel, ValidationError

from mistral_lca.types.agents import (
    Agent,
    AgentAlias,
    AgentListPage,
    AgentsCompletionRequest,
    CompletionArgs,
    CreateAgentRequest,
    UpdateAgentRequest,
)

AGENT = {
    "id": "ag_0196fea1e0c274c8a1a03e5c2e7bd9d1",
    "object": "agent",
    "model": "mistral-medium-2505",
    "name": "Websearch Agent",
    "description": "Agent able to search information over the web",
    "instructions": "Use your websearch abilities when answering requests you don't know.",
    "tools": [{"type": "web_search"}],
    "completion_args": {
        "stop": None,
        "presence_penalty": None,
        "frequency_penalty": None,
        "temperature": 0.3,
        "top_p": 0.95,
        "max_tokens": None,
        "random_seed": None,
        "prediction": None,
        "response_format": None,
        "tool_choice": "auto",
    },
    "handoffs": None,
    "metadata": None,
    "version": 2,
    "versions": [0, 1, 2],
    "created_at": "2025-05-27T10:59:40.648916Z",
    "updated_at": "2025-05-27T11:02:10.121Z",
    "deployment_chat": False,
    "source": "api",
    "version_message": None,
}


def test_agent_parses() -> None:
    agent = Agent.model_validate(AGENT)
    assert agent.id == "ag_0196fea1e0c274c8a1a03e5c2e7bd9d1"
    assert agent.name == "Websearch Agent"
    assert agent.tools == [{"type": "web_search"}]
    assert agent.completion_args is not None
    assert agent.completion_args.temperature == 0.3
    assert agent.completion_args.tool_choice == "auto"
    assert agent.versions == [0, 1, 2]
    assert agent.created_at == datetime(2025, 5, 27, 10, 59, 40, 648916, tzinfo=timezone.utc)
    assert agent.deployment_chat is False
    assert agent.source == "api"


def test_agent_completion_args_round_trip_only_sends_what_was_received() -> None:
    agent = Agent.model_validate(AGENT)
    req = UpdateAgentRequest(completion_args=agent.completion_args)
    # None values from the answer are dropped; real values go back unchanged.
    assert req.to_body() == {"completion_args": {"temperature": 0.3, "top_p": 0.95, "tool_choice": "auto"}}


def test_agent_tolerates_missing_and_unknown_fields() -> None:
    agent = Agent.model_validate({"id": "ag_1", "brand_new": [1, 2], "tools": [{"type": "future_tool"}]})
    assert agent.model is None
    assert agent.versions == []
    assert agent.created_at is None
    assert agent.model_extra == {"brand_new": [1, 2]}
    assert agent.tools[0]["type"] == "future_tool"


def test_create_agent_request() -> None:
    req = CreateAgentRequest(
        model="mistral-medium-latest",
        name="Helper",
        instructions="Be brief.",
        tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}],
        completion_args=CompletionArgs(temperature=0.2),
        handoffs=["ag_2"],
        metadata={"team": "a"},
    )
    assert req.to_body() == {
        "model": "mistral-medium-latest",
        "name": "Helper",
        "instructions": "Be brief.",
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        "completion_args": {"temperature": 0.2},
        "handoffs": ["ag_2"],
        "metadata": {"team": "a"},
    }
    assert CreateAgentRequest(model="m", name="n").to_body() == {"model": "m", "name": "n"}


def test_create_agent_requires_model_and_name() -> None:
    with pytest.raises(ValidationError):
        CreateAgentRequest(model="m")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        CreateAgentRequest(name="n")  # type: ignore[call-arg]


def test_update_agent_request_sends_only_set_fields() -> None:
    assert UpdateAgentRequest(description="new", deployment_chat=True).to_body() == {
        "description": "new",
        "deployment_chat": True,
    }
    assert UpdateAgentRequest().to_body() == {}


def test_agents_completion_request() -> None:
    class Message(BaseModel):  # stands in for a typed chat message model
        role: str
        content: str
        name: str | None = None

    req = AgentsCompletionRequest(
        agent_id="ag_1",
        messages=[Message(role="user", content="Hi"), {"role": "assistant", "content": "Hello"}],
        max_tokens=64,
        tool_choice="any",
        parallel_tool_calls=False,
    )
    assert req.to_body() == {
        "agent_id": "ag_1",
        "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
        "max_tokens": 64,
        "tool_choice": "any",
        "parallel_tool_calls": False,
    }
    assert "model" not in req.to_body()
    with pytest.raises(ValidationError):
        AgentsCompletionRequest(messages=[])  # type: ignore[call-arg]


def test_list_page_and_alias() -> None:
    page = AgentListPage.model_validate({"object": "list", "data": [AGENT], "next_page_token": "tok"})
    assert page.data[0].name == "Websearch Agent"
    assert page.next_page_token == "tok"

    alias = AgentAlias.model_validate(
        {
            "alias": "prod",
            "version": 2,
            "created_at": "2025-05-27T10:59:40Z",
            "updated_at": "2025-05-27T10:59:40Z",
        }
    )
    assert alias.alias == "prod"
    assert alias.version == 2
