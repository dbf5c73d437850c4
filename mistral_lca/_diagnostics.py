"""Mistakes that the proxy reports misleadingly: a base URL of the wrong shape, a token that is not LowCodeAPI's.

Without ``/mistralai`` the request reaches another LowCodeAPI route, which answers 401 (read as "bad token"); with
``/v1`` at the end every path doubles it (``.../v1/v1/chat/completions``) and the answer is a bare 404; a Mistral
key pasted as the token gets a generic 401. So the base URL's shape is checked when a client is configured
(:func:`check_base_url`), and 401/404 errors say what looks wrong (:func:`explain_status_error`). Custom hosts (a
self-hosted LowCodeAPI, a gateway, the loopback stand-in) keep working: only the public host, whose one right form
is known, is refused; elsewhere a surely-wrong shape is a warning.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import httpx

from ._errors import APIStatusError, ConfigurationError
from ._secrets import redact

__all__ = ["BaseURLWarning", "base_url_problem", "check_base_url", "explain_status_error", "token_problem"]

PUBLIC_HOST = "api.lowcodeapi.com"
PROVIDER_PATH = "/mistralai"
EXPECTED_BASE_URL = f"https://{PUBLIC_HOST}{PROVIDER_PATH}"
_MISTRAL_HOSTS = frozenset({"api.mistral.ai", "codestral.mistral.ai"})
_TOKEN_PREFIX = "at_"


class BaseURLWarning(UserWarning):
    """The base URL does not have the shape LowCodeAPI's Mistral URLs have (custom hosts only warn)."""


def _display(url: httpx.URL) -> str:
    """``scheme://host[:port]/path``: no credentials, no query."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path.rstrip('/')}"


def _problem(url: httpx.URL) -> str | None:
    host = (url.host or "").lower()
    path = url.path.rstrip("/")
    segments = [segment.lower() for segment in path.split("/") if segment]
    if host in _MISTRAL_HOSTS:
        return "it is Mistral's own API, which does not take LowCodeAPI tokens"
    if segments and segments[-1] == "v1":
        return "it ends in /v1, which the client adds to every path itself (requests would go to .../v1/v1/...)"
    provider = PROVIDER_PATH.strip("/")
    if provider in segments and "v1" in segments[segments.index(provider) + 1 :]:
        return f"it goes on past {PROVIDER_PATH} into an API path; stop before /v1"
    if host == PUBLIC_HOST and path != PROVIDER_PATH:
        return f"LowCodeAPI serves Mistral under {PROVIDER_PATH}"
    return None


def base_url_problem(base_url: str) -> str | None:
    """What is surely wrong with ``base_url``'s shape, or ``None``. Pure; never raises."""
    try:
        return _problem(httpx.URL(base_url))
    except (httpx.InvalidURL, TypeError):
        return None


def check_base_url(base_url: str) -> None:
    """Refuse a wrongly shaped public (or Mistral) URL; warn, once per URL, about a custom host's.

    A string that is not a URL at all passes: :func:`~mistral_lca._config.resolve_config` reports that itself.
    """
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError):
        return
    problem = _problem(url)
    if problem is None:
        return
    message = f"base_url {_display(url)} looks wrong: {problem}. LowCodeAPI's Mistral base URL is {EXPECTED_BASE_URL}"
    if (url.host or "").lower() == PUBLIC_HOST or (url.host or "").lower() in _MISTRAL_HOSTS:
        raise ConfigurationError(message)
    _warn_once(message)


@lru_cache(maxsize=64)
def _warn_once(message: str) -> None:
    warnings.warn(message + " (or the same path on your own host).", BaseURLWarning, stacklevel=5)


def token_problem(token: str) -> str | None:
    """What is wrong with a token's shape, or ``None`` (the token itself never appears in the answer)."""
    if token.startswith(_TOKEN_PREFIX):
        return None
    return (
        f"the token does not start with '{_TOKEN_PREFIX}' as LowCodeAPI tokens do; a Mistral API key does not work "
        "here (LowCodeAPI adds the Mistral key connected to your account)"
    )


def _base_of(url: httpx.URL) -> httpx.URL | None:
    """The base URL a request was built on: everything before its ``/v1/...`` path (every Mistral path has one)."""
    path = url.path
    cut = path.rfind("/v1/")
    if cut < 0:
        return None
    return url.copy_with(path=path[:cut] or "/", query=None, fragment=None)


def _url_hint(request_url: httpx.URL) -> str | None:
    base = _base_of(request_url)
    if base is None:
        return None
    problem = _problem(base)
    if problem is None and base.path.rstrip("/").endswith(PROVIDER_PATH):
        return None
    reason = problem or f"LowCodeAPI serves Mistral under {PROVIDER_PATH}"
    return f"Check base_url {_display(base)}: {reason} (expected {EXPECTED_BASE_URL} or the same path on your host)"


def explain_status_error(error: APIStatusError, request: httpx.Request) -> APIStatusError:
    """``error`` with what a 401 or 404 cannot say itself: a misshapen base URL, a token without ``at_``."""
    if error.status_code not in (401, 404):
        return error
    hints: list[str] = []
    if error.status_code == 401:
        token = request.url.params.get("api_token")
        problem = token_problem(token) if token is not None else None
        if problem is not None:
            hints.append(problem[0].upper() + problem[1:] + ".")
    url_hint = _url_hint(request.url)
    if url_hint is not None:
        hints.append(url_hint + ".")
    if hints:
        error.message = redact(f"{error.message.rstrip('.')}. {' '.join(hints)}")
        error.args = (error.message,)
    return error
