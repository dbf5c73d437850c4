"""``mistral_tokenizer(model)``: Mistral's tokenizer as a LlamaIndex tokenizer callable.

>>> from llama_index.core import Settings
>>> Settings.tokenizer = mistral_tokenizer("mistral-small-latest")

Usable wherever LlamaIndex takes ``Callable[[str], list]`` (``Settings.tokenizer``, ``SentenceSplitter(tokenizer=
...)``, ``TokenTextSplitter``...). It reads the tokenizer files bundled in mistral-common (the
``mistral-lca[tokenizer]`` extra): nothing is downloaded, unlike LlamaIndex's default tiktoken encoding.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from mistral_lca.tokens import INSTALL_HINT, TokenizerNotInstalledError, counts_are_exact, token_ids

__all__ = ["mistral_tokenizer"]


def mistral_tokenizer(model: str | None = None) -> Callable[[str], list[int]]:
    """``text -> token ids`` with ``model``'s Mistral tokenizer (``None``: the embedding model).

    Unknown model names get Mistral's current tokenizer (Tekken). Raises
    :class:`~mistral_lca.tokens.TokenizerNotInstalledError` (an ``ImportError``) right away when the
    ``[tokenizer]`` extra is not installed: token ids cannot be estimated.
    """
    if not counts_are_exact(model):
        raise TokenizerNotInstalledError(f"mistral_tokenizer needs Mistral's tokenizer: {INSTALL_HINT}")
    return functools.partial(token_ids, model=model)
