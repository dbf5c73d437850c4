"""MistralLCA tool calling, structured output, metadata and fill-in-the-middle (sync and async side by side)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from li_support import (
    FIM_FIELDS,
    TOKEN,
    Recorder,
    assert_chat_request_conforms,
    chat_result,
    chunk,
    sse_response,
    tool_call,
    transports,
)
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, CompletionResponse, ToolCallBlock
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from llamaindex_mistral_lca import MistralLCA


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def mul(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


TOOLS = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(mul)]
TWO_CALLS = [tool_call("add", '{"a": 1, "b": 2}'), tool_call("mul", {"a": 3, "b": 4}, call_id="g6fVbXS8K", index=1)]


class Person(BaseModel):
    name: str
    age: int


def make_llm(handler: Recorder, **kwargs: Any) -> MistralLCA:
    return MistralLCA(api_token=TOKEN, max_retries=0, **transports(handler), **kwargs)


async def chat_with_tools(llm: MistralLCA, mode: str, **kwargs: Any) -> ChatResponse:
    if mode == "sync":
        return llm.chat_with_tools(TOOLS, **kwargs)
    return await llm.achat_with_tools(TOOLS, **kwargs)


# ---------------------------------------------------------------------------------------------- prepare


def test_prepare_builds_mistral_tools_and_choice() -> None:
    llm = MistralLCA(api_token=TOKEN)
    prepared = llm._prepare_chat_with_tools(TOOLS, user_msg="Add 1 and 2")
    assert prepared["tool_choice"] == "auto"
    assert prepared["parallel_tool_calls"] is False
    assert [t["function"]["name"] for t in prepared["tools"]] == ["add", "mul"]
    function = prepared["tools"][0]["function"]
    assert prepared["tools"][0]["type"] == "function"
    assert set(function) == {"name", "description", "parameters"}
    assert function["description"].endswith("Add two integers.")
    assert function == {
        "name": "add",
        "description": function["description"],
        "parameters": {
            "type": "object",
            "properties": {"a": {"title": "A", "type": "integer"}, "b": {"title": "B", "type": "integer"}},
            "required": ["a", "b"],
        },
    }


@pytest.mark.parametrize(
    ("tool_choice", "tool_required", "expected"),
    [
        (None, True, "any"),
        (None, False, "auto"),
        ("none", True, "none"),
        ("any", False, "any"),
        ("add", False, {"type": "function", "function": {"name": "add"}}),
        ({"type": "function", "function": {"name": "mul"}}, True, {"type": "function", "function": {"name": "mul"}}),
    ],
)
def test_tool_choice(tool_choice: Any, tool_required: bool, expected: Any) -> None:
    llm = MistralLCA(api_token=TOKEN)
    prepared = llm._prepare_chat_with_tools(TOOLS, user_msg="x", tool_choice=tool_choice, tool_required=tool_required)
    assert prepared["tool_choice"] == expected


async def test_tool_choice_given_to_chat_is_translated(mode: str) -> None:
    rec = Recorder(chat_result("", tool_calls=TWO_CALLS[:1]))
    llm = make_llm(rec)
    tools = llm._prepare_chat_with_tools(TOOLS)["tools"]
    messages = [ChatMessage(role="user", content="go")]
    if mode == "sync":
        llm.chat(messages, tools=tools, tool_choice="add")
    else:
        await llm.achat(messages, tools=tools, tool_choice="add")
    assert rec.body["tool_choice"] == {"type": "function", "function": {"name": "add"}}
    assert_chat_request_conforms(rec.body)


def test_prepare_never_mutates_history() -> None:
    history = [ChatMessage(role="user", content="first")]
    before = copy.deepcopy(history)
    prepared = MistralLCA(api_token=TOKEN)._prepare_chat_with_tools(TOOLS, user_msg="second", chat_history=history)
    assert history == before
    assert [m.content for m in prepared["messages"]] == ["first", "second"]


# ---------------------------------------------------------------------------------------------- calls


@pytest.mark.parametrize("allow_parallel", [True, False])
async def test_chat_with_tools_same_shape_and_parallel_policy(mode: str, allow_parallel: bool) -> None:
    rec = Recorder(chat_result("", tool_calls=TWO_CALLS))
    llm = make_llm(rec)
    response = await chat_with_tools(llm, mode, user_msg="go", allow_parallel_tool_calls=allow_parallel)
    assert_chat_request_conforms(rec.body)
    assert rec.body["parallel_tool_calls"] is allow_parallel
    selections = llm.get_tool_calls_from_response(response)
    expected = [("KikbB849t", "add", {"a": 1, "b": 2}), ("g6fVbXS8K", "mul", {"a": 3, "b": 4})]
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in selections] == (
        expected if allow_parallel else expected[:1]
    )
    kept = response.message.additional_kwargs["tool_calls"]
    assert [c["id"] for c in kept] == [s.tool_id for s in selections]  # blocks and legacy list agree
    # The dropped call is gone for good: the next request replays only what was kept.
    rec.replies = [chat_result("done")]
    history = [ChatMessage(role="user", content="go"), response.message]
    for s in selections:
        history.append(ChatMessage(role="tool", content="3", additional_kwargs={"tool_call_id": s.tool_id}))
    await chat_with_tools(llm, mode, chat_history=history, allow_parallel_tool_calls=allow_parallel)
    sent = rec.body["messages"]
    assert len(sent[1]["tool_calls"]) == len(selections) == sum(m["role"] == "tool" for m in sent)
    assert_chat_request_conforms(rec.body)


async def test_stream_chat_with_tools_single_call_policy(mode: str) -> None:
    rec = Recorder(sse_response(chunk("", role="assistant"), chunk(tool_calls=TWO_CALLS, finish="tool_calls")))
    llm = make_llm(rec)
    if mode == "sync":
        responses = list(llm.stream_chat_with_tools(TOOLS, user_msg="go"))
    else:
        responses = [r async for r in await llm.astream_chat_with_tools(TOOLS, user_msg="go")]
    assert [s.tool_name for s in llm.get_tool_calls_from_response(responses[-1])] == ["add"]


def test_get_tool_calls_handles_string_dict_and_broken_arguments() -> None:
    llm = MistralLCA(api_token=TOKEN)
    message = ChatMessage(
        role="assistant",
        blocks=[
            ToolCallBlock(tool_call_id="a", tool_name="f", tool_kwargs='{"x": 1}'),
            ToolCallBlock(tool_call_id="b", tool_name="g", tool_kwargs={"y": 2}),
            ToolCallBlock(tool_call_id="c", tool_name="h", tool_kwargs='{"z": "unterminated'),
            ToolCallBlock(tool_call_id="d", tool_name="k", tool_kwargs=""),
            ToolCallBlock(tool_call_id="e", tool_name="m", tool_kwargs="not json"),
        ],
    )
    selections = llm.get_tool_calls_from_response(ChatResponse(message=message))
    assert [s.tool_kwargs for s in selections] == [{"x": 1}, {"y": 2}, {"z": None}, {}, {}]
    with pytest.raises(ValueError, match="at least one tool call"):
        llm.get_tool_calls_from_response(ChatResponse(message=ChatMessage(role="assistant", content="no")))
    assert llm.get_tool_calls_from_response(ChatResponse(message=ChatMessage(content="no")), False) == []


async def test_predict_and_call_round_trip(mode: str) -> None:
    rec = Recorder(chat_result("", tool_calls=TWO_CALLS[:1]))
    llm = make_llm(rec)
    if mode == "sync":
        result = llm.predict_and_call(TOOLS, user_msg="add 1 and 2")
    else:
        result = await llm.apredict_and_call(TOOLS, user_msg="add 1 and 2")
    assert result.response == "3"


# ---------------------------------------------------------------------------------------------- structured output


async def test_structured_predict_forces_a_tool_call(mode: str) -> None:
    rec = Recorder(chat_result("", tool_calls=[tool_call("Person", '{"name": "Ada", "age": 36}')]))
    llm = make_llm(rec)
    prompt = PromptTemplate("Extract: {text}")
    if mode == "sync":
        person = llm.structured_predict(Person, prompt, text="Ada is 36")
    else:
        person = await llm.astructured_predict(Person, prompt, text="Ada is 36")
    assert person == Person(name="Ada", age=36)
    assert rec.body["tool_choice"] == "any"  # FunctionCallingProgram passes tool_choice=None + tool_required=True
    assert_chat_request_conforms(rec.body)


async def test_as_structured_llm(mode: str) -> None:
    rec = Recorder(chat_result("", tool_calls=[tool_call("Person", {"name": "Bo", "age": 5})]))
    structured = make_llm(rec).as_structured_llm(Person)
    messages = [ChatMessage(role="user", content="Bo is 5")]
    response = structured.chat(messages) if mode == "sync" else await structured.achat(messages)
    assert response.raw == Person(name="Bo", age=5)
    assert rec.body["tool_choice"] == "any"


async def test_structured_predict_with_native_json_schema(mode: str) -> None:
    rec = Recorder(chat_result('```json\n{"name": "Cy", "age": 40}\n```'))
    llm = make_llm(rec, structured_output_method="json_schema")
    prompt = PromptTemplate("Extract: {text}")
    if mode == "sync":
        person = llm.structured_predict(Person, prompt, text="Cy is 40")
    else:
        person = await llm.astructured_predict(Person, prompt, text="Cy is 40")
    assert person == Person(name="Cy", age=40)
    assert rec.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Person", "schema": Person.model_json_schema()},
    }
    assert "tools" not in rec.body
    assert_chat_request_conforms(rec.body)


async def test_stream_structured_predict(mode: str) -> None:
    call = tool_call("Person", '{"name": "Ada", "age": 36}')
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    rec = Recorder(
        sse_response(chunk("", role="assistant"), chunk(tool_calls=[call], finish="tool_calls", usage=usage))
    )
    llm = make_llm(rec)
    prompt = PromptTemplate("Extract: {text}")
    if mode == "sync":
        partials = list(llm.stream_structured_predict(Person, prompt, text="Ada is 36"))
    else:
        partials = [p async for p in await llm.astream_structured_predict(Person, prompt, text="Ada is 36")]
    assert partials[-1].model_dump() == {"name": "Ada", "age": 36}
    assert rec.body["stream"] is True and rec.body["tools"][0]["function"]["name"] == "Person"


# ---------------------------------------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    ("model", "window"),
    [
        ("mistral-small-latest", 256_000),
        ("mistral-large-2411", 131_072),
        ("codestral-latest", 262_144),
        ("open-mistral-7b", 32_768),
        ("ft:open-mistral-7b:abc:20240101:xyz", 32_768),
        ("mistral-small-2603", 256_000),
        ("mistral-small-2507", 131_072),  # a dated id the table does not list: its family's window
        ("brand-new-model-2701", 131_072),
    ],
)
def test_metadata_never_raises(model: str, window: int) -> None:
    metadata = MistralLCA(api_token=TOKEN, model=model).metadata
    assert metadata.context_window == window
    assert metadata.is_function_calling_model is True
    assert metadata.is_chat_model is True


@pytest.mark.parametrize(
    "model", ["mistral-embed", "codestral-embed-2505", "mistral-ocr-latest", "mistral-moderation-2411"]
)
def test_metadata_of_models_that_do_not_chat(model: str) -> None:
    metadata = MistralLCA(api_token=TOKEN, model=model).metadata
    assert (metadata.is_chat_model, metadata.is_function_calling_model) == (False, False)


def test_metadata_details() -> None:
    llm = MistralLCA(api_token=TOKEN, model="mistral-embed", max_tokens=99, context_window=5000)
    assert llm.metadata.is_function_calling_model is False
    assert (llm.metadata.num_output, llm.metadata.context_window, llm.metadata.model_name) == (
        99,
        5000,
        "mistral-embed",
    )


# ---------------------------------------------------------------------------------------------- FIM


async def test_fill_in_middle(mode: str) -> None:
    rec = Recorder(chat_result("    return a + b", model="codestral-2508"))
    llm = make_llm(rec, model="codestral-2508", temperature=0.1, max_tokens=32, safe_prompt=True,
                   additional_kwargs={"stop": ["\n\n"], "presence_penalty": 1.0})  # fmt: skip
    if mode == "sync":
        response = llm.fill_in_middle("def add(a, b):\n", "\n\nprint(add(1, 2))", min_tokens=1)
    else:
        response = await llm.afill_in_middle("def add(a, b):\n", "\n\nprint(add(1, 2))", min_tokens=1)
    assert isinstance(response, CompletionResponse)
    assert response.text == "    return a + b"
    assert response.additional_kwargs["total_tokens"] == 7
    assert rec.requests[0].url.path.endswith("/v1/fim/completions")
    assert rec.body == {
        "model": "codestral-2508",
        "prompt": "def add(a, b):\n",
        "suffix": "\n\nprint(add(1, 2))",
        "temperature": 0.1,
        "max_tokens": 32,
        "stop": ["\n\n"],
        "min_tokens": 1,
    }
    assert set(rec.body) <= FIM_FIELDS


async def test_stream_fill_in_middle_any_model(mode: str) -> None:
    rec = Recorder(
        sse_response(
            chunk("  return"),
            chunk(" a + b", finish="stop", usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}),
        )
    )
    llm = make_llm(rec, model="some-future-code-model")
    if mode == "sync":
        responses = list(llm.stream_fill_in_middle("def f(a, b):\n", "\n"))
    else:
        responses = [r async for r in await llm.astream_fill_in_middle("def f(a, b):\n", "\n")]
    assert [r.delta for r in responses] == ["  return", " a + b"]
    assert responses[-1].text == "  return a + b"
    assert responses[-1].raw["usage"]["total_tokens"] == 3  # type: ignore[index]
    assert rec.body["stream"] is True and rec.body["model"] == "some-future-code-model"
    assert json.loads(rec.requests[0].content)["prompt"] == "def f(a, b):\n"
