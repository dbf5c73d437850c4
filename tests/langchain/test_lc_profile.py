"""``ChatMistralLCA.profile`` and ``stream_usage``: what LangChain's agent machinery reads from a chat model.

With a profile, ``create_agent(response_format=Schema)`` uses Mistral's native structured output
(``ProviderStrategy``: a ``json_schema`` response format, no extra tool) and ``SummarizationMiddleware(trigger=
("fraction", ...))`` knows the context window. Everything runs on the local stand-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import SummarizationMiddleware
from langchain.agents.structured_output import ProviderStrategy
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_mistral_lca import ChatMistralLCA
from mistral_lca.testing import FakeLowCodeAPI

TOKEN = "at_profile_test_token"


class Person(BaseModel):
    name: str
    age: int


@pytest.fixture
def fake() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI(required_token=TOKEN) as server:
        yield server


def _chat(fake: FakeLowCodeAPI, **kwargs: Any) -> ChatMistralLCA:
    return ChatMistralLCA(api_token=TOKEN, base_url=fake.base_url, max_retries=0, **kwargs)


def _chat_bodies(fake: FakeLowCodeAPI) -> list[dict[str, Any]]:
    return [request.json for request in fake.requests_to("/v1/chat/completions")]


# ------------------------------------------------------------------------------------------------ the profile


def test_profile_of_known_models() -> None:
    large = ChatMistralLCA(api_token=TOKEN, model="mistral-large-latest").profile
    assert large is not None
    assert large["max_input_tokens"] == 262_144
    assert (large["tool_calling"], large["tool_choice"], large["structured_output"]) == (True, True, True)
    assert (large["image_inputs"], large["pdf_inputs"], large["audio_inputs"]) == (True, True, False)
    assert large["reasoning_output"] is False
    small = ChatMistralLCA(api_token=TOKEN, model="open-mistral-7b").profile
    assert small is not None and small["max_input_tokens"] == 32_768 and small["image_inputs"] is False
    assert ChatMistralLCA(api_token=TOKEN, model="magistral-medium-latest").profile["reasoning_output"] is True  # type: ignore[index]


def test_profile_of_fine_tunes_and_unknown_models() -> None:
    tuned = ChatMistralLCA(api_token=TOKEN, model="ft:open-mistral-7b:team:20250101:abc").profile
    assert tuned is not None and tuned["max_input_tokens"] == 32_768
    unknown = ChatMistralLCA(api_token=TOKEN, model="mistral-next-2901").profile
    assert unknown is not None
    assert unknown["max_input_tokens"] == 131_072 and unknown["structured_output"] and unknown["tool_calling"]
    assert "image_inputs" not in unknown  # a guess either way: left out
    embed = ChatMistralLCA(api_token=TOKEN, model="mistral-embed").profile
    assert embed is not None and (embed["tool_calling"], embed["structured_output"]) == (False, False)


def test_an_explicit_profile_wins_and_every_key_is_known_to_langchain() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # langchain-core warns about keys ModelProfile does not declare
        assert ChatMistralLCA(api_token=TOKEN, model="mistral-large-latest").profile
    assert ChatMistralLCA(api_token=TOKEN, profile={"max_input_tokens": 10}).profile == {"max_input_tokens": 10}


# ------------------------------------------------------------------------------------ create_agent(response_format)


async def test_create_agent_uses_native_structured_output(fake: FakeLowCodeAPI, mode: str) -> None:
    agent = create_agent(model=_chat(fake), tools=[], response_format=Person)
    inputs = {"messages": [HumanMessage("name: Ada, age: 36")]}
    result = agent.invoke(inputs) if mode == "sync" else await agent.ainvoke(inputs)
    assert result["structured_response"] == Person(name="Ada", age=36)
    [body] = _chat_bodies(fake)
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "Person"
    assert "tools" not in body and "tool_choice" not in body  # no forced "Person" tool, no empty tool list


async def test_create_agent_with_tools_keeps_native_structured_output(fake: FakeLowCodeAPI) -> None:
    @tool
    def lookup_age(name: str) -> int:
        """The age of a person."""
        return 36

    agent = create_agent(model=_chat(fake), tools=[lookup_age], response_format=Person)
    await agent.ainvoke({"messages": [HumanMessage("name: Ada, age: 36")]})
    first = _chat_bodies(fake)[0]
    assert first["response_format"]["type"] == "json_schema"
    assert [t["function"]["name"] for t in first["tools"]] == ["lookup_age"]


async def test_without_a_profile_langchain_falls_back_to_a_tool(fake: FakeLowCodeAPI) -> None:
    agent = create_agent(model=_chat(fake, profile={}), tools=[], response_format=Person)
    result = await agent.ainvoke({"messages": [HumanMessage("name: Ada, age: 36")]})
    assert isinstance(result["structured_response"], Person)
    body = _chat_bodies(fake)[0]
    assert "response_format" not in body and body["tools"][0]["function"]["name"] == "Person"


def test_provider_strategy_is_what_langchain_picks() -> None:
    from langchain.agents.factory import _supports_provider_strategy

    assert _supports_provider_strategy(ChatMistralLCA(api_token=TOKEN)) is True
    assert _supports_provider_strategy(ChatMistralLCA(api_token=TOKEN, model="mistral-embed")) is False
    assert ProviderStrategy(schema=Person).to_model_kwargs()["response_format"]["type"] == "json_schema"


# ----------------------------------------------------------------------------- SummarizationMiddleware(fraction)


def _history(turns: int, chars: int) -> list[Any]:
    messages: list[Any] = []
    for i in range(turns):
        messages.append(HumanMessage(f"Question {i}: " + "lorem ipsum " * (chars // 12), id=f"h{i}"))
        messages.append(AIMessage(f"Answer {i}.", id=f"a{i}"))
    messages.append(HumanMessage("And now?", id="last"))
    return messages


def test_a_fractional_trigger_needs_and_gets_the_context_window() -> None:
    middleware = SummarizationMiddleware(model=ChatMistralLCA(api_token=TOKEN), trigger=("fraction", 0.8))
    assert middleware._get_profile_limits() == 256_000
    with pytest.raises(ValueError, match="Model profile information is required"):
        SummarizationMiddleware(model=ChatMistralLCA(api_token=TOKEN, profile={}), trigger=("fraction", 0.8))


async def test_summarization_fires_at_the_fraction_of_the_models_window(fake: FakeLowCodeAPI) -> None:
    # open-mistral-7b takes 32,768 tokens, so half is 16,384; this history is ~20,000 (approximate count).
    history = _history(turns=4, chars=20_000)
    for model, summarized in (("open-mistral-7b", True), ("mistral-large-latest", False)):
        fake.reset()
        llm = _chat(fake, model=model)
        summarize = SummarizationMiddleware(
            model=llm, trigger=("fraction", 0.5), keep=("messages", 2), trim_tokens_to_summarize=None
        )
        agent = create_agent(model=llm, tools=[], middleware=[summarize])
        result = await agent.ainvoke({"messages": list(history)})
        first = result["messages"][0]
        assert first.content.startswith("Here is a summary of the conversation to date") is summarized, model
        bodies = _chat_bodies(fake)
        assert len(bodies) == (2 if summarized else 1)  # the summary request, then the answer
        assert len(bodies[-1]["messages"]) == (3 if summarized else len(history))


# --------------------------------------------------------------------------------------------- stream_usage


async def _stream(llm: Any, mode: str, **kwargs: Any) -> list[Any]:
    if mode == "sync":
        return list(llm.stream("hi", **kwargs))
    return [chunk async for chunk in llm.astream("hi", **kwargs)]


async def test_stream_usage_is_accepted_never_sent_and_usage_still_reported(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = _chat(fake)
    for kwargs in ({"stream_usage": True}, {"stream_options": {"include_usage": True}}, {}):
        chunks = await _stream(llm, mode, **kwargs)
        assert sum(1 for c in chunks if c.usage_metadata) == 1, kwargs  # Mistral sends it on the last chunk
        body = fake.last_request.json
        assert "stream_usage" not in body and "stream_options" not in body and body["stream"] is True
    assert fake.count() == 3


async def test_stream_usage_false_drops_the_usage(fake: FakeLowCodeAPI, mode: str) -> None:
    for llm, kwargs in (
        (_chat(fake), {"stream_usage": False}),
        (_chat(fake, stream_usage=False), {}),
        (_chat(fake), {"stream_options": {"include_usage": False}}),
        (_chat(fake, model_kwargs={"stream_options": {"include_usage": False}}), {}),
    ):
        chunks = await _stream(llm, mode, **kwargs)
        assert chunks and not any(c.usage_metadata for c in chunks), kwargs
        assert "stream_usage" not in fake.last_request.json and "stream_options" not in fake.last_request.json
    # A per-call flag beats the field.
    chunks = await _stream(_chat(fake, stream_usage=False), mode, stream_usage=True)
    assert any(c.usage_metadata for c in chunks)


async def test_invoke_with_stream_usage_is_not_a_422(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = _chat(fake)
    reply = llm.invoke("hi", stream_usage=True) if mode == "sync" else await llm.ainvoke("hi", stream_usage=True)
    assert reply.usage_metadata is not None
    assert "stream_usage" not in fake.last_request.json
