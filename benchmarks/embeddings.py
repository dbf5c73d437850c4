"""3. Embeddings: 20,000 short texts, 20 ms of server latency per request, sync and async.

Each subject embeds the same texts (``"Benchmark sentence number 17 is about topic 17."`` ...) with its default
batching. Recorded per subject: total time (median over runs), requests the server received, and the peak
number of requests in flight at the server. Our adapters get an explicit concurrency limit
(``max_concurrent_requests`` / ``num_workers``) and the peak is checked against it. Every subject's vectors are
compared with the first subject's (the server's vectors are deterministic per text).
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

from . import _clients as c
from ._cases import CaseInfo, Settings, Subject, register
from ._results import Measurement, ResultBook
from ._server import ServerProcess

SYNC = "embed.sync"
ASYNC = "embed.async"
LATENCY = 0.020
CONCURRENCY = 8
"""``max_concurrent_requests`` (LangChain) / ``num_workers`` (LlamaIndex) given to our adapters."""

LC_ANCHOR = "MistralAIEmbeddings.embed_documents"
LI_ANCHOR = "llama-index MistralAIEmbedding.get_text_embedding_batch"
ALC_ANCHOR = "MistralAIEmbeddings.aembed_documents"
ALI_ANCHOR = "llama-index MistralAIEmbedding.aget_text_embedding_batch"
_EXTRA = (("requests", "requests"), ("peak in flight", "max_in_flight"), ("limit", "limit"))


def texts_for(n: int) -> list[str]:
    return [f"Benchmark sentence number {i} is about topic {i % 97}." for i in range(n)]


def _count(settings: Settings) -> int:
    return 500 if settings.quick else 20_000


def register_cases(n: int) -> None:
    what = f"embed {n:,} short texts (~50 chars), {LATENCY * 1000:.0f} ms server latency per request"
    register(
        CaseInfo(
            SYNC,
            f"Embeddings, {n:,} texts, sync",
            what,
            "s",
            (("x MistralAIEmbeddings", LC_ANCHOR), ("x llama-index MistralAIEmbedding", LI_ANCHOR)),
            _EXTRA,
        ),
        CaseInfo(
            ASYNC,
            f"Embeddings, {n:,} texts, async",
            what + " (async API)",
            "s",
            (("x MistralAIEmbeddings", ALC_ANCHOR), ("x llama-index MistralAIEmbedding", ALI_ANCHOR)),
            _EXTRA,
        ),
    )


register_cases(20_000)

Vectors = list[list[float]]


def _sync_subjects(server: ServerProcess) -> list[Subject]:
    def lc_ours() -> Any:
        return c.lc_embeddings(server, max_concurrent_requests=CONCURRENCY).embed_documents

    def li_ours() -> Any:
        return c.li_embedding(server, num_workers=CONCURRENCY).get_text_embedding_batch

    def lc_official() -> Any:
        return c.official_lc_embeddings(server).embed_documents

    def li_official() -> Any:
        return c.official_li_embedding(server).get_text_embedding_batch

    return [
        Subject(
            "MistralLCAEmbeddings.embed_documents",
            "ours",
            lc_ours,
            f"max_concurrent_requests={CONCURRENCY}",
            {"limit": CONCURRENCY},
        ),
        Subject(
            "MistralLCAEmbedding.get_text_embedding_batch",
            "ours",
            li_ours,
            f"num_workers={CONCURRENCY}",
            {"limit": CONCURRENCY},
        ),
        Subject(LC_ANCHOR, "anchor", lc_official, "offline: DummyTokenizer, batches of <=16,000 characters"),
        Subject(LI_ANCHOR, "anchor", li_official, "embed_batch_size=10 (default), sequential"),
    ]


def _async_subjects(server: ServerProcess) -> list[Subject]:
    def lc_ours() -> Any:
        return c.lc_embeddings(server, max_concurrent_requests=CONCURRENCY).aembed_documents

    def li_ours() -> Any:
        return c.li_embedding(server, num_workers=CONCURRENCY).aget_text_embedding_batch

    def lc_official() -> Any:
        return c.official_lc_embeddings(server).aembed_documents

    def li_official() -> Any:
        return c.official_li_embedding(server).aget_text_embedding_batch

    return [
        Subject(
            "MistralLCAEmbeddings.aembed_documents",
            "ours",
            lc_ours,
            f"max_concurrent_requests={CONCURRENCY}",
            {"limit": CONCURRENCY},
        ),
        Subject(
            "MistralLCAEmbedding.aget_text_embedding_batch",
            "ours",
            li_ours,
            f"num_workers={CONCURRENCY}",
            {"limit": CONCURRENCY},
        ),
        Subject(ALC_ANCHOR, "anchor", lc_official, "asyncio.gather over all batches (unbounded)"),
        Subject(ALI_ANCHOR, "anchor", li_official, "embed_batch_size=10, asyncio.gather (num_workers unset)"),
    ]


class _Checker:
    """Compares a few vectors of every subject with the first subject's."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.probe = (0, n // 2, n - 1)
        self.reference: dict[int, list[float]] | None = None

    def __call__(self, name: str, vectors: Vectors) -> None:
        if len(vectors) != self.n:
            raise AssertionError(f"{name}: {len(vectors)} vectors for {self.n} texts")
        got = {i: [float(x) for x in vectors[i]] for i in self.probe}
        if self.reference is None:
            self.reference = got
        elif any(got[i] != self.reference[i] for i in self.probe):
            raise AssertionError(f"{name}: vectors differ from the first subject's")


