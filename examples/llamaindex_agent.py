"""A LlamaIndex FunctionAgent on MistralLCA with a Python tool, streaming its tool calls.

Run it:  LOWCODEAPI_API_TOKEN=at_... python examples/llamaindex_agent.py
Needs:   pip install "mistral-lca[llamaindex]"
"""

from __future__ import annotations

import asyncio

from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.tools import FunctionTool

from llamaindex_mistral_lca import MistralLCA


def per_diem(city: str) -> str:
    """The daily travel allowance for a business trip to a city."""
    return {"lisbon": "180 EUR per day", "berlin": "210 EUR per day"}.get(city.strip().lower(), "not listed")


async def main() -> None:
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(per_diem)],
        llm=MistralLCA(model="mistral-small-latest", temperature=0),
        system_prompt="You help employees with travel allowances. Use the tools.",
    )
    handler = agent.run("Use per_diem: what is the daily allowance in Lisbon?")
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            print(f"tool call: {event.tool_name}({event.tool_kwargs}) -> {event.tool_output}")
    print("answer:", str(await handler))


if __name__ == "__main__":
    asyncio.run(main())
