"""``client.fine_tuning.jobs`` and ``client.models.update / archive / unarchive``, in both URL forms."""

from __future__ import annotations

import json
from typing import Any

import pytest
from client_support import Recorder, assert_request, build_client, call, error, ok

from mistral_lca import InvalidRequestError, ServerError
from mistral_lca.types.fine_tuning import (
    ArchiveFTModelResponse,
    FineTunedModel,
    FineTuningJob,
    FineTuningJobDryRun,
    FineTuningJobList,
    UnarchiveFTModelResponse,
)

JOB = {
    "id": "ft-1",
    "object": "job",
    "job_type": "completion",
    "model": "open-mistral-7b",
    "status": "QUEUED",
    "auto_start": True,
    "training_files": ["tf-1"],
    "hyperparameters": {"training_steps": 10, "learning_rate": 0.0001},
    "created_at": 1,
    "modified_at": 1,
}


async def test_list_sends_every_filter(make_client: Any, form: str) -> None:
    rec = Recorder(ok({"data": [JOB], "object": "list", "total": 1}))
    page = await call(
        make_client(rec),
        "fine_tuning.jobs.list",
        page=1,
        page_size=50,
        model="open-mistral-7b",
        created_after="2026-01-01T00:00:00Z",
        created_before="2026-02-01T00:00:00Z",
        created_by_me=False,
        status="RUNNING",
        wandb_project="proj",
        wandb_name="run",
        suffix="mine",
    )
    assert isinstance(page, FineTuningJobList) and page.data[0].id == "ft-1"
    query = [
        ("page", "1"),
        ("page_size", "50"),
        ("model", "open-mistral-7b"),
        ("created_after", "2026-01-01T00:00:00Z"),
        ("created_before", "2026-02-01T00:00:00Z"),
        ("created_by_me", "false"),
        ("status", "RUNNING"),
        ("wandb_project", "proj"),
        ("wandb_name", "run"),
        ("suffix", "mine"),
    ]
    assert_request(rec.last, "GET", form, "/v1/fine_tuning/jobs", query=query, json_body=None)


async def test_create_wraps_file_ids_and_sends_the_body(make_client: Any, form: str) -> None:
    rec = Recorder(ok(JOB))
    job = await call(
        make_client(rec),
        "fine_tuning.jobs.create",
        model="open-mistral-7b",
        hyperparameters={"training_steps": 10, "learning_rate": 0.0001},
        training_files=["tf-1", {"file_id": "tf-2", "weight": 0.5}],
        suffix="mine",
        auto_start=False,
        integrations=[{"project": "proj", "api_key": "k" * 40}],
    )
    assert isinstance(job, FineTuningJob) and job.status == "QUEUED"
    body = {
        "model": "open-mistral-7b",
        "hyperparameters": {"training_steps": 10, "learning_rate": 0.0001},
        "training_files": [{"file_id": "tf-1"}, {"file_id": "tf-2", "weight": 0.5}],
        "suffix": "mine",
        "auto_start": False,
        "integrations": [{"type": "wandb", "project": "proj", "api_key": "k" * 40}],
    }
    assert_request(rec.last, "POST", form, "/v1/fine_tuning/jobs", json_body=body)


async def test_create_dry_run_returns_estimates(make_client: Any, form: str) -> None:
    estimate = {"object": "job.metadata", "expected_duration_seconds": 300, "cost": 2.5, "train_tokens": 1000}
    rec = Recorder(ok(estimate))
    result = await call(
        make_client(rec), "fine_tuning.jobs.create", model="m", hyperparameters={"training_steps": 1}, dry_run=True
    )
    assert isinstance(result, FineTuningJobDryRun) and result.cost == 2.5
    assert_request(rec.last, "POST", form, "/v1/fine_tuning/jobs", query=[("dry_run", "true")])
    assert "dry_run" not in json.loads(rec.last.content)


async def test_create_is_not_retried_but_a_dry_run_is(mode: str) -> None:
    rec = Recorder(error(503), ok(JOB))
    with pytest.raises(ServerError):
        await call(build_client(mode, rec), "fine_tuning.jobs.create", model="m", hyperparameters={})
    assert len(rec.requests) == 1
    rec = Recorder(error(503), ok({"object": "job.metadata", "cost": 1.0}))
    await call(build_client(mode, rec), "fine_tuning.jobs.create", model="m", hyperparameters={}, dry_run=True)
    assert len(rec.requests) == 2


@pytest.mark.parametrize(
    ("method", "http_method", "suffix"),
    [("get", "GET", ""), ("cancel", "POST", "/cancel"), ("start", "POST", "/start")],
)
async def test_job_endpoints(make_client: Any, form: str, method: str, http_method: str, suffix: str) -> None:
    rec = Recorder(ok({**JOB, "events": [{"name": "status-updated", "data": {"status": "QUEUED"}, "created_at": 1}]}))
    job = await call(make_client(rec), f"fine_tuning.jobs.{method}", "ft-1")
    assert job.events[0].name == "status-updated"
    assert_request(rec.last, http_method, form, "/v1/fine_tuning/jobs/{job_id}" + suffix, {"job_id": "ft-1"})


async def test_fine_tuned_model_update_archive_unarchive(make_client: Any, form: str) -> None:
    model: dict[str, Any] = {"id": "ft:open-mistral-7b:abc", "object": "model", "name": "New", "archived": False}
    rec = Recorder(
        ok(model),
        ok({"id": model["id"], "object": "model", "archived": True}),
        ok({"id": model["id"], "object": "model", "archived": False}),
    )
    client = make_client(rec)
    updated = await call(client, "models.update", model["id"], name="New", description="Tuned")
    assert isinstance(updated, FineTunedModel) and updated.name == "New"
    params = {"model_id": model["id"]}
    assert_request(
        rec.last,
        "PATCH",
        form,
        "/v1/fine_tuning/models/{model_id}",
        params,
        json_body={"name": "New", "description": "Tuned"},
    )
    archived = await call(client, "models.archive", model["id"])
    assert isinstance(archived, ArchiveFTModelResponse) and archived.archived
    assert_request(rec.last, "POST", form, "/v1/fine_tuning/models/{model_id}/archive", params, json_body=None)
    unarchived = await call(client, "models.unarchive", model["id"])
    assert isinstance(unarchived, UnarchiveFTModelResponse) and not unarchived.archived
    assert_request(rec.last, "DELETE", form, "/v1/fine_tuning/models/{model_id}/archive", params)


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("fine_tuning.jobs.create", {"model": "", "hyperparameters": {}}, "model"),
        ("fine_tuning.jobs.create", {"model": "m"}, "hyperparameters"),
        ("fine_tuning.jobs.get", {"job_id": ""}, "job_id"),
        ("fine_tuning.jobs.start", {"job_id": None}, "job_id"),
        ("models.archive", {"model_id": " "}, "model_id"),
    ],
)
async def test_bad_calls_are_rejected_before_sending(make_client: Any, name: str, kwargs: Any, message: str) -> None:
    rec = Recorder(ok(JOB))
    with pytest.raises(InvalidRequestError, match=message):
        await call(make_client(rec), name, **kwargs)
    assert rec.requests == []
