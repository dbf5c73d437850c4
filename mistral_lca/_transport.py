"""Sending: the only code that differs between the sync and async clients.

Each sender runs the same loop — build (pure) → send (I/O) → decode (pure) → maybe retry — and every
decision in it comes from pure helpers shared by both: :func:`build_request`, :func:`decode_body`,
:class:`StreamState`, :class:`Deadline` / :class:`BodyReader` (the call's bounds), and
:meth:`RetryPolicy.delay_before_retry` via :func:`_next_delay`.

Redirects are never followed (the token travels in the query string): a 3xx is a typed error. Bodies are read in
pieces so that the deadline and ``max_response_bytes`` are enforced while reading; a call stopped by either closes
its connection rather than returning it to the pool.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import httpx

from ._bounds import BodyReader, Deadline
from ._config import ClientConfig
from ._diagnostics import explain_status_error
from ._download import check_status, part_path, unwrap_file_content, write_all
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DeadlineExceededError,
    MistralLCAError,
    StreamError,
)
from ._headers import ResponseHeaders
from ._operation import Operation, StreamingOperation
from ._pacing import CallPacing, request_tokens
from ._request import RequestSpec, build_request, redacted_url
from ._response import Decoded, decode_body, is_failure_status, is_json_content_type, transport_error
from ._retry import RetryPolicy
from ._sse import StreamState
from .ratelimit import RateLimiter

__all__ = ["AsyncSender", "SyncSender"]

T = TypeVar("T")
logger = logging.getLogger("mistral_lca")

_DEFAULT_LIMITS = httpx.Limits(max_connections=256, max_keepalive_connections=64, keepalive_expiry=30.0)
_SSL_CONTEXT: ssl.SSLContext | None = None
_UNLIMITED: nullcontext[None] = nullcontext()


class _Slot:
    """One of ``max_concurrent_requests`` slots, held while a request is in flight (threads included).

    Waiting for it counts against the call's deadline: a call queued behind busy slots fails with
    :class:`DeadlineExceededError` (not sent) once its deadline is up, instead of waiting on past it.
    """

    __slots__ = ("_deadline", "_request", "_semaphore")

    def __init__(self, semaphore: threading.BoundedSemaphore, deadline: Deadline, request: httpx.Request) -> None:
        self._semaphore = semaphore
        self._deadline = deadline
        self._request = request

    def __enter__(self) -> None:
        if not self._semaphore.acquire(blocking=False) and not self._semaphore.acquire(
            timeout=self._deadline.remaining()
        ):
            raise self._deadline.error(self._request, reached_server=False)

    def __exit__(self, *exc_info: object) -> None:
        self._semaphore.release()


class _AsyncSlot:
    """:class:`_Slot` for one event loop's :class:`asyncio.Semaphore`."""

    __slots__ = ("_deadline", "_request", "_semaphore")

    def __init__(self, semaphore: asyncio.Semaphore, deadline: Deadline, request: httpx.Request) -> None:
        self._semaphore = semaphore
        self._deadline = deadline
        self._request = request

    async def __aenter__(self) -> None:
        remaining = None if not self._semaphore.locked() else self._deadline.remaining()
        if remaining is None:
            await self._semaphore.acquire()
            return
        try:
            await asyncio.wait_for(self._semaphore.acquire(), remaining)
        except asyncio.TimeoutError:
            raise self._deadline.error(self._request, reached_server=False) from None

    async def __aexit__(self, *exc_info: object) -> None:
        self._semaphore.release()


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
    if isinstance(exc, APIStatusError):
        return explain_status_error(exc, request)  # a 401/404 caused by the base URL or the token says so
    if isinstance(exc, MistralLCAError):
        return exc
    assert isinstance(exc, httpx.HTTPError)
    return transport_error(exc, request.method, redacted_url(request))


def _next_delay(
    policy: RetryPolicy,
    error: MistralLCAError,
    request: httpx.Request,
    retries_done: int,
    creates: bool,
    deadline: Deadline,
) -> float:
    """The wait before the next attempt; raises ``error`` when it must not be retried.

    A timeout once the deadline has passed is the deadline's doing (:class:`DeadlineExceededError`); a retry
    whose wait would end past the deadline is not attempted (the last error is raised as it is).
    """
    if isinstance(error, DeadlineExceededError):
        raise error
    if isinstance(error, APITimeoutError) and deadline.expired:
        raise deadline.error(request, reached_server=error.reached_server) from None
    delay = policy.delay_before_retry(error, retries_done=retries_done, creates=creates)
    if delay is None or not deadline.allows_wait(delay):
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


