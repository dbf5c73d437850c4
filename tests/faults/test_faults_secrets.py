"""Secrets under faults: with DEBUG logging on, across every injected fault, the token never appears in logs,
exception text (tracebacks included), reprs of clients and adapters, LangChain/LlamaIndex serialisations or
cassettes; the proxy's echoed-token bodies are scrubbed before they reach an exception."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from faults_support import CHAT, FILES, MODEL, TOKEN, call, drain, fast_policy, user
from support_errors import exception_texts

from mistral_lca import APIStatusError, MistralLCAError
from mistral_lca.testing import FakeLowCodeAPI, Fault

FAULTS: list[tuple[str, Fault]] = [
    ("429-envelope", Fault("status", status=429, retry_after=0, times=None)),
    ("429-http", Fault("status", status=429, retry_after=0, retry_after_in="http", times=None)),
    ("500", Fault("status", status=500, times=None)),
    ("502", Fault("status", status=502, times=None)),
    ("503", Fault("status", status=503, times=None)),
    ("504", Fault("status", status=504, times=None)),
    ("html", Fault("html", times=None)),
    ("reset", Fault("reset", times=None)),
    ("stall", Fault("stall", seconds=0.5, times=None)),
    ("cut-stream", Fault("cut_stream", events=2, times=None)),
    ("cut-stream-first", Fault("cut_stream", events=0, times=None)),
    ("malformed-json", Fault("malformed_json", times=None)),
    ("malformed-sse", Fault("malformed_sse", events=1, times=None)),
    ("json-for-stream-error", Fault("json_for_stream", status=401, times=None)),
    ("echo-token-401", Fault("echo_token", times=None)),
    ("echo-token-403", Fault("echo_token", status=403, times=None)),
    ("echo-url-422", Fault("echo_url", times=None)),
    ("redirect", Fault("redirect", times=None)),
    ("error-event", Fault("error_event", events=1, message=f"quota for api_token={TOKEN}", times=None)),
    ("empty-body", Fault("empty_body", empty="null", times=None)),
]


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text
        assert "SECRET_abcdef" not in text  # not even a fragment


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def _log_texts(caplog: pytest.LogCaptureFixture) -> Iterator[str]:
    yield caplog.text
    for record in caplog.records:
        yield record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            yield from exception_texts(record.exc_info[1])


@pytest.mark.parametrize(("name", "fault"), FAULTS, ids=[n for n, _ in FAULTS])
async def test_no_fault_puts_the_token_in_logs_errors_or_reprs(
    fake: FakeLowCodeAPI, client_factory: Any, debug_logs: pytest.LogCaptureFixture, name: str, fault: Fault
) -> None:
    client = client_factory(policy=fast_policy(1), timeout=0.3)
    fake.faults.add(fault)
    outcomes: list[Any] = []
    try:
        outcomes.append(await call(lambda: client.chat.complete(model=MODEL, messages=user("hi"))))
    except MistralLCAError as exc:
        outcomes.append(exc)
    events, error = await drain(client.chat.stream(model=MODEL, messages=user("hi")))
    outcomes.append(error)
    try:
        outcomes.append(await call(lambda: client.files.upload(file=("a.pdf", b"%PDF-1.4 x"), purpose="ocr")))
    except MistralLCAError as exc:
        outcomes.append(exc)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors, "every request met the (sticky) fault, except json-for-stream on non-streams"
    assert all(isinstance(e, MistralLCAError) for e in errors)
    for exc in errors:
        assert_clean(*exception_texts(exc))
    assert_clean(*_log_texts(debug_logs), repr(client), str(client), repr(client.config), repr(events))
    assert any("api_token=***" in r.getMessage() for r in debug_logs.records)  # URLs are logged, redacted


@pytest.mark.parametrize("status", [401, 403])
async def test_the_proxy_echoes_the_token_and_the_error_does_not(
    fake: FakeLowCodeAPI, client_factory: Any, status: int
) -> None:
    fake.faults.add(Fault("echo_token", path=CHAT, status=status), Fault("echo_token", path=FILES, status=status))
    echoed = httpx.post(fake.url(CHAT), json={"model": MODEL, "messages": user("x")})
    assert TOKEN in echoed.text  # the stand-in really echoes it, as LowCodeAPI does
    client = client_factory()
    with pytest.raises(APIStatusError) as caught:
        await call(lambda: client.files.upload(file=("a.pdf", b"%PDF-1.4 x"), purpose="ocr"))
    assert caught.value.status_code == status
    assert caught.value.body["error"]["logging"]["query"] == {}  # api_token key dropped, not just masked
    assert_clean(*exception_texts(caught.value))


async def test_a_token_quoted_without_its_parameter_name_is_scrubbed(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    body = {"object": "error", "message": f"key {TOKEN} is not allowed", "type": "auth", "code": TOKEN, "param": None}
    fake.faults.add(Fault("status", path=CHAT, status=400, body=body, message=f"bad token {TOKEN}"))
    client = client_factory()
    with pytest.raises(APIStatusError) as caught:
        await call(lambda: client.chat.complete(model=MODEL, messages=user("x")))
    assert "***" in str(caught.value)
    assert_clean(*exception_texts(caught.value))


# ------------------------------------------------------------------------------------------- adapters


def _langchain_objects(base_url: str) -> list[Any]:
    from langchain_mistral_lca import (
        ChatMistralLCA,
        MistralAgentTool,
        MistralLCAEmbeddings,
        MistralLCAFIM,
        MistralOCRLoader,
        MistralTranscriptionLoader,
    )

    settings = {"api_token": TOKEN, "base_url": base_url, "max_retries": 0}
    return [
        ChatMistralLCA(**settings),
        MistralLCAEmbeddings(**settings),
        MistralLCAFIM(**settings),
        MistralAgentTool(agent_id="ag_0123", name="helper", **settings),
        MistralOCRLoader("doc.pdf", **settings),
        MistralTranscriptionLoader("talk.mp3", **settings),
    ]


def _llamaindex_objects(base_url: str) -> list[Any]:
    from llamaindex_mistral_lca import (
        MistralAgentTool,
        MistralAgentToolSpec,
        MistralLCA,
        MistralLCAEmbedding,
        MistralOCRReader,
        MistralTranscriptionReader,
    )

    settings = {"api_token": TOKEN, "base_url": base_url, "max_retries": 0}
    return [
        MistralLCA(**settings),
        MistralLCAEmbedding(**settings),
        MistralAgentTool("ag_0123", name="helper", **settings),
        MistralAgentToolSpec(**settings),
        MistralOCRReader(**settings),
        MistralTranscriptionReader(**settings),
    ]


def _langchain_texts(obj: Any) -> Iterator[str]:
    from langchain_core.load import dumpd, dumps

    yield repr(obj)
    yield str(obj)
    yield str(obj.model_dump())
    if getattr(obj, "is_lc_serializable", lambda: False)():
        yield dumps(obj)
        yield json.dumps(dumpd(obj), default=str)
    for attr in ("client", "async_client"):
        yield repr(getattr(obj, attr))


def _llamaindex_texts(obj: Any) -> Iterator[str]:
    yield repr(obj)
    yield str(obj)
    for method in ("to_dict", "to_json", "to_payload", "model_dump_json"):
        if hasattr(obj, method):
            value = getattr(obj, method)()
            yield value if isinstance(value, str) else json.dumps(value, default=str)
    for attr in ("client", "aclient", "_connection"):
        if hasattr(obj, attr):
            yield repr(getattr(obj, attr))


async def test_adapters_never_serialise_or_print_the_token(fake: FakeLowCodeAPI) -> None:
    for obj in _langchain_objects(fake.base_url):
        assert_clean(*_langchain_texts(obj))
    for obj in _llamaindex_objects(fake.base_url):
        assert_clean(*_llamaindex_texts(obj))


def test_langchain_serialisation_refers_to_the_env_var(fake: FakeLowCodeAPI) -> None:
    from langchain_core.load import dumpd

    for obj in _langchain_objects(fake.base_url):
        if getattr(obj, "is_lc_serializable", lambda: False)():
            assert dumpd(obj)["kwargs"]["api_token"] == {"lc": 1, "type": "secret", "id": ["LOWCODEAPI_API_TOKEN"]}


@pytest.mark.parametrize(("name", "fault"), FAULTS, ids=[n for n, _ in FAULTS])
async def test_adapters_under_faults_keep_the_token_out_of_logs_and_errors(
    fake: FakeLowCodeAPI, mode: str, debug_logs: pytest.LogCaptureFixture, name: str, fault: Fault
) -> None:
    from llama_index.core.llms import ChatMessage

    from langchain_mistral_lca import ChatMistralLCA, MistralLCAEmbeddings
    from llamaindex_mistral_lca import MistralAgentTool, MistralLCA, MistralLCAEmbedding

    settings = {"api_token": TOKEN, "base_url": fake.base_url, "max_retries": 0, "timeout": 0.3, "rate_limit_wait": 0}
    fake.faults.add(fault)
    lc, lc_embed = ChatMistralLCA(**settings), MistralLCAEmbeddings(**settings)
    li, li_embed = MistralLCA(**settings), MistralLCAEmbedding(**settings)
    tool = MistralAgentTool("ag_0123", name="helper", **settings)
    messages = [ChatMessage(role="user", content="hi")]
    sync = mode == "sync"
    attempts: list[Any] = [
        (lambda: lc.invoke("hi")) if sync else (lambda: lc.ainvoke("hi")),
        (lambda: list(lc.stream("hi"))) if sync else (lambda: _collect(lc.astream("hi"))),
        (lambda: lc_embed.embed_documents(["a"])) if sync else (lambda: lc_embed.aembed_documents(["a"])),
        (lambda: li.chat(messages)) if sync else (lambda: li.achat(messages)),
        (lambda: list(li.stream_chat(messages))) if sync else (lambda: _acollect(li.astream_chat(messages))),
        (lambda: li_embed.get_text_embedding("a")) if sync else (lambda: li_embed.aget_text_embedding("a")),
    ]
    errors: list[BaseException] = []
    for attempt in attempts:
        try:
            await call(attempt)
        except Exception as exc:
            errors.append(exc)
    output = tool.call(input="hi") if sync else await tool.acall(input="hi")
    assert errors
    for exc in errors:
        assert isinstance(exc, MistralLCAError), repr(exc)
        assert_clean(*exception_texts(exc))
    assert_clean(str(output), repr(output.raw_output), *_log_texts(debug_logs))
    for obj in (lc, lc_embed):
        assert_clean(*_langchain_texts(obj))
    for obj in (li, li_embed, tool):
        assert_clean(*_llamaindex_texts(obj))


async def _collect(stream: Any) -> list[Any]:
    return [item async for item in stream]


async def _acollect(pending: Any) -> list[Any]:
    return [item async for item in await pending]


# ------------------------------------------------------------------------------------------- cassettes


def test_cassettes_recorded_through_faults_hold_no_token(
    fake: FakeLowCodeAPI, tmp_path: Path, vcr_config: dict[str, Any]
) -> None:
    import vcr

    from mistral_lca import MistralLCAClient

    recorder = vcr.VCR(**{k: v for k, v in vcr_config.items() if k != "match_on"}, record_mode="all")
    cassette = tmp_path / "faults.yaml"
    fake.faults.add(
        Fault("echo_token", path="/v1/models"),
        Fault("status", path=CHAT, status=429, retry_after=0, retry_after_in="both"),
        Fault("cut_stream", path=CHAT, events=0),  # vcrpy buffers bodies: a cut fails the attempt, then a retry
    )
    with recorder.use_cassette(str(cassette)), MistralLCAClient(api_token=TOKEN, base_url=fake.base_url) as client:
        client._sender.sleep = lambda delay: None
        with pytest.raises(APIStatusError):
            client.models.list()
        client.chat.complete(model=MODEL, messages=user("hello"))
        assert list(client.chat.stream(model=MODEL, messages=user("hello")))
        client.embeddings.create(model="mistral-embed", inputs=["x"])
    text = cassette.read_text()
    assert "api_token=at_REDACTED" in text
    assert "logging" in text  # the echoed 401 body is in the cassette ...
    assert_clean(text)  # ... scrubbed
