"""``client.audio.transcriptions``: ``POST /v1/audio/transcriptions`` (multipart), plain and streamed.

The audio comes from exactly one of ``file`` (a path, bytes or ``(filename, fileobj)``, streamed from disk),
``file_url`` or ``file_id``. The stream is made of typed events (``event: transcription.text.delta`` ...)
and ends with ``transcription.done``, which is delivered too.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from typing_extensions import Required, TypedDict, Unpack

from .._errors import InvalidRequestError, StreamError
from .._operation import Operation, StreamingOperation, model_parser
from .._request import RequestSpec
from .._response import Decoded
from .._sse import ServerSentEvent, StreamDecoding
from .._streaming import AsyncStream, Stream
from ..types.audio import (
    TranscriptionDoneEvent,
    TranscriptionRequest,
    TranscriptionResponse,
    TranscriptionStreamEvent,
    parse_transcription_event,
)
from ._base import AsyncResource, SyncResource
from ._common import request_model
from ._uploads import FileInput, multipart, upload_source

__all__ = [
    "TRANSCRIPTION_STREAM",
    "AsyncAudio",
    "AsyncTranscriptions",
    "Audio",
    "TranscriptionParams",
    "Transcriptions",
    "transcription_spec",
]

_PATH = "/v1/audio/transcriptions"
_DONE = "transcription.done"


class TranscriptionParams(TypedDict, total=False):
    """Keyword arguments of ``client.audio.transcriptions.complete`` / ``stream``."""

    model: Required[str]
    file: FileInput
    file_url: str
    file_id: str
    filename: str
    """Name sent for ``file`` when it is raw bytes (the extension tells the server the format)."""
    language: str
    temperature: float
    diarize: bool
    context_bias: list[str]
    timestamp_granularities: list[str]


def transcription_spec(params: TranscriptionParams, *, stream: bool) -> RequestSpec:
    """The multipart request; checks that exactly one audio source is given (before any request)."""
    sources = [key for key in ("file", "file_url", "file_id") if params.get(key) is not None]
    if len(sources) != 1:
        raise InvalidRequestError(
            "Invalid audio.transcriptions request: give exactly one of file, file_url or file_id"
            + (f" (got {', '.join(sources)})" if sources else "")
        )
    if not str(params.get("model") or "").strip():
        raise InvalidRequestError("Invalid audio.transcriptions request: model must be a non-empty string")
    fields: dict[str, Any] = {k: v for k, v in params.items() if k not in ("file", "filename")}
    if stream:
        fields["stream"] = True
    form = request_model(TranscriptionRequest, fields, "audio.transcriptions")
    source = None
    if "file" in params:
        source = upload_source(params["file"], filename=params.get("filename"), what="audio.transcriptions")
    data, files = multipart(form.to_form(), source)
    return RequestSpec("POST", _PATH, data=data, files=files, stream=stream)


_parse_transcription = model_parser(TranscriptionResponse)


def _parse_event(event: ServerSentEvent) -> TranscriptionStreamEvent | None:
    if event.data == "[DONE]":
        return None
    data = event.json()
    if not isinstance(data, dict):
        raise StreamError(f"malformed transcription event: {event.data[:120]!r}")
    return parse_transcription_event(event.event, data)


def _is_done(event: ServerSentEvent) -> bool:
    if event.data == "[DONE]":
        return True
    if event.event is not None:
        return event.event == _DONE
    return f'"{_DONE}"' in event.data


def _from_json(decoded: Decoded) -> Iterable[TranscriptionStreamEvent]:
    response = _parse_transcription(decoded)
    return [TranscriptionDoneEvent.model_validate({**response.model_dump(), "type": _DONE})]


TRANSCRIPTION_STREAM: StreamDecoding[TranscriptionStreamEvent] = StreamDecoding(
    parse_event=_parse_event, from_json=_from_json, is_done=_is_done, include_done=True
)


def _complete(params: TranscriptionParams) -> Operation[TranscriptionResponse]:
    return Operation(transcription_spec(params, stream=False), _parse_transcription)


def _stream(params: TranscriptionParams) -> StreamingOperation[TranscriptionStreamEvent]:
    return StreamingOperation(transcription_spec(params, stream=True), TRANSCRIPTION_STREAM)


class Transcriptions(SyncResource):
    def complete(self, **params: Unpack[TranscriptionParams]) -> TranscriptionResponse:
        """Transcribe audio from ``file``, ``file_url`` or ``file_id``."""
        return self._run(_complete(params))

    def stream(self, **params: Unpack[TranscriptionParams]) -> Stream[TranscriptionStreamEvent]:
        """Stream a transcription: text deltas, language, segments, then ``transcription.done``."""
        return self._stream(_stream(params))


class AsyncTranscriptions(AsyncResource):
    async def complete(self, **params: Unpack[TranscriptionParams]) -> TranscriptionResponse:
        """Transcribe audio from ``file``, ``file_url`` or ``file_id``."""
        return await self._run(_complete(params))

    def stream(self, **params: Unpack[TranscriptionParams]) -> AsyncStream[TranscriptionStreamEvent]:
        """Stream a transcription; ``async for`` over the result (not awaited)."""
        return self._stream(_stream(params))


class Audio(SyncResource):
    """``client.audio``: holds ``transcriptions``."""

    @cached_property
    def transcriptions(self) -> Transcriptions:
        return Transcriptions(self._sender)


class AsyncAudio(AsyncResource):
    """``client.audio``: holds ``transcriptions``."""

    @cached_property
    def transcriptions(self) -> AsyncTranscriptions:
        return AsyncTranscriptions(self._sender)
