"""Model cards: ``GET /v1/models`` and ``GET/DELETE /v1/models/{model_id}``."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from ._base import ResponseModel

__all__ = ["DeleteModelResponse", "ModelCapabilities", "ModelCard", "ModelList"]


class ModelCapabilities(ResponseModel):
    completion_chat: bool = True
    completion_fim: bool = False
    function_calling: bool = True
    fine_tuning: bool = False
    vision: bool = False
    classification: bool = False


class ModelCard(ResponseModel):
    """A base or fine-tuned model card (``type`` is ``base`` or ``fine-tuned``)."""

    id: str
    object: str = "model"
    created: int | None = None
    owned_by: str | None = None
    type: str | None = None
    name: str | None = None
    description: str | None = None
    max_context_length: int | None = None
    aliases: list[str] = Field(default_factory=list)
    deprecation: str | None = None
    default_model_temperature: float | None = None
    capabilities: ModelCapabilities = Field(default_factory=ModelCapabilities)
    job: str | None = None
    root: str | None = None
    archived: bool | None = None


class ModelList(ResponseModel):
    required_fields = ("data",)

    object: str = "list"
    data: list[ModelCard] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_array(cls, value: Any) -> Any:
        # The spec's own example for GET /v1/models is a bare array; accept it as well as {object, data}.
        return {"object": "list", "data": value} if isinstance(value, list) else value


class DeleteModelResponse(ResponseModel):
    id: str
    object: str = "model"
    deleted: bool = True
