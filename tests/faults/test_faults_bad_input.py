"""Bad input gets a clear error before any request (the stand-in sees nothing): client and both adapters."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from faults_support import MODEL, TOKEN, call, user

from mistral_lca import InputTypeError, InvalidRequestError
from mistral_lca.testing import FakeLowCodeAPI

CALL = {
    "role": "assistant",
    "content": "",
    "tool_calls": [{"id": "abcDEF123", "function": {"name": "f", "arguments": "{}"}}],
}

CHAT_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("empty-messages", {"messages": []}, "messages must not be empty"),
    ("unknown-role", {"messages": [{"role": "robot", "content": "x"}]}, "'robot'"),
    (
        "tool-without-call",
        {"messages": [*user("x"), {"role": "tool", "tool_call_id": "abcDEF123", "content": "r"}]},
        "no earlier assistant message made a tool call with that id",
    ),
    (
        "tool-answering-another-id",
        {"messages": [*user("x"), CALL, {"role": "tool", "tool_call_id": "zzzZZZ999", "content": "r"}]},
        "'zzzZZZ999'",
    ),
    (
        "tool-before-its-call",
        {"messages": [*user("x"), {"role": "tool", "tool_call_id": "abcDEF123", "content": "r"}, CALL]},
        "messages[1]",
    ),
    (
        "tool-without-id-or-call",
        {"messages": [*user("x"), {"role": "tool", "content": "r"}]},
        "no earlier assistant message made a tool call",
    ),
    ("int-content", {"messages": [{"role": "user", "content": 42}]}, "content"),
    ("dict-content", {"messages": [{"role": "user", "content": {"text": "x"}}]}, "content"),
    ("none-content", {"messages": [{"role": "system", "content": None}, *user("x")]}, "content"),
    ("empty-model", {"model": ""}, "model must be a non-empty string"),
    ("blank-model", {"model": "   "}, "model must be a non-empty string"),
    ("negative-max-tokens", {"max_tokens": -1}, "max_tokens must be >= 0"),
]


def _chat_params(overrides: dict[str, Any]) -> dict[str, Any]:
    return {"model": MODEL, "messages": user("hi"), **overrides}


@pytest.mark.parametrize(("name", "overrides", "message"), CHAT_CASES, ids=[c[0] for c in CHAT_CASES])
@pytest.mark.parametrize("kind", ["complete", "stream"])
async def test_bad_chat_input_fails_before_any_request(
    fake: FakeLowCodeAPI, client_factory: Any, name: str, overrides: dict[str, Any], message: str, kind: str
) -> None:
    client = client_factory()
    params = _chat_params(overrides)
    with pytest.raises(InvalidRequestError, match=r"Invalid chat request") as caught:
        if kind == "complete":
            await call(lambda: client.chat.complete(**params))
        else:
            client.chat.stream(**params)  # validated at once, before iteration
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert fake.count() == 0


async def test_a_valid_tool_exchange_passes_the_check(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory()
    messages = [*user("x"), CALL, {"role": "tool", "tool_call_id": "abcDEF123", "name": "f", "content": "r"}]
    reply = await call(lambda: client.chat.complete(model=MODEL, messages=messages))
    assert reply.choices[0].message.content.startswith("Based on the tool results")
    assert fake.count() == 1


OTHER_CASES: list[tuple[str, Any, str]] = [
    ("fim-empty-model", lambda c, p: c.fim.complete(model="", prompt="x"), "model must be a non-empty string"),
    (
        "fim-negative-max-tokens",
        lambda c, p: c.fim.complete(model="codestral-latest", prompt="x", max_tokens=-1),
        ">= 0",
    ),
    (
        "fim-negative-min-tokens",
        lambda c, p: c.fim.complete(model="codestral-latest", prompt="x", min_tokens=-2),
        ">= 0",
    ),
    ("fim-int-prompt", lambda c, p: c.fim.complete(model="codestral-latest", prompt=5), "prompt"),
    (
        "embed-int",
        lambda c, p: c.embeddings.create(model="mistral-embed", inputs=["a", 2]),
        "inputs[1] must be a string",
    ),
    (
        "embed-none",
        lambda c, p: c.embeddings.create(model="mistral-embed", inputs=None),
        "embeddings.create() takes a string or a list of strings, got NoneType",
    ),
    (
        "embed-int-inputs",
        lambda c, p: c.embeddings.create(model="mistral-embed", inputs=5),
        "embeddings.create() takes a string or a list of strings, got int",
    ),
    ("embed-bytes", lambda c, p: c.embeddings.create(model="mistral-embed", inputs=[b"a"]), "must be a string"),
    ("embed-empty-model", lambda c, p: c.embeddings.create(model="", inputs=["a"]), "model must be a non-empty"),
    ("upload-missing", lambda c, p: c.files.upload(file=p / "missing.pdf", purpose="ocr"), "cannot read file"),
    ("upload-directory", lambda c, p: c.files.upload(file=p, purpose="ocr"), "not a regular file"),
    ("ocr-missing", lambda c, p: c.ocr.process_file(p / "missing.pdf"), "cannot read file"),
    ("ocr-directory", lambda c, p: c.ocr.process_file(p), "cannot read file"),
    ("ocr-upload-missing", lambda c, p: c.ocr.process_file(p / "missing.pdf", upload=True), "cannot read file"),
    (
        "transcribe-missing",
        lambda c, p: c.audio.transcriptions.complete(model="voxtral-mini-latest", file=p / "missing.mp3"),
        "cannot read file",
    ),
    (
        "transcribe-text-mode-file",
        lambda c, p: c.audio.transcriptions.complete(model="voxtral-mini-latest", file=io.StringIO("text")),
        "binary mode",
    ),
    ("agents-empty-messages", lambda c, p: c.agents.complete(agent_id="ag_1", messages=[]), "must not be empty"),
    (
        "agents-tool-without-call",
        lambda c, p: c.agents.complete(
            agent_id="ag_1", messages=[{"role": "tool", "tool_call_id": "x", "content": "r"}]
        ),
        "no earlier assistant message",
    ),
    (
        "agents-negative-max-tokens",
        lambda c, p: c.agents.complete(agent_id="ag_1", messages=user("x"), max_tokens=-3),
        ">= 0",
    ),
]


@pytest.mark.parametrize(("name", "run", "message"), OTHER_CASES, ids=[c[0] for c in OTHER_CASES])
async def test_bad_input_to_other_endpoints_fails_before_any_request(
    fake: FakeLowCodeAPI, client_factory: Any, tmp_path: Path, name: str, run: Any, message: str
) -> None:
    client = client_factory()
    with pytest.raises(InvalidRequestError) as caught:
        await call(lambda: run(client, tmp_path))
    assert message in str(caught.value)
    assert fake.count() == 0


# ------------------------------------------------------------------------------------------------- LangChain


def _lc_chat(fake: FakeLowCodeAPI, **kwargs: Any) -> Any:
    from langchain_mistral_lca import ChatMistralLCA

    return ChatMistralLCA(api_token=TOKEN, base_url=fake.base_url, **kwargs)


async def _lc_invoke(llm: Any, mode: str, messages: Any, **kwargs: Any) -> Any:
    return llm.invoke(messages, **kwargs) if mode == "sync" else await llm.ainvoke(messages, **kwargs)


async def test_langchain_bad_chat_input_fails_before_any_request(fake: FakeLowCodeAPI, mode: str) -> None:
    from langchain_core.messages import AIMessage, ChatMessage, HumanMessage, ToolMessage

    llm = _lc_chat(fake)
    call_message = AIMessage(content="", tool_calls=[{"id": "call_1", "name": "f", "args": {}}])
    cases: list[tuple[Any, dict[str, Any], type[Exception], str]] = [
        ([], {}, InvalidRequestError, "messages must not be empty"),
        ([ChatMessage(role="robot", content="x")], {}, ValueError, "robot"),
        ([HumanMessage("x"), ToolMessage("r", tool_call_id="call_1")], {}, InvalidRequestError, "tool call"),
        (
            [HumanMessage("x"), call_message, ToolMessage("r", tool_call_id="call_2")],
            {},
            InvalidRequestError,
            "tool call",
        ),
        ("x", {"max_tokens": -1}, InvalidRequestError, "max_tokens must be >= 0"),
        ("x", {"model": ""}, InvalidRequestError, "model must be a non-empty string"),
    ]
    for messages, kwargs, error, message in cases:
        with pytest.raises(error, match=message.replace("(", r"\(").replace("[", r"\[")):
            await _lc_invoke(llm, mode, messages, **kwargs)
    with pytest.raises(InvalidRequestError, match="model must be a non-empty string"):
        await _lc_invoke(_lc_chat(fake, model=""), mode, "x")
    with pytest.raises(InvalidRequestError, match="max_tokens must be >= 0"):
        await _lc_invoke(_lc_chat(fake, max_tokens=-5), mode, "x")
    assert fake.count() == 0


async def test_langchain_tool_round_trip_passes_the_check(fake: FakeLowCodeAPI, mode: str) -> None:
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    history = [
        HumanMessage("x"),
        AIMessage(content="", tool_calls=[{"id": "call_JIIjI55tTipFFzpcP8re3BpM", "name": "f", "args": {}}]),
        ToolMessage("42", tool_call_id="call_JIIjI55tTipFFzpcP8re3BpM"),
    ]
    reply = await _lc_invoke(_lc_chat(fake), mode, history)
    assert "42" in reply.text
    assert fake.count() == 1


async def test_langchain_bad_embedding_fim_and_file_input_fails_before_any_request(
    fake: FakeLowCodeAPI, mode: str, tmp_path: Path
) -> None:
    from langchain_mistral_lca import MistralLCAEmbeddings, MistralLCAFIM, MistralOCRLoader, MistralTranscriptionLoader

    settings = {"api_token": TOKEN, "base_url": fake.base_url}
    embeddings = MistralLCAEmbeddings(**settings)
    sync = mode == "sync"
    for texts in (["a", 3], [None], [b"bytes"]):
        with pytest.raises(InvalidRequestError, match="must be a string"):
            await call(lambda t=texts: embeddings.embed_documents(t) if sync else embeddings.aembed_documents(t))
    with pytest.raises(InvalidRequestError, match="must be a string"):
        await call(lambda: embeddings.embed_query(7) if sync else embeddings.aembed_query(7))
    fim = MistralLCAFIM(max_tokens=-1, **settings)
    with pytest.raises(InvalidRequestError, match="max_tokens must be >= 0"):
        await call(lambda: fim.invoke("def f(") if sync else fim.ainvoke("def f("))
    for loader in (
        MistralOCRLoader(tmp_path / "missing.pdf", **settings),
        MistralOCRLoader(tmp_path / "missing.pdf", upload=True, **settings),
        MistralTranscriptionLoader(tmp_path / "missing.mp3", **settings),
    ):
        with pytest.raises(InvalidRequestError, match="cannot read file"):
            await call(lambda ld=loader: ld.load() if sync else ld.aload())
    assert fake.count() == 0


# ------------------------------------------------------------------------------------------------- LlamaIndex


async def test_llamaindex_bad_chat_input_fails_before_any_request(fake: FakeLowCodeAPI, mode: str) -> None:
    from llama_index.core.base.llms.types import ToolCallBlock
    from llama_index.core.llms import ChatMessage, MessageRole

    from llamaindex_mistral_lca import MistralLCA

    llm = MistralLCA(api_token=TOKEN, base_url=fake.base_url)
    sync = mode == "sync"
    asked = ChatMessage(role=MessageRole.USER, content="x")
    made_call = ChatMessage(
        role=MessageRole.ASSISTANT, blocks=[ToolCallBlock(tool_call_id="call_1", tool_name="f", tool_kwargs={})]
    )
    cases: list[tuple[Any, dict[str, Any], str]] = [
        ([], {}, "messages must not be empty"),
        ([asked, ChatMessage(role=MessageRole.TOOL, content="r", additional_kwargs={"tool_call_id": "c"})], {}, "tool"),
        ([asked, ChatMessage(role=MessageRole.TOOL, content="r")], {}, "tool call"),
        (
            [
                asked,
                made_call,
                ChatMessage(role=MessageRole.TOOL, content="r", additional_kwargs={"tool_call_id": "c2"}),
            ],
            {},
            "tool call",
        ),
        ([asked], {"max_tokens": -1}, "max_tokens must be >= 0"),
        ([asked], {"model": ""}, "model must be a non-empty string"),
    ]
    for messages, kwargs, message in cases:
        with pytest.raises(InvalidRequestError, match=message):
            await call(lambda m=messages, k=kwargs: llm.chat(m, **k) if sync else llm.achat(m, **k))
    with pytest.raises(InvalidRequestError, match="model must be a non-empty string"):
        empty = MistralLCA(model="", api_token=TOKEN, base_url=fake.base_url)
        await call(lambda: empty.chat([asked]) if sync else empty.achat([asked]))
    with pytest.raises(ValueError, match="max_tokens"):
        MistralLCA(max_tokens=-1, api_token=TOKEN, base_url=fake.base_url)
    with pytest.raises(ValueError, match="role"):
        ChatMessage(role="robot", content="x")
    assert fake.count() == 0


async def test_llamaindex_tool_round_trip_passes_the_check(fake: FakeLowCodeAPI, mode: str) -> None:
    from llama_index.core.base.llms.types import ToolCallBlock
    from llama_index.core.llms import ChatMessage, MessageRole

    from llamaindex_mistral_lca import MistralLCA

    llm = MistralLCA(api_token=TOKEN, base_url=fake.base_url)
    history = [
        ChatMessage(role=MessageRole.USER, content="x"),
        ChatMessage(
            role=MessageRole.ASSISTANT,
            blocks=[ToolCallBlock(tool_call_id="call_JIIjI55tTipFFzpcP8re3BpM", tool_name="f", tool_kwargs={})],
        ),
        ChatMessage(
            role=MessageRole.TOOL, content="42", additional_kwargs={"tool_call_id": "call_JIIjI55tTipFFzpcP8re3BpM"}
        ),
    ]
    reply = llm.chat(history) if mode == "sync" else await llm.achat(history)
    assert "42" in (reply.message.content or "")
    assert fake.count() == 1


async def test_llamaindex_bad_embedding_and_file_input_fails_before_any_request(
    fake: FakeLowCodeAPI, mode: str, tmp_path: Path
) -> None:
    from llamaindex_mistral_lca import MistralLCAEmbedding, MistralOCRReader, MistralTranscriptionReader

    settings = {"api_token": TOKEN, "base_url": fake.base_url}
    model = MistralLCAEmbedding(**settings)
    sync = mode == "sync"
    for texts in (["a", 3], [None]):
        with pytest.raises(InvalidRequestError, match="must be a string"):
            await call(
                lambda t=texts: model.get_text_embedding_batch(t) if sync else model.aget_text_embedding_batch(t)
            )
    with pytest.raises(InvalidRequestError, match="must be a string"):
        await call(lambda: model.get_text_embedding(5) if sync else model.aget_text_embedding(5))
    for reader, name in (
        (MistralOCRReader(**settings), "missing.pdf"),
        (MistralOCRReader(upload=True, **settings), "missing.pdf"),
        (MistralTranscriptionReader(**settings), "missing.mp3"),
    ):
        with pytest.raises(InvalidRequestError, match="cannot read file"):
            await call(lambda r=reader, n=name: r.load_data(tmp_path / n) if sync else r.aload_data(tmp_path / n))
    assert fake.count() == 0


async def test_langchain_non_string_text_block_fails_clearly_before_any_request(
    fake: FakeLowCodeAPI, mode: str
) -> None:
    from langchain_core.messages import HumanMessage

    message = HumanMessage(content=[{"type": "text", "text": 5}])
    try:
        with pytest.raises(InvalidRequestError, match=r"messages\[0\].*content block 0.*'text' must be a string"):
            await _lc_invoke(_lc_chat(fake), mode, [message])
    finally:
        assert fake.count() == 0


# ------------------------------------------------------------------------ a bare str (or None) for a list of texts


@pytest.mark.parametrize("texts", ["abc", None, 5, b"abc"])
async def test_a_bare_string_for_a_list_of_texts_is_a_type_error(fake: FakeLowCodeAPI, mode: str, texts: Any) -> None:
    from langchain_mistral_lca import MistralLCAEmbeddings
    from llamaindex_mistral_lca import MistralLCAEmbedding

    settings = {"api_token": TOKEN, "base_url": fake.base_url}
    lc, li = MistralLCAEmbeddings(**settings), MistralLCAEmbedding(**settings)
    sync = mode == "sync"
    calls = [
        ("embed_documents" if sync else "aembed_documents", lc, lc.embed_documents if sync else lc.aembed_documents),
        (
            "get_text_embedding_batch" if sync else "aget_text_embedding_batch",
            li,
            li.get_text_embedding_batch if sync else li.aget_text_embedding_batch,
        ),
    ]
    for name, _, method in calls:
        with pytest.raises(
            TypeError, match=rf"^{name}\(\) takes a list of strings, got {type(texts).__name__}"
        ) as caught:
            await call(lambda m=method: m(texts))
        assert isinstance(caught.value, InputTypeError)  # a MistralLCAError too
        if isinstance(texts, str):
            assert "[text]" in str(caught.value)
    assert fake.count() == 0


async def test_the_client_takes_one_text_or_a_list(fake: FakeLowCodeAPI, client_factory: Any) -> None:
    client = client_factory()
    one = await call(lambda: client.embeddings.create(model="mistral-embed", inputs="abc"))
    assert len(one.vectors()) == 1  # one text, one vector: never three characters
    for bad in (None, 5, b"abc"):
        with pytest.raises(TypeError, match=r"embeddings\.create\(\) takes a string or a list of strings"):
            await call(lambda b=bad: client.embeddings.create(model="mistral-embed", inputs=b))
    assert fake.count() == 1
