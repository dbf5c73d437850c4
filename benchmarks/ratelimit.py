"""7. Rate limits (issue 11): a corpus and chat fan-outs against an account that answers 429 beyond its limits.

The stand-in enforces the account's budgets (fixed windows, Mistral's real 429 body, no Retry-After, the real
``x-ratelimit-*`` headers inside LowCodeAPI's envelope; refused requests are not counted) on both forms of the API,
so the official integrations (plain Mistral form) face the same limits. Two accounts:

* ``2 req/s`` (a low tier);
* ``60 req/min + 500k tokens/min``.

Each subject gets a fresh account and its own token. Recorded: wall time, requests the server accepted, 429s, the
tokens it charged, and the ideal time: the accepted requests (and tokens) divided by the account's rate, whichever
is longer. Targets: 0 failures, at most 1.2x the ideal time, 429s under 10% of the requests.

Our subjects run in this process; the official ones run in a child process that is stopped after a time limit (they
are expected to fail or stall: what they raised, or how far they got, is recorded).
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import _clients as c
from ._cases import CaseInfo, Settings, register
from ._results import Measurement, ResultBook
from ._server import ServerProcess
from ._subprocess import run_child

__all__ = ["ACCOUNTS", "chunks", "prompts", "run", "run_official"]

_VOCABULARY = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they "
    "you were her she there been one all we their has would when if so no will more can out other into up time "
    "model retrieval vector index document embedding query answer context token limit account request budget"
)
_WORDS = tuple(_VOCABULARY.split())
_EXTRA = (
    ("requests", "requests"),
    ("429s", "rate_limited"),
    ("429 %", "rate_limited_pct"),
    ("tokens charged", "tokens"),
    ("ideal", "ideal"),
    ("x ideal", "x_ideal"),
    ("targets", "verdict"),
)


@dataclass(frozen=True)
class Account:
    key: str
    title: str
    limits: dict[str, Any]
    requests_per_second: float
    tokens_per_second: float | None = None

    def ideal(self, requests: int, tokens: int) -> float:
        """Seconds the accepted requests (and tokens) need at this account's rate."""
        seconds = requests / self.requests_per_second
        if self.tokens_per_second:
            seconds = max(seconds, tokens / self.tokens_per_second)
        return seconds

    def scaled(self, factor: float) -> Account:
        """The same account with every budget ``factor`` times larger (time compressed by ``factor``)."""
        limits = {k: int(v * factor) if isinstance(v, int) else v for k, v in self.limits.items()}
        tps = self.tokens_per_second * factor if self.tokens_per_second else None
        return Account(self.key, self.title, limits, self.requests_per_second * factor, tps)


ACCOUNTS = {
    "2rps": Account("2rps", "2 req/s", {"requests_per_second": 2}, 2.0),
    "60rpm": Account(
        "60rpm",
        "60 req/min + 500k tokens/min",
        {"requests_per_minute": 60, "tokens_per_minute": 500_000},
        1.0,
        500_000 / 60,
    ),
}


