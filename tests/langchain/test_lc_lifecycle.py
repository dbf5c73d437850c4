"""Releasing connection pools: ``close()`` / ``aclose()`` and ``with`` blocks on every class, caller-supplied httpx
clients left open, and the agent tool's constructors reusing (or closing) the client they talk through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from lc_support import FACTORIES, TOKEN, Recorder, chat_responder, chat_result, envelope

import langchain_mistral_lca._settings as settings_module
from langchain_mistral_lca import (
    ChatMistralLCA,
    MistralAgentTool,
)
from mistral_lca import AsyncMistralLCAClient, MistralLCAClient, NotFoundError

AGENT = {"id": "ag_0199aabbccdd", "object": "agent", "name": "Helper", "model": "mistral-medium-latest"}


@dataclass
class Built:
    """Shared clients built through the adapter's settings, and which of them were closed."""

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

    monkeypatch.setattr(settings_module, "MistralLCAClient", CountedClient)
    monkeypatch.setattr(settings_module, "AsyncMistralLCAClient", CountedAsyncClient)
    return record


def _caller_clients() -> dict[str, Any]:
    transport = httpx.MockTransport(Recorder(chat_responder(chat_result("Hi!"))))
    return {
        "http_client": httpx.Client(transport=transport),
        "http_async_client": httpx.AsyncClient(transport=transport),
    }


@pytest.mark.parametrize("kind", sorted(FACTORIES))
async def test_close_and_aclose_release_the_shared_clients(kind: str, built: Built) -> None:
    obj = FACTORIES[kind]({"api_token": TOKEN})
    obj.close()
    await obj.aclose()
    assert built.clients == []  # nothing was built, so nothing is built just to be closed

    sync_client, async_client = obj.client, obj.async_client
    obj.close()
    assert built.closed == [sync_client]
    await obj.aclose()
    assert built.closed == [sync_client, async_client, sync_client]


@pytest.mark.parametrize("kind", sorted(FACTORIES))
async def test_with_blocks_close_on_exit(kind: str, built: Built) -> None:
    with FACTORIES[kind]({"api_token": TOKEN}) as obj:
        client = obj.client
    assert built.closed == [client]
    async with FACTORIES[kind]({"api_token": TOKEN}) as obj:
        clients = [obj.async_client, obj.client]
    assert built.closed[1:] == clients


async def test_caller_supplied_httpx_clients_stay_open_and_the_model_keeps_working(mode: str) -> None:
    mine = _caller_clients()
    llm = ChatMistralLCA(api_token=TOKEN, **mine)
    for _ in range(2):
        reply = llm.invoke("hi") if mode == "sync" else await llm.ainvoke("hi")
        assert reply.text == "Hi!"
        llm.close()
        await llm.aclose()
        assert not mine["http_client"].is_closed
        assert not mine["http_async_client"].is_closed


def _agent_api(status: int = 200) -> Recorder:
    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        if status != 200:
            return httpx.Response(status, json={"message": "No such agent"})
        if request.url.path.endswith("/v1/agents/completions"):
            return httpx.Response(200, json=envelope(chat_result("Done.", model="mistral-medium-latest")))
        return httpx.Response(200, json=envelope({**AGENT, **body}))

    return Recorder(respond)


async def _build_tool(how: str, mode: str, settings: dict[str, Any]) -> MistralAgentTool:
    if how == "from_agent_id":
        if mode == "sync":
            return MistralAgentTool.from_agent_id(AGENT["id"], **settings)
        return await MistralAgentTool.afrom_agent_id(AGENT["id"], **settings)
    if mode == "sync":
        return MistralAgentTool.create(name="Helper", **settings)
    return await MistralAgentTool.acreate(name="Helper", **settings)


@pytest.mark.parametrize("how", ["from_agent_id", "create"])
async def test_agent_tool_constructors_reuse_their_client_for_the_tool(how: str, mode: str, built: Built) -> None:
    recorder = _agent_api()
    tool = await _build_tool(how, mode, {"api_token": TOKEN, **recorder.clients()})
    assert (tool.agent_id, tool.name) == (AGENT["id"], "helper")
    assert built.closed == []
    [client] = built.clients  # one shared client, built for the lookup and kept by the tool
    assert client is (tool.client if mode == "sync" else tool.async_client)
    result = tool.invoke({"input": "go"}) if mode == "sync" else await tool.ainvoke({"input": "go"})
    assert result == "Done."
    assert len(built.clients) == 1
    assert recorder.last["agent_id"] == AGENT["id"]


@pytest.mark.parametrize("how", ["from_agent_id", "create"])
async def test_agent_tool_constructors_close_their_client_when_the_request_fails(
    how: str, mode: str, built: Built
) -> None:
    recorder = _agent_api(status=404)
    with pytest.raises(NotFoundError):
        await _build_tool(how, mode, {"api_token": TOKEN, "max_retries": 0, **recorder.clients()})
    [client] = built.clients
    assert built.closed == [client]
