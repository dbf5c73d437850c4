"""Scriptable fault injection: a thread-safe FIFO of :class:`Fault` objects consumed by matching requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

__all__ = ["STREAM_ONLY_KINDS", "Fault", "FaultKind", "FaultQueue"]

FaultKind = Literal[
    "status",
    "html",
    "reset",
    "stall",
    "cut_stream",
    "malformed_json",
    "malformed_sse",
    "json_for_stream",
    "echo_token",
    "echo_url",
    "redirect",
    "empty_body",
    "error_event",
    "trickle",
    "oversized",
    "gzip",
]
STREAM_ONLY_KINDS = frozenset(("cut_stream", "malformed_sse", "json_for_stream", "error_event"))


@dataclass(eq=False)
class Fault:
    """One scripted misbehaviour.

    ``path`` is a Mistral path (``"/v1/chat/completions"``), a route template (``"/v1/files/{file_id}"``),
    a prefix ending in ``*`` (``"/v1/files*"``) or ``None`` for any request. The ``/mistralai`` prefix is
    optional. ``times=None`` means "every matching request until removed". Stream-only kinds
    (``cut_stream``, ``malformed_sse``, ``json_for_stream``, ``error_event``) only match requests with
    ``"stream": true``.

    Kinds that test a client's bounds rather than its retries: ``redirect`` (a 3xx, default 302, whose ``Location``
    echoes the request, token included), ``empty_body`` (see ``empty``), ``error_event`` (event ``events`` of a
    stream becomes an error event, in the stream's own style; ``status`` adds ``raw_status_code``), ``trickle``
    (the answer one byte every ``seconds``; ``endless`` never finishes it), ``oversized`` (a ``size``-byte JSON
    answer, or one ``size``-byte stream line; default 300 MB, generated piece by piece), ``gzip`` (the answer
    gzip-compressed, as LowCodeAPI compresses; with ``size``, a gzip bomb inflating to ``size`` bytes) and
    ``echo_url`` (an error, default 422, whose envelope ``headers`` and ``detail[].loc``/``input`` echo the request
    URL with its token, as the proxy can; with a 2xx ``status``, a success whose ``response_headers`` do).
    """

    kind: FaultKind
    path: str | None = None
    method: str | None = None
    times: int | None = 1
    status: int | None = None
    """``status``: HTTP status (default 500); ``html``: default 502; ``echo_token``: 401 or 403;
    ``json_for_stream``: >= 400 answers an error envelope instead of a success one."""
    message: str | None = None
    """Envelope ``message`` override."""
    body: Any = None
    """Mistral error JSON override (``status`` / ``json_for_stream``)."""
    retry_after: float | str | None = None
    retry_after_in: Literal["envelope", "http", "both"] = "envelope"
    """Where Retry-After goes: only inside the envelope's ``headers`` (as LowCodeAPI does), as a real
    HTTP header, or both. Plain-Mistral mode always uses the HTTP header."""
    seconds: float = 1.0
    """``stall``: sleep this long before answering normally; ``trickle``: the pause between bytes."""
    events: int = 1
    """``cut_stream``: events sent before the cut; ``malformed_sse``: index of the broken event; ``error_event``:
    index of the event replaced by the error (those before it are sent)."""
    graceful: bool = False
    """``cut_stream``: end the HTTP body cleanly (still no ``[DONE]``) instead of dropping the connection."""
    empty: Literal["body", "object", "null"] = "body"
    """``empty_body``: a zero-length 200 body, ``{}`` (in the envelope: ``"result": {}``) or ``"result": null``."""
    size: int | None = None
    """``oversized``: answer size in bytes; ``gzip``: make a bomb inflating to this many bytes."""
    endless: bool = False
    """``trickle``: never finish the answer (SSE comment lines or JSON whitespace, one byte every ``seconds``)."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra HTTP response headers (``status`` / ``html`` / ``malformed_json``)."""
    hits: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {get_args(FaultKind)}")
        if self.path is not None:
            path = self.path[len("/mistralai") :] if self.path.startswith("/mistralai/") else self.path
            self.path = "/" + path.strip("/") if path not in ("*", "/*") else "*"
        if self.method is not None:
            self.method = self.method.upper()

    def matches(self, method: str, path: str, template: str | None, stream: bool) -> bool:
        if self.kind in STREAM_ONLY_KINDS and not stream:
            return False
        if self.method is not None and self.method != method:
            return False
        if self.path is None or self.path == "*":
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return self.path == path or self.path == template


class FaultQueue:
    """Ordered faults; the first one matching a request fires (FIFO per path, global ones included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Fault] = []
        self.fired: list[tuple[str, str]] = []
        """(kind, path) of every fault that fired, in order."""

    def add(self, *faults: Fault) -> Fault:
        """Queue faults (in order); returns the first, whose ``hits`` a test can inspect."""
        if not faults:
            raise TypeError("add() needs at least one Fault")
        with self._lock:
            self._items.extend(faults)
        return faults[0]

    def take(self, method: str, path: str, template: str | None, stream: bool) -> Fault | None:
        with self._lock:
            if not self._items:
                return None
            for i, fault in enumerate(self._items):
                if fault.matches(method, path, template, stream):
                    fault.hits += 1
                    if fault.times is not None and fault.hits >= fault.times:
                        del self._items[i]
                    self.fired.append((fault.kind, path))
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.fired.clear()

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        return len(self._items)
