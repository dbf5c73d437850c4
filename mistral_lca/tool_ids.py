"""Tool-call ids in the form Mistral accepts: exactly 9 characters from ``[a-zA-Z0-9]``.

Mistral's own ids already have that form and pass through unchanged. Any other id (an OpenAI ``call_...`` id,
a UUID, an id from another framework) is mapped to a stable 9-character id derived from it, so an assistant
tool call and the tool result that answers it convert to the same id wherever they are converted.
Pure functions; shared by both adapters.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from collections import deque

__all__ = [
    "TOOL_CALL_ID_LENGTH",
    "ToolCallIdPairing",
    "is_mistral_tool_call_id",
    "new_tool_call_id",
    "to_mistral_tool_call_id",
]

TOOL_CALL_ID_LENGTH = 9
_ALPHABET = string.ascii_letters + string.digits
_VALID = re.compile(r"^[A-Za-z0-9]{9}$")
_BASE62 = string.digits + string.ascii_lowercase + string.ascii_uppercase


def is_mistral_tool_call_id(value: object) -> bool:
    """True when ``value`` is already a valid Mistral tool-call id."""
    return isinstance(value, str) and _VALID.match(value) is not None


def to_mistral_tool_call_id(value: str) -> str:
    """``value`` unchanged when valid, else a deterministic 9-character id derived from it (same input, same id).

    The mapping (SHA-256, base62, first nine characters) is the one langchain-mistralai uses, so a history
    started with either integration converts to the same ids in the other (``call_JIIjI55tTipFFzpcP8re3BpM``
    becomes ``8kxAQvoED`` in both).
    """
    if _VALID.match(value):
        return value
    number = int.from_bytes(hashlib.sha256(value.encode("utf-8")).digest(), "big")
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    encoded = "".join(reversed(digits))
    return encoded[:TOOL_CALL_ID_LENGTH].rjust(TOOL_CALL_ID_LENGTH, "0")


def new_tool_call_id() -> str:
    """A fresh random id, for a tool call that arrived without one."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(TOOL_CALL_ID_LENGTH))


class ToolCallIdPairing:
    """Tool-call ids in Mistral's form, consistent across one history (one instance per conversion).

    A call without an id gets one derived from its position; a result without an id answers the oldest such call
    still unanswered (calls and their results keep the same order), so the pair shares one id, deterministically.
    """

    def __init__(self) -> None:
        self._unanswered: deque[str] = deque()

    def for_call(self, call_id: str | None, message_index: int, call_index: int, name: str | None) -> str:
        if call_id:
            return to_mistral_tool_call_id(call_id)
        generated = to_mistral_tool_call_id(f"lca-tool-call:{message_index}:{call_index}:{name or ''}")
        self._unanswered.append(generated)
        return generated

    def for_result(self, call_id: object) -> str | None:
        """The id for a tool result: its own (converted), else the oldest unanswered id-less call's, else None."""
        if isinstance(call_id, str) and call_id:
            return to_mistral_tool_call_id(call_id)
        return self._unanswered.popleft() if self._unanswered else None
