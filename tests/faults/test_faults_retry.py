"""Retries under injected faults, sync and async: recovery within ``max_retries``, attempt counts, backoff bounds,
``Retry-After`` wherever LowCodeAPI puts it, and typed errors on the first attempt for what must not be retried."""

from __future__ import annotations

import random
from typing import Any

import pytest
from faults_support import CHAT, MODEL, backoff_ceiling, call, drain, fast_policy, text_of, user

from mistral_lca import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MistralLCAError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    StreamError,
    UnprocessableEntityError,
)
from mistral_lca.testing import FakeLowCodeAPI, Fault

SHORT_TIMEOUT = 0.3
STALL = 1.0

# (id, fault factory) — each answers one attempt badly; the next attempt is served normally.
RETRYABLE: list[tuple[str, Any]] = [
    ("408", lambda n: Fault("status", path=CHAT, status=408, times=n)),
    ("429-no-retry-after", lambda n: Fault("status", path=CHAT, status=429, times=n)),
    ("500", lambda n: Fault("status", path=CHAT, status=500, times=n)),
    ("502", lambda n: Fault("status", path=CHAT, status=502, times=n)),
    ("503", lambda n: Fault("status", path=CHAT, status=503, times=n)),
    ("504", lambda n: Fault("status", path=CHAT, status=504, times=n)),
    ("html-502", lambda n: Fault("html", path=CHAT, times=n)),
    ("html-503", lambda n: Fault("html", path=CHAT, status=503, times=n)),
    ("reset", lambda n: Fault("reset", path=CHAT, times=n)),
    ("stall", lambda n: Fault("stall", path=CHAT, seconds=STALL, times=n)),
]
STREAM_ONLY: list[tuple[str, Any]] = [
    ("cut-before-first-event", lambda n: Fault("cut_stream", path=CHAT, events=0, times=n)),
    ("cut-before-first-event-graceful", lambda n: Fault("cut_stream", path=CHAT, events=0, graceful=True, times=n)),
    ("malformed-first-event", lambda n: Fault("malformed_sse", path=CHAT, events=0, times=n)),
]


def _client(client_factory: Any, retries: int = 2, **kwargs: Any) -> Any:
    return client_factory(policy=fast_policy(retries), timeout=SHORT_TIMEOUT, **kwargs)


async def _complete(client: Any, text: str = "ping") -> Any:
    return await call(lambda: client.chat.complete(model=MODEL, messages=user(text)))


def _assert_backoff(sleeps: list[float], client: Any) -> None:
    policy = client.retry_policy
    for retry, delay in enumerate(sleeps):
        assert 0.0 <= delay <= backoff_ceiling(retry, policy), (retry, delay)


def _assert_cool_down(sleeps: list[float]) -> None:
    """A 429 that neither Retry-After nor a learned window explains pauses the key for 0.5 s, doubling per 429 in
    a row, with jitter down to half: the rate limiter's wait, not the retry policy's backoff."""
    for n, delay in enumerate(sleeps):
        assert 0.25 * 2**n <= delay <= 0.5 * 2**n, (n, delay)


# ---------------------------------------------------------------------------------------------- recovery


@pytest.mark.parametrize(("name", "fault"), RETRYABLE, ids=[name for name, _ in RETRYABLE])
async def test_every_retryable_fault_within_max_retries_recovers(
    fake: FakeLowCodeAPI, client_factory: Any, name: str, fault: Any
) -> None:
    client = _client(client_factory, retries=2)
    fake.faults.add(fault(2))
    reply = await _complete(client, "recover please")
    assert reply.choices[0].message.content == "Echo: recover please"
    assert fake.count(CHAT) == 3  # two faulty attempts, one good
    assert len(client.sleeps) == 2
    if name.startswith("429"):
        _assert_cool_down(client.sleeps)
    else:
        _assert_backoff(client.sleeps, client)
    assert not fake.faults.pending


@pytest.mark.parametrize(("name", "fault"), RETRYABLE + STREAM_ONLY, ids=[n for n, _ in RETRYABLE + STREAM_ONLY])
async def test_streams_recover_from_faults_before_the_first_event(
    fake: FakeLowCodeAPI, client_factory: Any, name: str, fault: Any
) -> None:
    client = _client(client_factory, retries=2)
    clean, error = await drain(client.chat.stream(model=MODEL, messages=user("one two three four five")))
    assert error is None
    fake.reset()
    fake.faults.add(fault(2))
    events, error = await drain(client.chat.stream(model=MODEL, messages=user("one two three four five")))
    assert error is None
    assert text_of(events) == text_of(clean) == "Echo: one two three four five"
    assert len(events) == len(clean)  # nothing delivered twice
    assert fake.count(CHAT) == 3
    assert len(client.sleeps) == 2


# ---------------------------------------------------------------------------------------------- exhaustion

