"""``client.agents``: agent CRUD (``/v1/agents*``) and agent completions (``POST /v1/agents/completions``).

Completions share the chat decoding (``_completions``): same response, same stream events.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from pydantic import ConfigDict, TypeAdapter, with_config
from typing_extensions import Required, TypedDict, Unpack

from .._errors import InvalidRequestError
from .._operation import Operation, StreamingOperation, model_parser, validate_params
from .._request import RequestSpec
from .._streaming import AsyncStream, Stream
from ..types.agents import Agent, CompletionArgs, CreateAgentRequest, UpdateAgentRequest
from ..types.bounds import CompletionCount, Penalty, Seed, TokenCount
from ..types.chat import ChatCompletionResponse, ChatMessageParam, CompletionEvent, ResponseFormatParam, ToolSpec
from ._base import AsyncResource, SyncResource
from ._common import list_parser, no_content, query, request_body, require_id
from ._completions import COMPLETION_STREAM, parse_completion
from .chat import check_tool_messages

__all__ = [
    "AgentCompletionParams",
    "AgentCreateParams",
    "AgentUpdateParams",
    "Agents",
    "AsyncAgents",
    "agent_completion_body",
]

_AGENTS = "/v1/agents"
_ONE = "/v1/agents/{agent_id}"
_COMPLETIONS = "/v1/agents/completions"

_parse_agent = model_parser(Agent)


class AgentCompletionParams(TypedDict, total=False):
    """Keyword arguments of ``client.agents.complete`` / ``stream``: chat fields minus model and sampling."""

    agent_id: Required[str]
    messages: Required[list[ChatMessageParam]]
    max_tokens: TokenCount
    stop: str | list[str]
    random_seed: Seed
    metadata: dict[str, Any]
    response_format: ResponseFormatParam
    tools: list[ToolSpec]
    tool_choice: str | dict[str, Any]
    presence_penalty: Penalty
    frequency_penalty: Penalty
    n: CompletionCount
    prediction: dict[str, Any]
    parallel_tool_calls: bool
    reasoning_effort: str
    prompt_mode: str
    guardrails: list[dict[str, Any]]
    prompt_cache_key: str
    service_tier: str


class AgentCreateParams(TypedDict, total=False):
    """Keyword arguments of ``client.agents.create``."""

    model: Required[str]
    name: Required[str]
    instructions: str
    description: str
    tools: list[dict[str, Any]]
    completion_args: CompletionArgs | dict[str, Any]
    handoffs: list[str]
    metadata: dict[str, Any]
    guardrails: list[dict[str, Any]]
    version_message: str


class AgentUpdateParams(TypedDict, total=False):
    """Keyword arguments of ``client.agents.update`` (besides ``agent_id``): only what is given changes."""

    model: str
    name: str
    instructions: str
    description: str
    tools: list[dict[str, Any]]
    completion_args: CompletionArgs | dict[str, Any]
    handoffs: list[str]
    deployment_chat: bool
    metadata: dict[str, Any]
    guardrails: list[dict[str, Any]]
    version_message: str


@with_config(ConfigDict(extra="allow"))
class _CompletionBody(AgentCompletionParams):
    pass


_COMPLETION_ADAPTER: TypeAdapter[Any] = TypeAdapter(_CompletionBody)


def agent_completion_body(params: AgentCompletionParams | dict[str, Any]) -> dict[str, Any]:
    """Validate agent-completion parameters into the JSON body (before any network call)."""
    require_id(params.get("agent_id"), "agent_id")
    messages = params.get("messages")
    if isinstance(messages, list) and not messages:
        raise InvalidRequestError("Invalid agents.complete request: messages must not be empty")
    for banned in ("model", "temperature", "top_p"):
        if params.get(banned) is not None:
            raise InvalidRequestError(f"Invalid agents.complete request: {banned} is set by the agent, not per call")
    body = validate_params(_COMPLETION_ADAPTER, params, "agents.complete")
    check_tool_messages(body.get("messages"), "agents.complete")
    body.pop("stream", None)
    return body


def _complete(params: AgentCompletionParams) -> Operation[ChatCompletionResponse]:
    return Operation(RequestSpec("POST", _COMPLETIONS, json=agent_completion_body(params)), parse_completion)


def _stream(params: AgentCompletionParams) -> StreamingOperation[CompletionEvent]:
    body = {**agent_completion_body(params), "stream": True}
    return StreamingOperation(RequestSpec("POST", _COMPLETIONS, json=body, stream=True), COMPLETION_STREAM)


def _create(params: AgentCreateParams) -> Operation[Agent]:
    for field in ("model", "name"):
        require_id(params.get(field), field)
    body = request_body(CreateAgentRequest, params, "agents.create")
    return Operation(RequestSpec("POST", _AGENTS, json=body, creates=True), _parse_agent)


def _list(
    page: int | None,
    page_size: int | None,
    name: str | None,
    search: str | None,
    sources: Sequence[str] | None,
    deployment_chat: bool | None,
    metadata: dict[str, Any] | None,
) -> Operation[builtins.list[Agent]]:
    params = query(
        page=page,
        page_size=page_size,
        name=name,
        search=search,
        sources=sources,
        deployment_chat=deployment_chat,
        metadata=metadata,
    )
    return Operation(RequestSpec("GET", _AGENTS, query=params), list_parser(Agent))


def _one(method: str, agent_id: str, **extra: Any) -> RequestSpec:
    return RequestSpec(method, _ONE, path_params={"agent_id": require_id(agent_id, "agent_id")}, **extra)


def _get(agent_id: str, agent_version: int | str | None) -> Operation[Agent]:
    return Operation(_one("GET", agent_id, query=query(agent_version=agent_version)), _parse_agent)


def _update(agent_id: str, params: AgentUpdateParams) -> Operation[Agent]:
    body = request_body(UpdateAgentRequest, params, "agents.update")
    return Operation(_one("PATCH", agent_id, json=body), _parse_agent)


def _delete(agent_id: str) -> Operation[None]:
    return Operation(_one("DELETE", agent_id), no_content)


class Agents(SyncResource):
    def complete(self, **params: Unpack[AgentCompletionParams]) -> ChatCompletionResponse:
        """A chat completion driven by the stored agent ``agent_id``."""
        return self._run(_complete(params))

    def stream(self, **params: Unpack[AgentCompletionParams]) -> Stream[CompletionEvent]:
        """Stream an agent completion; iterate for :class:`CompletionEvent` items (as ``chat.stream``)."""
        return self._stream(_stream(params))

    def create(self, **params: Unpack[AgentCreateParams]) -> Agent:
        return self._run(_create(params))

    def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        name: str | None = None,
        search: str | None = None,
        sources: Sequence[str] | None = None,
        deployment_chat: bool | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> builtins.list[Agent]:
        return self._run(_list(page, page_size, name, search, sources, deployment_chat, metadata))

    def get(self, agent_id: str, *, agent_version: int | str | None = None) -> Agent:
        return self._run(_get(agent_id, agent_version))

    def update(self, agent_id: str, **params: Unpack[AgentUpdateParams]) -> Agent:
        return self._run(_update(agent_id, params))

    def delete(self, agent_id: str) -> None:
        return self._run(_delete(agent_id))


class AsyncAgents(AsyncResource):
    async def complete(self, **params: Unpack[AgentCompletionParams]) -> ChatCompletionResponse:
        """A chat completion driven by the stored agent ``agent_id``."""
        return await self._run(_complete(params))

    def stream(self, **params: Unpack[AgentCompletionParams]) -> AsyncStream[CompletionEvent]:
        """Stream an agent completion; ``async for`` over the result (not awaited)."""
        return self._stream(_stream(params))

    async def create(self, **params: Unpack[AgentCreateParams]) -> Agent:
        return await self._run(_create(params))

    async def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        name: str | None = None,
        search: str | None = None,
        sources: Sequence[str] | None = None,
        deployment_chat: bool | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> builtins.list[Agent]:
        return await self._run(_list(page, page_size, name, search, sources, deployment_chat, metadata))

    async def get(self, agent_id: str, *, agent_version: int | str | None = None) -> Agent:
        return await self._run(_get(agent_id, agent_version))

    async def update(self, agent_id: str, **params: Unpack[AgentUpdateParams]) -> Agent:
        return await self._run(_update(agent_id, params))

    async def delete(self, agent_id: str) -> None:
        return await self._run(_delete(agent_id))
