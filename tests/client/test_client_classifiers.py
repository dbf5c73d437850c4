"""``client.classifiers``: moderation and classification of texts and chats (SDK names, ``inputs``)."""

from __future__ import annotations

from typing import Any

import pytest
from client_support import Recorder, assert_request, call, ok

from mistral_lca import InvalidRequestError
from mistral_lca.types.classifiers import ClassificationResponse, ModerationResponse

MODERATION = {
    "id": "mod-1",
    "model": "mistral-moderation-2411",
    "results": [
        {"categories": {"violence_and_threats": True, "pii": False}, "category_scores": {"violence_and_threats": 0.9}},
        {"categories": {"violence_and_threats": False}, "category_scores": {"violence_and_threats": 0.01}},
    ],
}
CLASSIFICATION = {
    "id": "cls-1",
    "model": "ft:classifier",
    "results": [{"intent": {"scores": {"buy": 0.8, "sell": 0.2}}}],
}
CHAT = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi!"}]


@pytest.mark.parametrize(
    ("method", "path", "inputs", "sent"),
    [
        ("moderate", "/v1/moderations", ["text one", "text two"], ["text one", "text two"]),
        ("moderate", "/v1/moderations", "just one", "just one"),
        ("moderate_chat", "/v1/chat/moderations", CHAT, CHAT),
        ("moderate_chat", "/v1/chat/moderations", [CHAT, CHAT], [CHAT, CHAT]),
    ],
)
async def test_moderation(make_client: Any, form: str, method: str, path: str, inputs: Any, sent: Any) -> None:
    rec = Recorder(ok(MODERATION))
    result = await call(make_client(rec), f"classifiers.{method}", model="mistral-moderation-latest", inputs=inputs)
    assert isinstance(result, ModerationResponse)
    assert result.results[0].flagged and result.results[0].flagged_categories == ["violence_and_threats"]
    assert not result.results[1].flagged
    assert_request(rec.last, "POST", form, path, json_body={"model": "mistral-moderation-latest", "input": sent})


@pytest.mark.parametrize(
    ("method", "path", "inputs", "sent"),
    [
        ("classify", "/v1/classifications", ["buy now"], ["buy now"]),
        ("classify_chat", "/v1/chat/classifications", CHAT, {"messages": CHAT}),
        ("classify_chat", "/v1/chat/classifications", {"messages": CHAT}, {"messages": CHAT}),
        ("classify_chat", "/v1/chat/classifications", [{"messages": CHAT}] * 2, [{"messages": CHAT}] * 2),
    ],
)
async def test_classification(make_client: Any, form: str, method: str, path: str, inputs: Any, sent: Any) -> None:
    rec = Recorder(ok(CLASSIFICATION))
    result = await call(make_client(rec), f"classifiers.{method}", model="ft:classifier", inputs=inputs)
    assert isinstance(result, ClassificationResponse)
    assert result.results[0]["intent"].top_label == "buy"
    assert_request(rec.last, "POST", form, path, json_body={"model": "ft:classifier", "input": sent})


@pytest.mark.parametrize(
    ("method", "kwargs", "message"),
    [
        ("moderate", {"model": "m", "inputs": []}, "inputs must not be empty"),
        ("moderate", {"model": "m", "inputs": 3}, "string or a list"),
        ("moderate", {"model": "", "inputs": "x"}, "model"),
        ("moderate_chat", {"model": "m", "inputs": []}, "non-empty list of messages"),
        ("classify_chat", {"model": "m", "inputs": "hello"}, "input"),
    ],
)
async def test_bad_calls_are_rejected_before_sending(make_client: Any, method: str, kwargs: Any, message: str) -> None:
    rec = Recorder(ok(MODERATION))
    with pytest.raises(InvalidRequestError, match=message):
        await call(make_client(rec), f"classifiers.{method}", **kwargs)
    assert rec.requests == []
