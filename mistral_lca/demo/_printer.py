"""What the tour prints: a header per step and indented results for people; nothing under ``--json``."""

from __future__ import annotations

import sys
import textwrap
from typing import TextIO

__all__ = ["Printer", "StreamWriter"]

_WIDTH = 100


class Printer:
    """Human output on ``stream``. With ``enabled=False`` (``--json``) every method is a no-op."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = enabled

    def _emit(self, text: str) -> None:
        if self.enabled:
            self.stream.write(text)
            self.stream.flush()

    def banner(self, text: str) -> None:
        self._emit(text + "\n")

    def header(self, position: int, total: int, name: str, title: str) -> None:
        self._emit(f"\n[{position}/{total}] {name}: {title}\n")

    def line(self, text: str = "", *, indent: int = 2) -> None:
        """One line, wrapped to the terminal width and indented (continuation lines a bit more)."""
        pad = " " * indent
        for raw in text.splitlines() or [""]:
            wrapped = textwrap.wrap(raw, _WIDTH - indent, subsequent_indent="  ", break_on_hyphens=False) or [""]
            self._emit("".join(f"{pad}{part}\n" for part in wrapped))

    def field(self, label: str, value: str, *, indent: int = 2) -> None:
        """``label: value`` with the value wrapped under itself."""
        head = f"{label}: "
        body = textwrap.wrap(" ".join(value.split()), _WIDTH - indent - len(head)) or [""]
        pad = " " * indent
        self._emit(f"{pad}{head}{body[0]}\n" + "".join(f"{pad}{' ' * len(head)}{part}\n" for part in body[1:]))

    def write(self, text: str) -> None:
        """Raw text, as is."""
        self._emit(text)

    def streaming(self, prefix: str, *, indent: int = 2) -> StreamWriter:
        """A writer for streamed tokens: printed as they arrive, wrapped at word boundaries."""
        return StreamWriter(self, prefix, indent)


class StreamWriter:
    """Prints pieces of text as they arrive, breaking lines before a word that would overflow."""

    def __init__(self, printer: Printer, prefix: str, indent: int) -> None:
        self._printer = printer
        self._pad = " " * (indent + len(prefix))
        self._column = indent + len(prefix)
        printer.write(" " * indent + prefix)

    def write(self, piece: str) -> None:
        for index, part in enumerate(piece.split("\n")):
            if index:
                self._printer.write("\n" + self._pad)
                self._column = len(self._pad)
            if self._column + len(part) > _WIDTH and part.startswith(" "):
                part = part.lstrip(" ")
                self._printer.write("\n" + self._pad)
                self._column = len(self._pad)
            self._printer.write(part)
            self._column += len(part)

    def end(self) -> None:
        self._printer.write("\n")
