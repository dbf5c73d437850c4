"""How one demo step reaches the API: offline (replayed), live, or recording; and the clients built for it.

Every step gets a fresh :class:`Session`. Offline, its ``httpx`` clients carry a :class:`ReplayTransport` loaded
with that step's recording only, and the token is a placeholder (a real token, if set, is never used offline).
Live, the clients are the library's own, configured from the CLI's global options and ``LOWCODEAPI_*``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import httpx

from mistral_lca._config import DEFAULT_BASE_URL

from ._replay import Interaction, RecordingTransport, ReplayTransport, load_interactions

if TYPE_CHECKING:
    from mistral_lca import AsyncMistralLCAClient, MistralLCAClient

__all__ = ["OFFLINE_TOKEN", "Mode", "Session", "Settings", "read_recording"]

Mode = Literal["offline", "live", "record"]
OFFLINE_TOKEN = "at_demo_offline_replay"
"""The placeholder token used offline: requests never leave the process, so no real token is needed."""


@dataclass(frozen=True)
class Settings:
    """Connection options from the command line (``None`` means the library default / environment)."""

    base_url: str | None = None
    path_params: str = "query"
    timeout: float | None = None
    max_retries: int = 2


def read_recording(step: str) -> dict[str, Any]:
    """The recording of ``step``, read from the installed package (works from a wheel or a zip too)."""
    path = resources.files("mistral_lca.demo").joinpath("recordings").joinpath(f"{step}.json")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no recording for step {step!r} in this installation (mistral_lca/demo/recordings/{step}.json); "
            "re-create them with `python -m mistral_lca.demo.record`"
        ) from None
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass
class Session:
    """Connection for one step. ``transport`` is ``None`` live (the library's own HTTP stack)."""

    mode: Mode
    settings: Settings = field(default_factory=Settings)
    transport: ReplayTransport | RecordingTransport | None = None
    api_token: str | None = None
    _closers: list[Any] = field(default_factory=list)

    # ------------------------------------------------------------------------------------ constructors

    @classmethod
    def offline(cls, step: str) -> Session:
        interactions = load_interactions(read_recording(step))
        transport = ReplayTransport(interactions, source=f"recordings/{step}.json")
        settings = Settings(base_url=DEFAULT_BASE_URL, max_retries=0)
        return cls("offline", settings, transport, OFFLINE_TOKEN)

    @classmethod
    def live(cls, settings: Settings) -> Session:
        return cls("live", settings)

    @classmethod
    def recording(cls, transport: RecordingTransport, api_token: str | None) -> Session:
        return cls("record", Settings(base_url=transport.upstream_base, max_retries=0), transport, api_token)

    @classmethod
    def from_interactions(cls, interactions: list[Interaction], source: str = "test") -> Session:
        settings = Settings(base_url=DEFAULT_BASE_URL, max_retries=0)
        return cls("offline", settings, ReplayTransport(interactions, source=source), OFFLINE_TOKEN)

    # ------------------------------------------------------------------------------------ HTTP clients

    @property
    def replaying(self) -> bool:
        return self.mode == "offline"

    def http_client(self) -> httpx.Client | None:
        """An ``httpx.Client`` on the replay/recording transport (``None`` live)."""
        if self.transport is None:
            return None
        client = httpx.Client(transport=self.transport)
        self._closers.append(client.close)
        return client

    def async_http_client(self) -> httpx.AsyncClient | None:
        """An ``httpx.AsyncClient`` on the replay/recording transport (``None`` live)."""
        if self.transport is None:
            return None
        return httpx.AsyncClient(transport=self.transport)

    # ------------------------------------------------------------------------------------ library objects

    def _common(self) -> dict[str, Any]:
        s = self.settings
        return {
            "base_url": s.base_url,
            "path_params": s.path_params,
            "timeout": s.timeout,
            "max_retries": s.max_retries,
        }

    def client(self) -> MistralLCAClient:
        """The shared sync client."""
        from mistral_lca import MistralLCAClient

        client = MistralLCAClient(api_token=self.api_token, http_client=self.http_client(), **self._common())
        self._closers.append(client.close)
        return client

    def async_client(self) -> AsyncMistralLCAClient:
        """The shared async client (use it inside one event loop)."""
        from mistral_lca import AsyncMistralLCAClient

        return AsyncMistralLCAClient(api_token=self.api_token, http_client=self.async_http_client(), **self._common())

    def langchain(self) -> dict[str, Any]:
        """Connection keyword arguments for every ``langchain_mistral_lca`` class."""
        kwargs = self._common()
        if self.api_token is not None:
            kwargs["api_key"] = self.api_token
        if self.transport is not None:
            kwargs["http_client"] = self.http_client()
            kwargs["http_async_client"] = self.async_http_client()
        return kwargs

    def llamaindex(self) -> dict[str, Any]:
        """Connection keyword arguments for every ``llamaindex_mistral_lca`` class."""
        kwargs = self._common()
        if self.api_token is not None:
            kwargs["api_token"] = self.api_token
        if self.transport is not None:
            kwargs["http_client"] = self.http_client()
            kwargs["async_http_client"] = self.async_http_client()
        return kwargs

    def close(self) -> None:
        for close in reversed(self._closers):
            close()
        self._closers.clear()
