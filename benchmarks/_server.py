"""The local Mistral-compatible server, run in its own process so its work never shares the client's GIL.

``ServerProcess`` starts ``python -m benchmarks._server`` (a :class:`mistral_lca.testing.FakeLowCodeAPI` on
127.0.0.1) and talks to it over stdin/stdout, one JSON object per line: change the configuration (latency,
stream length), read and reset the traffic counters (requests seen, peak requests in flight).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["TOKEN", "ServerProcess"]

TOKEN = "at_benchmark_token_000000"
"""The LowCodeAPI token our clients send (the stand-in accepts any ``at_...`` token)."""
MISTRAL_KEY = "bench-key"
"""The Bearer key the official clients send to the plain Mistral form."""
REPO_ROOT = Path(__file__).resolve().parent.parent
_CONFIG_KEYS = (
    "latency",
    "stream_chunks",
    "stream_delay",
    "reply",
    "path_latency",
    "embed_max_tokens",
    "embed_max_input_tokens",
    "rate_limits",
)


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for benchmark subprocesses: the repo importable, no proxy variables."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONHASHSEED", "0")
    if extra:
        env.update(extra)
    return env


class ServerProcess:
    """``with ServerProcess() as server: server.configure(latency=0.02); ...; server.stats()``."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        """LowCodeAPI form (``.../mistralai``; our clients, with ``api_token``)."""
        self.mistral_base_url = ""
        """Plain Mistral form (the official clients, Bearer auth)."""

    def start(self) -> ServerProcess:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env=child_env(),
        )
        hello = self._read()
        self.base_url = hello["base_url"]
        self.mistral_base_url = hello["mistral_base_url"]
        return self

    def _read(self) -> dict[str, Any]:
        if self._proc is None or self._proc.stdout is None:
            raise RuntimeError("the benchmark server is not running")
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the benchmark server process exited")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"benchmark server: {reply['error']}")
        return reply

    def _call(self, op: str, **args: Any) -> dict[str, Any]:
        if self._proc is None or self._proc.stdin is None:
            raise RuntimeError("the benchmark server is not running")
        self._proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self._proc.stdin.flush()
        return self._read()

    def configure(self, **settings: Any) -> None:
        """Set FakeConfig fields (``latency``, ``stream_chunks``, ``reply``, ...) for the following requests."""
        unknown = set(settings) - set(_CONFIG_KEYS)
        if unknown:
            raise ValueError(f"unsupported server settings: {sorted(unknown)}")
        self._call("configure", settings=settings)

    def reset_stats(self) -> None:
        self._call("reset")

    def reset_rate_limits(self) -> None:
        """A fresh account: every rate-limit budget starts afresh."""
        self._call("reset_limits")

    def stats(self) -> dict[str, Any]:
        """``{"total", "max_in_flight", "path_counts", "errors", "rate_limited", "tokens"}`` since the last reset
        (``tokens``: charged by the rate-limit budgets since they were last reset)."""
        return self._call("stats")

    def stop(self) -> None:
        if self._proc is None:
            return
        with contextlib.suppress(RuntimeError, OSError, ValueError):
            self._call("stop")
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _serve() -> None:
    """Child side: run the stand-in and answer control messages until ``stop`` or EOF."""
    from mistral_lca.testing import FakeLowCodeAPI, RateLimits

    def say(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    # No request log: 100,000-text runs would otherwise keep every body in the server's memory.
    server = FakeLowCodeAPI(record=False, record_bodies=False, reply="Hello! How can I help you today?")
    with server:
        say({"base_url": server.base_url, "mistral_base_url": server.mistral_base_url})
        for line in sys.stdin:
            msg = json.loads(line)
            op = msg.get("op")
            try:
                if op == "configure":
                    for key, value in msg["settings"].items():
                        if key == "rate_limits":
                            value = RateLimits.from_json(value) if value else None
                            server.reset_rate_limits()
                        setattr(server.config, key, value)
                    say({"ok": True})
                elif op == "reset_limits":
                    server.reset_rate_limits()
                    say({"ok": True})
                elif op == "reset":
                    server.reset()
                    say({"ok": True})
                elif op == "stats":
                    say(
                        {
                            "total": server.total_requests,
                            "max_in_flight": server.max_in_flight,
                            "max_open_connections": server.stats.max_open_connections,
                            "path_counts": dict(server.path_counts),
                            "errors": list(server.errors[-3:]),
                            "rate_limited": server.stats.rate_limited,
                            "tokens": server.state.rate_counters.month_tokens or 0,
                        }
                    )
                elif op == "stop":
                    say({"ok": True})
                    break
                else:
                    say({"error": f"unknown op {op!r}"})
            except Exception as exc:  # report to the parent instead of dying silently
                say({"error": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    _serve()
