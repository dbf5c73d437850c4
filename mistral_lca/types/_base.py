"""Base classes shared by every request and response model.

Responses tolerate unknown fields (Mistral adds fields, e.g. the stream padding ``p``) and keep them
reachable through ``model_extra``. Requests drop unset fields when serialised, so only what the caller
chose goes on the wire.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr

from .._headers import ResponseHeaders

__all__ = ["RequestModel", "ResponseModel"]


class ResponseModel(BaseModel):
    """A decoded Mistral response object. Unknown fields are kept, never rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    _response_headers: ResponseHeaders | None = PrivateAttr(default=None)

    @property
    def response_headers(self) -> ResponseHeaders:
        """Upstream response headers (rate limits, request id), from HTTP or the LowCodeAPI envelope."""
        return self._response_headers if self._response_headers is not None else ResponseHeaders()


class RequestModel(BaseModel):
    """A request body. Unset fields are omitted; unknown extra fields pass through to the API."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    def to_body(self) -> dict[str, Any]:
        """The JSON body for the wire: only fields the caller set, ``None`` values dropped."""
        return self.model_dump(mode="json", exclude_unset=True, exclude_none=True, by_alias=True)
