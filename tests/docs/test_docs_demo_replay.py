"""The demo's replay transport and recorder: matching rules, sync/async, loud misses; recordings up to date."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mistral_lca import MistralLCAClient
from mistral_lca.demo._pdf import EXPENSE_CLAIM, write_pdf
from mistral_lca.demo._replay import Interaction, ReplayMissError, ReplayTransport, dump_recording, load_interactions
from mistral_lca.demo.data import expense_claim_pdf, handbook

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT / "mistral_lca" / "demo" / "recordings"
URL = "https://api.lowcodeapi.com/mistralai/v1/chat/completions"


def _interaction(body: dict[str, object], reply: str, *, query: list[list[str]] | None = None) -> Interaction:
    result = {
        "id": "x",
        "object": "chat.completion",
        "model": "m",
        "created": 1,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    envelope = {"message": "Request completed", "provider": "mistralai", "result": result, "response_headers": {}}
    return Interaction("POST", URL, query or [], body, 200, "application/json; charset=utf-8", envelope)


BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def _client(transport: ReplayTransport) -> MistralLCAClient:
    return MistralLCAClient(api_token="at_whatever_token", max_retries=0, http_client=httpx.Client(transport=transport))


def test_matches_json_as_data_ignoring_the_token_and_key_order() -> None:
    transport = ReplayTransport([_interaction(BODY, "hello")])
    with _client(transport) as client:
        reply = client.chat.complete(messages=[{"role": "user", "content": "hi"}], model="m")  # other key order
    assert reply.choices[0].message.content == "hello"
    assert transport.served == 1


def test_any_base_url_prefix_matches_the_v1_path() -> None:
    transport = ReplayTransport([_interaction(BODY, "hello")])
    client = MistralLCAClient(
        api_token="at_whatever_token",
        base_url="http://proxy.invalid/some/prefix",
        max_retries=0,
        http_client=httpx.Client(transport=transport),
    )
    assert client.chat.complete(**BODY).choices[0].message.content == "hello"  # type: ignore[arg-type]


def test_identical_requests_are_answered_in_order_then_the_last_repeats() -> None:
    transport = ReplayTransport([_interaction(BODY, "one"), _interaction(BODY, "two")])
    with _client(transport) as client:
        answers = [client.chat.complete(**BODY).choices[0].message.content for _ in range(3)]  # type: ignore[arg-type]
    assert answers == ["one", "two", "two"]


def test_a_miss_fails_loudly_without_retrying() -> None:
    transport = ReplayTransport([_interaction(BODY, "hello")], source="recordings/x.json")
    client = MistralLCAClient(
        api_token="at_whatever_token", max_retries=5, http_client=httpx.Client(transport=transport)
    )
    with pytest.raises(ReplayMissError) as info:
        client.chat.complete(model="m", messages=[{"role": "user", "content": "something else"}])
    message = str(info.value)
    assert "POST /v1/chat/completions" in message and "recordings/x.json" in message
    assert "python -m mistral_lca.demo.record" in message
    assert transport.served == 0


def test_query_parameters_other_than_the_token_must_match() -> None:
    item = Interaction(
        "GET",
        "https://api.lowcodeapi.com/mistralai/v1/models",
        [["page", "1"]],
        None,
        200,
        "application/json",
        {"result": {"data": []}, "provider": "mistralai"},
    )
    transport = ReplayTransport([item])
    with httpx.Client(transport=transport) as http:
        assert http.get("https://x.invalid/mistralai/v1/models?page=1&api_token=at_one").status_code == 200
        assert http.get("https://x.invalid/mistralai/v1/models?api_token=at_two&page=1").status_code == 200
        with pytest.raises(ReplayMissError):
            http.get("https://x.invalid/mistralai/v1/models?page=2&api_token=at_one")


async def test_async_clients_replay_too() -> None:
    from mistral_lca import AsyncMistralLCAClient

    transport = ReplayTransport([_interaction(BODY, "hello")])
    async with AsyncMistralLCAClient(
        api_token="at_whatever_token", max_retries=0, http_client=httpx.AsyncClient(transport=transport)
    ) as client:
        reply = await client.chat.complete(**BODY)  # type: ignore[arg-type]
    assert reply.choices[0].message.content == "hello"


def test_event_streams_replay_as_text() -> None:
    stream_body = dict(BODY, stream=True)
    chunk = {"id": "x", "model": "m", "choices": [{"index": 0, "delta": {"content": "hey"}, "finish_reason": "stop"}]}
    text = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n"
    item = Interaction("POST", URL, [], stream_body, 200, "text/event-stream; charset=utf-8", text)
    with _client(ReplayTransport([item])) as client:
        events = list(client.chat.stream(**BODY))  # type: ignore[arg-type]
    assert [e.data.choices[0].delta.content for e in events] == ["hey"]


def test_recording_files_round_trip() -> None:
    items = [_interaction(BODY, "hello"), _interaction(dict(BODY, model="n"), "bye", query=[["a", "b"]])]
    text = dump_recording({"step": "t", "recorded_against": "stand-in"}, items)
    assert load_interactions(json.loads(text)) == items
    with pytest.raises(ValueError, match="format"):
        load_interactions({"format": 99, "interactions": []})


def test_no_recording_holds_a_token_or_a_local_address() -> None:
    for path in sorted(RECORDINGS.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert "api_token" not in text, path.name
        assert "at_fake_token" not in text and "127.0.0.1" not in text, path.name
        for item in load_interactions(json.loads(text)):
            assert item.url.startswith("https://api.lowcodeapi.com/mistralai/v1/"), item.url


def test_bundled_data() -> None:
    names = [doc.source for doc in handbook()]
    assert names == sorted(names) and 4 <= len(names) <= 6
    assert all(doc.title and doc.text for doc in handbook())
    pdf = expense_claim_pdf()
    assert pdf == write_pdf(EXPENSE_CLAIM)  # the shipped PDF is what the writer produces
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"/Type /Page ") == 2


def test_shipped_recordings_match_a_fresh_recording(tmp_path: Path) -> None:
    """Changing a step without re-recording fails here (python -m mistral_lca.demo.record fixes it)."""
    from mistral_lca.demo._printer import Printer
    from mistral_lca.demo.record import record_step
    from mistral_lca.demo.steps import STEPS

    for step in STEPS:
        shipped = json.loads((RECORDINGS / f"{step.name}.json").read_text(encoding="utf-8"))
        if shipped["recorded_against"] != "stand-in":
            continue  # re-recorded live: model output cannot be reproduced here
        fresh = record_step(step, tmp_path, live=False, out=Printer(enabled=False))
        assert json.loads(fresh.read_text(encoding="utf-8")) == shipped, (
            f"recordings/{step.name}.json is stale: run python -m mistral_lca.demo.record"
        )
