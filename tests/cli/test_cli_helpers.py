"""The CLI's pure parts: batching plans, input parsing, tables, progress lines, stream aggregation."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest

from mistral_lca.cli._context import UsageError
from mistral_lca.cli._output import (
    Column,
    Output,
    format_bytes,
    format_cell,
    format_time,
    render_fields,
    render_table,
    to_jsonable,
)
from mistral_lca.cli._progress import Progress, progress_enabled
from mistral_lca.cli.batch import read_batch_input
from mistral_lca.cli.embed import progress_note, read_texts
from mistral_lca.cli.ocr import parse_pages
from mistral_lca.embedding_batches import plan_batches
from mistral_lca.embedding_runs import EmbeddingProgress, aiter_embeddings
from mistral_lca.tokens import estimate_tokens

# ------------------------------------------------------------------------------------------- embedding


def test_estimate_tokens_is_the_shared_generous_estimate() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("x" * 300) == 101
    assert estimate_tokens("é" * 30) == 21  # bytes, not characters


def test_read_texts_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("one\n\n  \ntwo\nthree\n", encoding="utf-8")
    assert read_texts(str(path)) == (["one", "two", "three"], 2)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(UsageError, match="not UTF-8"):
        read_texts(str(bad))


def test_progress_note_shows_tokens_requests_splits_and_waits() -> None:
    state = EmbeddingProgress(
        texts_done=5, texts_total=9, tokens_done=1200, tokens_total=2000, requests_done=3, exact_counts=True
    )
    assert progress_note(state) == "1,200/2,000 tokens, 3 requests"
    later = EmbeddingProgress(9, 9, 2000, 2000, 6, requests_split=1, rate_limited=2, rate_limit_wait_seconds=1.5)
    assert (
        progress_note(later) == "2,000/2,000 est. tokens, 6 requests (1 split), waited 1.5s for rate limits (2 x 429)"
    )


class _SlowEmbeddings:
    """Answers batch i only after every later batch in flight has answered (reverse completion order)."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls: list[list[str]] = []

    async def create(self, inputs: list[str], tokens: int) -> Any:
        from mistral_lca.types.embeddings import EmbeddingResponse

        self.calls.append(inputs)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        position = len(self.calls)
        for _ in range(10 - position):  # earlier calls yield more often: they finish later
            await asyncio.sleep(0)
        self.in_flight -= 1
        data = [{"index": i, "embedding": [float(len(t))]} for i, t in reversed(list(enumerate(inputs)))]
        return EmbeddingResponse.model_validate({"model": "m", "data": data, "usage": {"prompt_tokens": 1}})


async def _collect(create: Any, texts: list[str], concurrency: int, **kw: Any) -> list[Any]:
    plan = plan_batches(texts, max_inputs=2)
    return [b async for b in aiter_embeddings(create, plan, max_concurrent_requests=concurrency, **kw)]


def test_the_embed_runner_delivers_in_input_order_with_bounded_concurrency() -> None:
    texts = [f"text {'x' * i}" for i in range(9)]
    fake = _SlowEmbeddings()
    seen: list[EmbeddingProgress] = []
    batches = asyncio.run(_collect(fake.create, texts, 2, progress=seen.append))
    assert [b.start for b in batches] == [0, 2, 4, 6, 8]
    assert [v for b in batches for v in b.vectors] == [[float(len(t))] for t in texts]
    assert fake.max_in_flight == 2
    assert [p.requests_done for p in seen] == [1, 2, 3, 4, 5] and seen[-1].texts_done == 9


def test_the_embed_runner_stops_at_the_first_error() -> None:
    calls = 0

    async def failing(inputs: list[str], tokens: int) -> Any:
        nonlocal calls
        calls += 1
        raise RuntimeError("nope")

    with pytest.raises(RuntimeError, match="nope"):
        asyncio.run(_collect(failing, ["a"] * 20, 3))
    assert calls <= 3


# ------------------------------------------------------------------------------------------- batch input


def _write(tmp_path: Path, name: str, lines: list[Any]) -> str:
    path = tmp_path / name
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return str(path)


def test_batch_input_in_mistral_format_is_kept(tmp_path: Path) -> None:
    source = _write(tmp_path, "r.jsonl", [{"custom_id": "a", "body": {"input": "x"}}, {"custom_id": "b", "body": {}}])
    data = read_batch_input(source, "/v1/embeddings")
    assert data.endpoint == "/v1/embeddings"
    assert data.rewritten is False
    assert [line["custom_id"] for line in data.lines] == ["a", "b"]


