"""Progress on stderr: a redrawn one-line bar when stderr is a terminal (or when forced), else nothing.

Status messages (``log``) are printed either way, above the bar when one is shown, so a wait run in CI
still records each status change while a terminal gets a live bar. Standard library only.
"""

from __future__ import annotations

import shutil
import time
from types import TracebackType
from typing import TextIO

from ._output import format_bytes

__all__ = ["Progress", "progress_enabled"]

_REDRAW_EVERY = 0.1
_BAR_WIDTH = 28


def progress_enabled(mode: str, stream: TextIO) -> bool:
    """``always`` / ``never``, or ``auto``: only when ``stream`` is a terminal."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # closed or detached stream
        return False


def _amount(value: float, unit: str) -> str:
    if unit == "bytes":
        return format_bytes(int(value))
    return f"{int(value):,}"


class Progress:
    """A progress line for one task. ``enabled=False`` keeps only :meth:`log` (unless ``quiet``)."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO,
        enabled: bool,
        total: float | None = None,
        unit: str = "",
        quiet: bool = False,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.done: float = 0
        self.note = ""
        self._stream = stream
        self._enabled = enabled
        self._quiet = quiet
        self._last_draw = 0.0
        self._drawn = 0  # width of the line currently on screen
        self._closed = False

    # ---------------------------------------------------------------------------------------- updates

    def update(self, done: float | None = None, *, total: float | None = None, note: str | None = None) -> None:
        """Set the amount done, the total and/or the note, and redraw (at most every 0.1 s)."""
        if total is not None:
            self.total = total
        if done is not None:
            self.done = done
        changed_note = note is not None and note != self.note
        if note is not None:
            self.note = note
        finished = self.total is not None and self.done >= self.total
        self._draw(force=changed_note or finished)

    def advance(self, amount: float = 1) -> None:
        self.update(self.done + amount)

    def reset(self) -> None:
        """Back to zero (an upload that is retried is re-read from the start)."""
        self.update(0)

    def log(self, message: str) -> None:
        """A status line printed above the bar (printed even without a bar, unless quiet)."""
        if self._quiet and not self._enabled:
            return
        self._clear()
        self._stream.write(message + "\n")
        self._stream.flush()
        self._draw(force=True)

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self._closed:
            return
        self._closed = True
        if self._enabled and self._drawn:
            self._draw(force=True)
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---------------------------------------------------------------------------------------- drawing

    def render(self, width: int = 80) -> str:
        """The progress line (without carriage return), fitted to ``width`` columns."""
        unit = "" if self.unit in ("", "bytes") else f" {self.unit}"
        note = f"  {self.note}" if self.note else ""
        if self.total:
            ratio = min(1.0, max(0.0, self.done / self.total))
            counts = f"{_amount(self.done, self.unit)}/{_amount(self.total, self.unit)}{unit}"
            tail = f" {ratio:4.0%} {counts}{note}"
            room = max(0, min(_BAR_WIDTH, width - len(self.label) - len(tail) - 4))  # " [", "]", last column
            filled = round(room * ratio)
            bar = f" [{'#' * filled}{'-' * (room - filled)}]" if room >= 5 else ""
            line = f"{self.label}{bar}{tail}"
        else:
            amount = f" {_amount(self.done, self.unit)}{unit}" if self.done else ""
            line = f"{self.label}{amount}{note}"
        return line[: max(1, width - 1)]

    def _draw(self, *, force: bool) -> None:
        if not self._enabled or self._closed:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < _REDRAW_EVERY:
            return
        self._last_draw = now
        line = self.render(shutil.get_terminal_size((80, 24)).columns)
        pad = " " * max(0, self._drawn - len(line))
        self._stream.write("\r" + line + pad)
        self._stream.flush()
        self._drawn = len(line)

    def _clear(self) -> None:
        if self._enabled and self._drawn:
            self._stream.write("\r" + " " * self._drawn + "\r")
            self._drawn = 0
