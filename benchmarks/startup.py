"""4. Cold import time and constructor time of each client and adapter class, each in fresh interpreters.

"Cold" means a new Python process (nothing imported yet); the OS file cache is warm after the first run, as it
is for any application that starts more than once. Constructors are timed after their module is imported: the
first construction in the process, and the median of later ones.

The official ``MistralAIEmbeddings`` downloads the Mixtral tokenizer from the Hugging Face hub in its
constructor. This machine has no network, so that is measured twice: as is (the hub client retries with
back-off before the class falls back to a character-counting tokenizer), and with ``HF_HUB_OFFLINE=1``.
"""

from __future__ import annotations

import subprocess
import sys

from ._cases import CaseInfo, Settings, register
from ._results import Measurement, ResultBook
from ._server import REPO_ROOT, child_env
from ._subprocess import run_child

IMPORT = "startup.import"
CONSTRUCT = "startup.construct"

register(
    CaseInfo(
        IMPORT,
        "Cold import",
        "fresh interpreter: time of the import statement alone",
        "ms",
        (("x httpx", "import httpx"),),
        (("modules loaded", "modules"),),
    ),
    CaseInfo(
        CONSTRUCT,
        "Constructor, first call in a fresh process",
        "first construction after the import",
        "ms",
        extra_columns=(("later calls, median (ms)", "later_ms"),),
    ),
)

IMPORTS: list[tuple[str, str, str]] = [
    ("ours", "import mistral_lca", ""),
    ("ours", "from mistral_lca import MistralLCAClient", ""),
    ("ours", "from langchain_mistral_lca import ChatMistralLCA", ""),
    ("ours", "from langchain_mistral_lca import MistralLCAEmbeddings", ""),
    ("ours", "from llamaindex_mistral_lca import MistralLCA", ""),
    ("ours", "from llamaindex_mistral_lca import MistralLCAEmbedding", ""),
    ("anchor", "from langchain_mistralai import ChatMistralAI", ""),
    ("anchor", "from langchain_mistralai import MistralAIEmbeddings", ""),
    ("anchor", "from llama_index.llms.mistralai import MistralAI", ""),
    ("anchor", "from llama_index.embeddings.mistralai import MistralAIEmbedding", ""),
    ("baseline", "import httpx", ""),
    ("baseline", "import pydantic", ""),
    ("baseline", "from langchain_core.language_models import BaseChatModel", "the framework base class alone"),
    ("baseline", "from llama_index.core.llms.function_calling import FunctionCallingLLM", "the framework base alone"),
]

CONSTRUCTORS: list[tuple[str, str, str, str]] = [
    # (role, label, builder in benchmarks._clients, note)
    ("ours", "MistralLCAClient(...)", "ours_sync", ""),
    ("ours", "AsyncMistralLCAClient(...)", "ours_async", ""),
    ("ours", "ChatMistralLCA(...)", "lc_chat", ""),
    ("ours", "MistralLCAEmbeddings(...)", "lc_embeddings", ""),
    ("ours", "MistralLCAFIM(...)", "lc_fim", ""),
    ("ours", "MistralLCA(...) (LlamaIndex)", "li_llm", ""),
    ("ours", "MistralLCAEmbedding(...) (LlamaIndex)", "li_embedding", ""),
    ("anchor", "ChatMistralAI(...)", "official_lc_chat", ""),
    ("anchor", "llama-index MistralAI(...)", "official_li_llm", ""),
    ("anchor", "llama-index MistralAIEmbedding(...)", "official_li_embedding", "+ SDK client swap (see README)"),
]

_SNIPPET = (
    "import time\nt = time.perf_counter()\n{stmt}\nt = time.perf_counter() - t\n"
    "import sys\nprint(t, len(sys.modules))\n"
)


def _import_once(statement: str) -> tuple[float, int]:
    proc = subprocess.run(
        [sys.executable, "-c", _SNIPPET.format(stmt=statement)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=child_env({"HF_HUB_OFFLINE": "1"}),
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr.strip().splitlines() or ["failed"])[-1])
    seconds, modules = proc.stdout.split()
    return float(seconds), int(modules)


