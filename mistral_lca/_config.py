"""Client configuration: token, base URL, path-parameter form, timeouts, retries and bounds on each call.

Resolved once, before any request, so a missing token is reported up front and names the env var.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx
from pydantic import SecretStr

from ._diagnostics import check_base_url, token_problem
from ._errors import ConfigurationError, MissingTokenError
from ._secrets import install_log_redaction, register_secret
from .ratelimit import positive_cap

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RATE_LIMIT_WAIT",
    "DEFAULT_TIMEOUT",
    "ENV_BASE_URL",
    "ENV_TOKEN",
    "ClientConfig",
    "PathParamStyle",
    "resolve_config",
]

ENV_TOKEN = "LOWCODEAPI_API_TOKEN"
ENV_BASE_URL = "LOWCODEAPI_BASE_URL"
DEFAULT_BASE_URL = "https://api.lowcodeapi.com/mistralai"
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_DEADLINE = 600.0
"""Seconds a plain (non-streamed) call may take in all, retries and waits included, unless ``deadline`` is given."""
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""Largest JSON answer read (after decompression); file downloads are exempt."""
DEFAULT_RATE_LIMIT_WAIT = 600.0
"""Seconds one call may spend waiting for rate limits (pacing and 429s); 0 fails fast with RateLimitError."""

PathParamStyle = Literal["query", "path"]
_PATH_STYLES = ("query", "path")


class TokenFormatWarning(UserWarning):
    """The token does not look like a LowCodeAPI token (``at_...``)."""


@dataclass(frozen=True)
class ClientConfig:
    """Everything a request needs besides its own arguments. Immutable; safe to share across threads."""

    api_token: SecretStr
    base_url: str = DEFAULT_BASE_URL
    path_params: PathParamStyle = "query"
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    max_retries: int = DEFAULT_MAX_RETRIES
    default_headers: Mapping[str, str] = field(default_factory=dict)
    max_concurrent_requests: int | None = None
    """Requests in flight at once from one client (``None``: no limit beyond the connection pool)."""
    deadline: float | None = None
    """Seconds for a whole call, retries, waits and reading the body included (``inf``: unbounded). ``None``:
    :data:`DEFAULT_DEADLINE` for plain calls and no bound for streams (they last as long as the answer)."""
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    """Largest JSON answer (and longest stream line) read, counted after decompression."""
    rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT
    """Seconds one call may spend waiting for rate limits (pacing, 429s); 0 raises the first 429 at once."""
    requests_per_second: float | None = None
    """A fixed cap on requests per second for this token (on top of the limits learned from the server)."""
    tokens_per_minute: float | None = None
    """A fixed cap on estimated tokens per minute for this token."""

    @property
    def call_deadline(self) -> float | None:
        """The deadline of a plain call, in seconds (``None``: unbounded)."""
        if self.deadline is None:
            return DEFAULT_DEADLINE
        return None if math.isinf(self.deadline) else self.deadline

    @property
    def stream_deadline(self) -> float | None:
        """The deadline of a stream or a download to disk, in seconds (``None``: unbounded)."""
        return None if self.deadline is None or math.isinf(self.deadline) else self.deadline

    def __repr__(self) -> str:
        return (
            f"ClientConfig(base_url={self.base_url!r}, path_params={self.path_params!r}, "
            f"max_retries={self.max_retries}, api_token=SecretStr('**********'))"
        )


def _coerce_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds or an httpx.Timeout, got {timeout!r}")
    return httpx.Timeout(float(timeout))


def resolve_token(api_token: str | SecretStr | None) -> SecretStr:
    """The explicit token, else ``LOWCODEAPI_API_TOKEN``; never ``MISTRAL_API_KEY`` (a different secret)."""
    if isinstance(api_token, SecretStr):
        value = api_token.get_secret_value()
    elif api_token is not None:
        if not isinstance(api_token, str):
            raise ConfigurationError("api_token must be a string or a pydantic SecretStr")
        value = api_token
    else:
        value = os.environ.get(ENV_TOKEN, "")
    value = value.strip()
    if not value:
        raise MissingTokenError(
            f"No LowCodeAPI token: pass the api_token argument or set the {ENV_TOKEN} environment variable. "
            "(MISTRAL_API_KEY is a different secret and is never read.)"
        )
    problem = token_problem(value)
    if problem is not None:
        warnings.warn(f"LowCodeAPI will likely answer 401: {problem}.", TokenFormatWarning, stacklevel=4)
    register_secret(value)
    return SecretStr(value)


def resolve_config(
    *,
    api_token: str | SecretStr | None = None,
    base_url: str | None = None,
    path_params: str = "query",
    timeout: float | httpx.Timeout | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    default_headers: Mapping[str, str] | None = None,
    max_concurrent_requests: int | None = None,
    deadline: float | None = None,
    max_response_bytes: int | None = None,
    rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT,
    requests_per_second: float | None = None,
    tokens_per_minute: float | None = None,
) -> ClientConfig:
    """Validate every setting and return an immutable :class:`ClientConfig`."""
    install_log_redaction()
    token = resolve_token(api_token)
    url = (base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).strip().rstrip("/")
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {url!r}")
    if parsed.query:
        raise ConfigurationError("base_url must not carry a query string; pass api_token separately")
    check_base_url(url)
    if path_params not in _PATH_STYLES:
        raise ConfigurationError(f"path_params must be 'query' or 'path', got {path_params!r}")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be a non-negative int (retries, not attempts), got {max_retries!r}")
    if max_concurrent_requests is not None and (
        isinstance(max_concurrent_requests, bool)
        or not isinstance(max_concurrent_requests, int)
        or max_concurrent_requests < 1
    ):
        raise ConfigurationError(
            f"max_concurrent_requests must be a positive int or None, got {max_concurrent_requests!r}"
        )
    if deadline is not None and (
        isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not deadline > 0
    ):
        raise ConfigurationError(
            f"deadline must be a positive number of seconds (float('inf') for none) or None, got {deadline!r}"
        )
    if max_response_bytes is not None and (
        isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) or max_response_bytes < 1
    ):
        raise ConfigurationError(f"max_response_bytes must be a positive int or None, got {max_response_bytes!r}")
    if isinstance(rate_limit_wait, bool) or not isinstance(rate_limit_wait, (int, float)) or not rate_limit_wait >= 0:
        raise ConfigurationError(f"rate_limit_wait must be a number of seconds >= 0, got {rate_limit_wait!r}")
    headers = dict(default_headers or {})
    return ClientConfig(
        api_token=token,
        base_url=url,
        path_params=path_params,  # type: ignore[arg-type]
        timeout=_coerce_timeout(timeout),
        max_retries=max_retries,
        default_headers=headers,
        max_concurrent_requests=max_concurrent_requests,
        deadline=None if deadline is None else float(deadline),
        max_response_bytes=DEFAULT_MAX_RESPONSE_BYTES if max_response_bytes is None else max_response_bytes,
        rate_limit_wait=float(rate_limit_wait),
        requests_per_second=positive_cap("requests_per_second", requests_per_second),
        tokens_per_minute=positive_cap("tokens_per_minute", tokens_per_minute),
    )
