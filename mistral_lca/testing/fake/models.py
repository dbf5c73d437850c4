"""Models API: a static catalogue of base models plus fine-tuned models created by fine-tuning jobs."""

from __future__ import annotations

from typing import Any

from .replies import Call, JsonReply, Reply, api_error
from .state import FakeState

__all__ = ["MODEL_ROUTES", "base_models", "fine_tuned_card", "fine_tuned_model_out"]

_CAPS = (
    "completion_chat",
    "function_calling",
    "reasoning",
    "completion_fim",
    "fine_tuning",
    "vision",
    "ocr",
    "classification",
    "moderation",
    "audio",
    "audio_transcription",
)
_CATALOGUE: tuple[tuple[str, int, str, tuple[str, ...]], ...] = (
    ("mistral-large-latest", 131072, "mistral-large-2411", ("completion_chat", "function_calling", "fine_tuning")),
    (
        "mistral-medium-latest",
        131072,
        "mistral-medium-2508",
        ("completion_chat", "function_calling", "vision", "fine_tuning"),
    ),
    (
        "mistral-small-latest",
        131072,
        "mistral-small-2506",
        ("completion_chat", "function_calling", "vision", "fine_tuning"),
    ),
    ("ministral-8b-latest", 131072, "ministral-8b-2410", ("completion_chat", "function_calling", "fine_tuning")),
    ("open-mistral-nemo", 131072, "open-mistral-nemo-2407", ("completion_chat", "function_calling")),
    ("codestral-latest", 256000, "codestral-2508", ("completion_chat", "function_calling", "completion_fim")),
    ("devstral-medium-latest", 131072, "devstral-medium-2507", ("completion_chat", "function_calling")),
    ("pixtral-large-latest", 131072, "pixtral-large-2411", ("completion_chat", "function_calling", "vision")),
    (
        "magistral-medium-latest",
        40960,
        "magistral-medium-2509",
        ("completion_chat", "function_calling", "reasoning", "vision"),
    ),
    (
        "magistral-small-latest",
        40960,
        "magistral-small-2509",
        ("completion_chat", "function_calling", "reasoning", "vision"),
    ),
    ("mistral-embed", 8192, "mistral-embed-2312", ()),
    ("codestral-embed", 8192, "codestral-embed-2505", ()),
    ("mistral-moderation-latest", 8192, "mistral-moderation-2411", ("moderation", "classification")),
    ("mistral-ocr-latest", 16384, "mistral-ocr-2505", ("ocr",)),
    ("voxtral-mini-latest", 32768, "voxtral-mini-2507", ("completion_chat", "audio", "audio_transcription")),
)


def _card(ident: str, ctx: int, aliases: list[str], caps: tuple[str, ...], created: int) -> dict[str, Any]:
    return {
        "id": ident,
        "object": "model",
        "created": created,
        "owned_by": "mistralai",
        "capabilities": {c: c in caps for c in _CAPS},
        "name": ident,
        "description": f"Fake {ident}",
        "max_context_length": ctx,
        "aliases": aliases,
        "deprecation": None,
        "deprecation_replacement_model": None,
        "default_model_temperature": 0.3,
        "type": "base",
    }


def base_models(created: int) -> list[dict[str, Any]]:
    cards = []
    for latest, ctx, dated, caps in _CATALOGUE:
        cards.append(_card(latest, ctx, [dated] if dated != latest else [], caps, created))
        if dated != latest:
            cards.append(_card(dated, ctx, [latest], caps, created))
    return cards


def fine_tuned_card(ident: str, root: str, job_id: str, created: int) -> dict[str, Any]:
    card = _card(ident, 32768, [], ("completion_chat", "function_calling"), created)
    card.update(type="fine-tuned", owned_by="fake-org", job=job_id, root=root, archived=False)
    return card


_FT_CAPS = ("completion_chat", "completion_fim", "function_calling", "fine_tuning", "classification")


def fine_tuned_model_out(card: dict[str, Any]) -> dict[str, Any]:
    """A stored fine-tuned card in the ``CompletionFineTunedModel`` shape of ``/v1/fine_tuning/models/*``."""
    caps = card.get("capabilities") or {}
    return {
        "id": card["id"],
        "object": "model",
        "created": card["created"],
        "owned_by": card["owned_by"],
        "workspace_id": "00000000-0000-4000-8000-000000000000",
        "root": card["root"],
        "root_version": str(card.get("job") or "")[:8] or "1",
        "archived": bool(card.get("archived")),
        "name": card.get("name"),
        "description": card.get("description"),
        "capabilities": {c: bool(caps.get(c, c == "completion_chat")) for c in _FT_CAPS},
        "max_context_length": card.get("max_context_length", 32768),
        "aliases": list(card.get("aliases") or []),
        "job": card.get("job"),
        "model_type": "completion",
    }


def _all(state: FakeState) -> dict[str, dict[str, Any]]:
    cards = {c["id"]: c for c in base_models(state.now())}
    cards.update(state.ft_models)
    for gone in state.deleted_models:
        cards.pop(gone, None)
    return cards


def list_models(state: FakeState, call: Call) -> Reply:
    return JsonReply({"object": "list", "data": list(_all(state).values())})


def retrieve(state: FakeState, call: Call) -> Reply:
    card = _all(state).get(call.params["model_id"])
    if card is None:
        return api_error(404, f"Model {call.params['model_id']} not found", type_="invalid_model", code="1500")
    return JsonReply(card)


def delete(state: FakeState, call: Call) -> Reply:
    ident = call.params["model_id"]
    card = _all(state).get(ident)
    if card is None:
        return api_error(404, f"Model {ident} not found", type_="invalid_model", code="1500")
    if card["type"] != "fine-tuned":
        return api_error(403, f"Model {ident} cannot be deleted", type_="forbidden", code="1501")
    state.ft_models.pop(ident, None)
    state.deleted_models.add(ident)
    return JsonReply({"id": ident, "object": "model", "deleted": True})


MODEL_ROUTES = (
    ("GET", "/v1/models", list_models),
    ("GET", "/v1/models/{model_id}", retrieve),
    ("DELETE", "/v1/models/{model_id}", delete),
)
