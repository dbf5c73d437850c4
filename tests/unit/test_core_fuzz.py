"""Property tests: thousands of mutated real streams and bodies through the decoders; only typed errors escape.

The originals are the project's own recorded-shape cassettes (every JSON answer and every stream they hold) plus
hand-written hostile shapes. Mutations flip, insert, delete, duplicate and truncate bytes, with a bias towards what
breaks parsers (line terminators, a BOM, ``data:`` prefixes, error objects, deep nesting, the token itself). Every
mutated stream goes through every stream decoding in random read sizes; every mutated body through every parser.
Nothing but a :class:`MistralLCAError` may escape, and no error may quote the token.

Deterministic: ``derandomize=True`` and bounded example counts (seconds, not minutes).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from core_support import TOKEN, Recorder, chat_result, chunk, envelope, error_envelope, sse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mistral_lca import MistralLCAClient, MistralLCAError, RateLimiter, RetryPolicy
from mistral_lca._operation import model_parser
from mistral_lca._response import Decoded, decode_body
from mistral_lca._secrets import register_secret
from mistral_lca._sse import StreamDecoding, StreamState
from mistral_lca.resources._common import list_parser, string_parser
from mistral_lca.resources._completions import COMPLETION_STREAM, parse_completion
from mistral_lca.resources.audio import TRANSCRIPTION_STREAM, _parse_transcription
from mistral_lca.resources.conversations import CONVERSATION_STREAM, _parse_response
from mistral_lca.resources.embeddings import embeddings_parser
from mistral_lca.resources.fine_tuning import _parse_created
from mistral_lca.testing import FastForwardClock
from mistral_lca.types.agents import Agent
from mistral_lca.types.batch import BatchJob, ListBatchJobsResponse
from mistral_lca.types.classifiers import ModerationResponse
from mistral_lca.types.files import FileObject, ListFilesResponse
from mistral_lca.types.models import ModelCard, ModelList
from mistral_lca.types.ocr import OCRResponse

register_secret(TOKEN)
CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
FUZZ = settings(
    max_examples=1500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _recorded() -> tuple[list[bytes], list[bytes]]:
    """(streams, JSON bodies) from the project's own cassettes (one variant of each)."""
    streams: list[bytes] = []
    bodies: list[bytes] = []
    files = sorted(CASSETTES.glob("test_core_cassettes/*[[]sync[]].yaml"))
    files += sorted(CASSETTES.glob("test_client_cassettes/*[[]sync-query[]].yaml"))
    for path in files:
        for interaction in yaml.safe_load(path.read_text())["interactions"]:
            response = interaction["response"]
            raw = response["body"].get("string", "")
            data = raw.encode() if isinstance(raw, str) else bytes(raw)
            content_type = " ".join(response.get("headers", {}).get("content-type", ["application/json"]))
            if not data:
                continue
            (streams if "event-stream" in content_type else bodies).append(data)
    return streams, bodies


RECORDED_STREAMS, RECORDED_BODIES = _recorded()
HOSTILE_STREAMS = [
    sse(chunk("", role="assistant"), chunk("Hel"), chunk("lo", finish="stop")),
    b'event: conversation.response.started\ndata: {"type": "conversation.response.started", "conversation_id": "c"}\n\n'
    b'event: message.output.delta\ndata: {"type": "message.output.delta", "content": "x", "id": "m"}\n\n'
    b'event: conversation.response.done\ndata: {"type": "conversation.response.done", "usage": {}}\n\n',
    b'event: transcription.text.delta\ndata: {"type": "transcription.text.delta", "text": "x"}\n\n'
    b'event: transcription.done\ndata: {"type": "transcription.done", "model": "v", "text": "x"}\n\n',
    b'data: {"object": "error", "message": "boom", "code": "1000"}\n\n',
    b'event: error\ndata: {"error": {"message": "x", "code": 429}}\n\n',
]
HOSTILE_BODIES = [
    json.dumps(envelope(chat_result())).encode(),
    json.dumps(
        error_envelope({"detail": [{"loc": ["query", f"api_token={TOKEN}"], "msg": "x", "input": TOKEN}]})
    ).encode(),
    json.dumps(
        {"message": f"bad {TOKEN}", "provider": "mistralai", "error": {"code": 401}, "headers": {"x": TOKEN}}
    ).encode(),
    json.dumps(envelope(None)).encode(),
    b"[" * 3000 + b"]" * 3000,
    b'{"detail": ' + b"[" * 900 + b"]" * 900 + b"}",
    b"",
    b"{}",
]
STREAMS = RECORDED_STREAMS + HOSTILE_STREAMS
BODIES = RECORDED_BODIES + HOSTILE_BODIES
INTERESTING = [
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\xef\xbb\xbf",
    b"data: ",
    b"event: error\n",
    b"event: conversation.response.error\n",
    b": comment\n",
    b"retry: 5\n",
    b"id: \x00\n",
    b'{"error": {"message": "m"}}',
    b'"object": "error", ',
    b'"type": "x.error", ',
    b"[DONE]",
    b"null",
    b"{}",
    b"[]",
    b'"choices": []',
    b'"data": null',
    b"[" * 200,
    b"\\u0000",
    b"\xff\xfe",
    b"\xc3",
    TOKEN.encode(),
    b"api_token=" + TOKEN.encode(),
]
DECODINGS: list[StreamDecoding[Any]] = [COMPLETION_STREAM, CONVERSATION_STREAM, TRANSCRIPTION_STREAM]
PARSERS: list[Callable[[Decoded], Any]] = [
    parse_completion,
    embeddings_parser(None, 2),
    embeddings_parser("int8", 1),
    model_parser(ModelList),
    model_parser(ModelCard),
    model_parser(ModerationResponse),
    model_parser(OCRResponse),
    model_parser(FileObject),
    model_parser(ListFilesResponse),
    model_parser(BatchJob),
    model_parser(ListBatchJobsResponse),
    list_parser(Agent),
    string_parser,
    _parse_response,
    _parse_transcription,
    _parse_created,
]


