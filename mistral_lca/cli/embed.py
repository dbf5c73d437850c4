"""``mistral-lca embed FILE``: one text per line in, JSONL ``{"index", "text", "embedding"}`` out, in order.

Lines are packed into requests bounded by input count and tokens (exact with the ``[tokenizer]`` extra, an
offline estimate otherwise) by the shared corpus runner (:mod:`mistral_lca.embedding_runs`), sent concurrently
(at most ``--max-concurrent-requests`` at a time) and written in input order as soon as every earlier request is
done, so memory stays bounded by the concurrency window, not the file. A request rejected as too large is split
and retried. ``--batch-api`` submits one batch job instead (cheaper, slower: see ``mistral-lca batch``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mistral_lca.embedding_batches import MAX_TOKENS_PER_REQUEST, EmbeddingPlan
from mistral_lca.embedding_runs import EmbeddedBatch, EmbeddingProgress, aiter_embeddings, plan_run

from ._commands import Subcommands, add_command
from ._config import build_async_client, positive_int
from ._context import Context, UsageError, require_file, require_output
from ._waiting import add_wait_options

if TYPE_CHECKING:
    from ._progress import Progress

__all__ = ["progress_note", "read_texts", "register"]

DEFAULT_EMBED_MODEL = "mistral-embed"
DEFAULT_BATCH_SIZE = 64
DEFAULT_CONCURRENCY = 4


def read_texts(source: str) -> tuple[list[str], int]:
    """The non-blank lines of ``source`` (``-`` = stdin), and how many blank lines were skipped."""
    if source == "-":
        lines = sys.stdin.read().splitlines()
    else:
        path = require_file(source, "input file")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise UsageError(f"{source} is not UTF-8 text") from None
    texts = [line for line in lines if line.strip()]
    return texts, len(lines) - len(texts)


def progress_note(state: EmbeddingProgress) -> str:
    """The progress line's note: tokens and requests so far, and rate-limit waits and 429s when there were any."""
    kind = "tokens" if state.exact_counts else "est. tokens"
    note = f"{state.tokens_done:,}/{state.tokens_total:,} {kind}, {state.requests_done:,} requests"
    if state.requests_split:
        note += f" ({state.requests_split} split)"
    if state.rate_limit_wait_seconds >= 0.05:
        note += f", waited {state.rate_limit_wait_seconds:.1f}s for rate limits"
    if state.rate_limited:
        note += f" ({state.rate_limited} x 429)"
    return note


@dataclass
class _Totals:
    prompt_tokens: int = 0
    requests: int = 0
    model: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)


class _Sink:
    """Where embeddings go: JSONL lines (``write_line``), or rows collected for one ``--json`` document."""

    def __init__(self, write_line: Callable[[bytes], object] | None) -> None:
        self._write_line = write_line
        self.totals = _Totals()

    def write(self, batch: EmbeddedBatch, texts: Sequence[str]) -> None:
        from mistral_lca._json import dumps

        totals = self.totals
        totals.prompt_tokens += batch.prompt_tokens
        totals.requests += batch.requests
        totals.model = totals.model or batch.model
        for index, vector in zip(range(batch.start, batch.stop), batch.vectors, strict=True):
            row = {"index": index, "text": texts[index], "embedding": vector}
            if self._write_line is None:
                totals.rows.append(row)
            else:
                self._write_line(dumps(row) + b"\n")


