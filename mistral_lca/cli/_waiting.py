"""Waiting for a batch or fine-tuning job with visible progress.

The polling decisions (backoff, terminal and failed states, timeout) are the core's
(:mod:`mistral_lca.jobs`); this module only watches: each poll updates the progress line, and each
status change is logged on stderr (also without a terminal, so CI logs show how a job went).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ._config import positive_float
from ._context import Context
from ._output import format_time

__all__ = ["add_wait_options", "wait_for"]

J = TypeVar("J")

Counts = Callable[[Any], tuple[int, int] | None]


def add_wait_options(parser: argparse.ArgumentParser, *, interval: float) -> None:
    parser.add_argument(
        "--poll-interval",
        type=positive_float,
        default=interval,
        metavar="SECONDS",
        help=f"first delay between status checks; grows while nothing changes (default {interval:g})",
    )
    parser.add_argument(
        "--wait-timeout",
        type=positive_float,
        metavar="SECONDS",
        help="give up waiting after this long (default: never)",
    )


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def wait_for(
    ctx: Context,
    kind: str,
    job_id: str,
    fetch: Callable[[], J],
    *,
    counts: Counts | None = None,
    max_poll_interval: float = 60.0,
) -> J:
    """Poll ``fetch`` until the job is over (``kind`` is ``batch`` or ``fine-tuning``).

    ``counts(job)`` gives ``(done, total)`` for the progress bar (batch requests). Raises the core's
    ``JobFailedError`` / ``JobWaitTimeoutError`` (exit status 1) when the job fails or the wait times out.
    """
    from mistral_lca import jobs

    job_kind: Any = jobs.BATCH_JOBS if kind == "batch" else jobs.FINE_TUNING_JOBS
    interval = float(ctx.args.poll_interval)
    poller: jobs.JobPoller[Any] = jobs.JobPoller(
        job_kind,
        timeout=ctx.args.wait_timeout,
        poll_interval=interval,
        max_poll_interval=max(interval, max_poll_interval),
    )
    started = time.monotonic()
    progress = ctx.progress(f"{kind} job {job_id[:8]}", unit="requests")

    def observe() -> J:
        job = fetch()
        status = str(getattr(job, "status", None) or "UNKNOWN")
        note = f"{status} ({_elapsed(time.monotonic() - started)})"
        pair = counts(job) if counts is not None else None
        if pair is not None and pair[1] > 0:
            progress.update(pair[0], total=pair[1], note=note)
        else:
            progress.update(note=note)
        return job

    def on_change(job: Any) -> None:
        status = str(job.status or "UNKNOWN")
        pair = counts(job) if counts is not None else None
        detail = f" ({pair[0]}/{pair[1]} requests)" if pair is not None and pair[1] > 0 else ""
        progress.log(f"[{format_time(time.time())}] {kind} job {job.id}: {status}{detail}")

    with progress:
        result: J = jobs.wait_for_job(observe, poller, sleep=time.sleep, on_change=on_change)
    return result
