"""Just enough ``multipart/form-data`` parsing for uploads (files, audio, library documents)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Part", "parse_multipart"]

_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))')


@dataclass(slots=True)
class Part:
    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


def _params(header_value: str) -> dict[str, str]:
    return {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _PARAM.finditer(header_value)
    }


def parse_multipart(body: bytes, content_type: str) -> dict[str, Part] | None:
    """Parts by field name (last one wins); ``None`` if this is not a multipart body."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    boundary = _params(content_type).get("boundary")
    if not boundary:
        return None
    delimiter = b"--" + boundary.encode("latin-1")
    parts: dict[str, Part] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = _params(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            continue
        parts[name] = Part(name, data, disposition.get("filename"), headers.get("content-type"))
    return parts
