"""Every command group through ``main(argv)``, against recorded LowCodeAPI traffic.

Cassettes are recorded against the local stand-in (``MISTRAL_LCA_RECORD_AGAINST=fake pytest tests/cli
--record-mode=once``) and replayed offline. ``--json`` output is parsed and checked structurally (ids,
fields, ordering), never for model prose, so a live re-recording passes too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_support import CliResult, RecordingStdout, invoke

Run = Callable[..., CliResult]

QUESTIONS = ["What is the capital of France?", "Name one primary colour.", "How many legs has a spider?"]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
WAV = (
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80>\x00\x00\x00}\x00\x00\x02\x00\x10\x00data"
    + bytes(4000)
)


@pytest.fixture
def cli(lca_settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``cli("models", "list")``: runs the CLI against the cassette (or the recording target)."""
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", lca_settings["api_token"])
    base = ["--base-url", lca_settings["base_url"], "--progress", "never"]

    def run(*argv: str) -> CliResult:
        return invoke(capsys, *argv, *base)

    return run


@pytest.fixture
def token(lca_settings: dict[str, Any]) -> str:
    return str(lca_settings["api_token"])


def _lines(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------------------------------------- models


@pytest.mark.vcr
def test_models_list_table_and_json(cli: Run) -> None:
    table = cli("models", "list")
    assert table.code == 0
    header, *rows = table.out.splitlines()
    assert header.split()[:2] == ["ID", "TYPE"]
    assert "CAPABILITIES" in header
    as_json = cli("models", "list", "--json")
    assert as_json.code == 0
    models = as_json.json()
    assert isinstance(models, list) and models
    assert all(isinstance(m["id"], str) and "capabilities" in m for m in models)
    assert len(rows) == len(models)
    assert [row.split()[0] for row in rows] == [m["id"] for m in models]


# ------------------------------------------------------------------------------------------------ chat


@pytest.mark.vcr
def test_chat_streams_tokens_to_stdout(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    stdout = RecordingStdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    result = cli("chat", "Count from one to five, words only.", "--max-tokens", "40", "--temperature", "0")
    assert result.code == 0
    text_writes = [w for w in stdout.writes if w.strip()]
    assert len(text_writes) >= 2, "the reply must be written piece by piece, as it streams"
    assert stdout.flushes >= len(text_writes)
    assert stdout.getvalue().strip()
    assert stdout.getvalue().endswith("\n")


@pytest.mark.vcr
def test_chat_json_prints_the_aggregated_message_and_usage(cli: Run) -> None:
    result = cli("chat", "Say hello.", "--system", "You are terse.", "--json", "--max-tokens", "20")
    assert result.code == 0
    data = result.json()
    assert data["message"]["role"] == "assistant"
    assert isinstance(data["message"]["content"], str) and data["message"]["content"].strip()
    assert data["model"] and data["id"]
    assert data["finish_reason"] in ("stop", "length")
    usage = data["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


# ---------------------------------------------------------------------------------------------- embed


@pytest.mark.vcr
def test_embed_writes_ordered_jsonl(cli: Run, tmp_path: Path) -> None:
    texts = [f"Sentence number {i} is about {'cheese' if i % 2 else 'bread'}." for i in range(7)]
    source = _lines(tmp_path / "texts.txt", [*texts[:3], "", *texts[3:]])
    result = cli("embed", source, "--batch-size", "2", "--max-concurrent-requests", "3")
    assert result.code == 0
    rows = [__import__("json").loads(line) for line in result.out.splitlines()]
    assert [row["index"] for row in rows] == list(range(7))
    assert [row["text"] for row in rows] == texts
    dims = {len(row["embedding"]) for row in rows}
    assert len(dims) == 1 and dims.pop() > 0
    assert "7 texts" in result.err and "4 batch(es)" in result.err and "1 blank line(s) skipped" in result.err

    output = tmp_path / "vectors.jsonl"
    summary = cli("embed", source, "--batch-size", "2", "-o", str(output), "--json")
    assert summary.code == 0
    info = summary.json()
    assert info["count"] == 7 and info["batches"] == 4 and info["output"] == str(output)
    assert info["usage"]["prompt_tokens"] > 0
    written = [__import__("json").loads(line) for line in output.read_text().splitlines()]
    assert [row["index"] for row in written] == list(range(7))
    assert not (tmp_path / "vectors.jsonl.part").exists()


@pytest.mark.vcr
def test_embed_json_without_output_is_one_document(cli: Run, tmp_path: Path) -> None:
    source = _lines(tmp_path / "texts.txt", ["alpha", "beta"])
    data = cli("embed", source, "--json").json()
    assert data["count"] == 2
    assert [row["index"] for row in data["data"]] == [0, 1]
    assert [row["text"] for row in data["data"]] == ["alpha", "beta"]


@pytest.mark.vcr
def test_embed_through_the_batch_api(cli: Run, tmp_path: Path) -> None:
    texts = ["first text", "second text", "third text"]
    source = _lines(tmp_path / "texts.txt", texts)
    result = cli("embed", source, "--batch-api", "--batch-size", "2", "--poll-interval", "0.01")
    assert result.code == 0
    rows = [__import__("json").loads(line) for line in result.out.splitlines()]
    assert [(row["index"], row["text"]) for row in rows] == list(enumerate(texts))
    assert all(row["embedding"] and "error" not in row for row in rows)
    assert "SUCCESS" in result.err


# ---------------------------------------------------------------------------------------------- files


@pytest.mark.vcr
def test_files_lifecycle(cli: Run, tmp_path: Path, token: str) -> None:
    content = b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}\n'
    path = tmp_path / "cli_training.jsonl"
    path.write_bytes(content)

    uploaded = cli("files", "upload", str(path), "--purpose", "fine-tune", "--json")
    assert uploaded.code == 0
    meta = uploaded.json()
    file_id = meta["id"]
    assert meta["filename"] == "cli_training.jsonl"
    assert meta["purpose"] == "fine-tune"
    assert meta["bytes"] == len(content)

    listing = cli("files", "list", "--purpose", "fine-tune", "--json").json()
    assert file_id in [item["id"] for item in listing["data"]]

    shown = cli("files", "get", file_id)
    assert shown.code == 0
    assert f"id:          {file_id}" in shown.out.splitlines()
    assert "cli_training.jsonl" in shown.out

    assert cli("files", "download", file_id).out.encode() == content
    target = tmp_path / "copy.jsonl"
    saved = cli("files", "download", file_id, "-o", str(target), "--json").json()
    assert saved == {"id": file_id, "path": str(target), "bytes": len(content)}
    assert target.read_bytes() == content

    deleted = cli("files", "delete", file_id, "--json").json()
    assert deleted["id"] == file_id and deleted["deleted"] is True

    gone = cli("files", "get", file_id)
    assert gone.code == 1
    assert gone.err.startswith("mistral-lca: error: NotFoundError: 404")
    assert gone.out == ""
    assert token not in gone.all_text


@pytest.mark.vcr
def test_api_error_exits_1_with_the_typed_message_and_no_token(cli: Run, token: str) -> None:
    result = cli("agents", "get", "ag_does_not_exist")
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("mistral-lca: error: NotFoundError: 404 Not Found")
    assert "ag_does_not_exist" in result.err
    assert token not in result.all_text
    assert "api_token" not in result.all_text


# ---------------------------------------------------------------------------------------------- batch


@pytest.mark.vcr
def test_batch_submit_wait_and_results(cli: Run, tmp_path: Path) -> None:
    source = _lines(tmp_path / "questions.txt", QUESTIONS)
    submitted = cli(
        "batch", "submit", source, "-m", "mistral-small-latest", "--wait", "--poll-interval", "0.01", "--json"
    )
    assert submitted.code == 0
    job = submitted.json()
    assert job["status"] == "SUCCESS"
    assert job["endpoint"] == "/v1/chat/completions"
    assert job["total_requests"] == job["succeeded_requests"] == len(QUESTIONS)
    assert job["output_file"]
    status_lines = [line for line in submitted.err.splitlines() if f"batch job {job['id']}:" in line]
    statuses = [line.split(": ", 1)[1].split()[0] for line in status_lines]
    assert statuses[-1] == "SUCCESS"
    assert len(statuses) >= 2 and len(set(statuses)) == len(statuses), "one line per status change"

    results = cli("batch", "results", job["id"], "--json").json()
    assert sorted(r["custom_id"] for r in results) == ["0", "1", "2"]
    assert all(r["response"]["status_code"] == 200 for r in results)
    assert all(r["response"]["body"]["choices"][0]["message"]["content"] for r in results)

    table = cli("batch", "results", job["id"])
    assert table.out.splitlines()[0].split() == ["CUSTOM", "ID", "STATUS", "RESULT"]
    assert len(table.out.splitlines()) == 1 + len(QUESTIONS)

    saved = tmp_path / "results.jsonl"
    assert cli("batch", "results", job["id"], "-o", str(saved)).code == 0
    assert len(saved.read_text().splitlines()) == len(QUESTIONS)

    listed = cli("batch", "list", "--json").json()
    assert job["id"] in [item["id"] for item in listed["data"]]
    shown = cli("batch", "get", job["id"])
    assert "status:      SUCCESS" in shown.out


@pytest.mark.vcr
def test_batch_wait_shows_status_changes(cli: Run, tmp_path: Path) -> None:
    lines = [
        '{"custom_id": "a", "body": {"input": ["one", "two"]}}',
        '{"custom_id": "b", "body": {"input": "three"}}',
    ]
    source = _lines(tmp_path / "embed_requests.jsonl", lines)
    created = cli(
        "batch", "submit", source, "--endpoint", "/v1/embeddings", "-m", "mistral-embed", "--inline", "--json"
    )
    assert created.code == 0
    job = created.json()
    assert job["status"] == "QUEUED"

    waited = cli("batch", "wait", job["id"], "--poll-interval", "0.01")
    assert waited.code == 0
    changes = [line for line in waited.err.splitlines() if f"batch job {job['id']}:" in line]
    assert [line.split(": ", 1)[1].split()[0] for line in changes] == ["RUNNING", "SUCCESS"]
    assert "(2/2 requests)" in changes[-1]
    assert "status:      SUCCESS" in waited.out


# -------------------------------------------------------------------------------------------- fine-tune


@pytest.mark.vcr
def test_fine_tune_dry_run(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "ft_dry.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n')
    result = cli(
        "fine-tune", "create", "-m", "open-mistral-7b", "-t", str(path), "--training-steps", "5", "--dry-run", "--json"
    )
    assert result.code == 0
    estimate = result.json()
    assert "id" not in estimate
    assert estimate["cost"] is not None and estimate["train_tokens_per_step"] > 0
    assert "uploaded ft_dry.jsonl as" in result.err


@pytest.mark.vcr
def test_fine_tune_create_wait_list_get(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "ft_train.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n')
    file_id = cli("files", "upload", str(path), "--json").json()["id"]
    created = cli(
        "fine-tune",
        "create",
        "-m",
        "open-mistral-7b",
        "-t",
        file_id,
        "--training-steps",
        "5",
        "--suffix",
        "cli",
        "--json",
    )
    assert created.code == 0
    job = created.json()
    assert job["status"] == "QUEUED" and job["model"] == "open-mistral-7b"

    waited = cli("fine-tune", "wait", job["id"], "--poll-interval", "0.01")
    assert waited.code == 0
    changes = [line.split(": ", 1)[1] for line in waited.err.splitlines() if f"fine-tuning job {job['id']}:" in line]
    assert changes[-1] == "SUCCESS"
    assert len(changes) >= 2
    assert "fine-tuned model: ft:" in waited.out

    listed = cli("fine-tune", "list", "--json").json()
    assert job["id"] in [item["id"] for item in listed["data"]]
    shown = cli("fine-tune", "get", job["id"], "--json").json()
    assert shown["status"] == "SUCCESS" and shown["fine_tuned_model"]


# ------------------------------------------------------------------------------------- ocr and audio


@pytest.mark.vcr
def test_ocr_local_pdf_and_url(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)
    text = cli("ocr", str(path))
    assert text.code == 0
    assert text.out.strip()
    assert "page(s)" in text.err

    data = cli("ocr", str(path), "--json").json()
    assert [page["index"] for page in data["pages"]] == list(range(len(data["pages"])))
    assert all(isinstance(page["markdown"], str) for page in data["pages"])
    assert data["usage_info"]["pages_processed"] == len(data["pages"])

    target = tmp_path / "out.md"
    saved = cli("ocr", "https://arxiv.org/pdf/2201.04234", "--pages", "0", "-o", str(target), "--json").json()
    assert saved["output"] == str(target) and saved["pages"] >= 1
    assert target.read_text().strip()


@pytest.mark.vcr
def test_transcribe_local_file(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "hello.wav"
    path.write_bytes(WAV)
    plain = cli("transcribe", str(path), "--language", "en")
    assert plain.code == 0
    assert plain.out.strip()

    data = cli("transcribe", str(path), "--timestamps", "segment", "--json").json()
    assert isinstance(data["text"], str) and data["text"].strip()
    assert data["model"]
    timed = cli("transcribe", str(path), "--timestamps", "segment")
    assert all(line.startswith("[") for line in timed.out.splitlines())


# ------------------------------------------------------------------------------------------ moderation


@pytest.mark.vcr
def test_moderate(cli: Run) -> None:
    table = cli("moderate", "I am going to hurt you.")
    assert table.code == 0
    first, _, header, *rows = table.out.splitlines()
    assert first.startswith(("flagged:", "not flagged"))
    assert header.split() == ["CATEGORY", "FLAGGED", "SCORE"]
    assert rows

    data = cli("moderate", "Have a lovely day.", "--json").json()
    (result,) = data["results"]
    assert set(result["categories"]) == set(result["category_scores"])
    assert all(isinstance(flag, bool) for flag in result["categories"].values())


# --------------------------------------------------------------------------------------------- agents


@pytest.mark.vcr
def test_agents_create_list_ask(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    created = cli(
        "agents",
        "create",
        "-m",
        "mistral-small-latest",
        "-n",
        "cli-helper",
        "--instructions",
        "Answer briefly.",
        "--json",
    )
    assert created.code == 0
    agent = created.json()
    assert agent["name"] == "cli-helper" and agent["model"] == "mistral-small-latest"
    assert agent["instructions"] == "Answer briefly."

    listed = cli("agents", "list", "--json").json()
    assert agent["id"] in [item["id"] for item in listed]
    table = cli("agents", "list")
    assert table.out.splitlines()[0].split()[:3] == ["ID", "NAME", "MODEL"]

    answer = cli("agents", "ask", agent["id"], "What is 2 + 2?", "--json").json()
    assert answer["agent_id"] == agent["id"]
    assert answer["message"]["role"] == "assistant" and answer["message"]["content"].strip()

    stdout = RecordingStdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    streamed = cli("agents", "ask", agent["id"], "Name three colours.")
    assert streamed.code == 0
    assert len([w for w in stdout.writes if w.strip()]) >= 2
    assert stdout.getvalue().strip()
