"""Helpers for the core unit tests (imported by test modules; fixtures live in conftest.py)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import httpx

from mistral_lca import RetryPolicy

TOKEN = "at_SECRET_unit_token_123456"


Handler = Callable[[httpx.Request], httpx.Response]


def envelope(result: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "message": "Request completed",
        "provider": "mistralai",
        "result": result,
        "response_headers": headers or {},
    }


def error_envelope(error: Any, message: str = "Error received from the mistralai API", headers: Any = None) -> Any:
    return {"message": message, "provider": "mistralai", "error": error, "headers": headers or {}}


def chat_result(content: Any = "Hello!", **extra: Any) -> dict[str, Any]:
    return {
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": "mistral-small-2506",
        "created": 1787150060,
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        **extra,
    }


def sse(*chunks: Any, done: bool = True) -> bytes:
    parts = [f"data: {json.dumps(c) if not isinstance(c, str) else c}\n\n" for c in chunks]
    if done:
        parts.append("data: [DONE]\n\n")
    return "".join(parts).encode()


def chunk(content: Any = None, finish: str | None = None, usage: Any = None, role: str | None = None) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
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


class Recorder:
    """A MockTransport handler that answers from a queue and records every request."""

    def __init__(self, *responses: httpx.Response | Callable[[httpx.Request], httpx.Response] | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)


def no_sleep_policy(max_retries: int = 2) -> RetryPolicy:
    return RetryPolicy(max_retries=max_retries, initial_delay=0.0, max_delay=0.0)


async def call(client: Any, dotted: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``client.<dotted>(...)`` and await it if the client is async."""
    target: Any = client
    for part in dotted.split("."):
        target = getattr(target, part)
    result = target(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


async def collect(stream: Any) -> list[Any]:
    """Drain a sync or async stream into a list."""
    if hasattr(stream, "__aiter__"):
        return [item async for item in stream]
    return list(stream)
