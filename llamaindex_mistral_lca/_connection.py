"""Connection settings shared by every LlamaIndex class: public fields, a private token, lazily built clients.

The token is never a pydantic field, so ``to_dict``/``to_json``/``to_payload`` and ``repr`` cannot emit it. It lives
inside :class:`LCAConnection` (a private attribute), validated at construction (no I/O) and handed to the shared
:class:`~mistral_lca.MistralLCAClient` / :class:`~mistral_lca.AsyncMistralLCAClient` built on first use.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal

import httpx
from llama_index.core.bridge.pydantic import BaseModel, Field, PrivateAttr
from pydantic import SecretStr

from mistral_lca import AsyncMistralLCAClient, ClientConfig, MistralLCAClient
from mistral_lca._arguments import resolve_synonyms, warn_ignored
from mistral_lca._config import DEFAULT_MAX_RETRIES, DEFAULT_RATE_LIMIT_WAIT, resolve_config
from mistral_lca._errors import ConfigurationError
from mistral_lca.closing import ClosingContext
from mistral_lca.ratelimit import RateLimiter

if TYPE_CHECKING:
    pass

__all__ = ["DEFAULT_MAX_CONCURRENT_REQUESTS", "ClosesConnection", "ConnectionFields", "LCAConnection"]

_CONSTRUCTOR_ONLY = frozenset({"api_token", "http_client", "async_http_client"})

DEFAULT_MAX_CONCURRENT_REQUESTS = 64
"""Requests in flight at once per object (threads included; per event loop on the async path)."""


class LCAConnection:
    """Validated settings plus the shared clients, each built once, on first use."""

    __slots__ = ("_aclient", "_async_http_client", "_client", "_http_client", "_lock", "config", "rate_limiter")

    def __init__(
        self,
        config: ClientConfig,
        *,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.config = config
        self.rate_limiter = rate_limiter
        """The limiter given with ``rate_limiter=``; ``None``: the one shared by every client of the token and URL."""
        self._http_client = http_client
        self._async_http_client = async_http_client
        self._client: MistralLCAClient | None = None
        self._aclient: AsyncMistralLCAClient | None = None
        self._lock = threading.Lock()

    @classmethod
    def resolve(
        cls,
        *,
        api_token: str | SecretStr | None,
        base_url: str | None,
        path_params: str,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
        deadline: float | None = None,
        max_response_bytes: int | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT,
        requests_per_second: float | None = None,
        tokens_per_minute: float | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> LCAConnection:
        """Validate everything up front (token from ``LOWCODEAPI_API_TOKEN`` when not given); no network."""
        config = resolve_config(
            api_token=api_token,
            base_url=base_url,
            path_params=path_params,
            timeout=timeout,
            max_retries=max_retries,
            max_concurrent_requests=max_concurrent_requests,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            rate_limit_wait=rate_limit_wait,
            requests_per_second=requests_per_second,
            tokens_per_minute=tokens_per_minute,
        )
        if rate_limiter is not None and not isinstance(rate_limiter, RateLimiter):
            raise TypeError(f"rate_limiter must be a mistral_lca.RateLimiter, got {type(rate_limiter).__name__}")
        return cls(config, http_client=http_client, async_http_client=async_http_client, rate_limiter=rate_limiter)

    def _settings(self) -> dict[str, Any]:
        c = self.config
        return {
            "api_token": c.api_token,
            "base_url": c.base_url,
            "path_params": c.path_params,
            "timeout": c.timeout,
            "max_retries": c.max_retries,
            "default_headers": c.default_headers,
            "max_concurrent_requests": c.max_concurrent_requests,
            "deadline": c.deadline,
            "max_response_bytes": c.max_response_bytes,
            "rate_limit_wait": c.rate_limit_wait,
            "requests_per_second": c.requests_per_second,
            "tokens_per_minute": c.tokens_per_minute,
            "rate_limiter": self.rate_limiter,
        }

    @property
    def client(self) -> MistralLCAClient:
        """The synchronous shared client (thread-safe; built once)."""
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = MistralLCAClient(**self._settings(), http_client=self._http_client)
                client = self._client
        return client

    @property
    def aclient(self) -> AsyncMistralLCAClient:
        """The asynchronous shared client (built once; it serves any event loop, ``asyncio.run`` twice included)."""
        client = self._aclient
        if client is None:
            with self._lock:
                if self._aclient is None:
                    self._aclient = AsyncMistralLCAClient(**self._settings(), http_client=self._async_http_client)
                client = self._aclient
        return client

    def close(self) -> None:
        """Close the synchronous connection pool (the async one needs :meth:`aclose`).

        A caller-supplied ``http_client`` / ``async_http_client`` is never closed: it is the caller's. A closed
        connection still works: the next request opens a new pool.
        """
        if self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        """Close both connection pools (the async one from the event loop that used it)."""
        if self._aclient is not None:
            await self._aclient.close()
        self.close()

    def __repr__(self) -> str:
        return f"LCAConnection(base_url={self.config.base_url!r}, path_params={self.config.path_params!r})"

    def __getstate__(self) -> dict[str, Any]:
        # Clients, connection pools and rate limiters are not picklable; a copy builds its own clients on first use
        # and paces with the limiter its process shares for the token and URL.
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])  # type: ignore[misc]

    def __copy__(self) -> LCAConnection:
        return LCAConnection(
            self.config,
            http_client=self._http_client,
            async_http_client=self._async_http_client,
            rate_limiter=self.rate_limiter,
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> LCAConnection:
        return self.__copy__()


class ClosesConnection(ClosingContext):
    """Mixin: ``close()`` / ``aclose()`` and ``with`` / ``async with`` for objects holding an :class:`LCAConnection`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _connection: LCAConnection

    def close(self) -> None:
        """Close the synchronous connection pool. Caller-supplied httpx clients are left open (they are yours)."""
        self._connection.close()

    async def aclose(self) -> None:
        """Close the asynchronous and synchronous connection pools. Caller-supplied httpx clients are left open."""
        await self._connection.aclose()


