"""``MistralLCAEmbedding``: a LlamaIndex ``BaseEmbedding`` for Mistral embeddings through LowCodeAPI."""

from __future__ import annotations

from typing import Any, Literal

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import Field
from llama_index.core.callbacks import CBEventType, EventPayload
from llama_index.core.instrumentation.events.embedding import EmbeddingEndEvent, EmbeddingStartEvent
from llama_index_instrumentation import get_dispatcher
from typing_extensions import Unpack

from mistral_lca import BadRequestError
from mistral_lca._inputs import check_text_list
from mistral_lca.batching import BatchWaitOptions, results_or_raise
from mistral_lca.embedding_batches import Batch, gather_limited, map_threads, plan_batches, split_batch

from ._connection import ConnectionFields

__all__ = ["DEFAULT_CONCURRENCY", "MistralLCAEmbedding"]

dispatcher = get_dispatcher(__name__)

DEFAULT_CONCURRENCY = 8
"""Requests in flight at once for one batch call when ``num_workers`` is not set."""
_TOO_LARGE_HINTS = ("too many tokens", "too many inputs", "too large", "split into more batches")


def _rejected_as_too_large(error: BadRequestError, batch: Batch) -> bool:
    if len(batch) < 2:
        return False
    text = " ".join(part for part in (error.message, error.provider_message or "") if part).lower()
    return any(hint in text for hint in _TOO_LARGE_HINTS) or error.code == "3210"


def _in_order(count: int, results: list[list[tuple[int, Embedding]]]) -> list[Embedding]:
    vectors: list[Embedding | None] = [None] * count
    for pairs in results:
        for position, vector in pairs:
            vectors[position] = vector
    missing = [i for i, vector in enumerate(vectors) if vector is None]
    if missing:
        raise ValueError(f"The embeddings response had no vector for inputs {missing[:10]}")
    return vectors  # type: ignore[return-value]


