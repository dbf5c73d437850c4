"""``MistralLCAEmbedding``: a LlamaIndex ``BaseEmbedding`` for Mistral embeddings through LowCodeAPI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import Field
from llama_index.core.callbacks import CBEventType, EventPayload
from llama_index.core.instrumentation.events.embedding import EmbeddingEndEvent, EmbeddingStartEvent
from llama_index_instrumentation import get_dispatcher
from typing_extensions import Unpack

from mistral_lca.batching import BatchWaitOptions, results_or_raise
from mistral_lca.embedding_batches import MAX_TOKENS_PER_REQUEST, EmbeddingPlan, require_texts
from mistral_lca.embedding_runs import EmbeddedBatch, aiter_embeddings, iter_embeddings, plan_run, vectors_in_order
from mistral_lca.types.bounds import ModelName

from ._connection import ConnectionFields

__all__ = ["DEFAULT_CONCURRENCY", "MistralLCAEmbedding"]

dispatcher = get_dispatcher(__name__)

DEFAULT_CONCURRENCY = 8
"""Requests in flight at once for one batch call when ``num_workers`` is not set."""


class MistralLCAEmbedding(ConnectionFields, BaseEmbedding):
    """Mistral text embeddings (``mistral-embed``, ``codestral-embed``, ...) through LowCodeAPI.

    >>> embed_model = MistralLCAEmbedding()  # token from LOWCODEAPI_API_TOKEN
    >>> embed_model.get_text_embedding_batch(["first", "second"])

    Batches are packed by count (``embed_batch_size``) and tokens (``max_batch_tokens``: exact with the
    ``[tokenizer]`` extra, an offline estimate otherwise) and sent concurrently, at most ``num_workers`` at once
    (default 8; threads on the sync path), by the client's corpus runner. A batch the API rejects as too large is
    halved and retried. Constructor-only: ``api_token``, ``http_client``, ``async_http_client``.
    """

    model_name: ModelName = Field(default="mistral-embed", description="The Mistral embedding model id.")
    embed_batch_size: int = Field(default=128, gt=0, le=2048, description="Texts per request.")
    max_batch_tokens: int = Field(
        default=MAX_TOKENS_PER_REQUEST, ge=1, description="Tokens per request (Mistral's budget is 16,384)."
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

    def _plan(self, texts: object, where: str) -> EmbeddingPlan:
        return plan_run(
            texts,
            where=f"MistralLCAEmbedding.{where}",
            model=self.model_name,
            texts_per_request=self.embed_batch_size,
            max_tokens_per_request=self.max_batch_tokens,
            max_concurrent_requests=self._workers,
        )

    # ------------------------------------------------------------------------ requests: one runner

    def _embed(self, texts: object, where: str, *, events: bool) -> list[Embedding]:
        plan = self._plan(texts, where)
        options = {"model": self.model_name, **self._options()}
        batches = iter_embeddings(
            lambda chunk, tokens: self._connection.client.embeddings.create_counted(tokens, inputs=chunk, **options),
            plan,
            max_concurrent_requests=self._workers,
            around_batch=self._around_batch if events else None,
        )
        return vectors_in_order(len(plan.texts), list(batches))

    async def _aembed(self, texts: object, where: str, *, events: bool) -> list[Embedding]:
        plan = self._plan(texts, where)
        options = {"model": self.model_name, **self._options()}
        batches = aiter_embeddings(
            lambda chunk, tokens: self._connection.aclient.embeddings.create_counted(tokens, inputs=chunk, **options),
            plan,
            max_concurrent_requests=self._workers,
            around_batch=self._aaround_batch if events else None,
        )
        return vectors_in_order(len(plan.texts), [batch async for batch in batches])

    # ------------------------------------------------------------------- single texts (core wraps events)

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._embed([query], "get_query_embedding", events=False)[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._aembed([query], "aget_query_embedding", events=False))[0]

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embed([text], "get_text_embedding", events=False)[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aembed([text], "aget_text_embedding", events=False))[0]

    # ------------------------------------------------------------------- batches: one event per request

    def _batch_event_start(self) -> str:
        model_dict = self.to_payload()
        dispatcher.event(EmbeddingStartEvent(model_dict=model_dict))
        return self.callback_manager.on_event_start(
            CBEventType.EMBEDDING, payload={EventPayload.SERIALIZED: model_dict}
        )

    def _batch_event_end(self, event_id: str, chunks: list[str], batch: EmbeddedBatch) -> None:
        self.callback_manager.on_event_end(
            CBEventType.EMBEDDING,
            payload={EventPayload.CHUNKS: chunks, EventPayload.EMBEDDINGS: batch.vectors},
            event_id=event_id,
        )
        dispatcher.event(EmbeddingEndEvent(chunks=chunks, embeddings=batch.vectors))

    def _around_batch(self, chunks: list[str], send: Callable[[], EmbeddedBatch]) -> EmbeddedBatch:
        event_id = self._batch_event_start()
        if self.rate_limiter is not None:
            self.rate_limiter.acquire()
        batch = send()
        self._batch_event_end(event_id, chunks, batch)
        return batch

    async def _aaround_batch(self, chunks: list[str], send: Callable[[], Awaitable[EmbeddedBatch]]) -> EmbeddedBatch:
        event_id = self._batch_event_start()
        if self.rate_limiter is not None:
            await self.rate_limiter.async_acquire()
        batch = await send()
        self._batch_event_end(event_id, chunks, batch)
        return batch

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._embed(texts, "get_text_embedding_batch", events=True)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return await self._aembed(texts, "aget_text_embedding_batch", events=True)

    def get_text_embedding_batch(self, texts: list[str], show_progress: bool = False, **kwargs: Any) -> list[Embedding]:
        """Vectors in input order; one event per request; the cache (if set) is consulted first."""
        texts = require_texts(texts, "MistralLCAEmbedding.get_text_embedding_batch")
        if not texts:
            return []
        if self.embeddings_cache is not None:
            return self._get_text_embeddings_cached(texts)
        return self._get_text_embeddings(texts)

    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """Native async :meth:`get_text_embedding_batch`."""
        texts = require_texts(texts, "MistralLCAEmbedding.aget_text_embedding_batch")
        if not texts:
            return []
        if self.embeddings_cache is not None:
            return await self._aget_text_embeddings_cached(texts)
        return await self._aget_text_embeddings(texts)

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
        texts = require_texts(texts, "MistralLCAEmbedding.get_text_embeddings_via_batch_api")
        if not texts:
            return []
        results = self._connection.client.batch.run_embeddings(
            texts,
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
        texts = require_texts(texts, "MistralLCAEmbedding.aget_text_embeddings_via_batch_api")
        if not texts:
            return []
        results = await self._connection.aclient.batch.run_embeddings(
            texts,
            model=self.model_name,
            texts_per_request=self.embed_batch_size,
            **self._options(),
            **wait_options,
        )
        return results_or_raise(results)
