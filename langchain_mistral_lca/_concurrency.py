"""``max_concurrent_requests``: one field, enforced by the shared client.

The value is handed to :class:`~mistral_lca.MistralLCAClient` / :class:`~mistral_lca.AsyncMistralLCAClient`,
which hold one slot per request in flight (threads share a bounded semaphore; each event loop has its own) and
keep it for a stream's whole life. ``batch``/``abatch`` also cap their own fan-out to the same number.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["ConcurrencyLimit"]


class ConcurrencyLimit(BaseModel):
    """Mixin: the ``max_concurrent_requests`` field."""

    max_concurrent_requests: int = Field(default=64, ge=1)
    """Requests in flight at once from this instance (sync threads and each event loop), batch included."""
