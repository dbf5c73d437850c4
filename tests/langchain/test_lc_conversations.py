"""ChatMistralLCA on the Conversations API (against the stand-in): built-in tools, citations, state, parity."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.messages.block_translators import get_translator
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_mistral_lca import ChatMistralLCA
from mistral_lca import InvalidRequestError, MistralLCAClient, ServerError
from mistral_lca.testing import FakeLowCodeAPI

TOKEN = "at_conversations_test"
WEB = {"type": "web_search"}
QUESTION = "Search the web: who won the 2024 Tour de France?"


@tool
def get_weather(city: str) -> str:
    """The current weather of a city."""
    return f"Sunny in {city}"


@pytest.fixture
def fake() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI() as server:
        yield server
        assert server.errors == [], server.errors


def model(fake: FakeLowCodeAPI, **kwargs: Any) -> ChatMistralLCA:
    return ChatMistralLCA(api_key=TOKEN, base_url=fake.base_url, model="mistral-medium-latest", **kwargs)


async def invoke(runnable: Any, mode: str, value: Any, **kwargs: Any) -> Any:
    return runnable.invoke(value, **kwargs) if mode == "sync" else await runnable.ainvoke(value, **kwargs)


async def stream(runnable: Any, mode: str, value: Any, **kwargs: Any) -> AIMessageChunk:
    if mode == "sync":
        chunks = list(runnable.stream(value, **kwargs))
    else:
        chunks = [chunk async for chunk in runnable.astream(value, **kwargs)]
    assert len(chunks) > 1
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def conversation_bodies(fake: FakeLowCodeAPI) -> list[dict[str, Any]]:
    return [r.json for r in fake.requests if r.route and r.route.startswith("/v1/conversations")]


def text_block(message: BaseMessage) -> dict[str, Any]:
    [block] = [b for b in message.content if isinstance(b, dict) and b["type"] == "text"]
    return block


# ------------------------------------------------------------------------------------------ built-in tools


async def test_web_search_answer_with_sources(fake: FakeLowCodeAPI, mode: str) -> None:
    message = await invoke(model(fake).bind_tools([WEB]), mode, QUESTION)
    assert isinstance(message, AIMessage)
    call, result, text = message.content
    assert call == {
        "type": "server_tool_call",
        "id": call["id"],
        "name": "web_search",
        "args": {"query": QUESTION},
        "index": 0,
    }
    assert result == {"type": "server_tool_result", "tool_call_id": call["id"], "status": "success", "index": 1}
    assert text["index"] == 2 and message.text == text["text"]
    first, second = text["annotations"]
    assert first["url"] == "https://news.example.com/who-won-the-2024-tour-france"
    assert first["title"] == "Who won the 2024 Tour de France - News Example"
    assert first["extras"] == {
        "tool": "web_search",
        "source": "brave",
        "favicon": "https://news.example.com/favicon.ico",
        "description": "Latest reporting on who won the 2024 Tour de France.",
    }
    assert text["text"][first["start_index"] : first["end_index"]].startswith("The latest reports on who won")
    assert second["start_index"] == first["end_index"] and second["end_index"] == len(text["text"])
    [conversation] = fake.state.conversations
    assert message.response_metadata == {
        "model_provider": "mistral",
        "conversation_id": conversation,
        "model_name": "mistral-medium-latest",
    }
    assert message.usage_metadata is not None and message.usage_metadata["total_tokens"] > 0
    [body] = conversation_bodies(fake)
    assert body == {"inputs": QUESTION, "model": "mistral-medium-latest", "tools": [WEB]}


@pytest.mark.parametrize("options", [{}, {"stream_chunks": 3}, {"stream_buffered": True}])
async def test_a_stream_aggregates_to_the_invoked_message(mode: str, options: dict[str, Any]) -> None:
    bound: dict[str, Any] = {"tools": [WEB, get_weather]}
    with FakeLowCodeAPI(**options) as first, FakeLowCodeAPI(**options) as second:  # same seed: same ids
        invoked = await invoke(model(first, reasoning_effort="low").bind_tools(**bound), mode, QUESTION)
        streamed = await stream(model(second, reasoning_effort="low").bind_tools(**bound), mode, QUESTION)
    assert [b["type"] for b in invoked.content] == [
        "server_tool_call",
        "server_tool_result",
        "reasoning",
        "text",
    ]
    assert streamed.content == invoked.content
    assert streamed.usage_metadata == invoked.usage_metadata
    assert streamed.response_metadata == invoked.response_metadata
    assert streamed.tool_calls == invoked.tool_calls == []


async def test_function_calls_stream_and_invoke_alike(mode: str) -> None:
    question = "What is the weather in Paris?"
    with FakeLowCodeAPI() as first, FakeLowCodeAPI() as second:
        invoked = await invoke(model(first).bind_tools([WEB, get_weather]), mode, question)
        streamed = await stream(model(second).bind_tools([WEB, get_weather]), mode, question)
    assert invoked.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": invoked.tool_calls[0]["id"], "type": "tool_call"}
    ]
    assert streamed.tool_calls == invoked.tool_calls and streamed.content == invoked.content == []


async def test_document_library_answer_quotes_its_documents(fake: FakeLowCodeAPI, mode: str) -> None:
    client = MistralLCAClient(api_token=TOKEN, base_url=fake.base_url)
    library = client.libraries.create(name="Handbook")
    text = b"Expenses. Taxis are refunded after 10 pm. Hotels up to 150 euros a night are refunded."
    client.libraries.documents.upload(library.id, file=text, filename="expenses.md", content_type="text/markdown")
    tools = [{"type": "document_library", "library_ids": [library.id]}]
    message = await invoke(model(fake).bind_tools(tools), mode, "What does the handbook say about hotels?")
    block = text_block(message)
    assert block["text"] == 'expenses.md says: "Hotels up to 150 euros a night are refunded."'
    [citation] = block["annotations"]
    assert citation["title"] == "expenses.md" and "url" not in citation
    assert citation["extras"]["tool"] == "document_library"
    assert (citation["start_index"], citation["end_index"]) == (0, len(block["text"]))


async def test_generated_images_are_image_blocks_with_their_file_id(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = model(fake).bind_tools([{"type": "image_generation"}])
    message = await invoke(llm, mode, "Draw a picture of a lighthouse")
    [image] = [b for b in message.content if b["type"] == "image"]
    assert image["mime_type"] == "image/png"
    assert image["extras"] == {"file_name": "image_generated_0", "tool": "image_generation"}
    data = MistralLCAClient(api_token=TOKEN, base_url=fake.base_url).files.download(image["file_id"])
    assert data.startswith(b"\x89PNG")
    assert [b["type"] for b in message.content_blocks] == ["server_tool_call", "server_tool_result", "text", "image"]


async def test_code_interpreter_output_is_the_tool_result(fake: FakeLowCodeAPI, mode: str) -> None:
    message = await invoke(model(fake).bind_tools([{"type": "code_interpreter"}]), mode, "Compute 6 * 7 with code")
    call, result, _ = message.content
    assert call["args"] == {"code": "print(6 * 7)"}
    assert result["output"] == {"code": "print(6 * 7)", "code_output": "42\n"}


# ------------------------------------------------------------------------------------------ switching


def test_the_api_is_chosen_by_what_the_request_needs(fake: FakeLowCodeAPI) -> None:
    model(fake).invoke("Hello")
    model(fake).bind_tools([get_weather]).invoke("Hello")
    assert [r.route for r in fake.requests] == ["/v1/chat/completions"] * 2
    model(fake).bind_tools([WEB]).invoke("Hello")
    model(fake, use_conversations_api=True).invoke("Hello")
    agent_id = _agent(fake)
    model(fake).invoke("Hello", agent_id=agent_id)
    assert [r.route for r in fake.requests[2:]] == ["/v1/conversations"] * 2 + ["/v1/agents", "/v1/conversations"]
    assert fake.requests[-1].json == {"inputs": "Hello", "agent_id": fake.requests[-1].json["agent_id"]}


def _agent(fake: FakeLowCodeAPI) -> str:
    client = MistralLCAClient(api_token=TOKEN, base_url=fake.base_url)
    return client.agents.create(model="mistral-medium-latest", name="Helper", instructions="Be nice.").id


async def test_a_stored_agent_runs_as_the_model(fake: FakeLowCodeAPI, mode: str) -> None:
    agent_id = _agent(fake)
    message = await invoke(model(fake, agent_id=agent_id), mode, "Hello agent")
    assert message.text == "Echo: Hello agent"
    assert message.response_metadata["agent_id"] == agent_id
    assert conversation_bodies(fake)[-1] == {"inputs": "Hello agent", "agent_id": agent_id}


@pytest.mark.parametrize(
    ("kwargs", "call"),
    [
        ({"use_conversations_api": False}, {"tools": [WEB]}),
        ({"use_conversations_api": False, "agent_id": "ag_1"}, {}),
        ({"use_conversations_api": False}, {"conversation_id": "conv_1"}),
        ({"use_conversations_api": False, "use_previous_conversation": True}, {}),
        ({}, {"tools": [WEB], "safe_prompt": True}),
        ({}, {"tools": [WEB, get_weather], "tool_choice": "get_weather"}),
    ],
)
async def test_requests_conversations_cannot_serve_fail_before_sending(
    fake: FakeLowCodeAPI, mode: str, kwargs: dict[str, Any], call: dict[str, Any]
) -> None:
    llm = model(fake, **kwargs)
    call = dict(call)
    tools = call.pop("tools", None)
    runnable = llm.bind_tools(tools, tool_choice=call.pop("tool_choice", None)) if tools else llm
    with pytest.raises(InvalidRequestError):
        await invoke(runnable.bind(**call) if call else runnable, mode, "Hello")
    assert fake.total_requests == 0


def test_a_document_library_without_libraries_fails_when_bound(fake: FakeLowCodeAPI) -> None:
    with pytest.raises(InvalidRequestError, match="library_ids"):
        model(fake).bind_tools([{"type": "document_library"}])


# ------------------------------------------------------------------------------------------ state


async def test_tool_round_trip_sends_the_whole_history_by_default(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = model(fake).bind_tools([WEB, get_weather])
    history: list[BaseMessage] = [SystemMessage("Be brief."), HumanMessage("What is the weather in Paris?")]
    before = copy.deepcopy(history)
    ai = await invoke(llm, mode, history)
    assert history == before  # the caller's history is never changed
    call = ai.tool_calls[0]
    history += [ai, ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])]
    final = await invoke(llm, mode, history)
    assert final.text == "Based on the tool results: Sunny in Paris"
    first, second = conversation_bodies(fake)
    assert first["instructions"] == second["instructions"] == "Be brief."
    assert second["inputs"] == [
        {"type": "message.input", "role": "user", "content": "What is the weather in Paris?"},
        {"type": "function.call", "tool_call_id": call["id"], "name": "get_weather", "arguments": '{"city": "Paris"}'},
        {"type": "function.result", "tool_call_id": call["id"], "result": "Sunny in Paris"},
    ]
    assert final.response_metadata["conversation_id"] != ai.response_metadata["conversation_id"]


async def test_use_previous_conversation_sends_only_the_new_messages(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = model(fake, use_previous_conversation=True).bind_tools([WEB, get_weather])
    history: list[BaseMessage] = [SystemMessage("Be brief."), HumanMessage("What is the weather in Paris?")]
    ai = await invoke(llm, mode, history)
    call = ai.tool_calls[0]
    history += [ai, ToolMessage("Sunny in Paris", tool_call_id=call["id"])]
    final = await invoke(llm, mode, history)
    history += [final, HumanMessage("Thanks! Now search the web for the Tour de France winner.")]
    third = await invoke(llm, mode, history)
    conversation = ai.response_metadata["conversation_id"]
    assert final.response_metadata["conversation_id"] == third.response_metadata["conversation_id"] == conversation
    requests = [r for r in fake.requests if r.route and r.route.startswith("/v1/conversations")]
    assert [r.route for r in requests] == ["/v1/conversations"] + ["/v1/conversations/{conversation_id}"] * 2
    assert {r.params["conversation_id"] for r in requests[1:]} == {conversation}
    assert requests[1].json == {
        "inputs": [{"type": "function.result", "tool_call_id": call["id"], "result": "Sunny in Paris"}]
    }
    assert requests[2].json["inputs"] == "Thanks! Now search the web for the Tour de France winner."
    assert [b["type"] for b in third.content][:2] == ["server_tool_call", "server_tool_result"]
    assert len(fake.state.conversations) == 1


async def test_streams_continue_conversations_too(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = model(fake, use_previous_conversation=True)
    first = await stream(llm, mode, [HumanMessage("Hello")])
    second = await stream(llm, mode, [HumanMessage("Hello"), first, HumanMessage("Again")])
    assert second.response_metadata["conversation_id"] == first.response_metadata["conversation_id"]
    assert conversation_bodies(fake)[-1] == {"inputs": "Again", "stream": True}


async def test_conversation_id_per_call_appends(fake: FakeLowCodeAPI, mode: str) -> None:
    started = await invoke(model(fake, use_conversations_api=True), mode, "Hello")
    conversation = started.response_metadata["conversation_id"]
    await invoke(
        model(fake), mode, [HumanMessage("Hello"), started, HumanMessage("More")], conversation_id=conversation
    )
    await invoke(model(fake), mode, "Alone", conversation_id=conversation)
    bodies = conversation_bodies(fake)
    assert bodies[1:] == [{"inputs": "More"}, {"inputs": "Alone"}]
    assert [r.params.get("conversation_id") for r in fake.requests] == [None, conversation, conversation]


async def test_continuing_needs_stored_conversations(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = model(fake, use_previous_conversation=True, model_kwargs={"store": False})
    with pytest.raises(InvalidRequestError, match="store=False"):
        await invoke(llm, mode, "Hello")
    assert fake.total_requests == 0


async def test_nothing_new_to_send_is_an_error(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = model(fake, use_previous_conversation=True)
    first = await invoke(llm, mode, "Hello")
    with pytest.raises(InvalidRequestError, match="Nothing to send"):
        await invoke(llm, mode, [HumanMessage("Hello"), first])


# ------------------------------------------------------------------------------------------ structured output


class Winner(BaseModel):
    name: str
    year: int


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
async def test_structured_output_through_conversations(fake: FakeLowCodeAPI, mode: str, method: str) -> None:
    llm = model(fake, use_conversations_api=True).with_structured_output(Winner, method=method)  # type: ignore[arg-type]
    prompt = "Return JSON with keys name and year=2024 for the winner"
    winner = await invoke(llm, mode, prompt)
    assert isinstance(winner, Winner)
    [body] = conversation_bodies(fake)
    assert "parallel_tool_calls" not in body and "parallel_tool_calls" not in body.get("completion_args", {})
    if method == "json_schema":
        assert body["completion_args"]["response_format"]["type"] == "json_schema"
    if method == "function_calling":
        assert body["completion_args"] == {"tool_choice": "any"} and body["tools"][0]["function"]["name"] == "Winner"


# ------------------------------------------------------------------------------------------ content blocks


def test_the_translator_is_registered_for_our_provider() -> None:
    assert get_translator("mistral") is not None
    chat = AIMessage(
        content="Hi",
        tool_calls=[{"name": "f", "args": {"x": 1}, "id": "abcdefghi", "type": "tool_call"}],
        response_metadata={"model_provider": "mistral"},
    )
    assert chat.content_blocks == [
        {"type": "text", "text": "Hi"},
        {"type": "tool_call", "id": "abcdefghi", "name": "f", "args": {"x": 1}},
    ]
    unknown = AIMessage(
        content=[{"type": "thinking", "thinking": []}, "x"], response_metadata={"model_provider": "mistral"}
    )
    assert unknown.content_blocks == [
        {"type": "non_standard", "value": {"type": "thinking", "thinking": []}},
        {"type": "text", "text": "x"},
    ]
    chunk = AIMessageChunk(
        content=[],
        tool_call_chunks=[{"name": "f", "args": '{"x"', "id": "abcdefghi", "index": 0, "type": "tool_call_chunk"}],
        response_metadata={"model_provider": "mistral"},
    )
    assert chunk.content_blocks == [
        {"type": "tool_call_chunk", "id": "abcdefghi", "name": "f", "args": '{"x"', "index": 0}
    ]


async def test_content_blocks_of_conversation_replies_are_standard(fake: FakeLowCodeAPI, mode: str) -> None:
    message = await invoke(model(fake).bind_tools([WEB]), mode, QUESTION)
    blocks = message.content_blocks
    assert [b["type"] for b in blocks] == ["server_tool_call", "server_tool_result", "text"]
    assert blocks[2]["annotations"][0]["type"] == "citation"  # type: ignore[typeddict-item]


async def test_conversation_replies_go_back_through_chat_completions(fake: FakeLowCodeAPI) -> None:
    message = model(fake).bind_tools([WEB]).invoke(QUESTION)
    follow_up = model(fake).invoke([HumanMessage(QUESTION), message, HumanMessage("Thanks")])
    assert follow_up.text == "Echo: Thanks"
    chat = fake.requests[-1].json
    assert chat["messages"][1] == {"role": "assistant", "content": message.text}


# ------------------------------------------------------------------------------------------ failures


def _error_stream(request: httpx.Request) -> httpx.Response:
    reads = [  # three network reads: the reply starts, then fails
        b'event: conversation.response.started\ndata: {"type": "conversation.response.started", "conversation_id": "c1"}\n\n',
        b'event: message.output.delta\ndata: {"type": "message.output.delta", "id": "m", "content": "Partial"}\n\n',
        b'event: conversation.response.error\ndata: {"type": "conversation.response.error", "message": "tool failed", "code": 3000}\n\n',
    ]
    return httpx.Response(200, content=iter(reads), headers={"content-type": "text/event-stream"})


def test_an_error_event_in_a_stream_raises() -> None:
    client = httpx.Client(transport=httpx.MockTransport(_error_stream))
    llm = ChatMistralLCA(api_key=TOKEN, http_client=client).bind_tools([WEB])
    chunks: list[Any] = []
    with pytest.raises(ServerError, match="the stream reported an error: tool failed"):
        for chunk in llm.stream(QUESTION):
            chunks.append(chunk)
    assert [c.response_metadata.get("conversation_id") for c in chunks] == ["c1", None]
    assert chunks[1].text == "Partial"
