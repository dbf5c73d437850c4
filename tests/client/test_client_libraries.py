"""``client.libraries`` and ``client.libraries.documents`` in both URL forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from client_support import Recorder, assert_request, build_client, call, error, multipart_parts, ok

from mistral_lca import InvalidRequestError, ServerError
from mistral_lca.types.libraries import (
    Document,
    DocumentTextContent,
    Library,
    ListDocumentsResponse,
    ListLibrariesResponse,
    ProcessingStatus,
)

LIB = {"id": "lib-1", "name": "Docs", "description": "d", "created_at": "2026-08-19T14:40:42Z", "nb_documents": 0}
DOC = {"id": "doc-1", "library_id": "lib-1", "name": "a.pdf", "process_status": "todo", "mime_type": "application/pdf"}
ONE_DOC = {"library_id": "lib-1", "document_id": "doc-1"}


async def test_library_crud(make_client: Any, form: str) -> None:
    rec = Recorder(
        ok(LIB),
        ok({"data": [LIB], "next_page_token": "t2"}),
        ok(LIB),
        ok({**LIB, "name": "Renamed"}),
        ok(LIB),
    )
    client = make_client(rec)
    created = await call(client, "libraries.create", name="Docs", description="d")
    assert isinstance(created, Library) and created.id == "lib-1"
    assert_request(rec.last, "POST", form, "/v1/libraries", json_body={"name": "Docs", "description": "d"})
    page = await call(client, "libraries.list", page_size=5, page_token="t1", search="doc")
    assert isinstance(page, ListLibrariesResponse) and page.next_page_token == "t2"
    assert_request(
        rec.last, "GET", form, "/v1/libraries", query=[("page_size", "5"), ("page_token", "t1"), ("search", "doc")]
    )
    one = {"library_id": "lib-1"}
    assert (await call(client, "libraries.get", "lib-1")).name == "Docs"
    assert_request(rec.last, "GET", form, "/v1/libraries/{library_id}", one)
    assert (await call(client, "libraries.update", "lib-1", name="Renamed")).name == "Renamed"
    assert_request(rec.last, "PATCH", form, "/v1/libraries/{library_id}", one, json_body={"name": "Renamed"})
    deleted = await call(client, "libraries.delete", "lib-1")
    assert isinstance(deleted, Library)
    assert_request(rec.last, "DELETE", form, "/v1/libraries/{library_id}", one)


async def test_library_delete_without_body(make_client: Any) -> None:
    assert await call(make_client(Recorder(httpx.Response(204))), "libraries.delete", "lib-1") is None


async def test_document_upload_is_multipart_and_creating(make_client: Any, form: str, tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4 lib")
    rec = Recorder(ok(DOC))
    doc = await call(make_client(rec), "libraries.documents.upload", "lib-1", file=path)
    assert isinstance(doc, Document) and doc.is_processing
    assert_request(rec.last, "POST", form, "/v1/libraries/{library_id}/documents", {"library_id": "lib-1"})
    parts = multipart_parts(rec.last)
    assert [(p.name, p.filename, p.content_type, p.data) for p in parts] == [
        ("file", "a.pdf", "application/pdf", b"%PDF-1.4 lib")
    ]


async def test_document_upload_not_retried_after_503(mode: str) -> None:
    rec = Recorder(error(503), ok(DOC))
    with pytest.raises(ServerError):
        await call(build_client(mode, rec), "libraries.documents.upload", "lib-1", file=("a.txt", b"hello"))
    assert len(rec.requests) == 1


async def test_document_endpoints(make_client: Any, form: str) -> None:
    rec = Recorder(
        ok({"data": [DOC], "pagination": {"total_items": 1, "has_more": False}}),
        ok(DOC),
        ok({**DOC, "name": "b.pdf"}),
        ok({"document_id": "doc-1", "process_status": "done"}),
        ok({"text": "extracted"}),
        ok("https://signed/doc"),
        ok("https://signed/text"),
        httpx.Response(204),
        httpx.Response(204),
    )
    client = make_client(rec)
    docs = "/v1/libraries/{library_id}/documents"
    listed = await call(client, "libraries.documents.list", "lib-1", search="a", page_size=10, sort_by="created_at")
    assert isinstance(listed, ListDocumentsResponse) and listed.data[0].id == "doc-1"
    assert_request(
        rec.last, "GET", form, docs, {"library_id": "lib-1"},
        [("search", "a"), ("page_size", "10"), ("sort_by", "created_at")],
    )  # fmt: skip
    one = docs + "/{document_id}"
    assert (await call(client, "libraries.documents.get", "lib-1", "doc-1")).id == "doc-1"
    assert_request(rec.last, "GET", form, one, ONE_DOC)
    assert (await call(client, "libraries.documents.update", "lib-1", "doc-1", name="b.pdf")).name == "b.pdf"
    assert_request(rec.last, "PATCH", form, one, ONE_DOC, json_body={"name": "b.pdf"})
    status = await call(client, "libraries.documents.status", "lib-1", "doc-1")
    assert isinstance(status, ProcessingStatus) and not status.is_processing
    assert_request(rec.last, "GET", form, one + "/status", ONE_DOC)
    text = await call(client, "libraries.documents.text_content", "lib-1", "doc-1")
    assert isinstance(text, DocumentTextContent) and text.text == "extracted"
    assert_request(rec.last, "GET", form, one + "/text_content", ONE_DOC)
    assert await call(client, "libraries.documents.get_signed_url", "lib-1", "doc-1") == "https://signed/doc"
    assert_request(rec.last, "GET", form, one + "/signed-url", ONE_DOC)
    assert (
        await call(client, "libraries.documents.extracted_text_signed_url", "lib-1", "doc-1") == "https://signed/text"
    )
    assert_request(rec.last, "GET", form, one + "/extracted-text-signed-url", ONE_DOC)
    assert await call(client, "libraries.documents.reprocess", "lib-1", "doc-1") is None
    assert_request(rec.last, "POST", form, one + "/reprocess", ONE_DOC)
    assert await call(client, "libraries.documents.delete", "lib-1", "doc-1") is None
    assert_request(rec.last, "DELETE", form, one, ONE_DOC)


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "message"),
    [
        ("libraries.create", (), {"name": ""}, "name"),
        ("libraries.get", ("",), {}, "library_id"),
        ("libraries.documents.get", ("lib-1", ""), {}, "document_id"),
        ("libraries.documents.status", ("", "doc-1"), {}, "library_id"),
        ("libraries.documents.upload", ("lib-1",), {"file": "/no/such/file.pdf"}, "/no/such/file.pdf"),
        ("libraries.documents.upload", ("",), {"file": b"x"}, "library_id"),
    ],
)
async def test_bad_calls_are_rejected_before_sending(
    make_client: Any, name: str, args: Any, kwargs: Any, message: str
) -> None:
    rec = Recorder(ok(LIB))
    with pytest.raises(InvalidRequestError, match=message):
        await call(make_client(rec), name, *args, **kwargs)
    assert rec.requests == []
