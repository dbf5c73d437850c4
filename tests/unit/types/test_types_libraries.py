"""Library, document and sharing models."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from mistral_lca.types.libraries import (
    CreateLibraryRequest,
    Document,
    DocumentTextContent,
    Library,
    ListDocumentsResponse,
    ListLibrariesResponse,
    ListSharingResponse,
    ProcessingStatus,
    Sharing,
    SharingDeleteRequest,
    SharingRequest,
    UpdateDocumentRequest,
    UpdateLibraryRequest,
)

LIBRARY = {
    "id": "0197c1a5-2b7e-7c3f-a1b2-3c4d5e6f7a8b",
    "name": "Handbook",
    "created_at": "2025-07-01T09:00:00.000Z",
    "updated_at": "2025-07-02T09:00:00.000Z",
    "owner_id": "4e2f3a1b-0000-4000-8000-000000000001",
    "owner_type": "Workspace",
    "total_size": 123456,
    "nb_documents": 2,
    "chunk_size": None,
    "emoji": None,
    "description": "Company handbook",
    "generated_description": None,
    "explicit_user_members_count": None,
    "explicit_workspace_members_count": None,
    "org_sharing_role": None,
    "generated_name": None,
}

DOCUMENT = {
    "id": "0197c1a6-aaaa-7000-8000-000000000002",
    "library_id": LIBRARY["id"],
    "hash": None,
    "mime_type": "application/pdf",
    "extension": "pdf",
    "size": 18810,
    "name": "policy.pdf",
    "summary": None,
    "created_at": "2025-07-01T09:05:00Z",
    "last_processed_at": None,
    "number_of_pages": 3,
    "process_status": "in_progress",
    "uploaded_by_id": None,
    "uploaded_by_type": "API",
    "tokens_processing_main_content": None,
    "tokens_processing_summary": None,
    "url": None,
    "attributes": {"department": "hr", "year": 2025},
    "expires_at": None,
    "processing_status": "Running",
    "tokens_processing_total": 0,
}


def test_library_parses() -> None:
    lib = Library.model_validate(LIBRARY)
    assert lib.name == "Handbook"
    assert lib.description == "Company handbook"
    assert lib.nb_documents == 2
    assert lib.total_size == 123456
    assert lib.owner_type == "Workspace"
    assert lib.created_at == datetime(2025, 7, 1, 9, 0, tzinfo=timezone.utc)
    assert Library.model_validate({"id": "x", "new": 1}).model_extra == {"new": 1}


def test_list_libraries_with_and_without_pagination() -> None:
    listing = ListLibrariesResponse.model_validate(
        {
            "pagination": {
                "total_items": 1,
                "total_pages": 1,
                "current_page": 0,
                "page_size": 100,
                "has_more": False,
            },
            "data": [LIBRARY],
            "next_page_token": None,
        }
    )
    assert listing.data[0].id == LIBRARY["id"]
    assert listing.pagination is not None
    assert listing.pagination.total_items == 1
    cursor = ListLibrariesResponse.model_validate({"data": [], "next_page_token": "abc"})
    assert cursor.pagination is None
    assert cursor.next_page_token == "abc"


def test_library_requests() -> None:
    assert CreateLibraryRequest(name="Handbook", description="d").to_body() == {
        "name": "Handbook",
        "description": "d",
    }
    assert CreateLibraryRequest(name="Mine", owner_type="User").to_body() == {"name": "Mine", "owner_type": "User"}
    with pytest.raises(ValidationError):
        CreateLibraryRequest()  # type: ignore[call-arg]
    assert UpdateLibraryRequest(description="new").to_body() == {"description": "new"}


def test_document_and_status() -> None:
    doc = Document.model_validate(DOCUMENT)
    assert doc.name == "policy.pdf"
    assert doc.size == 18810
    assert doc.process_status == "in_progress"
    assert doc.is_processing is True
    assert doc.attributes == {"department": "hr", "year": 2025}
    assert doc.tokens_processing_total == 0

    done = ProcessingStatus.model_validate(
        {"document_id": doc.id, "process_status": "done", "processing_status": "Completed"}
    )
    assert done.is_processing is False
    legacy = ProcessingStatus.model_validate({"document_id": doc.id, "processing_status": "todo"})
    assert legacy.is_processing is True
    future = ProcessingStatus.model_validate({"document_id": doc.id, "process_status": "archived_cold"})
    assert future.process_status == "archived_cold"
    assert future.is_processing is False


def test_list_documents_and_text() -> None:
    listing = ListDocumentsResponse.model_validate(
        {
            "pagination": {
                "total_items": 1,
                "total_pages": 1,
                "current_page": 0,
                "page_size": 100,
                "has_more": False,
            },
            "data": [DOCUMENT],
        }
    )
    assert listing.data[0].extension == "pdf"
    assert DocumentTextContent.model_validate({"text": "Page 1..."}).text == "Page 1..."


def test_update_document_request() -> None:
    req = UpdateDocumentRequest(
        name="renamed.pdf",
        attributes={"year": 2026},
        expires_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    assert req.to_body() == {
        "name": "renamed.pdf",
        "attributes": {"year": 2026},
        "expires_at": "2026-01-01T00:00:00Z",
    }


def test_sharing_models() -> None:
    grant = SharingRequest(share_with_uuid="u-1", share_with_type="User", level="Viewer")
    assert grant.to_body() == {"share_with_uuid": "u-1", "share_with_type": "User", "level": "Viewer"}
    revoke = SharingDeleteRequest(share_with_uuid="u-1", share_with_type="User")
    assert revoke.to_body() == {"share_with_uuid": "u-1", "share_with_type": "User"}
    with pytest.raises(ValidationError):
        SharingRequest(share_with_uuid="u-1", share_with_type="User")  # type: ignore[call-arg]

    sharing = Sharing.model_validate(
        {
            "library_id": LIBRARY["id"],
            "org_id": "org-1",
            "role": "Viewer",
            "share_with_type": "User",
            "share_with_uuid": "u-1",
            "user_id": None,
        }
    )
    assert sharing.role == "Viewer"
    listing = ListSharingResponse.model_validate({"data": [sharing.model_dump()]})
    assert listing.data[0].share_with_uuid == "u-1"
