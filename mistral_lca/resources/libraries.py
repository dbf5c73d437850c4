"""``client.libraries`` (``/v1/libraries*``) and ``client.libraries.documents``: document libraries."""

from __future__ import annotations

import datetime as _dt
from functools import cached_property
from typing import Any

from .._operation import Operation, model_parser
from .._request import RequestSpec
from .._response import Decoded
from ..types.libraries import (
    CreateLibraryRequest,
    Document,
    DocumentTextContent,
    Library,
    ListDocumentsResponse,
    ListLibrariesResponse,
    ProcessingStatus,
    UpdateDocumentRequest,
    UpdateLibraryRequest,
)
from ._base import AsyncResource, SyncResource
from ._common import no_content, query, request_body, require_id, string_parser
from ._uploads import FileInput, multipart, upload_source

__all__ = ["AsyncLibraries", "AsyncLibraryDocuments", "Libraries", "LibraryDocuments"]

_ROOT = "/v1/libraries"
_ONE = "/v1/libraries/{library_id}"
_DOCS = "/v1/libraries/{library_id}/documents"
_DOC = "/v1/libraries/{library_id}/documents/{document_id}"

_parse_library = model_parser(Library)
_parse_document = model_parser(Document)


def _library_or_none(decoded: Decoded) -> Library | None:
    return _parse_library(decoded) if decoded.data else None


def _lib(method: str, template: str, library_id: str, **extra: Any) -> RequestSpec:
    return RequestSpec(method, template, path_params={"library_id": require_id(library_id, "library_id")}, **extra)


def _doc(method: str, template: str, library_id: str, document_id: str, **extra: Any) -> RequestSpec:
    path_params = {
        "library_id": require_id(library_id, "library_id"),
        "document_id": require_id(document_id, "document_id"),
    }
    return RequestSpec(method, template, path_params=path_params, **extra)


# ---------------------------------------------------------------------------------- library operations


def create_operation(
    *, name: str, description: str | None = None, chunk_size: int | None = None, owner_type: str | None = None
) -> Operation[Library]:
    require_id(name, "name")
    params = {"name": name, "description": description, "chunk_size": chunk_size, "owner_type": owner_type}
    body = request_body(CreateLibraryRequest, params, "libraries.create")
    return Operation(RequestSpec("POST", _ROOT, json=body, creates=True), _parse_library)


def list_operation(
    *, page_size: int | None = None, page_token: str | None = None, page: int | None = None, search: str | None = None
) -> Operation[ListLibrariesResponse]:
    params = query(page_size=page_size, page_token=page_token, page=page, search=search)
    return Operation(RequestSpec("GET", _ROOT, query=params), model_parser(ListLibrariesResponse))


def _get(library_id: str) -> Operation[Library]:
    return Operation(_lib("GET", _ONE, library_id), _parse_library)


def _update(library_id: str, name: str | None, description: str | None) -> Operation[Library]:
    body = request_body(UpdateLibraryRequest, {"name": name, "description": description}, "libraries.update")
    return Operation(_lib("PATCH", _ONE, library_id, json=body), _parse_library)


def _delete(library_id: str) -> Operation[Library | None]:
    return Operation(_lib("DELETE", _ONE, library_id), _library_or_none)


# --------------------------------------------------------------------------------- document operations


def upload_operation(
    library_id: str, file: FileInput, *, filename: str | None = None, content_type: str | None = None
) -> Operation[Document]:
    """``POST /v1/libraries/{library_id}/documents`` (multipart ``file``, streamed from disk)."""
    require_id(library_id, "library_id")
    source = upload_source(file, filename=filename, content_type=content_type, what="libraries.documents.upload")
    data, files = multipart({}, source)
    return Operation(_lib("POST", _DOCS, library_id, data=data, files=files, creates=True), _parse_document)


