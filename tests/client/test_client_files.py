"""``client.files``: request building in both URL forms, multipart uploads streamed from disk, retries."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_support import (
    Recorder,
    assert_request,
    build_client,
    call,
    envelope,
    error,
    form_fields,
    multipart_parts,
    ok,
)

from mistral_lca import APIConnectionError, InvalidRequestError, NotFoundError, ServerError
from mistral_lca.types.files import DeleteFileResponse, FileObject, ListFilesResponse, SignedURL

FILE = {"id": "f-1", "object": "file", "bytes": 14, "filename": "doc.pdf", "purpose": "ocr", "sample_type": "ocr_input"}


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "doc.pdf"
    path.write_bytes(b"%PDF-1.4 hello")
    return path


async def test_upload_path_sends_multipart_file_and_fields(make_client: Any, form: str, pdf: Path) -> None:
    rec = Recorder(ok(FILE))
    uploaded = await call(make_client(rec), "files.upload", file=pdf, purpose="ocr", visibility="user", expiry=24)
    assert isinstance(uploaded, FileObject)
    assert (uploaded.id, uploaded.sample_type) == ("f-1", "ocr_input")
    assert_request(rec.last, "POST", form, "/v1/files")
    parts = multipart_parts(rec.last)
    assert [(p.name, p.filename, p.content_type) for p in parts] == [
        ("purpose", None, None),
        ("visibility", None, None),
        ("expiry", None, None),
        ("file", "doc.pdf", "application/pdf"),
    ]
    assert form_fields(rec.last) == {"purpose": ["ocr"], "visibility": ["user"], "expiry": ["24"]}
    assert parts[-1].data == b"%PDF-1.4 hello"
    assert rec.last.headers["content-length"] == str(len(rec.last.content))


@pytest.mark.parametrize(
    ("file", "filename", "content_type", "data"),
    [
        (b"%PDF-1.4 raw", "upload.pdf", "application/pdf", b"%PDF-1.4 raw"),
        (("notes.jsonl", b'{"a":1}\n'), "notes.jsonl", None, b'{"a":1}\n'),
        (
            ("scan.bin", io.BytesIO(b"\x89PNG\r\n\x1a\nxx"), "image/png"),
            "scan.bin",
            "image/png",
            b"\x89PNG\r\n\x1a\nxx",
        ),
    ],
)
async def test_upload_bytes_and_tuples(
    make_client: Any, file: Any, filename: str, content_type: str | None, data: bytes
) -> None:
    rec = Recorder(ok(FILE))
    await call(make_client(rec), "files.upload", file=file, purpose="batch")
    part = multipart_parts(rec.last)[-1]
    assert (part.name, part.filename, part.data) == ("file", filename, data)
    if content_type is not None:
        assert part.content_type == content_type


async def test_upload_open_file_object(make_client: Any, pdf: Path) -> None:
    rec = Recorder(ok(FILE))
    with pdf.open("rb") as handle:
        await call(make_client(rec), "files.upload", file=handle, purpose="ocr")
    part = multipart_parts(rec.last)[-1]
    assert (part.filename, part.content_type, part.data) == ("doc.pdf", "application/pdf", b"%PDF-1.4 hello")


class _ProbeTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Looks at the request body *as httpx hands it over*: a lazy stream read chunk by chunk."""

    def __init__(self) -> None:
        self.stream_types: list[type] = []
        self.chunk_sizes: list[int] = []
        self.content_length: str | None = None

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.stream_types.append(type(request.stream))
        self.content_length = request.headers.get("content-length")
        return httpx.Response(200, json=envelope(FILE))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._answer(request)
        self.chunk_sizes += [len(c) for c in request.stream]  # type: ignore[union-attr]
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = self._answer(request)
        self.chunk_sizes += [len(c) async for c in request.stream]  # type: ignore[union-attr]
        return response


async def test_upload_streams_the_file_from_disk_in_chunks(mode: str, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"x" * 300_000)
    probe = _ProbeTransport()
    client = build_client(mode, lambda r: ok(FILE), transport=probe)
    await call(client, "files.upload", file=big, purpose="batch")
    assert probe.stream_types and not issubclass(probe.stream_types[0], httpx.ByteStream)
    assert probe.content_length is not None and int(probe.content_length) > 300_000
    assert sum(probe.chunk_sizes) == int(probe.content_length)
    assert max(probe.chunk_sizes) < 300_000  # never the whole file in one piece


async def test_upload_is_not_retried_after_a_503(mode: str, pdf: Path) -> None:
    rec = Recorder(error(503, "overloaded"), ok(FILE))
    client = build_client(mode, rec)
    with pytest.raises(ServerError):
        await call(client, "files.upload", file=pdf, purpose="ocr")
    assert len(rec.requests) == 1


async def test_upload_is_retried_after_a_connect_error_and_resends_the_file(mode: str, pdf: Path) -> None:
    rec = Recorder(httpx.ConnectError("refused"), ok(FILE))
    client = build_client(mode, rec)
    uploaded = await call(client, "files.upload", file=pdf, purpose="ocr")
    assert uploaded.id == "f-1"
    assert len(rec.requests) == 2
    assert multipart_parts(rec.requests[1])[-1].data == b"%PDF-1.4 hello"
    assert len(client.sleeps) == 1


