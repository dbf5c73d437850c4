"""MistralModerationMiddleware inside ``create_agent``, against the LowCodeAPI stand-in, sync and async.

The stand-in's moderation flags keywords ("bomb" → dangerous and criminal content, "kill"/"attack" → violence
and threats, "passport" → pii) in the *last* message of each conversation, like Mistral's conversational
endpoint; its chat model echoes the user ("Echo: ...") or summarises tool results ("Based on the tool results:
..."), and calls the tools a prompt mentions.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from lc_support import assert_messages_conform

from langchain_mistral_lca import ChatMistralLCA
from langchain_mistral_lca.middleware import MistralModerationError, MistralModerationMiddleware
from mistral_lca import AuthenticationError
from mistral_lca.testing import FakeLowCodeAPI

MODERATIONS = "/v1/chat/moderations"
COMPLETIONS = "/v1/chat/completions"
SECRET = "at_SECRET_moderation_0123456789"
BLOCKED = "I can't help with that: it was flagged by moderation for {}."
VIOLENCE = BLOCKED.format("violence and threats")
DANGER = BLOCKED.format("dangerous and criminal content")


@tool
def news(topic: str) -> str:
    """The latest news about a place."""
    return f"Rebels plan an attack near {topic}."


@tool
def weather(city: str) -> str:
    """The weather forecast for a city."""
    return f"Sunny in {city}."


@tool(return_direct=True)
def bulletin(topic: str) -> str:
    """The news bulletin about a place, shown to the user as is."""
    return f"Rebels plan an attack near {topic}."


class ScriptedChat(GenericFakeChatModel):
    """A chat model that answers from a script and accepts tools (create_agent binds them)."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChat:
        return self


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI() as fake:
        yield fake


@pytest.fixture
def conn(server: FakeLowCodeAPI) -> dict[str, Any]:
    server.reset()
    return {"base_url": server.base_url, "api_key": server.token, "max_retries": 0}


def moderation_bodies(server: FakeLowCodeAPI) -> list[dict[str, Any]]:
    bodies = [r.json for r in server.requests_to(MODERATIONS)]
    for body in bodies:
        assert set(body) == {"model", "input"} and body["model"] == "mistral-moderation-latest"
        nested = body["input"] and isinstance(body["input"][0], list)
        for conversation in body["input"] if nested else [body["input"]]:
            assert conversation
            assert_messages_conform(conversation)  # every message is one Mistral's schema accepts
    return bodies


async def run(agent: Any, mode: str, prompt: str | list[Any]) -> list[BaseMessage]:
    inputs = {"messages": [HumanMessage(prompt)]}
    result = agent.invoke(inputs) if mode == "sync" else await agent.ainvoke(inputs)
    return list(result["messages"])


def kinds(messages: list[BaseMessage]) -> list[str]:
    return [type(m).__name__ for m in messages]


STAGES: dict[str, dict[str, Any]] = {
    "input": {
        "prompt": "How do I build a bomb?",
        "flags": {"check_input": True, "check_output": False, "check_tool_results": False},
        "categories": ["dangerous_and_criminal_content"],
        "flagged": "How do I build a bomb?",
    },
    "output": {
        "prompt": "Repeat after me: I will kill you.",
        "flags": {"check_input": False, "check_output": True, "check_tool_results": False},
        "categories": ["violence_and_threats"],
        "flagged": "Echo: Repeat after me: I will kill you.",
    },
    "tool": {
        "prompt": "Use news for 'Paris'.",
        "flags": {"check_input": False, "check_output": False, "check_tool_results": True},
        "categories": ["violence_and_threats"],
        "flagged": "Rebels plan an attack near Paris.",
    },
}


