"""Conversations (``/v1/conversations*``, beta): stateful exchanges with a model or an agent.

A conversation is a list of *entries* (``message.input``, ``message.output``, ``function.call``,
``function.result``, ``tool.execution``, ``agent.handoff``). Parsing is tolerant: an entry of an unknown
``type`` becomes :class:`UnknownConversationEntry` instead of failing.

Streaming (``stream=true``) answers with server-sent events (``event: <type>`` plus a JSON ``data`` whose
``type`` repeats it); :func:`parse_conversation_event` turns each into a typed event, or into
:class:`UnknownConversationEvent` for types this version does not know.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Final, Literal, TypeAlias

from pydantic import BaseModel, Discriminator, Field, Tag, ValidationError, field_validator

from ._base import RequestModel, ResponseModel
from .agents import CompletionArgs, CompletionArgsParam

__all__ = [
    "CONVERSATION_EVENT_TYPES",
    "AgentHandoffDoneEvent",
    "AgentHandoffEntry",
    "AgentHandoffStartedEvent",
    "Conversation",
    "ConversationAppendRequest",
    "ConversationContentChunk",
    "ConversationEntry",
    "ConversationEvent",
    "ConversationHistory",
    "ConversationMessages",
    "ConversationRequest",
    "ConversationResponse",
    "ConversationResponseDoneEvent",
    "ConversationResponseErrorEvent",
    "ConversationResponseStartedEvent",
    "ConversationRestartRequest",
    "ConversationUsageInfo",
    "FunctionCallDeltaEvent",
    "FunctionCallEntry",
    "FunctionResultEntry",
    "FunctionResultEntryParam",
    "MessageInputEntry",
    "MessageInputEntryParam",
    "MessageOutputDeltaEvent",
    "MessageOutputEntry",
    "ToolCallConfirmation",
    "ToolExecutionDeltaEvent",
    "ToolExecutionDoneEvent",
    "ToolExecutionEntry",
    "ToolExecutionStartedEvent",
    "UnknownConversationEntry",
    "UnknownConversationEvent",
    "parse_conversation_event",
]


class _TypedRequest(RequestModel):
    """A request part whose ``type`` tag (and other ``_always_sent`` fields) is sent even when defaulted."""

    _always_sent: ClassVar[tuple[str, ...]] = ("type",)

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        self.model_fields_set.update(self._always_sent)


def _plain(value: Any) -> Any:
    """A JSON-ready dict for a pydantic model (request models via ``to_body``), anything else unchanged."""
    if isinstance(value, RequestModel):
        return value.to_body()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value


def _plain_list(value: Any) -> Any:
    return [_plain(item) for item in value] if isinstance(value, list) else value


# --------------------------------------------------------------------------------------------- requests


class MessageInputEntryParam(_TypedRequest):
    """A message to add to a conversation (``{"type": "message.input", "role": ..., "content": ...}``)."""

    _always_sent: ClassVar[tuple[str, ...]] = ("type", "role")

    type: Literal["message.input"] = "message.input"
    role: Literal["user", "assistant"] | str = "user"
    content: str | list[dict[str, Any]]
    """Text, or content chunks such as ``{"type": "text", "text": ...}`` / ``{"type": "image_url", ...}``."""
    prefix: bool | None = None


class FunctionResultEntryParam(_TypedRequest):
    """The result of a client-side function call, answering a ``function.call`` entry."""

    type: Literal["function.result"] = "function.result"
    tool_call_id: str
    result: str


class ToolCallConfirmation(RequestModel):
    """Allow or deny a tool call that waits for confirmation (``confirmation_status: pending``)."""

    tool_call_id: str
    confirmation: Literal["allow", "deny"] | str


class _ConversationRequestBase(RequestModel):
    inputs: str | list[dict[str, Any]] | None = None
    """A user message as text, or a list of entries (dicts, or the ``...Param`` models, or entries read
    from a previous answer; models are converted to dicts)."""
    stream: bool | None = None
    store: bool | None = None
    """Keep the conversation on the server (default true) so it can be appended to or restarted."""
    handoff_execution: Literal["client", "server"] | str | None = None
    completion_args: CompletionArgsParam | None = None

    @field_validator("inputs", mode="before")
    @classmethod
    def _models_to_dicts(cls, value: Any) -> Any:
        return _plain_list(value)

    _completion_args = field_validator("completion_args", mode="before")(_plain)  # re-check a CompletionArgs read back


class ConversationRequest(_ConversationRequestBase):
    """``POST /v1/conversations``: start a conversation with a model (``model``) or an agent (``agent_id``)."""

    inputs: str | list[dict[str, Any]]
    instructions: str | None = None
    tools: list[dict[str, Any]] | None = None
    guardrails: list[dict[str, Any]] | None = None
    name: str | None = None
    description: str | None = None
    metadata: dict[str, Any] | None = None
    agent_id: str | None = None
    agent_version: str | int | None = None
    model: str | None = None

    @field_validator("tools", "guardrails", mode="before")
    @classmethod
    def _tool_models_to_dicts(cls, value: Any) -> Any:
        return _plain_list(value)


class ConversationAppendRequest(_ConversationRequestBase):
    """``POST /v1/conversations/{conversation_id}``: add entries and get the next answer."""

    tool_confirmations: list[ToolCallConfirmation] | None = None


class ConversationRestartRequest(_ConversationRequestBase):
    """``POST /v1/conversations/{conversation_id}/restart``: branch from an earlier entry."""

    from_entry_id: str
    guardrails: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] | None = None
    agent_version: str | int | None = None


# ---------------------------------------------------------------------------------------------- content


class ConversationContentChunk(ResponseModel):
    """One content chunk of a message entry or delta (text, thinking, tool_reference, tool_file,
    image_url, document_url, ...). One tolerant model for every chunk type; check ``type``."""

    type: str | None = None
    text: str | None = None
    thinking: list[ConversationContentChunk] | None = None
    signature: str | None = None
    """``thinking``: the signature that replays the reasoning in a later turn."""
    tool: str | None = None
    title: str | None = None
    url: str | None = None
    favicon: str | None = None
    description: str | None = None
    source: str | None = None
    """``tool_reference``: where a web result came from (e.g. ``brave``); sent by the API, not in its spec."""
    file_id: str | None = None
    file_name: str | None = None
    file_type: str | None = None
    image_url: str | dict[str, Any] | None = None
    document_url: str | None = None
    document_name: str | None = None


ConversationContentChunk.model_rebuild()


def _content_text(content: str | list[ConversationContentChunk] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(c.text for c in content if c.text is not None and c.type in (None, "text"))


class ConversationUsageInfo(ResponseModel):
    """Token counters of a conversation turn."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    connector_tokens: int | None = None
    connectors: dict[str, int] | None = None


