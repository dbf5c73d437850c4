"""Test helpers for ``mistral-lca``: a local stand-in for the LowCodeAPI Mistral proxy."""

from __future__ import annotations

from .fake import FakeConfig, FakeLowCodeAPI, Fault, RecordedRequest

__all__ = ["FakeConfig", "FakeLowCodeAPI", "Fault", "RecordedRequest"]
