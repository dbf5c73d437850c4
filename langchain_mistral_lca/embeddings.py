"""``MistralLCAEmbeddings``: Mistral embeddings (``/v1/embeddings``) through LowCodeAPI."""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from pydantic import Field
from typing_extensions import Unpack

from mistral_lca.batching import BatchWaitOptions, results_or_raise
from mistral_lca.embedding_batches import MAX_TOKENS_PER_REQUEST, require_texts
from mistral_lca.types.bounds import ModelName

from ._concurrency import ConcurrencyLimit
from ._settings import ConnectionSettings

__all__ = ["MistralLCAEmbeddings"]


class MistralLCAEmbeddings(ConnectionSettings, ConcurrencyLimit, Embeddings):
    """Mistral text embeddings through LowCodeAPI.

    >>> from langchain_mistral_lca import MistralLCAEmbeddings
    >>> embeddings = MistralLCAEmbeddings()  # mistral-embed; token from LOWCODEAPI_API_TOKEN
    >>> vectors = embeddings.embed_documents(["first text", "second text"])

    Inputs are packed into requests by count (``max_batch_size``) and tokens (``max_batch_tokens``: exact with
    the ``[tokenizer]`` extra, an offline estimate otherwise); requests run concurrently, at most
    ``max_concurrent_requests`` at once (sync calls use threads). Vectors come back in input order. A request the
    API rejects as too large is split in half and retried. This is ``client.embeddings.create_many``.
    """

    model: ModelName = Field(default="mistral-embed", alias="model_name")
    output_dimension: int | None = None
    """Vector size for models that support it (e.g. ``codestral-embed``)."""
    output_dtype: Literal["float", "int8", "uint8", "binary", "ubinary"] | None = None
    encoding_format: Literal["float", "base64"] | None = None
    """Wire format. ``base64`` vectors are decoded for you; you always get lists of floats."""
    max_batch_size: int = Field(default=128, ge=1)
    """Texts per request."""
    max_batch_tokens: int = Field(default=MAX_TOKENS_PER_REQUEST, ge=1)
    """Tokens per request (Mistral's per-request budget, 16,384, by default)."""
    max_concurrent_requests: int = Field(default=8, ge=1)
    """Requests in flight at once from this instance (sync threads and each event loop)."""

    def _options(self) -> dict[str, Any]:
        """The vector options that are set (``output_dimension``, ``output_dtype``, ``encoding_format``)."""
        names = ("output_dimension", "output_dtype", "encoding_format")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def _many(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "texts_per_request": self.max_batch_size,
            "max_tokens_per_request": self.max_batch_tokens,
            "max_concurrent_requests": self.max_concurrent_requests,
            **self._options(),
        }

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in input order. No request for an empty list."""
        texts = require_texts(texts, "MistralLCAEmbeddings.embed_documents")
        return self.client.embeddings.create_many(texts, **self._many())

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Native async :meth:`embed_documents`."""
        texts = require_texts(texts, "MistralLCAEmbeddings.aembed_documents")
        return await self.async_client.embeddings.create_many(texts, **self._many())

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
        texts = require_texts(texts, "MistralLCAEmbeddings.embed_documents_via_batch_api")
        if not texts:
            return []
        results = self.client.batch.run_embeddings(
            texts, model=self.model, texts_per_request=self.max_batch_size, **self._options(), **wait_options
        )
        return results_or_raise(results)

    async def aembed_documents_via_batch_api(
        self, texts: list[str], **wait_options: Unpack[BatchWaitOptions]
    ) -> list[list[float]]:
        """Native async :meth:`embed_documents_via_batch_api`."""
        texts = require_texts(texts, "MistralLCAEmbeddings.aembed_documents_via_batch_api")
        if not texts:
            return []
        results = await self.async_client.batch.run_embeddings(
            texts, model=self.model, texts_per_request=self.max_batch_size, **self._options(), **wait_options
        )
        return results_or_raise(results)
