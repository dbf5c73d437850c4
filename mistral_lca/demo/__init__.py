"""``mistral-lca demo``: a short guided tour of the whole integration, offline by default.

Steps (``--only NAME``, repeatable or comma-separated): ``rag``, ``agent``, ``agent-tool``, ``llamaindex``,
``stream``, ``fim``, ``ocr``, ``moderation``.

Without ``LOWCODEAPI_API_TOKEN`` (or with ``--offline``) the tour replays the recordings shipped in this package
(``mistral_lca/demo/recordings/*.json``) through :class:`~mistral_lca.demo._replay.ReplayTransport`: no network,
no token. With a token (or ``--live``) it calls LowCodeAPI for real. ``python -m mistral_lca.demo.record``
re-creates the recordings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .steps import STEPS

if TYPE_CHECKING:
    import argparse

__all__ = ["STEPS", "run"]


def run(args: argparse.Namespace) -> int:
    """Entry point of ``mistral-lca demo`` (``args``: the CLI's parsed options); returns the exit status."""
    from ._tour import run as run_tour

    return run_tour(args)
