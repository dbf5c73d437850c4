"""Helpers for the token-count tests: simulate the ``[tokenizer]`` extra being absent, and forbid downloads."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from mistral_lca import tokens


@contextmanager
def tokenizer_absent(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if mistral-common were not installed: every import of it (or sentencepiece) fails."""
    for name in [n for n in sys.modules if n == "mistral_common" or n.startswith("mistral_common.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "mistral_common", None)
    monkeypatch.setitem(sys.modules, "sentencepiece", None)
    tokens.reset()
    try:
        yield
    finally:
        monkeypatch.undo()
        tokens.reset()


class NetworkAttempt(AssertionError):
    pass


@contextmanager
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every way out (sockets, DNS, requests, the Hugging Face hub) raises and is recorded."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            attempts.append(what)
            raise NetworkAttempt(f"network access attempted: {what}")

        return fail

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    try:
        import requests

        monkeypatch.setattr(requests.Session, "request", refuse("requests"))
    except ImportError:  # pragma: no cover - requests comes with mistral-common
        pass
    try:
        import huggingface_hub

        monkeypatch.setattr(huggingface_hub, "hf_hub_download", refuse("hf_hub_download"))
        monkeypatch.setattr(huggingface_hub, "snapshot_download", refuse("snapshot_download"))
    except ImportError:  # pragma: no cover
        pass
    yield attempts
