"""``client.audio.transcriptions``: multipart building, the three audio sources, typed-event streams."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_support import (
    Recorder,
    assert_request,
    build_client,
    call,
    collect,
    form_fields,
    multipart_parts,
    ok,
    sse_events,
)

from mistral_lca import InvalidRequestError, ServerError, StreamError
from mistral_lca.types.audio import (
    TranscriptionDoneEvent,
    TranscriptionLanguageEvent,
    TranscriptionResponse,
    TranscriptionSegmentEvent,
    TranscriptionTextDeltaEvent,
    UnknownTranscriptionEvent,
)

RESULT: dict[str, Any] = {
    "model": "voxtral-mini-latest",
    "text": "Ruby is a programming language designed for developer happiness.",
    "language": None,
    "segments": [],
    "usage": {"prompt_audio_seconds": 3, "prompt_tokens": 3, "total_tokens": 389, "completion_tokens": 11},
    "finish_reason": None,
}
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 16


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "hello.wav"
    path.write_bytes(WAV)
    return path


async def test_complete_uploads_the_file_with_every_option(make_client: Any, form: str, wav: Path) -> None:
    rec = Recorder(ok(RESULT))
    result = await call(
        make_client(rec),
        "audio.transcriptions.complete",
        model="voxtral-mini-latest",
        file=wav,
        language="en",
        temperature=0.0,
        diarize=True,
        context_bias=["Voxtral", "LowCodeAPI"],
        timestamp_granularities=["segment", "word"],
    )
    assert isinstance(result, TranscriptionResponse)
    assert result.text.startswith("Ruby is") and result.usage.prompt_audio_seconds == 3
    assert_request(rec.last, "POST", form, "/v1/audio/transcriptions")
    assert form_fields(rec.last) == {
        "model": ["voxtral-mini-latest"],
        "language": ["en"],
        "temperature": ["0.0"],
        "diarize": ["true"],
        "context_bias": ["Voxtral", "LowCodeAPI"],
        "timestamp_granularities": ["segment", "word"],
    }
    audio = multipart_parts(rec.last)[-1]
    assert (audio.name, audio.filename, audio.content_type, audio.data) == ("file", "hello.wav", "audio/x-wav", WAV)


@pytest.mark.parametrize(("source", "value"), [("file_url", "https://x/a.mp3"), ("file_id", "f-77")])
async def test_url_and_id_sources_are_still_multipart(make_client: Any, source: str, value: str) -> None:
    rec = Recorder(ok(RESULT))
    await call(make_client(rec), "audio.transcriptions.complete", model="voxtral-mini-latest", **{source: value})
    assert rec.last.headers["content-type"].startswith("multipart/form-data")
    assert form_fields(rec.last) == {source: [value], "model": ["voxtral-mini-latest"]}
    assert all(p.filename is None for p in multipart_parts(rec.last))


async def test_bytes_with_a_filename(make_client: Any) -> None:
    rec = Recorder(ok(RESULT))
    await call(make_client(rec), "audio.transcriptions.complete", model="m", file=WAV, filename="clip.wav")
    assert multipart_parts(rec.last)[-1].filename == "clip.wav"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "m"}, "exactly one of file, file_url or file_id"),
        ({"model": "m", "file_url": "https://x", "file_id": "f"}, r"got file_url, file_id"),
        ({"model": "", "file_id": "f"}, "model"),
        ({"model": "m", "file": "/no/such/audio.mp3"}, "/no/such/audio.mp3"),
        ({"model": "m", "file_id": "f", "timestamp_granularities": "segment"}, "timestamp_granularities"),
    ],
)
async def test_bad_calls_are_rejected_before_sending(make_client: Any, kwargs: Any, message: str) -> None:
    rec = Recorder(ok(RESULT))
    with pytest.raises(InvalidRequestError, match=message):
        await call(make_client(rec), "audio.transcriptions.complete", **kwargs)
    assert rec.requests == []


STREAM = [
    ("transcription.language", {"type": "transcription.language", "audio_language": "en"}),
    ("transcription.text.delta", {"type": "transcription.text.delta", "text": "Ruby is"}),
    ("transcription.text.delta", {"type": "transcription.text.delta", "text": " great."}),
    ("transcription.segment", {"type": "transcription.segment", "text": "Ruby is great.", "start": 0.0, "end": 1.5}),
    ("transcription.brand_new", {"type": "transcription.brand_new", "x": 1}),
    ("transcription.done", {**RESULT, "type": "transcription.done", "text": "Ruby is great."}),
]


async def test_stream_yields_typed_events_and_the_done_event(make_client: Any, wav: Path) -> None:
    rec = Recorder(
        sse_events(*STREAM, ("transcription.text.delta", {"type": "transcription.text.delta", "text": "late"}))
    )
    events = await collect(make_client(rec).audio.transcriptions.stream(model="voxtral-mini-latest", file=wav))
    assert [type(e) for e in events] == [
        TranscriptionLanguageEvent,
        TranscriptionTextDeltaEvent,
        TranscriptionTextDeltaEvent,
        TranscriptionSegmentEvent,
        UnknownTranscriptionEvent,
        TranscriptionDoneEvent,
    ]  # nothing after the done event
    assert "".join(e.text for e in events if isinstance(e, TranscriptionTextDeltaEvent)) == "Ruby is great."
    assert events[-1].usage.total_tokens == 389
    assert form_fields(rec.last)["stream"] == ["true"]
    assert rec.last.headers["accept"] == "text/event-stream"


@pytest.mark.parametrize(
    "error",
    [
        ("error", {"message": "Audio decoding failed", "code": 3000}),
        ("transcription.error", {"type": "transcription.error", "message": "Audio decoding failed"}),
        (None, {"object": "error", "message": "Audio decoding failed", "type": "invalid_audio"}),
    ],
)
async def test_an_error_event_raises_after_the_events_before_it(make_client: Any, wav: Path, error: Any) -> None:
    rec = Recorder(sse_events(*STREAM[:2], error, STREAM[2]))
    stream = make_client(rec, max_retries=0).audio.transcriptions.stream(model="voxtral-mini-latest", file=wav)
    received: list[Any] = []
    with pytest.raises(ServerError, match="Audio decoding failed"):
        if hasattr(stream, "__aiter__"):
            async for event in stream:
                received.append(event)
        else:
            received.extend(stream)
    assert [type(e) for e in received] == [TranscriptionLanguageEvent, TranscriptionTextDeltaEvent]


async def test_stream_without_event_names_still_ends_at_done(make_client: Any) -> None:
    rec = Recorder(sse_events(*[(None, data) for _, data in STREAM]))
    events = await collect(make_client(rec).audio.transcriptions.stream(model="m", file_url="https://x/a.mp3"))
    assert isinstance(events[-1], TranscriptionDoneEvent) and len(events) == 6


async def test_stream_answered_with_json_becomes_one_done_event(make_client: Any) -> None:
    rec = Recorder(ok(RESULT))
    events = await collect(make_client(rec).audio.transcriptions.stream(model="m", file_id="f-1"))
    assert len(events) == 1 and isinstance(events[0], TranscriptionDoneEvent)
    assert events[0].text == RESULT["text"]


async def test_stream_cut_before_done_raises(mode: str) -> None:
    rec = Recorder(sse_events(*STREAM[:2]))
    with pytest.raises(StreamError, match="end marker"):
        await collect(build_client(mode, rec, max_retries=0).audio.transcriptions.stream(model="m", file_id="f"))


async def test_stream_retries_reopen_the_file(mode: str, wav: Path) -> None:
    rec = Recorder(httpx.ConnectError("refused"), sse_events(*STREAM))
    events = await collect(build_client(mode, rec).audio.transcriptions.stream(model="m", file=wav))
    assert isinstance(events[-1], TranscriptionDoneEvent)
    assert [multipart_parts(r)[-1].data for r in rec.requests] == [WAV, WAV]
    assert json.loads(json.dumps(form_fields(rec.requests[1]))) == {"model": ["m"], "stream": ["true"]}