@st.composite
def mutated(draw: st.DrawFn, originals: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "insert", "insert", "delete", "duplicate", "truncate"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(INTERESTING) | st.binary(max_size=6))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif op == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
        else:
            del data[at:]
    return bytes(data)


def assert_typed(error: BaseException) -> None:
    assert isinstance(error, MistralLCAError), f"{type(error).__name__} escaped: {error!r}"[:500]
    text = f"{error}{error!r}{vars(error)!r}"
    assert TOKEN not in text


def run_stream(decoding: StreamDecoding[Any], data: bytes, sizes: list[int], max_line: int | None) -> None:
    state = StreamState(decoding, max_line)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # what httpx's iter_text does
    start = 0
    for size in sizes or [len(data)]:
        piece, start = data[start : start + size], start + size
        state.feed_text(decoder.decode(piece))
        if state.finished:
            state.raise_failure()
            return
    state.feed_text(decoder.decode(data[start:], final=True))
    if not state.finished:
        state.end()
    state.raise_failure()


@FUZZ
@given(data=mutated(STREAMS), sizes=st.lists(st.integers(1, 97), max_size=30), bounded=st.booleans())
def test_mutated_streams_raise_only_typed_errors(data: bytes, sizes: list[int], bounded: bool) -> None:
    for decoding in DECODINGS:
        try:
            run_stream(decoding, data, sizes, 300 if bounded else None)
        except Exception as exc:
            assert_typed(exc)


STATUSES = st.sampled_from([200, 200, 200, 201, 204, 301, 302, 400, 401, 403, 404, 422, 429, 500, 502, 503])
HEADERS = st.sampled_from(
    [
        {"content-type": "application/json"},
        {"content-type": "text/html"},
        {"location": f"https://lowcodeapi.com/?api_token={TOKEN}"},
        {"retry-after": "soon"},
        {"x-request-url": f"https://x/?api_token={TOKEN}", "retry-after-ms": "nan"},
    ]
)


@FUZZ
@given(body=mutated(BODIES), status=STATUSES, headers=HEADERS)
def test_mutated_bodies_raise_only_typed_errors(body: bytes, status: int, headers: dict[str, str]) -> None:
    try:
        decoded = decode_body(status, headers, body)
    except Exception as exc:
        assert_typed(exc)
        return
    for parse in PARSERS:
        try:
            parse(decoded)
        except Exception as exc:
            assert_typed(exc)


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated(STREAMS + BODIES), stream=st.booleans(), status=STATUSES, content_type=st.booleans())
def test_mutated_answers_through_the_client(data: bytes, stream: bool, status: int, content_type: bool) -> None:
    """The whole path (sender, decoding, parsing) on mutated answers: a typed error or a result, nothing else."""
    headers = {"content-type": "text/event-stream" if content_type else "application/json"}
    http = httpx.Client(transport=httpx.MockTransport(Recorder(httpx.Response(status, headers=headers, content=data))))
    policy = RetryPolicy(max_retries=1, initial_delay=0.0, max_delay=0.0)
    clock = FastForwardClock()  # sleeps are skipped, so the rate limiter's clock must move with them
    limiter = RateLimiter(clock=clock)
    with MistralLCAClient(
        api_token=TOKEN, http_client=http, retry_policy=policy, max_response_bytes=50_000, rate_limiter=limiter
    ) as client:
        client._sender.sleep = clock.sleep
        try:
            if stream:
                for _ in client.chat.stream(model="m", messages=[{"role": "user", "content": "x"}]):
                    pass
            else:
                client.chat.complete(model="m", messages=[{"role": "user", "content": "x"}])
        except Exception as exc:
            assert_typed(exc)


def test_the_corpus_is_real() -> None:
    assert len(RECORDED_STREAMS) >= 4 and len(RECORDED_BODIES) >= 30
    assert any(b"chat.completion.chunk" in s for s in RECORDED_STREAMS)


@pytest.mark.parametrize("decoding", DECODINGS, ids=["completion", "conversation", "transcription"])
@pytest.mark.parametrize("index", range(len(HOSTILE_STREAMS)))
def test_unmutated_hostile_streams(decoding: StreamDecoding[Any], index: int) -> None:
    try:
        run_stream(decoding, HOSTILE_STREAMS[index], [], None)
    except Exception as exc:
        assert_typed(exc)
