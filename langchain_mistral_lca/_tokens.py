"""``get_token_ids`` / ``get_num_tokens``: Mistral's tokenizer, never GPT-2's.

LangChain's default ``get_token_ids`` imports ``transformers`` and downloads GPT-2's tokenizer. Here counts come
from :mod:`mistral_lca.tokens`: exact with the ``mistral-lca[tokenizer]`` extra, an offline estimate without it.
Token *ids* cannot be estimated, so without the extra ``get_token_ids`` raises an ``ImportError`` that says what
to install. ``custom_get_token_ids`` still wins when you set it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mistral_lca.tokens import count_tokens, token_ids

__all__ = ["MistralTokenCounts"]


class MistralTokenCounts:
    """Mixin for the LangChain models (placed before LangChain's base class so these methods win)."""

    if TYPE_CHECKING:
        model: str
        custom_get_token_ids: Callable[[str], list[int]] | None

    def get_token_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` with the model's Mistral tokenizer (needs the ``[tokenizer]`` extra)."""
        if self.custom_get_token_ids is not None:
            return self.custom_get_token_ids(text)
        return token_ids(text, self.model)

    def get_num_tokens(self, text: str) -> int:
        """Tokens in ``text``: exact with the ``[tokenizer]`` extra, an offline estimate otherwise."""
        if self.custom_get_token_ids is not None:
            return len(self.custom_get_token_ids(text))
        return count_tokens(text, self.model)
