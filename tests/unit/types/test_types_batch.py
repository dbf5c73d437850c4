"""Batch job models: inline request bodies, job responses through their lifecycle, listings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mistral_lca.types.batch import (
    BATCH_TERMINAL_STATUSES,
    BatchJob,
    BatchJobStatus,
    BatchRequest,
    CreateBatchJobRequest,
    DeleteBatchJobResponse,
    ListBatchJobsResponse,
)

JOB_ID = "ca1cd668-91bd-4abb-accb-3541709c0db1"
_COMMON = {
    "id": JOB_ID,
    "object": "batch",
    "input_files": ["5cdf78f8-1ab4-4c3d-9d38-2dd9735dac5f"],
    "metadata": None,
    "endpoint": "/v1/chat/completions",
    "model": "mistral-small-latest",
    "agent_id": None,
    "error_file": None,
    "errors": [],
    "created_at": 1787150442,
}

# Shapes of real answers (create, then GET with inline=true once finished).
QUEUED = {
    **_COMMON,
    "output_file": None,
    "outputs": None,
    "status": "QUEUED",
    "total_requests": 0,
    "completed_requests": 0,
    "succeeded_requests": 0,
    "failed_requests": 0,
    "started_at": None,
    "completed_at": None,
}


def _chat_output(custom_id: str, content: str) -> dict[str, object]:
    return {
        "id": f"batch-ca1cd668-5cdf78f8-{custom_id}",
        "custom_id": custom_id,
        "response": {
            "status_code": 200,
            "body": {
                "id": "fda5638972e24544b2a2c35d377194d3",
                "object": "chat.completion",
                "model": "mistral-small-latest",
                "usage": {"prompt_tokens": 27, "completion_tokens": 2, "total_tokens": 29},
                "created": 1787150442,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content, "tool_calls": None},
                    }
                ],
            },
        },
        "error": None,
    }


SUCCESS = {
    **_COMMON,
    "output_file": "abbe56be-ac4c-4562-9586-d3046defca39",
    "outputs": [_chat_output("0", "4"), _chat_output("1", "Jupiter")],
    "status": "SUCCESS",
    "total_requests": 2,
    "completed_requests": 2,
    "succeeded_requests": 2,
    "failed_requests": 0,
    "started_at": 1787150442,
    "completed_at": 1787150467,
}


def test_create_request_with_inline_requests() -> None:
    req = CreateBatchJobRequest(
        endpoint="/v1/chat/completions",
        model="mistral-small-latest",
        requests=[
            BatchRequest(custom_id="0", body={"messages": [{"role": "user", "content": "2 + 2?"}]}),
            {"custom_id": "1", "body": {"messages": [{"role": "user", "content": "Largest planet?"}]}},
        ],
    )
    assert req.to_body() == {
        "endpoint": "/v1/chat/completions",
        "model": "mistral-small-latest",
        "requests": [
            {"custom_id": "0", "body": {"messages": [{"role": "user", "content": "2 + 2?"}]}},
            {"custom_id": "1", "body": {"messages": [{"role": "user", "content": "Largest planet?"}]}},
        ],
    }


def test_create_request_with_files_and_options() -> None:
    req = CreateBatchJobRequest(
        endpoint="/v1/embeddings",
        input_files=["file-1"],
        model="mistral-embed",
        metadata={"job": "nightly"},
        timeout_hours=48,
    )
    body = req.to_body()
    assert body == {
        "endpoint": "/v1/embeddings",
        "input_files": ["file-1"],
        "model": "mistral-embed",
        "metadata": {"job": "nightly"},
        "timeout_hours": 48,
    }
    assert "requests" not in body
    assert "agent_id" not in body


def test_create_request_requires_endpoint_and_body() -> None:
    with pytest.raises(ValidationError):
        CreateBatchJobRequest(model="m")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        BatchRequest(custom_id="0")  # type: ignore[call-arg]
    # A request without custom_id is fine (the API numbers them).
    assert BatchRequest(body={"input": "x"}).to_body() == {"body": {"input": "x"}}


def test_queued_job() -> None:
    job = BatchJob.model_validate(QUEUED)
    assert job.id == JOB_ID
    assert job.status == BatchJobStatus.QUEUED
    assert job.is_terminal is False
    assert job.input_files == ["5cdf78f8-1ab4-4c3d-9d38-2dd9735dac5f"]
    assert job.endpoint == "/v1/chat/completions"
    assert job.outputs is None
    assert job.errors == []
    assert job.started_at is None
    assert job.total_requests == 0


def test_finished_job_with_inline_outputs() -> None:
    job = BatchJob.model_validate(SUCCESS)
    assert job.status == "SUCCESS"
    assert job.is_terminal is True
    assert job.output_file == "abbe56be-ac4c-4562-9586-d3046defca39"
    assert (job.total_requests, job.completed_requests, job.succeeded_requests, job.failed_requests) == (
        2,
        2,
        2,
        0,
    )
    assert job.completed_at == 1787150467
    assert job.outputs is not None
    first = job.outputs[0]
    assert first.custom_id == "0"
    assert first.error is None
    assert first.response is not None
    assert first.response.status_code == 200
    assert first.response.body["choices"][0]["message"]["content"] == "4"
    assert job.outputs[1].response is not None
    assert job.outputs[1].response.body["choices"][0]["message"]["content"] == "Jupiter"


def test_job_errors_and_unknown_fields_and_status() -> None:
    job = BatchJob.model_validate(
        {
            "id": "j",
            "status": "PAUSED_FOR_MAINTENANCE",
            "errors": [{"message": "Invalid line 3", "count": 2}, {"message": "Timeout"}],
            "new_counter": 7,
        }
    )
    assert job.status == "PAUSED_FOR_MAINTENANCE"
    assert job.is_terminal is False
    assert [(e.message, e.count) for e in job.errors] == [("Invalid line 3", 2), ("Timeout", 1)]
    assert job.model_extra == {"new_counter": 7}
    assert job.total_requests == 0
    assert job.input_files == []


def test_terminal_statuses() -> None:
    assert {"SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLED"} == BATCH_TERMINAL_STATUSES
    assert BatchJobStatus.TERMINAL == BATCH_TERMINAL_STATUSES
    assert not BatchJobStatus.is_terminal("CANCELLATION_REQUESTED")
    assert not BatchJobStatus.is_terminal("RUNNING")
    assert not BatchJobStatus.is_terminal(None)
    assert BatchJobStatus.is_terminal("TIMEOUT_EXCEEDED")


def test_list_and_delete() -> None:
    listing = ListBatchJobsResponse.model_validate({"data": [QUEUED, SUCCESS], "object": "list", "total": 2})
    assert listing.total == 2
    assert [j.status for j in listing.data] == ["QUEUED", "SUCCESS"]
    assert ListBatchJobsResponse.model_validate({"total": 0}).data == []

    deleted = DeleteBatchJobResponse.model_validate({"id": JOB_ID, "object": "batch", "deleted": True})
    assert deleted.deleted is True
    assert DeleteBatchJobResponse.model_validate({"id": JOB_ID}).deleted is True
