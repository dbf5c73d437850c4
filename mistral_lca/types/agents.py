"""Agents (``/v1/agents*``, beta) and agent completions (``POST /v1/agents/completions``).

Tools, messages, guardrails and response formats are plain dicts here, exactly as the chat API takes them
(their typed forms live with the chat types). Pydantic models passed where a dict is expected (for example
message models) are converted with their ``to_body()`` or ``model_dump()``.
The agents-completion answer is a chat completion and is parsed by the chat types.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from ._base import RequestModel, ResponseModel
from .bounds import CompletionArgsTemperature, CompletionArgsTopP, Penalty, Seed, TokenCount

__all__ = [
    "Agent",
    "AgentAlias",
    "AgentListPage",
    "AgentsCompletionRequest",
    "CompletionArgs",
    "CompletionArgsParam",
    "CreateAgentRequest",
    "UpdateAgentRequest",
]


def _plain(value: Any) -> Any:
    """A dict for a pydantic model (request models via ``to_body``), anything else unchanged."""
    if isinstance(value, RequestModel):
        return value.to_body()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value


def _plain_list(value: Any) -> Any:
    return [_plain(item) for item in value] if isinstance(value, list) else value


class CompletionArgs(RequestModel):
    """Sampling settings stored on an agent or a conversation (``completion_args``).

    Also used when reading an :class:`Agent`, so the arguments can be sent back unchanged.
    """

    stop: str | list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    random_seed: int | None = None
    prediction: dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    tool_choice: Literal["auto", "none", "any", "required"] | str | None = None
    reasoning_effort: str | None = None


class CompletionArgsParam(CompletionArgs):
    """:class:`CompletionArgs` as sent: the spec's bounds are checked before anything is sent (a value outside
    them is a 422 from Mistral), so ``completion_args={"temperature": 1.2}`` fails here, naming the field."""

    presence_penalty: Penalty | None = None
    frequency_penalty: Penalty | None = None
    temperature: CompletionArgsTemperature | None = None
    top_p: CompletionArgsTopP | None = None
    max_tokens: TokenCount | None = None
    random_seed: Seed | None = None


# --------------------------------------------------------------------------------------------- requests


class CreateAgentRequest(RequestModel):
    """``POST /v1/agents``."""

    model: str
    name: str
    instructions: str | None = None
    description: str | None = None
    tools: list[dict[str, Any]] | None = None
    """Tool definitions: ``{"type": "function", "function": {...}}`` or built-ins such as
    ``{"type": "web_search"}``, ``{"type": "code_interpreter"}``, ``{"type": "document_library", ...}``."""
    completion_args: CompletionArgsParam | None = None
    handoffs: list[str] | None = None
    """Ids of agents this agent may hand the conversation to."""
    metadata: dict[str, Any] | None = None
    guardrails: list[dict[str, Any]] | None = None
    version_message: str | None = None

    @field_validator("tools", "guardrails", mode="before")
    @classmethod
    def _models_to_dicts(cls, value: Any) -> Any:
        return _plain_list(value)

    _completion_args = field_validator("completion_args", mode="before")(_plain)  # re-check a CompletionArgs read back


class UpdateAgentRequest(RequestModel):
    """``PATCH /v1/agents/{agent_id}``: only the fields that are set are changed."""

    model: str | None = None
    name: str | None = None
    instructions: str | None = None
    description: str | None = None
    tools: list[dict[str, Any]] | None = None
    completion_args: CompletionArgsParam | None = None
    handoffs: list[str] | None = None
    deployment_chat: bool | None = None
    metadata: dict[str, Any] | None = None
    guardrails: list[dict[str, Any]] | None = None
    version_message: str | None = None

    @field_validator("tools", "guardrails", mode="before")
    @classmethod
    def _models_to_dicts(cls, value: Any) -> Any:
        return _plain_list(value)

    _completion_args = field_validator("completion_args", mode="before")(_plain)  # re-check a CompletionArgs read back


class AgentsCompletionRequest(RequestModel):
    """``POST /v1/agents/completions``: a chat completion driven by a stored agent.

    Takes the chat sampling fields except ``model``, ``temperature`` and ``top_p`` (the agent fixes them).
    """

    agent_id: str
    messages: list[dict[str, Any]]
    max_tokens: int | None = None
    stream: bool | None = None
    stop: str | list[str] | None = None
    random_seed: int | None = None
    metadata: dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    n: int | None = None
    prediction: dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    reasoning_effort: str | None = None
    prompt_mode: str | None = None
    guardrails: list[dict[str, Any]] | None = None
    prompt_cache_key: str | None = None
    service_tier: str | None = None

    @field_validator("messages", "tools", "guardrails", mode="before")
    @classmethod
    def _models_to_dicts(cls, value: Any) -> Any:
        return _plain_list(value)

    @field_validator("response_format", "prediction", "tool_choice", mode="before")
    @classmethod
    def _model_to_dict(cls, value: Any) -> Any:
        return _plain(value)


# -------------------------------------------------------------------------------------------- responses


class Agent(ResponseModel):
    """An agent (one version of it)."""

    id: str
    object: str = "agent"
    model: str | None = None
    name: str | None = None
    description: str | None = None
    instructions: str | None = None
    tools: list[dict[str, Any]] = Field(default_factory=list)
    completion_args: CompletionArgs | None = None
    guardrails: list[dict[str, Any]] | None = None
    handoffs: list[str] | None = None
    metadata: dict[str, Any] | None = None
    version: int | None = None
    versions: list[int] = Field(default_factory=list)
    version_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deployment_chat: bool | None = None
    source: str | None = None


class AgentListPage(ResponseModel):
    """``GET /v1/agents/pages``: one page of agents and the cursor of the next one."""

    object: str = "list"
    data: list[Agent] = Field(default_factory=list)
    next_page_token: str | None = None


class AgentAlias(ResponseModel):
    """A named pointer to an agent version (``/v1/agents/{agent_id}/aliases``)."""

    alias: str
    version: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
