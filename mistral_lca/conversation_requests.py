"""Chat requests as conversation turns: when to use ``/v1/conversations``, and what to send there.

Pure helpers shared by both framework adapters. An adapter builds the chat-completions request it always
builds (model, messages in Mistral's chat form, tools, sampling fields); :func:`conversation_call` turns it
into the start (or append) of a conversation:

* ``system`` messages become the conversation's ``instructions`` when it starts (appending, they are left
  out: a conversation keeps the instructions it started with, and agent frameworks repeat the system prompt
  on every call); ``user``/``assistant`` messages become ``message.input`` entries, assistant
  tool calls ``function.call`` entries and tool results ``function.result`` entries;
* the sampling fields the API whitelists (:data:`COMPLETION_ARGS`) go into ``completion_args``;
* ``tools`` (function tools and the built-ins of :data:`BUILT_IN_TOOL_TYPES`) and the conversation settings
  (``name``, ``metadata``, ``guardrails``, ``store``, ...) are sent when a conversation starts; appending keeps
  the tools and settings it started with;
* ``parallel_tool_calls`` has no counterpart and is left out; any other chat-only field (``safe_prompt``,
  ``prompt_mode``, ``n``, ...) and a ``tool_choice`` naming one function are refused with
  :class:`~mistral_lca.InvalidRequestError` before anything is sent.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast, overload

from ._errors import InvalidRequestError
from ._streaming import AsyncStream, Stream
from .resources.conversations import (
    AsyncConversations,
    ConversationAppendParams,
    Conversations,
    ConversationStartParams,
)
from .types.conversations import ConversationEvent, ConversationResponse

__all__ = [
    "BUILT_IN_TOOL_TYPES",
    "COMPLETION_ARGS",
    "ConversationCall",
    "check_built_in_tool",
    "continuation",
    "conversation_call",
    "conversation_inputs",
    "is_built_in_tool",
    "uses_conversations",
]

BUILT_IN_TOOL_TYPES: Final = frozenset(
    {"web_search", "web_search_premium", "code_interpreter", "image_generation", "document_library", "connector"}
)
"""Tools Mistral runs itself; they need the Conversations API."""

COMPLETION_ARGS: Final = frozenset(
    {
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "temperature",
        "top_p",
        "max_tokens",
        "random_seed",
        "prediction",
        "response_format",
        "tool_choice",
        "reasoning_effort",
    }
)
"""The chat fields a conversation takes, inside ``completion_args``."""

_START_SETTINGS: Final = frozenset(
    {"agent_version", "guardrails", "name", "description", "metadata", "store", "handoff_execution"}
)
_APPEND_SETTINGS: Final = frozenset({"store", "handoff_execution", "tool_confirmations"})
_NO_COUNTERPART: Final = frozenset({"parallel_tool_calls", "stream"})
_TOOL_CHOICES: Final = frozenset({"auto", "none", "any", "required"})
_INPUT_CHUNKS: Final = frozenset({"text", "image_url", "document_url", "tool_file", "thinking"})


# ------------------------------------------------------------------------------------------------ tools


def is_built_in_tool(tool: object) -> bool:
    """Whether ``tool`` is a Mistral built-in (``{"type": "web_search"}``, ...)."""
    return isinstance(tool, Mapping) and tool.get("type") in BUILT_IN_TOOL_TYPES


def _non_empty_strings(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, str) and item.strip() for item in value)


def check_built_in_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """``tool`` as a dict, after checking what the API requires of it (before anything is sent)."""
    kind = tool.get("type")
    if kind not in BUILT_IN_TOOL_TYPES:
        raise InvalidRequestError(f"{kind!r} is not a Mistral built-in tool (one of {sorted(BUILT_IN_TOOL_TYPES)})")
    if kind == "document_library" and not _non_empty_strings(tool.get("library_ids")):
        raise InvalidRequestError(
            "The document_library tool needs library_ids: a non-empty list of library ids, "
            'e.g. {"type": "document_library", "library_ids": ["<library id>"]}'
        )
    if kind == "connector" and not (isinstance(tool.get("connector_id"), str) and tool["connector_id"].strip()):
        raise InvalidRequestError(
            'The connector tool needs a connector_id, e.g. {"type": "connector", "connector_id": ...}'
        )
    return dict(tool)


def uses_conversations(
    setting: bool | None,
    *,
    tools: Sequence[Any] | None = None,
    agent_id: str | None = None,
    conversation_id: str | None = None,
    continue_previous: bool = False,
) -> bool:
    """Whether a request goes to ``/v1/conversations``.

    ``setting`` is the adapter's ``use_conversations_api``: ``True``/``False`` decide; ``None`` switches to
    conversations when a built-in tool is bound, an ``agent_id`` or a ``conversation_id`` is given, or previous
    conversations are continued. With ``False``, any of those raises :class:`~mistral_lca.InvalidRequestError`.
    """
    needs = []
    built_ins = sorted({str(tool["type"]) for tool in tools or () if is_built_in_tool(tool)})
    if built_ins:
        needs.append(f"the built-in tool(s) {', '.join(built_ins)}")
    if agent_id:
        needs.append("agent_id")
    if conversation_id:
        needs.append("conversation_id")
    if continue_previous:
        needs.append("continuing the previous conversation")
    if setting is False and needs:
        raise InvalidRequestError(
            f"use_conversations_api=False, but {' and '.join(needs)} need(s) the Conversations API "
            "(/v1/conversations, where Mistral runs its built-in tools and returns their sources); "
            "leave use_conversations_api unset (None) or set it to True"
        )
    return setting is True or (setting is None and bool(needs))


# ------------------------------------------------------------------------------------------------ state


def continuation(
    reply_conversations: Sequence[str | None], conversation_id: str | None = None
) -> tuple[int, str | None]:
    """Where the new messages of a history start, and the conversation they continue.

    ``reply_conversations[i]`` is the conversation id of message ``i`` when it is a reply that came from a
    conversation, else ``None``. The new messages are those after the last such reply (of ``conversation_id``
    when given, else of any conversation); with none, every message is new and ``conversation_id`` (possibly
    ``None``: start a conversation) is returned as given.
    """
    for index in range(len(reply_conversations) - 1, -1, -1):
        found = reply_conversations[index]
        if found and (conversation_id is None or found == conversation_id):
            return index + 1, found
    return 0, conversation_id


# ------------------------------------------------------------------------------------------------ inputs


def _text(content: Any, what: str) -> str:
    if isinstance(content, str):
        return content
    texts = []
    for chunk in content or ():
        if not isinstance(chunk, Mapping) or chunk.get("type") not in ("text", None):
            kind = chunk.get("type") if isinstance(chunk, Mapping) else type(chunk).__name__
            raise InvalidRequestError(f"{what} can only hold text in a conversation, not {kind!r} content")
        texts.append(str(chunk.get("text", "")))
    return "".join(texts)


def _content(content: Any, what: str) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    chunks: list[dict[str, Any]] = []
    for chunk in content or ():
        kind = chunk.get("type") if isinstance(chunk, Mapping) else None
        if kind == "reference":
            continue
        if kind not in _INPUT_CHUNKS:
            raise InvalidRequestError(
                f"{what}: {kind!r} content is not accepted by the Conversations API "
                f"(it takes {', '.join(sorted(_INPUT_CHUNKS))})"
            )
        chunks.append(dict(chunk))
    if all(chunk["type"] == "text" for chunk in chunks):
        return "".join(str(chunk.get("text", "")) for chunk in chunks)
    return chunks


def _replayable(content: Any) -> Any:
    """An assistant turn as it is sent back: its text and thinking (files it showed stay with the server)."""
    if isinstance(content, str):
        return content
    return [c for c in content or () if isinstance(c, Mapping) and c.get("type") in ("text", "thinking")]


def conversation_inputs(
    messages: Sequence[Mapping[str, Any]], *, appending: bool = False
) -> tuple[str | None, str | list[dict[str, Any]]]:
    """Mistral chat messages → (``instructions``, ``inputs``) of a conversation turn (see the module docstring).

    A lone user text becomes a plain string. System messages are left out when ``appending``.
    """
    instructions: list[str] = []
    entries: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        role, what = message.get("role"), f"messages[{index}] ({message.get('role')})"
        if role == "system":
            if not appending:  # an existing conversation keeps the instructions it started with
                instructions.append(_text(message.get("content"), what))
        elif role == "user":
            entries.append({"type": "message.input", "role": "user", "content": _content(message.get("content"), what)})
        elif role == "assistant":
            calls = message.get("tool_calls") or []
            content = _content(_replayable(message.get("content")), what)
            if content or not calls:
                entry: dict[str, Any] = {"type": "message.input", "role": "assistant", "content": content}
                if message.get("prefix"):
                    entry["prefix"] = True
                entries.append(entry)
            entries.extend(
                {
                    "type": "function.call",
                    "tool_call_id": call["id"],
                    "name": call["function"]["name"],
                    "arguments": call["function"]["arguments"],
                }
                for call in calls
            )
        elif role == "tool":
            if not message.get("tool_call_id"):
                raise InvalidRequestError(f"{what}: a tool result needs the id of the call it answers")
            entries.append(
                {
                    "type": "function.result",
                    "tool_call_id": message["tool_call_id"],
                    "result": _text(message.get("content"), what),
                }
            )
        else:
            raise InvalidRequestError(f"{what}: the Conversations API has no role {role!r}")
    if not entries:
        raise InvalidRequestError(
            "Nothing to send to the conversation: the messages hold no user input, assistant turn or tool result"
        )
    joined = "\n\n".join(instructions) or None
    if len(entries) == 1 and entries[0].get("role") == "user" and isinstance(entries[0]["content"], str):
        return joined, entries[0]["content"]
    return joined, entries


# ------------------------------------------------------------------------------------------------ calls


@dataclass(frozen=True)
class ConversationCall:
    """A conversation turn ready to send: start one (``conversation_id is None``) or append to one."""

    conversation_id: str | None
    params: dict[str, Any]

    @overload
    def send(self, conversations: Conversations) -> ConversationResponse: ...
    @overload
    def send(self, conversations: AsyncConversations) -> Coroutine[Any, Any, ConversationResponse]: ...
    def send(
        self, conversations: Conversations | AsyncConversations
    ) -> ConversationResponse | Coroutine[Any, Any, ConversationResponse]:
        """``conversations.start(...)`` or ``conversations.append(...)`` (a coroutine for the async client)."""
        if self.conversation_id is None:
            return conversations.start(**cast(ConversationStartParams, self.params))
        return conversations.append(self.conversation_id, **cast(ConversationAppendParams, self.params))

    @overload
    def stream(self, conversations: Conversations) -> Stream[ConversationEvent]: ...
    @overload
    def stream(self, conversations: AsyncConversations) -> AsyncStream[ConversationEvent]: ...
    def stream(
        self, conversations: Conversations | AsyncConversations
    ) -> Stream[ConversationEvent] | AsyncStream[ConversationEvent]:
        """The streamed twin of :meth:`send`."""
        if self.conversation_id is None:
            return conversations.start_stream(**cast(ConversationStartParams, self.params))
        return conversations.append_stream(self.conversation_id, **cast(ConversationAppendParams, self.params))


def _tool_choice(value: Any) -> str:
    if isinstance(value, str) and value in _TOOL_CHOICES:
        return value
    raise InvalidRequestError(
        f"tool_choice={value!r}: the Conversations API takes only auto, none, any or required "
        "(it cannot force one named function; bind only that tool and use 'any')"
    )


def _tools(tools: Any) -> list[dict[str, Any]]:
    return [check_built_in_tool(tool) if is_built_in_tool(tool) else dict(tool) for tool in tools or ()]


def conversation_call(
    request: Mapping[str, Any],
    *,
    conversation_id: str | None = None,
    agent_id: str | None = None,
    continued_later: bool = False,
) -> ConversationCall:
    """A chat-completions request (model, messages, tools, sampling fields) as a conversation turn.

    Starts a conversation with the model (or with ``agent_id``, which then replaces the model) unless
    ``conversation_id`` is given, then appends to it. ``continued_later``: the caller will append to this
    conversation, so ``store=False`` is refused. Raises :class:`~mistral_lca.InvalidRequestError` for what a
    conversation cannot take (see the module docstring), before anything is sent.
    """
    rest = dict(request)
    instructions, inputs = conversation_inputs(rest.pop("messages", ()), appending=conversation_id is not None)
    completion_args = {key: rest.pop(key) for key in COMPLETION_ARGS & rest.keys()}
    if "tool_choice" in completion_args:
        completion_args["tool_choice"] = _tool_choice(completion_args["tool_choice"])
    tools = _tools(rest.pop("tools", None))
    model = rest.pop("model", None)
    for key in _NO_COUNTERPART:
        rest.pop(key, None)
    params: dict[str, Any] = {"inputs": inputs}
    if conversation_id is None:
        params.update({key: rest.pop(key) for key in _START_SETTINGS & rest.keys()})
        params.update({"agent_id": agent_id} if agent_id else {"model": model})
        if instructions:
            params["instructions"] = instructions
        if tools:
            params["tools"] = tools
    else:
        params.update({key: rest.pop(key) for key in _APPEND_SETTINGS & rest.keys()})
        for key in _START_SETTINGS:  # settings of the conversation, fixed when it started
            rest.pop(key, None)
    if rest:
        raise InvalidRequestError(
            f"The Conversations API does not take {', '.join(sorted(rest))} (chat-completions settings); "
            "remove them, or use chat completions (use_conversations_api=False, without built-in tools)"
        )
    if completion_args:
        params["completion_args"] = completion_args
    if continued_later and params.get("store") is False:
        raise InvalidRequestError(
            "store=False keeps the conversation off the server, so it cannot be continued; "
            "drop store=False or stop continuing previous conversations"
        )
    return ConversationCall(conversation_id, params)
