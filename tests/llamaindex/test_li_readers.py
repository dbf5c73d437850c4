"""MistralOCRReader and MistralTranscriptionReader: requests, Documents, SimpleDirectoryReader, sync and async."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from li_support import TOKEN, Recorder, envelope, transports
from llama_index.core import SimpleDirectoryReader
from llama_index.core.schema import Document

from llamaindex_mistral_lca import MistralOCRReader, MistralTranscriptionReader

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
OCR_FIELDS = {
    "model", "document", "pages", "include_image_base64", "image_limit", "image_min_size", "bbox_annotation_format",
    "document_annotation_format", "document_annotation_prompt", "table_format", "extract_header", "extract_footer",
    "include_blocks", "confidence_scores_granularity",
}  # fmt: skip


def ocr_result(pages: int = 2) -> dict[str, Any]:
    return {
        "pages": [
            {
                "index": i,
                "markdown": f"# Page {i + 1}\n\ntext {i + 1}",
                "images": [{"id": f"img-{i}.jpeg", "top_left_x": 0}] if i == 0 else [],
                "dimensions": {"dpi": 200, "height": 2200, "width": 1700},
            }
            for i in reversed(range(pages))  # out of order on purpose: index decides
        ],
        "model": "mistral-ocr-2505",
        "usage_info": {"pages_processed": pages, "doc_size_bytes": 42},
    }


def ocr_router(request: httpx.Request) -> httpx.Response:
    path = request.url.path.removeprefix("/mistralai")
    if path == "/v1/files":
        return httpx.Response(
            200,
            json=envelope({"id": "00000000-0000-4000-8000-000000000001", "object": "file", "bytes": 42,
                           "created_at": 1, "filename": "scan.pdf", "purpose": "ocr"}),
        )  # fmt: skip
    if path == "/v1/ocr":
        return httpx.Response(200, json=envelope(ocr_result()))
    return httpx.Response(404, json={"detail": "Not Found"})


def make_ocr(rec: Recorder, **kwargs: Any) -> MistralOCRReader:
    return MistralOCRReader(api_token=TOKEN, max_retries=0, **transports(rec), **kwargs)


async def load(reader: Any, mode: str, *args: Any, **kwargs: Any) -> list[Document]:
    return reader.load_data(*args, **kwargs) if mode == "sync" else await reader.aload_data(*args, **kwargs)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "scan.pdf"
    path.write_bytes(PDF)
    return path


async def test_ocr_one_document_per_page(mode: str, pdf: Path) -> None:
    rec = Recorder(ocr_router)
    docs = await load(make_ocr(rec), mode, pdf, extra_info={"source": "unit"})
    assert rec.body == {
        "model": "mistral-ocr-latest",
        "document": {
            "type": "document_url",
            "document_url": "data:application/pdf;base64," + base64.b64encode(PDF).decode(),
        },
    }
    assert set(rec.body) <= OCR_FIELDS
    assert [d.text for d in docs] == ["# Page 1\n\ntext 1", "# Page 2\n\ntext 2"]
    first = docs[0].metadata
    assert first["page_number"] == 1 and first["page_label"] == "1" and first["total_pages"] == 2
    assert (first["page_width"], first["page_height"], first["page_dpi"]) == (1700, 2200, 200)
    assert first["source"] == "unit" and first["file_name"] == "scan.pdf" and first["ocr_model"] == "mistral-ocr-2505"
    assert first["image_ids"] == ["img-0.jpeg"]


async def test_ocr_one_document_per_file_with_options(mode: str, pdf: Path) -> None:
    rec = Recorder(ocr_router)
    reader = make_ocr(rec, split_by_page=False, pages=[0, 1], table_format="html", ocr_kwargs={"extract_header": True})
    docs = await load(reader, mode, str(pdf))
    assert len(docs) == 1
    assert docs[0].text == "# Page 1\n\ntext 1\n\n# Page 2\n\ntext 2"
    assert docs[0].metadata["total_pages"] == 2
    assert {k: rec.body[k] for k in ("pages", "table_format", "extract_header")} == {
        "pages": [0, 1],
        "table_format": "html",
        "extract_header": True,
    }


async def test_ocr_image_url_and_upload(mode: str, tmp_path: Path, pdf: Path) -> None:
    image = tmp_path / "shot.png"
    image.write_bytes(PNG)
    rec = Recorder(ocr_router)
    await load(make_ocr(rec), mode, image)
    assert rec.body["document"]["type"] == "image_url"
    assert rec.body["document"]["image_url"].startswith("data:image/png;base64,")

    await load(make_ocr(rec), mode, "https://example.com/paper.pdf")
    assert rec.body["document"] == {"type": "document_url", "document_url": "https://example.com/paper.pdf"}

    rec.requests.clear()
    await load(make_ocr(rec, upload=True), mode, pdf)
    assert [r.url.path for r in rec.requests] == ["/mistralai/v1/files", "/mistralai/v1/ocr"]
    assert b'name="purpose"' in rec.requests[0].content and b"ocr" in rec.requests[0].content
    assert json.loads(rec.requests[1].content)["document"] == {
        "type": "file",
        "file_id": "00000000-0000-4000-8000-000000000001",
    }


async def test_ocr_with_fsspec_filesystem(mode: str) -> None:
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    fs.pipe("/docs/remote.pdf", PDF)
    rec = Recorder(ocr_router)
    docs = await load(make_ocr(rec), mode, "/docs/remote.pdf", fs=fs)
    assert rec.body["document"]["document_url"].startswith("data:application/pdf;base64,")
    assert docs[0].metadata["file_name"] == "remote.pdf"


async def test_simple_directory_reader_plugs_in(mode: str, tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(PDF)
    (tmp_path / "b.png").write_bytes(PNG)
    (tmp_path / "notes.txt").write_text("plain text")
    rec = Recorder(ocr_router)
    reader = make_ocr(rec)
    directory = SimpleDirectoryReader(str(tmp_path), file_extractor={".pdf": reader, ".png": reader})
    docs = directory.load_data() if mode == "sync" else await directory.aload_data()
    by_file: dict[str, list[Document]] = {}
    for doc in docs:
        by_file.setdefault(doc.metadata["file_name"], []).append(doc)
    assert sorted(by_file) == ["a.pdf", "b.png", "notes.txt"]
    assert [d.metadata["page_number"] for d in by_file["a.pdf"]] == [1, 2]
    assert by_file["a.pdf"][0].metadata["file_type"] == "application/pdf"
    assert len(rec.requests) == 2


def test_reader_serialises_without_secret() -> None:
    reader = MistralOCRReader(api_token=TOKEN)
    assert reader.is_remote is True
    for text in (repr(reader), reader.to_json()):
        assert TOKEN not in text
    assert MistralOCRReader.from_dict(reader.to_dict(), api_token=TOKEN).model == "mistral-ocr-latest"


# ------------------------------------------------------------------------------------------ transcription


def transcription_reply(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json=envelope(
            {
                "model": "voxtral-mini-2507",
                "text": "Hello there. General Kenobi.",
                "language": "en",
                "segments": [
                    {"type": "transcription_segment", "text": "Hello there.", "start": 0.0, "end": 1.2},
                    {"type": "transcription_segment", "text": "General Kenobi.", "start": 1.5, "end": 2.9},
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 8, "total_tokens": 18, "prompt_audio_seconds": 3},
            }
        ),
    )


async def test_transcription_reader(mode: str, tmp_path: Path) -> None:
    audio = tmp_path / "clip.mp3"
    audio.write_bytes(b"ID3" + b"\x00" * 64)
    rec = Recorder(transcription_reply)
    reader = MistralTranscriptionReader(api_token=TOKEN, language="en", **transports(rec))
    docs = await load(reader, mode, audio)
    request = rec.requests[0]
    assert request.url.path == "/mistralai/v1/audio/transcriptions"
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert b'name="model"' in request.content and b"voxtral-mini-latest" in request.content
    assert b'filename="clip.mp3"' in request.content and b'name="language"' in request.content
    assert [d.text for d in docs] == ["Hello there. General Kenobi."]
    assert docs[0].metadata["language"] == "en" and docs[0].metadata["audio_seconds"] == 3
    assert docs[0].metadata["file_name"] == "clip.mp3"


async def test_transcription_by_segment_from_url(mode: str) -> None:
    rec = Recorder(transcription_reply)
    reader = MistralTranscriptionReader(
        api_token=TOKEN, split_by_segment=True, timestamp_granularities=["segment"], **transports(rec)
    )
    docs = await load(reader, mode, "https://example.com/a.mp3")
    assert b'name="file_url"' in rec.requests[0].content and b"https://example.com/a.mp3" in rec.requests[0].content
    assert [(d.text, d.metadata["segment_start"], d.metadata["segment_end"]) for d in docs] == [
        ("Hello there.", 0.0, 1.2),
        ("General Kenobi.", 1.5, 2.9),
    ]
