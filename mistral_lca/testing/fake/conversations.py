"""Conversations API: start / append / restart (JSON or typed SSE events) and read-back endpoints.

A turn is planned like a chat completion (function tools, JSON output, thinking: see :mod:`.chat`); when it
calls no function and its user message asks for a built-in tool of the conversation, that tool runs
(:mod:`.builtin_tools`): a ``tool.execution`` entry, then a ``message.output`` citing its sources with
``tool_reference`` chunks. Request bodies are checked like the real API's (``extra_forbidden`` fields, unknown
``completion_args``, ``tool_choice`` outside auto/none/any/required, unknown tool types, ``document_library``
without ``library_ids`` → 422). Streams carry ``tool.execution.started``/``done`` events and
``message.output.delta`` events: text as plain strings, other chunks one per event.
"""

from __future__ import annotations

import json
from typing import Any

from .builtin_tools import BuiltInRun, arguments_text, pick_built_in, run_built_in
from .chat import Plan, content_text, plan_chat, split_text
from .replies import (
    Call,
    EmptyReply,
    ErrorReply,
    JsonReply,
    Reply,
    SseReply,
    api_error,
    check_fields,
    json_object,
    not_found,
    sse_event,
    validation_error,
)
from .state import FakeState

__all__ = ["CONVERSATION_ROUTES"]