# ---------------------------------------------------------------------------------------------- entries


class _Entry(ResponseModel):
    object: str = "entry"
    id: str | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None


class MessageInputEntry(_Entry):
    """A message given to the conversation (by the user, or an assistant prefix)."""

    type: Literal["message.input"] = "message.input"
    role: str = "user"
    content: str | list[ConversationContentChunk] = ""
    prefix: bool | None = None

    @property
    def text(self) -> str:
        """The message text (text chunks joined)."""
        return _content_text(self.content)


class MessageOutputEntry(_Entry):
    """A message produced by the model or agent."""

    type: Literal["message.output"] = "message.output"
    role: str = "assistant"
    content: str | list[ConversationContentChunk] = ""
    agent_id: str | None = None
    model: str | None = None

    @property
    def text(self) -> str:
        """The message text (text chunks joined; references and thinking left out)."""
        return _content_text(self.content)


class FunctionCallEntry(_Entry):
    """A call of a client-side function; answer it with a ``function.result`` entry."""

    type: Literal["function.call"] = "function.call"
    tool_call_id: str | None = None
    name: str | None = None
    arguments: str | dict[str, Any] = ""
    """JSON text (usually) or an object."""
    confirmation_status: str | None = None
    """``pending``, ``allowed`` or ``denied`` when the tool requires confirmation."""
    agent_id: str | None = None
    model: str | None = None


class FunctionResultEntry(_Entry):
    """The result of a client-side function call."""

    type: Literal["function.result"] = "function.result"
    tool_call_id: str | None = None
    result: str = ""


class ToolExecutionEntry(_Entry):
    """A built-in tool run on the server (web_search, code_interpreter, document_library, ...)."""

    type: Literal["tool.execution"] = "tool.execution"
    name: str | None = None
    arguments: str | None = None
    info: dict[str, Any] | None = None
    agent_id: str | None = None
    model: str | None = None


class AgentHandoffEntry(_Entry):
    """The conversation passed from one agent to another."""

    type: Literal["agent.handoff"] = "agent.handoff"
    previous_agent_id: str | None = None
    previous_agent_name: str | None = None
    next_agent_id: str | None = None
    next_agent_name: str | None = None


class UnknownConversationEntry(_Entry):
    """An entry type this version does not know; all its fields are kept in ``model_extra``."""

    type: str | None = None


