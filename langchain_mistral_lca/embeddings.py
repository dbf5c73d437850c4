"""``MistralLCAEmbeddings``: Mistral embeddings (``/v1/embeddings``) through LowCodeAPI."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from pydantic import Field
from typing_extensions import Unpack

from mistral_lca import BadRequestError
from mistral_lca._inputs import check_text_list
from mistral_lca.batching import BatchWaitOptions, results_or_raise
from mistral_lca.embedding_batches import Batch, map_threads, plan_batches, split_batch
from mistral_lca.types.embeddings import EmbeddingResponse

from ._concurrency import ConcurrencyLimit
from ._settings import ConnectionSettings

__all__ = ["MistralLCAEmbeddings"]

_TOO_LARGE_HINTS = ("too many tokens", "too many inputs", "too large", "split into more batches")


def _rejected_as_too_large(error: BadRequestError, batch: Batch) -> bool:
    if len(batch) < 2:
        return False
    text = " ".join(part for part in (error.message, error.provider_message or "") if part).lower()
    return any(hint in text for hint in _TOO_LARGE_HINTS) or error.code == "3210"


class MistralLCAEmbeddings(ConnectionSettings, ConcurrencyLimit, Embeddings):
    """Mistral text embeddings through LowCodeAPI.

    >>> from langchain_mistral_lca import MistralLCAEmbeddings
    >>> embeddings = MistralLCAEmbeddings()  # mistral-embed; token from LOWCODEAPI_API_TOKEN
    >>> vectors = embeddings.embed_documents(["first text", "second text"])

    Inputs are split into requests by count (``max_batch_size``) and by an offline token estimate
    (``max_batch_tokens``); requests run concurrently, at most ``max_concurrent_requests`` at once (sync
    calls use threads). Vectors come back in input order. A request the API rejects as too large is split
    in half and retried.
    """

    model: str = Field(default="mistral-embed", alias="model_name")
    output_dimension: int | None = None
    """Vector size for models that support it (e.g. ``codestral-embed``)."""
    output_dtype: Literal["float", "int8", "uint8", "binary", "ubinary"] | None = None
    encoding_format: Literal["float", "base64"] | None = None
    """Wire format. ``base64`` vectors are decoded for you; you always get lists of floats."""
    max_batch_size: int = Field(default=128, ge=1)
    """Texts per request."""
    max_batch_tokens: int = Field(default=16_000, ge=1)
    """Estimated tokens per request (Mistral's per-request budget is 16,384)."""
    max_concurrent_requests: int = Field(default=8, ge=1)
    """Requests in flight at once from this instance (sync threads and each event loop)."""

    def _options(self) -> dict[str, Any]:
        """The vector options that are set (``output_dimension``, ``output_dtype``, ``encoding_format``)."""
        names = ("output_dimension", "output_dtype", "encoding_format")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def _request(self, texts: list[str]) -> dict[str, Any]:
        return {"model": self.model, "inputs": texts, **self._options()}

    def _batches(self, texts: list[str]) -> list[Batch]:
        return plan_batches(texts, max_inputs=self.max_batch_size, max_tokens=self.max_batch_tokens)

    # ---------------------------------------------------------------------------------------------- sync

    def _embed_batch(self, texts: list[str], batch: Batch) -> list[tuple[int, list[float]]]:
        try:
            response: EmbeddingResponse = self.client.embeddings.create(**self._request([texts[i] for i in batch]))
        except BadRequestError as error:
            if not _rejected_as_too_large(error, batch):
                raise
            first, second = split_batch(batch)
            return self._embed_batch(texts, first) + self._embed_batch(texts, second)
        return list(zip(batch, response.vectors(), strict=True))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in input order. No request for an empty list."""
        check_text_list(texts, "embed_documents")
        if not texts:
            return []
        texts = list(texts)
        batches = self._batches(texts)
        results = map_threads(lambda batch: self._embed_batch(texts, batch), batches, self.max_concurrent_requests)
        return _in_order(len(texts), results)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    # --------------------------------------------------------------------------------------------- async

    async def _aembed_batch(self, texts: list[str], batch: Batch) -> list[tuple[int, list[float]]]:
        try:
            response = await self.async_client.embeddings.create(**self._request([texts[i] for i in batch]))
        except BadRequestError as error:
            if not _rejected_as_too_large(error, batch):
                raise
            first, second = split_batch(batch)
            return await self._aembed_batch(texts, first) + await self._aembed_batch(texts, second)
        return list(zip(batch, response.vectors(), strict=True))

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Native async :meth:`embed_documents`."""
        check_text_list(texts, "aembed_documents")
        if not texts:
            return []
        texts = list(texts)
        batches = self._batches(texts)
        if len(batches) == 1:
            return _in_order(len(texts), [await self._aembed_batch(texts, batches[0])])
        # The shared client holds one of max_concurrent_requests slots per request, so at most N are in flight.
        results = await asyncio.gather(*(self._aembed_batch(texts, batch) for batch in batches))
        return _in_order(len(texts), list(results))

    async def aembed_query(self, text: str) -> list[float]:
        return (await self.aembed_documents([text]))[0]

    # ------------------------------------------------------------------------- opt-in: the batch API

    def embed_documents_via_batch_api(
        self, texts: list[str], **wait_options: Unpack[BatchWaitOptions]
    ) -> list[list[float]]:
        """:meth:`embed_documents` as one batch job (``client.batch.run_embeddings``): for large workloads.

        Cheaper and not bound by this machine's rate limits, but it waits for the job (``poll_interval``,
        ``max_poll_interval``, ``timeout`` ...). ``max_batch_size`` texts per request; the token budget is not
        applied and a rejected request is not split. A failed request raises its
        :class:`~mistral_lca.batching.BatchRequestError` (the first one); a failed job raises ``JobFailedError``.
        """
        check_text_list(texts, "embed_documents_via_batch_api")
        if not texts:
            return []
        results = self.client.batch.run_embeddings(
            list(texts), model=self.model, texts_per_request=self.max_batch_size, **self._options(), **wait_options
        )
        return results_or_raise(results)

    async def aembed_documents_via_batch_api(
        self, texts: list[str], **wait_options: Unpack[BatchWaitOptions]
    ) -> list[list[float]]:
        """Native async :meth:`embed_documents_via_batch_api`."""
        check_text_list(texts, "aembed_documents_via_batch_api")
        if not texts:
            return []
        results = await self.async_client.batch.run_embeddings(
            list(texts), model=self.model, texts_per_request=self.max_batch_size, **self._options(), **wait_options
        )
        return results_or_raise(results)


def _in_order(count: int, results: list[list[tuple[int, list[float]]]]) -> list[list[float]]:
    vectors: list[list[float] | None] = [None] * count
    for pairs in results:
        for position, vector in pairs:
            vectors[position] = vector
    missing = [i for i, vector in enumerate(vectors) if vector is None]
    if missing:
        raise ValueError(f"The embeddings response had no vector for inputs {missing[:10]}")
    return vectors  # type: ignore[return-value]
