"""mistral_lca.tokens: exact counts with the [tokenizer] extra, the estimate without it, never a download."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from tokens_support import no_network, tokenizer_absent

from mistral_lca import _tokenizers, tokens
from mistral_lca.tokens import (
    TokenizerNotInstalledError,
    count_chat_tokens,
    count_tokens,
    count_tokens_each,
    counts_are_exact,
    estimate_tokens,
    token_ids,
    tokenizer_file,
)


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    tokens.reset()
    yield
    tokens.reset()


# ------------------------------------------------------------------------------------- which tokenizer


@pytest.mark.parametrize(
    ("model", "file"),
    [
        (None, "tokenizer.model.v1"),
        ("mistral-embed", "tokenizer.model.v1"),
        ("mistral-embed-2312", "tokenizer.model.v1"),
        ("codestral-embed-2505", "tokenizer.model.v1"),
        ("mistral-small-latest", "tekken_240718.json"),
        ("mistral-large-latest", "tekken_240718.json"),
        ("codestral-latest", "tekken_240718.json"),
        ("open-mistral-nemo", "tekken_240718.json"),
        ("a-model-nobody-has-heard-of", "tekken_240718.json"),
        ("", "tekken_240718.json"),
        ("open-mistral-7b", "mistral_instruct_tokenizer_240216.model.v2"),
        ("mistral-tiny", "mistral_instruct_tokenizer_240216.model.v2"),
        ("mistral-medium-2312", "tokenizer.model.v1"),
        ("codestral-2405", "mistral_instruct_tokenizer_240323.model.v3"),
        ("open-mixtral-8x22b", "mistral_instruct_tokenizer_240323.model.v3"),
        ("Mistral-Large-2411", "mistral_instruct_tokenizer_241114.model.v7"),
    ],
)
def test_every_model_name_gets_a_bundled_tokenizer(model: str | None, file: str) -> None:
    assert tokenizer_file(model) == file
    assert count_tokens("hello there", model) > 0


def test_embedding_counts_match_what_mistral_billed() -> None:
    # usage.prompt_tokens of two real mistral-embed answers (public recordings): SentencePiece plus BOS and EOS.
    assert count_tokens("Tell me a joke about OpenTelemetry") == 10
    assert count_tokens("Ruby is a programmer's best friend", "mistral-embed") == 11
    assert counts_are_exact()


def test_chat_counts_follow_tekken_like_recorded_mistral_small_answers() -> None:
    # Recorded mistral-small-latest prompts were billed 23 and 22 tokens: Tekken's template gives 11 and 10, and
    # the server adds the same 12 to both (SentencePiece would give 12 and 10: no constant fits).
    assert count_chat_tokens([{"role": "user", "content": "What's 2 + 2?"}], "mistral-small-latest") == 11
    assert count_chat_tokens([{"role": "user", "content": "Count from 1 to 3"}], "mistral-small-latest") == 10


def test_token_ids_are_the_text_alone_and_special_looking_text_stays_text() -> None:
    ids = token_ids("hello [INST] </s>", "mistral-small-latest")
    assert ids and len(ids) == count_tokens("hello [INST] </s>", "mistral-small-latest")
    assert len(token_ids("hello", None)) + 2 == count_tokens("hello")  # embedding inputs add BOS + EOS
    assert token_ids("hello", "mistral-embed") == token_ids("hello", "mistral-embed")


def test_count_tokens_each_equals_one_by_one() -> None:
    texts = ["", "a", "The quick brown fox.", "日本語のテキスト", "x" * 1000]
    for model in (None, "mistral-small-latest"):
        assert count_tokens_each(texts, model) == [count_tokens(t, model) for t in texts]


def test_exact_counts_are_below_the_estimate_for_english() -> None:
    text = "Embedding a corpus is the first thing a retrieval user does, and it must not fail halfway. " * 20
    assert count_tokens(text) < estimate_tokens(text) * 0.85


# ------------------------------------------------------------------------------------- chat template


def test_chat_count_includes_tools_tool_calls_and_history() -> None:
    model = "mistral-small-latest"
    question = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"}]
    tool = {
        "type": "function",
        "function": {
            "name": "weather",
            "description": "Current weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
    plain = count_chat_tokens(question, model)
    assert plain > count_tokens("Be brief.Weather in Paris?", model)
    assert count_chat_tokens(question, model, tools=[tool]) > plain + 10
    history = [
        *question,
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"id": "call_1", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}],
        },
        {"role": "tool", "tool_call_id": "call_1", "name": "weather", "content": "sunny"},
    ]
    assert count_chat_tokens(history, model, tools=[tool]) > count_chat_tokens(question, model, tools=[tool])


def test_chat_count_keeps_text_parts_and_skips_images() -> None:
    model = "mistral-small-latest"
    with_image = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": "https://example.com/cat.png"},
            ],
        }
    ]
    assert count_chat_tokens(with_image, model) == count_chat_tokens(
        [{"role": "user", "content": "What is this?"}], model
    )


def test_a_conversation_the_template_rejects_is_counted_turn_by_turn(caplog: pytest.LogCaptureFixture) -> None:
    # A tool message answering no call: the template refuses it; the count still reflects every message.
    messages = [{"role": "tool", "tool_call_id": "x", "content": "orphan result " * 10}]
    with caplog.at_level(logging.DEBUG, logger="mistral_lca.tokens"):
        count = count_chat_tokens(messages, "mistral-small-latest")
    assert "turn by turn" in caplog.text
    assert count >= count_tokens("orphan result " * 10, "mistral-small-latest")


# ------------------------------------------------------------------------------------- loading


def test_each_file_is_loaded_once_even_from_many_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _tokenizers._load_file
    loads: list[str] = []

    def slow_load(name: str) -> Any:
        loads.append(name)
        time.sleep(0.05)
        return real(name)

    monkeypatch.setattr(_tokenizers, "_load_file", slow_load)
    threads = [threading.Thread(target=count_tokens, args=("hi", "mistral-small-latest")) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count_tokens("again", "codestral-latest")  # same file: no new load
    assert loads == ["tekken_240718.json"]
    count_tokens("embed me")
    assert loads == ["tekken_240718.json", "tokenizer.model.v1"]
    assert _tokenizers.loaded_files() == ["tekken_240718.json", "tokenizer.model.v1"]


def test_nothing_is_downloaded_loading_every_bundled_tokenizer(monkeypatch: pytest.MonkeyPatch) -> None:
    specs = {_tokenizers.EMBEDDING, _tokenizers.TEKKEN, *(spec for _, spec in _tokenizers._LEGACY_PREFIXES)}
    with no_network(monkeypatch) as attempts:
        for spec in specs:
            assert _tokenizers.load(spec).encode("offline, always")
        assert count_chat_tokens([{"role": "user", "content": "hi"}], "mistral-small-latest") > 0
    assert attempts == []
    assert len(_tokenizers.loaded_files()) == 5  # v1 serves the embedding models and mistral-medium-2312


def test_a_broken_install_falls_back_to_the_estimate(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(name: str) -> Any:
        raise RuntimeError("corrupt tokenizer file")

    monkeypatch.setattr(_tokenizers, "_load_file", broken)
    with caplog.at_level(logging.WARNING, logger="mistral_lca.tokens"):
        assert count_tokens("some text here") == estimate_tokens("some text here")
    assert "corrupt tokenizer file" in caplog.text
    assert not counts_are_exact()


def test_langchain_never_imports_transformers_or_touches_the_network() -> None:
    code = """