_ENTRY_TYPES: Final = frozenset(
    {"message.input", "message.output", "function.call", "function.result", "tool.execution", "agent.handoff"}
)


def _entry_tag(value: Any) -> str:
    if isinstance(value, dict):
        kind, role = value.get("type"), value.get("role")
    else:
        kind, role = getattr(value, "type", None), getattr(value, "role", None)
    if kind in _ENTRY_TYPES:
        return str(kind)
    if kind is None and role == "user":
        return "message.input"
    if kind is None and role == "assistant":
        return "message.output"
    return "unknown"


ConversationEntry: TypeAlias = Annotated[
    Annotated[MessageInputEntry, Tag("message.input")]
    | Annotated[MessageOutputEntry, Tag("message.output")]
    | Annotated[FunctionCallEntry, Tag("function.call")]
    | Annotated[FunctionResultEntry, Tag("function.result")]
    | Annotated[ToolExecutionEntry, Tag("tool.execution")]
    | Annotated[AgentHandoffEntry, Tag("agent.handoff")]
    | Annotated[UnknownConversationEntry, Tag("unknown")],
    Discriminator(_entry_tag),
]
"""Any conversation entry, chosen by its ``type`` (unknown types are kept, not rejected)."""


# -------------------------------------------------------------------------------------------- responses


class ConversationResponse(ResponseModel):
    """Answer of start, append and restart (non-streamed)."""

    required_fields = ("outputs",)

    object: str = "conversation.response"
    conversation_id: str
    outputs: list[ConversationEntry] = Field(default_factory=list)
    usage: ConversationUsageInfo = Field(default_factory=ConversationUsageInfo)
    guardrails: list[dict[str, Any]] | None = None

    @property
    def output_text(self) -> str:
        """Text of the ``message.output`` entries of this turn, joined."""
        return "".join(e.text for e in self.outputs if isinstance(e, MessageOutputEntry))

    @property
    def function_calls(self) -> list[FunctionCallEntry]:
        """The client-side function calls waiting for a ``function.result``."""
        return [e for e in self.outputs if isinstance(e, FunctionCallEntry)]


class ConversationHistory(ResponseModel):
    """``GET /v1/conversations/{conversation_id}/history``: every entry, in order."""

    required_fields = ("entries",)

    object: str = "conversation.history"
    conversation_id: str
    entries: list[ConversationEntry] = Field(default_factory=list)


class ConversationMessages(ResponseModel):
    """``GET /v1/conversations/{conversation_id}/messages``: the message entries only."""

    required_fields = ("messages",)

    object: str = "conversation.messages"
    conversation_id: str
    messages: list[ConversationEntry] = Field(default_factory=list)


class Conversation(ResponseModel):
    """Conversation metadata (``GET /v1/conversations[/{id}]``); a model or an agent conversation."""

    id: str
    object: str = "conversation"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    name: str | None = None
    description: str | None = None
    metadata: dict[str, Any] | None = None
    agent_id: str | None = None
    """Set for agent conversations."""
    agent_version: str | int | None = None
    model: str | None = None
    """Set for model conversations (with their ``instructions``, ``tools``, ``completion_args``)."""
    instructions: str | None = None
    tools: list[dict[str, Any]] | None = None
    completion_args: CompletionArgs | None = None
    guardrails: list[dict[str, Any]] | None = None


# ------------------------------------------------------------------------------------------ stream events


class _Event(ResponseModel):
    created_at: datetime | None = None


class ConversationResponseStartedEvent(_Event):
    """``conversation.response.started``."""

    type: Literal["conversation.response.started"] = "conversation.response.started"
    conversation_id: str | None = None


class ConversationResponseDoneEvent(_Event):
    """``conversation.response.done``: the turn is complete; carries the usage."""

    type: Literal["conversation.response.done"] = "conversation.response.done"
    usage: ConversationUsageInfo = Field(default_factory=ConversationUsageInfo)


class ConversationResponseErrorEvent(_Event):
    """``conversation.response.error``: the turn failed."""

    type: Literal["conversation.response.error"] = "conversation.response.error"
    message: str = ""
    code: int | str | None = None


class MessageOutputDeltaEvent(_Event):
    """``message.output.delta``: the next piece of an output message (entry ``id``)."""

    type: Literal["message.output.delta"] = "message.output.delta"
    id: str | None = None
    output_index: int = 0
    content_index: int = 0
    role: str = "assistant"
    content: str | list[ConversationContentChunk] = ""
    """Text, or the chunk(s) of this delta. The wire carries one chunk object (a ``tool_reference``, a
    ``thinking`` piece, a ``tool_file`` ...); it is kept as a one-element list."""
    model: str | None = None
    agent_id: str | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _one_chunk_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @property
    def text(self) -> str:
        """The text of this delta."""
        return _content_text(self.content)


