"""Streams against hostile bodies: error events mid-stream, a BOM, very long lines, and abandoned streams."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import httpx
import pytest
from core_support import chunk, sse
from support_errors import drain
from test_core_streaming import MESSAGES, USAGE, SplitStream, sse_response, texts

from mistral_lca import APIStatusError, RateLimitError, ResponseTooLargeError, ServerError
from mistral_lca._sse import LineSplitter, ServerSentEvent, error_in_event

BEFORE = [chunk("", role="assistant"), chunk("Hel")]


ERROR_EVENTS = {
    "event: error": 'event: error\ndata: {"message": "Service overloaded", "code": "1000"}\n\n',
    "error object": 'data: {"object": "error", "message": "Service overloaded", "type": "internal_error", "code": "1000"}\n\n',
    "wrapped error": 'data: {"error": {"message": "Service overloaded", "type": "server_error", "code": null}}\n\n',
    "bare event: error": "event: error\ndata: Service overloaded\n\n",
}


@pytest.mark.parametrize("kind", list(ERROR_EVENTS))
@pytest.mark.parametrize("size", [7, 10**6])  # split reads, and a proxy that buffered the whole stream
async def test_an_error_event_raises_after_what_came_before(make_client: Any, kind: str, size: int) -> None:
    data = sse(*BEFORE, done=False) + ERROR_EVENTS[kind].encode() + sse(chunk("lo"), done=True)
    client = make_client(lambda r: sse_response(data, size), max_retries=3)
    received, error = await drain(client.chat.stream(model="m", messages=MESSAGES))
    assert texts(received) == "Hel"  # delivered, and nothing after the error
    assert isinstance(error, ServerError) and error.status_code == 500
    assert "Service overloaded" in error.message and "stream reported an error" in error.message
    assert client.sleeps == []  # events were delivered: never replayed


async def test_an_error_event_in_the_batches_of_one_read(make_client: Any) -> None:
    data = sse(*BEFORE, done=False) + ERROR_EVENTS["error object"].encode()
    stream = make_client(lambda r: sse_response(data, 10**6)).chat.stream(model="m", messages=MESSAGES)
    batches, error = await drain(stream.batches())
    assert [len(b) for b in batches] == [2] and isinstance(error, ServerError)


async def test_an_error_event_names_its_status(make_client: Any) -> None:
    event = 'data: {"object": "error", "message": "Rate limit exceeded", "type": "rate_limited", "code": "1300", "raw_status_code": 429}\n\n'
    data = sse(*BEFORE, done=False) + event.encode()
    _, error = await drain(make_client(lambda r: sse_response(data)).chat.stream(model="m", messages=MESSAGES))
    assert isinstance(error, RateLimitError) and error.code == "1300" and error.error_type == "rate_limited"


async def test_an_error_event_before_any_content_is_retried_like_a_5xx(make_client: Any) -> None:
    failing = ERROR_EVENTS["event: error"].encode()
    answers = [sse_response(failing), sse_response(sse(*BEFORE, chunk("lo", finish="stop", usage=USAGE)))]
    client = make_client(lambda r: answers.pop(0))
    received, error = await drain(client.chat.stream(model="m", messages=MESSAGES))
    assert error is None and texts(received) == "Hello" and len(client.sleeps) == 1


async def test_an_error_as_the_last_line_of_a_body_without_terminator(make_client: Any) -> None:
    data = sse(*BEFORE, done=False) + b'data: {"object": "error", "message": "cut"}'
    received, error = await drain(
        make_client(lambda r: sse_response(data, 10**6)).chat.stream(model="m", messages=MESSAGES)
    )
    assert texts(received) == "Hel" and isinstance(error, APIStatusError) and "cut" in error.message


@pytest.mark.parametrize(
    "content",
    ["an error", 'say "error"', "error", '{"error": 1}', "conversation.response.error"],
)
async def test_ordinary_text_about_errors_is_not_an_error(make_client: Any, content: str) -> None:
    data = sse(chunk("", role="assistant"), chunk(content), chunk("", finish="stop", usage=USAGE))
    received, error = await drain(make_client(lambda r: sse_response(data)).chat.stream(model="m", messages=MESSAGES))
    assert error is None and texts(received) == content


def test_error_in_event_recognises_each_form() -> None:
    assert error_in_event(ServerSentEvent(None, '{"id": "x", "choices": [], "p": "error\\""}')) is None
    assert error_in_event(ServerSentEvent("message.output.delta", '{"type": "message.output.delta"}')) is None
    assert error_in_event(ServerSentEvent("conversation.response.error", '{"message": "m", "code": 3000}')) == {
        "message": "m",
        "code": 3000,
    }
    assert error_in_event(ServerSentEvent(None, '{"type": "conversation.response.error", "message": "m"}'))
    assert error_in_event(ServerSentEvent(None, '{"type": "tool.execution.done", "error": "quoted"}')) is None
    assert error_in_event(ServerSentEvent("error", "")) == {}


@pytest.mark.parametrize("size", [1, 2, 3, 10**6])
async def test_a_leading_bom_does_not_drop_the_first_event(make_client: Any, size: int) -> None:
    data = "\ufeff".encode() + sse(chunk("Hel", role="assistant"), chunk("lo", finish="stop", usage=USAGE))
    received, error = await drain(
        make_client(lambda r: sse_response(data, size)).chat.stream(model="m", messages=MESSAGES)
    )
    assert error is None and texts(received) == "Hello"


def test_only_a_leading_bom_is_dropped() -> None:
    splitter = LineSplitter()
    assert splitter.split("") == []
    assert splitter.split("\ufeffdata: a\n") == ["data: a"]
    assert splitter.split("\ufeffdata: b\n") == ["\ufeffdata: b"]


def test_a_long_line_is_held_in_pieces_and_joined_once() -> None:
    splitter = LineSplitter()
    piece = "x" * 1000
    for _ in range(2000):
        assert splitter.split(piece) == []
    assert len(splitter._pending) == 2000  # kept as pieces: no re-copy of the growing line per read
    assert splitter.split("y\r") == []  # a CR alone may still be half of CRLF
    assert splitter.split("\nnext") == ["x" * 2_000_000 + "y"]
    assert splitter.finish() == ["next"]


def test_line_terminators_across_pieces() -> None:
    splitter = LineSplitter()
    out: list[str] = []
    for piece in ["da", "ta: a", "\r", "\n", "data: b\r", "data: c", "", "\r\n\n", "tail"]:
        out += splitter.split(piece)
    assert out + splitter.finish() == ["data: a", "data: b", "data: c", "", "tail"]


def test_a_line_longer_than_the_bound_is_a_typed_error() -> None:
    splitter = LineSplitter(max_line=100)
    assert splitter.split("x" * 60) == []
    with pytest.raises(ResponseTooLargeError, match="a line of the stream"):
        splitter.split("x" * 60)
    with pytest.raises(ResponseTooLargeError):
        LineSplitter(max_line=100).split("y" * 101 + "\n")
    assert LineSplitter(max_line=100).split("z" * 100 + "\n") == ["z" * 100]


async def test_a_stream_line_longer_than_max_response_bytes_stops_the_stream(make_client: Any) -> None:
    data = b"data: " + b"x" * 5000 + b"\n\n" + sse(chunk("a"))
    client = make_client(lambda r: sse_response(data, 512), max_response_bytes=1000)
    received, error = await drain(client.chat.stream(model="m", messages=MESSAGES))
    assert received == [] and isinstance(error, ResponseTooLargeError) and error.limit == 1000
    assert client.sleeps == []  # a bound is not retried


class ClosingStream(SplitStream):
    """A body that records whether it was closed (the connection given back or discarded)."""

    def __init__(self, data: bytes, closed: list[bool]) -> None:
        super().__init__(data, 64)
        self.closed = closed

    def close(self) -> None:
        self.closed.append(True)

    async def aclose(self) -> None:
        self.closed.append(True)


async def test_an_abandoned_stream_closes_its_response(make_client: Any, mode: str) -> None:
    closed: list[bool] = []
    data = sse(*[chunk(str(i)) for i in range(50)])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=ClosingStream(data, closed))

    client = make_client(handler)
    stream = client.chat.stream(model="m", messages=MESSAGES)
    if mode == "sync":
        next(iter(stream))
    else:
        await stream.__anext__()
    alive = weakref.ref(stream)
    del stream  # a `break` and the last reference gone: no close() call
    if mode == "async":
        for _ in range(5):
            await asyncio.sleep(0)  # asyncio finalises the abandoned generator on its loop
    assert alive() is None  # freed at once by reference counting: nothing holds it in a cycle
    assert closed == [True]
