"""Fine-tuning job and fine-tuned model models."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mistral_lca.types.fine_tuning import (
    FINE_TUNING_TERMINAL_STATUSES,
    ArchiveFTModelResponse,
    ClassifierTarget,
    ClassifierTrainingParameters,
    CompletionTrainingParameters,
    CreateFineTuningJobRequest,
    FineTunedModel,
    FineTuningJob,
    FineTuningJobDryRun,
    FineTuningJobList,
    FineTuningJobStatus,
    GithubRepository,
    TrainingFile,
    UnarchiveFTModelResponse,
    UpdateFTModelRequest,
    WandbIntegration,
    parse_create_fine_tuning_job_response,
)

JOB = {
    "id": "7ad642c1-fc6f-4b07-a4a0-6b8e2da7ff3d",
    "auto_start": True,
    "model": "open-mistral-7b",
    "status": "RUNNING",
    "job_type": "completion",
    "created_at": 1716963433,
    "modified_at": 1716963500,
    "training_files": ["e85980c9-409e-4a46-9304-36588f6292b0"],
    "validation_files": [],
    "object": "job",
    "fine_tuned_model": None,
    "suffix": "my-great-model",
    "integrations": [{"type": "wandb", "project": "ft", "name": None, "run_name": "r1", "url": "https://wandb.ai/x"}],
    "trained_tokens": None,
    "metadata": {
        "expected_duration_seconds": 220,
        "cost": 10,
        "cost_currency": "EUR",
        "train_tokens_per_step": 131072,
        "train_tokens": 1310720,
        "data_tokens": 305375,
        "estimated_start_time": None,
    },
    "hyperparameters": {
        "training_steps": 10,
        "learning_rate": 0.0001,
        "weight_decay": 0.1,
        "warmup_fraction": 0.05,
        "epochs": None,
        "seq_len": None,
        "fim_ratio": 0.9,
    },
    "repositories": [],
}

DETAILED = {
    **JOB,
    "status": "SUCCESS",
    "fine_tuned_model": "ft:open-mistral-7b:587a6b29:20240514:7e773925",
    "trained_tokens": 1310720,
    "events": [
        {"name": "status-updated", "data": {"status": "RUNNING"}, "created_at": 1716963440},
        {"name": "status-updated", "data": {"status": "SUCCESS"}, "created_at": 1716964000},
    ],
    "checkpoints": [
        {
            "metrics": {"train_loss": 1.2, "valid_loss": 1.3, "valid_mean_token_accuracy": 0.71},
            "step_number": 10,
            "created_at": 1716963900,
        }
    ],
}


def test_create_request_body() -> None:
    req = CreateFineTuningJobRequest(
        model="open-mistral-7b",
        hyperparameters=CompletionTrainingParameters(training_steps=10, learning_rate=0.0001),
        training_files=["file-a", TrainingFile(file_id="file-b", weight=2.0)],
        validation_files=["file-v"],
        suffix="mine",
        integrations=[WandbIntegration(project="ft", api_key="k" * 40)],
        auto_start=False,
    )
    assert req.to_body() == {
        "model": "open-mistral-7b",
        "hyperparameters": {"training_steps": 10, "learning_rate": 0.0001},
        "training_files": [{"file_id": "file-a"}, {"file_id": "file-b", "weight": 2.0}],
        "validation_files": ["file-v"],
        "suffix": "mine",
        "integrations": [{"type": "wandb", "project": "ft", "api_key": "k" * 40}],
        "auto_start": False,
    }


def test_create_classifier_request_body() -> None:
    req = CreateFineTuningJobRequest(
        model="ministral-3b-latest",
        job_type="classifier",
        hyperparameters=ClassifierTrainingParameters(epochs=2.5),
        classifier_targets=[ClassifierTarget(name="topic", labels=["a", "b"], loss_function="single_class")],
        repositories=[GithubRepository(name="repo", owner="me", token="t")],
    )
    body = req.to_body()
    assert body["job_type"] == "classifier"
    assert body["hyperparameters"] == {"epochs": 2.5}
    assert body["classifier_targets"] == [{"name": "topic", "labels": ["a", "b"], "loss_function": "single_class"}]
    assert body["repositories"] == [{"type": "github", "name": "repo", "owner": "me", "token": "t"}]
    assert "training_files" not in body


def test_create_request_requires_model_and_hyperparameters() -> None:
    with pytest.raises(ValidationError):
        CreateFineTuningJobRequest(model="m")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        CreateFineTuningJobRequest(hyperparameters={})  # type: ignore[call-arg]
    # Plain dicts are accepted for nested parts.
    req = CreateFineTuningJobRequest(model="m", hyperparameters={"learning_rate": 1e-5})
    assert req.to_body() == {"model": "m", "hyperparameters": {"learning_rate": 1e-5}}


def test_job_summary_parses() -> None:
    job = FineTuningJob.model_validate(JOB)
    assert job.id == JOB["id"]
    assert job.status == FineTuningJobStatus.RUNNING
    assert job.is_terminal is False
    assert job.job_type == "completion"
    assert job.hyperparameters.training_steps == 10
    assert job.hyperparameters.fim_ratio == 0.9
    assert job.metadata is not None
    assert job.metadata.cost == 10
    assert job.metadata.cost_currency == "EUR"
    assert job.integrations is not None
    assert job.integrations[0].project == "ft"
    assert job.integrations[0].url == "https://wandb.ai/x"
    assert job.events == []
    assert job.checkpoints == []


def test_detailed_job_parses_events_and_checkpoints() -> None:
    job = FineTuningJob.model_validate(DETAILED)
    assert job.is_terminal is True
    assert job.fine_tuned_model == "ft:open-mistral-7b:587a6b29:20240514:7e773925"
    assert job.trained_tokens == 1310720
    assert [e.data for e in job.events] == [{"status": "RUNNING"}, {"status": "SUCCESS"}]
    assert job.checkpoints[0].step_number == 10
    assert job.checkpoints[0].metrics.valid_mean_token_accuracy == 0.71


def test_classifier_job_and_tolerance() -> None:
    job = FineTuningJob.model_validate(
        {
            "id": "j2",
            "job_type": "classifier",
            "status": "BRAND_NEW_STATE",
            "hyperparameters": {"learning_rate": 0.0001},
            "classifier_targets": [
                {"name": "topic", "labels": ["a", "b"], "weight": 1.0, "loss_function": "single_class"}
            ],
            "surprise": True,
        }
    )
    assert job.status == "BRAND_NEW_STATE"
    assert job.is_terminal is False
    assert job.classifier_targets is not None
    assert job.classifier_targets[0].labels == ["a", "b"]
    assert job.model_extra == {"surprise": True}
    assert job.training_files == []


def test_job_list() -> None:
    listing = FineTuningJobList.model_validate({"data": [JOB, DETAILED], "object": "list", "total": 2})
    assert listing.total == 2
    assert [j.status for j in listing.data] == ["RUNNING", "SUCCESS"]


def test_create_response_job_or_dry_run() -> None:
    job = parse_create_fine_tuning_job_response(JOB)
    assert isinstance(job, FineTuningJob)

    dry = parse_create_fine_tuning_job_response(
        {
            "expected_duration_seconds": 220,
            "cost": 10,
            "cost_currency": "EUR",
            "train_tokens_per_step": 131072,
            "train_tokens": 1310720,
            "data_tokens": 305375,
            "deprecated": True,
            "details": "",
            "epochs": 4.2922,
            "training_steps": 10,
            "object": "job.metadata",
        }
    )
    assert isinstance(dry, FineTuningJobDryRun)
    assert dry.epochs == 4.2922
    assert dry.train_tokens == 1310720


def test_terminal_statuses() -> None:
    assert {"SUCCESS", "FAILED", "FAILED_VALIDATION", "CANCELLED"} == FINE_TUNING_TERMINAL_STATUSES
    assert not FineTuningJobStatus.is_terminal("VALIDATED")
    assert not FineTuningJobStatus.is_terminal("CANCELLATION_REQUESTED")
    assert FineTuningJobStatus.is_terminal("FAILED_VALIDATION")


def test_fine_tuned_model_update_archive_unarchive() -> None:
    assert UpdateFTModelRequest(name="My model").to_body() == {"name": "My model"}
    assert UpdateFTModelRequest().to_body() == {}

    model = FineTunedModel.model_validate(
        {
            "id": "ft:open-mistral-7b:587a6b29:20240514:7e773925",
            "object": "model",
            "created": 1716963433,
            "owned_by": "org",
            "workspace_id": "ws",
            "root": "open-mistral-7b",
            "root_version": "0.1",
            "archived": False,
            "name": "My model",
            "description": None,
            "capabilities": {"completion_chat": True, "completion_fim": False, "function_calling": True},
            "max_context_length": 32768,
            "aliases": [],
            "job": "7ad642c1-fc6f-4b07-a4a0-6b8e2da7ff3d",
            "model_type": "completion",
        }
    )
    assert model.name == "My model"
    assert model.capabilities.function_calling is True
    assert model.capabilities.classification is False
    assert model.model_type == "completion"

    archived = ArchiveFTModelResponse.model_validate({"id": model.id, "object": "model", "archived": True})
    assert archived.archived is True
    assert ArchiveFTModelResponse.model_validate({"id": model.id}).archived is True
    unarchived = UnarchiveFTModelResponse.model_validate({"id": model.id})
    assert unarchived.archived is False
