"""Fixtures for the fault-injection suite: a LowCodeAPI stand-in per test, and sync/async parity."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from faults_support import TOKEN, close, make_client

from mistral_lca.testing import FakeLowCodeAPI


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "load: large load/soak runs (part of the default run; deselect with -m 'not load')"
    )


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake() -> Iterator[FakeLowCodeAPI]:
    """A fresh stand-in on 127.0.0.1 (random port) that accepts only :data:`TOKEN`."""
    with FakeLowCodeAPI(required_token=TOKEN) as server:
        yield server
        assert not server.errors, server.errors[0]


@pytest.fixture
async def client_factory(fake: FakeLowCodeAPI, mode: str) -> AsyncIterator[Callable[..., Any]]:
    """``factory(**kwargs)`` → a client for ``mode`` on ``fake``; all closed at teardown."""
    made: list[Any] = []

    def factory(**kwargs: Any) -> Any:
        client = make_client(fake, mode, **kwargs)
        made.append(client)
        return client

    yield factory
    for client in made:
        await close(client)
