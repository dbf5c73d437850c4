"""Recorded HTTP interactions: the file format, the replay transport and the recording transport.

A recording file (``recordings/<step>.json``) holds the requests one demo step made and the answers it got,
in LowCodeAPI's public URL form (``https://api.lowcodeapi.com/mistralai/v1/...``) with the token removed.

:class:`ReplayTransport` serves those answers to ``httpx.Client`` and ``httpx.AsyncClient`` without any network.
A request matches a recorded one on method, the path from ``/v1/`` on, the query string without ``api_token``
and the JSON body compared as data (key order and whitespace free). Identical requests are answered in recorded
order (the last answer repeats). A request with no recording raises :class:`ReplayMissError` at once: it is not
an ``httpx`` error, so the client does not retry it and the message reaches the user unchanged.

:class:`RecordingTransport` wraps a real transport and keeps every exchange, for ``python -m mistral_lca.demo.record``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from mistral_lca._config import DEFAULT_BASE_URL
from mistral_lca._secrets import redact

__all__ = [
    "FORMAT_VERSION",
    "Interaction",
    "RecordingTransport",
    "ReplayMissError",
    "ReplayTransport",
    "dump_recording",
    "request_key",
]

FORMAT_VERSION = 1
_JSON_TYPES = ("application/json", "+json")
_BOUNDARY_RE = re.compile(rb"boundary=([^\s;\"]+)")
_NUMBER_LIST_RE = re.compile(r"\[\s*\n\s*(-?[0-9][0-9.eE+-]*(?:,\s*\n\s*-?[0-9][0-9.eE+-]*)*)\s*\n\s*\]")

ResponseRewriter = Callable[[str, Any, Any], Any]
"""``(path, request JSON, response JSON) -> response JSON``: used by the recorder to script the stand-in."""


class ReplayMissError(LookupError):
    """The demo made a request that has no recording (the recordings are stale or the request changed)."""


# ------------------------------------------------------------------------------------------- matching


def _api_path(path: str) -> str:
    """The Mistral path (``/v1/...``) whatever prefix the base URL adds (``/mistralai`` for LowCodeAPI)."""
    index = path.find("/v1/")
    return path[index:] if index >= 0 else path


def _is_json(content_type: str | None) -> bool:
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    return ctype.endswith(_JSON_TYPES)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _body_digest(body: bytes, content_type: str | None) -> str:
    """A stable fingerprint of a non-JSON body (multipart boundaries masked)."""
    match = _BOUNDARY_RE.search((content_type or "").encode())
    if match:
        body = body.replace(match.group(1), b"BOUNDARY")
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _query_items(items: Iterable[tuple[str, str]]) -> list[list[str]]:
    return sorted([key, value] for key, value in items if key != "api_token")


def request_key(method: str, path: str, query: Iterable[tuple[str, str]], body: str) -> str:
    """What two requests must share to match: method, ``/v1/`` path, query minus the token, body."""
    return canonical_json([method.upper(), _api_path(path), _query_items(query), body])


def _request_body(request: httpx.Request, content: bytes) -> tuple[str, Any]:
    """(the body's match text, the body to store): JSON as data, anything else as a digest."""
    if not content:
        return "", None
    ctype = request.headers.get("content-type")
    if _is_json(ctype):
        data = json.loads(content)
        return canonical_json(data), data
    digest = _body_digest(content, ctype)
    return digest, {"digest": digest, "content_type": ctype}


def _key_for(request: httpx.Request, content: bytes) -> tuple[str, Any]:
    body_text, stored = _request_body(request, content)
    return request_key(request.method, request.url.path, request.url.params.multi_items(), body_text), stored


# ------------------------------------------------------------------------------------------- the format


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its answer."""

    method: str
    url: str
    query: list[list[str]]
    body: Any
    status: int
    content_type: str
    response: Any
    """JSON data when ``content_type`` is JSON, else the body text (event streams)."""

    @property
    def key(self) -> str:
        if isinstance(self.body, dict) and set(self.body) == {"digest", "content_type"}:
            body_text = str(self.body["digest"])
        else:
            body_text = "" if self.body is None else canonical_json(self.body)
        path = httpx.URL(self.url).path
        return request_key(self.method, path, [(k, v) for k, v in self.query], body_text)

    def to_json(self) -> dict[str, Any]:
        request: dict[str, Any] = {"method": self.method, "url": self.url}
        if self.query:
            request["query"] = self.query
        if self.body is not None:
            request["body"] = self.body
        response: dict[str, Any] = {"status": self.status, "content_type": self.content_type}
        response["json" if _is_json(self.content_type) else "text"] = self.response
        return {"request": request, "response": response}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Interaction:
        request, response = data["request"], data["response"]
        return cls(
            method=str(request["method"]),
            url=str(request["url"]),
            query=[[str(k), str(v)] for k, v in request.get("query", [])],
            body=request.get("body"),
            status=int(response["status"]),
            content_type=str(response["content_type"]),
            response=response["json"] if "json" in response else response.get("text", ""),
        )

    def to_response(self, request: httpx.Request) -> httpx.Response:
        if _is_json(self.content_type):
            content = json.dumps(self.response, ensure_ascii=False).encode()
        else:
            content = str(self.response).encode()
        return httpx.Response(
            self.status, headers={"content-type": self.content_type}, content=content, request=request
        )


def _collapse_number_lists(text: str) -> str:
    """Keep embedding vectors on one line in the pretty-printed JSON."""
    return _NUMBER_LIST_RE.sub(lambda m: "[" + ",".join(part.strip() for part in m.group(1).split(",")) + "]", text)


def dump_recording(meta: Mapping[str, Any], interactions: Iterable[Interaction]) -> str:
    """The text of a recording file: ``meta`` fields, then the interactions."""
    data = {"format": FORMAT_VERSION, **meta, "interactions": [item.to_json() for item in interactions]}
    return _collapse_number_lists(json.dumps(data, indent=1, ensure_ascii=False)) + "\n"


def load_interactions(data: Mapping[str, Any]) -> list[Interaction]:
    if data.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported recording format {data.get('format')!r} (expected {FORMAT_VERSION})")
    return [Interaction.from_json(item) for item in data.get("interactions", [])]


# ------------------------------------------------------------------------------------------- replay


class ReplayTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers requests from recorded interactions; never opens a socket. Thread-safe; sync and async."""

    def __init__(self, interactions: Iterable[Interaction], *, source: str = "the recordings") -> None:
        self.source = source
        self._answers: dict[str, deque[Interaction]] = {}
        for item in interactions:
            self._answers.setdefault(item.key, deque()).append(item)
        self._lock = threading.Lock()
        self.served = 0

    def _answer(self, request: httpx.Request, content: bytes) -> httpx.Response:
        key, _ = _key_for(request, content)
        with self._lock:
            queue = self._answers.get(key)
            if not queue:
                raise ReplayMissError(self._miss_message(request))
            item = queue.popleft() if len(queue) > 1 else queue[0]
            self.served += 1
        return item.to_response(request)

    def _miss_message(self, request: httpx.Request) -> str:
        path = _api_path(request.url.path)
        known = sorted({json.loads(key)[1] for key in self._answers})
        return (
            f"no recorded answer for {request.method} {path} in {self.source} "
            f"(recorded paths: {', '.join(known) or 'none'}). The request differs from the recording: "
            "re-record with `python -m mistral_lca.demo.record`, or run live with LOWCODEAPI_API_TOKEN set."
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request, request.read())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request, await request.aread())