def _after_delivery(error: MistralLCAError, delivered: int) -> MistralLCAError:
    """What a stream that already delivered events raises: a broken connection or broken event data is a
    :class:`StreamError` saying how far it got; an error the server reported (an error event) or one of the call's
    bounds keeps its own type."""
    if isinstance(error, DeadlineExceededError) or not isinstance(error, (APIConnectionError, StreamError)):
        return error
    interrupted = StreamError(f"the stream was interrupted after {delivered} event(s): {error.message}")
    interrupted.__cause__ = error
    return interrupted


def _log_response(request: httpx.Request, response: httpx.Response, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %d (%.1f ms)",
            request.method,
            redacted_url(request),
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )


def _encoding(response: httpx.Response) -> str | None:
    """The content encoding the reader must undo itself (``None`` when httpx already holds the decoded body, as a
    mock transport's pre-read response does)."""
    if response.is_stream_consumed:
        return None
    encoding: str | None = response.headers.get("content-encoding")
    return encoding


def _read_answer(response: httpx.Response, reader: BodyReader) -> bytes:
    """The whole answer through ``reader`` (raw reads when it inflates them itself, bounded)."""
    for chunk in response.iter_raw() if reader.raw else response.iter_bytes():
        reader.add(chunk)
    return reader.body()


async def _aread_answer(response: httpx.Response, reader: BodyReader) -> bytes:
    async for chunk in response.aiter_raw() if reader.raw else response.aiter_bytes():
        reader.add(chunk)
    return reader.body()


