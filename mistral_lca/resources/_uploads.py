"""File inputs for multipart uploads: a path, bytes, or ``(filename, fileobj[, content_type])``.

Nothing is read here. A path becomes a :class:`_DiskFile` that opens the file lazily when httpx starts
sending it, reads it in chunks and closes it at the end; a fresh one is made for every attempt, so a retry
re-reads the file from disk. A caller's file object is rewound by httpx before each attempt (one that
cannot seek can be sent only once).
"""

from __future__ import annotations

import io
import mimetypes
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Union

from .._errors import InvalidRequestError

__all__ = [
    "OCR_MEDIA_TYPES",
    "FileInput",
    "UploadSource",
    "check_ocr_media_type",
    "guess_mime_type",
    "multipart",
    "sniff_mime_type",
    "upload_source",
]

FileInput = Union[
    str,
    "os.PathLike[str]",
    bytes,
    bytearray,
    IO[bytes],
    tuple[str, bytes],
    tuple[str, IO[bytes]],
    tuple[str, bytes, str],
    tuple[str, IO[bytes], str],
]
"""What uploads accept: a file path, raw bytes, an open binary file, or ``(filename, bytes|fileobj[, type])``."""

FilesFactory = Callable[[], Mapping[str, Any]]

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"),
)


def sniff_mime_type(head: bytes) -> str | None:
    """The media type announced by a file's first bytes, for the formats Mistral endpoints take."""
    for signature, mime in _SIGNATURES:
        if head.startswith(signature):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:11] in (b"M4A", b"M4B") else "video/mp4"
    if head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    return None


OCR_MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",  # .docx
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",  # .pptx
    }
)
"""Documents OCR reads besides images. Mistral's OCR page names PDF, PPTX, DOCX and images (png, jpeg, avif ...);
it publishes no exhaustive list (mistralai/platform-docs-public#312), so other office formats are not assumed."""


def check_ocr_media_type(mime: str | None, name: str | None, what: str) -> None:
    """Refuse, before anything is sent, a file OCR cannot read (text, audio, spreadsheets ...).

    An unknown type (``None``, ``application/octet-stream``) passes: the server is the judge of what we cannot name.
    """
    kind = (mime or "").split(";", 1)[0].strip().lower()
    if not kind or kind == "application/octet-stream" or kind.startswith("image/") or kind in OCR_MEDIA_TYPES:
        return
    label = repr(name) if name else "the document"
    hint = " (text needs no OCR: send it to chat or embeddings as it is)" if kind.startswith("text/") else ""
    raise InvalidRequestError(
        f"Invalid {what} request: {label} is {kind}; OCR reads PDF, Word (.docx), PowerPoint (.pptx) and image "
        f"files{hint}"
    )


def guess_mime_type(filename: str | None, head: bytes = b"") -> str | None:
    """The media type from the file's name, else from its first bytes."""
    if filename:
        guessed, _ = mimetypes.guess_type(filename)
        if guessed:
            return guessed
    return sniff_mime_type(head) if head else None


class _DiskFile:
    """A file on disk, opened on first read and closed at end of file (httpx reads it in chunks).

    It reports its size without opening (``seek(0, SEEK_END)``), so the request gets a Content-Length.
    """

    def __init__(self, path: Path, size: int) -> None:
        self.name = str(path)
        self._path = path
        self._size = size
        self._file: io.BufferedReader | None = None
        self._done = False

    def tell(self) -> int:
        return self._file.tell() if self._file is not None else 0

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_END:
            return self._size + offset
        if self._file is None:
            if offset != 0:
                raise io.UnsupportedOperation("seek before the first read")
            return 0
        return self._file.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        if self._done:
            return b""
        if self._file is None:
            self._file = self._path.open("rb")
        chunk = self._file.read(size)
        if not chunk:
            self.close()
        return chunk

    def close(self) -> None:
        self._done = True
        if self._file is not None:
            self._file.close()
            self._file = None

    def __del__(self) -> None:
        self.close()


@dataclass(frozen=True)
class UploadSource:
    """One file to upload: its name, media type, and how to produce a fresh body for each attempt."""

    filename: str
    content_type: str
    open: Callable[[], Any]
    size: int | None = None

    def part(self) -> tuple[str, Any, str]:
        return (self.filename, self.open(), self.content_type)


