"""Orientation: decoding one embeddings response of 1,000 x 1,024 floats (no network).

Shows where embedding time goes: the stdlib ``json`` parser versus ``orjson``, pydantic validation of the
decoded dict, and the base64 (``encoding_format="base64"``) alternative our client can request.
"""

from __future__ import annotations

import base64
import gc
import json
import random
import struct
import time
from collections.abc import Callable
from typing import Any

from ._cases import CaseInfo, Settings, register
from ._results import Measurement, ResultBook

CASE = "decode.embeddings"
register(
    CaseInfo(
        CASE,
        "Decoding a 1,000 x 1,024 float embedding response",
        "bytes in, vectors out (no I/O)",
        "ms",
        (("x json.loads", "json.loads (stdlib)"),),
    )
)


def _bodies(count: int = 1000) -> tuple[bytes, bytes]:
    rng = random.Random(0)
    base = [round(rng.gauss(0, 0.03), 6) for _ in range(2048)]
    vectors = [base[i % 1024 : i % 1024 + 1024] for i in range(count)]
    as_floats = {
        "id": "x",
        "object": "list",
        "model": "mistral-embed",
        "data": [{"object": "embedding", "embedding": v, "index": i} for i, v in enumerate(vectors)],
        "usage": {"prompt_tokens": 1, "total_tokens": 1, "completion_tokens": 0},
    }
    as_b64 = dict(as_floats)
    as_b64["data"] = [
        {"object": "embedding", "index": i, "embedding": base64.b64encode(struct.pack("<1024f", *v)).decode()}
        for i, v in enumerate(vectors)
    ]
    return json.dumps(as_floats).encode(), json.dumps(as_b64).encode()


def run(book: ResultBook, settings: Settings) -> None:
    floats, b64 = _bodies(100 if settings.quick else 1000)
    ops: dict[str, tuple[str, Callable[[], Any]]] = {
        "json.loads (stdlib)": ("baseline", lambda: json.loads(floats)),
    }
    try:
        import orjson

        ops["orjson.loads"] = ("baseline", lambda: orjson.loads(floats))
    except ImportError:
        book.skip(CASE, "orjson.loads", "orjson not installed (extra 'fast')")
    try:
        from mistral_lca._json import loads
        from mistral_lca.types.embeddings import EmbeddingResponse

        ops["mistral_lca: loads + EmbeddingResponse (float)"] = (
            "ours",
            lambda: EmbeddingResponse.model_validate(loads(floats)).vectors(),
        )
        ops["mistral_lca: loads + EmbeddingResponse (base64)"] = (
            "ours",
            lambda: EmbeddingResponse.model_validate(loads(b64)).vectors(),
        )
        ops["pydantic EmbeddingResponse.model_validate_json (float)"] = (
            "baseline",
            lambda: EmbeddingResponse.model_validate_json(floats).vectors(),
        )
    except ImportError as exc:
        book.skip(CASE, "mistral_lca", str(exc))
    try:
        from mistralai.client.models import EmbeddingResponse as SdkEmbeddingResponse

        ops["mistralai SDK EmbeddingResponse (float)"] = (
            "anchor",
            lambda: SdkEmbeddingResponse.model_validate_json(floats),
        )
    except ImportError as exc:
        book.skip(CASE, "mistralai SDK", str(exc))
    repeats = 3 if settings.quick else 11
    samples: dict[str, list[float]] = {name: [] for name in ops}
    for _ in range(repeats):
        for name, (_, fn) in ops.items():
            gc.collect()
            t0 = time.perf_counter()
            result = fn()
            samples[name].append(time.perf_counter() - t0)
            del result  # freeing a million floats is not part of decoding
    for name, values in samples.items():
        book.add(Measurement(CASE, name, values, role=ops[name][0]))
