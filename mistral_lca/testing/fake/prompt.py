"""What the stand-in "model" reads from a prompt: written calls, quoted strings, tool mentions, JSON keys.

These pure functions are the reading half of the mock-model policy described in :mod:`.chat`:

* **Written calls** — ``name(3)``, ``name("Paris", unit="c")``: positional values fill the tool's
  required parameters in order (then its other parameters), ``key=value`` fills ``key``.
* **Quoted strings** — ``'…'``, ``"…"``, ``“…”``, ``‘…’``, ``«…»``, ``「…」``, ``『…』`` (an apostrophe inside a
  word, as in "don't", is not a quote): the prompt's string values, in order of appearance.
* **Tool mentions** — a tool is mentioned when its exact name appears as a word, or when a meaningful
  word of its name does (the name split on ``_``/``-``/camelCase; generic verbs and fillers such as
  get/set/fetch/lookup/search/tool/function and words under 3 letters are ignored; a trailing plural
  ``s`` does not matter): "What is the weather?" mentions ``get_weather``.
* **Requested JSON keys** — in order of preference: the keys of a JSON object written in the prompt;
  a list after "keys/fields/properties/attributes" ("with keys name and age", "fields: a, b");
  a list before it ("with 'setup' and 'punchline' keys"); quoted identifiers when the prompt talks about
  keys/fields at all. Bare words that are articles or fillers ("the", "following", "JSON") never count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "WrittenCall",
    "call_arguments",
    "example_object",
    "mentions_tool",
    "name_words",
    "quoted_strings",
    "requested_keys",
    "written_call",
]

_QUOTE_PAIRS = {"'": "'", '"': '"', "“": "”", "‘": "’", "«": "»", "「": "」", "『": "』", "`": "`"}
_QUOTED = re.compile(
    r"(?<![\w'])'(?P<a>[^'\n]{1,300}?)'(?!\w)"
    r'|"(?P<b>[^"\n]{1,300}?)"'
    r"|“(?P<c>[^”\n]{1,300}?)”"
    r"|‘(?P<d>[^’\n]{1,300}?)’"
    r"|«\s?(?P<e>[^»\n]{1,300}?)\s?»"
    r"|「(?P<f>[^」\n]{1,300}?)」"
    r"|『(?P<g>[^』\n]{1,300}?)』"
)
_KWARG = re.compile(r"([A-Za-z_]\w*)\s*[=:]\s*(.+)", re.S)
_WORDS = re.compile(r"\w+")
_NAME_SPLIT = re.compile(r"[_\-\s.]+|(?<=[a-z0-9])(?=[A-Z])")
_GENERIC = frozenset(
    (
        "add",
        "api",
        "and",
        "call",
        "calculate",
        "check",
        "compute",
        "create",
        "current",
        "data",
        "delete",
        "details",
        "fetch",
        "find",
        "for",
        "from",
        "func",
        "function",
        "get",
        "info",
        "information",
        "invoke",
        "latest",
        "list",
        "lookup",
        "look",
        "make",
        "query",
        "remove",
        "retrieve",
        "run",
        "search",
        "set",
        "the",
        "tool",
        "update",
        "with",
    )
)
_ITEM = r"""(?:'[^'\n]{1,40}'|"[^"\n]{1,40}"|“[^”\n]{1,40}”|`[^`\n]{1,40}`|[A-Za-z_][\w-]*)"""
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)"
_LIST = rf"{_ITEM}(?:{_SEP}{_ITEM})*"
_NOUN = r"(?:keys?|fields?|propert(?:y|ies)|attributes?)"
_FORWARD = re.compile(rf"\b{_NOUN}(?:\s+(?:named|called))?(?:\s*:\s*|\s+)(?P<list>{_LIST})", re.I)
_BACKWARD = re.compile(rf"(?P<list>{_LIST})\s+{_NOUN}\b", re.I)
_MENTIONS_KEYS = re.compile(rf"\b{_NOUN}\b", re.I)
_IDENT = re.compile(r"[A-Za-z_][\w-]{0,39}")
_SPLIT_ITEMS = re.compile(_SEP)
_NOT_KEYS = frozenset(
    (
        "a",
        "all",
        "an",
        "and",
        "are",
        "as",
        "both",
        "containing",
        "each",
        "following",
        "for",
        "from",
        "in",
        "include",
        "including",
        "is",
        "its",
        "json",
        "like",
        "my",
        "named",
        "object",
        "of",
        "or",
        "output",
        "result",
        "several",
        "some",
        "such",
        "that",
        "the",
        "their",
        "these",
        "this",
        "those",
        "three",
        "to",
        "two",
        "which",
        "with",
        "your",
    )
)


