"""Streaming a binary answer straight to disk (``client.files.download_to``).

The core transport decodes whole bodies or SSE lines; a download to disk needs the raw byte stream, so
this module runs the same build → send → decide-retry loop for that one case. The decisions are the
core's (``build_request``, ``decode_body``, ``RetryPolicy`` via ``_next_delay``); the bytes go to
``<path>.part`` and are renamed into place only when complete, so a retry simply starts over.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from .._errors import APIStatusError, MistralLCAError
from .._json import dumps
from .._request import RequestSpec, build_request
from .._response import decode_body, is_json_content_type
from .._transport import _as_error, _log_response, _next_delay

if TYPE_CHECKING:
    from .._transport import AsyncSender, SyncSender

__all__ = ["async_download_to", "download_to", "unwrap_file_content"]


def unwrap_file_content(body: bytes, content_type: str | None) -> bytes:
    """The file's bytes, also when the proxy wrapped a JSON-typed file in its ``{"result": ...}`` envelope."""
    if not is_json_content_type(content_type) or b'"provider"' not in body[:4096] + body[-4096:]:
        return body
    try:
        decoded = decode_body(200, {"content-type": content_type or "application/json"}, body)
    except MistralLCAError:
        return body
    data: Any = decoded.data
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, bytes):
        return data
    return body if data is None else dumps(data)


def _part_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def _check_status(response: httpx.Response, body: bytes) -> None:
    if response.status_code >= 400:
        decode_body(response.status_code, response.headers, body)  # raises the typed error


def _write_all(part: Path, chunks: Iterable[bytes]) -> None:
    with part.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)


def download_to(sender: SyncSender, spec: RequestSpec, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    part = _part_path(target)
    retries = 0
    while True:
        request = build_request(sender.config, spec)
        started = time.perf_counter()
        try:
            with sender.slot():
                response = sender.http.send(request, stream=True)
                try:
                    _log_response(request, response, started)
                    content_type = response.headers.get("content-type")
                    if response.status_code >= 400 or is_json_content_type(content_type):
                        body = response.read()
                        _check_status(response, body)
                        _write_all(part, [unwrap_file_content(body, content_type)])
                    else:
                        _write_all(part, response.iter_bytes())
                finally:
                    response.close()
            os.replace(part, target)
            return target
        except (httpx.HTTPError, APIStatusError) as exc:
            error = _as_error(exc, request)
        finally:
            part.unlink(missing_ok=True)
        sender.sleep(_next_delay(sender.policy, error, request, retries, spec.creates))
        retries += 1


async def async_download_to(sender: AsyncSender, spec: RequestSpec, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    part = _part_path(target)
    retries = 0
    while True:
        request = build_request(sender.config, spec)
        started = time.perf_counter()
        try:
            async with sender.slot():
                response = await sender.http.send(request, stream=True)
                try:
                    _log_response(request, response, started)
                    content_type = response.headers.get("content-type")
                    if response.status_code >= 400 or is_json_content_type(content_type):
                        body = await response.aread()
                        _check_status(response, body)
                        _write_all(part, [unwrap_file_content(body, content_type)])
                    else:
                        with part.open("wb") as out:
                            async for chunk in response.aiter_bytes():
                                out.write(chunk)
                finally:
                    await response.aclose()
            os.replace(part, target)
            return target
        except (httpx.HTTPError, APIStatusError) as exc:
            error = _as_error(exc, request)
        finally:
            part.unlink(missing_ok=True)
        await sender.sleep(_next_delay(sender.policy, error, request, retries, spec.creates))
        retries += 1
