"""``mistral-lca demo``: the guided tour. It lives in :mod:`mistral_lca.demo`, imported only when asked for."""

from __future__ import annotations

import argparse
import importlib

from ._commands import Subcommands, add_command
from ._context import Context, UsageError

__all__ = ["register"]

_MODULE = "mistral_lca.demo"


def _steps(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    steps = [step.strip() for value in values for step in value.split(",") if step.strip()]
    return steps or None


def _run(ctx: Context) -> int:
    try:
        module = importlib.import_module(_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != _MODULE:
            raise
        raise UsageError(
            "the demo is not available in this installation (module mistral_lca.demo is missing); "
            "try `mistral-lca chat 'hello'` with LOWCODEAPI_API_TOKEN set"
        ) from None
    run = getattr(module, "run", None)
    if not callable(run):
        raise UsageError("mistral_lca.demo has no run(args) function")
    args = ctx.args
    args.only = _steps(args.only)
    status = run(args)
    return status if isinstance(status, int) else 0


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    cmd = add_command(
        sub,
        "demo",
        help="a guided tour of every endpoint (replays shipped recordings unless LOWCODEAPI_API_TOKEN is set)",
        parents=parents,
        handler=_run,
        epilog="examples:\n  mistral-lca demo\n  mistral-lca demo --only chat,embed\n  mistral-lca demo --live",
    )
    mode = cmd.add_mutually_exclusive_group()
    mode.add_argument("--live", action="store_true", help="call the real API (needs LOWCODEAPI_API_TOKEN)")
    mode.add_argument(
        "--offline",
        action="store_true",
        help="replay the recordings shipped with the package (the default without LOWCODEAPI_API_TOKEN)",
    )
    cmd.add_argument(
        "--only",
        action="append",
        metavar="STEP",
        help="run only this step (repeatable, or comma-separated)",
    )
