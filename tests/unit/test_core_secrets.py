"""The token appears only in the URL on the wire: never in logs, errors, reprs or cassettes."""

from __future__ import annotations

import logging
import re
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest
from core_support import TOKEN, call, chat_result, collect, envelope, error_envelope

from mistral_lca import MistralLCAError
from mistral_lca._secrets import redact

MESSAGES = [{"role": "user", "content": "hi"}]
CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
LIVE_TOKEN_RE = re.compile(r"at_(?!REDACTED\b)[A-Za-z0-9_\-]{6,}")
BEARER_RE = re.compile(r"[Bb]earer\s+(?!<|\*|REDACTED)[A-Za-z0-9._\-]{8,}")


def echo_401(request: httpx.Request) -> httpx.Response:
    query = dict(request.url.params)
    return httpx.Response(
        401,
        json=error_envelope(
            {"code": 401, "logging": {"method": request.method, "path": request.url.path, "query": query}},
            message=f"A valid API token is required to access this API. ({request.url})",
        ),
    )


async def test_debug_logs_and_httpx_info_line_never_carry_the_token(
    make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Our own DEBUG lines go through the "mistral_lca" logger; httpx logs every URL at INFO on "httpx".
    caplog.set_level(logging.DEBUG)
    client = make_client(lambda r: httpx.Response(200, json=envelope(chat_result())))
    await call(client, "chat.complete", model="m", messages=MESSAGES)
    logging.getLogger("httpx").info("HTTP Request: %s %s", "POST", httpx.URL(f"https://x/v1?api_token={TOKEN}"))
    messages = [r.getMessage() for r in caplog.records]
    assert any("api_token=***" in m for m in messages)
    assert all(TOKEN not in m for m in messages)


async def test_echoed_token_never_reaches_exception_text(make_client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(echo_401)
    with pytest.raises(MistralLCAError) as info:
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    rendered = "".join(traceback.format_exception(info.value))
    assert TOKEN not in rendered
    assert TOKEN not in repr(info.value) and TOKEN not in repr(getattr(info.value, "body", ""))
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


async def test_transport_errors_are_redacted(make_client: Any) -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    with pytest.raises(MistralLCAError) as info:
        await collect(make_client(boom, max_retries=0).chat.stream(model="m", messages=MESSAGES))
    assert TOKEN not in "".join(traceback.format_exception(info.value))
    assert "api_token=***" in str(info.value)


def test_redact_patterns() -> None:
    assert redact("GET /v1?a=1&api_token=at_abc123456&b=2") == "GET /v1?a=1&api_token=***&b=2"
    assert redact('{"api_token": "anything-here"}') == '{"api_token": "***"}'
    assert redact("Authorization: Bearer sk-abcdefghijkl") == "Authorization: Bearer ***"
    assert redact("token at_abcdefghij leaked") == "token at_*** leaked"
    assert redact("no secrets") == "no secrets"


def test_no_live_token_or_bearer_key_in_any_cassette() -> None:
    offenders = []
    for path in CASSETTES.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if LIVE_TOKEN_RE.search(text) or BEARER_RE.search(text):
                offenders.append(str(path.relative_to(CASSETTES)))
    assert offenders == []