class ConnectionFields(ClosesConnection, BaseModel):
    """Public, serialisable connection settings (mixin). The token and HTTP clients are constructor-only."""

    base_url: str | None = Field(
        default=None,
        description="LowCodeAPI base URL for Mistral (env LOWCODEAPI_BASE_URL; default https://api.lowcodeapi.com/mistralai).",
    )
    path_params: Literal["query", "path"] = Field(
        default="query", description="How path parameters are sent: LowCodeAPI's query form, or in the path."
    )
    timeout: float | None = Field(default=None, description="Request timeout in seconds (None: 120 s, connect 10 s).")
    max_retries: int = Field(
        default=DEFAULT_MAX_RETRIES,
        ge=0,
        description="Retries on 408/5xx/connection errors (429s are waited out: see rate_limit_wait).",
    )
    max_concurrent_requests: int = Field(
        default=DEFAULT_MAX_CONCURRENT_REQUESTS,
        ge=1,
        description="Requests in flight at once from this object (threads included; per event loop when async).",
    )
    deadline: float | None = Field(
        default=None,
        description="Seconds for a whole call, retries, waits and reading the answer included (None: 600 s for "
        "plain calls, no bound for streams; inf: no bound).",
    )
    max_response_bytes: int | None = Field(
        default=None,
        description="Largest JSON answer read, after decompression (None: 64 MiB). File downloads are exempt.",
    )
    rate_limit_wait: float = Field(
        default=DEFAULT_RATE_LIMIT_WAIT,
        ge=0,
        description="Seconds one call may spend waiting for rate limits (pacing and 429s); 0 fails fast on a 429.",
    )
    requests_per_second: float | None = Field(
        default=None, gt=0, description="A fixed cap on requests per second for this token (None: learned limits)."
    )
    tokens_per_minute: float | None = Field(
        default=None, gt=0, description="A fixed cap on tokens per minute for this token (None: learned limits)."
    )

    _connection: LCAConnection = PrivateAttr()

    def __init__(
        self,
        *,
        api_token: str | SecretStr | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        rate_limiter: Any = None,
        **data: Any,
    ) -> None:
        """``api_token`` (env LOWCODEAPI_API_TOKEN) and the httpx clients are constructor-only, never fields.

        ``rate_limiter``: a :class:`mistral_lca.RateLimiter` paces this object's requests (share one between
        objects to give them one budget; by default every object of a token and URL shares one). Any other value is
        LlamaIndex's own ``rate_limiter`` field (acquired once per call by llama-index-core), where the class has it.
        """
        ours = rate_limiter if isinstance(rate_limiter, RateLimiter) else None
        if rate_limiter is not None and ours is None:
            data["rate_limiter"] = rate_limiter
        data = self._known_arguments(data)
        if "api_token" in data:  # given as api_key
            if api_token is not None:
                raise ConfigurationError(f"{type(self).__name__} got both api_token and api_key; give one")
            api_token = data.pop("api_token")
        connection = self._open_connection(data, api_token, http_client, async_http_client, ours)
        super().__init__(**data)
        self._connection = connection

    @classmethod
    def _known_arguments(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Other integrations' names made ours (``model_name``/``model``, ``endpoint``, ``safe_mode``, ``api_key``).

        An unknown secret-looking argument raises :class:`~mistral_lca.SecretArgumentError`; other unknown
        arguments, which pydantic would drop without a word, get a warning.
        """
        accepted = (
            _CONSTRUCTOR_ONLY
            | cls.model_fields.keys()
            | {field.alias for field in cls.model_fields.values() if field.alias}
        )
        resolved = resolve_synonyms(data, accepted, owner=cls.__name__)
        warn_ignored(resolved, accepted, owner=cls.__name__, stacklevel=3)
        return resolved

    @staticmethod
    def _open_connection(
        data: dict[str, Any],
        api_token: str | SecretStr | None,
        http_client: httpx.Client | None,
        async_http_client: httpx.AsyncClient | None,
        rate_limiter: RateLimiter | None = None,
    ) -> LCAConnection:
        """Resolve the connection from the constructor arguments; fills ``data["base_url"]`` with the resolved URL."""
        connection = LCAConnection.resolve(
            api_token=api_token,
            base_url=data.get("base_url"),
            path_params=data.get("path_params", "query"),
            timeout=data.get("timeout"),
            max_retries=data.get("max_retries", DEFAULT_MAX_RETRIES),
            max_concurrent_requests=data.get("max_concurrent_requests", DEFAULT_MAX_CONCURRENT_REQUESTS),
            deadline=data.get("deadline"),
            max_response_bytes=data.get("max_response_bytes"),
            http_client=http_client,
            async_http_client=async_http_client,
            rate_limit_wait=data.get("rate_limit_wait", DEFAULT_RATE_LIMIT_WAIT),
            requests_per_second=data.get("requests_per_second"),
            tokens_per_minute=data.get("tokens_per_minute"),
            rate_limiter=rate_limiter,
        )
        data["base_url"] = connection.config.base_url
        return connection

    @property
    def client(self) -> MistralLCAClient:
        """The shared synchronous client (for endpoints this adapter does not wrap)."""
        return self._connection.client

    @property
    def aclient(self) -> AsyncMistralLCAClient:
        """The shared asynchronous client (one for every event loop)."""
        return self._connection.aclient
