"""Mistral agents (``/v1/agents``) as LlamaIndex tools: one ``MistralAgentTool`` per agent, and a tool spec.

A tool sends its one ``input`` string as the user message of ``POST /v1/agents/completions`` and returns the
agent's reply text; the whole response (usage, references, tool outputs) is the ``ToolOutput.raw_output``.
API failures come back as ``ToolOutput(is_error=True)`` so an agent loop can carry on.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from llama_index.core.bridge.pydantic import BaseModel, Field
from llama_index.core.tools.tool_spec.base import BaseToolSpec
from llama_index.core.tools.types import AsyncBaseTool, ToolMetadata, ToolOutput
from pydantic import SecretStr

from mistral_lca import ConfigurationError, MistralLCAError
from mistral_lca._config import DEFAULT_MAX_RETRIES, DEFAULT_RATE_LIMIT_WAIT
from mistral_lca.ratelimit import RateLimiter
from mistral_lca.types.agents import Agent
from mistral_lca.types.chat import ChatCompletionResponse

from ._connection import DEFAULT_MAX_CONCURRENT_REQUESTS, ClosesConnection, LCAConnection
from ._responses import split_content

__all__ = ["AgentToolInput", "MistralAgentTool", "MistralAgentToolSpec"]

_NAME_RE = re.compile(r"[^a-zA-Z0-9_-]+")
_LIST_PAGE_SIZE = 100
_MAX_PAGES = 100


class AgentToolInput(BaseModel):
    """The single argument of an agent tool."""

    input: str = Field(description="The request or question to send to the agent, in plain language.")


def _tool_name(name: str | None, agent_id: str) -> str:
    cleaned = _NAME_RE.sub("_", (name or "").strip()).strip("_")
    return (cleaned or f"agent_{_NAME_RE.sub('_', agent_id)}")[:64]


def _reply_text(response: ChatCompletionResponse) -> str:
    if not response.choices:
        return ""
    text, _, _ = split_content(response.choices[0].message.content)
    return text


def _connect(
    connection: LCAConnection | None,
    api_token: str | SecretStr | None,
    base_url: str | None,
    path_params: str,
    timeout: float | None,
    max_retries: int,
    max_concurrent_requests: int,
    http_client: httpx.Client | None,
    async_http_client: httpx.AsyncClient | None,
    *,
    deadline: float | None,
    max_response_bytes: int | None,
    api_key: str | SecretStr | None = None,
    owner: str = "MistralAgentTool",
    **rate_limits: Any,
) -> LCAConnection:
    """``rate_limits``: ``rate_limit_wait``, ``requests_per_second``, ``tokens_per_minute``, ``rate_limiter``.

    ``api_key`` is ``api_token`` under the name the other LlamaIndex integrations use (as on :class:`MistralLCA`).
    """
    if api_key is not None:
        if api_token is not None:
            raise ConfigurationError(f"{owner} got both api_token and api_key; give one")
        api_token = api_key
    if connection is not None:
        return connection
    return LCAConnection.resolve(
        api_token=api_token,
        base_url=base_url,
        path_params=path_params,
        timeout=timeout,
        max_retries=max_retries,
        max_concurrent_requests=max_concurrent_requests,
        deadline=deadline,
        max_response_bytes=max_response_bytes,
        http_client=http_client,
        async_http_client=async_http_client,
        **rate_limits,
    )


class MistralAgentTool(ClosesConnection, AsyncBaseTool):
    """A Mistral agent as a LlamaIndex tool (``FunctionAgent(tools=[MistralAgentTool.from_agent_id(...)])``).

    Build it from an existing agent (``from_agent_id`` / ``afrom_agent_id`` fetch its name and description,
    ``from_agent`` takes an :class:`~mistral_lca.types.agents.Agent`) or create one (``create`` / ``acreate``).
    The constructor does no I/O: given only ``agent_id``, the name and description are fetched on first use of
    ``metadata``. ``completion_kwargs`` are extra fields for every agents-completion request (e.g. ``max_tokens``).
    Connection arguments as everywhere: ``api_token`` (or ``api_key``), ``base_url``, ``path_params``, ``timeout``,
    ``max_retries``, ``max_concurrent_requests``, ``deadline``, ``max_response_bytes``, ``http_client``,
    ``async_http_client``, and the rate-limit options ``rate_limit_wait``, ``requests_per_second``,
    ``tokens_per_minute``, ``rate_limiter``.
    ``close()`` / ``aclose()`` release the connection pools (shared with the tool spec or the other tools built on
    the same connection).
    """

    def __init__(
        self,
        agent_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        return_direct: bool = False,
        completion_kwargs: dict[str, Any] | None = None,
        api_token: str | SecretStr | None = None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        path_params: str = "query",
        timeout: float | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
        deadline: float | None = None,
        max_response_bytes: int | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        connection: LCAConnection | None = None,
        rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT,
        requests_per_second: float | None = None,
        tokens_per_minute: float | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        if not isinstance(agent_id, str) or not agent_id.strip():
            raise ValueError("agent_id must be a non-empty string")
        self.agent_id = agent_id
        self.return_direct = return_direct
        self.completion_kwargs = dict(completion_kwargs or {})
        self._connection = _connect(
            connection,
            api_token,
            base_url,
            path_params,
            timeout,
            max_retries,
            max_concurrent_requests,
            http_client,
            async_http_client,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            api_key=api_key,
            owner="MistralAgentTool",
            rate_limit_wait=rate_limit_wait,
            requests_per_second=requests_per_second,
            tokens_per_minute=tokens_per_minute,
            rate_limiter=rate_limiter,
        )
        self._metadata = self._build_metadata(name, description) if name is not None else None
        self._pending_description = description

    # ---------------------------------------------------------------------------------------- construction

    @classmethod
    def from_agent(cls, agent: Agent, **kwargs: Any) -> MistralAgentTool:
        """A tool for an agent object (from ``client.agents.get/list/create``)."""
        kwargs.setdefault("name", agent.name or "")
        kwargs.setdefault("description", agent.description)
        return cls(agent.id, **kwargs)

    @classmethod
    def from_agent_id(cls, agent_id: str, **kwargs: Any) -> MistralAgentTool:
        """Fetch the agent (``GET /v1/agents/{agent_id}``) and build its tool; ``kwargs`` as the constructor."""
        connection = _connect_from(kwargs)
        agent = connection.client.agents.get(agent_id)
        return cls.from_agent(agent, connection=connection, **_tool_options(kwargs))

    @classmethod
    async def afrom_agent_id(cls, agent_id: str, **kwargs: Any) -> MistralAgentTool:
        """Async :meth:`from_agent_id`."""
        connection = _connect_from(kwargs)
        agent = await connection.aclient.agents.get(agent_id)
        return cls.from_agent(agent, connection=connection, **_tool_options(kwargs))

    @classmethod
    def create(
        cls,
        *,
        model: str,
        name: str,
        instructions: str | None = None,
        description: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        completion_args: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> MistralAgentTool:
        """Create a Mistral agent (``POST /v1/agents``) and return its tool."""
        connection = _connect_from(kwargs)
        params = _create_params(model, name, instructions, description, tools, completion_args)
        agent = connection.client.agents.create(**params)
        return cls.from_agent(agent, connection=connection, **_tool_options(kwargs))

    @classmethod
    async def acreate(
        cls,
        *,
        model: str,
        name: str,
        instructions: str | None = None,
        description: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        completion_args: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> MistralAgentTool:
        connection = _connect_from(kwargs)
        params = _create_params(model, name, instructions, description, tools, completion_args)
        agent = await connection.aclient.agents.create(**params)
        return cls.from_agent(agent, connection=connection, **_tool_options(kwargs))

    # ---------------------------------------------------------------------------------------- metadata

    def _build_metadata(self, name: str | None, description: str | None) -> ToolMetadata:
        tool_name = _tool_name(name, self.agent_id)
        text = (description or "").strip() or f"Ask the Mistral agent '{name or self.agent_id}' to handle a request."
        return ToolMetadata(
            name=tool_name, description=text, fn_schema=AgentToolInput, return_direct=self.return_direct
        )

    @property
    def metadata(self) -> ToolMetadata:
        if self._metadata is None:
            agent = self._connection.client.agents.get(self.agent_id)
            self._metadata = self._build_metadata(agent.name, self._pending_description or agent.description)
        return self._metadata

    # ---------------------------------------------------------------------------------------- calls

    @staticmethod
    def _input_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        if args:
            return str(args[0])
        if "input" in kwargs:
            return str(kwargs["input"])
        values = [v for k, v in kwargs.items() if k not in ("ctx", "context")]
        if len(values) == 1:
            return str(values[0])
        raise ValueError("A Mistral agent tool takes one argument: input (the request for the agent)")

    def _params(self, text: str) -> dict[str, Any]:
        return {**self.completion_kwargs, "agent_id": self.agent_id, "messages": [{"role": "user", "content": text}]}

    def _output(self, text: str, response: ChatCompletionResponse) -> ToolOutput:
        return ToolOutput(
            tool_name=self.metadata.get_name(),
            content=_reply_text(response),
            raw_input={"input": text},
            raw_output=response.model_dump(mode="json", exclude_none=True),
        )

    def _error(self, text: str, error: MistralLCAError) -> ToolOutput:
        return ToolOutput(
            tool_name=self.metadata.get_name(),
            content=f"Error from Mistral agent {self.agent_id}: {error}",
            raw_input={"input": text},
            raw_output=None,
            is_error=True,
            exception=error,
        )

    def call(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Run the agent on ``input`` (positional or keyword)."""
        text = self._input_of(args, kwargs)
        try:
            response = self._connection.client.agents.complete(**self._params(text))
        except MistralLCAError as error:
            return self._error(text, error)
        return self._output(text, response)

    async def acall(self, *args: Any, **kwargs: Any) -> ToolOutput:
        text = self._input_of(args, kwargs)
        try:
            response = await self._connection.aclient.agents.complete(**self._params(text))
        except MistralLCAError as error:
            return self._error(text, error)
        return self._output(text, response)

    def __repr__(self) -> str:
        return f"MistralAgentTool(agent_id={self.agent_id!r})"


