"""``client.batch``: batch jobs (``client.batch.jobs``) and batch-at-scale runs (``run_chat``, ``run_embeddings``)."""

from __future__ import annotations

import builtins
import datetime as _dt
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

from .._errors import InvalidRequestError
from .._operation import Operation, model_parser
from .._request import RequestSpec
from ..batching import BatchPlan, BatchResult, chat_plan, embeddings_plan, parse_jsonl, split_wait_options
from ..jobs import BATCH_JOBS, JobPoller, OnChange, async_wait_for_job, wait_for_job
from ..types.batch import (
    BatchJob,
    BatchJobOutput,
    CreateBatchJobRequest,
    DeleteBatchJobResponse,
    ListBatchJobsResponse,
)
from ..types.chat import ChatCompletionResponse
from ._base import AsyncResource, SyncResource
from ._common import query, request_body, require_id
from .files import download_operation, upload_operation

__all__ = [
    "AsyncBatch",
    "AsyncBatchJobs",
    "Batch",
    "BatchJobs",
    "cancel_operation",
    "create_operation",
    "get_operation",
    "list_operation",
]

T = TypeVar("T")

_JOBS = "/v1/batch/jobs"
_ONE = "/v1/batch/jobs/{job_id}"
_CANCEL = "/v1/batch/jobs/{job_id}/cancel"

_parse_job = model_parser(BatchJob)


def create_operation(
    *,
    endpoint: str,
    input_files: Sequence[str] | None = None,
    requests: Sequence[Mapping[str, Any]] | None = None,
    model: str | None = None,
    agent_id: str | None = None,
    metadata: Mapping[str, str] | None = None,
    timeout_hours: int | None = None,
) -> Operation[BatchJob]:
    """``POST /v1/batch/jobs`` from uploaded ``input_files`` or inline ``requests`` (``[{custom_id, body}]``)."""
    if bool(input_files) == bool(requests):
        raise InvalidRequestError("Invalid batch.jobs.create request: give either input_files or requests (not both)")
    for file_id in input_files or ():
        require_id(file_id, "input_files item")
    params = {
        "endpoint": endpoint,
        "input_files": list(input_files) if input_files else None,
        "requests": list(requests) if requests else None,
        "model": model,
        "agent_id": agent_id,
        "metadata": dict(metadata) if metadata else None,
        "timeout_hours": timeout_hours,
    }
    body = request_body(CreateBatchJobRequest, params, "batch.jobs.create")
    return Operation(RequestSpec("POST", _JOBS, json=body, creates=True), _parse_job)


def list_operation(
    *,
    page: int | None = None,
    page_size: int | None = None,
    model: str | None = None,
    agent_id: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    created_after: _dt.datetime | str | None = None,
    created_by_me: bool | None = None,
    status: str | Sequence[str] | None = None,
    order_by: str | None = None,
) -> Operation[ListBatchJobsResponse]:
    params = query(
        page=page,
        page_size=page_size,
        model=model,
        agent_id=agent_id,
        metadata=metadata,
        created_after=created_after,
        created_by_me=created_by_me,
        status=[status] if isinstance(status, str) else status,
        order_by=order_by,
    )
    return Operation(RequestSpec("GET", _JOBS, query=params), model_parser(ListBatchJobsResponse))


def _one(method: str, template: str, job_id: str, **extra: Any) -> RequestSpec:
    return RequestSpec(method, template, path_params={"job_id": require_id(job_id, "job_id")}, **extra)


def get_operation(job_id: str, *, inline: bool | None = None) -> Operation[BatchJob]:
    """``GET /v1/batch/jobs/{job_id}``; ``inline=True`` returns the results in ``outputs``."""
    return Operation(_one("GET", _ONE, job_id, query=query(inline=inline)), _parse_job)


def cancel_operation(job_id: str) -> Operation[BatchJob]:
    return Operation(_one("POST", _CANCEL, job_id), _parse_job)


def delete_operation(job_id: str) -> Operation[DeleteBatchJobResponse]:
    return Operation(_one("DELETE", _ONE, job_id), model_parser(DeleteBatchJobResponse))


def _job_id(job: BatchJob | str) -> str:
    return require_id(job.id if isinstance(job, BatchJob) else job, "job_id")


def _result_files(job: BatchJob) -> builtins.list[str]:
    return [f for f in (job.output_file, job.error_file) if f]


