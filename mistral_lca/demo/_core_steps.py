"""Tour steps that use the shared client directly: streamed chat, FIM, OCR and moderation."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ._printer import Printer
from ._session import Session
from .data import PDF_NAME, expense_claim_pdf

if TYPE_CHECKING:
    from mistral_lca.types.chat import ChatMessageParam

__all__ = ["fim", "moderation", "ocr", "stream"]

CHAT_MODEL = "mistral-small-latest"
STREAM_MESSAGES: list[ChatMessageParam] = [
    {"role": "system", "content": "You are the onboarding assistant of Tidewater Robotics. Answer briefly."},
    {"role": "user", "content": "In two sentences: what happens in my first week?"},
]
FIM_PROMPT = "def total_allowance(per_diem, hotel):\n    "
FIM_SUFFIX = "\n\n\nprint(total_allowance(1800, 1815))\n"
MODERATION_INPUTS = [
    "Where do I submit the receipts from my Lisbon trip?",
    "If finance rejects my claim again I will hurt someone.",
]


def _delta_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(getattr(chunk, "text", "") or "" for chunk in content)


async def _stream(session: Session, out: Printer) -> dict[str, Any]:
    client = session.async_client()
    pieces: list[str] = []
    events = 0
    model = None
    out.line(f"You: {STREAM_MESSAGES[-1]['content']}")
    writer = out.streaming("Assistant: ")
    async with client:
        async for event in client.chat.stream(model=CHAT_MODEL, temperature=0, messages=STREAM_MESSAGES):
            events += 1
            model = event.data.model or model
            if event.data.choices:
                text = _delta_text(event.data.choices[0].delta.content)
                pieces.append(text)
                writer.write(text)
    writer.end()
    out.line(f"({events} stream events from {model}, printed as they arrived; async client)")
    return {"reply": "".join(pieces), "events": events, "model": model}


def stream(session: Session, out: Printer) -> dict[str, Any]:
    """A chat completion streamed token by token with ``AsyncMistralLCAClient.chat.stream``."""
    return asyncio.run(_stream(session, out))


def fim(session: Session, out: Printer) -> dict[str, Any]:
    """Codestral fills in the body of a function between a prompt and a suffix."""
    client = session.client()
    reply = client.fim.complete(model="codestral-latest", prompt=FIM_PROMPT, suffix=FIM_SUFFIX, temperature=0)
    middle = _delta_text(reply.choices[0].message.content) if reply.choices else ""
    out.line("prompt + [completion] + suffix:")
    code = FIM_PROMPT + "[" + middle + "]" + FIM_SUFFIX.rstrip("\n")
    for line in code.splitlines():
        out.line("| " + line, indent=4)
    return {"completion": middle, "model": reply.model}


def ocr(session: Session, out: Printer) -> dict[str, Any]:
    """Mistral OCR reads the bundled 2-page PDF (sent inline as a ``data:`` URI) into markdown."""
    from mistral_lca.ocr import document_from_bytes

    pdf = expense_claim_pdf()
    client = session.client()
    result = client.ocr.process(model="mistral-ocr-latest", document=document_from_bytes(pdf, filename=PDF_NAME))
    out.line(f"{PDF_NAME} ({len(pdf):,} bytes) -> {len(result.pages)} pages of markdown:")
    pages = []
    for page in sorted(result.pages, key=lambda p: p.index):
        lines = [line for line in page.markdown.splitlines() if line.strip()]
        out.line(f"page {page.index + 1}: " + " / ".join(lines[:4]), indent=4)
        pages.append({"index": page.index, "markdown": page.markdown})
    return {"document": PDF_NAME, "pages": pages, "model": result.model}


def moderation(session: Session, out: Printer) -> dict[str, Any]:
    """The moderation model scores two messages; the threatening one is flagged."""
    client = session.client()
    result = client.classifiers.moderate(model="mistral-moderation-latest", inputs=MODERATION_INPUTS)
    verdicts = []
    for text, verdict in zip(MODERATION_INPUTS, result.results, strict=False):
        flagged = sorted(name for name, hit in verdict.categories.items() if hit)
        scores = {name: verdict.category_scores.get(name, 0.0) for name in flagged}
        label = ", ".join(f"{name} ({scores[name]:.2f})" for name in flagged) if flagged else "ok"
        out.line(f"{text!r}")
        out.line(f"-> {'FLAGGED: ' if flagged else ''}{label}", indent=4)
        verdicts.append({"input": text, "flagged": flagged, "scores": scores})
    return {"results": verdicts, "model": result.model}
