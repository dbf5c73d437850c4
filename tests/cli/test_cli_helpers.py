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
from mistral_lca.cli.embed import Batch, embed_batches, plan_batches, read_texts
from mistral_lca.cli.ocr import parse_pages
from mistral_lca.embedding_batches import estimate_tokens

# ------------------------------------------------------------------------------------------- embedding


def test_estimate_tokens_is_the_shared_generous_estimate() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("x" * 300) == 101
    assert estimate_tokens("é" * 30) == 21  # bytes, not characters


def test_plan_batches_respects_count_and_token_bounds() -> None:
    texts = ["a" * 30] * 10  # 11 estimated tokens each
    batches = plan_batches(texts, max_inputs=3, max_tokens=1000)
    assert [(b.start, b.stop) for b in batches] == [(0, 3), (3, 6), (6, 9), (9, 10)]
    batches = plan_batches(texts, max_inputs=100, max_tokens=25)
    assert [(b.start, b.stop) for b in batches] == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10)]
    assert all(b.tokens <= 25 for b in batches)


def test_plan_batches_gives_an_oversized_text_its_own_batch_and_covers_everything() -> None:
    texts = ["short", "x" * 4000, "short", "short"]
    batches = plan_batches(texts, max_inputs=10, max_tokens=50)
    assert [(b.start, b.stop) for b in batches] == [(0, 1), (1, 2), (2, 4)]
    assert plan_batches([], max_inputs=5, max_tokens=5) == []


def test_read_texts_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("one\n\n  \ntwo\nthree\n", encoding="utf-8")
    assert read_texts(str(path)) == (["one", "two", "three"], 2)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(UsageError, match="not UTF-8"):
        read_texts(str(bad))


class _SlowEmbeddings:
    """Answers batch i only after every later batch in flight has answered (reverse completion order)."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls: list[list[str]] = []

    async def create(self, *, inputs: list[str], model: str) -> Any:
        from mistral_lca.types.embeddings import EmbeddingResponse

        self.calls.append(inputs)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        position = len(self.calls)
        for _ in range(10 - position):  # earlier calls yield more often: they finish later
            await asyncio.sleep(0)
        self.in_flight -= 1
        data = [{"index": i, "embedding": [float(len(t))]} for i, t in reversed(list(enumerate(inputs)))]
        return EmbeddingResponse.model_validate({"model": model, "data": data, "usage": {"prompt_tokens": 1}})


class _Client:
    def __init__(self) -> None:
        self.embeddings = _SlowEmbeddings()


def test_embed_batches_writes_in_input_order_with_bounded_concurrency() -> None:
    texts = [f"text {'x' * i}" for i in range(9)]
    batches = [Batch(i, min(i + 2, 9), 1) for i in range(0, 9, 2)]
    client = _Client()
    seen: list[tuple[int, list[list[float]]]] = []

    asyncio.run(
        embed_batches(
            client,  # type: ignore[arg-type]
            texts,
            batches,
            {"model": "mistral-embed"},
            concurrency=2,
            on_result=lambda batch, response: seen.append((batch.start, response.vectors())),
        )
    )
    assert [start for start, _ in seen] == [0, 2, 4, 6, 8]
    vectors = [v for _, vs in seen for v in vs]
    assert vectors == [[float(len(t))] for t in texts]
    assert client.embeddings.max_in_flight <= 2


def test_embed_batches_stops_at_the_first_error() -> None:
    class Failing:
        calls = 0

        async def create(self, *, inputs: list[str], model: str) -> Any:
            Failing.calls += 1
            raise RuntimeError("nope")

    client = type("C", (), {"embeddings": Failing()})()
    with pytest.raises(RuntimeError, match="nope"):
        asyncio.run(
            embed_batches(
                client,
                ["a"] * 10,
                [Batch(i, i + 1, 1) for i in range(10)],
                {"model": "m"},
                concurrency=3,
                on_result=lambda b, r: None,
            )
        )
    assert Failing.calls <= 3


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
