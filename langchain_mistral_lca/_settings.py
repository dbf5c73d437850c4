"""Connection settings shared by every LangChain class, and the lazily built shared clients.

Field names follow langchain-openai (``api_key`` alias, ``base_url``, ``timeout``, ``max_retries``,
``http_client`` / ``http_async_client``). Nothing is validated or built at construction beyond pydantic's
field checks: the shared :class:`~mistral_lca.MistralLCAClient` is created on first use, so constructing a
model costs microseconds and a missing token is reported (naming ``LOWCODEAPI_API_TOKEN``) by the first call.

Objects pickle (``pickle``, cloudpickle: Ray, Spark, multiprocessing) and deep-copy (``copy.deepcopy``,
``model_copy(deep=True)``) without their built clients, like the LlamaIndex classes: the copy builds its own on first
use. The token travels with it as a ``SecretStr`` (a copy must work); a pickle drops caller-supplied httpx clients
(they belong to this process), a deep copy shares them (they stay yours to close).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import httpx
from langchain_core.utils import from_env, secret_from_env
from langchain_core.utils.utils import _build_model_kwargs, get_pydantic_field_names
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from mistral_lca import AsyncMistralLCAClient, MistralLCAClient
from mistral_lca._arguments import resolve_synonyms, warn_ignored
from mistral_lca._config import DEFAULT_MAX_RETRIES, DEFAULT_RATE_LIMIT_WAIT, ENV_BASE_URL, ENV_TOKEN
from mistral_lca._diagnostics import check_base_url
from mistral_lca.closing import ClosingContext
from mistral_lca.ratelimit import RateLimiter

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["ConnectionSettings", "ModelKwargs"]

_BUILD_LOCK = threading.Lock()
_BUILT_CLIENTS = ("_client", "_async_client", "_client_key", "_async_client_key")
_HTTP_CLIENTS = ("http_client", "http_async_client")


@cache
def _accepted_names(cls: type[BaseModel]) -> frozenset[str]:
    """Field names and aliases of ``cls``."""
    return frozenset(get_pydantic_field_names(cls))


def constructor_arguments(cls: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """Constructor arguments made ready for pydantic (see :mod:`mistral_lca._arguments`).

    Other integrations' names become ours (``endpoint`` → ``base_url`` ...); an unknown secret-looking argument
    (``mistral_api_key``) raises :class:`~mistral_lca.SecretArgumentError`; a misshapen ``base_url`` is reported
    now, not at the first request. Unknown arguments of a class without ``model_kwargs`` would be dropped by
    pydantic without a word, so they get a warning.
    """
    accepted = _accepted_names(cls)
    resolved = resolve_synonyms(data, accepted, owner=cls.__name__)
    if "model_kwargs" not in accepted:  # with model_kwargs, langchain-core's convention applies (move and warn)
        warn_ignored(resolved, accepted, owner=cls.__name__, stacklevel=3)
    if isinstance(resolved.get("base_url"), str):
        check_base_url(resolved["base_url"].strip().rstrip("/"))
    return resolved


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

    deadline: float | None = None
    """Seconds for a whole call: retries, waits and reading the answer (a stream's too) included. ``None``: 600 s
    for plain calls and no bound for streams; ``float("inf")``: no bound at all."""

    max_response_bytes: int | None = None
    """Largest JSON answer read, counted after decompression (``None``: 64 MiB). File downloads are exempt."""

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
        super().__init__(**constructor_arguments(type(self), data))
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
            "deadline": self.deadline,
            "max_response_bytes": self.max_response_bytes,
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
            self.deadline,
            self.max_response_bytes,
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

    # ---------------------------------------------------------------------------------- pickling and copies

    def _state_without_clients(self, *, keep_http_clients: bool) -> dict[Any, Any]:
        """pydantic's pickle state with the built clients (unpicklable: a pool, a lock, the loop) left out; a pickle
        also leaves out the caller's httpx clients and rate limiter (the copy uses its token's shared limiter)."""
        state: dict[Any, Any] = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private:
            dropped = _BUILT_CLIENTS if keep_http_clients else (*_BUILT_CLIENTS, "_lca_rate_limiter")
            state["__pydantic_private__"] = {**private, **dict.fromkeys(dropped)}
        if not keep_http_clients:
            state["__dict__"] = {**state["__dict__"], **dict.fromkeys(_HTTP_CLIENTS)}
        return state

    def __getstate__(self) -> dict[Any, Any]:
        return self._state_without_clients(keep_http_clients=False)

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        memo = {} if memo is None else memo
        for shared in (*(getattr(self, name) for name in _HTTP_CLIENTS), self._lca_rate_limiter):
            if shared is not None:
                memo[id(shared)] = shared  # shared, not copied: the caller's clients and budget stay the caller's
        clone = type(self).__new__(type(self))
        clone.__setstate__(copy.deepcopy(self._state_without_clients(keep_http_clients=True), memo))
        return clone

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        # pydantic's deep copy with ``update`` copies private attributes itself, bypassing __deepcopy__.
        if not deep:
            return super().model_copy(update=update)
        clone = self.__deepcopy__()
        return clone.model_copy(update=update) if update else clone

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
