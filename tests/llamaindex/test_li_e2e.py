"""End to end through LlamaIndex itself, replayed from cassettes: RAG, agents with tools, agents as tools, OCR.

Recorded like test_li_cassettes.py; assertions are structural (a live re-recording passes too).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from llama_index.core import Document, SimpleDirectoryReader, VectorStoreIndex
from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import TextBlock
from llama_index.core.tools import FunctionTool

from llamaindex_mistral_lca import (
    MistralAgentTool,
    MistralAgentToolSpec,
    MistralLCA,
    MistralLCAEmbedding,
    MistralOCRReader,
)

TOOL_ID = re.compile(r"^[A-Za-z0-9]{9}$")
DOCS = [
    Document(text="The Eiffel Tower is a wrought-iron tower in Paris, France."),
    Document(text="Mount Fuji is the highest mountain in Japan."),
    Document(text="The Amazon river flows through Brazil."),
]


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


async def run_agent(agent: FunctionAgent, question: str) -> tuple[Any, list[AgentStream], list[ToolCallResult]]:
    handler = agent.run(question)
    streamed: list[AgentStream] = []
    results: list[ToolCallResult] = []
    async for event in handler.stream_events():
        if isinstance(event, AgentStream):
            streamed.append(event)
        elif isinstance(event, ToolCallResult):
            results.append(event)
    return await handler, streamed, results


def final_step_text(streamed: list[AgentStream]) -> str:
    """The deltas of the last LLM call (an AgentStream with an empty response starts a call)."""
    text = ""
    for event in streamed:
        text = event.response if event.response == event.delta else text + event.delta
    return text


@pytest.mark.vcr
def test_vector_index_and_query_engine(lca_settings: dict[str, Any]) -> None:
    embed_model = MistralLCAEmbedding(**lca_settings)
    llm = MistralLCA(**lca_settings)
    index = VectorStoreIndex.from_documents(DOCS, embed_model=embed_model)
    response = index.as_query_engine(llm=llm, similarity_top_k=2).query("Where is the Eiffel Tower?")
    assert str(response).strip()
    assert len(response.source_nodes) == 2
    assert all(node.score is not None for node in response.source_nodes)


@pytest.mark.vcr
async def test_vector_index_async_query(lca_settings: dict[str, Any]) -> None:
    embed_model = MistralLCAEmbedding(**lca_settings)
    index = VectorStoreIndex.from_documents(DOCS, embed_model=embed_model, use_async=True)
    engine = index.as_query_engine(llm=MistralLCA(**lca_settings), similarity_top_k=1, streaming=True)
    response = await engine.aquery("Which mountain is the highest in Japan?")
    text = "".join([token async for token in response.async_response_gen()])
    assert text.strip()
    assert len(response.source_nodes) == 1


@pytest.mark.vcr
async def test_function_agent_tool_loop(lca_settings: dict[str, Any]) -> None:
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(multiply)],
        llm=MistralLCA(**lca_settings),
        system_prompt="You are a calculator. Always use the multiply tool for products.",
    )
    result, streamed, tool_results = await run_agent(agent, "Use multiply with a=6 and b=7, then report the product.")
    assert [r.tool_name for r in tool_results] == ["multiply"]
    assert TOOL_ID.match(tool_results[0].tool_id)
    answer = result.response.content or ""
    assert answer.strip()
    assert answer == final_step_text(streamed)  # the streamed answer is in memory once, not repeated
    assert sum(isinstance(block, TextBlock) for block in result.response.blocks) == 1


@pytest.mark.vcr
async def test_function_agent_with_mistral_agent_tool(lca_settings: dict[str, Any]) -> None:
    tool = await MistralAgentTool.acreate(
        model="mistral-small-latest",
        name="travel_helper",
        description="Answers travel questions about a city.",
        instructions="Answer in one sentence.",
        **lca_settings,
    )
    agent = FunctionAgent(
        tools=[tool],
        llm=MistralLCA(**lca_settings),
        initial_tool_choice="travel_helper",  # a tool name: sent as Mistral's {"type": "function", ...} object
        system_prompt="Delegate travel questions to travel_helper.",
    )
    result, _, tool_results = await run_agent(agent, "Ask travel_helper with input=Lisbon what to visit.")
    assert [r.tool_name for r in tool_results] == ["travel_helper"]
    output = tool_results[0].tool_output
    assert not output.is_error and output.content.strip()
    assert output.raw_output["choices"][0]["message"]["content"]
    assert (result.response.content or "").strip()


@pytest.mark.vcr
def test_agent_tool_spec_lists_agents(lca_settings: dict[str, Any]) -> None:
    created = MistralAgentTool.create(
        model="mistral-small-latest", name="spec_probe", description="Probe agent.", **lca_settings
    )
    tools = MistralAgentToolSpec(name="spec_probe", **lca_settings).to_tool_list()
    assert created.agent_id in [t.agent_id for t in tools]
    mine = next(t for t in tools if t.agent_id == created.agent_id)
    assert mine.metadata.name == "spec_probe" and mine.metadata.description == "Probe agent."
    assert mine("Say hello").content.strip()


def _tiny_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@pytest.mark.default_cassette("test_simple_directory_reader_with_ocr.yaml")
@pytest.mark.vcr
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_simple_directory_reader_with_ocr(mode: str, lca_settings: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(_tiny_pdf())
    (tmp_path / "readme.txt").write_text("Plain text stays local.")
    reader = MistralOCRReader(**lca_settings)
    directory = SimpleDirectoryReader(str(tmp_path), file_extractor={".pdf": reader})
    docs = directory.load_data() if mode == "sync" else await directory.aload_data()
    pdf_docs = [d for d in docs if d.metadata["file_name"] == "report.pdf"]
    assert pdf_docs and all(d.metadata["page_number"] >= 1 for d in pdf_docs)
    assert all(isinstance(d.text, str) for d in pdf_docs)
    assert [d.text for d in docs if d.metadata["file_name"] == "readme.txt"] == ["Plain text stays local."]