async def test_upload_is_not_retried_after_a_read_timeout(mode: str, pdf: Path) -> None:
    rec = Recorder(httpx.ReadTimeout("slow"), ok(FILE))
    with pytest.raises(APIConnectionError):
        await call(build_client(mode, rec), "files.upload", file=pdf, purpose="ocr")
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("/nonexistent/dir/missing.pdf", "/nonexistent/dir/missing.pdf"),
        (b"", "empty"),
        ("", "empty"),
        (12, "got int"),
        (("x.txt",), "tuple"),
        (io.StringIO("text"), "binary mode"),
    ],
)
async def test_upload_rejects_bad_input_before_sending(make_client: Any, file: Any, message: str) -> None:
    rec = Recorder(ok(FILE))
    with pytest.raises(InvalidRequestError, match=message):
        await call(make_client(rec), "files.upload", file=file, purpose="ocr")
    assert rec.requests == []


async def test_upload_rejects_a_directory(make_client: Any, tmp_path: Path) -> None:
    rec = Recorder(ok(FILE))
    with pytest.raises(InvalidRequestError, match="not a regular file"):
        await call(make_client(rec), "files.upload", file=tmp_path)
    assert rec.requests == []


async def test_list_sends_every_filter(make_client: Any, form: str) -> None:
    rec = Recorder(ok({"data": [FILE], "object": "list", "total": 1}))
    page = await call(
        make_client(rec),
        "files.list",
        page=2,
        page_size=10,
        purpose="batch",
        search="report",
        sample_type=["batch_result", "batch_error"],
        source="upload",
        include_total=True,
    )
    assert isinstance(page, ListFilesResponse)
    assert [f.id for f in page.data] == ["f-1"]
    query = [
        ("page", "2"),
        ("page_size", "10"),
        ("include_total", "true"),
        ("sample_type", "batch_result"),
        ("sample_type", "batch_error"),
        ("source", "upload"),
        ("search", "report"),
        ("purpose", "batch"),
    ]
    assert_request(rec.last, "GET", form, "/v1/files", query=query, json_body=None)


@pytest.mark.parametrize(
    ("method", "http_method", "template", "reply", "kind"),
    [
        ("retrieve", "GET", "/v1/files/{file_id}", FILE, FileObject),
        (
            "delete",
            "DELETE",
            "/v1/files/{file_id}",
            {"id": "f-1", "object": "file", "deleted": True},
            DeleteFileResponse,
        ),
        ("get_signed_url", "GET", "/v1/files/{file_id}/url", {"url": "https://signed/x"}, SignedURL),
    ],
)
async def test_single_file_endpoints(
    make_client: Any, form: str, method: str, http_method: str, template: str, reply: Any, kind: type
) -> None:
    rec = Recorder(ok(reply))
    result = await call(make_client(rec), f"files.{method}", "f-1")
    assert isinstance(result, kind)
    assert_request(rec.last, http_method, form, template, {"file_id": "f-1"}, json_body=None)


async def test_signed_url_expiry(make_client: Any, form: str) -> None:
    rec = Recorder(ok({"url": "https://signed/x"}))
    signed = await call(make_client(rec), "files.get_signed_url", "f-1", expiry=2)
    assert signed.url == "https://signed/x"
    assert_request(rec.last, "GET", form, "/v1/files/{file_id}/url", {"file_id": "f-1"}, query=[("expiry", "2")])


async def test_download_returns_raw_bytes(make_client: Any, form: str) -> None:
    body = b"\x00\x01 binary \xff"
    rec = Recorder(httpx.Response(200, content=body, headers={"content-type": "application/octet-stream"}))
    data = await call(make_client(rec), "files.download", "f-1")
    assert data == body
    assert_request(rec.last, "GET", form, "/v1/files/{file_id}/content", {"file_id": "f-1"})


async def test_download_unwraps_a_json_file_the_proxy_enveloped(make_client: Any) -> None:
    rec = Recorder(ok('{"custom_id": "0"}\n'))
    assert await call(make_client(rec), "files.download", "f-1") == b'{"custom_id": "0"}\n'


async def test_download_to_streams_to_disk(make_client: Any, form: str, tmp_path: Path) -> None:
    body = b"line\n" * 50_000
    rec = Recorder(httpx.Response(200, content=body, headers={"content-type": "application/octet-stream"}))
    target = tmp_path / "out" / "results.jsonl"
    target.parent.mkdir()
    written = await call(make_client(rec), "files.download_to", "f-1", target)
    assert written == target
    assert target.read_bytes() == body
    assert not (tmp_path / "out" / "results.jsonl.part").exists()
    assert_request(rec.last, "GET", form, "/v1/files/{file_id}/content", {"file_id": "f-1"})


async def test_download_to_retries_a_503_and_raises_a_404(mode: str, tmp_path: Path) -> None:
    target = tmp_path / "x.bin"
    rec = Recorder(error(503), httpx.Response(200, content=b"ok", headers={"content-type": "application/octet-stream"}))
    client = build_client(mode, rec)
    await call(client, "files.download_to", "f-1", target)
    assert target.read_bytes() == b"ok"
    assert len(rec.requests) == 2

    with pytest.raises(NotFoundError):
        await call(build_client(mode, Recorder(error(404, "No file"))), "files.download_to", "f-2", tmp_path / "y")
    assert not (tmp_path / "y").exists() and not (tmp_path / "y.part").exists()


@pytest.mark.parametrize("method", ["retrieve", "delete", "download", "get_signed_url"])
@pytest.mark.parametrize("bad", ["", "   ", None])
async def test_empty_ids_are_rejected_before_sending(make_client: Any, method: str, bad: Any) -> None:
    rec = Recorder(ok(FILE))
    with pytest.raises(InvalidRequestError, match="file_id"):
        await call(make_client(rec), f"files.{method}", bad)
    assert rec.requests == []