def test_batch_input_openai_style_lines_give_the_endpoint(tmp_path: Path) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}]}
    source = _write(
        tmp_path, "r.jsonl", [{"custom_id": "1", "method": "POST", "url": "/v1/chat/completions", "body": body}]
    )
    data = read_batch_input(source, None)
    assert data.endpoint == "/v1/chat/completions"
    assert data.rewritten is True
    assert data.lines == [{"custom_id": "1", "body": body}]
    assert json.loads(data.jsonl()) == {"custom_id": "1", "body": body}
    with pytest.raises(UsageError, match="differs"):
        read_batch_input(source, "/v1/embeddings")


def test_batch_input_bare_bodies_get_custom_ids(tmp_path: Path) -> None:
    source = _write(tmp_path, "r.jsonl", [{"input": "a"}, "", {"input": "b"}])
    data = read_batch_input(source, "/v1/moderations")
    assert data.lines == [{"custom_id": "0", "body": {"input": "a"}}, {"custom_id": "1", "body": {"input": "b"}}]
    assert data.rewritten is True


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        (None, {"messages": [{"role": "user", "content": "What is 2+2?"}]}),
        ("/v1/embeddings", {"input": "What is 2+2?"}),
        ("/v1/fim/completions", {"prompt": "What is 2+2?"}),
        ("/v1/chat/moderations", {"input": [{"role": "user", "content": "What is 2+2?"}]}),
    ],
)
def test_batch_input_plain_text_becomes_requests(tmp_path: Path, endpoint: str | None, body: dict[str, Any]) -> None:
    source = _write(tmp_path, "q.txt", ["What is 2+2?", "", "Name a colour"])
    data = read_batch_input(source, endpoint)
    assert data.endpoint == (endpoint or "/v1/chat/completions")
    assert data.lines[0] == {"custom_id": "0", "body": body}
    assert len(data.lines) == 2 and data.lines[1]["custom_id"] == "1"


def test_batch_input_errors_name_the_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"r.jsonl:2: expected a JSON object"):
        read_batch_input(_write(tmp_path, "r.jsonl", [{"input": "a"}, "not json", {"input": "b"}]), None)
    mixed = [{"url": "/v1/embeddings", "body": {}}, {"url": "/v1/chat/completions", "body": {}}]
    with pytest.raises(UsageError, match="mixes endpoints"):
        read_batch_input(_write(tmp_path, "m.jsonl", mixed), None)
    with pytest.raises(UsageError, match="no requests"):
        read_batch_input(_write(tmp_path, "e.jsonl", ["", " "]), None)
    with pytest.raises(UsageError, match="not supported"):
        read_batch_input(_write(tmp_path, "p.txt", ["hello"]), "/v1/ocr")


# ------------------------------------------------------------------------------------------------ output


def test_render_table_aligns_columns_and_clips_long_cells() -> None:
    rows = [{"id": "a", "n": 5, "note": "x" * 100}, {"id": "bbbb", "n": 12345, "note": None}]
    columns = [
        Column("ID", lambda r: r["id"]),
        Column("N", lambda r: r["n"], right=True),
        Column("NOTE", lambda r: r["note"], max_width=10),
    ]
    lines = render_table(rows, columns).splitlines()
    assert lines[0].split() == ["ID", "N", "NOTE"]
    assert lines[1] == "a         5  xxxxxxxxx…"
    assert lines[2] == "bbbb  12345  -"
    assert render_table([], columns, empty="(nothing)") == "(nothing)"


def test_render_fields_and_cells() -> None:
    text = render_fields([("id", "abc"), ("flag", True), ("tags", ["a", "b"]), ("none", None)])
    assert text.splitlines() == ["id:   abc", "flag: yes", "tags: a, b", "none: -"]
    assert format_cell("multi\nline\ttext") == "multi line text"
    assert format_cell(0.1234567891) == "0.123457"
    assert format_bytes(None) == "-"
    assert format_bytes(100) == "100 B"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(5 * 1024**3) == "5.0 GiB"
    assert format_time(0) == "1970-01-01 00:00:00"
    assert format_time(None) == "-"


def test_to_jsonable_dumps_models_with_extra_fields() -> None:
    from mistral_lca.types.files import FileObject

    item = FileObject.model_validate({"id": "f1", "bytes": 3, "future_field": {"x": 1}})
    data = to_jsonable({"items": [item]})
    assert data["items"][0]["id"] == "f1"
    assert data["items"][0]["future_field"] == {"x": 1}


def test_output_json_and_quiet() -> None:
    out, err = io.StringIO(), io.StringIO()
    output = Output(json_mode=True, quiet=True, stdout=out, stderr=err)
    output.result({"a": [1, 2]}, lambda: "never rendered")
    output.info("a note")
    output.json({"vector": [0.5, 1.0]}, compact=True)
    first, second = out.getvalue().split("\n}\n")
    assert json.loads(first + "}") == {"a": [1, 2]}
    assert json.loads(second) == {"vector": [0.5, 1.0]}
    assert err.getvalue() == ""


