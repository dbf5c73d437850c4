"""Deterministic chat completions (``/v1/chat/completions``, ``/v1/agents/completions``), JSON and SSE.

The stand-in answers like a small, predictable model (the prompt-reading helpers live in :mod:`.prompt`):

* **Which tools** — ``tool_choice="none"``: never. A ``{"function": {"name": ...}}`` choice: that tool.
  Otherwise every tool the last user message *mentions* (its exact name, or a meaningful word of its name:
  "weather" → ``get_weather``; generic verbs such as get/set/fetch/lookup are ignored); with
  ``"any"``/``"required"`` and no mention, the first tool. ``parallel_tool_calls=false`` keeps one call.
* **After tool results** — when the conversation ends with tool results, tools already called since the last
  user message are never called again (whatever ``tool_choice`` says, so agent loops terminate); a mentioned
  tool that has not been called yet is (sequential calling); otherwise the answer is text built from the
  tool results ("Based on the tool results: ...").
* **Tool arguments** — a call written in the prompt (``magic_function(3)``, ``f("x", unit="c")``) fills the
  parameters (positional → required parameters in order), coerced to their schema types; then
  ``name=value`` / ``name: value`` pairs; strings then take the prompt's quoted strings ('…', "…", “…”) in
  order, then its capitalised words; anything else is synthesised from the schema (see :mod:`.schema`).
* **Text** — ``"Echo: <last user text>"`` (or the configured ``reply``), cut by ``stop`` and ``max_tokens``.
* **JSON** — ``json_schema``: a value synthesised from the schema with the same hints. ``json_object``: an
  object with the keys the prompt asks for (a JSON example in the prompt, "keys X and Y", "'X' and 'Y'
  keys", …); values follow the key's wording — numbers for count/age/year/price-like keys (or
  ``key=value`` from the prompt), booleans for ``is_``/``has_`` keys, else a short string built from the
  prompt; with no keys named, ``{"answer": <text>}``.
* **Thinking** — ``reasoning_effort`` (not ``"none"``), ``prompt_mode="reasoning"`` or a ``magistral`` model
  adds a thinking chunk before the answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ._json import dumps
from .prompt import call_arguments, example_object, mentions_tool, requested_keys
from .replies import (
    Call,
    ErrorReply,
    JsonReply,
    Reply,
    SseReply,
    api_error,
    check_fields,
    json_object,
    sse_data,
    validation_error,
)
from .schema import TextHints, synthesize
from .state import FakeState

__all__ = [
    "AGENT_FIELDS",
    "CHAT_FIELDS",
    "Plan",
    "chat_body",
    "chat_events",
    "content_text",
    "handle_agents_completion",
    "handle_chat",
    "role_error",
    "split_text",
    "tool_id_error",
]

CHAT_FIELDS = frozenset(
    (
        "model",
        "temperature",
        "top_p",
        "max_tokens",
        "stream",
        "stop",
        "random_seed",
        "metadata",
        "messages",
        "response_format",
        "tools",
        "tool_choice",
        "presence_penalty",
        "frequency_penalty",
        "n",
        "prediction",
        "parallel_tool_calls",
        "reasoning_effort",
        "prompt_mode",
        "guardrails",
        "prompt_cache_key",
        "service_tier",
        "safe_prompt",
    )
)
AGENT_FIELDS = frozenset(
    (
        "max_tokens",
        "stream",
        "stop",
        "random_seed",
        "metadata",
        "messages",
        "response_format",
        "tools",
        "tool_choice",
        "presence_penalty",
        "frequency_penalty",
        "n",
        "prediction",
        "parallel_tool_calls",
        "reasoning_effort",
        "prompt_mode",
        "guardrails",
        "prompt_cache_key",
        "service_tier",
        "agent_id",
    )
)
_ROLES = ("assistant", "system", "tool", "user")
_TOOL_ID = re.compile(r"^[a-zA-Z0-9]{9}$")
_WORD = re.compile(r"\s*\S+")
_FILLER = " lorem ipsum dolor sit amet"
_PAD = "abcdefghijklmnopqrstuvwxyz0123456789"
DEFAULT_AGENT_MODEL = "mistral-medium-latest"


@dataclass(slots=True)
class Plan:
    """Everything needed to render one completion as JSON or as SSE chunks."""

    model: str
    text: str
    thinking: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str = "stop"
    prompt_tokens: int = 1
    completion_tokens: int = 1
    fim: bool = False


def content_text(content: Any) -> str:
    """Plain text of a message ``content`` (string or list of chunks)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for chunk in content:
            if isinstance(chunk, str):
                parts.append(chunk)
            elif isinstance(chunk, dict):
                if isinstance(chunk.get("text"), str):
                    parts.append(chunk["text"])
                elif chunk.get("type") == "thinking":
                    parts.append(content_text(chunk.get("thinking")))
                elif chunk.get("type") in ("image_url", "document_url", "input_audio", "file"):
                    parts.append(f"[{chunk['type']}]")
        return " ".join(p for p in parts if p)
    return str(content)


