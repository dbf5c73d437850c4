"""SSE parsing and streaming through both clients: split reads, buffered bodies, early ends, JSON answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from core_support import chat_result, chunk, collect, envelope, error_envelope, sse

from mistral_lca import AuthenticationError, ServerError, StreamError
from mistral_lca._sse import ServerSentEvent, SSEDecoder

MESSAGES = [{"role": "user", "content": "hi"}]
USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5, "prompt_tokens_details": {"cached_tokens": 1}}
STREAM = sse(chunk("", role="assistant"), chunk("Hel"), chunk("lo", finish="stop", usage=USAGE))


class SplitStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Delivers a body in awkward pieces (mid-line, mid-UTF-8), optionally failing after some bytes."""

    def __init__(self, data: bytes, size: int, fail_after: int | None = None) -> None:
        self.data, self.size, self.fail_after = data, size, fail_after

    def _pieces(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), self.size):
            if self.fail_after is not None and start >= self.fail_after:
                raise httpx.ReadError("connection reset by peer")
            yield self.data[start : start + self.size]

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces():
            yield piece


def sse_response(data: bytes, size: int = 7, fail_after: int | None = None) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=SplitStream(data, size, fail_after)
    )


def texts(events: list[Any]) -> str:
    return "".join(e.data.choices[0].delta.content or "" for e in events)


def test_decoder_follows_the_sse_spec() -> None:
    decoder = SSEDecoder()
    lines = [
        ": comment",
        "event: message.output.delta",
        "id: 7",
        "retry: 10",
        'data: {"a":',
        "data: 1}",
        "bogus: x",
        "",
    ]
    events = [e for e in (decoder.decode(line) for line in lines) if e is not None]
    assert events == [ServerSentEvent("message.output.delta", '{"a":\n1}', "7", 10)]
    assert decoder.decode("data:no-space") is None
    assert decoder.flush() == ServerSentEvent(None, "no-space", "7", None)  # the last event id persists
    assert decoder.flush() is None


@pytest.mark.parametrize("size", [1, 5, 64, 100000])
async def test_stream_across_any_read_boundaries(make_client: Any, size: int) -> None:
    data = sse(chunk("", role="assistant"), chunk("héllo "), chunk("wörld", finish="stop", usage=USAGE))
    client = make_client(lambda request: sse_response(data, size))
    events = await collect(client.chat.stream(model="m", messages=MESSAGES))
    assert texts(events) == "héllo wörld"
    last = events[-1].data
    assert last.usage.total_tokens == 5 and last.usage.cached_tokens == 1
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra == {"p": "abcdef"}  # the padding field is kept, not rejected


async def test_stream_request_body_and_headers(make_client: Any) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return sse_response(STREAM)

    await collect(make_client(handler).chat.stream(model="m", messages=MESSAGES, temperature=0.2))
    assert json.loads(seen[0].content) == {"model": "m", "messages": MESSAGES, "temperature": 0.2, "stream": True}
    assert seen[0].headers["accept"] == "text/event-stream"


async def test_buffered_body_without_trailing_blank_line(make_client: Any) -> None:
    data = STREAM.rstrip(b"\n")
    events = await collect(make_client(lambda r: sse_response(data, 10**6)).chat.stream(model="m", messages=MESSAGES))
    assert texts(events) == "Hello"


async def test_crlf_line_endings(make_client: Any) -> None:
    data = STREAM.replace(b"\n", b"\r\n")
    assert (
        texts(await collect(make_client(lambda r: sse_response(data)).chat.stream(model="m", messages=MESSAGES)))
        == "Hello"
    )


async def test_stream_without_done_marker_raises_stream_error(make_client: Any) -> None:
    data = sse(chunk("a"), chunk("b"), done=False)
    stream = make_client(lambda r: sse_response(data), max_retries=0).chat.stream(model="m", messages=MESSAGES)
    with pytest.raises(StreamError, match="ended before"):
        await collect(stream)


async def test_stream_cut_before_first_event_is_retried(make_client: Any) -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        return sse_response(STREAM, size=4, fail_after=4 if len(attempts) == 1 else None)

    client = make_client(handler)
    assert texts(await collect(client.chat.stream(model="m", messages=MESSAGES))) == "Hello"
    assert len(attempts) == 2