def chunks(n: int, seed: int = 11) -> list[str]:
    """``n`` RAG-sized chunks of English-like text, 500 to 1,500 characters each (about 1,000 on average)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        size = rng.randint(500, 1500)
        words = [f"Chunk {i}."]
        length = len(words[0])
        while length < size:
            word = rng.choice(_WORDS)
            words.append(word)
            length += len(word) + 1
        out.append(" ".join(words)[:size])
    return out


def prompts(n: int) -> list[str]:
    return [f"Question {i}: what does the handbook say about topic {i % 17}?" for i in range(n)]


@dataclass(frozen=True)
class Workload:
    """One subject on one account: what it runs and how big (``scale`` > 1: every budget that many times larger)."""

    subject: str
    role: str
    kind: str
    """``embed`` (``size`` chunks) or ``chat`` (``size`` prompts)."""
    size: int
    scale: float = 1.0
    builder: str = ""
    method: str = ""


def _our_workloads(account: str, quick: bool) -> list[Workload]:
    if quick:
        n, p, scale, exact = 300, 40, 1.0, 300
    else:
        # The exact figures for every subject: 20,000 chunks and 200 prompts at the account's own limits
        # (about 2.5 min per corpus at 2 req/s, 10 min per corpus at 500k tokens/min: the family takes about an hour).
        n, p, scale, exact = 20_000, 200, 1.0, 20_000
    return [
        Workload(
            "MistralLCAEmbeddings.aembed_documents", "ours", "embed", exact, 1.0, "lc_embeddings", "aembed_documents"
        ),
        Workload("MistralLCAEmbeddings.embed_documents", "ours", "embed", n, 1.0, "lc_embeddings", "embed_documents"),
        Workload(
            "MistralLCAEmbedding.get_text_embedding_batch",
            "ours",
            "embed",
            n,
            1.0,
            "li_embedding",
            "get_text_embedding_batch",
        ),
        Workload(
            "MistralLCAEmbedding.aget_text_embedding_batch",
            "ours",
            "embed",
            n,
            1.0,
            "li_embedding",
            "aget_text_embedding_batch",
        ),
        Workload(f"ChatMistralLCA.batch x{p}", "ours", "chat", p, scale, "lc_chat", "batch"),
        Workload(f"MistralLCA.achat x{p} (asyncio.gather)", "ours", "chat", p, scale, "li_llm", "achat"),
    ]


def _official_workloads(ours: list[Workload]) -> list[Workload]:
    by_method = {w.method: w for w in ours}
    lc_embed, li_embed = by_method["embed_documents"], by_method["get_text_embedding_batch"]
    chat = by_method["batch"]
    return [
        Workload(
            "MistralAIEmbeddings.embed_documents",
            "anchor",
            "embed",
            lc_embed.size,
            1.0,
            "official_lc_embeddings",
            "embed_documents",
        ),
        Workload(
            "MistralAIEmbeddings.aembed_documents",
            "anchor",
            "embed",
            lc_embed.size,
            1.0,
            "official_lc_embeddings",
            "aembed_documents",
        ),
        Workload(
            "llama-index MistralAIEmbedding.get_text_embedding_batch",
            "anchor",
            "embed",
            li_embed.size,
            1.0,
            "official_li_embedding",
            "get_text_embedding_batch",
        ),
        Workload(
            "llama-index MistralAIEmbedding.aget_text_embedding_batch",
            "anchor",
            "embed",
            li_embed.size,
            1.0,
            "official_li_embedding",
            "aget_text_embedding_batch",
        ),
        Workload(
            f"ChatMistralAI.batch x{chat.size}", "anchor", "chat", chat.size, chat.scale, "official_lc_chat", "batch"
        ),
        Workload(
            f"llama-index MistralAI.achat x{chat.size} (asyncio.gather)",
            "anchor",
            "chat",
            chat.size,
            chat.scale,
            "official_li_llm",
            "achat",
        ),
    ]


def run_official(
    builder: str, method: str, kind: str, size: int, base_url: str, mistral_base_url: str
) -> dict[str, Any]:
    """Child side: run one official subject to the end (or to its first error) and report."""
    import types

    server = types.SimpleNamespace(base_url=base_url, mistral_base_url=mistral_base_url)
    subject = getattr(c, builder)(server)
    t0 = time.perf_counter()
    result = _invoke(subject, method, kind, size)
    return {"seconds": time.perf_counter() - t0, "items": len(result)}


def _invoke(subject: Any, method: str, kind: str, size: int) -> list[Any]:
    if kind == "embed":
        fn = getattr(subject, method)
        texts = chunks(size)
        return list(asyncio.run(fn(texts)) if asyncio.iscoroutinefunction(fn) else fn(texts))
    questions = prompts(size)
    if method == "batch":
        return list(subject.batch(questions))
    from llama_index.core.llms import ChatMessage

    async def fan_out() -> list[Any]:
        calls = (subject.achat([ChatMessage(role="user", content=q)]) for q in questions)
        return list(await asyncio.gather(*calls))

    return asyncio.run(fan_out())


_BUILDERS: dict[str, Callable[..., Any]] = {
    "lc_embeddings": lambda server, token: c.lc_embeddings(server, api_key=token),
    "li_embedding": lambda server, token: c.li_embedding(server, api_token=token),
    "lc_chat": lambda server, token: c.lc_chat(server, api_key=token),
    "li_llm": lambda server, token: c.li_llm(server, api_token=token),
}


def _ours(server: ServerProcess, work: Workload, token: str) -> tuple[float, str | None, Any]:
    subject = _BUILDERS[work.builder](server, token)
    t0 = time.perf_counter()
    try:
        result = _invoke(subject, work.method, work.kind, work.size)
    except Exception as exc:
        return time.perf_counter() - t0, f"raised {type(exc).__name__}: {str(exc)[:160]}", None
    elapsed = time.perf_counter() - t0
    if len(result) != work.size:
        return elapsed, f"{len(result)} results for {work.size} inputs", None
    client = subject.client if hasattr(subject, "client") else None
    return elapsed, None, client.rate_limiter.totals() if client is not None else None


def _official(server: ServerProcess, work: Workload, limit: float) -> tuple[float, str | None]:
    t0 = time.perf_counter()
    try:
        reply = run_child(
            "ratelimit",
            work.builder,
            work.method,
            work.kind,
            str(work.size),
            server.base_url,
            server.mistral_base_url,
            env={"HF_HUB_OFFLINE": "1"},
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t0, f"still running after {limit:.0f} s (stopped)"
    elapsed = time.perf_counter() - t0
    if "error" in reply:
        return elapsed, "raised " + str(reply["error"])[:200]
    return float(reply.get("seconds", elapsed)), None


def _record(
    book: ResultBook,
    case: str,
    account: Account,
    work: Workload,
    seconds: float,
    error: str | None,
    stats: dict[str, Any],
    totals: Any,
) -> None:
    path = "/v1/embeddings" if work.kind == "embed" else "/v1/chat/completions"
    sent = int(stats.get("path_counts", {}).get(path, 0))
    refused = int(stats.get("rate_limited", 0))
    accepted = sent - refused
    tokens = int(stats.get("tokens", 0))
    ideal = account.ideal(accepted, tokens)
    pct = 100.0 * refused / sent if sent else 0.0
    extra: dict[str, Any] = {
        "requests": accepted,
        "rate_limited": refused,
        "rate_limited_pct": f"{pct:.1f}%",
        "tokens": f"{tokens:,}",
        "ideal": f"{ideal:.1f} s",
        "x_ideal": f"{seconds / ideal:.2f}x" if ideal > 0 else "n/a",
    }
    if error is None:
        met = seconds <= 1.2 * ideal + 1.0 and pct < 10.0
        extra["verdict"] = "met" if met else "**MISSED**"
    else:
        extra["verdict"] = "failed" if work.role == "anchor" else "**FAILED**"
    size = f"{work.size:,} {'chunks' if work.kind == 'embed' else 'prompts'}"
    scale = f", budgets x{work.scale:g}" if work.scale != 1 else ""
    note = f"{size}{scale}"
    if error is not None:
        note += f"; {error}, with {accepted} requests accepted"
    elif totals is not None:
        note += f"; limiter: {totals.waits} waits, {totals.rate_limited} 429s seen"
    book.add(Measurement(case, work.subject, [seconds], role=work.role, extra=extra, note=note))


def run(server: ServerProcess, book: ResultBook, settings: Settings) -> None:
    official_limit = 10.0 if settings.quick else 20.0
    try:
        for key, base in ACCOUNTS.items():
            case = f"ratelimit.{key}"
            register(
                CaseInfo(
                    case,
                    f"Rate limits: an account allowing {base.title}",
                    f"each subject on a fresh account allowing {base.title} (429 beyond, no Retry-After, the real "
                    "x-ratelimit-* headers); ideal = accepted requests (and charged tokens) / the account's rate",
                    "s",
                    (),
                    _EXTRA,
                )
            )
            ours = _our_workloads(key, settings.quick)
            for index, work in enumerate([*ours, *_official_workloads(ours)]):
                account = base.scaled(work.scale)
                server.configure(rate_limits=account.limits)
                server.reset_stats()
                if work.role == "ours":
                    seconds, error, totals = _ours(server, work, f"at_ratelimit_bench_{key}_{index}")
                else:
                    (seconds, error), totals = _official(server, work, official_limit), None
                _record(book, case, account, work, seconds, error, server.stats(), totals)
            book.note(
                case,
                "Chunks are 500 to 1,500 characters (about 1,000 on average, ~250 tokens by the stand-in's count). "
                + (
                    "Quick run: 300 chunks and 40 prompts."
                    if settings.quick
                    else "Every row runs the full workload (20,000 chunks, 200 prompts) at the account's exact limits."
                )
                + f" Official integrations are stopped after {official_limit:.0f} s; 'targets' = 0 failures, "
                "<= 1.2x ideal (+1 s), 429s < 10%.",
            )
    finally:
        server.configure(rate_limits=None)
