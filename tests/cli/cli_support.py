"""Helpers shared by the CLI tests: run ``main(argv)`` in-process and capture what it printed."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import pytest

SECRET = "at_SECRET_abcdef123"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def all_text(self) -> str:
        return self.out + self.err


def invoke(capsys: pytest.CaptureFixture[str], *argv: str) -> CliResult:
    from mistral_lca.cli import main

    capsys.readouterr()  # drop anything printed before
    code = main(list(argv))
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


class RecordingStdout(io.StringIO):
    """A stdout that remembers each ``write`` call (to prove tokens are written as they arrive)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []
        self.flushes = 0

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)

    def flush(self) -> None:
        self.flushes += 1
        super().flush()
