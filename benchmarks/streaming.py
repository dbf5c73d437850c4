"""2. Streaming: consuming a 5,000-chunk chat stream, and time to first token, through each client.

The server sends a role chunk, 5,000 one-character content chunks (Mistral's ``p`` padding included) and the
usage chunk, with no delay between events, so the figure is the client's per-chunk cost. Time to first token is
measured from the call to the first item carrying non-empty text.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from . import _clients as c
from ._cases import CaseInfo, Settings, Subject, register
from ._results import Measurement, ResultBook
from ._server import ServerProcess

SYNC = "stream.sync"
ASYNC = "stream.async"
TTFT_SYNC = "stream.ttft.sync"
TTFT_ASYNC = "stream.ttft.async"
CHUNKS = 5000
QUICK_CHUNKS = 1000

LC_ANCHOR = "ChatMistralAI.stream"
LI_ANCHOR = "llama-index MistralAI.stream_chat"
RAW_LCA = "raw httpx + json (LowCodeAPI form)"
RAW = "raw httpx + json (Mistral form)"
ALC_ANCHOR = "ChatMistralAI.astream"
ALI_ANCHOR = "llama-index MistralAI.astream_chat"
ARAW_LCA = "raw httpx async + json (LowCodeAPI form)"
ARAW = "raw httpx async + json (Mistral form)"
FLOOR = "langchain-core floor: BaseChatModel.stream, no I/O"
AFLOOR = "langchain-core floor: BaseChatModel.astream, no I/O"
FLOOR_NOTE = "a chat model yielding the same number of chunks from memory: langchain-core's own per-chunk cost"
_CHUNKS_NOW: dict[int, int] = {}


def server_chunks(server: ServerProcess) -> int:
    """The stream length the server is configured for (set by :func:`run`)."""
    return _CHUNKS_NOW.get(id(server), CHUNKS)


_REFS = (("x ChatMistralAI", LC_ANCHOR), ("x llama-index MistralAI", LI_ANCHOR), ("x raw httpx (same URL)", RAW_LCA))
_AREFS = (
    ("x ChatMistralAI", ALC_ANCHOR),
    ("x llama-index MistralAI", ALI_ANCHOR),
    ("x raw httpx (same URL)", ARAW_LCA),
)


def register_cases(chunks: int) -> None:
    register(
        CaseInfo(
            SYNC,
            f"{chunks:,}-chunk stream, sync",
            f"consume a {chunks:,}-chunk chat stream to the end",
            "ms",
            _REFS,
            (("chunks", "chunks"),),
        ),
        CaseInfo(
            ASYNC,
            f"{chunks:,}-chunk stream, async",
            f"consume a {chunks:,}-chunk chat stream to the end (async for)",
            "ms",
            _AREFS,
            (("chunks", "chunks"),),
        ),
        CaseInfo(
            TTFT_SYNC,
            "Time to first token, sync",
            "call to the first non-empty text item of a short (7-chunk) stream, loopback, no added latency",
            "us",
            _REFS,
        ),
        CaseInfo(TTFT_ASYNC, "Time to first token, async", "the same, async", "us", _AREFS),
    )


register_cases(CHUNKS)

_BODY: dict[str, Any] = {"model": c.CHAT_MODEL, "messages": c.HELLO_MESSAGES, "stream": True}

# A stream operation returns an iterable of text pieces (possibly empty strings).
StreamOp = Callable[[], Iterable[str]]
AStreamOp = Callable[[], AsyncIterator[str]]


def _raw_lines(lines: Iterable[str], loads: Callable[[str], Any]) -> Iterator[str]:
    for line in lines:
        if line.startswith("data: "):
            data = line[6:]
            if data == "[DONE]":
                return
            chunk = loads(data)
            choices = chunk.get("choices")
            if choices:
                yield choices[0]["delta"].get("content") or ""


def _sync_subjects(server: ServerProcess) -> list[Subject]:
    import json

    def raw(form: str) -> StreamOp:
        client = c.raw_sync(server, form)

        def op() -> Iterator[str]:
            with client.stream("POST", "/v1/chat/completions", json=_BODY) as response:
                response.raise_for_status()
                yield from _raw_lines(response.iter_lines(), json.loads)

        return op

    def ours() -> StreamOp:
        client = c.ours_sync(server)

        def op() -> Iterator[str]:
            for event in client.chat.stream(model=c.CHAT_MODEL, messages=c.HELLO_MESSAGES):
                choices = event.data.choices
                if choices:
                    content = choices[0].delta.content
                    yield content if isinstance(content, str) else ""

        return op

    def lc(build: Callable[[], Any]) -> Callable[[], StreamOp]:
        def make() -> StreamOp:
            model = build()
            return lambda: (str(chunk.content) for chunk in model.stream(c.HELLO))

        return make

    def li(build: Callable[[], Any]) -> Callable[[], StreamOp]:
        def make() -> StreamOp:
            from llama_index.core.llms import ChatMessage

            llm = build()
            messages = [ChatMessage(role="user", content=c.HELLO)]
            return lambda: (r.delta or "" for r in llm.stream_chat(messages))

        return make

    def floor() -> StreamOp:
        from ._floors import CoreFloorChatModel

        model = CoreFloorChatModel(chunks=server_chunks(server))
        return lambda: (str(chunk.content) for chunk in model.stream(c.HELLO))

    def sdk() -> StreamOp:
        client = c.mistral_sdk(server)

        def op() -> Iterator[str]:
            for event in client.chat.stream(model=c.CHAT_MODEL, messages=c.HELLO_MESSAGES):
                if event.data.choices:
                    content = event.data.choices[0].delta.content
                    yield content if isinstance(content, str) else ""

        return op

    return [
        Subject(RAW_LCA, "baseline", lambda: raw("lca"), "iter_lines + json.loads per data line (stdlib)"),
        Subject(RAW, "baseline", lambda: raw("mistral")),
        Subject("MistralLCAClient.chat.stream", "ours", ours),
        Subject("ChatMistralLCA.stream", "ours", lc(lambda: c.lc_chat(server))),
        Subject("MistralLCA.stream_chat (LlamaIndex)", "ours", li(lambda: c.li_llm(server))),
        Subject(LC_ANCHOR, "anchor", lc(lambda: c.official_lc_chat(server))),
        Subject(LI_ANCHOR, "anchor", li(lambda: c.official_li_llm(server))),
        Subject("mistralai SDK chat.stream", "baseline", sdk),
        Subject(FLOOR, "baseline", floor, FLOOR_NOTE),
    ]


def _async_subjects(server: ServerProcess) -> list[Subject]:
    import json

    def raw(form: str) -> AStreamOp:
        client = c.raw_async(server, form)

        async def op() -> AsyncIterator[str]:
            async with client.stream("POST", "/v1/chat/completions", json=_BODY) as response:
                response.raise_for_status()
                async for line in response.aiter_lines():
                    for piece in _raw_lines((line,), json.loads):
                        yield piece
                    if line == "data: [DONE]":
                        return

        return op

    def ours() -> AStreamOp:
        client = c.ours_async(server)

        async def op() -> AsyncIterator[str]:
            async for event in client.chat.stream(model=c.CHAT_MODEL, messages=c.HELLO_MESSAGES):
                choices = event.data.choices
                if choices:
                    content = choices[0].delta.content
                    yield content if isinstance(content, str) else ""

        return op

    def lc(build: Callable[[], Any]) -> Callable[[], AStreamOp]:
        def make() -> AStreamOp:
            model = build()

            async def op() -> AsyncIterator[str]:
                async for chunk in model.astream(c.HELLO):
                    yield str(chunk.content)

            return op

        return make

    def li(build: Callable[[], Any]) -> Callable[[], AStreamOp]:
        def make() -> AStreamOp:
            from llama_index.core.llms import ChatMessage

            llm = build()
            messages = [ChatMessage(role="user", content=c.HELLO)]

            async def op() -> AsyncIterator[str]:
                async for r in await llm.astream_chat(messages):
                    yield r.delta or ""

            return op

        return make

    def floor() -> AStreamOp:
        from ._floors import CoreFloorChatModel

        model = CoreFloorChatModel(chunks=server_chunks(server))

        async def op() -> AsyncIterator[str]:
            async for chunk in model.astream(c.HELLO):
                yield str(chunk.content)

        return op

    def sdk() -> AStreamOp:
        client = c.mistral_sdk(server)

        async def op() -> AsyncIterator[str]:
            async for event in await client.chat.stream_async(model=c.CHAT_MODEL, messages=c.HELLO_MESSAGES):
                if event.data.choices:
                    content = event.data.choices[0].delta.content
                    yield content if isinstance(content, str) else ""

        return op

    return [
        Subject(ARAW_LCA, "baseline", lambda: raw("lca"), "aiter_lines + json.loads per data line (stdlib)"),
        Subject(ARAW, "baseline", lambda: raw("mistral")),
        Subject("AsyncMistralLCAClient.chat.stream", "ours", ours),
        Subject("ChatMistralLCA.astream", "ours", lc(lambda: c.lc_chat(server))),
        Subject("MistralLCA.astream_chat (LlamaIndex)", "ours", li(lambda: c.li_llm(server))),
        Subject(ALC_ANCHOR, "anchor", lc(lambda: c.official_lc_chat(server))),
        Subject(ALI_ANCHOR, "anchor", li(lambda: c.official_li_llm(server))),
        Subject("mistralai SDK chat.stream_async", "baseline", sdk),
        Subject(AFLOOR, "baseline", floor, FLOOR_NOTE),
    ]


def _consume(op: StreamOp) -> tuple[float, float, int]:
    """(total seconds, seconds to first text, items with text)."""
    t0 = time.perf_counter()
    first = 0.0
    count = 0
    for piece in op():
        if piece:
            if not count:
                first = time.perf_counter() - t0
            count += 1
    return time.perf_counter() - t0, first, count


async def _aconsume(op: AStreamOp) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    first = 0.0
    count = 0
    async for piece in op():
        if piece:
            if not count:
                first = time.perf_counter() - t0
            count += 1
    return time.perf_counter() - t0, first, count


def _limits(settings: Settings) -> tuple[int, int, float]:
    """(min runs, max runs, seconds budget per subject)."""
    return (1, 2, 0.5) if settings.quick else (3, 11, 6.0)


TTFT_RUNS = (5, 40)
"""Short streams per subject for time to first token (quick, full)."""


def _check(name: str, count: int, chunks: int) -> None:
    if count < chunks:
        raise AssertionError(f"{name}: only {count} text chunks out of {chunks}")


def _record(book: ResultBook, case: str, subject: Subject, runs: list[tuple[float, float, int]]) -> None:
    totals = [r[0] for r in runs]
    chunks = runs[-1][2]
    book.add(Measurement(case, subject.name, totals, role=subject.role, note=subject.note, extra={"chunks": chunks}))


def run(server: ServerProcess, book: ResultBook, settings: Settings) -> None:
    chunks = QUICK_CHUNKS if settings.quick else CHUNKS
    register_cases(chunks)
    server.configure(latency=0.0, stream_chunks=chunks, stream_delay=0.0)
    _CHUNKS_NOW[id(server)] = chunks
    min_runs, max_runs, budget = _limits(settings)
    try:
        ops: list[tuple[Subject, StreamOp]] = []
        for subject in _sync_subjects(server):
            try:
                op = subject.build()
                _check(subject.name, _consume(op)[2], chunks)  # also the warm-up (connection, imports, caches)
            except Exception as exc:
                book.skip(SYNC, subject.name, f"{type(exc).__name__}: {exc}")
                continue
            ops.append((subject, op))
        results: dict[str, list[tuple[float, float, int]]] = {s.name: [] for s, _ in ops}
        spent = dict.fromkeys(results, 0.0)
        for rep in range(max_runs):
            for subject, op in ops:
                if rep >= min_runs and spent[subject.name] > budget:
                    continue
                gc.collect()
                result = _consume(op)
                spent[subject.name] += result[0]
                results[subject.name].append(result)
        for subject, _ in ops:
            _record(book, SYNC, subject, results[subject.name])

        server.configure(stream_chunks=None)
        ttft: dict[str, list[float]] = {s.name: [] for s, _ in ops}
        for _ in range(TTFT_RUNS[0] if settings.quick else TTFT_RUNS[1]):
            for subject, op in ops:
                if subject.name != FLOOR:
                    ttft[subject.name].append(_consume(op)[1])
        for subject, _ in ops:
            if subject.name != FLOOR:
                book.add(Measurement(TTFT_SYNC, subject.name, ttft[subject.name], role=subject.role))
        server.configure(stream_chunks=chunks)

        async def async_part() -> None:
            aops: list[tuple[Subject, AStreamOp]] = []
            for subject in _async_subjects(server):
                try:
                    aop = subject.build()
                    _check(subject.name, (await _aconsume(aop))[2], chunks)
                except Exception as exc:
                    book.skip(ASYNC, subject.name, f"{type(exc).__name__}: {exc}")
                    continue
                aops.append((subject, aop))
            aresults: dict[str, list[tuple[float, float, int]]] = {s.name: [] for s, _ in aops}
            aspent = dict.fromkeys(aresults, 0.0)
            for rep in range(max_runs):
                for subject, aop in aops:
                    if rep >= min_runs and aspent[subject.name] > budget:
                        continue
                    gc.collect()
                    result = await _aconsume(aop)
                    aspent[subject.name] += result[0]
                    aresults[subject.name].append(result)
            for subject, _ in aops:
                _record(book, ASYNC, subject, aresults[subject.name])

            server.configure(stream_chunks=None)
            attft: dict[str, list[float]] = {s.name: [] for s, _ in aops}
            for _ in range(TTFT_RUNS[0] if settings.quick else TTFT_RUNS[1]):
                for subject, aop in aops:
                    if subject.name != AFLOOR:
                        attft[subject.name].append((await _aconsume(aop))[1])
            for subject, _ in aops:
                if subject.name != AFLOOR:
                    book.add(Measurement(TTFT_ASYNC, subject.name, attft[subject.name], role=subject.role))

        asyncio.run(async_part())
    finally:
        server.configure(stream_chunks=None)


__all__ = ["CHUNKS", "run"]
