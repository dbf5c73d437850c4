"""Fixtures for core unit tests: the same MockTransport handler behind a sync and an async client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from core_support import TOKEN, Handler, no_sleep_policy

from mistral_lca import AsyncMistralLCAClient, MistralLCAClient, RateLimiter
from mistral_lca.testing import FastForwardClock


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_client(mode: str) -> Callable[..., Any]:
    """Build a sync or async client (per ``mode``) on a MockTransport handler; sleeps are recorded, not slept."""

    def factory(handler: Handler, **kwargs: Any) -> Any:
        kwargs.setdefault("api_token", TOKEN)
        kwargs.setdefault("retry_policy", no_sleep_policy(kwargs.pop("max_retries", 2)))
        transport = httpx.MockTransport(handler)
        clock = FastForwardClock()
        kwargs.setdefault("rate_limiter", RateLimiter(clock=clock))
        if mode == "sync":
            client: Any = MistralLCAClient(http_client=httpx.Client(transport=transport), **kwargs)
            client._sender.sleep = clock.sleep
        else:
            client = AsyncMistralLCAClient(http_client=httpx.AsyncClient(transport=transport), **kwargs)
            client._sender.sleep = clock.asleep
        client.sleeps = clock.sleeps
        return client

    return factory
