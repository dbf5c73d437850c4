"""Run ``benchmarks._child`` in a fresh interpreter and read its JSON answer."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from ._server import REPO_ROOT, child_env

__all__ = ["run_child"]


def run_child(
    *args: str, env: dict[str, str] | None = None, drop_env: tuple[str, ...] = (), timeout: float = 600
) -> dict[str, Any]:
    environment = child_env(env)
    for key in drop_env:
        environment.pop(key, None)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks._child", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        timeout=timeout,
        check=False,
    )
    marker = proc.stdout.rfind("@@RESULT@@")
    if marker < 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": f"child exited with {proc.returncode}: {' | '.join(tail)}"}
    result: dict[str, Any] = json.loads(proc.stdout[marker + len("@@RESULT@@") :])
    return result
