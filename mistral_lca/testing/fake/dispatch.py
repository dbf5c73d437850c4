"""The route table (every Mistral endpoint the fake serves) and the batch executor built on it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._json import dumps, to_bytes
from .agents import AGENT_ROUTES
from .audio import AUDIO_ROUTES
from .batch import BATCH_ROUTES
from .chat import handle_agents_completion, handle_chat
from .classify import CLASSIFY_ROUTES
from .conversations import CONVERSATION_ROUTES
from .embeddings import handle_embeddings
from .files import FILE_ROUTES
from .fim import handle_fim
from .finetune import FINETUNE_ROUTES
from .libraries import LIBRARY_ROUTES
from .models import MODEL_ROUTES
from .ocr import OCR_ROUTES
from .replies import Call, ErrorReply, Handler, JsonReply
from .routes import Route, RouteTable
from .state import BatchExecutor, FakeState

__all__ = ["ROUTE_SPECS", "build_table", "make_executor"]

ROUTE_SPECS: tuple[tuple[str, str, Handler], ...] = (
    ("POST", "/v1/chat/completions", handle_chat),
    ("POST", "/v1/fim/completions", handle_fim),
    ("POST", "/v1/agents/completions", handle_agents_completion),
    ("POST", "/v1/embeddings", handle_embeddings),
    *CLASSIFY_ROUTES,
    *OCR_ROUTES,
    *AUDIO_ROUTES,
    *FILE_ROUTES,
    *MODEL_ROUTES,
    *BATCH_ROUTES,
    *FINETUNE_ROUTES,
    *AGENT_ROUTES,
    *CONVERSATION_ROUTES,
    *LIBRARY_ROUTES,
)


def build_table(specs: Iterable[tuple[str, str, Handler]] = ROUTE_SPECS) -> RouteTable[Handler]:
    return RouteTable(Route(method, template, handler) for method, template, handler in specs)


def make_executor(state: FakeState, table: RouteTable[Handler]) -> BatchExecutor:
    """Run one batch line's body against ``endpoint`` with the live handlers → (status, JSON bytes)."""

    def run(endpoint: str, body: dict[str, Any]) -> tuple[int, bytes]:
        match = table.match("POST", endpoint, {})
        if match is None:
            return 404, dumps({"detail": "Not Found"})
        call = Call("POST", endpoint, match.params, {}, {"content-type": "application/json"}, b"", body)
        reply = match.route.handler(state, call)
        if isinstance(reply, (JsonReply, ErrorReply)):
            return reply.status, to_bytes(reply.body)
        return 400, dumps(
            {
                "object": "error",
                "message": f"{endpoint} is not supported in batch",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        )

    return run