def role_error(messages: list[Any], loc: list[Any]) -> ErrorReply | None:
    """The 422 Mistral answers when a message (at ``loc + [i]``) is not an object with a known ``role``."""
    for i, msg in enumerate(messages):
        role = msg.get("role") if isinstance(msg, dict) else None
        if role not in _ROLES:
            return validation_error(
                [
                    {
                        "type": "union_tag_invalid",
                        "loc": [*loc, i],
                        "msg": f"Input tag '{role}' found using 'role' does not match any of the expected tags: "
                        "'assistant', 'system', 'tool', 'user'",
                        "input": msg,
                        "ctx": {
                            "discriminator": "'role'",
                            "tag": str(role),
                            "expected_tags": "'assistant', 'system', 'tool', 'user'",
                        },
                    }
                ]
            )
    return None


def tool_id_error(messages: list[dict[str, Any]]) -> ErrorReply | None:
    """The 400 Mistral answers for a tool-call id that is not nine characters of ``[a-zA-Z0-9]``."""
    ids: list[str] = []
    for msg in messages:
        if msg["role"] == "assistant":
            ids.extend(str(tc.get("id")) for tc in msg.get("tool_calls") or () if isinstance(tc, dict))
        elif msg["role"] == "tool" and msg.get("tool_call_id") is not None:
            ids.append(str(msg["tool_call_id"]))
    for tid in ids:
        if not _TOOL_ID.match(tid):
            return api_error(
                400,
                f"Tool call id was {tid} but must be a-z, A-Z, 0-9, with a length of 9.",
                type_="invalid_function_call",
                code="3280",
            )
    return None


def _validate_messages(messages: Any) -> ErrorReply | None:
    if not isinstance(messages, list):
        return validation_error(
            [
                {
                    "type": "list_type",
                    "loc": ["body", "messages"],
                    "msg": "Input should be a valid list",
                    "input": messages,
                }
            ]
        )
    if not messages:
        return api_error(400, "Messages list cannot be empty", type_="invalid_request_message_order", code="3230")
    error = role_error(messages, ["body", "messages"]) or tool_id_error(messages)
    if error is not None:
        return error
    for i, msg in enumerate(messages):
        calls = msg.get("tool_calls") if msg["role"] == "assistant" else None
        if calls:
            answers = 0
            for nxt in messages[i + 1 :]:
                if nxt["role"] != "tool":
                    break
                answers += 1
            if answers != len(calls):
                return api_error(
                    400,
                    "Not the same number of function calls and responses",
                    type_="invalid_request_message_order",
                    code="3230",
                )
    last = messages[-1]
    if last["role"] not in ("user", "tool") and not (last["role"] == "assistant" and last.get("prefix")):
        return api_error(
            400,
            f"Expected last role User or Tool (or Assistant with prefix True) for serving but got {last['role']}",
            type_="invalid_request_message_order",
            code="3230",
        )
    return None


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for msg in reversed(messages):
        if msg.get("role") == "user":
            return content_text(msg.get("content"))
    return ""


