"""No-I/O LangChain chat models: what ``langchain-core`` itself costs around any adapter.

``invoke`` returns a prebuilt reply; ``stream`` yields N one-character chunks built on the fly (an adapter must
build each ``AIMessageChunk`` / ``ChatGenerationChunk``, so that cost is part of the floor). Any LangChain chat
model pays at least this on top of its HTTP client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

__all__ = ["CoreFloorChatModel"]

_REPLY = "Hello! How can I help you today?"


class CoreFloorChatModel(BaseChatModel):
    chunks: int = 5000

    @property
    def _llm_type(self) -> str:
        return "core-floor"

    def _result(self) -> ChatResult:
        message = AIMessage(
            content=_REPLY,
            usage_metadata={"input_tokens": 1, "output_tokens": 8, "total_tokens": 9},
            response_metadata={"model_name": "mistral-small-latest", "finish_reason": "stop"},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._result()

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._result()

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for _ in range(self.chunks):
            yield ChatGenerationChunk(message=AIMessageChunk(content="x"))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for _ in range(self.chunks):
            yield ChatGenerationChunk(message=AIMessageChunk(content="x"))
