"""Readers: Mistral OCR (PDFs and images → markdown ``Document``s) and Mistral transcription (audio → text).

Both plug into ``SimpleDirectoryReader(file_extractor={".pdf": MistralOCRReader(), ".mp3": ...})``: they take
``load_data(file_path, extra_info=None, fs=None)`` and a real async ``aload_data``.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any, Literal

from llama_index.core.bridge.pydantic import Field
from llama_index.core.readers.base import BasePydanticReader
from llama_index.core.schema import Document

from mistral_lca.resources.ocr import DEFAULT_OCR_MODEL, document_from_bytes, document_from_url
from mistral_lca.types.audio import TranscriptionResponse
from mistral_lca.types.bounds import ModelName
from mistral_lca.types.ocr import OCRResponse

from ._connection import ConnectionFields

__all__ = ["MistralOCRReader", "MistralTranscriptionReader"]

FileSource = str | PurePath


def _is_url(value: FileSource) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "data:"))


def _file_info(source: FileSource, extra_info: dict[str, Any] | None) -> dict[str, Any]:
    info = dict(extra_info or {})
    if not _is_url(source):
        info.setdefault("file_path", str(source))
        info.setdefault("file_name", PurePath(str(source)).name)
    else:
        info.setdefault("source_url", str(source) if not str(source).startswith("data:") else "data:")
    return info


def _read_with_fs(source: FileSource, fs: Any) -> bytes:
    with fs.open(str(source), "rb") as handle:
        data = handle.read()
    return bytes(data)


class _ReaderBase(ConnectionFields, BasePydanticReader):
    is_remote: bool = True


class MistralOCRReader(_ReaderBase):
    """Mistral OCR (``POST /v1/ocr``) as a LlamaIndex reader.

    >>> reader = MistralOCRReader()  # token from LOWCODEAPI_API_TOKEN
    >>> docs = SimpleDirectoryReader("scans", file_extractor={".pdf": reader, ".png": reader}).load_data()

    One ``Document`` per page (markdown text; ``page_number``, ``page_label``, page size and the file's metadata),
    or one per file with ``split_by_page=False``. Local files travel inline as ``data:`` URIs, or are uploaded
    first (``upload=True``, purpose ``ocr``); ``http(s)://`` URLs are passed to Mistral as they are.
    """

    model: ModelName = Field(default=DEFAULT_OCR_MODEL, description="The Mistral OCR model.")
    split_by_page: bool = Field(default=True, description="One Document per page (else one per file).")
    upload: bool = Field(default=False, description="Upload local files (purpose ocr) instead of sending them inline.")
    pages: list[int] | str | None = Field(default=None, description="Pages to process (0-based), e.g. [0, 2] or '0-5'.")
    include_image_base64: bool | None = Field(default=None, description="Ask for extracted images as base64.")
    table_format: Literal["markdown", "html"] | None = Field(default=None, description="How tables are rendered.")
    ocr_kwargs: dict[str, Any] = Field(default_factory=dict, description="Extra OCR request fields.")

    @classmethod
    def class_name(cls) -> str:
        return "MistralOCRReader"

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"model": self.model}
        for name in ("pages", "include_image_base64", "table_format"):
            value = getattr(self, name)
            if value is not None:
                options[name] = value
        return {**options, **self.ocr_kwargs}

    def _documents(self, response: OCRResponse, info: dict[str, Any]) -> list[Document]:
        pages = sorted(response.pages, key=lambda page: page.index)
        common = {**info, "ocr_model": response.model or self.model}
        if not self.split_by_page:
            metadata = {**common, "total_pages": len(pages)}
            return [Document(text=response.markdown, metadata=metadata)]
        documents = []
        for page in pages:
            metadata = {
                **common,
                "page_number": page.index + 1,
                "page_label": str(page.index + 1),
                "total_pages": len(pages),
            }
            if page.dimensions is not None:
                for key in ("width", "height", "dpi"):
                    value = getattr(page.dimensions, key)
                    if value is not None:
                        metadata[f"page_{key}"] = value
            if page.images:
                metadata["image_ids"] = [image.id for image in page.images if image.id]
            documents.append(Document(text=page.markdown, metadata=metadata))
        return documents

    def load_data(
        self, file_path: FileSource, extra_info: dict[str, Any] | None = None, fs: Any = None
    ) -> list[Document]:
        """OCR one file (path, ``fsspec`` path with ``fs``, or URL) into Documents."""
        client = self._connection.client
        info = _file_info(file_path, extra_info)
        if _is_url(file_path):
            response = client.ocr.process(document=document_from_url(str(file_path)), **self._options())
        elif fs is not None:
            data = _read_with_fs(file_path, fs)
            document = document_from_bytes(data, filename=PurePath(str(file_path)).name)
            response = client.ocr.process(document=document, **self._options())
        else:
            response = client.ocr.process_file(Path(file_path), upload=self.upload, **self._options())
        return self._documents(response, info)

    async def aload_data(
        self, file_path: FileSource, extra_info: dict[str, Any] | None = None, fs: Any = None
    ) -> list[Document]:
        """Native async :meth:`load_data`."""
        client = self._connection.aclient
        info = _file_info(file_path, extra_info)
        if _is_url(file_path):
            response = await client.ocr.process(document=document_from_url(str(file_path)), **self._options())
        elif fs is not None:
            data = _read_with_fs(file_path, fs)
            document = document_from_bytes(data, filename=PurePath(str(file_path)).name)
            response = await client.ocr.process(document=document, **self._options())
        else:
            response = await client.ocr.process_file(Path(file_path), upload=self.upload, **self._options())
        return self._documents(response, info)


class MistralTranscriptionReader(_ReaderBase):
    """Mistral transcription (``POST /v1/audio/transcriptions``, Voxtral) as a LlamaIndex reader.

    One ``Document`` with the transcript per file (``language``, ``duration`` and the file's metadata), or one per
    timed segment with ``split_by_segment=True`` (ask for ``timestamp_granularities=["segment"]``).
    ``http(s)://`` URLs are transcribed from the URL (``file_url``).
    """

    model: ModelName = Field(default="voxtral-mini-latest", description="The Mistral transcription model.")
    language: str | None = Field(default=None, description="Spoken language (ISO 639-1), if known.")
    timestamp_granularities: list[Literal["segment", "word"]] | None = Field(default=None)
    diarize: bool | None = Field(default=None, description="Label speakers in segments.")
    split_by_segment: bool = Field(default=False, description="One Document per timed segment.")
    transcription_kwargs: dict[str, Any] = Field(default_factory=dict, description="Extra request fields.")

    @classmethod
    def class_name(cls) -> str:
        return "MistralTranscriptionReader"

    def _params(self, file_path: FileSource, fs: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model}
        for name in ("language", "timestamp_granularities", "diarize"):
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        params.update(self.transcription_kwargs)
        if _is_url(file_path):
            params["file_url"] = str(file_path)
        elif fs is not None:
            params["file"] = (PurePath(str(file_path)).name, _read_with_fs(file_path, fs))
        else:
            params["file"] = Path(file_path)
        return params

    def _documents(self, response: TranscriptionResponse, info: dict[str, Any]) -> list[Document]:
        common = {**info, "transcription_model": response.model or self.model}
        if response.language:
            common["language"] = response.language
        if response.usage.prompt_audio_seconds is not None:
            common["audio_seconds"] = response.usage.prompt_audio_seconds
        if self.split_by_segment and response.segments:
            documents = []
            for number, segment in enumerate(response.segments):
                metadata = {**common, "segment_index": number}
                for key in ("start", "end", "speaker_id"):
                    value = getattr(segment, key)
                    if value is not None:
                        metadata[f"segment_{key}" if key != "speaker_id" else key] = value
                documents.append(Document(text=segment.text, metadata=metadata))
            return documents
        return [Document(text=response.text, metadata=common)]

    def load_data(
        self, file_path: FileSource, extra_info: dict[str, Any] | None = None, fs: Any = None
    ) -> list[Document]:
        """Transcribe one audio file (path, ``fsspec`` path with ``fs``, or URL)."""
        response = self._connection.client.audio.transcriptions.complete(**self._params(file_path, fs))
        return self._documents(response, _file_info(file_path, extra_info))

    async def aload_data(
        self, file_path: FileSource, extra_info: dict[str, Any] | None = None, fs: Any = None
    ) -> list[Document]:
        """Native async :meth:`load_data`."""
        response = await self._connection.aclient.audio.transcriptions.complete(**self._params(file_path, fs))
        return self._documents(response, _file_info(file_path, extra_info))
