"""A tiny pure-Python PDF writer: text pages in Helvetica, nothing else.

Used at record time to produce the demo's bundled 2-page expense claim (``data/expense-claim.pdf``), so the
OCR step has a real, valid PDF to send, and the package needs no PDF tool at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["EXPENSE_CLAIM", "Page", "page_markdown", "write_pdf"]

_WIDTH, _HEIGHT = 595, 842  # A4 in points
_MARGIN = 72


@dataclass(frozen=True)
class Page:
    """One page: a title (bold, larger) and body lines."""

    title: str
    lines: tuple[str, ...]


EXPENSE_CLAIM: tuple[Page, ...] = (
    Page(
        "Expense claim EC-2025-0314",
        (
            "Employee: Ada Moreno, Platform team",
            "Trip: robotics conference, Lisbon, 3 to 14 March 2025",
            "Working days on site: 10",
            "Per diem: 10 days x 180 EUR = 1,800 EUR",
        ),
    ),
    Page(
        "Hotel and approval",
        (
            "Hotel: 11 nights x 165 EUR = 1,815 EUR",
            "Minibar: 42 EUR (not reimbursed)",
            "Total claimed: 3,615 EUR",
            "Approved by: Rui Almeida, team lead, 17 March 2025",
        ),
    ),
)


def page_markdown(page: Page) -> str:
    """The page as the markdown an OCR model returns for it."""
    return "\n\n".join([f"# {page.title}", *page.lines])


def _escape(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def _content(page: Page) -> bytes:
    out = [b"BT", b"/F2 18 Tf", f"{_MARGIN} {_HEIGHT - _MARGIN} Td".encode(), b"(" + _escape(page.title) + b") Tj"]
    out += [b"/F1 12 Tf", b"0 -36 Td"]
    for index, line in enumerate(page.lines):
        if index:
            out.append(b"0 -20 Td")
        out.append(b"(" + _escape(line) + b") Tj")
    out.append(b"ET")
    return b"\n".join(out)


def write_pdf(pages: Sequence[Page]) -> bytes:
    """A valid PDF 1.4 document with one page per :class:`Page` (standard fonts, no compression)."""
    first_page = 5  # objects: 1 catalog, 2 page tree, 3 Helvetica, 4 Helvetica-Bold, then page + content pairs
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    for index, page in enumerate(pages):
        content_ref = first_page + 2 * index + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_WIDTH} {_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content_ref} 0 R >>".encode()
        )
        stream = _content(page)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(body)
