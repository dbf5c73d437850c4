"""The targets of issue 8, each checked against figures measured in the same run."""

from __future__ import annotations

from dataclasses import dataclass

from ._results import Measurement, ResultBook

__all__ = ["Outcome", "evaluate"]


@dataclass
class Outcome:
    target: str
    ours: str
    ours_value: float | None
    anchor: str
    anchor_value: float | None
    ratio: float | None
    limit: str
    met: bool | None
    """``None`` when a figure is missing."""
    unit: str = "s"


@dataclass(frozen=True)
class _Ratio:
    target: str
    case: str
    ours: str
    anchors: tuple[str, ...]
    """Compared with the best (smallest) of these."""
    max_ratio: float


_RATIOS: list[_Ratio] = [
    _Ratio(
        "LangChain chat call (sync) <= 0.85x ChatMistralAI",
        "chat.sync",
        "ChatMistralLCA.invoke",
        ("ChatMistralAI.invoke",),
        0.85,
    ),
    _Ratio(
        "LangChain chat call (async) <= 0.85x ChatMistralAI",
        "chat.async",
        "ChatMistralLCA.ainvoke",
        ("ChatMistralAI.ainvoke",),
        0.85,
    ),
    _Ratio(
        "LlamaIndex chat call (sync) <= 0.3x MistralAI",
        "chat.sync",
        "MistralLCA.chat (LlamaIndex)",
        ("llama-index MistralAI.chat",),
        0.3,
    ),
    _Ratio(
        "LlamaIndex chat call (async) <= 0.3x MistralAI",
        "chat.async",
        "MistralLCA.achat (LlamaIndex)",
        ("llama-index MistralAI.achat",),
        0.3,
    ),
    _Ratio(
        "5k-chunk stream (sync) <= 0.6x ChatMistralAI",
        "stream.sync",
        "ChatMistralLCA.stream",
        ("ChatMistralAI.stream",),
        0.6,
    ),
    _Ratio(
        "5k-chunk stream (async) <= 0.6x ChatMistralAI",
        "stream.async",
        "ChatMistralLCA.astream",
        ("ChatMistralAI.astream",),
        0.6,
    ),
    _Ratio(
        "5k-chunk stream (sync) <= 0.05x llama-index MistralAI",
        "stream.sync",
        "MistralLCA.stream_chat (LlamaIndex)",
        ("llama-index MistralAI.stream_chat",),
        0.05,
    ),
    _Ratio(
        "5k-chunk stream (async) <= 0.05x llama-index MistralAI",
        "stream.async",
        "MistralLCA.astream_chat (LlamaIndex)",
        ("llama-index MistralAI.astream_chat",),
        0.05,
    ),
    _Ratio(
        "bare client stream (sync) <= 1.5x raw httpx, same URL",
        "stream.sync",
        "MistralLCAClient.chat.stream",
        ("raw httpx + json (LowCodeAPI form)",),
        1.5,
    ),
    _Ratio(
        "bare client stream (async) <= 1.5x raw httpx, same URL",
        "stream.async",
        "AsyncMistralLCAClient.chat.stream",
        ("raw httpx async + json (LowCodeAPI form)",),
        1.5,
    ),
]
for _ours in ("MistralLCAEmbeddings.embed_documents", "MistralLCAEmbedding.get_text_embedding_batch"):
    _RATIOS += [
        _Ratio(
            f"embeddings sync <= 0.5x MistralAIEmbeddings sync ({_ours.split('.')[0]})",
            "embed.sync",
            _ours,
            ("MistralAIEmbeddings.embed_documents",),
            0.5,
        ),
        _Ratio(
            f"embeddings sync <= 0.1x llama-index sync ({_ours.split('.')[0]})",
            "embed.sync",
            _ours,
            ("llama-index MistralAIEmbedding.get_text_embedding_batch",),
            0.1,
        ),
    ]
for _ours in ("MistralLCAEmbeddings.aembed_documents", "MistralLCAEmbedding.aget_text_embedding_batch"):
    _RATIOS.append(
        _Ratio(
            f"embeddings async <= 0.7x best official async ({_ours.split('.')[0]})",
            "embed.async",
            _ours,
            ("MistralAIEmbeddings.aembed_documents", "llama-index MistralAIEmbedding.aget_text_embedding_batch"),
            0.7,
        )
    )


def _best(book: ResultBook, case: str, names: tuple[str, ...]) -> Measurement | None:
    found = [m for m in (book.get(case, n) for n in names) if m is not None]
    return min(found, key=lambda m: m.value) if found else None


