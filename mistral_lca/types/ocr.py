"""Document OCR (``POST /v1/ocr``).

The request names its input in ``document``, which is one of

* ``{"type": "document_url", "document_url": "https://... or data:application/pdf;base64,..."}``
* ``{"type": "image_url", "image_url": "https://... or data:image/png;base64,..."}``
* ``{"type": "file", "file_id": "<id of a file uploaded with purpose ocr>"}``

A top-level ``image_url`` (shown by some third-party docs) is rejected by the API with 422.
The ``document`` chunk types here are request models; the chat module has response-side chunks with
the same names, so they are also exported as ``OCRDocumentURLChunk``, ``OCRImageURLChunk``, ``OCRFileChunk``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Discriminator, Field, Tag

from ._base import RequestModel, ResponseModel

__all__ = [
    "DocumentURLChunk",
    "FileChunk",
    "ImageURL",
    "ImageURLChunk",
    "OCRBlock",
    "OCRBlockConfidenceScores",
    "OCRConfidenceScore",
    "OCRDocument",
    "OCRDocumentURLChunk",
    "OCRFileChunk",
    "OCRImageObject",
    "OCRImageURLChunk",
    "OCRPageConfidenceScores",
    "OCRPageDimensions",
    "OCRPageObject",
    "OCRRequest",
    "OCRResponse",
    "OCRTableObject",
    "OCRUsageInfo",
]


class _TypedRequest(RequestModel):
    """A request part whose ``type`` tag is always sent, even when left at its default."""

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        self.model_fields_set.add("type")


# --------------------------------------------------------------------------------------------- requests


class DocumentURLChunk(_TypedRequest):
    """A PDF or other document by URL (``https://`` or a ``data:`` URI)."""

    type: Literal["document_url"] = "document_url"
    document_url: str
    document_name: str | None = None


class ImageURL(RequestModel):
    """The object form of an image URL, with an optional detail level."""

    url: str
    detail: str | None = None


class ImageURLChunk(_TypedRequest):
    """An image by URL (``https://`` or a ``data:image/...;base64,`` URI)."""

    type: Literal["image_url"] = "image_url"
    image_url: str | ImageURL


class FileChunk(_TypedRequest):
    """A file previously uploaded to ``/v1/files`` (purpose ``ocr``)."""

    type: Literal["file"] = "file"
    file_id: str


OCRDocumentURLChunk = DocumentURLChunk
OCRImageURLChunk = ImageURLChunk
OCRFileChunk = FileChunk


def _document_tag(value: Any) -> str | None:
    """The chunk type; inferred from the keys when ``type`` is missing (e.g. ``{"file_id": ...}``)."""
    if isinstance(value, dict):
        kind = value.get("type")
        if kind is None:
            for key in ("document_url", "image_url", "file_id"):
                if key in value:
                    return "file" if key == "file_id" else key
        return kind if isinstance(kind, str) else None
    kind = getattr(value, "type", None)
    return kind if isinstance(kind, str) else None


OCRDocument: TypeAlias = Annotated[
    Annotated[DocumentURLChunk, Tag("document_url")]
    | Annotated[ImageURLChunk, Tag("image_url")]
    | Annotated[FileChunk, Tag("file")],
    Discriminator(_document_tag),
]
"""The ``document`` of an OCR request; plain dicts are accepted and validated."""


class OCRRequest(RequestModel):
    """``POST /v1/ocr``."""

    model: str
    """e.g. ``mistral-ocr-latest``."""
    document: OCRDocument
    pages: list[int] | str | None = None
    """Page indices (0-based) as a list, or a string such as ``"0-5"``."""
    include_image_base64: bool | None = None
    image_limit: int | None = None
    image_min_size: int | None = None
    bbox_annotation_format: dict[str, Any] | None = None
    """A ``response_format`` (``{"type": "json_schema", "json_schema": {...}}``) for each extracted image."""
    document_annotation_format: dict[str, Any] | None = None
    """A ``response_format`` for a whole-document annotation (returned in ``document_annotation``)."""
    document_annotation_prompt: str | None = None
    table_format: Literal["markdown", "html"] | str | None = None
    extract_header: bool | None = None
    extract_footer: bool | None = None
    include_blocks: bool | None = None
    confidence_scores_granularity: Literal["word", "page", "block"] | str | None = None


# -------------------------------------------------------------------------------------------- responses


class OCRPageDimensions(ResponseModel):
    """Page size in pixels and its resolution (the spec's own example sends ``{}``)."""

    dpi: int | None = None
    height: int | None = None
    width: int | None = None


class OCRConfidenceScore(ResponseModel):
    """Confidence of one word."""

    text: str = ""
    confidence: float | None = None
    start_index: int | None = None


class OCRPageConfidenceScores(ResponseModel):
    """Page-level confidence (``confidence_scores_granularity`` = ``page`` or ``word``)."""

    word_confidence_scores: list[OCRConfidenceScore] | None = None
    average_page_confidence_score: float | None = None
    minimum_page_confidence_score: float | None = None


class OCRBlockConfidenceScores(ResponseModel):
    """Block-level confidence (``confidence_scores_granularity`` = ``block``)."""

    average_content_confidence_score: float | None = None
    minimum_content_confidence_score: float | None = None
    block_type_confidence_score: float | None = None


class OCRImageObject(ResponseModel):
    """An image found on a page, with its bounding box and optionally its pixels and annotation."""

    id: str | None = None
    top_left_x: int | None = None
    top_left_y: int | None = None
    bottom_right_x: int | None = None
    bottom_right_y: int | None = None
    image_base64: str | None = None
    image_annotation: str | None = None
    """JSON text matching ``bbox_annotation_format``, when one was requested."""


class OCRTableObject(ResponseModel):
    """A table extracted separately (``table_format`` set); the page markdown references it by id."""

    id: str | None = None
    content: str = ""
    format: str | None = None
    word_confidence_scores: list[OCRConfidenceScore] | None = None


class OCRBlock(ResponseModel):
    """A layout block of a page.

    One model for every block ``type`` (text, title, list, table, image, equation, caption, code,
    references, aside_text, header, footer, signature, and any future type): they differ only in the
    optional ``image_id`` / ``table_id``.
    """

    type: str | None = None
    content: str = ""
    top_left_x: int | None = None
    top_left_y: int | None = None
    bottom_right_x: int | None = None
    bottom_right_y: int | None = None
    confidence_scores: OCRBlockConfidenceScores | None = None
    image_id: str | None = None
    table_id: str | None = None


class OCRPageObject(ResponseModel):
    """One processed page."""

    index: int = 0
    markdown: str = ""
    images: list[OCRImageObject] = Field(default_factory=list)
    tables: list[OCRTableObject] = Field(default_factory=list)
    hyperlinks: list[str] = Field(default_factory=list)
    header: str | None = None
    footer: str | None = None
    dimensions: OCRPageDimensions | None = None
    confidence_scores: OCRPageConfidenceScores | None = None
    blocks: list[OCRBlock] | None = None


class OCRUsageInfo(ResponseModel):
    """Billing counters of an OCR call."""

    pages_processed: int = 0
    doc_size_bytes: int | None = None


class OCRResponse(ResponseModel):
    """``POST /v1/ocr`` answer."""

    required_fields = ("pages", "model")

    pages: list[OCRPageObject] = Field(default_factory=list)
    model: str | None = None
    document_annotation: str | None = None
    """JSON text matching ``document_annotation_format``, when one was requested."""
    usage_info: OCRUsageInfo = Field(default_factory=OCRUsageInfo)

    @property
    def markdown(self) -> str:
        """The markdown of all pages, in order, separated by blank lines."""
        return "\n\n".join(page.markdown for page in sorted(self.pages, key=lambda p: p.index))
