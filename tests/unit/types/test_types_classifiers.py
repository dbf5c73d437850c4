"""Moderation and classification models."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mistral_lca.types.classifiers import (
    MODERATION_CATEGORIES,
    ChatClassificationRequest,
    ChatModerationRequest,
    ClassificationRequest,
    ClassificationResponse,
    InstructRequest,
    ModerationRequest,
    ModerationResponse,
)

_CATEGORIES = dict.fromkeys(MODERATION_CATEGORIES, False)
MODERATION = {
    "id": "4d71ae510af942108ef7344f903e2b88",
    "model": "mistral-moderation-latest",
    "results": [
        {
            "categories": _CATEGORIES,
            "category_scores": {
                "dangerous_and_criminal_content": 0.002251847181469202,
                "financial": 8.481103577651083e-05,
                "hate_and_discrimination": 0.0030753696337342262,
                "health": 0.0002780309587251395,
                "law": 4.539786823443137e-05,
                "pii": 0.0023967307060956955,
                "selfharm": 0.00017952796770259738,
                "sexual": 0.0011335690505802631,
                "violence_and_threats": 0.0003569706459529698,
            },
        },
        {
            "categories": {**_CATEGORIES, "pii": True, "new_category": True},
            "category_scores": {"pii": 0.91, "new_category": 0.7},
        },
    ],
}


def test_moderation_response() -> None:
    resp = ModerationResponse.model_validate(MODERATION)
    assert resp.id == "4d71ae510af942108ef7344f903e2b88"
    assert resp.model == "mistral-moderation-latest"
    assert len(resp.results) == 2
    first, second = resp.results
    assert first.flagged is False
    assert first.category_scores["law"] == pytest.approx(4.539786823443137e-05)
    assert set(first.categories) == set(MODERATION_CATEGORIES)
    assert second.flagged is True
    assert second.flagged_categories == ["pii", "new_category"]  # unknown categories are kept


def test_moderation_response_tolerates_missing_parts() -> None:
    resp = ModerationResponse.model_validate({"results": [{}], "usage": {"prompt_tokens": 3}})
    assert resp.id is None
    assert resp.results[0].categories == {}
    assert resp.results[0].flagged is False
    assert resp.model_extra == {"usage": {"prompt_tokens": 3}}


def test_classification_request() -> None:
    assert ClassificationRequest(model="mistral-moderation-latest", input="text").to_body() == {
        "model": "mistral-moderation-latest",
        "input": "text",
    }
    assert ModerationRequest(model="m", input=["a", "b"]).to_body() == {"model": "m", "input": ["a", "b"]}
    with pytest.raises(ValidationError):
        ClassificationRequest(model="m")  # type: ignore[call-arg]


def test_chat_moderation_request_single_and_batched() -> None:
    single = ChatModerationRequest(model="m", input=[{"role": "user", "content": "hi"}])
    assert single.to_body() == {"model": "m", "input": [{"role": "user", "content": "hi"}]}
    batched = ChatModerationRequest(
        model="m",
        input=[[{"role": "user", "content": "a"}], [{"role": "user", "content": "b"}]],
    )
    assert batched.to_body()["input"] == [
        [{"role": "user", "content": "a"}],
        [{"role": "user", "content": "b"}],
    ]
    with pytest.raises(ValidationError):
        ChatModerationRequest(input=[])  # type: ignore[call-arg]


def test_chat_classification_request() -> None:
    one = ChatClassificationRequest(
        model="ft:classifier:abc", input=InstructRequest(messages=[{"role": "user", "content": "hi"}])
    )
    assert one.to_body() == {
        "model": "ft:classifier:abc",
        "input": {"messages": [{"role": "user", "content": "hi"}]},
    }
    many = ChatClassificationRequest(
        model="ft:classifier:abc",
        input=[{"messages": [{"role": "user", "content": "a"}]}, {"messages": []}],
    )
    assert many.to_body()["input"] == [{"messages": [{"role": "user", "content": "a"}]}, {"messages": []}]


def test_classification_response() -> None:
    resp = ClassificationResponse.model_validate(
        {
            "id": "mod-e5cc70bb28c444948073e77776eb30ef",
            "model": "ft:ministral-3b-latest:abc:20250101:xyz",
            "results": [
                {
                    "topic": {"scores": {"sports": 0.9, "politics": 0.1}},
                    "language": {"scores": {"en": 0.2, "fr": 0.8}},
                }
            ],
        }
    )
    result = resp.results[0]
    assert result["topic"].scores["sports"] == 0.9
    assert result["topic"].top_label == "sports"
    assert result["language"].top_label == "fr"
    assert ClassificationResponse.model_validate({"results": [{"t": {}}]}).results[0]["t"].top_label is None
