"""Document loaders: Mistral OCR (one ``Document`` per page) and Mistral transcription (one per audio)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document
from pydantic import Field, model_validator

from mistral_lca.ocr import DEFAULT_OCR_MODEL, document_from_file_id, document_from_path, document_from_url
from mistral_lca.types.audio import TranscriptionResponse
from mistral_lca.types.bounds import ModelName
from mistral_lca.types.ocr import OCRResponse

from ._settings import ConnectionSettings

__all__ = ["MistralOCRLoader", "MistralTranscriptionLoader"]

_URL_PREFIXES = ("http://", "https://", "data:")


class _SourceLoader(ConnectionSettings, BaseLoader):
    """One input given as a local ``file_path``, a ``url`` or an uploaded ``file_id`` (exactly one)."""

    file_path: Path | None = None
    url: str | None = None
    file_id: str | None = None

    # Each loader repeats this signature: pydantic's mypy plugin synthesises a keyword-only ``__init__`` for every
    # model class that does not define one itself, which would reject ``MistralOCRLoader("report.pdf")``.
    def __init__(self, source: str | Path | None = None, /, **kwargs: Any) -> None:
        """``source`` (positional) is a URL when it starts with http(s):// or data:, else a local path."""
        if source is not None:
            key = "url" if isinstance(source, str) and source.startswith(_URL_PREFIXES) else "file_path"
            kwargs.setdefault(key, source)
        super().__init__(**kwargs)

    @model_validator(mode="after")
    def _exactly_one_source(self) -> _SourceLoader:
        given = [name for name in ("file_path", "url", "file_id") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"Give exactly one of file_path, url or file_id (got {', '.join(given) or 'none'})")
        return self

    @property
    def source(self) -> str:
        """What ``metadata["source"]`` says: the path, the URL (data URIs shortened) or the file id."""
        if self.file_path is not None:
            return str(self.file_path)
        if self.url is not None:
            return self.url if not self.url.startswith("data:") else self.url.split(",", 1)[0] + ",..."
        return str(self.file_id)


class MistralOCRLoader(_SourceLoader):
    """Mistral OCR (``/v1/ocr``): a PDF or image → one ``Document`` per page, with the page's markdown.

    >>> from langchain_mistral_lca import MistralOCRLoader
    >>> docs = MistralOCRLoader("report.pdf").load()              # sent inline as a data: URI
    >>> docs = MistralOCRLoader("report.pdf", upload=True).load() # uploaded first (purpose "ocr")
    >>> docs = MistralOCRLoader("https://arxiv.org/pdf/2201.04234").load()
    >>> docs = MistralOCRLoader(file_id="0b5f...").load()

    Metadata per page: ``source``, ``page`` (0-based), ``total_pages``, ``dimensions`` (dpi, height, width),
    ``model``, and ``images`` when the page has any (with ``image_base64`` if ``include_image_base64``).
    """

    model: ModelName = DEFAULT_OCR_MODEL
    upload: bool = False
    """Upload a local file (``/v1/files``, purpose ``ocr``) instead of sending it inline."""
    pages: list[int] | str | None = None
    """Pages to process (0-based list, or a range string such as ``"0-5"``); all when ``None``."""
    include_image_base64: bool | None = None
    ocr_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other OCR request fields (``table_format``, ``extract_header``, ``image_limit``, ...)."""

    def __init__(self, source: str | Path | None = None, /, **kwargs: Any) -> None:
        """``source``: a local path, or a URL (http(s):// or data:); or give ``file_path``, ``url`` or ``file_id``."""
        super().__init__(source, **kwargs)

    def _params(self, document: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {**self.ocr_kwargs, "model": self.model, "document": document}
        if self.pages is not None:
            params["pages"] = self.pages
        if self.include_image_base64 is not None:
            params["include_image_base64"] = self.include_image_base64
        return params

    def _inline_document(self) -> dict[str, Any] | None:
        if self.url is not None:
            return document_from_url(self.url)
        if self.file_id is not None:
            return document_from_file_id(self.file_id)
        if not self.upload:
            return document_from_path(self.file_path)  # type: ignore[arg-type]
        return None

    def _documents(self, response: OCRResponse) -> Iterator[Document]:
        pages = sorted(response.pages, key=lambda page: page.index)
        for page in pages:
            metadata: dict[str, Any] = {
                "source": self.source,
                "page": page.index,
                "total_pages": len(pages),
                "dimensions": page.dimensions.model_dump() if page.dimensions else None,
                "model": response.model or self.model,
            }
            if page.images:
                metadata["images"] = [image.model_dump(exclude_none=True) for image in page.images]
            yield Document(page_content=page.markdown, metadata=metadata)

    def lazy_load(self) -> Iterator[Document]:
        document = self._inline_document()
        if document is None:
            document = self.client.ocr.upload_document(self.file_path)  # type: ignore[arg-type]
        yield from self._documents(self.client.ocr.process(**self._params(document)))

    async def alazy_load(self) -> AsyncIterator[Document]:
        document = self._inline_document()
        if document is None:
            document = await self.async_client.ocr.upload_document(self.file_path)  # type: ignore[arg-type]
        for item in self._documents(await self.async_client.ocr.process(**self._params(document))):
            yield item


class MistralTranscriptionLoader(_SourceLoader):
    """Mistral speech-to-text (``/v1/audio/transcriptions``): an audio file or URL → one ``Document``.

    >>> from langchain_mistral_lca import MistralTranscriptionLoader
    >>> [doc] = MistralTranscriptionLoader("meeting.mp3", timestamp_granularities=["segment"]).load()
    >>> doc.metadata["segments"][0]  # {"text": ..., "start": ..., "end": ...}

    Metadata: ``source``, ``model``, ``language``, ``segments`` and ``usage``.
    """

    model: ModelName = "voxtral-mini-latest"
    language: str | None = None
    timestamp_granularities: list[str] | None = None
    diarize: bool | None = None
    context_bias: list[str] | None = None
    temperature: float | None = None

    def __init__(self, source: str | Path | None = None, /, **kwargs: Any) -> None:
        """``source``: a local path, or a URL (http(s):// or data:); or give ``file_path``, ``url`` or ``file_id``."""
        super().__init__(source, **kwargs)

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model}
        if self.file_path is not None:
            params["file"] = self.file_path
        elif self.url is not None:
            params["file_url"] = self.url
        else:
            params["file_id"] = self.file_id
        for name in ("language", "timestamp_granularities", "diarize", "context_bias", "temperature"):
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        return params

    def _document(self, response: TranscriptionResponse) -> Document:
        metadata = {
            "source": self.source,
            "model": response.model or self.model,
            "language": response.language,
            "segments": [segment.model_dump(exclude_none=True) for segment in response.segments],
            "usage": response.usage.model_dump(exclude_none=True),
        }
        return Document(page_content=response.text, metadata=metadata)

    def lazy_load(self) -> Iterator[Document]:
        yield self._document(self.client.audio.transcriptions.complete(**self._params()))

    async def alazy_load(self) -> AsyncIterator[Document]:
        yield self._document(await self.async_client.audio.transcriptions.complete(**self._params()))