def _poller(timeout: float | None, poll_interval: float, max_poll_interval: float) -> JobPoller[BatchJob]:
    return JobPoller(BATCH_JOBS, timeout=timeout, poll_interval=poll_interval, max_poll_interval=max_poll_interval)


def _create_for(
    plan: BatchPlan[Any], file_id: str, metadata: Mapping[str, str] | None, timeout_hours: int | None
) -> Operation[BatchJob]:
    return create_operation(
        endpoint=plan.endpoint, input_files=[file_id], model=plan.model, metadata=metadata, timeout_hours=timeout_hours
    )


class BatchJobs(SyncResource):
    def create(
        self,
        *,
        endpoint: str,
        input_files: Sequence[str] | None = None,
        requests: Sequence[Mapping[str, Any]] | None = None,
        model: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        timeout_hours: int | None = None,
    ) -> BatchJob:
        return self._run(
            create_operation(
                endpoint=endpoint,
                input_files=input_files,
                requests=requests,
                model=model,
                agent_id=agent_id,
                metadata=metadata,
                timeout_hours=timeout_hours,
            )
        )

    def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        model: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        created_after: _dt.datetime | str | None = None,
        created_by_me: bool | None = None,
        status: str | Sequence[str] | None = None,
        order_by: str | None = None,
    ) -> ListBatchJobsResponse:
        return self._run(
            list_operation(
                page=page,
                page_size=page_size,
                model=model,
                agent_id=agent_id,
                metadata=metadata,
                created_after=created_after,
                created_by_me=created_by_me,
                status=status,
                order_by=order_by,
            )
        )

    def get(self, job_id: str, *, inline: bool | None = None) -> BatchJob:
        return self._run(get_operation(job_id, inline=inline))

    def cancel(self, job_id: str) -> BatchJob:
        return self._run(cancel_operation(job_id))

    def delete(self, job_id: str) -> DeleteBatchJobResponse:
        return self._run(delete_operation(job_id))

    def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
        on_change: OnChange[BatchJob] | None = None,
    ) -> BatchJob:
        """Poll until the job ends; :class:`JobFailedError` on FAILED/CANCELLED/TIMEOUT_EXCEEDED."""
        op = get_operation(job_id)
        poller = _poller(timeout, poll_interval, max_poll_interval)
        return wait_for_job(lambda: self._run(op), poller, sleep=self._sender.sleep, on_change=on_change)

    def results(self, job: BatchJob | str) -> builtins.list[BatchJobOutput]:
        """The job's per-request outputs: inline ``outputs`` if present, else its output and error files."""
        if not isinstance(job, BatchJob) or (job.outputs is None and not _result_files(job)):
            job = self.get(_job_id(job))
        if job.outputs is not None:
            return job.outputs
        return [line for f in _result_files(job) for line in parse_jsonl(self._run(download_operation(f)))]


class AsyncBatchJobs(AsyncResource):
    async def create(
        self,
        *,
        endpoint: str,
        input_files: Sequence[str] | None = None,
        requests: Sequence[Mapping[str, Any]] | None = None,
        model: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        timeout_hours: int | None = None,
    ) -> BatchJob:
        return await self._run(
            create_operation(
                endpoint=endpoint,
                input_files=input_files,
                requests=requests,
                model=model,
                agent_id=agent_id,
                metadata=metadata,
                timeout_hours=timeout_hours,
            )
        )

    async def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        model: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        created_after: _dt.datetime | str | None = None,
        created_by_me: bool | None = None,
        status: str | Sequence[str] | None = None,
        order_by: str | None = None,
    ) -> ListBatchJobsResponse:
        return await self._run(
            list_operation(
                page=page,
                page_size=page_size,
                model=model,
                agent_id=agent_id,
                metadata=metadata,
                created_after=created_after,
                created_by_me=created_by_me,
                status=status,
                order_by=order_by,
            )
        )

    async def get(self, job_id: str, *, inline: bool | None = None) -> BatchJob:
        return await self._run(get_operation(job_id, inline=inline))

    async def cancel(self, job_id: str) -> BatchJob:
        return await self._run(cancel_operation(job_id))

    async def delete(self, job_id: str) -> DeleteBatchJobResponse:
        return await self._run(delete_operation(job_id))

    async def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
        on_change: OnChange[BatchJob] | None = None,
    ) -> BatchJob:
        """Poll until the job ends; :class:`JobFailedError` on FAILED/CANCELLED/TIMEOUT_EXCEEDED."""
        op = get_operation(job_id)
        poller = _poller(timeout, poll_interval, max_poll_interval)
        return await async_wait_for_job(lambda: self._run(op), poller, sleep=self._sender.sleep, on_change=on_change)

    async def results(self, job: BatchJob | str) -> builtins.list[BatchJobOutput]:
        """The job's per-request outputs: inline ``outputs`` if present, else its output and error files."""
        if not isinstance(job, BatchJob) or (job.outputs is None and not _result_files(job)):
            job = await self.get(_job_id(job))
        if job.outputs is not None:
            return job.outputs
        lines: builtins.list[BatchJobOutput] = []
        for file_id in _result_files(job):
            content: bytes = await self._run(download_operation(file_id))
            lines.extend(parse_jsonl(content))
        return lines


