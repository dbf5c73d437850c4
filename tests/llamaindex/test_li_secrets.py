"""The LowCodeAPI token never leaks: repr/str, to_dict/to_json/to_payload, events, logs and exception messages."""

from __future__ import annotations

import json
import logging
import pickle
from typing import Any

import httpx
import pytest
from li_support import TOKEN, Recorder, chat_result, transports
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from support_errors import exception_texts

from llamaindex_mistral_lca import (
    MistralAgentTool,
    MistralAgentToolSpec,
    MistralLCA,
    MistralLCAEmbedding,
    MistralOCRReader,
    MistralTranscriptionReader,
)
from mistral_lca import APIConnectionError, AuthenticationError, UnprocessableEntityError

SERIALISABLE = [MistralLCA, MistralLCAEmbedding, MistralOCRReader, MistralTranscriptionReader]


def texts_of(obj: Any) -> list[str]:
    out = [repr(obj), str(obj)]
    for method in ("to_dict", "to_json", "to_payload", "model_dump_json"):
        if hasattr(obj, method):
            value = getattr(obj, method)()
            out.append(value if isinstance(value, str) else json.dumps(value, default=str))
    return out


@pytest.mark.parametrize("cls", SERIALISABLE)
def test_serialisation_never_holds_the_token(cls: Any) -> None:
    obj = cls(api_token=TOKEN)
    for text in texts_of(obj):
        assert TOKEN not in text
    assert "api_token" not in obj.to_dict()


@pytest.mark.parametrize("cls", SERIALISABLE)
def test_token_from_the_environment_stays_hidden(cls: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", TOKEN)
    obj = cls()
    for text in texts_of(obj):
        assert TOKEN not in text


def test_tools_never_show_the_token() -> None:
    tool = MistralAgentTool("ag_1", name="helper", description="d", api_token=TOKEN)
    spec = MistralAgentToolSpec(api_token=TOKEN)
    for text in (repr(tool), str(tool), repr(tool.metadata), repr(spec), str(vars(spec)), str(vars(tool))):
        assert TOKEN not in text


def test_copies_and_pickles_work_after_use() -> None:
    llm = MistralLCA(api_token=TOKEN, **transports(Recorder(chat_result())))
    llm.chat([ChatMessage(role="user", content="hi")])
    clone = pickle.loads(pickle.dumps(llm))
    assert clone.model == llm.model and TOKEN not in repr(clone)
    assert llm.model_copy(deep=True).model == llm.model


async def test_logs_at_debug_never_show_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(chat_result())
    llm = MistralLCA(api_token=TOKEN, **transports(rec))
    llm.chat([ChatMessage(role="user", content="hi")])
    await llm.achat([ChatMessage(role="user", content="hi")])
    embed = MistralLCAEmbedding(api_token=TOKEN, **transports(Recorder(_embedding)))
    embed.get_text_embedding("x")
    assert caplog.records
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    assert TOKEN not in caplog.text


def _embedding(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": [{"embedding": [0.5], "index": 0}], "model": "mistral-embed"})


async def test_exceptions_never_show_the_token(mode: str) -> None:
    echo = {"message": f"Unauthorized token {TOKEN}", "provider": "mistralai", "error": {"detail": f"bad {TOKEN}"}}
    llm = MistralLCA(api_token=TOKEN, max_retries=0, **transports(Recorder(httpx.Response(401, json=echo))))
    with pytest.raises(AuthenticationError) as info:
        if mode == "sync":
            llm.chat([ChatMessage(role="user", content="hi")])
        else:
            await llm.achat([ChatMessage(role="user", content="hi")])
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}")

    llm = MistralLCA(api_token=TOKEN, max_retries=0, **transports(Recorder(refuse)))
    with pytest.raises(APIConnectionError) as conn:
        if mode == "sync":
            list(llm.stream_chat([ChatMessage(role="user", content="hi")]))
        else:
            [r async for r in await llm.astream_chat([ChatMessage(role="user", content="hi")])]
    assert TOKEN not in str(conn.value)


class Collect(BaseEventHandler):
    events: list[BaseEvent] = []

    @classmethod
    def class_name(cls) -> str:
        return "Collect"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event)


def test_instrumentation_events_never_show_the_token() -> None:
    handler = Collect()
    root = get_dispatcher()
    root.add_event_handler(handler)
    try:
        llm = MistralLCA(api_token=TOKEN, **transports(Recorder(chat_result())))
        llm.complete("hi")
        llm.chat([ChatMessage(role="user", content="hi")])
    finally:
        root.event_handlers.remove(handler)
    assert handler.events
    for event in handler.events:
        assert TOKEN not in event.model_dump_json()


def _echo_url(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    detail = [{"type": "url_parsing", "loc": ["query", url], "msg": "bad url", "input": url}]
    envelope = {"message": "x", "provider": "mistralai", "error": {"detail": detail}, "headers": {"x-request-url": url}}
    return httpx.Response(422, json=envelope, headers={"x-forwarded-url": url})


async def test_urls_echoed_in_errors_never_reach_an_adapter_error(mode: str) -> None:
    llm = MistralLCA(api_token=TOKEN, max_retries=0, **transports(Recorder(_echo_url)))
    embed = MistralLCAEmbedding(api_token=TOKEN, max_retries=0, **transports(Recorder(_echo_url)))
    message = [ChatMessage(role="user", content="hi")]
    for run in (
        (lambda: llm.chat(message)) if mode == "sync" else (lambda: llm.achat(message)),
        (lambda: list(llm.stream_chat(message))) if mode == "sync" else (lambda: llm.acomplete("hi")),
        (lambda: embed.get_text_embedding("x")) if mode == "sync" else (lambda: embed.aget_text_embedding("x")),
    ):
        with pytest.raises(UnprocessableEntityError) as info:
            outcome = run()
            if hasattr(outcome, "__await__"):
                await outcome
        texts = exception_texts(info.value)
        assert any("api_token=***" in text for text in texts)
        for text in texts:
            assert TOKEN not in text
