"""MistralOCRLoader and MistralTranscriptionLoader against httpx.MockTransport."""

from __future__ import annotations

import base64
import inspect
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.documents import Document
from lc_support import TOKEN, Recorder, envelope

from langchain_mistral_lca import MistralOCRLoader, MistralTranscriptionLoader

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n2 0 obj << /Type /Page >> endobj\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
OCR_FIELDS = {
    "model", "document", "pages", "include_image_base64", "image_limit", "image_min_size", "bbox_annotation_format",
    "document_annotation_format", "document_annotation_prompt", "table_format", "extract_header", "extract_footer",
    "include_blocks", "confidence_scores_granularity",
}  # fmt: skip

OCR_RESULT = {
    "model": "mistral-ocr-2505",
    "pages": [
        {
            "index": 1,
            "markdown": "## Results\n\nRevenue grew.",
            "images": [],
            "dimensions": {"dpi": 200, "height": 2200, "width": 1700},
        },
        {
            "index": 0,
            "markdown": "# Annual report\n\n![img-0.jpeg](img-0.jpeg)",
            "images": [
                {"id": "img-0.jpeg", "top_left_x": 1, "top_left_y": 2, "bottom_right_x": 3, "bottom_right_y": 4}
            ],
            "dimensions": {"dpi": 200, "height": 2200, "width": 1700},
        },
    ],
    "usage_info": {"pages_processed": 2, "doc_size_bytes": 1234},
}
FILE = {
    "id": "3b2c5b4e-0000-4000-8000-000000000001",
    "object": "file",
    "bytes": 80,
    "filename": "report.pdf",
    "purpose": "ocr",
}
TRANSCRIPT = {
    "model": "voxtral-mini-2507",
    "text": "Hello and welcome.",
    "language": "en",
    "segments": [{"type": "transcription_segment", "text": "Hello and welcome.", "start": 0.0, "end": 1.4}],
    "usage": {"prompt_audio_seconds": 2, "prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9},
    "finish_reason": "stop",
}


def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/v1/ocr"):
        assert {"model", "document"} <= set(body) <= OCR_FIELDS
        return httpx.Response(200, json=envelope(OCR_RESULT))
    if path.endswith("/v1/files"):
        return httpx.Response(200, json=envelope(FILE))
    if path.endswith("/v1/audio/transcriptions"):
        return httpx.Response(200, json=envelope(TRANSCRIPT))
    return httpx.Response(404, json={"message": "Not Found"})


def settings() -> tuple[Recorder, dict[str, Any]]:
    recorder = Recorder(respond)
    return recorder, {"api_token": TOKEN, **recorder.clients()}


async def load(loader: Any, mode: str) -> list[Document]:
    if mode == "sync":
        return list(loader.lazy_load())
    return [doc async for doc in loader.alazy_load()]


async def test_ocr_local_pdf_is_sent_inline_and_split_per_page(mode: str, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF_BYTES)
    recorder, conn = settings()
    docs = await load(MistralOCRLoader(pdf, pages=[0, 1], include_image_base64=True, **conn), mode)
    body = recorder.last
    assert body["model"] == "mistral-ocr-latest"
    assert body["pages"] == [0, 1] and body["include_image_base64"] is True
    assert body["document"] == {
        "type": "document_url",
        "document_url": "data:application/pdf;base64," + base64.b64encode(PDF_BYTES).decode(),
    }
    assert [d.metadata["page"] for d in docs] == [0, 1]  # in page order, whatever order the API used
    first = docs[0]
    assert first.page_content.startswith("# Annual report")
    assert first.metadata == {
        "source": str(pdf),
        "page": 0,
        "total_pages": 2,
        "dimensions": {"dpi": 200, "height": 2200, "width": 1700},
        "model": "mistral-ocr-2505",
        "images": [{"id": "img-0.jpeg", "top_left_x": 1, "top_left_y": 2, "bottom_right_x": 3, "bottom_right_y": 4}],
    }
    assert "images" not in docs[1].metadata


async def test_ocr_image_url_and_file_id_sources(mode: str, tmp_path: Path) -> None:
    recorder, conn = settings()
    image = tmp_path / "scan.png"
    image.write_bytes(PNG_BYTES)
    await load(MistralOCRLoader(image, **conn), mode)
    assert recorder.last["document"]["type"] == "image_url"
    assert recorder.last["document"]["image_url"].startswith("data:image/png;base64,")
    await load(MistralOCRLoader("https://example.com/paper.pdf", **conn), mode)
    assert recorder.last["document"] == {"type": "document_url", "document_url": "https://example.com/paper.pdf"}
    docs = await load(MistralOCRLoader(file_id=FILE["id"], ocr_kwargs={"table_format": "html"}, **conn), mode)
    assert recorder.last["document"] == {"type": "file", "file_id": FILE["id"]}
    assert recorder.last["table_format"] == "html"
    assert docs[0].metadata["source"] == FILE["id"]


async def test_ocr_upload_sends_the_file_first(mode: str, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF_BYTES)
    recorder, conn = settings()
    docs = await load(MistralOCRLoader(pdf, upload=True, **conn), mode)
    upload, ocr = recorder.requests
    assert upload.url.path.endswith("/v1/files") and b'name="purpose"' in upload.content and b"ocr" in upload.content
    assert PDF_BYTES in upload.content
    assert json.loads(ocr.content)["document"] == {"type": "file", "file_id": FILE["id"]}
    assert len(docs) == 2


def test_loader_needs_exactly_one_source() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        MistralOCRLoader(api_token=TOKEN)
    with pytest.raises(ValueError, match="exactly one"):
        MistralTranscriptionLoader("a.mp3", file_id="x", api_token=TOKEN)


async def test_transcription_of_a_file_and_a_url(mode: str, tmp_path: Path) -> None:
    audio = tmp_path / "meeting.mp3"
    audio.write_bytes(b"ID3" + b"\x00" * 32)
    recorder, conn = settings()
    [doc] = await load(
        MistralTranscriptionLoader(audio, language="en", timestamp_granularities=["segment"], **conn), mode
    )
    request = recorder.requests[-1]
    assert b'name="model"' in request.content and b"voxtral-mini-latest" in request.content
    assert b'filename="meeting.mp3"' in request.content and b'name="language"' in request.content
    assert doc.page_content == "Hello and welcome."
    assert doc.metadata["segments"] == [
        {"type": "transcription_segment", "text": "Hello and welcome.", "start": 0.0, "end": 1.4}
    ]
    assert doc.metadata["language"] == "en" and doc.metadata["model"] == "voxtral-mini-2507"
    assert doc.metadata["source"] == str(audio)
    assert doc.metadata["usage"]["prompt_audio_seconds"] == 2

    await load(MistralTranscriptionLoader("https://example.com/talk.mp3", **conn), mode)
    assert b'name="file_url"' in recorder.requests[-1].content


@pytest.mark.parametrize("loader_cls", [MistralOCRLoader, MistralTranscriptionLoader])
def test_positional_source_is_declared_on_each_loader(loader_cls: type[Any], tmp_path: Path) -> None:
    """pydantic's mypy plugin synthesises a keyword-only ``__init__`` for any model class without its own, which
    made ``MistralOCRLoader("report.pdf")`` a type error; each loader therefore declares the positional form."""
    assert "__init__" in vars(loader_cls)
    source = inspect.signature(loader_cls.__init__).parameters["source"]
    assert source.kind is inspect.Parameter.POSITIONAL_ONLY
    path = tmp_path / "report.pdf"
    assert loader_cls(path, api_token=TOKEN).file_path == path
    assert loader_cls(str(path), api_token=TOKEN).file_path == path
    assert loader_cls("https://example.com/a", api_token=TOKEN).url == "https://example.com/a"
    assert loader_cls(file_path=path, api_token=TOKEN).file_path == path
    assert loader_cls(file_id="f-1", api_token=TOKEN).file_id == "f-1"
