"""The stand-in's mock-model policy: written calls, quoted strings, tool mentions, JSON-mode keys."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fake_support import CHAT, MODEL, result, sse_chunks, user

from mistral_lca.testing import FakeLowCodeAPI
from mistral_lca.testing.fake.prompt import (
    call_arguments,
    mentions_tool,
    name_words,
    quoted_strings,
    requested_keys,
    written_call,
)
from mistral_lca.testing.fake.schema import TextHints, synthesize


def tool(name: str, properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    params = {"type": "object", "properties": properties, "required": required or list(properties)}
    return {"type": "function", "function": {"name": name, "description": name, "parameters": params}}


MAGIC = tool("magic_function", {"input": {"type": "integer", "exclusiveMinimum": -1000, "exclusiveMaximum": 1000}})
WEATHER = tool("get_weather", {"location": {"type": "string"}})
CUSTOMER = tool("unicode_customer", {"customer_name": {"type": "string"}, "description": {"type": "string"}})
MIXED = tool(
    "book",
    {
        "city": {"type": "string"},
        "nights": {"type": "integer"},
        "price": {"type": "number"},
        "breakfast": {"type": "boolean"},
        "room": {"enum": ["single", "double"]},
        "guests": {"type": "array", "items": {"type": "string"}},
    },
    required=["city", "nights"],
)


def calls(res: dict[str, Any]) -> list[tuple[str, Any]]:
    message = res["choices"][0]["message"]
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in message["tool_calls"] or ()]


# --------------------------------------------------------------------------- pure prompt reading


def test_quoted_strings_skip_apostrophes() -> None:
    text = "Don't stop: 'Paris', \"Lyon\", “Nice” and ‘Metz’, «Caen» or 「東京」; it's the users' choice"
    assert [value for value, _, _ in quoted_strings(text)] == ["Paris", "Lyon", "Nice", "Metz", "Caen", "東京"]


def test_written_call_arguments() -> None:
    call = written_call("Please run f(1, 'a, b', [1, 2], unit=\"c\") now; f(9) later", "f")
    assert call is not None
    assert call.positional == ("1", "a, b", "[1, 2]")
    assert call.keyword == {"unit": "c"}
    assert written_call("obj.f(1)", "f") is None and written_call("no call here", "f") is None
    params = {"properties": {"a": {}, "b": {}, "c": {}}, "required": ["c", "a"]}
    given, rest = call_arguments("x f(1, 2, b=3) y", "f", params)
    assert given == {"c": "1", "a": "2", "b": "3"}  # required parameters first, in their declared order
    assert rest.strip().split() == ["x", "y"]
    assert call_arguments("nothing", "f", params) == ({}, "nothing")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("get_weather", "What is the weather in San Francisco, CA?", True),
        ("get_weather", "Say hello.", False),
        ("getStockPrice", "stock prices today", True),
        ("fetch_data", "fetch me some data", False),  # only generic words: exact name needed
        ("fetch_data", "use fetch_data", True),
        ("search", "search for cats", True),  # exact name
        ("web_search", "search for cats", False),
        ("magic_function", "What is the value of magic_function(3)?", True),
    ],
)
def test_tool_mentions(name: str, text: str, expected: bool) -> None:
    assert mentions_tool(text, name) is expected


def test_name_words_drop_generic_verbs() -> None:
    assert name_words("get_current_weather") == ["weather"]
    assert name_words("lookupUserAddress") == ["user", "address"]
    assert name_words("set_x") == []


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Return the result as a JSON with 'setup' and 'punchline' keys.", ["setup", "punchline"]),
        ("Return JSON with keys name and age.", ["name", "age"]),
        ("Answer in JSON using the following fields: title, year, rating", ["title", "year", "rating"]),
        ("a JSON object with name, age and city fields", ["name", "age", "city"]),
        ("Use a key named answer.", ["answer"]),
        ('Reply like {"city": "Paris", "population": 2}', ["city", "population"]),
        ("JSON where 'name' is a key", ["name"]),
        ("Return JSON with keys for the details", []),  # articles and fillers are never keys
        ("Return JSON.", []),
    ],
)
def test_requested_keys(text: str, keys: list[str]) -> None:
    assert requested_keys(text) == keys


def test_hints_order_and_coercion() -> None:
    hints = TextHints("Book 'Grand Hotel' in Paris, nights: 3", given={"breakfast": "false", "guests": '["Ann"]'})
    value = synthesize(MIXED["function"]["parameters"], hints)
    assert value == {
        "city": "Grand Hotel",  # quoted strings before capitalised words
        "nights": 3,
        "price": 1,
        "breakfast": False,
        "room": "single",
        "guests": ["Ann"],
    }
    assert synthesize({"enum": ["single", "double"]}, TextHints("room=DOUBLE"), name="room") == "double"
    assert synthesize({"type": "string"}, TextHints("city=\"Lyon\" and 'Nice'")) == "Nice"  # assigned quotes reused


# --------------------------------------------------------------------------- through the server


def test_written_call_fills_the_first_required_parameter(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    body = user("What is the value of magic_function(3)? Use the tool.", tools=[MAGIC], tool_choice="any")
    assert calls(result(http.post(fake.url(CHAT), json=body))) == [("magic_function", {"input": 3})]
    streamed = sse_chunks(http.post(fake.url(CHAT), json={**body, "stream": True}).text)
    delta = streamed[-1]["choices"][0]["delta"]["tool_calls"][0]
    assert json.loads(delta["function"]["arguments"]) == {"input": 3}
    clamped = user("magic_function(5000)", tools=[MAGIC])
    assert calls(result(http.post(fake.url(CHAT), json=clamped))) == [("magic_function", {"input": 999})]
    typed = user("book('Rome', 2, breakfast=yes, room='double')", tools=[MIXED], tool_choice="any")
    (_, args), *_ = calls(result(http.post(fake.url(CHAT), json=typed)))
    assert (args["city"], args["nights"], args["breakfast"], args["room"]) == ("Rome", 2, True, "double")


def test_quoted_strings_become_string_arguments(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    body = user("Create a customer named '你好啊集团' (Hello Group) - a Chinese company", tools=[CUSTOMER])
    body["tool_choice"] = "any"
    r = http.post(fake.url(CHAT), json=body)
    assert "你好啊集团" in r.text  # unescaped in the arguments string, as the model writes it
    [(name, args)] = calls(result(r))
    assert name == "unicode_customer"
    assert args == {"customer_name": "你好啊集团", "description": "Hello Group"}  # then capitalised phrases


def test_auto_tool_choice_calls_a_mentioned_tool_then_answers(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    question = {"role": "user", "content": "What is the weather in San Francisco, CA?"}
    first = result(http.post(fake.url(CHAT), json={"model": MODEL, "messages": [question], "tools": [WEATHER]}))
    [(name, args)] = calls(first)
    assert (name, args) == ("get_weather", {"location": "San Francisco"})
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    call = first["choices"][0]["message"]["tool_calls"][0]
    history = [
        question,
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "content": "It's sunny.", "tool_call_id": call["id"]},
    ]
    for choice in (None, "auto", "any"):  # a tool already answered is never called again
        extra = {} if choice is None else {"tool_choice": choice}
        body = {"model": MODEL, "messages": history, "tools": [WEATHER], **extra}
        answer = result(http.post(fake.url(CHAT), json=body))
        assert answer["choices"][0]["finish_reason"] == "stop"
        assert "It's sunny." in answer["choices"][0]["message"]["content"]
    unrelated = {"model": MODEL, "messages": [{"role": "user", "content": "Say hello."}], "tools": [WEATHER]}
    assert result(http.post(fake.url(CHAT), json=unrelated))["choices"][0]["message"]["tool_calls"] is None


def test_sequential_calls_without_parallel_tool_calls(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    tools = [WEATHER, tool("get_time", {"zone": {"type": "string"}})]
    question = {"role": "user", "content": "Weather and time in 'Paris'?"}
    body: dict[str, Any] = {"model": MODEL, "messages": [question], "tools": tools}
    assert [n for n, _ in calls(result(http.post(fake.url(CHAT), json=body)))] == ["get_weather", "get_time"]
    body["parallel_tool_calls"] = False
    first = result(http.post(fake.url(CHAT), json=body))
    assert [n for n, _ in calls(first)] == ["get_weather"]
    call = first["choices"][0]["message"]["tool_calls"][0]
    body["messages"] = [
        question,
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "content": "sunny", "tool_call_id": call["id"]},
    ]
    second = result(http.post(fake.url(CHAT), json=body))
    assert calls(second) == [("get_time", {"zone": "Paris"})]


def test_json_object_mode_returns_the_requested_keys(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fmt = {"type": "json_object"}
    prompt = "Tell me a joke about cats. Return the result as a JSON with 'setup' and 'punchline' keys."
    data = json.loads(
        result(http.post(fake.url(CHAT), json=user(prompt, response_format=fmt)))["choices"][0]["message"]["content"]
    )
    assert set(data) == {"setup", "punchline"} and all(isinstance(v, str) and v for v in data.values())
    streamed = sse_chunks(http.post(fake.url(CHAT), json=user(prompt, response_format=fmt, stream=True)).text)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in streamed)
    assert json.loads(text) == data
    typed = "Describe Ada as JSON with keys name, age, is_alive and birth_year. age=36"
    data = json.loads(
        result(http.post(fake.url(CHAT), json=user(typed, response_format=fmt)))["choices"][0]["message"]["content"]
    )
    assert data["age"] == 36 and data["is_alive"] is True and data["birth_year"] == 1
    assert isinstance(data["name"], str)
    example = 'Answer in JSON like {"city": "Paris", "population": 2100000}'
    data = json.loads(
        result(http.post(fake.url(CHAT), json=user(example, response_format=fmt)))["choices"][0]["message"]["content"]
    )
    assert data == {"city": "Paris", "population": 2100000}
    system = {
        "model": MODEL,
        "response_format": fmt,
        "messages": [
            {"role": "system", "content": "Always answer in JSON with the fields verdict and confidence."},
            {"role": "user", "content": "Is water wet?"},
        ],
    }
    data = json.loads(result(http.post(fake.url(CHAT), json=system))["choices"][0]["message"]["content"])
    assert set(data) == {"verdict", "confidence"}
    plain = json.loads(
        result(http.post(fake.url(CHAT), json=user("hi", response_format=fmt)))["choices"][0]["message"]["content"]
    )
    assert plain == {"answer": "Echo: hi"}