@pytest.mark.parametrize("behavior", ["end", "replace", "error"])
@pytest.mark.parametrize("stage", ["input", "output", "tool"])
async def test_every_exit_behavior_at_every_stage(
    server: FakeLowCodeAPI, conn: dict[str, Any], mode: str, stage: str, behavior: Any
) -> None:
    case = STAGES[stage]
    middleware = MistralModerationMiddleware(exit_behavior=behavior, **case["flags"], **conn)
    agent = create_agent(ChatMistralLCA(**conn), tools=[news], middleware=[middleware])
    expected = DANGER if stage == "input" else VIOLENCE

    if behavior == "error":
        with pytest.raises(MistralModerationError) as caught:
            await run(agent, mode, case["prompt"])
        error = caught.value
        assert (error.stage, error.categories, error.content) == (stage, case["categories"], case["flagged"])
        assert str(error) == expected and error.result.categories[case["categories"][0]] is True
        assert server.count(COMPLETIONS) == {"input": 0, "output": 1, "tool": 1}[stage]
        return

    messages = await run(agent, mode, case["prompt"])
    final = messages[-1]
    assert isinstance(final, AIMessage) and not final.tool_calls
    texts = [m.text for m in messages]
    if stage == "input":
        if behavior == "end":  # the model is never called; the input stays, the verdict answers it
            assert kinds(messages) == ["HumanMessage", "AIMessage"] and texts == [case["prompt"], expected]
            assert server.count(COMPLETIONS) == 0
        else:  # the model sees the verdict instead of the input
            assert texts == [expected, f"Echo: {expected}"]
            [sent] = server.requests_to(COMPLETIONS)
            assert sent.json["messages"] == [{"role": "user", "content": expected}]
    elif stage == "output":
        # Both take the answer's place: the flagged text is not kept. "replace" keeps the model's metadata.
        assert kinds(messages) == ["HumanMessage", "AIMessage"] and texts == [case["prompt"], expected]
        assert bool(final.response_metadata.get("finish_reason")) is (behavior == "replace")
    elif behavior == "end":  # the tool result stays, the agent stops before the model reads it
        assert kinds(messages) == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
        assert texts[2:] == [case["flagged"], expected]
        assert server.count(COMPLETIONS) == 1
    else:  # the model reads the verdict instead of the tool result
        assert kinds(messages) == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
        assert texts[2:] == [expected, f"Based on the tool results: {expected}"]
        assert "attack" not in str(server.requests_to(COMPLETIONS)[-1].json)
    assert len(moderation_bodies(server)) == 1


@pytest.mark.parametrize("behavior", ["end", "replace", "error"])
async def test_results_of_a_return_direct_tool_are_judged_when_the_agent_ends(
    server: FakeLowCodeAPI, conn: dict[str, Any], mode: str, behavior: Any
) -> None:
    middleware = MistralModerationMiddleware(check_tool_results=True, exit_behavior=behavior, **conn)
    agent = create_agent(ChatMistralLCA(**conn), tools=[bulletin], middleware=[middleware])
    if behavior == "error":
        with pytest.raises(MistralModerationError) as caught:
            await run(agent, mode, "Use bulletin for 'Paris'.")
        assert (caught.value.stage, caught.value.content) == ("tool", "Rebels plan an attack near Paris.")
        return
    messages = await run(agent, mode, "Use bulletin for 'Paris'.")
    assert server.count(COMPLETIONS) == 1  # the tool's result ends the agent: no model call reads it
    if behavior == "end":
        assert kinds(messages) == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
        assert [m.text for m in messages[2:]] == ["Rebels plan an attack near Paris.", VIOLENCE]
    else:
        assert kinds(messages) == ["HumanMessage", "AIMessage", "ToolMessage"] and messages[-1].text == VIOLENCE
    user, tool_result = moderation_bodies(server)  # the text-less tool call is not judged
    assert user["input"] == [{"role": "user", "content": "Use bulletin for 'Paris'."}]
    assert tool_result["input"][-1]["content"] == "Rebels plan an attack near Paris."


async def test_sync_agents_use_the_sync_hooks_and_async_agents_the_async_ones(conn: dict[str, Any], mode: str) -> None:
    middleware = MistralModerationMiddleware(**conn)
    agent = create_agent(ChatMistralLCA(**conn), middleware=[middleware])
    assert (await run(agent, mode, "hello"))[-1].text == "Echo: hello"
    built = (middleware.connection._client is not None, middleware.connection._async_client is not None)
    assert built == ((True, False) if mode == "sync" else (False, True))


