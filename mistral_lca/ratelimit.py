"""Client-side rate limiting: pace requests to the account's limits instead of failing on 429.

One :class:`RateLimiter` per (token, base URL) is shared by every client and adapter object in the process
(:func:`shared_rate_limiter`; on by default). It learns the limits from the headers Mistral sends, paces requests and
tokens before they are sent (sliding windows), waits out 429s, and adapts how many requests it lets run at once
(cut on a 429, grow slowly on success). Its decisions are pure given its clock: :meth:`RateLimiter.acquire` never
sleeps, it answers a :class:`Permit` or how long to :class:`Wait`; the sync client sleeps with ``time.sleep``, the
async one with ``asyncio.sleep``.

The state every user of a key shares lives in a :class:`RateLimitStore`. The default keeps it in this process;
:class:`SqliteRateLimitStore` shares it between processes on one machine through a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import random
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any, Protocol, TypeVar, runtime_checkable

from pydantic import SecretStr

from ._errors import ConfigurationError, QuotaExceededError, RateLimitError
from ._headers import ResponseHeaders
from ._rate_headers import RateLimitInfo, WindowReport, read_rate_limits
from ._rate_state import LimiterState, Window

__all__ = [
    "InMemoryRateLimitStore",
    "Permit",
    "RateLimitStore",
    "RateLimitTotals",
    "RateLimiter",
    "SqliteRateLimitStore",
    "Wait",
    "forget_shared_rate_limiters",
    "limiter_key",
    "positive_cap",
    "quota_text",
    "set_shared_store",
    "shared_rate_limiter",
]

T = TypeVar("T")
logger = logging.getLogger("mistral_lca")

_INITIAL_CONCURRENCY = 4
"""Requests sent at once before the first answer says what the account allows: small, so that a 1-2 req/s account
refuses few of them; the window opens fully as soon as an answer arrives."""
_MAX_CONCURRENCY = 1024
_QUOTA_RECHECK = 600.0
_COOLDOWN_BASE = 0.5
_RETRY_AFTER_FLOOR = 0.01
_COOLDOWN_MAX = 30.0
_RATIO_WEIGHT = 0.3


_PERMIT_IDS = count(1)


def _permit_id() -> int:
    """Unique among the permits logged in one store, whatever process or limiter granted them (exact as a float)."""
    return os.getpid() % 2**28 * 2**24 + next(_PERMIT_IDS) % 2**24


def _margin(period: float) -> float:
    """Slack added to a learned window: a request reaches the server a little after we log it."""
    return period * 0.01 + 0.02


@runtime_checkable
class RateLimitStore(Protocol):
    """Where limiters keep the state they share (learned windows, Retry-After blocks, quota, cost calibration).

    One method: run ``change`` on the state stored under ``key`` (a fresh :class:`LimiterState` if there is none)
    atomically with respect to every other user of the store, save what it changed, and return its result. If
    ``change`` raises, nothing is saved and the exception propagates. A store shared by several processes gives
    them one budget; what one process learns (a 429, a ``Retry-After``) holds the others back too.
    """

    def transact(self, key: str, change: Callable[[LimiterState], T]) -> T: ...


class InMemoryRateLimitStore:
    """The default store: states in this process's memory (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, LimiterState] = {}

    def transact(self, key: str, change: Callable[[LimiterState], T]) -> T:
        with self._lock:
            state = self._states.get(key)
            if state is None:
                state = self._states[key] = LimiterState()
            return change(state)


