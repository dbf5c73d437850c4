"""Re-create the demo's recordings: ``python -m mistral_lca.demo.record [--live] [--only STEP ...]``.

Runs every tour step (the very same functions ``mistral-lca demo`` runs) through a :class:`RecordingTransport`
and writes ``recordings/<step>.json`` next to this file. It also rewrites ``data/expense-claim.pdf`` with the
tiny PDF writer first, so the OCR request is byte-identical between recording and replay.

* default: against :class:`mistral_lca.testing.FakeLowCodeAPI` (a fresh one per step, frozen clock), with the
  scripted answers of :mod:`mistral_lca.demo._standin`; no token, no network.
* ``--live``: against LowCodeAPI with ``LOWCODEAPI_API_TOKEN`` (base URL from ``LOWCODEAPI_BASE_URL`` if set);
  real model output; the token is never written (URLs are stored without their query's ``api_token``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mistral_lca import __version__
from mistral_lca._config import DEFAULT_BASE_URL, ENV_BASE_URL, ENV_TOKEN

from ._pdf import EXPENSE_CLAIM, write_pdf
from ._printer import Printer
from ._replay import RecordingTransport, dump_recording
from ._session import Session
from .data import PDF_NAME
from .steps import Step, select_steps

__all__ = ["main", "record_step"]

PACKAGE_DIR = Path(__file__).resolve().parent
FIXED_TIME = 1_750_000_000  # 2025-06-15: stable timestamps, so re-recording gives the same files
STANDIN_NOTE = (
    "Recorded against mistral_lca.testing.FakeLowCodeAPI (the LowCodeAPI stand-in): real wire format, scripted "
    "answers (see mistral_lca/demo/_standin.py). Re-record live with LOWCODEAPI_API_TOKEN set: "
    "python -m mistral_lca.demo.record --live"
)
LIVE_NOTE = "Recorded live against LowCodeAPI; token removed."


def write_bundled_pdf(data_dir: Path) -> Path:
    path = data_dir / PDF_NAME
    path.write_bytes(write_pdf(EXPENSE_CLAIM))
    return path


def _record_with(step: Step, transport: RecordingTransport, token: str | None, out: Printer) -> None:
    session = Session.recording(transport, token)
    try:
        step.function()(session, out)
    finally:
        session.close()


def record_step(step: Step, out_dir: Path, *, live: bool, out: Printer) -> Path:
    """Record one step and write ``out_dir/<step>.json``."""
    if live:
        base_url = (os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
        transport = RecordingTransport(base_url)
        try:
            _record_with(step, transport, None, out)
        finally:
            transport.close()
        meta = {"step": step.name, "recorded_against": "live", "recorded_with": f"mistral-lca {__version__}"}
        meta["note"] = LIVE_NOTE
    else:
        from mistral_lca.testing import FakeLowCodeAPI, RateLimits

        from ._standin import rewrite_response, scripted_reply

        # An account allowing 1,000 requests a minute: answers carry Mistral's x-ratelimit-*-req-minute headers.
        limits = RateLimits(requests_per_minute=1000, headers=("requests",))
        with FakeLowCodeAPI(fixed_time=FIXED_TIME, reply=scripted_reply, rate_limits=limits) as server:
            transport = RecordingTransport(server.base_url, rewrite=rewrite_response)
            try:
                _record_with(step, transport, server.token, out)
            finally:
                transport.close()
            if server.errors:
                raise RuntimeError(f"the stand-in server failed while recording {step.name}:\n{server.errors[0]}")
        meta = {"step": step.name, "recorded_against": "stand-in", "recorded_with": f"mistral-lca {__version__}"}
        meta["note"] = STANDIN_NOTE
    path = out_dir / f"{step.name}.json"
    path.write_text(dump_recording(meta, transport.take()), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mistral_lca.demo.record", description=__doc__.split("\n")[0])
    parser.add_argument("--live", action="store_true", help=f"record against LowCodeAPI (needs {ENV_TOKEN})")
    parser.add_argument("--only", action="append", metavar="STEP", help="record only this step (repeatable)")
    parser.add_argument(
        "--out", type=Path, default=PACKAGE_DIR / "recordings", help="where to write (default: the package)"
    )
    args = parser.parse_args(argv)
    if args.live and not os.environ.get(ENV_TOKEN, "").strip():
        parser.error(f"--live needs {ENV_TOKEN}")
    names = [name for value in args.only or () for name in value.split(",") if name.strip()]
    steps = select_steps(names)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"wrote {write_bundled_pdf(PACKAGE_DIR / 'data')}")
    out = Printer(sys.stdout)
    for step in steps:
        out.header(steps.index(step) + 1, len(steps), step.name, step.title)
        path = record_step(step, args.out, live=args.live, out=out)
        print(f"  wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
