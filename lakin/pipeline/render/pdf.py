"""The PDF after Typst: PDF/A-2b, its creation time, and a MarkInfo key poppler misreads."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PDF_STANDARDS", "drop_false_suspects", "pdf_timestamp"]

PDF_STANDARDS = ["a-2b"]  # PDF/A-2b: an archivable PDF (fonts embedded, metadata in XMP)
_FALSE_SUSPECTS = b"/MarkInfo<</Marked true/Suspects false>>"


def pdf_timestamp() -> int | None:
    """The PDF's creation time (Info CreationDate/ModDate, XMP dates and the instance ids Typst derives from
    them): SOURCE_DATE_EPOCH when set, for byte-identical rebuilds; else None, the time of the render."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def drop_false_suspects(path: Path) -> None:
    """Blank out `/Suspects false` in Typst's MarkInfo, which poppler (pdfinfo, pdftotext) reports as
    "Syntax Error: Suspects object is wrong type (boolean)" although the key is optional and false is its
    default. The bytes are replaced by spaces of the same length, so every cross-reference offset holds."""
    data = path.read_bytes()
    if data.count(_FALSE_SUSPECTS) == 1:
        blank = b"/MarkInfo<</Marked true" + b" " * len(b"/Suspects false") + b">>"
        path.write_bytes(data.replace(_FALSE_SUSPECTS, blank))
