"""End-to-end flows on cassettes: RAG, a create_agent tool loop, an agent tool inside an agent, OCR → embeddings.

Assertions are structural (message order, ids, which documents reached the prompt), never model prose, so
the cassettes can be re-recorded live (``MISTRAL_LCA_RECORD_AGAINST=live``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_core.tools import tool
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_mistral_lca import (
    ChatMistralLCA,
    MistralAgentTool,
    MistralLCAEmbeddings,
    MistralOCRLoader,
    MistralTranscriptionLoader,
)

pytestmark = pytest.mark.vcr

TOOL_ID = re.compile(r"^[A-Za-z0-9]{9}$")
FACTS = [
    "The Eiffel Tower is 330 metres tall and stands in Paris.",
    "Mistral AI was founded in 2023 and is based in Paris.",
    "The Rhône flows from the Swiss Alps to the Mediterranean Sea.",
]


def three_page_pdf() -> bytes:
    pages = b"".join(b"%d 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n" % n for n in (3, 4, 5))
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R 4 0 R 5 0 R]/Count 3>>endobj\n" + pages + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def split_markdown(docs: list[Document]) -> list[Document]:
    """A minimal splitter: one chunk per markdown paragraph, page metadata kept."""
    chunks = []
    for doc in docs:
        for i, part in enumerate(p for p in doc.page_content.split("\n\n") if p.strip()):
            chunks.append(Document(page_content=part, metadata={**doc.metadata, "chunk": i}))
    return chunks


async def test_rag_chain_answers_from_retrieved_context(lca_settings: dict[str, Any]) -> None:
    embeddings = MistralLCAEmbeddings(**lca_settings, max_retries=0)
    store = await InMemoryVectorStore.afrom_texts(FACTS, embeddings, metadatas=[{"n": i} for i in range(3)])
    retriever = store.as_retriever(search_kwargs={"k": 2})
    llm = ChatMistralLCA(**lca_settings, max_retries=0, temperature=0)
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Answer only from this context:\n{context}"),
            ("human", "{question}"),
        ]
    )

    def join(docs: list[Document]) -> str:
        return "\n".join(doc.page_content for doc in docs)

    chain = {"context": retriever | join, "question": RunnablePassthrough()} | prompt | llm | StrOutputParser()
    question = FACTS[1]  # the identical text is its own nearest neighbour with any embedding model
    retrieved = await retriever.ainvoke(question)
    assert retrieved[0].page_content == FACTS[1] and len(retrieved) == 2
    answer = await chain.ainvoke(question)
    assert isinstance(answer, str) and answer.strip()


def test_rag_request_carries_the_retrieved_documents(lca_settings: dict[str, Any]) -> None:
    embeddings = MistralLCAEmbeddings(**lca_settings, max_retries=0)
    store = InMemoryVectorStore.from_texts(FACTS, embeddings)
    llm = ChatMistralLCA(**lca_settings, max_retries=0)
    docs = store.similarity_search(FACTS[0], k=1)
    assert docs[0].page_content == FACTS[0]
    reply = llm.invoke([("system", f"Context: {docs[0].page_content}"), ("human", "How tall is the tower?")])
    assert isinstance(reply, AIMessage) and reply.text
    assert reply.usage_metadata is not None and reply.usage_metadata["input_tokens"] > 0


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny and 22 °C in {city}"


@tool
def get_time(city: str) -> str:
    """Get the local time in a city."""
    return f"It is 14:05 in {city}"


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "stream"])
async def test_create_agent_runs_a_parallel_tool_loop(lca_settings: dict[str, Any], streaming: bool) -> None:
    llm = ChatMistralLCA(**lca_settings, max_retries=0, streaming=streaming)
    agent = create_agent(llm, tools=[get_weather, get_time])
    result = await agent.ainvoke(
        {"messages": [HumanMessage("Use get_weather and get_time for Paris, then summarise both.")]}
    )
    messages = result["messages"]
    kinds = [type(m).__name__ for m in messages]
    assert kinds == ["HumanMessage", "AIMessage", "ToolMessage", "ToolMessage", "AIMessage"], kinds
    call_message = messages[1]
    assert sorted(c["name"] for c in call_message.tool_calls) == ["get_time", "get_weather"]
    ids = [c["id"] for c in call_message.tool_calls]
    assert all(TOOL_ID.match(i) for i in ids) and len(set(ids)) == 2
    assert sorted(m.tool_call_id for m in messages[2:4]) == sorted(ids)
    final = messages[-1]
    assert isinstance(final, AIMessage) and final.text and not final.tool_calls
    assert final.response_metadata["finish_reason"] == "stop"


def test_agent_tool_inside_an_agent(lca_settings: dict[str, Any]) -> None:
    translator = MistralAgentTool.create(
        name="French Translator",
        model="mistral-medium-latest",
        instructions="Translate the user's text into French. Answer with the translation only.",
        description="Translates English text into French.",
        max_retries=0,
        **lca_settings,
    )
    assert translator.name == "french_translator" and translator.agent_id
    llm = ChatMistralLCA(**lca_settings, max_retries=0)
    agent = create_agent(llm, tools=[translator])
    result = agent.invoke({"messages": [HumanMessage("Use french_translator on the sentence Good Morning.")]})
    messages = result["messages"]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert len(tool_messages) == 1
    [tool_message] = tool_messages
    assert tool_message.name == "french_translator" and tool_message.content
    assert tool_message.artifact["object"] == "chat.completion"
    json.dumps(tool_message.artifact)
    assert isinstance(messages[-1], AIMessage) and messages[-1].text


async def test_agent_tool_from_agent_id_async(lca_settings: dict[str, Any]) -> None:
    created = await MistralAgentTool.acreate(name="Summariser", description="Summarises text.", **lca_settings)
    tool_from_id = await MistralAgentTool.afrom_agent_id(created.agent_id, **lca_settings)
    assert (tool_from_id.name, tool_from_id.description) == ("summariser", "Summarises text.")
    message = await tool_from_id.ainvoke(
        {
            "name": tool_from_id.name,
            "args": {"input": "Summarise: cats sleep a lot."},
            "id": "call_1",
            "type": "tool_call",
        }
    )
    assert isinstance(message, ToolMessage) and message.content and message.artifact["id"]


@pytest.mark.parametrize("upload", [False, True], ids=["inline", "uploaded"])
def test_ocr_pages_split_and_embedded(lca_settings: dict[str, Any], tmp_path: Path, upload: bool) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(three_page_pdf())
    docs = MistralOCRLoader(pdf, upload=upload, max_retries=0, **lca_settings).load()
    assert [d.metadata["page"] for d in docs] == [0, 1, 2]
    for doc in docs:
        assert doc.page_content.strip()
        assert doc.metadata["source"] == str(pdf) and doc.metadata["total_pages"] == 3
        assert doc.metadata["model"] and set(doc.metadata["dimensions"]) == {"dpi", "height", "width"}
    chunks = split_markdown(docs)
    assert len(chunks) >= len(docs)
    store = InMemoryVectorStore(MistralLCAEmbeddings(max_retries=0, **lca_settings))
    ids = store.add_documents(chunks)
    assert len(ids) == len(chunks)
    [hit] = store.similarity_search(chunks[-1].page_content, k=1)
    assert hit.page_content == chunks[-1].page_content and hit.metadata["page"] == chunks[-1].metadata["page"]


async def test_ocr_async_with_page_selection(lca_settings: dict[str, Any], tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(three_page_pdf())
    loader = MistralOCRLoader(pdf, pages=[1, 2], max_retries=0, **lca_settings)
    docs = await loader.aload()
    assert [d.metadata["page"] for d in docs] == [1, 2]


def test_transcription_loader(lca_settings: dict[str, Any], tmp_path: Path) -> None:
    audio = tmp_path / "meeting.mp3"
    audio.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4)
    [doc] = MistralTranscriptionLoader(audio, timestamp_granularities=["segment"], **lca_settings).load()
    assert doc.page_content and doc.metadata["model"]
    assert doc.metadata["segments"] and {"text", "start", "end"} <= set(doc.metadata["segments"][0])