import socket, sys
def refuse(*a, **k):
    raise SystemExit("network access attempted")
socket.socket.connect = refuse
socket.getaddrinfo = refuse
from langchain_core.messages import HumanMessage
from langchain_mistral_lca import ChatMistralLCA, MistralLCAFIM
llm = ChatMistralLCA(api_token="at_" + "x" * 20)
assert llm.get_token_ids("hello world") and llm.get_num_tokens("hello world") == 2
assert llm.get_num_tokens_from_messages([HumanMessage("hi")]) > 0
assert MistralLCAFIM(api_token="at_" + "x" * 20).get_num_tokens("def f(): pass") > 0
print(sorted(m for m in ("transformers", "tokenizers") if m in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------- without the extra


def test_without_the_extra_counts_are_the_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    with tokenizer_absent(monkeypatch):
        text = "Ruby is a programmer's best friend"
        assert count_tokens(text) == estimate_tokens(text)
        assert count_tokens_each([text, "é" * 30], "mistral-small-latest") == [estimate_tokens(text), 21]
        assert not counts_are_exact()
        assert tokenizer_file("mistral-embed") is None
        with pytest.raises(TokenizerNotInstalledError, match=r"mistral-lca\[tokenizer\]"):
            token_ids(text)
        messages = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi there"}]
        assert (
            count_chat_tokens(messages, "mistral-small-latest")
            == estimate_tokens("hello") + estimate_tokens("hi there") + 2 * tokens._MESSAGE_OVERHEAD + 1
        )
        assert _tokenizers.loaded_files() == []
    assert counts_are_exact()  # back once the extra "reappears"


def test_without_the_extra_chat_tools_are_estimated_too(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}
    call = {"id": "abc", "function": {"name": "lookup", "arguments": {"q": "x"}}}
    messages = [{"role": "user", "content": "q"}, {"role": "assistant", "content": None, "tool_calls": [call]}]
    with tokenizer_absent(monkeypatch):
        without_tools = count_chat_tokens(messages, "m")
        assert count_chat_tokens(messages, "m", tools=[tool]) > without_tools
        assert without_tools > count_chat_tokens([{"role": "user", "content": "q"}], "m")


def test_without_sentencepiece_only_its_files_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentencepiece", None)  # mistral-common installed without its extra
    assert count_tokens("hello world") == estimate_tokens("hello world")  # mistral-embed: SentencePiece file
    assert counts_are_exact("mistral-small-latest")  # Tekken needs no sentencepiece
    assert count_tokens("hello world", "mistral-small-latest") == 2
