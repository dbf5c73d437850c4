"""Every endpoint family against recorded LowCodeAPI traffic, in both path-parameter forms, sync and async.

Replayed offline (``--record-mode=none --block-network``); recorded against the local stand-in with
``MISTRAL_LCA_RECORD_AGAINST=fake pytest tests/client/test_client_cassettes.py --record-mode=once``.
Assertions are structural (types, ids, ordering, states), never model prose, so a live re-recording passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from client_support import collect, run

from mistral_lca import AsyncMistralLCAClient, JobFailedError, MistralLCAClient
from mistral_lca.types.audio import TranscriptionDoneEvent, TranscriptionTextDeltaEvent
from mistral_lca.types.chat import CompletionEvent
from mistral_lca.types.conversations import (
    ConversationResponseDoneEvent,
    ConversationResponseStartedEvent,
    MessageOutputDeltaEvent,
    MessageOutputEntry,
)
from mistral_lca.types.fine_tuning import FineTuningJobDryRun

PDF = b"%PDF-1.4\n1 0 obj<</Type/Page>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
WAV = (
    b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80>\x00\x00\x02\x00\x10\x00data"
    + (b"\x00" * 2048)
)
TRAINING = (
    b'{"messages": [{"role": "user", "content": "Ping?"}, {"role": "assistant", "content": "Pong."}]}\n'
    b'{"messages": [{"role": "user", "content": "Marco?"}, {"role": "assistant", "content": "Polo."}]}\n'
)
CHAT_MODEL = "mistral-small-latest"
USER = [{"role": "user", "content": "Reply with one word: ready?"}]


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(kind: str, form: str, lca_settings: dict[str, Any]) -> Any:
    """A client on the cassette (or the recording target) whose job polling never really sleeps."""
    if kind == "sync":
        sync = MistralLCAClient(path_params=form, **lca_settings)
        sync._sender.sleep = lambda seconds: None
        return sync
    client = AsyncMistralLCAClient(path_params=form, **lca_settings)

    async def no_sleep(seconds: float) -> None:
        return None

    client._sender.sleep = no_sleep
    return client


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {"pdf": tmp_path / "sample.pdf", "wav": tmp_path / "hello.wav", "jsonl": tmp_path / "train.jsonl"}
    out["pdf"].write_bytes(PDF)
    out["wav"].write_bytes(WAV)
    out["jsonl"].write_bytes(TRAINING)
    return out


def method(client: Any, dotted: str) -> Any:
    target = client
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


async def do(client: Any, dotted: str, *args: Any, **kwargs: Any) -> Any:
    return await run(method(client, dotted)(*args, **kwargs))


@pytest.mark.vcr
async def test_files(client: Any, files: dict[str, Path], tmp_path: Path) -> None:
    uploaded = await do(client, "files.upload", file=files["pdf"], purpose="ocr")
    assert uploaded.id and uploaded.filename == "sample.pdf" and uploaded.purpose == "ocr"
    assert uploaded.bytes == len(PDF)
    listed = await do(client, "files.list", purpose="ocr", page_size=100)
    assert uploaded.id in [f.id for f in listed.data]
    assert (await do(client, "files.retrieve", uploaded.id)).id == uploaded.id
    assert await do(client, "files.download", uploaded.id) == PDF
    target = await do(client, "files.download_to", uploaded.id, tmp_path / "copy.pdf")
    assert target.read_bytes() == PDF
    signed = await do(client, "files.get_signed_url", uploaded.id, expiry=1)
    assert signed.url.startswith("http")
    deleted = await do(client, "files.delete", uploaded.id)
    assert deleted.id == uploaded.id and deleted.deleted


@pytest.mark.vcr
async def test_ocr(client: Any, files: dict[str, Path]) -> None:
    by_url = await do(client, "ocr.process", document_url="https://arxiv.org/pdf/2201.04234", pages=[0])
    assert by_url.pages and by_url.pages[0].index == 0 and by_url.pages[0].markdown.strip()
    assert by_url.usage_info.pages_processed >= 1
    inline = await do(client, "ocr.process_file", files["pdf"])
    assert inline.pages and inline.model
    uploaded = await do(client, "ocr.process_file", files["pdf"], upload=True, include_image_base64=False)
    assert uploaded.pages and uploaded.usage_info.pages_processed >= 1


@pytest.mark.vcr
async def test_agents(client: Any) -> None:
    agent = await do(
        client, "agents.create", model="mistral-medium-latest", name="Test agent", instructions="Answer in one word."
    )
    assert agent.id and agent.name == "Test agent"
    assert agent.id in [a.id for a in await do(client, "agents.list", page=0, page_size=50)]
    assert (await do(client, "agents.get", agent.id)).id == agent.id
    assert (await do(client, "agents.update", agent.id, description="updated")).description == "updated"
    reply = await do(client, "agents.complete", agent_id=agent.id, messages=USER)
    assert reply.choices and isinstance(reply.choices[0].message.content, str)
    events = await collect(client.agents.stream(agent_id=agent.id, messages=USER))
    assert events and all(isinstance(e, CompletionEvent) for e in events)
    assert events[-1].data.choices[0].finish_reason is not None
    assert await do(client, "agents.delete", agent.id) is None


@pytest.mark.vcr
async def test_audio_transcriptions(client: Any, files: dict[str, Path]) -> None:
    plain = await do(
        client, "audio.transcriptions.complete", model="voxtral-mini-latest", file=files["wav"], language="en"
    )
    assert isinstance(plain.text, str) and plain.usage.total_tokens >= 0
    by_url = await do(
        client, "audio.transcriptions.complete", model="voxtral-mini-latest", file_url="https://example.com/a.mp3"
    )
    assert isinstance(by_url.text, str)
    events = await collect(client.audio.transcriptions.stream(model="voxtral-mini-latest", file=files["wav"]))
    assert isinstance(events[-1], TranscriptionDoneEvent)
    assert any(isinstance(e, TranscriptionTextDeltaEvent) for e in events)


@pytest.mark.vcr
async def test_batch_run_chat_keeps_order_and_per_request_errors(client: Any) -> None:
    states: list[str] = []
    requests: list[Any] = [
        [{"role": "user", "content": "What is 2 + 2? Just the number."}],
        {"messages": [{"role": "user", "content": "Say hi."}], "not_a_chat_field": True},  # rejected upstream
        [{"role": "user", "content": "Name the largest planet. One word."}],
    ]
    results = await do(
        client,
        "batch.run_chat",
        requests,
        model=CHAT_MODEL,
        poll_interval=0.01,
        on_change=lambda j: states.append(j.status),
    )
    assert [r.index for r in results] == [0, 1, 2]
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error is not None and results[1].error.status_code is not None
    assert results[1].error.status_code >= 400
    assert all(isinstance(results[i].unwrap().choices[0].message.content, str) for i in (0, 2))
    assert states[-1] == "SUCCESS" and len(states) >= 2  # polled through RUNNING


@pytest.mark.vcr
async def test_batch_run_embeddings(client: Any) -> None:
    texts = ["alpha", "beta", "gamma"]
    results = await do(
        client, "batch.run_embeddings", texts, model="mistral-embed", texts_per_request=2, poll_interval=0.01
    )
    vectors = [r.unwrap() for r in results]
    assert len(vectors) == 3 and len({len(v) for v in vectors}) == 1 and len(vectors[0]) > 0


@pytest.mark.vcr
async def test_batch_jobs_endpoints_and_a_cancelled_job(client: Any) -> None:
    inline = [{"custom_id": "0", "body": {"messages": USER}}]
    job = await do(client, "batch.jobs.create", endpoint="/v1/chat/completions", model=CHAT_MODEL, requests=inline)
    assert job.id and job.status == "QUEUED"
    assert job.id in [j.id for j in (await do(client, "batch.jobs.list", page_size=100)).data]
    fetched = await do(client, "batch.jobs.get", job.id, inline=True)
    assert fetched.id == job.id
    cancelled = await do(client, "batch.jobs.cancel", job.id)
    assert cancelled.status in ("CANCELLATION_REQUESTED", "CANCELLED")
    with pytest.raises(JobFailedError) as info:
        await do(client, "batch.jobs.wait", job.id, poll_interval=0.01)
    assert info.value.status == "CANCELLED" and info.value.job.id == job.id


@pytest.mark.vcr
async def test_batch_job_that_fails(client: Any) -> None:
    bad = [{"custom_id": str(i), "body": {"messages": USER, "bogus_field": i}} for i in range(2)]
    job = await do(client, "batch.jobs.create", endpoint="/v1/chat/completions", model=CHAT_MODEL, requests=bad)
    states: list[str] = []
    with pytest.raises(JobFailedError, match="ended FAILED") as info:
        await do(client, "batch.jobs.wait", job.id, poll_interval=0.01, on_change=lambda j: states.append(j.status))
    assert info.value.job.failed_requests == 2
    assert states[-1] == "FAILED"
    outputs = await do(client, "batch.jobs.results", info.value.job)
    assert sorted(o.custom_id for o in outputs) == ["0", "1"]


@pytest.mark.vcr
async def test_fine_tuning(client: Any, files: dict[str, Path]) -> None:
    training = await do(client, "files.upload", file=files["jsonl"], purpose="fine-tune")
    hyper = {"training_steps": 2, "learning_rate": 0.0001}
    estimate = await do(
        client, "fine_tuning.jobs.create", model="open-mistral-7b", hyperparameters=hyper, training_files=[training.id],
        dry_run=True,
    )  # fmt: skip
    assert isinstance(estimate, FineTuningJobDryRun) and estimate.cost is not None
    job = await do(
        client, "fine_tuning.jobs.create", model="open-mistral-7b", hyperparameters=hyper,
        training_files=[training.id], suffix="cassette",
    )  # fmt: skip
    assert job.id and job.status == "QUEUED" and job.training_files == [training.id]
    assert job.id in [j.id for j in (await do(client, "fine_tuning.jobs.list", page_size=100)).data]
    states: list[str] = []
    done = await do(
        client, "fine_tuning.jobs.wait", job.id, poll_interval=0.01, on_change=lambda j: states.append(j.status)
    )
    assert done.status == "SUCCESS" and done.fine_tuned_model
    assert len(states) >= 3 and states[-1] == "SUCCESS"

    manual = await do(
        client, "fine_tuning.jobs.create", model="open-mistral-7b", hyperparameters=hyper,
        training_files=[training.id], auto_start=False,
    )  # fmt: skip
    validated = await do(client, "fine_tuning.jobs.wait", manual.id, poll_interval=0.01)
    assert validated.status == "VALIDATED"
    started = await do(client, "fine_tuning.jobs.start", manual.id)
    assert started.id == manual.id
    cancelled = await do(client, "fine_tuning.jobs.cancel", manual.id)
    assert cancelled.id == manual.id
    with pytest.raises(JobFailedError) as info:
        await do(client, "fine_tuning.jobs.wait", manual.id, poll_interval=0.01)
    assert info.value.status == "CANCELLED"
    assert (await do(client, "fine_tuning.jobs.get", job.id)).fine_tuned_model == done.fine_tuned_model


@pytest.mark.vcr
async def test_classifiers(client: Any) -> None:
    texts = ["Have a nice day.", "I will hurt you."]
    moderation = await do(client, "classifiers.moderate", model="mistral-moderation-latest", inputs=texts)
    assert len(moderation.results) == 2 and moderation.results[0].category_scores
    chat = await do(client, "classifiers.moderate_chat", model="mistral-moderation-latest", inputs=USER)
    assert len(chat.results) == 1 and chat.results[0].categories
    classified = await do(client, "classifiers.classify", model="mistral-moderation-latest", inputs=texts[:1])
    assert len(classified.results) == 1
    target = next(iter(classified.results[0].values()))
    assert target.top_label in target.scores


@pytest.mark.vcr
async def test_classify_chat(client: Any) -> None:
    conversation = [*USER, {"role": "assistant", "content": "Ready."}]
    one = await do(client, "classifiers.classify_chat", model="mistral-moderation-latest", inputs=conversation)
    assert len(one.results) == 1
    target = next(iter(one.results[0].values()))
    assert target.top_label in target.scores
    several = [{"messages": conversation}, {"messages": USER}]
    many = await do(client, "classifiers.classify_chat", model="mistral-moderation-latest", inputs=several)
    assert len(many.results) == 2 and all(result for result in many.results)


@pytest.mark.vcr
async def test_fine_tuned_models(client: Any, files: dict[str, Path]) -> None:
    training = await do(client, "files.upload", file=files["jsonl"], purpose="fine-tune")
    job = await do(
        client, "fine_tuning.jobs.create", model="open-mistral-7b", hyperparameters={"training_steps": 1},
        training_files=[training.id], suffix="models",
    )  # fmt: skip
    done = await do(client, "fine_tuning.jobs.wait", job.id, poll_interval=0.01)
    model_id = done.fine_tuned_model
    assert done.status == "SUCCESS" and model_id
    updated = await do(client, "models.update", model_id, name="Cassette model", description="renamed")
    assert (updated.id, updated.name, updated.description) == (model_id, "Cassette model", "renamed")
    assert updated.archived is False and updated.job == job.id
    archived = await do(client, "models.archive", model_id)
    assert (archived.id, archived.archived) == (model_id, True)
    unarchived = await do(client, "models.unarchive", model_id)
    assert (unarchived.id, unarchived.archived) == (model_id, False)
    card = await do(client, "models.retrieve", model_id)
    assert card.id == model_id
    assert (await do(client, "models.delete", model_id)).deleted


@pytest.mark.vcr
async def test_conversations(client: Any) -> None:
    started = await do(client, "conversations.start", inputs="Say hello.", model="mistral-medium-latest")
    cid = started.conversation_id
    assert cid and any(isinstance(e, MessageOutputEntry) for e in started.outputs)
    appended = await do(client, "conversations.append", cid, inputs="And goodbye.")
    assert appended.conversation_id == cid and appended.output_text
    events = await collect(client.conversations.append_stream(cid, inputs="One more word."))
    assert isinstance(events[0], ConversationResponseStartedEvent)
    assert isinstance(events[-1], ConversationResponseDoneEvent)
    assert any(isinstance(e, MessageOutputDeltaEvent) for e in events)
    history = await do(client, "conversations.get_history", cid)
    assert history.conversation_id == cid and len(history.entries) >= 4
    first = history.entries[0].id
    restarted = await do(client, "conversations.restart", cid, from_entry_id=first, inputs="Start over.")
    assert restarted.conversation_id
    streamed = await collect(client.conversations.start_stream(inputs="Hi.", model="mistral-medium-latest"))
    assert isinstance(streamed[-1], ConversationResponseDoneEvent)
    assert cid in [c.id for c in await do(client, "conversations.list", page_size=100)]
    assert (await do(client, "conversations.get", cid)).id == cid
    messages = await do(client, "conversations.get_messages", cid)
    assert messages.conversation_id == cid and messages.messages
    assert await do(client, "conversations.delete", cid) is None


@pytest.mark.vcr
async def test_libraries(client: Any, files: dict[str, Path]) -> None:
    library = await do(client, "libraries.create", name="Cassette library", description="test")
    assert library.id and library.name == "Cassette library"
    assert library.id in [lib.id for lib in (await do(client, "libraries.list", page_size=100)).data]
    assert (await do(client, "libraries.get", library.id)).id == library.id
    assert (await do(client, "libraries.update", library.id, name="Renamed")).name == "Renamed"
    document = await do(client, "libraries.documents.upload", library.id, file=files["pdf"])
    assert document.id and document.name == "sample.pdf"
    listed = await do(client, "libraries.documents.list", library.id, page_size=10)
    assert [d.id for d in listed.data] == [document.id]
    assert (await do(client, "libraries.documents.get", library.id, document.id)).id == document.id
    status = await do(client, "libraries.documents.status", library.id, document.id)
    assert status.process_status or status.processing_status
    text = await do(client, "libraries.documents.text_content", library.id, document.id)
    assert isinstance(text.text, str)
    assert (await do(client, "libraries.documents.get_signed_url", library.id, document.id)).startswith("http")
    renamed = await do(client, "libraries.documents.update", library.id, document.id, name="renamed.pdf")
    assert renamed.name == "renamed.pdf"
    assert await do(client, "libraries.documents.delete", library.id, document.id) is None
    await do(client, "libraries.delete", library.id)
