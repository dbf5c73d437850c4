"""Both adapters under injected faults, sync and async: retryable faults recover within ``max_retries`` (the shared
client's loop, with its backoff bounds), non-retryable ones surface on the first attempt as the typed error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from faults_support import CHAT, EMBEDDINGS, MODEL, TOKEN, call

from mistral_lca import (
    AuthenticationError,
    BadRequestError,
    MistralLCAError,
    PermissionDeniedError,
    RateLimiter,
    RetryPolicy,
)
from mistral_lca._transport import AsyncSender, SyncSender
from mistral_lca.testing import FakeLowCodeAPI, FastForwardClock, Fault

FIM = "/v1/fim/completions"
AGENT_COMPLETIONS = "/v1/agents/completions"
OCR = "/v1/ocr"
TRANSCRIPTIONS = "/v1/audio/transcriptions"
PDF = b"%PDF-1.4\n" + b"x" * 256 + b"\n%%EOF\n"
MP3 = b"ID3" + b"\x00" * 512

Case = Callable[[FakeLowCodeAPI, str, Path], Awaitable[Any]]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every retry and rate-limit delay of every shared client the adapters build, skipped instead of slept (the
    rate limiters' clock moves forward by it)."""
    clock = FastForwardClock()
    monkeypatch.setattr(SyncSender, "sleep", staticmethod(clock.sleep))
    monkeypatch.setattr(AsyncSender, "sleep", staticmethod(clock.asleep))
    monkeypatch.setattr(RateLimiter, "clock", staticmethod(clock))
    return clock.sleeps


def _settings(fake: FakeLowCodeAPI) -> dict[str, Any]:
    return {"api_token": TOKEN, "base_url": fake.base_url, "max_retries": 2}


def _agent_id(fake: FakeLowCodeAPI) -> str:
    from mistral_lca import MistralLCAClient

    with MistralLCAClient(api_token=TOKEN, base_url=fake.base_url) as client:
        return client.agents.create(model=MODEL, name="helper").id


# ------------------------------------------------------------------------------------------------- LangChain