class SqliteRateLimitStore:
    """States in an SQLite file: every process (and thread) using the same file shares one budget per key.

    For many worker processes on one machine (gunicorn, Celery, multiprocessing)::

        from mistral_lca.ratelimit import SqliteRateLimitStore, set_shared_store
        set_shared_store(SqliteRateLimitStore("/tmp/mistral-rate-limits.sqlite"))

    Each transaction is an ``IMMEDIATE`` one (a write lock on the file for a fraction of a millisecond).
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        self.path = os.fspath(path)
        self.timeout = timeout
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SqliteRateLimitStore({self.path!r})"

    def _connection(self) -> Any:
        import sqlite3

        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():  # one per thread, and anew after fork
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            # Switching a new file to WAL takes a lock that SQLite's busy timeout does not wait for: two processes
            # opening the file at the same moment can get "database is locked" at once. Wait for it ourselves.
            give_up = time.monotonic() + self.timeout
            while True:
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(
                        "CREATE TABLE IF NOT EXISTS mistral_lca_rate_limits (key TEXT PRIMARY KEY, state TEXT NOT NULL)"
                    )
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() >= give_up:
                        conn.close()
                        raise
                    time.sleep(0.01)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def transact(self, key: str, change: Callable[[LimiterState], T]) -> T:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("SELECT state FROM mistral_lca_rate_limits WHERE key = ?", (key,)).fetchone()
            state = LimiterState.from_json(json.loads(row[0])) if row else LimiterState()
            result = change(state)
            conn.execute(
                "INSERT OR REPLACE INTO mistral_lca_rate_limits (key, state) VALUES (?, ?)",
                (key, json.dumps(state.to_json(), separators=(",", ":"))),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result


@dataclass(frozen=True)
class Permit:
    """Leave to send one request; give it back with :meth:`RateLimiter.on_response` whatever happens."""

    id: int
    granted_at: float
    tokens: float
    """Tokens reserved in the token windows (the estimate, calibrated by what the server charged before)."""
    estimate: float
    """The uncalibrated estimate (:func:`mistral_lca.tokens.count_tokens`)."""
    path: str


@dataclass(frozen=True)
class Wait:
    """Not yet: try again in ``seconds``."""

    seconds: float
    reason: str
    counts: bool = True
    """Whether the wait counts against the call's ``rate_limit_wait`` (a wait for a free concurrency slot does
    not: it ends when a request in flight ends)."""


@dataclass(frozen=True)
class RateLimitTotals:
    """Cumulative figures of one limiter since it was created (for progress reports)."""

    requests: int = 0
    """Permits granted."""
    waits: int = 0
    """Pauses for a rate limit (pacing, Retry-After, cool-downs); waits for a concurrency slot not included."""
    seconds_waited: float = 0.0
    rate_limited: int = 0
    """429 answers seen."""


class _Local:
    """Per-process, per-limiter figures (never shared through the store)."""

    __slots__ = (
        "adaptive",
        "in_flight",
        "last_cut",
        "latency",
        "outstanding",
        "rate_limited",
        "requests",
        "seconds_waited",
        "seen_response",
        "waits",
        "window",
    )

    def __init__(self) -> None:
        self.in_flight = 0
        self.outstanding: set[int] = set()
        self.seen_response = False
        self.adaptive = False
        self.window = float(_MAX_CONCURRENCY)
        self.last_cut = -math.inf
        self.latency: float | None = None
        self.requests = 0
        self.waits = 0
        self.seconds_waited = 0.0
        self.rate_limited = 0


class RateLimiter:
    """Paces requests for one account (one token at one base URL), thread- and asyncio-safe.

    ``requests_per_second`` and ``tokens_per_minute`` add fixed caps (for a key shared with others) on top of what
    is learned from the server. ``store`` holds the shared state (default: this process's memory) under ``key``.
    ``clock`` (seconds, wall time so that processes sharing a store agree) and ``rng`` are injectable for tests.
    """

    clock: Callable[[], float] = staticmethod(time.time)
    """The default clock of every limiter (a class attribute, so tests can fast-forward all of them at once)."""

    def __init__(
        self,
        *,
        requests_per_second: float | None = None,
        tokens_per_minute: float | None = None,
        store: RateLimitStore | None = None,
        key: str = "default",
        clock: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        initial_concurrency: int = _INITIAL_CONCURRENCY,
        max_concurrency: int = _MAX_CONCURRENCY,
    ) -> None:
        if isinstance(initial_concurrency, bool) or not isinstance(initial_concurrency, int) or initial_concurrency < 1:
            raise ConfigurationError(f"initial_concurrency must be a positive int, got {initial_concurrency!r}")
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise ConfigurationError(f"max_concurrency must be a positive int, got {max_concurrency!r}")
        self._store: RateLimitStore = store if store is not None else InMemoryRateLimitStore()
        self._key = key
        if clock is not None:
            self.clock = clock
        self._rng = rng or random.Random()
        self._initial = initial_concurrency
        self._max = max_concurrency
        self._lock = threading.Lock()
        self._local = _Local()
        self._local.window = float(max_concurrency)
        self.add_caps(requests_per_second=requests_per_second, tokens_per_minute=tokens_per_minute)

    def __repr__(self) -> str:
        return f"RateLimiter(key={self._key[:8]!r}, store={type(self._store).__name__})"

    def __reduce__(self) -> str | tuple[Any, ...]:
        raise TypeError("a RateLimiter cannot be pickled or serialized (it holds locks and live state)")

    # ------------------------------------------------------------------------------------------ configuration

    def add_caps(self, *, requests_per_second: float | None = None, tokens_per_minute: float | None = None) -> None:
        """Fixed caps on top of the learned limits. Caps describe the key: the lowest one given wins."""
        rps = positive_cap("requests_per_second", requests_per_second)
        tpm = positive_cap("tokens_per_minute", tokens_per_minute)
        if rps is None and tpm is None:
            return

        def change(state: LimiterState) -> None:
            if rps is not None:
                # One request per 1/rps seconds: an even pace, no bursts (the key is someone else's too).
                _set_cap(
                    state,
                    Window("requests", 1.0 / rps, 1.0, fixed=True),
                    lower=lambda old, new: new.period > old.period,
                )
            if tpm is not None:
                _set_cap(state, Window("tokens", 60.0, tpm, fixed=True), lower=lambda old, new: new.limit < old.limit)

        with self._lock:
            self._store.transact(self._key, change)

    # ------------------------------------------------------------------------------------------ decisions

    def acquire(self, tokens: float = 0, *, max_wait: float = math.inf, path: str = "") -> Permit | Wait:
        """A :class:`Permit` to send now, or how long to :class:`Wait` first. Never sleeps.

        ``tokens`` is the request's estimated token count; ``max_wait`` the most this call may still wait for a
        rate limit: a longer wait raises :class:`RateLimitError` (nothing is sent). An exhausted monthly quota
        raises :class:`QuotaExceededError`.
        """
        now = self.clock()
        local = self._local
        with self._lock:
            limit = self._concurrency()
            if local.in_flight >= limit:
                return Wait(self._slot_wait(), f"{local.in_flight} requests in flight (limit {limit})", counts=False)
            decision = self._store.transact(
                self._key, lambda state: self._admit(state, now, float(tokens), path, max_wait)
            )
            if isinstance(decision, Permit):
                local.in_flight += 1
                local.outstanding.add(decision.id)
                local.requests += 1
            else:
                local.waits += 1
                local.seconds_waited += decision.seconds
        if isinstance(decision, Wait) and logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Rate limit: waiting %.3fs before %s (%s)", decision.seconds, path or "a request", decision.reason
            )
        return decision

    def on_response(
        self, permit: Permit | None, headers: Mapping[str, str] | None = None, status: int | None = None
    ) -> RateLimitInfo:
        """Give back ``permit`` and learn from the answer (``status`` ``None``: no answer, e.g. a network error).

        Returns what the headers said. Safe to call more than once for one permit (later calls only learn).
        """
        now = self.clock()
        info = read_rate_limits(headers)
        local = self._local
        with self._lock:
            if permit is not None and permit.id in local.outstanding:
                local.outstanding.discard(permit.id)
                local.in_flight -= 1
                if status is not None:
                    elapsed = max(0.0, now - permit.granted_at)
                    local.latency = elapsed if local.latency is None else 0.8 * local.latency + 0.2 * elapsed
            if status is not None:
                local.seen_response = True
                self._adapt(permit, status, now)
            if status is not None or not info.empty:
                block = self._store.transact(self._key, lambda state: self._learn(state, now, permit, info, status))
            else:
                block = None
        if status == 429:
            logger.info(
                "Rate limited (429) on %s; %s",
                permit.path if permit is not None and permit.path else "a request",
                f"next request in {block:.2f}s" if block else "paced by the learned limits",
            )
        return info

    def totals(self) -> RateLimitTotals:
        local = self._local
        with self._lock:
            return RateLimitTotals(local.requests, local.waits, local.seconds_waited, local.rate_limited)

    def snapshot(self) -> LimiterState:
        """A copy of the shared state (learned windows, blocks, quota), for inspection and tests."""
        with self._lock:
            return self._store.transact(self._key, lambda state: LimiterState.from_json(state.to_json()))

    @property
    def concurrency(self) -> int:
        """How many requests may be in flight at once right now."""
        with self._lock:
            return self._concurrency()

    # ------------------------------------------------------------------------------------------ internals

    def _concurrency(self) -> int:
        local = self._local
        if not local.seen_response:
            return self._initial  # until the first answer says what the account allows
        return max(1, int(local.window))

    def _slot_wait(self) -> float:
        latency = self._local.latency
        base = 0.01 if latency is None else min(0.05, max(0.002, latency / max(1, self._local.in_flight)))
        return base * self._rng.uniform(0.75, 1.25)

    def _admit(self, state: LimiterState, now: float, tokens: float, path: str, max_wait: float) -> Permit | Wait:
        if now < state.quota_until:
            raise QuotaExceededError(
                f"{state.quota_reason}. Calls fail at once until it renews (checked again in "
                f"{state.quota_until - now:.0f} s).",
                status_code=429,
            )
        reserved = tokens * state.cost_ratio.get(path, 1.0)
        wait, reason = 0.0, ""
        if state.blocked_until > now:
            wait, reason = state.blocked_until - now, state.block_reason
        for window in state.windows.values():
            cost = 1.0 if window.kind == "requests" else reserved
            if cost <= 0:
                continue
            needed = window.wait_for(cost, now)
            if needed > wait:
                wait, reason = needed, f"{window.name} window: {window.used(now):g} of {window.limit:g} used"
        if wait > 0:
            if wait > max_wait:
                raise RateLimitError(
                    f"Rate limited: the next request may be sent in {wait:.1f} s ({reason}), longer than this call "
                    f"may still wait ({max(0.0, max_wait):.1f} s, see rate_limit_wait). Nothing was sent.",
                    status_code=429,
                    headers=ResponseHeaders({"retry-after": f"{wait:.3f}"}),
                )
            return Wait(wait, reason)
        permit = Permit(_permit_id(), now, reserved, tokens, path)
        state.remember(now, reserved, permit.id)
        for window in state.windows.values():
            cost = 1.0 if window.kind == "requests" else reserved
            if cost > 0:
                window.add(now, cost, permit.id)
        return permit

    def _adapt(self, permit: Permit | None, status: int, now: float) -> None:
        """AIMD on the number of requests in flight: halve on a 429 (once per round), add 1/window per success."""
        local = self._local
        if status == 429:
            local.rate_limited += 1
            if permit is None or permit.granted_at > local.last_cut:
                current = local.window if local.adaptive else float(local.in_flight + 1)
                local.window = max(1.0, current / 2)
                local.adaptive = True
                local.last_cut = now
        elif status < 400 and local.adaptive:
            local.window = min(float(self._max), local.window + 1.0 / local.window)

    def _learn(
        self, state: LimiterState, now: float, permit: Permit | None, info: RateLimitInfo, status: int | None
    ) -> float | None:
        """Update the shared state from one answer; returns the block it set (seconds) after a 429, if any."""
        if permit is not None and status == 429:
            state.forget(permit.id)  # refused: the server did not count it
            for window in state.windows.values():
                window.remove(permit.id)
        if permit is not None and info.query_cost is not None and permit.tokens > 0:
            state.set_cost(permit.id, info.query_cost)
            for window in state.windows.values():
                if window.kind == "tokens":
                    window.set_cost(permit.id, info.query_cost)
            if permit.estimate > 0:
                ratio = info.query_cost / permit.estimate
                old = state.cost_ratio.get(permit.path)
                state.cost_ratio[permit.path] = ratio if old is None else old + _RATIO_WEIGHT * (ratio - old)
        explained = False
        for report in info.windows.values():
            if report.is_quota:
                if report.exhausted:
                    state.quota_until = now + _QUOTA_RECHECK
                    state.quota_reason = quota_text(report)
                continue
            explained = self._learn_window(state, report, now) or explained
        if status != 429:
            if status is not None and status < 400:
                state.consecutive_429 = 0
            return None
        state.consecutive_429 += 1
        if info.retry_after is not None:
            # Honoured as given, but a server answering 429 with "Retry-After: 0" again and again is backed off
            # from all the same (from 10 ms, doubling), or the call would spin without ever waiting.
            floor = _RETRY_AFTER_FLOOR * 2 ** (state.consecutive_429 - 1)
            _block(state, now + max(info.retry_after, min(_COOLDOWN_MAX, floor)), "Retry-After")
        elif not explained:
            cooldown = min(_COOLDOWN_MAX, _COOLDOWN_BASE * 2 ** (state.consecutive_429 - 1))
            _block(state, now + cooldown * self._rng.uniform(0.5, 1.0), "cool-down after a 429")
        return max(0.0, state.blocked_until - now) if state.blocked_until > now else None

    @staticmethod
    def _learn_window(state: LimiterState, report: WindowReport, now: float) -> bool:
        """Learn one paced window; True if it is exhausted and known well enough to wait for (explaining a 429)."""
        window = state.windows.get(report.name)
        limit = report.limit if report.limit is not None else window.limit if window is not None else None
        if limit is None:
            if report.exhausted and report.reset_after is not None:
                _block(state, now + report.reset_after, f"{report.name} window exhausted")
                return True
            return False
        if window is None:
            window = state.windows[report.name] = Window(report.kind, report.period, limit, _margin(report.period))
            state.seed(window, now)
        window.limit = limit
        if report.remaining is not None:
            window.reconcile(limit - report.remaining, now)
        if report.exhausted and report.reset_after is not None:
            _block(state, now + report.reset_after, f"{window.name} window exhausted")
        return report.exhausted


def positive_cap(name: str, value: float | None) -> float | None:
    """``value`` as a float if it is a valid cap (a positive finite number) or ``None``; ConfigurationError else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or math.isinf(value):
        raise ConfigurationError(f"{name} must be a positive number or None, got {value!r}")
    return float(value)


def _set_cap(state: LimiterState, cap: Window, lower: Callable[[Window, Window], bool]) -> None:
    old = state.windows.get(cap.name)
    if old is None or lower(old, cap):
        state.windows[cap.name] = cap


def _block(state: LimiterState, until: float, reason: str) -> None:
    if until > state.blocked_until:
        state.blocked_until = until
        state.block_reason = reason


def quota_text(report: WindowReport) -> str:
    span = "monthly" if report.period >= 28 * 86400 else f"{report.period / 86400:g}-day"
    limit = f" of {report.limit:,.0f}" if report.limit is not None else ""
    return f"The account's {span} {report.kind} quota{limit} is used up (0 remaining)"


# ---------------------------------------------------------------------------------------------- sharing

_SHARED: weakref.WeakValueDictionary[str, RateLimiter] = weakref.WeakValueDictionary()
_SHARED_LOCK = threading.Lock()
_SHARED_STORE: RateLimitStore | None = None


def set_shared_store(store: RateLimitStore | None) -> None:
    """Keep the state of every shared limiter created from now on in ``store`` (``None``: in this process).

    With a store shared by several processes (:class:`SqliteRateLimitStore`), all of them pace as one client per
    token: call this once at start-up in each worker, before creating clients.
    """
    global _SHARED_STORE
    with _SHARED_LOCK:
        _SHARED_STORE = store
        _SHARED.clear()


def limiter_key(api_token: SecretStr | str, base_url: str) -> str:
    """A stable name for (token, base URL) that does not reveal the token."""
    token = api_token.get_secret_value() if isinstance(api_token, SecretStr) else api_token
    return hashlib.sha256(f"mistral-lca\0{base_url}\0{token}".encode()).hexdigest()[:32]


def shared_rate_limiter(
    api_token: SecretStr | str,
    base_url: str,
    *,
    requests_per_second: float | None = None,
    tokens_per_minute: float | None = None,
) -> RateLimiter:
    """The limiter every client of (``api_token``, ``base_url``) in this process shares (created on first use).

    Caps given here are added to it (the lowest cap for a key wins). It lives as long as some client uses it.
    """
    key = limiter_key(api_token, base_url)
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = RateLimiter(key=key, store=_SHARED_STORE)
            _SHARED[key] = limiter
    limiter.add_caps(requests_per_second=requests_per_second, tokens_per_minute=tokens_per_minute)
    return limiter


def forget_shared_rate_limiters() -> None:
    """Drop the registry (clients keep the limiter they hold; new clients get fresh ones). For tests."""
    with _SHARED_LOCK:
        _SHARED.clear()
