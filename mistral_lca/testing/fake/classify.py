"""Moderations and classifications with deterministic, keyword-driven scores.

Chat moderations judge the *last* message of each conversation, the others being its context (Mistral: "the
model is trained to classify the last turn of a conversation given the conversational context"), so a flagged
question does not flag the harmless answer that follows it. Their messages are checked like chat messages
(known ``role`` tags, nine-character tool-call ids). Chat classifications score the whole conversation.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .chat import content_text, role_error, tool_id_error
from .replies import Call, ErrorReply, JsonReply, Reply, check_fields, json_object, validation_error
from .state import FakeState

__all__ = ["CLASSIFY_ROUTES", "moderation_scores"]

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "sexual": ("sex", "nude", "porn"),
    "hate_and_discrimination": ("hate", "racist", "slur"),
    "violence_and_threats": ("kill", "murder", "attack", "hurt", "shoot"),
    "dangerous_and_criminal_content": ("bomb", "weapon", "steal", "drugs", "hack"),
    "selfharm": ("suicide", "self-harm", "selfharm"),
    "health": ("diagnos", "medication", "symptom", "disease"),
    "financial": ("invest", "stock", "loan", "crypto"),
    "law": ("lawyer", "lawsuit", "legal advice"),
    "pii": ("ssn", "social security", "passport", "credit card"),
}


def _base(text: str, salt: str) -> float:
    h = hashlib.md5(f"{salt}:{text}".encode("utf-8", "surrogatepass")).digest()
    return round(int.from_bytes(h[:4], "big") / 2**32 * 0.05, 6)


def moderation_scores(text: str) -> dict[str, float]:
    lowered = text.lower()
    return {cat: 0.9 if any(w in lowered for w in words) else _base(text, cat) for cat, words in _KEYWORDS.items()}


def _conversation_text(messages: list[Any]) -> str:
    return " ".join(content_text(m.get("content")) for m in messages if isinstance(m, dict))


def _last_turn_text(messages: list[Any]) -> str:
    last = messages[-1] if messages else None
    return content_text(last.get("content")) if isinstance(last, dict) else ""


def _message_error(convs: list[list[Any]], nested: bool) -> ErrorReply | None:
    for index, conv in enumerate(convs):
        error = role_error(conv, ["body", "input", index] if nested else ["body", "input"])
        error = error or tool_id_error(conv)
        if error is not None:
            return error
    return None


def _conversations(raw: Any, instruct: bool) -> list[list[Any]] | None:
    """Conversations of a chat body: a list of messages or a list of lists; with ``instruct`` (classifications)
    also the spec's ``InstructRequest`` form, ``{"messages": [...]}`` or a list of those."""
    if instruct and isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        return None
    if instruct and all(isinstance(c, dict) and "messages" in c for c in raw):
        convs = [c["messages"] for c in raw]
        return convs if all(isinstance(c, list) and c for c in convs) else None
    if all(isinstance(c, list) for c in raw):
        return raw
    return [raw] if all(isinstance(m, dict) and "role" in m for m in raw) else None


def _texts(body: dict[str, Any], chat: bool, instruct: bool = False) -> list[str] | ErrorReply:
    raw = body["input"]
    if not chat:
        items = [raw] if isinstance(raw, str) else raw
        if isinstance(items, list) and all(isinstance(t, str) for t in items):
            return items
    else:
        convs = _conversations(raw, instruct)
        if convs is not None and instruct:
            return [_conversation_text(conv) for conv in convs]
        if convs is not None:
            error = _message_error(convs, nested=convs is raw)
            return error if error is not None else [_last_turn_text(conv) for conv in convs]
    return validation_error(
        [
            {
                "type": "string_type" if not chat else "list_type",
                "loc": ["body", "input"],
                "msg": "Invalid input",
                "input": raw,
            }
        ]
    )


def _handle(state: FakeState, call: Call, *, chat: bool, moderation: bool) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = check_fields(body, required=("input", "model"))
    if err is not None:
        return err
    texts = _texts(body, chat, instruct=chat and not moderation)
    if isinstance(texts, ErrorReply):
        return texts
    results: list[dict[str, Any]] = []
    for text in texts:
        if moderation:
            scores = moderation_scores(text)
            results.append({"categories": {k: v >= 0.5 for k, v in scores.items()}, "category_scores": scores})
        else:
            positive = _base(text, "positive") * 20
            results.append(
                {"sentiment": {"scores": {"positive": round(positive, 6), "negative": round(1 - positive, 6)}}}
            )
    return JsonReply({"id": "mod-" + state.ids.hex32("moderation"), "model": body["model"], "results": results})


def moderations(state: FakeState, call: Call) -> Reply:
    return _handle(state, call, chat=False, moderation=True)


def chat_moderations(state: FakeState, call: Call) -> Reply:
    return _handle(state, call, chat=True, moderation=True)


def classifications(state: FakeState, call: Call) -> Reply:
    return _handle(state, call, chat=False, moderation=False)


def chat_classifications(state: FakeState, call: Call) -> Reply:
    return _handle(state, call, chat=True, moderation=False)


CLASSIFY_ROUTES = (
    ("POST", "/v1/moderations", moderations),
    ("POST", "/v1/chat/moderations", chat_moderations),
    ("POST", "/v1/classifications", classifications),
    ("POST", "/v1/chat/classifications", chat_classifications),
)
