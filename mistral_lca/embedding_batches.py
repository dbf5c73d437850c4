"""Splitting embedding inputs into requests (by count and an offline token estimate) and running them concurrently.

No tokenizer is downloaded, ever. The estimate is UTF-8 bytes / 3: it over-counts English (about four characters
per token) and roughly matches CJK text, so requests stay under Mistral's per-request token budget without a round
trip. Pure planning plus two small bounded-concurrency runners; shared by both adapters and the CLI.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ._errors import InvalidRequestError

__all__ = ["Batch", "estimate_tokens", "gather_limited", "map_threads", "plan_batches", "split_batch"]

T = TypeVar("T")
R = TypeVar("R")

Batch = list[int]
"""Positions (into the caller's list) of the texts sent in one request."""


def estimate_tokens(text: str) -> int:
    """A generous token estimate: UTF-8 bytes / 3, at least 1."""
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    return size // 3 + 1


def plan_batches(texts: Sequence[str], *, max_inputs: int, max_tokens: int) -> list[Batch]:
    """Consecutive batches of at most ``max_inputs`` texts and ``max_tokens`` estimated tokens.

    A single text above ``max_tokens`` gets a batch of its own (the API decides whether it fits). Every input
    must be a string: :class:`~mistral_lca.InvalidRequestError` otherwise, before any request.
    """
    if max_inputs < 1 or max_tokens < 1:
        raise ValueError("max_inputs and max_tokens must be >= 1")
    batches: list[Batch] = []
    current: Batch = []
    tokens = 0
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidRequestError(
                f"Invalid embeddings request: inputs[{position}] must be a string, got {type(text).__name__}"
            )
        cost = estimate_tokens(text)
        if current and (len(current) >= max_inputs or tokens + cost > max_tokens):
            batches.append(current)
            current, tokens = [], 0
        current.append(position)
        tokens += cost
    if current:
        batches.append(current)
    return batches


def split_batch(batch: Batch) -> tuple[Batch, Batch]:
    """Two halves of a batch the API rejected as too large."""
    middle = len(batch) // 2
    return batch[:middle], batch[middle:]


def map_threads(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[fn(item) for item in items]`` with up to ``workers`` running at once; results in input order.

    Each call runs in a copy of the caller's context, so instrumentation spans and callbacks keep their parent.
    """
    if len(items) <= 1 or workers <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="mistral-lca") as pool:
        futures = [pool.submit(contextvars.copy_context().run, fn, item) for item in items]
        return [future.result() for future in futures]


async def gather_limited(fn: Callable[[T], Awaitable[R]], items: Sequence[T], workers: int) -> list[R]:
    """``await fn(item)`` for every item, at most ``workers`` at once; results in input order."""
    if len(items) == 1:
        return [await fn(items[0])]
    semaphore = asyncio.Semaphore(max(1, workers))

    async def run(item: T) -> R:
        async with semaphore:
            return await fn(item)

    return list(await asyncio.gather(*(run(item) for item in items)))
