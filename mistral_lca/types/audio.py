"""Audio transcription (``POST /v1/audio/transcriptions``), plain and streamed.

The request is ``multipart/form-data``: the transport adds the audio ``file`` part (unless ``file_url`` or
``file_id`` is given) and sends :meth:`TranscriptionRequest.to_form` as the other form fields.
With ``stream=true`` the answer is a server-sent event stream of typed events (``event: <type>`` and a JSON
``data`` whose ``type`` repeats it); :func:`parse_transcription_event` turns each into a model.
"""

from __future__ import annotations

from typing import Any, Final, Literal, TypeAlias

from pydantic import Field, ValidationError

from ._base import RequestModel, ResponseModel

__all__ = [
    "TRANSCRIPTION_EVENT_TYPES",
    "TimestampGranularity",
    "TranscriptionDoneEvent",
    "TranscriptionLanguageEvent",
    "TranscriptionRequest",
    "TranscriptionResponse",
    "TranscriptionSegment",
    "TranscriptionSegmentEvent",
    "TranscriptionStreamEvent",
    "TranscriptionTextDeltaEvent",
    "TranscriptionUsage",
    "UnknownTranscriptionEvent",
    "parse_transcription_event",
]

TimestampGranularity = Literal["segment", "word"]


# --------------------------------------------------------------------------------------------- requests


class TranscriptionRequest(RequestModel):
    """The form fields of ``POST /v1/audio/transcriptions`` (the audio ``file`` part is separate)."""

    model: str
    """e.g. ``voxtral-mini-latest``."""
    file_url: str | None = None
    """Transcribe audio from this URL instead of an uploaded part."""
    file_id: str | None = None
    """Transcribe a file previously uploaded to ``/v1/files``."""
    language: str | None = None
    """Two-letter language code (e.g. ``en``); providing it can improve accuracy."""
    temperature: float | None = None
    stream: bool | None = None
    diarize: bool | None = None
    """Label segments with a ``speaker_id``."""
    context_bias: list[str] | None = None
    """Words or names (no spaces or commas) that the model should favour."""
    timestamp_granularities: list[TimestampGranularity | str] | None = None

    def to_form(self) -> dict[str, str | list[str]]:
        """Set fields as multipart form values: booleans as ``true``/``false``, lists as repeated fields.

        The result fits ``httpx``'s ``data=`` argument (a list value becomes several parts of that name).
        """
        form: dict[str, str | list[str]] = {}
        for key, value in self.to_body().items():
            if isinstance(value, list):
                form[key] = [_form_value(item) for item in value]
            else:
                form[key] = _form_value(value)
        return form


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -------------------------------------------------------------------------------------------- responses


class TranscriptionUsage(ResponseModel):
    """Token and audio-duration counters of a transcription."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_audio_seconds: int | float | None = None
    prompt_tokens_details: dict[str, Any] | None = None
    """e.g. ``{"cached_tokens": 0, "audio_tokens": 375}``."""
    service_tier: str | None = None


class TranscriptionSegment(ResponseModel):
    """A timed piece of the transcript (requested with ``timestamp_granularities``)."""

    type: str = "transcription_segment"
    text: str = ""
    start: float | None = None
    """Seconds from the start of the audio."""
    end: float | None = None
    score: float | None = None
    speaker_id: str | None = None
    """Set when ``diarize`` was requested."""


class TranscriptionResponse(ResponseModel):
    """``POST /v1/audio/transcriptions`` answer (non-streamed)."""

    required_fields = ("model", "text")

    model: str | None = None
    text: str = ""
    language: str | None = None
    segments: list[TranscriptionSegment] = Field(default_factory=list)
    usage: TranscriptionUsage = Field(default_factory=TranscriptionUsage)
    finish_reason: str | None = None
    """Not in the spec; real answers carry it (``null`` so far)."""


# ------------------------------------------------------------------------------------------ stream events


class TranscriptionTextDeltaEvent(ResponseModel):
    """``transcription.text.delta``: the next piece of text."""

    type: str = "transcription.text.delta"
    text: str = ""


class TranscriptionLanguageEvent(ResponseModel):
    """``transcription.language``: the detected language."""

    type: str = "transcription.language"
    audio_language: str | None = None


class TranscriptionSegmentEvent(ResponseModel):
    """``transcription.segment``: a completed timed segment."""

    type: str = "transcription.segment"
    text: str = ""
    start: float | None = None
    end: float | None = None
    speaker_id: str | None = None


class TranscriptionDoneEvent(ResponseModel):
    """``transcription.done``: the final transcript and usage (same fields as the plain response)."""

    type: str = "transcription.done"
    model: str | None = None
    text: str = ""
    language: str | None = None
    segments: list[TranscriptionSegment] = Field(default_factory=list)
    usage: TranscriptionUsage = Field(default_factory=TranscriptionUsage)
    finish_reason: str | None = None


class UnknownTranscriptionEvent(ResponseModel):
    """An event type this version does not know (or could not parse); all fields kept in ``model_extra``."""

    type: str | None = None


_KnownTranscriptionEvent: TypeAlias = (
    TranscriptionTextDeltaEvent | TranscriptionLanguageEvent | TranscriptionSegmentEvent | TranscriptionDoneEvent
)

TranscriptionStreamEvent: TypeAlias = _KnownTranscriptionEvent | UnknownTranscriptionEvent
"""Any event of a streamed transcription."""

TRANSCRIPTION_EVENT_TYPES: Final[dict[str, type[_KnownTranscriptionEvent]]] = {
    "transcription.text.delta": TranscriptionTextDeltaEvent,
    "transcription.language": TranscriptionLanguageEvent,
    "transcription.segment": TranscriptionSegmentEvent,
    "transcription.done": TranscriptionDoneEvent,
}


def parse_transcription_event(event_type: str | None, data: dict[str, Any]) -> TranscriptionStreamEvent:
    """Turn one SSE event (its ``event:`` name and decoded ``data``) into a typed event.

    The ``type`` inside ``data`` wins over the SSE event name. Unknown types, and known types whose data
    does not validate, become :class:`UnknownTranscriptionEvent` so a stream never fails on a new event.
    """
    data_type = data.get("type")
    kind = data_type if isinstance(data_type, str) else event_type
    payload = {**data, "type": kind}
    model = TRANSCRIPTION_EVENT_TYPES.get(kind) if kind is not None else None
    if model is not None:
        try:
            return model.model_validate(payload)
        except ValidationError:
            pass
    return UnknownTranscriptionEvent.model_validate(payload)
