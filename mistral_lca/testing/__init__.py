"""Test helpers for ``mistral-lca``: a local stand-in for the LowCodeAPI Mistral proxy."""

from __future__ import annotations

from .clock import FastForwardClock
from .fake import FakeConfig, FakeLowCodeAPI, Fault, RateLimits, RecordedRequest

__all__ = ["FakeConfig", "FakeLowCodeAPI", "FastForwardClock", "Fault", "RateLimits", "RecordedRequest"]
