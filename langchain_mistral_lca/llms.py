"""``MistralLCAFIM``: fill-in-the-middle code completion (``/v1/fim/completions``) as a LangChain LLM."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseLLM, LangSmithParams
from langchain_core.outputs import Generation, GenerationChunk, LLMResult
from pydantic import Field

from mistral_lca.embedding_batches import map_threads
from mistral_lca.types.bounds import ModelName, Seed, Temperature, TokenCount, TopP
from mistral_lca.types.chat import ChatCompletionResponse, CompletionChunk, UsageInfo

from ._concurrency import ConcurrencyLimit
from ._responses import MODEL_PROVIDER
from ._settings import ConnectionSettings, ModelKwargs
from ._tokens import MistralTokenCounts

__all__ = ["MistralLCAFIM"]

_FIELDS = ("suffix", "temperature", "top_p", "max_tokens", "min_tokens", "random_seed")


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(getattr(chunk, "text", "") for chunk in content)


def _usage(usage: UsageInfo | None) -> dict[str, int] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens or usage.prompt_tokens + usage.completion_tokens,
    }


def _info(*, model: str, finish_reason: str | None, reply_id: str, usage: UsageInfo | None) -> dict[str, Any]:
    return {"finish_reason": finish_reason, "model_name": model, "id": reply_id, "usage": _usage(usage)}


class MistralLCAFIM(MistralTokenCounts, ConnectionSettings, ModelKwargs, ConcurrencyLimit, BaseLLM):
    """Codestral fill-in-the-middle through LowCodeAPI: the model writes what goes between prompt and suffix.

    >>> from langchain_mistral_lca import MistralLCAFIM
    >>> fim = MistralLCAFIM()  # codestral-latest
    >>> fim.invoke("def fibonacci(n):", suffix="print(fibonacci(10))")

    ``generation_info`` holds ``finish_reason``, ``model_name`` (served model), ``id`` and ``usage``.
    """

    model: ModelName = Field(default="codestral-latest", alias="model_name")
    suffix: str | None = None
    """Default suffix; pass ``suffix=...`` per call to override."""
    temperature: Temperature | None = None
    top_p: TopP | None = None
    max_tokens: TokenCount | None = None
    min_tokens: TokenCount | None = None
    random_seed: Seed | None = None
    stop: list[str] | str | None = None
    streaming: bool = False
    """Stream under the hood for ``invoke`` as well."""

    @property
    def _llm_type(self) -> str:
        return "mistral-lca-fim"

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @property
    def _identifying_params(self) -> dict[str, Any]:
        params = {"model": self.model, **{k: getattr(self, k) for k in _FIELDS if getattr(self, k) is not None}}
        return {**params, **self.model_kwargs}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=MODEL_PROVIDER, ls_model_name=str(kwargs.get("model") or self.model), ls_model_type="llm"
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        if stop:
            params["ls_stop"] = stop
        return params

    def _request(self, prompt: str, stop: list[str] | None, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model, "prompt": prompt}
        params.update({name: getattr(self, name) for name in _FIELDS if getattr(self, name) is not None})
        stop_value = stop if stop is not None else self.stop
        if stop_value:
            params["stop"] = stop_value
        params.update(self.model_kwargs)
        params.update(kwargs)
        params.pop("stream", None)
        return {key: value for key, value in params.items() if value is not None}

    @staticmethod
    def _generation(response: ChatCompletionResponse, model: str) -> Generation:
        choice = response.choices[0] if response.choices else None
        info = _info(
            model=response.model or model,
            finish_reason=choice.finish_reason if choice else None,
            reply_id=response.id,
            usage=response.usage,
        )
        return Generation(text=_text(choice.message.content) if choice else "", generation_info=info)

    @staticmethod
    def _chunk(event: CompletionChunk, model: str) -> GenerationChunk | None:
        choice = event.choices[0] if event.choices else None
        text = _text(choice.delta.content) if choice else ""
        finish_reason = choice.finish_reason if choice else None
        if finish_reason is None and event.usage is None:
            return GenerationChunk(text=text) if text else None
        info = _info(model=event.model or model, finish_reason=finish_reason, reply_id=event.id, usage=event.usage)
        return GenerationChunk(text=text, generation_info=info)

    @staticmethod
    def _result(generations: list[Generation], model: str) -> LLMResult:
        total: dict[str, int] = {}
        for generation in generations:
            for key, value in ((generation.generation_info or {}).get("usage") or {}).items():
                total[key] = total.get(key, 0) + value
        return LLMResult(generations=[[g] for g in generations], llm_output={"token_usage": total, "model_name": model})

    # ---------------------------------------------------------------------------------------------- sync

    def _complete(self, prompt: str, stop: list[str] | None, run_manager: Any, **kwargs: Any) -> Generation:
        if self.streaming:
            merged: GenerationChunk | None = None
            for chunk in self._stream(prompt, stop, run_manager, **kwargs):
                merged = chunk if merged is None else merged + chunk
            return merged or GenerationChunk(text="")
        request = self._request(prompt, stop, **kwargs)
        response = self.client.fim.complete(**request)
        return self._generation(response, request["model"])

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        generations = map_threads(
            lambda prompt: self._complete(prompt, stop, run_manager, **kwargs), prompts, self.max_concurrent_requests
        )
        return self._result(generations, str(kwargs.get("model") or self.model))

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        request = self._request(prompt, stop, **kwargs)
        with self.client.fim.stream(**request) as events:
            for event in events:
                chunk = self._chunk(event.data, request["model"])
                if chunk is None:
                    continue
                if run_manager and chunk.text:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    # --------------------------------------------------------------------------------------------- async

    async def _acomplete(self, prompt: str, stop: list[str] | None, run_manager: Any, **kwargs: Any) -> Generation:
        if self.streaming:
            merged: GenerationChunk | None = None
            async for chunk in self._astream(prompt, stop, run_manager, **kwargs):
                merged = chunk if merged is None else merged + chunk
            return merged or GenerationChunk(text="")
        request = self._request(prompt, stop, **kwargs)
        response = await self.async_client.fim.complete(**request)
        return self._generation(response, request["model"])

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        generations = await asyncio.gather(*(self._acomplete(p, stop, run_manager, **kwargs) for p in prompts))
        return self._result(list(generations), str(kwargs.get("model") or self.model))

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        request = self._request(prompt, stop, **kwargs)
        async with self.async_client.fim.stream(**request) as events:
            async for event in events:
                chunk = self._chunk(event.data, request["model"])
                if chunk is None:
                    continue
                if run_manager and chunk.text:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk
