"""``mistral-lca fine-tune create|list|get|start|cancel|wait``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._commands import Subcommands, add_command, add_group
from ._config import non_negative_int, positive_float, positive_int
from ._context import Context, require_file
from ._output import Column, format_time, render_fields, render_table
from ._waiting import add_wait_options, wait_for

if TYPE_CHECKING:
    from mistral_lca.types.fine_tuning import FineTuningJob, FineTuningJobDryRun

__all__ = ["job_fields", "register"]

_STATUSES = (
    "QUEUED",
    "STARTED",
    "VALIDATING",
    "VALIDATED",
    "RUNNING",
    "FAILED_VALIDATION",
    "FAILED",
    "SUCCESS",
    "CANCELLED",
    "CANCELLATION_REQUESTED",
)

_COLUMNS = (
    Column("ID", lambda j: j.id, max_width=40),
    Column("MODEL", lambda j: j.model),
    Column("STATUS", lambda j: j.status),
    Column("FINE-TUNED MODEL", lambda j: j.fine_tuned_model, max_width=48),
    Column("SUFFIX", lambda j: j.suffix),
    Column("CREATED", lambda j: format_time(j.created_at)),
)


def job_fields(job: FineTuningJob) -> list[tuple[str, Any]]:
    hyper = job.hyperparameters
    meta = job.metadata
    cost = f"{meta.cost:g} {meta.cost_currency or ''}".strip() if meta is not None and meta.cost is not None else None
    fields: list[tuple[str, Any]] = [
        ("id", job.id),
        ("status", job.status),
        ("model", job.model),
        ("job type", job.job_type),
        ("fine-tuned model", job.fine_tuned_model),
        ("suffix", job.suffix),
        ("auto start", job.auto_start),
        ("training files", job.training_files),
        ("validation files", job.validation_files),
        ("training steps", hyper.training_steps),
        ("learning rate", hyper.learning_rate),
        ("epochs", hyper.epochs),
        ("trained tokens", job.trained_tokens),
        ("estimated cost", cost),
        ("created", format_time(job.created_at)),
        ("modified", format_time(job.modified_at)),
    ]
    if job.events:
        last = sorted(job.events, key=lambda e: e.created_at or 0)[-1]  # stable: the latest of equal times
        data = ", ".join(f"{k}={v}" for k, v in (last.data or {}).items())
        fields.append(("last event", f"{last.name or 'event'} {data} at {format_time(last.created_at)}"))
    if job.checkpoints:
        latest = max(job.checkpoints, key=lambda c: c.step_number or 0)
        fields.append(("latest checkpoint", f"step {latest.step_number}: train loss {latest.metrics.train_loss}"))
    return fields


def _dry_run_fields(estimate: FineTuningJobDryRun) -> list[tuple[str, Any]]:
    cost = f"{estimate.cost:g} {estimate.cost_currency or ''}".strip() if estimate.cost is not None else None
    return [
        ("estimated cost", cost),
        ("expected duration (s)", estimate.expected_duration_seconds),
        ("train tokens", estimate.train_tokens),
        ("tokens per step", estimate.train_tokens_per_step),
        ("data tokens", estimate.data_tokens),
        ("training steps", estimate.training_steps),
        ("epochs", estimate.epochs),
    ]


def _looks_like_a_path(value: str) -> bool:
    """File ids are bare UUIDs; a value with a directory part, ``~`` or a file extension names a local file."""
    return "/" in value or "\\" in value or value.startswith(("~", ".")) or bool(Path(value).suffix)


def _file_sources(values: list[str] | None, what: str) -> list[str | Path]:
    """Each value as a local file to upload or a file id; a path that does not exist is a usage error (checked for
    every argument before anything is uploaded or sent)."""
    sources: list[str | Path] = []
    for value in values or ():
        path = Path(value).expanduser()
        if path.exists() or _looks_like_a_path(value):
            sources.append(require_file(value, what))
        else:
            sources.append(value)
    return sources


def _file_ids(ctx: Context, sources: list[str | Path]) -> list[str]:
    """File ids: ids as given; local files uploaded first (purpose fine-tune)."""
    from .files import upload_file

    ids: list[str] = []
    for source in sources:
        if isinstance(source, Path):
            uploaded = upload_file(ctx, source, purpose="fine-tune")
            ctx.out.info(f"uploaded {source.name} as {uploaded.id}")
            ids.append(uploaded.id)
        else:
            ids.append(source)
    return ids


def _hyperparameters(args: argparse.Namespace) -> dict[str, Any]:
    names = ("training_steps", "learning_rate", "epochs", "weight_decay", "warmup_fraction", "seq_len")
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def _show(ctx: Context, job: FineTuningJob) -> None:
    ctx.out.result(job, lambda: render_fields(job_fields(job)))


def _wait(ctx: Context, job_id: str) -> FineTuningJob:
    jobs = ctx.client.fine_tuning.jobs
    return wait_for(ctx, "fine-tuning", job_id, lambda: jobs.get(job_id), max_poll_interval=120.0)


def _create(ctx: Context) -> int:
    from mistral_lca.types.fine_tuning import FineTuningJobDryRun

    args = ctx.args
    training = _file_sources(args.training_file, "training file")
    validation_sources = _file_sources(args.validation_file, "validation file")
    params: dict[str, Any] = {
        "model": args.model,
        "hyperparameters": _hyperparameters(args),
        "training_files": _file_ids(ctx, training),
    }
    validation = _file_ids(ctx, validation_sources)
    if validation:
        params["validation_files"] = validation
    if args.suffix:
        params["suffix"] = args.suffix
    if args.no_auto_start:
        params["auto_start"] = False
    if args.dry_run:
        params["dry_run"] = True
    created = ctx.client.fine_tuning.jobs.create(**params)
    if isinstance(created, FineTuningJobDryRun):
        estimate = created
        ctx.out.result(estimate, lambda: render_fields(_dry_run_fields(estimate)))
        return 0
    if args.wait:
        ctx.out.info(f"created fine-tuning job {created.id}")
        created = _wait(ctx, created.id)
    _show(ctx, created)
    return 0


def _list(ctx: Context) -> int:
    args = ctx.args
    listing = ctx.client.fine_tuning.jobs.list(
        page=args.page, page_size=args.page_size, model=args.model, status=args.status
    )
    ctx.out.result(listing, lambda: render_table(listing.data, _COLUMNS, empty="(no fine-tuning jobs)"))
    return 0


def _get(ctx: Context) -> int:
    _show(ctx, ctx.client.fine_tuning.jobs.get(ctx.args.job_id))
    return 0


def _start(ctx: Context) -> int:
    _show(ctx, ctx.client.fine_tuning.jobs.start(ctx.args.job_id))
    return 0


def _cancel(ctx: Context) -> int:
    _show(ctx, ctx.client.fine_tuning.jobs.cancel(ctx.args.job_id))
    return 0


def _wait_command(ctx: Context) -> int:
    _show(ctx, _wait(ctx, ctx.args.job_id))
    return 0


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    group = add_group(sub, "fine-tune", help="create, follow and cancel fine-tuning jobs", parents=parents)

    cmd = add_command(
        group,
        "create",
        help="create a fine-tuning job",
        parents=parents,
        handler=_create,
        epilog=(
            "examples:\n"
            "  mistral-lca fine-tune create -m open-mistral-7b -t train.jsonl --training-steps 10 --wait\n"
            "  mistral-lca fine-tune create -m open-mistral-7b -t FILE_ID --dry-run"
        ),
    )
    cmd.add_argument("-m", "--model", required=True, help="base model to fine-tune")
    cmd.add_argument(
        "-t",
        "--training-file",
        action="append",
        required=True,
        metavar="FILE",
        help="training data: a file id, or a local .jsonl file to upload first (repeatable)",
    )
    cmd.add_argument(
        "-v", "--validation-file", action="append", metavar="FILE", help="validation data, like --training-file"
    )
    cmd.add_argument("--suffix", metavar="TEXT", help="added to the fine-tuned model's name (max 18 characters)")
    cmd.add_argument("--training-steps", type=positive_int, metavar="N")
    cmd.add_argument("--learning-rate", type=positive_float, metavar="LR")
    cmd.add_argument("--epochs", type=positive_float, metavar="N")
    cmd.add_argument("--weight-decay", type=float, metavar="X")
    cmd.add_argument("--warmup-fraction", type=float, metavar="X")
    cmd.add_argument("--seq-len", type=positive_int, metavar="N")
    cmd.add_argument("--no-auto-start", action="store_true", help="stop after validation (start it with `start`)")
    cmd.add_argument("--dry-run", action="store_true", help="only estimate cost and duration")
    cmd.add_argument("--wait", action="store_true", help="wait until the job is over")
    add_wait_options(cmd, interval=10.0)

    cmd = add_command(group, "list", help="list fine-tuning jobs", parents=parents, handler=_list)
    cmd.add_argument("--status", choices=_STATUSES, help="only jobs in this status")
    cmd.add_argument("-m", "--model", help="only jobs on this base model")
    cmd.add_argument("--page", type=non_negative_int, metavar="N", help="page number (from 0)")
    cmd.add_argument("--page-size", type=positive_int, metavar="N", help="jobs per page")

    for name, handler, text in (
        ("get", _get, "show a job (status, hyperparameters, last event)"),
        ("start", _start, "start a validated job created with --no-auto-start"),
        ("cancel", _cancel, "ask for a job to be cancelled"),
    ):
        cmd = add_command(group, name, help=text, parents=parents, handler=handler)
        cmd.add_argument("job_id", metavar="JOB_ID")

    cmd = add_command(
        group,
        "wait",
        help="wait for a job to finish, showing each status change",
        parents=parents,
        handler=_wait_command,
    )
    cmd.add_argument("job_id", metavar="JOB_ID")
    add_wait_options(cmd, interval=10.0)
