"""``client.classifiers``: moderation and classification of texts and of chat conversations.

Method names follow the official SDK: ``moderate`` (``/v1/moderations``), ``moderate_chat``
(``/v1/chat/moderations``), ``classify`` (``/v1/classifications``), ``classify_chat``
(``/v1/chat/classifications``). ``inputs`` (the SDK's name) is sent as the API's ``input``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from .._errors import InvalidRequestError
from .._operation import Operation, model_parser
from .._request import RequestSpec
from ..types.classifiers import (
    ChatClassificationRequest,
    ChatModerationRequest,
    ClassificationRequest,
    ClassificationResponse,
    ModerationResponse,
)
from ._base import AsyncResource, SyncResource
from ._common import request_body, require_id

__all__ = [
    "AsyncClassifiers",
    "Classifiers",
    "classify_chat_operation",
    "classify_operation",
    "moderate_chat_operation",
    "moderate_operation",
]

TextInputs = str | Sequence[str]
ChatInputs = Sequence[Mapping[str, Any] | BaseModel] | Sequence[Sequence[Mapping[str, Any] | BaseModel]]


def _text_body(model: str, inputs: Any, metadata: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    require_id(model, "model")
    if isinstance(inputs, (list, tuple)):
        if not inputs:
            raise InvalidRequestError(f"Invalid {what} request: inputs must not be empty")
        inputs = list(inputs)
    elif not isinstance(inputs, str):
        raise InvalidRequestError(f"Invalid {what} request: inputs must be a string or a list of strings")
    params = {"model": model, "input": inputs, "metadata": dict(metadata) if metadata else None}
    return request_body(ClassificationRequest, params, what)


def _is_message(value: Any) -> bool:
    return isinstance(value, BaseModel) or (isinstance(value, Mapping) and "role" in value)


def _chat_inputs(inputs: Any, what: str) -> list[Any]:
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise InvalidRequestError(f"Invalid {what} request: inputs must be a non-empty list of messages")
    return list(inputs)


def moderate_operation(
    *, model: str, inputs: TextInputs, metadata: Mapping[str, Any] | None = None
) -> Operation[ModerationResponse]:
    body = _text_body(model, inputs, metadata, "classifiers.moderate")
    return Operation(RequestSpec("POST", "/v1/moderations", json=body), model_parser(ModerationResponse))


def classify_operation(
    *, model: str, inputs: TextInputs, metadata: Mapping[str, Any] | None = None
) -> Operation[ClassificationResponse]:
    body = _text_body(model, inputs, metadata, "classifiers.classify")
    return Operation(RequestSpec("POST", "/v1/classifications", json=body), model_parser(ClassificationResponse))


def moderate_chat_operation(*, model: str, inputs: ChatInputs) -> Operation[ModerationResponse]:
    """One conversation (a list of messages) or several (a list of lists)."""
    require_id(model, "model")
    items = _chat_inputs(inputs, "classifiers.moderate_chat")
    body = request_body(ChatModerationRequest, {"model": model, "input": items}, "classifiers.moderate_chat")
    return Operation(RequestSpec("POST", "/v1/chat/moderations", json=body), model_parser(ModerationResponse))


def classify_chat_operation(*, model: str, inputs: Any) -> Operation[ClassificationResponse]:
    """``inputs``: ``{"messages": [...]}``, a list of those, or simply one list of messages."""
    require_id(model, "model")
    if isinstance(inputs, (list, tuple)) and inputs and all(_is_message(m) for m in inputs):
        inputs = {"messages": list(inputs)}
    elif isinstance(inputs, (list, tuple)):
        inputs = _chat_inputs(inputs, "classifiers.classify_chat")
    body = request_body(ChatClassificationRequest, {"model": model, "input": inputs}, "classifiers.classify_chat")
    spec = RequestSpec("POST", "/v1/chat/classifications", json=body)
    return Operation(spec, model_parser(ClassificationResponse))


class Classifiers(SyncResource):
    def moderate(
        self, *, model: str, inputs: TextInputs, metadata: Mapping[str, Any] | None = None
    ) -> ModerationResponse:
        """Moderate one text or several."""
        return self._run(moderate_operation(model=model, inputs=inputs, metadata=metadata))

    def moderate_chat(self, *, model: str, inputs: ChatInputs) -> ModerationResponse:
        """Moderate one conversation (list of messages) or several (list of lists)."""
        return self._run(moderate_chat_operation(model=model, inputs=inputs))

    def classify(
        self, *, model: str, inputs: TextInputs, metadata: Mapping[str, Any] | None = None
    ) -> ClassificationResponse:
        """Classify one text or several with a (fine-tuned) classifier model."""
        return self._run(classify_operation(model=model, inputs=inputs, metadata=metadata))

    def classify_chat(self, *, model: str, inputs: Any) -> ClassificationResponse:
        """Classify one conversation (``{"messages": [...]}`` or a list of messages) or several."""
        return self._run(classify_chat_operation(model=model, inputs=inputs))


class AsyncClassifiers(AsyncResource):
    async def moderate(
        self, *, model: str, inputs: TextInputs, metadata: Mapping[str, Any] | None = None
    ) -> ModerationResponse:
        """Moderate one text or several."""
        return await self._run(moderate_operation(model=model, inputs=inputs, metadata=metadata))

    async def moderate_chat(self, *, model: str, inputs: ChatInputs) -> ModerationResponse:
        """Moderate one conversation (list of messages) or several (list of lists)."""
        return await self._run(moderate_chat_operation(model=model, inputs=inputs))

    async def classify(
        self, *, model: str, inputs: TextInputs, metadata: Mapping[str, Any] | None = None
    ) -> ClassificationResponse:
        """Classify one text or several with a (fine-tuned) classifier model."""
        return await self._run(classify_operation(model=model, inputs=inputs, metadata=metadata))

    async def classify_chat(self, *, model: str, inputs: Any) -> ClassificationResponse:
        """Classify one conversation (``{"messages": [...]}`` or a list of messages) or several."""
        return await self._run(classify_chat_operation(model=model, inputs=inputs))