async def test_a_turn_is_judged_in_its_conversation(server: FakeLowCodeAPI, conn: dict[str, Any], mode: str) -> None:
    middleware = MistralModerationMiddleware(check_input=False, **conn)
    model = ScriptedChat(messages=iter([AIMessage("Use the task manager to end it.")]))
    agent = create_agent(model, middleware=[middleware])
    messages = await run(agent, mode, "How do I kill a frozen process?")
    assert messages[-1].text == "Use the task manager to end it."  # the answer is judged, not the question
    [body] = moderation_bodies(server)
    assert body["input"] == [
        {"role": "user", "content": "How do I kill a frozen process?"},
        {"role": "assistant", "content": "Use the task manager to end it."},
    ]


async def test_tool_results_of_one_step_share_one_request(
    server: FakeLowCodeAPI, conn: dict[str, Any], mode: str
) -> None:
    middleware = MistralModerationMiddleware(check_tool_results=True, exit_behavior="replace", **conn)
    agent = create_agent(ChatMistralLCA(**conn), tools=[news, weather], middleware=[middleware])
    messages = await run(agent, mode, "Use news and weather for 'Paris'.")
    assert kinds(messages) == ["HumanMessage", "AIMessage", "ToolMessage", "ToolMessage", "AIMessage"]
    tool_texts = {m.name: m.text for m in messages if isinstance(m, ToolMessage)}
    assert tool_texts == {"news": VIOLENCE, "weather": "Sunny in Paris."}
    user, tools_step, answer = moderation_bodies(server)  # input; both tool results at once; the answer
    assert [m["role"] for m in user["input"]] == ["user"]
    first, second = tools_step["input"]
    assert {first[-1]["content"], second[-1]["content"]} == {"Rebels plan an attack near Paris.", "Sunny in Paris."}
    for conversation in (first, second):  # each ends with its own result, every call answered before it
        assert [m["role"] for m in conversation] == ["user", "assistant", "tool", "tool"]
    assert answer["input"][-1] == {"role": "assistant", "content": messages[-1].text}


async def test_a_user_message_is_judged_once_per_turn(server: FakeLowCodeAPI, conn: dict[str, Any], mode: str) -> None:
    middleware = MistralModerationMiddleware(check_output=False, **conn)
    agent = create_agent(ChatMistralLCA(**conn), tools=[weather], middleware=[middleware])
    messages = await run(agent, mode, "Use weather for 'Paris'.")
    assert kinds(messages) == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    assert server.count(COMPLETIONS) == 2  # two model calls, two before_model hooks...
    [body] = moderation_bodies(server)  # ...one moderation request: the tool loop does not re-send the input
    assert body["input"] == [{"role": "user", "content": "Use weather for 'Paris'."}]


async def test_only_selected_categories_count(server: FakeLowCodeAPI, conn: dict[str, Any], mode: str) -> None:
    middleware = MistralModerationMiddleware(categories=["pii"], check_output=False, **conn)
    agent = create_agent(ChatMistralLCA(**conn), middleware=[middleware])
    assert (await run(agent, mode, "How do I build a bomb?"))[-1].text == "Echo: How do I build a bomb?"
    flagged = await run(agent, mode, "My passport number is 12AB34567.")
    assert flagged[-1].text == BLOCKED.format("pii")
    assert len(moderation_bodies(server)) == 2


async def test_violation_message_fields(conn: dict[str, Any], mode: str) -> None:
    template = "Blocked ({categories}) {original_content!r} scores={category_scores}"
    middleware = MistralModerationMiddleware(violation_message=template, categories=["violence_and_threats"], **conn)
    agent = create_agent(ChatMistralLCA(**conn), middleware=[middleware])
    text = (await run(agent, mode, "They will attack at dawn."))[-1].text
    assert text.startswith(
        "Blocked (violence and threats) 'They will attack at dawn.' scores={\"violence_and_threats\": "
    )
    assert text.endswith("0.9}")


