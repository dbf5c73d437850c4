"""Hostile servers the first fault suite did not name: redirects, empty answers, error events mid-stream,
trickling and endless bodies, oversized answers and gzip bombs, URLs echoed in errors, abandoned streams.

Each case ends in a typed :class:`MistralLCAError` (or a correct answer), never a silent empty success, an
unbounded wait or unbounded memory.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import httpx
import pytest
from faults_support import CHAT, EMBED_MODEL, MODEL, TOKEN, call, drain, text_of, user
from support_errors import exception_texts
from test_faults_secrets import assert_clean

from mistral_lca import (
    AsyncMistralLCAClient,
    DeadlineExceededError,
    MistralLCAClient,
    MistralLCAError,
    RedirectError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    UnprocessableEntityError,
)
from mistral_lca.testing import FakeLowCodeAPI, Fault

CONVERSATIONS = "/v1/conversations"


def chat(client: Any) -> Any:
    return call(lambda: client.chat.complete(model=MODEL, messages=user("hi")))


async def test_a_redirect_is_a_typed_error_and_never_followed(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    fake.faults.add(Fault("redirect", path=CHAT, times=2))
    client = client_factory()
    with pytest.raises(RedirectError) as caught:
        await chat(client)
    assert caught.value.location is not None and caught.value.location.startswith("https://lowcodeapi.com/login")
    assert "api_token=***" in caught.value.location  # where it pointed, redacted
    assert_clean(*exception_texts(caught.value))
    _, error = await drain(client.chat.stream(model=MODEL, messages=user("hi")))
    assert isinstance(error, RedirectError)
    assert fake.count(CHAT) == 2 and client.sleeps == []  # not retried, not followed


@pytest.mark.parametrize("empty", ["body", "object", "null"])
async def test_an_empty_answer_is_a_decode_error(fake: FakeLowCodeAPI, client_factory: Any, empty: str) -> None:
    client = client_factory()
    fake.faults.add(Fault("empty_body", empty=empty, times=None))  # type: ignore[arg-type]
    for make in (
        lambda: client.chat.complete(model=MODEL, messages=user("hi")),
        lambda: client.embeddings.create(model=EMBED_MODEL, inputs=["a", "b"]),
        lambda: client.models.list(),
    ):
        with pytest.raises(ResponseDecodeError, match=r"(empty|incomplete) answer"):
            await call(make)
    _, error = await drain(client.chat.stream(model=MODEL, messages=user("hi")))
    assert isinstance(error, ResponseDecodeError)


async def test_the_fake_itself_answers_completely(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    """The required-field checks hold against every realistic answer of the stand-in."""
    client = client_factory()
    reply = await chat(client)
    vectors = await call(lambda: client.embeddings.create(model=EMBED_MODEL, inputs=["a", "b", "c"]))
    models = await call(lambda: client.models.list())
    assert reply.choices and len(vectors.vectors()) == 3 and models.data


@pytest.mark.parametrize("at", [0, 2])
async def test_an_error_event_raises_after_what_came_before(fake: FakeLowCodeAPI, client_factory: Any, at: int) -> None:
    client = client_factory()
    events, _ = await drain(client.chat.stream(model=MODEL, messages=user("hello there")))
    fake.faults.add(Fault("error_event", path=CHAT, events=at, message="Upstream model crashed", times=None))
    got, error = await drain(client.chat.stream(model=MODEL, messages=user("hello there")))
    assert isinstance(error, ServerError) and "Upstream model crashed" in error.message
    deltas = [e.data.choices[0].delta for e in events[:at]]
    assert [e.data.choices[0].delta for e in got] == deltas  # what came before, exactly, then the error
    if at == 0:
        assert len(client.sleeps) == client.retry_policy.max_retries  # nothing delivered: retried like a 5xx
    else:
        assert client.sleeps == []


async def test_a_conversation_error_event_raises_mistrals_message(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory()
    fake.faults.add(Fault("error_event", path=CONVERSATIONS, events=1, message="tool failed", times=None))
    got, error = await drain(client.conversations.start_stream(model=MODEL, inputs="hi"))
    assert len(got) == 1 and got[0].type == "conversation.response.started"
    assert isinstance(error, ServerError) and "tool failed" in error.message and error.code == "3000"


async def test_a_server_trickling_one_byte_a_second_ends_by_the_deadline(
    fake: FakeLowCodeAPI, client_factory: Any
) -> None:
    client = client_factory(timeout=5, deadline=1.5)
    fake.faults.add(Fault("trickle", path=CHAT, seconds=1.0))
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        await chat(client)
    assert time.monotonic() - started < 4  # per-read timeouts alone would have waited for the whole body
    assert client.sleeps == []


async def test_an_endless_stream_ends_by_the_deadline(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory(timeout=5, deadline=1.0)
    fake.faults.add(Fault("trickle", path=CHAT, seconds=0.05, endless=True))
    _, error = await drain(client.chat.stream(model=MODEL, messages=user("hi")))
    assert isinstance(error, DeadlineExceededError)


async def test_a_slow_but_finite_trickle_within_the_deadline_succeeds(
    fake: FakeLowCodeAPI, client_factory: Any
) -> None:
    client = client_factory(deadline=30)
    fake.faults.add(Fault("trickle", path=CHAT, seconds=0.0002))
    assert (await chat(client)).choices[0].message.content == "Echo: hi"


def test_a_300_mb_answer_stops_at_the_default_bound(fake: FakeLowCodeAPI) -> None:
    fake.faults.add(Fault("oversized", path=CHAT))  # 300 MB, generated piece by piece
    client = MistralLCAClient(api_token=TOKEN, base_url=fake.base_url, max_retries=0)
    with client, pytest.raises(ResponseTooLargeError) as caught:
        client.chat.complete(model=MODEL, messages=user("hi"))
    assert caught.value.limit == 64 * 1024 * 1024


async def test_an_oversized_stream_line_stops_at_the_bound(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory(max_response_bytes=1_000_000)
    fake.faults.add(Fault("oversized", path=CHAT, size=32 * 1024 * 1024))
    _, error = await drain(client.chat.stream(model=MODEL, messages=user("hi")))
    assert isinstance(error, ResponseTooLargeError) and "line" in error.message


async def test_gzip_answers_are_decoded(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory()
    fake.faults.add(Fault("gzip", path=CHAT, times=2))
    assert (await chat(client)).choices[0].message.content == "Echo: hi"
    events, error = await drain(client.chat.stream(model=MODEL, messages=user("hi")))
    assert error is None and text_of(events) == "Echo: hi"


@pytest.mark.parametrize("stream", [False, True])
async def test_a_gzip_bomb_is_stopped_at_the_bound(fake: FakeLowCodeAPI, client_factory: Any, stream: bool) -> None:
    client = client_factory(max_response_bytes=1_000_000)
    fake.faults.add(Fault("gzip", path=CHAT, size=200 * 1024 * 1024))
    if stream:
        _, error = await drain(client.chat.stream(model=MODEL, messages=user("hi")))
        assert isinstance(error, ResponseTooLargeError)
    else:
        with pytest.raises(ResponseTooLargeError):
            await chat(client)


async def test_urls_echoed_in_an_error_never_carry_the_token(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory()
    fake.faults.add(Fault("echo_url", path=CHAT))
    echoed = httpx.post(fake.url(CHAT), json={"model": MODEL, "messages": user("x")})
    assert echoed.text.count(TOKEN) >= 4  # headers, loc, msg, input: the stand-in really echoes it
    fake.faults.add(Fault("echo_url", path=CHAT))
    with pytest.raises(UnprocessableEntityError) as caught:
        await chat(client)
    error = caught.value
    assert error.details and "api_token=***" in str(error.details[0].loc)
    assert "api_token=***" in error.headers["x-request-url"]
    assert_clean(*exception_texts(error), repr(dict(error.headers)), repr([d.input for d in error.details]))


async def test_urls_echoed_in_a_success_never_carry_the_token(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory()
    fake.faults.add(Fault("echo_url", path=CHAT, status=200))
    reply = await chat(client)
    assert "api_token=***" in reply.response_headers["x-request-url"]
    assert_clean(repr(reply.response_headers), repr(dict(reply.response_headers)), repr(reply))


async def test_300_abandoned_async_streams_do_not_exhaust_a_pool_of_4(fake: FakeLowCodeAPI) -> None:
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    http = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(5.0, pool=2.0))
    client = AsyncMistralLCAClient(api_token=TOKEN, base_url=fake.base_url, http_client=http, max_retries=0)
    for i in range(300):
        async for _ in client.chat.stream(model=MODEL, messages=user(f"stream {i}")):
            break  # no aclose(): the stream is simply dropped
    reply = await client.chat.complete(model=MODEL, messages=user("still there?"))
    assert reply.choices[0].message.content == "Echo: still there?"
    assert fake.stats.max_open_connections <= 4
    await http.aclose()


def test_300_abandoned_sync_streams_do_not_exhaust_a_pool_of_4(fake: FakeLowCodeAPI) -> None:
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    http = httpx.Client(limits=limits, timeout=httpx.Timeout(5.0, pool=2.0))
    client = MistralLCAClient(api_token=TOKEN, base_url=fake.base_url, http_client=http, max_retries=0)
    for i in range(300):
        for _ in client.chat.stream(model=MODEL, messages=user(f"stream {i}")):
            break
    assert client.chat.complete(model=MODEL, messages=user("ok")).choices
    http.close()


def test_an_async_stream_abandoned_after_its_loop_closed_is_harmless(fake: FakeLowCodeAPI) -> None:
    client = AsyncMistralLCAClient(api_token=TOKEN, base_url=fake.base_url)
    kept: list[Any] = []

    async def start() -> None:
        stream = client.chat.stream(model=MODEL, messages=user("hi"))
        await stream.__anext__()
        kept.append(stream)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(start())
    loop.close()  # the loop is gone while the stream is still open
    kept.clear()
    gc.collect()  # finalising the abandoned generator must not raise or warn
    reply = asyncio.run(client.chat.complete(model=MODEL, messages=user("after")))
    assert reply.choices[0].message.content == "Echo: after"


async def test_every_hostile_fault_ends_in_a_typed_error(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory(max_response_bytes=500_000, deadline=5.0, timeout=1.0)
    hostile = [
        Fault("redirect", times=None),
        Fault("empty_body", times=None),
        Fault("empty_body", empty="null", times=None),
        Fault("error_event", events=1, times=None),
        Fault("oversized", size=5_000_000, times=None),
        Fault("gzip", size=20_000_000, times=None),
        Fault("echo_url", times=None),
    ]
    for fault in hostile:
        fake.faults.clear()
        fake.faults.add(fault)
        for make in (
            lambda: client.chat.complete(model=MODEL, messages=user("hi")),
            lambda: client.embeddings.create(model=EMBED_MODEL, inputs=["a"]),
        ):
            if fault.kind == "error_event":
                continue  # stream-only
            with pytest.raises(MistralLCAError) as caught:
                await call(make)
            assert_clean(*exception_texts(caught.value))
        _, error = await drain(client.chat.stream(model=MODEL, messages=user("hi")))
        assert isinstance(error, MistralLCAError), (fault.kind, error)
        assert_clean(*exception_texts(error))


async def test_abandoned_adapter_streams_do_not_exhaust_a_small_pool(fake: FakeLowCodeAPI) -> None:
    from llama_index.core.llms import ChatMessage

    from langchain_mistral_lca import ChatMistralLCA
    from llamaindex_mistral_lca import MistralLCA

    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    http = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(5.0, pool=2.0))
    settings = {"api_token": TOKEN, "base_url": fake.base_url, "max_retries": 0}
    chat_model = ChatMistralLCA(http_async_client=http, **settings)
    llm = MistralLCA(async_http_client=http, **settings)
    for i in range(60):
        async for _ in chat_model.astream(f"langchain {i}"):
            break
        async for _ in await llm.astream_chat([ChatMessage(role="user", content=f"llamaindex {i}")]):
            break
    assert (await chat_model.ainvoke("done?")).text == "Echo: done?"
    await http.aclose()


def test_every_adapter_class_takes_deadline_and_max_response_bytes(fake: FakeLowCodeAPI) -> None:
    from langchain_mistral_lca import (
        ChatMistralLCA,
        MistralAgentTool,
        MistralLCAEmbeddings,
        MistralLCAFIM,
        MistralOCRLoader,
        MistralTranscriptionLoader,
    )
    from llamaindex_mistral_lca import MistralAgentTool as LlamaAgentTool
    from llamaindex_mistral_lca import (
        MistralAgentToolSpec,
        MistralLCA,
        MistralLCAEmbedding,
        MistralOCRReader,
        MistralTranscriptionReader,
    )

    bounds = {"deadline": 0.75, "max_response_bytes": 4096}
    settings = {"api_token": TOKEN, "base_url": fake.base_url, **bounds}
    langchain = [
        ChatMistralLCA(**settings),
        MistralLCAEmbeddings(**settings),
        MistralLCAFIM(**settings),
        MistralAgentTool(agent_id="ag_0123", name="helper", **settings),
        MistralOCRLoader("doc.pdf", **settings),
        MistralTranscriptionLoader("talk.mp3", **settings),
    ]
    llamaindex = [
        MistralLCA(**settings),
        MistralLCAEmbedding(**settings),
        LlamaAgentTool("ag_0123", name="helper", **settings),
        MistralAgentToolSpec(**settings),
        MistralOCRReader(**settings),
        MistralTranscriptionReader(**settings),
    ]
    for obj in langchain + llamaindex:
        source = getattr(obj, "_connection", obj)  # LlamaIndex tools keep theirs on the connection
        for client in (source.client, getattr(source, "async_client", None) or source.aclient):
            assert (client.config.deadline, client.config.max_response_bytes) == (0.75, 4096), type(obj).__name__
    chat_model, llm = langchain[0], llamaindex[0]
    fake.faults.add(Fault("trickle", path=CHAT, seconds=0.2, times=2))
    with pytest.raises(DeadlineExceededError):
        chat_model.invoke("hi")
    from llama_index.core.llms import ChatMessage

    with pytest.raises(DeadlineExceededError):
        llm.chat([ChatMessage(role="user", content="hi")])
    fake.faults.add(Fault("oversized", path=CHAT, size=100_000))
    with pytest.raises(ResponseTooLargeError):
        chat_model.invoke("hi")
    chat_model.deadline = None  # a changed setting gets a client built with it
    assert chat_model.client.config.deadline is None


async def test_a_call_queued_behind_busy_slots_ends_by_its_deadline_unsent(fake: FakeLowCodeAPI, mode: str) -> None:
    """``max_concurrent_requests`` slots are waited for within the call's deadline, not past it."""
    kwargs: dict[str, Any] = {"api_token": TOKEN, "base_url": fake.base_url, "max_concurrent_requests": 1}
    kwargs["deadline"] = 0.5  # the held stream checks it only on reads, and it is not read while held
    if mode == "sync":
        with MistralLCAClient(**kwargs) as client:
            held = client.chat.stream(model=MODEL, messages=user("hold the only slot"))
            next(iter(held))  # the stream holds the one slot until it is closed
            started = time.monotonic()
            with pytest.raises(DeadlineExceededError) as caught:
                client.chat.complete(model=MODEL, messages=user("queued"))
            waited = time.monotonic() - started
            held.close()
            assert client.chat.complete(model=MODEL, messages=user("after")).choices[0].message.content
    else:
        async with AsyncMistralLCAClient(**kwargs) as aclient:
            aheld = aclient.chat.stream(model=MODEL, messages=user("hold the only slot"))
            await aheld.__anext__()
            started = time.monotonic()
            with pytest.raises(DeadlineExceededError) as caught:
                await aclient.chat.complete(model=MODEL, messages=user("queued"))
            waited = time.monotonic() - started
            await aheld.aclose()
            assert (await aclient.chat.complete(model=MODEL, messages=user("after"))).choices[0].message.content
    assert 0.4 < waited < 5 and caught.value.reached_server is False
    assert fake.count(CHAT) == 2  # the held stream and the call after it: the queued one was never sent
