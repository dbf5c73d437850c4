"""Document libraries (``/v1/libraries*``): libraries, their documents, processing status and sharing.

Document upload is ``multipart/form-data`` (the transport sends the file). The two signed-URL endpoints
answer with a bare JSON string, which needs no model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import Field

from ._base import RequestModel, ResponseModel

__all__ = [
    "PROCESS_STATUS_PENDING",
    "CreateLibraryRequest",
    "Document",
    "DocumentTextContent",
    "Library",
    "ListDocumentsResponse",
    "ListLibrariesResponse",
    "ListSharingResponse",
    "PaginationInfo",
    "ProcessStatus",
    "ProcessingStatus",
    "Sharing",
    "SharingDeleteRequest",
    "SharingRequest",
    "UpdateDocumentRequest",
    "UpdateLibraryRequest",
]

ProcessStatus = Literal[
    "self_managed",
    "missing_content",
    "noop",
    "done",
    "todo",
    "in_progress",
    "error",
    "waiting_for_capacity",
]
"""Document processing states listed by the spec (2026-08); models type the field as ``str``."""

PROCESS_STATUS_PENDING: Final[frozenset[str]] = frozenset({"todo", "in_progress", "waiting_for_capacity"})
"""States in which a document is still being processed; any other state is final."""


# --------------------------------------------------------------------------------------------- requests


class CreateLibraryRequest(RequestModel):
    """``POST /v1/libraries``."""

    name: str
    description: str | None = None
    chunk_size: int | None = None
    """Deprecated by the API (256 to 32768)."""
    owner_type: Literal["User", "Workspace"] | str | None = None


class UpdateLibraryRequest(RequestModel):
    """``PATCH`` / ``PUT /v1/libraries/{library_id}``."""

    name: str | None = None
    description: str | None = None


class UpdateDocumentRequest(RequestModel):
    """``PATCH`` / ``PUT /v1/libraries/{library_id}/documents/{document_id}``."""

    name: str | None = None
    attributes: dict[str, Any] | None = None
    """Filterable attributes: booleans, strings, numbers, date-times or lists of these."""
    expires_at: datetime | None = None


class SharingRequest(RequestModel):
    """``PUT /v1/libraries/{library_id}/share``: grant access to a user, workspace or org."""

    share_with_uuid: str
    share_with_type: Literal["User", "Workspace", "Org"] | str
    level: Literal["Viewer", "Editor"] | str
    org_id: str | None = None
    """Deprecated by the API."""


class SharingDeleteRequest(RequestModel):
    """``DELETE /v1/libraries/{library_id}/share``: revoke access.

    The spec lists ``level`` as required without defining it; it is optional here.
    """

    share_with_uuid: str
    share_with_type: Literal["User", "Workspace", "Org"] | str
    level: str | None = None
    org_id: str | None = None


# -------------------------------------------------------------------------------------------- responses


class Library(ResponseModel):
    """A document library."""

    id: str
    name: str | None = None
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    owner_id: str | None = None
    owner_type: str | None = None
    total_size: int | None = None
    """Total size of the documents, in bytes."""
    nb_documents: int | None = None
    chunk_size: int | None = None
    emoji: str | None = None
    generated_name: str | None = None
    generated_description: str | None = None
    explicit_user_members_count: int | None = None
    explicit_workspace_members_count: int | None = None
    org_sharing_role: str | None = None


class PaginationInfo(ResponseModel):
    """Offset pagination of a listing."""

    total_items: int | None = None
    total_pages: int | None = None
    current_page: int | None = None
    page_size: int | None = None
    has_more: bool = False


class ListLibrariesResponse(ResponseModel):
    """``GET /v1/libraries``. Prefer ``next_page_token`` over the deprecated ``pagination``."""

    required_fields = ("data",)

    data: list[Library] = Field(default_factory=list)
    pagination: PaginationInfo | None = None
    next_page_token: str | None = None


class Document(ResponseModel):
    """A document of a library."""

    id: str
    library_id: str | None = None
    name: str | None = None
    hash: str | None = None
    mime_type: str | None = None
    extension: str | None = None
    size: int | None = None
    summary: str | None = None
    created_at: datetime | None = None
    last_processed_at: datetime | None = None
    number_of_pages: int | None = None
    process_status: ProcessStatus | str | None = None
    processing_status: str | None = None
    """Deprecated by the API in favour of ``process_status``."""
    uploaded_by_id: str | None = None
    uploaded_by_type: str | None = None
    tokens_processing_main_content: int | None = None
    tokens_processing_summary: int | None = None
    tokens_processing_total: int | None = None
    url: str | None = None
    attributes: dict[str, Any] | None = None
    expires_at: datetime | None = None

    @property
    def is_processing(self) -> bool:
        """True while the document is queued or being processed."""
        return _pending(self.process_status, self.processing_status)


class ListDocumentsResponse(ResponseModel):
    """``GET /v1/libraries/{library_id}/documents``."""

    required_fields = ("data",)

    data: list[Document] = Field(default_factory=list)
    pagination: PaginationInfo | None = None


class ProcessingStatus(ResponseModel):
    """``GET .../documents/{document_id}/status``."""

    required_fields = ("document_id",)

    document_id: str | None = None
    process_status: ProcessStatus | str | None = None
    processing_status: str | None = None
    """Deprecated by the API in favour of ``process_status``."""

    @property
    def is_processing(self) -> bool:
        """True while the document is queued or being processed."""
        return _pending(self.process_status, self.processing_status)


def _pending(process_status: str | None, processing_status: str | None) -> bool:
    status = process_status if process_status is not None else processing_status
    return status is not None and status.lower() in PROCESS_STATUS_PENDING


class DocumentTextContent(ResponseModel):
    """``GET .../documents/{document_id}/text_content``: the extracted text."""

    required_fields = ("text",)

    text: str = ""


class Sharing(ResponseModel):
    """One access grant on a library."""

    library_id: str | None = None
    role: str | None = None
    share_with_type: str | None = None
    share_with_uuid: str | None = None
    user_id: str | None = None
    org_id: str | None = None


class ListSharingResponse(ResponseModel):
    """``GET /v1/libraries/{library_id}/share``."""

    data: list[Sharing] = Field(default_factory=list)
