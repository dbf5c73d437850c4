"""MistralLCAEmbeddings against httpx.MockTransport: batching, order, concurrency, base64, split-and-retry."""

from __future__ import annotations

import asyncio
import base64
import struct
import threading
import time
from typing import Any

import httpx
import pytest
from lc_support import EMBEDDING_FIELDS, TOKEN, Recorder, envelope

from langchain_mistral_lca import MistralLCAEmbeddings
from mistral_lca import UnprocessableEntityError
from mistral_lca.embedding_batches import plan_batches
from mistral_lca.tokens import estimate_tokens


def vector_for(text: str) -> list[float]:
    return [float(len(text)), float(sum(map(ord, text)) % 97), 0.5]


def embeddings_result(texts: list[str], *, reverse: bool = False, encoding: str | None = None) -> dict[str, Any]:
    data = []
    for i, text in enumerate(texts):
        vector: Any = vector_for(text)
        if encoding == "base64":
            vector = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "embedding": vector, "index": i})
    if reverse:
        data.reverse()  # the API's order is not guaranteed: the index is the truth
    return {
        "id": "emb-1",
        "object": "list",
        "model": "mistral-embed",
        "data": data,
        "usage": {"prompt_tokens": 3, "completion_tokens": 0, "total_tokens": 3},
    }


def responder(**options: Any) -> Any:
    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        assert {"model", "input"} <= set(body) <= EMBEDDING_FIELDS
        return httpx.Response(200, json=envelope(embeddings_result(body["input"], **options)))

    return respond


def make(**kwargs: Any) -> tuple[MistralLCAEmbeddings, Recorder]:
    options = {k: kwargs.pop(k) for k in ("reverse", "encoding") if k in kwargs}
    recorder = Recorder(kwargs.pop("respond", None) or responder(**options))
    return MistralLCAEmbeddings(api_token=TOKEN, **recorder.clients(), **kwargs), recorder


async def embed(model: MistralLCAEmbeddings, mode: str, texts: list[str]) -> list[list[float]]:
    return model.embed_documents(texts) if mode == "sync" else await model.aembed_documents(texts)


async def query(model: MistralLCAEmbeddings, mode: str, text: str) -> list[float]:
    return model.embed_query(text) if mode == "sync" else await model.aembed_query(text)


async def test_vectors_come_back_in_input_order_by_index(mode: str) -> None:
    model, recorder = make(reverse=True)
    texts = ["alpha", "beta gamma", "delta"]
    assert await embed(model, mode, texts) == [vector_for(t) for t in texts]
    assert recorder.last == {"model": "mistral-embed", "input": texts}
    assert await query(model, mode, "q") == vector_for("q")
    assert recorder.last == {"model": "mistral-embed", "input": ["q"]}


async def test_empty_input_sends_nothing(mode: str) -> None:
    model, recorder = make()
    assert await embed(model, mode, []) == []
    assert recorder.requests == []


async def test_options_are_sent_and_base64_is_decoded(mode: str) -> None:
    model, recorder = make(
        model="codestral-embed", output_dimension=3, output_dtype="float", encoding_format="base64", encoding="base64"
    )
    vectors = await embed(model, mode, ["x", "yy"])
    assert vectors == [pytest.approx(vector_for("x")), pytest.approx(vector_for("yy"))]
    assert recorder.last == {
        "model": "codestral-embed",
        "input": ["x", "yy"],
        "output_dimension": 3,
        "output_dtype": "float",
        "encoding_format": "base64",
    }


async def test_batches_by_count_and_by_estimated_tokens(mode: str) -> None:
    model, recorder = make(max_batch_size=3, max_batch_tokens=10)
    texts = ["a", "b", "c", "d", "x" * 40, "e"]  # the long one gets a batch of its own
    vectors = await embed(model, mode, texts)
    assert vectors == [vector_for(t) for t in texts]
    assert sorted(tuple(b["input"]) for b in recorder.bodies) == sorted([("a", "b", "c"), ("d",), ("x" * 40,), ("e",)])


def test_token_estimate_is_offline_and_generous() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("hello world, how are you") >= 6  # ~4 chars per token in reality
    assert estimate_tokens("你好世界") >= 4  # CJK: about one token per character
    assert [(b.start, b.stop) for b in plan_batches(["aa"] * 5, max_inputs=2, max_tokens=100)] == [
        (0, 2),
        (2, 4),
        (4, 5),
    ]


async def test_a_batch_rejected_as_too_large_is_split_and_retried(mode: str) -> None:
    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        if len(body["input"]) > 2:
            error = {
                "object": "error",
                "message": "Too many tokens in batch. Max is 16384 got 20000",
                "type": "invalid_request_error",
                "code": "3210",
            }
            return httpx.Response(400, json={"message": error["message"], "provider": "mistralai", "error": error})
        return httpx.Response(200, json=envelope(embeddings_result(body["input"])))

    model, recorder = make(respond=respond, max_retries=0)
    texts = ["t1", "t2", "t3", "t4", "t5"]
    assert await embed(model, mode, texts) == [vector_for(t) for t in texts]
    assert [len(b["input"]) for b in recorder.bodies] == [5, 2, 3, 1, 2]


async def test_other_errors_are_not_retried_by_splitting(mode: str) -> None:
    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        detail = [{"type": "extra_forbidden", "loc": ["body", "x"], "msg": "Extra inputs are not permitted"}]
        return httpx.Response(422, json={"message": "bad", "provider": "mistralai", "error": {"detail": detail}})

    model, recorder = make(respond=respond, max_retries=0)
    with pytest.raises(UnprocessableEntityError):
        await embed(model, mode, ["a", "b"])
    assert len(recorder.requests) == 1


def test_sync_batches_run_concurrently_up_to_the_limit() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return httpx.Response(200, json=envelope(embeddings_result(body["input"])))

    model, _ = make(respond=respond, max_batch_size=1, max_concurrent_requests=3)
    texts = [f"text {i}" for i in range(9)]
    assert model.embed_documents(texts) == [vector_for(t) for t in texts]
    assert 2 <= state["peak"] <= 3  # concurrent, and bounded


async def test_async_batches_run_concurrently_up_to_the_limit() -> None:
    state = {"now": 0, "peak": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        import json

        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.01)
        state["now"] -= 1
        return httpx.Response(200, json=envelope(embeddings_result(json.loads(request.content)["input"])))

    model = MistralLCAEmbeddings(
        api_token=TOKEN,
        max_batch_size=1,
        max_concurrent_requests=2,
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    texts = [f"text {i}" for i in range(8)]
    assert await model.aembed_documents(texts) == [vector_for(t) for t in texts]
    assert state["peak"] == 2


def test_construction_is_cheap_and_never_downloads_a_tokenizer() -> None:
    model = MistralLCAEmbeddings(api_key=TOKEN)
    assert model._client is None
    assert "SECRET" not in repr(model)


def test_integer_dtypes_are_requested_as_asked() -> None:
    # The shared client decodes base64 vectors by the requested dtype, so nothing is rewritten here.
    model, recorder = make(output_dtype="int8", encoding_format="base64")
    model.embed_query("x")
    assert recorder.last["output_dtype"] == "int8"
    assert recorder.last["encoding_format"] == "base64"
