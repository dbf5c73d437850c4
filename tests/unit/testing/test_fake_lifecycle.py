"""The LowCodeAPI stand-in as a server: concurrency, connections, HTTP details, shutdown, CLI."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fake_support import CHAT, result, user

from mistral_lca.testing import FakeLowCodeAPI, Fault

ROOT = Path(__file__).resolve().parents[3]


def _fake_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "FakeLowCodeAPI"]


async def test_max_in_flight_under_200_concurrent_requests() -> None:
    with FakeLowCodeAPI(latency=0.5, record_bodies=False) as fake:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            responses = await asyncio.gather(*(client.post(fake.url(CHAT), json=user(f"n{i}")) for i in range(200)))
            assert {r.status_code for r in responses} == {200}
            assert fake.open_connections == 200
        assert fake.max_in_flight >= 150
        assert fake.in_flight == 0
        assert fake.stats.max_open_connections == 200
        assert fake.path_counts[CHAT] == 200
        assert {(r.json, r.body) for r in fake.requests} == {(None, b"")}  # record_bodies=False


def test_keep_alive_reuses_one_connection(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    for _ in range(5):
        assert http.get(fake.url("/v1/models")).status_code == 200
    assert fake.stats.total_connections == 1
    r = http.get(fake.url("/v1/models"), headers={"Connection": "close"})
    assert r.headers["connection"] == "close"
    http.get(fake.url("/v1/models"))
    assert fake.stats.total_connections == 2


def test_chunked_request_body(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    def parts() -> Iterator[bytes]:
        yield b'{"model": "mistral-small-latest", '
        yield b'"messages": [{"role": "user", "content": "chunked"}]}'

    r = http.post(fake.url(CHAT), content=parts(), headers={"content-type": "application/json"})
    assert result(r)["choices"][0]["message"]["content"] == "Echo: chunked"
    assert fake.last_request is not None
    assert fake.last_request.headers["transfer-encoding"] == "chunked"


def test_malformed_request_gets_400(fake: FakeLowCodeAPI) -> None:
    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 400")


def test_health_and_signed_404(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    assert http.get(f"{fake.root_url}/_fake/health").text == "ok"
    assert http.get(f"{fake.root_url}/_fake/signed/files/nope").status_code == 404


def test_binds_loopback_only_and_shuts_down_cleanly() -> None:
    before = len(_fake_threads())
    fake = FakeLowCodeAPI().start()
    assert fake.base_url == f"http://127.0.0.1:{fake.port}/mistralai"
    assert fake.mistral_base_url == f"http://127.0.0.1:{fake.port}"
    assert len(_fake_threads()) == before + 1
    client = httpx.Client()
    assert client.get(fake.url("/v1/models")).status_code == 200
    assert fake.open_connections == 1
    fake.faults.add(Fault("stall", seconds=30))
    outcome: list[BaseException] = []

    def stalled_call() -> None:
        try:
            httpx.get(fake.url("/v1/models"), timeout=10)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    pending = threading.Thread(target=stalled_call)
    pending.start()
    while fake.in_flight == 0:
        threading.Event().wait(0.01)
    fake.stop()  # interrupts the stalled request and the idle keep-alive connection
    pending.join(5)
    assert not pending.is_alive()
    assert len(outcome) == 1  # the stalled request failed fast instead of waiting 30 s
    assert len(_fake_threads()) == before
    assert fake.open_connections == 0
    with pytest.raises(httpx.TransportError):
        client.get(fake.url("/v1/models"))
    client.close()
    fake.stop()  # idempotent


def test_restartable_context_manager(http: httpx.Client) -> None:
    fake = FakeLowCodeAPI()
    with fake:
        assert http.get(fake.url("/v1/models")).status_code == 200
    assert not _fake_threads()
    with FakeLowCodeAPI(port=0) as other:
        assert other.port != 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_standalone_cli(http: httpx.Client) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mistral_lca.testing.fake",
            "--port",
            "0",
            "--latency",
            "0.01",
            "--required-token",
            "at_cli",
            "--requests-per-minute",
            "100",
            "--rate-headers",
            "requests",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        base = first.split()[2]
        assert base.startswith("http://127.0.0.1:") and base.endswith("/mistralai")
        r = http.post(f"{base}{CHAT}", params={"api_token": "at_cli"}, json=user("cli"))
        assert result(r)["choices"][0]["message"]["content"] == "Echo: cli"
        assert r.json()["response_headers"]["x-ratelimit-remaining-req-minute"] == "99"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopping after 1 requests" in err
