"""``client.ocr``: ``POST /v1/ocr``, plus helpers that turn local files into the request's ``document``.

``document`` is ``{"type": "document_url" | "image_url" | "file", ...}``. The simplified forms some docs
show (a top-level ``image_url=`` or ``document_url=``) are accepted here and sent in the valid ``document``
form. Local files become ``data:`` URIs (:func:`document_from_path`, :func:`document_from_bytes`) or are
uploaded with purpose ``ocr`` and referenced by id (``client.ocr.upload_document``).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from typing_extensions import TypedDict, Unpack

from .._errors import InvalidRequestError
from .._operation import Operation, model_parser
from .._request import RequestSpec
from ..types.files import FileObject
from ..types.ocr import OCRRequest, OCRResponse
from ._base import AsyncResource, SyncResource
from ._common import request_body, require_id
from ._uploads import FileInput, check_ocr_media_type, guess_mime_type, upload_source
from .files import upload_operation

__all__ = [
    "DEFAULT_OCR_MODEL",
    "AsyncOcr",
    "OCRParams",
    "Ocr",
    "document_from_bytes",
    "document_from_file_id",
    "document_from_path",
    "document_from_url",
    "file_document",
    "process_operation",
]

DEFAULT_OCR_MODEL = "mistral-ocr-latest"
_DOCUMENT_TYPES = ("document_url", "image_url", "file")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".avif", ".heic")


class OCRParams(TypedDict, total=False):
    """Keyword arguments of ``client.ocr.process``: exactly one of ``document``, ``document_url``,
    ``image_url`` or ``file_id`` names the input."""

    model: str
    document: dict[str, Any] | str | BaseModel
    document_url: str
    image_url: str
    file_id: str
    pages: list[int] | str
    include_image_base64: bool
    image_limit: int
    image_min_size: int
    bbox_annotation_format: dict[str, Any]
    document_annotation_format: dict[str, Any]
    document_annotation_prompt: str
    table_format: str
    extract_header: bool
    extract_footer: bool
    include_blocks: bool
    confidence_scores_granularity: str


# ------------------------------------------------------------------------------------ document helpers


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _document_for(url: str, mime: str | None) -> dict[str, Any]:
    if mime is not None and mime.startswith("image/"):
        return {"type": "image_url", "image_url": url}
    return {"type": "document_url", "document_url": url}


def document_from_bytes(data: bytes, *, mime_type: str | None = None, filename: str | None = None) -> dict[str, Any]:
    """An OCR ``document`` holding ``data`` as a ``data:`` URI: ``image_url`` for images, else ``document_url``.

    The media type is ``mime_type``, else guessed from ``filename``, else sniffed from the first bytes
    (PDF and common image formats), else ``application/pdf``.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)) or not data:
        label = f"file {filename!r} is empty (0 bytes)" if filename else "the document bytes are empty"
        raise InvalidRequestError(f"Invalid ocr request: {label}")
    raw = bytes(data)
    mime = mime_type or guess_mime_type(filename, raw[:16]) or "application/pdf"
    check_ocr_media_type(mime, filename, "ocr")
    return _document_for(_data_uri(raw, mime), mime)


def document_from_path(path: str | os.PathLike[str], *, mime_type: str | None = None) -> dict[str, Any]:
    """An OCR ``document`` holding the file at ``path`` as a ``data:`` URI (see :func:`document_from_bytes`)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InvalidRequestError(f"Invalid ocr request: cannot read file {str(path)!r}: {exc.strerror}") from None
    return document_from_bytes(data, mime_type=mime_type, filename=file.name)


def document_from_url(url: str) -> dict[str, Any]:
    """An OCR ``document`` for a URL: ``image_url`` for ``data:image/`` URIs and image names, else ``document_url``."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidRequestError("Invalid ocr request: the document URL is empty")
    if url.startswith("data:"):
        mime = url[5:].split(";", 1)[0].split(",", 1)[0]
        check_ocr_media_type(mime, None, "ocr")
        return _document_for(url, mime)
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return _document_for(url, "image/*" if path.endswith(_IMAGE_SUFFIXES) else None)


def document_from_file_id(file_id: str) -> dict[str, Any]:
    """An OCR ``document`` referring to a file uploaded with purpose ``ocr``."""
    return {"type": "file", "file_id": require_id(file_id, "file_id")}


