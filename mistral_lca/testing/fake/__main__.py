"""Run the fake standalone: ``python -m mistral_lca.testing.fake --port 0 --latency 0.02``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Any

from .ratelimits import RateLimits
from .server import FakeLowCodeAPI

_BUDGETS = (
    ("requests_per_second", "requests per second"),
    ("requests_per_10_seconds", "requests per 10 seconds"),
    ("requests_per_minute", "requests per minute"),
    ("tokens_per_minute", "tokens per minute"),
    ("tokens_per_month", "tokens per month (a quota)"),
)


def rate_limits(args: argparse.Namespace) -> RateLimits | None:
    """The account's budgets from the command line; ``None`` when none was given (no limits, no headers)."""
    options: dict[str, Any] = {name: getattr(args, name) for name, _ in _BUDGETS if getattr(args, name) is not None}
    if not options:
        return None
    if args.rate_headers is not None:
        options["headers"] = tuple(family for family in args.rate_headers.split(",") if family)
    return RateLimits(**options, retry_after=args.retry_after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mistral_lca.testing.fake", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--stream-delay", type=float, default=0.0, help="seconds between SSE events")
    parser.add_argument("--stream-chunks", type=int, default=None, help="content chunks per streamed reply")
    parser.add_argument("--stream-buffered", action="store_true", help="send SSE bodies in one piece")
    parser.add_argument("--required-token", default=None, help="only accept this api_token")
    parser.add_argument("--mistral-api-key", default=None, help="plain mode: only accept this Bearer key")
    parser.add_argument("--no-mistral-key", action="store_true", help="answer 403 'Request failed'")
    parser.add_argument("--reply", default=None, help="fixed assistant reply text")
    parser.add_argument("--no-record", action="store_true", help="do not keep requests in memory")
    for name, what in _BUDGETS:
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=None, help=f"answer 429 beyond {what}")
    parser.add_argument(
        "--retry-after", choices=("seconds", "date", "ms"), default=None, help="add Retry-After to 429s (default: none)"
    )
    parser.add_argument(
        "--rate-headers",
        default=None,
        metavar="FAMILIES",
        help="rate-limit header families, comma-separated: requests,tokens,bysize (default requests,tokens; '' none)",
    )
    args = parser.parse_args(argv)
    server = FakeLowCodeAPI(
        port=args.port,
        latency=args.latency,
        stream_delay=args.stream_delay,
        stream_chunks=args.stream_chunks,
        stream_buffered=args.stream_buffered,
        required_token=args.required_token,
        mistral_api_key=args.mistral_api_key,
        no_mistral_key=args.no_mistral_key,
        reply=args.reply,
        record=not args.no_record,
        rate_limits=rate_limits(args),
    )
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with server:
        print(f"LowCodeAPI form: {server.base_url}  (api_token={server.token})", flush=True)
        print(f"Mistral form:    {server.mistral_base_url}  (Authorization: Bearer <any>)", flush=True)
        while not done.wait(0.5):
            pass
        print(f"stopping after {server.total_requests} requests", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
