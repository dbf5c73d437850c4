"""Chat completions: request parameters (TypedDicts, validated by pydantic) and response models.

Requests are plain dicts so callers can write ``messages=[{"role": "user", "content": "hi"}]`` exactly as
in Mistral's docs; a pydantic ``TypeAdapter`` validates them before anything is sent. Responses are
pydantic models that keep unknown fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Discriminator, Field, Tag
from typing_extensions import Required, TypedDict

from .._headers import ResponseHeaders
from ._base import ResponseModel
from .bounds import CompletionCount, Penalty, Seed, Temperature, TokenCount, ToolCheck, TopP

__all__ = [
    "AssistantMessage",
    "AssistantMessageParam",
    "AudioChunk",
    "ChatCompletionChoice",
    "ChatCompletionParams",
    "ChatCompletionResponse",
    "ChatMessageParam",
    "CompletionChunk",
    "CompletionEvent",
    "CompletionResponseStreamChoice",
    "ContentChunk",
    "DeltaMessage",
    "DocumentURLChunk",
    "FileChunk",
    "FunctionCall",
    "ImageURLChunk",
    "PromptTokensDetails",
    "ReferenceChunk",
    "ResponseFormatParam",
    "ResponsePart",
    "SystemMessageParam",
    "TextChunk",
    "ThinkChunk",
    "ToolCall",
    "ToolChoiceParam",
    "ToolMessageParam",
    "ToolParam",
    "ToolSpec",
    "UnknownChunk",
    "UsageInfo",
    "UserMessageParam",
]

# --------------------------------------------------------------------------------------------------
# Request side
# --------------------------------------------------------------------------------------------------

ContentPartParam = dict[str, Any]
"""One content chunk as sent: ``{"type": "text", "text": ...}``, ``{"type": "image_url", ...}``, ..."""


class SystemMessageParam(TypedDict):
    role: Literal["system"]
    content: str | list[ContentPartParam]


class UserMessageParam(TypedDict):
    role: Literal["user"]
    content: str | list[ContentPartParam]


class FunctionCallParam(TypedDict):
    name: str
    arguments: str | dict[str, Any]


class ToolCallParam(TypedDict, total=False):
    id: str
    type: Literal["function"]
    function: Required[FunctionCallParam]
    index: int


class AssistantMessageParam(TypedDict, total=False):
    role: Required[Literal["assistant"]]
    content: str | list[ContentPartParam] | None
    tool_calls: list[ToolCallParam] | None
    prefix: bool


class ToolMessageParam(TypedDict, total=False):
    role: Required[Literal["tool"]]
    content: Required[str | list[ContentPartParam]]
    tool_call_id: str
    name: str


ChatMessageParam = Annotated[
    SystemMessageParam | UserMessageParam | AssistantMessageParam | ToolMessageParam,
    Field(discriminator="role"),
]


class FunctionParam(TypedDict, total=False):
    name: Required[str]
    description: str
    parameters: Required[dict[str, Any]]
    strict: bool


class ToolParam(TypedDict, total=False):
    type: Literal["function"]
    function: Required[FunctionParam]


class ToolChoiceFunctionParam(TypedDict):
    name: str


class ToolChoiceObjectParam(TypedDict):
    type: Literal["function"]
    function: ToolChoiceFunctionParam


ToolSpec = Annotated[Union[ToolParam, dict[str, Any]], ToolCheck]  # noqa: UP007
"""A tool as sent: a function tool (checked as the API checks it, see :func:`~mistral_lca.types.bounds.check_tool`)
or a built-in such as ``{"type": "web_search"}``."""

ToolChoiceParam = Union[Literal["auto", "none", "any", "required"], ToolChoiceObjectParam]  # noqa: UP007


class JsonSchemaParam(TypedDict, total=False):
    name: Required[str]
    description: str
    schema: Required[dict[str, Any]]
    strict: bool


class ResponseFormatParam(TypedDict, total=False):
    type: Required[Literal["text", "json_object", "json_schema"]]
    json_schema: JsonSchemaParam


class ChatCompletionParams(TypedDict, total=False):
    """Keyword arguments of ``client.chat.complete`` / ``client.chat.stream`` (the request body)."""

    model: Required[str]
    messages: Required[list[ChatMessageParam]]
    temperature: Temperature
    top_p: TopP
    max_tokens: TokenCount
    stop: str | list[str]
    random_seed: Seed
    metadata: dict[str, Any]
    response_format: ResponseFormatParam
    tools: list[ToolSpec]
    tool_choice: ToolChoiceParam
    presence_penalty: Penalty
    frequency_penalty: Penalty
    n: CompletionCount
    prediction: dict[str, Any]
    parallel_tool_calls: bool
    reasoning_effort: str
    prompt_mode: str
    guardrails: list[dict[str, Any]]
    prompt_cache_key: str
    service_tier: str
    safe_prompt: bool


# --------------------------------------------------------------------------------------------------
# Response side
# --------------------------------------------------------------------------------------------------


class ResponsePart(BaseModel):
    """A nested response object (chunk, tool call, usage, choice, stream event): tolerant like
    :class:`ResponseModel`, without its private header slot. Only top-level replies carry headers, and pydantic
    initialises private attributes in Python for every instance — ~0.7 us per object, 4 objects per stream event.
    """

    model_config = ResponseModel.model_config

    @property
    def response_headers(self) -> ResponseHeaders:
        """Always empty: headers live on the top-level reply (or on the stream object)."""
        return ResponseHeaders()


class TextChunk(ResponsePart):
    type: Literal["text"] = "text"
    text: str = ""


class ReferenceChunk(ResponsePart):
    type: Literal["reference"] = "reference"
    reference_ids: list[int | str] = Field(default_factory=list)


class ImageURLChunk(ResponsePart):
    type: Literal["image_url"] = "image_url"
    image_url: str | dict[str, Any]


class DocumentURLChunk(ResponsePart):
    type: Literal["document_url"] = "document_url"
    document_url: str
    document_name: str | None = None


class FileChunk(ResponsePart):
    type: Literal["file"] = "file"
    file_id: str


class AudioChunk(ResponsePart):
    type: Literal["input_audio"] = "input_audio"
    input_audio: str


class UnknownChunk(ResponsePart):
    """A chunk type this version does not know yet; every field is kept in ``model_extra``."""

    type: str = "unknown"


def _chunk_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in _KNOWN_CHUNKS else "unknown"


_KNOWN_CHUNKS = frozenset({"text", "thinking", "reference", "image_url", "document_url", "file", "input_audio"})


class ThinkChunk(ResponsePart):
    """Reasoning text. ``thinking`` holds nested chunks (usually text)."""

    type: Literal["thinking"] = "thinking"
    thinking: list[ContentChunk] = Field(default_factory=list)
    signature: str | None = None
    closed: bool | None = None

    @property
    def text(self) -> str:
        """The reasoning text of the nested text chunks, joined."""
        return "".join(c.text for c in self.thinking if isinstance(c, TextChunk))


ContentChunk = Annotated[
    Annotated[TextChunk, Tag("text")]
    | Annotated[ThinkChunk, Tag("thinking")]
    | Annotated[ReferenceChunk, Tag("reference")]
    | Annotated[ImageURLChunk, Tag("image_url")]
    | Annotated[DocumentURLChunk, Tag("document_url")]
    | Annotated[FileChunk, Tag("file")]
    | Annotated[AudioChunk, Tag("input_audio")]
    | Annotated[UnknownChunk, Tag("unknown")],
    Discriminator(_chunk_tag),
]

ThinkChunk.model_rebuild()


class FunctionCall(ResponsePart):
    name: str = ""
    arguments: str | dict[str, Any] = ""


class ToolCall(ResponsePart):
    id: str | None = None
    type: str | None = "function"
    function: FunctionCall
    index: int | None = None


class PromptTokensDetails(ResponsePart):
    cached_tokens: int | None = None


class UsageInfo(ResponsePart):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    prompt_audio_seconds: int | None = None
    service_tier: str | None = None

    @property
    def cached_tokens(self) -> int | None:
        return self.prompt_tokens_details.cached_tokens if self.prompt_tokens_details else None


class AssistantMessage(ResponsePart):
    role: str = "assistant"
    content: str | list[ContentChunk] | None = None
    tool_calls: list[ToolCall] | None = None
    prefix: bool | None = None


class ChatCompletionChoice(ResponsePart):
    index: int = 0
    message: AssistantMessage = Field(default_factory=AssistantMessage)
    finish_reason: str | None = None


class ChatCompletionResponse(ResponseModel):
    required_fields = ("id", "model")
    non_empty_fields = ("choices",)

    id: str = ""
    object: str = "chat.completion"
    model: str = ""
    created: int | None = None
    usage: UsageInfo = Field(default_factory=UsageInfo)
    choices: list[ChatCompletionChoice] = Field(default_factory=list)


class DeltaMessage(ResponsePart):
    role: str | None = None
    content: str | list[ContentChunk] | None = None
    tool_calls: list[ToolCall] | None = None


class CompletionResponseStreamChoice(ResponsePart):
    index: int = 0
    delta: DeltaMessage = Field(default_factory=DeltaMessage)
    finish_reason: str | None = None


class CompletionChunk(ResponsePart):
    id: str = ""
    object: str | None = None
    created: int | None = None
    model: str = ""
    usage: UsageInfo | None = None
    choices: list[CompletionResponseStreamChoice] = Field(default_factory=list)


class CompletionEvent(ResponsePart):
    """One server-sent event of a chat or FIM stream, as the official SDK names it: the chunk is ``data``."""

    data: CompletionChunk
