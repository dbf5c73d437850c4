"""Fixtures for the endpoint-family tests: a sync or async client on a MockTransport, in both URL forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from client_support import build_client


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["query", "path"])
def form(request: pytest.FixtureRequest) -> str:
    """LowCodeAPI's two path-parameter forms: ``/v1/files/file_id?file_id=X`` and ``/v1/files/X``."""
    return str(request.param)


@pytest.fixture
def make_client(mode: str, form: str) -> Callable[..., Any]:
    def factory(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> Any:
        kwargs.setdefault("path_params", form)
        return build_client(mode, handler, **kwargs)

    return factory
