"""langchain-tests standard unit suites for the chat model and the embeddings (no network)."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.load import dumpd, dumps, load
from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests, ToolsUnitTests
from syrupy.assertion import SnapshotAssertion

from langchain_mistral_lca import ChatMistralLCA, MistralAgentTool, MistralLCAEmbeddings

ENV_TOKEN = "at_env_token_for_tests"


class TestChatMistralLCAStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatMistralLCA]:
        return ChatMistralLCA

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "mistral-small-latest"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"LOWCODEAPI_API_TOKEN": ENV_TOKEN, "LOWCODEAPI_BASE_URL": "https://proxy.example/mistralai"},
            {"model": "mistral-large-latest"},
            {"api_token": ENV_TOKEN, "base_url": "https://proxy.example/mistralai", "model": "mistral-large-latest"},
        )

    # Capability flags: what the Mistral API (and this adapter) really supports.
    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "mistral-medium-latest"

    @pytest.mark.xfail(
        reason=(
            "langchain-core 1.8 load(allowed_objects='all') only admits classes listed in "
            "langchain_core.load.mapping, so no third-party integration can be loaded back that way. The snapshot "
            "half of this test still runs and passes; test_round_trip_with_explicit_allowlist covers the load half."
        )
    )
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)

    @pytest.mark.filterwarnings("ignore:The function `load` is in beta")
    def test_round_trip_with_explicit_allowlist(self, model: BaseChatModel) -> None:
        env_params, _, _ = self.init_from_env_params
        with mock.patch.dict(os.environ, env_params):
            restored = load(
                dumpd(model),
                valid_namespaces=["langchain_mistral_lca"],
                allowed_objects=[ChatMistralLCA],
                secrets_from_env=True,
            )
        assert isinstance(restored, ChatMistralLCA)
        assert restored.asdict() == model.asdict()
        assert restored.api_token is not None and restored.api_token.get_secret_value() == ENV_TOKEN
        secret_ref = {"lc": 1, "type": "secret", "id": ["LOWCODEAPI_API_TOKEN"]}
        assert dumpd(model)["kwargs"]["api_token"] == secret_ref  # the token itself is never written
        assert '"test"' not in dumps(model)


class TestMistralLCAEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[MistralLCAEmbeddings]:
        return MistralLCAEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "mistral-embed", "api_key": "at_unit_test_token"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ({"LOWCODEAPI_API_TOKEN": ENV_TOKEN}, {"model": "codestral-embed"}, {"api_token": ENV_TOKEN})


class TestMistralAgentToolStandard(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[MistralAgentTool]:
        return MistralAgentTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {
            "agent_id": "ag_019a0000000000000000000000000001",
            "name": "french_translator",
            "description": "Translates English text into French.",
            "api_key": "at_unit_test_token",
        }

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"input": "Good morning", "messages": [{"role": "user", "content": "Hi"}]}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"LOWCODEAPI_API_TOKEN": ENV_TOKEN},
            {"agent_id": "ag_1", "name": "helper", "description": "Helps."},
            {"api_token": ENV_TOKEN, "agent_id": "ag_1"},
        )
