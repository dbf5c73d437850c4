"""Sending: the only code that differs between the sync and async clients.

Each sender runs the same loop — build (pure) → send (I/O) → decode (pure) → maybe retry — and every
decision in it comes from pure helpers shared by both: :func:`build_request`, :func:`decode_body`,
:class:`StreamState`, and :meth:`RetryPolicy.delay_before_retry` via :func:`_next_delay`.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import httpx

from ._config import ClientConfig
from ._errors import APIStatusError, MistralLCAError, StreamError
from ._headers import ResponseHeaders
from ._operation import Operation, StreamingOperation
from ._request import build_request, redacted_url
from ._response import Decoded, decode_body, is_json_content_type, transport_error
from ._retry import RetryPolicy
from ._sse import StreamState

__all__ = ["AsyncSender", "SyncSender"]

T = TypeVar("T")
logger = logging.getLogger("mistral_lca")

_DEFAULT_LIMITS = httpx.Limits(max_connections=256, max_keepalive_connections=64, keepalive_expiry=30.0)
_SSL_CONTEXT: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One SSL context per process: building one costs ~10 ms, far too much per client."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = httpx.create_ssl_context()
    return _SSL_CONTEXT


def _decode(op_expects_binary: bool, response: httpx.Response, body: bytes) -> Decoded:
    if op_expects_binary and response.status_code < 400:
        return Decoded(body, ResponseHeaders(response.headers), response.status_code)
    return decode_body(response.status_code, response.headers, body)


def _as_error(exc: Exception, request: httpx.Request) -> MistralLCAError:
    if isinstance(exc, MistralLCAError):
        return exc
    assert isinstance(exc, httpx.HTTPError)
    return transport_error(exc, request.method, redacted_url(request))


def _next_delay(
    policy: RetryPolicy, error: MistralLCAError, request: httpx.Request, retries_done: int, creates: bool
) -> float:
    """The wait before the next attempt; raises ``error`` when it must not be retried."""
    delay = policy.delay_before_retry(error, retries_done=retries_done, creates=creates)
    if delay is None:
        raise error
    logger.info(
        "Retrying %s %s in %.2fs (retry %d of %d) after %s: %s",
        request.method,
        request.url.path,
        delay,
        retries_done + 1,
        policy.max_retries,
        type(error).__name__,
        error.message,
    )
    return delay


def _interrupted(error: MistralLCAError, delivered: int) -> StreamError:
    return StreamError(f"the stream was interrupted after {delivered} event(s): {error.message}")


def _log_response(request: httpx.Request, response: httpx.Response, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %d (%.1f ms)",
            request.method,
            redacted_url(request),
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )


def _is_json_answer(response: httpx.Response) -> bool:
    return response.status_code >= 400 or is_json_content_type(response.headers.get("content-type"))


class _SenderBase:
    def __init__(self, config: ClientConfig, policy: RetryPolicy) -> None:
        self.config = config
        self.policy = policy


class SyncSender(_SenderBase):
    """Runs operations on an ``httpx.Client`` (the caller's, or one we own, built on first use, and close)."""

    sleep: Callable[[float], Any] = staticmethod(time.sleep)

    def __init__(self, config: ClientConfig, policy: RetryPolicy, http_client: httpx.Client | None) -> None:
        super().__init__(config, policy)
        self._owns_http = http_client is None
        self._http = http_client

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=self.config.timeout, limits=_DEFAULT_LIMITS, verify=shared_ssl_context())
        return self._http

    def close(self) -> None:
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None

    def request(self, op: Operation[T]) -> T:
        retries = 0
        while True:
            request = build_request(self.config, op.spec)
            started = time.perf_counter()
            try:
                response = self.http.send(request)
                _log_response(request, response, started)
                return op.parse(_decode(op.spec.expect_binary, response, response.content))
            except (httpx.HTTPError, APIStatusError) as exc:
                error = _as_error(exc, request)
            self.sleep(_next_delay(self.policy, error, request, retries, op.spec.creates))
            retries += 1

    def stream(self, op: StreamingOperation[T], on_headers: Callable[[ResponseHeaders], None]) -> Iterator[T]:
        retries = 0
        while True:
            request = build_request(self.config, op.spec)
            state = StreamState(op.decoding)
            started = time.perf_counter()
            try:
                response = self.http.send(request, stream=True)
                try:
                    _log_response(request, response, started)
                    if _is_json_answer(response):
                        decoded = _decode(False, response, response.read())
                        on_headers(decoded.headers)
                        yield from op.decoding.from_json(decoded)
                        return
                    on_headers(ResponseHeaders(response.headers))
                    for line in response.iter_lines():
                        item = state.feed(line)
                        if item is not None:
                            state.delivered += 1
                            yield item
                        if state.finished:
                            return
                    last = state.end()
                    if last is not None:
                        yield last
                    return
                finally:
                    response.close()
            except (httpx.HTTPError, MistralLCAError) as exc:
                error = _as_error(exc, request)
            if state.delivered:
                raise _interrupted(error, state.delivered) from error
            self.sleep(_next_delay(self.policy, error, request, retries, op.spec.creates))
            retries += 1


class AsyncSender(_SenderBase):
    """Runs operations on an ``httpx.AsyncClient`` (the caller's, or one we own, built on first use)."""

    sleep: Callable[[float], Any] = staticmethod(asyncio.sleep)

    def __init__(self, config: ClientConfig, policy: RetryPolicy, http_client: httpx.AsyncClient | None) -> None:
        super().__init__(config, policy)
        self._owns_http = http_client is None
        self._http = http_client

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.config.timeout, limits=_DEFAULT_LIMITS, verify=shared_ssl_context()
            )
        return self._http

    async def close(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    async def request(self, op: Operation[T]) -> T:
        retries = 0
        while True:
            request = build_request(self.config, op.spec)
            started = time.perf_counter()
            try:
                response = await self.http.send(request)
                _log_response(request, response, started)
                return op.parse(_decode(op.spec.expect_binary, response, response.content))
            except (httpx.HTTPError, APIStatusError) as exc:
                error = _as_error(exc, request)
            await self.sleep(_next_delay(self.policy, error, request, retries, op.spec.creates))
            retries += 1

    async def stream(
        self, op: StreamingOperation[T], on_headers: Callable[[ResponseHeaders], None]
    ) -> AsyncIterator[T]:
        retries = 0
        while True:
            request = build_request(self.config, op.spec)
            state = StreamState(op.decoding)
            started = time.perf_counter()
            try:
                response = await self.http.send(request, stream=True)
                try:
                    _log_response(request, response, started)
                    if _is_json_answer(response):
                        decoded = _decode(False, response, await response.aread())
                        on_headers(decoded.headers)
                        for item in op.decoding.from_json(decoded):
                            yield item
                        return
                    on_headers(ResponseHeaders(response.headers))
                    async for line in response.aiter_lines():
                        fed = state.feed(line)
                        if fed is not None:
                            state.delivered += 1
                            yield fed
                        if state.finished:
                            return
                    last = state.end()
                    if last is not None:
                        yield last
                    return
                finally:
                    await response.aclose()
            except (httpx.HTTPError, MistralLCAError) as exc:
                error = _as_error(exc, request)
            if state.delivered:
                raise _interrupted(error, state.delivered) from error
            await self.sleep(_next_delay(self.policy, error, request, retries, op.spec.creates))
            retries += 1
