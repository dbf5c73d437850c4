"""The demo's bundled data: a fictional company handbook (five short markdown files) and a 2-page PDF.

Read through :mod:`importlib.resources`, so it works from an installed wheel as well as from a checkout::

    from mistral_lca.demo.data import handbook, expense_claim_pdf
    for doc in handbook():
        print(doc.source, doc.title)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = ["PDF_NAME", "HandbookDoc", "expense_claim_pdf", "handbook"]

PDF_NAME = "expense-claim.pdf"


@dataclass(frozen=True)
class HandbookDoc:
    """One handbook page: its file name (the citation), its title and its text (title line excluded)."""

    source: str
    title: str
    text: str


def _data() -> Traversable:
    return resources.files("mistral_lca.demo").joinpath("data")


@cache
def handbook() -> tuple[HandbookDoc, ...]:
    """The Tidewater Robotics handbook, sorted by file name."""
    folder = _data().joinpath("handbook")
    docs = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".md"):
            continue
        title, _, body = entry.read_text(encoding="utf-8").partition("\n")
        docs.append(HandbookDoc(entry.name, title.lstrip("# ").strip(), body.strip()))
    return tuple(docs)


def expense_claim_pdf() -> bytes:
    """The bundled 2-page expense claim (written by :mod:`mistral_lca.demo._pdf` at record time)."""
    return _data().joinpath(PDF_NAME).read_bytes()
