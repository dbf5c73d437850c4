"""Fill-in-the-middle completions (``/v1/fim/completions``): chat-completion-shaped replies."""

from __future__ import annotations

import re
from typing import Any

from .chat import Plan, respond
from .replies import Call, ErrorReply, Reply, check_fields, json_object
from .state import FakeState

__all__ = ["FIM_FIELDS", "fim_text", "handle_fim"]

FIM_FIELDS = frozenset(
    (
        "model",
        "temperature",
        "top_p",
        "max_tokens",
        "stream",
        "stop",
        "random_seed",
        "metadata",
        "prompt",
        "suffix",
        "min_tokens",
        "prompt_cache_key",
    )
)
_DEF = re.compile(r"def\s+\w+\s*\(([^)]*)\)\s*(?:->\s*[^:]+)?:\s*$")


def fim_text(prompt: str, suffix: str) -> str:
    """A deterministic middle: ``return a + b`` after ``def f(a, b):``, else a marker comment."""
    m = _DEF.search(prompt.rstrip())
    if m:
        args = [a.split(":")[0].split("=")[0].strip() for a in m.group(1).split(",")]
        args = [a for a in args if a and a not in ("self", "cls", "*", "/")]
        return "return " + (" + ".join(args) if args else "None")
    return f"# fim: {len(prompt)} chars before, {len(suffix)} chars after"


def handle_fim(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = check_fields(body, required=("prompt", "model"), allowed=FIM_FIELDS if state.config.strict else None)
    if err is not None:
        return err
    prompt = str(body.get("prompt") or "")
    suffix = str(body.get("suffix") or "")
    text = state.config.fim_reply if state.config.fim_reply is not None else fim_text(prompt, suffix)
    max_tokens: Any = body.get("max_tokens")
    finish = "stop"
    if isinstance(max_tokens, int) and max_tokens > 0 and len(text) > max_tokens * 4:
        text, finish = text[: max_tokens * 4], "length"
    model = str(body["model"])
    plan = Plan(
        model=state.config.model_aliases.get(model, model),
        text=text,
        finish_reason=finish,
        prompt_tokens=max(1, (len(prompt) + len(suffix)) // 4),
        completion_tokens=max(1, len(text) // 4),
        fim=True,
    )
    return respond(state, plan, body.get("stream") is True)
