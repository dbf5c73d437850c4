"""mistral-lca: the Mistral AI API through LowCodeAPI, for plain Python, LangChain and LlamaIndex."""

from typing import TYPE_CHECKING

from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DeadlineExceededError,
    InputTooLongError,
    InputTypeError,
    InvalidRequestError,
    JobFailedError,
    MissingTokenError,
    MistralLCAError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    RedirectError,
    ResponseDecodeError,
    ResponseTooLargeError,
    SecretArgumentError,
    ServerError,
    StreamError,
    UnprocessableEntityError,
    ValidationDetail,
)
from ._headers import ResponseHeaders
from ._lazy import lazy_exports
from ._version import __version__

if TYPE_CHECKING:
    from ._client import AsyncMistralLCAClient, MistralLCAClient
    from ._config import DEFAULT_BASE_URL, ENV_BASE_URL, ENV_TOKEN, ClientConfig, TokenFormatWarning
    from ._retry import RetryPolicy
    from ._streaming import AsyncStream, Stream
    from .ratelimit import RateLimiter, RateLimitStore, RateLimitTotals

# The clients pull in httpx and pydantic (~100 ms); load them on first use so that importing the package
# (e.g. for its error types) stays cheap.
_LAZY = {
    "AsyncMistralLCAClient": "._client",
    "MistralLCAClient": "._client",
    "ClientConfig": "._config",
    "DEFAULT_BASE_URL": "._config",
    "ENV_BASE_URL": "._config",
    "ENV_TOKEN": "._config",
    "TokenFormatWarning": "._config",
    "RetryPolicy": "._retry",
    "RateLimiter": ".ratelimit",
    "RateLimitStore": ".ratelimit",
    "RateLimitTotals": ".ratelimit",
    "AsyncStream": "._streaming",
    "Stream": "._streaming",
}


__getattr__ = lazy_exports(__name__, _LAZY, globals())

__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_BASE_URL",
    "ENV_TOKEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncMistralLCAClient",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "ClientConfig",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "InputTooLongError",
    "InputTypeError",
    "InvalidRequestError",
    "JobFailedError",
    "MissingTokenError",
    "MistralLCAClient",
    "MistralLCAError",
    "NotFoundError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "RateLimitStore",
    "RateLimitTotals",
    "RateLimiter",
    "RedirectError",
    "ResponseDecodeError",
    "ResponseHeaders",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SecretArgumentError",
    "ServerError",
    "Stream",
    "StreamError",
    "TokenFormatWarning",
    "UnprocessableEntityError",
    "ValidationDetail",
    "__version__",
]
