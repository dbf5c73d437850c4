"""Batch jobs: created QUEUED, advanced RUNNING → SUCCESS by successive GETs, really executed.

Inline ``requests`` (or JSONL ``input_files``) run through the same handlers as live calls; the results
become an output file in Mistral's batch JSONL format, and are inlined with ``GET ...?inline=true``.
"""

from __future__ import annotations

from typing import Any

from ._json import dumps, loads
from .files import store_file
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

__all__ = ["BATCH_ROUTES"]

_FIELDS = ("input_files", "requests", "endpoint", "model", "agent_id", "metadata", "timeout_hours")
_OPEN = ("QUEUED", "RUNNING")


def _requests_jsonl(requests: list[Any]) -> bytes:
    return b"\n".join(dumps(r) for r in requests) + b"\n"


def create(state: FakeState, call: Call) -> Reply:
    body = json_object(call)
    if isinstance(body, ErrorReply):
        return body
    err = check_fields(body, required=("endpoint",), allowed=_FIELDS if state.config.strict else None)
    if err is not None:
        return err
    requests = body.get("requests")
    input_files = list(body.get("input_files") or [])
    if requests:
        if not isinstance(requests, list) or not all(isinstance(r, dict) and "body" in r for r in requests):
            return api_error(400, "Each inline request must be an object with a 'body'")
        meta = store_file(state, "batch_requests.jsonl", _requests_jsonl(requests), "batch")
        input_files = [meta["id"]]
    elif not input_files:
        return api_error(400, "Either input_files or requests must be provided")
    for fid in input_files:
        if fid not in state.files:
            return not_found("File", str(fid))
    ident = state.ids.uuid("batch")
    job: dict[str, Any] = {
        "id": ident,
        "object": "batch",
        "input_files": input_files,
        "metadata": body.get("metadata"),
        "endpoint": body["endpoint"],
        "model": body.get("model"),
        "agent_id": body.get("agent_id"),
        "output_file": None,
        "error_file": None,
        "errors": [],
        "outputs": None,
        "status": "QUEUED",
        "created_at": state.now(),
        "total_requests": 0,
        "completed_requests": 0,
        "succeeded_requests": 0,
        "failed_requests": 0,
        "started_at": None,
        "completed_at": None,
    }
    state.batch_jobs[ident] = {"job": job, "polls": 0, "outputs": None}
    return JsonReply(dict(job))


def _load_requests(state: FakeState, job: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for fid in job["input_files"]:
        stored = state.files.get(fid)
        for line in (stored.data if stored else b"").splitlines():
            if not line.strip():
                continue
            try:
                item = loads(line)
            except ValueError:
                job["errors"].append({"message": f"Invalid JSON line in file {fid}", "count": 1})
                continue
            if isinstance(item, dict):
                out.append(item)
    return out


def _execute(state: FakeState, record: dict[str, Any]) -> None:
    job = record["job"]
    ok_lines: list[bytes] = []
    err_lines: list[bytes] = []
    for n, item in enumerate(record.get("requests") or []):
        body = dict(item.get("body") or {})
        body.pop("stream", None)
        key = "agent_id" if str(job["endpoint"]).startswith("/v1/agents") else "model"
        if job.get(key) and key not in body:
            body[key] = job[key]
        status, raw = state.executor(job["endpoint"], body) if state.executor else (500, b"{}")
        line_id = f"batch-{job['id'][:8]}-{job['input_files'][0][:8]}-{n}".encode()
        custom_id = dumps(item.get("custom_id"))
        if status < 400:
            ok_lines.append(
                b'{"id":"'
                + line_id
                + b'","custom_id":'
                + custom_id
                + b',"response":{"status_code":%d,"body":' % status
                + raw
                + b'},"error":null}'
            )
        else:
            err_lines.append(
                b'{"id":"'
                + line_id
                + b'","custom_id":'
                + custom_id
                + b',"response":{"status_code":%d,"body":' % status
                + raw
                + b'},"error":{"message":"Request failed","code":%d}}' % status
            )
    if ok_lines:
        job["output_file"] = store_file(
            state,
            f"{job['id']}.jsonl",
            b"\n".join(ok_lines) + b"\n",
            "batch",
            sample_type="batch_result",
            source="mistral",
        )["id"]
    if err_lines:
        job["error_file"] = store_file(
            state,
            f"{job['id']}_error.jsonl",
            b"\n".join(err_lines) + b"\n",
            "batch",
            sample_type="batch_error",
            source="mistral",
        )["id"]
    record["outputs"] = [loads(line) for line in ok_lines + err_lines]
    job.update(
        completed_requests=len(ok_lines) + len(err_lines),
        succeeded_requests=len(ok_lines),
        failed_requests=len(err_lines),
        completed_at=state.now(),
        status="SUCCESS" if ok_lines or not err_lines else "FAILED",
    )


def _advance(state: FakeState, record: dict[str, Any]) -> None:
    record["polls"] += 1
    if record["polls"] % max(1, state.config.batch_steps):
        return
    job = record["job"]
    if job["status"] == "QUEUED":
        record["requests"] = _load_requests(state, job)
        job.update(status="RUNNING", started_at=state.now(), total_requests=len(record["requests"]))
    elif job["status"] == "RUNNING":
        _execute(state, record)
    elif job["status"] == "CANCELLATION_REQUESTED":
        job.update(status="CANCELLED", completed_at=state.now())


def _public(record: dict[str, Any], inline: bool) -> dict[str, Any]:
    job = dict(record["job"])
    job["outputs"] = record["outputs"] if inline else None
    return job


def get(state: FakeState, call: Call) -> Reply:
    record = state.batch_jobs.get(call.params["job_id"])
    if record is None:
        return not_found("Batch job", call.params["job_id"])
    _advance(state, record)
    return JsonReply(_public(record, query_bool(call.query, "inline")))


def list_jobs(state: FakeState, call: Call) -> Reply:
    q = call.query
    jobs = [
        r["job"]
        for r in state.batch_jobs.values()
        if ("status" not in q or r["job"]["status"] in q["status"].split(","))
        and ("model" not in q or r["job"]["model"] == q["model"])
    ]
    page, size = query_int(q, "page", 0), max(1, query_int(q, "page_size", 100))
    return JsonReply({"data": jobs[page * size : (page + 1) * size], "object": "list", "total": len(jobs)})


def cancel(state: FakeState, call: Call) -> Reply:
    record = state.batch_jobs.get(call.params["job_id"])
    if record is None:
        return not_found("Batch job", call.params["job_id"])
    if record["job"]["status"] in _OPEN:
        record["job"]["status"] = "CANCELLATION_REQUESTED"
    return JsonReply(_public(record, False))


def delete(state: FakeState, call: Call) -> Reply:
    ident = call.params["job_id"]
    if state.batch_jobs.pop(ident, None) is None:
        return not_found("Batch job", ident)
    return JsonReply({"id": ident, "object": "batch", "deleted": True})


BATCH_ROUTES = (
    ("POST", "/v1/batch/jobs", create),
    ("GET", "/v1/batch/jobs", list_jobs),
    ("GET", "/v1/batch/jobs/{job_id}", get),
    ("DELETE", "/v1/batch/jobs/{job_id}", delete),
    ("POST", "/v1/batch/jobs/{job_id}/cancel", cancel),
)
