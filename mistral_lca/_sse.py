"""Server-sent events: a line decoder and the pure per-stream state shared by sync and async streams.

Works the same on incremental bodies and on bodies the proxy buffered whole: it only ever sees lines. Line
splitting is linear in the body's size (a line spanning many reads is joined once) and bounded (a line longer
than ``max_line`` characters is a :class:`~mistral_lca.ResponseTooLargeError`); a leading UTF-8 BOM is dropped.
An error reported inside the stream (an ``event: error``, a ``*.error`` typed event, or data carrying an error
object) is raised as the typed API error, after the events that came before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from ._bounds import too_large
from ._errors import APIStatusError, StreamError
from ._json import loads
from ._response import Decoded, error_from_stream_event

__all__ = ["SSEDecoder", "ServerSentEvent", "StreamDecoding", "StreamState", "error_in_event", "is_done_marker"]

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


def _is_error_name(name: str) -> bool:
    return name == "error" or name.endswith(".error")


def error_in_event(event: ServerSentEvent) -> Any:
    """The error an event reports (its decoded data, or the raw text), or ``None`` for an ordinary event.

    Recognised: an ``event: error`` or ``event: <anything>.error`` (``conversation.response.error``), and data that
    is an error object: ``{"object": "error", ...}``, ``{"type": "...error", ...}`` or ``{"error": {...}}``.
    """
    name = event.event
    data = event.data
    if name is not None and _is_error_name(name):
        try:
            return loads(data) if data else {}
        except ValueError:
            return data
    if 'error"' not in data:  # the hot path: an ordinary chunk never has an error key or type
        return None
    try:
        payload = loads(data)
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    kind = payload.get("type")
    if payload.get("object") == "error" or (isinstance(kind, str) and _is_error_name(kind)):
        return payload
    error = payload.get("error")
    if error and kind is None and "choices" not in payload and isinstance(error, (dict, str)):
        return payload
    return None


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
    reads counts once). The unfinished rest is kept as pieces and joined once its line ends, so a long line costs
    time in proportion to its length; it may grow to ``max_line`` characters (``None``: any length)."""

    __slots__ = ("_max_line", "_pending", "_pending_size", "_started")

    def __init__(self, max_line: int | None = None) -> None:
        self._pending: list[str] = []
        self._pending_size = 0
        self._max_line = max_line
        self._started = False

    def split(self, text: str) -> list[str]:
        """Complete lines (without terminators) in ``text`` plus what was pending; keeps the unfinished rest."""
        if not self._started and text:
            self._started = True
            if text[0] == "\ufeff":  # a UTF-8 byte order mark before the first event
                text = text[1:]
        if self._pending:
            if "\n" not in text and "\r" not in text:  # the line goes on: keep the piece, join later
                self._hold(text)
                return []
            self._pending.append(text)
            text = "".join(self._pending)
            self._pending, self._pending_size = [], 0
        hold_cr = text.endswith("\r")  # maybe the first half of "\r\n": decide with the next read
        if hold_cr:
            text = text[:-1]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        tail = lines.pop()
        if tail or hold_cr:
            self._hold(tail + "\r" if hold_cr else tail)
        if self._max_line is not None:
            for line in lines:
                if len(line) > self._max_line:
                    raise too_large(self._max_line, "a line of the stream")
        return lines

    def _hold(self, piece: str) -> None:
        self._pending.append(piece)
        self._pending_size += len(piece)
        if self._max_line is not None and self._pending_size > self._max_line:
            raise too_large(self._max_line, "a line of the stream")

    def finish(self) -> list[str]:
        """The last line, if the body did not end with a terminator."""
        tail = "".join(self._pending).rstrip("\r")
        self._pending, self._pending_size = [], 0
        return [tail] if tail else []


class StreamState(Generic[T]):
    """Pure stream bookkeeping: decodes lines, detects the end (or an error event), and knows whether items were
    delivered."""

    __slots__ = ("_decoder", "_lines", "_op", "delivered", "failure", "finished")

    def __init__(self, op: StreamDecoding[T], max_line: int | None = None) -> None:
        self._op = op
        self._decoder = SSEDecoder()
        self._lines = LineSplitter(max_line)
        self.delivered = 0
        self.finished = False
        self.failure: APIStatusError | None = None
        """The error the stream reported, once an error event ended it (raise it after delivering the rest)."""

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

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
        if event.event is not None or 'error"' in event.data:  # cheap pre-check; error_in_event decides
            error = error_in_event(event)
            if error is not None:
                self.failure = error_from_stream_event(error)
                self.finished = True
                return None
        op = self._op
        if op.is_done(event):
            self.finished = True
            if not op.include_done:
                return None
        return op.parse_event(event)

    def feed(self, line: str) -> T | None:
        """One line in; at most one item out."""
        if self.finished:
            return None
        event = self._decoder.decode(line)
        if event is None:
            return None
        return self._handle(event)

    def end(self) -> T | None:
        """The body ended: flush a trailing event; raise :class:`StreamError` if the end marker never came."""
        item: T | None = None
        for line in () if self.finished else self._lines.finish():
            item = self.feed(line)
        if not self.finished:
            event = self._decoder.flush()
            if event is not None:
                item = self._handle(event)
        self.raise_failure()
        if not self.finished:
            # The sender prefixes "interrupted after N event(s)" when events were delivered.
            raise StreamError("the stream ended before its end marker (connection closed early)")
        return item
