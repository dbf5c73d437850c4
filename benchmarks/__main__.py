"""``python -m benchmarks [--quick] [--only NAME ...] [--output PATH]``: run the suite, write RESULTS.md."""

from __future__ import annotations

import os

# Before anything imports huggingface_hub: the official LangChain embeddings class tries to download a tokenizer
# in its constructor; offline that costs ~23 s per instance. Its constructor is measured both ways, in
# subprocesses, by the ``startup`` family; everywhere else it must fail fast.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from . import chat, decode, embeddings, memory, ratelimit, startup, streaming, tokenizer
from ._cases import Settings
from ._report import load_average, render
from ._results import ResultBook
from ._server import ServerProcess

FAMILIES: dict[str, tuple[bool, Callable[..., None], str]] = {
    # name: (needs the server, run function, what)
    "chat": (True, chat.run, "non-streaming chat call overhead, sync and async"),
    "stream": (True, streaming.run, "5,000-chunk stream and time to first token"),
    "embeddings": (True, embeddings.run, "20,000 texts at 20 ms latency: time, requests, peak concurrency"),
    "startup": (False, startup.run, "cold import and constructor times (subprocesses)"),
    "memory": (True, memory.run, "peak RSS embedding 100,000 texts (subprocesses)"),
    "decode": (False, decode.run, "decoding a 1,000 x 1,024 embeddings response"),
    "tokenizer": (True, tokenizer.run, "[tokenizer] extra: requests for 20,000 English chunks, size rejections, speed"),
    "ratelimit": (
        True,
        ratelimit.run,
        "20,000-chunk corpora, 200-prompt fan-outs at an account's rate limits (~1 h)",
    ),
}
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "RESULTS.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run (< 1 min): small sizes, few repeats")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(FAMILIES),
        metavar="NAME",
        help=f"run only this family (repeatable): {', '.join(FAMILIES)}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the report (default: benchmarks/RESULTS.md; quick runs and --only "
        "runs default to benchmarks/RESULTS.quick.md / RESULTS.partial.md)",
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    names = args.only or list(FAMILIES)
    settings = Settings(quick=args.quick)
    output = args.output or (
        DEFAULT_OUTPUT.with_name("RESULTS.quick.md")
        if args.quick
        else DEFAULT_OUTPUT.with_name("RESULTS.partial.md")
        if args.only
        else DEFAULT_OUTPUT
    )
    book = ResultBook()
    load_at_start = load_average()
    started = time.perf_counter()
    server: ServerProcess | None = None
    try:
        for name in names:
            needs_server, run, what = FAMILIES[name]
            t0 = time.perf_counter()
            print(f"[benchmarks] {name}: {what} ...", file=sys.stderr, flush=True)
            if needs_server:
                if server is None:
                    server = ServerProcess().start()
                run(server, book, settings)
            else:
                run(book, settings)
            print(f"[benchmarks] {name}: done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    finally:
        if server is not None:
            server.stop()
    command = (
        "python -m benchmarks" + (" --quick" if args.quick else "") + "".join(f" --only {n}" for n in (args.only or []))
    )
    report = render(
        book, quick=args.quick, seconds=time.perf_counter() - started, command=command, load_at_start=load_at_start
    )
    output.write_text(report + "\n")
    print(f"[benchmarks] wrote {output} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
