"""Resources under stress: one client across event loops, threads racing on first use, abandoned streams, and
streams returning their connection to the pool. Nothing may leak: connections, descriptors or concurrency slots."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from faults_support import MODEL, TOKEN, fd_count, user, wait_until

import mistral_lca._transport as transport
from mistral_lca import AsyncMistralLCAClient, MistralLCAClient
from mistral_lca.testing import FakeLowCodeAPI, Fault


@pytest.fixture
def server() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI(required_token=TOKEN) as fake:
        yield fake
        assert not fake.errors, fake.errors[0]


def released(fake: FakeLowCodeAPI, fds_before: int) -> bool:
    gc.collect()  # pools dropped with an event loop are released by the collector
    return wait_until(lambda: fake.open_connections == 0, timeout=3) and wait_until(
        lambda: fd_count() <= fds_before, timeout=3
    )


def test_one_async_client_serves_several_event_loops(server: FakeLowCodeAPI) -> None:
    fds = fd_count()
    client = AsyncMistralLCAClient(api_token=TOKEN, base_url=server.base_url)
    for i in range(3):  # asyncio.run closes its loop each time; pooled connections belonged to it
        reply = asyncio.run(client.chat.complete(model=MODEL, messages=user(f"loop {i}")))
        assert reply.choices[0].message.content == f"Echo: loop {i}"
    asyncio.run(client.close())  # from yet another loop: no error
    assert released(server, fds)


def test_langchain_chat_model_serves_several_event_loops(server: FakeLowCodeAPI) -> None:
    from langchain_mistral_lca import ChatMistralLCA

    fds = fd_count()
    llm = ChatMistralLCA(api_token=TOKEN, base_url=server.base_url)
    for i in range(3):
        assert asyncio.run(llm.ainvoke(f"loop {i}")).text == f"Echo: loop {i}"
    asyncio.run(llm.async_client.close())
    assert released(server, fds)


def test_llamaindex_llm_serves_several_event_loops(server: FakeLowCodeAPI) -> None:
    from llama_index.core.llms import ChatMessage

    from llamaindex_mistral_lca import MistralLCA

    fds = fd_count()
    llm = MistralLCA(api_token=TOKEN, base_url=server.base_url)
    for i in range(3):
        reply = asyncio.run(llm.achat([ChatMessage(role="user", content=f"loop {i}")]))
        assert reply.message.content == f"Echo: loop {i}"

    async def close() -> None:
        await llm.aclient.close()

    asyncio.run(close())
    assert released(server, fds)


def test_threads_racing_on_first_use_share_one_pool(server: FakeLowCodeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    real = transport.shared_ssl_context

    def slow_ssl_context() -> Any:
        time.sleep(0.02)  # widen the window in which every thread sees "no pool yet"
        return real()

    monkeypatch.setattr(transport, "shared_ssl_context", slow_ssl_context)
    fds = fd_count()
    client = MistralLCAClient(api_token=TOKEN, base_url=server.base_url)
    start = threading.Barrier(16)
    pools: set[int] = set()

    def send(i: int) -> str:
        start.wait()
        reply = client.chat.complete(model=MODEL, messages=user(f"t{i}"))
        pools.add(id(client._sender.http))
        return str(reply.choices[0].message.content)

    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(send, range(16))) == [f"Echo: t{i}" for i in range(16)]
    assert len(pools) == 1
    client.close()
    assert wait_until(lambda: server.open_connections == 0, timeout=3), "a pool built by a racing thread leaked"
    assert wait_until(lambda: fd_count() <= fds, timeout=3)


def test_streams_return_their_connection_to_the_pool(server: FakeLowCodeAPI) -> None:
    with MistralLCAClient(api_token=TOKEN, base_url=server.base_url) as client:
        for i in range(20):
            events = list(client.chat.stream(model=MODEL, messages=user(f"s{i} a b c")))
            assert events
    assert server.stats.total_connections == 1


async def test_async_streams_return_their_connection_to_the_pool(server: FakeLowCodeAPI) -> None:
    async with AsyncMistralLCAClient(api_token=TOKEN, base_url=server.base_url) as client:
        for i in range(20):
            events = [e async for e in client.chat.stream(model=MODEL, messages=user(f"s{i} a b c"))]
            assert events
    assert server.stats.total_connections == 1


def test_a_closed_or_abandoned_sync_stream_frees_its_slot(server: FakeLowCodeAPI) -> None:
    with MistralLCAClient(api_token=TOKEN, base_url=server.base_url, max_concurrent_requests=1) as client:
        with client.chat.stream(model=MODEL, messages=user("a b c d e f")) as stream:
            next(stream)  # one event, then leave
        stream = client.chat.stream(model=MODEL, messages=user("a b c d e f"))
        next(stream)
        del stream  # abandoned without close: the generator is finalised and gives the slot back
        gc.collect()
        done: list[Any] = []
        worker = threading.Thread(target=lambda: done.append(client.chat.complete(model=MODEL, messages=user("x"))))
        worker.start()
        worker.join(10)
        assert done, "the slot of an abandoned stream was never released"


async def test_a_closed_or_broken_async_stream_frees_its_slot(server: FakeLowCodeAPI) -> None:
    async with AsyncMistralLCAClient(api_token=TOKEN, base_url=server.base_url, max_concurrent_requests=1) as client:
        async with client.chat.stream(model=MODEL, messages=user("a b c d e f")) as stream:
            async for _ in stream:
                break
        server.faults.add(Fault("cut_stream", events=2))
        with pytest.raises(Exception, match="interrupted"):
            async for _ in client.chat.stream(model=MODEL, messages=user("a b c d e f")):
                pass
        reply = await asyncio.wait_for(client.chat.complete(model=MODEL, messages=user("x")), 10)
        assert reply.choices


async def test_a_cancelled_request_frees_its_slot(server: FakeLowCodeAPI) -> None:
    server.faults.add(Fault("stall", seconds=1.0))
    async with AsyncMistralLCAClient(api_token=TOKEN, base_url=server.base_url, max_concurrent_requests=1) as client:
        stalled = asyncio.ensure_future(client.chat.complete(model=MODEL, messages=user("slow")))
        await asyncio.sleep(0.1)
        stalled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stalled
        reply = await asyncio.wait_for(client.chat.complete(model=MODEL, messages=user("x")), 10)
        assert reply.choices[0].message.content == "Echo: x"


def test_max_concurrent_requests_is_validated() -> None:
    from mistral_lca import ConfigurationError

    for bad in (0, -1, 1.5, True, "4"):
        with pytest.raises(ConfigurationError, match="max_concurrent_requests"):
            MistralLCAClient(api_token=TOKEN, max_concurrent_requests=bad)  # type: ignore[arg-type]
    assert MistralLCAClient(api_token=TOKEN, max_concurrent_requests=3).config.max_concurrent_requests == 3
