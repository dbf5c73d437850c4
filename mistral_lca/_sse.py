"""Server-sent events: a line decoder and the pure per-stream state shared by sync and async streams.

Works the same on incremental bodies and on bodies the proxy buffered whole: it only ever sees lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from ._errors import StreamError
from ._json import loads
from ._response import Decoded

__all__ = ["SSEDecoder", "ServerSentEvent", "StreamDecoding", "StreamState", "is_done_marker"]

T = TypeVar("T")


class ServerSentEvent(NamedTuple):
    event: str | None
    data: str
    id: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        """The event's ``data`` decoded as JSON; :class:`StreamError` if it is not JSON."""
        try:
            return loads(self.data)
        except ValueError:
            raise StreamError(f"malformed server-sent event data: {self.data[:120]!r}") from None


class SSEDecoder:
    """Turns lines into events per the SSE spec (``data``/``event``/``id``/``retry``, comments ignored)."""

    __slots__ = ("_data", "_event", "_id", "_retry")

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None

    def decode(self, line: str) -> ServerSentEvent | None:
        """Feed one line (without its terminator); returns an event when a blank line completes one."""
        if not line:
            return self._dispatch()
        if line.startswith("data: "):  # the hot path: every chat/FIM chunk is one such line
            self._data.append(line[6:])
            return None
        if line[0] == ":":
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value or None
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        # Other field names are ignored, as the spec requires.
        return None

    def flush(self) -> ServerSentEvent | None:
        """Dispatch a pending event at end of body (a buffered body may lack the final blank line)."""
        return self._dispatch()

    def _dispatch(self) -> ServerSentEvent | None:
        data = self._data
        if not data and self._event is None:
            return None
        event = ServerSentEvent(self._event, data[0] if len(data) == 1 else "\n".join(data), self._id, self._retry)
        self._data = []
        self._event = None
        self._retry = None
        return event


def is_done_marker(event: ServerSentEvent) -> bool:
    """Chat and FIM streams end with ``data: [DONE]``."""
    return event.data == "[DONE]"


@dataclass(frozen=True)
class StreamDecoding(Generic[T]):
    """How one streaming endpoint is decoded.

    ``parse_event`` turns an SSE event into an item (or ``None`` to skip it); ``is_done`` recognises the
    terminal event (``include_done`` yields that event too, for typed-event streams); ``from_json``
    turns a JSON success answer to a stream request into items (the proxy may answer with JSON).
    """

    parse_event: Callable[[ServerSentEvent], T | None]
    from_json: Callable[[Decoded], Iterable[T]]
    is_done: Callable[[ServerSentEvent], bool] = is_done_marker
    include_done: bool = False


class LineSplitter:
    """Cuts decoded text into lines across reads (``\n``, ``\r\n`` or ``\r``; a ``\r\n`` split between two
    reads counts once)."""

    __slots__ = ("_tail",)

    def __init__(self) -> None:
        self._tail = ""

    def split(self, text: str) -> list[str]:
        """Complete lines (without terminators) in ``text`` plus what was pending; keeps the unfinished rest."""
        text = self._tail + text
        hold_cr = text.endswith("\r")  # maybe the first half of "\r\n": decide with the next read
        if hold_cr:
            text = text[:-1]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        self._tail = lines.pop() + ("\r" if hold_cr else "")
        return lines

    def finish(self) -> list[str]:
        """The last line, if the body did not end with a terminator."""
        tail, self._tail = self._tail.rstrip("\r"), ""
        return [tail] if tail else []


class StreamState(Generic[T]):
    """Pure stream bookkeeping: decodes lines, detects the end, and knows whether items were delivered."""

    __slots__ = ("_decoder", "_lines", "_op", "delivered", "finished")

    def __init__(self, op: StreamDecoding[T]) -> None:
        self._op = op
        self._decoder = SSEDecoder()
        self._lines = LineSplitter()
        self.delivered = 0
        self.finished = False

    def feed_text(self, text: str) -> list[T]:
        """One network read (decoded text) in; every item it completes out, in order.

        Events that arrived together are returned together, so a proxy that buffers a whole stream costs one
        batch rather than one round of caller overhead per event.
        """
        items: list[T] = []
        for line in self._lines.split(text):
            item = self.feed(line)
            if item is not None:
                items.append(item)
            if self.finished:
                break
        self.delivered += len(items)
        return items

    def _handle(self, event: ServerSentEvent) -> T | None:
        if self._op.is_done(event):
            self.finished = True
            if not self._op.include_done:
                return None
        return self._op.parse_event(event)

    def feed(self, line: str) -> T | None:
        """One line in; at most one item out."""
        if self.finished:
            return None
        event = self._decoder.decode(line)
        if event is None:
            return None
        op = self._op
        if op.is_done(event):
            self.finished = True
            if not op.include_done:
                return None
        return op.parse_event(event)

    def end(self) -> T | None:
        """The body ended: flush a trailing event; raise :class:`StreamError` if the end marker never came."""
        item: T | None = None
        for line in () if self.finished else self._lines.finish():
            item = self.feed(line)
        if not self.finished:
            event = self._decoder.flush()
            if event is not None:
                item = self._handle(event)
        if not self.finished:
            # The sender prefixes "interrupted after N event(s)" when events were delivered.
            raise StreamError("the stream ended before its end marker (connection closed early)")
        return item
