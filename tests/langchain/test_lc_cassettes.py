"""Each class against recorded LowCodeAPI traffic (URL form and envelope), sync and async side by side.

Structural assertions only (types, fields, ids, ordering), so the cassettes can be re-recorded live.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from pydantic import BaseModel, Field

from langchain_mistral_lca import ChatMistralLCA, MistralLCAEmbeddings, MistralLCAFIM

pytestmark = pytest.mark.vcr

TOOL_ID = re.compile(r"^[A-Za-z0-9]{9}$")


async def invoke(runnable: Any, mode: str, value: Any, **kwargs: Any) -> Any:
    return runnable.invoke(value, **kwargs) if mode == "sync" else await runnable.ainvoke(value, **kwargs)


async def aggregate(runnable: Any, mode: str, value: Any, **kwargs: Any) -> Any:
    chunks = (
        list(runnable.stream(value, **kwargs))
        if mode == "sync"
        else [c async for c in runnable.astream(value, **kwargs)]
    )
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full, chunks


async def test_reasoning_reply_keeps_thinking_apart(lca_settings: dict[str, Any], mode: str) -> None:
    llm = ChatMistralLCA(model="magistral-small-latest", max_retries=0, **lca_settings)
    message = await invoke(llm, mode, "What is 2 + 2?")
    assert [b["type"] for b in message.content] == ["reasoning", "text"]
    assert message.text and message.text not in message.content[0]["reasoning"]
    full, chunks = await aggregate(llm, mode, "What is 2 + 2?")
    assert [b["type"] for b in full.content] == ["reasoning", "text"]
    assert full.text == message.text
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert set(full.response_metadata) == set(message.response_metadata)


async def test_parallel_tool_calls_stream_and_invoke_agree(lca_settings: dict[str, Any], mode: str) -> None:
    def get_weather(city: str) -> str:
        """Get the weather in a city."""
        return city

    def get_time(city: str) -> str:
        """Get the local time in a city."""
        return city

    llm = ChatMistralLCA(max_retries=0, **lca_settings).bind_tools([get_weather, get_time], tool_choice="any")
    prompt = "Call get_weather and get_time for Lyon."
    message = await invoke(llm, mode, prompt)
    full, _ = await aggregate(llm, mode, prompt)
    assert isinstance(message, AIMessage) and isinstance(full, AIMessageChunk)
    for result in (message, full):
        assert [c["name"] for c in result.tool_calls] == ["get_weather", "get_time"]
        assert all(TOOL_ID.match(c["id"]) for c in result.tool_calls)
        assert result.response_metadata["finish_reason"] == "tool_calls"
    assert [c["args"] for c in full.tool_calls] == [c["args"] for c in message.tool_calls]


class Movie(BaseModel):
    """A movie."""

    title: str = Field(description="The title")
    year: int = Field(description="Release year")


@pytest.mark.parametrize("method", ["function_calling", "json_schema"])
async def test_structured_output_strict(lca_settings: dict[str, Any], mode: str, method: str) -> None:
    llm = ChatMistralLCA(max_retries=0, **lca_settings)
    structured = llm.with_structured_output(Movie, method=method, strict=True, include_raw=True)  # type: ignore[arg-type]
    result = await invoke(structured, mode, "Name a famous film, e.g. title: Alien, year: 1979")
    assert result["parsing_error"] is None
    assert isinstance(result["parsed"], Movie)
    assert isinstance(result["raw"], AIMessage)


async def test_prefix_continuation(lca_settings: dict[str, Any], mode: str) -> None:
    llm = ChatMistralLCA(max_retries=0, **lca_settings)
    message = await invoke(llm, mode, [HumanMessage("Write a haiku about rain"), AIMessage("Soft rain")])
    assert isinstance(message, AIMessage) and message.text


async def test_fim_invoke_and_stream(lca_settings: dict[str, Any], mode: str) -> None:
    fim = MistralLCAFIM(max_retries=0, max_tokens=64, **lca_settings)
    prompt, suffix = "def fibonacci(n: int) -> int:\n", "\nprint(fibonacci(10))\n"
    text = await invoke(fim, mode, prompt, suffix=suffix)
    assert isinstance(text, str) and text
    pieces = (
        list(fim.stream(prompt, suffix=suffix))
        if mode == "sync"
        else [p async for p in fim.astream(prompt, suffix=suffix)]
    )
    assert "".join(pieces)
    result = fim.generate([prompt], suffix=suffix) if mode == "sync" else await fim.agenerate([prompt], suffix=suffix)
    info = result.generations[0][0].generation_info
    assert info is not None and info["usage"]["total_tokens"] > 0 and info["finish_reason"] and info["model_name"]


async def test_embeddings_options_and_order(lca_settings: dict[str, Any], mode: str) -> None:
    texts = ["first text", "second text", "third text", "fourth text", "fifth text"]
    base = MistralLCAEmbeddings(
        model="codestral-embed", output_dimension=256, max_batch_size=2, max_retries=0, **lca_settings
    )
    as_base64 = base.model_copy(update={"encoding_format": "base64"})
    for model in (base, as_base64):
        vectors = model.embed_documents(texts) if mode == "sync" else await model.aembed_documents(texts)
        assert len(vectors) == 5 and all(len(v) == 256 for v in vectors)
        single = model.embed_query(texts[3]) if mode == "sync" else await model.aembed_query(texts[3])
        assert single == pytest.approx(vectors[3])  # same text, same vector: order is kept across batches
