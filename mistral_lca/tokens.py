"""Token counts before a call: for embedding batch packing, rate pacing and the adapters' ``get_num_tokens``.

One entry point, :func:`count_tokens` (plus :func:`count_tokens_each` for many texts at once), so that every
caller counts the same way:

* with the optional ``mistral-lca[tokenizer]`` extra installed, counts are **exact**: mistral-common's bundled
  tokenizer files (SentencePiece for ``mistral-embed``, Tekken for current chat models; see
  :mod:`mistral_lca._tokenizers` for which file serves which model and why), loaded on first use, once per file;
* without it, the offline **estimate** :func:`estimate_tokens` (UTF-8 bytes / 3, generous for English).

Nothing is ever downloaded. Unknown model names get a sensible default tokenizer, never an error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from . import _tokenizers
from ._tokenizers import LoadedTokenizer

__all__ = [
    "TokenizerNotInstalledError",
    "count_chat_tokens",
    "count_tokens",
    "count_tokens_each",
    "counts_are_exact",
    "estimate_tokens",
    "token_ids",
    "tokenizer_file",
]

logger = logging.getLogger("mistral_lca.tokens")

INSTALL_HINT = 'install the tokenizer extra: pip install "mistral-lca[tokenizer]"'
_MESSAGE_OVERHEAD = 4
"""Estimated control tokens per chat message ([INST], [/INST], BOS/EOS ...) when counting without the extra."""


class TokenizerNotInstalledError(ImportError):
    """Exact token ids were asked for, but the ``mistral-lca[tokenizer]`` extra is not installed."""


def estimate_tokens(text: str) -> int:
    """A generous offline token estimate: UTF-8 bytes / 3, at least 1."""
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    return size // 3 + 1


class _State:
    failed: set[str] = set()  # noqa: RUF012 - process-wide on purpose
    """Tokenizer files that could not be loaded (extra not installed, or broken): counted with the estimate."""


def _tokenizer(model: str | None) -> tuple[LoadedTokenizer, int] | None:
    """The loaded tokenizer for ``model`` and its specials per input, or ``None`` without the extra."""
    spec = _tokenizers.spec_for(model)
    if spec.file in _State.failed:
        return None
    try:
        return _tokenizers.load(spec), spec.specials_per_input
    except ImportError:
        _State.failed.add(spec.file)
        logger.debug("mistral-common is not installed: token counts are estimates")
    except Exception as exc:  # a broken install must not break embedding calls: count with the estimate
        _State.failed.add(spec.file)
        logger.warning("cannot load the bundled tokenizer %s (%s): token counts are estimates", spec.file, exc)
    return None


def reset() -> None:
    """Forget loaded tokenizers and failed loads (tests simulate a fresh process with or without the extra)."""
    _State.failed.clear()
    _tokenizers.clear_cache()


def counts_are_exact(model: str | None = None) -> bool:
    """True when counts for ``model`` come from the real tokenizer (the extra is installed), not the estimate."""
    return _tokenizer(model) is not None


def tokenizer_file(model: str | None = None) -> str | None:
    """The bundled tokenizer file that counts for ``model`` (e.g. ``"tekken_240718.json"``), ``None`` without
    the extra."""
    return _tokenizers.spec_for(model).file if counts_are_exact(model) else None


def count_tokens(text: str, model: str | None = None) -> int:
    """Tokens ``text`` costs with ``model`` (``None``: the embedding model ``mistral-embed``).

    For embedding models this is what the API bills for the text as one input (BOS and EOS included); for chat
    and FIM models, the text's own tokens (see :func:`count_chat_tokens` for whole conversations).
    """
    loaded = _tokenizer(model)
    if loaded is None:
        return estimate_tokens(text)
    tokenizer, specials = loaded
    return len(tokenizer.encode(text)) + specials


def count_tokens_each(texts: Sequence[str], model: str | None = None) -> list[int]:
    """:func:`count_tokens` for every text, encoded as one batch (5,000-10,000 chunks of ~1,000 characters a second
    for SentencePiece on two cores, about three times that for Tekken)."""
    loaded = _tokenizer(model)
    if loaded is None:
        return [estimate_tokens(text) for text in texts]
    tokenizer, specials = loaded
    return [count + specials for count in tokenizer.count_many(texts)]


def token_ids(text: str, model: str | None = None) -> list[int]:
    """The token ids of ``text`` alone (no BOS/EOS) with ``model``'s tokenizer.

    Ids cannot be estimated: raises :class:`TokenizerNotInstalledError` without the ``[tokenizer]`` extra.
    """
    loaded = _tokenizer(model)
    if loaded is None:
        raise TokenizerNotInstalledError(f"Token ids need Mistral's tokenizer: {INSTALL_HINT}")
    return loaded[0].encode(text)


def count_chat_tokens(
    messages: Sequence[Mapping[str, Any]],
    model: str | None,
    tools: Sequence[Mapping[str, Any]] | None = None,
) -> int:
    """Prompt tokens of a conversation (Mistral wire-format messages and tools) for ``model``.

    With the extra: the conversation rendered by mistral-common's chat template for the model's tokenizer. Image
    and audio parts are not counted; a conversation the template rejects is counted as the messages' text plus
    the control tokens of each turn. Newer models' templates and server-side additions can differ by a few tokens.
    Without the extra: the estimate of every message's text plus a few tokens per message.
    """
    loaded = _tokenizer(model)
    if loaded is not None:
        try:
            return loaded[0].count_chat(_text_only(messages), tools)
        except Exception as exc:  # the template's validation is stricter than the API in places
            logger.debug("chat template could not render the conversation (%s): counting turn by turn", exc)
    count = count_tokens if loaded is not None else _estimate
    total = sum(count(_message_text(m), model) + _MESSAGE_OVERHEAD for m in messages)
    if tools:
        from ._json import dumps

        total += count(dumps(list(tools)).decode("utf-8"), model)
    return total + 1


def _estimate(text: str, model: str | None) -> int:
    return estimate_tokens(text)


def _message_text(message: Mapping[str, Any]) -> str:
    """Everything in a message that becomes text tokens: its content's text and its tool calls."""
    parts = [_content_text(message.get("content"))]
    for call in message.get("tool_calls") or ():
        function = (call.get("function") or {}) if isinstance(call, Mapping) else {}
        parts.append(str(function.get("name") or ""))
        arguments = function.get("arguments")
        parts.append(arguments if isinstance(arguments, str) else _json_text(arguments))
    return "".join(parts)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, Mapping):
                text = part.get("text") if part.get("type") in (None, "text") else part.get("thinking")
                if isinstance(text, str):
                    texts.append(text)
                elif isinstance(text, list):  # a thinking block holds text chunks
                    texts.append(_content_text(text))
        return "".join(texts)
    return ""


def _json_text(value: Any) -> str:
    from ._json import dumps

    return "" if value is None else dumps(value).decode("utf-8")


def _text_only(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Messages the template can render: text content only, tool-call ids mapped to valid 9-character ids."""
    ids: dict[str, str] = {}

    def fixed(call_id: Any) -> str:
        key = str(call_id)
        return ids.setdefault(key, f"{len(ids) + 1:09d}")

    out: list[dict[str, Any]] = []
    for message in messages:
        copy = dict(message)
        content = message.get("content")
        if not isinstance(content, str) and content is not None:
            copy["content"] = _content_text(content)
        if message.get("tool_calls"):
            copy["tool_calls"] = [
                {**call, "id": fixed(call.get("id")), "type": "function"} for call in message["tool_calls"]
            ]
            if not copy.get("content"):
                copy["content"] = None
        if message.get("role") == "tool" and "tool_call_id" in message:
            copy["tool_call_id"] = fixed(message["tool_call_id"])
        out.append(copy)
    return out