def evaluate(book: ResultBook) -> list[Outcome]:
    out: list[Outcome] = []
    for r in _RATIOS:
        ours = book.get(r.case, r.ours)
        anchor = _best(book, r.case, r.anchors)
        if ours is None or anchor is None:
            out.append(
                Outcome(
                    r.target,
                    r.ours,
                    ours.value if ours else None,
                    " / ".join(r.anchors),
                    anchor.value if anchor else None,
                    None,
                    f"<= {r.max_ratio}x",
                    None,
                )
            )
            continue
        ratio = ours.value / anchor.value
        out.append(
            Outcome(
                r.target,
                r.ours,
                ours.value,
                anchor.subject,
                anchor.value,
                ratio,
                f"<= {r.max_ratio}x",
                ratio <= r.max_ratio,
            )
        )

    for case in ("embed.sync", "embed.async"):
        for m in book.case(case):
            limit = m.extra.get("limit")
            if limit is None:
                continue
            peak = m.extra.get("max_in_flight")
            out.append(
                Outcome(
                    f"peak in-flight <= configured limit ({case.split('.')[1]})",
                    m.subject,
                    peak,
                    "limit",
                    limit,
                    None,
                    f"<= {limit}",
                    None if peak is None else peak <= limit,
                    unit="count",
                )
            )

    out.extend(_tokenizer_outcomes(book))

    constructors = [m for m in book.case("startup.construct") if m.role == "ours"]
    if constructors:
        worst = max(constructors, key=lambda m: m.value)
        out.append(
            Outcome(
                "every constructor < 5 ms (first call, fresh process)",
                worst.subject + " (slowest)",
                worst.value,
                "",
                None,
                None,
                "< 5 ms",
                worst.value < 0.005,
                unit="s",
            )
        )
    imp = book.get("startup.import", "import mistral_lca")
    if imp is not None:
        out.append(
            Outcome(
                "import mistral_lca < 150 ms",
                "import mistral_lca",
                imp.value,
                "",
                None,
                None,
                "< 150 ms",
                imp.value < 0.150,
                unit="s",
            )
        )
    return out


def _tokenizer_outcomes(book: ResultBook) -> list[Outcome]:
    """Issue 11 with [tokenizer]: requests drop >= 20% versus the estimate; no request rejected for size."""
    out = []
    estimate = book.get("tokenizer.plan", "plan with the estimate (no [tokenizer] extra)")
    exact = book.get("tokenizer.plan", "plan with the exact tokenizer (mistral-embed)")
    if estimate is not None and exact is not None:
        drop = 1 - exact.extra["requests"] / estimate.extra["requests"]
        out.append(
            Outcome(
                "[tokenizer]: requests for 20,000 English chunks drop >= 20% vs the estimate",
                f"exact: {exact.extra['requests']:,} requests",
                drop,
                f"estimate: {estimate.extra['requests']:,} requests",
                None,
                None,
                ">= 20% fewer",
                drop >= 0.20,
                unit="fraction",
            )
        )
    ours = [m for m in book.case("tokenizer.run") if m.role == "ours"]
    if ours:
        worst = max(ours, key=lambda m: m.extra.get("rejected", 0))
        out.append(
            Outcome(
                "[tokenizer]: no request rejected for size (stand-in with Mistral's limits)",
                worst.subject + " (worst)",
                worst.extra.get("rejected"),
                "",
                0,
                None,
                "= 0",
                worst.extra.get("rejected") == 0,
                unit="count",
            )
        )
    return out


_BOUNDS: list[tuple[str, str, str, str]] = [
    # (case, langchain-core floor, our bare client (same case or its twin), anchor)
    (
        "chat.sync",
        "langchain-core floor: BaseChatModel.invoke, no I/O",
        "MistralLCAClient.chat.complete",
        "ChatMistralAI.invoke",
    ),
    (
        "chat.async",
        "langchain-core floor: BaseChatModel.ainvoke, no I/O",
        "AsyncMistralLCAClient.chat.complete",
        "ChatMistralAI.ainvoke",
    ),
    (
        "stream.sync",
        "langchain-core floor: BaseChatModel.stream, no I/O",
        "MistralLCAClient.chat.stream",
        "ChatMistralAI.stream",
    ),
    (
        "stream.async",
        "langchain-core floor: BaseChatModel.astream, no I/O",
        "AsyncMistralLCAClient.chat.stream",
        "ChatMistralAI.astream",
    ),
]


def lower_bounds(book: ResultBook) -> list[str]:
    """For the LangChain targets: the best ratio any adapter on our client could reach (core floor + client)."""
    lines = []
    for case, floor_name, bare_name, anchor_name in _BOUNDS:
        floor, bare, anchor = book.get(case, floor_name), book.get(case, bare_name), book.get(case, anchor_name)
        if floor is None or bare is None or anchor is None:
            continue
        bound = (floor.value + bare.value) / anchor.value
        lines.append(
            f"- {case}: langchain-core alone {floor.value * 1e3:,.2f} ms + our client {bare.value * 1e3:,.2f} ms "
            f"= {(floor.value + bare.value) * 1e3:,.2f} ms, i.e. **{bound:.2f}x** {anchor_name} "
            f"({anchor.value * 1e3:,.2f} ms): the best any LangChain adapter on this client can reach."
        )
    return lines
