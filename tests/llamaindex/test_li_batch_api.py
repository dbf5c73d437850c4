"""The opt-in batch API path (``chat_via_batch_api``, ``get_text_embeddings_via_batch_api``) against the stand-in.

One batch job per call; replies in input order and shaped as ``chat`` / ``get_text_embedding_batch`` return them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole, ToolCallBlock

from llamaindex_mistral_lca import MistralLCA, MistralLCAEmbedding
from mistral_lca.batching import BatchRequestError
from mistral_lca.testing import FakeLowCodeAPI

TOKEN = "at_test_batch_api"
JOBS = "/v1/batch/jobs"
FAST: dict[str, Any] = {"poll_interval": 0.01, "max_poll_interval": 0.02, "timeout": 30.0}


@pytest.fixture
def server() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI(batch_steps=2) as fake:
        yield fake


def _llm(server: FakeLowCodeAPI, **kwargs: Any) -> MistralLCA:
    return MistralLCA(api_token=TOKEN, base_url=server.base_url, **kwargs)


def _user(text: str) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, content=text)]


async def _chat(
    llm: MistralLCA, mode: str, conversations: Sequence[Sequence[ChatMessage]], **kwargs: Any
) -> list[ChatResponse | Exception]:
    if mode == "sync":
        return llm.chat_via_batch_api(conversations, **FAST, **kwargs)
    return await llm.achat_via_batch_api(conversations, **FAST, **kwargs)


async def test_chat_replies_in_order_shaped_like_chat(server: FakeLowCodeAPI, mode: str) -> None:
    llm = _llm(server, temperature=0.2, max_tokens=64, additional_kwargs={"presence_penalty": 0.1})
    conversations = [_user("Say one"), _user("Say two"), _user("Say three")]
    replies = await _chat(llm, mode, conversations)

    assert server.count(JOBS, method="POST") == 1
    assert server.count("/v1/chat/completions") == 0
    direct = [llm.chat(messages) for messages in conversations]
    assert len(replies) == len(conversations)
    for reply, expected in zip(replies, direct, strict=True):
        assert isinstance(reply, ChatResponse)
        assert reply.message.content == expected.message.content
        assert [type(b) for b in reply.message.blocks] == [type(b) for b in expected.message.blocks]
        assert reply.additional_kwargs.keys() == expected.additional_kwargs.keys()
        assert reply.additional_kwargs["total_tokens"] > 0
        assert isinstance(reply.raw, dict) and reply.raw["model"] == expected.raw["model"]

    (upload,) = server.requests_to("/v1/files", method="POST")
    lines = [json.loads(p) for p in upload.body.split(b"\n") if p.startswith(b'{"custom_id"')]
    assert [line["custom_id"] for line in lines] == ["0", "1", "2"]
    live = server.requests_to("/v1/chat/completions")
    assert [line["body"] for line in lines] == [{k: v for k, v in r.json.items() if k != "model"} for r in live]


async def test_chat_per_request_error_raises_or_is_returned(server: FakeLowCodeAPI, mode: str) -> None:
    calls = [ToolCallBlock(tool_call_id=f"call{i}abcd", tool_name="lookup", tool_kwargs={}) for i in range(2)]
    # Two calls, one answer: valid for the client, rejected by the API (per request).
    rejected = [
        *_user("hi"),
        ChatMessage(role=MessageRole.ASSISTANT, blocks=calls),
        ChatMessage(role=MessageRole.TOOL, content="r", additional_kwargs={"tool_call_id": "call0abcd"}),
    ]
    conversations = [_user("first"), rejected, _user("third")]
    llm = _llm(server)

    replies = await _chat(llm, mode, conversations, return_exceptions=True)
    assert isinstance(replies[0], ChatResponse) and isinstance(replies[2], ChatResponse)
    assert isinstance(replies[1], BatchRequestError)
    assert replies[1].error.status_code == 400

    with pytest.raises(BatchRequestError, match="batch request 1 failed"):
        await _chat(llm, mode, conversations)
    assert server.count(JOBS, method="POST") == 2


async def test_chat_no_conversations_no_job(server: FakeLowCodeAPI, mode: str) -> None:
    assert await _chat(_llm(server), mode, []) == []
    assert server.count() == 0


async def _embed(embed_model: MistralLCAEmbedding, mode: str, texts: list[str]) -> list[list[float]]:
    if mode == "sync":
        return embed_model.get_text_embeddings_via_batch_api(texts, **FAST)
    return await embed_model.aget_text_embeddings_via_batch_api(texts, **FAST)


async def test_embeddings_in_order_equal_to_batch(server: FakeLowCodeAPI, mode: str) -> None:
    embed_model = MistralLCAEmbedding(api_token=TOKEN, base_url=server.base_url, embed_batch_size=2, output_dimension=8)
    texts = [f"text number {i}" for i in range(5)]
    vectors = await _embed(embed_model, mode, texts)

    assert server.count(JOBS, method="POST") == 1
    assert server.count("/v1/embeddings") == 0
    assert vectors == embed_model.get_text_embedding_batch(texts)
    assert all(len(vector) == 8 for vector in vectors)
    (upload,) = server.requests_to("/v1/files", method="POST")
    assert upload.body.count(b'"output_dimension":8') == 3  # 5 texts, 2 per request


async def test_embeddings_failed_request_raises(mode: str) -> None:
    with FakeLowCodeAPI(embed_max_inputs=1) as server:
        embed_model = MistralLCAEmbedding(api_token=TOKEN, base_url=server.base_url, embed_batch_size=2)
        with pytest.raises(BatchRequestError):
            await _embed(embed_model, mode, ["a", "b", "c"])
        assert await _embed(embed_model, mode, []) == []
