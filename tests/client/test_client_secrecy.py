"""The token never leaks through the new families: errors, logs (incl. the streamed download), job errors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_support import Recorder, build_client, call, ok

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
