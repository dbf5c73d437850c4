"""What is known about Mistral models: one table for both adapters (kind, context window, capabilities).

LangChain's ``ChatMistralLCA.profile`` and LlamaIndex's ``MistralLCA.metadata`` both read :func:`model_info`. A lookup
never raises: an id the table does not know (a model newer than this package, a typo the API will reject anyway) gets
permissive chat defaults, because refusing to build an agent over an unknown name is worse than a generous guess.

Ids resolve in this order, after lower-casing and unwrapping fine-tunes (``ft:<base>:<suffix>:...`` → ``<base>``):
the exact id, then the longest known prefix (``mistral-small-2603`` → ``mistral-small``, ``codestral-2508`` →
``codestral``).

Where the facts come from: context windows and capabilities are those Mistral publishes on its model pages (and
that models.dev, which langchain-mistralai's profiles are generated from, repeats). Where sources disagree, the
table takes the smaller window, so a fraction-of-context trigger fires early rather than late; rows we could not
confirm say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = ["DEFAULT_CONTEXT_WINDOW", "ModelInfo", "ModelKind", "base_model_id", "model_info"]

ModelKind = Literal["chat", "embedding", "ocr", "moderation", "transcription"]
"""The endpoint family a model serves: chat completions, embeddings, OCR, moderation/classification or
speech-to-text. Fill-in-the-middle is a capability of some chat (code) models, see :attr:`ModelInfo.fim`."""

DEFAULT_CONTEXT_WINDOW = 131_072
"""For models the table does not know: most current Mistral chat models take 128k tokens or more."""


@dataclass(frozen=True)
class ModelInfo:
    """Facts about one model. ``known`` is False for the permissive defaults an unknown id gets."""

    kind: ModelKind = "chat"
    context_window: int = DEFAULT_CONTEXT_WINDOW
    """Input tokens the model accepts (prompt plus tool definitions; the reply's ``max_tokens`` counts too)."""
    function_calling: bool = True
    structured_output: bool = True
    """Native ``response_format`` (``json_object`` / ``json_schema``)."""
    vision: bool = False
    """Image inputs (``image_url`` chunks). Assumed to go with ``document_url`` (PDF) chunks too: Mistral documents
    document understanding with its vision-capable chat models but publishes no per-model list."""
    audio: bool = False
    """Audio inputs in chat (``input_audio`` chunks)."""
    reasoning: bool = False
    """Thinking chunks / ``reasoning_effort``."""
    fim: bool = False
    """Fill-in-the-middle (``/v1/fim/completions``)."""
    known: bool = True

    @property
    def is_chat(self) -> bool:
        """True for models that answer ``/v1/chat/completions``."""
        return self.kind == "chat"


def _chat(
    window: int, *, vision: bool = False, reasoning: bool = False, fim: bool = False, audio: bool = False
) -> ModelInfo:
    return ModelInfo("chat", window, vision=vision, reasoning=reasoning, fim=fim, audio=audio)


def _service(kind: ModelKind, window: int) -> ModelInfo:
    """A model that does not chat: no tools, no structured output."""
    return ModelInfo(kind, window, function_calling=False, structured_output=False)


_K32, _K40, _K64, _K128, _K256 = 32_768, 40_960, 65_536, 131_072, 262_144

_EXACT: dict[str, ModelInfo] = {
    # Mistral Large: 2402 (32k), 2407/2411 (128k), Large 3 = 2512 (256k, vision).
    "mistral-large-2402": _chat(_K32),
    "mistral-large-2407": _chat(_K128),
    "mistral-large-2411": _chat(_K128),
    "mistral-large-2512": _chat(_K256, vision=True),
    "mistral-large-latest": _chat(_K256, vision=True),
    # Mistral Medium: 2312 (32k); Medium 3 = 2505 (128k, vision); 3.1 = 2508 (256k, vision); 3.5 = 2604 (256k,
    # vision, configurable reasoning).
    "mistral-medium-2312": _chat(_K32),
    "mistral-medium-2505": _chat(_K128, vision=True),
    "mistral-medium-2508": _chat(_K256, vision=True),
    "mistral-medium-2604": _chat(_K256, vision=True, reasoning=True),
    "mistral-medium-latest": _chat(_K256, vision=True, reasoning=True),
    # Mistral Small: 2312/2402/2409/2501 (32k, text); 3.1 = 2503 and 3.2 = 2506 (128k, vision);
    # Small 4 = 2603 (announced as 256k, vision, reasoning; 256_000 rather than 262_144: sources differ).
    "mistral-small-2312": _chat(_K32),
    "mistral-small-2402": _chat(_K32),
    "mistral-small-2409": _chat(_K32),
    "mistral-small-2501": _chat(_K32),
    "mistral-small-2503": _chat(_K128, vision=True),
    "mistral-small-2506": _chat(_K128, vision=True),
    "mistral-small-2603": _chat(256_000, vision=True, reasoning=True),
    "mistral-small-latest": _chat(256_000, vision=True, reasoning=True),
    "mistral-tiny": _chat(_K32),
    "mistral-tiny-2312": _chat(_K32),
    "mistral-tiny-2407": _chat(_K128),
    # Code models: Codestral answers chat and FIM (2405: 32k; later: 256k).
    "codestral-2405": _chat(_K32, fim=True),
    "devstral-2512": _chat(_K256),
    "devstral-latest": _chat(_K256),
    "devstral-medium-latest": _chat(_K256),
    # Magistral (reasoning): the 2506/2507 releases took 40k; 2509 (1.2) has 128k and vision.
    "magistral-small-2506": _chat(_K40, reasoning=True),
    "magistral-medium-2506": _chat(_K40, reasoning=True),
    "magistral-small-2507": _chat(_K40, reasoning=True),
    "magistral-medium-2507": _chat(_K40, reasoning=True),
    "magistral-small-2509": _chat(_K128, vision=True, reasoning=True),
    "magistral-medium-2509": _chat(_K128, vision=True, reasoning=True),
    "magistral-small-latest": _chat(_K128, vision=True, reasoning=True),
    "magistral-medium-latest": _chat(_K128, vision=True, reasoning=True),
    # Open-weight generations.
    "open-mistral-7b": _chat(_K32),
    "open-mixtral-8x7b": _chat(_K32),
    "open-mixtral-8x22b": _chat(_K64),
}

_PREFIXES: dict[str, ModelInfo] = {
    "mistral-large": _chat(_K128),
    "mistral-medium": _chat(_K128, vision=True),
    "mistral-small": _chat(_K128, vision=True),
    "ministral-3b": _chat(_K128),
    "ministral-8b": _chat(_K128),
    "ministral-14b": _chat(_K256),  # Ministral 3 (2512); vision not confirmed here, so not claimed
    "codestral-embed": _service("embedding", 8_192),
    "codestral": _chat(_K256, fim=True),
    "open-codestral-mamba": _chat(_K256, fim=True),
    "devstral": _chat(_K128),
    "magistral": _chat(_K128, reasoning=True),
    "pixtral": _chat(_K128, vision=True),
    "open-mistral-nemo": _chat(_K128),
    "mistral-nemo": _chat(_K128),
    "mistral-saba": _chat(_K32),
    # Voxtral chats with audio input (32k); voxtral-mini also serves /v1/audio/transcriptions. The
    # "-transcribe" ids are transcription-only.
    "voxtral-mini-transcribe": _service("transcription", _K32),
    "voxtral": _chat(_K32, audio=True),
    "mistral-embed": _service("embedding", 8_192),
    "mistral-moderation": _service("moderation", 8_192),
    "mistral-ocr": _service("ocr", _K128),  # the window is not meaningful for OCR (pages, not tokens)
}
_PREFIX_ORDER = sorted(_PREFIXES, key=len, reverse=True)

_UNKNOWN = ModelInfo(known=False)


def base_model_id(model: str) -> str:
    """The id the table is keyed by: lower-cased, stripped, fine-tunes unwrapped (``ft:<base>:...`` → ``<base>``)."""
    name = model.strip().lower()
    if name.startswith("ft:"):
        parts = name.split(":")
        name = parts[1] if len(parts) > 1 and parts[1] else name
    return name


@lru_cache(maxsize=256)
def model_info(model: str | None) -> ModelInfo:
    """Everything known about ``model``; permissive chat defaults (``known=False``) for unknown ids. Never raises."""
    if not isinstance(model, str) or not model.strip():
        return _UNKNOWN
    name = base_model_id(model)
    info = _EXACT.get(name)
    if info is not None:
        return info
    for prefix in _PREFIX_ORDER:
        if name.startswith(prefix):
            return _PREFIXES[prefix]
    return _UNKNOWN