def _answered_tools(messages: list[dict[str, Any]]) -> frozenset[str] | None:
    """Names of the tools called since the last user message, when the conversation ends with tool results."""
    if messages[-1].get("role") != "tool":
        return None
    names: set[str] = set()
    for msg in reversed(messages):
        role = msg.get("role")
        if role == "user":
            break
        if role == "assistant":
            for call in msg.get("tool_calls") or ():
                func = call.get("function") if isinstance(call, dict) else None
                if isinstance(func, dict) and isinstance(func.get("name"), str):
                    names.add(func["name"])
    return frozenset(names)


def _pick_tools(
    body: dict[str, Any], tools: Any, text: str, answered: frozenset[str] | None = None
) -> list[dict[str, Any]]:
    funcs = [
        t["function"]
        for t in tools or ()
        if isinstance(t, dict)
        and isinstance(t.get("function"), dict)
        and t.get("type", "function") == "function"
        and isinstance(t["function"].get("name"), str)
    ]
    choice = body.get("tool_choice")
    if not funcs or choice == "none":
        return []
    if answered is not None:
        chosen = [f for f in funcs if f["name"] not in answered and mentions_tool(text, f["name"])]
    elif isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name")
        return [f for f in funcs if f["name"] == wanted][:1]
    else:
        mentioned = [f for f in funcs if mentions_tool(text, f["name"])]
        chosen = mentioned or (funcs[:1] if choice in ("any", "required") else [])
    if body.get("parallel_tool_calls") is False:
        chosen = chosen[:1]
    return chosen


def _tool_arguments(func: dict[str, Any], text: str, exclude: frozenset[str]) -> Any:
    params = func.get("parameters") or {}
    given, rest = call_arguments(text, func["name"], params)
    return synthesize(params, TextHints(rest, exclude=exclude, given=given))


_NUMBER_KEY = re.compile(
    r"(?:^|_)(?:age|amount|count|cost|days|duration|height|hours|index|length|minutes|num|number|percent|"
    r"percentage|population|price|quantity|qty|rank|rating|score|seconds|size|temperature|total|weight|width|"
    r"year|years)(?:$|_)",
    re.I,
)
_NUMBER_KEY_CAMEL = re.compile(r"(?:Count|Number|Total|Price|Age|Year|Score)$")
_BOOL_KEY = re.compile(r"^(?:is|has|can|should|was|are|does)(?:_|[A-Z])")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def _json_value(key: str, hints: TextHints, topic: str) -> Any:
    """A plausible value for a schema-less JSON key, typed by the key's wording."""
    if _BOOL_KEY.match(key):
        flag = hints.bool_for(key)
        return True if flag is None else flag
    if _NUMBER_KEY.search(key) or _NUMBER_KEY_CAMEL.search(key):
        number = hints.number_for(key)
        if number is None:
            return 1
        return int(number) if number.is_integer() else number
    if key.lower() in hints.pairs:
        return hints.pairs[key.lower()]
    label = key.replace("_", " ").replace("-", " ").strip().capitalize() or "Value"
    return f"{label} for: {topic}" if topic else label


def _json_object_reply(messages: list[dict[str, Any]], user_text: str, base: str) -> dict[str, Any]:
    system = " ".join(content_text(m.get("content")) for m in messages if m.get("role") == "system")
    for text in (user_text, system):
        example = example_object(text)
        if example is not None:
            return example
        keys = requested_keys(text)
        if keys:
            hints = TextHints(user_text, exclude=frozenset(k.lower() for k in keys), capitals=False)
            first = _SENTENCE.search(" ".join(user_text.split()))
            topic = first.group(0).strip() if first else ""
            return {key: _json_value(key, hints, topic) for key in keys}
    return {"answer": base}


