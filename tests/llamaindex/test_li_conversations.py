"""MistralLCA on the Conversations API (against the stand-in): built-in tools, citations, images, agents, state."""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator
from typing import Any

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ImageBlock, MessageRole, ThinkingBlock
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, ValidationError

from llamaindex_mistral_lca import MistralLCA
from mistral_lca import InvalidRequestError, MistralLCAClient
from mistral_lca.testing import FakeLowCodeAPI

TOKEN = "at_conversations_test"
WEB = {"type": "web_search"}
QUESTION = "Search the web: who won the 2024 Tour de France?"


def get_weather(city: str) -> str:
    """The current weather of a city."""
    return f"Sunny in {city}"


@pytest.fixture
def fake() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI() as server:
        yield server
        assert server.errors == [], server.errors


def make(fake: FakeLowCodeAPI, **kwargs: Any) -> MistralLCA:
    return MistralLCA(api_token=TOKEN, base_url=fake.base_url, model="mistral-medium-latest", **kwargs)


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


async def chat(llm: MistralLCA, mode: str, messages: list[ChatMessage], **kwargs: Any) -> ChatResponse:
    return llm.chat(messages, **kwargs) if mode == "sync" else await llm.achat(messages, **kwargs)


async def stream_chat(llm: MistralLCA, mode: str, messages: list[ChatMessage], **kwargs: Any) -> list[ChatResponse]:
    if mode == "sync":
        return list(llm.stream_chat(messages, **kwargs))
    return [r async for r in await llm.astream_chat(messages, **kwargs)]


def conversation_requests(fake: FakeLowCodeAPI) -> list[Any]:
    return [r for r in fake.requests if r.route and r.route.startswith("/v1/conversations")]


async def test_web_search_answer_with_sources(fake: FakeLowCodeAPI, mode: str) -> None:
    response = await chat(make(fake, built_in_tools=[WEB]), mode, [user(QUESTION)])
    text = response.message.content or ""
    assert text.startswith("The latest reports on who won the 2024 Tour de France")
    [run] = response.additional_kwargs["built_in_tool_calls"]
    assert run["type"] == "tool.execution" and run["name"] == "web_search" and run["info"] == {}
    first, second = response.additional_kwargs["annotations"]
    assert first["type"] == "citation" and first["url"] == "https://news.example.com/who-won-the-2024-tour-france"
    assert (first["tool"], first["source"]) == ("web_search", "brave")
    assert text[first["start_index"] : first["end_index"]] == text.split(". ")[0] + "."
    assert second["end_index"] == len(text)
    conversation = response.additional_kwargs["conversation_id"]
    assert response.message.additional_kwargs == {"conversation_id": conversation}
    assert response.additional_kwargs["total_tokens"] > 0
    assert isinstance(response.raw, dict) and response.raw["conversation_id"] == conversation
    [request] = conversation_requests(fake)
    assert request.json == {"inputs": QUESTION, "model": "mistral-medium-latest", "tools": [WEB]}


@pytest.mark.parametrize("options", [{}, {"stream_chunks": 2}, {"stream_buffered": True}])
async def test_a_stream_ends_as_the_chat_reply(mode: str, options: dict[str, Any]) -> None:
    with FakeLowCodeAPI(**options) as first, FakeLowCodeAPI(**options) as second:
        whole = await chat(make(first, built_in_tools=[WEB], reasoning_effort="low"), mode, [user(QUESTION)])
        pieces = await stream_chat(make(second, built_in_tools=[WEB], reasoning_effort="low"), mode, [user(QUESTION)])
    last = pieces[-1]
    assert last.message.blocks == whole.message.blocks
    assert isinstance(last.message.blocks[0], ThinkingBlock)
    assert "".join(p.delta or "" for p in pieces) == whole.message.content
    thinking = "".join(p.additional_kwargs.get("thinking_delta", "") for p in pieces)
    assert thinking == whole.message.blocks[0].content  # type: ignore[union-attr]
    for key in ("built_in_tool_calls", "annotations", "conversation_id", "total_tokens"):
        assert last.additional_kwargs[key] == whole.additional_kwargs[key], key
    assert last.raw["type"] == "conversation.response.done"  # type: ignore[index]