def _params(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {"model": args.model}
    if args.output_dimension is not None:
        params["output_dimension"] = args.output_dimension
    if args.output_dtype is not None:
        params["output_dtype"] = args.output_dtype
    return params


async def _embed_all(ctx: Context, plan: EmbeddingPlan, sink: _Sink, progress: Progress) -> None:
    client = build_async_client(ctx.args)
    params = _params(ctx.args)
    try:
        batches = aiter_embeddings(
            lambda texts, tokens: client.embeddings.create_counted(tokens, inputs=texts, **params),
            plan,
            max_concurrent_requests=ctx.args.max_concurrent_requests,
            progress=lambda state: progress.update(state.texts_done, note=progress_note(state)),
            limiter=client.rate_limiter,
        )
        async for batch in batches:
            sink.write(batch, plan.texts)
    finally:
        await client.close()


def _open_output(path: Path) -> tuple[Path, IO[bytes]]:
    part = path.with_name(path.name + ".part")
    try:
        return part, part.open("wb")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def _run(ctx: Context) -> int:
    args = ctx.args
    texts, blank = read_texts(args.file)
    if not texts:
        raise UsageError(f"{args.file} has no non-blank lines to embed")
    if args.output:
        require_output(args.output)
    if args.batch_api:
        return _run_batch_api(ctx, texts)
    plan = plan_run(
        texts,
        where="mistral-lca embed",
        model=args.model,
        texts_per_request=args.batch_size,
        max_tokens_per_request=args.max_batch_tokens,
        max_concurrent_requests=args.max_concurrent_requests,
    )
    skipped = f", {blank} blank line(s) skipped" if blank else ""
    counted = f"{plan.tokens:,} tokens" if plan.exact else f"~{plan.tokens:,} tokens, estimated"
    ctx.out.info(f"embedding {len(texts):,} texts ({counted}) in {len(plan):,} batch(es){skipped}")
    ctx.check_configuration()
    output: Path | None = Path(args.output) if args.output else None
    part: Path | None = None
    stream: IO[bytes] | None = None
    if output is not None:
        part, stream = _open_output(output)
        sink = _Sink(stream.write)
    elif ctx.out.json_mode:
        sink = _Sink(None)
    else:
        stdout = ctx.out.stdout
        sink = _Sink(lambda line: stdout.write(line.decode("utf-8")))
    progress = ctx.progress("embedding", total=len(texts) if len(plan) > 1 else None, unit="texts")
    try:
        with progress:
            asyncio.run(_embed_all(ctx, plan, sink, progress))
        if part is not None and output is not None:
            assert stream is not None
            stream.close()
            os.replace(part, output)
    finally:
        if part is not None:
            if stream is not None and not stream.closed:
                stream.close()
            part.unlink(missing_ok=True)
    _report(ctx, sink.totals, plan, output)
    return 0


def _run_batch_api(ctx: Context, texts: list[str]) -> int:
    """One batch job for all texts (``client.batch.run_embeddings``); failed texts get an ``error`` line."""
    import time

    from ._output import format_time

    args = ctx.args
    ctx.out.info(f"embedding {len(texts):,} texts through one batch job ({args.batch_size} texts per request)")

    def on_change(job: Any) -> None:
        counts = f" ({job.completed_requests}/{job.total_requests} requests)" if job.total_requests else ""
        ctx.out.info(f"[{format_time(time.time())}] batch job {job.id}: {job.status}{counts}")

    options = {k: v for k, v in _params(args).items() if k != "model"}
    results = ctx.client.batch.run_embeddings(
        texts,
        model=args.model,
        texts_per_request=args.batch_size,
        poll_interval=args.poll_interval,
        max_poll_interval=max(args.poll_interval, 60.0),
        timeout=args.wait_timeout,
        on_change=on_change,
        **options,
    )
    rows: list[dict[str, Any]] = []
    failed = 0
    for result in results:
        row: dict[str, Any] = {"index": result.index, "text": texts[result.index], "embedding": result.response}
        if result.error is not None:
            failed += 1
            row["error"] = result.error.message
        rows.append(row)
    _write_rows(ctx, rows)
    if failed:
        ctx.out.error(f"mistral-lca: error: {failed} of {len(texts)} texts could not be embedded")
        return 1
    return 0


def _write_rows(ctx: Context, rows: list[dict[str, Any]]) -> None:
    from mistral_lca._json import dumps

    output = ctx.args.output
    if output is None and ctx.out.json_mode:
        ctx.out.json({"model": ctx.args.model, "count": len(rows), "data": rows}, compact=True)
        return
    if output is None:
        for row in rows:
            ctx.out.stdout.write(dumps(row).decode("utf-8") + "\n")
        ctx.out.stdout.flush()
        return
    target = Path(output)
    part, stream = _open_output(target)
    try:
        with stream:
            for row in rows:
                stream.write(dumps(row) + b"\n")
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    if ctx.out.json_mode:
        ctx.out.json({"model": ctx.args.model, "count": len(rows), "output": str(target)})
    else:
        ctx.out.info(f"wrote {len(rows):,} embeddings to {target}")


def _report(ctx: Context, totals: _Totals, plan: EmbeddingPlan, output: Path | None) -> None:
    summary: dict[str, Any] = {
        "model": totals.model or ctx.args.model,
        "count": len(plan.texts),
        "batches": len(plan),
        "requests": totals.requests,
        "counted_tokens": plan.tokens,
        "exact_counts": plan.exact,
        "usage": {"prompt_tokens": totals.prompt_tokens, "total_tokens": totals.prompt_tokens},
    }
    if ctx.out.json_mode:
        if output is not None:
            ctx.out.json({**summary, "output": str(output)})
        else:
            ctx.out.json({**summary, "data": totals.rows}, compact=True)
        return
    where = f" -> {output}" if output is not None else ""
    ctx.out.info(
        f"embedded {len(plan.texts):,} texts with {summary['model']} ({totals.prompt_tokens:,} prompt tokens){where}"
    )


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    cmd = add_command(
        sub,
        "embed",
        help="embed a file of texts (one per line) into JSONL",
        parents=parents,
        handler=_run,
        description=__doc__,
        epilog=(
            "examples:\n"
            "  mistral-lca embed sentences.txt -o vectors.jsonl\n"
            "  cat notes.txt | mistral-lca embed - | head -1\n"
            "  mistral-lca embed corpus.txt --batch-api -o vectors.jsonl"
        ),
    )
    cmd.add_argument("file", metavar="FILE", help="UTF-8 text, one text per line ('-' reads stdin)")
    cmd.add_argument("-m", "--model", default=DEFAULT_EMBED_MODEL, help=f"model (default {DEFAULT_EMBED_MODEL})")
    cmd.add_argument("-o", "--output", metavar="PATH", help="write the JSONL here (default: stdout)")
    cmd.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help=f"max texts per request (default {DEFAULT_BATCH_SIZE})",
    )
    cmd.add_argument(
        "--max-batch-tokens",
        type=positive_int,
        default=MAX_TOKENS_PER_REQUEST,
        metavar="N",
        help=f"max tokens per request (default {MAX_TOKENS_PER_REQUEST:,}, Mistral's limit; exact with the"
        " [tokenizer] extra, estimated otherwise)",
    )
    cmd.add_argument(
        "-j",
        "--max-concurrent-requests",
        type=positive_int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"requests in flight at once (default {DEFAULT_CONCURRENCY})",
    )
    cmd.add_argument("--output-dimension", type=positive_int, metavar="N", help="vector size (codestral-embed)")
    cmd.add_argument(
        "--output-dtype", choices=("float", "int8", "uint8", "binary", "ubinary"), help="vector type (codestral-embed)"
    )
    cmd.add_argument(
        "--batch-api", action="store_true", help="use one batch job instead of direct requests (slower, cheaper)"
    )
    add_wait_options(cmd, interval=5.0)
