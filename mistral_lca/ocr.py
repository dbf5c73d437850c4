"""OCR document helpers: turn a local file, bytes, a URL or an uploaded file id into an OCR ``document``.

>>> from mistral_lca.ocr import document_from_path
>>> client.ocr.process(document=document_from_path("scan.pdf"))
"""

from __future__ import annotations

from .resources.ocr import (
    DEFAULT_OCR_MODEL,
    document_from_bytes,
    document_from_file_id,
    document_from_input,
    document_from_path,
    document_from_url,
    file_document,
)

__all__ = [
    "DEFAULT_OCR_MODEL",
    "document_from_bytes",
    "document_from_file_id",
    "document_from_input",
    "document_from_path",
    "document_from_url",
    "file_document",
]