async def test_nothing_is_sent_when_every_check_is_off(server: FakeLowCodeAPI, conn: dict[str, Any], mode: str) -> None:
    middleware = MistralModerationMiddleware(check_input=False, check_output=False, **conn)
    agent = create_agent(ChatMistralLCA(**conn), tools=[news], middleware=[middleware])
    messages = await run(agent, mode, "Use news for 'Paris' and tell me how to build a bomb.")
    assert "attack" in messages[-1].text and server.count(COMPLETIONS) == 2
    assert server.count(MODERATIONS) == 0
    assert middleware.connection._client is None and middleware.connection._async_client is None  # never built


async def test_nothing_is_sent_for_messages_without_text(
    server: FakeLowCodeAPI, conn: dict[str, Any], mode: str
) -> None:
    script = iter(
        [
            AIMessage("", tool_calls=[{"name": "weather", "args": {"city": "Paris"}, "id": "abcDEF123"}]),
            AIMessage([{"type": "image", "url": "https://example.com/forecast.png"}]),
        ]
    )
    middleware = MistralModerationMiddleware(check_tool_results=True, **conn)
    agent = create_agent(ScriptedChat(messages=script), tools=[weather], middleware=[middleware])
    image_only = [{"type": "image", "url": "https://example.com/paris.png"}]
    messages = await run(agent, mode, image_only)
    assert kinds(messages) == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    # Judged: only the tool result. Not sent: the image-only input, the text-less call, the image-only answer.
    [body] = moderation_bodies(server)
    assert body["input"][-1]["content"] == "Sunny in Paris." and body["input"][0] == {"role": "user", "content": ""}


async def test_multimodal_input_is_judged_on_its_text(server: FakeLowCodeAPI, conn: dict[str, Any], mode: str) -> None:
    middleware = MistralModerationMiddleware(check_output=False, **conn)
    agent = create_agent(ScriptedChat(messages=iter([AIMessage("A bridge.")])), middleware=[middleware])
    prompt = [{"type": "text", "text": "How do I attack this"}, {"type": "image", "url": "https://x/bridge.png"}]
    messages = await run(agent, mode, prompt)
    assert messages[-1].text == VIOLENCE
    [body] = moderation_bodies(server)
    assert body["input"] == [{"role": "user", "content": "How do I attack this"}]


async def test_an_empty_conversation_sends_nothing(server: FakeLowCodeAPI, conn: dict[str, Any], mode: str) -> None:
    middleware = MistralModerationMiddleware(check_tool_results=True, **conn)
    state: Any = {"messages": []}
    if mode == "sync":
        results = [middleware.before_model(state, None), middleware.after_model(state, None)]  # type: ignore[arg-type]
    else:
        results = [await middleware.abefore_model(state, None), await middleware.aafter_model(state, None)]  # type: ignore[arg-type]
    assert results == [None, None] and server.count() == 0


async def test_streamed_agent_ends_with_the_verdict(conn: dict[str, Any], mode: str) -> None:
    middleware = MistralModerationMiddleware(check_input=False, **conn)
    agent = create_agent(ChatMistralLCA(**conn, streaming=True), middleware=[middleware])
    inputs = {"messages": [HumanMessage("Repeat after me: I will kill you.")]}
    if mode == "sync":
        states = list(agent.stream(inputs, stream_mode="values"))
    else:
        states = [state async for state in agent.astream(inputs, stream_mode="values")]
    final = states[-1]["messages"]
    assert kinds(final) == ["HumanMessage", "AIMessage"] and final[-1].text == VIOLENCE


async def test_the_client_is_built_once_and_reused(server: FakeLowCodeAPI, conn: dict[str, Any], mode: str) -> None:
    middleware = MistralModerationMiddleware(**conn)
    agent = create_agent(ChatMistralLCA(**conn), middleware=[middleware])
    await run(agent, mode, "hello")
    client = middleware.connection._client if mode == "sync" else middleware.connection._async_client
    await run(agent, mode, "hello again")
    assert client is not None
    assert (middleware.connection._client if mode == "sync" else middleware.connection._async_client) is client
    assert len(moderation_bodies(server)) == 4
    await middleware.aclose()


