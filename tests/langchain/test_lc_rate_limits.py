"""LangChain classes against a rate-limited stand-in: corpora and batches finish, 429s stay rare, options reach the
shared client, one limiter can be shared, langchain-core's own rate limiter keeps working, nothing is serialised."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langchain_core.load import dumpd, dumps
from langchain_core.rate_limiters import InMemoryRateLimiter

from langchain_mistral_lca import ChatMistralLCA, MistralAgentTool, MistralLCAEmbeddings, MistralLCAFIM
from langchain_mistral_lca.document_loaders import MistralOCRLoader
from mistral_lca import RateLimiter, RateLimitError
from mistral_lca.testing import FakeLowCodeAPI, RateLimits

TOKEN = "at_SECRET_langchain_limits"


@pytest.fixture
def fake(rate_limited_stand_in: Any) -> FakeLowCodeAPI:
    server: FakeLowCodeAPI = rate_limited_stand_in(requests_per_second=50, tokens_per_minute=1_000_000)
    return server


def _texts(n: int) -> list[str]:
    return [f"chunk {i}: " + "the quick brown fox jumps over the lazy dog " * 20 for i in range(n)]


def test_embedding_a_corpus_at_the_limit_fails_nothing(fake: FakeLowCodeAPI, mode: str) -> None:
    embeddings = MistralLCAEmbeddings(api_key=TOKEN, base_url=fake.base_url, max_batch_size=4)
    texts = _texts(240)  # 60 requests: more than a second's budget
    sync = mode == "sync"
    vectors = embeddings.embed_documents(texts) if sync else asyncio.run(embeddings.aembed_documents(texts))
    assert len(vectors) == 240
    requests = fake.count("/v1/embeddings")
    assert requests - fake.stats.rate_limited == 60
    assert fake.stats.rate_limited <= 6


def test_chat_batch_at_the_limit_fails_nothing(fake: FakeLowCodeAPI, mode: str) -> None:
    chat = ChatMistralLCA(api_key=TOKEN, base_url=fake.base_url)
    prompts = [f"question {i}" for i in range(60)]
    replies = chat.batch(prompts) if mode == "sync" else asyncio.run(chat.abatch(prompts))
    assert [r.content for r in replies] == [f"Echo: question {i}" for i in range(60)]
    assert fake.stats.rate_limited <= 6


def test_rate_limit_wait_zero_surfaces_the_429(mode: str) -> None:
    with FakeLowCodeAPI(rate_limits=RateLimits(requests_per_minute=1, headers=())) as fake:
        chat = ChatMistralLCA(api_key=TOKEN, base_url=fake.base_url, rate_limit_wait=0, max_retries=3)
        chat.invoke("first")
        with pytest.raises(RateLimitError):
            chat.invoke("second") if mode == "sync" else asyncio.run(chat.ainvoke("second"))
        assert fake.count("/v1/chat/completions") == 2


def test_every_class_takes_the_options_and_a_shared_limiter(tmp_path: Path) -> None:
    limiter = RateLimiter()
    common = {
        "api_key": TOKEN,
        "base_url": "http://127.0.0.1:9/mistralai",
        "rate_limit_wait": 30,
        "requests_per_second": 5,
        "tokens_per_minute": 100_000,
        "rate_limiter": limiter,
    }
    objects = [
        ChatMistralLCA(**common),
        MistralLCAFIM(**common),
        MistralLCAEmbeddings(**common),
        MistralAgentTool(agent_id="ag_1", name="helper", description="d", **common),
        MistralOCRLoader(file_path=str(tmp_path / "x.pdf"), **common),
    ]
    for obj in objects:
        client = obj.client
        assert client.rate_limiter is limiter, type(obj).__name__
        assert obj.async_client.rate_limiter is limiter
        assert client.config.rate_limit_wait == 30
        assert (client.config.requests_per_second, client.config.tokens_per_minute) == (5, 100_000)
    windows = limiter.snapshot().windows
    assert windows["cap:requests"].period == 0.2 and windows["cap:tokens"].limit == 100_000


def test_without_a_limiter_objects_of_one_token_share_one() -> None:
    base = "http://127.0.0.1:9/mistralai"
    chat = ChatMistralLCA(api_key=TOKEN, base_url=base)
    embeddings = MistralLCAEmbeddings(api_key=TOKEN, base_url=base)
    other = MistralLCAEmbeddings(api_key="at_another_key", base_url=base)
    assert chat.client.rate_limiter is embeddings.async_client.rate_limiter
    assert other.client.rate_limiter is not chat.client.rate_limiter


def test_langchain_cores_own_rate_limiter_still_works_beside_ours() -> None:
    theirs = InMemoryRateLimiter(requests_per_second=100)
    chat = ChatMistralLCA(api_key=TOKEN, base_url="http://127.0.0.1:9/mistralai", rate_limiter=theirs)
    assert chat.rate_limiter is theirs  # langchain-core's field, acquired by BaseChatModel before each call
    assert isinstance(chat.client.rate_limiter, RateLimiter)


def test_the_limiter_and_its_options_stay_out_of_serialisation() -> None:
    limiter = RateLimiter()
    chat = ChatMistralLCA(api_key=TOKEN, rate_limiter=limiter, rate_limit_wait=5)
    kwargs = dumpd(chat)["kwargs"]
    assert "rate_limiter" not in kwargs
    assert kwargs["rate_limit_wait"] == 5
    text = dumps(chat)
    assert "RateLimiter" not in text and TOKEN not in text
    assert chat.model_copy().client.rate_limiter is limiter
