"""How each benchmark case is titled, scaled and compared in the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CASES", "CaseInfo", "Settings", "Subject", "register"]


@dataclass(frozen=True)
class CaseInfo:
    case: str
    title: str
    what: str
    """One line: what exactly one operation is."""
    unit: str = "us"
    """Display unit: ``us``, ``ms``, ``s`` or ``MB``."""
    refs: tuple[tuple[str, str], ...] = ()
    """(column label, subject) pairs: every figure of the case is shown as a ratio to each of these."""
    extra_columns: tuple[tuple[str, str], ...] = ()
    """(column label, key in ``Measurement.extra``) pairs."""


CASES: dict[str, CaseInfo] = {}


def register(*infos: CaseInfo) -> None:
    for info in infos:
        CASES[info.case] = info


@dataclass(frozen=True)
class Settings:
    quick: bool = False
    profile_dir: str | None = None


@dataclass
class Subject:
    """One client in one case: ``build`` returns the operation (a zero-argument callable or coroutine function)."""

    name: str
    role: str
    build: Callable[[], Any]
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
