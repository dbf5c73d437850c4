"""mistral-lca: the Mistral AI API through LowCodeAPI, for plain Python, LangChain and LlamaIndex."""

from ._client import AsyncMistralLCAClient, MistralLCAClient
from ._config import DEFAULT_BASE_URL, ENV_BASE_URL, ENV_TOKEN, ClientConfig, TokenFormatWarning
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InvalidRequestError,
    JobFailedError,
    MissingTokenError,
    MistralLCAError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    StreamError,
    UnprocessableEntityError,
    ValidationDetail,
)
from ._headers import ResponseHeaders
from ._retry import RetryPolicy
from ._streaming import AsyncStream, Stream
from ._version import __version__

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
    "InvalidRequestError",
    "JobFailedError",
    "MissingTokenError",
    "MistralLCAClient",
    "MistralLCAError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseHeaders",
    "RetryPolicy",
    "ServerError",
    "Stream",
    "StreamError",
    "TokenFormatWarning",
    "UnprocessableEntityError",
    "ValidationDetail",
    "__version__",
]
