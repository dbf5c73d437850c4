"""OCR models: the ``document`` union of the request, and page/block/usage parsing of the answer."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mistral_lca.types.ocr import (
    DocumentURLChunk,
    FileChunk,
    ImageURL,
    ImageURLChunk,
    OCRRequest,
    OCRResponse,
)

# Shape of a real answer (data-URI PDF via document_url, 2026-08), trimmed.
REAL_RESPONSE = {
    "pages": [
        {
            "index": 0,
            "markdown": "# Sample PDF\n\n*This is a simple PDF file. Fun fun fun.*\n\nLorem ipsum dolor sit amet.",
            "images": [],
            "tables": [],
            "hyperlinks": [],
            "header": None,
            "footer": None,
            "dimensions": {"dpi": 93, "height": 1023, "width": 791},
            "confidence_scores": None,
            "blocks": [
                {
                    "top_left_x": 90,
                    "top_left_y": 98,
                    "bottom_right_x": 330,
                    "bottom_right_y": 144,
                    "content": "# Sample PDF",
                    "confidence_scores": None,
                    "type": "title",
                },
                {
                    "top_left_x": 90,
                    "top_left_y": 150,
                    "bottom_right_x": 460,
                    "bottom_right_y": 175,
                    "content": "*This is a simple PDF file. Fun fun fun.*",
                    "confidence_scores": None,
                    "type": "text",
                },
            ],
        }
    ],
    "model": "mistral-ocr-latest",
    "document_annotation": None,
    "usage_info": {"pages_processed": 1, "doc_size_bytes": 18810},
}


def test_request_with_document_url() -> None:
    req = OCRRequest(
        model="mistral-ocr-latest",
        document=DocumentURLChunk(document_url="data:application/pdf;base64,JVBERi0x"),
    )
    assert req.to_body() == {
        "model": "mistral-ocr-latest",
        "document": {"type": "document_url", "document_url": "data:application/pdf;base64,JVBERi0x"},
    }


def test_request_document_variants_from_models_and_dicts() -> None:
    by_file = OCRRequest(model="mistral-ocr-latest", document=FileChunk(file_id="bb9e30b1"))
    assert by_file.to_body()["document"] == {"type": "file", "file_id": "bb9e30b1"}

    image = OCRRequest(model="m", document=ImageURLChunk(image_url="https://example.com/a.png"))
    assert image.to_body()["document"] == {"type": "image_url", "image_url": "https://example.com/a.png"}

    image_obj = OCRRequest(
        model="m", document=ImageURLChunk(image_url=ImageURL(url="data:image/png;base64,iVBO", detail="high"))
    )
    assert image_obj.to_body()["document"] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,iVBO", "detail": "high"},
    }

    # Dicts work, with or without the type tag (inferred from the keys).
    from_dict = OCRRequest.model_validate({"model": "m", "document": {"file_id": "f1"}})
    assert isinstance(from_dict.document, FileChunk)
    assert from_dict.to_body()["document"] == {"type": "file", "file_id": "f1"}
    tagged = OCRRequest.model_validate(
        {"model": "m", "document": {"type": "document_url", "document_url": "https://x/y.pdf"}}
    )
    assert isinstance(tagged.document, DocumentURLChunk)


def test_request_optional_fields_exact_names() -> None:
    req = OCRRequest(
        model="mistral-ocr-latest",
        document=DocumentURLChunk(document_url="https://arxiv.org/pdf/2201.04234", document_name="paper.pdf"),
        pages=[0, 2],
        include_image_base64=True,
        image_limit=5,
        image_min_size=50,
        bbox_annotation_format={"type": "json_schema", "json_schema": {"name": "img", "schema": {}}},
        document_annotation_format={"type": "json_schema", "json_schema": {"name": "doc", "schema": {}}},
        document_annotation_prompt="Summarise",
        table_format="html",
        extract_header=True,
        extract_footer=False,
        include_blocks=False,
        confidence_scores_granularity="page",
    )
    body = req.to_body()
    assert body["document"] == {
        "type": "document_url",
        "document_url": "https://arxiv.org/pdf/2201.04234",
        "document_name": "paper.pdf",
    }
    assert set(body) == {
        "model",
        "document",
        "pages",
        "include_image_base64",
        "image_limit",
        "image_min_size",
        "bbox_annotation_format",
        "document_annotation_format",
        "document_annotation_prompt",
        "table_format",
        "extract_header",
        "extract_footer",
        "include_blocks",
        "confidence_scores_granularity",
    }
    assert body["pages"] == [0, 2]
    assert body["extract_footer"] is False
    assert OCRRequest(model="m", document=FileChunk(file_id="f"), pages="0-5").to_body()["pages"] == "0-5"


def test_request_requires_document_and_rejects_top_level_image_url_shape() -> None:
    with pytest.raises(ValidationError):
        OCRRequest.model_validate({"model": "mistral-ocr-latest", "image_url": "https://x/y.png"})
    with pytest.raises(ValidationError):
        OCRRequest.model_validate({"model": "m", "document": {"type": "unknown_kind"}})


def test_real_response_parses() -> None:
    resp = OCRResponse.model_validate(REAL_RESPONSE)
    assert resp.model == "mistral-ocr-latest"
    assert resp.usage_info.pages_processed == 1
    assert resp.usage_info.doc_size_bytes == 18810
    assert resp.document_annotation is None
    page = resp.pages[0]
    assert page.index == 0
    assert page.markdown.startswith("# Sample PDF")
    assert page.dimensions is not None
    assert (page.dimensions.dpi, page.dimensions.height, page.dimensions.width) == (93, 1023, 791)
    assert page.blocks is not None
    assert [b.type for b in page.blocks] == ["title", "text"]
    assert page.blocks[0].content == "# Sample PDF"
    assert page.blocks[0].bottom_right_x == 330
    assert resp.markdown == page.markdown


def test_spec_example_shapes_images_and_empty_dimensions() -> None:
    resp = OCRResponse.model_validate(
        {
            "model": "mistral-ocr-2503-completion",
            "pages": [
                {
                    "index": 2,
                    "markdown": "![img-0.jpeg](img-0.jpeg)\n\nFigure 1",
                    "images": [
                        {
                            "id": "img-0.jpeg",
                            "top_left_x": 292,
                            "top_left_y": 217,
                            "bottom_right_x": 1405,
                            "bottom_right_y": 649,
                            "image_base64": "...",
                        }
                    ],
                    "dimensions": {"dpi": 200, "height": 2200, "width": 1700},
                },
                {"index": 1, "markdown": "# Title", "images": [], "dimensions": {}},
            ],
            "usage_info": {"pages_processed": 29, "doc_size_bytes": None},
        }
    )
    assert resp.pages[0].images[0].id == "img-0.jpeg"
    assert resp.pages[0].images[0].image_base64 == "..."
    assert resp.pages[1].dimensions is not None
    assert resp.pages[1].dimensions.dpi is None
    assert resp.pages[1].blocks is None
    assert resp.pages[1].tables == []
    assert resp.markdown == "# Title\n\n![img-0.jpeg](img-0.jpeg)\n\nFigure 1"  # ordered by index


def test_unknown_block_types_tables_and_confidence() -> None:
    resp = OCRResponse.model_validate(
        {
            "model": "m",
            "pages": [
                {
                    "index": 0,
                    "markdown": "[tbl-0.html](tbl-0.html)",
                    "images": [],
                    "dimensions": None,
                    "tables": [{"id": "tbl-0.html", "content": "<table></table>", "format": "html"}],
                    "confidence_scores": {
                        "average_page_confidence_score": 0.97,
                        "minimum_page_confidence_score": 0.5,
                        "word_confidence_scores": [{"text": "Hello", "confidence": 0.99, "start_index": 0}],
                    },
                    "blocks": [
                        {"type": "hologram", "content": "?", "future": 1},
                        {
                            "type": "table",
                            "content": "",
                            "table_id": "tbl-0.html",
                            "top_left_x": 0,
                            "top_left_y": 0,
                            "bottom_right_x": 1,
                            "bottom_right_y": 1,
                            "confidence_scores": {"block_type_confidence_score": 0.8},
                        },
                    ],
                    "new_page_field": "kept",
                }
            ],
            "usage_info": {"pages_processed": 1},
        }
    )
    page = resp.pages[0]
    assert page.tables[0].format == "html"
    assert page.confidence_scores is not None
    assert page.confidence_scores.word_confidence_scores is not None
    assert page.confidence_scores.word_confidence_scores[0].text == "Hello"
    assert page.blocks is not None
    assert page.blocks[0].type == "hologram"
    assert page.blocks[0].model_extra == {"future": 1}
    assert page.blocks[1].table_id == "tbl-0.html"
    assert page.blocks[1].confidence_scores is not None
    assert page.blocks[1].confidence_scores.block_type_confidence_score == 0.8
    assert page.model_extra == {"new_page_field": "kept"}
