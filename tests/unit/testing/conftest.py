"""Fixtures for the LowCodeAPI stand-in's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mistral_lca.testing import FakeLowCodeAPI


@pytest.fixture
def fake() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI() as server:
        yield server
        assert server.errors == [], server.errors


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client
