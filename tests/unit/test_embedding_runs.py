"""The corpus-embedding runner: planning within Mistral's limits, in-order delivery, bounded concurrency, split and
retry, progress, bad input, and the adapters calling it (against the loopback stand-in)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from tokens_support import tokenizer_absent

from mistral_lca import (
    AsyncMistralLCAClient,
    BadRequestError,
    InputTooLongError,
    InvalidRequestError,
    MistralLCAClient,
    NotFoundError,
)
from mistral_lca.embedding_batches import (
    MAX_TOKENS_PER_INPUT,
    MAX_TOKENS_PER_REQUEST,
    Batch,
    plan_batches,
    require_texts,
    should_split,
)
from mistral_lca.embedding_runs import EmbeddedBatch, EmbeddingProgress, _Window
from mistral_lca.testing import FakeLowCodeAPI
from mistral_lca.tokens import count_tokens, count_tokens_each, estimate_tokens

MODEL = "mistral-embed"
_WORDS = [
    "the",
    "river",
    "report",
    "budget",
    "council",
    "morning",
    "engineers",
    "quietly",
    "measured",
    "every",
    "bridge",
    "before",
    "winter",
    "arrived",
    "while",
    "students",
    "compared",
    "notes",
    "about",
    "history",
    "markets",
    "weather",
    "and",
    "the",
    "long",
    "road",
    "north",
]


def sentences(n: int, seed: int = 7, words: tuple[int, int] = (40, 120)) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(*words))).capitalize() + "." for _ in range(n)]


@pytest.fixture
def fake() -> Any:
    with FakeLowCodeAPI() as server:
        yield server


def _sizes(fake: FakeLowCodeAPI) -> list[int]:
    return [len(r.json["input"]) for r in fake.requests_to("/v1/embeddings")]


async def create_many(fake: FakeLowCodeAPI, mode: str, texts: Any, **options: Any) -> list[list[float]]:
    if mode == "sync":
        with MistralLCAClient(api_token=fake.token, base_url=fake.base_url, max_retries=0) as client:
            return client.embeddings.create_many(texts, model=MODEL, **options)
    async with AsyncMistralLCAClient(api_token=fake.token, base_url=fake.base_url, max_retries=0) as client:
        return await client.embeddings.create_many(texts, model=MODEL, **options)


# ------------------------------------------------------------------------------------------- planning


def test_plan_packs_by_count_and_tokens_and_covers_every_text() -> None:
    texts = sentences(300)
    counts = count_tokens_each(texts, MODEL)
    plan = plan_batches(texts, max_inputs=50, max_tokens=2_000, model=MODEL)
    assert plan.exact and plan.counts == tuple(counts) and plan.tokens == sum(counts)
    assert [i for batch in plan for i in batch.positions] == list(range(300))
    assert all(len(b) <= 50 and b.tokens <= 2_000 and b.tokens == sum(counts[b.start : b.stop]) for b in plan)
    # greedy: the next text would not have fitted
    assert all(b.tokens + counts[b.stop] > 2_000 or len(b) == 50 for b in plan.batches[:-1])
    assert plan_batches([], max_inputs=5).batches == ()


def test_plan_refuses_an_input_over_the_per_input_limit_when_counts_are_exact() -> None:
    long = " ".join(sentences(200))
    assert count_tokens(long) > MAX_TOKENS_PER_INPUT
    with pytest.raises(InputTooLongError) as caught:
        plan_batches(["short", long], max_inputs=10)
    error = caught.value
    assert (error.index, error.limit) == (1, MAX_TOKENS_PER_INPUT) and error.tokens == count_tokens(long)
    assert isinstance(error, InvalidRequestError)
    assert "inputs[1]" in str(error) and "8,192" in str(error)
    assert __import__("pickle").loads(__import__("pickle").dumps(error)).tokens == error.tokens


def test_with_the_estimate_a_long_input_gets_its_own_request_and_the_api_decides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long = " ".join(sentences(200))
    with tokenizer_absent(monkeypatch):
        plan = plan_batches(["short", long, "short"], max_inputs=10)
        assert not plan.exact
        assert [(b.start, b.stop) for b in plan] == [(0, 1), (1, 2), (2, 3)]
        assert plan.counts[1] == estimate_tokens(long)


def test_split_halves_keep_their_token_counts() -> None:
    texts = sentences(5)
    plan = plan_batches(texts, max_inputs=10, model=MODEL)
    first, second = plan.split(plan[0])
    assert (first.start, first.stop, second.start, second.stop) == (0, 2, 2, 5)
    assert first.tokens + second.tokens == plan[0].tokens == plan.tokens


def test_should_split_only_a_too_large_rejection_of_several_texts() -> None:
    def bad_request(message: str, code: str | None) -> BadRequestError:
        return BadRequestError(message, status_code=400, code=code)

    two = Batch(0, 2, 10)
    assert should_split(bad_request("Too many tokens overall, split into more batches.", "3210"), two)
    assert should_split(bad_request("Too many tokens in batch. Max is 16384 got 17555", None), two)
    assert should_split(bad_request("Too many inputs in request, split into more batches.", None), two)
    assert not should_split(bad_request("Too many tokens overall, split into more batches.", "3210"), Batch(0, 1, 9))
    assert not should_split(bad_request("Invalid model", None), two)
    assert not should_split(NotFoundError("Too many tokens", status_code=404), two)
    assert not should_split(ValueError("too many tokens"), two)


def test_require_texts_names_the_call() -> None:
    for bad in ("a string", None, b"bytes", {"a": 1}, 42):
        with pytest.raises(TypeError, match=r"^embed_documents\(\) takes a list of strings, got "):
            require_texts(bad, "embed_documents")
    with pytest.raises(InvalidRequestError, match=r"inputs\[1\] must be a string, got int"):
        require_texts(["ok", 3], "x")
    assert require_texts(("a", "b"), "x") == ["a", "b"]
    assert require_texts(iter(["a"]), "x") == ["a"]


def test_the_window_starts_in_order_and_delivers_in_order() -> None:
    window = _Window(size=6, concurrency=2)
    assert window.to_launch() == [0, 1] and window.to_launch() == []
    done = {i: EmbeddedBatch(i, i + 1, [[float(i)]], "m", 1) for i in range(6)}
    window.complete(1, done[1])
    assert window.deliverable() == []  # batch 0 is not back yet
    assert window.to_launch() == [2]
    window.complete(2, done[2])
    assert window.to_launch() == [3]  # 2 running, 4 launched ahead of delivery: the window (2x2) is full
    window.complete(3, done[3])
    assert window.to_launch() == []
    window.complete(0, done[0])
    assert [b.start for b in window.deliverable()] == [0, 1, 2, 3]
    assert window.to_launch() == [4, 5]
    window.complete(5, done[5])
    window.complete(4, done[4])
    assert [b.start for b in window.deliverable()] == [4, 5] and window.done


# ------------------------------------------------------------------------------------------- running


async def test_create_many_embeds_in_order_within_limits_with_progress(fake: FakeLowCodeAPI, mode: str) -> None:
    texts = sentences(400)
    seen: list[EmbeddingProgress] = []
    fake.set_latency(0.02)
    vectors = await create_many(
        fake, mode, texts, texts_per_request=64, max_concurrent_requests=3, progress=seen.append
    )
    with MistralLCAClient(api_token=fake.token, base_url=fake.base_url) as client:
        probe = [0, 199, 399]
        direct = client.embeddings.create(model=MODEL, inputs=[texts[i] for i in probe]).vectors()
    assert [vectors[i] for i in probe] == direct and len(vectors) == 400
    plan = plan_batches(texts, max_inputs=64, model=MODEL)
    assert _sizes(fake)[:-1] == [len(b) for b in plan]  # the last request is the direct probe
    assert 1 < fake.max_in_flight <= 3
    assert [p.requests_done for p in seen] == list(range(1, len(plan) + 1))
    assert [p.texts_done for p in seen] == sorted(p.texts_done for p in seen)
    last = seen[-1]
    assert (last.texts_done, last.texts_total, last.tokens_done, last.tokens_total) == (
        400,
        400,
        plan.tokens,
        plan.tokens,
    )
    assert last.exact_counts and last.fraction == 1.0 and last.requests_split == 0
    assert (last.rate_limited, last.rate_limit_wait_seconds) == (0, 0.0)


async def test_a_request_rejected_as_too_large_is_halved_and_retried(mode: str) -> None:
    texts = sentences(8, words=(30, 40))
    budget = sum(count_tokens_each(texts[:3]))  # the stand-in takes at most ~3 of these per request
    seen: list[EmbeddingProgress] = []
    with FakeLowCodeAPI(embed_max_tokens=budget) as server:
        vectors = await create_many(server, mode, texts, max_concurrent_requests=1, progress=seen.append)
        sizes = _sizes(server)
    assert len(vectors) == 8
    assert sizes[0] == 8 and sum(s for s in sizes if s <= 3) == 8  # every text answered exactly once
    assert seen[-1].requests_split == sum(1 for s in sizes if s > 3)
    assert seen[-1].requests_done == len(sizes)


async def test_an_error_that_is_not_about_size_is_raised(fake: FakeLowCodeAPI, mode: str) -> None:
    fake.config.embed_max_inputs = 0  # every request: "Too many inputs" ... but a single text cannot be split
    with pytest.raises(BadRequestError, match="Too many inputs"):
        await create_many(fake, mode, ["one text"])
    assert _sizes(fake) == [1]


async def test_bad_input_fails_before_any_request(fake: FakeLowCodeAPI, mode: str) -> None:
    with pytest.raises(TypeError, match=r"embeddings\.create_many\(\) takes a list of strings, got str"):
        await create_many(fake, mode, "not a list")
    with pytest.raises(InputTooLongError):
        await create_many(fake, mode, ["fine", " ".join(sentences(200))])
    with pytest.raises(InvalidRequestError, match="max_concurrent_requests must be a positive integer"):
        await create_many(fake, mode, ["fine"], max_concurrent_requests=0)
    assert await create_many(fake, mode, []) == []
    assert fake.total_requests == 0


def test_iter_many_checks_the_plan_at_call_time_and_yields_batches(fake: FakeLowCodeAPI) -> None:
    with MistralLCAClient(api_token=fake.token, base_url=fake.base_url) as client:
        with pytest.raises(TypeError, match=r"embeddings\.iter_many"):
            client.embeddings.iter_many(None, model=MODEL)  # type: ignore[arg-type]
        texts = sentences(20)
        batches = list(client.embeddings.iter_many(texts, model=MODEL, texts_per_request=6))
    assert [(b.start, b.stop) for b in batches] == [(0, 6), (6, 12), (12, 18), (18, 20)]
    assert all(b.prompt_tokens == sum(count_tokens_each(texts[b.start : b.stop])) for b in batches)
    assert all(b.model == MODEL and b.requests == 1 and len(b.vectors) == len(range(b.start, b.stop)) for b in batches)


async def test_async_iter_many_yields_in_order(fake: FakeLowCodeAPI) -> None:
    fake.set_latency(0.01)
    async with AsyncMistralLCAClient(api_token=fake.token, base_url=fake.base_url) as client:
        starts = [b.start async for b in client.embeddings.iter_many(sentences(30), model=MODEL, texts_per_request=4)]
    assert starts == list(range(0, 30, 4))


async def test_stopping_early_cancels_what_is_queued(fake: FakeLowCodeAPI) -> None:
    fake.set_latency(0.02)
    async with AsyncMistralLCAClient(api_token=fake.token, base_url=fake.base_url) as client:
        batches = client.embeddings.iter_many(
            sentences(40), model=MODEL, texts_per_request=1, max_concurrent_requests=2
        )
        first = await batches.__anext__()
        await batches.aclose()  # type: ignore[attr-defined]
        await asyncio.sleep(0.05)
    assert first.start == 0
    assert fake.total_requests <= 4  # at most the window (2 x concurrency), not all 40


# ------------------------------------------------------------------------------------------- stand-in: never rejected


async def test_the_stand_in_never_rejects_what_the_runner_plans(mode: str) -> None:
    texts = sentences(600, seed=3, words=(100, 260))
    with FakeLowCodeAPI() as server:  # Mistral's limits: 16,384 per request, 8,192 per input
        vectors = await create_many(server, mode, texts, texts_per_request=512)
        sizes = _sizes(server)
    assert len(vectors) == 600
    assert len(sizes) == len(plan_batches(texts, max_inputs=512, model=MODEL))  # no split: nothing was rejected
    assert (
        max(plan_batches(texts, max_inputs=512, model=MODEL), key=lambda b: b.tokens).tokens <= MAX_TOKENS_PER_REQUEST
    )


async def test_without_the_extra_the_stand_in_and_the_runner_agree_on_the_estimate(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    texts = sentences(200, seed=5, words=(100, 260))
    with tokenizer_absent(monkeypatch), FakeLowCodeAPI() as server:
        vectors = await create_many(server, mode, texts)
        usage = list(server.requests_to("/v1/embeddings"))
        plan = plan_batches(texts, max_inputs=128, model=MODEL)
    assert len(vectors) == 200 and not plan.exact
    assert len(usage) == len(plan)  # nothing rejected, nothing split
    assert sum(len(r.json["input"]) for r in usage) == 200
    assert plan.tokens == sum(estimate_tokens(t) for t in texts)
