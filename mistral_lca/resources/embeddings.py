"""``client.embeddings``: ``POST /v1/embeddings``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from typing_extensions import Unpack

from .._errors import InvalidRequestError
from .._inputs import check_text_list
from .._operation import Operation, decode_error, validated
from .._request import RequestSpec
from .._response import Decoded
from ..embedding_batches import MAX_TOKENS_PER_REQUEST, EmbeddingPlan
from ..embedding_runs import (
    DEFAULT_CONCURRENCY,
    DEFAULT_TEXTS_PER_REQUEST,
    EmbeddedBatch,
    aiter_embeddings,
    iter_embeddings,
    plan_run,
    vectors_in_order,
)
from ..types.embeddings import EmbeddingManyOptions, EmbeddingParams, EmbeddingResponse
from ._base import AsyncResource, SyncResource

__all__ = ["AsyncEmbeddings", "Embeddings", "embeddings_body", "embeddings_parser"]

_OPTIONS = ("output_dimension", "output_dtype", "encoding_format", "metadata")


def embeddings_body(params: EmbeddingParams | dict[str, Any]) -> dict[str, Any]:
    """The wire body; ``inputs`` (the SDK's name) becomes the API's ``input``. Checks every input is text."""
    model = params.get("model")
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError("Invalid embeddings request: model must be a non-empty string")
    inputs = params.get("inputs", params.get("input"))
    check_text_list(inputs, "embeddings.create", single_text_ok=True)
    if not isinstance(inputs, str):
        inputs = list(inputs)
        if not inputs:
            raise InvalidRequestError("Invalid embeddings request: inputs must not be empty")
        for i, text in enumerate(inputs):
            if not isinstance(text, str):
                raise InvalidRequestError(
                    f"Invalid embeddings request: inputs[{i}] must be a string, got {type(text).__name__}"
                )
    body: dict[str, Any] = {"model": model, "input": inputs}
    for key in _OPTIONS:
        if params.get(key) is not None:
            body[key] = params[key]  # type: ignore[literal-required]
    for key, value in params.items():
        if key not in body and key not in ("inputs", "input") and value is not None:
            body[key] = value
    return body


def embeddings_parser(dtype: str | None, inputs: int) -> Callable[[Decoded], EmbeddingResponse]:
    """The parser of an answer to ``inputs`` texts: exactly one vector per input, indexes ``0..inputs-1``.

    Base64 vectors are decoded by the requested ``output_dtype`` (float32, or int8/uint8 for the others).
    """
    context = None if dtype in (None, "float") else {"output_dtype": dtype}

    def parse(decoded: Decoded) -> EmbeddingResponse:
        result = validated(EmbeddingResponse, decoded, context)
        problem = result.vectors_problem(inputs)
        if problem is not None:
            raise decode_error(decoded, f"{inputs} embedding(s)", f"an incomplete answer ({problem})")
        return result

    return parse


def _create(params: EmbeddingParams, tokens: int | None = None) -> Operation[EmbeddingResponse]:
    body = embeddings_body(params)
    inputs = body["input"]
    parse = embeddings_parser(body.get("output_dtype"), 1 if isinstance(inputs, str) else len(inputs))
    return Operation(RequestSpec("POST", "/v1/embeddings", json=body, tokens=tokens), parse)


class _ManyCall:
    """One ``create_many``/``iter_many`` call: its checked plan, request options and runner settings."""

    def __init__(self, where: str, inputs: Sequence[str], model: str, options: EmbeddingManyOptions) -> None:
        opts: dict[str, Any] = dict(options)
        self.progress = opts.pop("progress", None)
        self.concurrency: int = opts.pop("max_concurrent_requests", DEFAULT_CONCURRENCY)
        self.plan: EmbeddingPlan = plan_run(
            inputs,
            where=where,
            model=model,
            texts_per_request=opts.pop("texts_per_request", DEFAULT_TEXTS_PER_REQUEST),
            max_tokens_per_request=opts.pop("max_tokens_per_request", MAX_TOKENS_PER_REQUEST),
            max_concurrent_requests=self.concurrency,
        )
        self.params = {"model": model, **{k: v for k, v in opts.items() if v is not None}}


class Embeddings(SyncResource):
    def create(self, **params: Unpack[EmbeddingParams]) -> EmbeddingResponse:
        """Embed one text or a list of texts."""
        return self._run(_create(params))

    def create_counted(self, tokens: int, **params: Unpack[EmbeddingParams]) -> EmbeddingResponse:
        """:meth:`create` for texts whose token count is already known (a batch of an
        :class:`~mistral_lca.embedding_batches.EmbeddingPlan`): the count paces the request instead of an estimate."""
        return self._run(_create(params, tokens))

    def create_many(
        self, inputs: Sequence[str], *, model: str, **options: Unpack[EmbeddingManyOptions]
    ) -> list[list[float]]:
        """Embed a corpus: one vector per text, in input order, however many texts.

        Texts are packed into requests within Mistral's limits (``texts_per_request``, ``max_tokens_per_request``;
        tokens counted exactly with the ``[tokenizer]`` extra), sent on threads, at most
        ``max_concurrent_requests`` at once; a request rejected as too large is split and retried.
        ``progress`` is called after every request with an :class:`~mistral_lca.embedding_runs.EmbeddingProgress`.
        """
        call = _ManyCall("embeddings.create_many", inputs, model, options)
        return vectors_in_order(len(call.plan.texts), list(self._iter(call)))

    def iter_many(
        self, inputs: Sequence[str], *, model: str, **options: Unpack[EmbeddingManyOptions]
    ) -> Iterator[EmbeddedBatch]:
        """:meth:`create_many`, one :class:`~mistral_lca.embedding_runs.EmbeddedBatch` at a time, in input order
        (memory stays bounded by the concurrency window). The plan is checked before this returns."""
        return self._iter(_ManyCall("embeddings.iter_many", inputs, model, options))

    def _iter(self, call: _ManyCall) -> Iterator[EmbeddedBatch]:
        return iter_embeddings(
            lambda texts, tokens: self.create_counted(tokens, inputs=texts, **call.params),
            call.plan,
            max_concurrent_requests=call.concurrency,
            progress=call.progress,
            limiter=self._sender.limiter,
        )


class AsyncEmbeddings(AsyncResource):
    async def create(self, **params: Unpack[EmbeddingParams]) -> EmbeddingResponse:
        """Embed one text or a list of texts."""
        return await self._run(_create(params))

    async def create_counted(self, tokens: int, **params: Unpack[EmbeddingParams]) -> EmbeddingResponse:
        """Native async :meth:`Embeddings.create_counted`."""
        return await self._run(_create(params, tokens))

    async def create_many(
        self, inputs: Sequence[str], *, model: str, **options: Unpack[EmbeddingManyOptions]
    ) -> list[list[float]]:
        """Native async :meth:`Embeddings.create_many` (requests are tasks, at most ``max_concurrent_requests``)."""
        call = _ManyCall("embeddings.create_many", inputs, model, options)
        return vectors_in_order(len(call.plan.texts), [batch async for batch in self._iter(call)])

    def iter_many(
        self, inputs: Sequence[str], *, model: str, **options: Unpack[EmbeddingManyOptions]
    ) -> AsyncIterator[EmbeddedBatch]:
        """Native async :meth:`Embeddings.iter_many` (``async for batch in client.embeddings.iter_many(...)``)."""
        return self._iter(_ManyCall("embeddings.iter_many", inputs, model, options))

    def _iter(self, call: _ManyCall) -> AsyncIterator[EmbeddedBatch]:
        return aiter_embeddings(
            lambda texts, tokens: self.create_counted(tokens, inputs=texts, **call.params),
            call.plan,
            max_concurrent_requests=call.concurrency,
            progress=call.progress,
            limiter=self._sender.limiter,
        )
