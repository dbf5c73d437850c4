"""MistralLCAEmbedding: every sync and async method, batching by count and tokens, concurrency, options."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
import pytest
from li_support import EMBEDDING_FIELDS, TOKEN, Recorder, envelope, transports
from llama_index.core.callbacks import CallbackManager, CBEventType, LlamaDebugHandler
from llama_index.core.storage.kvstore import SimpleKVStore

from llamaindex_mistral_lca import MistralLCAEmbedding
from mistral_lca import BadRequestError
from mistral_lca.embedding_batches import plan_batches
from mistral_lca.tokens import estimate_tokens


def vector_for(text: str) -> list[float]:
    return [float(len(text)), 1.0]


def embed_reply(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    data = [{"object": "embedding", "embedding": vector_for(t), "index": i} for i, t in enumerate(inputs)]
    data.reverse()  # the server may answer out of order; index decides
    usage = {"prompt_tokens": len(inputs), "completion_tokens": 0, "total_tokens": len(inputs)}
    result = {"id": "e1", "object": "list", "model": body["model"], "usage": usage, "data": data}
    return httpx.Response(200, json=envelope(result))


def make(handler: Any = embed_reply, **kwargs: Any) -> tuple[MistralLCAEmbedding, Recorder]:
    rec = handler if isinstance(handler, Recorder) else Recorder(handler)
    return MistralLCAEmbedding(api_token=TOKEN, max_retries=0, **transports(rec), **kwargs), rec


async def test_single_text_and_query_methods(mode: str) -> None:
    model, rec = make()
    if mode == "sync":
        got = [model.get_text_embedding("abc"), model.get_query_embedding("abcd")]
    else:
        got = [await model.aget_text_embedding("abc"), await model.aget_query_embedding("abcd")]
    assert got == [[3.0, 1.0], [4.0, 1.0]]
    assert rec.bodies == [{"model": "mistral-embed", "input": ["abc"]}, {"model": "mistral-embed", "input": ["abcd"]}]
    assert rec.requests[0].url.path == "/mistralai/v1/embeddings"


async def test_batch_is_split_by_count_and_kept_in_order(mode: str) -> None:
    model, rec = make(embed_batch_size=2)
    texts = ["a" * n for n in range(1, 6)]
    if mode == "sync":
        vectors = model.get_text_embedding_batch(texts)
    else:
        vectors = await model.aget_text_embedding_batch(texts)
    assert vectors == [vector_for(t) for t in texts]
    assert sorted(len(b["input"]) for b in rec.bodies) == [1, 2, 2]
    for body in rec.bodies:
        assert set(body) <= EMBEDDING_FIELDS


async def test_batch_is_split_by_estimated_tokens(mode: str) -> None:
    model, rec = make(max_batch_tokens=100)
    texts = ["x" * 150, "y" * 150, "z" * 600]  # ~51, ~51, ~201 tokens
    vectors = model.get_text_embedding_batch(texts) if mode == "sync" else await model.aget_text_embedding_batch(texts)
    assert vectors == [vector_for(t) for t in texts]
    assert sorted(len(b["input"]) for b in rec.bodies) == [1, 1, 1]


async def test_private_batch_methods(mode: str) -> None:
    model, _ = make(embed_batch_size=3)
    texts = [str(i) * (i + 1) for i in range(7)]
    if mode == "sync":
        vectors = model._get_text_embeddings(texts)
    else:
        vectors = await model._aget_text_embeddings(texts)
    assert vectors == [vector_for(t) for t in texts]


async def test_options_are_sent(mode: str) -> None:
    model, rec = make(model_name="codestral-embed", output_dimension=256, output_dtype="int8", encoding_format="float")
    if mode == "sync":
        model.get_text_embedding_batch(["a"])
    else:
        await model.aget_text_embedding_batch(["a"])
    assert rec.body == {
        "model": "codestral-embed",
        "input": ["a"],
        "output_dimension": 256,
        "output_dtype": "int8",
        "encoding_format": "float",
    }


def test_sync_batches_run_concurrently() -> None:
    # Each request waits until three are in flight together: this only completes with three workers at once.
    barrier = threading.Barrier(3, timeout=10)
    lock = threading.Lock()
    active = {"now": 0, "max": 0}

    def gated(request: httpx.Request) -> httpx.Response:
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        barrier.wait()
        with lock:
            active["now"] -= 1
        return embed_reply(request)

    model, rec = make(gated, embed_batch_size=1, num_workers=3)
    assert model.get_text_embedding_batch([str(i) for i in range(6)]) == [vector_for(str(i)) for i in range(6)]
    assert len(rec.requests) == 6
    assert active["max"] == 3


async def test_async_batches_are_bounded_by_num_workers() -> None:
    active = {"now": 0, "max": 0}
    two_in_flight = asyncio.Event()

    async def gated(request: httpx.Request) -> httpx.Response:
        active["now"] += 1
        active["max"] = max(active["max"], active["now"])
        if active["now"] == 2:
            two_in_flight.set()
        await asyncio.wait_for(two_in_flight.wait(), timeout=10)
        await asyncio.sleep(0)
        active["now"] -= 1
        return embed_reply(request)

    transport = httpx.MockTransport(gated)
    model = MistralLCAEmbedding(
        api_token=TOKEN, embed_batch_size=1, num_workers=2, async_http_client=httpx.AsyncClient(transport=transport)
    )
    texts = ["a", "bb", "ccc", "dddd", "eeeee"]
    assert await model.aget_text_embedding_batch(texts) == [vector_for(t) for t in texts]
    assert active["max"] == 2


async def test_batch_rejected_as_too_large_is_halved(mode: str) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        if len(json.loads(request.content)["input"]) > 2:
            error = {"object": "error", "message": "Too many tokens in batch. Max is 16384", "code": "3210"}
            return httpx.Response(400, json=error)
        return embed_reply(request)

    model, rec = make(reply)
    texts = ["a", "b", "c", "d"]
    vectors = model.get_text_embedding_batch(texts) if mode == "sync" else await model.aget_text_embedding_batch(texts)
    assert vectors == [vector_for(t) for t in texts]
    assert [len(b["input"]) for b in rec.bodies] == [4, 2, 2]


async def test_other_errors_propagate(mode: str) -> None:
    model, _ = make(Recorder(httpx.Response(400, json={"object": "error", "message": "nope"})))
    with pytest.raises(BadRequestError, match="nope"):
        if mode == "sync":
            model.get_text_embedding_batch(["a", "b"])
        else:
            await model.aget_text_embedding_batch(["a", "b"])


async def test_events_cache_and_empty_input(mode: str) -> None:
    debug = LlamaDebugHandler()
    model, rec = make(embed_batch_size=2, callback_manager=CallbackManager([debug]), embeddings_cache=SimpleKVStore())
    texts = ["a", "bb", "ccc"]
    for _ in range(2):  # the second round is served from the cache
        if mode == "sync":
            assert model.get_text_embedding_batch(texts) == [vector_for(t) for t in texts]
        else:
            assert await model.aget_text_embedding_batch(texts) == [vector_for(t) for t in texts]
    assert len(rec.requests) == 2
    assert len(debug.get_event_pairs(CBEventType.EMBEDDING)) == 2
    assert model.get_text_embedding_batch([]) == []


def test_planner() -> None:
    assert estimate_tokens("") == 1 and estimate_tokens("abcdef") == 3 and estimate_tokens("日本") == 3
    assert [b.positions for b in plan_batches(["a"] * 5, max_inputs=2, max_tokens=100)] == [
        range(2),
        range(2, 4),
        range(4, 5),
    ]
    long = "a long sentence about nothing in particular " * 10
    assert [(b.start, b.stop) for b in plan_batches([long, "y"], max_inputs=10, max_tokens=50)] == [(0, 1), (1, 2)]


def test_serialisation_has_no_secret() -> None:
    model, _ = make()
    for text in (repr(model), str(model), model.to_json(), json.dumps(model.to_payload())):
        assert TOKEN not in text
    assert model.to_dict()["model_name"] == "mistral-embed"