def _reply_text(state: FakeState, body: dict[str, Any], messages: list[dict[str, Any]], user_text: str) -> str:
    cfg = state.config
    if isinstance(cfg.reply, str):
        return cfg.reply
    if cfg.reply is not None:
        return cfg.reply(body)
    tail: list[str] = []
    for msg in reversed(messages):
        if msg.get("role") != "tool":
            break
        tail.append(content_text(msg.get("content")))
    if tail:
        base = "Based on the tool results: " + " | ".join(reversed(tail))
    else:
        snippet = " ".join(user_text.split())
        if len(snippet) > cfg.reply_max_chars:
            snippet = snippet[: cfg.reply_max_chars] + "..."
        base = f"Echo: {snippet}" if snippet else "Echo: (empty)"
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        schema = spec.get("schema", spec.get("schema_definition")) if isinstance(spec, dict) else None
        return json.dumps(synthesize(schema or {}, TextHints(user_text)), ensure_ascii=False)
    if isinstance(fmt, dict) and fmt.get("type") == "json_object":
        return json.dumps(_json_object_reply(messages, user_text, base), ensure_ascii=False)
    return base


def _wants_thinking(body: dict[str, Any], model: str) -> bool:
    effort = body.get("reasoning_effort")
    return (
        (effort is not None and effort != "none")
        or model.startswith("magistral")
        or (body.get("prompt_mode") == "reasoning")
    )


