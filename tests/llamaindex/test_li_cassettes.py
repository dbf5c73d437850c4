"""The LlamaIndex classes against recorded LowCodeAPI traffic (public URL form, envelope, SSE framing).

Replayed offline (``--record-mode=none --block-network``). The sync and async runs of a test share one cassette,
so both must send exactly the same requests. Recorded against the local stand-in with
``MISTRAL_LCA_RECORD_AGAINST=fake pytest tests/llamaindex/test_li_cassettes.py --record-mode=once``; the
assertions are structural so a live re-recording (``MISTRAL_LCA_RECORD_AGAINST=live``) passes too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, TextBlock, ThinkingBlock
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from llamaindex_mistral_lca import MistralLCA, MistralLCAEmbedding, MistralTranscriptionReader

TOOL_ID = re.compile(r"^[A-Za-z0-9]{9}$")
QUESTION = [ChatMessage(role="user", content="In one short sentence: what is the capital of France?")]


def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny in {city}"


WEATHER = FunctionTool.from_defaults(get_weather)


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str


@pytest.mark.default_cassette("chat.yaml")
@pytest.mark.vcr
async def test_chat(mode: str, lca_settings: dict[str, Any]) -> None:
    llm = MistralLCA(**lca_settings)
    response = llm.chat(QUESTION) if mode == "sync" else await llm.achat(QUESTION)
    assert response.message.role == "assistant"
    assert (response.message.content or "").strip()
    assert isinstance(response.raw, dict) and response.raw["id"]
    usage = response.raw["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    assert response.additional_kwargs["prompt_tokens"] == usage["prompt_tokens"]


@pytest.mark.default_cassette("stream_chat.yaml")
@pytest.mark.vcr
async def test_stream_chat(mode: str, lca_settings: dict[str, Any]) -> None:
    llm = MistralLCA(**lca_settings)
    if mode == "sync":
        responses = list(llm.stream_chat(QUESTION))
    else:
        responses = [r async for r in await llm.astream_chat(QUESTION)]
    assert len(responses) >= 2
    final = responses[-1]
    text = final.message.content or ""
    assert text.strip()
    assert text == "".join(r.delta or "" for r in responses)  # cumulative, never repeated
    assert sum(isinstance(b, TextBlock) for b in final.message.blocks) == 1
    assert final.raw["usage"]["completion_tokens"] > 0  # type: ignore[index]
    assert final.additional_kwargs["total_tokens"] > 0


@pytest.mark.default_cassette("stream_with_reasoning.yaml")
@pytest.mark.vcr
async def test_stream_with_reasoning(mode: str, lca_settings: dict[str, Any]) -> None:
    llm = MistralLCA(**lca_settings, reasoning_effort="high")
    if mode == "sync":
        responses = list(llm.stream_chat(QUESTION))
    else:
        responses = [r async for r in await llm.astream_chat(QUESTION)]
    final = responses[-1].message
    thinking = [b for b in final.blocks if isinstance(b, ThinkingBlock)]
    assert len(thinking) == 1 and thinking[0].content
    assert thinking[0].content == "".join(r.additional_kwargs.get("thinking_delta", "") for r in responses)
    assert (final.content or "").strip()
    assert thinking[0].content not in (final.content or "")


@pytest.mark.default_cassette("tool_call_round_trip.yaml")
@pytest.mark.vcr
async def test_tool_call_round_trip(mode: str, lca_settings: dict[str, Any]) -> None:
    llm = MistralLCA(**lca_settings)
    history = [ChatMessage(role="user", content="What's the weather in Paris? Use get_weather.")]
    if mode == "sync":
        first = llm.chat_with_tools([WEATHER], chat_history=history, tool_required=True)
    else:
        first = await llm.achat_with_tools([WEATHER], chat_history=history, tool_required=True)
    calls = llm.get_tool_calls_from_response(first)
    assert len(calls) == 1 and calls[0].tool_name == "get_weather"
    assert TOOL_ID.match(calls[0].tool_id)
    assert isinstance(calls[0].tool_kwargs.get("city"), str)
    history = [
        *history,
        first.message,
        ChatMessage(role="tool", content=get_weather(calls[0].tool_kwargs["city"]),
                    additional_kwargs={"tool_call_id": calls[0].tool_id}),
    ]  # fmt: skip
    if mode == "sync":
        second = llm.chat_with_tools([WEATHER], chat_history=history)
    else:
        second = await llm.achat_with_tools([WEATHER], chat_history=history)
    assert (second.message.content or "").strip()
    assert llm.get_tool_calls_from_response(second, error_on_no_tool_call=False) == []


@pytest.mark.default_cassette("structured_predict.yaml")
@pytest.mark.vcr
async def test_structured_predict(mode: str, lca_settings: dict[str, Any]) -> None:
    llm = MistralLCA(**lca_settings)
    prompt = PromptTemplate("Extract the city from: {text}")
    text = "Lyon is a city in France."
    if mode == "sync":
        city = llm.structured_predict(City, prompt, text=text)
    else:
        city = await llm.astructured_predict(City, prompt, text=text)
    assert isinstance(city, City) and city.name and city.country


@pytest.mark.default_cassette("structured_predict_json_schema.yaml")
@pytest.mark.vcr
async def test_structured_predict_json_schema(mode: str, lca_settings: dict[str, Any]) -> None:
    llm = MistralLCA(**lca_settings, structured_output_method="json_schema")
    prompt = PromptTemplate("Extract the city from: {text}")
    text = "Lyon is a city in France."
    if mode == "sync":
        city = llm.structured_predict(City, prompt, text=text)
    else:
        city = await llm.astructured_predict(City, prompt, text=text)
    assert isinstance(city, City) and city.name and city.country


@pytest.mark.default_cassette("fill_in_middle.yaml")
@pytest.mark.vcr
async def test_fill_in_middle(mode: str, lca_settings: dict[str, Any]) -> None:
    llm = MistralLCA(**lca_settings, model="codestral-latest", max_tokens=64)
    prompt, suffix = "def fibonacci(n: int) -> int:\n", "\n\nprint(fibonacci(10))\n"
    if mode == "sync":
        whole = llm.fill_in_middle(prompt, suffix)
        pieces = list(llm.stream_fill_in_middle(prompt, suffix))
    else:
        whole = await llm.afill_in_middle(prompt, suffix)
        pieces = [r async for r in await llm.astream_fill_in_middle(prompt, suffix)]
    assert whole.text.strip()
    assert pieces[-1].text == "".join(p.delta or "" for p in pieces)
    assert pieces[-1].text.strip()


@pytest.mark.default_cassette("embeddings.yaml")
@pytest.mark.vcr
async def test_embeddings(mode: str, lca_settings: dict[str, Any]) -> None:
    model = MistralLCAEmbedding(**lca_settings, embed_batch_size=2)
    texts = ["The Eiffel Tower is in Paris.", "Mount Fuji is in Japan.", "The Nile flows north."]
    if mode == "sync":
        vectors = model.get_text_embedding_batch(texts)
        query = model.get_query_embedding("Where is the Eiffel Tower?")
    else:
        vectors = await model.aget_text_embedding_batch(texts)
        query = await model.aget_query_embedding("Where is the Eiffel Tower?")
    assert len(vectors) == 3
    assert len({len(v) for v in [*vectors, query]}) == 1 and len(query) > 0
    assert vectors[0] != vectors[1]


@pytest.mark.default_cassette("transcription_reader.yaml")
@pytest.mark.vcr
async def test_transcription_reader(mode: str, lca_settings: dict[str, Any], tmp_path: Path) -> None:
    audio = tmp_path / "hello.wav"
    audio.write_bytes(_silent_wav())
    reader = MistralTranscriptionReader(**lca_settings)
    docs = reader.load_data(audio) if mode == "sync" else await reader.aload_data(audio)
    assert len(docs) == 1
    assert isinstance(docs[0].text, str)
    assert docs[0].metadata["file_name"] == "hello.wav"


def _silent_wav() -> bytes:
    import struct

    rate, samples = 8000, 800
    data = b"\x00\x00" * samples
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(data)) + data
