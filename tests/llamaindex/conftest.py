"""Fixtures for the LlamaIndex adapter tests."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run a test once on the sync path and once on the async path (parity)."""
    return str(request.param)
