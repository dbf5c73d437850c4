"""Waiting for long-running jobs (batch inference, fine-tuning).

One pure state machine, :class:`JobPoller`, decides everything: after each fetched job it says whether
the status changed, whether to stop (a terminal or settled state), to fail (:class:`JobFailedError`,
:class:`JobWaitTimeoutError`), or how long to sleep (backoff from ``poll_interval`` up to
``max_poll_interval``, back to ``poll_interval`` whenever the status changes, never past the deadline).
:func:`wait_for_job` and :func:`async_wait_for_job` are the thin sync and async drivers around it.

>>> job = client.batch.jobs.wait(job.id, timeout=3600, on_change=lambda j: print(j.status))
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from ._errors import InvalidRequestError, JobFailedError, MistralLCAError
from .types.batch import BATCH_TERMINAL_STATUSES, BatchJob
from .types.fine_tuning import FINE_TUNING_TERMINAL_STATUSES, FineTuningJob

__all__ = [
    "BATCH_JOBS",
    "FINE_TUNING_JOBS",
    "JobKind",
    "JobPoller",
    "JobWaitTimeoutError",
    "PollStep",
    "async_wait_for_job",
    "monotonic",
    "wait_for_job",
]


class _Job(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str | None: ...


J = TypeVar("J", bound=_Job)

monotonic: Callable[[], float] = time.monotonic
"""The clock the resources' ``wait`` methods use (a hook for tests)."""


class JobWaitTimeoutError(MistralLCAError, TimeoutError):
    """``wait(..., timeout=...)`` gave up; the job is still running (``job`` is its last known state)."""

    def __init__(self, message: str, *, job: Any = None, waited: float = 0.0) -> None:
        super().__init__(message)
        self.job = job
        self.waited = waited


@dataclass(frozen=True)
class JobKind(Generic[J]):
    """What a job family means by finished, failed, and its error text."""

    name: str
    terminal: frozenset[str]
    failed: frozenset[str]
    error_text: Callable[[J], str | None]
    settled: Callable[[J], bool] = field(default=lambda job: False)
    """A non-terminal state that still ends the wait (a fine-tuning job validated but not auto-started)."""


def _status(job: _Job) -> str:
    return str(job.status or "UNKNOWN").upper()


def _batch_error_text(job: BatchJob) -> str | None:
    parts = [f"{e.message} (x{e.count})" if e.count > 1 else e.message for e in job.errors if e.message]
    if parts:
        return "; ".join(parts)
    if job.failed_requests:
        return f"{job.failed_requests} of {job.total_requests} requests failed"
    return None


