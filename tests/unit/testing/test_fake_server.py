"""The LowCodeAPI stand-in: protocol, envelopes, auth, path forms, chat/SSE behaviour, embeddings."""

from __future__ import annotations

import base64
import json
import re
import struct

import httpx
import pytest
from fake_support import CHAT, MODEL, result, sse_chunks, sse_payloads, user

from mistral_lca.testing import FakeLowCodeAPI

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "weather",
            "description": "Current weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "search",
            "parameters": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "limit": {"type": "integer"},
                    "exact": {"type": "boolean"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "filters": {"type": "object", "properties": {"year": {"type": "number"}}},
                },
            },
        },
    },
]
TOOL_ID = re.compile(r"^[A-Za-z0-9]{9}$")


# --------------------------------------------------------------------------- envelope / plain mode / auth


def test_success_envelope_wraps_mistral_json(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    r = http.post(fake.url(CHAT), json=user("What's 2 + 2?"))
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"message", "provider", "result", "response_headers"}
    res = result(r)
    assert res["object"] == "chat.completion"
    assert res["model"] == MODEL
    msg = res["choices"][0]["message"]
    assert msg == {"role": "assistant", "tool_calls": None, "content": "Echo: What's 2 + 2?"}
    assert res["choices"][0]["finish_reason"] == "stop"
    usage = res["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"] == {"cached_tokens": 0}
    headers = body["response_headers"]
    assert "mistral-correlation-id" in headers
    assert not any("ratelimit" in name for name in headers)  # an account without limits (see test_fake_rate_limits)
    assert "mistral-correlation-id" not in r.headers  # upstream headers only inside the body


