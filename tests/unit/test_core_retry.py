"""Retry decisions and delays (pure), and their effect through both clients."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from core_support import call, chat_result, envelope, error_envelope

from mistral_lca import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StreamError,
)
from mistral_lca._headers import ResponseHeaders, parse_retry_after

MESSAGES = [{"role": "user", "content": "hi"}]


def status_error(cls: type, status: int, headers: dict[str, str] | None = None) -> Any:
    return cls("x", status_code=status, headers=ResponseHeaders(headers or {}))


def test_backoff_is_full_jitter_under_an_exponential_cap() -> None:
    policy = RetryPolicy(max_retries=10, initial_delay=0.5, max_delay=4.0, rng=random.Random(7))
    for retry in range(8):
        ceiling = min(4.0, 0.5 * 2**retry)
        samples = [policy.backoff(retry) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8  # really spread over the range


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    policy = RetryPolicy(max_retries=2)
    assert policy.delay_before_retry(status_error(ServerError, status), retries_done=0, creates=False) is not None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    assert (
        RetryPolicy().delay_before_retry(status_error(BadRequestError, status), retries_done=0, creates=False) is None
    )


def test_max_retries_counts_retries_not_attempts() -> None:
    policy = RetryPolicy(max_retries=2)
    err = status_error(ServerError, 503)
    assert policy.delay_before_retry(err, retries_done=1, creates=False) is not None
    assert policy.delay_before_retry(err, retries_done=2, creates=False) is None


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(max_retries=3, max_retry_after=30)
    assert (
        policy.delay_before_retry(
            status_error(RateLimitError, 429, {"retry-after": "12"}), retries_done=0, creates=False
        )
        == 12
    )
    # Longer than we are willing to wait: surface the error instead of sleeping short and failing again.
    assert (
        policy.delay_before_retry(
            status_error(RateLimitError, 429, {"retry-after": "90"}), retries_done=0, creates=False
        )
        is None
    )
    assert (
        policy.delay_before_retry(
            status_error(RateLimitError, 429, {"retry-after-ms": "250"}), retries_done=0, creates=False
        )
        == 0.25
    )


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") == 0.0


def test_creating_calls_retry_only_when_surely_not_applied() -> None:
    policy = RetryPolicy(max_retries=3)
    assert (
        policy.delay_before_retry(APIConnectionError("refused", reached_server=False), retries_done=0, creates=True)
        is not None
    )
    assert (
        policy.delay_before_retry(APIConnectionError("reset", reached_server=True), retries_done=0, creates=True)
        is None
    )
    assert policy.delay_before_retry(APITimeoutError("read", reached_server=True), retries_done=0, creates=True) is None
    assert policy.delay_before_retry(status_error(RateLimitError, 429), retries_done=0, creates=True) is not None
    assert policy.delay_before_retry(status_error(ServerError, 503), retries_done=0, creates=True) is None
    assert policy.delay_before_retry(StreamError("cut"), retries_done=0, creates=True) is None
    assert policy.delay_before_retry(StreamError("cut"), retries_done=0, creates=False) is not None


async def test_retries_recover_through_client(make_client: Any, caplog: pytest.LogCaptureFixture) -> None:
    responses = [
        httpx.Response(503, json=error_envelope({"message": "busy"})),
        httpx.Response(429, json=error_envelope({"message": "slow"}, headers={"Retry-After": "2"})),
        httpx.Response(200, json=envelope(chat_result())),
    ]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses[len(seen) - 1]

    client = make_client(handler, max_retries=2)
    caplog.set_level("INFO", logger="mistral_lca")
    reply = await call(client, "chat.complete", model="m", messages=MESSAGES)
    assert reply.choices[0].message.content == "Hello!"
    assert len(seen) == 3
    assert client.sleeps[1] == 2.0  # Retry-After from the envelope's headers
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Retrying POST /mistralai/v1/chat/completions" in m for m in messages) == 1  # the 503
    assert sum("Rate limited (429)" in m for m in messages) == 1  # waited out by the rate limiter, not a retry


async def test_exhausted_retries_raise_last_typed_error(make_client: Any) -> None:
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        return httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"})

    client = make_client(handler, max_retries=3)
    with pytest.raises(ServerError, match="502"):
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    assert len(attempts) == 4


async def test_non_retryable_error_surfaces_on_first_attempt(make_client: Any) -> None:
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        return httpx.Response(400, json=error_envelope({"object": "error", "message": "bad", "type": "x"}))

    with pytest.raises(BadRequestError):
        await call(make_client(handler), "chat.complete", model="m", messages=MESSAGES)
    assert len(attempts) == 1


async def test_connection_errors_are_typed_and_retried(make_client: Any) -> None:
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if len(attempts) == 2:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, json=envelope(chat_result()))

    client = make_client(handler)
    assert (await call(client, "chat.complete", model="m", messages=MESSAGES)).id == "cmpl-1"
    assert len(attempts) == 3

    def always_timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(APITimeoutError, match="ReadTimeout"):
        await call(make_client(always_timeout, max_retries=0), "chat.complete", model="m", messages=MESSAGES)
