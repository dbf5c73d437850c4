"""``FakeLowCodeAPI``: an asyncio HTTP/1.1 stand-in for ``api.lowcodeapi.com/mistralai`` on 127.0.0.1.

It serves the LowCodeAPI form (``/mistralai/v1/...?api_token=at_...``, JSON wrapped in envelopes) and the
plain Mistral form (``/v1/...`` with ``Authorization: Bearer``, unwrapped) from one background thread with
its own event loop.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from ._json import loads
from .dispatch import build_table, make_executor
from .envelope import (
    HTML_502,
    StreamWire,
    Wire,
    auth_error,
    default_error,
    frame,
    json_wire,
    proxy_error,
    upstream_headers,
)
from .faults import Fault, FaultQueue
from .files import SIGNED_PREFIX
from .hostile import (
    echo_url_in_success,
    echo_url_wire,
    empty_wire,
    redirect_wire,
    stream_error_event,
    write_hostile,
)
from .http import LAST_CHUNK, HttpError, HttpRequest, abort_connection, chunk_frame, read_request, response_head
from .libraries import DOCUMENT_SIGNED_PREFIX
from .ratelimits import RATE_LIMITED_BODY, RateLimits, request_cost
from .recorder import Mode, RecordedRequest, Stats
from .replies import Call, ErrorReply, Handler
from .routes import Match
from .state import FakeConfig, FakeState, ReplyFn

__all__ = ["FakeLowCodeAPI"]

_PREFIX = "/mistralai"
_SLASHES = re.compile("/{2,}")
_BROKEN_SSE = b'data: {"id": "broken", "object": "chat.completion.chunk", "choices": [{"delta": \n\n'


@dataclass(slots=True)
class _Ctx:
    mode: Mode
    mistral_path: str
    match: Match[Handler] | None
    query: dict[str, str]
    json: Any = None
    json_error: str | None = None
    stream: bool = False
    record: RecordedRequest | None = None


class FakeLowCodeAPI:
    """A scriptable LowCodeAPI/Mistral stand-in. Use as a context manager::

    with FakeLowCodeAPI(latency=0.01) as server:
        httpx.post(f"{server.base_url}/v1/chat/completions?api_token=at_x", json={...})
    """

    def __init__(
        self,
        *,
        port: int = 0,
        config: FakeConfig | None = None,
        latency: float = 0.0,
        stream_delay: float = 0.0,
        stream_chunks: int | None = None,
        stream_buffered: bool = False,
        required_token: str | None = None,
        no_mistral_key: bool = False,
        mistral_api_key: str | None = None,
        reply: str | ReplyFn | None = None,
        model_aliases: dict[str, str] | None = None,
        strict: bool = True,
        embed_max_inputs: int | None = None,
        embed_max_tokens: int | None = 16384,
        embed_max_input_tokens: int | None = 8192,
        rate_limits: RateLimits | None = None,
        batch_steps: int = 1,
        record: bool = True,
        record_bodies: bool = True,
        fixed_time: int | None = None,
        seed: int = 0,
    ) -> None:
        self.config = config or FakeConfig(
            latency=latency,
            stream_delay=stream_delay,
            stream_chunks=stream_chunks,
            stream_buffered=stream_buffered,
            required_token=required_token,
            no_mistral_key=no_mistral_key,
            mistral_api_key=mistral_api_key,
            reply=reply,
            model_aliases=dict(model_aliases or {}),
            strict=strict,
            embed_max_inputs=embed_max_inputs,
            embed_max_tokens=embed_max_tokens,
            embed_max_input_tokens=embed_max_input_tokens,
            rate_limits=rate_limits,
            batch_steps=batch_steps,
            record=record,
            record_bodies=record_bodies,
            fixed_time=fixed_time,
            seed=seed,
        )
        self.state = FakeState.create(self.config)
        self.faults = FaultQueue()
        self.requests: list[RecordedRequest] = []
        self.stats = Stats()
        self.errors: list[str] = []
        """Tracebacks of handler crashes (answered with 500)."""
        self.rate_clock: Callable[[], float] = time.time
        """The clock rate-limit windows are counted by (replace it to step through windows in tests)."""
        self._table = build_table()
        self.state.executor = make_executor(self.state, self._table)
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._conns: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._closing = False

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 10.0) -> FakeLowCodeAPI:
        if self._thread is not None:
            return self
        self._closing = False
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="FakeLowCodeAPI", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("FakeLowCodeAPI did not start in time")
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError("FakeLowCodeAPI failed to start") from self._startup_error
        return self

    def stop(self, timeout: float = 10.0) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        if loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout)
            except Exception:  # pragma: no cover - best effort
                self.errors.append(traceback.format_exc())
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None

    def __enter__(self) -> FakeLowCodeAPI:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._on_connection, "127.0.0.1", self._port, backlog=2048, limit=2**20)
            )
            self._port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:
            self._startup_error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()

    async def _shutdown(self) -> None:
        self._closing = True
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = list(self._conns)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """LowCodeAPI-style base: ``http://127.0.0.1:<port>/mistralai``."""
        return self.root_url + _PREFIX

    @property
    def mistral_base_url(self) -> str:
        """Plain-Mistral base (``/v1/...`` is appended by official clients)."""
        return self.root_url

    @property
    def token(self) -> str:
        """An ``api_token`` this server accepts."""
        return self.config.required_token or "at_fake_token"

    def url(self, path: str, token: str | None = None, **query: str) -> str:
        """Full LowCodeAPI URL for a Mistral path, with ``api_token`` (and extra query) appended."""
        params = "&".join(f"{k}={v}" for k, v in {"api_token": token or self.token, **query}.items())
        return f"{self.base_url}{path}?{params}"

    # ------------------------------------------------------------------ observability

    @property
    def total_requests(self) -> int:
        return self.stats.total

    @property
    def path_counts(self) -> Counter[str]:
        return self.stats.path_counts

    @property
    def in_flight(self) -> int:
        return self.stats.in_flight

    @property
    def max_in_flight(self) -> int:
        return self.stats.max_in_flight

    @property
    def open_connections(self) -> int:
        return self.stats.open_connections

    @property
    def latency(self) -> float:
        return self.config.latency

    @latency.setter
    def latency(self, value: float) -> None:
        self.config.latency = value

    def set_latency(self, seconds: float, path: str | None = None) -> None:
        """Global latency, or extra latency for one Mistral path / route template."""
        if path is None:
            self.config.latency = seconds
        else:
            self.config.path_latency[path] = seconds

    def count(self, path: str | None = None, method: str | None = None) -> int:
        """Requests seen for a Mistral path or route template (all when ``path`` is None)."""
        if path is None and method is None:
            return self.stats.total
        return len(self.requests_to(path, method))

    def requests_to(self, path: str | None = None, method: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in list(self.requests)
            if (path is None or path in (r.mistral_path, r.route, r.path))
            and (method is None or r.method == method.upper())
        ]

    @property
    def last_request(self) -> RecordedRequest | None:
        return self.requests[-1] if self.requests else None

    def reset_rate_limits(self) -> None:
        """Start every rate-limit budget afresh (what the account used so far is forgotten)."""
        self.state.rate_counters.reset()

    def reset(self, *, state: bool = False) -> None:
        """Forget recorded requests, counters and pending faults (and stored objects and rate-limit usage if
        ``state``)."""
        self.requests.clear()
        self.stats.reset()
        self.faults.clear()
        self.errors.clear()
        if state:
            self.state.clear()

    # ------------------------------------------------------------------ connection handling

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._conns.add(task)
        self._writers.add(writer)
        st = self.stats
        st.open_connections += 1
        st.total_connections += 1
        st.max_open_connections = max(st.max_open_connections, st.open_connections)
        try:
            while not self._closing:
                try:
                    req = await read_request(reader, writer)
                except HttpError as exc:
                    body = exc.reason.encode()
                    writer.write(
                        response_head(
                            exc.status, [("content-type", "text/plain")], content_length=len(body), keep_alive=False
                        )
                        + body
                    )
                    await writer.drain()
                    break
                if req is None or not await self._serve(req, writer) or not req.keep_alive:
                    break
        except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            st.open_connections -= 1
            self._writers.discard(writer)
            if task is not None:
                self._conns.discard(task)
            if not writer.is_closing():
                writer.close()

    async def _serve(self, req: HttpRequest, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; ``False`` when the connection must not be reused."""
        st = self.stats
        st.in_flight += 1
        st.max_in_flight = max(st.max_in_flight, st.in_flight)
        try:
            ctx = self._resolve(req)
            cfg = self.config
            delay = cfg.latency
            if cfg.path_latency:
                route = ctx.match.route.template if ctx.match else None
                delay += cfg.path_latency.get(ctx.mistral_path, cfg.path_latency.get(route or "", 0.0))
            if delay > 0:
                await asyncio.sleep(delay)
            fault = self.faults.take(
                req.method, ctx.mistral_path, ctx.match.route.template if ctx.match else None, ctx.stream
            )
            if fault is not None and ctx.record is not None:
                ctx.record.fault = fault.kind
            status, keep = await self._respond(req, ctx, fault, writer)
            if ctx.record is not None:
                ctx.record.status = status
            return keep and req.keep_alive
        except (ConnectionError, asyncio.CancelledError):
            return False
        except Exception:
            self.errors.append(traceback.format_exc())
            try:
                body = b'{"detail":"fake server crashed; see server.errors"}'
                writer.write(
                    response_head(
                        500, [("content-type", "application/json")], content_length=len(body), keep_alive=False
                    )
                    + body
                )
                await writer.drain()
            except (ConnectionError, OSError):
                pass
            return False
        finally:
            st.in_flight -= 1

    def _resolve(self, req: HttpRequest) -> _Ctx:
        path = req.path if "//" not in req.path else _SLASHES.sub("/", req.path)
        mode: Mode
        if path == _PREFIX or path.startswith(_PREFIX + "/"):
            mode, mpath = "lowcodeapi", path[len(_PREFIX) :] or "/"
        elif path.startswith("/v1/"):
            mode, mpath = "mistral", path
        else:
            mode, mpath = "other", path
        match = (
            self._table.match(req.method, mpath, req.query if mode == "lowcodeapi" else {})
            if (mode != "other")
            else None
        )
        query = req.query
        if match is not None:
            mpath = self._table.concrete_path(match)
            if match.query_params or "api_token" in query:
                query = {k: v for k, v in query.items() if k != "api_token" and k not in match.query_params}
        elif "api_token" in query:
            query = {k: v for k, v in query.items() if k != "api_token"}
        ctx = _Ctx(mode, mpath, match, query)
        ctype = req.headers.get("content-type", "")
        if req.body and ("json" in ctype or (not ctype and req.body[:1] in (b"{", b"["))):
            try:
                ctx.json = loads(req.body)
            except ValueError as exc:
                ctx.json_error = str(exc)
            ctx.stream = isinstance(ctx.json, dict) and ctx.json.get("stream") is True
        st = self.stats
        st.total += 1
        st.path_counts[mpath] += 1
        if match is not None:
            st.route_counts[match.route.template] += 1
        if self.config.record:
            keep_body = self.config.record_bodies
            ctx.record = RecordedRequest(
                method=req.method,
                path=req.path,
                mistral_path=mpath,
                route=match.route.template if match else None,
                path_form=match.form if match else None,
                mode=mode,
                query=dict(req.query),
                headers=req.headers,
                body=req.body if keep_body else b"",
                json=ctx.json if keep_body else None,
                time=time.time(),
                params=dict(match.params) if match else {},
                stream=ctx.stream,
            )
            self.requests.append(ctx.record)
        return ctx

    # ------------------------------------------------------------------ answering

    async def _respond(
        self, req: HttpRequest, ctx: _Ctx, fault: Fault | None, writer: asyncio.StreamWriter
    ) -> tuple[int, bool]:
        if fault is not None:
            if fault.kind == "reset":
                abort_connection(writer)
                return 0, False
            if fault.kind == "stall":
                await asyncio.sleep(fault.seconds)
            early = self._fault_wire(req, ctx, fault)
            if early is not None:
                return await self._write(writer, early, req.keep_alive)
        wire = self._dispatch(req, ctx)
        if fault is not None and isinstance(wire, StreamWire):
            if fault.kind == "cut_stream":
                wire.cut_after, wire.graceful = max(0, fault.events), fault.graceful
            elif fault.kind == "malformed_sse" and wire.events:
                wire.events[min(max(0, fault.events), len(wire.events) - 1)] = _BROKEN_SSE
            elif fault.kind == "error_event":
                stream_error_event(wire, fault)
            elif fault.kind == "json_for_stream":
                wire = self._json_for_stream(req, ctx, fault)
        if fault is not None and fault.kind == "echo_url" and isinstance(wire, Wire):
            wire = echo_url_in_success(wire, ctx.mode, f"{self.root_url}{req.target}")
        if fault is not None and fault.kind in ("trickle", "oversized", "gzip"):
            return await write_hostile(
                writer,
                wire,
                fault,
                stream=ctx.stream,
                mode=ctx.mode,
                keep=req.keep_alive,
                stopping=lambda: self._closing,
            )
        return await self._write(writer, wire, req.keep_alive)

    def _fault_wire(self, req: HttpRequest, ctx: _Ctx, fault: Fault) -> Wire | None:
        envelope = ctx.mode != "mistral"
        if fault.kind == "status":
            status = fault.status or 500
            body = fault.body if fault.body is not None else default_error(status)
            up = upstream_headers(self.state)
            http_headers = dict(fault.headers)
            if fault.retry_after is not None:
                value = str(fault.retry_after)
                if fault.retry_after_in in ("envelope", "both"):
                    up["retry-after"] = value
                if fault.retry_after_in in ("http", "both") or not envelope:
                    http_headers["retry-after"] = value
            if not envelope:
                return json_wire(status, body, [("content-type", "application/json"), *http_headers.items()])
            message = fault.message or (
                body["message"]
                if isinstance(body, dict) and isinstance(body.get("message"), str)
                else "Error received from the mistralai API"
            )
            wire = proxy_error(status, message, body, up)
            wire.headers.extend(http_headers.items())
            return wire
        if fault.kind == "html":
            return Wire(fault.status or 502, [("content-type", "text/html"), *fault.headers.items()], HTML_502)
        if fault.kind == "malformed_json":
            body = (
                b'{"message":"Request completed","provider":"mistralai","result":{"id":"'
                if envelope
                else b'{"id":"9cdb94fb","object":"chat.completion","choices":[{"index":0,'
            )
            return Wire(fault.status or 200, [("content-type", "application/json"), *fault.headers.items()], body)
        if fault.kind == "echo_token":
            return auth_error(fault.status or 401, req.method, req.path, req.query, req.headers)
        if fault.kind == "redirect":
            return redirect_wire(fault, req.target)
        if fault.kind == "empty_body":
            return empty_wire(fault, ctx.mode)
        if fault.kind == "echo_url":
            return echo_url_wire(fault, ctx.mode, f"{self.root_url}{req.target}", upstream_headers(self.state))
        return None

    def _json_for_stream(self, req: HttpRequest, ctx: _Ctx, fault: Fault) -> Wire:
        if fault.status is not None and fault.status >= 400:
            body = fault.body if fault.body is not None else default_error(fault.status)
            if ctx.mode == "mistral":
                return json_wire(fault.status, body, [("content-type", "application/json")])
            return proxy_error(
                fault.status,
                fault.message or "Error received from the mistralai API",
                body,
                upstream_headers(self.state),
            )
        plain = _Ctx(ctx.mode, ctx.mistral_path, ctx.match, ctx.query, {**ctx.json, "stream": False})
        wire = self._dispatch(req, plain)
        assert isinstance(wire, Wire)
        return wire

    def _dispatch(self, req: HttpRequest, ctx: _Ctx) -> Wire | StreamWire:
        cfg = self.config
        if ctx.mode == "other":
            return self._special(req)
        if ctx.mode == "lowcodeapi":
            if ctx.mistral_path == "/":
                return Wire(302, [("location", "https://lowcodeapi.com/mistralai")], b"")
            token = req.query.get("api_token", "")
            if not token.startswith("at_") or (cfg.required_token is not None and token != cfg.required_token):
                return auth_error(401, req.method, req.path, req.query, req.headers)
            if cfg.no_mistral_key:
                return auth_error(403, req.method, req.path, req.query, req.headers)
        else:
            auth = req.headers.get("authorization", "")
            key = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
            if not key:
                return json_wire(401, {"detail": "Unauthorized"}, [("content-type", "application/json")])
            if cfg.mistral_api_key is not None and key != cfg.mistral_api_key:
                return json_wire(401, {"detail": "Invalid API Key"}, [("content-type", "application/json")])
        match = ctx.match
        if match is None:
            query = req.query if ctx.mode == "lowcodeapi" else {}
            exists = self._table.path_exists(ctx.mistral_path, query)
            status = 405 if exists else 404
            body = {"detail": "Method Not Allowed" if exists else "Not Found"}
            if ctx.mode == "mistral":
                return json_wire(status, body, [("content-type", "application/json")])
            return proxy_error(status, "Error received from the mistralai API", body, upstream_headers(self.state))
        rate_headers = None
        if cfg.rate_limits is not None:
            cost = request_cost(ctx.json, req.body)
            verdict = self.state.rate_counters.admit(cfg.rate_limits, self.rate_clock(), cost)
            rate_headers = verdict.headers
            if not verdict.allowed:
                self.stats.rate_limited += 1
                return frame(self.state, ctx.mode, ErrorReply(429, dict(RATE_LIMITED_BODY)), rate_headers)
        call = Call(
            req.method,
            ctx.mistral_path,
            match.params,
            ctx.query,
            req.headers,
            req.body,
            ctx.json,
            ctx.json_error,
            self.root_url,
        )
        return frame(self.state, ctx.mode, match.route.handler(self.state, call), rate_headers)

    def _special(self, req: HttpRequest) -> Wire:
        path = req.path
        if path == "/_fake/health":
            return Wire(200, [("content-type", "text/plain")], b"ok")
        for prefix, store in ((SIGNED_PREFIX, "files"), (DOCUMENT_SIGNED_PREFIX, "documents")):
            if path.startswith(prefix) and req.method == "GET":
                ident = path[len(prefix) :]
                if store == "files":
                    stored = self.state.files.get(ident)
                    data = stored.data if stored else None
                else:
                    doc = self.state.documents.get(ident)
                    data = doc["_data"] if doc else None
                if data is not None:
                    return Wire(200, [("content-type", "application/octet-stream")], data)
        return json_wire(404, {"message": "Not Found"})

    async def _write(self, writer: asyncio.StreamWriter, wire: Wire | StreamWire, keep: bool) -> tuple[int, bool]:
        if isinstance(wire, Wire):
            head = response_head(wire.status, wire.headers, content_length=len(wire.body), keep_alive=keep)
            writer.write(head + wire.body if wire.status not in (204, 304) else head)
            await writer.drain()
            return wire.status, keep
        return await self._write_stream(writer, wire, keep)

    async def _write_stream(self, writer: asyncio.StreamWriter, wire: StreamWire, keep: bool) -> tuple[int, bool]:
        cut = wire.cut_after
        send = wire.events if cut is None else wire.events[:cut]
        complete = cut is None or wire.graceful
        keep = keep and complete
        if self.config.stream_buffered:
            full = b"".join(wire.events)
            body = b"".join(send)
            length = len(body) if complete else len(full)
            writer.write(response_head(wire.status, wire.headers, content_length=length, keep_alive=keep) + body)
        else:
            head = response_head(wire.status, wire.headers, content_length=None, keep_alive=keep)
            delay = self.config.stream_delay
            if delay <= 0:
                writer.write(b"".join((head, *map(chunk_frame, send), LAST_CHUNK if complete else b"")))
            else:
                writer.write(head)
                for event in send:
                    writer.write(chunk_frame(event))
                    await writer.drain()
                    await asyncio.sleep(delay)
                if complete:
                    writer.write(LAST_CHUNK)
        await writer.drain()
        if not complete:
            writer.close()
        return wire.status, keep
