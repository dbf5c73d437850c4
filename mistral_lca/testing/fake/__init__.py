"""A fast, scriptable stand-in for the LowCodeAPI Mistral proxy (and plain Mistral), for tests and benchmarks."""

from __future__ import annotations

from .faults import Fault, FaultKind, FaultQueue
from .ratelimits import RateLimits
from .recorder import RecordedRequest, Stats
from .server import FakeLowCodeAPI
from .state import FakeConfig

__all__ = [
    "FakeConfig",
    "FakeLowCodeAPI",
    "Fault",
    "FaultKind",
    "FaultQueue",
    "RateLimits",
    "RecordedRequest",
    "Stats",
]