_RATE_LIMIT_OPTIONS = ("rate_limit_wait", "requests_per_second", "tokens_per_minute", "rate_limiter")


def _tool_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: kwargs[k] for k in ("name", "description", "return_direct", "completion_kwargs") if k in kwargs}


def _connect_from(kwargs: dict[str, Any]) -> LCAConnection:
    connection = kwargs.get("connection")
    if isinstance(connection, LCAConnection):
        return connection
    return _connect(
        None,
        kwargs.get("api_token"),
        kwargs.get("base_url"),
        kwargs.get("path_params", "query"),
        kwargs.get("timeout"),
        kwargs.get("max_retries", DEFAULT_MAX_RETRIES),
        kwargs.get("max_concurrent_requests", DEFAULT_MAX_CONCURRENT_REQUESTS),
        kwargs.get("http_client"),
        kwargs.get("async_http_client"),
        deadline=kwargs.get("deadline"),
        max_response_bytes=kwargs.get("max_response_bytes"),
        api_key=kwargs.get("api_key"),
        **{k: kwargs[k] for k in _RATE_LIMIT_OPTIONS if k in kwargs},
    )


def _create_params(
    model: str,
    name: str,
    instructions: str | None,
    description: str | None,
    tools: list[dict[str, Any]] | None,
    completion_args: dict[str, Any] | None,
) -> dict[str, Any]:
    params: dict[str, Any] = {"model": model, "name": name}
    for key, value in (
        ("instructions", instructions),
        ("description", description),
        ("tools", tools),
        ("completion_args", completion_args),
    ):
        if value is not None:
            params[key] = value
    return params


