"""Deterministic, cheap embeddings (``/v1/embeddings``).

Each text hashes to (base vector k, rotation r). Base vectors are random unit vectors generated lazily
and kept pre-encoded twice over ("doubled"), so a rotated vector's JSON (or base64 float32) is a single
bytes slice — no per-float work per request, however many texts.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import random
import struct
from typing import Any

from ...tokens import count_tokens_each
from ._json import RawJson, dumps
from .replies import Call, ErrorReply, JsonReply, Reply, api_error, check_fields, json_object, validation_error
from .state import FakeConfig, FakeState

__all__ = ["EMBED_FIELDS", "basis", "embed_vector", "handle_embeddings", "model_dimension"]

EMBED_FIELDS = frozenset(("model", "metadata", "input", "output_dimension", "output_dtype", "encoding_format"))
_DTYPES = ("float", "int8", "uint8", "binary", "ubinary")
_FORMATS = ("float", "base64")
_BASES = 256


def model_dimension(model: str) -> int:
    return 1536 if model.startswith("codestral-embed") else 1024


def _bf16ish(x: float) -> float:
    """Keep 8 significant bits, like the short decimals real mistral-embed vectors show."""
    if x == 0:
        return 0.0
    m, e = math.frexp(x)
    return math.ldexp(round(m * 256) / 256, e)


class _Basis:
    """Pre-encoded base vectors for one (seed, dimension, dtype)."""

    def __init__(self, seed: int, dim: int, dtype: str) -> None:
        self.seed, self.dim, self.dtype = seed, dim, dtype
        self.elems = dim // 8 if dtype in ("binary", "ubinary") else dim
        self._json: dict[int, tuple[bytes, list[int]]] = {}
        self._raw: dict[int, bytes] = {}

    def _values(self, k: int) -> list[float] | list[int]:
        rng = random.Random(f"{self.seed}:{self.dim}:{k}")
        vec = [rng.gauss(0.0, 1.0) for _ in range(self.dim)]
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        floats = [_bf16ish(v / norm) for v in vec]
        if self.dtype == "float":
            return floats
        if self.dtype in ("int8", "uint8"):
            peak = max(abs(v) for v in floats) or 1.0
            ints = [round(v / peak * 127) for v in floats]
            return [i + 128 for i in ints] if self.dtype == "uint8" else ints
        packed = []
        for i in range(0, self.dim - self.dim % 8, 8):
            byte = 0
            for v in floats[i : i + 8]:
                byte = (byte << 1) | (1 if v > 0 else 0)
            packed.append(byte if self.dtype == "ubinary" or byte < 128 else byte - 256)
        return packed

    def _encoded(self, k: int) -> tuple[bytes, list[int]]:
        hit = self._json.get(k)
        if hit is None:
            parts = [repr(v) for v in self._values(k)] * 2
            offsets = [0]
            for p in parts:
                offsets.append(offsets[-1] + len(p) + 1)
            hit = (",".join(parts).encode(), offsets)
            self._json[k] = hit
        return hit

    def _packed(self, k: int) -> bytes:
        hit = self._raw.get(k)
        if hit is None:
            values = self._values(k)
            code = "f" if self.dtype == "float" else "B" if self.dtype in ("uint8", "ubinary") else "b"
            hit = struct.pack(f"<{len(values)}{code}", *values) * 2
            self._raw[k] = hit
        return hit

    def json_array(self, k: int, shift: int) -> bytes:
        joined, offsets = self._encoded(k)
        return b"[" + joined[offsets[shift] : offsets[shift + self.elems] - 1] + b"]"

    def base64(self, k: int, shift: int) -> bytes:
        width = 4 if self.dtype == "float" else 1
        return b'"' + base64.b64encode(self._packed(k)[shift * width : (shift + self.elems) * width]) + b'"'


@functools.lru_cache(maxsize=32)
def basis(seed: int, dim: int, dtype: str) -> _Basis:
    return _Basis(seed, dim, dtype)


def embed_vector(text: str, basis_: _Basis, encoding: str) -> bytes:
    """The JSON value (array or base64 string) of one text's embedding."""
    h = int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")
    k, shift = h % _BASES, (h // _BASES) % basis_.elems
    return basis_.base64(k, shift) if encoding == "base64" else basis_.json_array(k, shift)


def _check(body: dict[str, Any]) -> ErrorReply | list[str]:
    raw = body["input"]
    inputs = [raw] if isinstance(raw, str) else raw
    if not isinstance(inputs, list) or not all(isinstance(t, str) for t in inputs):
        return validation_error(
            [{"type": "string_type", "loc": ["body", "input"], "msg": "Input should be a valid string", "input": raw}]
        )
    if not inputs:
        return api_error(400, "Input list cannot be empty", code="3210")
    for key, allowed in (("output_dtype", _DTYPES), ("encoding_format", _FORMATS)):
        value = body.get(key)
        if value is not None and value not in allowed:
            return validation_error(
                [
                    {
                        "type": "enum",
                        "loc": ["body", key],
                        "input": value,
                        "msg": "Input should be " + ", ".join(f"'{a}'" for a in allowed),
                    }
                ]
            )
    dim = body.get("output_dimension")
    if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or not 1 <= dim <= 4096):
        return validation_error(
            [
                {
                    "type": "int_type",
                    "loc": ["body", "output_dimension"],
                    "msg": "Input should be a valid integer between 1 and 4096",
                    "input": dim,
                }
            ]
        )
    return inputs


