"""The LowCodeAPI stand-in: files, batch, fine-tuning, models, agents, conversations, OCR, audio, libraries."""

from __future__ import annotations

import base64
import json

import httpx
from fake_support import MODEL, result

from mistral_lca.testing import FakeLowCodeAPI

PDF_3_PAGES = (
    b"%PDF-1.3\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R 4 0 R] /Count 3 >> endobj\n"
    b"2 0 obj << /Type /Page >> endobj\n3 0 obj << /Type /Page >> endobj\n"
    b"4 0 obj <</Type/Page>> endobj\n%%EOF\n"
)


def test_file_upload_download_roundtrip(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    payload = bytes(range(256)) * 10
    meta = result(
        http.post(
            fake.url("/v1/files"), files={"file": ("blob.pdf", payload, "application/pdf")}, data={"purpose": "ocr"}
        )
    )
    assert meta["object"] == "file"
    assert (meta["bytes"], meta["filename"], meta["purpose"], meta["sample_type"]) == (
        2560,
        "blob.pdf",
        "ocr",
        "ocr_input",
    )
    assert meta["mimetype"] == "application/pdf"
    rec = fake.last_request
    assert rec is not None and rec.json is None and len(rec.body) > 2560
    listed = result(http.get(fake.url("/v1/files")))
    assert listed["total"] == 1 and listed["data"][0]["id"] == meta["id"]
    download = http.get(fake.url(f"/v1/files/{meta['id']}/content"))
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.content == payload  # unwrapped, byte for byte
    signed = result(http.get(fake.url(f"/v1/files/{meta['id']}/url")))["url"]
    assert http.get(signed).content == payload
    assert result(http.delete(fake.url(f"/v1/files/{meta['id']}")))["deleted"] is True
    gone = http.get(fake.url(f"/v1/files/{meta['id']}"))
    assert gone.status_code == 404
    missing = http.post(fake.url("/v1/files"), files={"other": ("x", b"1")})
    assert missing.status_code == 422
    assert missing.json()["error"]["detail"][0]["loc"] == ["body", "file"]


def test_batch_job_progression_produces_output_jsonl(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    job = result(
        http.post(
            fake.url("/v1/batch/jobs"),
            json={
                "endpoint": "/v1/chat/completions",
                "model": MODEL,
                "requests": [
                    {"custom_id": "0", "body": {"messages": [{"role": "user", "content": "What is 2 + 2?"}]}},
                    {"custom_id": "1", "body": {"messages": [{"role": "user", "content": "Largest planet?"}]}},
                ],
            },
        )
    )
    assert (job["status"], job["total_requests"], job["output_file"]) == ("QUEUED", 0, None)
    assert len(job["input_files"]) == 1
    url = fake.url(f"/v1/batch/jobs/{job['id']}")
    running = result(http.get(url))
    assert (running["status"], running["total_requests"]) == ("RUNNING", 2)
    done = result(http.get(url))
    assert done["status"] == "SUCCESS"
    assert (done["completed_requests"], done["succeeded_requests"], done["failed_requests"]) == (2, 2, 0)
    assert done["outputs"] is None
    lines = [
        json.loads(line) for line in http.get(fake.url(f"/v1/files/{done['output_file']}/content")).text.splitlines()
    ]
    assert [line["custom_id"] for line in lines] == ["0", "1"]
    first = lines[0]
    assert set(first) == {"id", "custom_id", "response", "error"}
    assert first["error"] is None
    assert first["response"]["status_code"] == 200
    assert first["response"]["body"]["choices"][0]["message"]["content"] == "Echo: What is 2 + 2?"
    assert first["response"]["body"]["model"] == MODEL
    inline = result(http.get(fake.url(f"/v1/batch/jobs/{job['id']}", inline="true")))
    assert [o["custom_id"] for o in inline["outputs"]] == ["0", "1"]
    listed = result(http.get(fake.url("/v1/batch/jobs")))
    assert listed["total"] == 1


def test_batch_from_input_file_with_failures_and_cancel(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    lines = [
        {"custom_id": "a", "body": {"input": ["x", "y"]}},
        {"custom_id": "b", "body": {"input": ["z"], "bogus": 1}},
    ]
    upload = result(
        http.post(
            fake.url("/v1/files"),
            data={"purpose": "batch"},
            files={"file": ("in.jsonl", "\n".join(json.dumps(x) for x in lines).encode())},
        )
    )
    job = result(
        http.post(
            fake.url("/v1/batch/jobs"),
            json={"endpoint": "/v1/embeddings", "model": "mistral-embed", "input_files": [upload["id"]]},
        )
    )
    url = fake.url("/v1/batch/jobs/job_id", job_id=job["id"])
    http.get(url)
    done = result(http.get(url))
    assert (done["status"], done["succeeded_requests"], done["failed_requests"]) == ("SUCCESS", 1, 1)
    ok = json.loads(http.get(fake.url(f"/v1/files/{done['output_file']}/content")).text)
    assert len(ok["response"]["body"]["data"]) == 2
    bad = json.loads(http.get(fake.url(f"/v1/files/{done['error_file']}/content")).text)
    assert bad["response"]["status_code"] == 422
    other = result(
        http.post(
            fake.url("/v1/batch/jobs"),
            json={"endpoint": "/v1/embeddings", "model": "mistral-embed", "input_files": [upload["id"]]},
        )
    )
    cancelled = result(http.post(fake.url("/v1/batch/jobs/job_id/cancel", job_id=other["id"])))
    assert cancelled["status"] == "CANCELLATION_REQUESTED"
    assert result(http.get(fake.url(f"/v1/batch/jobs/{other['id']}")))["status"] == "CANCELLED"


def test_fine_tuning_progression(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    train = result(
        http.post(
            fake.url("/v1/files"),
            files={"file": ("t.jsonl", b'{"messages": []}\n' * 10)},
            data={"purpose": "fine-tune"},
        )
    )
    body = {
        "model": "open-mistral-nemo",
        "hyperparameters": {"training_steps": 5},
        "suffix": "demo",
        "training_files": [{"file_id": train["id"], "weight": 1}],
    }
    dry = result(http.post(fake.url("/v1/fine_tuning/jobs", dry_run="true"), json=body))
    assert dry["object"] == "job.metadata" and dry["training_steps"] == 5
    job = result(http.post(fake.url("/v1/fine_tuning/jobs"), json=body))
    assert job["status"] == "QUEUED"
    assert job["training_files"] == [train["id"]]  # JobOut lists file ids, not the request's TrainingFile objects
    statuses = [result(http.get(fake.url(f"/v1/fine_tuning/jobs/{job['id']}")))["status"] for _ in range(3)]
    assert statuses == ["VALIDATING", "RUNNING", "SUCCESS"]
    final = result(http.get(fake.url("/v1/fine_tuning/jobs/job_id", job_id=job["id"])))
    model_id = final["fine_tuned_model"]
    assert model_id.startswith("ft:open-mistral-nemo:") and model_id.endswith(":demo")
    assert result(http.get(fake.url(f"/v1/models/{model_id}")))["type"] == "fine-tuned"
    assert result(http.delete(fake.url("/v1/models/model_id", model_id=model_id)))["deleted"] is True
    assert http.get(fake.url(f"/v1/models/{model_id}")).status_code == 404
    manual = result(http.post(fake.url("/v1/fine_tuning/jobs"), json={**body, "auto_start": False}))
    for _ in range(2):
        http.get(fake.url(f"/v1/fine_tuning/jobs/{manual['id']}"))
    started = result(http.post(fake.url(f"/v1/fine_tuning/jobs/{manual['id']}/start")))
    assert started["status"] == "RUNNING"
    cancel = result(http.post(fake.url(f"/v1/fine_tuning/jobs/{manual['id']}/cancel")))
    assert cancel["status"] == "CANCELLATION_REQUESTED"
    assert result(http.get(fake.url("/v1/fine_tuning/jobs")))["total"] == 2


def test_models_catalogue(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    models = result(http.get(fake.url("/v1/models")))
    assert models["object"] == "list"
    ids = {m["id"] for m in models["data"]}
    assert {"mistral-small-latest", "mistral-embed", "codestral-latest"} <= ids
    card = result(http.get(fake.url("/v1/models/mistral-small-latest")))
    assert card["capabilities"]["function_calling"] is True
    assert http.delete(fake.url("/v1/models/mistral-small-latest")).status_code == 403


def test_agents_crud(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    agent = result(http.post(fake.url("/v1/agents"), json={"model": MODEL, "name": "a", "instructions": "be nice"}))
    updated = result(http.patch(fake.url(f"/v1/agents/{agent['id']}"), json={"description": "d"}))
    assert (updated["description"], updated["version"], updated["versions"]) == ("d", 1, [0, 1])
    assert [a["id"] for a in result(http.get(fake.url("/v1/agents")))] == [agent["id"]]
    assert http.delete(fake.url("/v1/agents/agent_id", agent_id=agent["id"])).status_code == 204
    assert http.get(fake.url(f"/v1/agents/{agent['id']}")).status_code == 404


def test_conversations_json_stream_and_history(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    started = result(http.post(fake.url("/v1/conversations"), json={"model": MODEL, "inputs": "hello"}))
    assert started["object"] == "conversation.response"
    conv = started["conversation_id"]
    assert started["outputs"][0]["type"] == "message.output"
    assert started["outputs"][0]["content"] == "Echo: hello"
    stream = http.post(fake.url(f"/v1/conversations/{conv}"), json={"inputs": "more please", "stream": True})
    assert stream.headers["content-type"].startswith("text/event-stream")
    blocks = [b for b in stream.text.split("\n\n") if b]
    kinds = [b.split("\n")[0].removeprefix("event: ") for b in blocks]
    assert kinds[0] == "conversation.response.started" and kinds[-1] == "conversation.response.done"
    assert set(kinds[1:-1]) == {"message.output.delta"}
    deltas = [json.loads(b.split("\n")[1].removeprefix("data: ")) for b in blocks[1:-1]]
    assert "".join(d["content"] for d in deltas) == "Echo: more please"
    assert "[DONE]" not in stream.text
    history = result(http.get(fake.url("/v1/conversations/conversation_id/history", conversation_id=conv)))
    assert [e["type"] for e in history["entries"]] == ["message.input", "message.output"] * 2
    msgs = result(http.get(fake.url(f"/v1/conversations/{conv}/messages")))
    assert len(msgs["messages"]) == 4
    restarted = result(
        http.post(
            fake.url(f"/v1/conversations/{conv}/restart"),
            json={"inputs": "again", "from_entry_id": history["entries"][1]["id"]},
        )
    )
    assert restarted["conversation_id"] != conv
    assert len(result(http.get(fake.url("/v1/conversations")))) == 2
    assert http.delete(fake.url(f"/v1/conversations/{conv}")).status_code == 204


def test_conversation_function_calls(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    tools = [
        {
            "type": "function",
            "function": {"name": "lookup", "parameters": {"type": "object", "properties": {"key": {"type": "string"}}}},
        }
    ]
    first = result(
        http.post(
            fake.url("/v1/conversations"), json={"model": MODEL, "inputs": "please lookup key=abc", "tools": tools}
        )
    )
    call = first["outputs"][0]
    assert call["type"] == "function.call" and json.loads(call["arguments"]) == {"key": "abc"}
    second = result(
        http.post(
            fake.url(f"/v1/conversations/{first['conversation_id']}"),
            json={"inputs": [{"type": "function.result", "tool_call_id": call["tool_call_id"], "result": "42"}]},
        )
    )
    assert "42" in second["outputs"][0]["content"]


def test_ocr(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    uri = "data:application/pdf;base64," + base64.b64encode(PDF_3_PAGES).decode()
    res = result(
        http.post(
            fake.url("/v1/ocr"),
            json={"model": "mistral-ocr-latest", "document": {"type": "document_url", "document_url": uri}},
        )
    )
    assert [p["index"] for p in res["pages"]] == [0, 1, 2]
    assert res["pages"][0]["markdown"].startswith("# ")
    assert res["usage_info"] == {"pages_processed": 3, "doc_size_bytes": len(PDF_3_PAGES)}
    some = result(
        http.post(
            fake.url("/v1/ocr"),
            json={
                "model": "mistral-ocr-latest",
                "pages": [1],
                "document": {"type": "image_url", "image_url": "https://x/y.png"},
            },
        )
    )
    assert some["pages"] == []  # an image has a single page, index 0
    bad = http.post(fake.url("/v1/ocr"), json={"model": "mistral-ocr-latest", "image_url": "https://x/y.png"})
    assert bad.status_code == 422
    detail = bad.json()["error"]["detail"]
    assert [(d["type"], d["loc"]) for d in detail] == [
        ("missing", ["body", "document"]),
        ("extra_forbidden", ["body", "image_url"]),
    ]


def test_audio_transcription(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    r = http.post(
        fake.url("/v1/audio/transcriptions"),
        data={"model": "voxtral-mini-latest", "language": "en"},
        files={"file": ("ruby.wav", b"RIFF" + b"\0" * 177640, "audio/wav")},
    )
    res = result(r)
    assert res["model"] == "voxtral-mini-latest"
    assert "ruby.wav" in res["text"]
    assert res["usage"]["prompt_audio_seconds"] == 3
    assert res["language"] == "en" and res["segments"] == []
    assert http.post(fake.url("/v1/audio/transcriptions"), data={"model": "m"}).status_code == 422


def test_moderations_and_classifications(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    res = result(
        http.post(
            fake.url("/v1/moderations"),
            json={"model": "mistral-moderation-latest", "input": ["I will kill you", "nice weather"]},
        )
    )
    first, second = res["results"]
    assert first["categories"]["violence_and_threats"] is True
    assert not any(second["categories"].values())
    again = result(http.post(fake.url("/v1/moderations"), json={"model": "m", "input": "nice weather"}))
    assert again["results"][0]["category_scores"] == second["category_scores"]
    chat = result(
        http.post(
            fake.url("/v1/chat/moderations"), json={"model": "m", "input": [{"role": "user", "content": "hello"}]}
        )
    )
    assert len(chat["results"]) == 1
    cls = result(http.post(fake.url("/v1/classifications"), json={"model": "ft:c", "input": ["a", "b"]}))
    assert len(cls["results"]) == 2


def test_chat_moderations_judge_the_last_turn_in_context(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    url = fake.url("/v1/chat/moderations")
    question = {"role": "user", "content": "How do I kill a process?"}
    answer = {"role": "assistant", "content": "Use the task manager."}
    both = result(http.post(url, json={"model": "m", "input": [[question], [question, answer]]}))["results"]
    assert both[0]["categories"]["violence_and_threats"] is True
    assert not any(both[1]["categories"].values())  # the answer is judged, the question is only context
    alone = result(http.post(url, json={"model": "m", "input": [answer]}))["results"]
    assert alone[0] == both[1]  # same last turn, same verdict: the context does not change the scores
    calls = {"role": "assistant", "content": "", "tool_calls": [{"id": "abcDEF123", "type": "function",
             "function": {"name": "f", "arguments": "{}"}}]}  # fmt: skip
    tool = {"role": "tool", "content": "They plan an attack.", "tool_call_id": "abcDEF123", "name": "f"}
    flagged = result(http.post(url, json={"model": "m", "input": [question, calls, tool]}))["results"][0]
    assert flagged["categories"]["violence_and_threats"] is True


def test_chat_moderations_check_messages_like_chat(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    url = fake.url("/v1/chat/moderations")
    bad_role = http.post(url, json={"model": "m", "input": [[{"role": "user", "content": "a"}, {"role": "bot"}]]})
    assert bad_role.status_code == 422
    assert bad_role.json()["error"]["detail"][0]["loc"] == ["body", "input", 0, 1]
    bad_id = [{"role": "tool", "content": "x", "tool_call_id": "call_1"}]
    response = http.post(url, json={"model": "m", "input": bad_id})
    assert response.status_code == 400 and "length of 9" in response.text


def test_chat_classifications_accept_instruct_requests(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    convo = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi"}]
    url = fake.url("/v1/chat/classifications")
    one = result(http.post(url, json={"model": "ft:c", "input": {"messages": convo}}))
    assert len(one["results"]) == 1
    many = result(http.post(url, json={"model": "ft:c", "input": [{"messages": convo}, {"messages": convo[:1]}]}))
    assert len(many["results"]) == 2
    assert many["results"][0] == one["results"][0]  # same conversation, same scores
    bare = result(http.post(url, json={"model": "ft:c", "input": convo}))
    assert bare["results"] == one["results"]
    assert len(result(http.post(url, json={"model": "ft:c", "input": [convo, convo]}))["results"]) == 2
    for bad in ({"messages": "nope"}, [], {"text": "x"}):
        assert http.post(url, json={"model": "ft:c", "input": bad}).status_code == 422
    moderation = http.post(fake.url("/v1/chat/moderations"), json={"model": "m", "input": {"messages": convo}})
    assert moderation.status_code == 422  # the InstructRequest form is for classifications only


def test_fine_tuned_model_update_archive_unarchive(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    train = result(
        http.post(
            fake.url("/v1/files"), files={"file": ("t.jsonl", b'{"messages": []}\n')}, data={"purpose": "fine-tune"}
        )
    )
    body = {"model": "open-mistral-nemo", "hyperparameters": {"training_steps": 1}, "training_files": [train["id"]]}
    job = result(http.post(fake.url("/v1/fine_tuning/jobs"), json=body))
    while job["status"] != "SUCCESS":
        job = result(http.get(fake.url(f"/v1/fine_tuning/jobs/{job['id']}")))
    model_id = job["fine_tuned_model"]
    updated = result(
        http.patch(fake.url(f"/v1/fine_tuning/models/{model_id}"), json={"name": "Mine", "description": "d"})
    )
    assert (updated["id"], updated["name"], updated["description"]) == (model_id, "Mine", "d")
    assert (updated["model_type"], updated["archived"], updated["root"]) == ("completion", False, "open-mistral-nemo")
    assert set(updated["capabilities"]) == {
        "completion_chat",
        "completion_fim",
        "function_calling",
        "fine_tuning",
        "classification",
    }
    kept = result(
        http.patch(fake.url("/v1/fine_tuning/models/model_id", model_id=model_id), json={"description": None})
    )
    assert (kept["name"], kept["description"]) == ("Mine", "d")
    assert result(http.get(fake.url(f"/v1/models/{model_id}")))["name"] == "Mine"
    archive = f"/v1/fine_tuning/models/{model_id}/archive"
    assert result(http.post(fake.url(archive))) == {"id": model_id, "object": "model", "archived": True}
    assert result(http.get(fake.url(f"/v1/models/{model_id}")))["archived"] is True
    query_form = fake.url("/v1/fine_tuning/models/model_id/archive", model_id=model_id)
    assert result(http.delete(query_form)) == {"id": model_id, "object": "model", "archived": False}
    assert result(http.get(fake.url(f"/v1/models/{model_id}")))["archived"] is False
    assert http.post(fake.url("/v1/fine_tuning/models/mistral-small-latest/archive")).status_code == 404
    assert http.patch(fake.url(f"/v1/fine_tuning/models/{model_id}"), json={"bogus": 1}).status_code == 422


def test_libraries_and_documents(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    lib = result(http.post(fake.url("/v1/libraries"), json={"name": "kb"}))
    doc = result(
        http.post(
            fake.url(f"/v1/libraries/{lib['id']}/documents"), files={"file": ("a.pdf", PDF_3_PAGES, "application/pdf")}
        )
    )
    assert doc["number_of_pages"] == 3 and doc["processing_status"] == "Completed"
    assert result(http.get(fake.url(f"/v1/libraries/{lib['id']}")))["nb_documents"] == 1
    listed = result(http.get(fake.url(f"/v1/libraries/{lib['id']}/documents")))
    assert listed["pagination"]["total_items"] == 1
    base = f"/v1/libraries/{lib['id']}/documents/{doc['id']}"
    assert result(http.get(fake.url(base + "/status")))["processing_status"] == "Completed"
    assert http.get(result(http.get(fake.url(base + "/signed-url")))).content == PDF_3_PAGES
    assert result(http.patch(fake.url(base), json={"name": "b.pdf"}))["name"] == "b.pdf"
    assert http.delete(fake.url(base)).status_code == 204
    assert result(http.get(fake.url("/v1/libraries")))["data"][0]["nb_documents"] == 0
    assert result(http.delete(fake.url(f"/v1/libraries/{lib['id']}")))["id"] == lib["id"]
