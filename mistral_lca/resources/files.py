"""``client.files``: upload (multipart, streamed from disk), list, retrieve, delete, download, signed URL."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._download import unwrap_file_content
from .._operation import Operation, model_parser
from .._request import RequestSpec
from .._response import Decoded
from ..types.files import DeleteFileResponse, FileObject, FileUploadParams, ListFilesResponse, SignedURL
from ._base import AsyncResource, SyncResource
from ._common import query, require_id
from ._uploads import FileInput, check_ocr_media_type, multipart, upload_source

__all__ = [
    "AsyncFiles",
    "Files",
    "delete_operation",
    "download_operation",
    "list_operation",
    "retrieve_operation",
    "signed_url_operation",
    "upload_operation",
]

_FILES = "/v1/files"
_ONE = "/v1/files/{file_id}"
_CONTENT = "/v1/files/{file_id}/content"
_URL = "/v1/files/{file_id}/url"

_parse_file = model_parser(FileObject)


def upload_operation(
    file: FileInput,
    *,
    purpose: str | None = None,
    visibility: str | None = None,
    expiry: int | None = None,
    filename: str | None = None,
    content_type: str | None = None,
) -> Operation[FileObject]:
    """``POST /v1/files``: the ``file`` part is streamed from disk (re-opened for each attempt)."""
    source = upload_source(file, filename=filename, content_type=content_type, what="files.upload")
    if purpose == "ocr":
        check_ocr_media_type(source.content_type, source.filename, "files.upload")
    form = FileUploadParams.model_validate(
        {k: v for k, v in {"purpose": purpose, "visibility": visibility, "expiry": expiry}.items() if v is not None}
    ).to_form()
    data, files = multipart(form, source)
    return Operation(RequestSpec("POST", _FILES, data=data, files=files, creates=True), _parse_file)


def list_operation(
    *,
    page: int | None = None,
    page_size: int | None = None,
    purpose: str | None = None,
    search: str | None = None,
    sample_type: str | Sequence[str] | None = None,
    source: str | Sequence[str] | None = None,
    mimetypes: str | Sequence[str] | None = None,
    include_total: bool | None = None,
) -> Operation[ListFilesResponse]:
    params = query(
        page=page,
        page_size=page_size,
        include_total=include_total,
        sample_type=[sample_type] if isinstance(sample_type, str) else sample_type,
        source=[source] if isinstance(source, str) else source,
        search=search,
        purpose=purpose,
        mimetypes=[mimetypes] if isinstance(mimetypes, str) else mimetypes,
    )
    return Operation(RequestSpec("GET", _FILES, query=params), model_parser(ListFilesResponse))


def _one(method: str, template: str, file_id: str, **extra: Any) -> RequestSpec:
    return RequestSpec(method, template, path_params={"file_id": require_id(file_id, "file_id")}, **extra)


def retrieve_operation(file_id: str) -> Operation[FileObject]:
    return Operation(_one("GET", _ONE, file_id), _parse_file)


def delete_operation(file_id: str) -> Operation[DeleteFileResponse]:
    return Operation(_one("DELETE", _ONE, file_id), model_parser(DeleteFileResponse))


def _content(decoded: Decoded) -> bytes:
    body = decoded.data if isinstance(decoded.data, bytes) else b""
    return unwrap_file_content(body, decoded.headers.get("content-type"))


def download_operation(file_id: str) -> Operation[bytes]:
    """``GET /v1/files/{file_id}/content``: the raw bytes (``download_to`` streams them to disk instead)."""
    spec = _one("GET", _CONTENT, file_id, expect_binary=True, headers={"accept": "*/*"})
    return Operation(spec, _content)


def signed_url_operation(file_id: str, *, expiry: int | None = None) -> Operation[SignedURL]:
    """``GET /v1/files/{file_id}/url``; ``expiry`` is in hours (the API's default is 24)."""
    return Operation(_one("GET", _URL, file_id, query=query(expiry=expiry)), model_parser(SignedURL))


class Files(SyncResource):
    def upload(
        self,
        *,
        file: FileInput,
        purpose: str | None = None,
        visibility: str | None = None,
        expiry: int | None = None,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> FileObject:
        """Upload a file (path, bytes, binary file object or ``(filename, fileobj[, type])``), streamed."""
        return self._run(
            upload_operation(
                file,
                purpose=purpose,
                visibility=visibility,
                expiry=expiry,
                filename=filename,
                content_type=content_type,
            )
        )

    def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        purpose: str | None = None,
        search: str | None = None,
        sample_type: str | Sequence[str] | None = None,
        source: str | Sequence[str] | None = None,
        mimetypes: str | Sequence[str] | None = None,
        include_total: bool | None = None,
    ) -> ListFilesResponse:
        return self._run(
            list_operation(
                page=page,
                page_size=page_size,
                purpose=purpose,
                search=search,
                sample_type=sample_type,
                source=source,
                mimetypes=mimetypes,
                include_total=include_total,
            )
        )

    def retrieve(self, file_id: str) -> FileObject:
        return self._run(retrieve_operation(file_id))

    def delete(self, file_id: str) -> DeleteFileResponse:
        return self._run(delete_operation(file_id))

    def download(self, file_id: str) -> bytes:
        """The file's content, in memory (see :meth:`download_to` for large files)."""
        return self._run(download_operation(file_id))

    def download_to(self, file_id: str, path: str | os.PathLike[str]) -> Path:
        """Stream the file's content to ``path`` (written to ``path.part``, renamed when complete)."""
        return self._sender.download_to(download_operation(file_id).spec, path)

    def get_signed_url(self, file_id: str, *, expiry: int | None = None) -> SignedURL:
        return self._run(signed_url_operation(file_id, expiry=expiry))


class AsyncFiles(AsyncResource):
    async def upload(
        self,
        *,
        file: FileInput,
        purpose: str | None = None,
        visibility: str | None = None,
        expiry: int | None = None,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> FileObject:
        """Upload a file (path, bytes, binary file object or ``(filename, fileobj[, type])``), streamed."""
        return await self._run(
            upload_operation(
                file,
                purpose=purpose,
                visibility=visibility,
                expiry=expiry,
                filename=filename,
                content_type=content_type,
            )
        )

    async def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        purpose: str | None = None,
        search: str | None = None,
        sample_type: str | Sequence[str] | None = None,
        source: str | Sequence[str] | None = None,
        mimetypes: str | Sequence[str] | None = None,
        include_total: bool | None = None,
    ) -> ListFilesResponse:
        return await self._run(
            list_operation(
                page=page,
                page_size=page_size,
                purpose=purpose,
                search=search,
                sample_type=sample_type,
                source=source,
                mimetypes=mimetypes,
                include_total=include_total,
            )
        )

    async def retrieve(self, file_id: str) -> FileObject:
        return await self._run(retrieve_operation(file_id))

    async def delete(self, file_id: str) -> DeleteFileResponse:
        return await self._run(delete_operation(file_id))

    async def download(self, file_id: str) -> bytes:
        """The file's content, in memory (see :meth:`download_to` for large files)."""
        return await self._run(download_operation(file_id))

    async def download_to(self, file_id: str, path: str | os.PathLike[str]) -> Path:
        """Stream the file's content to ``path`` (written to ``path.part``, renamed when complete)."""
        return await self._sender.download_to(download_operation(file_id).spec, path)

    async def get_signed_url(self, file_id: str, *, expiry: int | None = None) -> SignedURL:
        return await self._run(signed_url_operation(file_id, expiry=expiry))
