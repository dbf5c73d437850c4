"""The API's bounds, defined once (``mistral_lca.types.bounds``): the client and both adapters refuse the same values."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mistral_lca import InvalidRequestError
from mistral_lca.resources.chat import chat_body
from mistral_lca.resources.fim import fim_body
from mistral_lca.types.bounds import check_tool

TOKEN = "at_bounds_test_token"
MESSAGES = [{"role": "user", "content": "hi"}]

# (field, refused values, accepted values): the official OpenAPI bounds of ChatCompletionRequest.
BOUNDS: list[tuple[str, list[Any], list[Any]]] = [
    ("temperature", [-0.01, 1.51, 2], [0, 0.7, 1.5]),
    ("top_p", [0, -0.5, 1.01], [0.01, 1]),
    ("max_tokens", [-1], [0, 1, 4096]),
    ("random_seed", [-1], [0, 42]),
    ("presence_penalty", [-2.01, 2.5], [-2, 0, 2]),
    ("frequency_penalty", [-3, 2.01], [-2, 1.5, 2]),
]


@pytest.mark.parametrize(("field", "refused", "accepted"), BOUNDS, ids=[b[0] for b in BOUNDS])
def test_the_client_and_both_adapters_share_the_bounds(field: str, refused: list[Any], accepted: list[Any]) -> None:
    from langchain_mistral_lca import ChatMistralLCA
    from llamaindex_mistral_lca import MistralLCA

    for value in refused:
        with pytest.raises(InvalidRequestError, match=f"Invalid chat request: {field}: Input should be"):
            chat_body({"model": "m", "messages": MESSAGES, field: value})
        with pytest.raises(ValidationError, match=field):
            ChatMistralLCA(api_token=TOKEN, **{field: value})
        if field in MistralLCA.model_fields:
            with pytest.raises(ValidationError, match=field):
                MistralLCA(api_token=TOKEN, **{field: value})
    for value in accepted:
        assert chat_body({"model": "m", "messages": MESSAGES, field: value})[field] == value
        assert getattr(ChatMistralLCA(api_token=TOKEN, **{field: value}), field) == value


def test_n_and_fim_bounds() -> None:
    with pytest.raises(InvalidRequestError, match="n: Input should be greater than or equal to 1"):
        chat_body({"model": "m", "messages": MESSAGES, "n": 0})
    assert chat_body({"model": "m", "messages": MESSAGES, "n": 2})["n"] == 2
    with pytest.raises(InvalidRequestError, match="min_tokens: Input should be greater than or equal to 0"):
        fim_body({"model": "codestral-latest", "prompt": "def", "min_tokens": -1})
    with pytest.raises(InvalidRequestError, match="temperature"):
        fim_body({"model": "codestral-latest", "prompt": "def", "temperature": 1.6})


def test_an_out_of_range_number_is_shown_but_nothing_else_is() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        chat_body({"model": "m", "messages": MESSAGES, "temperature": 9.5})
    assert str(caught.value) == "Invalid chat request: temperature: Input should be less than or equal to 1.5 (got 9.5)"
    with pytest.raises(InvalidRequestError) as caught:
        chat_body({"model": "m", "messages": [{"role": "user", "content": {"secret": "at_shown_nowhere"}}]})
    assert "at_shown_nowhere" not in str(caught.value)


@pytest.mark.parametrize(
    ("tool", "problem"),
    [
        ({"type": "function", "function": {"name": "get weather", "parameters": {}}}, "'get weather'"),
        ({"type": "function", "function": {"name": "ping!", "parameters": {}}}, "'ping!'"),
        ({"type": "function", "function": {"name": "é", "parameters": {}}}, "'é'"),
        ({"type": "function", "function": {"name": "x" * 65, "parameters": {}}}, "65 characters"),
        ({"type": "function", "function": {"name": "", "parameters": {}}}, "''"),
        ({"type": "function", "function": {"name": 7, "parameters": {}}}, "got int"),
        ({"type": "function", "function": "f"}, "function must be an object"),
        ({"function": {"name": "f", "parameters": []}}, "must be a JSON schema object, got list"),
        ({"function": {"name": "f", "parameters": {"type": "array"}}}, "got 'array'"),
        ({"function": {"name": "f"}}, "function.parameters is required"),
    ],
)
def test_function_tools_the_api_would_refuse(tool: dict[str, Any], problem: str) -> None:
    found = check_tool(tool)
    assert found is not None and problem in found


@pytest.mark.parametrize(
    "tool",
    [
        {"type": "function", "function": {"name": "get_weather-v2", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "x" * 64, "parameters": {}}},
        {"function": {"name": "f", "parameters": {"properties": {}}, "strict": True}},
        {"type": "web_search"},
        {"type": "document_library", "library_ids": ["lib_1"]},
    ],
)
def test_tools_the_api_takes(tool: dict[str, Any]) -> None:
    assert check_tool(tool) is None
    assert chat_body({"model": "m", "messages": MESSAGES, "tools": [tool]})["tools"] == [tool]
