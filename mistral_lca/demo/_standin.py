"""The scripted "model" used when the recordings are made against the local stand-in server (no token).

``FakeLowCodeAPI`` speaks the exact LowCodeAPI/Mistral wire format but has no model behind it: its chat replies
echo the prompt and its embeddings are random. So that the offline tour reads sensibly, recording against it
(``python -m mistral_lca.demo.record``, the default without a token) scripts three things, and nothing else:

* chat and agent replies come from :func:`scripted_reply`, a tiny extractive answerer: it quotes the sentence of
  the given context (or of the bundled handbook) that shares the most words with the question, citing its file;
  after tool calls it reports what the tools returned;
* embedding vectors are replaced by :func:`bag_of_words_vector` (hashed word counts), so retrieval finds the
  documents that share words with the question;
* OCR page markdown is replaced by the text the bundled PDF was generated from.

Tool calls, ids, usage, envelopes, streaming and every request are the stand-in's own. Recording live
(``--live`` with ``LOWCODEAPI_API_TOKEN``) uses none of this.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ._pdf import EXPENSE_CLAIM, page_markdown
from .data import handbook

__all__ = ["EMBEDDING_SIZE", "bag_of_words_vector", "rewrite_response", "scripted_reply"]

EMBEDDING_SIZE = 1024
_WORD_RE = re.compile(r"[a-z0-9]+")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")
_SOURCE_LINE_RE = re.compile(r"^\s*(?:\[([\w.-]+\.md)\]|source:\s*([\w.-]+\.md))\s*$", re.IGNORECASE)
_QUESTION_RE = re.compile(r"(?:^|\n)\s*(?:question|query):\s*(.+)", re.IGNORECASE)
_END_OF_CONTEXT_RE = re.compile(r"^\s*(?:-{3,}|(?:question|query|answer):.*)\s*$", re.IGNORECASE)
_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by can do does for from how i in is it my of on or our the to what when where which who "
        "why will with you your per into this that there their they we after before up any all not no",
    )
)


def _words(text: str) -> list[str]:
    words = []
    for word in _WORD_RE.findall(text.lower()):
        if word in _STOPWORDS:
            continue
        words.append(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return words


# ------------------------------------------------------------------------------------------- embeddings


def bag_of_words_vector(text: str, size: int = EMBEDDING_SIZE) -> list[float]:
    """Hashed word counts, L2-normalised and rounded: similar wording gives a high cosine similarity."""
    vector = [0.0] * size
    for word, count in Counter(_words(text)).items():
        slot = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big") % size
        vector[slot] += float(count)
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [round(v / norm, 4) for v in vector]


# ------------------------------------------------------------------------------------------- chat replies


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _sentences(text: str, source: str | None) -> Iterable[tuple[str, str | None]]:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            for sentence in _SENTENCE_RE.split(line):
                yield sentence.strip(), source


def _tagged_sentences(text: str) -> list[tuple[str, str | None]]:
    """Sentences of a context, each with the file it came from (``[name.md]`` or ``source: name.md`` lines)."""
    found: list[tuple[str, str | None]] = []
    source: str | None = None
    for line in text.splitlines():
        match = _SOURCE_LINE_RE.match(line)
        if match:
            source = match.group(1) or match.group(2)
        elif _END_OF_CONTEXT_RE.match(line):
            source = None
        elif source is not None:
            found.extend(_sentences(line, source))
    return found


def _handbook_sentences(question: str) -> list[tuple[str, str | None]]:
    """The sentences of the handbook page that shares the most words with the question."""
    wanted = set(_words(question))
    best = max(handbook(), key=lambda doc: sum(1 for word in _words(doc.text) if word in wanted))
    return list(_sentences(best.text, best.source))


def _best(question: str, candidates: list[tuple[str, str | None]], count: int) -> list[tuple[str, str | None]]:
    wanted = set(_words(question))
    scored = [(len(wanted & set(_words(sentence))), -i, sentence, src) for i, (sentence, src) in enumerate(candidates)]
    top = sorted((item for item in scored if item[0] > 0), reverse=True)[:count]
    return [(sentence, src) for _, _, sentence, src in sorted(top, key=lambda item: -item[1])]


def _answer(question: str, candidates: list[tuple[str, str | None]], *, count: int = 1, cite: bool = True) -> str:
    best = _best(question, candidates, count)
    if not best:
        return "I could not find that in the handbook."
    sources = list(dict.fromkeys(src for _, src in best if src))
    text = " ".join(sentence for sentence, _ in best)
    return text + (" " + " ".join(f"[{src}]" for src in sources) if cite and sources else "")


def _tool_report(messages: list[dict[str, Any]]) -> str:
    names: dict[str, str] = {}
    results: list[tuple[str, str]] = []
    for message in messages:
        for call in message.get("tool_calls") or ():
            names[str(call.get("id"))] = str((call.get("function") or {}).get("name"))
        if message.get("role") == "tool":
            name = message.get("name") or names.get(str(message.get("tool_call_id")), "the tool")
            results.append((str(name), _text(message.get("content")).strip().rstrip(".")))
    trailing = 0
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        trailing += 1
    tail = results[-trailing:]
    return "Here is what the tools returned: " + "; ".join(f"{name}: {result}" for name, result in tail) + "."


def scripted_reply(body: dict[str, Any]) -> str:
    """The stand-in's answer to a chat or agent request (see the module docstring)."""
    messages: list[dict[str, Any]] = body.get("messages") or []
    if messages and messages[-1].get("role") == "tool":
        return _tool_report(messages)
    last_user = next((_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    marker = _QUESTION_RE.search(last_user)
    question = marker.group(1).strip() if marker else last_user
    context = "\n".join(_text(m.get("content")) for m in messages if m.get("role") in ("system", "user"))
    tagged = _tagged_sentences(context)
    if tagged:
        return _answer(question, tagged)
    return _answer(question, _handbook_sentences(question), count=1 if "agent_id" in body else 2, cite=False)


# ------------------------------------------------------------------------------------------- responses


def _result(envelope: Any) -> Any:
    """The Mistral body inside a LowCodeAPI envelope (or the body itself)."""
    if isinstance(envelope, dict) and "result" in envelope and "provider" in envelope:
        return envelope["result"]
    return envelope


def rewrite_response(path: str, request: Any, response: Any) -> Any:
    """Script the stand-in's embeddings and OCR answers (see the module docstring); other answers pass through."""
    result = _result(response)
    if not isinstance(result, dict) or not isinstance(request, dict):
        return response
    if path == "/v1/embeddings":
        inputs = request.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        for item in result.get("data") or ():
            item["embedding"] = bag_of_words_vector(texts[int(item.get("index", 0))])
    elif path == "/v1/ocr":
        for page in result.get("pages") or ():
            index = int(page.get("index", 0))
            if index < len(EXPENSE_CLAIM):
                page["markdown"] = page_markdown(EXPENSE_CLAIM[index])
                for block in page.get("blocks") or ():
                    block["content"] = page["markdown"]
    return response