def _from_path(path: Path, filename: str | None, content_type: str | None, what: str) -> UploadSource:
    try:
        stat = path.stat()
    except OSError as exc:
        raise InvalidRequestError(f"Invalid {what} request: cannot read file {str(path)!r}: {exc.strerror}") from None
    if not path.is_file():
        raise InvalidRequestError(f"Invalid {what} request: {str(path)!r} is not a regular file")
    if not os.access(path, os.R_OK):
        raise InvalidRequestError(f"Invalid {what} request: file {str(path)!r} is not readable")
    if stat.st_size == 0:
        raise InvalidRequestError(f"Invalid {what} request: file {str(path)!r} is empty (0 bytes)")
    name = filename or path.name
    if content_type is None:
        head = b""
        if not mimetypes.guess_type(name)[0]:
            with path.open("rb") as handle:
                head = handle.read(16)
        content_type = guess_mime_type(name, head) or "application/octet-stream"
    size = stat.st_size
    return UploadSource(name, content_type, lambda: _DiskFile(path, size), size)


def _from_bytes(data: bytes, filename: str | None, content_type: str | None) -> UploadSource:
    mime = content_type or guess_mime_type(filename, data[:16]) or "application/octet-stream"
    if filename is None:
        filename = "upload" + (mimetypes.guess_extension(mime) or "")
    return UploadSource(filename, mime, lambda: data, len(data))


def _from_fileobj(fileobj: Any, filename: str | None, content_type: str | None, what: str) -> UploadSource:
    if isinstance(fileobj, io.TextIOBase) or "b" not in str(getattr(fileobj, "mode", "b")):
        raise InvalidRequestError(f"Invalid {what} request: open the file in binary mode ('rb')")
    name = filename or os.path.basename(str(getattr(fileobj, "name", "") or "")) or "upload"
    mime = content_type or guess_mime_type(name) or "application/octet-stream"
    seekable = bool(getattr(fileobj, "seekable", lambda: False)())
    calls = [0]

    def reopen() -> Any:
        calls[0] += 1
        if calls[0] > 1 and not seekable:
            raise InvalidRequestError(f"{name!r} cannot be sent again: its file object is not seekable")
        return fileobj

    return UploadSource(name, mime, reopen)


def upload_source(
    file: Any, *, filename: str | None = None, content_type: str | None = None, what: str = "upload"
) -> UploadSource:
    """Check an upload input (before any request) and describe how to send it."""
    if isinstance(file, tuple):
        if len(file) not in (2, 3) or not isinstance(file[0], str):
            raise InvalidRequestError(
                f"Invalid {what} request: a file tuple must be (filename, bytes or file object[, content_type])"
            )
        name = file[0] or filename
        mime = file[2] if len(file) == 3 else content_type
        return upload_source(file[1], filename=name, content_type=mime, what=what)
    if isinstance(file, (bytes, bytearray, memoryview)):
        if not file:
            raise InvalidRequestError(f"Invalid {what} request: the file is empty")
        return _from_bytes(bytes(file), filename, content_type)
    if isinstance(file, (str, os.PathLike)):
        if not str(file).strip():
            raise InvalidRequestError(f"Invalid {what} request: the file path is empty")
        return _from_path(Path(file), filename, content_type, what)
    if hasattr(file, "read"):
        return _from_fileobj(file, filename, content_type, what)
    raise InvalidRequestError(
        f"Invalid {what} request: file must be a path, bytes, a binary file object or a (filename, file) tuple,"
        f" got {type(file).__name__}"
    )


def multipart(
    form: Mapping[str, str | list[str]], source: UploadSource | None, *, field: str = "file"
) -> tuple[dict[str, Any], FilesFactory]:
    """``(data, files)`` for a ``multipart/form-data`` RequestSpec.

    Without a file part httpx would send a urlencoded form, so one scalar field then travels as a
    file-less part (``(None, value)``), which keeps the body multipart.
    """
    data: dict[str, Any] = dict(form)
    if source is not None:
        return data, lambda: {field: source.part()}
    key = next((k for k, v in data.items() if isinstance(v, str)), None)
    if key is None:
        raise InvalidRequestError("a multipart request needs at least one plain form field")
    value = data.pop(key)
    return data, lambda: {key: (None, value)}
