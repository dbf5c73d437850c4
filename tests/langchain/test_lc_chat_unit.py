"""ChatMistralLCA against httpx.MockTransport: exact request bodies and response mapping, sync and async."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage
from lc_support import (
    TOKEN,
    Recorder,
    assert_chat_request_conforms,
    chat_responder,
    chat_result,
    envelope,
    sse,
    stream_chunk,
    tool_call,
)
from pydantic import BaseModel, Field

from langchain_mistral_lca import ChatMistralLCA
from mistral_lca import BadRequestError, MissingTokenError


def make(result: dict[str, Any] | None = None, **kwargs: Any) -> tuple[ChatMistralLCA, Recorder]:
    recorder = Recorder(chat_responder(result or chat_result()))
    return ChatMistralLCA(api_token=TOKEN, **recorder.clients(), **kwargs), recorder


async def invoke(llm: Any, mode: str, value: Any, **kwargs: Any) -> Any:
    return llm.invoke(value, **kwargs) if mode == "sync" else await llm.ainvoke(value, **kwargs)


async def stream(llm: Any, mode: str, value: Any, **kwargs: Any) -> list[Any]:
    if mode == "sync":
        return list(llm.stream(value, **kwargs))
    return [chunk async for chunk in llm.astream(value, **kwargs)]


def aggregate(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


# ------------------------------------------------------------------------------------------ requests


async def test_default_request_sends_only_model_and_messages(mode: str) -> None:
    llm, recorder = make()
    await invoke(llm, mode, "Hello")
    assert recorder.last == {"model": "mistral-small-latest", "messages": [{"role": "user", "content": "Hello"}]}
    url = recorder.requests[-1].url
    assert url.path == "/mistralai/v1/chat/completions"
    assert url.params["api_token"] == TOKEN


async def test_every_set_field_is_sent_and_per_call_kwargs_win(mode: str) -> None:
    llm, recorder = make(
        model="mistral-large-latest",
        temperature=1.3,  # above 1: the API decides, the client does not guess bounds
        max_tokens=50,
        top_p=0.9,
        random_seed=7,
        safe_prompt=True,
        stop=["END"],
        presence_penalty=0.1,
        frequency_penalty=0.2,
        reasoning_effort="low",
        response_format={"type": "text"},
        model_kwargs={"prompt_mode": "reasoning"},
    )
    await invoke(llm, mode, "Hi", model="mistral-medium-latest", stop=["STOP"], max_tokens=5)
    body = recorder.last
    assert body == {
        "model": "mistral-medium-latest",
        "messages": [{"role": "user", "content": "Hi"}],
        "temperature": 1.3,
        "max_tokens": 5,
        "top_p": 0.9,
        "random_seed": 7,
        "safe_prompt": True,
        "stop": ["STOP"],
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
        "reasoning_effort": "low",
        "response_format": {"type": "text"},
        "prompt_mode": "reasoning",
    }
    assert_chat_request_conforms(body)


def test_unknown_constructor_kwargs_move_to_model_kwargs() -> None:
    with pytest.warns(UserWarning, match="prediction"):
        llm = ChatMistralLCA(api_token=TOKEN, prediction={"type": "content", "content": "x"})
    assert llm.model_kwargs == {"prediction": {"type": "content", "content": "x"}}


def test_aliases_and_construction_is_lazy() -> None:
    llm = ChatMistralLCA(api_key=TOKEN, model_name="open-mistral-nemo")
    assert llm.model == "open-mistral-nemo"
    assert llm.api_token is not None and llm.api_token.get_secret_value() == TOKEN
    assert llm._client is None and llm._async_client is None


def test_ls_params_honour_a_per_call_model() -> None:
    llm = ChatMistralLCA(api_token=TOKEN, temperature=0.5, max_tokens=9, stop=["x"])
    params = llm._get_ls_params()
    assert params == {
        "ls_provider": "mistral",
        "ls_model_name": "mistral-small-latest",
        "ls_model_type": "chat",
        "ls_temperature": 0.5,
        "ls_max_tokens": 9,
        "ls_stop": ["x"],
    }
    assert llm._get_ls_params(model="magistral-small-latest")["ls_model_name"] == "magistral-small-latest"


async def test_missing_token_is_reported_on_first_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOWCODEAPI_API_TOKEN", raising=False)
    llm = ChatMistralLCA()
    with pytest.raises(MissingTokenError, match="LOWCODEAPI_API_TOKEN"):
        llm.invoke("hi")


async def test_api_errors_surface_as_typed_errors(mode: str) -> None:
    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        error = {"object": "error", "message": "Tool call id was x", "type": "invalid_function_call", "code": "3280"}
        return httpx.Response(
            400, json={"message": "Tool call id was x", "provider": "mistralai", "error": error, "headers": {}}
        )

    recorder = Recorder(respond)
    llm = ChatMistralLCA(api_token=TOKEN, max_retries=0, **recorder.clients())
    with pytest.raises(BadRequestError) as info:
        await invoke(llm, mode, "Hi")
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)


# ----------------------------------------------------------------------------------------- responses

USAGE = {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14, "prompt_tokens_details": {"cached_tokens": 4}}


async def test_invoke_maps_text_usage_and_metadata(mode: str) -> None:
    llm, _ = make(chat_result("Hello there", usage=USAGE))
    message = await invoke(llm, mode, "Hi")
    assert isinstance(message, AIMessage)
    assert message.content == "Hello there"
    assert message.id == "cmpl-1"
    assert message.usage_metadata == {
        "input_tokens": 11,
        "output_tokens": 3,
        "total_tokens": 14,
        "input_token_details": {"cache_read": 4},
    }
    assert message.response_metadata == {
        "model_name": "mistral-small-2506",  # the served model, not the alias asked for
        "finish_reason": "stop",
        "id": "cmpl-1",
        "model_provider": "mistral",
    }


async def test_stream_has_one_usage_chunk_and_aggregates_to_the_invoke_result(mode: str) -> None:
    llm, _ = make(chat_result("Hello there, friend", usage=USAGE))
    invoked = await invoke(llm, mode, "Hi")
    chunks = await stream(llm, mode, "Hi")
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert sum(1 for c in chunks if c.response_metadata.get("model_name")) == 1
    assert chunks[-1].chunk_position == "last"
    full = aggregate(chunks)
    assert full.content == invoked.content
    assert full.usage_metadata == invoked.usage_metadata
    assert full.response_metadata == invoked.response_metadata
    assert full.id == invoked.id


async def test_streaming_field_makes_invoke_stream(mode: str) -> None:
    llm, recorder = make(chat_result("Streamed"), streaming=True)
    message = await invoke(llm, mode, "Hi")
    assert recorder.last["stream"] is True
    assert message.text == "Streamed"


# --------------------------------------------------------------------------------------------- tools

PARALLEL = [
    tool_call("get_weather", '{"city": "Paris"}', "aaaaaaaa1", 0),
    tool_call("get_weather", {"city": "Oslo"}, "aaaaaaaa2", 1),  # arguments may be an object
    tool_call("get_time", "not json", "aaaaaaaa3", 2),
]


async def test_parallel_tool_calls_and_malformed_arguments(mode: str) -> None:
    llm, _ = make(chat_result("", tool_calls=PARALLEL))
    message = await invoke(llm, mode, "weather?")
    assert [(c["name"], c["args"], c["id"]) for c in message.tool_calls] == [
        ("get_weather", {"city": "Paris"}, "aaaaaaaa1"),
        ("get_weather", {"city": "Oslo"}, "aaaaaaaa2"),
    ]
    assert [(c["name"], c["args"], c["id"]) for c in message.invalid_tool_calls] == [
        ("get_time", "not json", "aaaaaaaa3")
    ]
    assert message.response_metadata["finish_reason"] == "tool_calls"

    full = aggregate(await stream(llm, mode, "weather?"))
    assert full.tool_calls == message.tool_calls
    assert [(c["name"], c["args"]) for c in full.invalid_tool_calls] == [("get_time", "not json")]


async def test_streamed_tool_calls_merge_by_slot_including_index_zero(mode: str) -> None:
    # One call split over two chunks with index 0 (name first, then arguments), then a second call.
    chunks = [
        stream_chunk({"role": "assistant", "content": ""}),
        stream_chunk({"tool_calls": [{"id": "first0000", "function": {"name": "add", "arguments": ""}, "index": 0}]}),
        stream_chunk({"tool_calls": [{"function": {"name": "", "arguments": '{"a": 1, "b": 2}'}, "index": 0}]}),
        stream_chunk(
            {"tool_calls": [{"id": "second000", "function": {"name": "mul", "arguments": '{"a": 3}'}, "index": 0}]},
            finish_reason="tool_calls",
            usage=USAGE,
        ),
    ]

    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(chunks))

    recorder = Recorder(respond)
    llm = ChatMistralLCA(api_token=TOKEN, **recorder.clients())
    full = aggregate(await stream(llm, mode, "math"))
    assert [(c["name"], c["args"], c["id"]) for c in full.tool_calls] == [
        ("add", {"a": 1, "b": 2}, "first0000"),
        ("mul", {"a": 3}, "second000"),
    ]


async def test_tool_call_ids_are_converted_consistently_in_history(mode: str) -> None:
    llm, recorder = make()
    history = [
        HumanMessage("What is 1 + 2 and 3 * 4?"),
        AIMessage(
            "",
            tool_calls=[
                {"name": "add", "args": {"a": 1, "b": 2}, "id": "call_JIIjI55tTipFFzpcP8re3BpM"},
                {"name": "mul", "args": {"a": 3, "b": 4}, "id": "KikbB849t"},
            ],
        ),
        ToolMessage("3", tool_call_id="call_JIIjI55tTipFFzpcP8re3BpM", name="add"),
        ToolMessage("12", tool_call_id="KikbB849t", name="mul", status="error"),
    ]
    await invoke(llm, mode, history)
    body = recorder.last
    assert_chat_request_conforms(body)
    assistant, add_result, mul_result = body["messages"][1:]
    converted = assistant["tool_calls"][0]["id"]
    assert len(converted) == 9 and converted != "call_JIIjI55tTipFFzpcP8re3BpM"
    assert add_result["tool_call_id"] == converted
    assert assistant["tool_calls"][1]["id"] == mul_result["tool_call_id"] == "KikbB849t"
    assert assistant == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {"id": converted, "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}},
            {"id": "KikbB849t", "type": "function", "function": {"name": "mul", "arguments": '{"a": 3, "b": 4}'}},
        ],
    }
    assert add_result == {"role": "tool", "content": "3", "tool_call_id": converted, "name": "add"}


class GetWeather(BaseModel):
    """Get the weather in a city."""

    city: str = Field(description="City name")


def get_time(zone: str) -> str:
    """Get the time in a time zone."""
    return zone


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("any", "any"),
        ("required", "required"),
        (True, "any"),
        ("get_time", {"type": "function", "function": {"name": "get_time"}}),
        (
            {"type": "function", "function": {"name": "GetWeather"}},
            {"type": "function", "function": {"name": "GetWeather"}},
        ),
    ],
)
def test_bind_tools_tool_choice(choice: Any, expected: Any) -> None:
    llm, recorder = make()
    llm.bind_tools([GetWeather, get_time], tool_choice=choice, parallel_tool_calls=True).invoke("hi")
    body = recorder.last
    assert_chat_request_conforms(body)
    assert body["tool_choice"] == expected
    assert body["parallel_tool_calls"] is True
    assert [t["function"]["name"] for t in body["tools"]] == ["GetWeather", "get_time"]
    assert body["tools"][0]["function"]["parameters"]["properties"]["city"]["type"] == "string"


def test_bind_tools_rejects_an_unknown_tool_name() -> None:
    llm, _ = make()
    with pytest.raises(ValueError, match="not_bound"):
        llm.bind_tools([get_time], tool_choice="not_bound")


def test_bind_tools_strict_and_parameterless_tools() -> None:
    def ping() -> str:
        """Ping."""
        return "pong"

    llm, recorder = make()
    llm.bind_tools([GetWeather, ping], strict=True).invoke("hi")
    tools = recorder.last["tools"]
    assert tools[0]["function"]["strict"] is True
    assert tools[0]["function"]["parameters"]["additionalProperties"] is False
    assert tools[1]["function"]["parameters"]["type"] == "object"
    assert_chat_request_conforms(recorder.last)


# ------------------------------------------------------------------------------------ structured output


class Person(BaseModel):
    """A person."""

    name: str
    age: int


async def test_structured_output_function_calling(mode: str) -> None:
    llm, recorder = make(chat_result("", tool_calls=[tool_call("Person", '{"name": "Ada", "age": 36}')]))
    result = await invoke(llm.with_structured_output(Person), mode, "Who?")
    assert result == Person(name="Ada", age=36)
    body = recorder.last
    assert body["tool_choice"] == "any" and body["parallel_tool_calls"] is False
    assert body["tools"][0]["function"]["name"] == "Person"
    assert_chat_request_conforms(body)

    as_dict = await invoke(llm.with_structured_output(Person.model_json_schema()), mode, "Who?")
    assert as_dict == {"name": "Ada", "age": 36}


@pytest.mark.parametrize("strict", [None, True, False])
async def test_structured_output_json_schema_honours_strict(mode: str, strict: bool | None) -> None:
    llm, recorder = make(chat_result('{"name": "Ada", "age": 36}'))
    result = await invoke(llm.with_structured_output(Person, method="json_schema", strict=strict), mode, "Who?")
    assert result == Person(name="Ada", age=36)
    response_format = recorder.last["response_format"]
    assert response_format["type"] == "json_schema"
    spec = response_format["json_schema"]
    assert spec["name"] == "Person" and spec["description"] == "A person."
    assert set(spec["schema"]["properties"]) == {"name", "age"}
    if strict is None:
        assert "strict" not in spec
    else:
        assert spec["strict"] is strict
    if strict:
        assert spec["schema"]["additionalProperties"] is False
    assert_chat_request_conforms(recorder.last)


async def test_structured_output_json_mode_and_include_raw(mode: str) -> None:
    llm, recorder = make(chat_result('{"name": "Ada", "age": 36}'))
    out = await invoke(llm.with_structured_output(Person, method="json_mode", include_raw=True), mode, "Who?")
    assert recorder.last["response_format"] == {"type": "json_object"}
    assert out["parsed"] == Person(name="Ada", age=36) and out["parsing_error"] is None
    assert isinstance(out["raw"], AIMessage)

    bad, _ = make(chat_result("not json at all"))
    out = await invoke(bad.with_structured_output(Person, method="json_mode", include_raw=True), mode, "Who?")
    assert out["parsed"] is None and out["parsing_error"] is not None


def test_structured_output_rejects_unknown_arguments() -> None:
    llm, _ = make()
    with pytest.raises(ValueError, match="unsupported"):
        llm.with_structured_output(Person, tools=[])
    with pytest.raises(ValueError, match="Unknown method"):
        llm.with_structured_output(Person, method="xml")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- content

THINKING_REPLY = [
    {"type": "thinking", "thinking": [{"type": "text", "text": "The user greets me."}]},
    {"type": "text", "text": "Hello!"},
]


async def test_reasoning_is_kept_apart_from_text(mode: str) -> None:
    llm, _ = make(chat_result(THINKING_REPLY, model="magistral-small-2509"))
    message = await invoke(llm, mode, "Hi", reasoning_effort="high")
    assert message.text == "Hello!"
    assert message.content == [
        {"type": "reasoning", "reasoning": "The user greets me.", "index": 0},
        {"type": "text", "text": "Hello!", "index": 1},
    ]
    assert [b["type"] for b in message.content_blocks] == ["reasoning", "text"]
    full = aggregate(await stream(llm, mode, "Hi", reasoning_effort="high"))
    assert full.content == message.content
    assert full.text == "Hello!"


async def test_reasoning_stream_then_plain_string_deltas(mode: str) -> None:
    chunks = [
        stream_chunk({"role": "assistant", "content": ""}),
        stream_chunk({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "Think"}]}]}),
        stream_chunk({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "ing."}]}]}),
        stream_chunk({"content": [{"type": "thinking", "thinking": [], "closed": True}]}),
        stream_chunk({"content": [{"type": "text", "text": "Hel"}]}),
        stream_chunk({"content": "lo"}, finish_reason="stop", usage=USAGE),
    ]

    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(chunks))

    recorder = Recorder(respond)
    llm = ChatMistralLCA(api_token=TOKEN, **recorder.clients())
    full = aggregate(await stream(llm, mode, "Hi"))
    assert full.content == [
        {"type": "reasoning", "reasoning": "Thinking.", "index": 0},
        {"type": "text", "text": "Hello", "index": 1},
    ]
    assert full.text == "Hello"


async def test_reference_chunks_become_citations(mode: str) -> None:
    content = [
        {"type": "text", "text": "Paris is the capital."},
        {"type": "reference", "reference_ids": [0, 2]},
        {"type": "text", "text": " It is large."},
        {"type": "reference", "reference_ids": [1]},
    ]
    llm, _ = make(chat_result(content))
    message = await invoke(llm, mode, "Tell me")
    assert message.text == "Paris is the capital. It is large."
    [block] = message.content
    assert block["annotations"] == [
        {"type": "citation", "start_index": 0, "end_index": 21, "extras": {"reference_ids": [0, 2]}},
        {"type": "citation", "start_index": 21, "end_index": 34, "extras": {"reference_ids": [1]}},
    ]
    full = aggregate(await stream(llm, mode, "Tell me"))
    assert full.content == message.content


async def test_history_ending_with_assistant_is_sent_as_prefix(mode: str) -> None:
    llm, recorder = make()
    await invoke(llm, mode, [SystemMessage("Be brief"), HumanMessage("Write a haiku"), AIMessage("Autumn")])
    messages = recorder.last["messages"]
    assert messages[-1] == {"role": "assistant", "content": "Autumn", "prefix": True}
    assert messages[0] == {"role": "system", "content": "Be brief"}
    await invoke(llm, mode, [HumanMessage("Hi"), AIMessage("Hello"), HumanMessage("Again")])
    assert all("prefix" not in m for m in recorder.last["messages"])


# --------------------------------------------------------------------------------------- concurrency


def test_batch_never_exceeds_max_concurrent_requests() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return httpx.Response(200, json=envelope(chat_result()))

    recorder = Recorder(respond)
    llm = ChatMistralLCA(api_token=TOKEN, max_concurrent_requests=2, **recorder.clients())
    results = llm.batch(["a", "b", "c", "d", "e", "f"], config={"max_concurrency": 10})
    assert len(results) == 6 and state["peak"] <= 2
    # direct invokes from many threads are bounded too
    threads = [threading.Thread(target=llm.invoke, args=("x",)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert state["peak"] <= 2


async def test_abatch_never_exceeds_max_concurrent_requests() -> None:
    state = {"now": 0, "peak": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.01)
        state["now"] -= 1
        return httpx.Response(200, json=envelope(chat_result()))

    llm = ChatMistralLCA(
        api_token=TOKEN,
        max_concurrent_requests=3,
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    results = await llm.abatch([f"q{i}" for i in range(9)])
    assert len(results) == 9 and state["peak"] <= 3
    await asyncio.gather(*(llm.ainvoke("x") for _ in range(9)))
    assert state["peak"] <= 3


def test_request_body_is_json_with_unicode_kept() -> None:
    llm, recorder = make()
    llm.invoke("你好")
    raw = recorder.requests[-1].content
    assert json.loads(raw)["messages"][0]["content"] == "你好"


def test_a_copy_with_other_settings_gets_its_own_client() -> None:
    llm, _ = make()
    first = llm.client
    assert llm.client is first  # cached
    other = llm.model_copy(update={"base_url": "https://proxy.example/mistralai"})
    assert other.client is not first and other.client.base_url == "https://proxy.example/mistralai"
    assert llm.client is first
    assert TOKEN not in repr(llm.__pydantic_private__)


def test_token_counting_is_offline() -> None:
    llm = ChatMistralLCA(api_token=TOKEN)
    assert llm.get_num_tokens("hello world, how are you today?") >= 8
    assert llm.get_num_tokens_from_messages([HumanMessage("hi"), AIMessage("hello")]) > 0
    custom = ChatMistralLCA(api_token=TOKEN, custom_get_token_ids=lambda text: [1, 2, 3])
    assert custom.get_num_tokens("anything") == 3


async def test_tool_calls_without_ids_get_the_same_stable_id_in_invoke_and_stream(mode: str) -> None:
    nameless = [{"type": "function", "function": {"name": "ping", "arguments": "{}"}, "index": 0}]
    llm, _ = make(chat_result("", tool_calls=nameless))
    invoked = await invoke(llm, mode, "ping")
    full = aggregate(await stream(llm, mode, "ping"))
    [call] = invoked.tool_calls
    assert re.match(r"^[A-Za-z0-9]{9}$", call["id"] or "")
    assert full.tool_calls == invoked.tool_calls


async def test_events_arriving_in_one_read_become_one_chunk_with_the_same_aggregate(mode: str) -> None:
    # A proxy that buffers the whole stream delivers every event in one read: one LangChain chunk carries it
    # all (framework overhead once, not per event), and the aggregate equals the per-event one.
    words = [f"w{i} " for i in range(200)]
    chunks = [stream_chunk({"role": "assistant", "content": ""})]
    chunks += [stream_chunk({"content": w}) for w in words[:-1]]
    chunks.append(stream_chunk({"content": words[-1]}, finish_reason="stop", usage=USAGE))

    def respond(body: dict[str, Any], request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(chunks))

    recorder = Recorder(respond)
    llm = ChatMistralLCA(api_token=TOKEN, **recorder.clients())
    pieces = await stream(llm, mode, "count")
    assert len([p for p in pieces if p.content]) < 10
    full = aggregate(pieces)
    assert full.content == "".join(words)
    assert full.usage_metadata is not None
    assert full.usage_metadata["total_tokens"] == USAGE["total_tokens"]
    assert sum(1 for p in pieces if p.usage_metadata) == 1
