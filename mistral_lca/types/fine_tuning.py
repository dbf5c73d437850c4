"""Fine-tuning jobs (``/v1/fine_tuning/jobs*``) and fine-tuned model management (``/v1/fine_tuning/models*``).

Jobs are documented only in Mistral's legacy spec (tag ``deprecated.fine-tuning``); the model update,
archive and unarchive routes are in the current spec. Completion and classifier jobs share one tolerant
:class:`FineTuningJob` model (``job_type`` tells them apart); list items, create responses and the detailed
``GET`` response (with ``events`` and ``checkpoints``) all parse into it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final, Literal

from pydantic import Field, field_validator

from ._base import RequestModel, ResponseModel

__all__ = [
    "FINE_TUNING_TERMINAL_STATUSES",
    "ArchiveFTModelResponse",
    "ClassifierTarget",
    "ClassifierTargetOut",
    "ClassifierTrainingParameters",
    "CompletionTrainingParameters",
    "CreateFineTuningJobRequest",
    "FineTunedModel",
    "FineTunedModelCapabilities",
    "FineTuningCheckpoint",
    "FineTuningCheckpointMetrics",
    "FineTuningHyperparameters",
    "FineTuningJob",
    "FineTuningJobDryRun",
    "FineTuningJobEvent",
    "FineTuningJobList",
    "FineTuningJobMetadata",
    "FineTuningJobStatus",
    "FineTuningJobStatusLiteral",
    "FineTuningJobType",
    "GithubRepository",
    "GithubRepositoryOut",
    "TrainingFile",
    "UnarchiveFTModelResponse",
    "UpdateFTModelRequest",
    "WandbIntegration",
    "WandbIntegrationOut",
    "is_dry_run_answer",
    "parse_create_fine_tuning_job_response",
]

FineTuningJobType = Literal["completion", "classifier"]

FineTuningJobStatusLiteral = Literal[
    "QUEUED",
    "STARTED",
    "VALIDATING",
    "VALIDATED",
    "RUNNING",
    "FAILED_VALIDATION",
    "FAILED",
    "SUCCESS",
    "CANCELLED",
    "CANCELLATION_REQUESTED",
]

FINE_TUNING_TERMINAL_STATUSES: Final[frozenset[str]] = frozenset(
    {"SUCCESS", "FAILED", "FAILED_VALIDATION", "CANCELLED"}
)
"""Statuses after which a fine-tuning job no longer changes.

``VALIDATED`` is not included: a job created with ``auto_start=false`` waits there until ``/start``.
"""


class FineTuningJobStatus:
    """Fine-tuning job status values, as string constants (compare as strings; the API may add more)."""

    QUEUED: Final = "QUEUED"
    STARTED: Final = "STARTED"
    VALIDATING: Final = "VALIDATING"
    VALIDATED: Final = "VALIDATED"
    RUNNING: Final = "RUNNING"
    FAILED_VALIDATION: Final = "FAILED_VALIDATION"
    FAILED: Final = "FAILED"
    SUCCESS: Final = "SUCCESS"
    CANCELLED: Final = "CANCELLED"
    CANCELLATION_REQUESTED: Final = "CANCELLATION_REQUESTED"

    TERMINAL: ClassVar[frozenset[str]] = FINE_TUNING_TERMINAL_STATUSES

    @classmethod
    def is_terminal(cls, status: str | None) -> bool:
        """True when ``status`` is a final state."""
        return status is not None and status.upper() in cls.TERMINAL


class _TypedRequest(RequestModel):
    """A request part whose ``type`` tag is always sent, even when left at its default."""

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        self.model_fields_set.add("type")


# --------------------------------------------------------------------------------------------- requests


class TrainingFile(RequestModel):
    """A training file reference with an optional sampling weight."""

    file_id: str
    weight: float | None = None


class CompletionTrainingParameters(RequestModel):
    """Hyperparameters for a ``completion`` job. Unset values use the API's defaults."""

    training_steps: int | None = None
    learning_rate: float | None = None
    weight_decay: float | None = None
    warmup_fraction: float | None = None
    epochs: float | None = None
    seq_len: int | None = None
    fim_ratio: float | None = None


