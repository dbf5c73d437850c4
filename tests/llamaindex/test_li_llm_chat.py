"""MistralLCA chat, completion and streaming: request bodies and reply mapping, sync and async side by side."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from li_support import (
    TOKEN,
    Recorder,
    assert_chat_request_conforms,
    chat_result,
    chunk,
    envelope,
    sse_response,
    tool_call,
    transports,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler

from llamaindex_mistral_lca import MistralLCA
from mistral_lca import MissingTokenError

USER = [ChatMessage(role="user", content="Hi")]


def make_llm(handler: Recorder, **kwargs: Any) -> MistralLCA:
    return MistralLCA(api_token=TOKEN, max_retries=0, **transports(handler), **kwargs)


async def chat(llm: MistralLCA, mode: str, messages: list[ChatMessage] = USER, **kwargs: Any) -> ChatResponse:
    return llm.chat(messages, **kwargs) if mode == "sync" else await llm.achat(messages, **kwargs)


async def stream(llm: MistralLCA, mode: str, messages: list[ChatMessage] = USER, **kwargs: Any) -> list[ChatResponse]:
    if mode == "sync":
        return list(llm.stream_chat(messages, **kwargs))
    return [r async for r in await llm.astream_chat(messages, **kwargs)]


async def complete(llm: MistralLCA, mode: str, prompt: str, **kwargs: Any) -> CompletionResponse:
    return llm.complete(prompt, **kwargs) if mode == "sync" else await llm.acomplete(prompt, **kwargs)


async def stream_complete(llm: MistralLCA, mode: str, prompt: str) -> list[CompletionResponse]:
    if mode == "sync":
        return list(llm.stream_complete(prompt))
    return [r async for r in await llm.astream_complete(prompt)]


# ---------------------------------------------------------------------------------------------- construction


def test_defaults_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", TOKEN)
    monkeypatch.setenv("LOWCODEAPI_BASE_URL", "https://proxy.example.com/mistralai/")
    llm = MistralLCA()
    assert llm.model == "mistral-small-latest"
    assert llm.base_url == "https://proxy.example.com/mistralai"
    assert llm.class_name() == "MistralLCA"


def test_missing_token_is_reported_up_front() -> None:
    with pytest.raises(MissingTokenError, match="LOWCODEAPI_API_TOKEN"):
        MistralLCA()


def test_round_trip_keeps_connection_settings() -> None:
    llm = MistralLCA(api_token=TOKEN, base_url="https://proxy.example.com/m", path_params="path", timeout=9.0)
    again = MistralLCA.from_dict(llm.to_dict(), api_token=TOKEN)
    assert (again.base_url, again.path_params, again.timeout) == ("https://proxy.example.com/m", "path", 9.0)


# ---------------------------------------------------------------------------------------------- request body


async def test_every_field_is_sent(mode: str) -> None:
    rec = Recorder(chat_result())
    llm = make_llm(
        rec,
        model="mistral-medium-latest",
        temperature=0.3,
        max_tokens=64,
        top_p=0.9,
        random_seed=7,
        safe_prompt=True,
        reasoning_effort="high",
        additional_kwargs={"stop": ["END"], "presence_penalty": 0.5, "temperature": 0.4},
    )
    await chat(llm, mode, temperature=0.2, frequency_penalty=0.1)
    body = rec.body
    assert body == {
        "model": "mistral-medium-latest",
        "temperature": 0.2,  # call > additional_kwargs > field
        "max_tokens": 64,
        "top_p": 0.9,
        "random_seed": 7,
        "safe_prompt": True,
        "reasoning_effort": "high",
        "stop": ["END"],
        "presence_penalty": 0.5,
        "frequency_penalty": 0.1,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    assert_chat_request_conforms(body)
    request = rec.requests[0]
    assert request.url.path == "/mistralai/v1/chat/completions"
    assert request.url.params["api_token"] == TOKEN


async def test_unset_options_are_not_sent(mode: str) -> None:
    rec = Recorder(chat_result())
    await chat(make_llm(rec), mode)
    assert rec.body == {"model": "mistral-small-latest", "messages": [{"role": "user", "content": "Hi"}]}


# ---------------------------------------------------------------------------------------------- reply mapping


async def test_reply_text_usage_and_raw(mode: str) -> None:
    rec = Recorder(
        envelope(chat_result("Bonjour", usage={"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}))
    )
    response = await chat(make_llm(rec), mode)
    assert response.message.role == "assistant"
    assert response.message.content == "Bonjour"
    assert [type(b) for b in response.message.blocks] == [TextBlock]
    assert isinstance(response.raw, dict)
    assert response.raw["usage"] == {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}
    assert response.additional_kwargs == {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}
    assert response.message.additional_kwargs == {}


async def test_reply_with_thinking_and_reference_chunks(mode: str) -> None:
    content = [
        {"type": "thinking", "thinking": [{"type": "text", "text": "Let me think."}]},
        {"type": "text", "text": "Paris"},
        {"type": "reference", "reference_ids": [1, 2]},
        {"type": "text", "text": " is the capital."},
        {"type": "future_chunk", "whatever": True},
    ]
    response = await chat(make_llm(Recorder(chat_result(content))), mode)
    blocks = response.message.blocks
    assert isinstance(blocks[0], ThinkingBlock) and blocks[0].content == "Let me think."
    assert isinstance(blocks[1], TextBlock) and blocks[1].text == "Paris is the capital."
    assert len(blocks) == 2
    assert response.additional_kwargs["reference_ids"] == [1, 2]


async def test_reply_with_think_tags_in_a_string(mode: str) -> None:
    response = await chat(make_llm(Recorder(chat_result("<think>\nhmm\n</think>\nAnswer"))), mode)
    assert response.message.blocks[0] == ThinkingBlock(content="hmm")
    assert response.message.content == "Answer"


@pytest.mark.parametrize("content", [None, ""])
async def test_reply_with_tool_calls_only(mode: str, content: Any) -> None:
    calls = [tool_call("add", '{"a": 1, "b": 2}'), tool_call("mul", {"a": 3}, call_id="g6fVbXS8K", index=1)]
    response = await chat(make_llm(Recorder(chat_result(content, tool_calls=calls))), mode)
    blocks = response.message.blocks
    assert all(isinstance(b, ToolCallBlock) for b in blocks)
    assert [(b.tool_call_id, b.tool_name, b.tool_kwargs) for b in blocks] == [  # type: ignore[union-attr]
        ("KikbB849t", "add", '{"a": 1, "b": 2}'),
        ("g6fVbXS8K", "mul", {"a": 3}),
    ]
    assert response.message.content is None
    # The same calls, as plain dicts, for core helpers that read additional_kwargs["tool_calls"].
    assert response.message.additional_kwargs == {
        "tool_calls": [
            {"id": "KikbB849t", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}},
            {"id": "g6fVbXS8K", "type": "function", "function": {"name": "mul", "arguments": '{"a": 3}'}},
        ]
    }


async def test_empty_reply_still_has_a_text_block(mode: str) -> None:
    response = await chat(make_llm(Recorder(chat_result(None))), mode)
    assert response.message.content == ""


async def test_complete(mode: str) -> None:
    rec = Recorder(chat_result("Done"))
    response = await complete(make_llm(rec), mode, "Do it")
    assert response.text == "Done"
    assert response.raw["usage"]["total_tokens"] == 7  # type: ignore[index]
    assert response.additional_kwargs["prompt_tokens"] == 5
    assert rec.body["messages"] == [{"role": "user", "content": "Do it"}]


# ---------------------------------------------------------------------------------------------- streaming

STREAM = (
    chunk("", role="assistant"),
    chunk("Hel"),
    chunk("lo"),
    chunk(" world", finish="stop", usage={"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}),
)


async def test_stream_is_cumulative_without_duplication(mode: str) -> None:
    rec = Recorder(sse_response(*STREAM))
    responses = await stream(make_llm(rec), mode)
    assert rec.body["stream"] is True
    assert [r.delta for r in responses] == ["", "Hel", "lo", " world"]
    assert [r.message.content for r in responses] == ["", "Hel", "Hello", "Hello world"]
    final = responses[-1]
    assert [type(b) for b in final.message.blocks] == [TextBlock]
    assert final.raw["usage"] == {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}  # type: ignore[index]
    assert final.additional_kwargs == {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}
    assert all(isinstance(r.raw, dict) for r in responses)
    assert "usage" not in responses[1].raw  # type: ignore[operator]


async def test_stream_with_thinking(mode: str) -> None:
    chunks = (
        chunk([{"type": "thinking", "thinking": [{"type": "text", "text": "I "}]}], role="assistant"),
        chunk([{"type": "thinking", "thinking": [{"type": "text", "text": "reason"}], "closed": True}]),
        chunk([{"type": "text", "text": "Pa"}]),
        chunk("ris", finish="stop", usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}),
    )
    responses = await stream(make_llm(Recorder(sse_response(*chunks))), mode)
    assert [r.delta for r in responses] == ["", "", "Pa", "ris"]
    assert [r.additional_kwargs.get("thinking_delta") for r in responses] == ["I ", "reason", None, None]
    final = responses[-1].message
    assert isinstance(final.blocks[0], ThinkingBlock) and final.blocks[0].content == "I reason"
    assert final.content == "Paris"
    assert sum(isinstance(b, TextBlock) for b in final.blocks) == 1


async def test_stream_with_tool_calls(mode: str) -> None:
    calls = [tool_call("add", '{"a": 1}'), tool_call("mul", '{"b": 2}', call_id="g6fVbXS8K", index=1)]
    chunks = (chunk("", role="assistant"), chunk(tool_calls=calls, finish="tool_calls"))
    llm = make_llm(Recorder(sse_response(*chunks)))
    responses = await stream(llm, mode)
    final = responses[-1]
    assert final.message.content is None
    selections = llm.get_tool_calls_from_response(final)
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in selections] == [
        ("KikbB849t", "add", {"a": 1}),
        ("g6fVbXS8K", "mul", {"b": 2}),
    ]


async def test_stream_merges_openai_style_fragments(mode: str) -> None:
    chunks = (
        chunk(tool_calls=[tool_call("add", '{"a": ')]),
        chunk(tool_calls=[{"index": 0, "function": {"name": "", "arguments": "1}"}}], finish="tool_calls"),
    )
    llm = make_llm(Recorder(sse_response(*chunks)))
    final = (await stream(llm, mode))[-1]
    assert [s.tool_kwargs for s in llm.get_tool_calls_from_response(final)] == [{"a": 1}]


async def test_stream_complete_is_not_duplicated(mode: str) -> None:
    responses = await stream_complete(make_llm(Recorder(sse_response(*STREAM))), mode, "Say hello")
    assert [r.text for r in responses][-1] == "Hello world"
    assert [r.delta for r in responses] == ["", "Hel", "lo", " world"]
    assert responses[-1].additional_kwargs["total_tokens"] == 7


async def test_stream_answered_with_json_still_works(mode: str) -> None:
    responses = await stream(make_llm(Recorder(chat_result("Whole"))), mode)
    assert responses[-1].message.content == "Whole"
    assert responses[-1].additional_kwargs["total_tokens"] == 7


# ---------------------------------------------------------------------------------------------- callbacks


async def test_token_counting_handler_counts_chat_and_stream(mode: str) -> None:
    counter = TokenCountingHandler()
    rec = Recorder(chat_result("x", usage={"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14}))
    llm = make_llm(rec, callback_manager=CallbackManager([counter]))
    await chat(llm, mode)
    assert (counter.prompt_llm_token_count, counter.completion_llm_token_count) == (10, 4)
    counter.reset_counts()
    rec.replies = [sse_response(*STREAM)]
    await stream(llm, mode)
    assert (counter.prompt_llm_token_count, counter.completion_llm_token_count) == (4, 3)


class CountingLimiter:
    def __init__(self) -> None:
        self.calls = 0

    def acquire(self) -> None:
        self.calls += 1

    async def async_acquire(self) -> None:
        self.calls += 1


async def test_rate_limiter_is_acquired_once_per_call(mode: str) -> None:
    from llama_index.core.rate_limiter import BaseRateLimiter

    limiter = CountingLimiter()
    BaseRateLimiter.register(CountingLimiter)
    llm = make_llm(Recorder(chat_result()))
    llm.rate_limiter = limiter
    await chat(llm, mode)
    await complete(llm, mode, "x")
    assert limiter.calls == 2


async def test_api_errors_propagate_typed(mode: str) -> None:
    from mistral_lca import BadRequestError

    rec = Recorder(httpx.Response(400, json={"object": "error", "message": "bad thing", "type": "x", "code": "1"}))
    with pytest.raises(BadRequestError, match="bad thing"):
        await chat(make_llm(rec), mode)
