"""``ChatMistralLCA``: Mistral chat completions through LowCodeAPI as a LangChain chat model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput, ModelProfile
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.output_parsers import JsonOutputKeyToolsParser, JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import PydanticToolsParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig, RunnableMap, RunnablePassthrough
from langchain_core.runnables.config import get_config_list
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import Field
from typing_extensions import Unpack

from mistral_lca.batching import BatchRequestError, BatchWaitOptions, results_or_raise
from mistral_lca.completion_merge import merge_completion_chunks
from mistral_lca.conversation_requests import (
    ConversationCall,
    check_built_in_tool,
    continuation,
    conversation_call,
    is_built_in_tool,
    uses_conversations,
)
from mistral_lca.tokens import count_chat_tokens
from mistral_lca.types.bounds import ModelName, Penalty, Seed, Temperature, TokenCount, TopP
from mistral_lca.types.chat import ChatCompletionResponse
from mistral_lca.types.conversations import ConversationResponse

from . import _content_blocks
from ._concurrency import ConcurrencyLimit
from ._conversations import ConversationMapper, reply_conversation_id
from ._messages import convert_messages
from ._profiles import model_profile
from ._responses import MODEL_PROVIDER, ReplyMapper, message_from_response
from ._settings import ConnectionSettings, ModelKwargs
from ._tokens import MistralTokenCounts

__all__ = ["ChatMistralLCA"]

_content_blocks.register()

_SAMPLING_FIELDS = (
    "temperature",
    "max_tokens",
    "top_p",
    "random_seed",
    "safe_prompt",
    "presence_penalty",
    "frequency_penalty",
    "reasoning_effort",
    "response_format",
)
_TOOL_CHOICE_KEYWORDS = frozenset({"auto", "none", "any", "required"})
_EMPTY_PARAMETERS: dict[str, Any] = {"type": "object", "properties": {}}

StructuredOutputMethod = Literal["function_calling", "json_mode", "json_schema"]
_CLIENT_SIDE_FLAGS = ("stream", "stream_usage", "stream_options")
"""Per-call options that steer this class, never request fields (Mistral refuses unknown fields with a 422)."""


def _generation_chunk(message: AIMessageChunk, with_usage: bool) -> ChatGenerationChunk:
    if not with_usage:
        message.usage_metadata = None
    return ChatGenerationChunk(message=message)


def _format_tool(tool: dict[str, Any] | type | Callable[..., Any] | BaseTool, strict: bool | None) -> dict[str, Any]:
    """A LangChain tool, function, pydantic model or dict → a Mistral tool (``parameters`` always present)."""
    if is_built_in_tool(tool):
        return check_built_in_tool(tool)  # type: ignore[arg-type]
    formatted = convert_to_openai_tool(tool, strict=strict)
    function = formatted.get("function")
    if isinstance(function, dict) and "parameters" not in function:
        formatted = {**formatted, "function": {**function, "parameters": dict(_EMPTY_PARAMETERS)}}
    return formatted


def _tool_choice(choice: str | bool | dict[str, Any], tools: Sequence[dict[str, Any]]) -> str | dict[str, Any]:
    """``auto``/``none``/``any``/``required``, a bound tool's name, ``True``/``False`` or a ready dict."""
    if isinstance(choice, bool):
        return "any" if choice else "none"
    if isinstance(choice, dict):
        return choice
    if choice in _TOOL_CHOICE_KEYWORDS:
        return choice
    names = [tool["function"]["name"] for tool in tools if isinstance(tool.get("function"), dict)]
    if choice not in names:
        raise ValueError(f"tool_choice={choice!r} is neither auto/none/any/required nor a bound tool ({names})")
    return {"type": "function", "function": {"name": choice}}


def _json_schema_format(schema: dict[str, Any] | type, strict: bool | None) -> dict[str, Any]:
    """``response_format`` for ``json_schema`` mode. ``strict`` is sent as given (omitted when ``None``)."""
    function = convert_to_openai_function(schema, strict=bool(strict))
    json_schema: dict[str, Any] = {"name": function["name"], "schema": function.get("parameters", _EMPTY_PARAMETERS)}
    if function.get("description"):
        json_schema["description"] = function["description"]
    if strict is not None:
        json_schema["strict"] = strict
    return {"type": "json_schema", "json_schema": json_schema}


