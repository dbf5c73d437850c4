"""The stand-in's built-in tools for conversations: web_search(_premium), document_library, code_interpreter,
image_generation. Deterministic, like the rest of the stand-in "model":

* **When one runs** — the conversation has the tool, the turn ends with a user message, no function tool was
  called, and the user message asks for it: ``web_search``/``web_search_premium`` on search, web, internet,
  online, news, latest, current or today; ``document_library`` on library, document(s), docs, handbook, policy,
  policies or file(s); ``code_interpreter`` on run, code, python, compute or calculate; ``image_generation`` on
  image, picture, photo, drawing, draw or illustration. With ``tool_choice`` ``any``/``required`` and no such
  word, the first built-in runs. (``connector`` tools never run here.)
* **What it returns** — a ``tool.execution`` entry (``arguments`` as JSON text, ``info``) and a
  ``message.output`` entry whose content cites its sources with ``tool_reference`` chunks right after the
  text they support, as Mistral does:

  - ``web_search``: two fixed sources derived from the query (``https://news.example.com/<slug>`` and
    ``https://encyclopedia.example.org/wiki/<slug>``, ``source: "brave"``);
  - ``document_library``: the documents of the given libraries that share the most content words with the
    query (at most two; common words ignored, plurals matched), each quoted by its best-matching sentence and
    cited by name (ties: the longer sentence); "nothing found" otherwise;
  - ``code_interpreter``: an arithmetic expression of the prompt is evaluated (``info.code`` /
    ``info.code_output``);
  - ``image_generation``: a small PNG stored as a file (downloadable through ``/v1/files/{id}/content``) and
    returned as a ``tool_file`` chunk.
"""

from __future__ import annotations

import ast
import json
import operator
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .files import store_file
from .state import FakeState

__all__ = ["BuiltInRun", "pick_built_in", "run_built_in", "tiny_png"]