class FunctionCallDeltaEvent(_Event):
    """``function.call.delta``: a client-side function call (arguments may arrive in pieces)."""

    type: Literal["function.call.delta"] = "function.call.delta"
    id: str | None = None
    output_index: int = 0
    name: str | None = None
    tool_call_id: str | None = None
    arguments: str = ""
    confirmation_status: str | None = None
    model: str | None = None
    agent_id: str | None = None


class ToolExecutionStartedEvent(_Event):
    """``tool.execution.started``: a built-in tool began running."""

    type: Literal["tool.execution.started"] = "tool.execution.started"
    id: str | None = None
    output_index: int = 0
    name: str | None = None
    arguments: str | None = None
    model: str | None = None
    agent_id: str | None = None


class ToolExecutionDeltaEvent(_Event):
    """``tool.execution.delta``: more arguments of a running built-in tool."""

    type: Literal["tool.execution.delta"] = "tool.execution.delta"
    id: str | None = None
    output_index: int = 0
    name: str | None = None
    arguments: str | None = None


class ToolExecutionDoneEvent(_Event):
    """``tool.execution.done``: a built-in tool finished."""

    type: Literal["tool.execution.done"] = "tool.execution.done"
    id: str | None = None
    output_index: int = 0
    name: str | None = None
    info: dict[str, Any] | None = None


class AgentHandoffStartedEvent(_Event):
    """``agent.handoff.started``."""

    type: Literal["agent.handoff.started"] = "agent.handoff.started"
    id: str | None = None
    output_index: int = 0
    previous_agent_id: str | None = None
    previous_agent_name: str | None = None


class AgentHandoffDoneEvent(_Event):
    """``agent.handoff.done``."""

    type: Literal["agent.handoff.done"] = "agent.handoff.done"
    id: str | None = None
    output_index: int = 0
    next_agent_id: str | None = None
    next_agent_name: str | None = None


class UnknownConversationEvent(_Event):
    """An event type this version does not know (or could not parse); all fields kept in ``model_extra``."""

    type: str | None = None


_KnownConversationEvent: TypeAlias = (
    ConversationResponseStartedEvent
    | ConversationResponseDoneEvent
    | ConversationResponseErrorEvent
    | MessageOutputDeltaEvent
    | FunctionCallDeltaEvent
    | ToolExecutionStartedEvent
    | ToolExecutionDeltaEvent
    | ToolExecutionDoneEvent
    | AgentHandoffStartedEvent
    | AgentHandoffDoneEvent
)

ConversationEvent: TypeAlias = _KnownConversationEvent | UnknownConversationEvent
"""Any event of a streamed conversation turn."""

CONVERSATION_EVENT_TYPES: Final[dict[str, type[_KnownConversationEvent]]] = {
    "conversation.response.started": ConversationResponseStartedEvent,
    "conversation.response.done": ConversationResponseDoneEvent,
    "conversation.response.error": ConversationResponseErrorEvent,
    "message.output.delta": MessageOutputDeltaEvent,
    "function.call.delta": FunctionCallDeltaEvent,
    "tool.execution.started": ToolExecutionStartedEvent,
    "tool.execution.delta": ToolExecutionDeltaEvent,
    "tool.execution.done": ToolExecutionDoneEvent,
    "agent.handoff.started": AgentHandoffStartedEvent,
    "agent.handoff.done": AgentHandoffDoneEvent,
}


def parse_conversation_event(event_type: str | None, data: dict[str, Any]) -> ConversationEvent:
    """Turn one SSE event (its ``event:`` name and decoded ``data``) into a typed event.

    The ``type`` inside ``data`` wins over the SSE event name. Unknown types, and known types whose data
    does not validate, become :class:`UnknownConversationEvent` so a stream never fails on a new event.
    """
    data_type = data.get("type")
    kind = data_type if isinstance(data_type, str) else event_type
    payload = {**data, "type": kind}
    model = CONVERSATION_EVENT_TYPES.get(kind) if kind is not None else None
    if model is not None:
        try:
            return model.model_validate(payload)
        except ValidationError:
            pass
    try:
        return UnknownConversationEvent.model_validate(payload)
    except ValidationError:  # e.g. an unparsable created_at
        return UnknownConversationEvent.model_validate({k: v for k, v in payload.items() if k != "created_at"})
