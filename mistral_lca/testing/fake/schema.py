"""Synthesise a value that validates against a JSON schema, nudged by hints taken from user text.

Rules for a field ``name`` (see :class:`TextHints`): a given value (a call written in the prompt, e.g.
``tool(3)``) wins, then an explicit ``name=value`` / ``name: value`` in the text, coerced to the field's type;
other strings take the prompt's quoted strings in order, then its capitalised words, else ``"x"``;
numbers → 1; booleans → true; enums → the hinted member, else the first; arrays → the hinted JSON array,
else [] (or ``minItems`` copies); objects → every property, recursively; ``$ref``/``anyOf``/``allOf`` resolved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .prompt import quoted_strings

__all__ = ["TextHints", "synthesize"]

_PAIR = re.compile(r"""\b([A-Za-z_][\w-]*)\s*[=:]\s*(?:"([^"]*)"|'([^']*)'|([^\s,;)]+))""")
_CAPITAL = re.compile(r"\b[A-Z][A-Za-z\u00c0-\u017f-]+\b")
_CAPITAL_RUN = re.compile(r"\b[A-Z][A-Za-z\u00c0-\u017f-]+(?:[ \t]+[A-Z][A-Za-z\u00c0-\u017f-]+)*\b")
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
    """Values scavenged from the user's text for string/number/boolean/enum fields.

    For a field ``name``: ``given[name]`` (e.g. the arguments of a call written in the prompt) → a
    ``name=value`` / ``name: value`` pair in the text → for strings only, the next unused quoted string
    ('…', "…", “…”, …), then the next capitalised word (when ``capitals``), else ``"x"``.
    Quoted values of ``name=value`` pairs and words listed in ``exclude`` (e.g. tool names) are not reused.
    """

    def __init__(
        self,
        text: str = "",
        exclude: frozenset[str] = frozenset(),
        *,
        given: Mapping[str, str] | None = None,
        capitals: bool = True,
    ) -> None:
        self.pairs: dict[str, str] = {str(k).lower(): str(v) for k, v in (given or {}).items()}
        assigned: list[tuple[int, int]] = []
        for m in _PAIR.finditer(text):
            value = next(g for g in m.groups()[1:] if g is not None)
            self.pairs.setdefault(m.group(1).lower(), value)
            if "=" in text[m.start() : m.end()]:
                assigned.append(m.span())
        quoted: list[str] = []
        spans: list[tuple[int, int]] = []
        for value, start, end in quoted_strings(text):
            spans.append((start, end))
            if value.lower() not in exclude and not any(a <= start < b for a, b in assigned):
                quoted.append(value)
        inner: list[str] = []
        initial: list[str] = []
        for start, phrase in _capital_phrases(text, exclude) if capitals else ():
            if any(a <= start < b for a, b in spans):
                continue
            before = text[:start].rstrip()
            (initial if not before or before[-1] in ".!?:" else inner).append(phrase)
        # Sentence-initial capitals are usually just grammar: use them only after the others.
        self._words: list[str] = list(dict.fromkeys(quoted + inner + initial))
        self._next = 0

    def string_for(self, name: str) -> str:
        value = self.pairs.get(name.lower())
        if value is not None:
            return value
        return self.next_string() or "x"

    def next_string(self) -> str | None:
        """The next unused quoted string or capitalised word."""
        if self._next < len(self._words):
            self._next += 1
            return self._words[self._next - 1]
        return None

    def number_for(self, name: str) -> float | None:
        value = self.pairs.get(name.lower())
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            return None

    def bool_for(self, name: str) -> bool | None:
        value = self.pairs.get(name.lower(), "").strip().lower()
        if value in ("true", "yes", "on", "1"):
            return True
        if value in ("false", "no", "off", "0"):
            return False
        return None

    def json_for(self, name: str) -> Any:
        """A hinted value written as JSON (``[1, 2]``, ``{"a": 1}``), else ``None``."""
        value = self.pairs.get(name.lower())
        if value is None or value[:1] not in ("[", "{"):
            return None
        try:
            return json.loads(value)
        except ValueError:
            return None

    def choice_for(self, name: str, options: list[Any]) -> Any:
        """The enum member the text names for ``name`` (case-insensitive), else the first member."""
        value = self.pairs.get(name.lower())
        if value is not None:
            for option in options:
                if str(option).lower() == value.lower():
                    return option
        return options[0]


def _capital_phrases(text: str, exclude: frozenset[str]) -> list[tuple[int, str]]:
    """Runs of capitalised words ("San Francisco"), split at stop words and excluded words, with offsets."""
    out: list[tuple[int, str]] = []
    for run in _CAPITAL_RUN.finditer(text):
        group: list[str] = []
        start = run.start()
        for word in _CAPITAL.finditer(run.group(0)):
            token = word.group(0)
            if token in _STOP or token.lower() in exclude:
                if group:
                    out.append((start, " ".join(group)))
                group = []
                continue
            if not group:
                start = run.start() + word.start()
            group.append(token)
        if group:
            out.append((start, " ".join(group)))
    return out


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
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return hints.choice_for(name, schema["enum"])
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
    if kind in ("object", "array"):
        hinted = hints.json_for(name)
        if isinstance(hinted, dict if kind == "object" else list):
            return hinted
    if kind == "object":
        props = schema.get("properties") or {}
        return {key: _value(sub, root, hints, key, depth + 1) for key, sub in props.items()}
    if kind == "array":
        count = int(schema.get("minItems") or 0)
        return [_value(schema.get("items", {}), root, hints, name, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        return _number(schema, kind, hints.number_for(name))
    if kind == "boolean":
        flag = hints.bool_for(name)
        return True if flag is None else flag
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