# ---------------------------------------------------------------------------------------------- progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_enabled_modes() -> None:
    assert progress_enabled("auto", _Tty()) is True
    assert progress_enabled("auto", io.StringIO()) is False
    assert progress_enabled("always", io.StringIO()) is True
    assert progress_enabled("never", _Tty()) is False


def test_progress_render() -> None:
    bar = Progress("embedding", stream=io.StringIO(), enabled=True, total=200, unit="texts")
    bar.update(50, note="batch 2")
    line = bar.render(80)
    assert line.startswith("embedding [")
    assert " 25% 50/200 texts  batch 2" in line
    assert len(bar.render(30)) < 30
    uploads = Progress("uploading", stream=io.StringIO(), enabled=True, total=2048, unit="bytes")
    uploads.update(1024)
    assert "1.0 KiB/2.0 KiB" in uploads.render(100)
    spinner = Progress("waiting", stream=io.StringIO(), enabled=True)
    spinner.update(note="RUNNING (3s)")
    assert spinner.render(80) == "waiting  RUNNING (3s)"


def test_progress_draws_only_when_enabled_but_always_logs() -> None:
    shown, hidden = io.StringIO(), io.StringIO()
    for stream, enabled in ((shown, True), (hidden, False)):
        with Progress("job", stream=stream, enabled=enabled, total=3) as bar:
            bar.advance()
            bar.log("status: RUNNING")
            bar.update(3)
    assert "\r" in shown.getvalue() and "100%" in shown.getvalue()
    assert shown.getvalue().endswith("\n")
    assert hidden.getvalue() == "status: RUNNING\n"
    quiet = io.StringIO()
    Progress("job", stream=quiet, enabled=False, quiet=True).log("status")
    assert quiet.getvalue() == ""


def test_progress_file_reports_bytes_read(tmp_path: Path) -> None:
    from mistral_lca.cli.files import ProgressFile

    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 10_000)
    bar = Progress("uploading", stream=io.StringIO(), enabled=True, total=10_000, unit="bytes")
    with ProgressFile(path, bar) as handle:
        assert handle.mode == "rb"
        while handle.read(4096):
            pass
        assert bar.done == 10_000
        handle.seek(0)  # a retry re-reads from the start
        assert bar.done == 0


def test_parse_pages() -> None:
    assert parse_pages(None) is None
    assert parse_pages("0,2, 5") == [0, 2, 5]
    assert parse_pages("0-3") == "0-3"
    with pytest.raises(UsageError):
        parse_pages("one")


# ------------------------------------------------------------------------------------- stream aggregation


def _event(content: Any = None, **extra: Any) -> Any:
    from mistral_lca.types.chat import CompletionEvent

    choice = {"index": 0, "delta": {"content": content, **extra.pop("delta", {})}, **extra.pop("choice", {})}
    return CompletionEvent.model_validate({"data": {"id": "c1", "model": "m", "choices": [choice], **extra}})


def test_consume_stream_echoes_text_and_aggregates_everything() -> None:
    from mistral_lca.cli._context import Context
    from mistral_lca.cli.chat import consume_stream

    out, err = io.StringIO(), io.StringIO()
    ctx = Context(argparse_namespace(), Output(json_mode=False, quiet=False, stdout=out, stderr=err))
    events = [
        _event("", delta={"role": "assistant"}),
        _event([{"type": "thinking", "thinking": [{"type": "text", "text": "hmm"}]}]),
        _event("Hel"),
        _event([{"type": "text", "text": "lo"}]),
        _event(
            None,
            delta={"tool_calls": [{"id": "t1", "index": 0, "function": {"name": "f", "arguments": '{"a": '}}]},
        ),
        _event(None, delta={"tool_calls": [{"index": 0, "function": {"name": "", "arguments": "1}"}}]}),
        _event(
            None,
            choice={"finish_reason": "tool_calls"},
            usage={"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        ),
    ]
    message = consume_stream(ctx, events, echo=True, show_thinking=True)
    assert out.getvalue() == "Hello\n"
    assert "hmm" in err.getvalue() and '[tool call] f({"a": 1})' in err.getvalue()
    data = message.as_json()
    assert data["message"]["content"] == "Hello"
    assert data["thinking"] == "hmm"
    assert data["message"]["tool_calls"] == [
        {"id": "t1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    ]
    assert data["finish_reason"] == "tool_calls"
    assert data["usage"]["total_tokens"] == 5


def argparse_namespace(**values: Any) -> Any:
    import argparse

    from mistral_lca.cli._config import apply_global_defaults

    return apply_global_defaults(argparse.Namespace(**values))
