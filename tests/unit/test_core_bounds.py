"""Bounded calls: ``deadline=`` (the whole call) and ``max_response_bytes=`` (the answer, after decompression)."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from core_support import TOKEN, call, chat_result, chunk, collect, envelope, sse

from mistral_lca import (
    APITimeoutError,
    ConfigurationError,
    DeadlineExceededError,
    MistralLCAClient,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
)
from mistral_lca._bounds import BodyReader, Deadline
from mistral_lca._config import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, resolve_config

MESSAGES = [{"role": "user", "content": "hi"}]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def request() -> httpx.Request:
    return httpx.Request("GET", "https://example.test/v1/x", extensions={"timeout": httpx.Timeout(120.0).as_dict()})


def test_a_deadline_is_a_small_pure_object() -> None:
    clock = Clock()
    deadline = Deadline(10.0, clock=clock)
    assert deadline.started == 100.0 and deadline.remaining() == 10.0 and not deadline.expired
    clock.now += 4
    assert deadline.remaining() == 6.0 and deadline.allows_wait(5.9) and not deadline.allows_wait(6.0)
    req = request()
    deadline.bound(req)
    assert set(req.extensions["timeout"].values()) == {6.0}  # every per-operation timeout capped
    clock.now += 6
    assert deadline.expired and deadline.remaining() == 0.0
    with pytest.raises(DeadlineExceededError, match="deadline of 10s") as info:
        deadline.check(req)
    assert isinstance(info.value, APITimeoutError) and info.value.deadline == 10.0
    with pytest.raises(DeadlineExceededError):
        deadline.bound(request())


@pytest.mark.parametrize("seconds", [None, math.inf])
def test_an_unbounded_deadline_never_expires(seconds: float | None) -> None:
    clock = Clock()
    deadline = Deadline(seconds, clock=clock)
    clock.now += 1e9
    req = request()
    deadline.bound(req)
    assert deadline.remaining() is None and not deadline.expired and deadline.allows_wait(1e9)
    assert req.extensions["timeout"]["read"] == 120.0
    deadline.check(req)


def test_config_defaults_and_validation() -> None:
    config = resolve_config(api_token=TOKEN)
    assert config.call_deadline == DEFAULT_DEADLINE == 600.0 and config.stream_deadline is None
    assert config.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 64 * 1024 * 1024
    bounded = resolve_config(api_token=TOKEN, deadline=30, max_response_bytes=1000)
    assert bounded.call_deadline == bounded.stream_deadline == 30.0 and bounded.max_response_bytes == 1000
    unbounded = resolve_config(api_token=TOKEN, deadline=math.inf)
    assert unbounded.call_deadline is None and unbounded.stream_deadline is None
    for bad in (0, -1, True, "5", math.nan):
        with pytest.raises(ConfigurationError, match="deadline"):
            resolve_config(api_token=TOKEN, deadline=bad)  # type: ignore[arg-type]
    for bad_size in (0, -5, 1.5, True):
        with pytest.raises(ConfigurationError, match="max_response_bytes"):
            resolve_config(api_token=TOKEN, max_response_bytes=bad_size)  # type: ignore[arg-type]
    assert MistralLCAClient(api_token=TOKEN, deadline=5).config.deadline == 5.0


class Trickle(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives one small piece at a time, ``pause`` seconds apart (a slow or endless server)."""

    def __init__(self, pieces: list[bytes] | None, pause: float) -> None:
        self.pieces, self.pause = pieces, pause

    def _all(self) -> Iterator[bytes]:
        if self.pieces is None:
            while True:
                yield b": keep-alive\n"
        yield from self.pieces

    def __iter__(self) -> Iterator[bytes]:
        for piece in self._all():
            time.sleep(self.pause)
            yield piece

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._all():
            await asyncio.sleep(self.pause)
            yield piece


def streamed(body: bytes, **headers: str) -> httpx.Response:
    """An answer whose body arrives over the network in 16 KB reads (not pre-read, as a mock's would be)."""
    pieces = [body[i : i + 16384] for i in range(0, len(body), 16384)]
    names = {name.replace("_", "-"): value for name, value in headers.items()}
    return httpx.Response(200, headers=names, stream=Trickle(pieces, 0.0))


def trickling(body: bytes, content_type: str, pause: float = 0.02) -> httpx.Response:
    pieces = [body[i : i + 1] for i in range(len(body))]
    return httpx.Response(200, headers={"content-type": content_type}, stream=Trickle(pieces, pause))


async def test_a_trickling_answer_ends_at_the_deadline(make_client: Any) -> None:
    body = json.dumps(envelope(chat_result("x" * 500))).encode()
    client = make_client(lambda r: trickling(body, "application/json"), deadline=0.3, max_retries=5)
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    assert time.monotonic() - started < 5  # far from the ~20 s the body would take; never retried
    assert client.sleeps == []


async def test_an_endless_stream_ends_at_the_deadline(make_client: Any) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Trickle(None, 0.01))

    client = make_client(endless, deadline=0.2)
    with pytest.raises(DeadlineExceededError):
        await collect(client.chat.stream(model="m", messages=MESSAGES))


