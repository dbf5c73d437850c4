"""Embedding a corpus: plan the requests, run them concurrently, deliver the vectors in input order.

The one runner behind ``client.embeddings.create_many`` / ``iter_many``, both adapters and ``mistral-lca embed``.
The plan (:func:`~mistral_lca.embedding_batches.plan_batches`), the split-and-retry decision
(:func:`~mistral_lca.embedding_batches.should_split`), the in-order delivery window (:class:`_Window`) and the
progress tally (:class:`_Tally`) are pure and shared; the sync runner (threads) and the async runner (tasks) only
differ in how they wait.

* At most ``max_concurrent_requests`` requests of one run are in flight (the client's own limit applies too).
* Results are delivered in input order; at most twice the concurrency of finished batches wait for an earlier
  one, so memory stays bounded however large the corpus.
* A request rejected as too large (400, code ``3210``) is halved and retried; an input that cannot fit alone is
  refused before anything is sent when counts are exact.
* ``progress`` (optional) is called in the caller's thread or event loop after every planned batch finishes,
  with an :class:`EmbeddingProgress` (with ``limiter``, the rate-limit waits and 429s since the run started).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .embedding_batches import Batch, EmbeddingPlan, plan_batches, require_texts, should_split

if TYPE_CHECKING:
    from .ratelimit import RateLimiter, RateLimitTotals
    from .types.embeddings import EmbeddingResponse

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_TEXTS_PER_REQUEST",
    "AroundBatch",
    "AsyncAroundBatch",
    "EmbeddedBatch",
    "EmbeddingProgress",
    "ProgressCallback",
    "aiter_embeddings",
    "iter_embeddings",
    "plan_run",
    "vectors_in_order",
]

DEFAULT_TEXTS_PER_REQUEST = 128
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class EmbeddingProgress:
    """Where a corpus-sized embedding call stands (passed to the ``progress`` callback)."""

    texts_done: int
    texts_total: int
    tokens_done: int
    """Tokens of the finished texts, as counted before sending (exact with the ``[tokenizer]`` extra)."""
    tokens_total: int
    requests_done: int
    """Requests answered so far, including ones rejected as too large and the halves they were split into."""
    requests_split: int = 0
    """Requests the API rejected as too large and that were halved and retried."""
    exact_counts: bool = False
    """True when token counts come from Mistral's tokenizer, False for the estimate."""
    rate_limited: int = 0
    """429 answers (waited out, not failed) the account's rate limiter saw since this call started."""
    rate_limit_wait_seconds: float = 0.0
    """Seconds requests spent waiting for rate limits since this call started, summed over requests (requests wait
    side by side, so this can exceed the time elapsed). Counted by the account's limiter: requests of other calls
    on the same token, running at the same time, are included."""

    @property
    def fraction(self) -> float:
        return self.texts_done / self.texts_total if self.texts_total else 1.0


ProgressCallback = Callable[[EmbeddingProgress], None]


@dataclass(frozen=True)
class EmbeddedBatch:
    """The vectors of texts ``start`` to ``stop - 1``, from one planned request (or its halves, if split)."""

    start: int
    stop: int
    vectors: list[list[float]]
    model: str
    prompt_tokens: int
    """Tokens the API billed (its ``usage``), summed over the requests made for this batch."""
    requests: int = 1
    """Requests made for this batch: 1, or more when it was rejected as too large and split."""
    splits: int = 0
    """Times this batch (or a part of it) was rejected as too large and halved."""

    @classmethod
    def from_response(cls, batch: Batch, response: EmbeddingResponse) -> EmbeddedBatch:
        vectors = response.vectors()
        if len(vectors) != len(batch):
            from ._errors import ResponseDecodeError

            raise ResponseDecodeError(
                f"the embeddings answer for texts {batch.start}-{batch.stop - 1} has {len(vectors)} vectors,"
                f" expected {len(batch)}"
            )
        return cls(batch.start, batch.stop, vectors, response.model, response.usage.prompt_tokens)

    def joined(self, later: EmbeddedBatch) -> EmbeddedBatch:
        """The two halves of a batch the API rejected as too large: that rejected request counts too."""
        return EmbeddedBatch(
            self.start,
            later.stop,
            self.vectors + later.vectors,
            self.model or later.model,
            self.prompt_tokens + later.prompt_tokens,
            self.requests + later.requests + 1,
            self.splits + later.splits + 1,
        )


