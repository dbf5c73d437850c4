"""Connection settings shared by every LangChain class, and the lazily built shared clients.

Field names follow langchain-openai (``api_key`` alias, ``base_url``, ``timeout``, ``max_retries``,
``http_client`` / ``http_async_client``). Nothing is validated or built at construction beyond pydantic's
field checks: the shared :class:`~mistral_lca.MistralLCAClient` is created on first use, so constructing a
model costs microseconds and a missing token is reported (naming ``LOWCODEAPI_API_TOKEN``) by the first call.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal

import httpx
from langchain_core.utils import from_env, secret_from_env
from langchain_core.utils.utils import _build_model_kwargs, get_pydantic_field_names
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from mistral_lca import AsyncMistralLCAClient, MistralLCAClient
from mistral_lca._config import DEFAULT_MAX_RETRIES, DEFAULT_RATE_LIMIT_WAIT, ENV_BASE_URL, ENV_TOKEN
from mistral_lca.closing import ClosingContext
from mistral_lca.ratelimit import RateLimiter

if TYPE_CHECKING:
    pass

__all__ = ["ConnectionSettings", "ModelKwargs"]

_BUILD_LOCK = threading.Lock()


class ConnectionSettings(ClosingContext, BaseModel):
    """How to reach Mistral through LowCodeAPI. Mixed into every class of this package."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, protected_namespaces=())

    api_token: SecretStr | None = Field(
        default_factory=secret_from_env(ENV_TOKEN, default=None),
        alias="api_key",
    )
    """LowCodeAPI token (``at_...``). Defaults to ``LOWCODEAPI_API_TOKEN``; ``MISTRAL_API_KEY`` is never read."""

    base_url: str | None = Field(default_factory=from_env(ENV_BASE_URL, default=None))
    """LowCodeAPI base URL for Mistral. Defaults to ``LOWCODEAPI_BASE_URL``, else the public proxy."""

    path_params: Literal["query", "path"] = "query"
    """How path parameters travel: ``query`` (``/v1/files/file_id?file_id=...``) or ``path``."""

    timeout: float | httpx.Timeout | None = None
    """Seconds (or an ``httpx.Timeout``); ``None`` uses the client default."""

    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries (not attempts) for 408/5xx and network errors, honouring ``Retry-After``. A 429 is not a retry: it is
    waited out (see ``rate_limit_wait``)."""

    default_headers: dict[str, str] | None = None
    """Extra headers sent with every request."""

    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """Your own ``httpx.Client`` (proxies, custom transport). Yours to close."""

    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """Your own ``httpx.AsyncClient``. Yours to close."""

    rate_limit_wait: float = Field(default=DEFAULT_RATE_LIMIT_WAIT, ge=0)
    """Seconds one call may spend waiting for rate limits (pacing before sending, 429s); ``0`` raises the first 429
    (``RateLimitError``) at once. 429s never use up ``max_retries``."""

    requests_per_second: float | None = Field(default=None, gt=0)
    """A fixed cap on requests per second for this token, on top of the limits learned from Mistral's headers."""

    tokens_per_minute: float | None = Field(default=None, gt=0)
    """A fixed cap on (estimated) tokens per minute for this token."""

    _lca_rate_limiter: RateLimiter | None = PrivateAttr(default=None)
    _client: MistralLCAClient | None = PrivateAttr(default=None)
    _async_client: AsyncMistralLCAClient | None = PrivateAttr(default=None)
    _client_key: tuple[Any, ...] | None = PrivateAttr(default=None)
    _async_client_key: tuple[Any, ...] | None = PrivateAttr(default=None)

    def __init__(self, **data: Any) -> None:
        """``rate_limiter=`` takes a :class:`mistral_lca.RateLimiter` (share one between objects to give them one
        budget; by default every object of a token and URL shares one). Any other value is langchain-core's own
        ``rate_limiter`` field (a ``BaseRateLimiter``, acquired once per call), where the class has it."""
        limiter = data.get("rate_limiter")
        if isinstance(limiter, RateLimiter):
            del data["rate_limiter"]
        super().__init__(**data)
        if isinstance(limiter, RateLimiter):
            self._lca_rate_limiter = limiter

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_token": ENV_TOKEN}

    def _client_options(self) -> dict[str, Any]:
        return {
            "api_token": self.api_token,
            "base_url": self.base_url,
            "path_params": self.path_params,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
            "max_concurrent_requests": getattr(self, "max_concurrent_requests", None),
            "rate_limit_wait": self.rate_limit_wait,
            "requests_per_second": self.requests_per_second,
            "tokens_per_minute": self.tokens_per_minute,
            "rate_limiter": self._lca_rate_limiter,
        }

    def _settings_key(self, http_client: object) -> tuple[Any, ...]:
        """What the shared client was built from; a copy with other settings gets its own client."""
        return (
            id(self.api_token),  # by identity: the key must never hold the secret itself
            self.base_url,
            self.path_params,
            self.timeout,
            self.max_retries,
            self.default_headers,
            getattr(self, "max_concurrent_requests", None),
            self.rate_limit_wait,
            self.requests_per_second,
            self.tokens_per_minute,
            id(self._lca_rate_limiter),
            id(http_client),
        )

    @property
    def client(self) -> MistralLCAClient:
        """The shared synchronous client (built on first use, rebuilt if the settings change)."""
        key = self._settings_key(self.http_client)
        client = self._client
        if client is None or self._client_key != key:
            with _BUILD_LOCK:
                client = self._client
                if client is None or self._client_key != key:
                    client = MistralLCAClient(**self._client_options(), http_client=self.http_client)
                    self._client, self._client_key = client, key
        return client

    @property
    def async_client(self) -> AsyncMistralLCAClient:
        """The shared asynchronous client (built on first use, rebuilt if the settings change)."""
        key = self._settings_key(self.http_async_client)
        client = self._async_client
        if client is None or self._async_client_key != key:
            with _BUILD_LOCK:
                client = self._async_client
                if client is None or self._async_client_key != key:
                    client = AsyncMistralLCAClient(**self._client_options(), http_client=self.http_async_client)
                    self._async_client, self._async_client_key = client, key
        return client

    # ------------------------------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the synchronous connection pool (use :meth:`aclose` for the async one).

        Your own ``http_client`` / ``http_async_client`` is never closed. A closed object still works: the next
        request opens a new pool.
        """
        if self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        """Close the asynchronous and the synchronous connection pools (your own httpx clients stay open)."""
        if self._async_client is not None:
            await self._async_client.close()
        self.close()


class ModelKwargs(BaseModel):
    """Mixin: ``model_kwargs`` for request fields without a dedicated attribute.

    Unknown constructor arguments are moved there with a warning (langchain-core's convention).
    """

    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra request fields (e.g. ``prompt_mode``, ``prediction``, ``guardrails``), sent as given."""

    @model_validator(mode="before")
    @classmethod
    def _collect_model_kwargs(cls, values: Any) -> Any:
        if isinstance(values, dict):
            return _build_model_kwargs(values, get_pydantic_field_names(cls))
        return values
