"""Work done in a fresh interpreter (``python -m benchmarks._child COMMAND ...``), answering one JSON line.

* ``import STATEMENT``: seconds to run one import statement in a fresh process.
* ``construct BUILDER N``: seconds for the first construction of a class, then the median of N more.
* ``memory BUILDER METHOD N BASE_URL MISTRAL_BASE_URL``: peak RSS while embedding N texts.
"""

from __future__ import annotations

import json
import sys
import time
import types
from collections.abc import Callable
from typing import Any

# Builders of ``benchmarks._clients`` and the import that must happen before a constructor is timed.
PRELOAD = {
    "ours_sync": "from mistral_lca import MistralLCAClient",
    "ours_async": "from mistral_lca import AsyncMistralLCAClient",
    "lc_chat": "from langchain_mistral_lca import ChatMistralLCA",
    "lc_embeddings": "from langchain_mistral_lca import MistralLCAEmbeddings",
    "lc_fim": "from langchain_mistral_lca import MistralLCAFIM",
    "li_llm": "from llamaindex_mistral_lca import MistralLCA",
    "li_embedding": "from llamaindex_mistral_lca import MistralLCAEmbedding",
    "official_lc_chat": "from langchain_mistralai import ChatMistralAI",
    "official_lc_embeddings": "from langchain_mistralai import MistralAIEmbeddings",
    "official_li_llm": "from llama_index.llms.mistralai import MistralAI",
    "official_li_embedding": "from llama_index.embeddings.mistralai import MistralAIEmbedding",
}
_NOWHERE = types.SimpleNamespace(base_url="http://127.0.0.1:9/mistralai", mistral_base_url="http://127.0.0.1:9")


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _peak_kib() -> int:
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


def cmd_import(statement: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    exec(statement, {})
    return {"seconds": time.perf_counter() - t0, "modules": len(sys.modules)}


def _builder(name: str) -> Any:
    from benchmarks import _clients

    return getattr(_clients, name)


def cmd_construct(name: str, repeats: str) -> dict[str, Any]:
    import statistics
    import warnings

    warnings.simplefilter("ignore")
    exec(PRELOAD[name], {})
    build = _builder(name)
    t0 = time.perf_counter()
    build(_NOWHERE)
    first = time.perf_counter() - t0
    later: list[float] = []
    for _ in range(int(repeats)):
        t0 = time.perf_counter()
        build(_NOWHERE)
        later.append(time.perf_counter() - t0)
    return {"first": first, "later": statistics.median(later) if later else None, "later_runs": len(later)}


def cmd_construct_all(repeats: str) -> dict[str, Any]:
    """Every builder in one process (the --quick variant): {builder: {"first", "later"}}."""
    out: dict[str, Any] = {}
    for name in PRELOAD:
        try:
            out[name] = cmd_construct(name, repeats)
        except Exception as exc:
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def _float_floor(n: int) -> list[list[float]]:
    """What any client must hold at the end: n distinct lists of 1,024 Python floats."""
    import array
    import random

    blob = array.array("f", (random.random() for _ in range(1024))).tobytes() * 2
    out = []
    for i in range(n):
        shift = (i % 1024) * 4
        out.append(array.array("f", blob[shift : shift + 4096]).tolist())
    return out


def cmd_memory(name: str, method: str, count: str, base_url: str, mistral_base_url: str) -> dict[str, Any]:
    import asyncio
    import warnings

    warnings.simplefilter("ignore")
    from benchmarks.embeddings import texts_for

    n = int(count)
    texts = texts_for(n)
    if name == "floor":
        baseline = _rss_kib()
        t0 = time.perf_counter()
        vectors = _float_floor(n)
    else:
        exec(PRELOAD[name], {})
        kwargs = {"max_concurrent_requests": 8} if name == "lc_embeddings" else {}
        if name == "li_embedding":
            kwargs = {"num_workers": 8}
        server = types.SimpleNamespace(base_url=base_url, mistral_base_url=mistral_base_url)
        subject = _builder(name)(server, **kwargs) if kwargs else _builder(name)(server)
        fn = getattr(subject, method)
        is_async = asyncio.iscoroutinefunction(fn)
        if is_async:
            asyncio.run(fn(texts_for(30)))
        else:
            fn(texts_for(30))
        baseline = _rss_kib()
        t0 = time.perf_counter()
        vectors = asyncio.run(fn(texts)) if is_async else fn(texts)
    elapsed = time.perf_counter() - t0
    if len(vectors) != n or len(vectors[-1]) != 1024:
        raise AssertionError(f"{name}: got {len(vectors)} vectors")
    return {"peak_kib": _peak_kib(), "baseline_kib": baseline, "end_kib": _rss_kib(), "seconds": elapsed}


def cmd_ratelimit(
    builder: str, method: str, kind: str, size: str, base_url: str, mistral_base_url: str
) -> dict[str, Any]:
    import warnings

    warnings.simplefilter("ignore")
    from benchmarks.ratelimit import run_official

    return run_official(builder, method, kind, int(size), base_url, mistral_base_url)


def main(argv: list[str]) -> None:
    command, *args = argv
    commands: dict[str, Callable[..., dict[str, Any]]] = {
        "import": cmd_import,
        "construct": cmd_construct,
        "construct-all": cmd_construct_all,
        "memory": cmd_memory,
        "ratelimit": cmd_ratelimit,
    }
    try:
        result = commands[command](*args)
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write("\n@@RESULT@@" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
