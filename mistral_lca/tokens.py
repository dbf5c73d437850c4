"""Token counts before a call, for batch packing and tokens-per-minute pacing.

One entry point, :func:`count_tokens`, so that every caller (embedding batch planning, the rate limiter, the
adapters' ``get_num_tokens``) counts the same way. Today it is the offline estimate of
:func:`mistral_lca.embedding_batches.estimate_tokens`; the optional ``mistral-lca[tokenizer]`` extra makes it exact.
"""

from __future__ import annotations

from .embedding_batches import estimate_tokens

__all__ = ["count_tokens"]


def count_tokens(text: str, model: str | None = None) -> int:
    """Tokens ``text`` costs with ``model`` (``None``: the embedding model); never downloads anything."""
    del model  # the estimate does not depend on the model
    return estimate_tokens(text)