class MistralAgentToolSpec(ClosesConnection, BaseToolSpec):
    """Every agent of the account as a tool: ``MistralAgentToolSpec().to_tool_list()`` (one tool per agent).

    ``list_agents`` / ``alist_agents`` page through ``GET /v1/agents``; ``name``/``search`` narrow the list.
    """

    spec_functions: list[Any] = []  # noqa: RUF012 - tools come from the account, not from methods

    def __init__(
        self,
        *,
        name: str | None = None,
        search: str | None = None,
        return_direct: bool = False,
        completion_kwargs: dict[str, Any] | None = None,
        api_token: str | SecretStr | None = None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        path_params: str = "query",
        timeout: float | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
        deadline: float | None = None,
        max_response_bytes: int | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT,
        requests_per_second: float | None = None,
        tokens_per_minute: float | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.name = name
        self.search = search
        self.return_direct = return_direct
        self.completion_kwargs = dict(completion_kwargs or {})
        self._connection = _connect(
            None,
            api_token,
            base_url,
            path_params,
            timeout,
            max_retries,
            max_concurrent_requests,
            http_client,
            async_http_client,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            api_key=api_key,
            owner="MistralAgentToolSpec",
            rate_limit_wait=rate_limit_wait,
            requests_per_second=requests_per_second,
            tokens_per_minute=tokens_per_minute,
            rate_limiter=rate_limiter,
        )

    def _filters(self) -> dict[str, Any]:
        return {k: v for k, v in (("name", self.name), ("search", self.search)) if v is not None}

    def list_agents(self) -> list[Agent]:
        """All agents of the account (every page)."""
        agents: list[Agent] = []
        for page in range(_MAX_PAGES):
            batch = self._connection.client.agents.list(page=page, page_size=_LIST_PAGE_SIZE, **self._filters())
            agents.extend(batch)
            if len(batch) < _LIST_PAGE_SIZE:
                break
        return agents

    async def alist_agents(self) -> list[Agent]:
        agents: list[Agent] = []
        for page in range(_MAX_PAGES):
            batch = await self._connection.aclient.agents.list(page=page, page_size=_LIST_PAGE_SIZE, **self._filters())
            agents.extend(batch)
            if len(batch) < _LIST_PAGE_SIZE:
                break
        return agents

    def _tools(self, agents: list[Agent]) -> list[MistralAgentTool]:
        return [
            MistralAgentTool.from_agent(
                agent,
                return_direct=self.return_direct,
                completion_kwargs=self.completion_kwargs,
                connection=self._connection,
            )
            for agent in agents
        ]

    def to_tool_list(  # type: ignore[override]
        self, spec_functions: Any = None, func_to_metadata_mapping: Any = None
    ) -> list[MistralAgentTool]:
        """One tool per agent of the account."""
        return self._tools(self.list_agents())

    async def to_tool_list_async(  # type: ignore[override]
        self, spec_functions: Any = None, func_to_metadata_mapping: Any = None
    ) -> list[MistralAgentTool]:
        return self._tools(await self.alist_agents())
