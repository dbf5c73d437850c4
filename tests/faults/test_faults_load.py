"""Load: 1,000 concurrent async chat calls and a 20,000-text embedding run complete, with the stand-in never seeing
more than ``max_concurrent_requests`` at once, and no connection or file descriptor left open once closed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from faults_support import CHAT, EMBED_MODEL, EMBEDDINGS, MODEL, TOKEN, close, fd_count, user, wait_until

from mistral_lca import AsyncMistralLCAClient, MistralLCAClient
from mistral_lca.embedding_batches import plan_batches
from mistral_lca.testing import FakeLowCodeAPI

CALLS = 1_000
TEXTS = 20_000
LIMIT = 16
EMBED_LIMIT = 8
DIMENSION = 8  # small vectors: the run is about requests, not about moving megabytes of floats
BATCH = 128

pytestmark = pytest.mark.load


@pytest.fixture
def loaded() -> Iterator[FakeLowCodeAPI]:
    """A stand-in with a little latency, so that requests really overlap; bodies are not kept."""
    with FakeLowCodeAPI(required_token=TOKEN, latency=0.002, record=False) as server:
        yield server
        assert not server.errors, server.errors[0]


def assert_released(server: FakeLowCodeAPI, fds_before: int) -> None:
    """Every connection closed (the stand-in notices asynchronously) and no descriptor left behind."""
    assert wait_until(lambda: server.open_connections == 0), f"{server.open_connections} connection(s) left open"
    assert wait_until(lambda: fd_count() <= fds_before), f"{fd_count() - fds_before} file descriptor(s) leaked"


def _texts() -> list[str]:
    return [f"text number {i}" for i in range(TEXTS)]


async def _gather_chat(send: Any) -> list[str]:
    replies = await asyncio.gather(*(send(i) for i in range(CALLS)))
    return list(replies)


def _expected_replies() -> list[str]:
    return [f"Echo: call {i}" for i in range(CALLS)]


# ---------------------------------------------------------------------------------------------- chat


async def test_core_client_1000_concurrent_chats(loaded: FakeLowCodeAPI) -> None:
    fds = fd_count()
    client = AsyncMistralLCAClient(api_token=TOKEN, base_url=loaded.base_url, max_concurrent_requests=LIMIT)

    async def send(i: int) -> str:
        reply = await client.chat.complete(model=MODEL, messages=user(f"call {i}"))
        return str(reply.choices[0].message.content)

    assert await _gather_chat(send) == _expected_replies()  # none lost, none crossed
    await client.close()
    assert loaded.path_counts[CHAT] == CALLS  # none duplicated
    assert 1 < loaded.max_in_flight <= LIMIT
    assert loaded.stats.max_open_connections <= LIMIT
    assert_released(loaded, fds)


async def test_core_client_concurrent_streams_hold_their_slot(loaded: FakeLowCodeAPI) -> None:
    fds = fd_count()
    loaded.config.stream_delay = 0.001
    client = AsyncMistralLCAClient(api_token=TOKEN, base_url=loaded.base_url, max_concurrent_requests=4)

    async def stream(i: int) -> str:
        parts = []
        async with client.chat.stream(model=MODEL, messages=user(f"stream {i} a b c")) as events:
            async for event in events:
                parts.append(event.data.choices[0].delta.content or "")
        return "".join(str(p) for p in parts)

    replies = await asyncio.gather(*(stream(i) for i in range(100)))
    assert replies == [f"Echo: stream {i} a b c" for i in range(100)]
    await client.close()
    assert loaded.max_in_flight <= 4
    assert_released(loaded, fds)


def test_sync_client_shared_by_threads_respects_the_limit(loaded: FakeLowCodeAPI) -> None:
    fds = fd_count()
    client = MistralLCAClient(api_token=TOKEN, base_url=loaded.base_url, max_concurrent_requests=4)
    start = threading.Barrier(32)

    def send(i: int) -> str:
        if i < 32:
            start.wait()  # all threads hit the lazily built pool at once
        return str(client.chat.complete(model=MODEL, messages=user(f"call {i}")).choices[0].message.content)

    with ThreadPoolExecutor(32) as pool:
        replies = list(pool.map(send, range(300)))
    client.close()
    assert replies == [f"Echo: call {i}" for i in range(300)]
    assert loaded.max_in_flight <= 4
    assert loaded.stats.max_open_connections <= 4
    assert_released(loaded, fds)


async def test_langchain_1000_concurrent_chats(loaded: FakeLowCodeAPI) -> None:
    from langchain_mistral_lca import ChatMistralLCA

    fds = fd_count()
    llm = ChatMistralLCA(api_token=TOKEN, base_url=loaded.base_url, max_concurrent_requests=LIMIT)

    async def send(i: int) -> str:
        return str((await llm.ainvoke(f"call {i}")).text)

    assert await _gather_chat(send) == _expected_replies()
    await llm.async_client.close()
    assert loaded.path_counts[CHAT] == CALLS
    assert 1 < loaded.max_in_flight <= LIMIT
    assert_released(loaded, fds)


async def test_llamaindex_1000_concurrent_chats(loaded: FakeLowCodeAPI) -> None:
    from llama_index.core.llms import ChatMessage

    from llamaindex_mistral_lca import MistralLCA

    fds = fd_count()
    llm = MistralLCA(api_token=TOKEN, base_url=loaded.base_url, max_concurrent_requests=LIMIT)

    async def send(i: int) -> str:
        return str((await llm.achat([ChatMessage(role="user", content=f"call {i}")])).message.content)

    assert await _gather_chat(send) == _expected_replies()
    await llm.aclient.close()
    assert loaded.path_counts[CHAT] == CALLS
    assert 1 < loaded.max_in_flight <= LIMIT
    assert_released(loaded, fds)


async def test_llamaindex_1000_concurrent_chats_complete_and_release(loaded: FakeLowCodeAPI) -> None:
    """Without a limit of its own the adapter is bounded by the shared client's connection pool."""
    from llama_index.core.llms import ChatMessage

    from llamaindex_mistral_lca import MistralLCA

    fds = fd_count()
    llm = MistralLCA(api_token=TOKEN, base_url=loaded.base_url)
    gate = asyncio.Semaphore(LIMIT)  # the caller's own bound, as LlamaIndex workflows apply (num_workers)

    async def send(i: int) -> str:
        async with gate:
            return str((await llm.achat([ChatMessage(role="user", content=f"call {i}")])).message.content)

    assert await _gather_chat(send) == _expected_replies()
    await llm.aclient.close()
    assert loaded.path_counts[CHAT] == CALLS
    assert loaded.max_in_flight <= LIMIT
    assert_released(loaded, fds)


