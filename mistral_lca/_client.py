"""``MistralLCAClient`` and ``AsyncMistralLCAClient``: configuration plus one resource per endpoint family."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import SecretStr

from ._config import DEFAULT_MAX_RETRIES, DEFAULT_RATE_LIMIT_WAIT, ClientConfig, resolve_config
from ._operation import Operation, StreamingOperation
from ._retry import RetryPolicy
from ._streaming import AsyncStream, Stream
from ._transport import AsyncSender, SyncSender
from .ratelimit import RateLimiter, shared_rate_limiter
from .resources.chat import AsyncChat, Chat
from .resources.embeddings import AsyncEmbeddings, Embeddings
from .resources.fim import AsyncFim, Fim
from .resources.models import AsyncModels, Models

if TYPE_CHECKING:  # the newer endpoint families are imported on first use, keeping `import` fast
    from .resources.agents import Agents, AsyncAgents
    from .resources.audio import AsyncAudio, Audio
    from .resources.batch import AsyncBatch, Batch
    from .resources.classifiers import AsyncClassifiers, Classifiers
    from .resources.conversations import AsyncConversations, Conversations
    from .resources.files import AsyncFiles, Files
    from .resources.fine_tuning import AsyncFineTuning, FineTuning
    from .resources.libraries import AsyncLibraries, Libraries
    from .resources.ocr import AsyncOcr, Ocr

__all__ = ["AsyncMistralLCAClient", "MistralLCAClient"]

T = TypeVar("T")


class _ClientBase:
    """Settings shared by both clients. See :func:`mistral_lca._config.resolve_config` for validation."""

    def __init__(
        self,
        *,
        api_token: str | SecretStr | None,
        base_url: str | None,
        path_params: str,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        retry_policy: RetryPolicy | None,
        max_concurrent_requests: int | None = None,
        deadline: float | None = None,
        max_response_bytes: int | None = None,
        rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT,
        requests_per_second: float | None = None,
        tokens_per_minute: float | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.config: ClientConfig = resolve_config(
            api_token=api_token,
            base_url=base_url,
            path_params=path_params,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            max_concurrent_requests=max_concurrent_requests,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            rate_limit_wait=rate_limit_wait,
            requests_per_second=requests_per_second,
            tokens_per_minute=tokens_per_minute,
        )
        self.retry_policy = retry_policy or RetryPolicy(max_retries=self.config.max_retries)
        self.rate_limiter: RateLimiter = _limiter_for(self.config, rate_limiter)
        """Paces this client's requests; by default shared by every client of the same token and base URL."""

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def path_params(self) -> str:
        return self.config.path_params

    @property
    def max_retries(self) -> int:
        return self.retry_policy.max_retries

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, path_params={self.path_params!r}, "
            f"max_retries={self.max_retries})"
        )

    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} cannot be pickled (it holds a secret and a connection pool)")


def _limiter_for(config: ClientConfig, given: RateLimiter | None) -> RateLimiter:
    caps = {"requests_per_second": config.requests_per_second, "tokens_per_minute": config.tokens_per_minute}
    if given is None:
        return shared_rate_limiter(config.api_token, config.base_url, **caps)
    if not isinstance(given, RateLimiter):
        raise TypeError(f"rate_limiter must be a mistral_lca.RateLimiter, got {type(given).__name__}")
    given.add_caps(**caps)
    return given


