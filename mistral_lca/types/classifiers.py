"""Moderation and classification (``/v1/moderations``, ``/v1/chat/moderations``, ``/v1/classifications``,
``/v1/chat/classifications``).

Text endpoints take ``{model, input}`` with a string or a list of strings; the chat endpoints take chat
messages (plain dicts, as the chat API takes them; pydantic message models are converted).
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel, Field, field_validator

from ._base import RequestModel, ResponseModel

__all__ = [
    "MODERATION_CATEGORIES",
    "ChatClassificationRequest",
    "ChatModerationRequest",
    "ClassificationRequest",
    "ClassificationResponse",
    "ClassificationTargetResult",
    "InstructRequest",
    "ModerationObject",
    "ModerationRequest",
    "ModerationResponse",
]

MODERATION_CATEGORIES: Final[tuple[str, ...]] = (
    "sexual",
    "hate_and_discrimination",
    "violence_and_threats",
    "dangerous_and_criminal_content",
    "selfharm",
    "health",
    "financial",
    "law",
    "pii",
)
"""Categories returned by ``mistral-moderation-latest`` (2026); new ones may appear."""


def _plain(value: Any) -> Any:
    """A dict for a pydantic model, a list/list-of-lists converted item by item, anything else unchanged."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, RequestModel):
        return value.to_body()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value


# --------------------------------------------------------------------------------------------- requests


class ClassificationRequest(RequestModel):
    """``POST /v1/moderations`` and ``POST /v1/classifications``: classify one text or several."""

    model: str
    input: str | list[str]
    metadata: dict[str, Any] | None = None


ModerationRequest = ClassificationRequest
"""``/v1/moderations`` takes the same body as ``/v1/classifications``."""


class ChatModerationRequest(RequestModel):
    """``POST /v1/chat/moderations``: moderate one conversation or several (a list of lists)."""

    model: str
    input: list[dict[str, Any]] | list[list[dict[str, Any]]]

    @field_validator("input", mode="before")
    @classmethod
    def _models_to_dicts(cls, value: Any) -> Any:
        return _plain(value)


class InstructRequest(RequestModel):
    """One conversation to classify: ``{"messages": [...]}``."""

    messages: list[dict[str, Any]]

    @field_validator("messages", mode="before")
    @classmethod
    def _models_to_dicts(cls, value: Any) -> Any:
        return _plain(value)


class ChatClassificationRequest(RequestModel):
    """``POST /v1/chat/classifications``: classify one conversation or several."""

    model: str
    input: InstructRequest | list[InstructRequest]


# -------------------------------------------------------------------------------------------- responses


class ModerationObject(ResponseModel):
    """Moderation verdict for one input: a flag and a score per category."""

    categories: dict[str, bool] = Field(default_factory=dict)
    category_scores: dict[str, float] = Field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        """True if any category is flagged."""
        return any(self.categories.values())

    @property
    def flagged_categories(self) -> list[str]:
        """Names of the flagged categories."""
        return [name for name, hit in self.categories.items() if hit]


class ModerationResponse(ResponseModel):
    """Answer of both moderation endpoints: one result per input (or per conversation)."""

    required_fields = ("id", "model")
    non_empty_fields = ("results",)

    id: str | None = None
    model: str | None = None
    results: list[ModerationObject] = Field(default_factory=list)


class ClassificationTargetResult(ResponseModel):
    """Scores of every label of one classifier target."""

    scores: dict[str, float] = Field(default_factory=dict)

    @property
    def top_label(self) -> str | None:
        """The highest-scoring label, if any."""
        return max(self.scores, key=self.scores.__getitem__) if self.scores else None


class ClassificationResponse(ResponseModel):
    """Answer of both classification endpoints: per input, a mapping of target name to its scores."""

    required_fields = ("id", "model")
    non_empty_fields = ("results",)

    id: str | None = None
    model: str | None = None
    results: list[dict[str, ClassificationTargetResult]] = Field(default_factory=list)