def plan_chat(state: FakeState, body: dict[str, Any], model: str, tools: Any = None) -> Plan:
    """Decide the reply (text, tool calls, thinking) for a validated chat body."""
    messages: list[dict[str, Any]] = body["messages"]
    tools = body.get("tools") if tools is None else tools
    user_text = _last_user_text(messages)
    echoed = state.config.model_aliases.get(model, model)
    prompt_chars = sum(len(content_text(m.get("content"))) + 4 for m in messages)
    if tools:
        prompt_chars += len(dumps(tools))
    plan = Plan(model=echoed, text="", prompt_tokens=max(1, prompt_chars // 4))
    if _wants_thinking(body, model):
        plan.thinking = f"The user wrote {len(user_text)} characters. I will answer briefly and precisely."
    chosen = _pick_tools(body, tools, user_text, _answered_tools(messages))
    if chosen:
        names = frozenset(f["name"].lower() for f in chosen)
        for index, func in enumerate(chosen):
            args = _tool_arguments(func, user_text, names)
            plan.tool_calls.append(
                {
                    "id": state.ids.tool_call_id(state.config.seed, len(messages), index, func["name"], user_text),
                    "type": "function",
                    "function": {"name": func["name"], "arguments": json.dumps(args, ensure_ascii=False)},
                    "index": index,
                }
            )
        plan.finish_reason = "tool_calls"
        out_chars = sum(len(tc["function"]["arguments"]) + len(tc["function"]["name"]) for tc in plan.tool_calls)
    else:
        plan.text = _reply_text(state, body, messages, user_text)
        plan.text, plan.finish_reason = _apply_limits(plan.text, body)
        out_chars = len(plan.text)
    plan.completion_tokens = max(1, (out_chars + len(plan.thinking or "")) // 4)
    return plan


def _apply_limits(text: str, body: dict[str, Any]) -> tuple[str, str]:
    stops = body.get("stop")
    for stop in [stops] if isinstance(stops, str) else stops or ():
        if isinstance(stop, str) and stop and stop in text:
            text = text[: text.index(stop)]
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, int) and max_tokens > 0 and len(text) > max_tokens * 4:
        return text[: max_tokens * 4], "length"
    return text, "stop"


def _usage(plan: Plan) -> dict[str, Any]:
    return {
        "prompt_tokens": plan.prompt_tokens,
        "total_tokens": plan.prompt_tokens + plan.completion_tokens,
        "completion_tokens": plan.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
    }


def chat_body(plan: Plan, ident: str, created: int) -> dict[str, Any]:
    """The non-streamed ``chat.completion`` object."""
    content: Any = plan.text
    if plan.thinking is not None:
        content = [{"type": "thinking", "thinking": [{"type": "text", "text": plan.thinking}]}]
        if plan.text:
            content.append({"type": "text", "text": plan.text})
    message: dict[str, Any] = {"role": "assistant", "tool_calls": plan.tool_calls or None, "content": content}
    if plan.fim:
        message["prefix"] = False
    usage = _usage(plan)
    if plan.fim:
        usage.pop("prompt_tokens_details")
    return {
        "id": ident,
        "created": created,
        "model": plan.model,
        "usage": usage,
        "object": "chat.completion",
        "choices": [{"index": 0, "finish_reason": plan.finish_reason, "message": message}],
    }


def split_text(text: str, chunks: int | None) -> list[str]:
    """Word-sized pieces, or exactly ``chunks`` pieces (padding the text if it is too short)."""
    if chunks is None:
        pieces = _WORD.findall(text)
        rest = text[sum(map(len, pieces)) :]
        if rest or not pieces:
            pieces.append(rest)
        return pieces
    n = max(1, chunks)
    if len(text) < n:
        text = (text + _FILLER * (n // len(_FILLER) + 1))[:n]
    q, r = divmod(len(text), n)
    out, pos = [], 0
    for i in range(n):
        size = q + (1 if i < r else 0)
        out.append(text[pos : pos + size])
        pos += size
    return out


def chat_events(plan: Plan, ident: str, created: int, chunks: int | None, padding: bool) -> list[bytes]:
    """SSE events as Mistral streams them: role chunk, content chunks, usage on the last one (no [DONE])."""
    head = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": plan.model}
    events = [
        sse_data(
            {**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
        )
    ]
    deltas: list[dict[str, Any]] = []
    if plan.thinking is not None:
        deltas.extend(
            {"content": [{"type": "thinking", "thinking": [{"type": "text", "text": piece}]}]}
            for piece in split_text(plan.thinking, None)
        )
        deltas.append({"content": [{"type": "thinking", "thinking": [], "closed": True}]})
    if plan.tool_calls:
        deltas.append({"tool_calls": plan.tool_calls})
    else:
        pieces = split_text(plan.text, chunks)
        first = len(deltas)
        deltas.extend({"content": piece} for piece in pieces)
        if plan.thinking is not None:
            deltas[first] = {"content": [{"type": "text", "text": pieces[0]}]}
    last = len(deltas) - 1
    for i, delta in enumerate(deltas):
        chunk: dict[str, Any] = {
            **head,
            "choices": [{"index": 0, "delta": delta, "finish_reason": plan.finish_reason if i == last else None}],
        }
        if i == last:
            chunk["usage"] = _usage(plan)
        if padding:
            chunk["p"] = _PAD[: 1 + (i * 7 + len(plan.model)) % len(_PAD)]
        events.append(sse_data(chunk))
    return events


def respond(state: FakeState, plan: Plan, stream: bool) -> Reply:
    ident = state.ids.hex32("cmpl")
    created = state.now()
    if stream:
        return SseReply(chat_events(plan, ident, created, state.config.stream_chunks, state.config.padding))
    return JsonReply(chat_body(plan, ident, created))


def handle_chat(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    allowed = CHAT_FIELDS if state.config.strict else None
    err = check_fields(body, required=("messages", "model"), allowed=allowed) or _validate_messages(body["messages"])
    if err is not None:
        return err
    return respond(state, plan_chat(state, body, str(body["model"])), body.get("stream") is True)


def handle_agents_completion(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    allowed = AGENT_FIELDS if state.config.strict else None
    err = check_fields(body, required=("messages", "agent_id"), allowed=allowed) or _validate_messages(body["messages"])
    if err is not None:
        return err
    agent = state.agents.get(str(body["agent_id"]))
    model = str(agent["model"]) if agent else DEFAULT_AGENT_MODEL
    tools = body.get("tools") or (agent or {}).get("tools")
    return respond(state, plan_chat(state, body, model, tools=tools), body.get("stream") is True)
