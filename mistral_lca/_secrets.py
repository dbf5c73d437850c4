"""Keeping the LowCodeAPI token out of every text we produce.

The token must travel in the query string (LowCodeAPI reads nothing else), so it appears in request URLs,
in httpx's own INFO log line, and in the proxy's echoed 401/403 bodies. Everything that turns a URL or a
response body into text goes through :func:`redact`. Known token values are also registered so that a
token quoted anywhere (a JSON body, an exception) is caught even when it is not behind ``api_token=``.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

__all__ = ["REDACTED", "install_log_redaction", "redact", "register_secret"]

REDACTED = "***"

_QUERY_RE = re.compile(r"(api_token=)[^&\s\"'<>#]*", re.IGNORECASE)
_JSON_RE = re.compile(r"""(["']api_token["']\s*:\s*["'])[^"']*(["'])""", re.IGNORECASE)
_BEARER_RE = re.compile(r"(bearer\s+)[A-Za-z0-9._~+/=-]{6,}", re.IGNORECASE)
# A LowCodeAPI token quoted without its parameter name (e.g. inside an echoed body).
_TOKEN_RE = re.compile(r"\bat_[A-Za-z0-9_\-]{6,}")

_known: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Remember a secret so that :func:`redact` removes it wherever it appears."""
    if value and len(value) >= 4:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """Return ``text`` with every token, ``api_token=`` value and bearer key replaced by ``***``."""
    if not text:
        return text
    for secret in tuple(_known):
        if secret in text:
            text = text.replace(secret, REDACTED)
    if "api_token" in text or "API_TOKEN" in text or "Api_Token" in text:
        text = _QUERY_RE.sub(r"\1" + REDACTED, text)
        text = _JSON_RE.sub(r"\1" + REDACTED + r"\2", text)
    if "earer" in text or "EARER" in text:
        text = _BEARER_RE.sub(r"\1" + REDACTED, text)
    if "at_" in text:
        text = _TOKEN_RE.sub("at_" + REDACTED, text)
    return text


class _RedactingFilter(logging.Filter):
    """Rewrites a log record's message when it carries a secret (httpx logs full URLs at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


_FILTER = _RedactingFilter()
_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "mistral_lca",
    "langchain_mistral_lca",
    "llamaindex_mistral_lca",
)


def install_log_redaction(*extra_loggers: str) -> None:
    """Attach the redacting filter to httpx's, httpcore's and our loggers (idempotent).

    Logger filters do not apply to records from child loggers, so every logger that may print a URL
    is listed by its exact name.
    """
    for name in (*_LOGGERS, *extra_loggers):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def redact_any(value: Any) -> str:
    """``redact(str(value))``: for exceptions and reprs."""
    return redact(str(value))