class MistralLCAEmbedding(ConnectionFields, BaseEmbedding):
    """Mistral text embeddings (``mistral-embed``, ``codestral-embed``, ...) through LowCodeAPI.

    >>> embed_model = MistralLCAEmbedding()  # token from LOWCODEAPI_API_TOKEN
    >>> embed_model.get_text_embedding_batch(["first", "second"])

    Batches are split by count (``embed_batch_size``) and by an estimated token budget (``max_batch_tokens``) and
    sent concurrently, at most ``num_workers`` at once (default 8; threads on the sync path). A batch the API rejects
    as too large is halved and retried. Constructor-only: ``api_token``, ``http_client``, ``async_http_client``.
    """

    model_name: str = Field(default="mistral-embed", description="The Mistral embedding model id.")
    embed_batch_size: int = Field(default=128, gt=0, le=2048, description="Texts per request.")
    max_batch_tokens: int = Field(
        default=16_000, ge=1, description="Estimated tokens per request (Mistral's budget is 16,384)."
    )
    output_dimension: int | None = Field(default=None, gt=0, description="Vector size, for models that support it.")
    output_dtype: Literal["float", "int8", "uint8", "binary", "ubinary"] | None = Field(
        default=None, description="Vector value type, for models that support it."
    )
    encoding_format: Literal["float", "base64"] | None = Field(
        default=None, description="Wire format; base64 vectors are decoded, you always get floats."
    )

    @classmethod
    def class_name(cls) -> str:
        return "MistralLCAEmbedding"

    @property
    def _workers(self) -> int:
        return self.num_workers or DEFAULT_CONCURRENCY

    def _options(self) -> dict[str, Any]:
        """The vector options that are set (``output_dimension``, ``output_dtype``, ``encoding_format``)."""
        names = ("output_dimension", "output_dtype", "encoding_format")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def _params(self, texts: list[str]) -> dict[str, Any]:
        return {"model": self.model_name, "inputs": texts, **self._options()}

    def _plan(self, texts: list[str]) -> list[Batch]:
        return plan_batches(texts, max_inputs=self.embed_batch_size, max_tokens=self.max_batch_tokens)

    # -------------------------------------------------------------------------------------- one request

    def _request(self, texts: list[str], batch: Batch) -> list[tuple[int, Embedding]]:
        try:
            response = self._connection.client.embeddings.create(**self._params([texts[i] for i in batch]))
        except BadRequestError as error:
            if not _rejected_as_too_large(error, batch):
                raise
            first, second = split_batch(batch)
            return self._request(texts, first) + self._request(texts, second)
        return list(zip(batch, response.vectors(), strict=True))

    async def _arequest(self, texts: list[str], batch: Batch) -> list[tuple[int, Embedding]]:
        try:
            response = await self._connection.aclient.embeddings.create(**self._params([texts[i] for i in batch]))
        except BadRequestError as error:
            if not _rejected_as_too_large(error, batch):
                raise
            first, second = split_batch(batch)
            return await self._arequest(texts, first) + await self._arequest(texts, second)
        return list(zip(batch, response.vectors(), strict=True))

    # ------------------------------------------------------------------- single texts (core wraps events)

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._request([query], [0])[0][1]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._arequest([query], [0]))[0][1]

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._request([text], [0])[0][1]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._arequest([text], [0]))[0][1]

    # ------------------------------------------------------------------- batches: planned, concurrent

    def _batch_event_start(self, texts: list[str], batch: Batch) -> tuple[str, list[str]]:
        model_dict = self.to_payload()
        dispatcher.event(EmbeddingStartEvent(model_dict=model_dict))
        event_id = self.callback_manager.on_event_start(
            CBEventType.EMBEDDING, payload={EventPayload.SERIALIZED: model_dict}
        )
        return event_id, [texts[i] for i in batch]

    def _batch_event_end(self, event_id: str, chunks: list[str], pairs: list[tuple[int, Embedding]]) -> None:
        vectors = [vector for _, vector in pairs]
        self.callback_manager.on_event_end(
            CBEventType.EMBEDDING,
            payload={EventPayload.CHUNKS: chunks, EventPayload.EMBEDDINGS: vectors},
            event_id=event_id,
        )
        dispatcher.event(EmbeddingEndEvent(chunks=chunks, embeddings=vectors))

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        texts = list(texts)

        def run(batch: Batch) -> list[tuple[int, Embedding]]:
            event_id, chunks = self._batch_event_start(texts, batch)
            if self.rate_limiter is not None:
                self.rate_limiter.acquire()
            pairs = self._request(texts, batch)
            self._batch_event_end(event_id, chunks, pairs)
            return pairs

        return _in_order(len(texts), map_threads(run, self._plan(texts), self._workers))

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        texts = list(texts)

        async def run(batch: Batch) -> list[tuple[int, Embedding]]:
            event_id, chunks = self._batch_event_start(texts, batch)
            if self.rate_limiter is not None:
                await self.rate_limiter.async_acquire()
            pairs = await self._arequest(texts, batch)
            self._batch_event_end(event_id, chunks, pairs)
            return pairs

        return _in_order(len(texts), await gather_limited(run, self._plan(texts), self._workers))

    def get_text_embedding_batch(self, texts: list[str], show_progress: bool = False, **kwargs: Any) -> list[Embedding]:
        """Vectors in input order; one event per request; the cache (if set) is consulted first."""
        check_text_list(texts, "get_text_embedding_batch")
        if not texts:
            return []
        if self.embeddings_cache is not None:
            return self._get_text_embeddings_cached(list(texts))
        return self._get_text_embeddings(list(texts))

    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """Native async :meth:`get_text_embedding_batch`."""
        check_text_list(texts, "aget_text_embedding_batch")
        if not texts:
            return []
        if self.embeddings_cache is not None:
            return await self._aget_text_embeddings_cached(list(texts))
        return await self._aget_text_embeddings(list(texts))

    # ------------------------------------------------------------------- opt-in: the batch API

    def get_text_embeddings_via_batch_api(
        self, texts: list[str], **wait_options: Unpack[BatchWaitOptions]
    ) -> list[Embedding]:
        """:meth:`get_text_embedding_batch` as one batch job (``client.batch.run_embeddings``): for large workloads.

        Cheaper and not bound by this machine's rate limits, but it waits for the job (``poll_interval``,
        ``max_poll_interval``, ``timeout`` ...). ``embed_batch_size`` texts per request; the token budget is not
        applied, a rejected request is not split, no cache or events are used. A failed request raises its
        :class:`~mistral_lca.batching.BatchRequestError` (the first one); a failed job raises ``JobFailedError``.
        """
        check_text_list(texts, "get_text_embeddings_via_batch_api")
        if not texts:
            return []
        results = self._connection.client.batch.run_embeddings(
            list(texts),
            model=self.model_name,
            texts_per_request=self.embed_batch_size,
            **self._options(),
            **wait_options,
        )
        return results_or_raise(results)

    async def aget_text_embeddings_via_batch_api(
        self, texts: list[str], **wait_options: Unpack[BatchWaitOptions]
    ) -> list[Embedding]:
        """Native async :meth:`get_text_embeddings_via_batch_api`."""
        check_text_list(texts, "aget_text_embeddings_via_batch_api")
        if not texts:
            return []
        results = await self._connection.aclient.batch.run_embeddings(
            list(texts),
            model=self.model_name,
            texts_per_request=self.embed_batch_size,
            **self._options(),
            **wait_options,
        )
        return results_or_raise(results)
