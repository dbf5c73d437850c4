"""What commands print: aligned tables and key/value blocks for people, one JSON document for scripts.

Data goes to stdout; notes, progress and errors go to stderr, so ``--json`` output is always parseable.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

__all__ = [
    "Column",
    "Output",
    "format_bytes",
    "format_cell",
    "format_time",
    "render_fields",
    "render_table",
    "to_jsonable",
]

_MAX_CELL = 60


def to_jsonable(value: Any) -> Any:
    """Plain JSON data for pydantic models (extra fields kept), dataclasses' dicts, lists and scalars."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def format_time(value: Any) -> str:
    """A Unix timestamp (seconds) or datetime as ``YYYY-MM-DD HH:MM:SS`` UTC; ``-`` when unknown."""
    if value is None or value == "":
        return "-"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = _dt.datetime.fromtimestamp(float(value), tz=_dt.timezone.utc)
    elif isinstance(value, _dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)
        moment = moment.astimezone(_dt.timezone.utc)
    else:
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def format_bytes(count: int | None) -> str:
    """``1536`` → ``1.5 KiB``; ``-`` when unknown."""
    if count is None:
        return "-"
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover - the loop always returns


def format_cell(value: Any) -> str:
    """One value as table text: ``-`` for none, yes/no for booleans, lists joined by commas."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_cell(v) for v in value) or "-"
    if isinstance(value, _dt.datetime):
        return format_time(value)
    text = str(value)
    return " ".join(text.split()) if "\n" in text or "\t" in text else text


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


@dataclass(frozen=True)
class Column:
    """A table column: its header and how to read the cell from a row."""

    header: str
    value: Callable[[Any], Any]
    max_width: int = _MAX_CELL
    right: bool = False


def render_table(rows: Iterable[Any], columns: Sequence[Column], *, empty: str = "(none)") -> str:
    """Rows as left/right-aligned columns under a header line; ``empty`` when there are none."""
    cells = [[_clip(format_cell(col.value(row)), col.max_width) for col in columns] for row in rows]
    if not cells:
        return empty
    headers = [col.header for col in columns]
    widths = [max(len(headers[i]), *(len(line[i]) for line in cells)) for i in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if col.right else v.ljust(w) for v, w, col in zip(values, widths, columns, strict=True)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), *(line(row) for row in cells)])


def render_fields(pairs: Iterable[tuple[str, Any]]) -> str:
    """``key: value`` lines with the keys aligned (for one object: ``files get``, ``batch get``...)."""
    items = [(key, format_cell(value)) for key, value in pairs]
    width = max((len(key) for key, _ in items), default=0)
    return "\n".join(f"{key + ':':<{width + 1}} {value}" for key, value in items)


class Output:
    """The command's view of stdout/stderr, honouring ``--json`` and ``--quiet``."""

    def __init__(self, *, json_mode: bool, quiet: bool, stdout: TextIO | None = None, stderr: TextIO | None = None):
        self.json_mode = json_mode
        self.quiet = quiet
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr

    def json(self, data: Any, *, compact: bool = False) -> None:
        """Print one JSON document on stdout: indented, or ``compact`` (fast, for big vectors) on one line."""
        if compact:
            from mistral_lca._json import dumps

            text = dumps(to_jsonable(data)).decode("utf-8")
        else:
            text = json.dumps(to_jsonable(data), ensure_ascii=False, indent=2)
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def text(self, text: str) -> None:
        """Print text on stdout (a newline is added unless present)."""
        self.stdout.write(text if text.endswith("\n") else text + "\n")
        self.stdout.flush()

    def write(self, text: str) -> None:
        """Write raw text on stdout, flushed at once (streamed tokens)."""
        self.stdout.write(text)
        self.stdout.flush()

    def info(self, text: str) -> None:
        """A note for people on stderr (silenced by ``--quiet``)."""
        if not self.quiet:
            self.stderr.write(text + "\n")
            self.stderr.flush()

    def error(self, text: str) -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def result(self, data: Any, render: Callable[[], str]) -> None:
        """``data`` as JSON under ``--json``, else the text ``render()`` builds."""
        if self.json_mode:
            self.json(data)
        else:
            self.text(render())
