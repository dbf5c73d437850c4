"""What a folded conversation turn is made of (see :mod:`mistral_lca.conversation_fold`).

Plain data, shared by both framework adapters: the parts of a reply in order (:class:`TextPart` with its
:class:`Citation` s, :class:`ThinkingPart`, :class:`FilePart`, :class:`ToolExecutionPart`, :class:`OtherPart`),
client-side :class:`FunctionCall` s, and the :class:`FoldDelta` one read of a stream adds.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from .types.conversations import ConversationUsageInfo

__all__ = [
    "Citation",
    "FilePart",
    "FoldDelta",
    "FunctionCall",
    "OtherPart",
    "Part",
    "TextPart",
    "ThinkingPart",
    "ToolExecutionPart",
]


@dataclass(slots=True)
class Citation:
    """A source for a span of a text part (from a ``tool_reference`` chunk)."""

    start_index: int
    end_index: int
    title: str | None = None
    url: str | None = None
    tool: str | None = None
    """The built-in tool that found it: ``web_search``, ``document_library``, ..."""
    source: str | None = None
    favicon: str | None = None
    description: str | None = None

    def fields(self) -> dict[str, Any]:
        """The citation's non-empty fields besides the span."""
        values = {
            "title": self.title,
            "url": self.url,
            "tool": self.tool,
            "source": self.source,
            "favicon": self.favicon,
            "description": self.description,
        }
        return {key: value for key, value in values.items() if value is not None}


@dataclass(slots=True)
class TextPart:
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    offset: int = 0
    """Characters of reply text before this part."""


@dataclass(slots=True)
class ThinkingPart:
    text: str = ""
    signature: str | None = None


_MIME_BY_FILE_TYPE = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(slots=True)
class FilePart:
    """A file a built-in tool produced (``tool_file``); its bytes come from ``client.files.download(file_id)``."""

    file_id: str
    file_name: str | None = None
    file_type: str | None = None
    tool: str | None = None

    @property
    def mime_type(self) -> str | None:
        kind = (self.file_type or "").lower().lstrip(".")
        if "/" in kind:
            return kind
        if kind:
            return _MIME_BY_FILE_TYPE.get(kind) or mimetypes.guess_type(f"file.{kind}")[0]
        return mimetypes.guess_type(self.file_name)[0] if self.file_name else None

    @property
    def is_image(self) -> bool:
        return (self.mime_type or "").startswith("image/")

    def fields(self) -> dict[str, Any]:
        """The file's non-empty fields."""
        values = {"file_id": self.file_id, "file_name": self.file_name, "file_type": self.file_type, "tool": self.tool}
        return {key: value for key, value in values.items() if value is not None}


@dataclass(slots=True)
class ToolExecutionPart:
    """A built-in tool run on the server: its call and its result (``info``) in one part."""

    id: str
    name: str
    arguments: str = ""
    info: dict[str, Any] | None = None

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as an object (``{"arguments": <text>}`` when they are not a JSON object)."""
        if not self.arguments.strip():
            return {}
        try:
            value = json.loads(self.arguments)
        except ValueError:
            return {"arguments": self.arguments}
        return value if isinstance(value, dict) else {"arguments": self.arguments}

    def entry(self) -> dict[str, Any]:
        """The part as the ``tool.execution`` entry Mistral sent."""
        entry: dict[str, Any] = {
            "type": "tool.execution",
            "id": self.id,
            "name": self.name,
            "arguments": self.arguments,
        }
        if self.info is not None:
            entry["info"] = self.info
        return entry


@dataclass(slots=True)
class OtherPart:
    """A content chunk with no part type of its own (``image_url``, ``document_url``, future types), as sent."""

    chunk: dict[str, Any]


Part: TypeAlias = TextPart | ThinkingPart | FilePart | ToolExecutionPart | OtherPart


@dataclass(slots=True)
class FunctionCall:
    """A client-side function call. In a :class:`FoldDelta`, ``tool_call_id`` and ``name`` are set on the
    call's first piece only and ``arguments`` holds the new piece."""

    tool_call_id: str
    name: str
    arguments: str = ""


@dataclass(slots=True)
class FoldDelta:
    """What one :meth:`ConversationFold.add` added (see the module docstring)."""

    parts: dict[int, Part] = field(default_factory=dict)
    """Part index → what it gained, in order of part index."""
    calls: dict[int, FunctionCall] = field(default_factory=dict)
    """Call slot → its new piece."""
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    usage: ConversationUsageInfo | None = None
    conversation_id: str | None = None
    """Set on the delta that first carries the conversation id."""
    done: bool = False

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts.values() if isinstance(part, TextPart))

    @property
    def thinking(self) -> str:
        return "".join(part.text for part in self.parts.values() if isinstance(part, ThinkingPart))

    def __bool__(self) -> bool:
        return bool(self.parts or self.calls or self.handoffs or self.usage or self.conversation_id or self.done)
