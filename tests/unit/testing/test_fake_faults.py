"""Fault injection in the LowCodeAPI stand-in, observed with plain httpx."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from fake_support import CHAT, result, sse_payloads, user

from mistral_lca.testing import FakeLowCodeAPI, Fault


def test_status_fault_with_retry_after_inside_envelope_only(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fault = fake.faults.add(Fault("status", path=CHAT, status=429, retry_after=7))
    r = http.post(fake.url(CHAT), json=user("x"))
    assert r.status_code == 429
    assert "retry-after" not in r.headers
    body = r.json()
    assert body["message"] == "Rate limit exceeded"
    assert body["error"] == {
        "object": "error",
        "message": "Rate limit exceeded",
        "type": "rate_limited",
        "param": None,
        "code": "1300",
    }
    assert body["headers"]["retry-after"] == "7"
    assert fault.hits == 1
    assert http.post(fake.url(CHAT), json=user("x")).status_code == 200  # times=1: consumed
    assert fake.faults.fired == [("status", CHAT)]
    assert [r.fault for r in fake.requests] == ["status", None]


@pytest.mark.parametrize("status", [400, 401, 500, 502, 503, 504])
def test_status_fault_codes_and_http_retry_after(fake: FakeLowCodeAPI, http: httpx.Client, status: int) -> None:
    fake.faults.add(Fault("status", status=status, retry_after="2", retry_after_in="http", message="boom"))
    r = http.get(fake.url("/v1/models"))
    assert r.status_code == status
    assert r.headers["retry-after"] == "2"
    assert r.json()["message"] == "boom"
    assert "retry-after" not in r.json()["headers"]


def test_status_fault_in_plain_mode_and_custom_body(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("status", status=429, retry_after=1, body={"message": "Requests rate limit exceeded"}))
    r = http.post(f"{fake.mistral_base_url}{CHAT}", json=user("x"), headers={"Authorization": "Bearer k"})
    assert r.status_code == 429
    assert r.json() == {"message": "Requests rate limit exceeded"}
    assert r.headers["retry-after"] == "1"


def test_fault_matching_rules(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(
        Fault("status", path="/v1/files/{file_id}", status=503, times=2),
        Fault("status", path="/mistralai/v1/models", method="DELETE", status=500),
        Fault("status", path="/v1/batch*", status=502, times=None),
    )
    assert http.get(fake.url("/v1/models")).status_code == 200  # method filter
    assert http.get(fake.url("/v1/files/abc")).status_code == 503  # template match
    assert http.get(fake.url("/v1/files/file_id", file_id="zzz")).status_code == 503  # old form too
    assert http.get(fake.url("/v1/files/abc")).status_code == 404  # exhausted → the real answer
    assert http.delete(fake.url("/v1/models/x")).status_code == 404  # path is exact: not /v1/models/x
    for _ in range(3):
        assert http.get(fake.url("/v1/batch/jobs")).status_code == 502  # times=None: sticky prefix fault
    assert len(fake.faults) == 2
    fake.faults.clear()
    assert http.get(fake.url("/v1/batch/jobs")).status_code == 200


def test_html_fault(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("html"))
    r = http.post(fake.url(CHAT), json=user("x"))
    assert r.status_code == 502
    assert r.headers["content-type"] == "text/html"
    assert "<h1>502 Bad Gateway</h1>" in r.text
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_reset_fault_raises_transport_error(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("reset", path=CHAT))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        http.post(fake.url(CHAT), json=user("x"))
    assert fake.requests[-1].status == 0
    assert http.post(fake.url(CHAT), json=user("x")).status_code == 200  # a new connection works


def test_stall_fault_triggers_read_timeout(fake: FakeLowCodeAPI) -> None:
    fake.faults.add(Fault("stall", seconds=1.0))
    with httpx.Client(timeout=httpx.Timeout(5, read=0.2)) as client:
        started = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout):
            client.get(fake.url("/v1/models"))
        assert time.perf_counter() - started < 0.9
        assert client.get(fake.url("/v1/models")).status_code == 200


def test_stall_then_answers(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("stall", seconds=0.15))
    started = time.perf_counter()
    assert http.get(fake.url("/v1/models")).status_code == 200
    assert time.perf_counter() - started >= 0.15


def test_cut_stream_drops_connection_without_done(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("cut_stream", events=2))
    received: list[str] = []
    with (
        pytest.raises(httpx.RemoteProtocolError),
        http.stream("POST", fake.url(CHAT), json=user("one two three four", stream=True)) as r,
    ):
        assert r.status_code == 200
        received.extend(r.iter_lines())
    payloads = [line[6:] for line in received if line.startswith("data: ")]
    assert len(payloads) == 2
    assert "[DONE]" not in payloads


def test_cut_stream_graceful_body_lacks_done(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("cut_stream", events=3, graceful=True))
    r = http.post(fake.url(CHAT), json=user("one two three four", stream=True))
    payloads = sse_payloads(r.text)
    assert len(payloads) == 3
    assert "[DONE]" not in payloads
    again = http.post(fake.url(CHAT), json=user("one", stream=True))  # same keep-alive connection still usable
    assert sse_payloads(again.text)[-1] == "[DONE]"


def test_stream_faults_skip_non_stream_requests(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("cut_stream", path=CHAT))
    assert http.post(fake.url(CHAT), json=user("x")).status_code == 200
    assert len(fake.faults) == 1


def test_malformed_sse(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("malformed_sse", events=1))
    payloads = sse_payloads(http.post(fake.url(CHAT), json=user("a b c", stream=True)).text)
    json.loads(payloads[0])
    with pytest.raises(json.JSONDecodeError):
        json.loads(payloads[1])
    assert payloads[-1] == "[DONE]"


def test_json_for_stream(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("json_for_stream"), Fault("json_for_stream", status=503))
    r = http.post(fake.url(CHAT), json=user("hello", stream=True))
    assert r.headers["content-type"].startswith("application/json")
    assert result(r)["choices"][0]["message"]["content"] == "Echo: hello"
    err = http.post(fake.url(CHAT), json=user("hello", stream=True))
    assert err.status_code == 503
    assert err.json()["error"]["type"] == "service_unavailable"


def test_malformed_json(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    fake.faults.add(Fault("malformed_json"))
    r = http.post(fake.url(CHAT), json=user("x"))
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()


@pytest.mark.parametrize(
    ("status", "message"), [(401, "A valid API token is required to access this API."), (403, "Request failed")]
)
def test_echo_token(fake: FakeLowCodeAPI, http: httpx.Client, status: int, message: str) -> None:
    fake.faults.add(Fault("echo_token", status=status))
    r = http.post(fake.url(CHAT, token="at_secret_value"), json=user("x"))
    assert r.status_code == status
    assert r.json()["message"] == message
    assert r.json()["error"]["logging"]["query"]["api_token"] == "at_secret_value"
    assert "at_secret_value" in r.text


def test_unknown_fault_kind_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("explode")  # type: ignore[arg-type]


async def test_latency_global_and_per_path(fake: FakeLowCodeAPI) -> None:
    fake.set_latency(0.1, path="/v1/embeddings")
    async with httpx.AsyncClient() as client:
        started = time.perf_counter()
        await client.get(fake.url("/v1/models"))
        fast = time.perf_counter() - started
        started = time.perf_counter()
        await client.post(fake.url("/v1/embeddings"), json={"model": "mistral-embed", "input": "x"})
        slow = time.perf_counter() - started
        assert slow >= 0.1 > fast
        fake.latency = 0.05
        started = time.perf_counter()
        await asyncio.gather(*(client.get(fake.url("/v1/models")) for _ in range(20)))
        assert 0.05 <= time.perf_counter() - started < 1.0
