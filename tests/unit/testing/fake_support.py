"""Small helpers shared by the stand-in tests."""

from __future__ import annotations

import json
from typing import Any

import httpx

CHAT = "/v1/chat/completions"
MODEL = "mistral-small-latest"


def user(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": text}], **extra}


def sse_payloads(text: str) -> list[str]:
    """``data:`` payloads of a data-only SSE body, in order."""
    return [line[len("data: ") :] for line in text.split("\n") if line.startswith("data: ")]


def sse_chunks(text: str) -> list[dict[str, Any]]:
    return [json.loads(p) for p in sse_payloads(text) if p != "[DONE]"]


def result(response: httpx.Response) -> Any:
    """The Mistral JSON inside a LowCodeAPI success envelope."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Request completed"
    assert body["provider"] == "mistralai"
    return body["result"]