class ChatMistralLCA(MistralTokenCounts, ConnectionSettings, ModelKwargs, ConcurrencyLimit, BaseChatModel):
    """Mistral chat models (``/v1/chat/completions``, or ``/v1/conversations``) through LowCodeAPI.

    >>> from langchain_mistral_lca import ChatMistralLCA
    >>> llm = ChatMistralLCA(model="mistral-small-latest")  # token from LOWCODEAPI_API_TOKEN
    >>> llm.invoke("Hello").text

    Only the sampling fields you set are sent; the API applies its own defaults (and bounds) to the rest.

    Bind a Mistral built-in tool (``{"type": "web_search"}``, ``code_interpreter``, ``image_generation``,
    ``document_library`` with ``library_ids``, ...) or give ``agent_id`` and requests go to the Conversations
    API, where Mistral runs those tools and returns their sources as ``citation`` annotations (see
    ``use_conversations_api``).
    """

    model: ModelName = Field(default="mistral-small-latest", alias="model_name")
    temperature: Temperature | None = None
    max_tokens: TokenCount | None = None
    top_p: TopP | None = None
    random_seed: Seed | None = None
    safe_prompt: bool | None = None
    stop: list[str] | str | None = None
    presence_penalty: Penalty | None = None
    frequency_penalty: Penalty | None = None
    reasoning_effort: str | None = None
    """``none``/``minimal``/``low``/``medium``/``high``/``xhigh`` (reasoning-capable models)."""
    response_format: dict[str, Any] | None = None
    streaming: bool = False
    """Stream under the hood for ``invoke`` as well."""
    use_conversations_api: bool | None = None
    """``/v1/conversations`` instead of chat completions. ``None`` (default): only when needed, i.e. when a
    built-in tool is bound, ``agent_id`` or ``conversation_id`` is given, or ``use_previous_conversation`` is
    on. ``False`` with any of those raises ``InvalidRequestError`` before sending."""
    use_previous_conversation: bool = False
    """Continue the conversation of the last ``AIMessage`` in the history that came from one
    (``response_metadata["conversation_id"]``), sending only the messages after it; with none, start one."""
    agent_id: str | None = None
    """Run this stored Mistral agent as the model (a conversation with the agent; ``model`` is not sent)."""
    stream_usage: bool = True
    """Report token usage on streamed replies (Mistral sends it with the last chunk). LangChain's flag: it is never
    sent to the API; ``stream(..., stream_usage=False)`` turns it off per call (OpenAI's ``stream_options=
    {"include_usage": ...}`` is understood the same way)."""
    # ------------------------------------------------------------------------------------ LangChain API

    def _resolve_model_profile(self) -> ModelProfile | None:
        return model_profile(self.model)

    @property
    def _llm_type(self) -> str:
        return "mistral-lca-chat"

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @property
    def _identifying_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model}
        params.update({name: getattr(self, name) for name in _SAMPLING_FIELDS if getattr(self, name) is not None})
        if self.stop:
            params["stop"] = self.stop
        return {**params, **self.model_kwargs}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=MODEL_PROVIDER,
            ls_model_name=str(kwargs.get("model") or self.model),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stop_value = stop if stop is not None else self.stop
        if stop_value:
            params["ls_stop"] = [stop_value] if isinstance(stop_value, str) else list(stop_value)
        return params

    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] | None = None,
    ) -> int:
        """Prompt tokens of ``messages`` (and ``tools``) as Mistral would count them, as closely as is known.

        With the ``[tokenizer]`` extra: the conversation rendered by Mistral's chat template (mistral-common) for
        this model's tokenizer; images are not counted, and newer models' templates or server-side additions can
        differ by a few tokens. Without it: an offline estimate. ``custom_get_token_ids`` still wins when set.
        """
        if self.custom_get_token_ids is not None:
            return super().get_num_tokens_from_messages(messages, tools)
        formatted = [_format_tool(tool, None) for tool in tools or ()]
        functions = [tool for tool in formatted if tool.get("type") == "function"]
        return count_chat_tokens(convert_messages(messages), self.model, tools=functions or None)

    # ---------------------------------------------------------------------------------------- requests

    def _request(self, messages: Sequence[BaseMessage], stop: list[str] | None, **kwargs: Any) -> dict[str, Any]:
        """The chat request body: model, the sampling fields that are set, ``model_kwargs``, per-call kwargs."""
        params: dict[str, Any] = {"model": self.model}
        for name in _SAMPLING_FIELDS:
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        stop_value = stop if stop is not None else self.stop
        if stop_value:
            params["stop"] = stop_value
        params.update(self.model_kwargs)
        params.update(kwargs)
        for flag in _CLIENT_SIDE_FLAGS:
            params.pop(flag, None)
        params["messages"] = convert_messages(messages)
        return {key: value for key, value in params.items() if value is not None}

    def _conversation_call(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> ConversationCall | None:
        """The conversation turn for this call, or ``None`` for chat completions (see ``use_conversations_api``).

        Takes ``agent_id`` and ``conversation_id`` out of ``kwargs``. With ``conversation_id`` (or
        ``use_previous_conversation``) only the messages after the conversation's last reply are sent.
        """
        agent_id = kwargs.pop("agent_id", None) or self.agent_id
        conversation_id = kwargs.pop("conversation_id", None)
        if not uses_conversations(
            self.use_conversations_api,
            tools=kwargs.get("tools"),
            agent_id=agent_id,
            conversation_id=conversation_id,
            continue_previous=self.use_previous_conversation,
        ):
            return None
        start, previous = 0, conversation_id
        if conversation_id or self.use_previous_conversation:
            start, previous = continuation([reply_conversation_id(m) for m in messages], conversation_id)
        request = self._request(messages[start:], stop, **kwargs)
        return conversation_call(
            request, conversation_id=previous, agent_id=agent_id, continued_later=self.use_previous_conversation
        )

    def _conversation_result(self, response: ConversationResponse) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=ConversationMapper(self.model).message(response))])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._conversation_call(messages, stop, kwargs)
        if call is not None:
            return self._conversation_result(call.send(self.client.conversations))
        request = self._request(messages, stop, **kwargs)
        response = self.client.chat.complete(**request)
        return ChatResult(generations=[ChatGeneration(message=message_from_response(response, request["model"]))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._conversation_call(messages, stop, kwargs)
        if call is not None:
            return self._conversation_result(await call.send(self.async_client.conversations))
        request = self._request(messages, stop, **kwargs)
        response = await self.async_client.chat.complete(**request)
        return ChatResult(generations=[ChatGeneration(message=message_from_response(response, request["model"]))])

    def _streams_usage(self, stream_usage: bool | None, kwargs: dict[str, Any]) -> bool:
        """Per call ``stream_usage``, else ``stream_options.include_usage`` (call, ``model_kwargs``), else the field."""
        for source in (stream_usage, kwargs.get("stream_options"), self.model_kwargs.get("stream_options")):
            value = source.get("include_usage") if isinstance(source, dict) else source
            if isinstance(value, bool):
                return value
        return self.stream_usage

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        *,
        stream_usage: bool | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with_usage = self._streams_usage(stream_usage, kwargs)
        call = self._conversation_call(messages, stop, kwargs)
        if call is not None:
            conversation = ConversationMapper(self.model)
            with call.stream(self.client.conversations) as stream:
                for read in stream.batches():  # what arrived in one read becomes one chunk
                    chunk = conversation.chunk(read)
                    if chunk is not None:
                        yield _generation_chunk(chunk, with_usage)
            return
        request = self._request(messages, stop, **kwargs)
        mapper = ReplyMapper(request["model"])
        with self.client.chat.stream(**request) as events:
            for batch in events.batches():  # what arrived in one read becomes one chunk
                message = mapper.chunk(merge_completion_chunks([event.data for event in batch]))
                if message is not None:
                    yield _generation_chunk(message, with_usage)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        *,
        stream_usage: bool | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        with_usage = self._streams_usage(stream_usage, kwargs)
        call = self._conversation_call(messages, stop, kwargs)
        if call is not None:
            conversation = ConversationMapper(self.model)
            async with call.stream(self.async_client.conversations) as stream:
                async for read in stream.batches():  # what arrived in one read becomes one chunk
                    chunk = conversation.chunk(read)
                    if chunk is not None:
                        yield _generation_chunk(chunk, with_usage)
            return
        request = self._request(messages, stop, **kwargs)
        mapper = ReplyMapper(request["model"])
        async with self.async_client.chat.stream(**request) as events:
            async for batch in events.batches():  # what arrived in one read becomes one chunk
                message = mapper.chunk(merge_completion_chunks([event.data for event in batch]))
                if message is not None:
                    yield _generation_chunk(message, with_usage)

    # ------------------------------------------------------------------------------------------ batching

    def _capped(self, config: RunnableConfig | list[RunnableConfig] | None, count: int) -> list[RunnableConfig]:
        configs = get_config_list(config, count)
        for item in configs:
            requested = item.get("max_concurrency")
            item["max_concurrency"] = min(requested or self.max_concurrent_requests, self.max_concurrent_requests)
        return configs

    def batch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[AIMessage]:
        """Like ``Runnable.batch``, never running more than ``max_concurrent_requests`` at once."""
        if not inputs:
            return []
        capped = self._capped(config, len(inputs))
        return super().batch(inputs, capped, return_exceptions=return_exceptions, **kwargs)

    async def abatch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[AIMessage]:
        """Like ``Runnable.abatch``, never running more than ``max_concurrent_requests`` at once."""
        if not inputs:
            return []
        capped = self._capped(config, len(inputs))
        return await super().abatch(inputs, capped, return_exceptions=return_exceptions, **kwargs)

    # ------------------------------------------------------------------------- opt-in: the batch API

    def _batch_api_requests(self, inputs: Sequence[LanguageModelInput], stop: list[str] | None) -> list[dict[str, Any]]:
        """One chat request per input, built exactly as ``invoke`` builds it."""
        return [self._request(self._convert_input(item).to_messages(), stop) for item in inputs]

    def _batch_api_replies(
        self, responses: list[ChatCompletionResponse | BatchRequestError]
    ) -> list[AIMessage | Exception]:
        return [item if isinstance(item, Exception) else message_from_response(item, self.model) for item in responses]

    def batch_via_api(
        self,
        inputs: Sequence[LanguageModelInput],
        *,
        stop: list[str] | None = None,
        return_exceptions: bool = False,
        **wait_options: Unpack[BatchWaitOptions],
    ) -> list[AIMessage | Exception]:
        """Answer many inputs as one batch job (``client.batch.run_chat``): for large workloads.

        Replies come back in input order, shaped as ``invoke`` returns them (same request building, same
        mapping), once the job ends (``poll_interval``, ``max_poll_interval``, ``timeout`` ...). Sent: the model,
        the sampling fields, ``model_kwargs`` and ``stop``; arguments bound with ``bind``/``bind_tools`` are
        not (put tools in ``model_kwargs``). No callbacks run. A failed request raises its
        :class:`~mistral_lca.batching.BatchRequestError`, or with ``return_exceptions=True`` stands in its place.
        """
        if not inputs:
            return []
        requests = self._batch_api_requests(inputs, stop)
        results = self.client.batch.run_chat(requests, model=self.model, **wait_options)
        return self._batch_api_replies(results_or_raise(results, return_exceptions=return_exceptions))

    async def abatch_via_api(
        self,
        inputs: Sequence[LanguageModelInput],
        *,
        stop: list[str] | None = None,
        return_exceptions: bool = False,
        **wait_options: Unpack[BatchWaitOptions],
    ) -> list[AIMessage | Exception]:
        """Native async :meth:`batch_via_api`."""
        if not inputs:
            return []
        requests = self._batch_api_requests(inputs, stop)
        results = await self.async_client.batch.run_chat(requests, model=self.model, **wait_options)
        return self._batch_api_replies(results_or_raise(results, return_exceptions=return_exceptions))

    # --------------------------------------------------------------------------------------------- tools

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        parallel_tool_calls: bool | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (LangChain tools, functions, pydantic models, dicts or Mistral built-ins).

        ``tool_choice``: ``"auto"``, ``"none"``, ``"any"``, ``"required"``, a bound tool's name, ``True``
        (``"any"``) / ``False`` (``"none"``), or a ready ``{"type": "function", "function": {"name": ...}}``.
        """
        formatted = [_format_tool(tool, strict) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = _tool_choice(tool_choice, formatted)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        if formatted:  # no tools (e.g. create_agent's native structured output without tools): send no list at all
            kwargs["tools"] = formatted
        return super().bind(**kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        method: StructuredOutputMethod = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
        """A runnable returning ``schema``-shaped output (a pydantic instance for pydantic schemas, else a dict).

        ``method``: ``function_calling`` (a forced tool call), ``json_mode`` (``json_object``; describe the
        JSON in the prompt) or ``json_schema`` (native structured output). ``strict`` is sent as given, for
        tools and for JSON schemas (omitted when ``None``). ``include_raw=True`` returns
        ``{"raw", "parsed", "parsing_error"}``.
        """
        if kwargs:
            raise ValueError(f"Received unsupported arguments {kwargs}")
        is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
        trace = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        parser: Runnable[Any, Any]
        if method == "function_calling":
            tool = _format_tool(schema, strict)
            name = tool["function"]["name"]
            llm = self.bind_tools(
                [tool], tool_choice="any", parallel_tool_calls=False, ls_structured_output_format=trace
            )
            parser = (
                PydanticToolsParser(tools=[schema], first_tool_only=True)
                if is_pydantic
                else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
            )
        elif method in ("json_mode", "json_schema"):
            response_format = {"type": "json_object"} if method == "json_mode" else _json_schema_format(schema, strict)
            llm = self.bind(response_format=response_format, ls_structured_output_format=trace)
            parser = PydanticOutputParser(pydantic_object=schema) if is_pydantic else JsonOutputParser()
        else:
            raise ValueError(f"Unknown method {method!r}: use function_calling, json_mode or json_schema")
        if not include_raw:
            return llm | parser
        parse = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
        failed = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | parse.with_fallbacks([failed], exception_key="parsing_error")
