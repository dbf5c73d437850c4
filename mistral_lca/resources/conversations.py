"""``client.conversations`` (``/v1/conversations*``): stateful exchanges with a model or an agent.

``start`` / ``append`` / ``restart`` answer with a :class:`ConversationResponse`; their ``*_stream`` twins
stream typed events (``event: <type>`` + JSON data) ending with ``conversation.response.done``, which is delivered
too. A ``conversation.response.error`` event raises the typed API error (with Mistral's message) after the events
that came before it.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from typing_extensions import Required, TypedDict, Unpack

from .._errors import InvalidRequestError, StreamError
from .._json import dumps, loads
from .._operation import Operation, StreamingOperation, model_parser
from .._request import RequestSpec
from .._response import Decoded
from .._sse import ServerSentEvent, StreamDecoding
from .._streaming import AsyncStream, Stream
from ..types.agents import CompletionArgs
from ..types.conversations import (
    AgentHandoffDoneEvent,
    AgentHandoffEntry,
    AgentHandoffStartedEvent,
    Conversation,
    ConversationAppendRequest,
    ConversationEvent,
    ConversationHistory,
    ConversationMessages,
    ConversationRequest,
    ConversationResponse,
    ConversationResponseDoneEvent,
    ConversationResponseStartedEvent,
    ConversationRestartRequest,
    FunctionCallDeltaEvent,
    FunctionCallEntry,
    MessageOutputDeltaEvent,
    MessageOutputEntry,
    ToolExecutionDoneEvent,
    ToolExecutionEntry,
    ToolExecutionStartedEvent,
    parse_conversation_event,
)
from ._base import AsyncResource, SyncResource
from ._common import list_parser, no_content, query, request_body, require_id

__all__ = [
    "CONVERSATION_STREAM",
    "AsyncConversations",
    "ConversationAppendParams",
    "ConversationRestartParams",
    "ConversationStartParams",
    "Conversations",
    "response_to_events",
]

_ROOT = "/v1/conversations"
_ONE = "/v1/conversations/{conversation_id}"
_FINAL_EVENTS = frozenset({"conversation.response.done"})

Inputs = str | list[dict[str, Any]] | list[Any]


class ConversationStartParams(TypedDict, total=False):
    """Keyword arguments of ``client.conversations.start`` / ``start_stream``: ``model`` or ``agent_id``."""

    inputs: Required[Inputs]
    model: str
    agent_id: str
    agent_version: str | int
    instructions: str
    tools: list[dict[str, Any]]
    completion_args: CompletionArgs | dict[str, Any]
    guardrails: list[dict[str, Any]]
    name: str
    description: str
    metadata: dict[str, Any]
    store: bool
    handoff_execution: str


class ConversationAppendParams(TypedDict, total=False):
    """Keyword arguments of ``client.conversations.append`` / ``append_stream`` (besides the id)."""

    inputs: Inputs
    completion_args: CompletionArgs | dict[str, Any]
    store: bool
    handoff_execution: str
    tool_confirmations: list[dict[str, Any]]


class ConversationRestartParams(TypedDict, total=False):
    """Keyword arguments of ``client.conversations.restart`` / ``restart_stream`` (besides the id)."""

    from_entry_id: Required[str]
    inputs: Inputs
    completion_args: CompletionArgs | dict[str, Any]
    store: bool
    handoff_execution: str
    guardrails: list[dict[str, Any]]
    metadata: dict[str, Any]
    agent_version: str | int


# ------------------------------------------------------------------------------------------------ stream


def _parse_event(event: ServerSentEvent) -> ConversationEvent | None:
    if event.data == "[DONE]":
        return None
    data = event.json()
    if not isinstance(data, dict):
        raise StreamError(f"malformed conversation event: {event.data[:120]!r}")
    return parse_conversation_event(event.event, data)


def _is_final(event: ServerSentEvent) -> bool:
    if event.data == "[DONE]":
        return True
    if event.event is not None:
        return event.event in _FINAL_EVENTS
    try:
        data = loads(event.data)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("type") in _FINAL_EVENTS


def _arguments_text(arguments: str | dict[str, Any]) -> str:
    return arguments if isinstance(arguments, str) else dumps(arguments).decode()


def response_to_events(response: ConversationResponse) -> builtins.list[ConversationEvent]:
    """A whole answer as the events a stream of it would have carried.

    Used when the proxy answers a stream with JSON, and by :mod:`mistral_lca.conversation_fold` so that a whole
    answer and a stream of it are folded by the same code. Nothing is lost: a built-in tool run becomes its
    ``started`` (with the arguments) and ``done`` (with the info) events, a handoff both of its halves.
    """
    events: builtins.list[ConversationEvent] = [
        ConversationResponseStartedEvent(conversation_id=response.conversation_id)
    ]
    for index, entry in enumerate(response.outputs):
        if isinstance(entry, MessageOutputEntry):
            events.append(
                MessageOutputDeltaEvent(
                    id=entry.id,
                    output_index=index,
                    role=entry.role,
                    content=entry.content,
                    model=entry.model,
                    agent_id=entry.agent_id,
                )
            )
        elif isinstance(entry, FunctionCallEntry):
            events.append(
                FunctionCallDeltaEvent(
                    id=entry.id,
                    output_index=index,
                    name=entry.name,
                    tool_call_id=entry.tool_call_id,
                    arguments=_arguments_text(entry.arguments),
                    confirmation_status=entry.confirmation_status,
                    model=entry.model,
                    agent_id=entry.agent_id,
                )
            )
        elif isinstance(entry, ToolExecutionEntry):
            events.append(
                ToolExecutionStartedEvent(
                    id=entry.id,
                    output_index=index,
                    name=entry.name,
                    arguments=entry.arguments,
                    model=entry.model,
                    agent_id=entry.agent_id,
                )
            )
            events.append(ToolExecutionDoneEvent(id=entry.id, output_index=index, name=entry.name, info=entry.info))
        elif isinstance(entry, AgentHandoffEntry):
            events.append(
                AgentHandoffStartedEvent(
                    id=entry.id,
                    output_index=index,
                    previous_agent_id=entry.previous_agent_id,
                    previous_agent_name=entry.previous_agent_name,
                )
            )
            events.append(
                AgentHandoffDoneEvent(
                    id=entry.id,
                    output_index=index,
                    next_agent_id=entry.next_agent_id,
                    next_agent_name=entry.next_agent_name,
                )
            )
    events.append(ConversationResponseDoneEvent(usage=response.usage))
    return events


def _from_json(decoded: Decoded) -> Iterable[ConversationEvent]:
    return response_to_events(_parse_response(decoded))


_parse_response = model_parser(ConversationResponse)

CONVERSATION_STREAM: StreamDecoding[ConversationEvent] = StreamDecoding(
    parse_event=_parse_event, from_json=_from_json, is_done=_is_final, include_done=True
)


# -------------------------------------------------------------------------------------------- operations


def _start_body(params: ConversationStartParams) -> dict[str, Any]:
    if params.get("inputs") in (None, "", []):
        raise InvalidRequestError("Invalid conversations.start request: inputs must not be empty")
    owners = [key for key in ("model", "agent_id") if params.get(key) is not None]
    if len(owners) != 1:
        raise InvalidRequestError("Invalid conversations.start request: give exactly one of model or agent_id")
    require_id(params.get(owners[0]), owners[0])
    return request_body(ConversationRequest, {**params, "stream": None}, "conversations.start")


def _one(method: str, template: str, conversation_id: str, **extra: Any) -> RequestSpec:
    path_params = {"conversation_id": require_id(conversation_id, "conversation_id")}
    return RequestSpec(method, template, path_params=path_params, **extra)


def _append_body(params: ConversationAppendParams) -> dict[str, Any]:
    if params.get("inputs") in ("", []) or (params.get("inputs") is None and not params.get("tool_confirmations")):
        raise InvalidRequestError("Invalid conversations.append request: give inputs (or tool_confirmations)")
    return request_body(ConversationAppendRequest, {**params, "stream": None}, "conversations.append")


def _restart_body(params: ConversationRestartParams) -> dict[str, Any]:
    require_id(params.get("from_entry_id"), "from_entry_id")
    return request_body(ConversationRestartRequest, {**params, "stream": None}, "conversations.restart")


def _plain(spec: RequestSpec) -> Operation[ConversationResponse]:
    return Operation(spec, _parse_response)


def _streamed(spec: RequestSpec) -> StreamingOperation[ConversationEvent]:
    body = {**spec.json, "stream": True}
    return StreamingOperation(
        RequestSpec(spec.method, spec.path, spec.path_params, json=body, stream=True, creates=True),
        CONVERSATION_STREAM,
    )


def start_spec(params: ConversationStartParams) -> RequestSpec:
    return RequestSpec("POST", _ROOT, json=_start_body(params), creates=True)


def append_spec(conversation_id: str, params: ConversationAppendParams) -> RequestSpec:
    return _one("POST", _ONE, conversation_id, json=_append_body(params), creates=True)


def restart_spec(conversation_id: str, params: ConversationRestartParams) -> RequestSpec:
    return _one("POST", _ONE + "/restart", conversation_id, json=_restart_body(params), creates=True)


def _list(page: int | None, page_size: int | None, metadata: dict[str, Any] | None) -> Operation[list[Conversation]]:
    spec = RequestSpec("GET", _ROOT, query=query(page=page, page_size=page_size, metadata=metadata))
    return Operation(spec, list_parser(Conversation))


def _get(conversation_id: str) -> Operation[Conversation]:
    return Operation(_one("GET", _ONE, conversation_id), model_parser(Conversation))


def _history(conversation_id: str) -> Operation[ConversationHistory]:
    return Operation(_one("GET", _ONE + "/history", conversation_id), model_parser(ConversationHistory))


def _messages(conversation_id: str) -> Operation[ConversationMessages]:
    return Operation(_one("GET", _ONE + "/messages", conversation_id), model_parser(ConversationMessages))


def _delete(conversation_id: str) -> Operation[None]:
    return Operation(_one("DELETE", _ONE, conversation_id), no_content)


class Conversations(SyncResource):
    def start(self, **params: Unpack[ConversationStartParams]) -> ConversationResponse:
        """Start a conversation with a ``model`` or an ``agent_id``."""
        return self._run(_plain(start_spec(params)))

    def start_stream(self, **params: Unpack[ConversationStartParams]) -> Stream[ConversationEvent]:
        return self._stream(_streamed(start_spec(params)))

    def append(self, conversation_id: str, **params: Unpack[ConversationAppendParams]) -> ConversationResponse:
        """Add entries (or tool confirmations) and get the next answer."""
        return self._run(_plain(append_spec(conversation_id, params)))

    def append_stream(
        self, conversation_id: str, **params: Unpack[ConversationAppendParams]
    ) -> Stream[ConversationEvent]:
        return self._stream(_streamed(append_spec(conversation_id, params)))

    def restart(self, conversation_id: str, **params: Unpack[ConversationRestartParams]) -> ConversationResponse:
        """Branch the conversation from ``from_entry_id``."""
        return self._run(_plain(restart_spec(conversation_id, params)))

    def restart_stream(
        self, conversation_id: str, **params: Unpack[ConversationRestartParams]
    ) -> Stream[ConversationEvent]:
        return self._stream(_streamed(restart_spec(conversation_id, params)))

    def list(
        self, *, page: int | None = None, page_size: int | None = None, metadata: dict[str, Any] | None = None
    ) -> builtins.list[Conversation]:
        return self._run(_list(page, page_size, metadata))

    def get(self, conversation_id: str) -> Conversation:
        return self._run(_get(conversation_id))

    def get_history(self, conversation_id: str) -> ConversationHistory:
        return self._run(_history(conversation_id))

    def get_messages(self, conversation_id: str) -> ConversationMessages:
        return self._run(_messages(conversation_id))

    def delete(self, conversation_id: str) -> None:
        return self._run(_delete(conversation_id))


class AsyncConversations(AsyncResource):
    async def start(self, **params: Unpack[ConversationStartParams]) -> ConversationResponse:
        """Start a conversation with a ``model`` or an ``agent_id``."""
        return await self._run(_plain(start_spec(params)))

    def start_stream(self, **params: Unpack[ConversationStartParams]) -> AsyncStream[ConversationEvent]:
        return self._stream(_streamed(start_spec(params)))

    async def append(self, conversation_id: str, **params: Unpack[ConversationAppendParams]) -> ConversationResponse:
        """Add entries (or tool confirmations) and get the next answer."""
        return await self._run(_plain(append_spec(conversation_id, params)))

    def append_stream(
        self, conversation_id: str, **params: Unpack[ConversationAppendParams]
    ) -> AsyncStream[ConversationEvent]:
        return self._stream(_streamed(append_spec(conversation_id, params)))

    async def restart(self, conversation_id: str, **params: Unpack[ConversationRestartParams]) -> ConversationResponse:
        """Branch the conversation from ``from_entry_id``."""
        return await self._run(_plain(restart_spec(conversation_id, params)))

    def restart_stream(
        self, conversation_id: str, **params: Unpack[ConversationRestartParams]
    ) -> AsyncStream[ConversationEvent]:
        return self._stream(_streamed(restart_spec(conversation_id, params)))

    async def list(
        self, *, page: int | None = None, page_size: int | None = None, metadata: dict[str, Any] | None = None
    ) -> builtins.list[Conversation]:
        return await self._run(_list(page, page_size, metadata))

    async def get(self, conversation_id: str) -> Conversation:
        return await self._run(_get(conversation_id))

    async def get_history(self, conversation_id: str) -> ConversationHistory:
        return await self._run(_history(conversation_id))

    async def get_messages(self, conversation_id: str) -> ConversationMessages:
        return await self._run(_messages(conversation_id))

    async def delete(self, conversation_id: str) -> None:
        return await self._run(_delete(conversation_id))
