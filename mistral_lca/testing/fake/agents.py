"""Agents CRUD (``/v1/agents``); completions against agents live in :mod:`.chat`."""

from __future__ import annotations

from typing import Any

from .replies import Call, EmptyReply, ErrorReply, JsonReply, Reply, check_fields, json_object, not_found, query_int
from .state import FakeState

__all__ = ["AGENT_ROUTES"]

_FIELDS = (
    "instructions",
    "tools",
    "completion_args",
    "guardrails",
    "model",
    "name",
    "description",
    "handoffs",
    "metadata",
    "version_message",
)


def create(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = check_fields(body, required=("model", "name"), allowed=_FIELDS if state.config.strict else None)
    if err is not None:
        return err
    now = state.iso()
    agent: dict[str, Any] = {
        "instructions": None,
        "tools": [],
        "completion_args": {},
        "guardrails": None,
        "description": None,
        "handoffs": None,
        "metadata": None,
        "version_message": None,
        **body,
        "object": "agent",
        "id": state.ids.prefixed("ag", "agent"),
        "version": 0,
        "versions": [0],
        "created_at": now,
        "updated_at": now,
        "deployment_chat": False,
        "source": "api",
    }
    state.agents[agent["id"]] = agent
    return JsonReply(agent)


def list_agents(state: FakeState, call: Call) -> Reply:
    page, size = query_int(call.query, "page", 0), max(1, query_int(call.query, "page_size", 20))
    agents = [a for a in state.agents.values() if "name" not in call.query or a["name"] == call.query["name"]]
    return JsonReply(agents[page * size : (page + 1) * size])


def get(state: FakeState, call: Call) -> Reply:
    agent = state.agents.get(call.params["agent_id"])
    return JsonReply(agent) if agent else not_found("Agent", call.params["agent_id"])


def update(state: FakeState, call: Call) -> Reply:
    agent = state.agents.get(call.params["agent_id"])
    if agent is None:
        return not_found("Agent", call.params["agent_id"])
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = check_fields(body, required=(), allowed=_FIELDS if state.config.strict else None)
    if err is not None:
        return err
    agent.update(body)
    agent["version"] += 1
    agent["versions"] = [*agent["versions"], agent["version"]]
    agent["updated_at"] = state.iso()
    return JsonReply(agent)


def delete(state: FakeState, call: Call) -> Reply:
    if state.agents.pop(call.params["agent_id"], None) is None:
        return not_found("Agent", call.params["agent_id"])
    return EmptyReply(204)


AGENT_ROUTES = (
    ("POST", "/v1/agents", create),
    ("GET", "/v1/agents", list_agents),
    ("GET", "/v1/agents/{agent_id}", get),
    ("PATCH", "/v1/agents/{agent_id}", update),
    ("DELETE", "/v1/agents/{agent_id}", delete),
)
