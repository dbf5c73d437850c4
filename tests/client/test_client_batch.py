"""``client.batch``: job endpoints in both URL forms, results, and batch-at-scale runs in input order."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from client_support import Recorder, assert_request, build_client, call, error, form_fields, multipart_parts, ok

from mistral_lca import InvalidRequestError, JobFailedError, ServerError
from mistral_lca.batching import BatchRequestError, chat_plan, embeddings_plan, encode_jsonl, parse_jsonl
from mistral_lca.types.batch import BatchJob, DeleteBatchJobResponse, ListBatchJobsResponse

JOB = {
    "id": "b-1",
    "object": "batch",
    "input_files": ["in-1"],
    "endpoint": "/v1/chat/completions",
    "model": "mistral-small-latest",
    "status": "QUEUED",
    "errors": [],
    "created_at": 1787150442,
}


def completion(text: str) -> dict[str, Any]:
    return {
        "id": f"c-{text}",
        "object": "chat.completion",
        "model": "mistral-small-latest",
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
    }


def line(custom_id: str, body: Any = None, status: int = 200, err: Any = None) -> dict[str, Any]:
    return {
        "id": f"batch-{custom_id}",
        "custom_id": custom_id,
        "response": {"status_code": status, "body": body},
        "error": err,
    }


def jsonl(*lines: dict[str, Any]) -> httpx.Response:
    content = "".join(json.dumps(item) + "\n" for item in lines).encode()
    return httpx.Response(200, content=content, headers={"content-type": "application/octet-stream"})


# ------------------------------------------------------------------------------------------- endpoints


async def test_create_from_input_files(make_client: Any, form: str) -> None:
    rec = Recorder(ok(JOB))
    job = await call(
        make_client(rec),
        "batch.jobs.create",
        endpoint="/v1/chat/completions",
        input_files=["in-1"],
        model="mistral-small-latest",
        metadata={"run": "7"},
        timeout_hours=48,
    )
    assert isinstance(job, BatchJob) and job.status == "QUEUED" and not job.is_terminal
    body = {
        "endpoint": "/v1/chat/completions",
        "input_files": ["in-1"],
        "model": "mistral-small-latest",
        "metadata": {"run": "7"},
        "timeout_hours": 48,
    }
    assert_request(rec.last, "POST", form, "/v1/batch/jobs", json_body=body)


async def test_create_with_inline_requests(make_client: Any) -> None:
    rec = Recorder(ok(JOB))
    requests = [{"custom_id": "0", "body": {"messages": [{"role": "user", "content": "2+2?"}]}}]
    await call(make_client(rec), "batch.jobs.create", endpoint="/v1/chat/completions", requests=requests, model="m")
    assert json.loads(rec.last.content)["requests"] == requests


async def test_create_is_not_retried_on_5xx(mode: str) -> None:
    rec = Recorder(error(500), ok(JOB))
    with pytest.raises(ServerError):
        await call(build_client(mode, rec), "batch.jobs.create", endpoint="/v1/embeddings", input_files=["f"])
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"endpoint": "/v1/embeddings"}, "either input_files or requests"),
        ({"endpoint": "/v1/embeddings", "input_files": ["a"], "requests": [{"body": {}}]}, "not both"),
        ({"endpoint": "/v1/embeddings", "input_files": [""]}, "input_files item"),
        ({"endpoint": "/v1/embeddings", "requests": [{"custom_id": "0"}]}, "body"),
    ],
)
async def test_create_rejects_bad_input(make_client: Any, kwargs: Any, message: str) -> None:
    rec = Recorder(ok(JOB))
    with pytest.raises(InvalidRequestError, match=message):
        await call(make_client(rec), "batch.jobs.create", **kwargs)
    assert rec.requests == []


async def test_list_with_filters(make_client: Any, form: str) -> None:
    rec = Recorder(ok({"data": [JOB], "object": "list", "total": 1}))
    page = await call(
        make_client(rec),
        "batch.jobs.list",
        page=0,
        page_size=20,
        model="mistral-small-latest",
        status=["RUNNING", "QUEUED"],
        created_by_me=True,
        metadata={"run": "7"},
        order_by="-created",
    )
    assert isinstance(page, ListBatchJobsResponse) and page.total == 1
    query = [
        ("page", "0"),
        ("page_size", "20"),
        ("model", "mistral-small-latest"),
        ("metadata", '{"run":"7"}'),
        ("created_by_me", "true"),
        ("status", "RUNNING"),
        ("status", "QUEUED"),
        ("order_by", "-created"),
    ]
    assert_request(rec.last, "GET", form, "/v1/batch/jobs", query=query)


async def test_get_cancel_delete(make_client: Any, form: str) -> None:
    rec = Recorder(
        ok({**JOB, "status": "SUCCESS", "outputs": [line("0", completion("4"))]}),
        ok({**JOB, "status": "CANCELLATION_REQUESTED"}),
        ok({"id": "b-1", "object": "batch", "deleted": True}),
    )
    client = make_client(rec)
    job = await call(client, "batch.jobs.get", "b-1", inline=True)
    assert job.outputs is not None and job.outputs[0].response is not None
    assert job.outputs[0].response.body["choices"][0]["message"]["content"] == "4"
    assert_request(rec.last, "GET", form, "/v1/batch/jobs/{job_id}", {"job_id": "b-1"}, [("inline", "true")])
    cancelled = await call(client, "batch.jobs.cancel", "b-1")
    assert cancelled.status == "CANCELLATION_REQUESTED" and not cancelled.is_terminal
    assert_request(rec.last, "POST", form, "/v1/batch/jobs/{job_id}/cancel", {"job_id": "b-1"}, json_body=None)
    assert isinstance(await call(client, "batch.jobs.delete", "b-1"), DeleteBatchJobResponse)
    assert_request(rec.last, "DELETE", form, "/v1/batch/jobs/{job_id}", {"job_id": "b-1"})


async def test_results_read_output_and_error_files(make_client: Any, form: str) -> None:
    done = {**JOB, "status": "SUCCESS", "output_file": "out-1", "error_file": "err-1"}
    rec = Recorder(
        ok(done),
        jsonl(line("1", completion("b")), line("0", completion("a"))),
        jsonl(line("2", {"object": "error", "message": "context too long"}, status=400)),
    )
    outputs = await call(make_client(rec), "batch.jobs.results", "b-1")
    assert [o.custom_id for o in outputs] == ["1", "0", "2"]
    assert_request(rec.requests[1], "GET", form, "/v1/files/{file_id}/content", {"file_id": "out-1"})
    assert_request(rec.requests[2], "GET", form, "/v1/files/{file_id}/content", {"file_id": "err-1"})


# ---------------------------------------------------------------------------------------------- planning


def test_chat_plan_validates_and_encodes_one_line_per_request() -> None:
    plan = chat_plan(
        [[{"role": "user", "content": "a"}], {"messages": [{"role": "user", "content": "b"}], "temperature": 0.1}],
        model="mistral-small-latest",
        max_tokens=5,
    )
    lines = [json.loads(x) for x in encode_jsonl(plan.bodies).decode().splitlines()]
    assert lines == [
        {"custom_id": "0", "body": {"messages": [{"role": "user", "content": "a"}], "max_tokens": 5}},
        {
            "custom_id": "1",
            "body": {"messages": [{"role": "user", "content": "b"}], "max_tokens": 5, "temperature": 0.1},
        },
    ]
    assert plan.endpoint == "/v1/chat/completions" and plan.model == "mistral-small-latest"


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ([], "must not be empty"),
        (["hello"], "expected chat parameters"),
        ([{"messages": []}], r"Invalid batch\[0\] chat request: messages must not be empty"),
        ([{"messages": [{"role": "user", "content": "x"}], "model": "other"}], "differs from the job's model"),
    ],
)
def test_chat_plan_rejects_bad_requests(requests: Any, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        chat_plan(requests, model="mistral-small-latest")


def test_results_come_back_in_input_order_with_per_request_errors() -> None:
    plan = chat_plan([[{"role": "user", "content": str(i)}] for i in range(5)], model="m")
    outputs = parse_jsonl(
        b"\n".join(
            json.dumps(x).encode()
            for x in [
                line("3", completion("three")),
                line("0", completion("zero")),
                line("1", {"object": "error", "message": "Prompt contains too many tokens", "code": "3051"}, 400),
                line("4", None, 500, err={"message": "internal", "code": 500}),
                line("4", completion("four")),  # a retried request: the success wins
            ]
        )
        + b"\n\n"
    )
    results = plan.results(outputs)
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert [r.ok for r in results] == [True, False, False, True, True]
    assert results[0].unwrap().choices[0].message.content == "zero"
    assert results[1].error is not None and results[1].error.status_code == 400 and results[1].error.code == "3051"
    assert results[1].error.message == "Prompt contains too many tokens"
    assert results[2].error is not None and "no result" in results[2].error.message
    assert results[4].unwrap().choices[0].message.content == "four"
    with pytest.raises(BatchRequestError, match="batch request 1 failed: Prompt contains too many tokens"):
        results[1].unwrap()


def test_embeddings_plan_groups_texts_and_splits_vectors_back() -> None:
    plan = embeddings_plan(["a", "b", "c", "d", "e"], model="mistral-embed", texts_per_request=2, output_dimension=3)
    assert [b["input"] for b in plan.bodies] == [["a", "b"], ["c", "d"], ["e"]]
    assert all(b["output_dimension"] == 3 and "model" not in b for b in plan.bodies)

    def embedding(*vectors: list[float]) -> dict[str, Any]:
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in reversed(list(enumerate(vectors)))]
        return {"id": "e", "object": "list", "model": "mistral-embed", "data": data}

    outputs = parse_jsonl(
        "\n".join(
            json.dumps(x)
            for x in [
                line("2", embedding([5.0])),
                line("0", embedding([1.0], [2.0])),
                line("1", {"message": "rate limited"}, 429),
            ]
        )
    )
    results = plan.results(outputs)
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert [r.response for r in results] == [[1.0], [2.0], None, None, [5.0]]
    assert results[2].error is not None and results[2].error.message == "rate limited"
    assert results[3].error is results[2].error


# ------------------------------------------------------------------------------------------ end to end


async def test_run_chat_uploads_creates_waits_downloads_and_orders(make_client: Any, form: str) -> None:
    rec = Recorder(
        ok({"id": "in-1", "object": "file", "purpose": "batch"}),
        ok({**JOB, "input_files": ["in-1"]}),
        ok({**JOB, "status": "RUNNING"}),
        ok({**JOB, "status": "SUCCESS", "output_file": "out-1", "error_file": "err-1"}),
        jsonl(line("1", completion("Jupiter")), line("0", completion("4"))),
        jsonl(line("2", None, 400, err="Invalid message role")),
    )
    client = make_client(rec)
    changes: list[str] = []
    results = await call(
        client,
        "batch.run_chat",
        [
            [{"role": "user", "content": "What is 2 + 2?"}],
            [{"role": "user", "content": "Largest planet?"}],
            {"messages": [{"role": "user", "content": "x"}], "max_tokens": 3},
        ],
        model="mistral-small-latest",
        temperature=0,
        poll_interval=2.0,
        on_change=lambda j: changes.append(j.status),
        job_metadata={"purpose": "test"},
    )
    assert [r.response.choices[0].message.content if r.ok else None for r in results] == ["4", "Jupiter", None]
    assert results[2].error is not None and results[2].error.message == "Invalid message role"
    assert changes == ["RUNNING", "SUCCESS"]  # polled after the create answered QUEUED
    assert client.sleeps == [2.0]

    upload, create = rec.requests[0], rec.requests[1]
    assert_request(upload, "POST", form, "/v1/files")
    assert form_fields(upload) == {"purpose": ["batch"]}
    part = multipart_parts(upload)[-1]
    assert (part.filename, part.content_type) == ("batch_input.jsonl", "application/jsonl")
    sent = [json.loads(x) for x in part.data.decode().splitlines()]
    assert [s["custom_id"] for s in sent] == ["0", "1", "2"]
    assert sent[0]["body"] == {"messages": [{"role": "user", "content": "What is 2 + 2?"}], "temperature": 0}
    assert_request(
        create,
        "POST",
        form,
        "/v1/batch/jobs",
        json_body={
            "endpoint": "/v1/chat/completions",
            "input_files": ["in-1"],
            "model": "mistral-small-latest",
            "metadata": {"purpose": "test"},
        },
    )


async def test_run_embeddings_returns_one_vector_per_text(make_client: Any) -> None:
    body = {"id": "e", "object": "list", "model": "mistral-embed", "data": [{"index": 0, "embedding": [0.5, 0.25]}]}
    rec = Recorder(
        ok({"id": "in-1", "object": "file"}),
        ok({**JOB, "endpoint": "/v1/embeddings"}),
        ok({**JOB, "status": "SUCCESS", "outputs": [line("1", body), line("0", body)]}),
    )
    results = await call(
        make_client(rec), "batch.run_embeddings", ["x", "y"], model="mistral-embed", texts_per_request=1
    )
    assert [r.unwrap() for r in results] == [[0.5, 0.25], [0.5, 0.25]]


async def test_run_chat_raises_when_the_job_fails(make_client: Any) -> None:
    rec = Recorder(
        ok({"id": "in-1", "object": "file"}),
        ok(JOB),
        ok({**JOB, "status": "FAILED", "errors": [{"message": "Input file is not valid JSONL", "count": 1}]}),
    )
    with pytest.raises(JobFailedError, match="Input file is not valid JSONL") as info:
        await call(make_client(rec), "batch.run_chat", [[{"role": "user", "content": "x"}]], model="m")
    assert info.value.job.id == "b-1"


async def test_run_chat_validates_before_any_request(make_client: Any) -> None:
    rec = Recorder(ok(JOB))
    with pytest.raises(InvalidRequestError):
        await call(make_client(rec), "batch.run_chat", [[{"role": "user"}]], model="m")
    assert rec.requests == []