def test_created_status_is_reported_as_200(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    r = http.post(fake.url("/v1/libraries"), json={"name": "docs"})
    assert r.status_code == 200
    assert result(r)["name"] == "docs"
    plain = http.post(
        f"{fake.mistral_base_url}/v1/libraries", json={"name": "p"}, headers={"Authorization": "Bearer k"}
    )
    assert plain.status_code == 201


def test_plain_mistral_mode_is_unwrapped(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    r = http.post(f"{fake.mistral_base_url}{CHAT}", json=user("hi"), headers={"Authorization": "Bearer sk"})
    assert r.status_code == 200
    assert r.json()["object"] == "chat.completion"
    assert "mistral-correlation-id" in r.headers
    assert fake.last_request is not None
    assert fake.last_request.mode == "mistral"


def test_plain_mode_auth_errors(http: httpx.Client) -> None:
    with FakeLowCodeAPI(mistral_api_key="right") as fake:
        url = f"{fake.mistral_base_url}{CHAT}"
        missing = http.post(url, json=user("x"))
        assert (missing.status_code, missing.json()) == (401, {"detail": "Unauthorized"})
        wrong = http.post(url, json=user("x"), headers={"Authorization": "Bearer wrong"})
        assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid API Key"})
        assert http.post(url, json=user("x"), headers={"Authorization": "Bearer right"}).status_code == 200


@pytest.mark.parametrize("token", ["bad_token", ""])
def test_invalid_token_401_echoes_the_query(fake: FakeLowCodeAPI, http: httpx.Client, token: str) -> None:
    r = http.post(
        f"{fake.base_url}{CHAT}", params={"api_token": token, "extra": "1"}, json=user("x"), headers={"X-Custom": "yes"}
    )
    assert r.status_code == 401
    body = r.json()
    assert body["message"] == "A valid API token is required to access this API."
    assert body["provider"] == "mistralai"
    assert body["headers"] == {}
    logging = body["error"]["logging"]
    assert body["error"]["code"] == 401
    assert logging["method"] == "POST"
    assert logging["path"] == "/mistralai/v1/chat/completions"
    assert logging["query"] == {"api_token": token, "extra": "1"}
    assert logging["headers"]["x-custom"] == "yes"


def test_missing_token_is_401(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    r = http.get(f"{fake.base_url}/v1/models")
    assert r.status_code == 401
    assert r.json()["error"]["logging"]["query"] == {}


def test_required_token_and_no_mistral_key(http: httpx.Client) -> None:
    with FakeLowCodeAPI(required_token="at_good") as fake:
        assert http.get(fake.url("/v1/models", token="at_other")).status_code == 401
        assert http.get(fake.url("/v1/models")).status_code == 200
        fake.config.no_mistral_key = True
        r = http.get(fake.url("/v1/models"))
        assert r.status_code == 403
        assert r.json()["message"] == "Request failed"
        assert r.json()["error"]["logging"]["query"]["api_token"] == "at_good"


def test_unknown_route_and_method(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    r = http.get(fake.url("/v1/nope"))
    assert r.status_code == 404
    assert r.json()["error"] == {"detail": "Not Found"}
    r = http.put(fake.url(CHAT), json={})
    assert r.status_code == 405
    assert http.get(fake.url("/v1/nope").replace("/mistralai", "", 1)).status_code in (401, 404)
    assert http.get(f"{fake.root_url}/mistralai", follow_redirects=False).status_code == 302


def test_upstream_validation_error_is_wrapped(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    r = http.post(
        fake.url(CHAT),
        json={
            "model": MODEL,
            "messages": [{"role": "user", "content": "x"}],
            "stream_options": {"include_usage": True},
        },
    )
    assert r.status_code == 422
    body = r.json()
    assert body["message"] == "Error received from the mistralai API"
    assert body["error"]["detail"][0]["type"] == "extra_forbidden"
    assert body["error"]["detail"][0]["loc"] == ["body", "stream_options"]
    assert "mistral-correlation-id" in body["headers"]
    broken = http.post(fake.url(CHAT), content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 422
    assert broken.json()["error"]["detail"][0]["type"] == "json_invalid"


def test_mistral_400_message_becomes_envelope_message(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    bad_id = {
        "model": MODEL,
        "messages": [
            {"role": "user", "content": "x"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": "call_123456", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            },
            {"role": "tool", "content": "r", "tool_call_id": "call_123456"},
        ],
    }
    r = http.post(fake.url(CHAT), json=bad_id)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "3280"
    assert r.json()["message"].startswith("Tool call id was call_123456")
    last_assistant = {"model": MODEL, "messages": [{"role": "assistant", "content": "x"}]}
    r = http.post(fake.url(CHAT), json=last_assistant)
    assert r.status_code == 400
    assert "Expected last role User or Tool" in r.json()["message"]


# --------------------------------------------------------------------------- path-parameter forms


def test_both_path_parameter_forms(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    up = result(http.post(fake.url("/v1/files"), files={"file": ("a.jsonl", b'{"x":1}\n')}, data={"purpose": "batch"}))
    fid = up["id"]
    new = http.get(fake.url(f"/v1/files/{fid}"))
    old = http.get(fake.url("/v1/files/file_id", file_id=fid))
    assert result(new)["id"] == result(old)["id"] == fid
    forms = [(r.path_form, r.route, r.params, r.mistral_path) for r in fake.requests_to("/v1/files/{file_id}")]
    assert forms == [
        ("path", "/v1/files/{file_id}", {"file_id": fid}, f"/v1/files/{fid}"),
        ("query", "/v1/files/{file_id}", {"file_id": fid}, f"/v1/files/{fid}"),
    ]
    content = http.get(fake.url("/v1/files/file_id/content", file_id=fid))
    assert content.content == b'{"x":1}\n'
    assert fake.count(f"/v1/files/{fid}/content") == 1


def test_nested_query_form(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    lib = result(http.post(fake.url("/v1/libraries"), json={"name": "L"}))
    doc = result(
        http.post(
            fake.url(f"/v1/libraries/{lib['id']}/documents"),
            files={"file": ("notes.txt", b"hello library", "text/plain")},
        )
    )
    url = fake.url(
        "/v1/libraries/library_id/documents/document_id/text_content", library_id=lib["id"], document_id=doc["id"]
    )
    assert result(http.get(url)) == {"text": "hello library"}
    rec = fake.last_request
    assert rec is not None and rec.path_form == "query"
    assert rec.params == {"library_id": lib["id"], "document_id": doc["id"]}


# --------------------------------------------------------------------------- chat behaviour


def test_sse_framing(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    r = http.post(fake.url(CHAT), json=user("Count from 1 to 3", stream=True))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers.get("transfer-encoding") == "chunked"
    assert r.text.endswith("data: [DONE]\n\n")
    assert all(block.startswith("data: ") for block in r.text.split("\n\n") if block)
    chunks = sse_chunks(r.text)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert "p" not in chunks[0]
    assert all("p" in c for c in chunks[1:])
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert [("usage" in c) for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    text = "".join(c["choices"][0]["delta"]["content"] for c in chunks)
    assert text == "Echo: Count from 1 to 3"


@pytest.mark.parametrize("n", [1, 7, 5000])
def test_stream_chunks_exact(http: httpx.Client, n: int) -> None:
    with FakeLowCodeAPI(stream_chunks=n) as fake:
        r = http.post(fake.url(CHAT), json=user("a fairly short prompt", stream=True))
        chunks = sse_chunks(r.text)
        content = chunks[1:]
        assert len(content) == n
        assert all(c["choices"][0]["delta"]["content"] for c in content)
        assert "usage" in content[-1]


def test_buffered_stream_has_content_length(http: httpx.Client) -> None:
    with FakeLowCodeAPI(stream_buffered=True, stream_delay=0.001) as fake:
        r = http.post(fake.url(CHAT), json=user("hi", stream=True))
        assert int(r.headers["content-length"]) == len(r.content)
        assert sse_payloads(r.text)[-1] == "[DONE]"


def test_parallel_tool_calls_stream_in_one_chunk(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    body = user("Use weather for Paris and search query=tigers", stream=True, tools=TOOLS)
    chunks = sse_chunks(http.post(fake.url(CHAT), json=body).text)
    assert len(chunks) == 2
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "tool_calls"
    assert "usage" in last
    calls = last["choices"][0]["delta"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["weather", "search"]
    assert [c["index"] for c in calls] == [0, 1]
    assert all(TOOL_ID.match(c["id"]) for c in calls)
    assert json.loads(calls[0]["function"]["arguments"]) == {"city": "Paris", "unit": "c"}
    assert json.loads(calls[1]["function"]["arguments"]) == {
        "query": "tigers",
        "limit": 1,
        "exact": True,
        "tags": [],
        "filters": {"year": 1},
    }
    again = sse_chunks(http.post(fake.url(CHAT), json=body).text)
    assert again[-1]["choices"][0]["delta"]["tool_calls"][0]["id"] == calls[0]["id"]  # deterministic


def test_tool_choice_forcing_and_results(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    plain = result(http.post(fake.url(CHAT), json=user("hello", tools=TOOLS)))
    assert plain["choices"][0]["message"]["tool_calls"] is None
    forced = result(http.post(fake.url(CHAT), json=user("hello", tools=TOOLS, tool_choice="any")))
    msg = forced["choices"][0]["message"]
    assert msg["content"] == ""
    assert [c["function"]["name"] for c in msg["tool_calls"]] == ["weather"]
    named = result(
        http.post(
            fake.url(CHAT),
            json=user("hello", tools=TOOLS, tool_choice={"type": "function", "function": {"name": "search"}}),
        )
    )
    assert named["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "search"
    call = msg["tool_calls"][0]
    follow = {
        "model": MODEL,
        "tools": TOOLS,
        "tool_choice": "any",
        "messages": [
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "content": "15°C and sunny", "tool_call_id": call["id"]},
        ],
    }
    answer = result(http.post(fake.url(CHAT), json=follow))
    assert answer["choices"][0]["finish_reason"] == "stop"
    assert "15°C and sunny" in answer["choices"][0]["message"]["content"]


def test_response_format_json(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "pets": {"type": "array", "items": {"$ref": "#/$defs/Pet"}},
        },
        "required": ["name", "age"],
        "$defs": {"Pet": {"type": "object", "properties": {}}},
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "Person", "schema": schema, "strict": True}}
    res = result(http.post(fake.url(CHAT), json=user("Tell me about Ada age=36", response_format=fmt)))
    data = json.loads(res["choices"][0]["message"]["content"])
    assert data == {"name": "Ada", "age": 36, "pets": []}
    obj = result(http.post(fake.url(CHAT), json=user("hi", response_format={"type": "json_object"})))
    assert json.loads(obj["choices"][0]["message"]["content"]) == {"answer": "Echo: hi"}


def test_reasoning_content_blocks(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    res = result(http.post(fake.url(CHAT), json={**user("why?"), "model": "magistral-medium-latest"}))
    content = res["choices"][0]["message"]["content"]
    assert [b["type"] for b in content] == ["thinking", "text"]
    assert content[0]["thinking"][0]["type"] == "text"
    assert content[1]["text"] == "Echo: why?"
    chunks = sse_chunks(http.post(fake.url(CHAT), json=user("why?", stream=True, reasoning_effort="high")).text)
    deltas = [c["choices"][0]["delta"]["content"] for c in chunks[1:]]
    assert deltas[0][0]["type"] == "thinking"
    closing = next(i for i, d in enumerate(deltas) if isinstance(d, list) and d[0].get("closed"))
    assert deltas[closing + 1] == [{"type": "text", "text": "Echo:"}]
    assert all(isinstance(d, str) for d in deltas[closing + 2 :])


def test_reply_overrides_limits_and_aliases(http: httpx.Client) -> None:
    with FakeLowCodeAPI(reply=lambda body: "custom " * 10, model_aliases={MODEL: "mistral-small-2506"}) as fake:
        res = result(http.post(fake.url(CHAT), json=user("x", max_tokens=2)))
        assert res["model"] == "mistral-small-2506"
        assert res["choices"][0]["message"]["content"] == "custom c"
        assert res["choices"][0]["finish_reason"] == "length"
        res = result(http.post(fake.url(CHAT), json=user("x", stop=["om"])))
        assert res["choices"][0]["message"]["content"] == "cust"


def test_fim_and_agents(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fim = result(
        http.post(
            fake.url("/v1/fim/completions"),
            json={"model": "codestral-latest", "prompt": "def add(a, b):", "suffix": "\n"},
        )
    )
    assert fim["object"] == "chat.completion"
    assert fim["choices"][0]["message"]["content"] == "return a + b"
    stream = http.post(
        fake.url("/v1/fim/completions"), json={"model": "codestral-latest", "prompt": "x = ", "stream": True}
    )
    assert sse_payloads(stream.text)[-1] == "[DONE]"
    agent = result(http.post(fake.url("/v1/agents"), json={"model": "mistral-large-latest", "name": "helper"}))
    assert agent["id"].startswith("ag_")
    done = result(
        http.post(
            fake.url("/v1/agents/completions"),
            json={"agent_id": agent["id"], "messages": [{"role": "user", "content": "yo"}]},
        )
    )
    assert done["model"] == "mistral-large-latest"
    assert done["choices"][0]["message"]["content"] == "Echo: yo"


# --------------------------------------------------------------------------- embeddings


def test_embeddings_float_and_base64(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    texts = ["alpha", "beta", "alpha"]
    res = result(http.post(fake.url("/v1/embeddings"), json={"model": "mistral-embed", "input": texts}))
    vectors = [d["embedding"] for d in res["data"]]
    assert [d["index"] for d in res["data"]] == [0, 1, 2]
    assert all(len(v) == 1024 for v in vectors)
    assert vectors[0] == vectors[2] != vectors[1]
    assert abs(sum(x * x for x in vectors[0]) - 1.0) < 0.02
    assert res["usage"]["prompt_tokens"] == res["usage"]["total_tokens"] > 0
    b64 = result(
        http.post(
            fake.url("/v1/embeddings"), json={"model": "mistral-embed", "input": "alpha", "encoding_format": "base64"}
        )
    )
    raw = base64.b64decode(b64["data"][0]["embedding"])
    assert list(struct.unpack("<1024f", raw)) == vectors[0]
    small = result(
        http.post(
            fake.url("/v1/embeddings"),
            json={"model": "mistral-embed", "input": ["a"], "output_dimension": 256, "output_dtype": "int8"},
        )
    )
    ints = small["data"][0]["embedding"]
    assert len(ints) == 256 and all(isinstance(i, int) and -128 <= i <= 127 for i in ints)


def test_embeddings_limits(http: httpx.Client) -> None:
    from mistral_lca.tokens import count_tokens

    words = "the quick brown fox jumps over the lazy dog " * 12
    cost = count_tokens(words, "mistral-embed")
    with FakeLowCodeAPI(embed_max_tokens=2 * cost, embed_max_input_tokens=cost, embed_max_inputs=3) as fake:
        r = http.post(fake.url("/v1/embeddings"), json={"model": "mistral-embed", "input": [words] * 3})
        assert r.status_code == 400
        assert r.json()["error"] == {
            "object": "error",
            "message": "Too many tokens overall, split into more batches.",
            "type": "invalid_request_error",
            "param": None,
            "code": "3210",
        }
        r = http.post(fake.url("/v1/embeddings"), json={"model": "mistral-embed", "input": ["a", words + " more"]})
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "3210"
        assert r.json()["error"]["message"] == f"Too many tokens for input 1. Max is {cost} got {cost + 1}"
        r = http.post(fake.url("/v1/embeddings"), json={"model": "mistral-embed", "input": ["a"] * 4})
        assert r.status_code == 400
        assert r.json()["error"]["message"] == "Too many inputs in request, split into more batches."
        r = http.post(fake.url("/v1/embeddings"), json={"model": "mistral-embed", "input": [words] * 2})
        assert r.status_code == 200
        assert r.json()["result"]["usage"]["prompt_tokens"] == 2 * cost


# --------------------------------------------------------------------------- recording


def test_recording_and_reset(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    http.post(fake.url(CHAT), json=user("one"))
    http.get(fake.url("/v1/models"))
    assert fake.total_requests == 2
    assert fake.path_counts[CHAT] == 1
    rec = fake.requests[0]
    assert (rec.method, rec.mode, rec.status, rec.api_token) == ("POST", "lowcodeapi", 200, fake.token)
    assert rec.json["messages"][0]["content"] == "one"
    assert rec.headers["content-type"] == "application/json"
    assert rec.time > 0
    fake.reset()
    assert fake.requests == [] and fake.total_requests == 0