class ClassifierTrainingParameters(RequestModel):
    """Hyperparameters for a ``classifier`` job. Unset values use the API's defaults."""

    training_steps: int | None = None
    learning_rate: float | None = None
    weight_decay: float | None = None
    warmup_fraction: float | None = None
    epochs: float | None = None
    seq_len: int | None = None


class WandbIntegration(_TypedRequest):
    """Report training metrics to Weights & Biases."""

    type: Literal["wandb"] = "wandb"
    project: str
    api_key: str
    name: str | None = None
    run_name: str | None = None


class GithubRepository(_TypedRequest):
    """A GitHub repository to train on."""

    type: Literal["github"] = "github"
    name: str
    owner: str
    token: str
    ref: str | None = None
    weight: float | None = None


class ClassifierTarget(RequestModel):
    """One classification head of a classifier job."""

    name: str
    labels: list[str]
    weight: float | None = None
    loss_function: Literal["single_class", "multi_class"] | str | None = None


class CreateFineTuningJobRequest(RequestModel):
    """``POST /v1/fine_tuning/jobs`` (legacy ``JobIn``). ``dry_run`` is a query parameter, not a field.

    ``training_files`` also accepts bare file ids, which are wrapped as ``{"file_id": ...}``.
    """

    model: str
    hyperparameters: CompletionTrainingParameters | ClassifierTrainingParameters
    training_files: list[TrainingFile] | None = None
    validation_files: list[str] | None = None
    suffix: str | None = None
    """At most 18 characters; becomes part of the fine-tuned model's name."""
    integrations: list[WandbIntegration] | None = None
    auto_start: bool | None = None
    invalid_sample_skip_percentage: float | None = None
    job_type: FineTuningJobType | str | None = None
    repositories: list[GithubRepository] | None = None
    classifier_targets: list[ClassifierTarget] | None = None

    @field_validator("training_files", mode="before")
    @classmethod
    def _wrap_file_ids(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"file_id": item} if isinstance(item, str) else item for item in value]
        return value


class UpdateFTModelRequest(RequestModel):
    """``PATCH /v1/fine_tuning/models/{model_id}``."""

    name: str | None = None
    description: str | None = None


# -------------------------------------------------------------------------------------------- responses


class FineTuningHyperparameters(ResponseModel):
    """Hyperparameters as reported on a job (completion jobs add ``fim_ratio``)."""

    training_steps: int | None = None
    learning_rate: float | None = None
    weight_decay: float | None = None
    warmup_fraction: float | None = None
    epochs: float | None = None
    seq_len: int | None = None
    fim_ratio: float | None = None


class WandbIntegrationOut(ResponseModel):
    """A W&B integration as reported on a job (no API key; may carry the run ``url``)."""

    type: str = "wandb"
    project: str | None = None
    name: str | None = None
    run_name: str | None = None
    url: str | None = None


class GithubRepositoryOut(ResponseModel):
    """A GitHub repository as reported on a job."""

    type: str = "github"
    name: str | None = None
    owner: str | None = None
    ref: str | None = None
    weight: float | None = None
    commit_id: str | None = None


class ClassifierTargetOut(ResponseModel):
    """A classifier target as reported on a job or a fine-tuned model."""

    name: str | None = None
    labels: list[str] = Field(default_factory=list)
    weight: float | None = None
    loss_function: str | None = None


class FineTuningJobMetadata(ResponseModel):
    """Cost and duration estimates of a job."""

    expected_duration_seconds: int | None = None
    cost: float | None = None
    cost_currency: str | None = None
    train_tokens_per_step: int | None = None
    train_tokens: int | None = None
    data_tokens: int | None = None
    estimated_start_time: int | None = None


class FineTuningJobEvent(ResponseModel):
    """A status change or other event of a job (detailed ``GET`` only)."""

    name: str | None = None
    data: dict[str, Any] | None = None
    created_at: int | None = None


class FineTuningCheckpointMetrics(ResponseModel):
    """Losses and accuracy at a checkpoint."""

    train_loss: float | None = None
    valid_loss: float | None = None
    valid_mean_token_accuracy: float | None = None


class FineTuningCheckpoint(ResponseModel):
    """A training checkpoint (detailed ``GET`` only)."""

    metrics: FineTuningCheckpointMetrics = Field(default_factory=FineTuningCheckpointMetrics)
    step_number: int | None = None
    created_at: int | None = None


