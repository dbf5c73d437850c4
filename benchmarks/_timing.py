"""Timing loops: warm up, calibrate a block size, then run repeats round-robin across subjects.

Round-robin (subject A block, subject B block, ..., then again) spreads slow drifts of the machine over every
subject, so ratios measured in the same run stay fair. Each sample is the mean time per operation of one block;
the reported figure is the median of the samples.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Plan", "run_async", "run_sync"]

clock = time.perf_counter


@dataclass(frozen=True)
class Plan:
    repeats: int = 15
    """Samples wanted per subject."""
    min_repeats: int = 3
    """Samples always taken, whatever the budget."""
    block_seconds: float = 0.2
    """Target length of one sample (operations per block are calibrated to it)."""
    budget_seconds: float = 20.0
    """Stop taking samples for a subject once this much time was spent on it (after ``min_repeats``)."""
    warmup_seconds: float = 0.2
    warmup_min: int = 3


def _block_size(plan: Plan, per_op: float) -> int:
    if per_op <= 0:
        return 1000
    return max(1, min(100_000, round(plan.block_seconds / per_op)))


def run_sync(subjects: dict[str, Callable[[], Any]], plan: Plan) -> dict[str, list[float]]:
    """Seconds per call of each subject (one sample per block)."""
    sizes: dict[str, int] = {}
    for name, fn in subjects.items():
        count, started = 0, clock()
        while count < plan.warmup_min or (clock() - started < plan.warmup_seconds and count < 10_000):
            fn()
            count += 1
        sizes[name] = _block_size(plan, (clock() - started) / count)
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    spent: dict[str, float] = dict.fromkeys(subjects, 0.0)
    for rep in range(plan.repeats):
        for name, fn in subjects.items():
            if rep >= plan.min_repeats and spent[name] > plan.budget_seconds:
                continue
            n = sizes[name]
            gc.collect()
            t0 = clock()
            for _ in range(n):
                fn()
            elapsed = clock() - t0
            spent[name] += elapsed
            samples[name].append(elapsed / n)
    return samples


async def run_async(subjects: dict[str, Callable[[], Awaitable[Any]]], plan: Plan) -> dict[str, list[float]]:
    """The async twin of :func:`run_sync` (call it inside the event loop the subjects were built on)."""
    sizes: dict[str, int] = {}
    for name, fn in subjects.items():
        count, started = 0, clock()
        while count < plan.warmup_min or (clock() - started < plan.warmup_seconds and count < 10_000):
            await fn()
            count += 1
        sizes[name] = _block_size(plan, (clock() - started) / count)
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    spent: dict[str, float] = dict.fromkeys(subjects, 0.0)
    for rep in range(plan.repeats):
        for name, fn in subjects.items():
            if rep >= plan.min_repeats and spent[name] > plan.budget_seconds:
                continue
            n = sizes[name]
            gc.collect()
            t0 = clock()
            for _ in range(n):
                await fn()
            elapsed = clock() - t0
            spent[name] += elapsed
            samples[name].append(elapsed / n)
    return samples
