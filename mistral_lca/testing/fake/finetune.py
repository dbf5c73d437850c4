"""Legacy fine-tuning jobs (dry-run estimates, creation, status progression over GETs, cancel/start) and the
fine-tuned-model routes (``PATCH /v1/fine_tuning/models/{model_id}``, archive / unarchive)."""

from __future__ import annotations

from typing import Any

from .models import fine_tuned_card, fine_tuned_model_out
from .replies import (
    Call,
    ErrorReply,
    JsonReply,
    Reply,
    api_error,
    check_fields,
    json_object,
    not_found,
    query_bool,
    query_int,
)
from .state import FakeState

__all__ = ["FINETUNE_ROUTES"]

_NEXT_AUTO = {
    "QUEUED": "VALIDATING",
    "VALIDATING": "RUNNING",
    "RUNNING": "SUCCESS",
    "CANCELLATION_REQUESTED": "CANCELLED",
}
_NEXT_MANUAL = {
    "QUEUED": "VALIDATING",
    "VALIDATING": "VALIDATED",
    "RUNNING": "SUCCESS",
    "CANCELLATION_REQUESTED": "CANCELLED",
}
_FIELDS = (
    "model",
    "training_files",
    "validation_files",
    "suffix",
    "integrations",
    "auto_start",
    "invalid_sample_skip_percentage",
    "job_type",
    "hyperparameters",
    "repositories",
    "classifier_targets",
)


def _file_id(item: Any) -> str:
    """A ``TrainingFile`` (``{"file_id": ..., "weight": ...}``) or a bare id → the id."""
    return str(item.get("file_id") if isinstance(item, dict) else item)


def _train_tokens(state: FakeState, body: dict[str, Any]) -> int:
    total = 0
    for item in body.get("training_files") or ():
        stored = state.files.get(_file_id(item))
        total += len(stored.data) // 4 if stored else 0
    return max(total, 1000)


