"""``mistral-lca``: the Mistral AI API through LowCodeAPI, from the shell.

``main(argv)`` parses the command line, runs one command and returns the exit status:
0 success, 1 API or network error (the typed error's message, never the token), 2 usage or
configuration error (e.g. ``LOWCODEAPI_API_TOKEN`` unset), 130 interrupted (Ctrl-C). Errors go to stderr; with
``--json`` stdout also gets ``{"error": {"type", "message", "status"}}`` (``status``: the HTTP status, or null).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from . import agents, audio, batch, chat, demo, embed, files, fine_tune, models, moderate, ocr
from ._commands import Handler
from ._config import apply_global_defaults, global_options
from ._context import Context, UsageError
from ._output import Output

__all__ = ["EXIT_API_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_PROG = "mistral-lca"
_COMMAND_MODULES = (models, files, fine_tune, batch, chat, embed, ocr, audio, moderate, agents, demo)

_EPILOG = """\
configuration:
  LOWCODEAPI_API_TOKEN  your LowCodeAPI token (at_...), required by every command except demo
  LOWCODEAPI_BASE_URL   proxy base URL (default https://api.lowcodeapi.com/mistralai)

exit status:
  0 success, 1 API or network error, 2 usage or configuration error, 130 interrupted
  (errors go to stderr; with --json, stdout also gets {"error": {"type", "message", "status"}})

Global options may be given before or after the command; every command has --help."""


def build_parser() -> argparse.ArgumentParser:
    common = global_options()
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="The Mistral AI API through the LowCodeAPI proxy: models, files, fine-tuning, batch jobs,\n"
        "chat, embeddings, OCR, transcription, moderation and agents.",
        epilog=_EPILOG,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from mistral_lca import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    sub.required = True
    for module in _COMMAND_MODULES:
        module.register(sub, [common])
    return parser


def _error_message(exc: BaseException) -> str:
    from mistral_lca._errors import APIStatusError
    from mistral_lca._secrets import redact

    text = str(exc) or type(exc).__name__
    if isinstance(exc, APIStatusError) and exc.request_id:
        text += f" (request id {exc.request_id})"
    return redact(text)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    from mistral_lca._secrets import redact

    sys.stderr.write(f"{_PROG}: warning: {redact(str(message))}\n")


def _fail(ctx: Context, exc: BaseException, message: str, status: int, *, label: str = "error") -> int:
    """Report a failure: the message on stderr; under ``--json`` also ``{"error": {...}}`` on stdout."""
    ctx.out.error(f"{_PROG}: {label}: {message}")
    if ctx.out.json_mode:
        with contextlib.suppress(OSError, ValueError):  # stdout may be gone; the exit status still tells
            ctx.out.json({"error": {"type": type(exc).__name__, "message": message, "status": _http_status(exc)}})
    return status


def _http_status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _run(handler: Handler, ctx: Context) -> int:
    from mistral_lca._errors import ConfigurationError, InvalidRequestError, MissingTokenError, MistralLCAError

    try:
        return handler(ctx)
    except MissingTokenError as exc:
        return _fail(
            ctx,
            exc,
            "no LowCodeAPI token: set the LOWCODEAPI_API_TOKEN environment variable"
            " (export LOWCODEAPI_API_TOKEN=at_...); MISTRAL_API_KEY is a different secret and is never read",
            EXIT_USAGE,
        )
    except (UsageError, ConfigurationError, InvalidRequestError) as exc:
        return _fail(ctx, exc, _error_message(exc), EXIT_USAGE)
    except MistralLCAError as exc:
        return _fail(ctx, exc, _error_message(exc), EXIT_API_ERROR, label=f"error: {type(exc).__name__}")
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        return _fail(ctx, exc, _error_message(exc), EXIT_API_ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) and return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    apply_global_defaults(args)
    ctx = Context(args, Output(json_mode=bool(args.json), quiet=bool(args.quiet)))
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return _run(args.handler, ctx)
    except KeyboardInterrupt:
        ctx.out.stdout.flush()
        ctx.out.error(f"\n{_PROG}: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `mistral-lca models list | head -1`
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # a bug: report it without a traceback that could quote secrets
        label = f"internal error: {type(exc).__name__}"
        status = _fail(ctx, exc, _error_message(exc), EXIT_API_ERROR, label=label)
        if os.environ.get("MISTRAL_LCA_DEBUG"):
            raise
        return status
    finally:
        _close(ctx)


def _close(ctx: Context) -> None:
    with contextlib.suppress(Exception):  # closing must not hide the command's own outcome
        ctx.close()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