QUICK_IMPORTS = (
    "import mistral_lca",
    "from langchain_mistral_lca import ChatMistralLCA",
    "from llamaindex_mistral_lca import MistralLCA",
    "from langchain_mistralai import ChatMistralAI",
)


def _imports(book: ResultBook, settings: Settings) -> None:
    repeats = 1 if settings.quick else 3
    for role, statement, note in IMPORTS:
        if settings.quick and statement not in QUICK_IMPORTS:
            continue
        try:
            if not settings.quick:
                _import_once(statement)  # warm the file cache
            runs = [_import_once(statement) for _ in range(repeats)]
        except Exception as exc:
            book.skip(IMPORT, statement, str(exc))
            continue
        book.add(
            Measurement(IMPORT, statement, [r[0] for r in runs], role=role, note=note, extra={"modules": runs[-1][1]})
        )


def _constructors_quick(book: ResultBook) -> None:
    results = run_child("construct-all", "5", env={"HF_HUB_OFFLINE": "1"})
    if "error" in results:
        book.skip(CONSTRUCT, "all constructors", results["error"])
        return
    for role, label, builder, note in CONSTRUCTORS:
        r = results.get(builder, {"error": "not run"})
        if "error" in r:
            book.skip(CONSTRUCT, label, r["error"])
            continue
        book.add(
            Measurement(
                CONSTRUCT,
                label,
                [r["first"]],
                role=role,
                note=note + " (one process for all classes)",
                extra={"later_ms": r["later"] * 1000},
            )
        )
    book.skip(CONSTRUCT, "MistralAIEmbeddings(...)", "not run with --quick (~23 s per construction offline)")


def run(book: ResultBook, settings: Settings) -> None:
    _imports(book, settings)
    if settings.quick:
        _constructors_quick(book)
        return
    runs_per = 3
    for role, label, builder, note in CONSTRUCTORS:
        results = [run_child("construct", builder, "200", env={"HF_HUB_OFFLINE": "1"}) for _ in range(runs_per)]
        errors = [r["error"] for r in results if "error" in r]
        if errors:
            book.skip(CONSTRUCT, label, errors[0])
            continue
        laters = sorted(r["later"] for r in results)
        book.add(
            Measurement(
                CONSTRUCT,
                label,
                [r["first"] for r in results],
                role=role,
                note=note,
                extra={"later_ms": laters[len(laters) // 2] * 1000},
            )
        )

    # The official embeddings class: a Hugging Face download attempt in every constructor.
    offline = [
        run_child("construct", "official_lc_embeddings", "10", env={"HF_HUB_OFFLINE": "1"}) for _ in range(runs_per)
    ]
    if any("error" in r for r in offline):
        book.skip(CONSTRUCT, "MistralAIEmbeddings(...)", next(r["error"] for r in offline if "error" in r))
    else:
        book.add(
            Measurement(
                CONSTRUCT,
                "MistralAIEmbeddings(...) with HF_HUB_OFFLINE=1",
                [r["first"] for r in offline],
                role="anchor",
                note="tokenizer download skipped; falls back to DummyTokenizer",
                extra={"later_ms": sorted(r["later"] for r in offline)[len(offline) // 2] * 1000},
            )
        )
    honest = run_child("construct", "official_lc_embeddings", "0", drop_env=("HF_HUB_OFFLINE",))
    if "error" in honest:
        book.skip(CONSTRUCT, "MistralAIEmbeddings(...) offline, HF_HUB_OFFLINE unset", honest["error"])
    else:
        book.add(
            Measurement(
                CONSTRUCT,
                "MistralAIEmbeddings(...) offline, HF_HUB_OFFLINE unset",
                [honest["first"]],
                role="anchor",
                note="no network: the hub download is retried with back-off, then DummyTokenizer (every instance: "
                "the failure is not cached)",
            )
        )
