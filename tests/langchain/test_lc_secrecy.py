"""The LowCodeAPI token never shows: not in repr/str, serialization, logs or exception messages."""

from __future__ import annotations

import logging
import pickle
from typing import Any

import httpx
import pytest
from langchain_core.load import dumpd, dumps
from lc_support import TOKEN, Recorder, chat_responder, chat_result
from support_errors import exception_texts

from langchain_mistral_lca import (
    ChatMistralLCA,
    MistralAgentTool,
    MistralLCAEmbeddings,
    MistralLCAFIM,
    MistralOCRLoader,
    MistralTranscriptionLoader,
)
from mistral_lca import AuthenticationError, UnprocessableEntityError


def instances(**clients: Any) -> list[Any]:
    return [
        ChatMistralLCA(api_key=TOKEN, **clients),
        MistralLCAEmbeddings(api_key=TOKEN, **clients),
        MistralLCAFIM(api_key=TOKEN, **clients),
        MistralAgentTool(agent_id="ag_1", api_key=TOKEN, **clients),
        MistralOCRLoader("https://example.com/a.pdf", api_key=TOKEN, **clients),
        MistralTranscriptionLoader("https://example.com/a.mp3", api_key=TOKEN, **clients),
    ]


@pytest.mark.parametrize("index", range(6))
def test_token_is_absent_from_repr_str_and_model_dumps(index: int) -> None:
    obj = instances()[index]
    for text in (repr(obj), str(obj), str(obj.model_dump()), str(obj.__dict__)):
        assert TOKEN not in text
        assert "SECRET" not in text


@pytest.mark.parametrize("cls", [ChatMistralLCA, MistralLCAFIM])
def test_token_is_never_serialized(cls: Any) -> None:
    obj = cls(api_key=TOKEN)
    assert TOKEN not in dumps(obj)
    assert dumpd(obj)["kwargs"]["api_token"] == {"lc": 1, "type": "secret", "id": ["LOWCODEAPI_API_TOKEN"]}
    assert obj.lc_secrets == {"api_token": "LOWCODEAPI_API_TOKEN"}


def test_token_is_absent_from_logs(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(chat_responder(chat_result("hi")))
    llm = ChatMistralLCA(api_key=TOKEN, **recorder.clients())
    with caplog.at_level(logging.DEBUG):
        llm.invoke("hello")
        list(llm.stream("hello"))
    assert recorder.requests[0].url.params["api_token"] == TOKEN  # it is sent...
    assert caplog.records  # ...httpx and the client did log the requests...
    assert TOKEN not in caplog.text  # ...but never the token


def test_token_is_absent_from_errors_even_when_the_proxy_echoes_it(caplog: pytest.LogCaptureFixture) -> None:
    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        echoed = {"code": 401, "logging": {"query": {"api_token": TOKEN}, "path": str(request.url)}}
        return httpx.Response(
            401, json={"message": "A valid API token is required to access this API.", "error": echoed, "provider": "x"}
        )

    recorder = Recorder(respond)
    llm = ChatMistralLCA(api_key=TOKEN, max_retries=0, **recorder.clients())
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as info:
        llm.invoke("hello")
    error = info.value
    for text in (str(error), repr(error), error.message, str(error.args)):
        assert TOKEN not in text
    assert TOKEN not in caplog.text


def test_models_with_live_clients_cannot_leak_through_pickle() -> None:
    recorder = Recorder(chat_responder(chat_result()))
    llm = ChatMistralLCA(api_key=TOKEN, **recorder.clients())
    llm.invoke("hi")  # builds the shared client
    with pytest.raises(TypeError):
        pickle.dumps(llm.client)


def _echo_url(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    detail = [{"type": "url_parsing", "loc": ["query", url], "msg": "bad url", "input": url}]
    envelope = {"message": "x", "provider": "mistralai", "error": {"detail": detail}, "headers": {"x-request-url": url}}
    return httpx.Response(422, json=envelope, headers={"x-forwarded-url": url})


async def test_urls_echoed_in_errors_never_reach_an_adapter_error() -> None:
    recorder = Recorder(_echo_url)
    settings: dict[str, Any] = {"api_key": TOKEN, "max_retries": 0, **recorder.clients()}
    calls = [
        lambda: ChatMistralLCA(**settings).invoke("hi"),
        lambda: list(ChatMistralLCA(**settings).stream("hi")),
        lambda: MistralLCAEmbeddings(**settings).embed_documents(["a"]),
        lambda: MistralLCAFIM(**settings).invoke("def f("),
    ]
    for run in calls:
        with pytest.raises(UnprocessableEntityError) as info:
            run()
        texts = exception_texts(info.value)
        assert any("api_token=***" in text for text in texts)
        for text in texts:
            assert TOKEN not in text
    with pytest.raises(UnprocessableEntityError) as async_info:
        await ChatMistralLCA(**settings).ainvoke("hi")
    for text in exception_texts(async_info.value):
        assert TOKEN not in text
