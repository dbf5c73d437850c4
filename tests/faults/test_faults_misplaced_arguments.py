"""Misplaced keyword arguments neither leak nor vanish: secret-looking ones are refused, other integrations' names work.

``ChatMistralLCA(mistral_api_key=...)`` (langchain-mistralai's name) used to travel in the JSON body through
``model_kwargs`` (and come back in the 422's echo); ``MistralLCA(model_name=...)`` used to be ignored.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from faults_support import MODEL, TOKEN, call, user

from mistral_lca import ConfigurationError, SecretArgumentError
from mistral_lca.testing import FakeLowCodeAPI

MISTRAL_KEY = "mistral-key-VALUE-0123456789abcdef"


def _all_classes() -> list[tuple[type, dict[str, Any]]]:
    from langchain_mistral_lca import (
        ChatMistralLCA,
        MistralAgentTool,
        MistralLCAEmbeddings,
        MistralLCAFIM,
        MistralOCRLoader,
        MistralTranscriptionLoader,
    )
    from llamaindex_mistral_lca import (
        MistralLCA,
        MistralLCAEmbedding,
        MistralOCRReader,
        MistralTranscriptionReader,
    )

    return [
        (ChatMistralLCA, {}),
        (MistralLCAEmbeddings, {}),
        (MistralLCAFIM, {}),
        (MistralOCRLoader, {"file_path": "scan.pdf"}),
        (MistralTranscriptionLoader, {"file_path": "talk.mp3"}),
        (MistralAgentTool, {"agent_id": "ag_1", "name": "helper", "description": "d"}),
        (MistralLCA, {}),
        (MistralLCAEmbedding, {}),
        (MistralOCRReader, {}),
        (MistralTranscriptionReader, {}),
    ]


def _assert_refused(error: BaseException, name: str) -> None:
    message = str(error)
    assert name in message and "refused and not sent" in message
    assert MISTRAL_KEY not in message and MISTRAL_KEY not in repr(error)
    assert isinstance(error, TypeError)


def test_mistral_api_key_is_refused_by_every_class_with_what_to_do_instead(fake: FakeLowCodeAPI) -> None:
    for cls, required in _all_classes():
        with pytest.raises(SecretArgumentError) as caught:
            cls(api_token=TOKEN, base_url=fake.base_url, mistral_api_key=MISTRAL_KEY, **required)
        _assert_refused(caught.value, "mistral_api_key")
        assert "LowCodeAPI token (at_...)" in str(caught.value) and "LOWCODEAPI_API_TOKEN" in str(caught.value)
    assert fake.count() == 0


@pytest.mark.parametrize("name", ["MISTRAL_API_KEY", "openai_api_key", "access_token", "client_secret", "password"])
def test_other_secret_looking_arguments_are_refused(fake: FakeLowCodeAPI, name: str) -> None:
    for cls, required in _all_classes():
        with pytest.raises(SecretArgumentError) as caught:
            cls(api_token=TOKEN, base_url=fake.base_url, **{name: MISTRAL_KEY}, **required)
        _assert_refused(caught.value, name)


def test_token_counts_are_not_mistaken_for_secrets() -> None:
    from langchain_mistral_lca import ChatMistralLCA, MistralLCAEmbeddings, MistralLCAFIM
    from llamaindex_mistral_lca import MistralLCA

    assert ChatMistralLCA(api_token=TOKEN, max_tokens=5).max_tokens == 5
    assert MistralLCAFIM(api_token=TOKEN, min_tokens=2).min_tokens == 2
    assert MistralLCAEmbeddings(api_token=TOKEN, max_batch_tokens=99).max_batch_tokens == 99
    assert MistralLCA(api_token=TOKEN, max_tokens=7).max_tokens == 7


async def test_secrets_in_request_fields_are_refused_before_sending(fake: FakeLowCodeAPI, mode: str) -> None:
    from langchain_mistral_lca import ChatMistralLCA
    from llamaindex_mistral_lca import MistralLCA

    settings = {"api_token": TOKEN, "base_url": fake.base_url}
    sync = mode == "sync"
    chat = ChatMistralLCA(**settings, model_kwargs={"mistral_api_key": MISTRAL_KEY})
    with pytest.raises(SecretArgumentError) as caught:
        await call(lambda: chat.invoke("hi") if sync else chat.ainvoke("hi"))
    _assert_refused(caught.value, "mistral_api_key")
    bound = ChatMistralLCA(**settings).bind(api_key=MISTRAL_KEY)
    with pytest.raises(SecretArgumentError):
        await call(lambda: bound.invoke("hi") if sync else bound.ainvoke("hi"))
    llm = MistralLCA(**settings, additional_kwargs={"x_api_key": MISTRAL_KEY})
    with pytest.raises(SecretArgumentError):
        await call(lambda: llm.complete("hi") if sync else llm.acomplete("hi"))
    assert fake.count() == 0


async def test_the_client_refuses_them_too(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory()
    params: dict[str, Any] = {"model": "mistral-small-latest", "messages": user("hi"), "mistral_api_key": MISTRAL_KEY}
    with pytest.raises(SecretArgumentError) as caught:
        await call(lambda: client.chat.complete(**params))
    _assert_refused(caught.value, "mistral_api_key")
    assert str(caught.value).startswith("A chat request does not take mistral_api_key")
    with pytest.raises(SecretArgumentError):
        client.chat.stream(**params)
    with pytest.raises(SecretArgumentError):
        await call(lambda: client.fim.complete(model="codestral-latest", prompt="x", auth_token=MISTRAL_KEY))
    assert fake.count() == 0
    # Undeclared fields that are not secret-looking still go through: the API may be newer than this package.
    fake.config.strict = False
    await call(lambda: client.chat.complete(model="mistral-small-latest", messages=user("hi"), future_option=1))
    assert fake.last_request.json["future_option"] == 1


async def test_langchain_accepts_langchain_mistralai_names(fake: FakeLowCodeAPI, mode: str) -> None:
    from langchain_mistral_lca import ChatMistralLCA

    chat = ChatMistralLCA(api_key=TOKEN, endpoint=fake.base_url, model_name="mistral-large-latest", safe_mode=True)
    assert (chat.base_url, chat.model, chat.safe_prompt, chat.model_kwargs) == (
        fake.base_url,
        "mistral-large-latest",
        True,
        {},
    )
    await call(lambda: chat.invoke("hi") if mode == "sync" else chat.ainvoke("hi"))
    body = fake.last_request.json
    assert (body["model"], body["safe_prompt"]) == ("mistral-large-latest", True)
    assert "endpoint" not in body and "safe_mode" not in body


async def test_llamaindex_accepts_the_official_integrations_names(fake: FakeLowCodeAPI, mode: str) -> None:
    from llamaindex_mistral_lca import MistralLCA, MistralLCAEmbedding

    llm = MistralLCA(api_key=TOKEN, endpoint=fake.base_url, model_name="mistral-large-latest", safe_mode=True)
    assert (llm.model, llm.base_url, llm.safe_prompt) == ("mistral-large-latest", fake.base_url, True)
    await call(lambda: llm.complete("hi") if mode == "sync" else llm.acomplete("hi"))
    assert fake.last_request.json["model"] == "mistral-large-latest"
    embed = MistralLCAEmbedding(api_key=TOKEN, base_url=fake.base_url, model="codestral-embed")
    assert embed.model_name == "codestral-embed"
    await call(lambda: embed.get_text_embedding("hi") if mode == "sync" else embed.aget_text_embedding("hi"))
    assert fake.last_request.json["model"] == "codestral-embed"
    assert TOKEN not in repr(llm) and TOKEN not in llm.to_json()


def test_one_argument_under_two_names_is_an_error() -> None:
    from langchain_mistral_lca import ChatMistralLCA
    from llamaindex_mistral_lca import MistralLCA

    with pytest.raises(ConfigurationError, match="both base_url and endpoint"):
        ChatMistralLCA(api_token=TOKEN, base_url="https://a.example/mistralai", endpoint="https://b.example/mistralai")
    with pytest.raises(ConfigurationError, match="both model and model_name"):
        MistralLCA(api_token=TOKEN, model="a", model_name="b")
    with pytest.raises(ConfigurationError, match="both api_token and api_key"):
        MistralLCA(api_token=TOKEN, api_key=TOKEN)
    from llamaindex_mistral_lca import MistralAgentTool, MistralAgentToolSpec

    with pytest.raises(ConfigurationError, match="MistralAgentTool got both api_token and api_key"):
        MistralAgentTool("ag_1", api_token=TOKEN, api_key=TOKEN)
    with pytest.raises(ConfigurationError, match="MistralAgentToolSpec got both api_token and api_key"):
        MistralAgentToolSpec(api_token=TOKEN, api_key=TOKEN)
    with pytest.raises(ConfigurationError, match="MistralAgentTool got both api_token and api_key"):
        MistralAgentTool.from_agent_id("ag_1", api_token=TOKEN, api_key=TOKEN)  # refused before any request


async def test_llamaindex_agent_tools_take_api_key_like_the_llm(fake: FakeLowCodeAPI, mode: str) -> None:
    from llamaindex_mistral_lca import MistralAgentTool, MistralAgentToolSpec

    settings: dict[str, Any] = {"model": MODEL, "name": "helper", "api_key": TOKEN, "base_url": fake.base_url}
    sync = mode == "sync"
    agent = await call(lambda: MistralAgentTool.create(**settings) if sync else MistralAgentTool.acreate(**settings))
    output = await call(lambda: agent.call(input="hi") if sync else agent.acall(input="hi"))
    assert not output.is_error, output.content
    spec = MistralAgentToolSpec(api_key=TOKEN, base_url=fake.base_url)
    tools = await call(lambda: spec.to_tool_list() if sync else spec.to_tool_list_async())
    assert [tool.metadata.name for tool in tools] == ["helper"]
    assert fake.last_request is not None and TOKEN not in repr(agent) and TOKEN not in repr(spec)


def test_unknown_arguments_no_longer_vanish_silently() -> None:
    from langchain_mistral_lca import ChatMistralLCA, MistralLCAEmbeddings
    from llamaindex_mistral_lca import MistralLCA

    with pytest.warns(UserWarning, match="MistralLCA ignores unknown argument"):
        MistralLCA(api_token=TOKEN, top_k=5)
    with pytest.warns(UserWarning, match="MistralLCAEmbeddings ignores unknown argument"):
        MistralLCAEmbeddings(api_token=TOKEN, top_k=5)
    with pytest.warns(UserWarning, match="top_k was transferred to model_kwargs"):
        chat = ChatMistralLCA(api_token=TOKEN, top_k=5)  # chat models keep langchain-core's convention
    assert chat.model_kwargs == {"top_k": 5}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MistralLCA(api_token=TOKEN, model="mistral-small-latest", temperature=0.2)
