"""A 5,000-chunk stream delivered in one piece, as the LowCodeAPI proxy may deliver it (it can buffer streams).

``python -m benchmarks`` measures streams whose events arrive one HTTP chunk at a time (an incremental upstream).
This script measures the other case LowCodeAPI users meet: the whole event stream arriving at once.
``ChatMistralLCA`` then hands each network read over as one LangChain chunk (same aggregate, first token as soon
as the first read lands), so langchain-core's per-chunk cost is paid per read instead of per event.

    python -m benchmarks.buffered_stream
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

CHUNKS = 5000
REPEATS = 9


def _consume(model: Any) -> tuple[float, int]:
    started = time.perf_counter()
    count = sum(1 for _ in model.stream("hi"))
    return time.perf_counter() - started, count


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # ChatMistralAI's package would try to reach the hub
    from langchain_mistralai import ChatMistralAI

    from langchain_mistral_lca import ChatMistralLCA
    from mistral_lca.testing import FakeLowCodeAPI

    with FakeLowCodeAPI(stream_chunks=CHUNKS, stream_buffered=True) as server:
        subjects = {
            "ChatMistralLCA.stream": ChatMistralLCA(api_token="at_benchmark_token", base_url=server.base_url),
            "ChatMistralAI.stream": ChatMistralAI(api_key="x", base_url=server.mistral_base_url + "/v1"),
        }
        medians: dict[str, float] = {}
        for name, model in subjects.items():
            _consume(model)  # warm-up
            runs = [_consume(model) for _ in range(REPEATS)]
            medians[name] = statistics.median(t for t, _ in runs)
            print(f"{name}: {medians[name] * 1000:.1f} ms median of {REPEATS}, {runs[0][1]} chunks yielded")
        ratio = medians["ChatMistralLCA.stream"] / medians["ChatMistralAI.stream"]
        print(f"ratio: {ratio:.2f}x (target <= 0.6x)")


if __name__ == "__main__":
    main()