def documents_list_operation(
    library_id: str,
    *,
    search: str | None = None,
    page_size: int | None = None,
    page: int | None = None,
    sort_by: str | None = None,
    sort_order: str | None = None,
) -> Operation[ListDocumentsResponse]:
    params = query(search=search, page_size=page_size, page=page, sort_by=sort_by, sort_order=sort_order)
    return Operation(_lib("GET", _DOCS, library_id, query=params), model_parser(ListDocumentsResponse))


def _doc_get(library_id: str, document_id: str) -> Operation[Document]:
    return Operation(_doc("GET", _DOC, library_id, document_id), _parse_document)


def _doc_update(
    library_id: str,
    document_id: str,
    name: str | None,
    attributes: dict[str, Any] | None,
    expires_at: _dt.datetime | str | None,
) -> Operation[Document]:
    params = {"name": name, "attributes": attributes, "expires_at": expires_at}
    body = request_body(UpdateDocumentRequest, params, "libraries.documents.update")
    return Operation(_doc("PATCH", _DOC, library_id, document_id, json=body), _parse_document)


def _doc_delete(library_id: str, document_id: str) -> Operation[None]:
    return Operation(_doc("DELETE", _DOC, library_id, document_id), no_content)


def _doc_status(library_id: str, document_id: str) -> Operation[ProcessingStatus]:
    return Operation(_doc("GET", _DOC + "/status", library_id, document_id), model_parser(ProcessingStatus))


def _doc_text(library_id: str, document_id: str) -> Operation[DocumentTextContent]:
    spec = _doc("GET", _DOC + "/text_content", library_id, document_id)
    return Operation(spec, model_parser(DocumentTextContent))


def _doc_signed_url(library_id: str, document_id: str, suffix: str) -> Operation[str]:
    return Operation(_doc("GET", _DOC + suffix, library_id, document_id), string_parser)


def _doc_reprocess(library_id: str, document_id: str) -> Operation[None]:
    return Operation(_doc("POST", _DOC + "/reprocess", library_id, document_id), no_content)


# ------------------------------------------------------------------------------------------- resources


