"""Global options (accepted before or after the subcommand) and the client they configure.

The token comes only from ``LOWCODEAPI_API_TOKEN``: a token on the command line would end up in shell
history and in ``ps`` output.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mistral_lca import AsyncMistralLCAClient, MistralLCAClient

__all__ = [
    "GLOBAL_DEFAULTS",
    "apply_global_defaults",
    "build_async_client",
    "build_client",
    "global_options",
    "non_negative_int",
    "positive_float",
    "positive_int",
]

GLOBAL_DEFAULTS: dict[str, Any] = {
    "base_url": None,
    "path_params": "query",
    "timeout": None,
    "max_retries": 2,
    "rate_limit_wait": 600.0,
    "requests_per_second": None,
    "tokens_per_minute": None,
    "json": False,
    "progress": "auto",
    "quiet": False,
}


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def positive_int(text: str) -> int:
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def global_options() -> argparse.ArgumentParser:
    """A parent parser with the global options. Defaults are suppressed so that an option given before
    the subcommand is not reset by the subcommand's parser; :func:`apply_global_defaults` fills them in."""
    parser = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    group = parser.add_argument_group("global options")
    group.add_argument(
        "--base-url",
        metavar="URL",
        help="LowCodeAPI base URL (default: $LOWCODEAPI_BASE_URL or https://api.lowcodeapi.com/mistralai)",
    )
    group.add_argument(
        "--path-params",
        choices=("query", "path"),
        help="how path parameters travel: query (/v1/files/file_id?file_id=X, default) or path (/v1/files/X)",
    )
    group.add_argument("--timeout", type=positive_float, metavar="SECONDS", help="read timeout (default 120)")
    group.add_argument(
        "--max-retries", type=non_negative_int, metavar="N", help="retries after a failed attempt (default 2)"
    )
    group.add_argument(
        "--rate-limit-wait",
        type=non_negative_float,
        metavar="SECONDS",
        help="longest a call waits for rate limits (pacing, 429s) before failing; 0 fails at once (default 600)",
    )
    group.add_argument(
        "--requests-per-second",
        type=positive_float,
        metavar="N",
        help="cap requests per second, e.g. for a key shared with others (default: the limits Mistral reports)",
    )
    group.add_argument(
        "--tokens-per-minute",
        type=positive_float,
        metavar="N",
        help="cap estimated tokens per minute (default: the limits Mistral reports)",
    )
    group.add_argument("--json", action="store_true", help="print one JSON document on stdout (for scripts)")
    group.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        help="progress bars on stderr: auto (only on a terminal, default), always, never",
    )
    group.add_argument("-q", "--quiet", action="store_true", help="no notes or status lines on stderr")
    return parser


def apply_global_defaults(args: argparse.Namespace) -> argparse.Namespace:
    for key, value in GLOBAL_DEFAULTS.items():
        if not hasattr(args, key):
            setattr(args, key, value)
    return args


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "base_url": args.base_url,
        "path_params": args.path_params,
        "timeout": args.timeout,
        "max_retries": args.max_retries,
        "rate_limit_wait": args.rate_limit_wait,
        "requests_per_second": args.requests_per_second,
        "tokens_per_minute": args.tokens_per_minute,
        "default_headers": {"user-agent": _user_agent()},
    }


def _user_agent() -> str:
    from mistral_lca import __version__

    return f"mistral-lca/{__version__} mistral-lca-cli"


def build_client(args: argparse.Namespace) -> MistralLCAClient:
    """The sync client for these options; the token from ``LOWCODEAPI_API_TOKEN``."""
    from mistral_lca import MistralLCAClient

    return MistralLCAClient(**_settings(args))


def build_async_client(args: argparse.Namespace) -> AsyncMistralLCAClient:
    """The async client (concurrent embedding runs) for the same options."""
    from mistral_lca import AsyncMistralLCAClient

    return AsyncMistralLCAClient(**_settings(args))
