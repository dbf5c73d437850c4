"""``MistralModerationMiddleware``: Mistral's conversational moderation around a ``create_agent`` agent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from langchain.agents.middleware.types import AgentMiddleware, AgentState, hook_config
from pydantic import ConfigDict

from mistral_lca.closing import ClosingContext
from mistral_lca.types.classifiers import ModerationObject

from .._concurrency import ConcurrencyLimit
from .._settings import ConnectionSettings
from ._moderation_checks import (
    EXIT_BEHAVIORS,
    ExitBehavior,
    ModerationCheck,
    ModerationPolicy,
    checked_template,
    final_tool_checks,
    input_checks,
    moderation_inputs,
    output_checks,
    selected_categories,
)

if TYPE_CHECKING:
    from langgraph.runtime import Runtime

__all__ = ["MistralModerationMiddleware"]

DEFAULT_MODERATION_MODEL = "mistral-moderation-latest"


class ModerationConnection(ConnectionSettings, ConcurrencyLimit):
    """The middleware's connection settings: the same fields, defaults and environment variables as every
    LangChain class of this package. Unknown names are an error, and no input value is quoted in one."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


def _connection_names() -> frozenset[str]:
    fields = ModerationConnection.model_fields
    return frozenset(fields) | {field.alias for field in fields.values() if field.alias}


