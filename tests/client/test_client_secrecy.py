"""The token never leaks through the new families: errors, logs (incl. the streamed download), job errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_support import Recorder, build_client, call, collect, ok
from support_errors import exception_chain, exception_texts

from mistral_lca import APIStatusError, JobFailedError, MistralLCAError

SECRET = "at_SECRET_abcdef123"


def _echoing_401(request: httpx.Request) -> httpx.Response:
    body = {
        "message": f"A valid API token is required ({SECRET})",
        "provider": "mistralai",
        "error": {"code": 401, "logging": {"query": {"api_token": SECRET}, "url": str(request.url)}},
    }
    return httpx.Response(401, json=body)


@pytest.mark.parametrize(
    ("dotted", "kwargs"),
    [
        ("files.upload", {"file": ("a.pdf", b"%PDF-1.4"), "purpose": "ocr"}),
        ("audio.transcriptions.complete", {"model": "m", "file_url": "https://x/a.mp3"}),
        ("libraries.documents.upload", {"library_id": "lib", "file": ("a.txt", b"x")}),
        ("batch.jobs.create", {"endpoint": "/v1/embeddings", "input_files": ["f"]}),
    ],
)
async def test_errors_and_logs_never_quote_the_token(
    mode: str, dotted: str, kwargs: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = build_client(mode, Recorder(_echoing_401), api_token=SECRET)
    with pytest.raises(APIStatusError) as info:
        await call(client, dotted, **kwargs)
    for text in (str(info.value), repr(info.value), repr(info.value.body), caplog.text, repr(client)):
        assert SECRET not in text


async def test_streamed_download_logs_and_errors_are_redacted(
    mode: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(httpx.Response(200, content=b"data", headers={"content-type": "application/octet-stream"}))
    await call(build_client(mode, rec, api_token=SECRET), "files.download_to", "f-1", tmp_path / "out")
    with pytest.raises(APIStatusError) as info:
        await call(
            build_client(mode, Recorder(_echoing_401), api_token=SECRET), "files.download_to", "f", tmp_path / "x"
        )
    assert "files/file_id/content" in caplog.text
    assert SECRET not in caplog.text and SECRET not in str(info.value)


async def test_job_errors_are_redacted(mode: str) -> None:
    failed = ok({"id": "b-1", "status": "FAILED", "errors": [{"message": f"bad token {SECRET}", "count": 1}]})
    with pytest.raises(JobFailedError) as info:
        await call(build_client(mode, Recorder(failed), api_token=SECRET), "batch.jobs.wait", "b-1")
    assert isinstance(info.value, MistralLCAError) and SECRET not in str(info.value)


# ------------------------------------------------------------------- URLs echoed anywhere, chains included


def _echoing(status: int) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        detail = [{"type": "url_parsing", "loc": ["query", url], "msg": f"bad {url}", "input": url, "ctx": {"u": url}}]
        body = {
            "message": f"Error for {url}",
            "provider": "mistralai",
            "error": {"detail": detail, "request_url": url},
            "headers": {"x-request-url": url, "referer": url, url: "as a header name"},
        }
        return httpx.Response(status, json=body, headers={"x-forwarded-url": url, "location": url})

    return respond


@pytest.mark.parametrize("status", [302, 400, 401, 403, 422, 429, 500])
async def test_urls_echoed_in_error_fields_are_redacted(mode: str, status: int) -> None:
    client = build_client(mode, Recorder(_echoing(status)), api_token=SECRET, max_retries=0)
    with pytest.raises(APIStatusError) as info:
        await call(client, "chat.complete", model="m", messages=[{"role": "user", "content": "x"}])
    texts = exception_texts(info.value)
    assert any("api_token=***" in text for text in texts)  # the echoes are there, redacted
    for text in texts:
        assert SECRET not in text


async def test_urls_echoed_in_a_success_are_redacted(mode: str) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        result = {"id": "c", "model": "m", "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]}
        body = {
            "message": "ok",
            "provider": "mistralai",
            "result": result,
            "response_headers": {"x-url": str(request.url)},
        }
        return httpx.Response(200, json=body, headers={"x-forwarded-url": str(request.url)})

    client = build_client(mode, Recorder(respond), api_token=SECRET)
    reply = await call(client, "chat.complete", model="m", messages=[{"role": "user", "content": "x"}])
    headers = reply.response_headers
    assert headers["x-url"].endswith("api_token=***") and headers["x-forwarded-url"].endswith("api_token=***")
    assert SECRET not in repr(headers) + repr(dict(headers)) + repr(list(headers.values()))


async def test_stream_errors_and_their_chains_are_redacted(mode: str) -> None:
    event = {
        "object": "error",
        "message": f"failed for api_token={SECRET}",
        "code": "1000",
        "url": f"?api_token={SECRET}",
    }
    data = f"data: {json.dumps(event)}\n\n".encode()
    client = build_client(
        mode,
        Recorder(httpx.Response(200, content=data, headers={"content-type": "text/event-stream"})),
        api_token=SECRET,
        max_retries=0,
    )
    with pytest.raises(APIStatusError) as info:
        await collect(client.chat.stream(model="m", messages=[{"role": "user", "content": "x"}]))
    for text in exception_texts(info.value):
        assert SECRET not in text

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    client = build_client(mode, Recorder(refuse), api_token=SECRET, max_retries=1)
    with pytest.raises(MistralLCAError) as refused:
        await call(client, "chat.complete", model="m", messages=[{"role": "user", "content": "x"}])
    assert all(
        item.__context__ is None or isinstance(item.__context__, MistralLCAError)
        for item in exception_chain(refused.value)
    )
    for text in exception_texts(refused.value):
        assert SECRET not in text
