"""langchain-tests standard integration suites, replayed from cassettes.

Each class applies pytest-recording's ``vcr`` marker to all of its tests (``pytestmark``) and builds its
objects from the ``lca_settings`` fixture, so the same code replays cassettes (default), records against the
local LowCodeAPI stand-in (``MISTRAL_LCA_RECORD_AGAINST=fake``) or records live.

The media-input tests of the chat suite download a sample image/PDF with ``httpx.get``; that download is
served locally (a real 1x1 PNG and a one-page PDF) so the suites never leave the machine.
"""

from __future__ import annotations

import base64
from typing import Any, cast

import httpx
import pytest
from langchain_core.messages import AIMessage
from langchain_tests.integration_tests import (
    ChatModelIntegrationTests,
    EmbeddingsIntegrationTests,
    ToolsIntegrationTests,
)

from langchain_mistral_lca import ChatMistralLCA, MistralAgentTool, MistralLCAEmbeddings

SAMPLE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 12 Tf 20 50 Td (Dummy PDF file) Tj ET\nendstream endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
_SAMPLES = {".png": (SAMPLE_PNG, "image/png"), ".pdf": (SAMPLE_PDF, "application/pdf")}


@pytest.fixture
def local_media(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve the suites' sample media downloads (``httpx.get``) from memory."""
    real_get = httpx.get

    def get(url: str, *args: Any, **kwargs: Any) -> httpx.Response:
        for suffix, (data, mime) in _SAMPLES.items():
            if str(url).endswith(suffix):
                return httpx.Response(200, content=data, headers={"content-type": mime})
        return real_get(url, *args, **kwargs)

    monkeypatch.setattr(httpx, "get", get)


class TestChatMistralLCAIntegration(ChatModelIntegrationTests):
    # allow_playback_repeats: test_stream_time benchmarks the same recorded stream many times.
    pytestmark = [pytest.mark.vcr(allow_playback_repeats=True), pytest.mark.usefixtures("local_media")]

    @pytest.fixture(autouse=True)
    def _connection(self, lca_settings: dict[str, Any]) -> None:
        self._settings = lca_settings

    @property
    def chat_model_class(self) -> type[ChatMistralLCA]:
        return ChatMistralLCA

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "mistral-small-latest", "max_retries": 0, **self._settings}

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

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[Any, Any]:
        # Mistral reports usage.prompt_tokens_details.cached_tokens → input_token_details.cache_read.
        return {"invoke": ["cache_read_input"], "stream": ["cache_read_input"]}

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        llm = ChatMistralLCA(**self.chat_model_params)
        prompt = "Summarise the following policy in one line. " + "Policy clause: be kind and precise. " * 60
        llm.invoke(prompt, prompt_cache_key="lc-cache-test")  # first call fills the cache
        if not stream:
            return llm.invoke(prompt, prompt_cache_key="lc-cache-test")
        full: Any = None
        for chunk in llm.stream(prompt, prompt_cache_key="lc-cache-test"):
            full = chunk if full is None else full + chunk
        return cast(AIMessage, full)


class TestMistralLCAEmbeddingsIntegration(EmbeddingsIntegrationTests):
    pytestmark = pytest.mark.vcr

    @pytest.fixture(autouse=True)
    def _connection(self, lca_settings: dict[str, Any]) -> None:
        self._settings = lca_settings

    @property
    def embeddings_class(self) -> type[MistralLCAEmbeddings]:
        return MistralLCAEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "mistral-embed", "max_retries": 0, **self._settings}


class TestMistralAgentToolIntegration(ToolsIntegrationTests):
    pytestmark = pytest.mark.vcr

    @pytest.fixture(autouse=True)
    def _connection(self, lca_settings: dict[str, Any]) -> None:
        self._settings = lca_settings

    @property
    def tool_constructor(self) -> MistralAgentTool:
        # The real flow: create the agent (POST /v1/agents), then use it; both requests are in each cassette.
        return MistralAgentTool.create(
            name="French Translator",
            model="mistral-medium-latest",
            instructions="Translate the user's text into French. Answer with the translation only.",
            description="Translates English text into French.",
            max_retries=0,
            **self._settings,
        )

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"input": "Good morning, how are you?"}
