"""No silent wrong answers: what a real answer always has is required, a 3xx is an error, deep bodies are safe.

An empty 200 body, ``{}`` or an envelope with ``"result": null`` where an answer is expected is a
:class:`ResponseDecodeError` (never an empty success), while endpoints that legitimately answer nothing still work.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from client_support import TOKEN, Recorder, build_client, call, collect, ok

from mistral_lca import APIStatusError, RedirectError, ResponseDecodeError, ServerError
from mistral_lca import _json as json_module

MESSAGES = [{"role": "user", "content": "hi"}]
CHAT = {
    "id": "cmpl-1",
    "object": "chat.completion",
    "model": "mistral-small-2506",
    "created": 1,
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
}


def vectors(n: int, *, indexes: list[int] | None = None) -> dict[str, Any]:
    data = [{"object": "embedding", "embedding": [0.1, 0.2], "index": i} for i in indexes or range(n)]
    return {"id": "e-1", "object": "list", "model": "mistral-embed", "usage": {}, "data": data}


# Calls whose answer must carry content: (dotted call, kwargs).
ANSWERING_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("chat.complete", {"model": "m", "messages": MESSAGES}),
    ("fim.complete", {"model": "codestral-latest", "prompt": "def f("}),
    ("agents.complete", {"agent_id": "ag-1", "messages": MESSAGES}),
    ("embeddings.create", {"model": "mistral-embed", "inputs": ["a", "b"]}),
    ("models.list", {}),
    ("classifiers.moderate", {"model": "mistral-moderation-latest", "inputs": ["x"]}),
    ("classifiers.classify", {"model": "ft:classifier", "inputs": ["x"]}),
    (
        "ocr.process",
        {"model": "mistral-ocr-latest", "document": {"type": "document_url", "document_url": "https://x/a"}},
    ),
    ("audio.transcriptions.complete", {"model": "voxtral-mini-latest", "file_url": "https://x/a.mp3"}),
    ("files.list", {}),
    ("files.get_signed_url", {"file_id": "f-1"}),
    ("batch.jobs.list", {}),
    ("batch.jobs.get", {"job_id": "b-1"}),
    ("fine_tuning.jobs.list", {}),
    ("fine_tuning.jobs.get", {"job_id": "j-1"}),
    ("fine_tuning.jobs.create", {"model": "open-mistral-7b", "hyperparameters": {"training_steps": 1}}),
    ("libraries.list", {}),
    ("libraries.documents.list", {"library_id": "l-1"}),
    ("libraries.documents.status", {"library_id": "l-1", "document_id": "d-1"}),
    ("libraries.documents.text_content", {"library_id": "l-1", "document_id": "d-1"}),
    ("libraries.documents.get_signed_url", {"library_id": "l-1", "document_id": "d-1"}),
    ("conversations.start", {"model": "m", "inputs": "hi"}),
    ("conversations.list", {}),
    ("conversations.get_history", {"conversation_id": "c-1"}),
    ("conversations.get_messages", {"conversation_id": "c-1"}),
    ("agents.list", {}),
]
EMPTY_ANSWERS = {
    "empty body": lambda: httpx.Response(200, content=b"", headers={"content-type": "application/json"}),
    "empty object": lambda: ok({}, wrap=False),
    "enveloped empty object": lambda: ok({}),
    "result null": lambda: ok(None),
}


@pytest.mark.parametrize("answer", list(EMPTY_ANSWERS))
@pytest.mark.parametrize(("dotted", "kwargs"), ANSWERING_CALLS, ids=[d for d, _ in ANSWERING_CALLS])
async def test_an_empty_answer_is_never_a_success(mode: str, dotted: str, kwargs: dict[str, Any], answer: str) -> None:
    client = build_client(mode, Recorder(EMPTY_ANSWERS[answer]()))
    with pytest.raises(ResponseDecodeError) as info:
        await call(client, dotted, **kwargs)
    assert info.value.status_code == 200
    assert "expected" in info.value.message
    assert client.sleeps == []  # a wrong answer is not retried


@pytest.mark.parametrize(
    ("dotted", "kwargs", "answer"),
    [
        ("agents.delete", {"agent_id": "ag-1"}, httpx.Response(204)),
        ("conversations.delete", {"conversation_id": "c-1"}, httpx.Response(204)),
        ("libraries.documents.delete", {"library_id": "l", "document_id": "d"}, httpx.Response(204)),
        ("libraries.documents.reprocess", {"library_id": "l", "document_id": "d"}, httpx.Response(204)),
        ("libraries.delete", {"library_id": "l"}, httpx.Response(204)),
        ("agents.delete", {"agent_id": "ag-1"}, ok(None)),
    ],
)
async def test_endpoints_that_answer_nothing_still_work(
    mode: str, dotted: str, kwargs: dict[str, Any], answer: httpx.Response
) -> None:
    assert await call(build_client(mode, Recorder(answer)), dotted, **kwargs) is None


@pytest.mark.parametrize(
    ("missing", "reason"),
    [("id", "missing id"), ("model", "missing model"), ("choices", "missing choices")],
)
async def test_a_chat_answer_needs_id_model_and_a_choice(mode: str, missing: str, reason: str) -> None:
    partial = {k: v for k, v in CHAT.items() if k != missing}
    with pytest.raises(ResponseDecodeError, match=reason):
        await call(build_client(mode, Recorder(ok(partial))), "chat.complete", model="m", messages=MESSAGES)
    with pytest.raises(ResponseDecodeError, match="empty choices"):
        await call(
            build_client(mode, Recorder(ok({**CHAT, "choices": []}))), "chat.complete", model="m", messages=MESSAGES
        )


async def test_extra_fields_are_still_welcome(mode: str) -> None:
    reply = await call(
        build_client(mode, Recorder(ok({**CHAT, "brand_new": {"x": 1}, "p": "abc"}))),
        "chat.complete",
        model="m",
        messages=MESSAGES,
    )
    assert reply.choices[0].message.content == "Hi" and reply.model_extra["brand_new"] == {"x": 1}


@pytest.mark.parametrize(
    ("inputs", "answer", "problem"),
    [
        (["a", "b", "c"], vectors(2), "2 vector"),
        (["a", "b"], vectors(2, indexes=[0, 0]), "indexes"),
        (["a", "b"], vectors(3), "3 vector"),
        ("a", vectors(0), "empty data"),
        (["a"], {**vectors(1), "data": [{"object": "embedding", "index": 0}]}, "empty vector"),
    ],
)
async def test_embeddings_need_one_vector_per_input(mode: str, inputs: Any, answer: Any, problem: str) -> None:
    client = build_client(mode, Recorder(ok(answer)))
    with pytest.raises(ResponseDecodeError, match=problem):
        await call(client, "embeddings.create", model="mistral-embed", inputs=inputs)


async def test_embeddings_in_any_order_are_complete(mode: str) -> None:
    answer = vectors(3, indexes=[2, 0, 1])
    reply = await call(build_client(mode, Recorder(ok(answer))), "embeddings.create", model="e", inputs=["a", "b", "c"])
    assert len(reply.vectors()) == 3


@pytest.mark.parametrize("dotted", ["chat.stream", "fim.stream"])
@pytest.mark.parametrize("answer", ["empty object", "result null", "empty body"])
async def test_a_stream_answered_with_empty_json_is_an_error(mode: str, dotted: str, answer: str) -> None:
    kwargs: dict[str, Any] = (
        {"model": "m", "messages": MESSAGES} if dotted == "chat.stream" else {"model": "m", "prompt": "x"}
    )
    client = build_client(mode, Recorder(EMPTY_ANSWERS[answer]()))
    target: Any = client
    for part in dotted.split("."):
        target = getattr(target, part)
    with pytest.raises(ResponseDecodeError):
        await collect(target(**kwargs))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_a_typed_error_naming_where_it_pointed(mode: str, status: int) -> None:
    location = f"https://lowcodeapi.com/login?next=/mistralai&api_token={TOKEN}"
    rec = Recorder(httpx.Response(status, headers={"location": location}))
    client = build_client(mode, rec)
    with pytest.raises(RedirectError) as info:
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    error = info.value
    assert isinstance(error, APIStatusError) and error.status_code == status
    assert error.location == "https://lowcodeapi.com/login?next=/mistralai&api_token=***"
    assert "https://lowcodeapi.com/login" in str(error) and TOKEN not in str(error) + repr(error.headers)
    assert len(rec.requests) == 1 and client.sleeps == []  # neither followed nor retried


async def test_redirects_are_not_followed_even_by_a_client_that_would(mode: str) -> None:
    rec = Recorder(httpx.Response(302, headers={"location": "https://elsewhere.example/steal"}), ok(CHAT))
    transport = httpx.MockTransport(rec)
    http: Any = (
        httpx.Client(transport=transport, follow_redirects=True)
        if mode == "sync"
        else httpx.AsyncClient(transport=transport, follow_redirects=True)
    )
    client = build_client(mode, rec)
    client._sender._http = http
    with pytest.raises(RedirectError, match=r"elsewhere\.example"):
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    assert [r.url.host for r in rec.requests] == ["api.lowcodeapi.com"]  # the token never went elsewhere


async def test_a_redirected_stream_is_a_typed_error(mode: str) -> None:
    client = build_client(mode, Recorder(httpx.Response(302, headers={"location": "https://lowcodeapi.com/"})))
    with pytest.raises(RedirectError):
        await collect(client.chat.stream(model="m", messages=MESSAGES))


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("parser", ["orjson", "stdlib"])
@pytest.mark.parametrize("depth", [500, 5000, 200_000])
async def test_deeply_nested_bodies_give_typed_errors(
    mode: str, parser: str, depth: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if parser == "stdlib":
        monkeypatch.setattr(json_module, "_orjson", None)
    error_body = b'{"message":"x","provider":"mistralai","error":{"detail":' + nested(depth) + b"}}"
    client = build_client(mode, Recorder(httpx.Response(500, content=error_body)), max_retries=0)
    with pytest.raises(ServerError):
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    success = b'{"id":"x","model":"m","choices":' + nested(depth) + b"}"
    client = build_client(mode, Recorder(httpx.Response(200, content=success)))
    with pytest.raises(ResponseDecodeError):
        await call(client, "chat.complete", model="m", messages=MESSAGES)


async def test_a_deep_error_body_is_kept_shallow(mode: str) -> None:
    body = {"message": "x", "provider": "mistralai", "error": {"detail": json.loads(nested(500))}}
    client = build_client(mode, Recorder(httpx.Response(422, json=body)), max_retries=0)
    with pytest.raises(APIStatusError) as info:
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    depth, value = 0, info.value.body["error"]["detail"]
    while isinstance(value, list) and value:
        depth, value = depth + 1, value[0]
    assert depth < 40 and value == "<nested too deep>"