class FineTuningJob(ResponseModel):
    """A fine-tuning job (completion or classifier; summary or detailed)."""

    required_fields = ("status",)

    id: str
    object: str = "job"
    job_type: FineTuningJobType | str | None = None
    model: str | None = None
    status: FineTuningJobStatusLiteral | str | None = None
    auto_start: bool | None = None
    created_at: int | None = None
    """Unix timestamps (seconds) here and below."""
    modified_at: int | None = None
    training_files: list[str] = Field(default_factory=list)
    validation_files: list[str] | None = None
    fine_tuned_model: str | None = None
    suffix: str | None = None
    integrations: list[WandbIntegrationOut] | None = None
    trained_tokens: int | None = None
    metadata: FineTuningJobMetadata | None = None
    hyperparameters: FineTuningHyperparameters = Field(default_factory=FineTuningHyperparameters)
    repositories: list[GithubRepositoryOut] = Field(default_factory=list)
    events: list[FineTuningJobEvent] = Field(default_factory=list)
    checkpoints: list[FineTuningCheckpoint] = Field(default_factory=list)
    classifier_targets: list[ClassifierTargetOut] | None = None

    @field_validator("training_files", mode="before")
    @classmethod
    def _file_ids(cls, value: Any) -> Any:
        # Some servers echo the request form ({"file_id": ..., "weight": ...}); keep the ids.
        if isinstance(value, list):
            return [item.get("file_id", item) if isinstance(item, dict) else item for item in value]
        return value

    @property
    def is_terminal(self) -> bool:
        """True once the job has finished (successfully or not)."""
        return FineTuningJobStatus.is_terminal(self.status)


class FineTuningJobList(ResponseModel):
    """``GET /v1/fine_tuning/jobs``."""

    required_fields = ("data",)

    data: list[FineTuningJob] = Field(default_factory=list)
    object: str = "list"
    total: int = 0


class FineTuningJobDryRun(FineTuningJobMetadata):
    """``POST /v1/fine_tuning/jobs?dry_run=true``: estimates only, no job is created."""

    object: str = "job.metadata"
    deprecated: bool | None = None
    details: str | None = None
    epochs: float | None = None
    training_steps: int | None = None


def is_dry_run_answer(data: dict[str, Any]) -> bool:
    """Whether a ``POST /v1/fine_tuning/jobs`` answer holds dry-run estimates (no ``id``) rather than a job."""
    return data.get("object") == "job.metadata" or "id" not in data


def parse_create_fine_tuning_job_response(data: dict[str, Any]) -> FineTuningJob | FineTuningJobDryRun:
    """Parse a ``POST /v1/fine_tuning/jobs`` answer: a job, or dry-run estimates (no ``id``)."""
    if is_dry_run_answer(data):
        return FineTuningJobDryRun.model_validate(data)
    return FineTuningJob.model_validate(data)


class FineTunedModelCapabilities(ResponseModel):
    """What a fine-tuned model can do."""

    completion_chat: bool = True
    completion_fim: bool = False
    function_calling: bool = False
    fine_tuning: bool = False
    classification: bool = False


class FineTunedModel(ResponseModel):
    """A fine-tuned model card, as returned by ``PATCH /v1/fine_tuning/models/{model_id}``."""

    id: str
    object: str = "model"
    model_type: FineTuningJobType | str | None = None
    created: int | None = None
    owned_by: str | None = None
    workspace_id: str | None = None
    root: str | None = None
    root_version: str | None = None
    archived: bool | None = None
    name: str | None = None
    description: str | None = None
    capabilities: FineTunedModelCapabilities = Field(default_factory=FineTunedModelCapabilities)
    max_context_length: int | None = None
    aliases: list[str] = Field(default_factory=list)
    job: str | None = None
    classifier_targets: list[ClassifierTargetOut] | None = None


class ArchiveFTModelResponse(ResponseModel):
    """``POST /v1/fine_tuning/models/{model_id}/archive``."""

    id: str
    object: str = "model"
    archived: bool = True


class UnarchiveFTModelResponse(ResponseModel):
    """``DELETE /v1/fine_tuning/models/{model_id}/archive``."""

    id: str
    object: str = "model"
    archived: bool = False
