"""1. Client-side overhead of one non-streaming chat call, sync and async, on loopback with no added latency.

Every subject sends one user message and decodes the reply; the server answers instantly, so the time is the
client's own work (build, send, parse, framework plumbing) plus one loopback round trip, which raw httpx shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from . import _clients as c
from ._cases import CaseInfo, Settings, Subject, register
from ._results import Measurement, ResultBook
from ._server import ServerProcess
from ._timing import Plan, run_async, run_sync

SYNC = "chat.sync"
ASYNC = "chat.async"
LC_ANCHOR = "ChatMistralAI.invoke"
LI_ANCHOR = "llama-index MistralAI.chat"
RAW = "raw httpx (Mistral form)"
ALC_ANCHOR = "ChatMistralAI.ainvoke"
ALI_ANCHOR = "llama-index MistralAI.achat"
ARAW = "raw httpx async (Mistral form)"
FLOOR = "langchain-core floor: BaseChatModel.invoke, no I/O"
AFLOOR = "langchain-core floor: BaseChatModel.ainvoke, no I/O"
FLOOR_NOTE = "a chat model returning a prebuilt reply: what langchain-core adds around any client"

register(
    CaseInfo(
        SYNC,
        "Chat call, sync",
        "one non-streaming chat completion (1 user message, short reply), loopback, no added latency",
        unit="us",
        refs=(("x ChatMistralAI", LC_ANCHOR), ("x llama-index MistralAI", LI_ANCHOR), ("x raw httpx", RAW)),
    ),
    CaseInfo(
        ASYNC,
        "Chat call, async",
        "one awaited non-streaming chat completion, calls in sequence on one event loop",
        unit="us",
        refs=(("x ChatMistralAI", ALC_ANCHOR), ("x llama-index MistralAI", ALI_ANCHOR), ("x raw httpx", ARAW)),
    ),
)

_BODY: dict[str, Any] = {"model": c.CHAT_MODEL, "messages": c.HELLO_MESSAGES}


def _sync_subjects(server: ServerProcess) -> list[Subject]:
    def raw(form: str) -> Callable[[], str]:
        client = c.raw_sync(server, form)

        def call() -> str:
            response = client.post("/v1/chat/completions", json=_BODY)
            response.raise_for_status()
            data = response.json()
            result = data if form == "mistral" else data["result"]
            return str(result["choices"][0]["message"]["content"])

        return call

    def ours() -> Callable[[], str]:
        client = c.ours_sync(server)
        return lambda: str(
            client.chat.complete(model=c.CHAT_MODEL, messages=c.HELLO_MESSAGES).choices[0].message.content
        )

    def lc() -> Callable[[], str]:
        model = c.lc_chat(server)
        return lambda: str(model.invoke(c.HELLO).content)

    def li() -> Callable[[], str]:
        from llama_index.core.llms import ChatMessage

        llm = c.li_llm(server)
        messages = [ChatMessage(role="user", content=c.HELLO)]
        return lambda: str(llm.chat(messages).message.content)

    def official_lc() -> Callable[[], str]:
        model = c.official_lc_chat(server)
        return lambda: str(model.invoke(c.HELLO).content)

    def official_li() -> Callable[[], str]:
        from llama_index.core.llms import ChatMessage

        llm = c.official_li_llm(server)
        messages = [ChatMessage(role="user", content=c.HELLO)]
        return lambda: str(llm.chat(messages).message.content)

    def floor() -> Callable[[], str]:
        from ._floors import CoreFloorChatModel

        model = CoreFloorChatModel()
        return lambda: str(model.invoke(c.HELLO).content)

    def sdk() -> Callable[[], str]:
        client = c.mistral_sdk(server)
        return lambda: str(
            client.chat.complete(model=c.CHAT_MODEL, messages=c.HELLO_MESSAGES).choices[0].message.content
        )

    return [
        Subject(RAW, "baseline", lambda: raw("mistral"), "httpx.Client.post + response.json() (stdlib json)"),
        Subject("raw httpx (LowCodeAPI form)", "baseline", lambda: raw("lca"), "same, envelope unwrapped"),
        Subject("MistralLCAClient.chat.complete", "ours", ours),
        Subject("ChatMistralLCA.invoke", "ours", lc),
        Subject("MistralLCA.chat (LlamaIndex)", "ours", li),
        Subject(LC_ANCHOR, "anchor", official_lc),
        Subject(LI_ANCHOR, "anchor", official_li),
        Subject("mistralai SDK chat.complete", "baseline", sdk, "the SDK llama-index MistralAI is built on"),
        Subject(FLOOR, "baseline", floor, FLOOR_NOTE),
    ]


def _async_subjects(server: ServerProcess) -> list[Subject]:
    def raw(form: str) -> Callable[[], Awaitable[str]]:
        client = c.raw_async(server, form)

        async def call() -> str:
            response = await client.post("/v1/chat/completions", json=_BODY)
            response.raise_for_status()
            data = response.json()
            result = data if form == "mistral" else data["result"]
            return str(result["choices"][0]["message"]["content"])

        return call

    def ours() -> Callable[[], Awaitable[str]]:
        client = c.ours_async(server)

        async def call() -> str:
            reply = await client.chat.complete(model=c.CHAT_MODEL, messages=c.HELLO_MESSAGES)
            return str(reply.choices[0].message.content)

        return call

    def lc() -> Callable[[], Awaitable[str]]:
        model = c.lc_chat(server)

        async def call() -> str:
            return str((await model.ainvoke(c.HELLO)).content)

        return call

    def official_lc() -> Callable[[], Awaitable[str]]:
        model = c.official_lc_chat(server)

        async def call() -> str:
            return str((await model.ainvoke(c.HELLO)).content)

        return call

    def li_like(build: Callable[[], Any]) -> Callable[[], Callable[[], Awaitable[str]]]:
        def make() -> Callable[[], Awaitable[str]]:
            from llama_index.core.llms import ChatMessage

            llm = build()
            messages = [ChatMessage(role="user", content=c.HELLO)]

            async def call() -> str:
                return str((await llm.achat(messages)).message.content)

            return call

        return make

    def floor() -> Callable[[], Awaitable[str]]:
        from ._floors import CoreFloorChatModel

        model = CoreFloorChatModel()

        async def call() -> str:
            return str((await model.ainvoke(c.HELLO)).content)

        return call

    def sdk() -> Callable[[], Awaitable[str]]:
        client = c.mistral_sdk(server)

        async def call() -> str:
            reply = await client.chat.complete_async(model=c.CHAT_MODEL, messages=c.HELLO_MESSAGES)
            return str(reply.choices[0].message.content)

        return call

    return [
        Subject(ARAW, "baseline", lambda: raw("mistral"), "httpx.AsyncClient.post + response.json()"),
        Subject("raw httpx async (LowCodeAPI form)", "baseline", lambda: raw("lca")),
        Subject("AsyncMistralLCAClient.chat.complete", "ours", ours),
        Subject("ChatMistralLCA.ainvoke", "ours", lc),
        Subject("MistralLCA.achat (LlamaIndex)", "ours", li_like(lambda: c.li_llm(server))),
        Subject(ALC_ANCHOR, "anchor", official_lc),
        Subject(ALI_ANCHOR, "anchor", li_like(lambda: c.official_li_llm(server))),
        Subject("mistralai SDK chat.complete_async", "baseline", sdk),
        Subject(AFLOOR, "baseline", floor, FLOOR_NOTE),
    ]


def _plan(settings: Settings) -> Plan:
    if settings.quick:
        return Plan(repeats=3, block_seconds=0.03, budget_seconds=0.5, warmup_seconds=0.02)
    return Plan(repeats=9, block_seconds=0.15, budget_seconds=2.0, warmup_seconds=0.3)


def _check(name: str, text: Any) -> None:
    if not isinstance(text, str) or not text:
        raise AssertionError(f"{name}: empty reply {text!r}")


def run(server: ServerProcess, book: ResultBook, settings: Settings) -> None:
    server.configure(latency=0.0, stream_chunks=None, stream_delay=0.0)
    plan = _plan(settings)

    ops: dict[str, Callable[[], Any]] = {}
    roles: dict[str, Subject] = {}
    for subject in _sync_subjects(server):
        try:
            op = subject.build()
            _check(subject.name, op())
        except Exception as exc:  # an adapter still being written, a missing package...
            book.skip(SYNC, subject.name, f"{type(exc).__name__}: {exc}")
            continue
        ops[subject.name], roles[subject.name] = op, subject
    for name, samples in run_sync(ops, plan).items():
        book.add(Measurement(SYNC, name, samples, role=roles[name].role, note=roles[name].note))

    async def async_part() -> dict[str, list[float]]:
        aops: dict[str, Callable[[], Awaitable[Any]]] = {}
        for subject in _async_subjects(server):
            try:
                aop = subject.build()
                _check(subject.name, await aop())
            except Exception as exc:
                book.skip(ASYNC, subject.name, f"{type(exc).__name__}: {exc}")
                continue
            aops[subject.name], roles[subject.name] = aop, subject
        return await run_async(aops, plan)

    for name, samples in asyncio.run(async_part()).items():
        book.add(Measurement(ASYNC, name, samples, role=roles[name].role, note=roles[name].note))
