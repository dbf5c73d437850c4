"""The connection every LlamaIndex class shares: ``max_concurrent_requests`` (a serialisable field, enforced by the
shared clients), one async client for every event loop, and ``close()`` / ``aclose()`` / ``with`` blocks."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from li_support import TOKEN, Recorder, chat_result, envelope, transports
from llama_index.core.base.llms.types import ChatMessage

import llamaindex_mistral_lca._connection as connection_module
from llamaindex_mistral_lca import (
    MistralAgentTool,
    MistralAgentToolSpec,
    MistralLCA,
    MistralLCAEmbedding,
    MistralOCRReader,
    MistralTranscriptionReader,
)
from mistral_lca import AsyncMistralLCAClient, MistralLCAClient

FIELD_CLASSES = [MistralLCA, MistralLCAEmbedding, MistralOCRReader, MistralTranscriptionReader]
FACTORIES: dict[str, Callable[..., Any]] = {
    "llm": MistralLCA,
    "embedding": MistralLCAEmbedding,
    "ocr_reader": MistralOCRReader,
    "transcription_reader": MistralTranscriptionReader,
    "agent_tool": lambda **kw: MistralAgentTool("ag_1", name="helper", **kw),
    "agent_tool_spec": MistralAgentToolSpec,
}


def _connection_of(obj: Any) -> connection_module.LCAConnection:
    connection: connection_module.LCAConnection = obj._connection
    return connection


# ---------------------------------------------------------------------------------------- max_concurrent_requests


@pytest.mark.parametrize("cls", FIELD_CLASSES)
def test_max_concurrent_requests_is_a_serialisable_field_handed_to_the_shared_clients(cls: type[Any]) -> None:
    default = cls(api_token=TOKEN)
    assert default.max_concurrent_requests == 64
    assert default.client.config.max_concurrent_requests == 64
    model = cls(api_token=TOKEN, max_concurrent_requests=5)
    assert model.to_dict()["max_concurrent_requests"] == 5
    again = cls.from_dict(model.to_dict(), api_token=TOKEN)
    assert again.max_concurrent_requests == 5
    assert again.client.config.max_concurrent_requests == 5
    assert again.aclient.config.max_concurrent_requests == 5
    with pytest.raises(ValueError, match="max_concurrent_requests"):
        cls(api_token=TOKEN, max_concurrent_requests=0)


def test_agent_tools_take_max_concurrent_requests_too() -> None:
    tool = MistralAgentTool("ag_1", name="helper", api_token=TOKEN, max_concurrent_requests=3)
    assert _connection_of(tool).aclient.config.max_concurrent_requests == 3
    spec = MistralAgentToolSpec(api_token=TOKEN, max_concurrent_requests=2)
    assert _connection_of(spec).client.config.max_concurrent_requests == 2
    assert _connection_of(MistralAgentTool("ag_1", name="h", api_token=TOKEN)).config.max_concurrent_requests == 64


@dataclass
class InFlight:
    now: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


def _reply(request: httpx.Request) -> httpx.Response:
    text = request.read().decode()
    number = text.split("call ")[1].split('"')[0]
    return httpx.Response(200, json=envelope(chat_result(f"Echo {number}")))


async def test_the_limit_holds_for_concurrent_calls(mode: str) -> None:
    limit, calls = 3, 24
    flight = InFlight()

    def handle(request: httpx.Request) -> httpx.Response:
        flight.enter()
        time.sleep(0.005)  # keep the request in flight, so that others overlap it
        flight.leave()
        return _reply(request)

    async def ahandle(request: httpx.Request) -> httpx.Response:
        flight.enter()
        await asyncio.sleep(0.005)
        flight.leave()
        return _reply(request)

    llm = MistralLCA(
        api_token=TOKEN,
        max_retries=0,
        max_concurrent_requests=limit,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(ahandle)),
    )

    def ask(i: int) -> ChatMessage:
        return ChatMessage(role="user", content=f"call {i}")

    if mode == "sync":
        with ThreadPoolExecutor(12) as pool:
            replies = list(pool.map(lambda i: llm.chat([ask(i)]).message.content, range(calls)))
    else:
        answers = await asyncio.gather(*(llm.achat([ask(i)]) for i in range(calls)))
        replies = [answer.message.content for answer in answers]
    assert replies == [f"Echo {i}" for i in range(calls)]
    assert 1 < flight.peak <= limit


# ---------------------------------------------------------------------------------------- one async client


def test_one_async_client_serves_successive_event_loops() -> None:
    recorder = Recorder(envelope(chat_result("Hi!")))
    llm = MistralLCA(api_token=TOKEN, max_retries=0, **transports(recorder))

    async def ask() -> tuple[Any, str | None]:
        reply = await llm.achat([ChatMessage(role="user", content="hi")])
        return llm.aclient, reply.message.content

    first = asyncio.run(ask())
    second = asyncio.run(ask())
    assert first == second == (llm.aclient, "Hi!")


# ---------------------------------------------------------------------------------------- close / aclose


@dataclass
class Built:
    clients: list[Any] = field(default_factory=list)
    closed: list[Any] = field(default_factory=list)


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Built:
    record = Built()

    class CountedClient(MistralLCAClient):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            record.clients.append(self)

        def close(self) -> None:
            record.closed.append(self)
            super().close()

    class CountedAsyncClient(AsyncMistralLCAClient):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            record.clients.append(self)

        async def close(self) -> None:
            record.closed.append(self)
            await super().close()

    monkeypatch.setattr(connection_module, "MistralLCAClient", CountedClient)
    monkeypatch.setattr(connection_module, "AsyncMistralLCAClient", CountedAsyncClient)
    return record


@pytest.mark.parametrize("kind", sorted(FACTORIES))
async def test_close_and_aclose_release_the_shared_clients(kind: str, built: Built) -> None:
    obj = FACTORIES[kind](api_token=TOKEN)
    obj.close()
    await obj.aclose()
    assert built.clients == []  # nothing was built, so nothing is built just to be closed

    connection = _connection_of(obj)
    sync_client, async_client = connection.client, connection.aclient
    obj.close()
    assert built.closed == [sync_client]
    await obj.aclose()
    assert built.closed == [sync_client, async_client, sync_client]


@pytest.mark.parametrize("kind", sorted(FACTORIES))
async def test_with_blocks_close_on_exit(kind: str, built: Built) -> None:
    with FACTORIES[kind](api_token=TOKEN) as obj:
        client = _connection_of(obj).client
    assert built.closed == [client]
    async with FACTORIES[kind](api_token=TOKEN) as obj:
        clients = [_connection_of(obj).aclient, _connection_of(obj).client]
    assert built.closed[1:] == clients


async def test_caller_supplied_httpx_clients_stay_open_and_the_llm_keeps_working(mode: str) -> None:
    mine = transports(Recorder(envelope(chat_result("Hi!"))))
    llm = MistralLCA(api_token=TOKEN, max_retries=0, **mine)
    message = [ChatMessage(role="user", content="hi")]
    for _ in range(2):
        reply = llm.chat(message) if mode == "sync" else await llm.achat(message)
        assert reply.message.content == "Hi!"
        llm.close()
        await llm.aclose()
        assert not mine["http_client"].is_closed
        assert not mine["async_http_client"].is_closed
