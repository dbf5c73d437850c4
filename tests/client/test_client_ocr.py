"""``client.ocr``: the ``document`` forms, the simplified shortcuts, local-file helpers, uploads."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from client_support import Recorder, assert_request, call, form_fields, multipart_parts, ok

from mistral_lca import InvalidRequestError
from mistral_lca.ocr import document_from_bytes, document_from_file_id, document_from_path, document_from_url
from mistral_lca.types.ocr import OCRResponse

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
PDF = b"%PDF-1.4 sample"
RESULT = {
    "pages": [
        {"index": 1, "markdown": "second", "images": [], "dimensions": {"dpi": 93, "height": 1023, "width": 791}},
        {"index": 0, "markdown": "# First", "images": []},
    ],
    "model": "mistral-ocr-2505",
    "document_annotation": None,
    "usage_info": {"pages_processed": 2, "doc_size_bytes": 18810},
}


def _uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


async def test_process_with_a_document_url(make_client: Any, form: str) -> None:
    rec = Recorder(ok(RESULT))
    doc = {"type": "document_url", "document_url": "https://arxiv.org/pdf/2201.04234"}
    result = await call(
        make_client(rec),
        "ocr.process",
        model="mistral-ocr-latest",
        document=doc,
        pages=[0, 1],
        include_image_base64=True,
    )
    assert isinstance(result, OCRResponse)
    assert result.markdown == "# First\n\nsecond"
    assert result.pages[0].dimensions is not None and result.pages[0].dimensions.dpi == 93
    assert result.usage_info.pages_processed == 2
    body = {"model": "mistral-ocr-latest", "document": doc, "pages": [0, 1], "include_image_base64": True}
    assert_request(rec.last, "POST", form, "/v1/ocr", json_body=body)


@pytest.mark.parametrize(
    ("kwargs", "document"),
    [
        ({"image_url": "https://x/receipt.png"}, {"type": "image_url", "image_url": "https://x/receipt.png"}),
        ({"document_url": "https://x/a.pdf"}, {"type": "document_url", "document_url": "https://x/a.pdf"}),
        ({"file_id": "f-9"}, {"type": "file", "file_id": "f-9"}),
        ({"document": "https://x/photo.JPG?x=1"}, {"type": "image_url", "image_url": "https://x/photo.JPG?x=1"}),
        ({"document": "https://x/paper"}, {"type": "document_url", "document_url": "https://x/paper"}),
        ({"document": {"file_id": "f-9"}}, {"type": "file", "file_id": "f-9"}),
        (
            {"document": {"image_url": {"url": "https://x/a.png"}}},
            {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
        ),
    ],
)
async def test_simplified_inputs_become_a_valid_document(make_client: Any, kwargs: Any, document: Any) -> None:
    rec = Recorder(ok(RESULT))
    await call(make_client(rec), "ocr.process", **kwargs)
    body = json.loads(rec.last.content)
    assert body == {"model": "mistral-ocr-latest", "document": document}
    assert "image_url" not in body and "document_url" not in body


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give document="),
        ({"image_url": "https://x/a.png", "document_url": "https://x/b.pdf"}, "only one of"),
        ({"document": {"type": "audio_url", "audio_url": "x"}}, "unknown document type 'audio_url'"),
        ({"document": {"url": "https://x"}}, "document needs a type"),
        ({"document": {"type": "document_url"}}, "document.document_url"),
        ({"document": ""}, "URL is empty"),
        ({"document_url": "https://x/a.pdf", "pages": "all of them", "image_limit": "many"}, "image_limit"),
    ],
)
async def test_bad_documents_are_rejected_before_sending(make_client: Any, kwargs: Any, message: str) -> None:
    rec = Recorder(ok(RESULT))
    with pytest.raises(InvalidRequestError, match=message):
        await call(make_client(rec), "ocr.process", **kwargs)
    assert rec.requests == []


def test_document_helpers(tmp_path: Path) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(PDF)
    png = tmp_path / "scan.png"
    png.write_bytes(PNG)
    noext = tmp_path / "blob"
    noext.write_bytes(PNG)
    assert document_from_path(pdf) == {"type": "document_url", "document_url": _uri("application/pdf", PDF)}
    assert document_from_path(png) == {"type": "image_url", "image_url": _uri("image/png", PNG)}
    assert document_from_path(noext) == {"type": "image_url", "image_url": _uri("image/png", PNG)}  # sniffed
    assert document_from_bytes(PDF) == {"type": "document_url", "document_url": _uri("application/pdf", PDF)}
    assert document_from_bytes(b"\xff\xd8\xff\xe0jpeg")["type"] == "image_url"
    assert document_from_bytes(b"PK\x03\x04", filename="slides.pptx")["document_url"].startswith(
        "data:application/vnd.openxmlformats-officedocument.presentationml.presentation;base64,"
    )
    assert document_from_url("data:image/webp;base64,AAAA") == {
        "type": "image_url",
        "image_url": "data:image/webp;base64,AAAA",
    }
    assert document_from_file_id("f-1") == {"type": "file", "file_id": "f-1"}
    with pytest.raises(InvalidRequestError, match=re.escape(str(tmp_path / "missing.pdf"))):
        document_from_path(tmp_path / "missing.pdf")
    with pytest.raises(InvalidRequestError):
        document_from_bytes(b"")
    with pytest.raises(InvalidRequestError):
        document_from_file_id("")


async def test_process_file_inline_sends_a_data_uri(make_client: Any, tmp_path: Path) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(PDF)
    rec = Recorder(ok(RESULT))
    await call(make_client(rec), "ocr.process_file", pdf, include_image_base64=False)
    assert json.loads(rec.last.content) == {
        "model": "mistral-ocr-latest",
        "document": {"type": "document_url", "document_url": _uri("application/pdf", PDF)},
        "include_image_base64": False,
    }


async def test_process_file_with_upload_uses_purpose_ocr_then_the_file_id(
    make_client: Any, form: str, tmp_path: Path
) -> None:
    png = tmp_path / "scan.png"
    png.write_bytes(PNG)
    rec = Recorder(ok({"id": "up-1", "object": "file", "purpose": "ocr"}), ok(RESULT))
    result = await call(make_client(rec), "ocr.process_file", png, upload=True, model="mistral-ocr-2505")
    assert result.model == "mistral-ocr-2505"
    upload, process = rec.requests
    assert_request(upload, "POST", form, "/v1/files")
    assert form_fields(upload) == {"purpose": ["ocr"]}
    assert multipart_parts(upload)[-1].filename == "scan.png"
    assert_request(
        process,
        "POST",
        form,
        "/v1/ocr",
        json_body={"model": "mistral-ocr-2505", "document": {"type": "file", "file_id": "up-1"}},
    )


async def test_upload_document_returns_a_file_document(make_client: Any) -> None:
    rec = Recorder(ok({"id": "up-2", "object": "file"}))
    doc = await call(make_client(rec), "ocr.upload_document", ("a.pdf", PDF))
    assert doc == {"type": "file", "file_id": "up-2"}


async def test_process_file_rejects_an_unreadable_path_before_sending(make_client: Any, tmp_path: Path) -> None:
    rec = Recorder(ok(RESULT))
    missing = tmp_path / "nope.pdf"
    for upload in (False, True):
        with pytest.raises(InvalidRequestError, match=r"nope\.pdf"):
            await call(make_client(rec), "ocr.process_file", missing, upload=upload)
    assert rec.requests == []
