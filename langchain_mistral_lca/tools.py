"""``MistralAgentTool``: a Mistral agent (``/v1/agents/completions``) as a LangChain tool.

The tool takes one ``input`` string (plus optional prior ``messages``), asks the agent, and returns the
agent's text as the tool content with the whole completion (a JSON-ready dict) as the artifact.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field

from mistral_lca.types.agents import Agent
from mistral_lca.types.chat import ChatCompletionResponse

from ._responses import message_from_response
from ._settings import ConnectionSettings

__all__ = ["AgentMessage", "MistralAgentInput", "MistralAgentTool"]

_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]+")
_PENDING = "pending"  # agent_id of a tool whose agent is being created


class AgentMessage(BaseModel):
    """One earlier turn of the conversation with the agent."""

    role: Literal["user", "assistant"]
    content: str


class MistralAgentInput(BaseModel):
    """Arguments of a Mistral agent tool."""

    input: str = Field(description="The request or question for the agent, in plain language.")
    messages: list[AgentMessage] | None = Field(
        default=None, description="Optional earlier turns of the conversation with this agent, oldest first."
    )


def tool_name(agent_name: str | None, agent_id: str) -> str:
    """A tool name Mistral and OpenAI-style APIs accept (``[a-zA-Z0-9_-]{1,64}``)."""
    name = _NAME_UNSAFE.sub("_", (agent_name or "").strip()).strip("_").lower()
    return (name or f"agent_{_NAME_UNSAFE.sub('_', agent_id)}")[:64]


def _description(agent: Agent) -> str:
    if agent.description:
        return agent.description
    if agent.instructions:
        return f"Ask the '{agent.name or agent.id}' agent. It was instructed: {agent.instructions}"[:1024]
    return f"Ask the Mistral agent '{agent.name or agent.id}'."


class MistralAgentTool(ConnectionSettings, BaseTool):
    """A stored Mistral agent as a tool for LangChain agents and LangGraph.

    >>> tool = MistralAgentTool.from_agent_id("ag_0123...")  # name and description come from the agent
    >>> tool = MistralAgentTool.create(name="Translator", model="mistral-medium-latest",
    ...                                instructions="Translate into French.", description="Translates to French.")
    >>> tool.invoke({"input": "Good morning"})

    Called with a ``ToolCall`` it returns a ``ToolMessage`` whose ``artifact`` is the full agent completion.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, protected_namespaces=())

    agent_id: str
    """The id of the Mistral agent (``ag_...``)."""
    name: str = "mistral_agent"
    description: str = "Ask a Mistral agent. Give it the full request as `input`."
    args_schema: type[BaseModel] = MistralAgentInput
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    completion_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra agent-completion fields sent with every call (e.g. ``max_tokens``, ``random_seed``)."""

    # ------------------------------------------------------------------------------------ constructors

    @classmethod
    def from_agent(cls, agent: Agent, **kwargs: Any) -> MistralAgentTool:
        """A tool for an agent you already fetched or created (no request)."""
        kwargs.setdefault("name", tool_name(agent.name, agent.id))
        kwargs.setdefault("description", _description(agent))
        return cls(agent_id=agent.id, **kwargs)

    @classmethod
    def from_agent_id(cls, agent_id: str, **kwargs: Any) -> MistralAgentTool:
        """Fetch the agent (``GET /v1/agents/{id}``) and name and describe the tool after it."""
        tool = cls(agent_id=agent_id, **kwargs)  # arguments checked before any request, which uses the tool's pool
        try:
            agent = tool.client.agents.get(agent_id)
        except BaseException:
            tool.close()
            raise
        return tool._named_after(agent, kwargs)

    @classmethod
    async def afrom_agent_id(cls, agent_id: str, **kwargs: Any) -> MistralAgentTool:
        """Async :meth:`from_agent_id`."""
        tool = cls(agent_id=agent_id, **kwargs)
        try:
            agent = await tool.async_client.agents.get(agent_id)
        except BaseException:
            await tool.aclose()
            raise
        return tool._named_after(agent, kwargs)

    def _named_after(self, agent: Agent, given: dict[str, Any]) -> MistralAgentTool:
        """Point the tool at ``agent``; name and describe it after the agent unless the caller did."""
        self.agent_id = agent.id
        if "name" not in given:
            self.name = tool_name(agent.name, agent.id)
        if "description" not in given:
            self.description = _description(agent)
        return self

    @staticmethod
    def _agent_request(
        name: str, instructions: str | None, model: str, description: str | None, tools: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        request: dict[str, Any] = {"model": model, "name": name}
        for key, value in (("instructions", instructions), ("description", description), ("tools", tools)):
            if value is not None:
                request[key] = value
        return request

    @classmethod
    def create(
        cls,
        *,
        name: str,
        model: str = "mistral-medium-latest",
        instructions: str | None = None,
        description: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> MistralAgentTool:
        """Create the agent (``POST /v1/agents``) and return it as a tool.

        ``tools`` are Mistral tool definitions: built-ins (``{"type": "web_search"}``,
        ``{"type": "code_interpreter"}``, ...) or ``{"type": "function", "function": {...}}``.
        """
        request = cls._agent_request(name, instructions, model, description, tools)
        tool = cls(agent_id=_PENDING, **kwargs)  # the id is known once the agent exists
        try:
            agent = tool.client.agents.create(**request)
        except BaseException:
            tool.close()
            raise
        return tool._named_after(agent, kwargs)

    @classmethod
    async def acreate(
        cls,
        *,
        name: str,
        model: str = "mistral-medium-latest",
        instructions: str | None = None,
        description: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> MistralAgentTool:
        """Async :meth:`create`."""
        request = cls._agent_request(name, instructions, model, description, tools)
        tool = cls(agent_id=_PENDING, **kwargs)
        try:
            agent = await tool.async_client.agents.create(**request)
        except BaseException:
            await tool.aclose()
            raise
        return tool._named_after(agent, kwargs)

    # ------------------------------------------------------------------------------------------ calling

    def _request(self, input: str, messages: list[AgentMessage] | list[dict[str, Any]] | None) -> dict[str, Any]:
        history = [m.model_dump() if isinstance(m, AgentMessage) else dict(m) for m in messages or ()]
        return {
            **self.completion_kwargs,
            "agent_id": self.agent_id,
            "messages": [*history, {"role": "user", "content": input}],
        }

    def _result(self, response: ChatCompletionResponse) -> Any:
        text = message_from_response(response, self.agent_id).text
        if self.response_format == "content":
            return text
        return text, response.model_dump(mode="json")

    def _run(
        self,
        input: str,
        messages: list[AgentMessage] | None = None,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> Any:
        return self._result(self.client.agents.complete(**self._request(input, messages)))

    async def _arun(
        self,
        input: str,
        messages: list[AgentMessage] | None = None,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> Any:
        return self._result(await self.async_client.agents.complete(**self._request(input, messages)))
