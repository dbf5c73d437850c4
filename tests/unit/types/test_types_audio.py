"""Transcription models: request form fields, plain response, and stream events."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mistral_lca.types.audio import (
    TranscriptionDoneEvent,
    TranscriptionLanguageEvent,
    TranscriptionRequest,
    TranscriptionResponse,
    TranscriptionSegmentEvent,
    TranscriptionTextDeltaEvent,
    UnknownTranscriptionEvent,
    parse_transcription_event,
)

# Shape of a real answer (voxtral-mini-latest, 2026-08).
REAL_RESPONSE: dict[str, Any] = {
    "model": "voxtral-mini-latest",
    "text": "Ruby is a programming language designed for developer happiness.",
    "language": None,
    "segments": [],
    "usage": {
        "prompt_audio_seconds": 3,
        "prompt_tokens": 3,
        "total_tokens": 389,
        "completion_tokens": 11,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 375},
        "service_tier": "standard",
    },
    "finish_reason": None,
}


def test_real_response_parses() -> None:
    resp = TranscriptionResponse.model_validate(REAL_RESPONSE)
    assert resp.model == "voxtral-mini-latest"
    assert resp.text.startswith("Ruby is")
    assert resp.language is None
    assert resp.segments == []
    assert resp.usage.prompt_audio_seconds == 3
    assert resp.usage.total_tokens == 389
    assert resp.usage.prompt_tokens_details == {"cached_tokens": 0, "audio_tokens": 375}
    assert resp.usage.service_tier == "standard"
    assert resp.finish_reason is None


def test_segments_with_speakers_and_missing_usage() -> None:
    resp = TranscriptionResponse.model_validate(
        {
            "model": "voxtral-mini-2507",
            "text": "Hello. Hi.",
            "language": "en",
            "segments": [
                {"type": "transcription_segment", "text": "Hello.", "start": 0.0, "end": 1.2, "speaker_id": "s1"},
                {"text": "Hi.", "start": 1.3, "end": 2.0, "score": 0.9, "speaker_id": "s2", "words": []},
            ],
        }
    )
    assert resp.language == "en"
    assert [(s.text, s.start, s.end, s.speaker_id) for s in resp.segments] == [
        ("Hello.", 0.0, 1.2, "s1"),
        ("Hi.", 1.3, 2.0, "s2"),
    ]
    assert resp.segments[1].score == 0.9
    assert resp.segments[1].model_extra == {"words": []}
    assert resp.usage.total_tokens == 0


def test_request_body_and_form() -> None:
    req = TranscriptionRequest(
        model="voxtral-mini-latest",
        file_url="https://docs.mistral.ai/audio/obama.mp3",
        language="en",
        diarize=True,
        temperature=0.0,
        context_bias=["Mistral", "Voxtral"],
        timestamp_granularities=["segment"],
    )
    assert req.to_body() == {
        "model": "voxtral-mini-latest",
        "file_url": "https://docs.mistral.ai/audio/obama.mp3",
        "language": "en",
        "diarize": True,
        "temperature": 0.0,
        "context_bias": ["Mistral", "Voxtral"],
        "timestamp_granularities": ["segment"],
    }
    assert req.to_form() == {
        "model": "voxtral-mini-latest",
        "file_url": "https://docs.mistral.ai/audio/obama.mp3",
        "language": "en",
        "diarize": "true",
        "temperature": "0.0",
        "context_bias": ["Mistral", "Voxtral"],
        "timestamp_granularities": ["segment"],
    }
    assert TranscriptionRequest(model="m", stream=False).to_form() == {"model": "m", "stream": "false"}
    assert TranscriptionRequest(model="m", file_id="f1").to_body() == {"model": "m", "file_id": "f1"}
    with pytest.raises(ValidationError):
        TranscriptionRequest()  # type: ignore[call-arg]


def test_stream_events_parse_to_typed_models() -> None:
    lang = parse_transcription_event(
        "transcription.language", {"type": "transcription.language", "audio_language": "en"}
    )
    assert isinstance(lang, TranscriptionLanguageEvent)
    assert lang.audio_language == "en"

    delta = parse_transcription_event("transcription.text.delta", {"type": "transcription.text.delta", "text": "Hello"})
    assert isinstance(delta, TranscriptionTextDeltaEvent)
    assert delta.text == "Hello"

    seg = parse_transcription_event(
        "transcription.segment",
        {"type": "transcription.segment", "text": "Hello", "start": 0.1, "end": 0.9, "speaker_id": None},
    )
    assert isinstance(seg, TranscriptionSegmentEvent)
    assert (seg.start, seg.end) == (0.1, 0.9)

    done = parse_transcription_event(
        "transcription.done", {**REAL_RESPONSE, "type": "transcription.done", "language": "en"}
    )
    assert isinstance(done, TranscriptionDoneEvent)
    assert done.text.startswith("Ruby")
    assert done.usage.prompt_audio_seconds == 3


def test_stream_event_type_from_sse_name_when_data_has_none() -> None:
    delta = parse_transcription_event("transcription.text.delta", {"text": "x"})
    assert isinstance(delta, TranscriptionTextDeltaEvent)
    assert delta.type == "transcription.text.delta"


def test_unknown_or_malformed_stream_events_do_not_fail() -> None:
    unknown = parse_transcription_event("transcription.words", {"type": "transcription.words", "words": [1]})
    assert isinstance(unknown, UnknownTranscriptionEvent)
    assert unknown.type == "transcription.words"
    assert unknown.model_extra == {"words": [1]}

    nameless = parse_transcription_event(None, {"p": "padding"})
    assert isinstance(nameless, UnknownTranscriptionEvent)
    assert nameless.type is None

    malformed = parse_transcription_event("transcription.segment", {"text": "x", "start": "soon"})
    assert isinstance(malformed, UnknownTranscriptionEvent)
    assert malformed.type == "transcription.segment"
