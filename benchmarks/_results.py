"""Measurements, medians and the shared result book that the report is rendered from."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Measurement", "ResultBook", "Skipped", "median"]


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


@dataclass
class Measurement:
    """One figure: the median of ``samples`` for one subject in one benchmark case."""

    case: str
    """Which benchmark (e.g. ``"chat.sync"``); figures are only compared within a case."""
    subject: str
    """What was measured (e.g. ``"ChatMistralLCA.invoke"``)."""
    samples: list[float]
    unit: str = "s"
    """``s`` (seconds) or ``B`` (bytes)."""
    role: str = "ours"
    """``ours``, ``anchor`` (an official integration) or ``baseline`` (raw httpx and other floors)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Side figures: requests sent, peak in-flight requests, chunks, first-token latency..."""
    note: str = ""

    @property
    def value(self) -> float:
        return median(self.samples)

    @property
    def runs(self) -> int:
        return len(self.samples)


@dataclass
class Skipped:
    case: str
    subject: str
    reason: str


@dataclass
class ResultBook:
    measurements: list[Measurement] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    """Free-form remarks per case, printed under its table."""

    def add(self, measurement: Measurement) -> Measurement:
        self.measurements.append(measurement)
        return measurement

    def skip(self, case: str, subject: str, reason: str) -> None:
        self.skipped.append(Skipped(case, subject, reason))

    def note(self, case: str, text: str) -> None:
        self.notes.setdefault(case, []).append(text)

    def get(self, case: str, subject: str) -> Measurement | None:
        for m in self.measurements:
            if m.case == case and m.subject == subject:
                return m
        return None

    def case(self, case: str) -> list[Measurement]:
        return [m for m in self.measurements if m.case == case]
