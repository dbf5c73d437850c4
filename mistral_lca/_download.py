"""Downloads to disk: the pure pieces (the senders in ``_transport`` run the loop).

The bytes go to ``<path>.part`` and are renamed into place only when complete, so a retry simply starts over.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

from ._errors import MistralLCAError
from ._json import dumps
from ._response import decode_body, is_failure_status, is_json_content_type

__all__ = ["check_status", "part_path", "unwrap_file_content", "write_all"]


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


def part_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def check_status(response: httpx.Response, body: bytes) -> None:
    if is_failure_status(response.status_code):
        decode_body(response.status_code, response.headers, body)  # raises the typed error


def write_all(part: Path, chunks: Iterable[bytes]) -> None:
    with part.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
