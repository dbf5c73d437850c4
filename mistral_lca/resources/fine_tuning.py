"""``client.fine_tuning.jobs`` (``/v1/fine_tuning/jobs*``) and the fine-tuned model operations used by
``client.models.update / archive / unarchive`` (``/v1/fine_tuning/models/{model_id}*``)."""

from __future__ import annotations

import datetime as _dt
from functools import cached_property
from typing import Any

from typing_extensions import Required, TypedDict, Unpack

from .._operation import Operation, decode_error, model_parser, validated
from .._request import RequestSpec
from .._response import Decoded
from ..jobs import FINE_TUNING_JOBS, JobPoller, OnChange, async_wait_for_job, wait_for_job
from ..types.fine_tuning import (
    ArchiveFTModelResponse,
    ClassifierTarget,
    ClassifierTrainingParameters,
    CompletionTrainingParameters,
    CreateFineTuningJobRequest,
    FineTunedModel,
    FineTuningJob,
    FineTuningJobDryRun,
    FineTuningJobList,
    GithubRepository,
    TrainingFile,
    UnarchiveFTModelResponse,
    UpdateFTModelRequest,
    WandbIntegration,
    is_dry_run_answer,
)
from ._base import AsyncResource, SyncResource
from ._common import query, request_body, require_id

__all__ = [
    "AsyncFineTuning",
    "AsyncFineTuningJobs",
    "FineTuning",
    "FineTuningJobCreateParams",
    "FineTuningJobs",
    "archive_model_operation",
    "create_operation",
    "list_operation",
    "unarchive_model_operation",
    "update_model_operation",
]

_JOBS = "/v1/fine_tuning/jobs"
_ONE = "/v1/fine_tuning/jobs/{job_id}"
_MODEL = "/v1/fine_tuning/models/{model_id}"
_ARCHIVE = "/v1/fine_tuning/models/{model_id}/archive"

_parse_job = model_parser(FineTuningJob)


class FineTuningJobCreateParams(TypedDict, total=False):
    """Keyword arguments of ``client.fine_tuning.jobs.create`` (``dry_run`` goes in the query string)."""

    model: Required[str]
    hyperparameters: Required[CompletionTrainingParameters | ClassifierTrainingParameters | dict[str, Any]]
    training_files: list[TrainingFile | dict[str, Any] | str]
    validation_files: list[str]
    suffix: str
    integrations: list[WandbIntegration | dict[str, Any]]
    auto_start: bool
    invalid_sample_skip_percentage: float
    job_type: str
    repositories: list[GithubRepository | dict[str, Any]]
    classifier_targets: list[ClassifierTarget | dict[str, Any]]
    dry_run: bool


def list_operation(
    *,
    page: int | None = None,
    page_size: int | None = None,
    model: str | None = None,
    created_after: _dt.datetime | str | None = None,
    created_before: _dt.datetime | str | None = None,
    created_by_me: bool | None = None,
    status: str | None = None,
    wandb_project: str | None = None,
    wandb_name: str | None = None,
    suffix: str | None = None,
) -> Operation[FineTuningJobList]:
    params = query(
        page=page,
        page_size=page_size,
        model=model,
        created_after=created_after,
        created_before=created_before,
        created_by_me=created_by_me,
        status=status,
        wandb_project=wandb_project,
        wandb_name=wandb_name,
        suffix=suffix,
    )
    return Operation(RequestSpec("GET", _JOBS, query=params), model_parser(FineTuningJobList))


def _parse_created(decoded: Decoded) -> FineTuningJob | FineTuningJobDryRun:
    data = decoded.data
    if not data:
        raise decode_error(decoded, "FineTuningJob", "an empty answer")
    if isinstance(data, dict) and is_dry_run_answer(data):
        return validated(FineTuningJobDryRun, decoded)
    return validated(FineTuningJob, decoded)


def create_operation(params: FineTuningJobCreateParams) -> Operation[FineTuningJob | FineTuningJobDryRun]:
    """``POST /v1/fine_tuning/jobs``; with ``dry_run=True`` only cost/duration estimates come back."""
    fields: dict[str, Any] = {k: v for k, v in params.items() if k != "dry_run"}
    require_id(fields.get("model"), "model")
    body = request_body(CreateFineTuningJobRequest, fields, "fine_tuning.jobs.create")
    dry_run = params.get("dry_run")
    spec = RequestSpec("POST", _JOBS, query=query(dry_run=dry_run), json=body, creates=not dry_run)
    return Operation(spec, _parse_created)


def _job(method: str, template: str, job_id: str) -> Operation[FineTuningJob]:
    spec = RequestSpec(method, template, path_params={"job_id": require_id(job_id, "job_id")})
    return Operation(spec, _parse_job)


def get_operation(job_id: str) -> Operation[FineTuningJob]:
    return _job("GET", _ONE, job_id)


def cancel_operation(job_id: str) -> Operation[FineTuningJob]:
    return _job("POST", _ONE + "/cancel", job_id)


def start_operation(job_id: str) -> Operation[FineTuningJob]:
    return _job("POST", _ONE + "/start", job_id)


def _model_spec(method: str, template: str, model_id: str, **extra: Any) -> RequestSpec:
    return RequestSpec(method, template, path_params={"model_id": require_id(model_id, "model_id")}, **extra)


