"""The stand-in's built-in tools in conversations: entries, chunks and events shaped like the official spec."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fake_support import MODEL, result

from mistral_lca import MistralLCAClient
from mistral_lca.testing import FakeLowCodeAPI
from mistral_lca.testing.fake.builtin_tools import tiny_png

CONVERSATIONS = "/v1/conversations"
# Property names of the official schemas (additionalProperties: false). ``source`` on tool_reference chunks is
# what the real API sends besides its spec.
ENTRY_KEYS = {
    "tool.execution": {"object", "type", "created_at", "completed_at", "agent_id", "model", "id", "name", "arguments", "info"},
    "message.output": {"object", "type", "created_at", "completed_at", "agent_id", "model", "id", "role", "content"},
    "function.call": {
        "object", "type", "created_at", "completed_at", "agent_id", "model", "id", "tool_call_id", "name", "arguments",
        "confirmation_status",
    },
}  # fmt: skip
CHUNK_KEYS = {
    "text": {"type", "text"},
    "tool_reference": {"type", "tool", "title", "url", "favicon", "description", "source"},
    "tool_file": {"type", "tool", "file_id", "file_name", "file_type"},
    "thinking": {"type", "thinking", "signature", "closed"},
}
EVENT_KEYS = {
    "conversation.response.started": {"type", "created_at", "conversation_id"},
    "conversation.response.done": {"type", "created_at", "usage"},
    "tool.execution.started": {"type", "created_at", "output_index", "id", "model", "agent_id", "name", "arguments"},
    "tool.execution.done": {"type", "created_at", "output_index", "id", "name", "info"},
    "message.output.delta": {"type", "created_at", "output_index", "id", "content_index", "model", "agent_id", "role", "content"},
    "function.call.delta": {
        "type", "created_at", "output_index", "id", "model", "agent_id", "name", "tool_call_id", "arguments",
        "confirmation_status",
    },
}  # fmt: skip


def start(http: httpx.Client, fake: FakeLowCodeAPI, text: str, tools: list[dict[str, Any]], **extra: Any) -> Any:
    return result(http.post(fake.url(CONVERSATIONS), json={"model": MODEL, "inputs": text, "tools": tools, **extra}))


def assert_spec_shapes(outputs: list[dict[str, Any]]) -> None:
    for entry in outputs:
        assert set(entry) <= ENTRY_KEYS[entry["type"]], entry
        content = entry.get("content")
        for chunk in content if isinstance(content, list) else ():
            assert set(chunk) <= CHUNK_KEYS[chunk["type"]], chunk
        if entry["type"] == "tool.execution":
            assert isinstance(entry["arguments"], str) and isinstance(entry["info"], dict)


def sse_events(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_web_search_runs_and_cites_fixed_sources(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    answer = start(http, fake, "Search the web: who won the 2024 Tour de France?", [{"type": "web_search"}])
    tool, message = answer["outputs"]
    assert_spec_shapes(answer["outputs"])
    assert tool["type"] == "tool.execution" and tool["name"] == "web_search"
    assert json.loads(tool["arguments"]) == {"query": "Search the web: who won the 2024 Tour de France?"}
    kinds = [chunk["type"] for chunk in message["content"]]
    assert kinds == ["text", "tool_reference", "text", "tool_reference"]
    first = message["content"][1]
    assert first["url"] == "https://news.example.com/who-won-the-2024-tour-france"
    assert first["title"] == "Who won the 2024 Tour de France - News Example" and first["source"] == "brave"
    assert answer["usage"]["connectors"] == {"web_search": 1}
    again = start(http, fake, "Search the web: who won the 2024 Tour de France?", [{"type": "web_search_premium"}])
    assert again["outputs"][1]["content"][1]["url"] == first["url"]  # deterministic
    assert again["outputs"][1]["content"][1]["tool"] == "web_search_premium"


def test_a_built_in_runs_only_when_asked_for_or_required(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    plain = start(http, fake, "Say hello", [{"type": "web_search"}])
    assert [e["type"] for e in plain["outputs"]] == ["message.output"]
    assert plain["usage"]["connectors"] is None
    forced = start(http, fake, "Say hello", [{"type": "web_search"}], completion_args={"tool_choice": "any"})
    assert [e["type"] for e in forced["outputs"]] == ["tool.execution", "message.output"]
    none = start(http, fake, "Search the web", [{"type": "web_search"}], completion_args={"tool_choice": "none"})
    assert [e["type"] for e in none["outputs"]] == ["message.output"]


def test_function_tools_come_first(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    answer = start(http, fake, "Search the web for the weather in Paris", [{"type": "web_search"}, weather])
    assert [e["type"] for e in answer["outputs"]] == ["function.call"]
    assert_spec_shapes(answer["outputs"])
    conv = answer["conversation_id"]
    call = answer["outputs"][0]
    result_entry = {"type": "function.result", "tool_call_id": call["tool_call_id"], "result": "Sunny"}
    final = result(http.post(fake.url(f"{CONVERSATIONS}/{conv}"), json={"inputs": [result_entry]}))
    assert [e["type"] for e in final["outputs"]] == ["message.output"]  # tool results never trigger a search
    assert final["outputs"][0]["content"] == "Based on the tool results: Sunny"


def test_document_library_quotes_the_documents_of_the_library(fake: FakeLowCodeAPI) -> None:
    client = MistralLCAClient(api_token="at_fake_token", base_url=fake.base_url)
    library = client.libraries.create(name="Handbook")
    other = client.libraries.create(name="Other")
    policy = b"Travel policy. Trains are booked in second class. Meals are refunded up to 30 euros per day."
    client.libraries.documents.upload(library.id, file=policy, filename="travel.md", content_type="text/markdown")
    moon = b"Meals are free at the moon base."
    client.libraries.documents.upload(other.id, file=moon, filename="moon.md", content_type="text/markdown")
    answer = client.conversations.start(
        model=MODEL,
        inputs="What does the handbook say about meals?",
        tools=[{"type": "document_library", "library_ids": [library.id]}],
    )
    tool, message = answer.outputs
    assert tool.type == "tool.execution" and tool.name == "document_library"
    assert tool.info == {"library_ids": [library.id], "documents": 1}
    text, reference = message.content  # type: ignore[misc,union-attr]
    assert text.text == 'travel.md says: "Meals are refunded up to 30 euros per day."'
    assert (reference.type, reference.tool, reference.title) == ("tool_reference", "document_library", "travel.md")
    empty = client.conversations.start(
        model=MODEL,
        inputs="Anything in the library about rockets?",
        tools=[{"type": "document_library", "library_ids": [library.id]}],
    )
    assert empty.output_text == "I found nothing about that in the library."


def test_code_interpreter_evaluates_arithmetic(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    answer = start(http, fake, "Run code to compute (17 + 25) * 3", [{"type": "code_interpreter"}])
    tool, message = answer["outputs"]
    assert tool["info"] == {"code": "print((17 + 25) * 3)", "code_output": "126\n"}
    assert message["content"] == [{"type": "text", "text": "I ran the code; it printed 126."}]
    plain = start(http, fake, "Run some code please", [{"type": "code_interpreter"}])
    assert plain["outputs"][0]["info"]["code_output"] == "done\n"


def test_image_generation_returns_a_downloadable_file(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    answer = start(http, fake, "Draw a picture of a lighthouse", [{"type": "image_generation"}])
    assert_spec_shapes(answer["outputs"])
    file_chunk = answer["outputs"][1]["content"][1]
    assert file_chunk["type"] == "tool_file" and file_chunk["file_type"] == "png"
    image = http.get(fake.url(f"/v1/files/{file_chunk['file_id']}/content"))
    assert image.content == tiny_png() and image.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_streamed_built_in_turn_events_match_the_spec(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    body = {"model": MODEL, "inputs": "Search the web: tides", "tools": [{"type": "web_search"}], "stream": True}
    response = http.post(fake.url(CONVERSATIONS), json=body)
    events = sse_events(response.text)
    for name, data in events:
        assert data["type"] == name and set(data) <= EVENT_KEYS[name], data
    names = [name for name, _ in events]
    assert names[:3] == ["conversation.response.started", "tool.execution.started", "tool.execution.done"]
    assert names[-1] == "conversation.response.done"
    contents = [data["content"] for name, data in events if name == "message.output.delta"]
    references = [c for c in contents if isinstance(c, dict)]
    assert [c["type"] for c in references] == ["tool_reference", "tool_reference"]  # one chunk object per event
    assert all(isinstance(c, str) for c in contents if not isinstance(c, dict))
    indexes = [data["content_index"] for name, data in events if name == "message.output.delta"]
    assert indexes == sorted(indexes) and set(indexes) == {0, 1, 2, 3}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"model": MODEL, "inputs": "x", "safe_prompt": True}, ["body", "safe_prompt"]),
        ({"model": MODEL, "inputs": "x", "completion_args": {"parallel_tool_calls": False}}, ["body", "completion_args", "parallel_tool_calls"]),
        ({"model": MODEL, "inputs": "x", "completion_args": {"tool_choice": "weather"}}, ["body", "completion_args", "tool_choice"]),
        ({"model": MODEL, "inputs": "x", "tools": [{"type": "web_browse"}]}, ["body", "tools", 0]),
        ({"model": MODEL, "inputs": "x", "tools": [{"type": "document_library"}]}, ["body", "tools", 0, "document_library", "library_ids"]),
    ],
)  # fmt: skip
def test_bodies_the_real_api_rejects_get_422(
    fake: FakeLowCodeAPI, http: httpx.Client, body: dict[str, Any], loc: list[Any]
) -> None:
    response = http.post(fake.url(CONVERSATIONS), json=body)
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["error"]["detail"]] == [loc]


def test_append_takes_no_start_settings(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    conv = start(http, fake, "hello", [])["conversation_id"]
    response = http.post(fake.url(f"{CONVERSATIONS}/{conv}"), json={"inputs": "more", "tools": []})
    assert response.status_code == 422
    assert response.json()["error"]["detail"][0]["loc"] == ["body", "tools"]
