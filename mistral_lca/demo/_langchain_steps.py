"""Tour steps on ``langchain_mistral_lca``: RAG with sources, a tool-calling loop, a Mistral agent as a tool."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._printer import Printer
from ._session import Session
from .data import handbook

if TYPE_CHECKING:
    from langchain_core.language_models import LanguageModelInput
    from langchain_core.messages import AIMessage, BaseMessage
    from langchain_core.runnables import Runnable
    from langchain_core.tools import BaseTool

__all__ = ["agent", "agent_tool", "rag"]

CHAT_MODEL = "mistral-small-latest"
AGENT_MODEL = "mistral-medium-latest"
RAG_QUESTION = "How many unused vacation days can I carry over, and until when?"
RAG_SYSTEM = (
    "You answer questions about the Tidewater Robotics handbook using only the context below. "
    "Cite the files you used in square brackets, like [vacation.md].\n\n{context}"
)
TRIP_REQUEST = (
    "I am going to a robotics conference in Lisbon (start=2025-03-03, end=2025-03-14). "
    "Use working_days and per_diem to work out my travel allowance."
)
AGENT_NAME = "expense_policy_agent"
AGENT_REQUEST = f'Ask {AGENT_NAME} with input="Are hotel minibar charges reimbursed?" and tell me what it says.'
PER_DIEM_EUR = {"lisbon": 180, "berlin": 210, "paris": 230}
MAX_ROUNDS = 4


# ------------------------------------------------------------------------------------------- RAG


def rag(session: Session, out: Printer) -> dict[str, Any]:
    """Embed the handbook with MistralLCAEmbeddings, retrieve for a question, answer with ChatMistralLCA."""
    from langchain_core.documents import Document
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.vectorstores import InMemoryVectorStore

    from langchain_mistral_lca import ChatMistralLCA, MistralLCAEmbeddings

    connection = session.langchain()
    docs = [Document(page_content=doc.text, metadata={"source": doc.source}) for doc in handbook()]
    store = InMemoryVectorStore.from_documents(docs, MistralLCAEmbeddings(**connection))
    hits = store.similarity_search_with_score(RAG_QUESTION, k=2)
    context = "\n\n".join(f"[{doc.metadata['source']}]\n{doc.page_content}" for doc, _ in hits)
    prompt = ChatPromptTemplate.from_messages([("system", RAG_SYSTEM), ("human", "Question: {question}")])
    llm = ChatMistralLCA(model=CHAT_MODEL, temperature=0, **connection)
    answer = (prompt | llm).invoke({"context": context, "question": RAG_QUESTION})
    sources = [{"source": str(doc.metadata["source"]), "score": round(float(score), 3)} for doc, score in hits]
    out.line(f"Indexed {len(docs)} handbook pages with mistral-embed (InMemoryVectorStore).")
    out.field("Q", RAG_QUESTION)
    out.field("A", answer.text)
    out.field("Sources", ", ".join(f"{s['source']} (similarity {s['score']:.2f})" for s in sources))
    return {"question": RAG_QUESTION, "answer": answer.text, "sources": sources}


# ------------------------------------------------------------------------------------------- tool loop


def _working_days(start: str, end: str) -> str:
    try:
        first, last = _dt.date.fromisoformat(start.strip()), _dt.date.fromisoformat(end.strip())
    except ValueError:
        return "error: give start and end as YYYY-MM-DD"
    days = sum(1 for n in range((last - first).days + 1) if (first + _dt.timedelta(n)).weekday() < 5)
    return str(days)


def _per_diem(city: str) -> str:
    amount = PER_DIEM_EUR.get(city.strip().lower())
    if amount is None:
        return f"no per diem is listed for {city}; known cities: Lisbon, Berlin, Paris"
    return f"{amount} EUR per day in {city.strip().title()}"


def travel_tools() -> list[BaseTool]:
    """Two plain Python functions as LangChain tools (the agent step's toolbox)."""
    from langchain_core.tools import tool

    @tool
    def working_days(start: str, end: str) -> str:
        """Count the working days (Monday to Friday) between two ISO dates (YYYY-MM-DD), both included."""
        return _working_days(start, end)

    @tool
    def per_diem(city: str) -> str:
        """The daily travel allowance (per diem) for a business trip to a city, from the expense policy."""
        return _per_diem(city)

    return [working_days, per_diem]


def _arguments(args: dict[str, Any]) -> str:
    return ", ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in args.items())


def tool_loop(
    llm: Runnable[LanguageModelInput, AIMessage],
    tools: Sequence[BaseTool],
    messages: list[BaseMessage],
    out: Printer,
) -> tuple[AIMessage, list[dict[str, Any]]]:
    """Ask, run the tools the model calls, send their results back; until the model answers in text."""
    by_name = {tool.name: tool for tool in tools}
    calls: list[dict[str, Any]] = []
    for _ in range(MAX_ROUNDS):
        reply = llm.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            return reply, calls
        for call in reply.tool_calls:
            tool = by_name.get(call["name"])
            if tool is None:
                from langchain_core.messages import ToolMessage

                result: Any = ToolMessage(f"error: no tool named {call['name']}", tool_call_id=call["id"] or "")
            else:
                result = tool.invoke(call)
            content = str(result.content)
            out.line(f"-> {call['name']}({_arguments(call['args'])}) = {content}")
            calls.append({"tool": call["name"], "args": call["args"], "result": content})
            messages.append(result)
    raise RuntimeError(f"the model was still calling tools after {MAX_ROUNDS} rounds")


def agent(session: Session, out: Printer) -> dict[str, Any]:
    """ChatMistralLCA with two Python tools: it calls them (in parallel), reads the results, answers."""
    from langchain_core.messages import HumanMessage

    from langchain_mistral_lca import ChatMistralLCA

    tools = travel_tools()
    llm = ChatMistralLCA(model=CHAT_MODEL, temperature=0, **session.langchain()).bind_tools(tools)
    out.field("You", TRIP_REQUEST)
    answer, calls = tool_loop(llm, tools, [HumanMessage(TRIP_REQUEST)], out)
    out.field("Answer", answer.text)
    return {"request": TRIP_REQUEST, "tool_calls": calls, "answer": answer.text}


# ------------------------------------------------------------------------------------------- agent as a tool


def agent_tool(session: Session, out: Printer) -> dict[str, Any]:
    """Create a Mistral agent, hand it to ChatMistralLCA as a tool (MistralAgentTool), then delete it."""
    from langchain_core.messages import HumanMessage

    from langchain_mistral_lca import ChatMistralLCA, MistralAgentTool

    connection = session.langchain()
    policy = next(doc for doc in handbook() if doc.source == "expenses.md")
    tool = MistralAgentTool.create(
        name=AGENT_NAME,
        model=AGENT_MODEL,
        description="Answers questions about Tidewater Robotics' travel and expense policy.",
        instructions="Answer questions about this travel and expense policy in one or two sentences, using only "
        f"the policy:\n\n{policy.text}",
        **connection,
    )
    out.line(f"Created Mistral agent {tool.agent_id} ({AGENT_MODEL}) and wrapped it as the tool `{tool.name}`.")
    try:
        llm = ChatMistralLCA(model=CHAT_MODEL, temperature=0, **connection).bind_tools([tool])
        out.field("You", AGENT_REQUEST)
        answer, calls = tool_loop(llm, [tool], [HumanMessage(AGENT_REQUEST)], out)
        out.field("Answer", answer.text)
    finally:
        tool.client.agents.delete(tool.agent_id)
        out.line(f"Deleted agent {tool.agent_id}.")
    return {"agent_id": tool.agent_id, "tool": tool.name, "tool_calls": calls, "answer": answer.text}
