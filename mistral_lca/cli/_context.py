"""What every command handler receives: the parsed arguments, the output, a lazily built client."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ._config import build_client
from ._output import Output
from ._progress import Progress, progress_enabled

if TYPE_CHECKING:
    from mistral_lca import MistralLCAClient

__all__ = ["Context", "UsageError", "read_text_argument", "require_file", "require_output"]


class UsageError(Exception):
    """A problem with the command line or a local input (exit status 2)."""


class Context:
    """One command run. The client is built on first use, so ``--help`` and ``demo`` never need a token."""

    def __init__(self, args: argparse.Namespace, out: Output) -> None:
        self.args = args
        self.out = out
        self._client: MistralLCAClient | None = None

    @property
    def client(self) -> MistralLCAClient:
        if self._client is None:
            self._client = build_client(self.args)
        return self._client

    def check_configuration(self) -> None:
        """Build the client now: a missing token or a bad URL is reported before any local work starts."""
        _ = self.client

    @property
    def show_progress(self) -> bool:
        return progress_enabled(str(self.args.progress), self.out.stderr)

    def progress(self, label: str, *, total: float | None = None, unit: str = "") -> Progress:
        """A progress line on stderr (drawn only on a terminal or with ``--progress always``)."""
        return Progress(
            label, stream=self.out.stderr, enabled=self.show_progress, total=total, unit=unit, quiet=self.out.quiet
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def require_file(value: str, what: str = "file") -> Path:
    """``value`` as an existing, readable regular file (a usage error otherwise)."""
    path = Path(value).expanduser()
    if not path.exists():
        raise UsageError(f"{what} not found: {value}")
    if not path.is_file():
        raise UsageError(f"{what} is not a regular file: {value}")
    return path


def require_output(value: str, what: str = "output", *, directory_ok: bool = False) -> Path:
    """``value`` as a place to write: its directory must exist (checked before any request, so nothing is paid
    for and then lost). An existing directory is accepted only with ``directory_ok``."""
    path = Path(value).expanduser()
    if path.is_dir():
        if directory_ok:
            return path
        raise UsageError(f"{what} is a directory: {value}")
    if not path.parent.is_dir():
        raise UsageError(f"{what} directory not found: {path.parent}")
    return path


def read_text_argument(value: str, what: str) -> str:
    """A text argument; ``-`` reads it from stdin. Empty text is a usage error."""
    text = sys.stdin.read() if value == "-" else value
    if not text.strip():
        raise UsageError(f"{what} is empty")
    return text
