"""Arguments given under another integration's name, and unknown arguments whose names look like secrets.

Shared by both adapters' constructors and the client's request validation, so every class answers alike:

* a name the official Mistral integrations (langchain-mistralai, llama-index-llms-mistralai) use for one of our
  arguments is accepted as that argument: ``model_name`` / ``model``, ``endpoint`` / ``base_url``, ``safe_mode`` /
  ``safe_prompt``, ``api_key`` / ``api_token``;
* an unknown argument named like a secret (``*api_key*``, ``*token*``, ``*secret*``, ``*password*``, any case) is
  refused with :class:`~mistral_lca.SecretArgumentError`: otherwise it would travel in the JSON body (and come back
  in a 422's echo of the input) or vanish. The message names the argument, never its value.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from ._config import ENV_TOKEN
from ._errors import ConfigurationError, SecretArgumentError

__all__ = ["SYNONYMS", "looks_like_secret", "refuse_secret_arguments", "resolve_synonyms", "warn_ignored"]

SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"model", "model_name"}),
    frozenset({"base_url", "endpoint"}),
    frozenset({"safe_prompt", "safe_mode"}),
    frozenset({"api_token", "api_key"}),
)
"""Groups of names for one argument; whichever a class takes, the others are accepted in its place."""

# "token" names a secret, "tokens" a count (max_tokens, min_tokens, tokens_per_minute) and "tokenizer" a tool: only
# the first is refused, so a misplaced token count still reaches the API's own (clear) validation error.
_SECRET_NAME = re.compile(r"api_?key|secret|passw(?:or)?d|token(?!s(?:_|$)|iz)", re.IGNORECASE)
_MISTRAL_KEY = re.compile(r"mistral", re.IGNORECASE)


def looks_like_secret(name: str) -> bool:
    """True for names such as ``api_key``, ``mistral_api_key``, ``access_token``, ``client_secret``; not for token
    counts (``max_tokens``) or ``tokenizer``."""
    return bool(_SECRET_NAME.search(name))


def _secret_message(name: str, owner: str) -> str:
    if _MISTRAL_KEY.search(name) and re.search(r"key", name, re.IGNORECASE):
        return (
            f"{owner} does not take {name}: this integration authenticates with a LowCodeAPI token (at_...), given "
            f"as the api_token argument or in {ENV_TOKEN}, not with a Mistral API key (LowCodeAPI adds the Mistral key "
            "connected to your account). The value was refused and not sent."
        )
    return (
        f"{owner} does not take {name}, and its name looks like a secret, so the value was refused and not sent. "
        f"The LowCodeAPI token goes in the api_token argument (or {ENV_TOKEN})."
    )


def refuse_secret_arguments(names: Iterable[str], *, owner: str) -> None:
    """Raise :class:`SecretArgumentError` for the first of ``names`` (all unknown to ``owner``) that looks secret."""
    for name in names:
        if looks_like_secret(name):
            raise SecretArgumentError(_secret_message(name, owner))


def _accepted_synonym(name: str, accepted: Collection[str]) -> str | None:
    for group in SYNONYMS:
        if name in group:
            targets = [other for other in group if other != name and other in accepted]
            return targets[0] if len(targets) == 1 else None
    return None


def resolve_synonyms(data: Mapping[str, Any], accepted: Collection[str], *, owner: str) -> dict[str, Any]:
    """``data`` with other integrations' names renamed to the ones ``owner`` takes (``accepted``).

    Then every name still unknown is checked with :func:`refuse_secret_arguments`. A value given under two names
    of one argument is a :class:`~mistral_lca.ConfigurationError`.
    """
    resolved = dict(data)
    for name in list(resolved):
        if name in accepted:
            continue
        target = _accepted_synonym(name, accepted)
        if target is None:
            continue
        if target in resolved:
            raise ConfigurationError(f"{owner} got both {target} and {name}, which are the same argument; give one")
        resolved[target] = resolved.pop(name)
    refuse_secret_arguments((name for name in resolved if name not in accepted), owner=owner)
    return resolved


def warn_ignored(data: Mapping[str, Any], accepted: Collection[str], *, owner: str, stacklevel: int = 2) -> None:
    """Warn about the arguments in ``data`` that ``owner`` does not take (pydantic would drop them without a word).

    ``stacklevel`` counts from the caller of this function, as in :func:`warnings.warn`.
    """
    unknown = sorted(name for name in data if name not in accepted)
    if unknown:
        warnings.warn(f"{owner} ignores unknown argument(s): {', '.join(unknown)}", UserWarning, stacklevel + 1)