async def lc_chat(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> str:
    from langchain_mistral_lca import ChatMistralLCA

    llm = ChatMistralLCA(**_settings(fake))
    reply = llm.invoke("ping") if mode == "sync" else await llm.ainvoke("ping")
    return str(reply.text)


async def lc_chat_stream(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> str:
    from langchain_mistral_lca import ChatMistralLCA

    llm = ChatMistralLCA(**_settings(fake))
    if mode == "sync":
        return "".join(chunk.text for chunk in llm.stream("ping"))
    return "".join([chunk.text async for chunk in llm.astream("ping")])


async def lc_embeddings(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> int:
    from langchain_mistral_lca import MistralLCAEmbeddings

    embeddings = MistralLCAEmbeddings(**_settings(fake))
    texts = ["one", "two", "three"]
    vectors = embeddings.embed_documents(texts) if mode == "sync" else await embeddings.aembed_documents(texts)
    return len(vectors)


async def lc_fim(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> str:
    from langchain_mistral_lca import MistralLCAFIM

    fim = MistralLCAFIM(**_settings(fake))
    return str(fim.invoke("def f(", suffix="return 1") if mode == "sync" else await fim.ainvoke("def f("))


async def lc_agent_tool(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> Any:
    from langchain_mistral_lca import MistralAgentTool

    tool = MistralAgentTool(agent_id=_agent_id(fake), name="helper", **_settings(fake))
    return tool.invoke({"input": "ping"}) if mode == "sync" else await tool.ainvoke({"input": "ping"})


async def lc_ocr_loader(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> int:
    from langchain_mistral_lca import MistralOCRLoader

    pdf = tmp / "doc.pdf"
    pdf.write_bytes(PDF)
    loader = MistralOCRLoader(pdf, **_settings(fake))
    return len(loader.load() if mode == "sync" else await loader.aload())


async def lc_transcription_loader(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> int:
    from langchain_mistral_lca import MistralTranscriptionLoader

    audio = tmp / "talk.mp3"
    audio.write_bytes(MP3)
    loader = MistralTranscriptionLoader(audio, **_settings(fake))
    return len(loader.load() if mode == "sync" else await loader.aload())


# ------------------------------------------------------------------------------------------------- LlamaIndex


def _messages() -> list[Any]:
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role="user", content="ping")]


async def li_chat(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> str:
    from llamaindex_mistral_lca import MistralLCA

    llm = MistralLCA(**_settings(fake))
    reply = llm.chat(_messages()) if mode == "sync" else await llm.achat(_messages())
    return str(reply.message.content)


async def li_chat_stream(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> str:
    from llamaindex_mistral_lca import MistralLCA

    llm = MistralLCA(**_settings(fake))
    if mode == "sync":
        return "".join(r.delta or "" for r in llm.stream_chat(_messages()))
    return "".join([r.delta or "" async for r in await llm.astream_chat(_messages())])


async def li_complete(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> str:
    from llamaindex_mistral_lca import MistralLCA

    llm = MistralLCA(**_settings(fake))
    return (llm.complete("ping") if mode == "sync" else await llm.acomplete("ping")).text


async def li_embedding(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> int:
    from llamaindex_mistral_lca import MistralLCAEmbedding

    model = MistralLCAEmbedding(**_settings(fake))
    texts = ["one", "two", "three"]
    vectors = model.get_text_embedding_batch(texts) if mode == "sync" else await model.aget_text_embedding_batch(texts)
    return len(vectors)


async def li_fill_in_middle(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> str:
    from llamaindex_mistral_lca import MistralLCA

    llm = MistralLCA(model="codestral-latest", **_settings(fake))
    reply = llm.fill_in_middle("def f(", "return 1") if mode == "sync" else await llm.afill_in_middle("def f(")
    return reply.text


async def li_agent_tool(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> Any:
    from llamaindex_mistral_lca import MistralAgentTool

    tool = MistralAgentTool(_agent_id(fake), name="helper", **_settings(fake))
    output = tool.call(input="ping") if mode == "sync" else await tool.acall(input="ping")
    if output.is_error:
        raise output.exception  # the tool reports errors as outputs; the typed error rides along
    return output.content


async def li_ocr_reader(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> int:
    from llamaindex_mistral_lca import MistralOCRReader

    pdf = tmp / "doc.pdf"
    pdf.write_bytes(PDF)
    reader = MistralOCRReader(**_settings(fake))
    return len(reader.load_data(pdf) if mode == "sync" else await reader.aload_data(pdf))


async def li_transcription_reader(fake: FakeLowCodeAPI, mode: str, tmp: Path) -> int:
    from llamaindex_mistral_lca import MistralTranscriptionReader

    audio = tmp / "talk.mp3"
    audio.write_bytes(MP3)
    reader = MistralTranscriptionReader(**_settings(fake))
    return len(reader.load_data(audio) if mode == "sync" else await reader.aload_data(audio))


CASES: list[tuple[Case, str]] = [
    (lc_chat, CHAT),
    (lc_chat_stream, CHAT),
    (lc_embeddings, EMBEDDINGS),
    (lc_fim, FIM),
    (lc_agent_tool, AGENT_COMPLETIONS),
    (lc_ocr_loader, OCR),
    (lc_transcription_loader, TRANSCRIPTIONS),
    (li_chat, CHAT),
    (li_chat_stream, CHAT),
    (li_complete, CHAT),
    (li_embedding, EMBEDDINGS),
    (li_fill_in_middle, FIM),
    (li_agent_tool, AGENT_COMPLETIONS),
    (li_ocr_reader, OCR),
    (li_transcription_reader, TRANSCRIPTIONS),
]
CASE_IDS = [case.__name__ for case, _ in CASES]

RECOVERABLE: dict[str, Callable[[str], list[Fault]]] = {
    "503-twice": lambda path: [Fault("status", path=path, status=503, times=2)],
    "reset-then-429": lambda path: [
        Fault("reset", path=path),
        Fault("status", path=path, status=429, retry_after=1.5, retry_after_in="envelope"),
    ],
    "html-then-504": lambda path: [Fault("html", path=path), Fault("status", path=path, status=504)],
}


@pytest.mark.parametrize(("case", "path"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("faults", list(RECOVERABLE), ids=list(RECOVERABLE))
async def test_adapters_recover_within_max_retries(
    fake: FakeLowCodeAPI, mode: str, tmp_path: Path, sleeps: list[float], case: Case, path: str, faults: str
) -> None:
    expected = await case(fake, mode, tmp_path)  # a clean run, for comparison
    fake.reset()
    sleeps.clear()
    fake.faults.add(*RECOVERABLE[faults](path))
    assert await case(fake, mode, tmp_path) == expected
    assert fake.count(path) == 3
    assert len(sleeps) == 2
    default = RetryPolicy()
    if faults == "reset-then-429":
        assert sleeps[1] == 1.5  # Retry-After from the envelope's headers
        sleeps = sleeps[:1]
    for retry, delay in enumerate(sleeps):
        assert 0.0 <= delay <= min(default.max_delay, default.initial_delay * 2**retry)


NOT_RETRIED: dict[str, tuple[Callable[[str], Fault], type[MistralLCAError]]] = {
    "echo-token-401": (lambda path: Fault("echo_token", path=path), AuthenticationError),
    "echo-token-403": (lambda path: Fault("echo_token", path=path, status=403), PermissionDeniedError),
    "400": (lambda path: Fault("status", path=path, status=400), BadRequestError),
}


@pytest.mark.parametrize(("case", "path"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("fault", list(NOT_RETRIED), ids=list(NOT_RETRIED))
async def test_adapters_surface_non_retryable_errors_typed_on_the_first_attempt(
    fake: FakeLowCodeAPI, mode: str, tmp_path: Path, sleeps: list[float], case: Case, path: str, fault: str
) -> None:
    make, error = NOT_RETRIED[fault]
    fake.faults.add(make(path))
    with pytest.raises(error) as caught:
        await case(fake, mode, tmp_path)
    assert type(caught.value) is error
    assert TOKEN not in str(caught.value)
    assert fake.count(path) == 1
    assert sleeps == []


async def test_adapter_max_retries_zero_means_one_attempt(fake: FakeLowCodeAPI, mode: str, sleeps: list[float]) -> None:
    from langchain_mistral_lca import ChatMistralLCA
    from llamaindex_mistral_lca import MistralLCA

    fake.faults.add(Fault("status", path=CHAT, status=503, times=None))
    lc = ChatMistralLCA(api_token=TOKEN, base_url=fake.base_url, max_retries=0)
    li = MistralLCA(api_token=TOKEN, base_url=fake.base_url, max_retries=0)
    with pytest.raises(MistralLCAError):
        await call(lambda: lc.invoke("x") if mode == "sync" else lc.ainvoke("x"))
    with pytest.raises(MistralLCAError):
        await call(lambda: li.chat(_messages()) if mode == "sync" else li.achat(_messages()))
    assert fake.count(CHAT) == 2
    assert sleeps == []