_TRIGGERS = {
    "web_search": re.compile(r"\b(search|web|internet|online|news|latest|current|today)\b", re.I),
    "document_library": re.compile(r"\b(library|documents?|docs|handbook|polic(?:y|ies)|files?)\b", re.I),
    "code_interpreter": re.compile(r"\b(run|code|python|compute|calculate)\b", re.I),
    "image_generation": re.compile(r"\b(image|picture|photo|drawing|draw|illustration)\b", re.I),
}
_TRIGGERS["web_search_premium"] = _TRIGGERS["web_search"]
_RUNNABLE = tuple(_TRIGGERS)
_WORD = re.compile(r"[A-Za-z0-9]{3,}")
_INSTRUCTION = re.compile(
    r"^(?:please\s+)?(?:search|look\s+up|find|check)(?:\s+(?:the\s+)?(?:web|internet|news|online))?"
    r"(?:\s+(?:for|about))?\s*[:,-]?\s*",
    re.I,
)
_STOP_WORDS = frozenset(
    {"the", "and", "are", "was", "were", "for", "with", "what", "who", "how", "does", "did", "about", "say", "says"}
    | {"that", "this", "from", "have", "has", "can", "you", "your", "our", "its", "their", "there", "which", "when"}
    | {"where", "why", "any", "all", "not", "but", "may"}
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_EXPRESSION = re.compile(r"[-+(]*\d[\d.\s]*(?:[-+*/%]+\s*[(]*\s*\d[\d.\s]*[)]*\s*)+")
_OPERATORS: dict[type[ast.AST], Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


@dataclass
class BuiltInRun:
    """One built-in tool run: its arguments and info, and the answer's content chunks."""

    name: str
    arguments: dict[str, Any]
    info: dict[str, Any]
    content: list[dict[str, Any]] = field(default_factory=list)


def pick_built_in(tools: Any, user_text: str, tool_choice: Any) -> dict[str, Any] | None:
    """The built-in tool this turn runs (see the module docstring), or ``None``."""
    built_ins = [t for t in tools or () if isinstance(t, dict) and t.get("type") in _RUNNABLE]
    if not built_ins or tool_choice == "none":
        return None
    for tool in built_ins:
        if _TRIGGERS[tool["type"]].search(user_text):
            return tool
    return built_ins[0] if tool_choice in ("any", "required") else None


def _slug(text: str) -> str:
    return "-".join(w.lower() for w in _WORD.findall(text)[:6]) or "query"


def _topic(query: str) -> str:
    """The question without its instruction ("Search the web: ...") and final punctuation."""
    topic = _INSTRUCTION.sub("", " ".join(query.split())).rstrip(" ?.!")
    return topic or "your question"


def _web_search(tool: str, query: str) -> BuiltInRun:
    topic = _topic(query)
    slug = _slug(topic)
    sources = [
        {
            "type": "tool_reference",
            "tool": tool,
            "title": f"{topic[0].upper()}{topic[1:]} - News Example",
            "url": f"https://news.example.com/{slug}",
            "favicon": "https://news.example.com/favicon.ico",
            "description": f"Latest reporting on {topic}.",
            "source": "brave",
        },
        {
            "type": "tool_reference",
            "tool": tool,
            "title": f"{topic[0].upper()}{topic[1:]} - Encyclopedia Example",
            "url": f"https://encyclopedia.example.org/wiki/{slug}",
            "favicon": "https://encyclopedia.example.org/favicon.ico",
            "description": f"Background on {topic}.",
            "source": "brave",
        },
    ]
    content = [
        {"type": "text", "text": f"The latest reports on {topic} agree on the main facts."},
        sources[0],
        {"type": "text", "text": " Background sources give the longer history."},
        sources[1],
    ]
    return BuiltInRun(tool, {"query": query}, {}, content)


def _words(text: str) -> set[str]:
    """Content words, lower-cased, a plural ``s`` dropped (``Hotels`` matches ``hotel``)."""
    words = (w.lower() for w in _WORD.findall(text))
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words if w not in _STOP_WORDS}


def _document_library(state: FakeState, library_ids: list[str], query: str) -> BuiltInRun:
    wanted = _words(query)
    scored = []
    for doc in state.documents.values():
        if doc["library_id"] in library_ids:
            score = len(wanted & _words(doc["_text"] + " " + doc["name"]))
            if score:
                scored.append((-score, doc["name"], doc))
    scored.sort(key=lambda item: (item[0], item[1]))
    content: list[dict[str, Any]] = []
    for _, name, doc in scored[:2]:
        sentences = [s.strip() for s in _SENTENCE.findall(doc["_text"]) if s.strip()]
        best = max(sentences, key=lambda s: (len(wanted & _words(s)), len(s), -sentences.index(s)), default=name)
        prefix = " " if content else ""
        content.append({"type": "text", "text": f'{prefix}{name} says: "{best}"'})
        content.append({"type": "tool_reference", "tool": "document_library", "title": name, "description": best})
    if not content:
        content = [{"type": "text", "text": "I found nothing about that in the library."}]
    info = {"library_ids": library_ids, "documents": len(scored[:2])}
    return BuiltInRun("document_library", {"query": query}, info, content)


def _evaluate(node: ast.AST) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.operand))
    raise ValueError("not arithmetic")


def _code_interpreter(query: str) -> BuiltInRun:
    match = _EXPRESSION.search(query)
    expression = " ".join(match.group(0).split()) if match else ""
    try:
        output = f"{_evaluate(ast.parse(expression, mode='eval'))}\n"
        code = f"print({expression})"
    except (SyntaxError, ValueError, ZeroDivisionError):
        code, output = "print('done')", "done\n"
    content = [{"type": "text", "text": f"I ran the code; it printed {output.strip()}."}]
    return BuiltInRun("code_interpreter", {"code": code}, {"code": code, "code_output": output}, content)


def tiny_png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (240, 120, 30)) -> bytes:
    """A valid little PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _image_generation(state: FakeState, query: str) -> BuiltInRun:
    meta = store_file(state, "image_generated_0.png", tiny_png(), "image_generation", mimetype="image/png")
    content = [
        {"type": "text", "text": "Here is the image you asked for."},
        {
            "type": "tool_file",
            "tool": "image_generation",
            "file_id": meta["id"],
            "file_name": "image_generated_0",
            "file_type": "png",
        },
    ]
    return BuiltInRun("image_generation", {"prompt": query}, {}, content)


def run_built_in(state: FakeState, tool: dict[str, Any], query: str) -> BuiltInRun:
    """Run ``tool`` (picked by :func:`pick_built_in`) for the user text ``query``."""
    kind = tool["type"]
    if kind in ("web_search", "web_search_premium"):
        return _web_search(kind, query)
    if kind == "document_library":
        return _document_library(state, [str(i) for i in tool.get("library_ids") or ()], query)
    if kind == "code_interpreter":
        return _code_interpreter(query)
    return _image_generation(state, query)


def arguments_text(run: BuiltInRun) -> str:
    return json.dumps(run.arguments, ensure_ascii=False)
