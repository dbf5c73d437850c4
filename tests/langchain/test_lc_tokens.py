"""LangChain token counting: Mistral's tokenizer with the [tokenizer] extra, the estimate without it, never GPT-2."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from lc_support import TOKEN
from pydantic import BaseModel
from tokens_support import tokenizer_absent

from langchain_mistral_lca import ChatMistralLCA, MistralLCAEmbeddings, MistralLCAFIM
from mistral_lca.tokens import (
    TokenizerNotInstalledError,
    count_chat_tokens,
    count_tokens,
    estimate_tokens,
    token_ids,
)


class Weather(BaseModel):
    """Current weather for a city."""

    city: str


CONVERSATION = [
    SystemMessage("Answer briefly."),
    HumanMessage("What's the weather in Paris?"),
    AIMessage("", tool_calls=[{"name": "Weather", "args": {"city": "Paris"}, "id": "call_abc"}]),
    ToolMessage("sunny, 21C", tool_call_id="call_abc"),
]


def test_chat_model_counts_with_its_own_tokenizer() -> None:
    llm = ChatMistralLCA(api_token=TOKEN, model="mistral-large-latest")
    text = "Tokenizers split text into pieces."
    assert llm.get_token_ids(text) == token_ids(text, "mistral-large-latest")
    assert llm.get_num_tokens(text) == count_tokens(text, "mistral-large-latest") == len(llm.get_token_ids(text))
    legacy = ChatMistralLCA(api_token=TOKEN, model="open-mistral-7b")
    assert legacy.get_token_ids(text) != llm.get_token_ids(text)  # SentencePiece, not Tekken


def test_messages_are_counted_through_the_chat_template() -> None:
    llm = ChatMistralLCA(api_token=TOKEN)
    plain = llm.get_num_tokens_from_messages([HumanMessage("What's 2 + 2?")])
    assert plain == count_chat_tokens([{"role": "user", "content": "What's 2 + 2?"}], llm.model) == 11
    history = llm.get_num_tokens_from_messages(CONVERSATION)
    with_tools = llm.get_num_tokens_from_messages(CONVERSATION, tools=[Weather])
    assert plain < history < with_tools
    builtin = llm.get_num_tokens_from_messages(CONVERSATION, tools=[Weather, {"type": "web_search"}])
    assert builtin == with_tools  # built-in tools have no schema to count


def test_custom_get_token_ids_still_wins() -> None:
    llm = ChatMistralLCA(api_token=TOKEN, custom_get_token_ids=lambda text: [1, 2, 3])
    assert llm.get_token_ids("anything") == [1, 2, 3]
    assert llm.get_num_tokens("anything") == 3
    assert llm.get_num_tokens_from_messages([HumanMessage("hi")]) > 0


def test_fim_counts_with_the_codestral_tokenizer() -> None:
    fim = MistralLCAFIM(api_token=TOKEN)
    code = "def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n"
    assert fim.get_token_ids(code) == token_ids(code, "codestral-latest")
    assert fim.get_num_tokens(code) == len(fim.get_token_ids(code))


def test_without_the_extra_counts_are_estimates_and_ids_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    llm = ChatMistralLCA(api_token=TOKEN)
    fim = MistralLCAFIM(api_token=TOKEN)
    with tokenizer_absent(monkeypatch):
        assert llm.get_num_tokens("hello world") == estimate_tokens("hello world")
        assert fim.get_num_tokens("x = 1") == estimate_tokens("x = 1")
        assert llm.get_num_tokens_from_messages(CONVERSATION, tools=[Weather]) > llm.get_num_tokens_from_messages(
            CONVERSATION
        )
        for model in (llm, fim):
            with pytest.raises(TokenizerNotInstalledError, match=r'pip install "mistral-lca\[tokenizer\]"'):
                model.get_token_ids("hello")
        assert isinstance(TokenizerNotInstalledError("x"), ImportError)


def test_embed_documents_refuses_a_bare_string_naming_the_call() -> None:
    embeddings = MistralLCAEmbeddings(api_token=TOKEN, base_url="http://127.0.0.1:9/mistralai", max_retries=0)
    with pytest.raises(TypeError, match=r"MistralLCAEmbeddings\.embed_documents\(\) takes a list of strings, got str"):
        embeddings.embed_documents("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"MistralLCAEmbeddings\.embed_documents\(\) .* got NoneType"):
        embeddings.embed_documents(None)  # type: ignore[arg-type]


async def test_aembed_documents_refuses_a_bare_string_naming_the_call() -> None:
    embeddings = MistralLCAEmbeddings(api_token=TOKEN, base_url="http://127.0.0.1:9/mistralai", max_retries=0)
    with pytest.raises(TypeError, match=r"MistralLCAEmbeddings\.aembed_documents\(\) takes a list of strings"):
        await embeddings.aembed_documents("abc")  # type: ignore[arg-type]
