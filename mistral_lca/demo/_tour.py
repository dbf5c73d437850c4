"""Running the tour: pick the mode, run each step in its own session, print results and a summary."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, TextIO

from mistral_lca._config import DEFAULT_BASE_URL, ENV_BASE_URL, ENV_TOKEN
from mistral_lca._secrets import redact

from ._printer import Printer
from ._session import Mode, Session, Settings, read_recording
from .steps import Step, UnknownStepError, select_steps

__all__ = ["OFFLINE_BANNER", "StepOutcome", "run"]

OFFLINE_BANNER = "Replaying recorded responses (no network, no token needed)"
LIVE_BANNER = "Live against LowCodeAPI"


class DemoUsageError(Exception):
    """A bad demo option (exit status 2)."""


@dataclass
class StepOutcome:
    name: str
    title: str
    status: str  # ok | failed | skipped
    seconds: float
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    fatal: bool = False
    """The failure will repeat in every later step (the token was refused): the tour stops."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "seconds": round(self.seconds, 3),
        }
        if self.result:
            data["result"] = self.result
        if self.error is not None:
            data["error"] = self.error
        return data


def _has_token() -> bool:
    return bool(os.environ.get(ENV_TOKEN, "").strip())


def choose_mode(live: bool, offline: bool) -> Mode:
    """``--offline`` / ``--live`` win; otherwise live exactly when ``LOWCODEAPI_API_TOKEN`` is set."""
    if offline:
        return "offline"
    if live:
        if not _has_token():
            raise DemoUsageError(
                f"--live needs a LowCodeAPI token in {ENV_TOKEN} (or drop --live to replay the recordings)"
            )
        return "live"
    return "live" if _has_token() else "offline"


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        base_url=getattr(args, "base_url", None),
        path_params=getattr(args, "path_params", None) or "query",
        timeout=getattr(args, "timeout", None),
        max_retries=int(getattr(args, "max_retries", 2) if getattr(args, "max_retries", None) is not None else 2),
    )


def _describe_recordings(steps: list[Step]) -> str:
    sources = set()
    for step in steps:
        try:
            sources.add(str(read_recording(step.name).get("recorded_against", "unknown")))
        except (OSError, ValueError):
            continue
    if sources == {"live"}:
        return "The recordings were made live against LowCodeAPI."
    return (
        "The recordings were made against the bundled LowCodeAPI stand-in, whose answers are scripted (not model "
        f"output). Set {ENV_TOKEN} (or pass --live) to run against Mistral for real."
    )


def _banner(out: Printer, mode: Mode, steps: list[Step], settings: Settings) -> None:
    count = f"{len(steps)} step{'s' if len(steps) != 1 else ''}"
    out.banner(f"mistral-lca demo: a tour of Mistral through LowCodeAPI ({count})")
    if mode == "offline":
        out.banner(OFFLINE_BANNER + ".")
        out.line(_describe_recordings(steps))
    else:
        base = settings.base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        out.banner(f"{LIVE_BANNER} ({base}).")
        out.line("These are real, billed API calls; the agent steps create one agent and delete it again.")


def _error_text(exc: BaseException) -> str:
    return redact(f"{type(exc).__name__}: {exc}")


def run_step(step: Step, mode: Mode, settings: Settings, out: Printer) -> StepOutcome:
    """Run one step in a fresh session; failures are caught and reported (the tour goes on)."""
    started = time.perf_counter()
    missing = step.missing()
    if missing:
        message = f"skipped: needs {', '.join(missing)} ({step.install_hint})"
        out.line(message)
        return StepOutcome(step.name, step.title, "skipped", 0.0, error=message)
    session: Session | None = None
    try:
        session = Session.offline(step.name) if mode == "offline" else Session.live(settings)
        result = step.function()(session, out)
    except Exception as exc:
        if os.environ.get("MISTRAL_LCA_DEBUG"):
            traceback.print_exc()
        from mistral_lca import AuthenticationError, MissingTokenError, PermissionDeniedError

        error = _error_text(exc)
        out.line(f"FAILED: {error}")
        fatal = isinstance(exc, (AuthenticationError, PermissionDeniedError, MissingTokenError))
        return StepOutcome(step.name, step.title, "failed", time.perf_counter() - started, error=error, fatal=fatal)
    finally:
        if session is not None:
            session.close()
    seconds = time.perf_counter() - started
    out.line(f"({seconds:.2f} s)")
    return StepOutcome(step.name, step.title, "ok", seconds, result)


def _summary(outcomes: list[StepOutcome]) -> str:
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in ("ok", "failed", "skipped")}
    parts = [f"{counts['ok']} ok"]
    parts += [f"{counts[key]} {key}" for key in ("failed", "skipped") if counts[key]]
    return ", ".join(parts)


def run(args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the tour for the CLI's parsed ``args``; 0 when every step that ran succeeded, else 1."""
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    as_json = bool(getattr(args, "json", False))
    try:
        mode = choose_mode(bool(getattr(args, "live", False)), bool(getattr(args, "offline", False)))
        steps = select_steps(getattr(args, "only", None))
    except (DemoUsageError, UnknownStepError) as exc:
        from mistral_lca.cli._context import UsageError

        raise UsageError(str(exc)) from None
    settings = _settings(args)
    out = Printer(stdout, enabled=not as_json)
    if as_json and not getattr(args, "quiet", False):
        stderr.write((OFFLINE_BANNER if mode == "offline" else LIVE_BANNER) + "\n")
    _banner(out, mode, steps, settings)
    started = time.perf_counter()
    outcomes = []
    for position, step in enumerate(steps, start=1):
        out.header(position, len(steps), step.name, step.title)
        outcome = run_step(step, mode, settings, out)
        outcomes.append(outcome)
        if outcome.fatal and position < len(steps):
            out.banner(f"\nStopping: the token was refused, so every other step would fail the same way ({ENV_TOKEN}).")
            break
    total = time.perf_counter() - started
    failed = any(outcome.status == "failed" for outcome in outcomes)
    if as_json:
        document = {
            "mode": mode,
            "replayed": mode == "offline",
            "seconds": round(total, 3),
            "ok": not failed,
            "steps": [outcome.to_json() for outcome in outcomes],
        }
        stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        stdout.flush()
    else:
        how = "replayed, no network" if mode == "offline" else "live"
        out.banner(f"\nDone in {total:.1f} s ({how}): {_summary(outcomes)}.")
    return 1 if failed else 0
