"""The core client against recorded LowCodeAPI traffic (real URL form, envelope and SSE framing).

Replayed offline; see README "Cassettes" for how they were made and how to re-record them live.
Assertions are structural so that a live re-recording passes too.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from mistral_lca import AsyncMistralLCAClient, MistralLCAClient

MESSAGES = [{"role": "user", "content": "In one short sentence: what is the capital of France?"}]


def client(kind: str, settings: dict[str, Any], **kwargs: Any) -> Any:
    cls = MistralLCAClient if kind == "sync" else AsyncMistralLCAClient
    return cls(**settings, **kwargs)


async def run(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def drain(stream: Any) -> list[Any]:
    if hasattr(stream, "__aiter__"):
        return [e async for e in stream]
    return list(stream)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.vcr
async def test_chat_complete(kind: str, lca_settings: dict[str, Any]) -> None:
    reply = await run(client(kind, lca_settings).chat.complete(model="mistral-small-latest", messages=MESSAGES))
    assert reply.id
    assert reply.model
    assert isinstance(reply.choices[0].message.content, str)
    assert reply.choices[0].message.content.strip()
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage.prompt_tokens > 0
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


@pytest.mark.vcr
async def test_chat_stream(kind: str, lca_settings: dict[str, Any]) -> None:
    events = await drain(client(kind, lca_settings).chat.stream(model="mistral-small-latest", messages=MESSAGES))
    assert len(events) >= 2
    assert events[0].data.choices[0].delta.role == "assistant"
    text = "".join(
        e.data.choices[0].delta.content or "" for e in events if isinstance(e.data.choices[0].delta.content, str)
    )
    assert text.strip()
    usage = [e.data.usage for e in events if e.data.usage is not None]
    assert len(usage) == 1
    assert events[-1].data.choices[0].finish_reason == "stop"


@pytest.mark.vcr
async def test_chat_forced_tool_call(kind: str, lca_settings: dict[str, Any]) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Current weather for a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            },
        }
    ]
    reply = await run(
        client(kind, lca_settings).chat.complete(
            model="mistral-small-latest",
            messages=[{"role": "user", "content": "What's the weather in Paris?"}],
            tools=tools,
            tool_choice="any",
        )
    )
    call = reply.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert len(call.id) == 9
    assert call.id.isalnum()
    assert reply.choices[0].finish_reason == "tool_calls"


@pytest.mark.vcr
async def test_fim_complete(kind: str, lca_settings: dict[str, Any]) -> None:
    reply = await run(
        client(kind, lca_settings).fim.complete(
            model="codestral-latest", prompt="def add(a, b):\n    ", suffix="\n\nprint(add(1, 2))", max_tokens=32
        )
    )
    assert isinstance(reply.choices[0].message.content, str)
    assert reply.usage.total_tokens > 0


@pytest.mark.vcr
async def test_fim_stream(kind: str, lca_settings: dict[str, Any]) -> None:
    events = await drain(
        client(kind, lca_settings).fim.stream(model="codestral-latest", prompt="def add(a, b):\n    ", max_tokens=32)
    )
    assert events
    assert sum(1 for e in events if e.data.usage is not None) == 1


@pytest.mark.vcr
async def test_embeddings(kind: str, lca_settings: dict[str, Any]) -> None:
    texts = ["The cat sat on the mat.", "Paris is the capital of France.", "Embeddings map text to vectors."]
    reply = await run(client(kind, lca_settings).embeddings.create(model="mistral-embed", inputs=texts))
    vectors = reply.vectors()
    assert len(vectors) == 3
    assert {len(v) for v in vectors} == {1024}
    assert [d.index for d in sorted(reply.data, key=lambda d: d.index)] == [0, 1, 2]
    assert reply.usage.prompt_tokens > 0


@pytest.mark.parametrize("path_params", ["query", "path"])
@pytest.mark.vcr
async def test_models_list_and_retrieve(kind: str, path_params: str, lca_settings: dict[str, Any]) -> None:
    c = client(kind, lca_settings, path_params=path_params)
    listed = await run(c.models.list())
    assert listed.data
    assert all(m.id for m in listed.data)
    card = await run(c.models.retrieve("mistral-small-latest"))
    assert card.id
    assert card.max_context_length is None or card.max_context_length > 0
