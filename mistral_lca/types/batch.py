"""Batch inference jobs (``/v1/batch/jobs*``).

A job reads its requests from uploaded ``.jsonl`` files (``input_files``) or from inline ``requests``.
``GET /v1/batch/jobs/{job_id}?inline=true`` returns the results inline in ``outputs``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final, Literal

from pydantic import Field

from ._base import RequestModel, ResponseModel

__all__ = [
    "BATCH_TERMINAL_STATUSES",
    "BatchEndpoint",
    "BatchError",
    "BatchJob",
    "BatchJobOutput",
    "BatchJobStatus",
    "BatchJobStatusLiteral",
    "BatchOutputResponse",
    "BatchRequest",
    "CreateBatchJobRequest",
    "DeleteBatchJobResponse",
    "ListBatchJobsResponse",
]

BatchEndpoint = Literal[
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/fim/completions",
    "/v1/moderations",
    "/v1/chat/moderations",
    "/v1/ocr",
    "/v1/classifications",
    "/v1/chat/classifications",
    "/v1/conversations",
    "/v1/audio/transcriptions",
]
"""Endpoints the spec accepts for batch inference (2026-08)."""

BatchJobStatusLiteral = Literal[
    "QUEUED",
    "RUNNING",
    "SUCCESS",
    "FAILED",
    "TIMEOUT_EXCEEDED",
    "CANCELLATION_REQUESTED",
    "CANCELLED",
]

BATCH_TERMINAL_STATUSES: Final[frozenset[str]] = frozenset({"SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLED"})
"""Statuses after which a batch job no longer changes (``CANCELLATION_REQUESTED`` is not terminal)."""


class BatchJobStatus:
    """Batch job status values, as string constants (the API may add more; compare as strings)."""

    QUEUED: Final = "QUEUED"
    RUNNING: Final = "RUNNING"
    SUCCESS: Final = "SUCCESS"
    FAILED: Final = "FAILED"
    TIMEOUT_EXCEEDED: Final = "TIMEOUT_EXCEEDED"
    CANCELLATION_REQUESTED: Final = "CANCELLATION_REQUESTED"
    CANCELLED: Final = "CANCELLED"

    TERMINAL: ClassVar[frozenset[str]] = BATCH_TERMINAL_STATUSES

    @classmethod
    def is_terminal(cls, status: str | None) -> bool:
        """True when ``status`` is a final state."""
        return status is not None and status.upper() in cls.TERMINAL


# --------------------------------------------------------------------------------------------- requests


class BatchRequest(RequestModel):
    """One inline request of a batch: the body the target endpoint would receive, plus an optional id."""

    custom_id: str | None = None
    body: dict[str, Any]


class CreateBatchJobRequest(RequestModel):
    """``POST /v1/batch/jobs``. Give either ``input_files`` (file ids) or inline ``requests``."""

    endpoint: BatchEndpoint | str
    input_files: list[str] | None = None
    requests: list[BatchRequest] | None = None
    model: str | None = None
    agent_id: str | None = None
    metadata: dict[str, str] | None = None
    timeout_hours: int | None = None
    """1 to 168; the API defaults to 24."""


# -------------------------------------------------------------------------------------------- responses


class BatchError(ResponseModel):
    """An aggregated error of a batch job."""

    message: str = ""
    count: int = 1


class BatchOutputResponse(ResponseModel):
    """The upstream answer to one batch request: HTTP status and the endpoint's JSON body."""

    status_code: int | None = None
    body: Any = None
    """Usually the endpoint's response object (e.g. a chat completion) as a dict."""


class BatchJobOutput(ResponseModel):
    """One inline result (``outputs`` when the job is fetched with ``inline=true``)."""

    id: str | None = None
    custom_id: str | None = None
    response: BatchOutputResponse | None = None
    error: Any = None


class BatchJob(ResponseModel):
    """A batch job (create, get, cancel, and each item of a listing)."""

    required_fields = ("status",)

    id: str
    object: str = "batch"
    input_files: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] | None = None
    endpoint: str | None = None
    model: str | None = None
    agent_id: str | None = None
    output_file: str | None = None
    error_file: str | None = None
    errors: list[BatchError] = Field(default_factory=list)
    outputs: list[BatchJobOutput] | None = None
    status: BatchJobStatusLiteral | str | None = None
    created_at: int | None = None
    """Unix timestamps (seconds) here and below."""
    started_at: int | None = None
    completed_at: int | None = None
    total_requests: int = 0
    completed_requests: int = 0
    succeeded_requests: int = 0
    failed_requests: int = 0

    @property
    def is_terminal(self) -> bool:
        """True once the job has finished (successfully or not)."""
        return BatchJobStatus.is_terminal(self.status)


class ListBatchJobsResponse(ResponseModel):
    """``GET /v1/batch/jobs``."""

    required_fields = ("data",)

    data: list[BatchJob] = Field(default_factory=list)
    object: str = "list"
    total: int = 0


class DeleteBatchJobResponse(ResponseModel):
    """``DELETE /v1/batch/jobs/{job_id}``."""

    id: str
    object: str = "batch"
    deleted: bool = True
