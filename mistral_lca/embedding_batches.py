"""Planning embedding requests: which texts go together, within Mistral's limits. Pure (no I/O).

Texts are packed in order into requests of at most ``max_inputs`` texts and ``max_tokens`` tokens (Mistral allows
16,384 tokens per request and 8,192 per input). Tokens are counted by :mod:`mistral_lca.tokens`: exactly with the
``mistral-lca[tokenizer]`` extra, with a generous offline estimate otherwise. With exact counts an input above the
per-input limit is refused before anything is sent (:class:`~mistral_lca.InputTooLongError`); with the estimate it
gets a request of its own and the API decides. A request the API still rejects as too large (400, code ``3210``,
"Too many tokens ..." / "Too many inputs ...") is split in half and retried: :func:`should_split` decides.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar, cast, overload

from ._errors import BadRequestError, InputTooLongError, InvalidRequestError
from ._inputs import check_text_list
from .tokens import count_tokens_each, counts_are_exact, estimate_tokens

__all__ = [
    "MAX_TOKENS_PER_INPUT",
    "MAX_TOKENS_PER_REQUEST",
    "Batch",
    "EmbeddingPlan",
    "estimate_tokens",
    "map_threads",
    "plan_batches",
    "require_texts",
    "should_split",
]

T = TypeVar("T")
R = TypeVar("R")

MAX_TOKENS_PER_REQUEST = 16_384
"""Mistral's token budget for one embeddings request (all inputs together)."""
MAX_TOKENS_PER_INPUT = 8_192
"""Mistral's token limit for one embeddings input."""
_TOO_LARGE_HINTS = ("too many tokens", "too many inputs", "too large", "split into more batches")


@dataclass(frozen=True)
class Batch:
    """Texts ``start`` to ``stop - 1`` of the caller's list, sent in one request, costing ``tokens``."""

    start: int
    stop: int
    tokens: int

    def __len__(self) -> int:
        return self.stop - self.start

    @property
    def positions(self) -> range:
        return range(self.start, self.stop)


@dataclass(frozen=True)
class EmbeddingPlan(Sequence[Batch]):
    """The requests for one list of texts, in order, with each text's token count."""

    texts: Sequence[str]
    batches: tuple[Batch, ...]
    counts: tuple[int, ...]
    """Tokens per text (what the API bills for it as one input)."""
    exact: bool
    """True when the counts come from Mistral's tokenizer, False for the estimate."""

    @overload
    def __getitem__(self, index: int) -> Batch: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Batch]: ...
    def __getitem__(self, index: int | slice) -> Batch | Sequence[Batch]:
        return self.batches[index]

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[Batch]:
        return iter(self.batches)

    @property
    def tokens(self) -> int:
        return sum(self.counts)

    def texts_of(self, batch: Batch) -> list[str]:
        return list(self.texts[batch.start : batch.stop])

    def split(self, batch: Batch) -> tuple[Batch, Batch]:
        """Two halves of a batch (of at least two texts) the API rejected as too large."""
        middle = batch.start + len(batch) // 2
        return (
            Batch(batch.start, middle, sum(self.counts[batch.start : middle])),
            Batch(middle, batch.stop, sum(self.counts[middle : batch.stop])),
        )


def require_texts(texts: object, where: str) -> list[str]:
    """``texts`` as a list of strings, or a clear error naming the call ``where``, before any request.

    A bare string (or ``None``, bytes, a mapping) where a list of texts is expected is a :class:`TypeError`: a
    string would otherwise be embedded character by character. A non-string item is an
    :class:`~mistral_lca.InvalidRequestError` naming its position.
    """
    check_text_list(texts, where)
    items: list[str] = []
    for position, text in enumerate(cast("Iterable[object]", texts)):
        if not isinstance(text, str):
            raise InvalidRequestError(
                f"Invalid embeddings request: inputs[{position}] must be a string, got {type(text).__name__}"
            )
        items.append(text)
    return items


def plan_batches(
    texts: Sequence[str],
    *,
    max_inputs: int,
    max_tokens: int = MAX_TOKENS_PER_REQUEST,
    model: str | None = None,
    max_input_tokens: int = MAX_TOKENS_PER_INPUT,
) -> EmbeddingPlan:
    """Consecutive batches of at most ``max_inputs`` texts and ``max_tokens`` tokens (counted for ``model``).

    A single text above ``max_tokens`` gets a batch of its own. With exact counts, a text above
    ``max_input_tokens`` raises :class:`~mistral_lca.InputTooLongError`. Every input must be a string:
    :class:`~mistral_lca.InvalidRequestError` otherwise. Nothing is sent.
    """
    if max_inputs < 1 or max_tokens < 1 or max_input_tokens < 1:
        raise ValueError("max_inputs, max_tokens and max_input_tokens must be >= 1")
    texts = require_texts(texts, "plan_batches")
    counts = count_tokens_each(texts, model)
    exact = counts_are_exact(model)
    if exact:
        for position, cost in enumerate(counts):
            if cost > max_input_tokens:
                raise InputTooLongError(position, cost, max_input_tokens, model)
    batches: list[Batch] = []
    start, tokens = 0, 0
    for position, cost in enumerate(counts):
        if position > start and (position - start >= max_inputs or tokens + cost > max_tokens):
            batches.append(Batch(start, position, tokens))
            start, tokens = position, 0
        tokens += cost
    if len(texts) > start:
        batches.append(Batch(start, len(texts), tokens))
    return EmbeddingPlan(texts, tuple(batches), tuple(counts), exact)


def should_split(error: BaseException, batch: Batch) -> bool:
    """Whether a failed request is one to halve and retry: a 400 "too many tokens/inputs" for 2+ texts."""
    if not isinstance(error, BadRequestError) or len(batch) < 2:
        return False
    text = " ".join(part for part in (error.message, error.provider_message or "") if part).lower()
    return error.code == "3210" or any(hint in text for hint in _TOO_LARGE_HINTS)


def map_threads(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[fn(item) for item in items]`` with up to ``workers`` running at once; results in input order.

    Each call runs in a copy of the caller's context, so instrumentation spans and callbacks keep their parent.
    """
    if len(items) <= 1 or workers <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="mistral-lca") as pool:
        futures = [pool.submit(contextvars.copy_context().run, fn, item) for item in items]
        return [future.result() for future in futures]
