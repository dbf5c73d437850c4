"""Splitting embedding inputs into requests: by count and by an offline token estimate.

No tokenizer is downloaded, ever. The estimate counts UTF-8 bytes / 3, which over-counts typical English
(about four characters per token) and roughly matches CJK text (one token per three-byte character), so
batches stay under Mistral's per-request token budget without a round trip. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Batch", "estimate_tokens", "plan_batches", "split_batch"]

Batch = list[int]
"""Positions (into the caller's input list) of the texts sent in one request."""


def estimate_tokens(text: str) -> int:
    """A generous token estimate: UTF-8 bytes / 3, at least 1."""
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    return size // 3 + 1


def plan_batches(texts: Sequence[str], *, max_inputs: int, max_tokens: int) -> list[Batch]:
    """Consecutive batches with at most ``max_inputs`` texts and ``max_tokens`` estimated tokens each.

    A single text above ``max_tokens`` gets a batch of its own (the API decides whether it fits).
    """
    if max_inputs < 1 or max_tokens < 1:
        raise ValueError("max_inputs and max_tokens must be >= 1")
    batches: list[Batch] = []
    current: Batch = []
    tokens = 0
    for position, text in enumerate(texts):
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
