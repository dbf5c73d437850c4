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
from langchain_core.language_models import BaseChatModel
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

    # ---- Expected failures: limits of the local stand-in the cassettes were recorded against (see module doc).

    _ARGS_FROM_SCHEMA = (
        "Stand-in limitation: tool arguments are synthesised from the schema (integers become 1) and ignore the "
        "call written in the prompt, so 'magic_function(3)' is answered with {'input': 1}, not {'input': 3}. "
        "Passes when recorded live; tool_choice, ids and stream merging are asserted in test_lc_chat_unit.py."
    )

    @pytest.mark.xfail(reason=_ARGS_FROM_SCHEMA)
    @pytest.mark.parametrize("model", [{}, {"output_version": "v1"}], indirect=True)
    def test_tool_calling(self, model: BaseChatModel) -> None:
        super().test_tool_calling(model)

    @pytest.mark.xfail(reason=_ARGS_FROM_SCHEMA)
    async def test_tool_calling_async(self, model: BaseChatModel) -> None:
        await super().test_tool_calling_async(model)

    @pytest.mark.xfail(
        reason=(
            "Stand-in limitation: with tool_choice unset it calls a tool only when the user text contains the "
            "tool's exact name; 'What is the weather in San Francisco, CA?' never says 'get_weather', so the "
            "recorded reply has no tool call. The full loop is covered by test_lc_e2e.py::test_create_agent_*."
        )
    )
    @pytest.mark.parametrize("model", [{}, {"output_version": "v1"}], indirect=True)
    def test_agent_loop(self, model: BaseChatModel) -> None:
        super().test_agent_loop(model)

    @pytest.mark.xfail(
        reason=(
            "Stand-in limitation: string tool arguments are taken from capitalised words of the prompt, not from "
            "the quoted name '你好啊集团', so the recorded arguments hold 'Hello'. Unicode round-trips through the "
            "adapter (ensure_ascii=False) are asserted in test_lc_chat_unit.py."
        )
    )
    def test_unicode_tool_call_integration(
        self,
        model: BaseChatModel,
        *,
        tool_choice: str | None = None,  # noqa: PT028 (the standard test's own signature)
        force_tool_call: bool = True,  # noqa: PT028
    ) -> None:
        super().test_unicode_tool_call_integration(model, tool_choice=tool_choice, force_tool_call=force_tool_call)

    @pytest.mark.xfail(
        reason=(
            "Stand-in limitation: json_object replies are always {'answer': ...}, never the keys the prompt asks "
            "for ('setup', 'punchline'). The json_mode request and parsing are asserted in test_lc_chat_unit.py."
        )
    )
    def test_json_mode(self, model: BaseChatModel) -> None:
        super().test_json_mode(model)


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