class MistralModerationMiddleware(ClosingContext, AgentMiddleware[AgentState[Any], Any]):
    """Moderate an agent's traffic with Mistral's conversational moderation (``/v1/chat/moderations``).

    Before each model call, the user messages (``check_input``) and tool results (``check_tool_results``) that
    arrived since the model last answered are judged; after each model call, the answer's text
    (``check_output``). Each message is judged *in its conversation* (Mistral classifies the last message given
    the ones before it), all of one step in a single request; nothing is sent when there is no text to judge.
    A message is flagged when any of the selected ``categories`` is true (default: any category).

    ``exit_behavior`` decides what a flagged message does:

    * ``"end"`` (default): the agent stops; its last message is ``violation_message``. A flagged answer is
      replaced by it (not kept in the state); a flagged input or tool result stays, followed by it.
    * ``"error"``: :class:`MistralModerationError` is raised (``stage``, ``result``, ``content``, ``categories``).
    * ``"replace"``: the flagged message's content becomes ``violation_message`` and the agent goes on.

    ``violation_message`` is a ``str.format`` template with ``{categories}`` (flagged categories, e.g.
    ``"violence and threats"``), ``{category_scores}`` (JSON of the selected categories' scores) and
    ``{original_content}`` (the flagged text).

    Connection settings are those of every class of this package (``api_key``/``api_token``, ``base_url``,
    ``path_params``, ``timeout``, ``max_retries``, ``default_headers``, ``http_client``, ``http_async_client``,
    ``max_concurrent_requests``); one client is built on first use and reused. ``close()`` / ``await aclose()``
    (or ``with`` / ``async with``) release its connections.

    Only text is judged. A streamed answer reaches the stream before it is judged: with ``"end"`` or
    ``"replace"`` the agent's final state holds the verdict. Tool results are judged before the model reads
    them, and the results of a ``return_direct`` tool (which end the agent) when the agent ends. A moderation
    request that fails raises (the agent does not go on unmoderated).
    """

    def __init__(
        self,
        *,
        model: str = DEFAULT_MODERATION_MODEL,
        check_input: bool = True,
        check_output: bool = True,
        check_tool_results: bool = False,
        exit_behavior: ExitBehavior = "end",
        violation_message: str | None = None,
        categories: Iterable[str] | None = None,
        **connection: Any,
    ) -> None:
        super().__init__()
        if not isinstance(model, str) or not model.strip():
            raise ValueError("model must be the name of a Mistral moderation model, e.g. 'mistral-moderation-latest'")
        if exit_behavior not in EXIT_BEHAVIORS:
            raise ValueError(
                f"exit_behavior must be one of {', '.join(map(repr, EXIT_BEHAVIORS))}, got {exit_behavior!r}"
            )
        unknown = sorted(set(connection) - _connection_names())
        if unknown:
            raise TypeError(
                f"MistralModerationMiddleware got unexpected keyword arguments: {', '.join(map(repr, unknown))}; "
                f"connection settings are {', '.join(sorted(ModerationConnection.model_fields))}"
            )
        self.model = model
        self.check_input = bool(check_input)
        self.check_output = bool(check_output)
        self.check_tool_results = bool(check_tool_results)
        self.exit_behavior: ExitBehavior = exit_behavior
        self.violation_message = checked_template(violation_message)
        self.categories = selected_categories(categories)
        self.connection = ModerationConnection(**connection)
        """How Mistral is reached; ``connection.client`` / ``connection.async_client`` are the shared clients."""
        self._policy = ModerationPolicy(self.exit_behavior, self.violation_message, self.categories)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(model={self.model!r}, check_input={self.check_input}, "
            f"check_output={self.check_output}, check_tool_results={self.check_tool_results}, "
            f"exit_behavior={self.exit_behavior!r}, categories={sorted(self.categories) if self.categories else None}, "
            f"connection={self.connection!r})"
        )

    # ---------------------------------------------------------------------------------------------- hooks

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Judge this turn's user messages and tool results before the model sees them."""
        messages = state["messages"]
        checks = self._input_checks(messages)
        return self._policy.apply(messages, checks, self._moderate(checks))

    @hook_config(can_jump_to=["end"])
    async def abefore_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Async :meth:`before_model`."""
        messages = state["messages"]
        checks = self._input_checks(messages)
        return self._policy.apply(messages, checks, await self._amoderate(checks))

    @hook_config(can_jump_to=["end"])
    def after_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Judge the model's answer."""
        messages = state["messages"]
        checks = output_checks(messages) if self.check_output else []
        return self._policy.apply(messages, checks, self._moderate(checks))

    @hook_config(can_jump_to=["end"])
    async def aafter_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Async :meth:`after_model`."""
        messages = state["messages"]
        checks = output_checks(messages) if self.check_output else []
        return self._policy.apply(messages, checks, await self._amoderate(checks))

    def after_agent(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Judge the tool results the agent ended on (a ``return_direct`` tool: no model call comes after it)."""
        messages = state["messages"]
        checks = final_tool_checks(messages) if self.check_tool_results else []
        return self._policy.apply(messages, checks, self._moderate(checks), ending=True)

    async def aafter_agent(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Async :meth:`after_agent`."""
        messages = state["messages"]
        checks = final_tool_checks(messages) if self.check_tool_results else []
        return self._policy.apply(messages, checks, await self._amoderate(checks), ending=True)

    # ------------------------------------------------------------------------------------------- sending

    def _input_checks(self, messages: Sequence[Any]) -> list[ModerationCheck]:
        if not (self.check_input or self.check_tool_results):
            return []
        return input_checks(messages, check_input=self.check_input, check_tool_results=self.check_tool_results)

    def _moderate(self, checks: Sequence[ModerationCheck]) -> list[ModerationObject]:
        if not checks:
            return []
        client = self.connection.client
        return client.classifiers.moderate_chat(model=self.model, inputs=moderation_inputs(checks)).results

    async def _amoderate(self, checks: Sequence[ModerationCheck]) -> list[ModerationObject]:
        if not checks:
            return []
        client = self.connection.async_client
        return (await client.classifiers.moderate_chat(model=self.model, inputs=moderation_inputs(checks))).results

    # ----------------------------------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """Close the synchronous connection pool (your own ``http_client`` stays open)."""
        self.connection.close()

    async def aclose(self) -> None:
        """Close both connection pools (your own httpx clients stay open)."""
        await self.connection.aclose()
