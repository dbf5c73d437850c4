"""Helpers for the endpoint-family unit tests (fixtures live in conftest.py)."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from mistral_lca import AsyncMistralLCAClient, MistralLCAClient, RateLimiter, RetryPolicy
from mistral_lca.testing import FastForwardClock

TOKEN = "at_SECRET_client_token_123456"
BASE = "https://api.lowcodeapi.com/mistralai"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

Reply = httpx.Response | Callable[[httpx.Request], httpx.Response] | Exception


def envelope(result: Any) -> dict[str, Any]:
    return {"message": "Request completed", "provider": "mistralai", "result": result, "response_headers": {}}


def ok(result: Any = None, *, wrap: bool = True, status: int = 200) -> httpx.Response:
    """A JSON success, wrapped in the LowCodeAPI envelope by default."""
    return httpx.Response(status, json=envelope(result) if wrap else result)


def error(status: int, message: str = "boom") -> httpx.Response:
    body = {"message": message, "provider": "mistralai", "error": {"object": "error", "message": message}}
    return httpx.Response(status, json=body)


def sse_events(*events: tuple[str | None, Any]) -> httpx.Response:
    """A text/event-stream body of ``event: <type>`` + ``data: <json>`` events."""
    parts = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        parts.append(f"{head}data: {data if isinstance(data, str) else json.dumps(data)}\n\n")
    return httpx.Response(200, content="".join(parts).encode(), headers={"content-type": "text/event-stream"})


class Recorder:
    """A MockTransport handler answering from a queue (the last answer repeats) and recording requests."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies) or [ok({})]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        item = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def no_sleep_policy(max_retries: int = 2) -> RetryPolicy:
    return RetryPolicy(max_retries=max_retries, initial_delay=0.0, max_delay=0.0)


async def run(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def call(client: Any, dotted: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``client.<dotted>(...)`` and await it if the client is async."""
    target: Any = client
    for part in dotted.split("."):
        target = getattr(target, part)
    return await run(target(*args, **kwargs))


async def collect(stream: Any) -> list[Any]:
    if hasattr(stream, "__aiter__"):
        return [item async for item in stream]
    return list(stream)


def expected_url(
    form: str, template: str, path_params: Mapping[str, str] | None = None, query: Iterable[tuple[str, str]] = ()
) -> tuple[str, list[tuple[str, str]]]:
    """The URL (without query) and query items a request must have, in either path-parameter form."""
    params = dict(path_params or {})
    items = list(query)
    if form == "path":
        path = _PLACEHOLDER.sub(lambda m: quote(params[m.group(1)], safe=""), template)
    else:
        path = _PLACEHOLDER.sub(lambda m: m.group(1), template)
        items.extend(params.items())
    items.append(("api_token", TOKEN))
    return BASE + path, items


def assert_request(
    request: httpx.Request,
    method: str,
    form: str,
    template: str,
    path_params: Mapping[str, str] | None = None,
    query: Iterable[tuple[str, str]] = (),
    json_body: Any = ...,
) -> None:
    url, items = expected_url(form, template, path_params, query)
    assert request.method == method
    assert str(request.url.copy_with(query=None)) == url
    assert request.url.params.multi_items() == items
    if json_body is not ...:
        if json_body is None:
            assert request.content == b""
        else:
            assert request.headers["content-type"] == "application/json"
            assert json.loads(request.content) == json_body


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def multipart_parts(request: httpx.Request) -> list[Part]:
    """The parts of a ``multipart/form-data`` request body, in order."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=", 1)[1].encode()
    body = request.content
    assert body.endswith(b"--" + boundary + b"--\r\n")
    parts: list[Part] = []
    for chunk in body.split(b"--" + boundary)[1:-1]:
        head, _, data = chunk[2:].partition(b"\r\n\r\n")
        headers = head.decode()
        name = re.search(r'name="([^"]*)"', headers)
        filename = re.search(r'filename="([^"]*)"', headers)
        ctype = re.search(r"Content-Type: (\S+)", headers)
        parts.append(
            Part(
                name.group(1) if name else "",
                filename.group(1) if filename else None,
                ctype.group(1) if ctype else None,
                data[:-2],  # the CRLF before the next boundary
            )
        )
    return parts


def form_fields(request: httpx.Request) -> dict[str, list[str]]:
    """Plain (file-less) multipart fields: name → values in order."""
    out: dict[str, list[str]] = {}
    for part in multipart_parts(request):
        if part.filename is None:
            out.setdefault(part.name, []).append(part.data.decode())
    return out


def build_client(mode: str, handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> Any:
    """A client whose sleeps are recorded (``client.sleeps``), never slept."""
    kwargs.setdefault("api_token", TOKEN)
    kwargs.setdefault("retry_policy", no_sleep_policy(kwargs.pop("max_retries", 2)))
    transport = kwargs.pop("transport", None) or httpx.MockTransport(handler)
    clock = FastForwardClock()
    kwargs.setdefault("rate_limiter", RateLimiter(clock=clock))
    client: Any
    if mode == "sync":
        client = MistralLCAClient(http_client=httpx.Client(transport=transport), **kwargs)
        client._sender.sleep = clock.sleep
    else:
        client = AsyncMistralLCAClient(http_client=httpx.AsyncClient(transport=transport), **kwargs)
        client._sender.sleep = clock.asleep
    client.sleeps = clock.sleeps
    return client
