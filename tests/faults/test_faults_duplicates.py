"""No duplicates: a creating call that may have reached the server is not retried, and a stream that already
delivered events is never replayed into the caller's output (client and both adapters, sync and async)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from faults_support import (
    AGENTS,
    BATCH_JOBS,
    CHAT,
    FILES,
    MODEL,
    TOKEN,
    call,
    drain,
    fast_policy,
    make_client,
    record_sleeps,
    user,
    wait_until,
)

from mistral_lca import APIConnectionError, APITimeoutError, MistralLCAError, ServerError, StreamError
from mistral_lca.testing import FakeLowCodeAPI, Fault

PDF = b"%PDF-1.4\n" + b"x" * 4096 + b"\n%%EOF\n"
SENTENCE = "alpha beta gamma delta epsilon zeta eta theta iota kappa"

MAY_HAVE_TAKEN_EFFECT: list[tuple[str, Any, type[Exception]]] = [
    ("500", lambda path: Fault("status", path=path, status=500), ServerError),
    ("502", lambda path: Fault("status", path=path, status=502), ServerError),
    ("503", lambda path: Fault("status", path=path, status=503), ServerError),
    ("504", lambda path: Fault("status", path=path, status=504), ServerError),
    ("html", lambda path: Fault("html", path=path), ServerError),
    ("reset", lambda path: Fault("reset", path=path), APIConnectionError),
    ("stall", lambda path: Fault("stall", path=path, seconds=0.6), APITimeoutError),
]


def _creators(tmp_path: Path) -> dict[str, tuple[str, Any]]:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    return {
        "files.upload(path)": (FILES, lambda c: c.files.upload(file=pdf, purpose="ocr")),
        "files.upload(bytes)": (FILES, lambda c: c.files.upload(file=("r.pdf", PDF), purpose="ocr")),
        "agents.create": (AGENTS, lambda c: c.agents.create(model=MODEL, name="helper", instructions="Be brief.")),
        "batch.jobs.create": (
            BATCH_JOBS,
            lambda c: c.batch.jobs.create(
                endpoint="/v1/chat/completions",
                model=MODEL,
                requests=[{"custom_id": "1", "body": {"messages": user("hi")}}],
            ),
        ),
    }


def _stored(fake: FakeLowCodeAPI, path: str) -> int:
    store = {FILES: fake.state.files, AGENTS: fake.state.agents, BATCH_JOBS: fake.state.batch_jobs}[path]
    return len(store)


CREATORS = ["files.upload(path)", "files.upload(bytes)", "agents.create", "batch.jobs.create"]


@pytest.mark.parametrize("creator", CREATORS)
@pytest.mark.parametrize(
    ("name", "fault", "error"), MAY_HAVE_TAKEN_EFFECT, ids=[n for n, _, _ in MAY_HAVE_TAKEN_EFFECT]
)
async def test_a_creating_call_that_may_have_taken_effect_is_not_retried(
    fake: FakeLowCodeAPI, client_factory: Any, tmp_path: Path, creator: str, name: str, fault: Any, error: type
) -> None:
    path, create = _creators(tmp_path)[creator]
    client = client_factory(policy=fast_policy(3), timeout=0.3)
    fake.faults.add(fault(path))
    with pytest.raises(error):
        await call(lambda: create(client))
    assert fake.count(path, "POST") == 1
    assert client.sleeps == []
    if name == "stall":
        # The server finished the request after we gave up: a retry would have made a second object.
        assert wait_until(lambda: _stored(fake, path) == 1)
    assert _stored(fake, path) <= 1


@pytest.mark.parametrize("creator", CREATORS)
async def test_a_creating_call_rejected_with_429_is_retried_and_creates_once(
    fake: FakeLowCodeAPI, client_factory: Any, tmp_path: Path, creator: str
) -> None:
    path, create = _creators(tmp_path)[creator]
    client = client_factory(policy=fast_policy(3))
    fake.faults.add(Fault("status", path=path, status=429, retry_after=0.05, retry_after_in="envelope", times=2))
    created = await call(lambda: create(client))
    assert created.id
    assert fake.count(path, "POST") == 3
    assert client.sleeps == [0.05, 0.05]
    assert _stored(fake, path) == 1


async def test_an_upload_retried_after_429_sends_the_whole_file_again(
    fake: FakeLowCodeAPI, client_factory: Any, tmp_path: Path
) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    client = client_factory(policy=fast_policy(2))
    fake.faults.add(Fault("status", path=FILES, status=429))
    uploaded = await call(lambda: client.files.upload(file=pdf, purpose="ocr"))
    [stored] = fake.state.files.values()
    assert stored.data == PDF
    assert uploaded.bytes == len(PDF)
    bodies = [r.body for r in fake.requests_to(FILES, "POST")]
    assert len(bodies) == 2
    assert all(PDF in body for body in bodies)


async def test_a_creating_call_is_retried_when_the_connection_was_never_made(mode: str) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeLowCodeAPI(required_token=TOKEN)  # only for its base URL shape; never started
    client = make_client(fake, mode, policy=fast_policy(2), base_url=f"http://127.0.0.1:{port}/mistralai")
    try:
        with pytest.raises(APIConnectionError) as caught:
            await call(lambda: client.files.upload(file=("a.pdf", PDF), purpose="ocr"))
        assert caught.value.reached_server is False
        assert len(client.sleeps) == 2  # surely not sent: safe to retry
    finally:
        result = client.close()
        if result is not None:
            await result


# ---------------------------------------------------------------------------------------------- streams

BROKEN_AFTER: list[tuple[str, Any]] = [
    ("cut-1", lambda: Fault("cut_stream", path=CHAT, events=1)),
    ("cut-4", lambda: Fault("cut_stream", path=CHAT, events=4)),
    ("cut-4-graceful", lambda: Fault("cut_stream", path=CHAT, events=4, graceful=True)),
    ("malformed-3", lambda: Fault("malformed_sse", path=CHAT, events=3)),
]


@pytest.mark.parametrize(("name", "fault"), BROKEN_AFTER, ids=[n for n, _ in BROKEN_AFTER])
async def test_a_stream_that_delivered_events_is_never_replayed(
    fake: FakeLowCodeAPI, client_factory: Any, name: str, fault: Any
) -> None:
    client = client_factory(policy=fast_policy(3))
    clean, error = await drain(client.chat.stream(model=MODEL, messages=user(SENTENCE)))
    assert error is None
    fake.reset()
    injected = fault()
    fake.faults.add(injected)
    events, error = await drain(client.chat.stream(model=MODEL, messages=user(SENTENCE)))
    assert isinstance(error, StreamError)
    assert f"after {injected.events} event(s)" in str(error)
    assert len(events) == injected.events
    assert [e.data.choices for e in events] == [e.data.choices for e in clean[: injected.events]]
    assert fake.count(CHAT) == 1
    assert client.sleeps == []


async def test_a_stream_stalling_mid_body_is_not_replayed(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory(policy=fast_policy(3), timeout=0.3)
    fake.config.stream_delay = 0.6  # the second event comes after the read timeout
    events, error = await drain(client.chat.stream(model=MODEL, messages=user(SENTENCE)))
    assert isinstance(error, StreamError)
    assert isinstance(error.__cause__, APITimeoutError)
    assert len(events) == 1
    assert fake.count(CHAT) == 1


async def test_an_agent_completion_stream_is_not_replayed(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory(policy=fast_policy(3))
    agent = await call(lambda: client.agents.create(model=MODEL, name="helper"))
    fake.faults.add(Fault("cut_stream", path="/v1/agents/completions", events=2))
    events, error = await drain(client.agents.stream(agent_id=agent.id, messages=user(SENTENCE)))
    assert isinstance(error, StreamError)
    assert len(events) == 2
    assert fake.count("/v1/agents/completions") == 1


async def test_a_conversation_stream_creates_state_so_it_is_never_retried(
    fake: FakeLowCodeAPI, client_factory: Any
) -> None:
    client = client_factory(policy=fast_policy(3))
    fake.faults.add(Fault("cut_stream", path="/v1/conversations", events=0))
    events, error = await drain(client.conversations.start_stream(model=MODEL, inputs="hello"))
    assert events == []
    assert isinstance(error, MistralLCAError)
    assert fake.count("/v1/conversations", "POST") == 1


# ---------------------------------------------------------------------------------------------- adapters


async def test_langchain_stream_is_not_replayed_after_a_cut(fake: FakeLowCodeAPI, mode: str) -> None:
    from langchain_mistral_lca import ChatMistralLCA

    llm = ChatMistralLCA(api_token=TOKEN, base_url=fake.base_url, max_retries=3)
    full = (await llm.ainvoke(SENTENCE)).text
    fake.reset()
    fake.faults.add(Fault("cut_stream", path=CHAT, events=4))
    chunks: list[Any] = []
    with pytest.raises(StreamError):
        if mode == "sync":
            for chunk in llm.stream(SENTENCE):
                chunks.append(chunk)
        else:
            async for chunk in llm.astream(SENTENCE):
                chunks.append(chunk)
    text = "".join(chunk.text for chunk in chunks)
    assert text and full.startswith(text) and text != full
    assert fake.count(CHAT) == 1


async def test_llamaindex_stream_is_not_replayed_after_a_cut(fake: FakeLowCodeAPI, mode: str) -> None:
    from llama_index.core.llms import ChatMessage

    from llamaindex_mistral_lca import MistralLCA

    llm = MistralLCA(api_token=TOKEN, base_url=fake.base_url, max_retries=3)
    messages = [ChatMessage(role="user", content=SENTENCE)]
    full = (await llm.achat(messages)).message.content or ""
    fake.reset()
    fake.faults.add(Fault("cut_stream", path=CHAT, events=4))
    deltas: list[str] = []
    with pytest.raises(StreamError):
        if mode == "sync":
            for response in llm.stream_chat(messages):
                deltas.append(response.delta or "")
        else:
            async for response in await llm.astream_chat(messages):
                deltas.append(response.delta or "")
    text = "".join(deltas)
    assert text and full.startswith(text) and text != full
    assert fake.count(CHAT) == 1


async def test_langchain_ocr_loader_upload_is_not_retried_after_a_5xx(
    fake: FakeLowCodeAPI, mode: str, tmp_path: Path
) -> None:
    from langchain_mistral_lca import MistralOCRLoader

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    loader = MistralOCRLoader(pdf, upload=True, api_token=TOKEN, base_url=fake.base_url, max_retries=3)
    fake.faults.add(Fault("status", path=FILES, status=503))
    with pytest.raises(ServerError):
        if mode == "sync":
            loader.load()
        else:
            await loader.aload()
    assert fake.count(FILES, "POST") == 1
    assert fake.count("/v1/ocr") == 0


async def test_llamaindex_ocr_reader_upload_is_not_retried_after_a_5xx(
    fake: FakeLowCodeAPI, mode: str, tmp_path: Path
) -> None:
    from llamaindex_mistral_lca import MistralOCRReader

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    reader = MistralOCRReader(upload=True, api_token=TOKEN, base_url=fake.base_url, max_retries=3)
    fake.faults.add(Fault("status", path=FILES, status=503))
    with pytest.raises(ServerError):
        if mode == "sync":
            reader.load_data(pdf)
        else:
            await reader.aload_data(pdf)
    assert fake.count(FILES, "POST") == 1
    assert fake.count("/v1/ocr") == 0


@pytest.mark.parametrize("adapter", ["langchain", "llamaindex"])
async def test_adapter_agent_creation_is_not_retried_after_a_5xx(fake: FakeLowCodeAPI, mode: str, adapter: str) -> None:
    if adapter == "langchain":
        from langchain_mistral_lca import MistralAgentTool as LCTool

        create, acreate = LCTool.create, LCTool.acreate
    else:
        from llamaindex_mistral_lca import MistralAgentTool as LITool

        create, acreate = LITool.create, LITool.acreate
    fake.faults.add(Fault("status", path=AGENTS, status=502))
    kwargs = {"model": MODEL, "name": "helper", "api_token": TOKEN, "base_url": fake.base_url, "max_retries": 3}
    with pytest.raises(ServerError):
        if mode == "sync":
            create(**kwargs)
        else:
            await acreate(**kwargs)
    assert fake.count(AGENTS, "POST") == 1
    # ... and a 429 is retried (the proxy refused it before it reached Mistral), creating exactly one agent.
    fake.faults.add(Fault("status", path=AGENTS, status=429, retry_after=0, retry_after_in="http"))
    tool = create(**kwargs) if mode == "sync" else await acreate(**kwargs)
    assert tool is not None
    assert fake.count(AGENTS, "POST") == 3
    assert len(fake.state.agents) == 1


def test_record_sleeps_helper_is_wired(fake: FakeLowCodeAPI) -> None:
    client = make_client(fake, "sync")
    assert client._sender.sleep.__name__ == "sync_sleep"
    assert record_sleeps(client) == []
    client.close()
