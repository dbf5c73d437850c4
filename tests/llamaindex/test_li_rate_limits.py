"""LlamaIndex classes against a rate-limited stand-in: corpora and ``achat`` fan-outs finish, 429s stay rare, options
reach the shared client, one limiter can be shared, llama-index-core's own rate limiter keeps working, ``to_dict``
never holds the limiter."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage
from llama_index.core.rate_limiter import TokenBucketRateLimiter

from llamaindex_mistral_lca import (
    MistralAgentTool,
    MistralAgentToolSpec,
    MistralLCA,
    MistralLCAEmbedding,
    MistralOCRReader,
    MistralTranscriptionReader,
)
from mistral_lca import RateLimiter, RateLimitError
from mistral_lca.testing import FakeLowCodeAPI, RateLimits

TOKEN = "at_SECRET_llamaindex_limits"
NOWHERE = "http://127.0.0.1:9/mistralai"


@pytest.fixture
def fake(rate_limited_stand_in: Any) -> FakeLowCodeAPI:
    server: FakeLowCodeAPI = rate_limited_stand_in(requests_per_second=50, tokens_per_minute=1_000_000)
    return server


def test_embedding_a_corpus_at_the_limit_fails_nothing(fake: FakeLowCodeAPI, mode: str) -> None:
    embedding = MistralLCAEmbedding(api_token=TOKEN, base_url=fake.base_url, embed_batch_size=4)
    texts = [f"node {i}: " + "a sentence about rate limits and patience " * 20 for i in range(240)]
    if mode == "sync":
        vectors = embedding.get_text_embedding_batch(texts)
    else:
        vectors = asyncio.run(embedding.aget_text_embedding_batch(texts))
    assert len(vectors) == 240
    assert fake.count("/v1/embeddings") - fake.stats.rate_limited == 60
    assert fake.stats.rate_limited <= 6


def test_achat_fan_out_at_the_limit_fails_nothing(fake: FakeLowCodeAPI) -> None:
    llm = MistralLCA(api_token=TOKEN, base_url=fake.base_url)

    async def main() -> list[Any]:
        return list(await asyncio.gather(*(llm.achat([ChatMessage(role="user", content=f"q{i}")]) for i in range(60))))

    replies = asyncio.run(main())
    assert [r.message.content for r in replies] == [f"Echo: q{i}" for i in range(60)]
    assert fake.stats.rate_limited <= 6


def test_rate_limit_wait_zero_surfaces_the_429(mode: str) -> None:
    with FakeLowCodeAPI(rate_limits=RateLimits(requests_per_minute=1, headers=())) as fake:
        llm = MistralLCA(api_token=TOKEN, base_url=fake.base_url, rate_limit_wait=0)
        messages = [ChatMessage(role="user", content="hi")]
        llm.chat(messages)
        with pytest.raises(RateLimitError):
            llm.chat(messages) if mode == "sync" else asyncio.run(llm.achat(messages))
        assert fake.count("/v1/chat/completions") == 2


def test_every_class_takes_the_options_and_a_shared_limiter() -> None:
    limiter = RateLimiter()
    options: dict[str, Any] = {
        "api_token": TOKEN,
        "base_url": NOWHERE,
        "rate_limit_wait": 30,
        "requests_per_second": 5,
        "tokens_per_minute": 100_000,
        "rate_limiter": limiter,
    }
    objects = [
        MistralLCA(**options),
        MistralLCAEmbedding(**options),
        MistralOCRReader(**options),
        MistralTranscriptionReader(**options),
        MistralAgentTool("ag_1", name="helper", description="d", **options),
        MistralAgentToolSpec(**options),
    ]
    for obj in objects:
        connection = obj._connection
        assert connection.client.rate_limiter is limiter, type(obj).__name__
        assert connection.aclient.rate_limiter is limiter
        config = connection.client.config
        assert (config.rate_limit_wait, config.requests_per_second, config.tokens_per_minute) == (30, 5, 100_000)


def test_without_a_limiter_objects_of_one_token_share_one() -> None:
    llm = MistralLCA(api_token=TOKEN, base_url=NOWHERE)
    embedding = MistralLCAEmbedding(api_token=TOKEN, base_url=NOWHERE)
    assert llm.client.rate_limiter is embedding.aclient.rate_limiter


def test_llama_index_cores_own_rate_limiter_still_works_beside_ours() -> None:
    theirs = TokenBucketRateLimiter(requests_per_minute=600)
    llm = MistralLCA(api_token=TOKEN, base_url=NOWHERE, rate_limiter=theirs)
    assert llm.rate_limiter is theirs  # llama-index-core's field, acquired once per call by its decorators
    assert isinstance(llm.client.rate_limiter, RateLimiter)


def test_to_dict_and_pickles_never_hold_our_limiter() -> None:
    limiter = RateLimiter()
    embedding = MistralLCAEmbedding(api_token=TOKEN, base_url=NOWHERE, rate_limiter=limiter, rate_limit_wait=5)
    data = embedding.to_dict()
    assert data["rate_limit_wait"] == 5 and data.get("rate_limiter") is None
    assert "RateLimiter" not in embedding.to_json() and TOKEN not in embedding.to_json()
    copy = pickle.loads(pickle.dumps(embedding))
    assert copy.client.rate_limiter is not limiter  # a copy paces with the shared limiter of its process
    assert copy.rate_limit_wait == 5