# ---------------------------------------------------------------------------------------------- embeddings


def _check_vectors(server: FakeLowCodeAPI, texts: list[str], vectors: list[list[float]]) -> None:
    assert len(vectors) == len(texts)
    assert all(len(v) == DIMENSION for v in vectors)
    probe = list(range(0, len(texts), 997))  # spot-check order against one direct request
    with MistralLCAClient(api_token=TOKEN, base_url=server.base_url) as client:
        direct = client.embeddings.create(
            model=EMBED_MODEL, inputs=[texts[i] for i in probe], output_dimension=DIMENSION
        ).vectors()
    assert [vectors[i] for i in probe] == direct


def _expected_requests(texts: list[str]) -> int:
    return len(plan_batches(texts, max_inputs=BATCH, model=EMBED_MODEL))


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_langchain_20000_text_embedding_run(loaded: FakeLowCodeAPI, mode: str) -> None:
    from langchain_mistral_lca import MistralLCAEmbeddings

    fds = fd_count()
    texts = _texts()
    embeddings = MistralLCAEmbeddings(
        api_token=TOKEN,
        base_url=loaded.base_url,
        output_dimension=DIMENSION,
        max_batch_size=BATCH,
        max_concurrent_requests=EMBED_LIMIT,
    )
    if mode == "sync":
        vectors = embeddings.embed_documents(texts)
        embeddings.client.close()
    else:
        vectors = await embeddings.aembed_documents(texts)
        await embeddings.async_client.close()
    assert loaded.path_counts[EMBEDDINGS] == _expected_requests(texts)
    assert 1 < loaded.max_in_flight <= EMBED_LIMIT
    _check_vectors(loaded, texts, vectors)
    assert_released(loaded, fds)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_llamaindex_20000_text_embedding_run(loaded: FakeLowCodeAPI, mode: str) -> None:
    from llamaindex_mistral_lca import MistralLCAEmbedding

    fds = fd_count()
    texts = _texts()
    model = MistralLCAEmbedding(
        api_token=TOKEN,
        base_url=loaded.base_url,
        output_dimension=DIMENSION,
        embed_batch_size=BATCH,
        num_workers=EMBED_LIMIT,
    )
    if mode == "sync":
        vectors = model.get_text_embedding_batch(texts)
        model.client.close()
    else:
        vectors = await model.aget_text_embedding_batch(texts)
        await model.aclient.close()
    assert loaded.path_counts[EMBEDDINGS] == _expected_requests(texts)
    assert 1 < loaded.max_in_flight <= EMBED_LIMIT
    _check_vectors(loaded, texts, vectors)
    assert_released(loaded, fds)


async def test_core_client_20000_text_embedding_run(loaded: FakeLowCodeAPI) -> None:
    fds = fd_count()
    texts = _texts()
    async with AsyncMistralLCAClient(
        api_token=TOKEN, base_url=loaded.base_url, max_concurrent_requests=EMBED_LIMIT
    ) as client:
        vectors = await client.embeddings.create_many(
            texts, model=EMBED_MODEL, output_dimension=DIMENSION, texts_per_request=BATCH, max_concurrent_requests=64
        )
    assert loaded.path_counts[EMBEDDINGS] == _expected_requests(texts)
    assert 1 < loaded.max_in_flight <= EMBED_LIMIT
    _check_vectors(loaded, texts, vectors)
    assert_released(loaded, fds)


async def test_closing_twice_and_reusing_after_close_is_safe(loaded: FakeLowCodeAPI, mode: str) -> None:
    cls = MistralLCAClient if mode == "sync" else AsyncMistralLCAClient
    fds = fd_count()
    client = cls(api_token=TOKEN, base_url=loaded.base_url)
    for _ in range(2):
        reply = client.chat.complete(model=MODEL, messages=user("x"))
        if not isinstance(client, MistralLCAClient):
            reply = await reply
        assert reply.choices
        await close(client)
        await close(client)
    assert_released(loaded, fds)