def _within(deadline: Deadline, request: httpx.Request, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks``, checking the deadline after each one."""
    for chunk in chunks:
        yield chunk
        deadline.check(request)


_DISCARD_LIMIT = 64 * 1024
"""Characters read past a stream's end marker to keep its connection; a body going on longer is closed instead."""


def _discard_rest(lines: Iterator[str], deadline: Deadline) -> None:
    """Read what follows the end marker (normally just the body's terminator), so the connection goes back to
    the pool instead of being closed; a failure here cannot spoil a stream that already ended."""
    left = _DISCARD_LIMIT
    try:
        for text in lines:
            left -= len(text)
            if left < 0 or deadline.expired:
                return
    except httpx.HTTPError:
        pass


async def _adiscard_rest(lines: AsyncIterator[str], deadline: Deadline) -> None:
    left = _DISCARD_LIMIT
    try:
        async for text in lines:
            left -= len(text)
            if left < 0 or deadline.expired:
                return
    except httpx.HTTPError:
        pass


def _is_json_answer(response: httpx.Response) -> bool:
    return is_failure_status(response.status_code) or is_json_content_type(response.headers.get("content-type"))


def _answer_limit(config: ClientConfig, spec: RequestSpec) -> int | None:
    """``max_response_bytes`` bounds JSON answers; file contents (binary answers) are exempt."""
    return None if spec.expect_binary else config.max_response_bytes


class _SenderBase:
    def __init__(self, config: ClientConfig, policy: RetryPolicy, limiter: RateLimiter | None = None) -> None:
        self.config = config
        self.policy = policy
        self.limiter = limiter

    def pacing(self, spec: RequestSpec, request: httpx.Request, deadline: Deadline) -> CallPacing:
        """The call's rate-limit pacing (its token estimate is read from the first attempt's body); its waits end
        with ``rate_limit_wait`` or with the call's deadline, whichever comes first."""
        limiter = self.limiter
        tokens = 0
        if limiter is not None:
            tokens = spec.tokens if spec.tokens is not None else request_tokens(request)
        return CallPacing(limiter, self.config.rate_limit_wait, spec.path, tokens, deadline=deadline, request=request)


class SyncSender(_SenderBase):
    """Runs operations on an ``httpx.Client`` (the caller's, or one we own, built on first use, and close)."""

    sleep: Callable[[float], Any] = staticmethod(time.sleep)

    def __init__(
        self,
        config: ClientConfig,
        policy: RetryPolicy,
        http_client: httpx.Client | None,
        limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(config, policy, limiter)
        self._owns_http = http_client is None
        self._http = http_client
        self._build_lock = threading.Lock()
        limit = config.max_concurrent_requests
        self._slots = threading.BoundedSemaphore(limit) if limit else None

    @property
    def http(self) -> httpx.Client:
        http = self._http
        if http is None:
            with self._build_lock:  # threads racing on first use must not each build (and leak) a pool
                http = self._http
                if http is None:
                    http = self._http = httpx.Client(
                        timeout=self.config.timeout, limits=_DEFAULT_LIMITS, verify=shared_ssl_context()
                    )
        return http

    def slot(self, deadline: Deadline, request: httpx.Request) -> AbstractContextManager[Any]:
        """Held while a request is in flight: at most ``max_concurrent_requests`` at once (threads included),
        waited for no longer than ``deadline`` allows."""
        return _UNLIMITED if self._slots is None else _Slot(self._slots, deadline, request)

    def close(self) -> None:
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None

    def request(self, op: Operation[T]) -> T:
        deadline = Deadline(self.config.call_deadline)
        limit = _answer_limit(self.config, op.spec)
        retries = 0
        pacing: CallPacing | None = None
        while True:
            request = build_request(self.config, op.spec)
            pacing = pacing or self.pacing(op.spec, request, deadline)
            for delay in pacing.admission():
                self.sleep(delay)
            started = time.perf_counter()
            try:
                deadline.bound(request)
                with self.slot(deadline, request):
                    response = self.http.send(request, stream=True, follow_redirects=False)
                    try:
                        body = _read_answer(response, BodyReader(limit, deadline, request, _encoding(response)))
                    finally:
                        response.close()
                _log_response(request, response, started)
                decoded = _decode(op.spec.expect_binary, response, body)
                pacing.answered(decoded.headers, response.status_code)
                return op.parse(decoded)
            except (httpx.HTTPError, APIStatusError) as exc:
                error = _as_error(exc, request)
                rate_limited = pacing.failed(error)
            finally:
                pacing.release()
            if not rate_limited:
                self.sleep(_next_delay(self.policy, error, request, retries, op.spec.creates, deadline))
                retries += 1

    def stream(self, op: StreamingOperation[T], on_headers: Callable[[ResponseHeaders], None]) -> Iterator[list[T]]:
        """Yields the items of each network read together (never an empty list)."""
        config = self.config
        deadline = Deadline(config.stream_deadline)
        retries = 0
        pacing: CallPacing | None = None
        while True:
            request = build_request(config, op.spec)
            pacing = pacing or self.pacing(op.spec, request, deadline)
            for delay in pacing.admission():
                self.sleep(delay)
            state = StreamState(op.decoding, config.max_response_bytes)
            started = time.perf_counter()
            try:
                deadline.bound(request)
                with self.slot(deadline, request):  # held until the stream ends or is closed
                    response = self.http.send(request, stream=True, follow_redirects=False)
                    try:
                        _log_response(request, response, started)
                        if _is_json_answer(response):
                            reader = BodyReader(config.max_response_bytes, deadline, request, _encoding(response))
                            decoded = _decode(False, response, _read_answer(response, reader))
                            pacing.answered(decoded.headers, response.status_code)
                            on_headers(decoded.headers)
                            items = list(op.decoding.from_json(decoded))
                            if items:
                                yield items
                            return
                        pacing.answered(ResponseHeaders(response.headers), response.status_code)
                        on_headers(ResponseHeaders(response.headers))
                        reads = response.iter_text()
                        for text in reads:
                            batch = state.feed_text(text)
                            if batch:
                                yield batch
                            if state.finished:
                                state.raise_failure()  # an error event, raised after what came before it
                                _discard_rest(reads, deadline)
                                return
                            deadline.check(request)
                        last = state.end()
                        if last is not None:
                            yield [last]
                        return
                    finally:
                        response.close()
            except (httpx.HTTPError, MistralLCAError) as exc:
                error = _as_error(exc, request)
                rate_limited = not state.delivered and pacing.failed(error)
            finally:
                pacing.release()
            if state.delivered:
                raise _after_delivery(error, state.delivered)
            if not rate_limited:
                self.sleep(_next_delay(self.policy, error, request, retries, op.spec.creates, deadline))
                retries += 1

    def download_to(self, spec: RequestSpec, path: str | os.PathLike[str]) -> Path:
        """Stream a binary answer to ``path`` (written whole or not at all), retrying like any request."""
        target = Path(path)
        part = part_path(target)
        deadline = Deadline(self.config.stream_deadline)
        retries = 0
        pacing: CallPacing | None = None
        while True:
            request = build_request(self.config, spec)
            pacing = pacing or self.pacing(spec, request, deadline)
            for delay in pacing.admission():
                self.sleep(delay)
            started = time.perf_counter()
            try:
                deadline.bound(request)
                with self.slot(deadline, request):
                    response = self.http.send(request, stream=True, follow_redirects=False)
                    try:
                        _log_response(request, response, started)
                        content_type = response.headers.get("content-type")
                        if _is_json_answer(response):
                            body = response.read()
                            check_status(response, body)
                            write_all(part, [unwrap_file_content(body, content_type)])
                        else:
                            write_all(part, _within(deadline, request, response.iter_bytes()))
                    finally:
                        response.close()
                os.replace(part, target)
                return target
            except (httpx.HTTPError, APIStatusError) as exc:
                error = _as_error(exc, request)
                rate_limited = pacing.failed(error)
            finally:
                part.unlink(missing_ok=True)
                pacing.release()
            if not rate_limited:
                self.sleep(_next_delay(self.policy, error, request, retries, spec.creates, deadline))
                retries += 1


class AsyncSender(_SenderBase):
    """Runs operations on an ``httpx.AsyncClient`` (the caller's, or one we own, built on first use)."""

    sleep: Callable[[float], Any] = staticmethod(asyncio.sleep)

    def __init__(
        self,
        config: ClientConfig,
        policy: RetryPolicy,
        http_client: httpx.AsyncClient | None,
        limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(config, policy, limiter)
        self._owns_http = http_client is None
        self._http = http_client
        self._http_loop: asyncio.AbstractEventLoop | None = None
        self._limit = config.max_concurrent_requests
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def http(self) -> httpx.AsyncClient:
        http = self._http
        if self._owns_http:
            loop = asyncio.get_running_loop()
            if http is None or loop is not self._http_loop:
                # Pooled connections belong to the loop that opened them: under a new event loop (asyncio.run
                # twice, a loop per test) our own pool is replaced instead of failing with "Event loop is closed".
                http = self._http = httpx.AsyncClient(
                    timeout=self.config.timeout, limits=_DEFAULT_LIMITS, verify=shared_ssl_context()
                )
                self._http_loop = loop
        assert http is not None
        return http

    def slot(self, deadline: Deadline, request: httpx.Request) -> AbstractAsyncContextManager[Any]:
        """Held while a request is in flight: at most ``max_concurrent_requests`` at once per event loop,
        waited for no longer than ``deadline`` allows."""
        if self._limit is None:
            return _UNLIMITED
        loop = asyncio.get_running_loop()
        semaphore = self._slots.get(loop)
        if semaphore is None:
            semaphore = self._slots[loop] = asyncio.Semaphore(self._limit)
        return _AsyncSlot(semaphore, deadline, request)

    async def close(self) -> None:
        if self._owns_http and self._http is not None:
            http, self._http = self._http, None
            if self._http_loop is asyncio.get_running_loop():
                await http.aclose()
            # else: its connections belong to another (usually closed) loop and are released with it

    async def request(self, op: Operation[T]) -> T:
        deadline = Deadline(self.config.call_deadline)
        limit = _answer_limit(self.config, op.spec)
        retries = 0
        pacing: CallPacing | None = None
        while True:
            request = build_request(self.config, op.spec)
            pacing = pacing or self.pacing(op.spec, request, deadline)
            for delay in pacing.admission():
                await self.sleep(delay)
            started = time.perf_counter()
            try:
                deadline.bound(request)
                async with self.slot(deadline, request):
                    response = await self.http.send(request, stream=True, follow_redirects=False)
                    try:
                        reader = BodyReader(limit, deadline, request, _encoding(response))
                        body = await _aread_answer(response, reader)
                    finally:
                        await response.aclose()
                _log_response(request, response, started)
                decoded = _decode(op.spec.expect_binary, response, body)
                pacing.answered(decoded.headers, response.status_code)
                return op.parse(decoded)
            except (httpx.HTTPError, APIStatusError) as exc:
                error = _as_error(exc, request)
                rate_limited = pacing.failed(error)
            finally:
                pacing.release()
            if not rate_limited:
                await self.sleep(_next_delay(self.policy, error, request, retries, op.spec.creates, deadline))
                retries += 1

    async def stream(
        self, op: StreamingOperation[T], on_headers: Callable[[ResponseHeaders], None]
    ) -> AsyncIterator[list[T]]:
        """Yields the items of each network read together (never an empty list)."""
        config = self.config
        deadline = Deadline(config.stream_deadline)
        retries = 0
        pacing: CallPacing | None = None
        while True:
            request = build_request(config, op.spec)
            pacing = pacing or self.pacing(op.spec, request, deadline)
            for delay in pacing.admission():
                await self.sleep(delay)
            state = StreamState(op.decoding, config.max_response_bytes)
            started = time.perf_counter()
            try:
                deadline.bound(request)
                async with self.slot(deadline, request):  # held until the stream ends or is closed
                    response = await self.http.send(request, stream=True, follow_redirects=False)
                    try:
                        _log_response(request, response, started)
                        if _is_json_answer(response):
                            reader = BodyReader(config.max_response_bytes, deadline, request, _encoding(response))
                            decoded = _decode(False, response, await _aread_answer(response, reader))
                            pacing.answered(decoded.headers, response.status_code)
                            on_headers(decoded.headers)
                            items = list(op.decoding.from_json(decoded))
                            if items:
                                yield items
                            return
                        pacing.answered(ResponseHeaders(response.headers), response.status_code)
                        on_headers(ResponseHeaders(response.headers))
                        reads = response.aiter_text()
                        async for text in reads:
                            batch = state.feed_text(text)
                            if batch:
                                yield batch
                            if state.finished:
                                state.raise_failure()  # an error event, raised after what came before it
                                await _adiscard_rest(reads, deadline)
                                return
                            deadline.check(request)
                        last = state.end()
                        if last is not None:
                            yield [last]
                        return
                    finally:
                        await response.aclose()
            except (httpx.HTTPError, MistralLCAError) as exc:
                error = _as_error(exc, request)
                rate_limited = not state.delivered and pacing.failed(error)
            finally:
                pacing.release()
            if state.delivered:
                raise _after_delivery(error, state.delivered)
            if not rate_limited:
                await self.sleep(_next_delay(self.policy, error, request, retries, op.spec.creates, deadline))
                retries += 1

    async def download_to(self, spec: RequestSpec, path: str | os.PathLike[str]) -> Path:
        """Stream a binary answer to ``path`` (written whole or not at all), retrying like any request."""
        target = Path(path)
        part = part_path(target)
        deadline = Deadline(self.config.stream_deadline)
        retries = 0
        pacing: CallPacing | None = None
        while True:
            request = build_request(self.config, spec)
            pacing = pacing or self.pacing(spec, request, deadline)
            for delay in pacing.admission():
                await self.sleep(delay)
            started = time.perf_counter()
            try:
                deadline.bound(request)
                async with self.slot(deadline, request):
                    response = await self.http.send(request, stream=True, follow_redirects=False)
                    try:
                        _log_response(request, response, started)
                        content_type = response.headers.get("content-type")
                        if _is_json_answer(response):
                            body = await response.aread()
                            check_status(response, body)
                            write_all(part, [unwrap_file_content(body, content_type)])
                        else:
                            with part.open("wb") as out:
                                async for chunk in response.aiter_bytes():
                                    out.write(chunk)
                                    deadline.check(request)
                    finally:
                        await response.aclose()
                os.replace(part, target)
                return target
            except (httpx.HTTPError, APIStatusError) as exc:
                error = _as_error(exc, request)
                rate_limited = pacing.failed(error)
            finally:
                part.unlink(missing_ok=True)
                pacing.release()
            if not rate_limited:
                await self.sleep(_next_delay(self.policy, error, request, retries, spec.creates, deadline))
                retries += 1