async def test_generated_images_are_image_blocks_with_bytes(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = make(fake, built_in_tools=[{"type": "image_generation"}])
    for response in (
        await chat(llm, mode, [user("Draw a picture of a lighthouse")]),
        (await stream_chat(llm, mode, [user("Draw a picture of a lighthouse")]))[-1],
    ):
        [image] = [b for b in response.message.blocks if isinstance(b, ImageBlock)]
        assert image.image_mimetype == "image/png"
        assert base64.b64decode(image.image or b"").startswith(b"\x89PNG")
        [file] = response.additional_kwargs["files"]
        assert file == {
            "file_id": file["file_id"],
            "file_name": "image_generated_0",
            "file_type": "png",
            "tool": "image_generation",
        }
    downloads = [r for r in fake.requests if r.route == "/v1/files/{file_id}/content"]
    assert len(downloads) == 2  # one per reply, not one per stream event


async def test_library_grounded_answer(fake: FakeLowCodeAPI, mode: str) -> None:
    client = MistralLCAClient(api_token=TOKEN, base_url=fake.base_url)
    library = client.libraries.create(name="Handbook")
    text = b"Remote work. Staff may work remotely two days a week. Equipment is provided by IT."
    client.libraries.documents.upload(library.id, file=text, filename="remote.md", content_type="text/markdown")
    llm = make(fake, built_in_tools=[{"type": "document_library", "library_ids": [library.id]}])
    response = await chat(llm, mode, [user("According to the handbook, how many days a week can staff work remotely?")])
    assert response.message.content == 'remote.md says: "Staff may work remotely two days a week."'
    [citation] = response.additional_kwargs["annotations"]
    assert (citation["title"], citation["tool"]) == ("remote.md", "document_library")


async def test_function_agent_round_trips_function_tools(fake: FakeLowCodeAPI) -> None:
    llm = make(fake, built_in_tools=[WEB])
    agent = FunctionAgent(tools=[FunctionTool.from_defaults(get_weather)], llm=llm, system_prompt="Be brief.")
    output = await agent.run("What is the weather in Paris?")
    assert str(output) == "Based on the tool results: Sunny in Paris"
    assert [call.tool_name for call in output.tool_calls] == ["get_weather"]
    first, second = conversation_requests(fake)
    assert first.json["instructions"] == "Be brief." and first.json["tools"][0] == WEB
    assert [entry["type"] for entry in second.json["inputs"]] == ["message.input", "function.call", "function.result"]
    searched = await agent.run("Search the web for the Tour de France winner")
    assert str(searched).startswith("The latest reports on the Tour de France winner")


async def test_tracking_the_previous_conversation_appends_only_new_messages(fake: FakeLowCodeAPI) -> None:
    llm = make(fake, built_in_tools=[WEB], track_previous_conversation=True)
    agent = FunctionAgent(tools=[FunctionTool.from_defaults(get_weather)], llm=llm, system_prompt="Be brief.")
    output = await agent.run("What is the weather in Paris?")
    assert str(output) == "Based on the tool results: Sunny in Paris"
    start, append = conversation_requests(fake)
    assert (start.route, append.route) == ("/v1/conversations", "/v1/conversations/{conversation_id}")
    assert llm.previous_conversation_id is not None
    assert append.params["conversation_id"] == llm.previous_conversation_id
    assert [entry["type"] for entry in append.json["inputs"]] == ["function.result"]


async def test_tracking_across_calls(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = make(fake, track_previous_conversation=True)
    assert llm.previous_conversation_id is None
    first = await chat(llm, mode, [user("Hello")])
    history = [user("Hello"), first.message, user("And again")]
    before = copy.deepcopy(history)
    pieces = await stream_chat(llm, mode, history)
    assert history == before
    assert pieces[-1].additional_kwargs["conversation_id"] == first.additional_kwargs["conversation_id"]
    await chat(llm, mode, [user("Only this")])
    bodies = [r.json for r in conversation_requests(fake)]
    assert bodies[1:] == [{"inputs": "And again", "stream": True}, {"inputs": "Only this"}]
    assert len(fake.state.conversations) == 1


async def test_conversation_id_per_call_and_stored_agents(fake: FakeLowCodeAPI, mode: str) -> None:
    agent = MistralLCAClient(api_token=TOKEN, base_url=fake.base_url).agents.create(
        model="mistral-medium-latest", name="A"
    )
    started = await chat(make(fake, agent_id=agent.id), mode, [user("Hi agent")])
    conversation = started.additional_kwargs["conversation_id"]
    await chat(make(fake), mode, [user("Hi agent"), started.message, user("More")], conversation_id=conversation)
    requests = conversation_requests(fake)
    assert requests[0].json == {"inputs": "Hi agent", "agent_id": agent.id}
    assert requests[1].json == {"inputs": "More"} and requests[1].params["conversation_id"] == conversation


async def test_complete_and_structured_output_through_conversations(fake: FakeLowCodeAPI, mode: str) -> None:
    class Winner(BaseModel):
        name: str
        year: int

    llm = make(fake, built_in_tools=[WEB])
    completion = llm.complete(QUESTION) if mode == "sync" else await llm.acomplete(QUESTION)
    assert completion.text.startswith("The latest reports")
    structured = make(fake, use_conversations_api=True, structured_output_method="json_schema")
    prompt = PromptTemplate("Give the winner of {year}")
    if mode == "sync":
        winner = structured.structured_predict(Winner, prompt, year="2024")
    else:
        winner = await structured.astructured_predict(Winner, prompt, year="2024")
    assert isinstance(winner, Winner)
    assert conversation_requests(fake)[-1].json["completion_args"]["response_format"]["type"] == "json_schema"


def test_bad_built_in_tools_fail_at_construction() -> None:
    with pytest.raises(ValidationError, match="library_ids"):
        MistralLCA(api_token=TOKEN, built_in_tools=[{"type": "document_library"}])
    with pytest.raises(ValidationError, match="not a Mistral built-in"):
        MistralLCA(api_token=TOKEN, built_in_tools=[{"type": "function", "function": {"name": "f"}}])


@pytest.mark.parametrize(
    ("settings", "kwargs"),
    [
        ({"built_in_tools": [WEB], "use_conversations_api": False}, {}),
        ({"agent_id": "ag_1", "use_conversations_api": False}, {}),
        ({"use_conversations_api": False}, {"conversation_id": "conv_1"}),
        ({"built_in_tools": [WEB]}, {"tool_choice": {"type": "function", "function": {"name": "get_weather"}}}),
        ({"built_in_tools": [WEB], "additional_kwargs": {"prompt_mode": "reasoning"}}, {}),
    ],
)
async def test_what_conversations_cannot_serve_fails_before_sending(
    fake: FakeLowCodeAPI, mode: str, settings: dict[str, Any], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(InvalidRequestError):
        await chat(make(fake, **settings), mode, [user("Hello")], **kwargs)
    assert fake.total_requests == 0


async def test_chat_completions_stay_the_default(fake: FakeLowCodeAPI, mode: str) -> None:
    llm = make(fake)
    await chat(llm, mode, [user("Hello")])
    tool = FunctionTool.from_defaults(get_weather)
    if mode == "sync":
        llm.chat_with_tools([tool], user_msg="Weather in Paris?")
    else:
        await llm.achat_with_tools([tool], user_msg="Weather in Paris?")
    assert [r.route for r in fake.requests] == ["/v1/chat/completions"] * 2