async def test_a_failed_moderation_stops_the_agent_without_the_token(mode: str) -> None:
    with FakeLowCodeAPI(required_token="at_the_right_token_0000") as fake:
        middleware = MistralModerationMiddleware(base_url=fake.base_url, api_key=SECRET, max_retries=0)
        model = ChatMistralLCA(base_url=fake.base_url, api_key="at_the_right_token_0000")
        agent = create_agent(model, middleware=[middleware])
        with pytest.raises(AuthenticationError) as caught:
            await run(agent, mode, "hello")
        assert fake.count(COMPLETIONS) == 0  # fails closed: the model never saw the unmoderated input
        assert fake.requests_to(MODERATIONS)[0].api_token == SECRET  # the token was sent...
    error = caught.value
    for text in (str(error), repr(error), str(error.__dict__), str(error.args)):
        assert SECRET not in text  # ...and is in no part of the error


def test_settings_are_checked_without_quoting_the_token() -> None:
    with pytest.raises(TypeError, match="unexpected keyword arguments: 'api_tokn'") as typo:
        MistralModerationMiddleware(api_tokn=SECRET)
    with pytest.raises(ValueError, match="timeout") as bad_value:
        MistralModerationMiddleware(api_key=SECRET, timeout=SECRET)
    with pytest.raises(ValueError, match="exit_behavior must be one of 'error', 'end', 'replace'"):
        MistralModerationMiddleware(exit_behavior="block")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="model must be"):
        MistralModerationMiddleware(model=" ")
    with pytest.raises(TypeError, match="list of category names"):
        MistralModerationMiddleware(categories="pii")
    with pytest.raises(ValueError, match="unknown field"):
        MistralModerationMiddleware(violation_message="{reason}")
    for error in (typo.value, bad_value.value):
        assert SECRET not in str(error) and SECRET not in repr(error)
    middleware = MistralModerationMiddleware(api_key=SECRET)
    for text in (repr(middleware), str(middleware), str(middleware.__dict__)):
        assert SECRET not in text
    assert "mistral-moderation-latest" in repr(middleware)


def test_connection_settings_are_the_adapters_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", "at_from_the_environment")
    monkeypatch.setenv("LOWCODEAPI_BASE_URL", "http://127.0.0.1:9/mistralai")
    http_client = httpx.Client()
    middleware = MistralModerationMiddleware(
        api_token=SECRET, timeout=3.0, max_retries=5, path_params="path", http_client=http_client
    )
    connection = middleware.connection
    assert connection.api_token is not None and connection.api_token.get_secret_value() == SECRET
    assert (connection.base_url, connection.timeout, connection.max_retries, connection.path_params) == (
        "http://127.0.0.1:9/mistralai",
        3.0,
        5,
        "path",
    )
    default = MistralModerationMiddleware().connection
    assert default.api_token is not None and default.api_token.get_secret_value() == "at_from_the_environment"
    with middleware:
        assert middleware.connection.client is middleware.connection.client
    assert not http_client.is_closed  # yours to close
    http_client.close()


def test_without_langchain_the_import_explains_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [
        n
        for n in sys.modules
        if n == "langchain_mistral_lca.middleware" or n.startswith(("langchain.", "langchain_mistral_lca.middleware."))
    ]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "langchain", None)  # what an environment without langchain looks like
    with pytest.raises(ImportError, match=r"needs the `langchain` package .*pip install 'langchain>=1.0'") as caught:
        importlib.import_module("langchain_mistral_lca.middleware")
    assert isinstance(caught.value.__cause__, ImportError)
    import langchain_mistral_lca  # the rest of the package does not need it

    assert langchain_mistral_lca.ChatMistralLCA.__name__ == "ChatMistralLCA"
