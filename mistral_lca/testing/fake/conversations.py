"""Conversations API: start / append / restart (JSON or typed SSE events) and read-back endpoints."""

from __future__ import annotations

import json
from typing import Any

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
)
from .state import FakeState

__all__ = ["CONVERSATION_ROUTES"]


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


def _run(
    state: FakeState, conv: dict[str, Any], new: list[dict[str, Any]], body: dict[str, Any], stream: bool
) -> Reply:
    meta = conv["meta"]
    agent = state.agents.get(str(meta.get("agent_id"))) if meta.get("agent_id") else None
    model = str(meta.get("model") or (agent or {}).get("model") or "mistral-medium-latest")
    tools = meta.get("tools") or (agent or {}).get("tools")
    args = {**(meta.get("completion_args") or {}), **(body.get("completion_args") or {})}
    entries = conv["entries"] + new
    chat = {
        "messages": _messages(entries, meta.get("instructions") or (agent or {}).get("instructions")),
        "tools": tools,
        **{k: v for k, v in args.items() if k in ("tool_choice", "response_format", "max_tokens", "stop")},
    }
    plan = plan_chat(state, chat, model, tools=tools)
    outputs = _outputs(state, plan, meta.get("agent_id"))
    conv["entries"] = entries + outputs
    meta["updated_at"] = state.iso()
    if body.get("store", True) is not False:
        state.conversations[meta["id"]] = conv
    usage = {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": plan.completion_tokens,
        "total_tokens": plan.prompt_tokens + plan.completion_tokens,
        "connector_tokens": None,
        "connectors": None,
    }
    if stream:
        return SseReply(_events(state, meta["id"], plan, outputs, usage), done=None)
    return JsonReply(
        {"object": "conversation.response", "conversation_id": meta["id"], "outputs": outputs, "usage": usage}
    )


def _outputs(state: FakeState, plan: Plan, agent_id: Any) -> list[dict[str, Any]]:
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
    return [
        _entry(state, "message.output", "msg", agent_id=agent_id, model=plan.model, role="assistant", content=plan.text)
    ]


def _events(
    state: FakeState, conv_id: str, plan: Plan, outputs: list[dict[str, Any]], usage: dict[str, Any]
) -> list[bytes]:
    now = state.iso()
    events = [
        sse_event(
            "conversation.response.started",
            {"type": "conversation.response.started", "created_at": now, "conversation_id": conv_id},
        )
    ]
    for index, out in enumerate(outputs):
        common = {
            "created_at": now,
            "output_index": index,
            "id": out["id"],
            "model": out["model"],
            "agent_id": out["agent_id"],
        }
        if out["type"] == "function.call":
            events.append(
                sse_event(
                    "function.call.delta",
                    {
                        "type": "function.call.delta",
                        **common,
                        "name": out["name"],
                        "tool_call_id": out["tool_call_id"],
                        "arguments": out["arguments"],
                        "confirmation_status": None,
                    },
                )
            )
            continue
        for piece in split_text(plan.text, state.config.stream_chunks):
            events.append(
                sse_event(
                    "message.output.delta",
                    {
                        "type": "message.output.delta",
                        **common,
                        "content_index": 0,
                        "role": "assistant",
                        "content": piece,
                    },
                )
            )
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
    err = check_fields(body, required=("inputs",))
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
    err = check_fields(body, required=("inputs",))
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
    err = check_fields(body, required=("inputs", "from_entry_id"))
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