CreateEmbeddings = Callable[[list[str], int], "EmbeddingResponse"]
"""Sends one request: ``create(texts, tokens)``, ``tokens`` being what the plan counted for them (for pacing)."""
AsyncCreateEmbeddings = Callable[[list[str], int], Awaitable["EmbeddingResponse"]]

AroundBatch = Callable[[list[str], Callable[[], EmbeddedBatch]], EmbeddedBatch]
"""Wraps the sending of one planned batch (adapters emit their framework's events around it)."""
AsyncAroundBatch = Callable[[list[str], Callable[[], Awaitable[EmbeddedBatch]]], Awaitable[EmbeddedBatch]]


# ------------------------------------------------------------------------------------------- pure parts


def plan_run(
    texts: object,
    *,
    where: str,
    model: str,
    texts_per_request: int,
    max_tokens_per_request: int,
    max_concurrent_requests: int,
) -> EmbeddingPlan:
    """The checked inputs and their plan (raises before any request on bad input)."""
    items = require_texts(texts, where)
    for name, value in (
        ("texts_per_request", texts_per_request),
        ("max_tokens_per_request", max_tokens_per_request),
        ("max_concurrent_requests", max_concurrent_requests),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            from ._errors import InvalidRequestError

            raise InvalidRequestError(f"{where}: {name} must be a positive integer, got {value!r}")
    return plan_batches(items, max_inputs=texts_per_request, max_tokens=max_tokens_per_request, model=model)


@dataclass
class _Tally:
    """Progress counters of one run; makes the :class:`EmbeddingProgress` snapshots."""

    plan: EmbeddingPlan
    callback: ProgressCallback | None
    limiter: RateLimiter | None = None
    texts_done: int = 0
    tokens_done: int = 0
    requests_done: int = 0
    requests_split: int = 0
    waits_before: RateLimitTotals | None = None

    def __post_init__(self) -> None:
        if self.callback is not None and self.limiter is not None:
            self.waits_before = self.limiter.totals()

    def finished(self, batch: Batch, result: EmbeddedBatch) -> None:
        self.texts_done += len(batch)
        self.tokens_done += batch.tokens
        self.requests_done += result.requests
        self.requests_split += result.splits
        if self.callback is not None:
            self.callback(self.snapshot())

    def snapshot(self) -> EmbeddingProgress:
        rate_limited, waited = 0, 0.0
        if self.limiter is not None and self.waits_before is not None:
            now, before = self.limiter.totals(), self.waits_before
            rate_limited, waited = now.rate_limited - before.rate_limited, now.seconds_waited - before.seconds_waited
        return EmbeddingProgress(
            texts_done=self.texts_done,
            texts_total=len(self.plan.texts),
            tokens_done=self.tokens_done,
            tokens_total=self.plan.tokens,
            requests_done=self.requests_done,
            requests_split=self.requests_split,
            exact_counts=self.plan.exact,
            rate_limited=rate_limited,
            rate_limit_wait_seconds=max(0.0, waited),
        )


@dataclass
class _Window:
    """Which batch to start next and which finished ones can be delivered, in input order."""

    size: int
    concurrency: int
    launched: int = 0
    delivered: int = 0
    running: int = 0
    finished: dict[int, EmbeddedBatch] = field(default_factory=dict)

    def to_launch(self) -> list[int]:
        """Batches to start now: keeps ``concurrency`` running, at most 2x that ahead of the next delivery."""
        out = []
        while (
            self.running < self.concurrency
            and self.launched < self.size
            and self.launched < self.delivered + 2 * self.concurrency
        ):
            out.append(self.launched)
            self.launched += 1
            self.running += 1
        return out

    def complete(self, index: int, result: EmbeddedBatch) -> None:
        self.running -= 1
        self.finished[index] = result

    def deliverable(self) -> list[EmbeddedBatch]:
        out = []
        while self.delivered in self.finished:
            out.append(self.finished.pop(self.delivered))
            self.delivered += 1
        return out

    @property
    def done(self) -> bool:
        return self.delivered >= self.size


def vectors_in_order(count: int, batches: Sequence[EmbeddedBatch]) -> list[list[float]]:
    vectors = [vector for batch in batches for vector in batch.vectors]
    if len(vectors) != count:  # pragma: no cover - EmbeddedBatch.from_response checks every answer
        raise ValueError(f"{len(vectors)} vectors for {count} texts")
    return vectors


# ------------------------------------------------------------------------------------------- sync


def _send_sync(create: CreateEmbeddings, plan: EmbeddingPlan, batch: Batch) -> EmbeddedBatch:
    try:
        response = create(plan.texts_of(batch), batch.tokens)
    except Exception as error:
        if not should_split(error, batch):
            raise
        first, second = plan.split(batch)
        return _send_sync(create, plan, first).joined(_send_sync(create, plan, second))
    return EmbeddedBatch.from_response(batch, response)


def iter_embeddings(
    create: CreateEmbeddings,
    plan: EmbeddingPlan,
    *,
    max_concurrent_requests: int = DEFAULT_CONCURRENCY,
    progress: ProgressCallback | None = None,
    around_batch: AroundBatch | None = None,
    limiter: RateLimiter | None = None,
) -> Iterator[EmbeddedBatch]:
    """Run ``plan`` with ``create(texts, tokens) -> EmbeddingResponse`` on threads; yield batches in input order."""
    tally = _Tally(plan, progress, limiter)

    def run(index: int) -> EmbeddedBatch:
        batch = plan[index]
        if around_batch is None:
            return _send_sync(create, plan, batch)
        return around_batch(plan.texts_of(batch), lambda: _send_sync(create, plan, batch))

    window = _Window(len(plan), max(1, max_concurrent_requests))
    if window.concurrency == 1 or len(plan) <= 1:
        for index in range(len(plan)):
            result = run(index)
            tally.finished(plan[index], result)
            yield result
        return
    pending: dict[Future[EmbeddedBatch], int] = {}
    pool = ThreadPoolExecutor(max_workers=min(window.concurrency, len(plan)), thread_name_prefix="mistral-lca")
    try:
        while not window.done:
            for index in window.to_launch():
                pending[pool.submit(contextvars.copy_context().run, run, index)] = index
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                window.complete(index, future.result())
                tally.finished(plan[index], window.finished[index])
            yield from window.deliverable()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)


