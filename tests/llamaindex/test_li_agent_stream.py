"""FunctionAgent on MistralLCA over a MockTransport: thinking deltas reach AgentStream; clients per event loop."""

from __future__ import annotations

import asyncio

from li_support import TOKEN, Recorder, chunk, sse_response, transports
from llama_index.core.agent.workflow import AgentStream, FunctionAgent

from llamaindex_mistral_lca import MistralLCA
from llamaindex_mistral_lca._connection import LCAConnection

USAGE = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}


async def test_function_agent_streams_thinking_and_text_once() -> None:
    reply = sse_response(
        chunk("", role="assistant"),
        chunk([{"type": "thinking", "thinking": [{"type": "text", "text": "Think "}]}]),
        chunk([{"type": "thinking", "thinking": [{"type": "text", "text": "hard."}]}]),
        chunk([{"type": "text", "text": "The answer"}]),
        chunk(" is 3.", finish="stop", usage=USAGE),
    )
    agent = FunctionAgent(tools=[], llm=MistralLCA(api_token=TOKEN, **transports(Recorder(reply))))
    handler = agent.run("What is 1 + 2?")
    events = [event async for event in handler.stream_events() if isinstance(event, AgentStream)]
    result = await handler
    assert [e.thinking_delta for e in events if e.thinking_delta] == ["Think ", "hard."]
    assert "".join(e.delta for e in events) == "The answer is 3."
    assert result.response.content == "The answer is 3."
    assert events[-1].raw["usage"] == USAGE


def test_one_async_client_serves_every_event_loop() -> None:
    connection = LCAConnection.resolve(api_token=TOKEN, base_url=None, path_params="query", timeout=None, max_retries=0)

    async def same_loop_twice() -> tuple[object, object]:
        return connection.aclient, connection.aclient

    first, again = asyncio.run(same_loop_twice())
    second, _ = asyncio.run(same_loop_twice())
    assert first is again
    assert second is first  # the shared client itself replaces its pool under a new loop: nothing to leak here
    assert connection.client is connection.client
