"""Libraries and their documents (``/v1/libraries``), in memory."""

from __future__ import annotations

import hashlib
import math
import mimetypes
from typing import Any

from .multipart import parse_multipart
from .replies import (
    Call,
    EmptyReply,
    ErrorReply,
    JsonReply,
    Reply,
    check_fields,
    json_object,
    missing,
    not_found,
    query_int,
    validation_error,
)
from .state import FakeState

__all__ = ["DOCUMENT_SIGNED_PREFIX", "LIBRARY_ROUTES"]

DOCUMENT_SIGNED_PREFIX = "/_fake/signed/documents/"

_OWNER = "00000000-0000-4000-8000-0000000fa4e0"


def _library(state: FakeState, call: Call) -> dict[str, Any] | ErrorReply:
    lib = state.libraries.get(call.params["library_id"])
    return lib if lib is not None else not_found("Library", call.params["library_id"])


def _document(state: FakeState, call: Call) -> dict[str, Any] | ErrorReply:
    lib = _library(state, call)
    if isinstance(lib, ErrorReply):
        return lib
    doc = state.documents.get(call.params["document_id"])
    if doc is None or doc["library_id"] != lib["id"]:
        return not_found("Document", call.params["document_id"])
    return doc


def create(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = check_fields(body, required=("name",))
    if err is not None:
        return err
    now = state.iso()
    lib = {
        "id": state.ids.uuid("library"),
        "name": body["name"],
        "created_at": now,
        "updated_at": now,
        "owner_id": _OWNER,
        "owner_type": "User",
        "total_size": 0,
        "nb_documents": 0,
        "chunk_size": body.get("chunk_size"),
        "emoji": None,
        "description": body.get("description"),
        "generated_description": None,
        "explicit_user_members_count": None,
        "explicit_workspace_members_count": None,
        "org_sharing_role": None,
        "generated_name": None,
    }
    state.libraries[lib["id"]] = lib
    return JsonReply(lib, status=201)


def list_libraries(state: FakeState, call: Call) -> Reply:
    return JsonReply({"data": list(state.libraries.values()), "next_page_token": None})


def get(state: FakeState, call: Call) -> Reply:
    lib = _library(state, call)
    return lib if isinstance(lib, ErrorReply) else JsonReply(lib)


def update(state: FakeState, call: Call) -> Reply:
    lib = _library(state, call)
    if isinstance(lib, ErrorReply):
        return lib
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    lib.update({k: v for k, v in body.items() if k in ("name", "description", "chunk_size", "emoji")})
    lib["updated_at"] = state.iso()
    return JsonReply(lib)


def delete(state: FakeState, call: Call) -> Reply:
    lib = _library(state, call)
    if isinstance(lib, ErrorReply):
        return lib
    del state.libraries[lib["id"]]
    for doc_id in [d["id"] for d in state.documents.values() if d["library_id"] == lib["id"]]:
        del state.documents[doc_id]
    return JsonReply(lib)


def upload_document(state: FakeState, call: Call) -> Reply:
    lib = _library(state, call)
    if isinstance(lib, ErrorReply):
        return lib
    parts = parse_multipart(call.body, call.headers.get("content-type", ""))
    if not parts or "file" not in parts:
        return validation_error([missing("file")])
    part = parts["file"]
    name = part.filename or "document"
    mime = part.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    text = (
        part.data.decode("utf-8", "replace")
        if mime.startswith("text")
        else (f"Extracted text of {name} ({len(part.data)} bytes).")
    )
    doc = {
        "id": state.ids.uuid("document"),
        "library_id": lib["id"],
        "hash": hashlib.md5(part.data).hexdigest(),
        "mime_type": mime,
        "extension": name.rsplit(".", 1)[-1] if "." in name else "",
        "size": len(part.data),
        "name": name,
        "summary": None,
        "created_at": state.iso(),
        "last_processed_at": state.iso(),
        "number_of_pages": max(1, part.data.count(b"/Type /Page")),
        "process_status": "done",
        "processing_status": "Completed",
        "uploaded_by_id": _OWNER,
        "uploaded_by_type": "User",
        "tokens_processing_main_content": len(text) // 4,
        "tokens_processing_summary": 0,
        "tokens_processing_total": len(text) // 4,
        "url": None,
        "attributes": {},
        "expires_at": None,
        "_data": part.data,
        "_text": text,
    }
    state.documents[doc["id"]] = doc
    lib["nb_documents"] += 1
    lib["total_size"] += len(part.data)
    return JsonReply(_public(doc))


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def list_documents(state: FakeState, call: Call) -> Reply:
    lib = _library(state, call)
    if isinstance(lib, ErrorReply):
        return lib
    docs = [_public(d) for d in state.documents.values() if d["library_id"] == lib["id"]]
    page, size = query_int(call.query, "page", 0), max(1, query_int(call.query, "page_size", 100))
    return JsonReply(
        {
            "pagination": {
                "total_items": len(docs),
                "total_pages": max(1, math.ceil(len(docs) / size)),
                "current_page": page,
                "page_size": size,
                "has_more": (page + 1) * size < len(docs),
            },
            "data": docs[page * size : (page + 1) * size],
        }
    )


def get_document(state: FakeState, call: Call) -> Reply:
    doc = _document(state, call)
    return doc if isinstance(doc, ErrorReply) else JsonReply(_public(doc))


def update_document(state: FakeState, call: Call) -> Reply:
    doc = _document(state, call)
    if isinstance(doc, ErrorReply):
        return doc
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    doc.update({k: v for k, v in body.items() if k in ("name", "attributes")})
    return JsonReply(_public(doc))


def delete_document(state: FakeState, call: Call) -> Reply:
    doc = _document(state, call)
    if isinstance(doc, ErrorReply):
        return doc
    del state.documents[doc["id"]]
    lib = state.libraries[doc["library_id"]]
    lib["nb_documents"] -= 1
    lib["total_size"] -= doc["size"]
    return EmptyReply(204)


def text_content(state: FakeState, call: Call) -> Reply:
    doc = _document(state, call)
    return doc if isinstance(doc, ErrorReply) else JsonReply({"text": doc["_text"]})


def status(state: FakeState, call: Call) -> Reply:
    doc = _document(state, call)
    if isinstance(doc, ErrorReply):
        return doc
    return JsonReply(
        {
            "document_id": doc["id"],
            "process_status": doc["process_status"],
            "processing_status": doc["processing_status"],
        }
    )


def signed_url(state: FakeState, call: Call) -> Reply:
    doc = _document(state, call)
    return doc if isinstance(doc, ErrorReply) else JsonReply(f"{call.base_url}{DOCUMENT_SIGNED_PREFIX}{doc['id']}")


def reprocess(state: FakeState, call: Call) -> Reply:
    doc = _document(state, call)
    if isinstance(doc, ErrorReply):
        return doc
    doc["last_processed_at"] = state.iso()
    return EmptyReply(204)


_DOC = "/v1/libraries/{library_id}/documents/{document_id}"
LIBRARY_ROUTES = (
    ("POST", "/v1/libraries", create),
    ("GET", "/v1/libraries", list_libraries),
    ("GET", "/v1/libraries/{library_id}", get),
    ("PATCH", "/v1/libraries/{library_id}", update),
    ("PUT", "/v1/libraries/{library_id}", update),
    ("DELETE", "/v1/libraries/{library_id}", delete),
    ("POST", "/v1/libraries/{library_id}/documents", upload_document),
    ("GET", "/v1/libraries/{library_id}/documents", list_documents),
    ("GET", _DOC, get_document),
    ("PATCH", _DOC, update_document),
    ("PUT", _DOC, update_document),
    ("DELETE", _DOC, delete_document),
    ("GET", _DOC + "/text_content", text_content),
    ("GET", _DOC + "/status", status),
    ("GET", _DOC + "/signed-url", signed_url),
    ("GET", _DOC + "/extracted-text-signed-url", signed_url),
    ("POST", _DOC + "/reprocess", reprocess),
)