# ------------------------------------------------------------------------------------------- async


async def _send_async(create: AsyncCreateEmbeddings, plan: EmbeddingPlan, batch: Batch) -> EmbeddedBatch:
    try:
        response = await create(plan.texts_of(batch), batch.tokens)
    except Exception as error:
        if not should_split(error, batch):
            raise
        first, second = plan.split(batch)
        return (await _send_async(create, plan, first)).joined(await _send_async(create, plan, second))
    return EmbeddedBatch.from_response(batch, response)


async def aiter_embeddings(
    create: AsyncCreateEmbeddings,
    plan: EmbeddingPlan,
    *,
    max_concurrent_requests: int = DEFAULT_CONCURRENCY,
    progress: ProgressCallback | None = None,
    around_batch: AsyncAroundBatch | None = None,
    limiter: RateLimiter | None = None,
) -> AsyncIterator[EmbeddedBatch]:
    """Run ``plan`` with ``await create(texts, tokens)`` as tasks; yield batches in input order."""
    tally = _Tally(plan, progress, limiter)

    async def run(index: int) -> EmbeddedBatch:
        batch = plan[index]
        if around_batch is None:
            return await _send_async(create, plan, batch)
        return await around_batch(plan.texts_of(batch), lambda: _send_async(create, plan, batch))

    window = _Window(len(plan), max(1, max_concurrent_requests))
    pending: dict[asyncio.Task[EmbeddedBatch], int] = {}
    try:
        while not window.done:
            for index in window.to_launch():
                pending[asyncio.ensure_future(run(index))] = index
            finished, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                index = pending.pop(task)
                window.complete(index, task.result())
                tally.finished(plan[index], window.finished[index])
            for result in window.deliverable():
                yield result
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