def file_document(uploaded: FileObject) -> dict[str, Any]:
    """The OCR ``document`` for a file returned by ``client.files.upload``."""
    return document_from_file_id(uploaded.id)


def document_from_input(file: FileInput) -> dict[str, Any]:
    """A path, bytes or ``(filename, fileobj)`` as an inline ``data:`` URI document (read into memory)."""
    if isinstance(file, (str, os.PathLike)):
        return document_from_path(file)
    if isinstance(file, (bytes, bytearray, memoryview)):
        return document_from_bytes(bytes(file))
    source = upload_source(file, what="ocr")
    body = source.open()
    data = body if isinstance(body, bytes) else body.read()
    return document_from_bytes(data, mime_type=source.content_type, filename=source.filename)


# ------------------------------------------------------------------------------------------- operations


def _document(params: OCRParams) -> Any:
    given = [key for key in ("document", "document_url", "image_url", "file_id") if params.get(key) is not None]
    if not given:
        raise InvalidRequestError("Invalid ocr request: give document= (or document_url=, image_url=, file_id=)")
    if len(given) > 1:
        raise InvalidRequestError(f"Invalid ocr request: give only one of {', '.join(given)}")
    key = given[0]
    value: Any = params[key]  # type: ignore[literal-required]
    if key == "document_url":
        return {"type": "document_url", "document_url": value}
    if key == "image_url":
        return {"type": "image_url", "image_url": value}
    if key == "file_id":
        return document_from_file_id(value)
    if isinstance(value, str):
        return document_from_url(value)
    if isinstance(value, dict):
        kind = value.get("type")
        if kind is None and not any(k in value for k in ("document_url", "image_url", "file_id")):
            raise InvalidRequestError(
                "Invalid ocr request: document needs a type (document_url, image_url or file) and its value"
            )
        if kind is not None and kind not in _DOCUMENT_TYPES:
            raise InvalidRequestError(
                f"Invalid ocr request: unknown document type {kind!r} (expected document_url, image_url or file)"
            )
    return value


def process_operation(params: OCRParams) -> Operation[OCRResponse]:
    body_params: dict[str, Any] = {k: v for k, v in params.items() if k not in ("document_url", "image_url", "file_id")}
    body_params["document"] = _document(params)
    model = params.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise InvalidRequestError("Invalid ocr request: model must be a non-empty string (or left out for the default)")
    body_params["model"] = model or DEFAULT_OCR_MODEL
    body = request_body(OCRRequest, body_params, "ocr")
    return Operation(RequestSpec("POST", "/v1/ocr", json=body), model_parser(OCRResponse))


def _upload(file: FileInput) -> Operation[FileObject]:
    return upload_operation(file, purpose="ocr")


class Ocr(SyncResource):
    def process(self, **params: Unpack[OCRParams]) -> OCRResponse:
        """Run OCR on ``document`` (or the ``document_url=`` / ``image_url=`` / ``file_id=`` shortcut)."""
        return self._run(process_operation(params))

    def upload_document(self, file: FileInput) -> dict[str, Any]:
        """Upload a local file (purpose ``ocr``) and return the ``{"type": "file", "file_id": ...}`` document."""
        return file_document(self._run(_upload(file)))

    def process_file(self, file: FileInput, *, upload: bool = False, **params: Unpack[OCRParams]) -> OCRResponse:
        """OCR a local file: sent inline as a ``data:`` URI, or uploaded first when ``upload=True``."""
        document = self.upload_document(file) if upload else document_from_input(file)
        return self._run(process_operation({**params, "document": document}))


class AsyncOcr(AsyncResource):
    async def process(self, **params: Unpack[OCRParams]) -> OCRResponse:
        """Run OCR on ``document`` (or the ``document_url=`` / ``image_url=`` / ``file_id=`` shortcut)."""
        return await self._run(process_operation(params))

    async def upload_document(self, file: FileInput) -> dict[str, Any]:
        """Upload a local file (purpose ``ocr``) and return the ``{"type": "file", "file_id": ...}`` document."""
        return file_document(await self._run(_upload(file)))

    async def process_file(self, file: FileInput, *, upload: bool = False, **params: Unpack[OCRParams]) -> OCRResponse:
        """OCR a local file: sent inline as a ``data:`` URI, or uploaded first when ``upload=True``."""
        document = await self.upload_document(file) if upload else document_from_input(file)
        return await self._run(process_operation({**params, "document": document}))
