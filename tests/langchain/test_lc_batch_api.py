"""The opt-in batch API path (``batch_via_api``, ``embed_documents_via_batch_api``) against the local stand-in.

One batch job per call; replies in input order and shaped as ``invoke`` / ``embed_documents`` return them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langchain_mistral_lca import ChatMistralLCA, MistralLCAEmbeddings
from mistral_lca.batching import BatchRequestError
from mistral_lca.testing import FakeLowCodeAPI

TOKEN = "at_test_batch_api"
JOBS = "/v1/batch/jobs"
FAST: dict[str, Any] = {"poll_interval": 0.01, "max_poll_interval": 0.02, "timeout": 30.0}


@pytest.fixture
def server() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI(batch_steps=2) as fake:
        yield fake


def _chat(server: FakeLowCodeAPI, **kwargs: Any) -> ChatMistralLCA:
    return ChatMistralLCA(api_token=TOKEN, base_url=server.base_url, **kwargs)


def _embeddings(server: FakeLowCodeAPI, **kwargs: Any) -> MistralLCAEmbeddings:
    return MistralLCAEmbeddings(api_token=TOKEN, base_url=server.base_url, **kwargs)


async def _batch(llm: ChatMistralLCA, mode: str, inputs: list[Any], **kwargs: Any) -> list[AIMessage | Exception]:
    if mode == "sync":
        return llm.batch_via_api(inputs, **FAST, **kwargs)
    return await llm.abatch_via_api(inputs, **FAST, **kwargs)


async def test_chat_replies_in_order_shaped_like_invoke(server: FakeLowCodeAPI, mode: str) -> None:
    llm = _chat(server, temperature=0.2, max_tokens=64, presence_penalty=0.1)
    inputs: list[Any] = ["Say one", [HumanMessage("Say two")], "Say three"]
    replies = await _batch(llm, mode, inputs)

    assert server.count(JOBS, method="POST") == 1
    assert server.count("/v1/chat/completions") == 0  # nothing went through the live endpoint
    direct = [llm.invoke(item) for item in inputs]
    assert len(replies) == len(inputs)
    for reply, expected in zip(replies, direct, strict=True):
        assert isinstance(reply, AIMessage)
        assert reply.content == expected.content
        assert type(reply.content) is type(expected.content)
        assert reply.usage_metadata is not None
        assert reply.usage_metadata["total_tokens"] > 0
        assert reply.response_metadata["model_name"] == expected.response_metadata["model_name"]
        assert reply.response_metadata["finish_reason"] == expected.response_metadata["finish_reason"]


async def test_chat_requests_are_built_like_invoke(server: FakeLowCodeAPI, mode: str) -> None:
    llm = _chat(server, temperature=0.2, model_kwargs={"parallel_tool_calls": False})
    await _batch(llm, mode, ["hello"], stop=["END"])
    llm.invoke("hello", stop=["END"])

    (upload,) = server.requests_to("/v1/files", method="POST")
    line = next(part for part in upload.body.split(b"\n") if part.startswith(b'{"custom_id"'))
    (live,) = server.requests_to("/v1/chat/completions")
    assert json.loads(line)["body"] == {k: v for k, v in live.json.items() if k != "model"}
    assert live.json["parallel_tool_calls"] is False and live.json["stop"] == ["END"]


async def test_chat_per_request_error_raises_or_is_returned(server: FakeLowCodeAPI, mode: str) -> None:
    llm = _chat(server)
    calls = [{"name": "lookup", "args": {}, "id": f"call{i}"} for i in range(2)]
    # Two calls, one answer: valid for the client, rejected by the API (per request).
    rejected = [HumanMessage("hi"), AIMessage("", tool_calls=calls), ToolMessage("r", tool_call_id="call0")]
    inputs: list[Any] = ["first", rejected, "third"]

    replies = await _batch(llm, mode, inputs, return_exceptions=True)
    assert isinstance(replies[0], AIMessage) and isinstance(replies[2], AIMessage)
    assert isinstance(replies[1], BatchRequestError)
    assert replies[1].error.status_code == 400

    with pytest.raises(BatchRequestError, match="batch request 1 failed"):
        await _batch(llm, mode, inputs)
    assert server.count(JOBS, method="POST") == 2


async def test_chat_no_inputs_no_job(server: FakeLowCodeAPI, mode: str) -> None:
    assert await _batch(_chat(server), mode, []) == []
    assert server.count() == 0


async def _embed(embeddings: MistralLCAEmbeddings, mode: str, texts: list[str]) -> list[list[float]]:
    if mode == "sync":
        return embeddings.embed_documents_via_batch_api(texts, **FAST)
    return await embeddings.aembed_documents_via_batch_api(texts, **FAST)


async def test_embeddings_in_order_equal_to_embed_documents(server: FakeLowCodeAPI, mode: str) -> None:
    embeddings = _embeddings(server, max_batch_size=2, output_dimension=8)
    texts = [f"text number {i}" for i in range(5)]
    vectors = await _embed(embeddings, mode, texts)

    assert server.count(JOBS, method="POST") == 1
    assert server.count("/v1/embeddings") == 0
    assert vectors == embeddings.embed_documents(texts)
    assert all(len(vector) == 8 for vector in vectors)
    (upload,) = server.requests_to("/v1/files", method="POST")
    assert upload.body.count(b'"output_dimension":8') == 3  # 5 texts, 2 per request


async def test_embeddings_failed_request_raises(mode: str) -> None:
    with FakeLowCodeAPI(embed_max_inputs=1) as server:
        embeddings = _embeddings(server, max_batch_size=2)
        with pytest.raises(BatchRequestError):
            await _embed(embeddings, mode, ["a", "b", "c"])
        assert await _embed(embeddings, mode, []) == []