def update_model_operation(
    model_id: str, *, name: str | None = None, description: str | None = None
) -> Operation[FineTunedModel]:
    """``PATCH /v1/fine_tuning/models/{model_id}``: rename or re-describe a fine-tuned model."""
    body = request_body(UpdateFTModelRequest, {"name": name, "description": description}, "models.update")
    return Operation(_model_spec("PATCH", _MODEL, model_id, json=body), model_parser(FineTunedModel))


def archive_model_operation(model_id: str) -> Operation[ArchiveFTModelResponse]:
    return Operation(_model_spec("POST", _ARCHIVE, model_id), model_parser(ArchiveFTModelResponse))


def unarchive_model_operation(model_id: str) -> Operation[UnarchiveFTModelResponse]:
    return Operation(_model_spec("DELETE", _ARCHIVE, model_id), model_parser(UnarchiveFTModelResponse))


def _poller(timeout: float | None, poll_interval: float, max_poll_interval: float) -> JobPoller[FineTuningJob]:
    return JobPoller(
        FINE_TUNING_JOBS, timeout=timeout, poll_interval=poll_interval, max_poll_interval=max_poll_interval
    )


class FineTuningJobs(SyncResource):
    def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        model: str | None = None,
        created_after: _dt.datetime | str | None = None,
        created_before: _dt.datetime | str | None = None,
        created_by_me: bool | None = None,
        status: str | None = None,
        wandb_project: str | None = None,
        wandb_name: str | None = None,
        suffix: str | None = None,
    ) -> FineTuningJobList:
        return self._run(
            list_operation(
                page=page,
                page_size=page_size,
                model=model,
                created_after=created_after,
                created_before=created_before,
                created_by_me=created_by_me,
                status=status,
                wandb_project=wandb_project,
                wandb_name=wandb_name,
                suffix=suffix,
            )
        )

    def create(self, **params: Unpack[FineTuningJobCreateParams]) -> FineTuningJob | FineTuningJobDryRun:
        """Create a job (``dry_run=True``: estimates only, returned as :class:`FineTuningJobDryRun`)."""
        return self._run(create_operation(params))

    def get(self, job_id: str) -> FineTuningJob:
        return self._run(get_operation(job_id))

    def cancel(self, job_id: str) -> FineTuningJob:
        return self._run(cancel_operation(job_id))

    def start(self, job_id: str) -> FineTuningJob:
        """Start a validated job created with ``auto_start=False``."""
        return self._run(start_operation(job_id))

    def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = 10.0,
        max_poll_interval: float = 120.0,
        on_change: OnChange[FineTuningJob] | None = None,
    ) -> FineTuningJob:
        """Poll until the job ends (or is VALIDATED with ``auto_start=False``); :class:`JobFailedError` on
        FAILED, FAILED_VALIDATION or CANCELLED."""
        op = get_operation(job_id)
        poller = _poller(timeout, poll_interval, max_poll_interval)
        return wait_for_job(lambda: self._run(op), poller, sleep=self._sender.sleep, on_change=on_change)


class AsyncFineTuningJobs(AsyncResource):
    async def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        model: str | None = None,
        created_after: _dt.datetime | str | None = None,
        created_before: _dt.datetime | str | None = None,
        created_by_me: bool | None = None,
        status: str | None = None,
        wandb_project: str | None = None,
        wandb_name: str | None = None,
        suffix: str | None = None,
    ) -> FineTuningJobList:
        return await self._run(
            list_operation(
                page=page,
                page_size=page_size,
                model=model,
                created_after=created_after,
                created_before=created_before,
                created_by_me=created_by_me,
                status=status,
                wandb_project=wandb_project,
                wandb_name=wandb_name,
                suffix=suffix,
            )
        )

    async def create(self, **params: Unpack[FineTuningJobCreateParams]) -> FineTuningJob | FineTuningJobDryRun:
        """Create a job (``dry_run=True``: estimates only, returned as :class:`FineTuningJobDryRun`)."""
        return await self._run(create_operation(params))

    async def get(self, job_id: str) -> FineTuningJob:
        return await self._run(get_operation(job_id))

    async def cancel(self, job_id: str) -> FineTuningJob:
        return await self._run(cancel_operation(job_id))

    async def start(self, job_id: str) -> FineTuningJob:
        """Start a validated job created with ``auto_start=False``."""
        return await self._run(start_operation(job_id))

    async def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = 10.0,
        max_poll_interval: float = 120.0,
        on_change: OnChange[FineTuningJob] | None = None,
    ) -> FineTuningJob:
        """Poll until the job ends (or is VALIDATED with ``auto_start=False``); :class:`JobFailedError` on
        FAILED, FAILED_VALIDATION or CANCELLED."""
        op = get_operation(job_id)
        poller = _poller(timeout, poll_interval, max_poll_interval)
        return await async_wait_for_job(lambda: self._run(op), poller, sleep=self._sender.sleep, on_change=on_change)


class FineTuning(SyncResource):
    """``client.fine_tuning``: holds ``jobs`` (fine-tuned models are managed with ``client.models``)."""

    @cached_property
    def jobs(self) -> FineTuningJobs:
        return FineTuningJobs(self._sender)


class AsyncFineTuning(AsyncResource):
    """``client.fine_tuning`` (async): holds ``jobs``."""

    @cached_property
    def jobs(self) -> AsyncFineTuningJobs:
        return AsyncFineTuningJobs(self._sender)
