"""Helpers for the fault-injection suite: clients on the local LowCodeAPI stand-in, sync and async alike.

Everything runs against :class:`~mistral_lca.testing.FakeLowCodeAPI` on 127.0.0.1. Retry sleeps are
recorded instead of slept (``client.sleeps``), so backoff bounds are asserted as values, never as durations.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

from support_errors import drain as drain  # re-exported: the suite drains streams through faults_support

from mistral_lca import AsyncMistralLCAClient, MistralLCAClient, RateLimiter, RetryPolicy
from mistral_lca.testing import FakeLowCodeAPI, FastForwardClock

TOKEN = "at_SECRET_abcdef123"
"""A token shaped like LowCodeAPI's; the stand-in accepts only this one."""
CHAT = "/v1/chat/completions"
EMBEDDINGS = "/v1/embeddings"
FILES = "/v1/files"
AGENTS = "/v1/agents"
BATCH_JOBS = "/v1/batch/jobs"
MODEL = "mistral-small-latest"
EMBED_MODEL = "mistral-embed"
INITIAL_DELAY = 0.01
MAX_DELAY = 0.04


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def fast_policy(max_retries: int = 2, seed: int = 0, **kwargs: Any) -> RetryPolicy:
    """Backoff with tiny delays and a seeded jitter source (delays are recorded, not slept, anyway)."""
    kwargs.setdefault("initial_delay", INITIAL_DELAY)
    kwargs.setdefault("max_delay", MAX_DELAY)
    return RetryPolicy(max_retries=max_retries, rng=random.Random(seed), **kwargs)


def backoff_ceiling(retry_number: int, policy: RetryPolicy) -> float:
    return min(policy.max_delay, policy.initial_delay * 2**retry_number)


def record_sleeps(client: Any, *, really: bool = False) -> list[float]:
    """Replace the client's sleeps with ones that record the delay and move its rate limiter's clock forward
    instead of sleeping (they really sleep too if ``really``)."""
    clock = FastForwardClock()
    limiter = client.rate_limiter
    if not really:
        limiter.clock = clock
    sender = client._sender
    if isinstance(client, MistralLCAClient):

        def sync_sleep(delay: float) -> None:
            if really:
                clock.sleeps.append(delay)
                time.sleep(delay)
            else:
                clock.sleep(delay)

        sender.sleep = sync_sleep
    else:

        async def async_sleep(delay: float) -> None:
            if really:
                clock.sleeps.append(delay)
                await asyncio.sleep(delay)
            else:
                await clock.asleep(delay)

        sender.sleep = async_sleep
    return clock.sleeps


def make_client(fake: FakeLowCodeAPI, mode: str, *, policy: RetryPolicy | None = None, **kwargs: Any) -> Any:
    """A sync or async client on ``fake`` with ``client.sleeps`` recording every retry and rate-limit delay.

    Each client gets its own :class:`RateLimiter`, so what one test's faults teach it never slows another test.
    """
    cls = MistralLCAClient if mode == "sync" else AsyncMistralLCAClient
    kwargs.setdefault("api_token", TOKEN)
    kwargs.setdefault("base_url", fake.base_url)
    kwargs.setdefault("rate_limiter", RateLimiter())
    client = cls(retry_policy=policy or fast_policy(), **kwargs)
    client.sleeps = record_sleeps(client)
    return client


async def call(fn: Callable[[], Any]) -> Any:
    """Run a sync or async client call the same way."""
    result = fn()
    if inspect.isawaitable(result):
        return await result
    return result


async def close(client: Any) -> None:
    outcome = client.close()
    if inspect.isawaitable(outcome):
        await outcome


def text_of(events: Iterable[Any]) -> str:
    """The text a chat stream delivered (``CompletionEvent`` items)."""
    parts = []
    for event in events:
        for choice in event.data.choices:
            content = choice.delta.content
            if isinstance(content, str):
                parts.append(content)
    return "".join(parts)


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` (the stand-in notices closed sockets asynchronously). Not a timing assertion."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True
