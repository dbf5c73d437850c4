"""Shared test configuration: cassette replay (vcrpy via pytest-recording) with secrets scrubbed.

Cassettes live in ``cassettes/<test module name>/``. Tests run with ``--record-mode=none --block-network``
so a missing cassette fails instead of reaching out. How cassettes are (re-)recorded: see README.md,
"Cassettes". ``MISTRAL_LCA_RECORD_AGAINST`` selects the upstream while recording:

* unset (replay, and CI): the client targets the public LowCodeAPI URL, served from the cassette;
* ``fake``: a local LowCodeAPI stand-in (``mistral_lca.testing``) on 127.0.0.1; recorded URIs are
  rewritten to the public form so they replay exactly like live recordings;
* ``live``: the real LowCodeAPI with ``LOWCODEAPI_API_TOKEN``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
PUBLIC_BASE_URL = "https://api.lowcodeapi.com/mistralai"
TOKEN_PLACEHOLDER = "at_REDACTED"
REPLAY_TOKEN = "at_replay_token_for_tests"

_LOCAL_BASE_RE = re.compile(r"^http://127\.0\.0\.1:\d+/mistralai")
_BOUNDARY_RE = re.compile(rb"boundary=([^\s;\"]+)")
_SCRUBBED_HEADERS = {"set-cookie", "cookie", "cf-ray", "authorization", "x-api-key"}


def recording_target() -> str:
    return os.environ.get("MISTRAL_LCA_RECORD_AGAINST", "").strip().lower()


def _secrets() -> list[bytes]:
    token = os.environ.get("LOWCODEAPI_API_TOKEN", "")
    return [token.encode()] if token and recording_target() == "live" else []


def _rewrite_request(request: Any) -> Any:
    request.uri = _LOCAL_BASE_RE.sub(PUBLIC_BASE_URL, request.uri)
    for name in list(request.headers):
        if name.lower() in _SCRUBBED_HEADERS or name.lower() == "host":
            del request.headers[name]
    return request


def _scrub_bytes(body: bytes) -> bytes:
    from mistral_lca._secrets import redact

    for secret in _secrets():
        body = body.replace(secret, TOKEN_PLACEHOLDER.encode())
    if b"api_token" in body or b"at_" in body or b"earer" in body:
        body = redact(body.decode("utf-8", errors="surrogateescape")).encode("utf-8", errors="surrogateescape")
    return body


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {k: v for k, v in response.get("headers", {}).items() if k.lower() not in _SCRUBBED_HEADERS}
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):  # vcrpy hands httpx bodies over as bytes
        response["body"]["string"] = _scrub_bytes(body)
    elif isinstance(body, str):
        response["body"]["string"] = _scrub_bytes(body.encode()).decode()
    return response


def _normalised_body(request: Any) -> bytes:
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    content_type = request.headers.get("content-type", request.headers.get("Content-Type", "")) or ""
    if "multipart/form-data" in content_type:
        match = _BOUNDARY_RE.search(content_type.encode())
        if match:
            body = body.replace(match.group(1), b"BOUNDARY")
    return body


def _body_matcher(r1: Any, r2: Any) -> None:
    """JSON bodies compare as data (key order free); multipart bodies compare with the boundary masked."""
    from vcr.matchers import body as vcr_body

    if any("multipart/form-data" in (r.headers.get("content-type", "") or "") for r in (r1, r2)):
        assert _normalised_body(r1) == _normalised_body(r2)
        return
    vcr_body(r1, r2)


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("lca_body", _body_matcher)


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    # No "record_mode" here: it would silently beat --record-mode=none on the command line.
    return {
        "filter_query_parameters": [("api_token", TOKEN_PLACEHOLDER)],
        "filter_headers": sorted(_SCRUBBED_HEADERS),
        "before_record_request": _rewrite_request,
        "before_record_response": _scrub_response,
        "match_on": ["method", "scheme", "host", "port", "path", "query", "lca_body"],
        "decode_compressed_response": True,
        "record_on_exception": False,
    }


@pytest.fixture
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture(scope="session")
def _fake_upstream() -> Iterator[Any]:
    if recording_target() != "fake":
        yield None
        return
    from mistral_lca.testing import FakeLowCodeAPI

    with FakeLowCodeAPI() as server:
        yield server


@pytest.fixture
def lca_settings(_fake_upstream: Any) -> dict[str, Any]:
    """``api_token`` and ``base_url`` for cassette tests: replay by default, or the recording target."""
    target = recording_target()
    if target == "fake":
        return {"api_token": REPLAY_TOKEN, "base_url": _fake_upstream.base_url}
    if target == "live":
        token = os.environ.get("LOWCODEAPI_API_TOKEN")
        if not token:
            pytest.fail("MISTRAL_LCA_RECORD_AGAINST=live needs LOWCODEAPI_API_TOKEN")
        return {"api_token": token, "base_url": PUBLIC_BASE_URL}
    return {"api_token": REPLAY_TOKEN, "base_url": PUBLIC_BASE_URL}


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a developer's real settings unless they are recording live."""
    if recording_target() != "live":
        monkeypatch.delenv("LOWCODEAPI_API_TOKEN", raising=False)
    monkeypatch.delenv("LOWCODEAPI_BASE_URL", raising=False)


@pytest.fixture(autouse=True)
def _fresh_rate_limiters() -> None:
    """Clients built by a test share a rate limiter only with that test's other clients: what one test's faults
    (429s, Retry-After) teach the limiter of a token and URL must not slow a later test using the same pair."""
    from mistral_lca.ratelimit import forget_shared_rate_limiters

    forget_shared_rate_limiters()


@pytest.fixture
def rate_limited_stand_in() -> Iterator[Any]:
    """``start(required_token=None, **RateLimits fields)`` → a running stand-in enforcing those limits (stopped, and
    checked for handler crashes, at teardown)."""
    from mistral_lca.testing import FakeLowCodeAPI, RateLimits

    servers: list[FakeLowCodeAPI] = []

    def start(required_token: str | None = None, **limits: Any) -> FakeLowCodeAPI:
        server = FakeLowCodeAPI(rate_limits=RateLimits(**limits), required_token=required_token).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
        assert server.errors == [], server.errors