EXHAUSTED: list[tuple[str, Any, type[MistralLCAError]]] = [
    ("503", Fault("status", path=CHAT, status=503, times=None), ServerError),
    ("html", Fault("html", path=CHAT, times=None), ServerError),
    ("reset", Fault("reset", path=CHAT, times=None), APIConnectionError),
    ("stall", Fault("stall", path=CHAT, seconds=STALL, times=None), APITimeoutError),
]


@pytest.mark.parametrize(("name", "fault", "error"), EXHAUSTED, ids=[n for n, _, _ in EXHAUSTED])
@pytest.mark.parametrize("retries", [0, 2])
async def test_attempts_are_max_retries_plus_one_then_the_typed_error(
    fake: FakeLowCodeAPI, client_factory: Any, name: str, fault: Fault, error: type[Exception], retries: int
) -> None:
    if name == "stall" and retries == 2:
        retries = 1  # each stalled attempt costs the whole read timeout
    client = _client(client_factory, retries=retries)
    fake.faults.add(fault)
    with pytest.raises(error) as caught:
        await _complete(client)
    assert fake.count(CHAT) == retries + 1
    assert len(client.sleeps) == retries
    _assert_backoff(client.sleeps, client)
    if isinstance(caught.value, APIStatusError):
        assert caught.value.status_code in (502, 503)


# ---------------------------------------------------------------------------------------------- 429s


@pytest.mark.parametrize("retries", [0, 2])
async def test_429s_are_waited_out_without_using_max_retries_until_rate_limit_wait_runs_out(
    fake: FakeLowCodeAPI, client_factory: Any, retries: int
) -> None:
    client = _client(client_factory, retries=retries, rate_limit_wait=5)
    fake.faults.add(Fault("status", path=CHAT, status=429, times=None))
    with pytest.raises(RateLimitError) as caught:
        await _complete(client)
    assert caught.value.status_code == 429
    assert fake.count(CHAT) == len(client.sleeps) + 1  # whatever max_retries says
    assert len(client.sleeps) in (3, 4)  # 0.25-0.5, 0.5-1, 1-2 (and 2-4) s, until the next would pass 5 s
    _assert_cool_down(client.sleeps)
    assert sum(client.sleeps) <= 5


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
async def test_rate_limit_wait_zero_fails_fast_on_the_first_429(
    fake: FakeLowCodeAPI, client_factory: Any, stream: bool
) -> None:
    client = _client(client_factory, retries=3, rate_limit_wait=0)
    fake.faults.add(Fault("status", path=CHAT, status=429, retry_after=0.25, times=None))
    if stream:
        events, error = await drain(client.chat.stream(model=MODEL, messages=user("x")))
        assert events == []
    else:
        with pytest.raises(RateLimitError) as caught:
            await _complete(client)
        error = caught.value
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 0.25
    assert fake.count(CHAT) == 1
    assert client.sleeps == []


async def test_a_stream_that_keeps_breaking_before_its_first_event_gives_up_typed(
    fake: FakeLowCodeAPI, client_factory: Any
) -> None:
    client = _client(client_factory, retries=2)
    fake.faults.add(Fault("cut_stream", path=CHAT, events=0, times=None))
    events, error = await drain(client.chat.stream(model=MODEL, messages=user("x")))
    assert events == []
    assert isinstance(error, (StreamError, APIConnectionError))  # cut mid-body: the transport saw it first
    assert fake.count(CHAT) == 3


@pytest.mark.parametrize("seed", [1, 7, 42])
async def test_backoff_delays_are_exactly_the_configured_full_jitter(
    fake: FakeLowCodeAPI, client_factory: Any, seed: int
) -> None:
    policy = fast_policy(5, seed=seed, initial_delay=0.01, max_delay=0.05)
    client = client_factory(policy=policy)
    fake.faults.add(Fault("status", path=CHAT, status=503, times=None))
    with pytest.raises(ServerError):
        await _complete(client)
    replay = random.Random(seed)
    expected = [replay.uniform(0.0, backoff_ceiling(i, policy)) for i in range(5)]
    assert client.sleeps == pytest.approx(expected)
    assert all(0.0 <= d <= 0.05 for d in client.sleeps)
    assert fake.count(CHAT) == 6


# ---------------------------------------------------------------------------------------------- Retry-After


@pytest.mark.parametrize("where", ["envelope", "http", "both"])
@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
async def test_retry_after_is_honoured_wherever_it_is_sent(
    fake: FakeLowCodeAPI, client_factory: Any, where: str, stream: bool
) -> None:
    client = _client(client_factory, retries=3)
    fake.faults.add(Fault("status", path=CHAT, status=429, retry_after=0.25, retry_after_in=where, times=2))
    if stream:
        events, error = await drain(client.chat.stream(model=MODEL, messages=user("later")))
        assert error is None
        assert text_of(events) == "Echo: later"
    else:
        assert (await _complete(client, "later")).choices[0].message.content == "Echo: later"
    assert client.sleeps == [0.25, 0.25]  # the advice, not the (much shorter) backoff
    assert fake.count(CHAT) == 3