def create(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = check_fields(body, required=("model", "hyperparameters"), allowed=_FIELDS if state.config.strict else None)
    if err is not None:
        return err
    for item in body.get("training_files") or ():
        if _file_id(item) not in state.files:
            return not_found("File", _file_id(item))
    hyper = {
        "training_steps": 10,
        "learning_rate": 0.0001,
        "weight_decay": 0.1,
        "warmup_fraction": 0.05,
        "epochs": None,
        "seq_len": 32768,
        "fim_ratio": None,
        **(body.get("hyperparameters") or {}),
    }
    tokens = _train_tokens(state, body)
    if query_bool(call.query, "dry_run"):
        return JsonReply(
            {
                "object": "job.metadata",
                "expected_duration_seconds": 60,
                "cost": round(tokens * 4e-6, 6),
                "cost_currency": "USD",
                "train_tokens_per_step": tokens,
                "train_tokens": tokens * 10,
                "data_tokens": tokens,
                "estimated_start_time": None,
                "deprecated": True,
                "details": "",
                "epochs": 1.0,
                "training_steps": hyper["training_steps"],
                "checkpoints": [],
            }
        )
    ident = state.ids.uuid("ftjob")
    now = state.now()
    job: dict[str, Any] = {
        "id": ident,
        "auto_start": body.get("auto_start", True),
        "model": body["model"],
        "status": "QUEUED",
        "created_at": now,
        "modified_at": now,
        "training_files": [_file_id(item) for item in body.get("training_files") or ()],  # ids, as JobOut has them
        "validation_files": [_file_id(item) for item in body.get("validation_files") or ()],
        "object": "job",
        "fine_tuned_model": None,
        "suffix": body.get("suffix"),
        "integrations": body.get("integrations") or [],
        "trained_tokens": None,
        "metadata": {
            "expected_duration_seconds": 60,
            "cost": round(tokens * 4e-6, 6),
            "cost_currency": "USD",
            "train_tokens": tokens * 10,
        },
        "job_type": body.get("job_type", "completion"),
        "repositories": body.get("repositories") or [],
        "hyperparameters": hyper,
        "events": [],
        "checkpoints": [],
    }
    state.ft_jobs[ident] = {"job": job, "polls": 0}
    return JsonReply(_public(job))


def _public(job: dict[str, Any], detailed: bool = False) -> dict[str, Any]:
    out = dict(job)
    if not detailed:
        out.pop("events", None)
        out.pop("checkpoints", None)
    return out


def _set_status(state: FakeState, job: dict[str, Any], status: str) -> None:
    job["status"] = status
    job["modified_at"] = state.now()
    job["events"].append({"name": "status-updated", "data": {"status": status}, "created_at": state.now()})
    if status == "SUCCESS":
        suffix = job.get("suffix") or "fake"
        name = f"ft:{job['model']}:{job['id'][:8]}:{suffix}"
        job["fine_tuned_model"] = name
        job["trained_tokens"] = job["metadata"]["train_tokens"]
        state.ft_models[name] = fine_tuned_card(name, job["model"], job["id"], state.now())


def get(state: FakeState, call: Call) -> Reply:
    record = state.ft_jobs.get(call.params["job_id"])
    if record is None:
        return not_found("Job", call.params["job_id"])
    record["polls"] += 1
    job = record["job"]
    if record["polls"] % max(1, state.config.job_steps) == 0:
        nxt = (_NEXT_AUTO if job["auto_start"] else _NEXT_MANUAL).get(job["status"])
        if nxt:
            _set_status(state, job, nxt)
    return JsonReply(_public(job, detailed=True))


def list_jobs(state: FakeState, call: Call) -> Reply:
    q = call.query
    jobs = [
        _public(r["job"])
        for r in state.ft_jobs.values()
        if ("status" not in q or r["job"]["status"] == q["status"])
        and ("model" not in q or r["job"]["model"] == q["model"])
    ]
    page, size = query_int(q, "page", 0), max(1, query_int(q, "page_size", 100))
    return JsonReply(
        {
            "data": jobs[page * size : (page + 1) * size],
            "object": "list",
            "total": len(jobs),
            "has_more": (page + 1) * size < len(jobs),
        }
    )


def cancel(state: FakeState, call: Call) -> Reply:
    record = state.ft_jobs.get(call.params["job_id"])
    if record is None:
        return not_found("Job", call.params["job_id"])
    job = record["job"]
    if job["status"] not in ("SUCCESS", "FAILED", "CANCELLED"):
        _set_status(state, job, "CANCELLATION_REQUESTED")
    return JsonReply(_public(job, detailed=True))


def start(state: FakeState, call: Call) -> Reply:
    record = state.ft_jobs.get(call.params["job_id"])
    if record is None:
        return not_found("Job", call.params["job_id"])
    job = record["job"]
    if job["status"] not in ("VALIDATED", "QUEUED", "VALIDATING"):
        return api_error(400, f"Job {job['id']} cannot be started from status {job['status']}")
    job["auto_start"] = True
    _set_status(state, job, "RUNNING" if job["status"] == "VALIDATED" else job["status"])
    return JsonReply(_public(job, detailed=True))


def _ft_model(state: FakeState, call: Call) -> dict[str, Any] | ErrorReply:
    ident = call.params["model_id"]
    card = state.ft_models.get(ident)
    if card is None:
        return api_error(404, f"Model {ident} not found", type_="invalid_model", code="1500")
    return card


def update_model(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    allowed = ("name", "description") if state.config.strict else None
    err = check_fields(body, required=(), allowed=allowed)
    if err is not None:
        return err
    card = _ft_model(state, call)
    if isinstance(card, ErrorReply):
        return card
    for key in ("name", "description"):
        if body.get(key) is not None:
            card[key] = body[key]
    return JsonReply(fine_tuned_model_out(card))


def _set_archived(state: FakeState, call: Call, archived: bool) -> Reply:
    card = _ft_model(state, call)
    if isinstance(card, ErrorReply):
        return card
    card["archived"] = archived
    return JsonReply({"id": card["id"], "object": "model", "archived": archived})


def archive_model(state: FakeState, call: Call) -> Reply:
    return _set_archived(state, call, True)


def unarchive_model(state: FakeState, call: Call) -> Reply:
    return _set_archived(state, call, False)


FINETUNE_ROUTES = (
    ("POST", "/v1/fine_tuning/jobs", create),
    ("GET", "/v1/fine_tuning/jobs", list_jobs),
    ("GET", "/v1/fine_tuning/jobs/{job_id}", get),
    ("POST", "/v1/fine_tuning/jobs/{job_id}/cancel", cancel),
    ("POST", "/v1/fine_tuning/jobs/{job_id}/start", start),
    ("PATCH", "/v1/fine_tuning/models/{model_id}", update_model),
    ("POST", "/v1/fine_tuning/models/{model_id}/archive", archive_model),
    ("DELETE", "/v1/fine_tuning/models/{model_id}/archive", unarchive_model),
)
