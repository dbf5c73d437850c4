"""Base classes shared by every request and response model.

Responses tolerate unknown fields (Mistral adds fields, e.g. the stream padding ``p``) and keep them
reachable through ``model_extra``. Requests drop unset fields when serialised, so only what the caller
chose goes on the wire.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from .._headers import ResponseHeaders

__all__ = ["RequestModel", "ResponseModel"]


class ResponseModel(BaseModel):
    """A decoded Mistral response object. Unknown fields are kept, never rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    required_fields: ClassVar[tuple[str, ...]] = ()
    """Fields every real answer of this kind carries, though the model gives them defaults (so that partial
    objects can be built): an answer without one is a :class:`~mistral_lca.ResponseDecodeError`, never an empty
    success."""
    non_empty_fields: ClassVar[tuple[str, ...]] = ()
    """List fields a real answer never leaves empty (a chat completion has at least one choice)."""

    _response_headers: ResponseHeaders | None = PrivateAttr(default=None)

    @classmethod
    def answer_problem(cls, data: Any) -> str | None:
        """Why decoded JSON ``data`` is not a complete answer of this kind, or ``None`` when it is.

        Only what the class declares is checked; shapes and extra fields are left to validation (extra fields are
        always welcome).
        """
        if not isinstance(data, dict):
            return None
        for name in cls.required_fields:  # the common case, checked cheaply: every answer is decoded here
            if data.get(name) is None:
                break
        else:
            for name in cls.non_empty_fields:
                if not data.get(name):
                    break
            else:
                return None
        missing = [name for name in cls.required_fields if data.get(name) is None]
        missing += [name for name in cls.non_empty_fields if name not in missing and data.get(name) is None]
        if missing:
            return f"missing {', '.join(missing)}"
        empty = [name for name in cls.non_empty_fields if isinstance(data[name], list) and not data[name]]
        return f"empty {', '.join(empty)}" if empty else None

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