async def test_retry_after_as_an_http_date_is_honoured(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = _client(client_factory, retries=1)
    fake.faults.add(
        Fault("status", path=CHAT, status=503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT", retry_after_in="http")
    )
    await _complete(client)
    assert client.sleeps == [0.0]  # a date in the past: retry at once


async def test_retry_after_longer_than_we_wait_surfaces_at_once(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = _client(client_factory, retries=3)
    fake.faults.add(Fault("status", path=CHAT, status=429, retry_after=3600, retry_after_in="envelope"))
    with pytest.raises(RateLimitError) as caught:
        await _complete(client)
    assert caught.value.retry_after == 3600
    assert caught.value.status_code == 429
    assert fake.count(CHAT) == 1
    assert client.sleeps == []


# ---------------------------------------------------------------------------------------------- not retried

NOT_RETRIED: list[tuple[str, Fault, type[MistralLCAError]]] = [
    ("400", Fault("status", path=CHAT, status=400), BadRequestError),
    ("401", Fault("status", path=CHAT, status=401), AuthenticationError),
    ("403", Fault("status", path=CHAT, status=403), PermissionDeniedError),
    ("404", Fault("status", path=CHAT, status=404), NotFoundError),
    ("409", Fault("status", path=CHAT, status=409), ConflictError),
    ("422", Fault("status", path=CHAT, status=422), UnprocessableEntityError),
    ("echo-token-401", Fault("echo_token", path=CHAT), AuthenticationError),
    ("echo-token-403", Fault("echo_token", path=CHAT, status=403), PermissionDeniedError),
    ("malformed-json", Fault("malformed_json", path=CHAT), ResponseDecodeError),
    ("html-404", Fault("html", path=CHAT, status=404), NotFoundError),
]


@pytest.mark.parametrize(("name", "fault", "error"), NOT_RETRIED, ids=[n for n, _, _ in NOT_RETRIED])
async def test_non_retryable_errors_surface_on_the_first_attempt_typed(
    fake: FakeLowCodeAPI, client_factory: Any, name: str, fault: Fault, error: type[Exception]
) -> None:
    client = _client(client_factory, retries=3)
    fake.faults.add(fault)
    with pytest.raises(error) as caught:
        await _complete(client)
    assert type(caught.value) is error
    assert fake.count(CHAT) == 1
    assert client.sleeps == []
    if isinstance(caught.value, UnprocessableEntityError):
        assert caught.value.details and caught.value.details[0].field == "model"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault("json_for_stream", path=CHAT, status=400), BadRequestError),
        (Fault("echo_token", path=CHAT), AuthenticationError),
        (Fault("status", path=CHAT, status=422), UnprocessableEntityError),
    ],
    ids=["json-error-400", "echo-token", "422"],
)
async def test_streams_surface_non_retryable_errors_on_the_first_attempt(
    fake: FakeLowCodeAPI, client_factory: Any, fault: Fault, error: type[Exception]
) -> None:
    client = _client(client_factory, retries=3)
    fake.faults.add(fault)
    events, raised = await drain(client.chat.stream(model=MODEL, messages=user("x")))
    assert events == []
    assert type(raised) is error
    assert fake.count(CHAT) == 1
    assert client.sleeps == []


async def test_a_stream_answered_with_json_yields_the_whole_reply_once(
    fake: FakeLowCodeAPI, client_factory: Any
) -> None:
    client = _client(client_factory)
    fake.faults.add(Fault("json_for_stream", path=CHAT))
    events, error = await drain(client.chat.stream(model=MODEL, messages=user("buffered by the proxy")))
    assert error is None
    assert len(events) == 1
    assert text_of(events) == "Echo: buffered by the proxy"
    assert events[0].data.choices[0].finish_reason == "stop"
    assert fake.count(CHAT) == 1


async def test_other_endpoints_share_the_retry_loop(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = _client(client_factory, retries=2)
    fake.faults.add(
        Fault("status", path="/v1/embeddings", status=503),
        Fault("reset", path="/v1/models"),
        Fault("status", path="/v1/fim/completions", status=429, retry_after=0.1, retry_after_in="envelope"),
    )
    vectors = (await call(lambda: client.embeddings.create(model="mistral-embed", inputs=["a", "b"]))).vectors()
    assert len(vectors) == 2
    assert (await call(client.models.list)).data
    fim = await call(lambda: client.fim.complete(model="codestral-latest", prompt="def f(", suffix="return 1"))
    assert fim.choices
    assert fake.count("/v1/embeddings") == 2
    assert fake.count("/v1/models") == 2
    assert fake.count("/v1/fim/completions") == 2
    assert client.sleeps[2] == 0.1