async def test_stream_cut_after_an_event_is_never_replayed(make_client: Any) -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        return sse_response(STREAM, size=len(STREAM) // 3, fail_after=len(STREAM) // 3 * 2)

    received: list[Any] = []
    stream = make_client(handler, max_retries=5).chat.stream(model="m", messages=MESSAGES)
    with pytest.raises(StreamError, match="interrupted after"):
        if hasattr(stream, "__aiter__"):
            async for event in stream:
                received.append(event)
        else:
            for event in stream:
                received.append(event)
    assert len(attempts) == 1
    assert texts(received) in ("", "Hel")  # what was delivered stays delivered, once


async def test_malformed_event_raises_stream_error(make_client: Any) -> None:
    data = sse(chunk("a"), "{not json", chunk("b"))
    with pytest.raises(StreamError, match="malformed"):
        await collect(
            make_client(lambda r: sse_response(data), max_retries=0).chat.stream(model="m", messages=MESSAGES)
        )


async def test_json_success_answer_to_a_stream_request_yields_its_result(make_client: Any) -> None:
    result = chat_result("All at once", usage={"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4})
    client = make_client(lambda r: httpx.Response(200, json=envelope(result, {"mistral-correlation-id": "c1"})))
    stream = client.chat.stream(model="m", messages=MESSAGES)
    events = await collect(stream)
    assert len(events) == 1
    assert texts(events) == "All at once"
    assert events[0].data.usage.total_tokens == 4
    assert events[0].data.choices[0].finish_reason == "stop"
    assert stream.response_headers.request_id == "c1"


async def test_json_error_answer_to_a_stream_request_raises(make_client: Any) -> None:
    client = make_client(lambda r: httpx.Response(401, json=error_envelope({"detail": "Unauthorized"})))
    with pytest.raises(AuthenticationError):
        await collect(client.chat.stream(model="m", messages=MESSAGES))


async def test_stream_status_error_retried_before_first_event(make_client: Any) -> None:
    responses = [httpx.Response(503, json=error_envelope({"message": "busy"})), sse_response(STREAM)]
    client = make_client(lambda r: responses.pop(0))
    assert texts(await collect(client.chat.stream(model="m", messages=MESSAGES))) == "Hello"
    assert len(client.sleeps) == 1


async def test_stream_gives_up_after_max_retries(make_client: Any) -> None:
    client = make_client(lambda r: httpx.Response(500, json={"message": "boom"}), max_retries=1)
    with pytest.raises(ServerError):
        await collect(client.chat.stream(model="m", messages=MESSAGES))


async def test_stream_is_lazy_and_closable(make_client: Any) -> None:
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        return sse_response(STREAM)

    client = make_client(handler)
    stream = client.chat.stream(model="m", messages=MESSAGES)
    assert seen == []
    if hasattr(stream, "__aiter__"):
        async with stream as s:
            first = await s.__anext__()
    else:
        with stream as s:
            first = next(s)
    assert first.data.choices[0].delta.role == "assistant"
    assert seen == [1]


async def test_reasoning_chunks_stream_as_lists(make_client: Any) -> None:
    data = sse(
        chunk([{"type": "thinking", "thinking": [{"type": "text", "text": "Let me think"}]}], role="assistant"),
        chunk([{"type": "thinking", "thinking": [], "closed": True}, {"type": "text", "text": "42"}]),
        chunk(" indeed", finish="stop", usage=USAGE),
    )
    events = await collect(make_client(lambda r: sse_response(data)).chat.stream(model="magistral", messages=MESSAGES))
    first = events[0].data.choices[0].delta.content
    assert first[0].type == "thinking" and first[0].text == "Let me think"
    assert events[1].data.choices[0].delta.content[1].text == "42"


async def test_parallel_tool_calls_arrive_whole(make_client: Any) -> None:
    calls = [
        {"id": "yBvJuId6u", "function": {"name": "search", "arguments": '{"query": "x"}'}, "index": 0},
        {"id": "ihQrVBDfy", "function": {"name": "weather", "arguments": '{"city": "Detroit"}'}, "index": 1},
    ]
    tool_chunk = chunk(finish="tool_calls", usage=USAGE)
    tool_chunk["choices"][0]["delta"] = {"tool_calls": calls}
    data = sse(chunk("", role="assistant"), tool_chunk)
    events = await collect(make_client(lambda r: sse_response(data)).chat.stream(model="m", messages=MESSAGES))
    got = events[-1].data.choices[0].delta.tool_calls
    assert [(c.id, c.function.name, c.index) for c in got] == [("yBvJuId6u", "search", 0), ("ihQrVBDfy", "weather", 1)]


async def test_batches_hand_over_each_read_together(make_client: Any) -> None:
    data = sse(chunk("", role="assistant"), chunk("a"), chunk("b"), chunk("c", finish="stop", usage=USAGE))
    client = make_client(lambda r: sse_response(data, size=len(data)))  # the proxy buffered it: one read
    stream = client.chat.stream(model="m", messages=MESSAGES)
    batches = await collect(stream.batches())
    assert [len(b) for b in batches] == [4]
    split = make_client(lambda r: sse_response(data, size=3)).chat.stream(model="m", messages=MESSAGES)
    assert sum(len(b) for b in await collect(split.batches())) == 4


def test_line_splitter_handles_every_terminator_across_reads() -> None:
    from mistral_lca._sse import LineSplitter

    splitter = LineSplitter()
    pieces = ["data: a\r", "\ndata: b\rdata: c\n", "\n", "data: d"]
    lines = [line for piece in pieces for line in splitter.split(piece)]
    assert lines == ["data: a", "data: b", "data: c", ""]
    assert splitter.finish() == ["data: d"]
    assert splitter.finish() == []
