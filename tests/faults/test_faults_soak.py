"""Soak: 10,000 requests (chat, chat streams, embeddings) through the async client with 10% injected faults of every
kind. Zero lost, zero duplicated, every failure a typed error — checked against what the stand-in recorded."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from faults_support import CHAT, EMBED_MODEL, EMBEDDINGS, MODEL, TOKEN, fd_count, user, wait_until

from mistral_lca import (
    APIConnectionError,
    AsyncMistralLCAClient,
    AuthenticationError,
    BadRequestError,
    MistralLCAError,
    ResponseDecodeError,
    RetryPolicy,
    StreamError,
)
from mistral_lca.testing import FakeLowCodeAPI, Fault

pytestmark = pytest.mark.load

REQUESTS = 10_000
FAULT_RATE = 0.10
LIMIT = 8
MAX_RETRIES = 3
DIMENSION = 8

# Fault kinds and their weights. Stream-only kinds match stream requests only (the stand-in's rule).
KINDS: list[tuple[Callable[[], Fault], int]] = [
    (lambda: Fault("status", status=429, retry_after=0.001), 8),
    (lambda: Fault("status", status=429, retry_after=0.001, retry_after_in="http"), 4),
    (lambda: Fault("status", status=500), 6),
    (lambda: Fault("status", status=502), 6),
    (lambda: Fault("status", status=503), 6),
    (lambda: Fault("status", status=504), 4),
    (lambda: Fault("html"), 4),
    (lambda: Fault("reset"), 6),
    (lambda: Fault("malformed_json"), 2),
    (lambda: Fault("status", status=400), 2),
    (lambda: Fault("echo_token"), 1),
    (lambda: Fault("stall", seconds=1.2), 1),  # past the 1 s read timeout
    (lambda: Fault("cut_stream", path=CHAT, events=0), 2),
    (lambda: Fault("cut_stream", path=CHAT, events=2), 2),
    (lambda: Fault("malformed_sse", path=CHAT, events=1), 1),
    (lambda: Fault("json_for_stream", path=CHAT), 1),
]
# What a request may end with when faults outlast its retries, or are not retryable.
TYPED_FAILURES = (
    APIConnectionError,  # reset / stall (timeout) on every attempt
    AuthenticationError,  # echo_token: the proxy's 401
    BadRequestError,  # 400
    ResponseDecodeError,  # malformed JSON
    StreamError,  # a stream cut or broken after it delivered events
    MistralLCAError,  # 429/5xx still failing after max_retries (RateLimitError, ServerError)
)


@dataclass
class Ledger:
    """What the caller got for each logical request, by its tag."""

    kinds: dict[str, str] = field(default_factory=dict)
    successes: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, BaseException] = field(default_factory=dict)


def _tag(i: int) -> str:
    return f"soak {i}"


def _tag_of(record: Any) -> str | None:
    body = record.json
    if not isinstance(body, dict):
        return None
    if "messages" in body:
        return str(body["messages"][-1]["content"])
    value = body.get("input")
    return value[0] if isinstance(value, list) else None


def _fault_plan(rng: random.Random) -> list[Fault | None]:
    """For 10% of the requests (at random), a fault queued just before that request is sent."""
    makers = [make for make, _ in KINDS]
    weights = [weight for _, weight in KINDS]
    plan: list[Fault | None] = [None] * REQUESTS
    for i in rng.sample(range(REQUESTS), int(REQUESTS * FAULT_RATE)):
        plan[i] = rng.choices(makers, weights)[0]()
    return plan


async def _one(client: AsyncMistralLCAClient, i: int, kind: str, ledger: Ledger) -> None:
    tag = _tag(i)
    ledger.kinds[tag] = kind
    try:
        if kind == "chat":
            reply = await client.chat.complete(model=MODEL, messages=user(tag))
            ledger.successes[tag] = reply.choices[0].message.content
        elif kind == "stream":
            events = []
            async with client.chat.stream(model=MODEL, messages=user(tag)) as stream:
                async for event in stream:
                    events.append(event)
            ledger.successes[tag] = "".join(
                str(c.delta.content) for e in events for c in e.data.choices if isinstance(c.delta.content, str)
            )
        else:
            response = await client.embeddings.create(model=EMBED_MODEL, inputs=[tag], output_dimension=DIMENSION)
            ledger.successes[tag] = response.vectors()[0]
    except Exception as exc:
        ledger.failures[tag] = exc


async def test_soak_10000_requests_with_10_percent_faults() -> None:
    rng = random.Random(2024)
    ledger = Ledger()
    kinds = rng.choices(["chat", "stream", "embed"], weights=[70, 15, 15], k=REQUESTS)
    plan = _fault_plan(rng)
    policy = RetryPolicy(max_retries=MAX_RETRIES, initial_delay=0.001, max_delay=0.004, rng=random.Random(1))
    with FakeLowCodeAPI(required_token=TOKEN) as fake:
        fds = fd_count()
        client = AsyncMistralLCAClient(
            api_token=TOKEN,
            base_url=fake.base_url,
            timeout=1.0,
            retry_policy=policy,
            max_concurrent_requests=LIMIT,
        )
        pacing = asyncio.Semaphore(2 * LIMIT)  # queue each fault shortly before its request goes out

        async def run(i: int) -> None:
            async with pacing:
                fault = plan[i]
                if fault is not None:
                    fake.faults.add(fault)
                await _one(client, i, kinds[i], ledger)

        await asyncio.gather(*(run(i) for i in range(REQUESTS)))
        injected = len(fake.faults.fired)
        await client.close()
        assert wait_until(lambda: fake.in_flight == 0 and fake.open_connections == 0)
        assert wait_until(lambda: fd_count() <= fds)
        records = list(fake.requests)
        assert not fake.errors
        assert fake.max_in_flight <= LIMIT
        expected_vectors = _expected_vectors(fake, [t for t, k in ledger.kinds.items() if k == "embed"])

    # Faults really were injected at the advertised rate (a stream-only one queued last may find no stream).
    assert injected >= REQUESTS * FAULT_RATE - 5
    # Zero lost: every request ended in exactly one outcome, and each success is its own answer.
    assert len(ledger.successes) + len(ledger.failures) == REQUESTS
    assert not set(ledger.successes) & set(ledger.failures)
    for tag, value in ledger.successes.items():
        if ledger.kinds[tag] == "embed":
            assert value == expected_vectors[tag], tag
        else:
            assert value == f"Echo: {tag}", (tag, value)
    # Every failure is typed.
    for tag, exc in ledger.failures.items():
        assert isinstance(exc, TYPED_FAILURES), (tag, repr(exc))
    assert len(ledger.failures) < REQUESTS * FAULT_RATE  # most faults were retried away
    # Zero duplicated: the stand-in served each request at most once cleanly, never after a clean answer, and
    # never more often than the retry budget allows (429s are waited out within rate_limit_wait, not retried:
    # they do not count against max_retries).
    attempts: dict[str, list[Any]] = defaultdict(list)
    for record in records:
        tag = _tag_of(record)
        assert tag is not None, record
        attempts[tag].append(record)
    assert set(attempts) == set(ledger.kinds)
    for tag, tries in attempts.items():
        seen = (tag, [(r.status, r.fault) for r in tries])
        assert len([r for r in tries if r.status != 429]) <= MAX_RETRIES + 1, seen
        served = [i for i, r in enumerate(tries) if r.status == 200 and r.fault in (None, "json_for_stream")]
        # A stalled attempt is answered normally once the stall ends: after the client gave up, or (on a
        # loaded machine) just before its timeout fired.
        late = [i for i, r in enumerate(tries) if r.status == 200 and r.fault == "stall"]
        if tag in ledger.successes:
            assert len(served) <= 1, seen
            assert max(served + late) == len(tries) - 1, seen  # nothing was sent after the answer arrived
        else:
            assert served == [], seen


def _expected_vectors(fake: FakeLowCodeAPI, tags: list[str]) -> dict[str, list[float]]:
    from mistral_lca import MistralLCAClient

    fake.faults.clear()
    with MistralLCAClient(api_token=TOKEN, base_url=fake.base_url) as client:
        vectors = client.embeddings.create(model=EMBED_MODEL, inputs=tags, output_dimension=DIMENSION).vectors()
    return dict(zip(tags, vectors, strict=True))


def test_the_soak_mix_covers_every_fault_kind() -> None:
    kinds = {make().kind for make, _ in KINDS}
    assert kinds == {
        "status",
        "html",
        "reset",
        "stall",
        "cut_stream",
        "malformed_json",
        "malformed_sse",
        "json_for_stream",
        "echo_token",
    }
    assert EMBEDDINGS.startswith("/v1/")
