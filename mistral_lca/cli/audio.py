"""``mistral-lca transcribe FILE|URL``: speech to text (Voxtral)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._commands import Subcommands, add_command
from ._context import Context, require_file
from .ocr import is_url

if TYPE_CHECKING:
    from mistral_lca.types.audio import TranscriptionResponse

__all__ = ["register"]

DEFAULT_TRANSCRIPTION_MODEL = "voxtral-mini-latest"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--.-"
    minutes, secs = divmod(float(seconds), 60.0)
    return f"{int(minutes):02d}:{secs:04.1f}"


def _render(response: TranscriptionResponse) -> str:
    if not response.segments:
        return response.text
    lines = []
    for segment in response.segments:
        speaker = f" {segment.speaker_id}:" if segment.speaker_id else ""
        lines.append(f"[{_clock(segment.start)} - {_clock(segment.end)}]{speaker} {segment.text.strip()}")
    return "\n".join(lines)


def _params(ctx: Context) -> dict[str, Any]:
    args = ctx.args
    params: dict[str, Any] = {"model": args.model}
    if args.file_id:
        params["file_id"] = args.source
    elif is_url(args.source):
        params["file_url"] = args.source
    else:
        params["file"] = require_file(args.source)
    if args.language:
        params["language"] = args.language
    if args.timestamps:
        params["timestamp_granularities"] = [args.timestamps]
    if args.diarize:
        params["diarize"] = True
    if args.context_bias:
        params["context_bias"] = args.context_bias
    if args.temperature is not None:
        params["temperature"] = args.temperature
    return params


def _stream(ctx: Context, params: dict[str, Any]) -> int:
    wrote = ""
    with ctx.client.audio.transcriptions.stream(**params) as events:
        for event in events:
            if event.type == "transcription.text.delta":
                text = str(getattr(event, "text", "") or "")
                ctx.out.write(text)
                wrote = text or wrote
            elif event.type == "transcription.language":
                ctx.out.info(f"[language: {getattr(event, 'audio_language', None)}]")
    if wrote and not wrote.endswith("\n"):
        ctx.out.write("\n")
    return 0


def _run(ctx: Context) -> int:
    params = _params(ctx)
    if ctx.args.stream and not ctx.out.json_mode:
        return _stream(ctx, params)
    source = params.get("file")
    if source is not None:
        from .files import upload_input

        with upload_input(ctx, source) as file:
            response = ctx.client.audio.transcriptions.complete(**{**params, "file": file})
    else:
        response = ctx.client.audio.transcriptions.complete(**params)
    if ctx.out.json_mode:
        ctx.out.json(response)
        return 0
    if response.language:
        ctx.out.info(f"[language: {response.language}]")
    ctx.out.text(_render(response))
    return 0


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    cmd = add_command(
        sub,
        "transcribe",
        help="transcribe an audio file or URL",
        parents=parents,
        handler=_run,
        epilog=(
            "examples:\n"
            "  mistral-lca transcribe meeting.mp3 --language en\n"
            "  mistral-lca transcribe https://example.com/talk.wav --timestamps segment --diarize"
        ),
    )
    cmd.add_argument("source", metavar="FILE|URL", help="a local audio file (mp3, wav, m4a...) or an http(s) URL")
    cmd.add_argument(
        "-m", "--model", default=DEFAULT_TRANSCRIPTION_MODEL, help=f"model (default {DEFAULT_TRANSCRIPTION_MODEL})"
    )
    cmd.add_argument("-l", "--language", metavar="CODE", help="the audio's language, e.g. en (improves accuracy)")
    cmd.add_argument("--timestamps", choices=("segment", "word"), help="timed segments in the output")
    cmd.add_argument("--diarize", action="store_true", help="label who speaks (with --timestamps)")
    cmd.add_argument("--context-bias", action="append", metavar="WORD", help="a word or name to favour (repeatable)")
    cmd.add_argument("--temperature", type=float, metavar="T")
    cmd.add_argument("--file-id", action="store_true", help="SOURCE is the id of an uploaded file")
    cmd.add_argument("--stream", action="store_true", help="print the text as it is transcribed")
