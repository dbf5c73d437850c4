"""``mistral_tokenizer``: Mistral's tokenizer for LlamaIndex settings and splitters; bad batch input names the call."""

from __future__ import annotations

import pickle

import pytest
from llama_index.core import Settings
from llama_index.core.node_parser import SentenceSplitter, TokenTextSplitter
from tokens_support import tokenizer_absent

from llamaindex_mistral_lca import MistralLCAEmbedding, mistral_tokenizer
from mistral_lca.tokens import TokenizerNotInstalledError, token_ids

TEXT = "Retrieval starts with splitting documents into chunks that fit the model. " * 40


def test_the_tokenizer_is_mistrals_and_drives_splitters() -> None:
    tokenize = mistral_tokenizer("mistral-small-latest")
    assert tokenize("hello world") == token_ids("hello world", "mistral-small-latest")
    assert pickle.loads(pickle.dumps(tokenize))("hello") == tokenize("hello")
    for splitter in (
        SentenceSplitter(chunk_size=60, chunk_overlap=0, tokenizer=tokenize),
        TokenTextSplitter(chunk_size=60, chunk_overlap=0, tokenizer=tokenize),
    ):
        chunks = splitter.split_text(TEXT)
        assert len(chunks) > 5 and all(len(tokenize(chunk)) <= 60 for chunk in chunks)


def test_it_can_be_the_global_tokenizer() -> None:
    previous = Settings._tokenizer
    try:
        Settings.tokenizer = mistral_tokenizer()  # the embedding model's tokenizer
        assert Settings.tokenizer("some text") == token_ids("some text", "mistral-embed")
    finally:
        Settings._tokenizer = previous


def test_without_the_extra_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    with tokenizer_absent(monkeypatch), pytest.raises(TokenizerNotInstalledError, match=r"mistral-lca\[tokenizer\]"):
        mistral_tokenizer("mistral-small-latest")


def test_batch_calls_refuse_a_bare_string_naming_the_call() -> None:
    model = MistralLCAEmbedding(api_token="at_" + "x" * 20, base_url="http://127.0.0.1:9/mistralai", max_retries=0)
    with pytest.raises(TypeError, match=r"MistralLCAEmbedding\.get_text_embedding_batch\(\) takes a list of strings"):
        model.get_text_embedding_batch("abc")  # type: ignore[arg-type]


async def test_async_batch_calls_refuse_a_bare_string_naming_the_call() -> None:
    model = MistralLCAEmbedding(api_token="at_" + "x" * 20, base_url="http://127.0.0.1:9/mistralai", max_retries=0)
    with pytest.raises(TypeError, match=r"MistralLCAEmbedding\.aget_text_embedding_batch\(\) takes a list"):
        await model.aget_text_embedding_batch("abc")  # type: ignore[arg-type]
