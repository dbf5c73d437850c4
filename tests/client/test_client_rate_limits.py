"""The client against a rate-limited stand-in (small, fast limits): it paces itself instead of failing.

Timing targets are checked by the benchmarks; here: every call succeeds, 429s stay rare, ``rate_limit_wait=0`` fails
fast, an exhausted quota fails at once, limits are shared by every client of a token, and nothing logs the token.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from mistral_lca import (
    AsyncMistralLCAClient,
    ConfigurationError,
    MistralLCAClient,
    QuotaExceededError,
    RateLimiter,
    RateLimitError,
)
from mistral_lca.testing import FakeLowCodeAPI

TOKEN = "at_SECRET_rate_limited_0123"
CHAT = "/v1/chat/completions"
EMBEDDINGS = "/v1/embeddings"
MODEL = "mistral-small-latest"
MESSAGES = [{"role": "user", "content": "hello"}]


@pytest.fixture
def limited(rate_limited_stand_in: Any) -> Any:
    return lambda **limits: rate_limited_stand_in(required_token=TOKEN, **limits)


def _sync_client(fake: FakeLowCodeAPI, **kwargs: Any) -> MistralLCAClient:
    return MistralLCAClient(api_token=TOKEN, base_url=fake.base_url, **kwargs)


def _async_client(fake: FakeLowCodeAPI, **kwargs: Any) -> AsyncMistralLCAClient:
    return AsyncMistralLCAClient(api_token=TOKEN, base_url=fake.base_url, **kwargs)


def _texts(n: int) -> list[list[str]]:
    return [[f"chunk {i} " + "lorem ipsum dolor sit amet " * 20] for i in range(n)]


def test_threads_at_the_limit_all_succeed_with_few_429s(limited: Any) -> None:
    fake = limited(requests_per_second=50)
    with _sync_client(fake) as client, ThreadPoolExecutor(16) as pool:
        replies = list(
            pool.map(lambda inputs: client.embeddings.create(model="mistral-embed", inputs=inputs), _texts(80))
        )
    assert len(replies) == 80 and all(len(r.vectors()) == 1 for r in replies)
    assert fake.count(EMBEDDINGS) - fake.stats.rate_limited == 80
    assert fake.stats.rate_limited <= 8  # under 10% of the requests
    assert client.rate_limiter.totals().waits > 0  # it did pace


async def test_tasks_at_the_limit_all_succeed_with_few_429s(limited: Any) -> None:
    fake = limited(requests_per_second=50, tokens_per_minute=200_000)
    async with _async_client(fake) as client:
        replies = await asyncio.gather(
            *(client.embeddings.create(model="mistral-embed", inputs=inputs) for inputs in _texts(80))
        )
    assert len(replies) == 80
    assert fake.stats.rate_limited <= 8
    state = client.rate_limiter.snapshot()
    assert {"requests/1s", "tokens/60s"} <= set(state.windows)
    assert 0.5 < state.cost_ratio[EMBEDDINGS] < 1.0  # the estimate, calibrated to what the stand-in charged


async def test_a_429_without_headers_is_waited_out_not_failed_streams_included(limited: Any) -> None:
    fake = limited(requests_per_second=1, headers=())  # nothing to learn from: only the 429 itself
    async with _async_client(fake) as client:
        await client.chat.complete(model=MODEL, messages=MESSAGES)
        events = [event async for event in client.chat.stream(model=MODEL, messages=MESSAGES)]
    assert events and events[-1].data.choices[0].finish_reason == "stop"
    assert fake.stats.rate_limited >= 1  # the stream's first attempt was refused, then waited out
    assert client.rate_limiter.totals().rate_limited == fake.stats.rate_limited


def test_rate_limit_wait_zero_fails_fast_without_sending_what_would_be_refused(limited: Any) -> None:
    fake = limited(requests_per_second=1)
    with _sync_client(fake, rate_limit_wait=0) as client:
        client.chat.complete(model=MODEL, messages=MESSAGES)
        with pytest.raises(RateLimitError) as caught:
            client.chat.complete(model=MODEL, messages=MESSAGES)
    assert "Nothing was sent" in caught.value.message and "rate_limit_wait" in caught.value.message
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 1.1
    assert fake.count(CHAT) == 1


def test_rate_limit_wait_zero_raises_the_servers_429_when_nothing_was_learned(limited: Any) -> None:
    fake = limited(requests_per_second=1, headers=())
    with _sync_client(fake, rate_limit_wait=0, max_retries=5) as client:
        client.chat.complete(model=MODEL, messages=MESSAGES)
        with pytest.raises(RateLimitError) as caught:
            client.chat.complete(model=MODEL, messages=MESSAGES)
    assert caught.value.code == "1300" and caught.value.error_type == "rate_limited"
    assert fake.count(CHAT) == 2  # one refusal, no retry


async def test_an_exhausted_monthly_quota_fails_at_once_and_then_without_sending(limited: Any) -> None:
    fake = limited(tokens_per_month=1_000, month_tokens_used=1_000)
    async with _async_client(fake) as client:
        with pytest.raises(QuotaExceededError) as first:
            await client.chat.complete(model=MODEL, messages=MESSAGES)
        with pytest.raises(QuotaExceededError) as second:
            await client.embeddings.create(model="mistral-embed", inputs=["x"])
    assert "monthly tokens quota of 1,000 is used up" in first.value.message
    assert first.value.status_code == 429 and first.value.code == "1300"
    assert "used up" in second.value.message
    assert fake.count() == 1  # the second never left the process
    assert client.rate_limiter.totals().waits == 0


def test_sync_and_async_clients_of_a_token_share_one_budget(limited: Any) -> None:
    fake = limited(requests_per_second=4)
    sync = _sync_client(fake)
    aclient = _async_client(fake)
    assert sync.rate_limiter is aclient.rate_limiter

    async def async_calls() -> None:
        for _ in range(4):
            await aclient.chat.complete(model=MODEL, messages=MESSAGES)
        await aclient.close()

    with sync, ThreadPoolExecutor(1) as pool:
        other = pool.submit(asyncio.run, async_calls())
        for _ in range(4):
            sync.chat.complete(model=MODEL, messages=MESSAGES)
        other.result()
    assert fake.count(CHAT) - fake.stats.rate_limited == 8
    assert fake.stats.rate_limited <= 1


def test_a_requests_per_second_cap_holds_even_when_the_server_says_nothing(limited: Any) -> None:
    fake = limited(requests_per_second=1000, headers=())
    limiter = RateLimiter()
    with _sync_client(fake, rate_limiter=limiter, requests_per_second=20) as client:
        for _ in range(5):
            client.models.list()
    times = [r.time for r in fake.requests]
    assert all(b - a >= 0.045 for a, b in itertools.pairwise(times))  # 1/20 s apart (+- clock jitter)
    assert limiter.totals().waits >= 4


def test_429s_and_pacing_are_logged_without_the_token(limited: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mistral_lca")
    fake = limited(requests_per_second=2, headers=())
    with _sync_client(fake) as client:
        for _ in range(3):
            client.chat.complete(model=MODEL, messages=MESSAGES)
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    debugs = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("Rate limited (429) on /v1/chat/completions" in m for m in infos)
    assert any(m.startswith("Rate limit: waiting") for m in debugs)
    assert TOKEN not in caplog.text and "SECRET" not in caplog.text


@pytest.mark.parametrize(
    ("option", "value"),
    [("rate_limit_wait", -1), ("rate_limit_wait", "600"), ("requests_per_second", 0), ("tokens_per_minute", -5)],
)
def test_bad_rate_limit_options_fail_before_any_request(option: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=option):
        MistralLCAClient(api_token=TOKEN, **{option: value})


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_corpus_run_reports_its_rate_limit_waits_in_progress(limited: Any, mode: str) -> None:
    from mistral_lca.embedding_runs import EmbeddingProgress

    fake = limited(requests_per_second=20)
    texts = [f"chunk {i}: " + "expenses travel and leave " * 10 for i in range(60)]
    seen: list[EmbeddingProgress] = []
    options: dict[str, Any] = {"model": "mistral-embed", "texts_per_request": 2, "progress": seen.append}
    if mode == "sync":
        with _sync_client(fake) as client:
            vectors = client.embeddings.create_many(texts, **options)
    else:
        async with _async_client(fake) as client:
            vectors = await client.embeddings.create_many(texts, **options)
    assert len(vectors) == 60
    assert len(seen) == 30 and seen[-1].texts_done == 60
    waited = [state.rate_limit_wait_seconds for state in seen]
    assert waited == sorted(waited)  # running totals since the call started
    assert waited[-1] > 0.5  # 30 requests at 20 per second: the run was paced, and the progress says so
    assert seen[-1].rate_limited == fake.stats.rate_limited