def quoted_strings(text: str) -> Iterator[tuple[str, int, int]]:
    """``(value, start, end)`` of every quoted string, in order (``end`` is past the closing quote)."""
    for m in _QUOTED.finditer(text):
        value = next(g for g in m.groups() if g is not None)
        if value.strip():
            yield value.strip(), m.start(), m.end()


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and _QUOTE_PAIRS.get(raw[0]) == raw[-1]:
        return raw[1:-1]
    return raw


def _split_args(inner: str) -> list[str]:
    """Comma-separated arguments, ignoring commas inside quotes and brackets."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(inner):
        if quote:
            if ch == _QUOTE_PAIRS[quote]:
                quote = ""
        elif ch in _QUOTE_PAIRS and (ch != "'" or i == 0 or not inner[i - 1].isalnum()):
            quote = ch  # an apostrophe inside a word ("don't") opens no quote
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return [p.strip() for p in parts if p.strip()]


@dataclass(frozen=True, slots=True)
class WrittenCall:
    """``name(…)`` as written in a prompt."""

    positional: tuple[str, ...]
    keyword: dict[str, str]
    span: tuple[int, int]


def written_call(text: str, name: str) -> WrittenCall | None:
    """The first ``name(…)`` written in ``text`` (arguments unquoted, still strings)."""
    m = re.search(r"(?<![\w.])" + re.escape(name) + r"\s*\(([^()]*)\)", text)
    if m is None:
        return None
    positional: list[str] = []
    keyword: dict[str, str] = {}
    for part in _split_args(m.group(1)):
        kw = _KWARG.fullmatch(part)
        if kw is not None and part[0] not in _QUOTE_PAIRS:
            keyword[kw.group(1)] = _unquote(kw.group(2))
        else:
            positional.append(_unquote(part))
    return WrittenCall(tuple(positional), keyword, m.span())


def call_arguments(text: str, name: str, parameters: Any) -> tuple[dict[str, str], str]:
    """Arguments of a written ``name(…)`` call keyed by parameter name, and ``text`` without the call.

    Positional values fill the required parameters in order, then the remaining declared ones.
    """
    call = written_call(text, name)
    if call is None:
        return {}, text
    schema = parameters if isinstance(parameters, Mapping) else {}
    props = schema.get("properties")
    declared = list(props) if isinstance(props, Mapping) else []
    required = [r for r in schema.get("required") or () if isinstance(r, str)]
    order = list(dict.fromkeys([*required, *declared]))
    given = dict(zip(order, call.positional, strict=False))
    given.update(call.keyword)
    start, end = call.span
    return given, text[:start] + " " * (end - start) + text[end:]


def name_words(name: str) -> list[str]:
    """The meaningful words of a tool name: ``get_weather`` → ``["weather"]``."""
    words = (w.lower() for w in _NAME_SPLIT.split(name) if w)
    return [w for w in words if len(w) >= 3 and not w.isdigit() and w not in _GENERIC]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def mentions_tool(text: str, name: str) -> bool:
    """Whether ``text`` names the tool exactly or uses a meaningful word of its name."""
    lowered = text.lower()
    if re.search(r"(?<![\w])" + re.escape(name.lower()) + r"(?![\w])", lowered):
        return True
    wanted = {_stem(w) for w in name_words(name)}
    return bool(wanted) and any(_stem(w) in wanted for w in _WORDS.findall(lowered))


def example_object(text: str) -> dict[str, Any] | None:
    """The first non-empty JSON object written in ``text``."""
    decoder = json.JSONDecoder()
    pos = text.find("{")
    while pos != -1:
        try:
            value, _ = decoder.raw_decode(text, pos)
        except ValueError:
            value = None
        if isinstance(value, dict) and value:
            return value
        pos = text.find("{", pos + 1)
    return None


def _items(raw: str) -> list[str] | None:
    out: list[str] = []
    for item in _SPLIT_ITEMS.split(raw):
        item = item.strip()
        if not item:
            continue
        quoted = item[0] in _QUOTE_PAIRS
        key = _unquote(item) if quoted else item
        if not quoted and key.lower() in _NOT_KEYS:
            return None
        if key:
            out.append(key)
    return out or None


def requested_keys(text: str) -> list[str]:
    """The JSON keys a prompt asks for (see the module docstring), or ``[]``."""
    example = example_object(text)
    if example is not None:
        return [str(k) for k in example]
    for pattern in (_FORWARD, _BACKWARD):
        for m in pattern.finditer(text):
            keys = _items(m.group("list"))
            if keys:
                return list(dict.fromkeys(keys))
    if _MENTIONS_KEYS.search(text):
        keys = [value for value, _, _ in quoted_strings(text) if _IDENT.fullmatch(value)]
        return list(dict.fromkeys(keys))
    return []
