"""Audio transcriptions (``/v1/audio/transcriptions``, multipart), JSON or typed SSE events."""

from __future__ import annotations

import math
from typing import Any

from .chat import split_text
from .multipart import parse_multipart
from .replies import Call, JsonReply, Reply, SseReply, missing, not_found, sse_event, validation_error
from .state import FakeState

__all__ = ["AUDIO_ROUTES"]


def transcribe(state: FakeState, call: Call) -> Reply:
    parts = parse_multipart(call.body, call.headers.get("content-type", ""))
    if parts is None:
        return validation_error([missing("model")])
    fields = {name: part.text for name, part in parts.items() if name != "file"}
    if "model" not in fields:
        return validation_error([missing("model")])
    if "file" in parts:
        name, size = parts["file"].filename or "audio", len(parts["file"].data)
    elif "file_id" in fields:
        stored = state.files.get(fields["file_id"])
        if stored is None:
            return not_found("File", fields["file_id"])
        name, size = str(stored.meta["filename"]), len(stored.data)
    elif "file_url" in fields:
        name, size = fields["file_url"].rsplit("/", 1)[-1], 64000
    else:
        return validation_error([missing("file")])
    seconds = max(1, math.ceil(size / 64000))
    text = f"Fake transcription of {name}, {seconds} seconds of audio."
    language = fields.get("language") or None
    segments: list[dict[str, Any]] = []
    if "segment" in fields.get("timestamp_granularities", ""):
        segments = [
            {
                "type": "transcription_segment",
                "text": text,
                "start": 0.0,
                "end": float(seconds),
                "score": None,
                "speaker_id": None,
            }
        ]
    prompt = seconds * 125
    completion = max(1, len(text) // 4)
    usage = {
        "prompt_audio_seconds": seconds,
        "prompt_tokens": 3,
        "total_tokens": prompt + completion + 3,
        "completion_tokens": completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": prompt},
    }
    body = {"model": fields["model"], "text": text, "language": language, "segments": segments, "usage": usage}
    if fields.get("stream", "").lower() == "true":
        events = [
            sse_event("transcription.language", {"type": "transcription.language", "audio_language": language or "en"})
        ]
        events.extend(
            sse_event("transcription.text.delta", {"type": "transcription.text.delta", "text": piece})
            for piece in split_text(text, state.config.stream_chunks)
        )
        events.append(sse_event("transcription.done", {"type": "transcription.done", **body}))
        return SseReply(events, done=None)
    return JsonReply({**body, "finish_reason": None})


AUDIO_ROUTES = (("POST", "/v1/audio/transcriptions", transcribe),)