def _runs(settings: Settings) -> tuple[int, float]:
    """(max runs per subject, stop repeating once one run took longer than this)."""
    return (1, 0.0) if settings.quick else (3, 15.0)


def _finish(book: ResultBook, case: str, subject: Subject, samples: list[float], stats: dict[str, Any]) -> None:
    extra = dict(subject.extra)
    extra["requests"] = stats.get("path_counts", {}).get("/v1/embeddings", stats.get("total"))
    extra["max_in_flight"] = stats.get("max_in_flight")
    limit = subject.extra.get("limit")
    if limit is not None and stats.get("max_in_flight", 0) > limit:
        book.note(case, f"**{subject.name}: peak in flight {stats['max_in_flight']} exceeds the limit {limit}.**")
    book.add(Measurement(case, subject.name, samples, role=subject.role, note=subject.note, extra=extra))


def run(server: ServerProcess, book: ResultBook, settings: Settings) -> None:
    n = _count(settings)
    register_cases(n)
    texts = texts_for(n)
    warm = texts_for(30)
    max_runs, long_run = _runs(settings)
    check = _Checker(n)
    server.configure(latency=LATENCY)
    try:
        for subject in _sync_subjects(server):
            try:
                fn = subject.build()
                fn(warm)
                samples: list[float] = []
                stats: dict[str, Any] = {}
                for _ in range(max_runs):
                    gc.collect()
                    server.reset_stats()
                    t0 = time.perf_counter()
                    vectors = fn(texts)
                    samples.append(time.perf_counter() - t0)
                    stats = server.stats()
                    check(subject.name, vectors)
                    del vectors
                    if samples[-1] > long_run:
                        break
                _finish(book, SYNC, subject, samples, stats)
            except Exception as exc:
                book.skip(SYNC, subject.name, f"{type(exc).__name__}: {exc}")

        for subject in _async_subjects(server):

            async def main(subject: Subject = subject) -> None:
                fn = subject.build()
                await fn(warm)
                samples: list[float] = []
                stats: dict[str, Any] = {}
                for _ in range(max_runs):
                    gc.collect()
                    server.reset_stats()
                    t0 = time.perf_counter()
                    vectors = await fn(texts)
                    samples.append(time.perf_counter() - t0)
                    stats = server.stats()
                    check(subject.name, vectors)
                    del vectors
                    if samples[-1] > long_run:
                        break
                _finish(book, ASYNC, subject, samples, stats)

            try:
                asyncio.run(main())
            except Exception as exc:
                book.skip(ASYNC, subject.name, f"{type(exc).__name__}: {exc}")
    finally:
        server.configure(latency=0.0)
