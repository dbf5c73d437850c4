"""The one model table both adapters read: lookups by exact id, by family prefix, through fine-tunes; never raising."""

from __future__ import annotations

from typing import Any

import pytest

from mistral_lca.models_info import DEFAULT_CONTEXT_WINDOW, ModelInfo, base_model_id, model_info


@pytest.mark.parametrize(
    ("model", "kind", "window"),
    [
        ("mistral-large-latest", "chat", 262_144),
        ("mistral-large-2411", "chat", 131_072),
        ("mistral-small-2501", "chat", 32_768),
        ("codestral-latest", "chat", 262_144),
        ("codestral-2405", "chat", 32_768),
        ("magistral-medium-2506", "chat", 40_960),
        ("open-mixtral-8x22b", "chat", 65_536),
        ("mistral-embed", "embedding", 8_192),
        ("codestral-embed-2505", "embedding", 8_192),
        ("mistral-ocr-latest", "ocr", 131_072),
        ("mistral-moderation-latest", "moderation", 8_192),
        ("voxtral-mini-transcribe-2507", "transcription", 32_768),
        ("voxtral-small-latest", "chat", 32_768),
    ],
)
def test_known_models(model: str, kind: str, window: int) -> None:
    info = model_info(model)
    assert (info.kind, info.context_window, info.known) == (kind, window, True)


def test_models_that_do_not_chat_have_no_tools_and_no_structured_output() -> None:
    for model in ("mistral-embed", "mistral-ocr-2505", "mistral-moderation-2411", "voxtral-mini-transcribe-2507"):
        info = model_info(model)
        assert not info.is_chat
        assert (info.function_calling, info.structured_output) == (False, False)


def test_capabilities() -> None:
    assert model_info("pixtral-large-latest").vision
    assert model_info("mistral-medium-latest").vision and model_info("mistral-medium-latest").reasoning
    assert model_info("magistral-small-2506").reasoning and not model_info("magistral-small-2506").vision
    assert not model_info("open-mistral-7b").vision
    assert model_info("codestral-2508").fim and not model_info("mistral-large-latest").fim
    assert model_info("voxtral-small-2507").audio


@pytest.mark.parametrize(
    ("model", "same_as"),
    [
        ("ft:open-mistral-7b:abc123:20240101:xyz", "open-mistral-7b"),  # fine-tunes resolve to their base
        ("ft:mistral-small-latest:team:20250101", "mistral-small-latest"),
        ("Mistral-Large-Latest", "mistral-large-latest"),  # case and spaces do not matter
        ("  codestral-latest ", "codestral-latest"),
        ("mistral-small-2507", "mistral-small"),  # a dated id the table does not list: its family
        ("codestral-2508", "codestral"),
        ("magistral-medium-2512", "magistral"),
    ],
)
def test_ids_resolve_through_fine_tunes_case_and_family_prefixes(model: str, same_as: str) -> None:
    assert model_info(model).known
    assert model_info(model) == model_info(same_as)


def test_base_model_id() -> None:
    assert base_model_id("ft:open-mistral-7b:abc:20240101") == "open-mistral-7b"
    assert base_model_id(" Mistral-Small-Latest ") == "mistral-small-latest"
    assert base_model_id("ft:") == "ft:"


def test_the_longest_prefix_wins() -> None:
    assert model_info("codestral-embed-2505").kind == "embedding"  # not "codestral" (chat)
    assert model_info("voxtral-mini-transcribe-2507").kind == "transcription"  # not "voxtral" (chat)


@pytest.mark.parametrize("model", ["brand-new-model-2701", "gpt-4o", "", "   ", None, "ft:", "ft::"])
def test_unknown_ids_get_permissive_chat_defaults_and_never_raise(model: Any) -> None:
    info = model_info(model)
    assert info == ModelInfo(known=False)
    assert info.is_chat and info.function_calling and info.structured_output
    assert info.context_window == DEFAULT_CONTEXT_WINDOW