async def test_streams_have_no_deadline_by_default(make_client: Any) -> None:
    data = sse(chunk("", role="assistant"), chunk("ok", finish="stop"))
    client = make_client(lambda r: trickling(data, "text/event-stream", pause=0.0))
    assert client._sender.config.stream_deadline is None
    events = await collect(client.chat.stream(model="m", messages=MESSAGES))
    assert events[-1].data.choices[0].delta.content == "ok"


async def test_a_retry_wait_past_the_deadline_is_not_taken(make_client: Any) -> None:
    busy = httpx.Response(503, json={"message": "busy"}, headers={"retry-after": "30"})
    client = make_client(lambda r: busy, deadline=5)
    with pytest.raises(ServerError):  # the real failure, at once, rather than a 30 s wait that cannot help
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    assert client.sleeps == []
    patient = make_client(lambda r: busy, max_retries=1)  # default deadline: 600 s
    with pytest.raises(ServerError):
        await call(patient, "chat.complete", model="m", messages=MESSAGES)
    assert patient.sleeps == [30.0]


async def test_a_timeout_after_the_deadline_is_reported_as_the_deadline(make_client: Any) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        # what httpx raises when the per-read timeout (capped at the time left) fires
        assert request.extensions["timeout"]["read"] <= 0.2
        time.sleep(0.25)
        raise httpx.ReadTimeout("timed out", request=request)

    client = make_client(slow, deadline=0.2, max_retries=3)
    with pytest.raises(DeadlineExceededError):
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    assert client.sleeps == []


async def test_an_oversized_answer_stops_early(make_client: Any) -> None:
    big = json.dumps(envelope(chat_result("x" * 50_000))).encode()
    client = make_client(lambda r: httpx.Response(200, content=big), max_response_bytes=10_000)
    with pytest.raises(ResponseTooLargeError, match="10,000 bytes") as info:
        await call(client, "chat.complete", model="m", messages=MESSAGES)
    assert info.value.limit == 10_000 and client.sleeps == []
    fits = make_client(lambda r: httpx.Response(200, content=big), max_response_bytes=len(big))
    assert (await call(fits, "chat.complete", model="m", messages=MESSAGES)).choices


async def test_an_oversized_json_answer_to_a_stream_request_stops(make_client: Any) -> None:
    big = json.dumps(envelope(chat_result("x" * 50_000))).encode()
    client = make_client(lambda r: httpx.Response(200, content=big), max_response_bytes=10_000)
    with pytest.raises(ResponseTooLargeError):
        await collect(client.chat.stream(model="m", messages=MESSAGES))


def bomb(size: int, encoding: str) -> bytes:
    zeros = b"0" * size
    if encoding == "gzip":
        return gzip.compress(zeros, compresslevel=9)
    if encoding == "deflate":
        return zlib.compress(zeros, 9)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate
    return compressor.compress(zeros) + compressor.flush()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
async def test_a_compression_bomb_is_stopped_while_inflating(make_client: Any, encoding: str) -> None:
    body = bomb(50_000_000, encoding)
    assert len(body) < 100_000
    header = "deflate" if encoding == "raw-deflate" else encoding
    client = make_client(lambda r: streamed(body, content_encoding=header), max_response_bytes=1_000_000)
    with pytest.raises(ResponseTooLargeError):
        await call(client, "chat.complete", model="m", messages=MESSAGES)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_the_reader_inflates_in_bounded_steps(encoding: str) -> None:
    body = bomb(50_000_000, encoding)
    reader = BodyReader(1_000_000, Deadline(None), request(), "deflate" if encoding == "raw-deflate" else encoding)
    assert reader.raw
    with pytest.raises(ResponseTooLargeError):
        for i in range(0, len(body), 8192):
            reader.add(body[i : i + 8192])
    assert sum(len(c) for c in reader._chunks) <= 1_000_000  # never held more than the bound


async def test_a_compressed_answer_within_the_bound_decodes(make_client: Any) -> None:
    raw = json.dumps(envelope(chat_result("compressed"))).encode()
    client = make_client(lambda r: streamed(gzip.compress(raw), content_encoding="gzip"))
    reply = await call(client, "chat.complete", model="m", messages=MESSAGES)
    assert reply.choices[0].message.content == "compressed"


async def test_a_broken_compressed_answer_is_a_decode_error(make_client: Any) -> None:
    client = make_client(lambda r: streamed(b"not gzip at all", content_encoding="gzip"))
    with pytest.raises(ResponseDecodeError, match="gzip encoding is broken"):
        await call(client, "chat.complete", model="m", messages=MESSAGES)


async def test_file_contents_are_exempt_from_the_bound(make_client: Any) -> None:
    data = b"\x00" * 50_000
    answer = httpx.Response(200, content=data, headers={"content-type": "application/octet-stream"})
    client = make_client(lambda r: answer, max_response_bytes=1_000)
    assert await call(client, "files.download", "f-1") == data