class MistralLCAClient(_ClientBase):
    """Synchronous client for Mistral through LowCodeAPI.

    >>> with MistralLCAClient() as client:  # token from LOWCODEAPI_API_TOKEN
    ...     reply = client.chat.complete(model="mistral-small-latest", messages=[...])
    """

    def __init__(
        self,
        *,
        api_token: str | SecretStr | None = None,
        base_url: str | None = None,
        path_params: str = "query",
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        retry_policy: RetryPolicy | None = None,
        max_concurrent_requests: int | None = None,
        deadline: float | None = None,
        max_response_bytes: int | None = None,
        rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT,
        requests_per_second: float | None = None,
        tokens_per_minute: float | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(
            api_token=api_token,
            base_url=base_url,
            path_params=path_params,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            retry_policy=retry_policy,
            max_concurrent_requests=max_concurrent_requests,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            rate_limit_wait=rate_limit_wait,
            requests_per_second=requests_per_second,
            tokens_per_minute=tokens_per_minute,
            rate_limiter=rate_limiter,
        )
        self._sender = SyncSender(self.config, self.retry_policy, http_client, self.rate_limiter)

    @cached_property
    def chat(self) -> Chat:
        return Chat(self._sender)

    @cached_property
    def fim(self) -> Fim:
        return Fim(self._sender)

    @cached_property
    def embeddings(self) -> Embeddings:
        return Embeddings(self._sender)

    @cached_property
    def models(self) -> Models:
        return Models(self._sender)

    @cached_property
    def agents(self) -> Agents:
        from .resources.agents import Agents

        return Agents(self._sender)

    @cached_property
    def ocr(self) -> Ocr:
        from .resources.ocr import Ocr

        return Ocr(self._sender)

    @cached_property
    def files(self) -> Files:
        from .resources.files import Files

        return Files(self._sender)

    @cached_property
    def audio(self) -> Audio:
        from .resources.audio import Audio

        return Audio(self._sender)

    @cached_property
    def batch(self) -> Batch:
        from .resources.batch import Batch

        return Batch(self._sender)

    @cached_property
    def fine_tuning(self) -> FineTuning:
        from .resources.fine_tuning import FineTuning

        return FineTuning(self._sender)

    @cached_property
    def classifiers(self) -> Classifiers:
        from .resources.classifiers import Classifiers

        return Classifiers(self._sender)

    @cached_property
    def conversations(self) -> Conversations:
        from .resources.conversations import Conversations

        return Conversations(self._sender)

    @cached_property
    def libraries(self) -> Libraries:
        from .resources.libraries import Libraries

        return Libraries(self._sender)

    def execute(self, operation: Operation[T]) -> T:
        """Run a prepared operation (the resources' building block; useful for endpoints added later)."""
        return self._sender.request(operation)

    def open_stream(self, operation: StreamingOperation[T]) -> Stream[T]:
        return Stream(self._sender, operation)

    def close(self) -> None:
        """Close the connection pool, unless the caller supplied ``http_client`` (theirs to close)."""
        self._sender.close()

    def __enter__(self) -> MistralLCAClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncMistralLCAClient(_ClientBase):
    """Asynchronous client for Mistral through LowCodeAPI (``async with AsyncMistralLCAClient() as c``)."""

    def __init__(
        self,
        *,
        api_token: str | SecretStr | None = None,
        base_url: str | None = None,
        path_params: str = "query",
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        retry_policy: RetryPolicy | None = None,
        max_concurrent_requests: int | None = None,
        deadline: float | None = None,
        max_response_bytes: int | None = None,
        rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT,
        requests_per_second: float | None = None,
        tokens_per_minute: float | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(
            api_token=api_token,
            base_url=base_url,
            path_params=path_params,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            retry_policy=retry_policy,
            max_concurrent_requests=max_concurrent_requests,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            rate_limit_wait=rate_limit_wait,
            requests_per_second=requests_per_second,
            tokens_per_minute=tokens_per_minute,
            rate_limiter=rate_limiter,
        )
        self._sender = AsyncSender(self.config, self.retry_policy, http_client, self.rate_limiter)

    @cached_property
    def chat(self) -> AsyncChat:
        return AsyncChat(self._sender)

    @cached_property
    def fim(self) -> AsyncFim:
        return AsyncFim(self._sender)

    @cached_property
    def embeddings(self) -> AsyncEmbeddings:
        return AsyncEmbeddings(self._sender)

    @cached_property
    def models(self) -> AsyncModels:
        return AsyncModels(self._sender)

    @cached_property
    def agents(self) -> AsyncAgents:
        from .resources.agents import AsyncAgents

        return AsyncAgents(self._sender)

    @cached_property
    def ocr(self) -> AsyncOcr:
        from .resources.ocr import AsyncOcr

        return AsyncOcr(self._sender)

    @cached_property
    def files(self) -> AsyncFiles:
        from .resources.files import AsyncFiles

        return AsyncFiles(self._sender)

    @cached_property
    def audio(self) -> AsyncAudio:
        from .resources.audio import AsyncAudio

        return AsyncAudio(self._sender)

    @cached_property
    def batch(self) -> AsyncBatch:
        from .resources.batch import AsyncBatch

        return AsyncBatch(self._sender)

    @cached_property
    def fine_tuning(self) -> AsyncFineTuning:
        from .resources.fine_tuning import AsyncFineTuning

        return AsyncFineTuning(self._sender)

    @cached_property
    def classifiers(self) -> AsyncClassifiers:
        from .resources.classifiers import AsyncClassifiers

        return AsyncClassifiers(self._sender)

    @cached_property
    def conversations(self) -> AsyncConversations:
        from .resources.conversations import AsyncConversations

        return AsyncConversations(self._sender)

    @cached_property
    def libraries(self) -> AsyncLibraries:
        from .resources.libraries import AsyncLibraries

        return AsyncLibraries(self._sender)

    async def execute(self, operation: Operation[T]) -> T:
        return await self._sender.request(operation)

    def open_stream(self, operation: StreamingOperation[T]) -> AsyncStream[T]:
        return AsyncStream(self._sender, operation)

    async def close(self) -> None:
        await self._sender.close()

    async def __aenter__(self) -> AsyncMistralLCAClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
