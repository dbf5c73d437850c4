"""Checks on call arguments shared by the clients and both adapters."""

from __future__ import annotations

from collections.abc import Mapping

from ._errors import InputTypeError

__all__ = ["check_text_list"]


def check_text_list(texts: object, call: str, *, single_text_ok: bool = False) -> None:
    """Refuse what is not a list of texts, before anything is sent.

    A bare ``str`` is a sequence of characters, so ``embed_documents("abc")`` would quietly embed ``"a"``, ``"b"``
    and ``"c"``; ``None`` would quietly embed nothing. Both are an :class:`~mistral_lca.InputTypeError` (a
    ``TypeError``) naming ``call``. ``single_text_ok`` admits one ``str`` where the API itself takes one (the
    client's ``embeddings.create``). The items themselves are checked where they are used.
    """
    if isinstance(texts, str) and single_text_ok:
        return
    if texts is None or isinstance(texts, (str, bytes, bytearray, Mapping)) or not hasattr(texts, "__iter__"):
        wanted = "a string or a list of strings" if single_text_ok else "a list of strings"
        hint = "" if single_text_ok or not isinstance(texts, str) else " (wrap a single text in a list: [text])"
        raise InputTypeError(f"{call}() takes {wanted}, got {type(texts).__name__}{hint}")
