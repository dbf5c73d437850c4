"""Helpers for the LangChain adapter tests: a recording ``httpx.MockTransport`` and Mistral-shaped payloads."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from langchain_mistral_lca import (
    ChatMistralLCA,
    MistralAgentTool,
    MistralLCAEmbeddings,
    MistralLCAFIM,
    MistralOCRLoader,
    MistralTranscriptionLoader,
)

TOKEN = "at_SECRET_abcdef123"
TOOL_ID_RE = re.compile(r"^[A-Za-z0-9]{9}$")

# What the official request schemas allow (additionalProperties: false everywhere), per request type.
CHAT_FIELDS = frozenset(
    {
        "model", "temperature", "top_p", "max_tokens", "stream", "stop", "random_seed", "metadata", "messages",
        "response_format", "tools", "tool_choice", "presence_penalty", "frequency_penalty", "n", "prediction",
        "parallel_tool_calls", "reasoning_effort", "prompt_mode", "guardrails", "prompt_cache_key", "service_tier",
        "safe_prompt",
    }
)  # fmt: skip
AGENT_COMPLETION_FIELDS = (CHAT_FIELDS - {"model", "temperature", "top_p", "safe_prompt"}) | {"agent_id"}
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
TOOL_CHOICES = frozenset({"auto", "none", "any", "required"})


def assert_messages_conform(messages: list[dict[str, Any]]) -> None:
    for message in messages:
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
                if chunk["type"] == "input_audio":
                    assert isinstance(chunk["input_audio"], str)
        for call in message.get("tool_calls") or []:
            assert set(call) <= {"id", "type", "function", "index"}
            assert set(call["function"]) == {"name", "arguments"}
            assert TOOL_ID_RE.match(call["id"]), call["id"]
        if role == "tool" and "tool_call_id" in message:
            assert TOOL_ID_RE.match(message["tool_call_id"]), message["tool_call_id"]
        if message.get("prefix"):
            assert message is messages[-1] and role == "assistant"


def assert_chat_request_conforms(body: dict[str, Any], allowed: frozenset[str] = CHAT_FIELDS) -> None:
    """The ChatCompletionRequest facts that matter: required fields, no extra field anywhere, 9-char ids."""
    required = {"agent_id", "messages"} if "agent_id" in allowed else {"model", "messages"}
    assert required <= set(body), body.keys()
    assert set(body) <= allowed, set(body) - allowed
    assert_messages_conform(body["messages"])
    for tool in body.get("tools") or []:
        assert set(tool) <= {"type", "function"}
        assert {"name", "parameters"} <= set(tool["function"]) <= {"name", "description", "parameters", "strict"}
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        assert set(choice) <= {"type", "function"} and set(choice["function"]) == {"name"}
    elif choice is not None:
        assert choice in TOOL_CHOICES
    response_format = body.get("response_format")
    if response_format is not None:
        assert set(response_format) <= {"type", "json_schema"}
        if response_format["type"] == "json_schema":
            assert (
                {"name", "schema"} <= set(response_format["json_schema"]) <= {"name", "description", "schema", "strict"}
            )


def envelope(result: Any) -> dict[str, Any]:
    """LowCodeAPI's success envelope."""
    return {"message": "Request completed", "provider": "mistralai", "result": result, "response_headers": {}}


def chat_result(
    content: Any = "Hello!",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    model: str = "mistral-small-2506",
    usage: dict[str, Any] | None = None,
    finish_reason: str | None = None,
    reply_id: str = "cmpl-1",
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    return {
        "id": reply_id,
        "object": "chat.completion",
        "model": model,
        "created": 1787150060,
        "usage": usage or {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        "choices": [
            {"index": 0, "message": message, "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop")}
        ],
    }


def tool_call(name: str, arguments: Any, call_id: str = "KikbB849t", index: int = 0) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}, "index": index}


def stream_chunk(
    delta: dict[str, Any],
    *,
    finish_reason: str | None = None,
    usage: dict[str, Any] | None = None,
    model: str = "mistral-small-2506",
    reply_id: str = "cmpl-1",
) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "id": reply_id,
        "object": "chat.completion.chunk",
        "created": 1787150060,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        "p": "abcdef",
    }
    if usage is not None:
        chunk["usage"] = usage
    return chunk


def sse(chunks: Iterable[dict[str, Any]]) -> bytes:
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    return body.encode()


def stream_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A realistic stream for a whole result: role chunk, word chunks, tool calls whole, usage last."""
    message = result["choices"][0]["message"]
    finish = result["choices"][0]["finish_reason"]
    common = {"model": result["model"], "reply_id": result["id"]}
    chunks = [stream_chunk({"role": "assistant", "content": ""}, **common)]
    content = message.get("content")
    deltas: list[dict[str, Any]] = []
    if isinstance(content, str):
        words = re.findall(r"\s*\S+", content) or ([content] if content else [])
        deltas.extend({"content": word} for word in words)
    elif isinstance(content, list):
        deltas.extend({"content": [part]} for part in content)
    if message.get("tool_calls"):
        deltas.append({"tool_calls": message["tool_calls"]})
    if not deltas:
        deltas.append({"content": ""})
    for i, delta in enumerate(deltas):
        last = i == len(deltas) - 1
        chunks.append(
            stream_chunk(
                delta, finish_reason=finish if last else None, usage=result["usage"] if last else None, **common
            )
        )
    return chunks


@dataclass
class Recorder:
    """A MockTransport handler that records every request and answers with ``respond(request_json)``."""

    respond: Callable[[dict[str, Any], httpx.Request], httpx.Response]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = json.loads(request.content) if request.content and b"{" in request.content[:1] else {}
        return self.respond(body, request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.content[:1] == b"{"]

    @property
    def last(self) -> dict[str, Any]:
        return self.bodies[-1]

    def clients(self) -> dict[str, Any]:
        transport = httpx.MockTransport(self)
        return {
            "http_client": httpx.Client(transport=transport),
            "http_async_client": httpx.AsyncClient(transport=transport),
        }


def chat_responder(result: dict[str, Any]) -> Callable[[dict[str, Any], httpx.Request], httpx.Response]:
    """JSON envelope for plain requests, SSE for ``stream: true`` (the same reply either way)."""

    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        if body.get("stream"):
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(stream_of(result)))
        return httpx.Response(200, json=envelope(result))

    return respond


FACTORIES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "chat": lambda s: ChatMistralLCA(**s),
    "embeddings": lambda s: MistralLCAEmbeddings(**s),
    "fim": lambda s: MistralLCAFIM(**s),
    "agent_tool": lambda s: MistralAgentTool(agent_id="ag_1", **s),
    "ocr_loader": lambda s: MistralOCRLoader("https://example.com/a.pdf", **s),
    "transcription_loader": lambda s: MistralTranscriptionLoader("https://example.com/a.mp3", **s),
}
"""One way to build each LangChain class that holds clients, from connection settings."""