class LibraryDocuments(SyncResource):
    def upload(
        self, library_id: str, *, file: FileInput, filename: str | None = None, content_type: str | None = None
    ) -> Document:
        """Add a document (path, bytes or ``(filename, fileobj)``) to a library; processing starts server-side."""
        return self._run(upload_operation(library_id, file, filename=filename, content_type=content_type))

    def list(
        self,
        library_id: str,
        *,
        search: str | None = None,
        page_size: int | None = None,
        page: int | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> ListDocumentsResponse:
        op = documents_list_operation(
            library_id, search=search, page_size=page_size, page=page, sort_by=sort_by, sort_order=sort_order
        )
        return self._run(op)

    def get(self, library_id: str, document_id: str) -> Document:
        return self._run(_doc_get(library_id, document_id))

    def update(
        self,
        library_id: str,
        document_id: str,
        *,
        name: str | None = None,
        attributes: dict[str, Any] | None = None,
        expires_at: _dt.datetime | str | None = None,
    ) -> Document:
        return self._run(_doc_update(library_id, document_id, name, attributes, expires_at))

    def delete(self, library_id: str, document_id: str) -> None:
        return self._run(_doc_delete(library_id, document_id))

    def status(self, library_id: str, document_id: str) -> ProcessingStatus:
        """The document's processing status (``.is_processing`` while it is queued or running)."""
        return self._run(_doc_status(library_id, document_id))

    def text_content(self, library_id: str, document_id: str) -> DocumentTextContent:
        return self._run(_doc_text(library_id, document_id))

    def get_signed_url(self, library_id: str, document_id: str) -> str:
        return self._run(_doc_signed_url(library_id, document_id, "/signed-url"))

    def extracted_text_signed_url(self, library_id: str, document_id: str) -> str:
        return self._run(_doc_signed_url(library_id, document_id, "/extracted-text-signed-url"))

    def reprocess(self, library_id: str, document_id: str) -> None:
        return self._run(_doc_reprocess(library_id, document_id))


class AsyncLibraryDocuments(AsyncResource):
    async def upload(
        self, library_id: str, *, file: FileInput, filename: str | None = None, content_type: str | None = None
    ) -> Document:
        """Add a document (path, bytes or ``(filename, fileobj)``) to a library; processing starts server-side."""
        return await self._run(upload_operation(library_id, file, filename=filename, content_type=content_type))

    async def list(
        self,
        library_id: str,
        *,
        search: str | None = None,
        page_size: int | None = None,
        page: int | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> ListDocumentsResponse:
        op = documents_list_operation(
            library_id, search=search, page_size=page_size, page=page, sort_by=sort_by, sort_order=sort_order
        )
        return await self._run(op)

    async def get(self, library_id: str, document_id: str) -> Document:
        return await self._run(_doc_get(library_id, document_id))

    async def update(
        self,
        library_id: str,
        document_id: str,
        *,
        name: str | None = None,
        attributes: dict[str, Any] | None = None,
        expires_at: _dt.datetime | str | None = None,
    ) -> Document:
        return await self._run(_doc_update(library_id, document_id, name, attributes, expires_at))

    async def delete(self, library_id: str, document_id: str) -> None:
        return await self._run(_doc_delete(library_id, document_id))

    async def status(self, library_id: str, document_id: str) -> ProcessingStatus:
        """The document's processing status (``.is_processing`` while it is queued or running)."""
        return await self._run(_doc_status(library_id, document_id))

    async def text_content(self, library_id: str, document_id: str) -> DocumentTextContent:
        return await self._run(_doc_text(library_id, document_id))

    async def get_signed_url(self, library_id: str, document_id: str) -> str:
        return await self._run(_doc_signed_url(library_id, document_id, "/signed-url"))

    async def extracted_text_signed_url(self, library_id: str, document_id: str) -> str:
        return await self._run(_doc_signed_url(library_id, document_id, "/extracted-text-signed-url"))

    async def reprocess(self, library_id: str, document_id: str) -> None:
        return await self._run(_doc_reprocess(library_id, document_id))


class Libraries(SyncResource):
    @cached_property
    def documents(self) -> LibraryDocuments:
        return LibraryDocuments(self._sender)

    def create(
        self, *, name: str, description: str | None = None, chunk_size: int | None = None, owner_type: str | None = None
    ) -> Library:
        return self._run(
            create_operation(name=name, description=description, chunk_size=chunk_size, owner_type=owner_type)
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        page: int | None = None,
        search: str | None = None,
    ) -> ListLibrariesResponse:
        return self._run(list_operation(page_size=page_size, page_token=page_token, page=page, search=search))

    def get(self, library_id: str) -> Library:
        return self._run(_get(library_id))

    def update(self, library_id: str, *, name: str | None = None, description: str | None = None) -> Library:
        return self._run(_update(library_id, name, description))

    def delete(self, library_id: str) -> Library | None:
        """Delete a library; returns the deleted library when the API sends it back."""
        return self._run(_delete(library_id))


class AsyncLibraries(AsyncResource):
    @cached_property
    def documents(self) -> AsyncLibraryDocuments:
        return AsyncLibraryDocuments(self._sender)

    async def create(
        self, *, name: str, description: str | None = None, chunk_size: int | None = None, owner_type: str | None = None
    ) -> Library:
        return await self._run(
            create_operation(name=name, description=description, chunk_size=chunk_size, owner_type=owner_type)
        )

    async def list(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        page: int | None = None,
        search: str | None = None,
    ) -> ListLibrariesResponse:
        return await self._run(list_operation(page_size=page_size, page_token=page_token, page=page, search=search))

    async def get(self, library_id: str) -> Library:
        return await self._run(_get(library_id))

    async def update(self, library_id: str, *, name: str | None = None, description: str | None = None) -> Library:
        return await self._run(_update(library_id, name, description))

    async def delete(self, library_id: str) -> Library | None:
        """Delete a library; returns the deleted library when the API sends it back."""
        return await self._run(_delete(library_id))
