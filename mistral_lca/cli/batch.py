"""``mistral-lca batch submit|list|get|cancel|wait|results``: batch inference jobs.

``submit`` takes a JSONL file of requests — Mistral's ``{"custom_id", "body"}`` lines, OpenAI-style lines
with a ``url`` (the endpoint is read from them), or bare request bodies — or a plain text file with one
input per line, turned into requests for ``--endpoint`` (a user message for chat, the input for
embeddings, moderation and classification, the prompt for FIM).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._commands import Subcommands, add_command, add_group
from ._config import non_negative_int, positive_int
from ._context import Context, UsageError, require_file, require_output
from ._output import Column, format_time, render_fields, render_table
from ._waiting import add_wait_options, wait_for

if TYPE_CHECKING:
    from mistral_lca.types.batch import BatchJob, BatchJobOutput

__all__ = ["BatchInput", "job_fields", "read_batch_input", "register"]

_ENDPOINTS = (
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/fim/completions",
    "/v1/moderations",
    "/v1/chat/moderations",
    "/v1/ocr",
    "/v1/classifications",
    "/v1/chat/classifications",
    "/v1/conversations",
    "/v1/audio/transcriptions",
)
_STATUSES = ("QUEUED", "RUNNING", "SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLATION_REQUESTED", "CANCELLED")


# ------------------------------------------------------------------------------------------------ input


class BatchInput:
    """The requests of a ``submit`` file, as Mistral batch lines, and the endpoint they target."""

    def __init__(self, lines: list[dict[str, Any]], endpoint: str | None, *, rewritten: bool) -> None:
        self.lines = lines
        self.endpoint = endpoint
        self.rewritten = rewritten
        """True when the file is not already in Mistral's format (so the normalised lines are uploaded)."""

    def jsonl(self) -> bytes:
        return b"".join(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n" for line in self.lines)


def _prompt_body(endpoint: str, text: str) -> dict[str, Any]:
    if endpoint in ("/v1/chat/completions", "/v1/conversations"):
        return {"messages": [{"role": "user", "content": text}]}
    if endpoint in ("/v1/chat/moderations", "/v1/chat/classifications"):
        return {"input": [{"role": "user", "content": text}]}
    if endpoint == "/v1/fim/completions":
        return {"prompt": text}
    if endpoint in ("/v1/embeddings", "/v1/moderations", "/v1/classifications"):
        return {"input": text}
    raise UsageError(f"plain-text input is not supported for {endpoint}; give JSONL request bodies")


def _request_line(item: dict[str, Any], position: int, urls: set[str]) -> tuple[dict[str, Any], bool]:
    """One request in Mistral's ``{"custom_id", "body"}`` form, and whether the file's line differed from it.

    A line without ``body`` is the body itself; a missing ``custom_id`` becomes the request's position.
    An OpenAI-style ``url`` names the endpoint (collected in ``urls``); ``method`` is dropped.
    """
    body = item.get("body")
    if not isinstance(body, Mapping):
        return {"custom_id": str(position), "body": item}, True
    url = item.get("url")
    if isinstance(url, str):
        urls.add(url)
    custom_id = item.get("custom_id")
    line = {"custom_id": str(position if custom_id is None else custom_id), "body": dict(body)}
    return line, set(item) != {"custom_id", "body"} or not isinstance(custom_id, str)


def read_batch_input(source: str, endpoint: str | None) -> BatchInput:
    """Parse and check a ``submit`` file (usage errors name the offending line)."""
    path = require_file(source, "input file")
    try:
        raw_lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise UsageError(f"{source} is not UTF-8 text") from None
    numbered = [(n, line) for n, line in enumerate(raw_lines, 1) if line.strip()]
    if not numbered:
        raise UsageError(f"{source} has no requests")
    parsed: list[tuple[int, Any]] = []
    for number, line in numbered:
        try:
            parsed.append((number, json.loads(line)))
        except ValueError:
            parsed.append((number, None))
    objects = [isinstance(value, dict) for _, value in parsed]
    if not any(objects):  # plain text: one input per line
        target = endpoint or "/v1/chat/completions"
        prompts = [
            {"custom_id": str(i), "body": _prompt_body(target, text.strip())} for i, (_, text) in enumerate(numbered)
        ]
        return BatchInput(prompts, target, rewritten=True)
    if not all(objects):
        bad = next(number for (number, _), ok in zip(parsed, objects, strict=True) if not ok)
        raise UsageError(f"{source}:{bad}: expected a JSON object (a request) on every line")
    urls: set[str] = set()
    lines: list[dict[str, Any]] = []
    rewritten = False
    for position, (_, item) in enumerate(parsed):
        request, changed = _request_line(item, position, urls)
        lines.append(request)
        rewritten = rewritten or changed
    if len(urls) > 1:
        raise UsageError(f"{source} mixes endpoints ({', '.join(sorted(urls))}); one batch job has one endpoint")
    inferred = next(iter(urls), None)
    if endpoint and inferred and endpoint != inferred:
        raise UsageError(f"--endpoint {endpoint} differs from the file's url {inferred}")
    return BatchInput(lines, endpoint or inferred, rewritten=rewritten)


# ----------------------------------------------------------------------------------------------- output


def _counts(job: Any) -> tuple[int, int] | None:
    return (job.completed_requests, job.total_requests) if job.total_requests else None


def job_fields(job: BatchJob) -> list[tuple[str, Any]]:
    fields: list[tuple[str, Any]] = [
        ("id", job.id),
        ("status", job.status),
        ("endpoint", job.endpoint),
        ("model", job.model or job.agent_id),
        ("requests", f"{job.completed_requests}/{job.total_requests} done" if job.total_requests else None),
        ("succeeded", job.succeeded_requests),
        ("failed", job.failed_requests),
        ("input files", job.input_files),
        ("output file", job.output_file),
        ("error file", job.error_file),
        ("created", format_time(job.created_at)),
        ("started", format_time(job.started_at)),
        ("completed", format_time(job.completed_at)),
    ]
    if job.metadata:
        fields.append(("metadata", ", ".join(f"{k}={v}" for k, v in job.metadata.items())))
    for error in job.errors:
        fields.append(("error", f"{error.message} (x{error.count})" if error.count > 1 else error.message))
    return fields


_COLUMNS = (
    Column("ID", lambda j: j.id, max_width=40),
    Column("ENDPOINT", lambda j: j.endpoint),
    Column("MODEL", lambda j: j.model or j.agent_id),
    Column("STATUS", lambda j: j.status),
    Column("DONE", lambda j: f"{j.completed_requests}/{j.total_requests}", right=True),
    Column("FAILED", lambda j: j.failed_requests, right=True),
    Column("CREATED", lambda j: format_time(j.created_at)),
)


def _summary(output: BatchJobOutput) -> str:
    """A one-line digest of one result: the reply text, the vector count, the flags, or the error."""
    from mistral_lca.batching import item_error

    problem = item_error(output)
    if problem is not None:
        return f"error: {problem.message}"
    body = output.response.body if output.response is not None else None
    if isinstance(body, dict):
        choices = body.get("choices")
        if isinstance(choices, list) and choices:
            message = choices[0].get("message") or {}
            content = message.get("content")
            if isinstance(content, list):
                content = "".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
            if message.get("tool_calls"):
                names = [str((c.get("function") or {}).get("name")) for c in message["tool_calls"]]
                return f"tool calls: {', '.join(names)}"
            return str(content or "")
        data = body.get("data")
        if isinstance(data, list) and data and isinstance(data[0], dict) and "embedding" in data[0]:
            return f"{len(data)} embedding(s) of {len(data[0]['embedding'])} dimensions"
        results = body.get("results")
        if isinstance(results, list):
            flagged = [k for r in results if isinstance(r, dict) for k, v in (r.get("categories") or {}).items() if v]
            return f"flagged: {', '.join(flagged)}" if flagged else "not flagged"
        if isinstance(body.get("pages"), list):
            return f"{len(body['pages'])} page(s) of OCR"
    return json.dumps(body, ensure_ascii=False)[:200]


def _status_of(output: BatchJobOutput) -> Any:
    return output.response.status_code if output.response is not None else None


_RESULT_COLUMNS = (
    Column("CUSTOM ID", lambda o: o.custom_id, max_width=24),
    Column("STATUS", _status_of, right=True),
    Column("RESULT", _summary, max_width=80),
)


# --------------------------------------------------------------------------------------------- commands


def _endpoint(text: str) -> str:
    value = text if text.startswith("/") else "/" + text
    if not value.startswith("/v1/"):
        raise argparse.ArgumentTypeError(f"expected an API path such as {', '.join(_ENDPOINTS[:2])}, got {text!r}")
    return value


def _metadata(values: list[str] | None) -> dict[str, str] | None:
    if not values:
        return None
    out: dict[str, str] = {}
    for value in values:
        key, sep, item = value.partition("=")
        if not sep or not key:
            raise UsageError(f"--metadata expects KEY=VALUE, got {value!r}")
        out[key] = item
    return out


def _submit(ctx: Context) -> int:
    from .files import upload_file

    args = ctx.args
    data = read_batch_input(args.file, args.endpoint)
    if data.endpoint is None:
        raise UsageError("which endpoint? pass --endpoint (e.g. --endpoint /v1/chat/completions)")
    options: dict[str, Any] = {
        "endpoint": data.endpoint,
        "model": args.model,
        "agent_id": args.agent_id,
        "metadata": _metadata(args.metadata),
        "timeout_hours": args.timeout_hours,
    }
    options = {k: v for k, v in options.items() if v is not None}
    ctx.out.info(f"{len(data.lines)} request(s) for {data.endpoint}")
    jobs = ctx.client.batch.jobs
    if args.inline:
        job = jobs.create(requests=data.lines, **options)
    else:
        if data.rewritten:
            uploaded = ctx.client.files.upload(file=(Path(args.file).stem + ".jsonl", data.jsonl()), purpose="batch")
        else:
            uploaded = upload_file(ctx, Path(args.file), purpose="batch")
        ctx.out.info(f"uploaded the requests as file {uploaded.id}")
        job = jobs.create(input_files=[uploaded.id], **options)
    ctx.out.info(f"created batch job {job.id}")
    if args.wait:
        job = wait_for(ctx, "batch", job.id, lambda: jobs.get(job.id), counts=_counts)
    ctx.out.result(job, lambda: render_fields(job_fields(job)))
    return 0


def _list(ctx: Context) -> int:
    args = ctx.args
    listing = ctx.client.batch.jobs.list(page=args.page, page_size=args.page_size, model=args.model, status=args.status)
    ctx.out.result(listing, lambda: render_table(listing.data, _COLUMNS, empty="(no batch jobs)"))
    return 0


def _get(ctx: Context) -> int:
    job = ctx.client.batch.jobs.get(ctx.args.job_id)
    ctx.out.result(job, lambda: render_fields(job_fields(job)))
    return 0


def _cancel(ctx: Context) -> int:
    job = ctx.client.batch.jobs.cancel(ctx.args.job_id)
    ctx.out.result(job, lambda: render_fields(job_fields(job)))
    return 0


def _wait(ctx: Context) -> int:
    jobs = ctx.client.batch.jobs
    job_id = ctx.args.job_id
    job = wait_for(ctx, "batch", job_id, lambda: jobs.get(job_id), counts=_counts)
    ctx.out.result(job, lambda: render_fields(job_fields(job)))
    return 0


def _results(ctx: Context) -> int:
    destination = require_output(ctx.args.output) if ctx.args.output else None
    outputs = ctx.client.batch.jobs.results(ctx.args.job_id)
    if destination is not None:
        target = destination
        with target.open("w", encoding="utf-8") as handle:
            for output in outputs:
                handle.write(json.dumps(output.model_dump(mode="json"), ensure_ascii=False) + "\n")
        ctx.out.result(
            {"job_id": ctx.args.job_id, "path": str(target), "count": len(outputs)},
            lambda: f"wrote {len(outputs)} result(s) to {target}",
        )
        return 0
    ctx.out.result(outputs, lambda: render_table(outputs, _RESULT_COLUMNS, empty="(no results yet)"))
    return 0


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    group = add_group(sub, "batch", help="submit and follow batch inference jobs", parents=parents)

    cmd = add_command(
        group,
        "submit",
        help="submit a JSONL file of requests (or a text file of inputs) as a batch job",
        parents=parents,
        handler=_submit,
        description=__doc__,
        epilog=(
            "examples:\n"
            "  mistral-lca batch submit requests.jsonl --endpoint /v1/chat/completions -m mistral-small-latest --wait\n"
            "  mistral-lca batch submit questions.txt -m mistral-small-latest   # one user message per line"
        ),
    )
    cmd.add_argument("file", metavar="FILE", help="JSONL requests, or plain text with one input per line")
    cmd.add_argument(
        "-e",
        "--endpoint",
        type=_endpoint,
        metavar="PATH",
        help="target endpoint, e.g. /v1/chat/completions or /v1/embeddings (default: from the file, or chat)",
    )
    cmd.add_argument("-m", "--model", help="model for requests that do not name one")
    cmd.add_argument("--agent-id", help="agent for /v1/agents/completions style jobs")
    cmd.add_argument("--metadata", action="append", metavar="KEY=VALUE", help="job metadata (repeatable)")
    cmd.add_argument("--timeout-hours", type=positive_int, metavar="N", help="job timeout, 1 to 168 (API default 24)")
    cmd.add_argument("--inline", action="store_true", help="send the requests in the job itself (no file upload)")
    cmd.add_argument("--wait", action="store_true", help="wait until the job is over")
    add_wait_options(cmd, interval=5.0)

    cmd = add_command(group, "list", help="list batch jobs", parents=parents, handler=_list)
    cmd.add_argument("--status", action="append", choices=_STATUSES, help="only jobs in this status (repeatable)")
    cmd.add_argument("-m", "--model", help="only jobs for this model")
    cmd.add_argument("--page", type=non_negative_int, metavar="N", help="page number (from 0)")
    cmd.add_argument("--page-size", type=positive_int, metavar="N", help="jobs per page")

    cmd = add_command(group, "get", help="show a batch job", parents=parents, handler=_get)
    cmd.add_argument("job_id", metavar="JOB_ID")

    cmd = add_command(group, "cancel", help="ask for a batch job to be cancelled", parents=parents, handler=_cancel)
    cmd.add_argument("job_id", metavar="JOB_ID")

    cmd = add_command(
        group, "wait", help="wait for a batch job, showing progress and status changes", parents=parents, handler=_wait
    )
    cmd.add_argument("job_id", metavar="JOB_ID")
    add_wait_options(cmd, interval=5.0)

    cmd = add_command(
        group, "results", help="show (or save) a finished job's per-request results", parents=parents, handler=_results
    )
    cmd.add_argument("job_id", metavar="JOB_ID")
    cmd.add_argument("-o", "--output", metavar="PATH", help="write the results as JSONL here")
