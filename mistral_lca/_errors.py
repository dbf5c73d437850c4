"""Typed errors. Every exception raised by the client derives from :class:`MistralLCAError`.

Messages never contain the token: everything that may quote a URL or a response body is redacted.
"""

from __future__ import annotations

from typing import Any

from ._headers import ResponseHeaders
from ._secrets import redact

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "InputTooLongError",
    "InputTypeError",
    "InvalidRequestError",
    "JobFailedError",
    "MissingTokenError",
    "MistralLCAError",
    "NotFoundError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "RedirectError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "SecretArgumentError",
    "ServerError",
    "StreamError",
    "UnprocessableEntityError",
    "ValidationDetail",
]


class MistralLCAError(Exception):
    """Base class of every error raised by mistral-lca."""

    def __init__(self, message: str) -> None:
        self.message = redact(message)
        super().__init__(self.message)


class ConfigurationError(MistralLCAError, ValueError):
    """The client is configured wrongly (bad ``path_params``, base URL, ...)."""


class MissingTokenError(ConfigurationError):
    """No LowCodeAPI token was given and ``LOWCODEAPI_API_TOKEN`` is not set."""


class InvalidRequestError(MistralLCAError, ValueError):
    """The call's arguments are invalid; detected before anything was sent."""


class InputTooLongError(InvalidRequestError):
    """An embedding input has more tokens than Mistral accepts for one input (counted exactly, before sending)."""

    def __init__(self, index: int, tokens: int, limit: int, model: str | None) -> None:
        self.index = index
        self.tokens = tokens
        self.limit = limit
        self.model = model
        super().__init__(
            f"Invalid embeddings request: inputs[{index}] has {tokens:,} tokens for {model or 'mistral-embed'}, "
            f"above the {limit:,}-token limit for one input; split the text into smaller chunks"
        )

    def __reduce__(self) -> tuple[type[InputTooLongError], tuple[int, int, int, str | None]]:
        return type(self), (self.index, self.tokens, self.limit, self.model)


class SecretArgumentError(MistralLCAError, TypeError):
    """An argument this class or call does not take, whose name looks like a secret (``mistral_api_key=...``).

    Refused rather than forwarded in a request body (where a 422 would echo it back) or silently dropped. A
    ``TypeError``, like Python's "unexpected keyword argument"; the message names the argument, never its value.
    """


class InputTypeError(InvalidRequestError, TypeError):
    """An argument of the wrong type, e.g. a bare ``str`` (or ``None``) where a list of texts is expected."""


class ValidationDetail:
    """One entry of a 422 validation error: where (``loc``) and what (``msg``, ``type``)."""

    __slots__ = ("input", "loc", "msg", "type")

    def __init__(self, loc: tuple[str | int, ...], msg: str, type: str | None, input: Any = None) -> None:
        self.loc = loc
        self.msg = msg
        self.type = type
        self.input = input

    @property
    def field(self) -> str:
        """Dotted location without the leading ``body``/``query`` marker, e.g. ``messages.0.role``."""
        parts = list(self.loc)
        if parts and parts[0] in ("body", "query", "path"):
            parts = parts[1:]
        return ".".join(str(p) for p in parts)

    def __repr__(self) -> str:
        return f"ValidationDetail(loc={self.loc!r}, msg={self.msg!r}, type={self.type!r})"

    def __str__(self) -> str:
        return f"{self.field or '<body>'}: {self.msg}"


class APIError(MistralLCAError):
    """An error that came back from LowCodeAPI or Mistral."""


class APIStatusError(APIError):
    """A non-success HTTP status. Carries the parsed Mistral error and the upstream headers."""

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        details: list[ValidationDetail] | None = None,
        body: Any = None,
        headers: ResponseHeaders | None = None,
        provider_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        # Every string taken from the response is scrubbed: a proxy may quote the token anywhere.
        self.error_type = redact(error_type) if error_type else error_type
        self.code = redact(code) if code else code
        self.param = redact(param) if param else param
        self.details = details or []
        self.body = body
        self.headers = headers if headers is not None else ResponseHeaders()
        self.provider_message = redact(provider_message) if provider_message else None

    @property
    def request_id(self) -> str | None:
        """The upstream request id (``mistral-correlation-id``) when the response had one."""
        return self.headers.request_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})"


class RedirectError(APIStatusError):
    """HTTP 3xx: the server pointed elsewhere. Never followed (the token travels in the query string), so the
    request did not reach Mistral; usually ``base_url`` is wrong. :attr:`location` is where it pointed (redacted)."""

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


class BadRequestError(APIStatusError):
    """HTTP 400: Mistral rejected the request (bad tool-call id, context too long, ...)."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the LowCodeAPI token is missing, malformed or unknown."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: usually no Mistral key is connected to this LowCodeAPI token."""


class NotFoundError(APIStatusError):
    """HTTP 404: unknown resource, or a URL form the proxy does not route."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the body failed validation; :attr:`details` names each offending field."""


class RateLimitError(APIStatusError):
    """HTTP 429. :attr:`retry_after` is the server's advised wait in seconds, if it gave one."""

    @property
    def retry_after(self) -> float | None:
        return self.headers.retry_after


class QuotaExceededError(RateLimitError):
    """The account's monthly (or other long-period) quota is used up: waiting minutes will not help.

    Raised at once, without sending, for as long as the quota is known to be exhausted (it is checked again by one
    request every ten minutes), and in place of the 429 that reported it.
    """

    @classmethod
    def from_error(cls, error: APIStatusError, reason: str) -> QuotaExceededError:
        return cls(
            f"{reason}: {error.message}",
            status_code=error.status_code,
            error_type=error.error_type,
            code=error.code,
            param=error.param,
            details=error.details,
            body=error.body,
            headers=error.headers,
            provider_message=error.provider_message,
        )


class ServerError(APIStatusError):
    """HTTP 5xx from the proxy or from Mistral."""


class APIConnectionError(APIError):
    """The request could not be completed at the network level.

    :attr:`reached_server` is False only when the connection was never made (refused, DNS failure,
    connect or pool timeout), i.e. when the request surely did not take effect.
    """

    def __init__(self, message: str, *, reached_server: bool = True) -> None:
        super().__init__(message)
        self.reached_server = reached_server


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool)."""


class DeadlineExceededError(APITimeoutError):
    """The call's ``deadline`` (seconds for the whole call: retries, waits and reading the body) ran out.

    Never retried: the deadline is the caller's bound on everything. The connection is closed, not pooled.
    """

    def __init__(self, message: str, *, deadline: float, reached_server: bool = True) -> None:
        super().__init__(message, reached_server=reached_server)
        self.deadline = deadline


class StreamError(APIError):
    """A stream broke: it ended before ``data: [DONE]`` or carried an undecodable event."""


class ResponseDecodeError(APIError):
    """A success response whose body could not be decoded."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ResponseTooLargeError(APIError):
    """An answer exceeded ``max_response_bytes`` (counted after decompression), or one line of a stream exceeded
    the same bound. Reading stops there and the connection is closed; never retried."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class JobFailedError(APIError):
    """A waited-on job (fine-tuning, batch) ended FAILED or CANCELLED; carries the job's own error text."""

    def __init__(self, message: str, *, job: Any = None, status: str | None = None) -> None:
        super().__init__(message)
        self.job = job
        self.status = status
