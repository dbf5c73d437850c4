"""Runtime configuration and the in-memory "upstream" state shared by all handlers."""

from __future__ import annotations

import datetime as _dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .ratelimits import RateCounters, RateLimits

__all__ = ["BatchExecutor", "FakeConfig", "FakeState", "Ids", "ReplyFn", "StoredFile"]

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

ReplyFn = Callable[[dict[str, Any]], str]
BatchExecutor = Callable[[str, dict[str, Any]], tuple[int, bytes]]


@dataclass
class FakeConfig:
    """Every knob of the fake; mutable at runtime through ``server.config``."""

    latency: float = 0.0
    """Seconds added before answering every request."""
    path_latency: dict[str, float] = field(default_factory=dict)
    """Extra seconds per Mistral path or route template (``"/v1/embeddings"``, ``"/v1/files/{file_id}"``)."""
    stream_delay: float = 0.0
    """Seconds between two SSE events."""
    stream_chunks: int | None = None
    """Split streamed reply text into exactly this many content chunks (default: one per word)."""
    stream_buffered: bool = False
    """Send SSE bodies in one piece with Content-Length, like the real (buffering) proxy."""
    padding: bool = True
    """Add the ``"p"`` padding field to stream chunks, as Mistral does since 2025."""
    required_token: str | None = None
    """If set, only this ``api_token`` is accepted (any other ``at_...`` token → 401)."""
    no_mistral_key: bool = False
    """Simulate a token without a Mistral credential attached (→ 403 "Request failed")."""
    mistral_api_key: str | None = None
    """Plain mode: if set, the only accepted Bearer key (else any non-empty key)."""
    reply: str | ReplyFn | None = None
    """Fixed assistant text, or a function of the request body; default ``"Echo: <last user text>"``."""
    reply_max_chars: int = 200
    fim_reply: str | None = None
    model_aliases: dict[str, str] = field(default_factory=dict)
    """Map requested model names to the name echoed back (e.g. ``{"mistral-small-latest": "mistral-small-2506"}``)."""
    strict: bool = True
    """Reject unknown body fields with 422 ``extra_forbidden`` like the real API."""
    embed_max_inputs: int | None = None
    embed_max_tokens: int | None = 16384
    """Max tokens per embeddings request (Mistral's 16,384), counted by :func:`mistral_lca.tokens.count_tokens`:
    exactly with the ``[tokenizer]`` extra, with the estimate otherwise."""
    embed_max_input_tokens: int | None = 8192
    """Max tokens per embeddings input (Mistral's 8,192), counted the same way."""
    batch_steps: int = 1
    """GETs needed per batch-job status transition (QUEUED → RUNNING → SUCCESS)."""
    job_steps: int = 1
    """GETs needed per fine-tuning-job status transition."""
    record: bool = True
    """Keep every request in ``server.requests`` (counters are always kept)."""
    record_bodies: bool = True
    fixed_time: int | None = None
    """Freeze ``created``/``created_at`` timestamps (for byte-stable bodies)."""
    rate_limits: RateLimits | None = None
    """The account's request and token budgets (429 beyond them) and the rate-limit headers reported; ``None``:
    unlimited, and no rate-limit headers."""
    seed: int = 0


@dataclass
class StoredFile:
    meta: dict[str, Any]
    data: bytes


class Ids:
    """Deterministic identifiers: same seed and request order → same ids."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._counters: dict[str, int] = {}

    def _digest(self, kind: str) -> bytes:
        n = self._counters.get(kind, 0) + 1
        self._counters[kind] = n
        return hashlib.md5(f"{self._seed}:{kind}:{n}".encode()).digest()

    def hex32(self, kind: str) -> str:
        return self._digest(kind).hex()

    def uuid(self, kind: str, version: int = 4) -> str:
        h = self._digest(kind).hex()
        return f"{h[:8]}-{h[8:12]}-{version}{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"

    def prefixed(self, prefix: str, kind: str) -> str:
        return f"{prefix}_{self._digest(kind).hex()[:28]}"

    @staticmethod
    def tool_call_id(*parts: object) -> str:
        """A 9-character ``[a-zA-Z0-9]`` id, derived from ``parts``."""
        n = int.from_bytes(hashlib.md5(repr(parts).encode()).digest()[:8], "big")
        out = []
        for _ in range(9):
            n, r = divmod(n, 62)
            out.append(_ALNUM[r])
        return "".join(out)


@dataclass
class FakeState:
    config: FakeConfig
    ids: Ids
    files: dict[str, StoredFile] = field(default_factory=dict)
    batch_jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    ft_jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    ft_models: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted_models: set[str] = field(default_factory=set)
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    libraries: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    rate_counters: RateCounters = field(default_factory=RateCounters)
    """What the account used of :attr:`FakeConfig.rate_limits`."""
    executor: BatchExecutor | None = None
    """Runs one batch request body against a Mistral path (installed by the server)."""

    @classmethod
    def create(cls, config: FakeConfig) -> FakeState:
        return cls(config=config, ids=Ids(config.seed))

    def now(self) -> int:
        fixed = self.config.fixed_time
        return fixed if fixed is not None else int(time.time())

    def iso(self, ts: int | None = None) -> str:
        moment = _dt.datetime.fromtimestamp(self.now() if ts is None else ts, tz=_dt.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def clear(self) -> None:
        for store in (
            self.files,
            self.batch_jobs,
            self.ft_jobs,
            self.ft_models,
            self.agents,
            self.conversations,
            self.libraries,
            self.documents,
        ):
            store.clear()
        self.deleted_models.clear()
        self.rate_counters.reset()
        self.ids = Ids(self.config.seed)
