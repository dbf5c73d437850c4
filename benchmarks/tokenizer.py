"""Exact token budgets (the ``[tokenizer]`` extra): fewer requests for a corpus, none rejected for size.

* ``tokenizer.plan``: 20,000 English chunks (500-1,500 characters, :mod:`benchmarks.corpus`) packed into
  embedding requests (128 texts / 16,384 tokens at most, the adapters' defaults) with the offline estimate (as
  if the extra were not installed) and with the exact ``mistral-embed`` tokenizer: requests needed, and the
  planning time (counting included).
* ``tokenizer.run``: the same chunks embedded against the stand-in enforcing Mistral's limits (16,384 tokens per
  request, 8,192 per input, counted with the real tokenizer, as Mistral does): requests sent and requests
  rejected for size, for the client and every adapter, sync and async; plus batching by count alone
  (128 texts, no token budget) as the control that shows the stand-in does reject oversize requests.
* ``tokenizer.load``: cold start in a fresh interpreter: importing mistral-common and loading a tokenizer file.
* ``tokenizer.count``: counting throughput over the corpus (``count_tokens_each``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from . import _clients as c
from ._cases import CaseInfo, Settings, register
from ._results import Measurement, ResultBook
from ._server import ServerProcess
from ._subprocess import run_child
from .corpus import english_chunks

PLAN = "tokenizer.plan"
RUN = "tokenizer.run"
LOAD = "tokenizer.load"
COUNT = "tokenizer.count"
ESTIMATE = "plan with the estimate (no [tokenizer] extra)"
EXACT = "plan with the exact tokenizer (mistral-embed)"
TEXTS_PER_REQUEST = 128
CONCURRENCY = 8


def _count(settings: Settings) -> int:
    return 2_000 if settings.quick else 20_000


def register_cases(n: int) -> None:
    register(
        CaseInfo(
            PLAN,
            f"Embedding plan for {n:,} English chunks: estimate vs exact tokens",
            f"pack {n:,} chunks of 500-1,500 chars into requests of <= {TEXTS_PER_REQUEST} texts and 16,384 tokens"
            " (time includes counting)",
            "ms",
            (),
            (("requests", "requests"), ("counted tokens", "tokens"), ("requests vs estimate", "vs_estimate")),
        ),
        CaseInfo(
            RUN,
            f"Embedding {n:,} English chunks against Mistral's size limits (stand-in, exact counts)",
            "the stand-in rejects > 16,384 tokens per request or > 8,192 per input (400, code 3210), counting with"
            " the real tokenizer; every rejected request is split and retried",
            "s",
            (),
            (("planned", "planned"), ("requests sent", "requests"), ("rejected for size", "rejected")),
        ),
        CaseInfo(
            LOAD,
            "Tokenizer cold start (fresh interpreter)",
            "import + first count, in a new process (median of runs)",
            "ms",
        ),
        CaseInfo(
            COUNT,
            f"Counting tokens of {n:,} English chunks",
            "count_tokens_each over the corpus (one call)",
            "ms",
            (),
            (("texts/s", "texts_per_s"), ("MB/s", "mb_per_s")),
        ),
    )


register_cases(20_000)


_PACKAGES = ("mistral_common", "sentencepiece")


@contextlib.contextmanager
def _without_tokenizer() -> Iterator[None]:
    """As if the ``[tokenizer]`` extra were not installed (mistral-common cannot be imported) in this process."""
    from mistral_lca import tokens

    saved = {
        name: mod for name, mod in sys.modules.items() if name.split(".")[0] in ("mistral_common", "sentencepiece")
    }
    for name in [*saved, "mistral_common", "sentencepiece"]:
        sys.modules[name] = None  # type: ignore[assignment]
    tokens.reset()
    try:
        yield
    finally:
        for name in list(sys.modules):
            if sys.modules[name] is None and name.split(".")[0] in _PACKAGES:
                del sys.modules[name]
        sys.modules.update(saved)
        tokens.reset()


def _plan(book: ResultBook, texts: list[str]) -> dict[str, int]:
    from mistral_lca.embedding_batches import plan_batches

    requests: dict[str, int] = {}
    for name, context in ((ESTIMATE, _without_tokenizer), (EXACT, contextlib.nullcontext)):
        samples = []
        with context():
            plan_batches(texts[:10], max_inputs=TEXTS_PER_REQUEST)  # load the tokenizer outside the timing
            for _ in range(3):
                t0 = time.perf_counter()
                plan = plan_batches(texts, max_inputs=TEXTS_PER_REQUEST)
                samples.append(time.perf_counter() - t0)
            if name == EXACT and not plan.exact:
                raise RuntimeError("the [tokenizer] extra is not installed: no exact plan to compare")
        requests[name] = len(plan)
        extra: dict[str, Any] = {"requests": len(plan), "tokens": f"{plan.tokens:,}"}
        if name == EXACT:
            drop = 1 - len(plan) / requests[ESTIMATE]
            extra["vs_estimate"] = f"-{drop:.0%}"
            extra["drop"] = drop
        book.add(Measurement(PLAN, name, samples, role="ours" if name == EXACT else "baseline", extra=extra))
    drop = 1 - requests[EXACT] / requests[ESTIMATE]
    book.note(
        PLAN,
        f"Exact counts need **{requests[EXACT]:,}** requests instead of {requests[ESTIMATE]:,} "
        f"(**{drop:.0%} fewer**): the estimate (UTF-8 bytes / 3) over-counts English by about half.",
    )
    return requests


def _run_subjects(server: ServerProcess) -> list[tuple[str, str, Callable[[list[str]], Any]]]:
    """(name, kind, embed): kind is "sync" or "async"."""

    def client_many(**options: Any) -> Callable[[list[str]], Any]:
        def embed(texts: list[str]) -> Any:
            with c.ours_sync(server) as client:
                return client.embeddings.create_many(texts, model=c.EMBED_MODEL, **options)

        return embed

    lc = c.lc_embeddings(server, max_concurrent_requests=CONCURRENCY)
    li = c.li_embedding(server, num_workers=CONCURRENCY)
    return [
        ("MistralLCAClient.embeddings.create_many", "sync", client_many(max_concurrent_requests=CONCURRENCY)),
        ("MistralLCAEmbeddings.embed_documents", "sync", lc.embed_documents),
        ("MistralLCAEmbeddings.aembed_documents", "async", lc.aembed_documents),
        ("MistralLCAEmbedding.get_text_embedding_batch", "sync", li.get_text_embedding_batch),
        ("MistralLCAEmbedding.aget_text_embedding_batch", "async", li.aget_text_embedding_batch),
        (
            "control: create_many batching by count only (128 texts, no token budget)",
            "sync",
            client_many(max_concurrent_requests=CONCURRENCY, max_tokens_per_request=10**9),
        ),
    ]


def _embed_run(server: ServerProcess, book: ResultBook, texts: list[str], planned: int) -> None:
    server.configure(latency=0.0, embed_max_tokens=16_384, embed_max_input_tokens=8_192)
    worst_ours = 0
    for name, kind, embed in _run_subjects(server):
        try:
            server.reset_stats()
            t0 = time.perf_counter()
            vectors = embed(texts) if kind == "sync" else asyncio.run(embed(texts))
            seconds = time.perf_counter() - t0
            if len(vectors) != len(texts):
                raise AssertionError(f"{len(vectors)} vectors for {len(texts)} texts")
            sent = server.stats()["path_counts"].get("/v1/embeddings", 0)
            control = name.startswith("control")
            expected = len(_count_only_plan(texts)) if control else planned
            # Each rejection costs one request and replaces one request by two: sent = planned + 2 x rejected.
            rejected = (sent - expected) // 2
            if not control:
                worst_ours = max(worst_ours, rejected)
            extra = {"planned": expected, "requests": sent, "rejected": rejected}
            book.add(Measurement(RUN, name, [seconds], role="baseline" if control else "ours", extra=extra))
        except Exception as exc:
            book.skip(RUN, name, f"{type(exc).__name__}: {exc}")
    book.note(
        RUN,
        f"With exact counts no request of ours was rejected for size (worst: {worst_ours}); requests sent equal"
        " the plan. The control shows what the stand-in does to requests planned without a token budget.",
    )


def _count_only_plan(texts: list[str]) -> list[Any]:
    from mistral_lca.embedding_batches import plan_batches

    return list(plan_batches(texts, max_inputs=TEXTS_PER_REQUEST, max_tokens=10**9))


def _load(book: ResultBook, settings: Settings) -> None:
    statements = {
        "import mistral_lca.tokens (no tokenizer loaded)": "import mistral_lca.tokens",
        "first count_tokens, mistral-embed (import mistral-common + SentencePiece file)": (
            "from mistral_lca.tokens import count_tokens; count_tokens('x')"
        ),
        "first count_tokens, mistral-small-latest (import mistral-common + Tekken file)": (
            "from mistral_lca.tokens import count_tokens; count_tokens('x', 'mistral-small-latest')"
        ),
    }
    runs = 1 if settings.quick else 3
    for name, statement in statements.items():
        samples = []
        for _ in range(runs):
            answer = run_child("import", statement)
            if "error" in answer:
                book.skip(LOAD, name, answer["error"])
                break
            samples.append(answer["seconds"])
        if samples:
            book.add(Measurement(LOAD, name, samples, role="ours"))


def _throughput(book: ResultBook, texts: list[str]) -> None:
    from mistral_lca.tokens import count_tokens, count_tokens_each, estimate_tokens

    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    subjects: dict[str, Callable[[], Any]] = {
        "count_tokens_each, mistral-embed (SentencePiece)": lambda: count_tokens_each(texts, "mistral-embed"),
        "count_tokens_each, mistral-small-latest (Tekken)": lambda: count_tokens_each(texts, "mistral-small-latest"),
        "estimate_tokens (no extra), for scale": lambda: [estimate_tokens(t) for t in texts],
    }
    count_tokens("warm up")
    count_tokens("warm up", "mistral-small-latest")
    for name, fn in subjects.items():
        samples = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        best = min(samples)
        extra = {"texts_per_s": f"{len(texts) / best:,.0f}", "mb_per_s": f"{megabytes / best:,.1f}"}
        book.add(Measurement(COUNT, name, samples, role="baseline" if "estimate" in name else "ours", extra=extra))


def run(server: ServerProcess, book: ResultBook, settings: Settings) -> None:
    n = _count(settings)
    register_cases(n)
    texts = english_chunks(n)
    requests = _plan(book, texts)
    _embed_run(server, book, texts, requests[EXACT])
    _throughput(book, texts)
    _load(book, settings)
