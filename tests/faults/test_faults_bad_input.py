"""Bad input gets a clear error before any request (the stand-in sees nothing): client and both adapters."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from faults_support import MODEL, TOKEN, call, user
from pydantic import ValidationError

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
    ("negative-max-tokens", {"max_tokens": -1}, "max_tokens: Input should be greater than or equal to 0 (got -1)"),
    # The official OpenAPI bounds, checked before sending (Mistral would answer 422 / 400).
    ("temperature-above-1.5", {"temperature": 1.6}, "temperature: Input should be less than or equal to 1.5 (got 1.6)"),
    ("negative-temperature", {"temperature": -0.1}, "temperature: Input should be greater than or equal to 0"),
    ("zero-top-p", {"top_p": 0}, "top_p: Input should be greater than 0"),
    ("top-p-above-1", {"top_p": 1.01}, "top_p: Input should be less than or equal to 1"),
    ("zero-n", {"n": 0}, "n: Input should be greater than or equal to 1"),
    ("presence-penalty-above-2", {"presence_penalty": 2.5}, "presence_penalty: Input should be less than or equal"),
    ("frequency-penalty-below-2", {"frequency_penalty": -3}, "frequency_penalty: Input should be greater than or"),
    ("negative-seed", {"random_seed": -1}, "random_seed: Input should be greater than or equal to 0"),
    (
        "tool-name-with-space",
        {"tools": [{"type": "function", "function": {"name": "get weather", "parameters": {}}}]},
        "tools.0: function.name must be 1 to 64 characters of a-z, A-Z, 0-9, '_' or '-' (got 'get weather')",
    ),
    (
        "tool-name-with-bang",
        {"tools": [{"type": "function", "function": {"name": "ping!", "parameters": {}}}]},
        "(got 'ping!')",
    ),
    (
        "tool-name-over-64",
        {"tools": [{"type": "function", "function": {"name": "x" * 65, "parameters": {}}}]},
        "(got 65 characters)",
    ),
    ("tool-name-empty", {"tools": [{"function": {"name": "", "parameters": {}}}]}, "function.name must be 1 to 64"),
    (
        "tool-parameters-not-an-object",
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": "{}"}}]},
        "function.parameters of tool 'f' must be a JSON schema object, got str",
    ),
    (
        "tool-parameters-of-type-string",
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "string"}}}]},
        "must describe an object (type 'object'), got 'string'",
    ),
    (
        "tool-without-parameters",
        {"tools": [{"type": "function", "function": {"name": "f"}}]},
        "function.parameters is required for tool 'f'",
    ),
    (
        "second-tool-bad",
        {"tools": [{"type": "web_search"}, {"type": "function", "function": {"name": "a b", "parameters": {}}}]},
        "tools.1: function.name",
    ),
]


def _file(directory: Path, name: str, content: bytes) -> Path:
    path = directory / name
    path.write_bytes(content)
    return path


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
        "max_tokens: Input should be greater than or equal to 0",
    ),
    (
        "fim-negative-min-tokens",
        lambda c, p: c.fim.complete(model="codestral-latest", prompt="x", min_tokens=-2),
        "min_tokens: Input should be greater than or equal to 0",
    ),
    (
        "fim-temperature-above-1.5",
        lambda c, p: c.fim.complete(model="codestral-latest", prompt="x", temperature=2),
        "temperature: Input should be less than or equal to 1.5",
    ),
    (
        "fim-zero-top-p",
        lambda c, p: c.fim.complete(model="codestral-latest", prompt="x", top_p=0.0),
        "top_p: Input should be greater than 0",
    ),
    (
        "conversation-temperature-above-1",  # CompletionArgs allows 0 to 1, not chat's 1.5
        lambda c, p: c.conversations.start(model=MODEL, inputs="x", completion_args={"temperature": 1.2}),
        "completion_args.temperature: Input should be less than or equal to 1",
    ),
    (
        "conversation-append-negative-max-tokens",
        lambda c, p: c.conversations.append("conv_1", inputs="x", completion_args={"max_tokens": -1}),
        "completion_args.max_tokens: Input should be greater than or equal to 0",
    ),
    (
        "agent-top-p-above-1",
        lambda c, p: c.agents.create(model=MODEL, name="a", completion_args={"top_p": 1.5}),
        "completion_args.top_p: Input should be less than or equal to 1",
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
    ("ocr-blank-model", lambda c, p: c.ocr.process(model=" ", document_url="https://x.example/a.pdf"), "model must"),
    ("ocr-directory", lambda c, p: c.ocr.process_file(p), "cannot read file"),
    ("ocr-upload-missing", lambda c, p: c.ocr.process_file(p / "missing.pdf", upload=True), "cannot read file"),
    # Empty files and files OCR cannot read are refused locally (issue #14 item 7).
    ("ocr-empty-file", lambda c, p: c.ocr.process_file(_file(p, "empty.pdf", b"")), "'empty.pdf' is empty (0 bytes)"),
    ("ocr-upload-empty-file", lambda c, p: c.ocr.process_file(_file(p, "e.pdf", b""), upload=True), "(0 bytes)"),
    ("ocr-empty-bytes", lambda c, p: c.ocr.process_file(b""), "the document bytes are empty"),
    ("ocr-txt", lambda c, p: c.ocr.process_file(_file(p, "notes.txt", b"hello")), "'notes.txt' is text/plain"),
    (
        "ocr-upload-txt",
        lambda c, p: c.ocr.process_file(_file(p, "notes.txt", b"hello"), upload=True),
        "'notes.txt' is text/plain",
    ),
    ("ocr-txt-bytes", lambda c, p: c.ocr.process_file(("notes.txt", b"hello")), "'notes.txt' is text/plain"),
    ("ocr-mp3", lambda c, p: c.ocr.process_file(_file(p, "talk.mp3", b"ID3abc")), "is audio/mpeg"),
    (
        "ocr-text-data-uri",
        lambda c, p: c.ocr.process(document="data:text/plain;base64,aGVsbG8="),
        "the document is text/plain",
    ),
    (
        "upload-for-ocr-txt",
        lambda c, p: c.files.upload(file=_file(p, "notes.txt", b"hi"), purpose="ocr"),
        "Invalid files.upload request: 'notes.txt' is text/plain",
    ),
    (
        "transcribe-empty-file",
        lambda c, p: c.audio.transcriptions.complete(model="voxtral-mini-latest", file=_file(p, "a.mp3", b"")),
        "is empty (0 bytes)",
    ),
    (
        "transcribe-stream-empty-file",
        lambda c, p: c.audio.transcriptions.stream(model="voxtral-mini-latest", file=_file(p, "a.wav", b"")),
        "is empty (0 bytes)",
    ),
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
        "max_tokens: Input should be greater than or equal to 0",
    ),
    (
        "agents-bad-tool-name",
        lambda c, p: c.agents.complete(
            agent_id="ag_1",
            messages=user("x"),
            tools=[{"type": "function", "function": {"name": "look up", "parameters": {}}}],
        ),
        "tools.0: function.name",
    ),
    (
        "agents-penalty-out-of-range",
        lambda c, p: c.agents.complete(agent_id="ag_1", messages=user("x"), presence_penalty=9),
        "presence_penalty: Input should be less than or equal to 2",
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
        ("x", {"max_tokens": -1}, InvalidRequestError, "max_tokens: Input should be greater than or equal to 0"),
        ("x", {"temperature": 3}, InvalidRequestError, "temperature: Input should be less than or equal to 1.5"),
        ("x", {"model": ""}, InvalidRequestError, "model must be a non-empty string"),
    ]
    for messages, kwargs, error, message in cases:
        with pytest.raises(error, match=message.replace("(", r"\(").replace("[", r"\[")):
            await _lc_invoke(llm, mode, messages, **kwargs)
    # The model's own fields are checked when it is built, with the same bounds.
    for fields, message in (
        ({"model": ""}, "model must be a non-empty string"),
        ({"model": "  "}, "model must be a non-empty string"),
        ({"max_tokens": -5}, "max_tokens"),
        ({"temperature": 1.6}, "less than or equal to 1.5"),
        ({"top_p": 0}, "top_p"),
        ({"presence_penalty": -2.1}, "presence_penalty"),
    ):
        with pytest.raises(ValidationError, match=message):
            _lc_chat(fake, **fields)
    weather = {"type": "function", "function": {"name": "get weather", "parameters": {"type": "object"}}}
    with pytest.raises(InvalidRequestError, match=r"tools\.0: function\.name .*'get weather'"):
        await _lc_invoke(_lc_chat(fake).bind_tools([weather]), mode, "x")
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
    with pytest.raises(ValidationError, match="max_tokens"):
        MistralLCAFIM(max_tokens=-1, **settings)
    fim = MistralLCAFIM(**settings)
    with pytest.raises(InvalidRequestError, match="max_tokens: Input should be greater than or equal to 0"):
        await call(lambda: fim.invoke("def f(", max_tokens=-1) if sync else fim.ainvoke("def f(", max_tokens=-1))
    for fields in ({"model": ""}, {"temperature": 2.0}):
        with pytest.raises(ValidationError):
            MistralLCAFIM(**fields, **settings)
    with pytest.raises(ValidationError, match="model must be a non-empty string"):
        MistralLCAEmbeddings(model="", **settings)
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
        ([asked], {"max_tokens": -1}, "max_tokens: Input should be greater than or equal to 0"),
        ([asked], {"top_p": 1.5}, "top_p: Input should be less than or equal to 1"),
        ([asked], {"model": ""}, "model must be a non-empty string"),
    ]
    for messages, kwargs, message in cases:
        with pytest.raises(InvalidRequestError, match=message):
            await call(lambda m=messages, k=kwargs: llm.chat(m, **k) if sync else llm.achat(m, **k))
    for fields, message in (
        ({"model": ""}, "model must be a non-empty string"),
        ({"max_tokens": -1}, "max_tokens"),
        ({"temperature": 1.51}, "less than or equal to 1.5"),
        ({"top_p": 0}, "top_p"),
    ):
        with pytest.raises(ValidationError, match=message):
            MistralLCA(**fields, api_token=TOKEN, base_url=fake.base_url)
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
    for cls in (MistralLCAEmbedding, MistralOCRReader, MistralTranscriptionReader):
        with pytest.raises(ValidationError, match="model must be a non-empty string"):
            cls(model="", **settings) if cls is not MistralLCAEmbedding else cls(model_name="", **settings)
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


async def test_loaders_and_readers_refuse_empty_and_unsupported_files(
    fake: FakeLowCodeAPI, mode: str, tmp_path: Path
) -> None:
    from langchain_mistral_lca import MistralOCRLoader, MistralTranscriptionLoader
    from llamaindex_mistral_lca import MistralOCRReader, MistralTranscriptionReader

    settings = {"api_token": TOKEN, "base_url": fake.base_url}
    sync = mode == "sync"
    notes, empty_pdf, empty_mp3 = (
        _file(tmp_path, "notes.txt", b"plain text"),
        _file(tmp_path, "scan.pdf", b""),
        _file(tmp_path, "talk.mp3", b""),
    )
    for upload in (False, True):
        for path, message in ((notes, "is text/plain"), (empty_pdf, r"is empty \(0 bytes\)")):
            loader = MistralOCRLoader(path, upload=upload, **settings)
            with pytest.raises(InvalidRequestError, match=message):
                await call(lambda ld=loader: ld.load() if sync else ld.aload())
            reader = MistralOCRReader(upload=upload, **settings)
            with pytest.raises(InvalidRequestError, match=message):
                await call(lambda r=reader, p=path: r.load_data(p) if sync else r.aload_data(p))
    transcriber = MistralTranscriptionLoader(empty_mp3, **settings)
    with pytest.raises(InvalidRequestError, match="is empty"):
        await call(lambda: transcriber.load() if sync else transcriber.aload())
    reader = MistralTranscriptionReader(**settings)
    with pytest.raises(InvalidRequestError, match="is empty"):
        await call(lambda: reader.load_data(empty_mp3) if sync else reader.aload_data(empty_mp3))
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
            TypeError, match=rf"\b{name}\(\) takes a list of strings, got {type(texts).__name__}"
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
