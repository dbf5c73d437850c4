"""Files API kept in memory: upload (multipart), list, retrieve, delete, download, signed URL."""

from __future__ import annotations

import hashlib
import mimetypes
from typing import Any

from .multipart import parse_multipart
from .replies import BytesReply, Call, JsonReply, Reply, missing, not_found, query_int, validation_error
from .state import FakeState, StoredFile

__all__ = ["FILE_ROUTES", "SIGNED_PREFIX", "download_signed", "store_file"]

SIGNED_PREFIX = "/_fake/signed/files/"
_PURPOSES = ("fine-tune", "batch", "ocr", "audio")
_SAMPLE_TYPES = {"ocr": "ocr_input", "batch": "batch_request", "fine-tune": "instruct", "audio": "audio"}


def _num_lines(filename: str, data: bytes) -> int:
    if not filename.endswith((".jsonl", ".txt", ".csv")):
        return 0
    return sum(1 for line in data.splitlines() if line.strip())


def store_file(
    state: FakeState,
    filename: str,
    data: bytes,
    purpose: str,
    *,
    mimetype: str | None = None,
    sample_type: str | None = None,
    source: str = "upload",
    visibility: str = "workspace",
) -> dict[str, Any]:
    """Create a file record and return its metadata."""
    ident = state.ids.uuid("file")
    meta: dict[str, Any] = {
        "id": ident,
        "object": "file",
        "bytes": len(data),
        "created_at": state.now(),
        "filename": filename,
        "purpose": purpose,
        "sample_type": sample_type or _SAMPLE_TYPES.get(purpose, "pretrain"),
        "num_lines": _num_lines(filename, data),
        "mimetype": mimetype or mimetypes.guess_type(filename)[0] or "application/octet-stream",
        "source": source,
        "signature": hashlib.md5(data).hexdigest(),
        "expires_at": None,
        "visibility": visibility,
    }
    state.files[ident] = StoredFile(meta, data)
    return meta


def upload(state: FakeState, call: Call) -> Reply:
    parts = parse_multipart(call.body, call.headers.get("content-type", ""))
    if not parts or "file" not in parts:
        return validation_error([missing("file")])
    purpose = parts["purpose"].text if "purpose" in parts else "fine-tune"
    if purpose not in _PURPOSES:
        return validation_error(
            [
                {
                    "type": "enum",
                    "loc": ["body", "purpose"],
                    "input": purpose,
                    "msg": "Input should be 'fine-tune', 'batch', 'ocr' or 'audio'",
                }
            ]
        )
    part = parts["file"]
    visibility = parts["visibility"].text if "visibility" in parts else "workspace"
    meta = store_file(
        state, part.filename or "upload.bin", part.data, purpose, mimetype=part.content_type, visibility=visibility
    )
    return JsonReply(meta)


def list_files(state: FakeState, call: Call) -> Reply:
    q = call.query
    items = [
        f.meta
        for f in state.files.values()
        if ("purpose" not in q or f.meta["purpose"] == q["purpose"])
        and ("search" not in q or q["search"] in f.meta["filename"])
    ]
    page, size = query_int(q, "page", 0), max(1, query_int(q, "page_size", 100))
    return JsonReply({"data": items[page * size : (page + 1) * size], "object": "list", "total": len(items)})


def retrieve(state: FakeState, call: Call) -> Reply:
    stored = state.files.get(call.params["file_id"])
    if stored is None:
        return not_found("File", call.params["file_id"])
    return JsonReply({**stored.meta, "deleted": False})


def delete(state: FakeState, call: Call) -> Reply:
    ident = call.params["file_id"]
    if state.files.pop(ident, None) is None:
        return not_found("File", ident)
    return JsonReply({"id": ident, "object": "file", "deleted": True})


def content(state: FakeState, call: Call) -> Reply:
    stored = state.files.get(call.params["file_id"])
    if stored is None:
        return not_found("File", call.params["file_id"])
    return BytesReply(stored.data, "application/octet-stream")


def signed_url(state: FakeState, call: Call) -> Reply:
    ident = call.params["file_id"]
    stored = state.files.get(ident)
    if stored is None:
        return not_found("File", ident)
    expiry = query_int(call.query, "expiry", 24)
    return JsonReply(
        {"url": f"{call.base_url}{SIGNED_PREFIX}{ident}?signature={stored.meta['signature']}&expiry={expiry}"}
    )


def download_signed(state: FakeState, file_id: str) -> bytes | None:
    """Body behind a signed URL (no auth, like a storage bucket)."""
    stored = state.files.get(file_id)
    return None if stored is None else stored.data


FILE_ROUTES = (
    ("POST", "/v1/files", upload),
    ("GET", "/v1/files", list_files),
    ("GET", "/v1/files/{file_id}", retrieve),
    ("DELETE", "/v1/files/{file_id}", delete),
    ("GET", "/v1/files/{file_id}/content", content),
    ("GET", "/v1/files/{file_id}/url", signed_url),
)