def _text_in(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in ("error", "message", "detail", "reason", "error_message"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value
            found = _text_in(value) if isinstance(value, dict) else None
            if found:
                return found
    return None


def _fine_tuning_error_text(job: FineTuningJob) -> str | None:
    found = _text_in(job.model_extra or {})
    if found:
        return found
    for event in sorted(job.events, key=lambda e: e.created_at or 0, reverse=True):
        found = _text_in(event.data)
        if found:
            return found
    return None


BATCH_JOBS: JobKind[BatchJob] = JobKind(
    name="batch job",
    terminal=BATCH_TERMINAL_STATUSES,
    failed=frozenset({"FAILED", "CANCELLED", "TIMEOUT_EXCEEDED"}),
    error_text=_batch_error_text,
)

FINE_TUNING_JOBS: JobKind[FineTuningJob] = JobKind(
    name="fine-tuning job",
    terminal=FINE_TUNING_TERMINAL_STATUSES,
    failed=frozenset({"FAILED", "FAILED_VALIDATION", "CANCELLED"}),
    error_text=_fine_tuning_error_text,
    settled=lambda job: _status(job) == "VALIDATED" and job.auto_start is False,
)


@dataclass(frozen=True)
class PollStep(Generic[J]):
    """The poller's verdict on one observed job."""

    job: J
    changed: bool
    """The status differs from the previous observation (always true for the first)."""
    delay: float | None
    """Seconds to sleep before the next poll; ``None`` when the wait is over."""
    error: MistralLCAError | None = None
    """Raise this (after reporting the change): the job failed or the wait timed out."""


class JobPoller(Generic[J]):
    """Pure polling state: no I/O, no clock of its own (the driver passes ``now``)."""

    def __init__(
        self,
        kind: JobKind[J],
        *,
        timeout: float | None = None,
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
        backoff: float = 1.5,
        started_at: float = 0.0,
    ) -> None:
        if not poll_interval > 0 or not math.isfinite(poll_interval):
            raise InvalidRequestError(f"poll_interval must be a positive number of seconds, got {poll_interval!r}")
        if not max_poll_interval >= poll_interval:
            raise InvalidRequestError(
                f"max_poll_interval ({max_poll_interval!r}) must be >= poll_interval ({poll_interval!r})"
            )
        if timeout is not None and not timeout >= 0:
            raise InvalidRequestError(f"timeout must be >= 0 seconds or None, got {timeout!r}")
        if not backoff >= 1:
            raise InvalidRequestError(f"backoff must be >= 1, got {backoff!r}")
        self.kind = kind
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.backoff = backoff
        self.started_at = started_at
        self.last_status: str | None = None
        self._interval = poll_interval

    def observe(self, job: J, now: float) -> PollStep[J]:
        status = _status(job)
        changed = status != self.last_status
        self.last_status = status
        if status in self.kind.terminal:
            if status in self.kind.failed:
                detail = self.kind.error_text(job)
                message = f"{self.kind.name} {job.id} ended {status}" + (f": {detail}" if detail else "")
                return PollStep(job, changed, None, JobFailedError(message, job=job, status=status))
            return PollStep(job, changed, None)
        if self.kind.settled(job):
            return PollStep(job, changed, None)
        if changed:
            self._interval = self.poll_interval
            delay = self.poll_interval
        else:
            self._interval = min(self._interval * self.backoff, self.max_poll_interval)
            delay = self._interval
        if self.timeout is not None:
            waited = now - self.started_at
            remaining = self.timeout - waited
            if remaining <= 0:
                message = f"{self.kind.name} {job.id} still {status} after waiting {waited:.1f}s"
                return PollStep(job, changed, None, JobWaitTimeoutError(message, job=job, waited=waited))
            delay = min(delay, remaining)
        return PollStep(job, changed, delay)


OnChange = Callable[[J], Any]


def wait_for_job(
    fetch: Callable[[], J],
    poller: JobPoller[J],
    *,
    sleep: Callable[[float], Any],
    clock: Callable[[], float] | None = None,
    on_change: OnChange[J] | None = None,
) -> J:
    """Poll ``fetch`` until the poller says stop; ``on_change(job)`` runs on every status change."""
    now = clock or monotonic
    poller.started_at = now()
    while True:
        step = poller.observe(fetch(), now())
        if step.changed and on_change is not None:
            on_change(step.job)
        if step.error is not None:
            raise step.error
        if step.delay is None:
            return step.job
        sleep(step.delay)


async def async_wait_for_job(
    fetch: Callable[[], Awaitable[J]],
    poller: JobPoller[J],
    *,
    sleep: Callable[[float], Awaitable[Any]],
    clock: Callable[[], float] | None = None,
    on_change: OnChange[J] | None = None,
) -> J:
    """The async twin of :func:`wait_for_job`; ``on_change`` may be a plain function or a coroutine function."""
    now = clock or monotonic
    poller.started_at = now()
    while True:
        step = poller.observe(await fetch(), now())
        if step.changed and on_change is not None:
            result = on_change(step.job)
            if inspect.isawaitable(result):
                await result
        if step.error is not None:
            raise step.error
        if step.delay is None:
            return step.job
        await sleep(step.delay)
