"""Helpers for the LlamaIndex adapter tests: Mistral-shaped payloads and a recording MockTransport handler."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx

TOKEN = "at_SECRET_abcdef123"
TOOL_ID_RE = re.compile(r"^[A-Za-z0-9]{9}$")

# Request fields the official schema allows (additionalProperties: false), per request type.
CHAT_FIELDS = frozenset(
    {
        "model", "temperature", "top_p", "max_tokens", "stream", "stop", "random_seed", "metadata", "messages",
        "response_format", "tools", "tool_choice", "presence_penalty", "frequency_penalty", "n", "prediction",
        "parallel_tool_calls", "reasoning_effort", "prompt_mode", "guardrails", "prompt_cache_key", "service_tier",
        "safe_prompt",
    }
)  # fmt: skip
FIM_FIELDS = frozenset(
    {"model", "temperature", "top_p", "max_tokens", "min_tokens", "stream", "stop", "random_seed", "metadata",
     "prompt", "suffix", "prompt_cache_key"}
)  # fmt: skip
EMBEDDING_FIELDS = frozenset({"model", "input", "output_dimension", "output_dtype", "encoding_format", "metadata"})
MESSAGE_FIELDS = {
    "system": frozenset({"role", "content"}),
    "user": frozenset({"role", "content"}),
    "assistant": frozenset({"role", "content", "tool_calls", "prefix"}),
    "tool": frozenset({"role", "content", "tool_call_id", "name"}),
}
CHUNK_FIELDS = {
    "text": frozenset({"type", "text"}),
    "image_url": frozenset({"type", "image_url"}),
    "document_url": frozenset({"type", "document_url", "document_name"}),
    "input_audio": frozenset({"type", "input_audio"}),
    "thinking": frozenset({"type", "thinking", "signature", "closed"}),
    "file": frozenset({"type", "file_id"}),
    "reference": frozenset({"type", "reference_ids"}),
}


def assert_chat_request_conforms(body: dict[str, Any]) -> None:
    """The facts of the official ChatCompletionRequest schema that matter here (no extra field anywhere)."""
    assert {"model", "messages"} <= set(body), body.keys()
    assert set(body) <= CHAT_FIELDS, set(body) - CHAT_FIELDS
    for message in body["messages"]:
        role = message["role"]
        assert set(message) <= MESSAGE_FIELDS[role], (role, set(message))
        if role != "assistant":
            assert "content" in message
        content = message.get("content")
        if isinstance(content, list):
            for chunk in content:
                assert set(chunk) <= CHUNK_FIELDS[chunk["type"]], chunk
                if chunk["type"] == "image_url" and isinstance(chunk["image_url"], dict):
                    assert set(chunk["image_url"]) <= {"url", "detail"}
        for call in message.get("tool_calls") or []:
            assert set(call) <= {"id", "type", "function", "index"}
            assert set(call["function"]) == {"name", "arguments"}
            assert TOOL_ID_RE.match(call["id"]), call["id"]
        if role == "tool" and "tool_call_id" in message:
            assert TOOL_ID_RE.match(message["tool_call_id"]), message["tool_call_id"]
    for tool in body.get("tools") or []:
        assert set(tool) <= {"type", "function"}
        assert {"name", "parameters"} <= set(tool["function"]) <= {"name", "description", "parameters", "strict"}
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        assert set(choice) <= {"type", "function"} and set(choice["function"]) == {"name"}
    elif choice is not None:
        assert choice in ("auto", "none", "any", "required")


def chat_result(
    content: Any = "Hello!",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    model: str = "mistral-small-2506",
    usage: dict[str, int] | None = None,
    finish_reason: str = "stop",
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
        finish_reason = "tool_calls"
    return {
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": model,
        "created": 1787150060,
        "usage": usage or {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
    }


def tool_call(name: str, arguments: Any, call_id: str = "KikbB849t", index: int = 0) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}, "index": index}


def envelope(result: Any) -> dict[str, Any]:
    return {"message": "Request completed", "provider": "mistralai", "result": result, "response_headers": {}}


def chunk(
    content: Any = None,
    *,
    finish: str | None = None,
    usage: dict[str, int] | None = None,
    role: str | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    if tool_calls is not None:
        delta["tool_calls"] = tool_calls
    out: dict[str, Any] = {
        "id": "s1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "mistral-small-2506",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        "p": "abcdef",
    }
    if usage:
        out["usage"] = usage
    return out


def sse(*chunks: Any) -> bytes:
    parts = [f"data: {json.dumps(c)}\n\n" for c in chunks]
    parts.append("data: [DONE]\n\n")
    return "".join(parts).encode()


def sse_response(*chunks: Any) -> httpx.Response:
    return httpx.Response(200, content=sse(*chunks), headers={"content-type": "text/event-stream"})


Reply = httpx.Response | Callable[[httpx.Request], httpx.Response] | dict[str, Any] | list[Any]


class Recorder:
    """MockTransport handler: answers from a queue (the last answer repeats) and records request bodies."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if callable(reply):
            return reply(request)
        if isinstance(reply, httpx.Response):
            return httpx.Response(reply.status_code, content=reply.content, headers=reply.headers)
        return httpx.Response(200, json=reply)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.content]

    @property
    def body(self) -> dict[str, Any]:
        return self.bodies[-1]


def transports(handler: Recorder) -> dict[str, Any]:
    """``http_client`` and ``async_http_client`` on the same handler."""
    transport = httpx.MockTransport(handler)
    return {
        "http_client": httpx.Client(transport=transport),
        "async_http_client": httpx.AsyncClient(transport=transport),
    }
