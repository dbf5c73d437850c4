"""The installed command in a child process, against the local LowCodeAPI stand-in on 127.0.0.1.

A cassette cannot reach into a child process, so these tests start ``FakeLowCodeAPI`` and point
``--base-url`` at it (loopback only; allowed in CI). They cover what only a real process shows: the
entry points, tokens reaching stdout while the reply is still streaming, Ctrl-C, and secrecy.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import SECRET

from mistral_lca.testing import FakeLowCodeAPI

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_SCRIPT = Path(sys.executable).with_name("mistral-lca")
DEADLINE = 60.0  # generous upper bound so a stuck child fails the test instead of hanging it


def _env(token: str = SECRET) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOWCODEAPI_", "MISTRAL_LCA_"))}
    env["LOWCODEAPI_API_TOKEN"] = token
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _module(*argv: str) -> list[str]:
    return [sys.executable, "-m", "mistral_lca.cli", *argv]


def _run(command: list[str], token: str = SECRET) -> subprocess.CompletedProcess[str]:
    """Run to completion; output decoded as is (no newline translation, so a progress line's \\r shows)."""
    done = subprocess.run(command, env=_env(token), capture_output=True, timeout=DEADLINE, check=False)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI() as server:
        yield server


def _read_until(stream: int, marker: bytes, buffer: bytearray) -> None:
    """Read from a pipe's fd into ``buffer`` until ``marker`` shows up (fails after ``DEADLINE``)."""
    give_up = time.monotonic() + DEADLINE
    while marker not in buffer:
        remaining = give_up - time.monotonic()
        assert remaining > 0, f"{marker!r} never arrived; got {bytes(buffer)!r}"
        ready, _, _ = select.select([stream], [], [], remaining)
        if ready:
            chunk = os.read(stream, 4096)
            assert chunk, f"the pipe closed before {marker!r}; got {bytes(buffer)!r}"
            buffer.extend(chunk)


def test_python_m_entry_point_prints_parseable_json(fake: FakeLowCodeAPI) -> None:
    result = _run(_module("--base-url", fake.base_url, "models", "list", "--json"))
    assert result.returncode == 0, result.stderr
    models = json.loads(result.stdout)
    assert {"mistral-small-latest", "mistral-embed"} <= {m["id"] for m in models}
    assert result.stderr == ""


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="the mistral-lca console script is not installed")
def test_console_script(fake: FakeLowCodeAPI) -> None:
    result = _run([str(CONSOLE_SCRIPT), "chat", "Hello there", "--json", "--base-url", fake.base_url])
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["message"]["content"].strip()
    assert reply["usage"]["total_tokens"] > 0
    version = _run([str(CONSOLE_SCRIPT), "--version"])
    assert version.returncode == 0 and version.stdout.startswith("mistral-lca ")


@pytest.mark.skipif(sys.platform == "win32", reason="select() on pipes is POSIX-only")
def test_chat_prints_tokens_while_the_reply_is_still_streaming() -> None:
    words = "alpha bravo charlie delta echo foxtrot golf hotel"
    with FakeLowCodeAPI(reply=words, stream_delay=0.25) as server:
        process = subprocess.Popen(
            _module("chat", "spell it", "--base-url", server.base_url),
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            assert process.stdout is not None
            received = bytearray()
            _read_until(process.stdout.fileno(), b"alpha", received)
            # The first word is on stdout while the stand-in still holds back the next seven events.
            assert process.poll() is None
            assert b"hotel" not in received
            rest, err = process.communicate(timeout=DEADLINE)
        finally:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert (bytes(received) + rest).decode() == words + "\n"


def test_authentication_error_exits_1_without_the_token() -> None:
    with FakeLowCodeAPI(required_token="at_the_only_valid_token_00") as server:
        for extra in ([], ["--json"]):
            result = _run(_module("models", "list", "--base-url", server.base_url, "--max-retries", "0", *extra))
            assert result.returncode == 1
            assert result.stderr.startswith("mistral-lca: error: AuthenticationError: 401")
            if extra:
                error = json.loads(result.stdout)["error"]
                assert (error["type"], error["status"]) == ("AuthenticationError", 401)
                assert error["message"].startswith("401 Unauthorized")
            else:
                assert result.stdout == ""
            assert SECRET not in result.stdout + result.stderr
            assert "SECRET_abcdef" not in result.stdout + result.stderr


def test_missing_token_exits_2(fake: FakeLowCodeAPI) -> None:
    result = _run(_module("models", "list", "--base-url", fake.base_url), token="")
    assert result.returncode == 2
    assert "LOWCODEAPI_API_TOKEN" in result.stderr
    assert result.stdout == ""


def test_progress_is_drawn_only_on_a_terminal_or_when_forced(fake: FakeLowCodeAPI, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("\n".join(f"line {i}" for i in range(12)) + "\n")
    base = ["embed", str(texts), "--batch-size", "3", "-o", str(tmp_path / "out.jsonl"), "--base-url", fake.base_url]
    piped = _run(_module(*base))
    assert piped.returncode == 0, piped.stderr
    assert "\r" not in piped.stderr
    forced = _run(_module(*base, "--progress", "always"))
    assert forced.returncode == 0, forced.stderr
    assert "\rembedding [" in forced.stderr and "100% 12/12 texts" in forced.stderr
    assert " tokens, 4 requests" in forced.stderr  # the runner's progress: tokens and requests done
    quiet = _run(_module(*base, "--quiet"))
    assert quiet.returncode == 0 and quiet.stderr == ""
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [row["index"] for row in rows] == list(range(12))

    upload = _run(
        _module("files", "upload", str(texts), "-p", "batch", "--progress", "always", "--base-url", fake.base_url)
    )
    assert upload.returncode == 0, upload.stderr
    size = texts.stat().st_size
    assert "\ruploading texts.txt [" in upload.stderr and f"100% {size} B/{size} B" in upload.stderr
    assert "id:" in upload.stdout


def _default_sigint() -> None:
    """The child's SIGINT as a terminal gives it: a test run started in the background by a shell without job
    control (``pytest &`` in a script) ignores SIGINT, and a child inherits that, so Ctrl-C would never arrive."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child is POSIX-only")
def test_ctrl_c_during_a_wait_exits_130() -> None:
    from mistral_lca import MistralLCAClient

    with FakeLowCodeAPI(batch_steps=1_000_000) as server:  # the job never leaves QUEUED
        with MistralLCAClient(api_token=SECRET, base_url=server.base_url) as client:
            job = client.batch.jobs.create(
                endpoint="/v1/embeddings", requests=[{"custom_id": "a", "body": {"input": "x"}}], model="mistral-embed"
            )
        process = subprocess.Popen(
            _module("batch", "wait", job.id, "--poll-interval", "0.05", "--base-url", server.base_url),
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_default_sigint,
        )
        try:
            assert process.stderr is not None
            seen = bytearray()
            _read_until(process.stderr.fileno(), f"batch job {job.id}: QUEUED".encode(), seen)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=DEADLINE)
        finally:
            process.kill()
            process.wait()
    assert process.returncode == 130
    stderr = (bytes(seen) + err).decode()
    assert "mistral-lca: interrupted" in stderr
    assert "Traceback" not in stderr
    assert out == b""