class Batch(SyncResource):
    """``client.batch``: ``jobs`` plus one-call runs of many requests (see :mod:`mistral_lca.batching`)."""

    @cached_property
    def jobs(self) -> BatchJobs:
        return BatchJobs(self._sender)

    def run(
        self,
        plan: BatchPlan[T],
        *,
        timeout: float | None = None,
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
        on_change: OnChange[BatchJob] | None = None,
        job_metadata: Mapping[str, str] | None = None,
        timeout_hours: int | None = None,
    ) -> builtins.list[BatchResult[T]]:
        """Upload the plan's JSONL, create the job, wait, download the results; one result per input, in order."""
        uploaded = self._run(upload_operation(plan.input_file(), purpose="batch"))
        job = self._run(_create_for(plan, uploaded.id, job_metadata, timeout_hours))
        job = self.jobs.wait(
            job.id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_change=on_change,
        )
        return plan.results(self.jobs.results(job))

    def run_chat(
        self, requests: Sequence[Mapping[str, Any] | Sequence[Mapping[str, Any]]], *, model: str, **params: Any
    ) -> builtins.list[BatchResult[ChatCompletionResponse]]:
        """Run chat completions through the batch API; ``requests`` are chat parameters or message lists.

        ``params`` are :class:`~mistral_lca.batching.BatchWaitOptions` (how to wait) and common chat parameters
        (``temperature=...``) that apply to every request that does not set them.
        """
        wait, common = split_wait_options(params)
        return self.run(chat_plan(requests, model=model, **common), **wait)

    def run_embeddings(
        self, texts: Sequence[str], *, model: str, **params: Any
    ) -> builtins.list[BatchResult[builtins.list[float]]]:
        """Embed ``texts`` through the batch API; one result (the vector) per text, in order.

        ``params``: :class:`~mistral_lca.batching.BatchWaitOptions`, ``texts_per_request``,
        ``max_tokens_per_request`` and embedding options (``output_dimension``, ...).
        """
        wait, options = split_wait_options(params)
        return self.run(embeddings_plan(texts, model=model, **options), **wait)


class AsyncBatch(AsyncResource):
    """``client.batch`` (async): ``jobs`` plus one-call runs of many requests."""

    @cached_property
    def jobs(self) -> AsyncBatchJobs:
        return AsyncBatchJobs(self._sender)

    async def run(
        self,
        plan: BatchPlan[T],
        *,
        timeout: float | None = None,
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
        on_change: OnChange[BatchJob] | None = None,
        job_metadata: Mapping[str, str] | None = None,
        timeout_hours: int | None = None,
    ) -> builtins.list[BatchResult[T]]:
        """Upload the plan's JSONL, create the job, wait, download the results; one result per input, in order."""
        uploaded = await self._run(upload_operation(plan.input_file(), purpose="batch"))
        job = await self._run(_create_for(plan, uploaded.id, job_metadata, timeout_hours))
        job = await self.jobs.wait(
            job.id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_change=on_change,
        )
        return plan.results(await self.jobs.results(job))

    async def run_chat(
        self, requests: Sequence[Mapping[str, Any] | Sequence[Mapping[str, Any]]], *, model: str, **params: Any
    ) -> builtins.list[BatchResult[ChatCompletionResponse]]:
        """Run chat completions through the batch API (see the sync ``run_chat``)."""
        wait, common = split_wait_options(params)
        return await self.run(chat_plan(requests, model=model, **common), **wait)

    async def run_embeddings(
        self, texts: Sequence[str], *, model: str, **params: Any
    ) -> builtins.list[BatchResult[builtins.list[float]]]:
        """Embed ``texts`` through the batch API (see the sync ``run_embeddings``)."""
        wait, options = split_wait_options(params)
        return await self.run(embeddings_plan(texts, model=model, **options), **wait)
