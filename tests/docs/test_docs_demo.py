"""``mistral-lca demo``: offline by default, every step, ``--only``, ``--json``, no network, packaged data."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from mistral_lca.cli import main
from mistral_lca.demo import STEPS
from mistral_lca.demo._tour import OFFLINE_BANNER

ROOT = Path(__file__).resolve().parents[2]
STEP_NAMES = [step.name for step in STEPS]

# What each step must show (from the shipped recordings, which are structural enough to survive a live re-record).
MARKERS = {
    "rag": ["Q: How many unused vacation days", "A: ", "Sources: vacation.md"],
    "agent": ["-> working_days(", "-> per_diem(", "Answer: "],
    "agent-tool": ["Created Mistral agent ag_", "-> expense_policy_agent(", "Deleted agent ag_"],
    "llamaindex": ["Q: What are the core hours", "Sources: remote-work.md"],
    "stream": ["Assistant: ", "stream events from"],
    "fim": ["def total_allowance(per_diem, hotel):", "print(total_allowance(1800, 1815))"],
    "ocr": ["expense-claim.pdf", "-> 2 pages of markdown", "page 1: ", "page 2: "],
    "moderation": ["-> ok", "FLAGGED: violence_and_threats"],
}


def run_demo(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["demo", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_step_has_markers_and_a_recording() -> None:
    assert set(MARKERS) == set(STEP_NAMES)
    folder = resources.files("mistral_lca.demo").joinpath("recordings")
    for name in STEP_NAMES:
        data = json.loads(folder.joinpath(f"{name}.json").read_text(encoding="utf-8"))
        assert data["step"] == name and data["interactions"], name
        assert data["recorded_against"] in ("stand-in", "live")


def test_offline_demo_runs_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_demo(capsys, "--offline")
    assert code == 0, out + err
    assert OFFLINE_BANNER in out
    for position, name in enumerate(STEP_NAMES, start=1):
        assert f"[{position}/{len(STEP_NAMES)}] {name}: " in out
        for marker in MARKERS[name]:
            assert marker in out, (name, marker)
    assert "FAILED" not in out and "skipped" not in out
    assert f"{len(STEP_NAMES)} ok." in out


def test_without_a_token_the_demo_replays(capsys: pytest.CaptureFixture[str]) -> None:
    # tests/conftest.py removes LOWCODEAPI_API_TOKEN from the environment.
    code, out, _ = run_demo(capsys, "--only", "fim")
    assert code == 0
    assert OFFLINE_BANNER in out
    assert "replayed, no network" in out


def test_offline_wins_over_a_token_which_is_never_sent(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    secret = "at_SECRET_abcdef123"
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", secret)
    seen: list[str] = []
    real_send = httpx.Client.send

    def spy(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        seen.append(str(request.url))
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", spy)
    code, out, err = run_demo(capsys, "--offline", "--only", "fim,ocr")
    assert code == 0
    assert OFFLINE_BANNER in out
    assert seen and all(secret not in url for url in seen)
    assert secret not in out + err


def test_only_runs_one_step(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_demo(capsys, "--offline", "--only", "fim")
    assert code == 0
    assert "[1/1] fim: " in out
    assert "return per_diem + hotel" in out or "def total_allowance" in out
    for other in STEP_NAMES:
        if other != "fim":
            assert f"] {other}: " not in out


def test_only_accepts_several_steps_and_aliases(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_demo(capsys, "--offline", "--only", "moderate,ocr", "--only", "chat")
    assert code == 0
    # Tour order, whatever the order asked for.
    assert "[1/3] stream: " in out and "[2/3] ocr: " in out and "[3/3] moderation: " in out


def test_an_unknown_step_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_demo(capsys, "--offline", "--only", "nope")
    assert code == 2
    assert "unknown demo step 'nope'" in err
    for name in STEP_NAMES:
        assert name in err


def test_live_without_a_token_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_demo(capsys, "--live")
    assert code == 2
    assert "LOWCODEAPI_API_TOKEN" in err


def test_json_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_demo(capsys, "--offline", "--json")
    assert code == 0
    document = json.loads(out)  # nothing but JSON on stdout
    assert document["mode"] == "offline" and document["replayed"] is True and document["ok"] is True
    assert [step["name"] for step in document["steps"]] == STEP_NAMES
    assert all(step["status"] == "ok" for step in document["steps"])
    results = {step["name"]: step["result"] for step in document["steps"]}
    assert results["rag"]["sources"][0]["source"] == "vacation.md"
    assert {call["tool"] for call in results["agent"]["tool_calls"]} == {"working_days", "per_diem"}
    assert results["agent-tool"]["agent_id"].startswith("ag_")
    assert results["llamaindex"]["sources"][0]["source"] == "remote-work.md"
    assert results["stream"]["events"] > 1 and results["stream"]["reply"]
    assert results["fim"]["completion"]
    assert len(results["ocr"]["pages"]) == 2
    assert results["moderation"]["results"][0]["flagged"] == []
    assert results["moderation"]["results"][1]["flagged"]
    assert OFFLINE_BANNER in err


def test_json_quiet_prints_nothing_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_demo(capsys, "--offline", "--only", "fim", "--json", "--quiet")
    assert code == 0 and json.loads(out)["steps"][0]["status"] == "ok"
    assert err == ""


def test_offline_demo_never_opens_a_socket(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Independent of --block-network: any connection attempt fails the test."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"the offline demo tried to connect: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    code, out, err = run_demo(capsys)
    assert code == 0, out + err
    assert attempts == []


def test_a_failing_step_is_reported_and_the_tour_goes_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mistral_lca.demo import _core_steps

    monkeypatch.setattr(_core_steps, "FIM_PROMPT", "def something_else(x):\n    ")
    code, out, _ = run_demo(capsys, "--offline", "--only", "fim,moderation")
    assert code == 1
    assert "FAILED: ReplayMissError: no recorded answer for POST /v1/fim/completions" in out
    assert "python -m mistral_lca.demo.record" in out
    assert "FLAGGED" in out  # the next step still ran
    assert "1 ok, 1 failed" in out


def test_the_demo_runs_from_a_zipped_install(tmp_path: Path) -> None:
    """Data and recordings are found through importlib.resources, not paths next to a checkout."""
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for package in ("mistral_lca", "langchain_mistral_lca", "llamaindex_mistral_lca"):
            for path in sorted((ROOT / package).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    zf.write(path, path.relative_to(ROOT).as_posix())
    code = (
        "import sys, mistral_lca; assert mistral_lca.__file__.startswith(sys.argv[1]), mistral_lca.__file__\n"
        "from mistral_lca.cli import main; raise SystemExit(main(['demo', '--only', 'ocr,rag']))"
    )
    env = {"PYTHONPATH": str(archive), "PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(archive)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert OFFLINE_BANNER in proc.stdout
    assert "page 2: " in proc.stdout and "Sources: vacation.md" in proc.stdout


# ------------------------------------------------------------------------------------------- live mode


def test_live_mode_runs_every_step_against_lowcodeapi(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a token the demo goes live (here: against the local stand-in, through LOWCODEAPI_BASE_URL)."""
    from mistral_lca.demo._tour import LIVE_BANNER
    from mistral_lca.testing import FakeLowCodeAPI

    with FakeLowCodeAPI() as server:
        monkeypatch.setenv("LOWCODEAPI_API_TOKEN", server.token)
        monkeypatch.setenv("LOWCODEAPI_BASE_URL", server.base_url)
        code, out, err = run_demo(capsys, "--json")
        document = json.loads(out)
        assert code == 0, out + err
        assert document["mode"] == "live" and document["replayed"] is False
        assert all(step["status"] == "ok" for step in document["steps"])
        assert LIVE_BANNER in err
        assert server.count("/v1/chat/completions") >= 5 and server.count("/v1/ocr") == 1
        assert server.state.agents == {}  # the agent step deleted its agent
        assert all(r.query.get("api_token") == server.token for r in server.requests)


def test_live_mode_stops_when_the_token_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mistral_lca.testing import FakeLowCodeAPI

    secret = "at_SECRET_abcdef123"
    with FakeLowCodeAPI(required_token="at_another_token_entirely") as server:
        monkeypatch.setenv("LOWCODEAPI_API_TOKEN", secret)
        monkeypatch.setenv("LOWCODEAPI_BASE_URL", server.base_url)
        code, out, err = run_demo(capsys)
    assert code == 1
    assert "FAILED: AuthenticationError" in out and "Stopping: the token was refused" in out
    assert "[2/8]" not in out
    assert secret not in out + err