# ------------------------------------------------------------------------------------------- recording


def _public_url(url: httpx.URL, upstream_base: str) -> str:
    """The URL without query, rebased on the public LowCodeAPI URL (``http://127.0.0.1:N/mistralai`` → public)."""
    plain = str(url.copy_with(query=None))
    base = upstream_base.rstrip("/")
    if plain.startswith(base):
        plain = DEFAULT_BASE_URL + plain[len(base) :]
    return plain


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Sends requests on to ``upstream_base`` for real and keeps each exchange (token removed)."""

    def __init__(self, upstream_base: str, *, rewrite: ResponseRewriter | None = None) -> None:
        self.upstream_base = upstream_base
        self.rewrite = rewrite
        self.interactions: list[Interaction] = []
        self._sync = httpx.HTTPTransport()
        self._lock = threading.Lock()

    def _keep(self, request: httpx.Request, content: bytes, response: httpx.Response, body: bytes) -> httpx.Response:
        _, stored = _key_for(request, content)
        ctype = response.headers.get("content-type", "application/octet-stream")
        answer: Any
        if _is_json(ctype) and body:
            answer = json.loads(redact(body.decode("utf-8")))
            if self.rewrite is not None:
                answer = self.rewrite(_api_path(request.url.path), stored, answer)
            _drop_volatile_headers(answer)
        else:
            answer = redact(body.decode("utf-8", errors="replace"))
        item = Interaction(
            method=request.method,
            url=_public_url(request.url, self.upstream_base),
            query=_query_items(request.url.params.multi_items()),
            body=stored,
            status=response.status_code,
            content_type=ctype,
            response=answer,
        )
        with self._lock:
            self.interactions.append(item)
        return item.to_response(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        response = self._sync.handle_request(request)
        try:
            body = response.read()
        finally:
            response.close()
        return self._keep(request, content, response, body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        async with httpx.AsyncHTTPTransport() as transport:  # one per request: no pool outlives its event loop
            response = await transport.handle_async_request(request)
            try:
                body = await response.aread()
            finally:
                await response.aclose()
        return self._keep(request, content, response, body)

    def close(self) -> None:
        self._sync.close()

    def take(self) -> list[Interaction]:
        """The interactions kept so far (and forget them)."""
        with self._lock:
            items, self.interactions = self.interactions, []
        return items


def _drop_volatile_headers(answer: Any) -> None:
    """LowCodeAPI envelopes carry the upstream headers; the ``date`` changes on every run, so it is not kept."""
    if isinstance(answer, dict) and isinstance(answer.get("response_headers"), dict):
        answer["response_headers"].pop("date", None)
