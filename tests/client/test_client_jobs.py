"""Waiting for jobs: the pure poller (states, backoff, callback, failure, timeout) and its two drivers."""

from __future__ import annotations

from typing import Any

import pytest
from client_support import Recorder, assert_request, call, ok

import mistral_lca.jobs as jobs
from mistral_lca import InvalidRequestError, JobFailedError
from mistral_lca.jobs import (
    BATCH_JOBS,
    FINE_TUNING_JOBS,
    JobPoller,
    JobWaitTimeoutError,
    async_wait_for_job,
    wait_for_job,
)
from mistral_lca.types.batch import BatchJob
from mistral_lca.types.fine_tuning import FineTuningJob


def batch(status: str, **extra: Any) -> BatchJob:
    return BatchJob.model_validate({"id": "b-1", "status": status, **extra})


class FakeClock:
    """A clock that only moves when the driver sleeps (plus a fixed cost per poll)."""

    def __init__(self, per_poll: float = 0.0) -> None:
        self.now = 100.0
        self.per_poll = per_poll
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def feed(*statuses: str, **extra: Any) -> Any:
    items = [batch(s, **extra) for s in statuses]

    def fetch() -> BatchJob:
        return items.pop(0) if len(items) > 1 else items[0]

    return fetch


def test_poller_backs_off_while_unchanged_and_resets_on_change() -> None:
    poller = JobPoller(BATCH_JOBS, poll_interval=1.0, max_poll_interval=5.0, backoff=2.0)
    steps = [poller.observe(batch(s), 0.0) for s in ["QUEUED", "QUEUED", "QUEUED", "QUEUED", "QUEUED", "RUNNING"]]
    assert [s.delay for s in steps] == [1.0, 2.0, 4.0, 5.0, 5.0, 1.0]
    assert [s.changed for s in steps] == [True, False, False, False, False, True]
    done = poller.observe(batch("SUCCESS"), 0.0)
    assert done.delay is None and done.error is None and done.changed


@pytest.mark.parametrize("status", ["FAILED", "CANCELLED", "TIMEOUT_EXCEEDED"])
def test_poller_fails_with_the_jobs_own_error_text(status: str) -> None:
    poller = JobPoller(BATCH_JOBS)
    job = batch(status, errors=[{"message": "Invalid JSONL on line 3", "count": 2}])
    step = poller.observe(job, 0.0)
    assert isinstance(step.error, JobFailedError)
    assert step.error.status == status and step.error.job is job
    assert str(step.error) == f"batch job b-1 ended {status}: Invalid JSONL on line 3 (x2)"


def test_poller_caps_the_last_sleep_at_the_deadline_then_times_out() -> None:
    poller = JobPoller(BATCH_JOBS, timeout=10.0, poll_interval=4.0, max_poll_interval=8.0, backoff=2.0)
    assert poller.observe(batch("RUNNING"), 0.0).delay == 4.0
    assert poller.observe(batch("RUNNING"), 4.0).delay == 6.0  # 8 would overshoot the deadline
    step = poller.observe(batch("RUNNING"), 10.0)
    assert isinstance(step.error, JobWaitTimeoutError) and isinstance(step.error, TimeoutError)
    assert step.error.waited == 10.0 and step.error.job.status == "RUNNING"


def test_fine_tuning_failure_text_comes_from_events_and_validated_without_auto_start_settles() -> None:
    failed = FineTuningJob.model_validate(
        {
            "id": "ft-1",
            "status": "FAILED_VALIDATION",
            "events": [
                {"name": "status-updated", "data": {"status": "VALIDATING"}, "created_at": 1},
                {
                    "name": "status-updated",
                    "data": {"status": "FAILED_VALIDATION", "error": "bad file"},
                    "created_at": 2,
                },
            ],
        }
    )
    step = JobPoller(FINE_TUNING_JOBS).observe(failed, 0.0)
    assert isinstance(step.error, JobFailedError) and "ft-1 ended FAILED_VALIDATION: bad file" in str(step.error)
    waiting = FineTuningJob.model_validate({"id": "ft-2", "status": "VALIDATED", "auto_start": False})
    assert JobPoller(FINE_TUNING_JOBS).observe(waiting, 0.0).delay is None
    auto = FineTuningJob.model_validate({"id": "ft-3", "status": "VALIDATED", "auto_start": True})
    assert JobPoller(FINE_TUNING_JOBS).observe(auto, 0.0).delay is not None


@pytest.mark.parametrize(
    "kwargs",
    [{"poll_interval": 0}, {"poll_interval": 5, "max_poll_interval": 1}, {"timeout": -1}, {"backoff": 0.5}],
)
def test_poller_rejects_bad_settings(kwargs: Any) -> None:
    with pytest.raises(InvalidRequestError):
        JobPoller(BATCH_JOBS, **kwargs)


