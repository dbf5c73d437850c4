"""5. Peak memory while embedding 100,000 texts (sync API), each subject in a fresh process.

Figures come from the kernel: peak resident set size (``ru_maxrss``) of the process, and the growth over the
resident size just before the call (after imports, construction and a warm-up call). The result itself —
100,000 lists of 1,024 Python floats, about 3.3 GB — is unavoidable for any client returning ``list[list[float]]``;
the ``floor`` row holds exactly that and nothing else. The server runs without added latency.
(``tracemalloc`` is not used: tracing 100 million float allocations would take far longer than the run.)
"""

from __future__ import annotations

from ._cases import CaseInfo, Settings, register
from ._results import Measurement, ResultBook
from ._server import ServerProcess
from ._subprocess import run_child

CASE = "memory.embed"
FLOOR = "floor: the result vectors alone"

SUBJECTS: list[tuple[str, str, str, str, str]] = [
    # (role, label, builder, method, note)
    ("baseline", FLOOR, "floor", "", "lists of Python floats built from float32 bytes, no client"),
    ("ours", "MistralLCAEmbeddings.embed_documents", "lc_embeddings", "embed_documents", "max_concurrent_requests=8"),
    (
        "ours",
        "MistralLCAEmbedding.get_text_embedding_batch",
        "li_embedding",
        "get_text_embedding_batch",
        "num_workers=8",
    ),
    ("anchor", "MistralAIEmbeddings.embed_documents", "official_lc_embeddings", "embed_documents", ""),
    (
        "anchor",
        "llama-index MistralAIEmbedding.get_text_embedding_batch",
        "official_li_embedding",
        "get_text_embedding_batch",
        "",
    ),
]


def register_case(n: int) -> None:
    register(
        CaseInfo(
            CASE,
            f"Peak memory, embedding {n:,} texts (sync)",
            f"peak RSS of a fresh process embedding {n:,} texts; growth = peak minus RSS before the call",
            "MB",
            (
                ("x MistralAIEmbeddings", "MistralAIEmbeddings.embed_documents"),
                ("x llama-index MistralAIEmbedding", "llama-index MistralAIEmbedding.get_text_embedding_batch"),
            ),
            (("growth (MB)", "growth_mb"), ("x floor growth", "x_floor"), ("seconds", "seconds")),
        )
    )


register_case(100_000)


def run(server: ServerProcess, book: ResultBook, settings: Settings) -> None:
    n = 2_000 if settings.quick else 100_000
    register_case(n)
    server.configure(latency=0.0)
    floor_growth = None
    for role, label, builder, method, note in SUBJECTS:
        n_subject = n
        server.reset_stats()
        result = run_child(
            "memory",
            builder,
            method or "-",
            str(n_subject),
            server.base_url,
            server.mistral_base_url,
            env={"HF_HUB_OFFLINE": "1"},
            timeout=900,
        )
        if "error" in result:
            book.skip(CASE, label, result["error"])
            continue
        peak = result["peak_kib"] * 1024
        growth = (result["peak_kib"] - result["baseline_kib"]) * 1024
        if builder == "floor":
            floor_growth = growth
        extra = {
            "growth_mb": growth / 1e6,
            "x_floor": (growth / floor_growth) if floor_growth else None,
            "seconds": result["seconds"],
            "requests": server.stats().get("total"),
        }
        book.add(Measurement(CASE, label, [float(peak)], unit="B", role=role, note=note, extra=extra))
