"""OCR (``/v1/ocr``): validates the ``document`` union like the real schema, answers markdown pages."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from .replies import Call, ErrorReply, JsonReply, Reply, check_fields, json_object, not_found, validation_error
from .schema import synthesize
from .state import FakeState

__all__ = ["OCR_FIELDS", "OCR_ROUTES", "count_pdf_pages"]

OCR_FIELDS = frozenset(
    (
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
    )
)
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_DOC_TYPES = ("document_url", "image_url", "file")


def count_pdf_pages(data: bytes) -> int:
    return max(1, len(_PAGE.findall(data)))


def _decode_data_uri(uri: str) -> tuple[str, bytes]:
    header, _, payload = uri.partition(",")
    mime = header[5:].split(";")[0] if header.startswith("data:") else ""
    try:
        data = base64.b64decode(payload, validate=False) if ";base64" in header else payload.encode()
    except (binascii.Error, ValueError):
        data = b""
    return mime, data


def _document(state: FakeState, doc: Any) -> tuple[str, bytes, int] | ErrorReply:
    """(name, bytes, page count) for the ``document`` union."""
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind not in _DOC_TYPES:
        return validation_error(
            [
                {
                    "type": "union_tag_invalid",
                    "loc": ["body", "document"],
                    "msg": f"Input tag '{kind}' found using 'type' does not match any of the expected tags: "
                    "'document_url', 'image_url', 'file'",
                    "input": doc,
                }
            ]
        )
    assert isinstance(doc, dict)
    if kind == "file":
        stored = state.files.get(str(doc.get("file_id")))
        if stored is None:
            return not_found("File", str(doc.get("file_id")))
        data = stored.data
        pages = count_pdf_pages(data) if data.startswith(b"%PDF") else 1
        return str(stored.meta["filename"]), data, pages
    value = doc.get(kind)
    url = value.get("url") if isinstance(value, dict) else value
    if not isinstance(url, str) or not url:
        return validation_error(
            [{"type": "missing", "loc": ["body", "document", kind], "msg": "Field required", "input": doc}]
        )
    if url.startswith("data:"):
        name = str(doc.get("document_name") or "document")
        mime, data = _decode_data_uri(url)
        pages = count_pdf_pages(data) if mime == "application/pdf" or data.startswith(b"%PDF") else 1
        return name, data, pages
    return str(doc.get("document_name") or url.rsplit("/", 1)[-1][:60] or "document"), b"", 1


def _selected(pages_param: Any, total: int) -> list[int]:
    if pages_param is None:
        return list(range(total))
    wanted: set[int] = set()
    if isinstance(pages_param, str):
        for part in pages_param.split(","):
            lo, _, hi = part.partition("-")
            if lo.strip().isdigit():
                wanted.update(range(int(lo), (int(hi) if hi.strip().isdigit() else int(lo)) + 1))
    elif isinstance(pages_param, list):
        wanted.update(p for p in pages_param if isinstance(p, int))
    return [i for i in range(total) if i in wanted]


def _annotation(fmt: Any) -> str | None:
    if not isinstance(fmt, dict):
        return None
    spec = fmt.get("json_schema") or {}
    schema = spec.get("schema", spec) if isinstance(spec, dict) else {}
    return json.dumps(synthesize(schema))


def handle_ocr(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = check_fields(body, required=("document", "model"), allowed=OCR_FIELDS if state.config.strict else None)
    if err is not None:
        return err
    found = _document(state, body["document"])
    if isinstance(found, ErrorReply):
        return found
    name, data, total = found
    blocks = body.get("include_blocks", True) is not False
    pages = []
    for i in _selected(body.get("pages"), total):
        markdown = f"# {name} — page {i + 1}\n\nFake OCR text for page {i + 1} of {total}."
        page: dict[str, Any] = {
            "index": i,
            "markdown": markdown,
            "images": [],
            "tables": [],
            "hyperlinks": [],
            "header": None,
            "footer": None,
            "dimensions": {"dpi": 200, "height": 2200, "width": 1700},
            "confidence_scores": None,
        }
        if blocks:
            page["blocks"] = [
                {
                    "top_left_x": 90,
                    "top_left_y": 98,
                    "bottom_right_x": 1610,
                    "bottom_right_y": 400,
                    "content": markdown,
                    "confidence_scores": None,
                    "type": "text",
                }
            ]
        pages.append(page)
    return JsonReply(
        {
            "pages": pages,
            "model": body["model"] or "mistral-ocr-latest",
            "document_annotation": _annotation(body.get("document_annotation_format")),
            "usage_info": {"pages_processed": len(pages), "doc_size_bytes": len(data)},
        }
    )


OCR_ROUTES = (("POST", "/v1/ocr", handle_ocr),)