def test_sync_driver_reports_each_change_once() -> None:
    clock = FakeClock()
    seen: list[str | None] = []
    job = wait_for_job(
        feed("QUEUED", "QUEUED", "RUNNING", "RUNNING", "RUNNING", "SUCCESS"),
        JobPoller(BATCH_JOBS, poll_interval=1.0, max_poll_interval=3.0, backoff=2.0),
        sleep=clock.sleep,
        clock=clock,
        on_change=lambda j: seen.append(j.status),
    )
    assert job.status == "SUCCESS"
    assert seen == ["QUEUED", "RUNNING", "SUCCESS"]
    assert clock.sleeps == [1.0, 2.0, 1.0, 2.0, 3.0]


async def test_async_driver_matches_and_awaits_async_callbacks() -> None:
    clock = FakeClock()
    seen: list[str | None] = []

    fetch = feed("QUEUED", "RUNNING", "FAILED")

    async def fetch_async() -> BatchJob:
        return fetch()  # type: ignore[no-any-return]

    async def on_change(job: BatchJob) -> None:
        seen.append(job.status)

    with pytest.raises(JobFailedError, match="ended FAILED"):
        await async_wait_for_job(
            fetch_async,
            JobPoller(BATCH_JOBS, poll_interval=2.0),
            sleep=clock.async_sleep,
            clock=clock,
            on_change=on_change,
        )
    assert seen == ["QUEUED", "RUNNING", "FAILED"]  # the failing state is reported before raising
    assert clock.sleeps == [2.0, 2.0]


def test_driver_timeout() -> None:
    clock = FakeClock()
    with pytest.raises(JobWaitTimeoutError, match=r"still RUNNING after waiting 5\.0s"):
        wait_for_job(
            feed("RUNNING"), JobPoller(BATCH_JOBS, timeout=5.0, poll_interval=2.0), sleep=clock.sleep, clock=clock
        )
    assert sum(clock.sleeps) == 5.0


# --------------------------------------------------------------------------------- through the resources


def _job(status: str, **extra: Any) -> Any:
    return ok({"id": "b-1", "object": "batch", "status": status, **extra})


async def test_batch_jobs_wait_polls_the_job(make_client: Any, form: str) -> None:
    rec = Recorder(_job("QUEUED"), _job("RUNNING"), _job("RUNNING"), _job("SUCCESS", output_file="out-1"))
    client = make_client(rec)
    changes: list[str] = []
    job = await call(
        client,
        "batch.jobs.wait",
        "b-1",
        poll_interval=1.0,
        max_poll_interval=1.5,
        on_change=lambda j: changes.append(j.status),
    )
    assert job.status == "SUCCESS" and job.output_file == "out-1"
    assert changes == ["QUEUED", "RUNNING", "SUCCESS"]
    assert client.sleeps == [1.0, 1.0, 1.5]
    for request in rec.requests:
        assert_request(request, "GET", form, "/v1/batch/jobs/{job_id}", {"job_id": "b-1"})


async def test_batch_jobs_wait_raises_on_failure(make_client: Any) -> None:
    rec = Recorder(_job("RUNNING"), _job("TIMEOUT_EXCEEDED", errors=[{"message": "took too long", "count": 1}]))
    with pytest.raises(JobFailedError, match="TIMEOUT_EXCEEDED: took too long") as info:
        await call(make_client(rec), "batch.jobs.wait", "b-1")
    assert info.value.job.id == "b-1"


async def test_batch_jobs_wait_timeout_uses_the_module_clock(make_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter([0.0, 0.0, 30.0, 61.0])
    monkeypatch.setattr(jobs, "monotonic", lambda: next(ticks))
    rec = Recorder(_job("RUNNING"))
    with pytest.raises(JobWaitTimeoutError):
        await call(make_client(rec), "batch.jobs.wait", "b-1", timeout=60, poll_interval=5.0)
    assert len(rec.requests) == 3


async def test_fine_tuning_jobs_wait(make_client: Any, form: str) -> None:
    def ft(status: str) -> Any:
        return ok(
            {
                "id": "ft-1",
                "object": "job",
                "status": status,
                "fine_tuned_model": "ft:x" if status == "SUCCESS" else None,
            }
        )

    rec = Recorder(ft("QUEUED"), ft("VALIDATING"), ft("RUNNING"), ft("SUCCESS"))
    client = make_client(rec)
    job = await call(client, "fine_tuning.jobs.wait", "ft-1", poll_interval=10.0)
    assert job.fine_tuned_model == "ft:x"
    assert client.sleeps == [10.0, 10.0, 10.0]
    assert_request(rec.last, "GET", form, "/v1/fine_tuning/jobs/{job_id}", {"job_id": "ft-1"})


async def test_wait_rejects_an_empty_id(make_client: Any) -> None:
    rec = Recorder(_job("RUNNING"))
    with pytest.raises(InvalidRequestError, match="job_id"):
        await call(make_client(rec), "batch.jobs.wait", "")
    assert rec.requests == []