_PLANNED_ARGS = ("tool_choice", "response_format", "max_tokens", "stop", "reasoning_effort")
_START_FIELDS = frozenset(
    {
        "inputs",
        "stream",
        "store",
        "handoff_execution",
        "instructions",
        "tools",
        "completion_args",
        "guardrails",
        "name",
        "description",
        "metadata",
        "agent_id",
        "agent_version",
        "model",
    }
)
_APPEND_FIELDS = frozenset({"inputs", "stream", "store", "handoff_execution", "completion_args", "tool_confirmations"})
_RESTART_FIELDS = frozenset(
    {"inputs", "stream", "store", "handoff_execution", "completion_args", "guardrails", "metadata", "from_entry_id"}
    | {"agent_version"}
)
_COMPLETION_ARGS = frozenset(
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
_TOOL_TYPES = frozenset(
    {"function", "web_search", "web_search_premium", "code_interpreter", "image_generation", "document_library"}
    | {"connector"}
)
_TOOL_CHOICES = ("auto", "none", "any", "required")


def _problem(kind: str, loc: list[Any], msg: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "loc": ["body", *loc], "msg": msg, "input": value}


def _check_body(
    state: FakeState, body: dict[str, Any], required: tuple[str, ...], allowed: frozenset[str]
) -> ErrorReply | None:
    """422 like the real API for missing or unknown fields, unknown ``completion_args``, a bad ``tool_choice``,
    unknown tool types and a ``document_library`` tool without ``library_ids``."""
    err = check_fields(body, required=required, allowed=allowed if state.config.strict else None)
    if err is not None or not state.config.strict:
        return err
    problems = []
    args = body.get("completion_args") or {}
    if isinstance(args, dict):
        for key, value in args.items():
            if key not in _COMPLETION_ARGS:
                problems.append(
                    _problem("extra_forbidden", ["completion_args", key], "Extra inputs are not permitted", value)
                )
        choice = args.get("tool_choice")
        if choice is not None and choice not in _TOOL_CHOICES:
            msg = "Input should be 'auto', 'none', 'any' or 'required'"
            problems.append(_problem("enum", ["completion_args", "tool_choice"], msg, choice))
    for index, tool in enumerate(body.get("tools") or ()):
        kind = tool.get("type", "function") if isinstance(tool, dict) else None
        if kind not in _TOOL_TYPES:
            msg = f"Input tag '{kind}' found using 'type' does not match any of the expected tags"
            problems.append(_problem("union_tag_invalid", ["tools", index], msg, tool))
        elif kind == "document_library" and not tool.get("library_ids"):
            problems.append(
                _problem("missing", ["tools", index, "document_library", "library_ids"], "Field required", None)
            )
    return validation_error(problems) if problems else None


def _entry(state: FakeState, kind: str, id_prefix: str, **fields: Any) -> dict[str, Any]:
    now = state.iso()
    return {
        "object": "entry",
        "type": kind,
        "created_at": now,
        "completed_at": now,
        "id": state.ids.prefixed(id_prefix, "entry"),
        **fields,
    }


def _input_entries(state: FakeState, inputs: Any) -> list[dict[str, Any]] | ErrorReply:
    if isinstance(inputs, str):
        return [_entry(state, "message.input", "msg", role="user", content=inputs, prefix=False)]
    if not isinstance(inputs, list):
        return api_error(400, "inputs must be a string or a list of entries")
    out = []
    for item in inputs:
        if not isinstance(item, dict):
            return api_error(400, "each input entry must be an object")
        kind = item.get("type") or ("function.result" if "tool_call_id" in item else "message.input")
        prefix = "fr" if kind == "function.result" else "msg"
        fields = {k: v for k, v in item.items() if k not in ("object", "type", "id", "created_at")}
        out.append(_entry(state, kind, prefix, **fields))
    return out


def _messages(entries: list[dict[str, Any]], instructions: Any) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = [{"role": "system", "content": instructions}] if instructions else []
    for e in entries:
        kind = e.get("type")
        if kind == "message.input":
            msgs.append({"role": e.get("role", "user"), "content": e.get("content")})
        elif kind == "message.output":
            msgs.append({"role": "assistant", "content": content_text(e.get("content"))})
        elif kind == "function.call":
            call = {
                "id": e["tool_call_id"],
                "type": "function",
                "function": {"name": e["name"], "arguments": e["arguments"]},
            }
            if msgs and msgs[-1]["role"] == "assistant" and msgs[-1].get("tool_calls"):
                msgs[-1]["tool_calls"].append(call)
            else:
                msgs.append({"role": "assistant", "content": "", "tool_calls": [call]})
        elif kind == "function.result":
            msgs.append({"role": "tool", "tool_call_id": e.get("tool_call_id"), "content": e.get("result")})
    return msgs


def _last_user_text(entries: list[dict[str, Any]]) -> str | None:
    """The text of the last entry when it is a user message (a built-in tool may run), else ``None``."""
    last = entries[-1] if entries else None
    if last is None or last.get("type") != "message.input" or last.get("role", "user") != "user":
        return None
    return content_text(last.get("content"))


def _run(
    state: FakeState, conv: dict[str, Any], new: list[dict[str, Any]], body: dict[str, Any], stream: bool
) -> Reply:
    meta = conv["meta"]
    agent = state.agents.get(str(meta.get("agent_id"))) if meta.get("agent_id") else None
    model = str(meta.get("model") or (agent or {}).get("model") or "mistral-medium-latest")
    tools = meta.get("tools") or (agent or {}).get("tools")
    functions = [t for t in tools or () if isinstance(t, dict) and t.get("type", "function") == "function"]
    args = {**(meta.get("completion_args") or {}), **(body.get("completion_args") or {})}
    entries = conv["entries"] + new
    chat = {
        "messages": _messages(entries, meta.get("instructions") or (agent or {}).get("instructions")),
        "tools": functions,
        **{k: v for k, v in args.items() if k in _PLANNED_ARGS},
    }
    plan = plan_chat(state, chat, model, tools=functions)
    user_text = _last_user_text(entries)
    built_in = None
    if not plan.tool_calls and user_text is not None:
        tool = pick_built_in(tools, user_text, args.get("tool_choice"))
        built_in = run_built_in(state, tool, user_text) if tool is not None else None
    outputs = _outputs(state, plan, meta.get("agent_id"), built_in)
    conv["entries"] = entries + outputs
    meta["updated_at"] = state.iso()
    if body.get("store", True) is not False:
        state.conversations[meta["id"]] = conv
    usage = {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": plan.completion_tokens,
        "total_tokens": plan.prompt_tokens + plan.completion_tokens,
        "connector_tokens": 120 if built_in else None,
        "connectors": {built_in.name: 1} if built_in else None,
    }
    if stream:
        return SseReply(_events(state, meta["id"], outputs, usage), done=None)
    return JsonReply(
        {"object": "conversation.response", "conversation_id": meta["id"], "outputs": outputs, "usage": usage}
    )


def _outputs(state: FakeState, plan: Plan, agent_id: Any, built_in: BuiltInRun | None) -> list[dict[str, Any]]:
    if plan.tool_calls:
        return [
            _entry(
                state,
                "function.call",
                "fc",
                agent_id=agent_id,
                model=plan.model,
                tool_call_id=tc["id"],
                name=tc["function"]["name"],
                arguments=tc["function"]["arguments"],
                confirmation_status=None,
            )
            for tc in plan.tool_calls
        ]
    outputs = []
    content: Any = plan.text
    if built_in is not None:
        outputs.append(
            _entry(
                state,
                "tool.execution",
                "tool_exec",
                agent_id=agent_id,
                model=plan.model,
                name=built_in.name,
                arguments=arguments_text(built_in),
                info=built_in.info,
            )
        )
        content = built_in.content
    if plan.thinking is not None:
        thinking = {"type": "thinking", "thinking": [{"type": "text", "text": plan.thinking}]}
        content = [thinking, *([{"type": "text", "text": content}] if isinstance(content, str) else content)]
    outputs.append(
        _entry(state, "message.output", "msg", agent_id=agent_id, model=plan.model, role="assistant", content=content)
    )
    return outputs


def _content_events(state: FakeState, content: Any, common: dict[str, Any]) -> list[bytes]:
    """``message.output.delta`` events for an output's content: text in word pieces (a plain string, as
    Mistral streams text), thinking in pieces, any other chunk whole."""
    chunks = [{"type": "text", "text": content}] if isinstance(content, str) else content
    events = []
    for index, chunk in enumerate(chunks):
        if chunk["type"] == "text":
            pieces: list[Any] = split_text(chunk["text"], state.config.stream_chunks)
        elif chunk["type"] == "thinking":
            text = content_text(chunk["thinking"])
            pieces = [{"type": "thinking", "thinking": [{"type": "text", "text": p}]} for p in split_text(text, None)]
        else:
            pieces = [chunk]
        for piece in pieces:
            data = {"type": "message.output.delta", **common, "content_index": index, "role": "assistant"}
            events.append(sse_event("message.output.delta", {**data, "content": piece}))
    return events


def _events(state: FakeState, conv_id: str, outputs: list[dict[str, Any]], usage: dict[str, Any]) -> list[bytes]:
    now = state.iso()
    events = [
        sse_event(
            "conversation.response.started",
            {"type": "conversation.response.started", "created_at": now, "conversation_id": conv_id},
        )
    ]
    for index, out in enumerate(outputs):
        common = {"created_at": now, "output_index": index, "id": out["id"]}
        serving = {"model": out["model"], "agent_id": out["agent_id"]}
        if out["type"] == "function.call":
            call = {k: out[k] for k in ("name", "tool_call_id", "arguments", "confirmation_status")}
            events.append(
                sse_event("function.call.delta", {"type": "function.call.delta", **common, **serving, **call})
            )
        elif out["type"] == "tool.execution":
            started = {"type": "tool.execution.started", **common, **serving, "name": out["name"]}
            events.append(sse_event("tool.execution.started", {**started, "arguments": out["arguments"]}))
            done = {"type": "tool.execution.done", **common, "name": out["name"], "info": out["info"]}
            events.append(sse_event("tool.execution.done", done))
        else:
            events.extend(_content_events(state, out["content"], {**common, **serving}))
    events.append(
        sse_event(
            "conversation.response.done", {"type": "conversation.response.done", "created_at": now, "usage": usage}
        )
    )
    return events


def _conversation_meta(state: FakeState, body: dict[str, Any]) -> dict[str, Any]:
    now = state.iso()
    meta: dict[str, Any] = {
        "object": "conversation",
        "id": state.ids.prefixed("conv", "conversation"),
        "created_at": now,
        "updated_at": now,
        "name": body.get("name"),
        "description": body.get("description"),
        "metadata": body.get("metadata"),
    }
    if body.get("agent_id"):
        meta.update(agent_id=body["agent_id"], agent_version=body.get("agent_version"))
    else:
        meta.update(
            model=body.get("model"),
            instructions=body.get("instructions"),
            tools=body.get("tools") or [],
            completion_args=body.get("completion_args") or {},
        )
    return meta


def start(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = _check_body(state, body, ("inputs",), _START_FIELDS)
    if err is not None:
        return err
    if not body.get("model") and not body.get("agent_id"):
        return api_error(400, "Either model or agent_id must be provided")
    new = _input_entries(state, body["inputs"])
    if isinstance(new, ErrorReply):
        return new
    conv = {"meta": _conversation_meta(state, body), "entries": []}
    return _run(state, conv, new, body, body.get("stream") is True)


def append(state: FakeState, call: Call) -> Reply:
    conv = state.conversations.get(call.params["conversation_id"])
    if conv is None:
        return not_found("Conversation", call.params["conversation_id"])
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = _check_body(state, body, ("inputs",), _APPEND_FIELDS)
    new = err or _input_entries(state, body["inputs"])
    if isinstance(new, ErrorReply):
        return new
    return _run(state, conv, new, body, body.get("stream") is True)


def restart(state: FakeState, call: Call) -> Reply:
    old = state.conversations.get(call.params["conversation_id"])
    if old is None:
        return not_found("Conversation", call.params["conversation_id"])
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = _check_body(state, body, ("inputs", "from_entry_id"), _RESTART_FIELDS)
    if err is not None:
        return err
    ids = [e["id"] for e in old["entries"]]
    if body["from_entry_id"] not in ids:
        return not_found("Entry", str(body["from_entry_id"]))
    new = _input_entries(state, body["inputs"])
    if isinstance(new, ErrorReply):
        return new
    meta = {
        **json.loads(json.dumps(old["meta"])),
        "id": state.ids.prefixed("conv", "conversation"),
        "created_at": state.iso(),
    }
    conv = {"meta": meta, "entries": old["entries"][: ids.index(body["from_entry_id"]) + 1]}
    return _run(state, conv, new, body, body.get("stream") is True)


def list_conversations(state: FakeState, call: Call) -> Reply:
    return JsonReply([c["meta"] for c in state.conversations.values()])


def get(state: FakeState, call: Call) -> Reply:
    conv = state.conversations.get(call.params["conversation_id"])
    return JsonReply(conv["meta"]) if conv else not_found("Conversation", call.params["conversation_id"])


def history(state: FakeState, call: Call) -> Reply:
    conv = state.conversations.get(call.params["conversation_id"])
    if conv is None:
        return not_found("Conversation", call.params["conversation_id"])
    return JsonReply(
        {"object": "conversation.history", "conversation_id": conv["meta"]["id"], "entries": conv["entries"]}
    )


def messages(state: FakeState, call: Call) -> Reply:
    conv = state.conversations.get(call.params["conversation_id"])
    if conv is None:
        return not_found("Conversation", call.params["conversation_id"])
    msgs = [e for e in conv["entries"] if e["type"] in ("message.input", "message.output")]
    return JsonReply({"object": "conversation.messages", "conversation_id": conv["meta"]["id"], "messages": msgs})


def delete(state: FakeState, call: Call) -> Reply:
    if state.conversations.pop(call.params["conversation_id"], None) is None:
        return not_found("Conversation", call.params["conversation_id"])
    return EmptyReply(204)


CONVERSATION_ROUTES = (
    ("POST", "/v1/conversations", start),
    ("GET", "/v1/conversations", list_conversations),
    ("GET", "/v1/conversations/{conversation_id}", get),
    ("POST", "/v1/conversations/{conversation_id}", append),
    ("DELETE", "/v1/conversations/{conversation_id}", delete),
    ("GET", "/v1/conversations/{conversation_id}/history", history),
    ("GET", "/v1/conversations/{conversation_id}/messages", messages),
    ("POST", "/v1/conversations/{conversation_id}/restart", restart),
)
