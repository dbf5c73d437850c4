"""Synthesise a value that validates against a JSON schema, nudged by hints taken from user text.

Rules: explicit ``name=value`` / ``name: value`` pairs in the text win; other strings take successive
capitalised words from the text, else ``"x"``; numbers → 1; booleans → true; enums → first; arrays → []
(or ``minItems`` copies); objects → every property, recursively; ``$ref``/``anyOf``/``allOf`` resolved.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["TextHints", "synthesize"]

_PAIR = re.compile(r"""\b([A-Za-z_][\w-]*)\s*[=:]\s*(?:"([^"]*)"|'([^']*)'|([^\s,;)]+))""")
_CAPITAL = re.compile(r"\b[A-Z][A-Za-z\u00c0-\u017f-]+\b")
_STOP = frozenset(
    (
        "A",
        "An",
        "And",
        "Are",
        "Can",
        "Call",
        "Could",
        "Do",
        "Does",
        "Echo",
        "Get",
        "Give",
        "How",
        "I",
        "Is",
        "It",
        "Json",
        "JSON",
        "Please",
        "Return",
        "Show",
        "Tell",
        "The",
        "Then",
        "This",
        "Use",
        "Using",
        "What",
        "When",
        "Where",
        "Which",
        "Who",
        "Why",
        "Will",
        "With",
        "Would",
        "You",
    )
)
_FORMATS = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00",
    "email": "x@example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com",
    "url": "https://example.com",
}
_MAX_DEPTH = 8


class TextHints:
    """Values scavenged from the user's text for string/number fields."""

    def __init__(self, text: str = "", exclude: frozenset[str] = frozenset()) -> None:
        self.pairs: dict[str, str] = {}
        for m in _PAIR.finditer(text):
            value = next(g for g in m.groups()[1:] if g is not None)
            self.pairs.setdefault(m.group(1).lower(), value)
        inner: list[str] = []
        initial: list[str] = []
        for m in _CAPITAL.finditer(text):
            word = m.group(0)
            if word in _STOP or word.lower() in exclude:
                continue
            before = text[: m.start()].rstrip()
            (initial if not before or before[-1] in ".!?:" else inner).append(word)
        # Sentence-initial capitals are usually just grammar: use them only after the others.
        self._words: list[str] = list(dict.fromkeys(inner + initial))
        self._next = 0

    def string_for(self, name: str) -> str:
        value = self.pairs.get(name.lower())
        if value is not None:
            return value
        if self._next < len(self._words):
            self._next += 1
            return self._words[self._next - 1]
        return "x"

    def number_for(self, name: str) -> float | None:
        value = self.pairs.get(name.lower())
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            return None


def synthesize(schema: Any, hints: TextHints | None = None, *, name: str = "") -> Any:
    """A value valid for ``schema`` (best effort for exotic keywords)."""
    root = schema if isinstance(schema, dict) else {}
    return _value(schema, root, hints or TextHints(), name, 0)


def _resolve(ref: str, root: dict[str, Any]) -> Any:
    node: Any = root
    for part in ref.lstrip("#/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return {}
        node = node[part]
    return node


def _value(schema: Any, root: dict[str, Any], hints: TextHints, name: str, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return None
    if not isinstance(schema, dict):
        return "x" if schema is not False else None
    if "$ref" in schema:
        return _value(_resolve(str(schema["$ref"]), root), root, hints, name, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            return _value((non_null or options)[0], root, hints, name, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = _resolve(part["$ref"], root) if isinstance(part, dict) and "$ref" in part else part
            if isinstance(part, dict):
                props = {**merged.get("properties", {}), **part.get("properties", {})}
                merged = {**part, **merged, "properties": props}
        return _value(merged, root, hints, name, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        props = schema.get("properties") or {}
        return {key: _value(sub, root, hints, key, depth + 1) for key, sub in props.items()}
    if kind == "array":
        count = int(schema.get("minItems") or 0)
        return [_value(schema.get("items", {}), root, hints, name, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        return _number(schema, kind, hints.number_for(name))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, hints, name)


def _number(schema: dict[str, Any], kind: str, hinted: float | None) -> int | float:
    value: float = 1 if hinted is None else hinted
    lo = schema.get("minimum", schema.get("exclusiveMinimum"))
    hi = schema.get("maximum", schema.get("exclusiveMaximum"))
    if isinstance(lo, (int, float)) and value < lo:
        value = lo + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
    if isinstance(hi, (int, float)) and value > hi:
        value = hi - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0)
    if kind == "integer" or float(value).is_integer():
        return int(value)
    return value


def _string(schema: dict[str, Any], hints: TextHints, name: str) -> str:
    fmt = schema.get("format")
    text = _FORMATS[fmt] if isinstance(fmt, str) and fmt in _FORMATS else hints.string_for(name)
    min_len = schema.get("minLength")
    if isinstance(min_len, int) and len(text) < min_len:
        text = text + "x" * (min_len - len(text))
    max_len = schema.get("maxLength")
    if isinstance(max_len, int) and len(text) > max_len:
        text = text[:max_len]
    return text
