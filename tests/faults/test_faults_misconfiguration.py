"""A wrong base URL or a Mistral key in place of the token: caught at construction, or explained by the 401/404.

Without ``/mistralai`` LowCodeAPI answers 401 (which reads as "bad token"), with ``/v1`` at the end it answers a bare
404, and a Mistral key pasted as the token gets a generic 401. The stand-in reproduces all three.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from faults_support import TOKEN, call, close, make_client

from mistral_lca import (
    AsyncMistralLCAClient,
    AuthenticationError,
    ConfigurationError,
    MistralLCAClient,
    NotFoundError,
    TokenFormatWarning,
)
from mistral_lca._diagnostics import BaseURLWarning, base_url_problem
from mistral_lca.testing import FakeLowCodeAPI

EXPECTED = "https://api.lowcodeapi.com/mistralai"
MISTRAL_KEY = "sk-not-a-lowcodeapi-token-0123456789"


def _constructors() -> list[Any]:
    from langchain_mistral_lca import ChatMistralLCA, MistralLCAEmbeddings
    from llamaindex_mistral_lca import MistralLCA, MistralLCAEmbedding

    return [
        MistralLCAClient,
        AsyncMistralLCAClient,
        ChatMistralLCA,
        MistralLCAEmbeddings,
        MistralLCA,
        MistralLCAEmbedding,
    ]


@pytest.mark.parametrize(
    ("base_url", "reason"),
    [
        ("https://api.lowcodeapi.com", "serves Mistral under /mistralai"),
        ("https://api.lowcodeapi.com/", "serves Mistral under /mistralai"),
        ("https://api.lowcodeapi.com/mistralai/v1", "ends in /v1"),
        ("https://api.lowcodeapi.com/mistralai/v1/chat/completions", "stop before /v1"),
        ("https://api.lowcodeapi.com/mistral", "serves Mistral under /mistralai"),
        ("https://api.mistral.ai/v1", "Mistral's own API"),
        ("https://api.mistral.ai", "Mistral's own API"),
    ],
)
def test_a_wrong_public_base_url_is_refused_at_construction_with_the_expected_form(base_url: str, reason: str) -> None:
    for cls in _constructors():
        with pytest.raises(ConfigurationError, match=reason) as caught:
            cls(api_token=TOKEN, base_url=base_url)
        assert EXPECTED in str(caught.value), cls
        assert TOKEN not in str(caught.value)


def test_an_anchor_style_endpoint_argument_is_checked_too() -> None:
    from langchain_mistral_lca import ChatMistralLCA
    from llamaindex_mistral_lca import MistralLCA

    for cls in (ChatMistralLCA, MistralLCA):  # langchain-mistralai / llama-index users pass endpoint=
        with pytest.raises(ConfigurationError, match="Mistral's own API"):
            cls(api_token=TOKEN, endpoint="https://api.mistral.ai/v1")


@pytest.mark.parametrize(
    "base_url",
    [
        EXPECTED,
        EXPECTED + "/",
        "http://127.0.0.1:8080/mistralai",  # a loopback stand-in
        "https://lowcode.internal.example/mistralai",  # a self-hosted LowCodeAPI
        "https://gateway.example.com/llm/mistral",  # a gateway with its own routing: nothing to say up front
    ],
)
def test_good_and_custom_base_urls_build_without_a_word(base_url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for cls in _constructors():
            cls(api_token=TOKEN, base_url=base_url)


def test_a_custom_host_ending_in_v1_only_warns(fake: FakeLowCodeAPI) -> None:
    assert base_url_problem(fake.base_url) is None
    with pytest.warns(BaseURLWarning, match=r"ends in /v1.*https://api\.lowcodeapi\.com/mistralai"):
        MistralLCAClient(api_token=TOKEN, base_url=fake.base_url + "/v1/")


async def test_a_base_url_ending_in_v1_gets_a_404_that_says_so(fake: FakeLowCodeAPI, mode: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BaseURLWarning)
        client = make_client(fake, mode, base_url=fake.base_url + "/v1")
    try:
        with pytest.raises(NotFoundError) as caught:
            await call(lambda: client.models.list())
    finally:
        await close(client)
    message = str(caught.value)
    assert message.startswith("404 Not Found")
    assert f"Check base_url {fake.base_url}/v1: it ends in /v1" in message
    assert EXPECTED in message and TOKEN not in message
    assert fake.count() == 1  # a 404 is not retried


async def test_a_base_url_without_mistralai_gets_a_401_that_points_at_the_url(fake: FakeLowCodeAPI, mode: str) -> None:
    client = make_client(fake, mode, base_url=fake.root_url)  # a custom host: no warning, the 401 explains
    try:
        with pytest.raises(AuthenticationError) as caught:
            await call(lambda: client.models.list())
    finally:
        await close(client)
    message = str(caught.value)
    assert f"Check base_url {fake.root_url}: LowCodeAPI serves Mistral under /mistralai" in message
    assert "does not start with 'at_'" not in message  # the token is fine
    assert TOKEN not in message


async def test_a_mistral_key_as_token_warns_and_the_401_repeats_the_hint(fake: FakeLowCodeAPI, mode: str) -> None:
    with pytest.warns(TokenFormatWarning, match="does not start with 'at_'"):
        client = make_client(fake, mode, api_token=MISTRAL_KEY)
    try:
        with pytest.raises(AuthenticationError) as caught:
            await call(
                lambda: client.chat.complete(model="mistral-small-latest", messages=[{"role": "user", "content": "x"}])
            )
    finally:
        await close(client)
    message = str(caught.value)
    assert (
        "The token does not start with 'at_' as LowCodeAPI tokens do; a Mistral API key does not work here" in message
    )
    assert "Check base_url" not in message  # the URL is right
    assert MISTRAL_KEY not in message and MISTRAL_KEY not in repr(caught.value)


async def test_right_url_and_token_shape_add_nothing(fake: FakeLowCodeAPI, mode: str) -> None:
    client = make_client(fake, mode, api_token="at_a_different_token_42")
    try:
        with pytest.raises(AuthenticationError) as refused:
            await call(lambda: client.models.list())
    finally:
        await close(client)
    assert str(refused.value).endswith("(LowCodeAPI rejected the token; check LOWCODEAPI_API_TOKEN)")
    client = make_client(fake, mode)
    try:
        with pytest.raises(NotFoundError) as missing:
            await call(lambda: client.files.retrieve("0b5f0000-0000-4000-8000-000000000000"))
    finally:
        await close(client)
    assert "Check base_url" not in str(missing.value)


async def test_the_adapters_report_the_same(fake: FakeLowCodeAPI, mode: str) -> None:
    from langchain_mistral_lca import ChatMistralLCA
    from llamaindex_mistral_lca import MistralLCA

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BaseURLWarning)
        chat = ChatMistralLCA(api_token=TOKEN, base_url=fake.base_url + "/v1", max_retries=0)
        llm = MistralLCA(api_token=TOKEN, base_url=fake.base_url + "/v1", max_retries=0)
    sync = mode == "sync"
    with pytest.raises(NotFoundError, match="it ends in /v1"):
        await call(lambda: chat.invoke("hi") if sync else chat.ainvoke("hi"))
    with pytest.raises(NotFoundError, match="it ends in /v1"):
        await call(lambda: llm.complete("hi") if sync else llm.acomplete("hi"))
