"""Files API (``/v1/files*``): uploaded file metadata, listings, deletion and signed download URLs.

The upload itself is ``multipart/form-data`` (the transport sends the bytes); :class:`FileUploadParams`
carries the other form fields. Real upload responses carry fields that the spec's enums do not list
(e.g. ``sample_type: "ocr_input"``), so every enum-like field is a plain string here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import RequestModel, ResponseModel

__all__ = [
    "DeleteFileResponse",
    "FileObject",
    "FilePurpose",
    "FileUploadParams",
    "FileVisibility",
    "ListFilesResponse",
    "SignedURL",
    "UploadedFile",
]

FilePurpose = Literal["fine-tune", "batch", "ocr", "audio"]
"""Documented upload purposes; responses may carry others, so models type the field as ``str``."""

FileVisibility = Literal["workspace", "user"]


class FileObject(ResponseModel):
    """One stored file, as returned by upload, retrieve and list.

    The spec marks ``bytes``, ``created_at``, ``filename``, ``purpose``, ``sample_type`` and ``source`` as
    required, yet its own examples send ``"bytes": null``; everything but ``id`` is optional here.
    """

    id: str
    object: str = "file"
    bytes: int | None = None
    created_at: int | None = None
    """Unix timestamp (seconds)."""
    filename: str | None = None
    purpose: FilePurpose | str | None = None
    sample_type: str | None = None
    """e.g. ``instruct``, ``pretrain``, ``batch_request``, ``batch_result``, ``ocr_input``."""
    num_lines: int | None = None
    mimetype: str | None = None
    source: str | None = None
    """``upload``, ``repository`` or ``mistral``."""
    signature: str | None = None
    expires_at: int | None = None
    """Unix timestamp (seconds) after which the file is deleted, if an expiry was requested."""
    visibility: FileVisibility | str | None = None
    deleted: bool | None = None
    """Only present on ``GET /v1/files/{file_id}``."""


UploadedFile = FileObject
"""Alias: the ``POST /v1/files`` response has the same shape as every other file object."""


class ListFilesResponse(ResponseModel):
    """``GET /v1/files``."""

    required_fields = ("data",)

    data: list[FileObject] = Field(default_factory=list)
    object: str = "list"
    total: int | None = None


class DeleteFileResponse(ResponseModel):
    """``DELETE /v1/files/{file_id}``."""

    id: str
    object: str = "file"
    deleted: bool = True


class SignedURL(ResponseModel):
    """``GET /v1/files/{file_id}/url``: a time-limited download URL."""

    url: str


class FileUploadParams(RequestModel):
    """The non-file form fields of ``POST /v1/files`` (the file part is added by the transport)."""

    purpose: FilePurpose | str | None = None
    visibility: FileVisibility | str | None = None
    expiry: int | None = None
    """Optional expiry for the stored file (the spec gives no unit; the signed-URL ``expiry`` is in hours)."""

    def to_form(self) -> dict[str, str]:
        """The set fields as multipart form values (all strings)."""
        return {key: str(value) for key, value in self.to_body().items()}
