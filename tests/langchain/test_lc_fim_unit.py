"""MistralLCAFIM against httpx.MockTransport: request body, suffix, streaming, usage in generation_info."""

from __future__ import annotations

from typing import Any

import httpx
from lc_support import FIM_FIELDS, TOKEN, Recorder, chat_result, envelope, sse, stream_chunk

from langchain_mistral_lca import MistralLCAFIM

FIM_RESULT = chat_result(
    "    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
    model="codestral-2508",
    usage={"prompt_tokens": 12, "completion_tokens": 18, "total_tokens": 30},
)
FIM_STREAM = [
    stream_chunk({"role": "assistant", "content": ""}, model="codestral-2508"),
    stream_chunk({"content": "    return n"}, model="codestral-2508"),
    stream_chunk(
        {"content": " if n < 2 else 0\n"},
        model="codestral-2508",
        finish_reason="stop",
        usage={"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21},
    ),
]


def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
    assert request.url.path.endswith("/v1/fim/completions")
    assert {"model", "prompt"} <= set(body) <= FIM_FIELDS
    if body.get("stream"):
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(FIM_STREAM))
    return httpx.Response(200, json=envelope(FIM_RESULT))


def make(**kwargs: Any) -> tuple[MistralLCAFIM, Recorder]:
    recorder = Recorder(respond)
    return MistralLCAFIM(api_token=TOKEN, **recorder.clients(), **kwargs), recorder


async def test_invoke_sends_prompt_suffix_and_options(mode: str) -> None:
    fim, recorder = make(min_tokens=1, max_tokens=64, random_seed=3, temperature=0.0)
    kwargs = {"suffix": "print(fib(10))", "stop": ["\n\n"]}
    prompt = "def fib(n):\n"
    text = fim.invoke(prompt, **kwargs) if mode == "sync" else await fim.ainvoke(prompt, **kwargs)
    assert text.startswith("    return n")
    assert recorder.last == {
        "model": "codestral-latest",
        "prompt": "def fib(n):\n",
        "suffix": "print(fib(10))",
        "stop": ["\n\n"],
        "min_tokens": 1,
        "max_tokens": 64,
        "random_seed": 3,
        "temperature": 0.0,
    }


async def test_usage_and_metadata_in_generation_info(mode: str) -> None:
    fim, _ = make(suffix="print(fib(10))")
    result = fim.generate(["def fib(n):\n"]) if mode == "sync" else await fim.agenerate(["def fib(n):\n"])
    [[generation]] = result.generations
    assert generation.generation_info == {
        "finish_reason": "stop",
        "model_name": "codestral-2508",
        "id": "cmpl-1",
        "usage": {"prompt_tokens": 12, "completion_tokens": 18, "total_tokens": 30},
    }
    assert result.llm_output == {
        "token_usage": {"prompt_tokens": 12, "completion_tokens": 18, "total_tokens": 30},
        "model_name": "codestral-latest",
    }


async def test_stream_yields_text_and_usage_once(mode: str) -> None:
    fim, recorder = make()
    if mode == "sync":
        pieces = list(fim.stream("def fib(n):\n", suffix="x"))
    else:
        pieces = [p async for p in fim.astream("def fib(n):\n", suffix="x")]
    assert "".join(pieces) == "    return n if n < 2 else 0\n"
    assert recorder.last["stream"] is True and recorder.last["suffix"] == "x"

    chunks = list(fim._stream("def fib(n):\n"))
    infos = [c.generation_info for c in chunks if c.generation_info]
    assert infos == [
        {
            "finish_reason": "stop",
            "model_name": "codestral-2508",
            "id": "cmpl-1",
            "usage": {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21},
        }
    ]


def test_streaming_field_and_batch() -> None:
    fim, recorder = make(streaming=True)
    result = fim.generate(["a", "b"])
    assert [g[0].text for g in result.generations] == ["    return n if n < 2 else 0\n"] * 2
    assert all(body["stream"] is True for body in recorder.bodies)
    assert result.llm_output is not None and result.llm_output["token_usage"]["total_tokens"] == 42


def test_ls_params_and_serialization() -> None:
    from langchain_core.load import dumpd

    fim = MistralLCAFIM(api_key=TOKEN, model="codestral-2508")
    assert fim._get_ls_params(model="codestral-x")["ls_model_name"] == "codestral-x"
    assert fim._get_ls_params()["ls_provider"] == "mistral"
    serialized = dumpd(fim)
    assert TOKEN not in str(serialized)
    assert serialized["kwargs"]["api_token"] == {"lc": 1, "type": "secret", "id": ["LOWCODEAPI_API_TOKEN"]}