def _size_error(cfg: FakeConfig, inputs: list[str], model: str) -> ErrorReply | int:
    """Mistral's 400 (code 3210) for too many inputs or tokens, else the tokens the request costs.

    Tokens are counted as the client counts them (:func:`mistral_lca.tokens.count_tokens_each`): exactly with the
    ``[tokenizer]`` extra (BOS and EOS included, as Mistral bills them), with the estimate otherwise. The
    per-request and too-many-inputs bodies are the ones Mistral sends; the per-input wording is modelled on them
    (no recording of that case is known).
    """
    if cfg.embed_max_inputs is not None and len(inputs) > cfg.embed_max_inputs:
        return api_error(400, "Too many inputs in request, split into more batches.", code="3210")
    counts = count_tokens_each(inputs, model)
    if cfg.embed_max_input_tokens is not None:
        for index, count in enumerate(counts):
            if count > cfg.embed_max_input_tokens:
                message = f"Too many tokens for input {index}. Max is {cfg.embed_max_input_tokens} got {count}"
                return api_error(400, message, code="3210")
    tokens = sum(counts)
    if cfg.embed_max_tokens is not None and tokens > cfg.embed_max_tokens:
        return api_error(400, "Too many tokens overall, split into more batches.", code="3210")
    return tokens


def handle_embeddings(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    cfg = state.config
    err = check_fields(body, required=("input", "model"), allowed=EMBED_FIELDS if cfg.strict else None)
    if err is not None:
        return err
    inputs = _check(body)
    if isinstance(inputs, ErrorReply):
        return inputs
    model = str(body["model"])
    size_error = _size_error(cfg, inputs, model)
    if isinstance(size_error, ErrorReply):
        return size_error
    tokens = size_error
    dtype = str(body.get("output_dtype") or "float")
    encoding = str(body.get("encoding_format") or "float")
    dim = int(body.get("output_dimension") or model_dimension(model))
    if dtype in ("binary", "ubinary"):
        dim = max(8, dim - dim % 8)
    base = basis(cfg.seed, dim, dtype)
    items = [
        b'{"object":"embedding","embedding":' + embed_vector(text, base, encoding) + b',"index":%d}' % i
        for i, text in enumerate(inputs)
    ]
    usage = {"prompt_tokens": tokens, "total_tokens": tokens, "completion_tokens": 0, "prompt_tokens_details": None}
    result = b"".join(
        (
            b'{"id":"',
            state.ids.hex32("embd").encode(),
            b'","object":"list","data":[',
            b",".join(items),
            b'],"model":',
            dumps(cfg.model_aliases.get(model, model)),
            b',"usage":',
            dumps(usage),
            b"}",
        )
    )
    return JsonReply(RawJson(result))
