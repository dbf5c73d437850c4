"""Every core resource through both clients: same requests, same typed answers (sync/async parity)."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

import httpx
import pytest
from core_support import Recorder, call, chat_result, envelope

from mistral_lca import InvalidRequestError
from mistral_lca.types.chat import ChatCompletionResponse, TextChunk, ThinkChunk, UnknownChunk
from mistral_lca.types.embeddings import EmbeddingResponse

MESSAGES = [{"role": "user", "content": "hi"}]


def ok(result: Any) -> httpx.Response:
    return httpx.Response(200, json=envelope(result, {"mistral-correlation-id": "corr-1"}))


async def test_chat_complete_request_and_response(make_client: Any) -> None:
    rec = Recorder(ok(chat_result()))
    reply = await call(
        make_client(rec),
        "chat.complete",
        model="mistral-small-latest",
        messages=MESSAGES,
        temperature=0.3,
        tool_choice="any",
        tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        safe_prompt=True,
        max_tokens=None,  # unset options never reach the wire
    )
    assert isinstance(reply, ChatCompletionResponse)
    assert reply.choices[0].message.content == "Hello!"
    assert reply.usage.total_tokens == 7
    assert reply.response_headers.request_id == "corr-1"
    sent = json.loads(rec.requests[0].content)
    assert sent == {
        "model": "mistral-small-latest",
        "messages": MESSAGES,
        "temperature": 0.3,
        "tool_choice": "any",
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        "safe_prompt": True,
    }
    assert rec.requests[0].url.path == "/mistralai/v1/chat/completions"


async def test_chat_passes_unknown_api_fields_through(make_client: Any) -> None:
    rec = Recorder(ok(chat_result()))
    await call(make_client(rec), "chat.complete", model="m", messages=MESSAGES, brand_new_option={"x": 1})  # type: ignore[call-arg]
    assert json.loads(rec.requests[0].content)["brand_new_option"] == {"x": 1}


async def test_reply_content_chunks_are_typed_and_unknown_kinds_survive(make_client: Any) -> None:
    content = [
        {"type": "thinking", "thinking": [{"type": "text", "text": "hmm"}]},
        {"type": "text", "text": "Paris"},
        {"type": "reference", "reference_ids": [1, "a"]},
        {"type": "future_kind", "payload": 1},
    ]
    reply = await call(make_client(Recorder(ok(chat_result(content)))), "chat.complete", model="m", messages=MESSAGES)
    chunks = reply.choices[0].message.content
    assert isinstance(chunks[0], ThinkChunk) and chunks[0].text == "hmm"
    assert isinstance(chunks[1], TextChunk)
    assert chunks[2].reference_ids == [1, "a"]
    assert isinstance(chunks[3], UnknownChunk) and chunks[3].model_extra == {"payload": 1}


async def test_replayed_reply_message_is_accepted_in_history(make_client: Any) -> None:
    rec = Recorder(ok(chat_result()))
    client = make_client(rec)
    first = await call(client, "chat.complete", model="m", messages=MESSAGES)
    history = [*MESSAGES, first.choices[0].message, {"role": "user", "content": "more"}]
    await call(client, "chat.complete", model="m", messages=history)
    sent = json.loads(rec.requests[1].content)["messages"]
    assert sent[1] == {"role": "assistant", "content": "Hello!"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "", "messages": MESSAGES}, "model must be a non-empty string"),
        ({"model": "m", "messages": []}, "messages must not be empty"),
        ({"model": "m", "messages": [{"role": "robot", "content": "x"}]}, "role"),
        ({"model": "m", "messages": [{"role": "user", "content": 42}]}, "content"),
        ({"model": "m", "messages": MESSAGES, "max_tokens": -1}, "max_tokens"),
        ({"model": "m", "messages": MESSAGES, "tool_choice": "sometimes"}, "tool_choice"),
    ],
)
async def test_bad_chat_input_fails_before_any_request(make_client: Any, kwargs: dict[str, Any], match: str) -> None:
    rec = Recorder(ok(chat_result()))
    with pytest.raises(InvalidRequestError, match=match):
        await call(make_client(rec), "chat.complete", **kwargs)
    assert rec.requests == []


async def test_fim_complete(make_client: Any) -> None:
    fim = {
        "id": "447e3e0d457e42e98248b5d2ef52a2a3",
        "object": "chat.completion",
        "model": "codestral-2405",
        "usage": {"prompt_tokens": 8, "completion_tokens": 91, "total_tokens": 99},
        "created": 1759496862,
        "choices": [
            {
                "index": 0,
                "message": {"content": "return a+b", "tool_calls": None, "prefix": False, "role": "assistant"},
                "finish_reason": "stop",
            }
        ],
    }
    rec = Recorder(ok(fim))
    reply = await call(
        make_client(rec), "fim.complete", model="codestral-latest", prompt="def f(a, b):", suffix="\n", min_tokens=1
    )
    assert reply.choices[0].message.content == "return a+b"
    assert json.loads(rec.requests[0].content) == {
        "model": "codestral-latest",
        "prompt": "def f(a, b):",
        "suffix": "\n",
        "min_tokens": 1,
    }
    assert rec.requests[0].url.path.endswith("/v1/fim/completions")


async def test_fim_rejects_empty_model(make_client: Any) -> None:
    with pytest.raises(InvalidRequestError, match="model"):
        await call(make_client(Recorder(ok({}))), "fim.complete", model=" ", prompt="x")


def embedding_result(vectors: list[Any], order: list[int]) -> dict[str, Any]:
    return {
        "id": "e1",
        "object": "list",
        "model": "mistral-embed",
        "usage": {"prompt_tokens": 4, "total_tokens": 4, "completion_tokens": 0},
        "data": [{"object": "embedding", "embedding": vectors[i], "index": i} for i in order],
    }


async def test_embeddings_request_order_and_base64(make_client: Any) -> None:
    packed = base64.b64encode(struct.pack("<3f", 0.5, -1.0, 2.0)).decode()
    rec = Recorder(ok(embedding_result([[0.1, 0.2], packed], order=[1, 0])))
    reply = await call(
        make_client(rec),
        "embeddings.create",
        model="mistral-embed",
        inputs=["a", "b"],
        encoding_format="base64",
        output_dimension=3,
    )
    assert isinstance(reply, EmbeddingResponse)
    assert reply.vectors() == [[0.1, 0.2], [0.5, -1.0, 2.0]]
    assert json.loads(rec.requests[0].content) == {
        "model": "mistral-embed",
        "input": ["a", "b"],
        "encoding_format": "base64",
        "output_dimension": 3,
    }


@pytest.mark.parametrize(
    ("inputs", "match"),
    [([], "must not be empty"), (["ok", 3], r"inputs\[1\] must be a string"), (None, "string or a list")],
)
async def test_bad_embedding_inputs_fail_before_any_request(make_client: Any, inputs: Any, match: str) -> None:
    rec = Recorder(ok({}))
    with pytest.raises(InvalidRequestError, match=match):
        await call(make_client(rec), "embeddings.create", model="mistral-embed", inputs=inputs)
    assert rec.requests == []


@pytest.mark.parametrize("path_params", ["query", "path"])
async def test_models_in_both_path_forms(make_client: Any, path_params: str) -> None:
    card = {
        "id": "mistral-small-latest",
        "object": "model",
        "max_context_length": 131072,
        "capabilities": {"vision": True},
    }
    rec = Recorder(
        ok({"object": "list", "data": [card]}), ok(card), ok({"id": "ft:x", "object": "model", "deleted": True})
    )
    client = make_client(rec, path_params=path_params)
    listed = await call(client, "models.list")
    assert listed.data[0].max_context_length == 131072
    one = await call(client, "models.retrieve", "ft:x y")
    assert one.capabilities.vision is True
    deleted = await call(client, "models.delete", "ft:x y")
    assert deleted.deleted is True
    retrieve_url = rec.requests[1].url
    if path_params == "query":
        assert retrieve_url.path == "/mistralai/v1/models/model_id"
        assert retrieve_url.params["model_id"] == "ft:x y"
    else:
        assert retrieve_url.raw_path.startswith(b"/mistralai/v1/models/ft%3Ax%20y?")
    assert rec.requests[2].method == "DELETE"


async def test_model_list_accepts_a_bare_array(make_client: Any) -> None:
    listed = await call(make_client(Recorder(ok([{"id": "a"}, {"id": "b"}]))), "models.list")
    assert [m.id for m in listed.data] == ["a", "b"]


async def test_a_response_of_the_wrong_shape_is_a_typed_decode_error(make_client: Any) -> None:
    from mistral_lca import ResponseDecodeError

    with pytest.raises(ResponseDecodeError, match="ModelCard"):
        await call(make_client(Recorder(ok({"object": "model"}))), "models.retrieve", "x")


@pytest.mark.parametrize(("dtype", "fmt", "values"), [("int8", "<3b", [-1, 0, 7]), ("uint8", "<3B", [255, 0, 7])])
async def test_base64_embeddings_decode_by_requested_dtype(
    make_client: Any, dtype: str, fmt: str, values: list[int]
) -> None:
    packed = base64.b64encode(struct.pack(fmt, *values)).decode()
    rec = Recorder(ok(embedding_result([packed], order=[0])))
    reply = await call(
        make_client(rec),
        "embeddings.create",
        model="codestral-embed",
        inputs=["a"],
        encoding_format="base64",
        output_dtype=dtype,
    )
    assert reply.vectors() == [[float(v) for v in values]]
