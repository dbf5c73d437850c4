"""What the API accepts for request fields, as annotated types: one definition for the client and both adapters.

The numeric bounds are the official OpenAPI spec's (``ChatCompletionRequest``, ``FIMCompletionRequest``,
``AgentsCompletionRequest``): a value outside them is refused by Mistral with a 422, so it is refused here first,
before anything is sent, with an error naming the field. The request schemas in :mod:`mistral_lca.types` use these
types, so ``client.chat.complete(temperature=2)`` fails in validation; the adapters use them for their own fields,
so ``ChatMistralLCA(temperature=2)`` / ``MistralLCA(temperature=2)`` fail at construction.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

__all__ = [
    "CompletionArgsTemperature",
    "CompletionArgsTopP",
    "CompletionCount",
    "ModelName",
    "Penalty",
    "Seed",
    "Temperature",
    "TokenCount",
    "ToolCheck",
    "TopP",
    "check_tool",
    "refuse_bad_tool",
]


def _non_blank_model(value: str) -> str:
    if not value.strip():
        raise ValueError("model must be a non-empty string (a Mistral model id such as mistral-small-latest)")
    return value


ModelName = Annotated[str, AfterValidator(_non_blank_model)]
"""A model id: any non-blank string (unknown ids are fine; the API is the judge)."""

Temperature = Annotated[float, Field(ge=0.0, le=1.5)]
"""``temperature``: 0 to 1.5 (chat and FIM; Mistral recommends 0 to 0.7)."""

TopP = Annotated[float, Field(gt=0.0, le=1.0)]
"""``top_p``: above 0, at most 1 (``exclusiveMinimum: 0``)."""

CompletionArgsTemperature = Annotated[float, Field(ge=0.0, le=1.0)]
"""``completion_args.temperature`` (agents, conversations): 0 to 1, the spec's ``CompletionArgs`` (stricter than
chat's 1.5)."""

CompletionArgsTopP = Annotated[float, Field(ge=0.0, le=1.0)]
"""``completion_args.top_p``: 0 to 1."""

Penalty = Annotated[float, Field(ge=-2.0, le=2.0)]
"""``presence_penalty`` / ``frequency_penalty``: -2 to 2."""

TokenCount = Annotated[int, Field(ge=0)]
"""``max_tokens`` / ``min_tokens``: 0 or more."""

Seed = Annotated[int, Field(ge=0)]
"""``random_seed``: 0 or more."""

CompletionCount = Annotated[int, Field(ge=1)]
"""``n``: 1 or more."""

# Not in the spec's ``Function`` schema, but enforced by the API: a name outside this pattern gets HTTP 400 "Function
# name was ... but must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64" (quoted in
# public bug reports, e.g. Kochava-Studios/witsy#164). The spec uses the same pattern for connector names.
_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def check_tool(tool: Any) -> str | None:
    """Why the API would refuse this function tool, or ``None`` (built-in tools such as ``web_search`` pass).

    A function tool needs ``function.name`` matching ``^[a-zA-Z0-9_-]{1,64}$`` and ``function.parameters``: a JSON
    object (the spec's ``type: object``). A schema whose own ``type`` is not ``"object"`` is refused too: tool-call
    arguments always arrive as a JSON object, so such a schema can never be honoured.
    """
    if not isinstance(tool, dict) or tool.get("type", "function") != "function":
        return None
    function = tool.get("function")
    if not isinstance(function, dict):
        return "function must be an object with a name and parameters"
    name = function.get("name")
    if not isinstance(name, str) or not _TOOL_NAME.fullmatch(name):
        if not isinstance(name, str):
            got = type(name).__name__
        else:
            got = f"{len(name)} characters" if len(name) > 64 else repr(name)
        return f"function.name must be 1 to 64 characters of a-z, A-Z, 0-9, '_' or '-' (got {got})"
    if "parameters" not in function:
        return f"function.parameters is required for tool {name!r} (use {{'type': 'object', 'properties': {{}}}})"
    parameters = function["parameters"]
    if not isinstance(parameters, dict):
        return f"function.parameters of tool {name!r} must be a JSON schema object, got {type(parameters).__name__}"
    if "type" in parameters and parameters["type"] != "object":
        return (
            f"function.parameters of tool {name!r} must describe an object (type 'object'), got {parameters['type']!r}"
        )
    return None


def refuse_bad_tool(tool: Any) -> Any:
    """A pydantic validator: :func:`check_tool`'s objection as a ``ValueError``, else ``tool`` unchanged."""
    problem = check_tool(tool)
    if problem is not None:
        raise ValueError(problem)
    return tool


ToolCheck = BeforeValidator(refuse_bad_tool)
"""Put on a request schema's tool type: ``Annotated[ToolParam | dict[str, Any], ToolCheck]``."""
