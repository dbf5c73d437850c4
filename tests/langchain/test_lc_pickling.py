"""Pickle, cloudpickle, deepcopy and ``model_copy(deep=True)`` after first use (Ray, Spark, multiprocessing).

The built clients are left behind (a connection pool cannot travel); the copy builds its own on first use and
works. The token travels as a ``SecretStr``, as on the LlamaIndex side. A pickle drops caller-supplied httpx
clients; a deep copy shares them.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import cloudpickle
import httpx
import pytest
from lc_support import FACTORIES
from pydantic import SecretStr

from langchain_mistral_lca import (
    ChatMistralLCA,
)
from mistral_lca.testing import FakeLowCodeAPI

TOKEN = "at_SECRET_pickle_token_123456"
COPIES: dict[str, Callable[[Any], Any]] = {
    "pickle": lambda obj: pickle.loads(pickle.dumps(obj)),
    "cloudpickle": lambda obj: cloudpickle.loads(cloudpickle.dumps(obj)),
    "deepcopy": copy.deepcopy,
    "model_copy_deep": lambda obj: obj.model_copy(deep=True),
}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI(required_token=TOKEN) as server:
        yield server


def works(kind: str, obj: Any) -> None:
    """One real call through the object's own client."""
    if kind == "chat":
        assert obj.invoke("hi").text == "Echo: hi"
    elif kind == "embeddings":
        assert len(obj.embed_documents(["a", "b"])) == 2
    elif kind == "fim":
        assert isinstance(obj.invoke("def f("), str)
    else:
        assert obj.client.models.list().data  # tools and loaders: their shared client is usable


@pytest.mark.parametrize("how", list(COPIES))
@pytest.mark.parametrize("kind", list(FACTORIES))
async def test_a_used_object_copies_and_the_copy_builds_its_own_client(
    fake: FakeLowCodeAPI, kind: str, how: str
) -> None:
    original = FACTORIES[kind]({"api_token": TOKEN, "base_url": fake.base_url, "max_retries": 0})
    works(kind, original)
    sync_client, async_client = original.client, original.async_client  # both built
    clone = COPIES[how](original)
    assert clone._client is None and clone._async_client is None
    assert isinstance(clone.api_token, SecretStr) and clone.api_token.get_secret_value() == TOKEN
    works(kind, clone)
    assert clone.client is not sync_client and clone.async_client is not async_client
    assert original.client is sync_client  # the original keeps its own
    works(kind, original)
    clone.close()
    original.close()


async def test_the_async_path_of_a_copy_works(fake: FakeLowCodeAPI) -> None:
    original = ChatMistralLCA(api_token=TOKEN, base_url=fake.base_url)
    assert (await original.ainvoke("one")).text == "Echo: one"
    clone = pickle.loads(pickle.dumps(original))
    assert (await clone.ainvoke("two")).text == "Echo: two"
    assert [c.text async for c in clone.astream("three")]
    await clone.aclose()
    await original.aclose()


def test_caller_httpx_clients_are_dropped_by_pickle_and_shared_by_deepcopy(fake: FakeLowCodeAPI) -> None:
    http, ahttp = httpx.Client(), httpx.AsyncClient()
    original = ChatMistralLCA(api_token=TOKEN, base_url=fake.base_url, http_client=http, http_async_client=ahttp)
    assert original.invoke("x").text == "Echo: x"
    pickled = pickle.loads(pickle.dumps(original))
    assert pickled.http_client is None and pickled.http_async_client is None
    assert pickled.invoke("y").text == "Echo: y"  # on a pool of its own
    deep = copy.deepcopy(original)
    assert deep.http_client is http and deep.http_async_client is ahttp
    assert deep.invoke("z").text == "Echo: z"
    assert deep.client is not original.client  # its own client, on the caller's pool
    http.close()


def test_copies_with_changed_settings_still_get_their_own_client(fake: FakeLowCodeAPI) -> None:
    original = ChatMistralLCA(api_token=TOKEN, base_url=fake.base_url)
    original.invoke("x")
    changed = original.model_copy(deep=True, update={"max_retries": 5})
    assert changed.client.max_retries == 5 and original.client.max_retries == 2


def test_the_llamaindex_side_behaves_the_same(fake: FakeLowCodeAPI) -> None:
    from llama_index.core.llms import ChatMessage

    from llamaindex_mistral_lca import MistralLCA

    original = MistralLCA(api_token=TOKEN, base_url=fake.base_url)
    original.chat([ChatMessage(role="user", content="hi")])
    for how in COPIES:
        clone = COPIES[how](original)
        reply = clone.chat([ChatMessage(role="user", content="again")])
        assert reply.message.content == "Echo: again"
