"""Model facts for ``LLMMetadata``: known context windows, and permissive defaults that never raise.

Agents, query engines and prompt helpers all read ``llm.metadata``; an unknown (newer) model must still work, so
anything not listed gets function calling on and a generous context window. Lookups go by exact id, then by the
longest known prefix (``mistral-small-2603`` → ``mistral-small``), after unwrapping fine-tune ids (``ft:<base>:...``).
"""

from __future__ import annotations

__all__ = ["DEFAULT_CONTEXT_WINDOW", "context_window_for", "is_function_calling_model"]

DEFAULT_CONTEXT_WINDOW = 131_072
"""For models this table does not know: most current Mistral chat models take 128k tokens or more."""

_EXACT: dict[str, int] = {
    "mistral-large-2402": 32_768,
    "mistral-large-2407": 131_072,
    "mistral-large-2411": 131_072,
    "mistral-large-2512": 262_144,
    "mistral-large-latest": 262_144,
    "mistral-medium-2312": 32_768,
    "mistral-small-2312": 32_768,
    "mistral-small-2402": 32_768,
    "mistral-small-2409": 32_768,
    "mistral-small-2501": 32_768,
    "codestral-2405": 32_768,
    "magistral-small-2506": 40_960,
    "magistral-medium-2506": 40_960,
    "magistral-small-2507": 40_960,
    "magistral-medium-2507": 40_960,
    "open-mistral-7b": 32_768,
    "open-mixtral-8x7b": 32_768,
    "open-mixtral-8x22b": 65_536,
    "mistral-tiny": 32_768,
    "mistral-tiny-2312": 32_768,
    "mistral-tiny-2407": 131_072,
    "devstral-2512": 262_144,
    "devstral-latest": 262_144,
}

_PREFIXES: dict[str, int] = {
    "mistral-large": 131_072,
    "mistral-medium": 131_072,
    "mistral-small": 131_072,
    "ministral-3b": 131_072,
    "ministral-8b": 131_072,
    "ministral-14b": 262_144,
    "codestral-embed": 8_192,
    "codestral": 262_144,
    "open-codestral-mamba": 262_144,
    "devstral": 131_072,
    "magistral": 131_072,
    "pixtral": 131_072,
    "open-mistral-nemo": 131_072,
    "mistral-nemo": 131_072,
    "mistral-saba": 32_768,
    "voxtral": 32_768,
    "mistral-embed": 8_192,
    "mistral-moderation": 8_192,
    "mistral-ocr": 131_072,
}
_PREFIX_ORDER = sorted(_PREFIXES, key=len, reverse=True)

_NOT_CHAT_PREFIXES = ("mistral-embed", "codestral-embed", "mistral-moderation", "mistral-ocr")


def _base_model(model: str) -> str:
    name = model.strip().lower()
    if name.startswith("ft:"):
        parts = name.split(":")
        name = parts[1] if len(parts) > 1 and parts[1] else name
    return name


def context_window_for(model: str) -> int:
    """The model's context window in tokens; :data:`DEFAULT_CONTEXT_WINDOW` when unknown. Never raises."""
    name = _base_model(model or "")
    if name in _EXACT:
        return _EXACT[name]
    for prefix in _PREFIX_ORDER:
        if name.startswith(prefix):
            return _PREFIXES[prefix]
    return DEFAULT_CONTEXT_WINDOW


def is_function_calling_model(model: str) -> bool:
    """True unless the model is known not to chat at all (embedding, moderation, OCR models)."""
    return not _base_model(model or "").startswith(_NOT_CHAT_PREFIXES)
