"""``MistralLCA``: a LlamaIndex ``FunctionCallingLLM`` for Mistral chat (and FIM) through LowCodeAPI.

Translation only: requests and replies go through :mod:`mistral_lca` (HTTP, retries, SSE, envelopes) and the pure
mappers in :mod:`._messages` / :mod:`._responses`, shared by the sync and async paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Generator, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.bridge.pydantic import BaseModel, Field, PrivateAttr, field_validator
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json
from typing_extensions import Unpack

from mistral_lca.batching import BatchRequestError, BatchWaitOptions, results_or_raise
from mistral_lca.conversation_requests import (
    ConversationCall,
    check_built_in_tool,
    continuation,
    conversation_call,
    uses_conversations,
)
from mistral_lca.models_info import model_info
from mistral_lca.types.bounds import ModelName, Seed, Temperature, TokenCount, TopP
from mistral_lca.types.chat import ChatCompletionResponse

from ._connection import ConnectionFields
from ._conversations import ConversationReader, reply_conversation_id
from ._messages import resolve_tool_choice, to_mistral_messages, to_mistral_tools
from ._responses import StreamAccumulator, to_chat_response, to_completion_response

if TYPE_CHECKING:
    from llama_index.core.prompts import BasePromptTemplate
    from llama_index.core.tools.types import BaseTool

__all__ = ["DEFAULT_MODEL", "MistralLCA"]

DEFAULT_MODEL = "mistral-small-latest"
Model = TypeVar("Model", bound=BaseModel)

# LlamaIndex-internal keyword arguments that may reach ``chat`` but are not Mistral request fields.
_FRAMEWORK_KWARGS = frozenset(
    {"formatted", "tool_required", "verbose", "allow_parallel_tool_calls", "error_on_no_tool_call", "stream"}
)
# Fields the FIM endpoint accepts (its schema forbids anything else).
_FIM_FIELDS = frozenset(
    {"temperature", "top_p", "max_tokens", "min_tokens", "stop", "random_seed", "metadata", "prompt_cache_key"}
)
_JSON_FENCE_RE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def _json_schema_format(output_cls: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": output_cls.__name__, "schema": output_cls.model_json_schema()},
    }


def _parse_arguments(text: str) -> dict[str, Any]:
    """Tool-call arguments from JSON text; a truncated object is completed; anything else gives ``{}``."""
    if not text.strip():
        return {}
    try:
        parsed = json.loads(text)
    except ValueError:
        try:
            parsed = parse_partial_json(text)
        except ValueError:
            return {}
    return parsed if isinstance(parsed, dict) else {}


def _parse_structured(output_cls: type[Model], text: str | None) -> Model:
    body = (text or "").strip()
    try:
        return output_cls.model_validate_json(body)
    except ValueError:
        fenced = _JSON_FENCE_RE.search(body)
        if fenced is None:
            raise
        return output_cls.model_validate_json(fenced.group(1).strip())


class MistralLCA(ConnectionFields, FunctionCallingLLM):
    """Mistral chat models through LowCodeAPI.

    >>> llm = MistralLCA(model="mistral-small-latest")  # token from LOWCODEAPI_API_TOKEN
    >>> llm.complete("Say hi").text

    Constructor-only arguments (never serialised): ``api_token`` (str or SecretStr; env ``LOWCODEAPI_API_TOKEN``),
    ``http_client`` (``httpx.Client``) and ``async_http_client`` (``httpx.AsyncClient``).
    """

    model: ModelName = Field(default=DEFAULT_MODEL, description="The Mistral model id.")
    temperature: Temperature | None = Field(
        default=None, description="Sampling temperature, 0 to 1.5 (None: model default)."
    )
    max_tokens: TokenCount | None = Field(default=None, description="Maximum tokens to generate.")
    top_p: TopP | None = Field(default=None, description="Nucleus sampling probability mass, above 0 up to 1.")
    random_seed: Seed | None = Field(default=None, description="Seed for deterministic sampling.")
    safe_prompt: bool = Field(default=False, description="Prepend Mistral's safety prompt.")
    reasoning_effort: str | None = Field(
        default=None, description="Reasoning effort for models that reason: none|minimal|low|medium|high|xhigh."
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra Mistral request fields (e.g. stop, presence_penalty, prompt_mode)."
    )
    context_window: int | None = Field(
        default=None, gt=0, description="Override the context window reported in metadata (None: known or 128k)."
    )
    structured_output_method: Literal["function_calling", "json_schema"] = Field(
        default="function_calling",
        description="structured_predict via a forced tool call, or Mistral's native json_schema response_format.",
    )
    built_in_tools: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Mistral built-in tools for every request ({'type': 'web_search'}, code_interpreter, "
        "image_generation, document_library with library_ids, ...); they run on the Conversations API.",
    )
    use_conversations_api: bool | None = Field(
        default=None,
        description="Use /v1/conversations. None: when needed (built-in tools, agent_id, conversation_id, "
        "track_previous_conversation). False with any of those raises before sending.",
    )
    track_previous_conversation: bool = Field(
        default=False,
        description="Continue the conversation of the previous reply: send only the messages after it.",
    )
    agent_id: str | None = Field(default=None, description="Run this stored Mistral agent as the model.")

    _previous_conversation_id: str | None = PrivateAttr(default=None)

    @field_validator("built_in_tools")
    @classmethod
    def _check_built_in_tools(cls, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [check_built_in_tool(tool) for tool in tools]

    @classmethod
    def class_name(cls) -> str:
        return "MistralLCA"

    @property
    def metadata(self) -> LLMMetadata:
        info = model_info(self.model)
        return LLMMetadata(
            context_window=self.context_window or info.context_window,
            num_output=self.max_tokens or DEFAULT_NUM_OUTPUTS,
            is_chat_model=info.is_chat,
            is_function_calling_model=info.function_calling,
            model_name=self.model,
        )

    # ------------------------------------------------------------------------------------------ request building

    def _model_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.model}
        for name in ("temperature", "max_tokens", "top_p", "random_seed", "reasoning_effort"):
            value = getattr(self, name)
            if value is not None:
                kwargs[name] = value
        if self.safe_prompt:
            kwargs["safe_prompt"] = True
        return kwargs

    def _chat_params(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Request fields; precedence: fields < ``additional_kwargs`` < per-call kwargs (``None`` = not set)."""
        params = {**self._model_kwargs(), **self.additional_kwargs}
        for key, value in kwargs.items():
            if key not in _FRAMEWORK_KWARGS and value is not None:
                params[key] = value
        if "tool_choice" in params:
            params["tool_choice"] = resolve_tool_choice(params["tool_choice"], tool_required=False)
        params["messages"] = to_mistral_messages(messages)
        return params

    def _fim_params(self, prompt: str, suffix: str | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model}
        for key, value in {**self._model_kwargs(), **self.additional_kwargs}.items():
            if key in _FIM_FIELDS:
                params[key] = value
        params.update({k: v for k, v in kwargs.items() if v is not None and k not in _FRAMEWORK_KWARGS})
        params["prompt"] = prompt
        if suffix is not None:
            params["suffix"] = suffix
        return params

    # ------------------------------------------------------------------------------------------ conversations

    @property
    def previous_conversation_id(self) -> str | None:
        """The conversation the next call continues (``track_previous_conversation``), if any."""
        return self._previous_conversation_id

    def _conversation_call(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> ConversationCall | None:
        """The conversation turn for this call, or ``None`` for chat completions (see ``use_conversations_api``).

        Takes ``agent_id`` and ``conversation_id`` out of ``kwargs``. Continuing a conversation (``conversation_id``
        or ``track_previous_conversation``), only the messages after its last reply in ``messages`` are sent.
        """
        tools = [*self.built_in_tools, *(kwargs.pop("tools", None) or ())]
        agent_id = kwargs.pop("agent_id", None) or self.agent_id
        conversation_id = kwargs.pop("conversation_id", None)
        if not uses_conversations(
            self.use_conversations_api,
            tools=tools,
            agent_id=agent_id,
            conversation_id=conversation_id,
            continue_previous=self.track_previous_conversation,
        ):
            if tools:
                kwargs["tools"] = tools
            return None
        previous = conversation_id or (self._previous_conversation_id if self.track_previous_conversation else None)
        start = continuation([reply_conversation_id(m) for m in messages], previous)[0] if previous else 0
        params = self._chat_params(messages[start:], {**kwargs, "tools": tools or None})
        return conversation_call(
            params, conversation_id=previous, agent_id=agent_id, continued_later=self.track_previous_conversation
        )

    def _remember(self, reader: ConversationReader) -> None:
        if self.track_previous_conversation and reader.fold.conversation_id:
            self._previous_conversation_id = reader.fold.conversation_id

    def _conversation_chat(self, call: ConversationCall, single_tool_call: bool) -> ChatResponse:
        response = call.send(self._connection.client.conversations)
        reader = ConversationReader(single_tool_call=single_tool_call)
        delta = reader.whole(response)
        for part in reader.missing_images():
            reader.add_image(part.file_id, self._connection.client.files.download(part.file_id))
        self._remember(reader)
        return reader.response(delta, response.model_dump(mode="json", exclude_none=True), streaming=False)

    async def _aconversation_chat(self, call: ConversationCall, single_tool_call: bool) -> ChatResponse:
        response = await call.send(self._connection.aclient.conversations)
        reader = ConversationReader(single_tool_call=single_tool_call)
        delta = reader.whole(response)
        for part in reader.missing_images():
            reader.add_image(part.file_id, await self._connection.aclient.files.download(part.file_id))
        self._remember(reader)
        return reader.response(delta, response.model_dump(mode="json", exclude_none=True), streaming=False)

    def _conversation_stream(self, call: ConversationCall, single_tool_call: bool) -> ChatResponseGen:
        stream = call.stream(self._connection.client.conversations)
        reader = ConversationReader(single_tool_call=single_tool_call)

        def gen() -> Generator[ChatResponse, None, None]:
            with stream:
                for event in stream:
                    delta = reader.add([event])
                    if not delta:
                        continue
                    for part in reader.missing_images():
                        reader.add_image(part.file_id, self._connection.client.files.download(part.file_id))
                    self._remember(reader)
                    yield reader.response(delta, event.model_dump(mode="json", exclude_none=True), streaming=True)

        return gen()

    def _aconversation_stream(self, call: ConversationCall, single_tool_call: bool) -> ChatResponseAsyncGen:
        stream = call.stream(self._connection.aclient.conversations)
        reader = ConversationReader(single_tool_call=single_tool_call)

        async def gen() -> AsyncGenerator[ChatResponse, None]:
            async with stream:
                async for event in stream:
                    delta = reader.add([event])
                    if not delta:
                        continue
                    for part in reader.missing_images():
                        reader.add_image(part.file_id, await self._connection.aclient.files.download(part.file_id))
                    self._remember(reader)
                    yield reader.response(delta, event.model_dump(mode="json", exclude_none=True), streaming=True)

        return gen()

    # ------------------------------------------------------------------------------------------ chat (undecorated)

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        call = self._conversation_call(messages, kwargs)
        if call is not None:
            return self._conversation_chat(call, kwargs.get("parallel_tool_calls") is False)
        params = self._chat_params(messages, kwargs)
        response = self._connection.client.chat.complete(**params)
        return to_chat_response(response, single_tool_call=params.get("parallel_tool_calls") is False)

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        call = self._conversation_call(messages, kwargs)
        if call is not None:
            return await self._aconversation_chat(call, kwargs.get("parallel_tool_calls") is False)
        params = self._chat_params(messages, kwargs)
        response = await self._connection.aclient.chat.complete(**params)
        return to_chat_response(response, single_tool_call=params.get("parallel_tool_calls") is False)

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        call = self._conversation_call(messages, kwargs)
        if call is not None:
            return self._conversation_stream(call, kwargs.get("parallel_tool_calls") is False)
        params = self._chat_params(messages, kwargs)
        accumulator = StreamAccumulator(single_tool_call=params.get("parallel_tool_calls") is False)
        stream = self._connection.client.chat.stream(**params)

        def gen() -> Generator[ChatResponse, None, None]:
            with stream:
                for event in stream:
                    yield accumulator.add(event)

        return gen()

    async def _astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        call = self._conversation_call(messages, kwargs)
        if call is not None:
            return self._aconversation_stream(call, kwargs.get("parallel_tool_calls") is False)
        params = self._chat_params(messages, kwargs)
        accumulator = StreamAccumulator(single_tool_call=params.get("parallel_tool_calls") is False)
        stream = self._connection.aclient.chat.stream(**params)

        async def gen() -> AsyncGenerator[ChatResponse, None]:
            async with stream:
                async for event in stream:
                    yield accumulator.add(event)

        return gen()

    # ------------------------------------------------------------------------------------------ public LLM API

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        return await self._astream_chat(messages, **kwargs)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return chat_to_completion_decorator(self._chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return await achat_to_completion_decorator(self._achat)(prompt, **kwargs)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        return stream_chat_to_completion_decorator(self._stream_chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseAsyncGen:
        return await astream_chat_to_completion_decorator(self._astream_chat)(prompt, **kwargs)

    # ------------------------------------------------------------------------------------------ opt-in: batch API

    def _batch_api_replies(
        self, requests: list[dict[str, Any]], responses: list[ChatCompletionResponse | BatchRequestError]
    ) -> list[ChatResponse | Exception]:
        return [
            item
            if isinstance(item, Exception)
            else to_chat_response(item, single_tool_call=params.get("parallel_tool_calls") is False)
            for params, item in zip(requests, responses, strict=True)
        ]

    def chat_via_batch_api(
        self,
        conversations: Sequence[Sequence[ChatMessage]],
        *,
        return_exceptions: bool = False,
        **wait_options: Unpack[BatchWaitOptions],
    ) -> list[ChatResponse | Exception]:
        """Answer many conversations as one batch job (``client.batch.run_chat``): for large workloads.

        Replies come back in input order, shaped as ``chat`` returns them (same request building and mapping),
        once the job ends (``poll_interval``, ``max_poll_interval``, ``timeout`` ...). No callbacks or events run.
        A failed request raises its :class:`~mistral_lca.batching.BatchRequestError`, or with
        ``return_exceptions=True`` stands in its place.
        """
        if not conversations:
            return []
        requests = [self._chat_params(messages, {}) for messages in conversations]
        results = self._connection.client.batch.run_chat(requests, model=self.model, **wait_options)
        return self._batch_api_replies(requests, results_or_raise(results, return_exceptions=return_exceptions))

    async def achat_via_batch_api(
        self,
        conversations: Sequence[Sequence[ChatMessage]],
        *,
        return_exceptions: bool = False,
        **wait_options: Unpack[BatchWaitOptions],
    ) -> list[ChatResponse | Exception]:
        """Native async :meth:`chat_via_batch_api`."""
        if not conversations:
            return []
        requests = [self._chat_params(messages, {}) for messages in conversations]
        results = await self._connection.aclient.batch.run_chat(requests, model=self.model, **wait_options)
        return self._batch_api_replies(requests, results_or_raise(results, return_exceptions=return_exceptions))

    # ------------------------------------------------------------------------------------------ tool calling

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Chat kwargs for a tool call. ``tool_choice=None`` never overrides ``tool_required``; history is copied."""
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            messages.append(ChatMessage(role=MessageRole.USER, content=user_msg))
        elif user_msg is not None:
            messages.append(user_msg)
        prepared: dict[str, Any] = {k: v for k, v in kwargs.items() if k not in _FRAMEWORK_KWARGS}
        prepared["messages"] = messages
        specs = to_mistral_tools(tools)
        if specs:
            prepared["tools"] = specs
            prepared["tool_choice"] = resolve_tool_choice(tool_choice, tool_required)
            prepared["parallel_tool_calls"] = allow_parallel_tool_calls
        return prepared

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        if not allow_parallel_tool_calls:
            seen = False
            kept = []
            for block in response.message.blocks:
                if isinstance(block, ToolCallBlock):
                    if seen:
                        continue
                    seen = True
                kept.append(block)
            response.message.blocks = kept
            calls = response.message.additional_kwargs.get("tool_calls")
            if isinstance(calls, list) and len(calls) > 1:
                response.message.additional_kwargs["tool_calls"] = calls[:1]
        return response

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        selections: list[ToolSelection] = []
        for block in response.message.blocks:
            if not isinstance(block, ToolCallBlock):
                continue
            arguments = block.tool_kwargs
            if isinstance(arguments, str):
                arguments = _parse_arguments(arguments)
            selections.append(
                ToolSelection(tool_id=block.tool_call_id or "", tool_name=block.tool_name, tool_kwargs=arguments)
            )
        if error_on_no_tool_call and not selections:
            raise ValueError(f"Expected at least one tool call, got none. Reply: {response.message.content!r}")
        return selections

    # ------------------------------------------------------------------------------------------ structured output

    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        if self.structured_output_method != "json_schema":
            result: Model = super().structured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
            return result
        messages = self._extend_messages(prompt.format_messages(llm=self, **prompt_args))
        response = self.chat(messages, response_format=_json_schema_format(output_cls), **(llm_kwargs or {}))
        return _parse_structured(output_cls, response.message.content)

    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        if self.structured_output_method != "json_schema":
            result: Model = await super().astructured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
            return result
        messages = self._extend_messages(prompt.format_messages(llm=self, **prompt_args))
        response = await self.achat(messages, response_format=_json_schema_format(output_cls), **(llm_kwargs or {}))
        return _parse_structured(output_cls, response.message.content)

    # ------------------------------------------------------------------------------------------ fill in the middle

    @llm_completion_callback()
    def fill_in_middle(self, prompt: str, suffix: str | None = None, **kwargs: Any) -> CompletionResponse:
        """Complete the code between ``prompt`` and ``suffix`` (``POST /v1/fim/completions``; e.g. codestral)."""
        response = self._connection.client.fim.complete(**self._fim_params(prompt, suffix, kwargs))
        return to_completion_response(response)

    @llm_completion_callback()
    async def afill_in_middle(self, prompt: str, suffix: str | None = None, **kwargs: Any) -> CompletionResponse:
        response = await self._connection.aclient.fim.complete(**self._fim_params(prompt, suffix, kwargs))
        return to_completion_response(response)

    @llm_completion_callback()
    def stream_fill_in_middle(self, prompt: str, suffix: str | None = None, **kwargs: Any) -> CompletionResponseGen:
        stream = self._connection.client.fim.stream(**self._fim_params(prompt, suffix, kwargs))
        accumulator = StreamAccumulator()

        def gen() -> Generator[CompletionResponse, None, None]:
            with stream:
                for event in stream:
                    yield accumulator.add_completion(event)

        return gen()

    @llm_completion_callback()
    async def astream_fill_in_middle(
        self, prompt: str, suffix: str | None = None, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        stream = self._connection.aclient.fim.stream(**self._fim_params(prompt, suffix, kwargs))
        accumulator = StreamAccumulator()

        async def gen() -> AsyncGenerator[CompletionResponse, None]:
            async with stream:
                async for event in stream:
                    yield accumulator.add_completion(event)

        return gen()
